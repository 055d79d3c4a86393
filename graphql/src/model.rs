//! The wire types: GraphQL mirrors of the domain's enums, opaque global ids, and the object
//! types over the read models. Domain types derive no GraphQL traits; this module maps them.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

use async_graphql::connection::{Connection, Edge};
pub use async_graphql::ID;

pub use crate::enums::*;
pub use crate::ids::{decode_id, decode_kind, global_id, NodeKind};
use async_graphql::{ComplexObject, Context, Enum, Interface, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use projections::queries::{AsOf, CommitmentsOf};
use projections::store::StoredEvent;
use projections::views;

use crate::{read, ApiResult};

/// What a root field's `asOf` and `effectiveOn` arguments select, carried down to every
/// object below it: the state as known at a position of the log, and a business date.
#[derive(Clone, Copy, Debug)]
pub struct Lens {
    /// The state as known then (by recorded instant, resolved to a log position).
    pub known: AsOf,
    /// The business date the state is read on: memberships active on it, signatures given
    /// by it, commitments taken on by it and overdue on it. `None`: today / no restriction.
    pub on: Option<NaiveDate>,
}

impl Lens {
    /// The current state, no business date.
    pub const NOW: Lens = Lens {
        known: AsOf::Now,
        on: None,
    };

    /// The date overdue is judged on: the lens's business date, else today.
    pub fn day(&self) -> NaiveDate {
        self.on.unwrap_or_else(|| Utc::now().date_naive())
    }

    /// Whether something dated `day` already happened on the lens's business date.
    pub fn by(&self, day: NaiveDate) -> bool {
        self.on.is_none_or(|on| day <= on)
    }
}

/// Anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The opaque global id."))]
pub enum Node {
    /// An organization.
    Organization(Organization),
    /// A network.
    Network(Network),
    /// A protocol.
    Protocol(Protocol),
    /// A commitment.
    Commitment(Commitment),
    /// A working group.
    WorkingGroup(WorkingGroup),
    /// A meeting.
    Meeting(Meeting),
}

/// Fields every connection has besides its edges.
#[derive(SimpleObject)]
pub struct Counted {
    /// How many items the whole list holds.
    pub total_count: usize,
}

/// A Relay connection over an in-memory list, with index cursors.
pub type ListConnection<T> = Connection<usize, T, Counted>;

/// The largest page a client may ask for.
pub const MAX_PAGE: usize = 100;

/// The views a list shows: those `keep` accepts, in `order`, wrapped as GraphQL objects.
pub fn select<V, T>(
    mut views: Vec<V>,
    keep: impl Fn(&V) -> bool,
    order: impl Fn(&V, &V) -> std::cmp::Ordering,
    wrap: impl Fn(V) -> T,
) -> Vec<T> {
    views.retain(|v| keep(v));
    views.sort_by(|a, b| order(a, b));
    views.into_iter().map(wrap).collect()
}

/// Pages a list (first/after, last/before), at most `MAX_PAGE` items.
pub async fn paginate<T: async_graphql::OutputType>(
    items: Vec<T>,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> ApiResult<ListConnection<T>> {
    for (name, value) in [("first", first), ("last", last)] {
        if let Some(n) = value {
            if n < 0 || n as usize > MAX_PAGE {
                return Err(crate::client_error(
                    "PAGE_TOO_LARGE",
                    format!("`{name}` must be between 0 and {MAX_PAGE}"),
                ));
            }
        }
    }
    let total = items.len();
    async_graphql::connection::query(
        after,
        before,
        first,
        last,
        |after: Option<usize>, before: Option<usize>, first, last| async move {
            let mut start = after.map_or(0, |a| a + 1).min(total);
            let mut end = before.unwrap_or(total).min(total).max(start);
            if let Some(first) = first {
                end = (start + first).min(end);
            }
            if let Some(last) = last {
                start = end.saturating_sub(last).max(start);
            }
            if first.is_none() && last.is_none() {
                end = (start + MAX_PAGE).min(end);
            }
            let mut connection = Connection::with_additional_fields(
                start > 0,
                end < total,
                Counted { total_count: total },
            );
            connection.edges.extend(
                items
                    .into_iter()
                    .enumerate()
                    .skip(start)
                    .take(end - start)
                    .map(|(i, item)| Edge::new(i, item)),
            );
            Ok::<_, async_graphql::Error>(connection)
        },
    )
    .await
}

/// An organization.
pub struct Organization {
    pub view: views::OrganizationView,
    pub at: Lens,
}

/// An organization.
#[Object]
impl Organization {
    /// The opaque global id.
    async fn id(&self) -> ID {
        global_id(NodeKind::Organization, self.view.id)
    }
    /// The current name.
    async fn name(&self) -> &str {
        self.view.name.as_str()
    }
    /// Earlier names, oldest first.
    async fn former_names(&self) -> Vec<String> {
        self.view
            .former_names
            .iter()
            .map(|n| n.to_string())
            .collect()
    }
    /// The kind of organization.
    async fn category(&self) -> OrganizationCategory {
        self.view.category.into()
    }
    /// The Italian tax code, when known.
    async fn tax_code(&self) -> Option<String> {
        self.view.tax_code.as_ref().map(|t| t.to_string())
    }
    /// The territory it serves.
    async fn territory(&self) -> &str {
        self.view.territory.as_str()
    }
    /// ACTIVE, SUCCEEDED or DEACTIVATED.
    async fn status(&self) -> &str {
        &self.view.status
    }
    /// The organization that succeeded this one.
    async fn successor(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        match self.view.successor {
            Some(id) => read(ctx)
                .organization(id, self.at.known)
                .await
                .map(|v| v.map(|view| Organization { view, at: self.at }))
                .map_err(Into::into),
            None => Ok(None),
        }
    }
    /// Every membership in a network (any status) the viewer reads in full; under
    /// `effectiveOn`, the memberships active on that date.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let all = read(ctx)
            .memberships_of(self.view.id, self.at.known)
            .await?;
        let viewer = crate::viewer::viewer(ctx);
        // Its own memberships to the organization's referents (applications included);
        // others' to full readers of the network, applications only to those who decide them.
        let (own, others): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|_| viewer.principal().represents(self.view.id));
        let mut all = own;
        all.extend(
            readable(ctx, others, |m| m.network)
                .await?
                .into_iter()
                .filter(|m| {
                    viewer.sees_membership(
                        crate::viewer::Level::Full,
                        m.network,
                        m.organization,
                        &m.status,
                    )
                }),
        );
        Ok(all
            .into_iter()
            .filter(|m| self.at.on.is_none_or(|day| m.member_on(day)))
            .map(|view| Membership { view, at: self.at })
            .collect())
    }
    /// The protocol versions this organization signed, in networks the viewer reads in full
    /// (under `effectiveOn`, by that date).
    async fn signatures(&self, ctx: &Context<'_>) -> ApiResult<Vec<Signature>> {
        let all = read(ctx).signatures_by(self.view.id, self.at.known).await?;
        let all = readable(ctx, all, |s| s.network).await?;
        Ok(all
            .into_iter()
            .filter(|s| self.at.by(s.signed_on))
            .map(|view| Signature { view, at: self.at })
            .collect())
    }
    /// The commitments this organization owes, in networks the viewer reads in full (under
    /// `effectiveOn`, taken on by that date).
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::filters::CommitmentFilter,
        >,
        #[graphql(desc = "The order of the list (default: by due date, ascending).")]
        order_by: Option<crate::filters::CommitmentOrder>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Commitment>> {
        commitment_page(
            ctx,
            CommitmentsOf::Organization(self.view.id),
            self.at,
            filter,
            order_by,
            (after, before),
            (first, last),
        )
        .await
    }
    /// Every event that concerns this organization.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<HistoryConnection> {
        timeline(
            ctx,
            views::Kind::Organization,
            &self.view.id.to_string(),
            Scope::Organization(self.view.id),
            (after, before),
            (first, last),
        )
        .await
    }
}

