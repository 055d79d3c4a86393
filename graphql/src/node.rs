//! The `Node` interface: any object by its opaque global id, if the viewer may read it.

use crate::scalars::Date;
use async_graphql::{Context, Interface, Object, ID};
use chrono::{DateTime, Utc};

use crate::activity::visible_activity;
use crate::commitment::visible_commitment;
use crate::errors::{client_error_for, ApiResult};
use crate::graph::Activity;
use crate::graph::Commitment;
use crate::graph::IndicatorSet;
use crate::graph::Meeting;
use crate::graph::MeetingSeries;
use crate::graph::Network;
use crate::graph::Organization;
use crate::graph::Plan;
use crate::graph::Protocol;
use crate::graph::Service;
use crate::graph::WorkingGroup;
use crate::ids::{decode_id, NodeKind};
use crate::indicator_set::visible_indicator_set;
use crate::lens::{lens, Lens};
use crate::meeting::visible_meeting;
use crate::meeting_series::visible_meeting_series;
use crate::network::visible_network;
use crate::organization::visible_organization;
use crate::pagination::MAX_PAGE;
use crate::plan::visible_plan;
use crate::protocol::visible_protocol;
use crate::service::visible_service;
use crate::working_group::visible_working_group;

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
    /// A service.
    Service(Service),
    /// An indicator set.
    IndicatorSet(IndicatorSet),
    /// An activity.
    Activity(Activity),
    /// A plan.
    Plan(Plan),
    /// A series of recurring meetings.
    MeetingSeries(MeetingSeries),
}

/// The object a global id names, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn node_of(
    ctx: &Context<'_>,
    id: &ID,
    at: Lens,
    argument: &str,
) -> ApiResult<Option<Node>> {
    // Text that is no global id at all is a client's mistake, not an absent object.
    let Some((kind, uuid)) = decode_id(id) else {
        return Err(client_error_for(
            "INVALID_ID",
            "not a global id of this API",
            argument,
        ));
    };
    // Objects the viewer may not read are absent, exactly like objects that do not exist.
    Ok(match kind {
        NodeKind::Organization => visible_organization(ctx, uuid, at)
            .await?
            .map(Node::Organization),
        NodeKind::Network => visible_network(ctx, uuid, at).await?.map(Node::Network),
        NodeKind::Protocol => visible_protocol(ctx, uuid, at).await?.map(Node::Protocol),
        NodeKind::Commitment => visible_commitment(ctx, uuid, at)
            .await?
            .map(Node::Commitment),
        NodeKind::WorkingGroup => visible_working_group(ctx, uuid, at)
            .await?
            .map(Node::WorkingGroup),
        NodeKind::Meeting => visible_meeting(ctx, uuid, at).await?.map(Node::Meeting),
        NodeKind::Service => visible_service(ctx, uuid, at).await?.map(Node::Service),
        NodeKind::IndicatorSet => visible_indicator_set(ctx, uuid, at)
            .await?
            .map(Node::IndicatorSet),
        NodeKind::Activity => visible_activity(ctx, uuid, at).await?.map(Node::Activity),
        NodeKind::Plan => visible_plan(ctx, uuid, at).await?.map(Node::Plan),
        NodeKind::MeetingSeries => visible_meeting_series(ctx, uuid, at)
            .await?
            .map(Node::MeetingSeries),
        // Not nodes: a person's details are sealed, a designation lives in its membership.
        NodeKind::Person | NodeKind::Referent => None,
    })
}

/// The root fields over any object.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; null when there is none the viewer may read, and an
    /// `INVALID_ID` error for text that is not a global id at all.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<Date>,
    ) -> ApiResult<Option<Node>> {
        let at = lens(ctx, as_of, effective_on).await?;
        node_of(ctx, &id, at, "id").await
    }

    /// Objects by their global ids, in the same order (null where none; an `INVALID_ID` error
    /// if one is not a global id at all).
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids (at most 100).")] ids: Vec<ID>,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<Date>,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_PAGE {
            return Err(client_error_for(
                "PAGE_TOO_LARGE",
                format!("`ids`: at most {MAX_PAGE}"),
                "ids",
            ));
        }
        let at = lens(ctx, as_of, effective_on).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(node_of(ctx, id, at, "ids").await?);
        }
        Ok(out)
    }
}
