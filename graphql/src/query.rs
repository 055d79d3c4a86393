//! The root query. `asOf` (a recorded instant) on the root entry points selects the state as
//! known then, for everything below them.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]
use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};
use projections::queries::{AsOf, AuditFilter};

use crate::model::*;
use crate::viewer::{viewer, Level};
use crate::{client_error, read, ApiResult};

pub struct Query;

async fn as_of(ctx: &Context<'_>, as_of: Option<DateTime<Utc>>) -> ApiResult<AsOf> {
    Ok(match as_of {
        None => AsOf::Now,
        Some(instant) => AsOf::Position(read(ctx).position_at(instant).await?),
    })
}

fn uuid_of(id: &ID, kind: NodeKind) -> ApiResult<uuid::Uuid> {
    decode_kind(id, kind).ok_or_else(|| client_error("INVALID_ID", "not an id of this kind"))
}

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
    fn matches(&self, o: &projections::views::OrganizationView) -> bool {
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
    fn compare(
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

impl NetworkOrder {
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

async fn node_of(ctx: &Context<'_>, id: &ID, at: Lens) -> ApiResult<Option<Node>> {
    let Some((kind, uuid)) = decode_id(id) else {
        return Ok(None);
    };
    let r = read(ctx);
    let v = viewer(ctx);
    let text = uuid.to_string();
    // Objects the viewer may not read are absent, exactly like objects that do not exist.
    Ok(match kind {
        NodeKind::Organization => {
            let id = aggregates::ids::OrganizationId(uuid);
            match r.organization(id, at.known).await? {
                Some(view) if v.sees_organization(ctx, id).await? => {
                    Some(Node::Organization(Organization { view, at }))
                }
                _ => None,
            }
        }
        NodeKind::Network => match r
            .network(aggregates::ids::NetworkId(uuid), at.known)
            .await?
        {
            Some(view) if v.level(ctx, &view).await? != Level::None => {
                Some(Node::Network(Network { view, at }))
            }
            _ => None,
        },
        NodeKind::Protocol => match r.protocol(&text, at.known).await? {
            Some(view) if v.full(ctx, view.network).await? => {
                Some(Node::Protocol(Protocol { view, at }))
            }
            _ => None,
        },
        NodeKind::Commitment => match r.commitment(&text, at.known).await? {
            Some(view) if v.full(ctx, view.network).await? => {
                Some(Node::Commitment(Commitment { view, at }))
            }
            _ => None,
        },
        NodeKind::WorkingGroup => match r.working_group(&text, at.known).await? {
            Some(view) if v.full(ctx, view.network).await? => {
                Some(Node::WorkingGroup(WorkingGroup { view, at }))
            }
            _ => None,
        },
        NodeKind::Meeting => match r.meeting(&text, at.known).await? {
            Some(view)
                if v.full(ctx, view.network).await?
                    || (view.public && v.level_of(ctx, view.network).await? == Level::Public) =>
            {
                Some(Node::Meeting(Meeting { view, at }))
            }
            _ => None,
        },
    })
}

/// The root query: current state, state as known at a past instant, history.
#[Object]
impl Query {
    /// Any object by its global id.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<chrono::NaiveDate>,
    ) -> ApiResult<Option<Node>> {
        let at = lens(ctx, as_of, effective_on).await?;
        node_of(ctx, &id, at).await
    }

    /// Objects by their global ids, in the same order (null where none).
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids (at most 100).")] ids: Vec<ID>,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<chrono::NaiveDate>,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_PAGE {
            return Err(client_error(
                "PAGE_TOO_LARGE",
                format!("at most {MAX_PAGE} ids"),
            ));
        }
        let at = lens(ctx, as_of, effective_on).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(node_of(ctx, id, at).await?);
        }
        Ok(out)
    }

    /// Every organization.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<chrono::NaiveDate>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            OrganizationFilter,
        >,
        #[graphql(desc = "The order of the list (default: by name, ascending).")] order_by: Option<
            OrganizationOrder,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Organization>> {
        let at = lens(ctx, as_of, effective_on).await?;
        let mut all = read(ctx).organizations(at.known).await?;
        let v = viewer(ctx);
        if !v.reads_everything() {
            let mut seen = Vec::with_capacity(all.len());
            for o in all {
                if v.sees_organization(ctx, o.id).await? {
                    seen.push(o);
                }
            }
            all = seen;
        }
        let (filter, order) = (filter.unwrap_or_default(), order_by.unwrap_or_default());
        paginate(
            select(
                all,
                |o| filter.matches(o),
                |a, b| order.compare(a, b),
                |view| Organization { view, at },
            ),
            after,
            before,
            first,
            last,
        )
        .await
    }

    /// One organization.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<chrono::NaiveDate>,
    ) -> ApiResult<Option<Organization>> {
        let at = lens(ctx, as_of, effective_on).await?;
        uuid_of(&id, NodeKind::Organization)?;
        Ok(match node_of(ctx, &id, at).await? {
            Some(Node::Organization(o)) => Some(o),
            _ => None,
        })
    }

    /// Every network.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn networks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<chrono::NaiveDate>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            NetworkFilter,
        >,
        #[graphql(desc = "The order of the list (default: by name, ascending).")] order_by: Option<
            NetworkOrder,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Network>> {
        let at = lens(ctx, as_of, effective_on).await?;
        let mut all = read(ctx).networks(at.known).await?;
        let v = viewer(ctx);
        let mut seen = Vec::with_capacity(all.len());
        for n in all {
            if v.level(ctx, &n).await? != Level::None {
                seen.push(n);
            }
        }
        all = seen;
        let (filter, order) = (filter.unwrap_or_default(), order_by.unwrap_or_default());
        paginate(
            select(
                all,
                |n| filter.matches(n),
                |a, b| order.compare(a, b),
                |view| Network { view, at },
            ),
            after,
            before,
            first,
            last,
        )
        .await
    }

    /// One network.
    async fn network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<chrono::NaiveDate>,
    ) -> ApiResult<Option<Network>> {
        let at = lens(ctx, as_of, effective_on).await?;
        uuid_of(&id, NodeKind::Network)?;
        Ok(match node_of(ctx, &id, at).await? {
            Some(Node::Network(n)) => Some(n),
            _ => None,
        })
    }

    /// One protocol.
    async fn protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<chrono::NaiveDate>,
    ) -> ApiResult<Option<Protocol>> {
        let at = lens(ctx, as_of, effective_on).await?;
        uuid_of(&id, NodeKind::Protocol)?;
        Ok(match node_of(ctx, &id, at).await? {
            Some(Node::Protocol(p)) => Some(p),
            _ => None,
        })
    }

    /// The audit log: every event, filtered, oldest first; cursors are global positions.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the log; every field given must match.")] filter: Option<
            AuditLogFilter,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<HistoryConnection> {
        let audit = to_audit_filter(filter.unwrap_or_default())?;
        require_audit(ctx, &audit).await?;
        history(ctx, History::Audit(&audit), after, before, first, last).await
    }

    /// Tamper evidence: the sealed head of the hash chain over the log, the latest signed
    /// checkpoint, and the public key that verifies checkpoints and reports.
    async fn integrity(&self, ctx: &Context<'_>) -> ApiResult<Integrity> {
        let state = ctx.data_unchecked::<crate::ApiState>();
        let (position, hash) = state.store.sealed_head().await?;
        let latest = state.store.latest_checkpoint().await?;
        Ok(Integrity {
            head_position: position,
            head_hash: hex_of(&hash),
            latest_checkpoint: latest.map(|c| SignedCheckpoint {
                position: c.position,
                head_hash: c.head_hash,
                signed_at: c.signed_at,
                public_key: c.public_key,
                signature: c.signature,
            }),
            public_key: state.public_key.clone(),
        })
    }

    /// How far the read side has projected the log.
    async fn read_position(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(read(ctx).position().await?)
    }
}