/// A network (rete territoriale, tavolo).
pub struct Network {
    pub view: views::NetworkView,
    pub at: Lens,
}

/// A network (rete territoriale, tavolo).
#[Object]
impl Network {
    /// The opaque global id.
    async fn id(&self) -> ID {
        global_id(NodeKind::Network, self.view.id)
    }
    /// Its name.
    async fn name(&self) -> &str {
        self.view.name.as_str()
    }
    /// The kind of body.
    async fn kind(&self) -> NetworkKind {
        self.view.kind.into()
    }
    /// The territory it covers.
    async fn territory(&self) -> &str {
        self.view.territory.as_str()
    }
    /// Whether it publishes its members and public meetings.
    async fn public(&self) -> bool {
        self.view.public
    }
    /// The business date it was established on.
    async fn established_on(&self) -> NaiveDate {
        self.view.established_on
    }
    /// The business date it was closed on.
    async fn closed_on(&self) -> Option<NaiveDate> {
        self.view.closed_on
    }
    /// The lead organization.
    async fn coordinator(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(read(ctx)
            .organization(self.view.coordinator, self.at.known)
            .await?
            .map(|view| Organization { view, at: self.at }))
    }
    /// Memberships; by default the active ones (under `effectiveOn`, those active on that
    /// date). `effectiveOn` here overrides the root's; `filter` narrows further.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only organizations that were active members on this business date.")]
        effective_on: Option<NaiveDate>,
        #[graphql(desc = "Include memberships that ended or never started.")]
        include_former: Option<bool>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::filters::MembershipFilter,
        >,
        #[graphql(desc = "The order of the list (default: by membership start, ascending).")]
        order_by: Option<crate::filters::MembershipOrder>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Membership>> {
        let all = read(ctx).memberships(self.view.id, self.at.known).await?;
        let effective_on = effective_on.or(self.at.on);
        let (filter, order) = (filter.unwrap_or_default(), order_by.unwrap_or_default());
        let at = self.at;
        let viewer = crate::viewer::viewer(ctx);
        let level = viewer.level(ctx, &self.view).await?;
        let network = self.view.id;
        paginate(
            select(
                all,
                |m| {
                    let shown = match effective_on {
                        Some(day) => m.member_on(day),
                        None => include_former == Some(true) || m.status == "ACTIVE",
                    };
                    // Applications are not published; former members only to full readers.
                    let visible = match effective_on {
                        Some(_) => true,
                        None => viewer.sees_membership(level, network, m.organization, &m.status),
                    };
                    shown && visible && filter.matches(m)
                },
                |a, b| order.compare(a, b),
                |view| Membership { view, at },
            ),
            after,
            before,
            first,
            last,
        )
        .await
    }
    /// The network's protocols.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn protocols(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::filters::ProtocolFilter,
        >,
        #[graphql(desc = "The order of the list (default: by title, ascending).")] order_by: Option<
            crate::filters::ProtocolOrder,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Protocol>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let all = read(ctx).protocols(self.view.id, self.at.known).await?;
        let (filter, order) = (filter.unwrap_or_default(), order_by.unwrap_or_default());
        let at = self.at;
        paginate(
            select(
                all,
                |p| filter.matches(p),
                |a, b| order.compare(a, b),
                |view| Protocol { view, at },
            ),
            after,
            before,
            first,
            last,
        )
        .await
    }
    /// The network's commitments (under `effectiveOn`, those taken on by that date).
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::filters::CommitmentFilter,
        >,
        #[graphql(desc = "The order of the list (default: by due date, ascending).")]
        order_by: Option<crate::filters::CommitmentOrder>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Commitment>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        commitment_page(
            ctx,
            CommitmentsOf::Network(self.view.id),
            self.at,
            filter,
            order_by,
            (after, before),
            (first, last),
        )
        .await
    }
    /// Open and overdue commitments per member, overdue judged on `on`.
    async fn commitment_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The date on which overdue is judged (default: `effectiveOn`, else today)."
        )]
        on: Option<NaiveDate>,
    ) -> ApiResult<Vec<CommitmentSummary>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let on = on.unwrap_or_else(|| self.at.day());
        let all = read(ctx)
            .commitment_summary(self.view.id, on, self.at.known)
            .await?;
        Ok(all
            .into_iter()
            .map(|s| CommitmentSummary {
                organization: global_id(NodeKind::Organization, s.organization),
                open: s.open,
                overdue: s.overdue,
            })
            .collect())
    }
    /// Attendance per member over the meetings that started in `[from, until)`.
    async fn attendance_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Start of the period (included).")] from: DateTime<Utc>,
        #[graphql(desc = "End of the period (excluded).")] until: DateTime<Utc>,
    ) -> ApiResult<Vec<AttendanceRate>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let all = read(ctx)
            .attendance_rates(self.view.id, from, until, self.at.known)
            .await?;
        Ok(all
            .into_iter()
            .map(|r| AttendanceRate {
                organization: global_id(NodeKind::Organization, r.organization),
                meetings: r.meetings,
                present: r.present,
                excused: r.excused,
                absent: r.absent,
                rate: r.rate,
            })
            .collect())
    }
    /// The annual monitoring report for a calendar year: the network, its protocols and their
    /// status, members and referent roles, meetings held, attendance, and commitments with
    /// their outcome at the end of the year — signed, with its content hash, so the Region can
    /// check offline (`governance verify-report`) that it is what the system produced.
    async fn annual_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar year (1900-2200).")] year: i32,
    ) -> ApiResult<SignedAnnualReport> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        if !(1900..=2200).contains(&year) {
            return Err(crate::client_error(
                "INVALID_VALUE",
                "year: between 1900 and 2200",
            ));
        }
        let state = ctx.data_unchecked::<crate::ApiState>();
        let signer = state.signer.as_ref().ok_or_else(|| {
            crate::client_error("UNAVAILABLE", "this server has no key to sign reports with")
        })?;
        let document = read(ctx)
            .annual_report(self.view.id, year, self.at.known)
            .await?
            .ok_or_else(|| crate::client_error("NOT_FOUND", "no such network"))?;
        let signed = projections::reports::SignedReport::sign(document, signer);
        Ok(SignedAnnualReport {
            document: async_graphql::Json(signed.document),
            content_hash: signed.content_hash,
            signature: signed.signature,
            public_key: signed.public_key,
            signed_at: signed.signed_at,
        })
    }
    /// Commitment outcomes per member, judged on `on` (default: `effectiveOn`, else today).
    async fn commitment_fulfilment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date outcomes are judged on.")] on: Option<NaiveDate>,
    ) -> ApiResult<Vec<MemberFulfilment>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let on = on.unwrap_or_else(|| self.at.day());
        let all = read(ctx)
            .commitment_fulfilment(self.view.id, on, self.at.known)
            .await?;
        Ok(all
            .into_iter()
            .map(|f| MemberFulfilment {
                organization: f
                    .organization
                    .map(|o| global_id(NodeKind::Organization, o))
                    .unwrap_or_default(),
                fulfilled_on_time: f.fulfilled_on_time,
                fulfilled_late: f.fulfilled_late,
                open: f.open,
                overdue: f.overdue,
                waived: f.waived,
                cancelled: f.cancelled,
                commitments: f
                    .commitments
                    .into_iter()
                    .map(|(id, outcome)| CommitmentOutcome {
                        commitment: global_id(NodeKind::Commitment, id),
                        outcome: outcome.into(),
                    })
                    .collect(),
            })
            .collect())
    }
    /// The working groups.
    async fn working_groups(&self, ctx: &Context<'_>) -> ApiResult<Vec<WorkingGroup>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        Ok(read(ctx)
            .working_groups(self.view.id, self.at.known)
            .await?
            .into_iter()
            .map(|view| WorkingGroup { view, at: self.at })
            .collect())
    }
    /// The meetings.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::filters::MeetingFilter,
        >,
        #[graphql(desc = "The order of the list (default: by start, ascending).")] order_by: Option<
            crate::filters::MeetingOrder,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Meeting>> {
        let mut all = read(ctx).meetings(self.view.id, self.at.known).await?;
        if !crate::viewer::viewer(ctx).full(ctx, self.view.id).await? {
            all.retain(|m| m.public);
        }
        let (filter, order) = (filter.unwrap_or_default(), order_by.unwrap_or_default());
        let at = self.at;
        paginate(
            select(
                all,
                |m| filter.matches(m),
                |a, b| order.compare(a, b),
                |view| Meeting { view, at },
            ),
            after,
            before,
            first,
            last,
        )
        .await
    }
    /// Every event that concerns this network.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<HistoryConnection> {
        timeline(
            ctx,
            views::Kind::Network,
            &self.view.id.to_string(),
            Scope::Network(self.view.id),
            (after, before),
            (first, last),
        )
        .await
    }
}

