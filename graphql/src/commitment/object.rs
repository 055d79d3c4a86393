//! The GraphQL objects of Commitment.

use crate::commitment::{CommitmentFilter, CommitmentOrder};
use crate::graph::Commitment;
use crate::graph::Organization;
use crate::history::{timeline, HistoryConnection, Scope};
use crate::pagination::{Order, Page};
use crate::prelude::*;

/// A commitment (impegno).
#[Object]
impl Commitment {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Commitment, self.view.id)
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
    async fn due_on(&self) -> Option<Date> {
        self.view.due_on.map(Date)
    }
    /// When it was taken on.
    async fn created_on(&self) -> Date {
        self.view.created_on.into()
    }
    /// OPEN, IN_PROGRESS, FULFILLED, WAIVED or CANCELLED (`state` is the same, as an enum).
    #[graphql(deprecation = "Use `state`: the same status, as an enum.")]
    async fn status(&self) -> String {
        wire_name(&self.view.status)
    }
    /// Where it stands.
    async fn state(&self) -> ApiResult<crate::enums::CommitmentStatus> {
        status_of(&self.view.status)
    }
    /// Whether it is overdue on a date (default: today).
    async fn overdue(
        &self,
        #[graphql(
            desc = "The date on which overdue is judged (default: `effectiveOn`, else today)."
        )]
        on: Option<Date>,
    ) -> bool {
        self.view
            .is_overdue(on.map_or_else(|| self.at.day(), |d| d.0))
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
    ) -> ApiResult<Option<HistoryConnection>> {
        timeline(
            ctx,
            views::Kind::Commitment,
            &self.view.id.to_string(),
            Scope::Network(self.view.network),
            (after, before),
            (first, last),
        )
        .await
    }
}
/// One page of a list of commitments: taken on by the lens's date, filtered, ordered.
/// One page of a network's commitments, or an organization's (those of networks the viewer
/// reads in full): narrowed in SQL first, then exactly by the filter.
pub(crate) async fn commitment_page(
    ctx: &Context<'_>,
    of: CommitmentsOf,
    at: Lens,
    (filter, order_by): (Option<CommitmentFilter>, Option<CommitmentOrder>),
    (after, before, first, last): Page,
) -> ApiResult<ListConnection<Commitment>> {
    let filter = filter.unwrap_or_default();
    let obligor = match &filter.obligor {
        Some(id) => Some(crate::ids::uuid_of(
            id,
            NodeKind::Organization,
            "filter.obligor",
        )?),
        None => None,
    };
    // A status given by name must be one (the deprecated `status` is a string).
    status_named::<CommitmentStatus>(&filter.status)?;
    let status = match (&filter.state, &filter.status) {
        (Some(state), _) => from_wire_name(&wire_name(state)),
        (None, Some(name)) => from_wire_name(name),
        (None, None) => None,
    };
    let criteria = projections::queries::CommitmentCriteria {
        status,
        obligor: obligor.map(aggregates::ids::OrganizationId),
        overdue_on: filter.overdue_on.map(|d| d.0),
    };
    let all = read(ctx)
        .commitments_matching(of, &criteria, at.known)
        .await?;
    let all = match of {
        CommitmentsOf::Network(_) => all,
        CommitmentsOf::Organization(_) => readable(ctx, all, |c| c.network).await?,
    };
    let order = order_by.unwrap_or_default();
    let keep = |c: &views::CommitmentView| at.by(c.created_on) && filter.matches(c, obligor);
    let items = select(
        all,
        keep,
        |a, b| order.compare(a, b),
        |view| Commitment { view, at },
    );
    paginate(items, after, before, first, last).await
}

/// The commitment with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_commitment(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Commitment>> {
    Ok(
        match read(ctx)
            .commitment(aggregates::ids::CommitmentId(uuid), at.known)
            .await?
        {
            Some(view) if viewer(ctx).full(ctx, view.network).await? => {
                Some(Commitment { view, at })
            }
            _ => None,
        },
    )
}
