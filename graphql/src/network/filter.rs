//! The `filter` and `orderBy` inputs of lists of network objects.

use crate::scalars::Date;
use async_graphql::InputObject;

use crate::enums::*;
use crate::pagination::{contains, dated, directed, Filter, Order, OrderDirection};

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

impl Filter<projections::views::NetworkView> for NetworkFilter {
    fn matches(&self, n: &projections::views::NetworkView) -> bool {
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

impl Order<projections::views::NetworkView> for NetworkOrder {
    fn compare(
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

/// Narrows a list of memberships.
#[derive(InputObject, Default)]
pub struct MembershipFilter {
    /// Only this status.
    pub state: Option<MembershipStatus>,
    /// Deprecated: `state` takes the same as an enum. Only this status (PENDING, ACTIVE, SUSPENDED, WITHDRAWN, EXPELLED, REJECTED), in any letter case. A name that is no status
    /// is refused.
    pub status: Option<String>,
    /// Only memberships active on this business date.
    pub member_on: Option<Date>,
}

impl Filter<projections::views::MembershipView> for MembershipFilter {
    fn check(&self) -> async_graphql::Result<()> {
        status_named::<MembershipStatus>(&self.status)
    }
    fn matches(&self, m: &projections::views::MembershipView) -> bool {
        self.state.is_none_or(|s| same_status(&s, &m.status))
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&wire_name(&m.status)))
            && self.member_on.is_none_or(|day| m.member_on(day.0))
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

impl Order<projections::views::MembershipView> for MembershipOrder {
    fn compare(
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