/// A signed annual monitoring report.
#[derive(SimpleObject)]
pub struct SignedAnnualReport {
    /// The report (JSON).
    pub document: async_graphql::Json<serde_json::Value>,
    /// SHA-256 (hex) of the document's canonical form (keys sorted, no whitespace).
    pub content_hash: String,
    /// Ed25519 signature (hex) of the content hash's hex text.
    pub signature: String,
    /// The public key (hex) that verifies the signature.
    pub public_key: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
}

/// The outcome of a commitment on a date.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Fulfilled by its due date.
    FulfilledOnTime,
    /// Fulfilled after its due date.
    FulfilledLate,
    /// Not yet due, or without a due date.
    Open,
    /// Past its due date, not fulfilled.
    Overdue,
    /// Waived by the coordinator.
    Waived,
    /// Cancelled (e.g. its obligor left the network).
    Cancelled,
}

impl From<projections::reports::Outcome> for Outcome {
    fn from(o: projections::reports::Outcome) -> Self {
        use projections::reports::Outcome as O;
        match o {
            O::FulfilledOnTime => Outcome::FulfilledOnTime,
            O::FulfilledLate => Outcome::FulfilledLate,
            O::Open => Outcome::Open,
            O::Overdue => Outcome::Overdue,
            O::Waived => Outcome::Waived,
            O::Cancelled => Outcome::Cancelled,
        }
    }
}

/// One commitment's outcome.
#[derive(SimpleObject)]
pub struct CommitmentOutcome {
    /// The commitment's global id (its history: `node(id:) { ... on Commitment { timeline } }`).
    pub commitment: ID,
    /// Its outcome.
    pub outcome: Outcome,
}

/// Commitment outcomes of one member.
#[derive(SimpleObject)]
pub struct MemberFulfilment {
    /// The member's global id.
    pub organization: ID,
    /// Fulfilled by the due date.
    pub fulfilled_on_time: usize,
    /// Fulfilled late.
    pub fulfilled_late: usize,
    /// Open, not overdue.
    pub open: usize,
    /// Overdue.
    pub overdue: usize,
    /// Waived.
    pub waived: usize,
    /// Cancelled.
    pub cancelled: usize,
    /// Each commitment with its outcome.
    pub commitments: Vec<CommitmentOutcome>,
}

/// Who signed one version of a protocol, and which members have not.
#[derive(SimpleObject)]
pub struct VersionCoverage {
    /// The version.
    pub version: u32,
    /// Its title.
    pub title: String,
    /// Opened for signature on.
    pub open_since: Option<NaiveDate>,
    /// The signatures: organization, business date, recording time.
    pub signed: Vec<SignedBy>,
    /// Active members and parties that have not signed it (global ids).
    pub not_signed: Vec<ID>,
}