/// The lens a root field's `asOf` and `effectiveOn` select.
async fn lens(
    ctx: &Context<'_>,
    instant: Option<DateTime<Utc>>,
    effective_on: Option<chrono::NaiveDate>,
) -> ApiResult<Lens> {
    Ok(Lens {
        known: as_of(ctx, instant).await?,
        on: effective_on,
    })
}

/// The whole audit log is for auditors and administrators; a network's part of it also for
/// those who read that network in full.
pub(crate) async fn require_audit(ctx: &Context<'_>, filter: &AuditFilter) -> ApiResult<()> {
    match filter.network {
        Some(network) if viewer(ctx).full(ctx, network).await? => Ok(()),
        _ => crate::viewer::require_everything(ctx),
    }
}

/// The read side's filter from the API's.
pub(crate) fn to_audit_filter(filter: AuditLogFilter) -> ApiResult<AuditFilter> {
    let decode = |id: &Option<ID>, kind| -> ApiResult<Option<uuid::Uuid>> {
        id.as_ref().map(|i| uuid_of(i, kind)).transpose()
    };
    Ok(AuditFilter {
        network: decode(&filter.network, NodeKind::Network)?.map(aggregates::ids::NetworkId),
        organization: decode(&filter.organization, NodeKind::Organization)?
            .map(aggregates::ids::OrganizationId),
        aggregate_type: filter.aggregate_type,
        event_type: filter.event_type,
        actor: filter.actor,
        recorded_from: filter.recorded_from,
        recorded_until: filter.recorded_until,
    })
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Tamper evidence of the log.
#[derive(async_graphql::SimpleObject)]
pub struct Integrity {
    /// The last position sealed into the hash chain (0: none yet).
    pub head_position: i64,
    /// The chain hash at that position (hex SHA-256; all zeros before the first event).
    pub head_hash: String,
    /// The most recent signed checkpoint of the chain's head.
    pub latest_checkpoint: Option<SignedCheckpoint>,
    /// The Ed25519 public key (hex) that verifies checkpoints and reports.
    pub public_key: Option<String>,
}

/// A signed statement of the chain's head: Ed25519 over
/// "governance-checkpoint/v1\n{position}\n{headHash}\n{signedAt, RFC 3339 with microseconds}".
#[derive(async_graphql::SimpleObject)]
pub struct SignedCheckpoint {
    /// The position.
    pub position: i64,
    /// The chain hash at that position (hex).
    pub head_hash: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// The key that signed it (hex).
    pub public_key: String,
    /// The signature (hex).
    pub signature: String,
}
