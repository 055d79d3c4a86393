//! The `Node` interface: any object by its opaque global id, if the viewer may read it.

use aggregates::ids::{CommitmentId, MeetingId, ProtocolId, WorkingGroupId};
use async_graphql::{Context, Interface, Object, ID};
use chrono::{DateTime, Utc};

use crate::commitment::Commitment;
use crate::errors::{client_error, ApiResult};
use crate::ids::{decode_id, decode_kind, NodeKind};
use crate::lens::{lens, Lens};
use crate::meeting::Meeting;
use crate::network::Network;
use crate::organization::Organization;
use crate::pagination::MAX_PAGE;
use crate::protocol::Protocol;
use crate::state::read;
use crate::viewer::{viewer, Level};
use crate::working_group::WorkingGroup;

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

pub(crate) fn uuid_of(id: &ID, kind: NodeKind) -> ApiResult<uuid::Uuid> {
    decode_kind(id, kind).ok_or_else(|| client_error("INVALID_ID", "not an id of this kind"))
}

/// The object a global id names, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn node_of(ctx: &Context<'_>, id: &ID, at: Lens) -> ApiResult<Option<Node>> {
    let Some((kind, uuid)) = decode_id(id) else {
        return Ok(None);
    };
    let r = read(ctx);
    let v = viewer(ctx);
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
        NodeKind::Protocol => match r.protocol(ProtocolId(uuid), at.known).await? {
            Some(view) if v.full(ctx, view.network).await? => {
                Some(Node::Protocol(Protocol { view, at }))
            }
            _ => None,
        },
        NodeKind::Commitment => match r.commitment(CommitmentId(uuid), at.known).await? {
            Some(view) if v.full(ctx, view.network).await? => {
                Some(Node::Commitment(Commitment { view, at }))
            }
            _ => None,
        },
        NodeKind::WorkingGroup => match r.working_group(WorkingGroupId(uuid), at.known).await? {
            Some(view) if v.full(ctx, view.network).await? => {
                Some(Node::WorkingGroup(WorkingGroup { view, at }))
            }
            _ => None,
        },
        NodeKind::Meeting => match r.meeting(MeetingId(uuid), at.known).await? {
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

/// The root fields over any object.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
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
}