/// One signature in a coverage report.
#[derive(SimpleObject)]
pub struct SignedBy {
    /// The organization's global id.
    pub organization: ID,
    /// The business date of the signature.
    pub signed_on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// Open and overdue commitments of one member.
#[derive(SimpleObject)]
pub struct CommitmentSummary {
    /// The member's global id.
    pub organization: ID,
    /// Commitments still owed.
    pub open: usize,
    /// Of those, the ones past their due date.
    pub overdue: usize,
}

/// How often a member attended in a period.
#[derive(SimpleObject)]
pub struct AttendanceRate {
    /// The member's global id.
    pub organization: ID,
    /// Meetings held in the period.
    pub meetings: usize,
    /// Meetings attended.
    pub present: usize,
    /// Meetings excused.
    pub excused: usize,
    /// Meetings recorded absent.
    pub absent: usize,
    /// The share of meetings attended (present / meetings).
    pub rate: f64,
}

/// A stretch of business dates during which an organization was an active member.
#[derive(SimpleObject)]
pub struct MembershipPeriod {
    /// First day.
    pub from: NaiveDate,
    /// The first day it was no longer an active member.
    pub until: Option<NaiveDate>,
    /// FOUNDING, APPLICATION or SIGNATURE.
    pub via: String,
}

/// A referent designation (the person is referenced by id; their data is kept apart).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Referent {
    /// Whether the contact details may be shown: the designation is current and the
    /// membership active (a suspended or former member's referents keep only their ids).
    #[graphql(skip)]
    pub current: bool,
    /// The designation's id.
    pub id: String,
    /// The person's id in the personal-data store.
    pub person: String,
    /// Institutional, technical or deputy.
    pub role: ReferentRole,
    /// Since when.
    pub since: NaiveDate,
    /// Until when.
    pub until: Option<NaiveDate>,
}

#[ComplexObject]
impl Referent {
    /// The person's contact details (shown as erased once the person is erased); null unless
    /// the designation is current and the membership active.
    async fn contact(&self, ctx: &Context<'_>) -> ApiResult<Option<crate::personal::Person>> {
        if !self.current {
            return Ok(None);
        }
        Ok(read(ctx)
            .person(&self.person, AsOf::Now)
            .await?
            .map(|view| crate::personal::Person {
                id: view.id,
                sealed: Some(view.details.as_str().to_owned()),
            }))
    }
}

/// An organization's membership of a network.
pub struct Membership {
    pub view: views::MembershipView,
    pub at: Lens,
}

/// An organization's membership of a network.
#[Object]
impl Membership {
    /// The member.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(
            load_organization(ctx, self.view.organization, self.at.known)
                .await?
                .map(|view| Organization { view, at: self.at }),
        )
    }
    /// The network's global id.
    async fn network(&self) -> ID {
        global_id(NodeKind::Network, self.view.network)
    }
    /// PENDING, ACTIVE, SUSPENDED, REJECTED, WITHDRAWN or EXPELLED.
    async fn status(&self) -> &str {
        &self.view.status
    }
    /// When it applied.
    async fn applied_on(&self) -> Option<NaiveDate> {
        self.view.applied_on
    }
    /// Start of the current active period.
    async fn since(&self) -> Option<NaiveDate> {
        self.view.since
    }
    /// How it joined: FOUNDING, APPLICATION or SIGNATURE.
    async fn joined_via(&self) -> Option<String> {
        self.view.via.map(|v| {
            serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
    }
    /// Every active period.
    async fn periods(&self) -> Vec<MembershipPeriod> {
        self.view
            .periods
            .iter()
            .map(|p| MembershipPeriod {
                from: p.from,
                until: p.until,
                via: serde_json::to_value(p.via)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            })
            .collect()
    }
    /// Referents designated for this membership (readers of the network in full only).
    async fn referents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Referent>> {
        crate::viewer::require_full(ctx, self.view.network).await?;
        let active = self.view.status == "ACTIVE";
        Ok(self
            .view
            .referents
            .iter()
            .map(|r| Referent {
                current: active && r.until.is_none(),
                id: r.referent.clone(),
                person: r.person.clone(),
                role: r.role.into(),
                since: r.since,
                until: r.until,
            })
            .collect())
    }
}

/// A protocol of understanding.
pub struct Protocol {
    pub view: views::ProtocolView,
    pub at: Lens,
}

/// One version of a protocol.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ProtocolVersion {
    /// Version number, from 1.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// The SHA-256 of the published document.
    pub document_hash: Option<String>,
    /// Published on.
    pub published_on: Option<NaiveDate>,
    /// Opened for signature on.
    pub opened_on: Option<NaiveDate>,
    /// Entered into force on.
    pub in_force_on: Option<NaiveDate>,
    /// Validity start.
    pub valid_from: NaiveDate,
    /// Validity end.
    pub valid_until: Option<NaiveDate>,
    #[graphql(skip)]
    pub clauses: Vec<aggregates::protocol::Clause>,
}

#[ComplexObject]
impl ProtocolVersion {
    /// The numbered clauses.
    async fn clauses(&self) -> Vec<ClauseView> {
        self.clauses
            .iter()
            .map(|c| ClauseView {
                number: c.number,
                text: c.text.to_string(),
                commitment: c.commitment.as_ref().map(|t| t.title.to_string()),
                due_within_days: c.commitment.as_ref().and_then(|t| t.due_within_days),
            })
            .collect()
    }
}

/// A clause of a protocol.
#[derive(SimpleObject)]
pub struct ClauseView {
    /// Number.
    pub number: u16,
    /// Text.
    pub text: String,
    /// The commitment each signatory takes on, if any.
    pub commitment: Option<String>,
    /// Due this many days after signing.
    pub due_within_days: Option<u32>,
}

/// A party to a protocol.
#[derive(SimpleObject)]
pub struct Party {
    /// The organization's global id.
    pub organization: ID,
    /// INVITED, DECLINED or WITHDRAWN.
    pub status: String,
    /// Whether its signature is required for entry into force.
    pub required: bool,
    /// When it was added later ("in itinere").
    pub added_on: Option<NaiveDate>,
}

