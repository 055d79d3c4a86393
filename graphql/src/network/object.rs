//! The GraphQL objects of Network (and its memberships and referents).

use crate::commitment::commitment_page;
use crate::graph::Activity;
use crate::graph::Commitment;
use crate::graph::IndicatorSet;
use crate::graph::Meeting;
use crate::graph::MeetingSeries;
use crate::graph::Plan;
use crate::graph::Protocol;
use crate::graph::Service;
use crate::graph::WorkingGroup;
use crate::graph::{Membership, Network};
use crate::graph::{Organization, OrganizationRef};
use crate::history::{timeline, HistoryConnection, Scope};
use crate::organization::load_organization;
use crate::pagination::list;
use crate::prelude::*;
use crate::reports::{
    AttendanceRate, CommitmentOutcome, CommitmentSummary, MemberFulfilment, SignedAnnualReport,
};
use aggregates::network::MembershipStatus;

/// A network (rete territoriale, tavolo).
#[Object]
impl Network {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
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
    async fn established_on(&self) -> Date {
        self.view.established_on.into()
    }
    /// The business date it was closed on.
    async fn closed_on(&self) -> Option<Date> {
        self.view.closed_on.map(Date)
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
        effective_on: Option<Date>,
        #[graphql(desc = "Include memberships that ended or never started.")]
        include_former: Option<bool>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::network::MembershipFilter,
        >,
        #[graphql(desc = "The order of the list (default: by membership start, ascending).")]
        order_by: Option<crate::network::MembershipOrder>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Membership>> {
        let mut all = read(ctx).memberships(self.view.id, self.at.known).await?;
        let effective_on = effective_on.or(self.at.on.map(Date));
        let at = self.at;
        let viewer = crate::viewer::viewer(ctx);
        let level = viewer.level(ctx, &self.view).await?;
        let network = self.view.id;
        all.retain(|m| {
            let shown = match effective_on {
                Some(day) => m.member_on(day.0),
                None => include_former == Some(true) || m.status == MembershipStatus::Active,
            };
            // Applications are not published; former members only to full readers.
            let visible = match effective_on {
                Some(_) => true,
                None => viewer.sees_membership(level, network, m.organization, m.status),
            };
            shown && visible
        });
        let page = (after, before, first, last);
        list(all, filter, order_by, |view| Membership { view, at }, page).await
    }
    /// The network's protocols.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn protocols(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::protocol::ProtocolFilter,
        >,
        #[graphql(desc = "The order of the list (default: by title, ascending).")] order_by: Option<
            crate::protocol::ProtocolOrder,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<Option<ListConnection<Protocol>>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let all = read(ctx).protocols(self.view.id, self.at.known).await?;
        let at = self.at;
        let page = (after, before, first, last);
        list(all, filter, order_by, |view| Protocol { view, at }, page)
            .await
            .map(Some)
    }
    /// The network's commitments (under `effectiveOn`, those taken on by that date).
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::commitment::CommitmentFilter,
        >,
        #[graphql(desc = "The order of the list (default: by due date, ascending).")]
        order_by: Option<crate::commitment::CommitmentOrder>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<Option<ListConnection<Commitment>>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let (of, page) = (
            CommitmentsOf::Network(self.view.id),
            (after, before, first, last),
        );
        commitment_page(ctx, of, self.at, (filter, order_by), page)
            .await
            .map(Some)
    }
    /// Open and overdue commitments per member, overdue judged on `on`.
    async fn commitment_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The date on which overdue is judged (default: `effectiveOn`, else today)."
        )]
        on: Option<Date>,
    ) -> ApiResult<Option<Vec<CommitmentSummary>>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let on = on.unwrap_or_else(|| self.at.day().into());
        let all = read(ctx)
            .commitment_summary(self.view.id, on.0, self.at.known)
            .await?;
        Ok(Some(
            all.into_iter()
                .map(|s| CommitmentSummary {
                    organization: OrganizationRef {
                        id: s.organization,
                        at: self.at,
                    },
                    open: s.open,
                    overdue: s.overdue,
                })
                .collect(),
        ))
    }
    /// Attendance per member over the meetings that started in `[from, until)`.
    async fn attendance_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Start of the period (included).")] from: DateTime<Utc>,
        #[graphql(desc = "End of the period (excluded).")] until: DateTime<Utc>,
    ) -> ApiResult<Option<Vec<AttendanceRate>>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let all = read(ctx)
            .attendance_rates(self.view.id, from, until, self.at.known)
            .await?;
        Ok(Some(
            all.into_iter()
                .map(|r| AttendanceRate {
                    organization: OrganizationRef {
                        id: r.organization,
                        at: self.at,
                    },
                    meetings: r.meetings,
                    present: r.present,
                    excused: r.excused,
                    absent: r.absent,
                    rate: r.rate,
                })
                .collect(),
        ))
    }
    /// The annual monitoring report for a calendar year: the network, its protocols and their
    /// status, members and referent roles, meetings held, attendance, and commitments with
    /// their outcome at the end of the year — signed, with its content hash, so the Region can
    /// check offline (`governance verify-report`) that it is what the system produced.
    async fn annual_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar year (1900-2200).")] year: i32,
    ) -> ApiResult<Option<SignedAnnualReport>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        if !(1900..=2200).contains(&year) {
            return Err(crate::errors::client_error_for(
                "INVALID_VALUE",
                "year: between 1900 and 2200",
                "year",
            ));
        }
        let state = ctx.data_unchecked::<crate::state::ApiState>();
        let signer = state.signer.as_ref().ok_or_else(|| {
            crate::errors::client_error(
                "UNAVAILABLE",
                "this server has no key to sign reports with",
            )
        })?;
        let document = read(ctx)
            .annual_report(self.view.id, year, self.at.known)
            .await?
            .ok_or_else(|| crate::errors::client_error("NOT_FOUND", "no such network"))?;
        let signed = projections::reports::SignedReport::sign(document, signer);
        Ok(Some(SignedAnnualReport {
            document: crate::scalars::Json(signed.document),
            content_hash: signed.content_hash,
            signature: signed.signature,
            public_key: signed.public_key,
            signed_at: signed.signed_at,
        }))
    }
    /// Commitment outcomes per member, judged on `on` (default: `effectiveOn`, else today).
    async fn commitment_fulfilment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date outcomes are judged on.")] on: Option<Date>,
    ) -> ApiResult<Option<Vec<MemberFulfilment>>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        let on = on.unwrap_or_else(|| self.at.day().into());
        let all = read(ctx)
            .commitment_fulfilment(self.view.id, on.0, self.at.known)
            .await?;
        Ok(Some(
            all.into_iter()
                .map(|f| MemberFulfilment {
                    organization: f.organization.map(|id| OrganizationRef { id, at: self.at }),
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
                .collect(),
        ))
    }
    /// The services it offers: all of them for those who read the network in full, the ones
    /// it lists in its public directory for everyone else. Status and territory are read on
    /// the lens's business date.
    async fn services(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these kinds of service (default: all).")] kinds: Option<
            Vec<ServiceKind>,
        >,
    ) -> ApiResult<Vec<Service>> {
        let full = viewer(ctx).full(ctx, self.view.id).await?;
        Ok(read(ctx)
            .services_of(self.view.id, self.at.known)
            .await?
            .into_iter()
            .filter(|v| full || v.details.listed)
            .filter(|v| {
                kinds.as_ref().is_none_or(|kinds| {
                    kinds
                        .iter()
                        .any(|k| aggregates::service::ServiceKind::from(*k) == v.details.kind)
                })
            })
            .map(|view| Service { view, at: self.at })
            .collect())
    }
    /// The sets of figures its members share (counts per declared category, never case
    /// data), for those who read the network in full.
    async fn indicator_sets(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<IndicatorSet>>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        Ok(Some(
            read(ctx)
                .indicator_sets(self.view.id, self.at.known)
                .await?
                .into_iter()
                .map(|view| IndicatorSet { view, at: self.at })
                .collect(),
        ))
    }
    /// Its series of recurring meetings, for those who read the network in full.
    async fn meeting_series(&self, ctx: &Context<'_>) -> ApiResult<Vec<MeetingSeries>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        Ok(read(ctx)
            .meeting_series_of(self.view.id, self.at.known)
            .await?
            .into_iter()
            .map(|view| MeetingSeries { view, at: self.at })
            .collect())
    }
    /// Its plans, for those who read the network in full.
    async fn plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<Plan>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        Ok(read(ctx)
            .plans(self.view.id, self.at.known)
            .await?
            .into_iter()
            .map(|view| Plan { view, at: self.at })
            .collect())
    }
    /// The work it and its working groups carried out, oldest first, for those who read the
    /// network in full.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this working group's.")] working_group: Option<ID>,
        #[graphql(desc = "Only these kinds (default: all).")] kinds: Option<Vec<ActivityKind>>,
        #[graphql(desc = "Only those that took place (in part) on or after this date.")]
        from: Option<Date>,
        #[graphql(desc = "Only those that took place (in part) on or before this date.")]
        until: Option<Date>,
        #[graphql(desc = "Include cancelled activities.", default = false)] include_cancelled: bool,
    ) -> ApiResult<Vec<Activity>> {
        let working_group = working_group
            .map(|g| crate::ids::uuid_of(&g, NodeKind::WorkingGroup, "workingGroup"))
            .transpose()?
            .map(aggregates::ids::WorkingGroupId);
        crate::activity_list::activities_of(
            ctx,
            self.view.id,
            crate::activity_list::ActivityFilter {
                working_group,
                kinds,
                from,
                until,
                include_cancelled,
            },
            self.at,
        )
        .await
    }
    /// The working groups.
    async fn working_groups(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<WorkingGroup>>> {
        crate::viewer::require_full(ctx, self.view.id).await?;
        Ok(Some(
            read(ctx)
                .working_groups(self.view.id, self.at.known)
                .await?
                .into_iter()
                .map(|view| WorkingGroup { view, at: self.at })
                .collect(),
        ))
    }
    /// The meetings.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::meeting::MeetingFilter,
        >,
        #[graphql(desc = "The order of the list (default: by start, ascending).")] order_by: Option<
            crate::meeting::MeetingOrder,
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
        let at = self.at;
        let page = (after, before, first, last);
        list(all, filter, order_by, |view| Meeting { view, at }, page).await
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
    ) -> ApiResult<Option<HistoryConnection>> {
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

/// A stretch of business dates during which an organization was an active member.
#[derive(SimpleObject)]
pub struct MembershipPeriod {
    /// First day.
    pub from: Date,
    /// The first day it was no longer an active member.
    pub until: Option<Date>,
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
    /// The designation's global id (what `revokeReferent` takes).
    pub id: crate::ids::Ref<aggregates::ids::ReferentId>,
    /// The person's global id (their data is kept apart, in the personal-data store).
    pub person: crate::ids::Ref<aggregates::ids::PersonId>,
    /// Institutional, technical or deputy.
    pub role: ReferentRole,
    /// Since when.
    pub since: Date,
    /// Until when.
    pub until: Option<Date>,
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
            .person(self.person.0, AsOf::Now)
            .await?
            .map(|view| crate::personal::Person {
                id: view.id.to_string(),
                sealed: Some(view.details.as_str().to_owned()),
            }))
    }
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
    /// PENDING, ACTIVE, SUSPENDED, REJECTED, WITHDRAWN or EXPELLED (`state` is the same, as an enum).
    #[graphql(deprecation = "Use `state`: the same status, as an enum.")]
    async fn status(&self) -> String {
        wire_name(&self.view.status)
    }
    /// Where it stands.
    async fn state(&self) -> ApiResult<crate::enums::MembershipStatus> {
        status_of(&self.view.status)
    }
    /// When it applied.
    async fn applied_on(&self) -> Option<Date> {
        self.view.applied_on.map(Date)
    }
    /// Start of the current active period.
    async fn since(&self) -> Option<Date> {
        self.view.since.map(Date)
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
                from: p.from.into(),
                until: p.until.map(Date),
                via: serde_json::to_value(p.via)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            })
            .collect()
    }
    /// Referents designated for this membership (readers of the network in full only).
    async fn referents(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Referent>>> {
        crate::viewer::require_full(ctx, self.view.network).await?;
        let active = self.view.status == MembershipStatus::Active;
        Ok(Some(
            self.view
                .referents
                .iter()
                .map(|r| Referent {
                    current: active && r.until.is_none(),
                    id: crate::ids::Ref(r.referent),
                    person: crate::ids::Ref(r.person),
                    role: r.role.into(),
                    since: r.since.into(),
                    until: r.until.map(Date),
                })
                .collect(),
        ))
    }
}

/// The network with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_network(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Network>> {
    Ok(
        match read(ctx)
            .network(aggregates::ids::NetworkId(uuid), at.known)
            .await?
        {
            Some(view) if viewer(ctx).level(ctx, &view).await? != Level::None => {
                Some(Network { view, at })
            }
            _ => None,
        },
    )
}
