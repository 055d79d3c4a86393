//! The typed `filter` and `orderBy` inputs of every list, and how each matches and orders the
//! read side's documents.

use async_graphql::{InputObject, ID};
use chrono::{DateTime, Utc};

use crate::enums::*;

/// Ascending or descending.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

fn directed(ordering: std::cmp::Ordering, direction: OrderDirection) -> std::cmp::Ordering {
    match direction {
        OrderDirection::Asc => ordering,
        OrderDirection::Desc => ordering.reverse(),
    }
}

fn contains(haystack: &str, needle: &Option<String>) -> bool {
    needle
        .as_ref()
        .is_none_or(|n| haystack.to_lowercase().contains(&n.to_lowercase()))
}

/// Narrows the list of organizations.
#[derive(InputObject, Default)]
pub struct OrganizationFilter {
    /// Only this category.
    pub category: Option<OrganizationCategory>,
    /// Only this status (ACTIVE, SUCCEEDED, DEACTIVATED).
    pub status: Option<String>,
    /// Only names containing this text (case-insensitive).
    pub name_contains: Option<String>,
}

impl OrganizationFilter {
    pub(crate) fn matches(&self, o: &projections::views::OrganizationView) -> bool {
        self.category
            .is_none_or(|c| aggregates::values::OrganizationCategory::from(c) == o.category)
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&o.status))
            && contains(o.name.as_str(), &self.name_contains)
    }
}

/// What organizations are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrganizationOrderField {
    /// By name.
    #[default]
    Name,
    /// By the time it was registered.
    RegisteredAt,
}