/// A protocol of understanding.
#[Object]
impl Protocol {
    /// The opaque global id.
    async fn id(&self) -> ID {
        global_id(NodeKind::Protocol, &self.view.id)
    }
    /// The network's global id.
    async fn network(&self) -> ID {
        global_id(NodeKind::Network, self.view.network)
    }
    /// The kind of protocol.
    async fn kind(&self) -> ProtocolKind {
        self.view.kind.into()
    }
    /// DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE, EXPIRED or SUPERSEDED.
    async fn status(&self) -> &str {
        &self.view.status
    }
    /// Where the latest version is: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE or IN_FORCE.
    async fn current_version_status(&self) -> &str {
        &self.view.current_version_status
    }
    /// The latest version's number.
    async fn current_version(&self) -> u32 {
        self.view.current_version
    }
    /// The version in force.
    async fn in_force_version(&self) -> Option<u32> {
        self.view.in_force_version
    }
    /// Every version.
    async fn versions(&self) -> Vec<ProtocolVersion> {
        self.view
            .versions
            .iter()
            .map(|v| ProtocolVersion {
                number: v.number,
                title: v.title.to_string(),
                purpose: v.purpose.to_string(),
                document_hash: v.document_hash.as_ref().map(|h| h.to_string()),
                published_on: v.published_on,
                opened_on: v.opened_on,
                in_force_on: v.in_force_on,
                valid_from: v.validity.from(),
                valid_until: v.validity.to(),
                clauses: v.clauses.clone(),
            })
            .collect()
    }
    /// The parties.
    async fn parties(&self) -> Vec<Party> {
        self.view
            .parties
            .iter()
            .map(|p| Party {
                organization: global_id(NodeKind::Organization, p.organization),
                status: p.status.clone(),
                required: p.required,
                added_on: p.added_on,
            })
            .collect()
    }
    /// Every signature, all versions, in the order recorded (under `effectiveOn`, those
    /// signed by that date).
    async fn signatures(&self, ctx: &Context<'_>) -> ApiResult<Vec<Signature>> {
        Ok(self
            .signed(ctx)
            .await?
            .into_iter()
            .map(|view| Signature { view, at: self.at })
            .collect())
    }
    /// The organizations that signed: any version, or only the current one (under
    /// `effectiveOn`, by that date).
    async fn signatories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only signatures of the latest version.")] current_version_only: Option<
            bool,
        >,
    ) -> ApiResult<Vec<Organization>> {
        let ids = match self.at.on {
            None => {
                read(ctx)
                    .signatories(
                        &self.view.id,
                        current_version_only.unwrap_or(false),
                        self.at.known,
                    )
                    .await?
            }
            Some(_) => {
                let only = current_version_only
                    .unwrap_or(false)
                    .then_some(self.view.current_version);
                distinct(
                    self.signed(ctx)
                        .await?
                        .into_iter()
                        .filter(|s| only.is_none_or(|v| s.version == v))
                        .map(|s| s.organization),
                )
            }
        };
        organizations(ctx, ids, self.at).await
    }
    /// Signature coverage of every version: who signed (since when), who has not.
    async fn signature_coverage(&self, ctx: &Context<'_>) -> ApiResult<Vec<VersionCoverage>> {
        let all = read(ctx)
            .signature_coverage(&self.view, self.at.known)
            .await?;
        Ok(all
            .into_iter()
            .map(|v| VersionCoverage {
                version: v.version,
                title: v.title,
                open_since: v.open_since,
                signed: v
                    .signed
                    .into_iter()
                    .map(|s| SignedBy {
                        organization: global_id(NodeKind::Organization, s.organization),
                        signed_on: s.signed_on,
                        recorded_at: s.recorded_at,
                    })
                    .collect(),
                not_signed: v
                    .not_signed
                    .into_iter()
                    .map(|o| global_id(NodeKind::Organization, o))
                    .collect(),
            })
            .collect())
    }
    /// Active members of the network that have not signed the current version (under
    /// `effectiveOn`, members on that date without a signature by that date).
    async fn members_without_signature(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        let ids = match self.at.on {
            None => {
                read(ctx)
                    .members_without_signature(&self.view.id, self.at.known)
                    .await?
            }
            Some(day) => {
                let signed: std::collections::HashSet<_> = self
                    .signed(ctx)
                    .await?
                    .into_iter()
                    .filter(|s| s.version == self.view.current_version)
                    .map(|s| s.organization)
                    .collect();
                let members = read(ctx)
                    .memberships(self.view.network, self.at.known)
                    .await?;
                distinct(
                    members
                        .into_iter()
                        .filter(|m| m.member_on(day) && !signed.contains(&m.organization))
                        .map(|m| m.organization),
                )
            }
        };
        organizations(ctx, ids, self.at).await
    }
    /// Every event that concerns this protocol.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<HistoryConnection> {
        timeline(
            ctx,
            views::Kind::Protocol,
            &self.view.id,
            Scope::Network(self.view.network),
            (after, before),
            (first, last),
        )
        .await
    }
}

impl Protocol {
    /// The signatures as known by the lens, signed by its business date.
    async fn signed(&self, ctx: &Context<'_>) -> ApiResult<Vec<views::SignatureView>> {
        let mut all = read(ctx).signatures(&self.view.id, self.at.known).await?;
        all.retain(|s| self.at.by(s.signed_on));
        Ok(all)
    }
}

/// One page of a list of commitments: taken on by the lens's date, filtered, ordered.
/// One page of a network's commitments, or an organization's (those of networks the viewer
/// reads in full): narrowed in SQL first, then exactly by the filter.
async fn commitment_page(
    ctx: &Context<'_>,
    of: CommitmentsOf,
    at: Lens,
    filter: Option<crate::filters::CommitmentFilter>,
    order_by: Option<crate::filters::CommitmentOrder>,
    (after, before): (Option<String>, Option<String>),
    (first, last): (Option<i32>, Option<i32>),
) -> ApiResult<ListConnection<Commitment>> {
    let filter = filter.unwrap_or_default();
    let obligor = match &filter.obligor {
        Some(id) => Some(decode_kind(id, NodeKind::Organization).ok_or_else(|| {
            crate::client_error("INVALID_ID", "obligor is not an organization id")
        })?),
        None => None,
    };
    let criteria = projections::queries::CommitmentCriteria {
        status: filter.status.clone(),
        obligor: obligor.map(aggregates::ids::OrganizationId),
        overdue_on: filter.overdue_on,
    };
    let all = read(ctx)
        .commitments_matching(of, &criteria, at.known)
        .await?;
    let all = match of {
        CommitmentsOf::Network(_) => all,
        CommitmentsOf::Organization(_) => readable(ctx, all, |c| c.network).await?,
    };
    let order = order_by.unwrap_or_default();
    paginate(
        select(
            all,
            |c| at.by(c.created_on) && filter.matches(c, obligor),
            |a, b| order.compare(a, b),
            |view| Commitment { view, at },
        ),
        after,
        before,
        first,
        last,
    )
    .await
}

/// The items of networks the viewer reads in full.
async fn readable<T>(
    ctx: &Context<'_>,
    items: Vec<T>,
    network: impl Fn(&T) -> aggregates::ids::NetworkId,
) -> ApiResult<Vec<T>> {
    let viewer = crate::viewer::viewer(ctx);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if viewer.full(ctx, network(&item)).await? {
            out.push(item);
        }
    }
    Ok(out)
}

/// The ids in their first-seen order, each once.
fn distinct<T: Eq + std::hash::Hash + Copy>(ids: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

async fn organizations(
    ctx: &Context<'_>,
    ids: Vec<aggregates::ids::OrganizationId>,
    at: Lens,
) -> ApiResult<Vec<Organization>> {
    // One query for all of them, answered in the order asked.
    let mut found: std::collections::HashMap<_, _> = read(ctx)
        .organizations_in(&ids, at.known)
        .await?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    Ok(ids
        .into_iter()
        .filter_map(|id| found.remove(&id))
        .map(|view| Organization { view, at })
        .collect())
}

/// Loads the organizations that the items of one request name together: one query per batch
/// instead of one per item (a network's members, say).
pub struct OrganizationLoader(pub projections::queries::ReadModels);

impl async_graphql::dataloader::Loader<(aggregates::ids::OrganizationId, AsOf)>
    for OrganizationLoader
{
    type Value = views::OrganizationView;
    type Error = std::sync::Arc<projections::queries::QueryError>;

    async fn load(
        &self,
        keys: &[(aggregates::ids::OrganizationId, AsOf)],
    ) -> Result<
        std::collections::HashMap<(aggregates::ids::OrganizationId, AsOf), Self::Value>,
        Self::Error,
    > {
        let mut by_lens: std::collections::HashMap<AsOf, Vec<aggregates::ids::OrganizationId>> =
            std::collections::HashMap::new();
        for (id, known) in keys {
            by_lens.entry(*known).or_default().push(*id);
        }
        let mut found = std::collections::HashMap::with_capacity(keys.len());
        for (known, ids) in by_lens {
            for view in self
                .0
                .organizations_in(&ids, known)
                .await
                .map_err(std::sync::Arc::new)?
            {
                found.insert((view.id, known), view);
            }
        }
        Ok(found)
    }
}

/// One organization, through the request's [`OrganizationLoader`] when it has one.
async fn load_organization(
    ctx: &Context<'_>,
    id: aggregates::ids::OrganizationId,
    known: AsOf,
) -> ApiResult<Option<views::OrganizationView>> {
    match ctx.data_opt::<async_graphql::dataloader::DataLoader<OrganizationLoader>>() {
        Some(loader) => Ok(loader.load_one((id, known)).await?),
        None => Ok(read(ctx).organization(id, known).await?),
    }
}

/// A signature of one version of a protocol.
pub struct Signature {
    pub view: views::SignatureView,
    pub at: Lens,
}

/// A signature of one version of a protocol.
#[Object]
impl Signature {
    /// The protocol's global id.
    async fn protocol(&self) -> ID {
        global_id(NodeKind::Protocol, &self.view.protocol)
    }
    /// The version signed.
    async fn version(&self) -> u32 {
        self.view.version
    }
    /// The signatory.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(read(ctx)
            .organization(self.view.organization, self.at.known)
            .await?
            .map(|view| Organization { view, at: self.at }))
    }
    /// The office that signed ("Sindaco", "Prefetto").
    async fn signing_office(&self) -> &str {
        self.view.signing_office.as_str()
    }
    /// How it was signed.
    async fn method(&self) -> SignatureMethod {
        self.view.method.into()
    }
    /// The SHA-256 of the document signed.
    async fn document_hash(&self) -> &str {
        self.view.document_hash.as_str()
    }
    /// The business date of the signature.
    async fn signed_on(&self) -> NaiveDate {
        self.view.signed_on
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.view.recorded_at
    }
}

/// A commitment (impegno).
pub struct Commitment {
    pub view: views::CommitmentView,
    pub at: Lens,
}

/// A commitment (impegno).
#[Object]
impl Commitment {
    /// The opaque global id.
    async fn id(&self) -> ID {
        global_id(NodeKind::Commitment, &self.view.id)
    }
    /// What is owed.
    async fn title(&self) -> &str {
        self.view.title.as_str()
    }
    /// The obligor.
    async fn obligor(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(read(ctx)
            .organization(self.view.obligor, self.at.known)
            .await?
            .map(|view| Organization { view, at: self.at }))
    }
    /// The network's global id.
    async fn network(&self) -> ID {
        global_id(NodeKind::Network, self.view.network)
    }
    /// PROTOCOL_CLAUSE, MEETING_DECISION or COORDINATOR.
    async fn source(&self) -> String {
        serde_json::to_value(&self.view.source)
            .ok()
            .and_then(|v| v.get("source").and_then(|s| s.as_str().map(str::to_owned)))
            .unwrap_or_default()
    }
    /// The due date.
    async fn due_on(&self) -> Option<NaiveDate> {
        self.view.due_on
    }
    /// When it was taken on.
    async fn created_on(&self) -> NaiveDate {
        self.view.created_on
    }
    /// OPEN, IN_PROGRESS, FULFILLED, WAIVED or CANCELLED.
    async fn status(&self) -> &str {
        &self.view.status
    }
    /// Whether it is overdue on a date (default: today).
    async fn overdue(
        &self,
        #[graphql(
            desc = "The date on which overdue is judged (default: `effectiveOn`, else today)."
        )]
        on: Option<NaiveDate>,
    ) -> bool {
        self.view.is_overdue(on.unwrap_or_else(|| self.at.day()))
    }
    /// The evidence of fulfilment.
    async fn evidence_note(&self) -> Option<String> {
        self.view.evidence.as_ref().map(|e| e.note.to_string())
    }
    /// The SHA-256 of the evidence document.
    async fn evidence_hash(&self) -> Option<String> {
        self.view
            .evidence
            .as_ref()
            .and_then(|e| e.document_hash.as_ref().map(|h| h.to_string()))
    }
    /// Every event of this commitment.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<HistoryConnection> {
        timeline(
            ctx,
            views::Kind::Commitment,
            &self.view.id,
            Scope::Network(self.view.network),
            (after, before),
            (first, last),
        )
        .await
    }
}

/// A working group.
pub struct WorkingGroup {
    pub view: views::WorkingGroupView,
    pub at: Lens,
}