/// The order of the list of organizations.
#[derive(InputObject, Default)]
pub struct OrganizationOrder {
    /// The field.
    #[graphql(default)]
    pub field: OrganizationOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl OrganizationOrder {
    pub(crate) fn compare(
        &self,
        a: &projections::views::OrganizationView,
        b: &projections::views::OrganizationView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            OrganizationOrderField::Name => a.name.as_str().cmp(b.name.as_str()),
            OrganizationOrderField::RegisteredAt => a.registered_at.cmp(&b.registered_at),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}

/// Narrows the list of networks.
#[derive(InputObject, Default)]
pub struct NetworkFilter {
    /// Only this kind.
    pub kind: Option<NetworkKind>,
    /// Only names containing this text (case-insensitive).
    pub name_contains: Option<String>,
    /// Only territories containing this text (case-insensitive).
    pub territory_contains: Option<String>,
    /// Only open (true) or closed (false) networks.
    pub open: Option<bool>,
}

impl NetworkFilter {
    pub(crate) fn matches(&self, n: &projections::views::NetworkView) -> bool {
        self.kind
            .is_none_or(|k| aggregates::network::NetworkKind::from(k) == n.kind)
            && contains(n.name.as_str(), &self.name_contains)
            && contains(n.territory.as_str(), &self.territory_contains)
            && self.open.is_none_or(|open| open == n.closed_on.is_none())
    }
}

/// What networks are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum NetworkOrderField {
    /// By name.
    #[default]
    Name,
    /// By the date it was established.
    EstablishedOn,
}

/// The order of the list of networks.
#[derive(InputObject, Default)]
pub struct NetworkOrder {
    /// The field.
    #[graphql(default)]
    pub field: NetworkOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl NetworkOrder {
    pub(crate) fn compare(
        &self,
        a: &projections::views::NetworkView,
        b: &projections::views::NetworkView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            NetworkOrderField::Name => a.name.as_str().cmp(b.name.as_str()),
            NetworkOrderField::EstablishedOn => a.established_on.cmp(&b.established_on),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}

/// Narrows a list of commitments.
#[derive(InputObject, Default)]
pub struct CommitmentFilter {
    /// Only this status (OPEN, IN_PROGRESS, FULFILLED, WAIVED, CANCELLED).
    pub status: Option<String>,
    /// Only those owed by this organization.
    pub obligor: Option<ID>,
    /// Only those overdue on this date.
    pub overdue_on: Option<chrono::NaiveDate>,
}

impl CommitmentFilter {
    pub(crate) fn matches(
        &self,
        c: &projections::views::CommitmentView,
        obligor: Option<uuid::Uuid>,
    ) -> bool {
        self.status
            .as_ref()
            .is_none_or(|s| s.eq_ignore_ascii_case(&c.status))
            && obligor.is_none_or(|o| o == c.obligor.as_uuid())
            && self.overdue_on.is_none_or(|day| c.is_overdue(day))
    }
}

/// What commitments are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum CommitmentOrderField {
    /// By due date (those without one last).
    #[default]
    DueOn,
    /// By the date they were taken on.
    CreatedOn,
    /// By title.
    Title,
}

/// The order of a list of commitments.
#[derive(InputObject, Default)]
pub struct CommitmentOrder {
    /// The field.
    #[graphql(default)]
    pub field: CommitmentOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl CommitmentOrder {
    pub(crate) fn compare(
        &self,
        a: &projections::views::CommitmentView,
        b: &projections::views::CommitmentView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            CommitmentOrderField::DueOn => dated(a.due_on, b.due_on),
            CommitmentOrderField::CreatedOn => a.created_on.cmp(&b.created_on),
            CommitmentOrderField::Title => a.title.as_str().cmp(b.title.as_str()),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}

/// Narrows a list of memberships.
#[derive(InputObject, Default)]
pub struct MembershipFilter {
    /// Only this status (PENDING, ACTIVE, SUSPENDED, WITHDRAWN, EXPELLED, REJECTED).
    pub status: Option<String>,
    /// Only memberships active on this business date.
    pub member_on: Option<chrono::NaiveDate>,
}

impl MembershipFilter {
    pub(crate) fn matches(&self, m: &projections::views::MembershipView) -> bool {
        self.status
            .as_ref()
            .is_none_or(|s| s.eq_ignore_ascii_case(&m.status))
            && self.member_on.is_none_or(|day| m.member_on(day))
    }
}

/// What memberships are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MembershipOrderField {
    /// By the date the organization became a member (those never admitted last).
    #[default]
    Since,
    /// By the date it applied (those that joined without applying last).
    AppliedOn,
}

/// The order of a list of memberships.
#[derive(InputObject, Default)]
pub struct MembershipOrder {
    /// The field.
    #[graphql(default)]
    pub field: MembershipOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Dates first, missing dates last, in either direction of the dates.
fn dated<T: Ord>(a: Option<T>, b: Option<T>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

impl MembershipOrder {
    pub(crate) fn compare(
        &self,
        a: &projections::views::MembershipView,
        b: &projections::views::MembershipView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            MembershipOrderField::Since => dated(a.since, b.since),
            MembershipOrderField::AppliedOn => dated(a.applied_on, b.applied_on),
        };
        directed(
            ordering.then(a.organization.cmp(&b.organization)),
            self.direction,
        )
    }
}

/// Narrows a list of meetings.
#[derive(InputObject, Default)]
pub struct MeetingFilter {
    /// Only this kind.
    pub kind: Option<MeetingKind>,
    /// Only this status (SCHEDULED, OPEN, CLOSED, CANCELLED).
    pub status: Option<String>,
    /// Only meetings starting at or after this instant.
    pub starts_from: Option<DateTime<Utc>>,
    /// Only meetings starting before this instant.
    pub starts_until: Option<DateTime<Utc>>,
    /// Only public (true) or non-public (false) meetings.
    pub public: Option<bool>,
}

impl MeetingFilter {
    pub(crate) fn matches(&self, m: &projections::views::MeetingView) -> bool {
        self.kind
            .is_none_or(|k| aggregates::meeting::MeetingKind::from(k) == m.kind)
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&m.status))
            && self.starts_from.is_none_or(|t| m.starts_at >= t)
            && self.starts_until.is_none_or(|t| m.starts_at < t)
            && self.public.is_none_or(|p| p == m.public)
    }
}

/// What meetings are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MeetingOrderField {
    /// By start.
    #[default]
    StartsAt,
    /// By title.
    Title,
}

/// The order of a list of meetings.
#[derive(InputObject, Default)]
pub struct MeetingOrder {
    /// The field.
    #[graphql(default)]
    pub field: MeetingOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl MeetingOrder {
    pub(crate) fn compare(
        &self,
        a: &projections::views::MeetingView,
        b: &projections::views::MeetingView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            MeetingOrderField::StartsAt => a.starts_at.cmp(&b.starts_at),
            MeetingOrderField::Title => a.title.as_str().cmp(b.title.as_str()),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}

/// Narrows a list of protocols.
#[derive(InputObject, Default)]
pub struct ProtocolFilter {
    /// Only this kind.
    pub kind: Option<ProtocolKind>,
    /// Only this status (DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE, EXPIRED, SUPERSEDED).
    pub status: Option<String>,
    /// Only protocols with a version in force.
    pub in_force: Option<bool>,
}

impl ProtocolFilter {
    pub(crate) fn matches(&self, p: &projections::views::ProtocolView) -> bool {
        self.kind
            .is_none_or(|k| aggregates::protocol::ProtocolKind::from(k) == p.kind)
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&p.status))
            && self
                .in_force
                .is_none_or(|f| f == p.in_force_version.is_some())
    }
}

/// What protocols are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ProtocolOrderField {
    /// By the title of the current version.
    #[default]
    Title,
    /// By the number of the current version.
    CurrentVersion,
}

/// The order of a list of protocols.
#[derive(InputObject, Default)]
pub struct ProtocolOrder {
    /// The field.
    #[graphql(default)]
    pub field: ProtocolOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl ProtocolOrder {
    pub(crate) fn compare(
        &self,
        a: &projections::views::ProtocolView,
        b: &projections::views::ProtocolView,
    ) -> std::cmp::Ordering {
        let title = |p: &projections::views::ProtocolView| {
            p.versions
                .last()
                .map(|v| v.title.as_str().to_owned())
                .unwrap_or_default()
        };
        let ordering = match self.field {
            ProtocolOrderField::Title => title(a).cmp(&title(b)),
            ProtocolOrderField::CurrentVersion => a.current_version.cmp(&b.current_version),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}

/// Filters of the audit log; every field narrows it.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Only events that concern this network.
    pub network: Option<ID>,
    /// Only events that concern this organization.
    pub organization: Option<ID>,
    /// Only events of this aggregate type (Organization, Network, Protocol, Commitment,
    /// WorkingGroup, Meeting).
    pub aggregate_type: Option<String>,
    /// Only events of this type (e.g. ProtocolSigned).
    pub event_type: Option<String>,
    /// Only events caused by this actor.
    pub actor: Option<String>,
    /// Recorded at or after.
    pub recorded_from: Option<DateTime<Utc>>,
    /// Recorded before.
    pub recorded_until: Option<DateTime<Utc>>,
}