/// A working group.
#[Object]
impl WorkingGroup {
    /// The opaque global id.
    async fn id(&self) -> ID {
        global_id(NodeKind::WorkingGroup, &self.view.id)
    }
    /// Its name.
    async fn name(&self) -> &str {
        self.view.name.as_str()
    }
    /// Its mandate.
    async fn mandate(&self) -> &str {
        self.view.mandate.as_str()
    }
    /// The members.
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        organizations(ctx, self.view.members.clone(), self.at).await
    }
    /// When it was dissolved.
    async fn dissolved_on(&self) -> Option<NaiveDate> {
        self.view.dissolved_on
    }
}

/// A decision of a meeting.
#[derive(SimpleObject)]
pub struct Decision {
    /// Its number within the meeting.
    pub number: u32,
    /// What was decided.
    pub text: String,
    /// The business date.
    pub decided_on: NaiveDate,
    /// How many action items it has.
    pub action_items: usize,
}

/// An organization's attendance at a meeting.
#[derive(SimpleObject)]
pub struct AttendanceRecord {
    /// The organization's global id.
    pub organization: ID,
    /// Present, absent or excused.
    pub attendance: Attendance,
}

/// A meeting.
pub struct Meeting {
    pub view: views::MeetingView,
    pub at: Lens,
}

/// A meeting.
#[Object]
impl Meeting {
    /// The opaque global id.
    async fn id(&self) -> ID {
        global_id(NodeKind::Meeting, &self.view.id)
    }
    /// Its title.
    async fn title(&self) -> &str {
        self.view.title.as_str()
    }
    /// The kind of meeting.
    async fn kind(&self) -> MeetingKind {
        self.view.kind.into()
    }
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.view.starts_at
    }
    /// SCHEDULED, OPEN, CLOSED or CANCELLED.
    async fn status(&self) -> &str {
        &self.view.status
    }
    /// The agenda.
    async fn agenda(&self) -> Vec<String> {
        self.view.agenda.iter().map(|a| a.to_string()).collect()
    }
    /// The decisions.
    async fn decisions(&self) -> Vec<Decision> {
        self.view
            .decisions
            .iter()
            .map(|d| Decision {
                number: d.number,
                text: d.text.to_string(),
                decided_on: d.decided_on,
                action_items: d.action_items.len(),
            })
            .collect()
    }
    /// NONE, DRAFTED or APPROVED.
    async fn minutes_status(&self) -> &str {
        self.view.minutes_status()
    }
    /// Attendance.
    async fn attendance(&self, ctx: &Context<'_>) -> ApiResult<Vec<AttendanceRecord>> {
        crate::viewer::require_full(ctx, self.view.network).await?;
        Ok(read(ctx)
            .attendance(&self.view.id, self.at.known)
            .await?
            .into_iter()
            .map(|a| AttendanceRecord {
                organization: global_id(NodeKind::Organization, a.organization),
                attendance: a.attendance.into(),
            })
            .collect())
    }
}

/// What every history entry says besides its typed payload.
pub struct EntryCommon {
    position: i64,
    event_type: String,
    event_version: String,
    aggregate_type: String,
    aggregate_id: String,
    actor: String,
    role: Role,
    acting_for: Option<ID>,
    recorded_at: DateTime<Utc>,
    effective_on: Option<NaiveDate>,
    correlation_id: String,
    payload: serde_json::Value,
}

/// Declares, for every event type, a history entry object implementing `HistoryEntry` with
/// the common fields and a typed `payload`, and the `HistoryEntry` interface over them. The
/// list is generated from the event schemas by `build.rs`.
macro_rules! history_entries {
    ($($event:ident => $entry:ident, $payload:ident, $desc:literal;)+) => {
        $(
            #[doc = $desc]
            pub struct $entry {
                common: EntryCommon,
                payload: $payload,
            }

            #[doc = $desc]
            #[Object]
            impl $entry {
                /// The event's global position (also its cursor).
                async fn position(&self) -> i64 {
                    self.common.position
                }
                /// The event type, e.g. ProtocolSigned.
                async fn event_type(&self) -> &str {
                    &self.common.event_type
                }
                /// The event's version (after upcasting to the current one).
                async fn event_version(&self) -> &str {
                    &self.common.event_version
                }
                /// The aggregate type.
                async fn aggregate_type(&self) -> &str {
                    &self.common.aggregate_type
                }
                /// The aggregate's id.
                async fn aggregate_id(&self) -> &str {
                    &self.common.aggregate_id
                }
                /// The actor's id.
                async fn actor(&self) -> &str {
                    &self.common.actor
                }
                /// The role the actor acted in.
                async fn role(&self) -> Role {
                    self.common.role
                }
                /// The global id of the organization the actor acted for.
                async fn acting_for(&self) -> Option<&ID> {
                    self.common.acting_for.as_ref()
                }
                /// When it was recorded.
                async fn recorded_at(&self) -> DateTime<Utc> {
                    self.common.recorded_at
                }
                /// The business date it took effect on, where one applies.
                async fn effective_on(&self) -> Option<NaiveDate> {
                    self.common.effective_on
                }
                /// Shared by every event one request caused.
                async fn correlation_id(&self) -> &str {
                    &self.common.correlation_id
                }
                /// The payload as stored (JSON), for generic clients.
                async fn payload_json(&self) -> async_graphql::Json<&serde_json::Value> {
                    async_graphql::Json(&self.common.payload)
                }
                /// The event's data, typed.
                async fn payload(&self) -> &$payload {
                    &self.payload
                }
            }
        )+

        /// One entry of a history: an event, who caused it, when; each event type is its own
        /// object with a typed `payload`.
        #[derive(Interface)]
        #[graphql(
            field(name = "position", ty = "i64", desc = "The event's global position (also its cursor)."),
            field(name = "event_type", ty = "&str", desc = "The event type, e.g. ProtocolSigned."),
            field(name = "event_version", ty = "&str", desc = "The event's version (after upcasting to the current one)."),
            field(name = "aggregate_type", ty = "&str", desc = "The aggregate type."),
            field(name = "aggregate_id", ty = "&str", desc = "The aggregate's id."),
            field(name = "actor", ty = "&str", desc = "The actor's id."),
            field(name = "role", ty = "Role", desc = "The role the actor acted in."),
            field(name = "acting_for", ty = "Option<&ID>", desc = "The global id of the organization the actor acted for."),
            field(name = "recorded_at", ty = "DateTime<Utc>", desc = "When it was recorded."),
            field(name = "effective_on", ty = "Option<NaiveDate>", desc = "The business date it took effect on, where one applies."),
            field(name = "correlation_id", ty = "&str", desc = "Shared by every event one request caused."),
            field(name = "payload_json", ty = "async_graphql::Json<&serde_json::Value>", desc = "The payload as stored (JSON), for generic clients.")
        )]
        pub enum HistoryEntry {
            $($event($entry)),+
        }

        impl HistoryEntry {
            pub(crate) fn typed(common: EntryCommon) -> Result<Self, String> {
                let inner = common
                    .payload
                    .get(&common.event_type)
                    .cloned()
                    .unwrap_or_else(|| common.payload.clone());
                match common.event_type.as_str() {
                    $(stringify!($event) => serde_json::from_value::<$payload>(inner)
                        .map(|mut payload| {
                            crate::personal::Bind::bind(&mut payload, &common.aggregate_id);
                            HistoryEntry::$event($entry { common, payload })
                        })
                        .map_err(|e| e.to_string()),)+
                    other => Err(format!("no typed payload for event type {other}")),
                }
            }
        }

        /// A stored payload (`{"EventType": {..}}`) read through its typed GraphQL payload and
        /// written back: equal to the input when the API's type holds everything stored.
        pub fn retyped(event_type: &str, payload: serde_json::Value) -> Result<serde_json::Value, String> {
            let inner = payload.get(event_type).cloned().unwrap_or(payload);
            match event_type {
                $(stringify!($event) => serde_json::from_value::<$payload>(inner)
                    .and_then(|typed| serde_json::to_value(&typed))
                    .map(|typed| serde_json::json!({ event_type: typed }))
                    .map_err(|e| e.to_string()),)+
                other => Err(format!("no typed payload for event type {other}")),
            }
        }

        /// Every event type with a typed payload.
        pub const TYPED_EVENTS: &[&str] = &[$(stringify!($event)),+];
    };
}

/// The typed payloads, generated from `schemas/events` by `build.rs`.
pub mod payloads {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/payloads.rs"));
}
pub use payloads::{retyped, HistoryEntry, TYPED_EVENTS};

impl TryFrom<StoredEvent> for HistoryEntry {
    type Error = async_graphql::Error;

    fn try_from(e: StoredEvent) -> Result<Self, Self::Error> {
        let position = e.position;
        HistoryEntry::typed(EntryCommon {
            position,
            event_type: e.event_type,
            event_version: e.event_version,
            aggregate_type: e.aggregate_type,
            aggregate_id: e.aggregate_id,
            actor: e.metadata.actor.id,
            role: e.metadata.actor.role.into(),
            acting_for: e
                .metadata
                .actor
                .organization
                .map(|o| global_id(NodeKind::Organization, o)),
            recorded_at: e.recorded_at,
            effective_on: e.metadata.business_date,
            correlation_id: e.metadata.correlation_id.to_string(),
            payload: e.payload,
        })
        .map_err(|message| {
            // An event the API cannot type is a defect of ours, not of the client: logged with
            // the position, masked for the client.
            tracing::error!(position, %message, "event payload does not fit its GraphQL type");
            async_graphql::Error::new("internal error")
        })
    }
}

/// A page of history; cursors are global positions.
pub type HistoryConnection = Connection<i64, HistoryEntry, Counted>;

/// Which history to page.
pub enum History<'a> {
    /// The events that concern one entity.
    Timeline(views::Kind, &'a str),
    /// The audit log, filtered.
    Audit(&'a projections::queries::AuditFilter),
}

fn cursor_of(name: &str, cursor: Option<String>) -> ApiResult<Option<i64>> {
    cursor
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                crate::client_error(
                    "INVALID_CURSOR",
                    format!("`{name}` is not a cursor of this list"),
                )
            })
        })
        .transpose()
}

/// Pages a history forward (first/after) or backward (last/before), at most 100 entries.
pub async fn history(
    ctx: &Context<'_>,
    source: History<'_>,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> ApiResult<HistoryConnection> {
    for (name, value) in [("first", first), ("last", last)] {
        if value.is_some_and(|n| n < 0 || n as usize > MAX_PAGE) {
            return Err(crate::client_error(
                "PAGE_TOO_LARGE",
                format!("`{name}` must be between 0 and {MAX_PAGE}"),
            ));
        }
    }
    let after = cursor_of("after", after)?;
    let before = cursor_of("before", before)?;
    let backward = last.is_some() || (before.is_some() && first.is_none());
    let size = if backward { last } else { first }.map_or(MAX_PAGE, |n| n as usize);
    let page = if backward {
        projections::queries::Page::Before {
            before,
            limit: size as i64 + 1,
        }
    } else {
        projections::queries::Page::After {
            after: after.unwrap_or(0),
            limit: size as i64 + 1,
        }
    };
    let r = read(ctx);
    // Counting is a query of its own over every matching event: only when asked for.
    let counted = ctx.look_ahead().field("totalCount").exists();
    let (mut events, total) = match source {
        History::Timeline(kind, id) => (
            r.timeline(kind, id, page).await?,
            match counted {
                true => r.timeline_count(kind, id).await?,
                false => 0,
            },
        ),
        History::Audit(filter) => (
            r.audit_log(filter, page).await?,
            match counted {
                true => r.audit_count(filter).await?,
                false => 0,
            },
        ),
    };
    let more = events.len() > size;
    if more {
        if backward {
            events.remove(0);
        } else {
            events.truncate(size);
        }
    }
    let (has_previous, has_next) = if backward {
        (more, before.is_some())
    } else {
        (after.is_some(), more)
    };
    let mut connection = Connection::with_additional_fields(
        has_previous,
        has_next,
        Counted {
            total_count: total.max(0) as usize,
        },
    );
    for e in events {
        connection
            .edges
            .push(Edge::new(e.position, HistoryEntry::try_from(e)?));
    }
    Ok(connection)
}

/// Whose history a timeline is, for the access check: a network's entity (readable by who
/// reads the network in full) or an organization (its history spans networks: auditors,
/// administrators and its own referents).
enum Scope {
    Network(aggregates::ids::NetworkId),
    Organization(aggregates::ids::OrganizationId),
}

async fn timeline(
    ctx: &Context<'_>,
    kind: views::Kind,
    id: &str,
    scope: Scope,
    (after, before): (Option<String>, Option<String>),
    (first, last): (Option<i32>, Option<i32>),
) -> ApiResult<HistoryConnection> {
    match scope {
        Scope::Network(network) => crate::viewer::require_full(ctx, network).await?,
        Scope::Organization(organization) => {
            if !crate::viewer::viewer(ctx)
                .principal()
                .represents(organization)
            {
                crate::viewer::require_everything(ctx)?;
            }
        }
    }
    history(ctx, History::Timeline(kind, id), after, before, first, last).await
}
