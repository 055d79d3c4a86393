//! Live streams over graphql-transport-ws: the audit log with a resume cursor, and the changes
//! of one network. A client that reconnects with the last position it saw misses nothing and
//! gets nothing twice (the log is read strictly after the cursor, gap-safely).

use std::collections::VecDeque;
use std::time::Duration;

use aggregates::ids::{NetworkId, OrganizationId};
use async_graphql::{Context, Subscription, ID};
use futures::Stream;
use projections::queries::{AsOf, AuditFilter};
use projections::store::StoredEvent;

use crate::errors::ApiResult;
use crate::history::HistoryEntry;
use crate::ids::NodeKind;
use crate::log::AuditLogFilter;
use crate::state::ApiState;

/// The root subscription.
pub struct Subscription;

fn cursor(after: Option<String>) -> ApiResult<i64> {
    Ok(crate::pagination::position_cursor("after", after.as_deref())?.unwrap_or(0))
}

/// Why a stream may go on: the viewer reads everything or coordinates the network (for
/// good), or reads it through its organizations' active membership, which a later event can
/// end.
#[derive(Clone)]
enum Access {
    Lasting,
    WhileActiveMember {
        network: NetworkId,
        organizations: Vec<OrganizationId>,
        /// The head of the log when the stream started: the viewer read the network in full
        /// then, so history up to it is theirs to read; what follows is checked.
        confirmed_until: i64,
    },
}

impl Access {
    async fn of(ctx: &Context<'_>, filter: &AuditFilter) -> ApiResult<Self> {
        let viewer = crate::viewer::viewer(ctx);
        Ok(match filter.network {
            Some(network)
                if !viewer.reads_everything() && !viewer.principal().coordinates(network) =>
            {
                Access::WhileActiveMember {
                    network,
                    organizations: viewer.principal().organizations().collect(),
                    confirmed_until: ctx
                        .data_unchecked::<ApiState>()
                        .store
                        .head_position()
                        .await?,
                }
            }
            _ => Access::Lasting,
        })
    }

    /// Whether the viewer still reads the stream once the log reached `event`: a change of
    /// the network (membership events are the network's) may have ended the membership.
    async fn holds(&self, state: &ApiState, event: &StoredEvent) -> Result<bool, String> {
        let Access::WhileActiveMember {
            network,
            organizations,
            confirmed_until,
        } = self
        else {
            return Ok(true);
        };
        if event.position <= *confirmed_until || event.aggregate_type != "Network" {
            return Ok(true);
        }
        for organization in organizations {
            let memberships = state
                .read
                .memberships_of(*organization, AsOf::Position(event.position))
                .await
                .map_err(|e| e.to_string())?;
            if memberships.iter().any(|m| {
                m.network == *network && m.status == aggregates::network::MembershipStatus::Active
            }) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Follows the audit log after `after`, in order, until the viewer's access ends.
fn follow(
    state: ApiState,
    filter: AuditFilter,
    after: i64,
    access: Access,
    principal: crate::auth::Principal,
) -> impl Stream<Item = async_graphql::Result<HistoryEntry>> {
    let changes = state.store.subscribe();
    let buffer: VecDeque<std::sync::Arc<StoredEvent>> = VecDeque::new();
    let principal = std::sync::Arc::new(principal);
    futures::stream::unfold(
        (state, filter, after, buffer, changes, Some(access)),
        move |(state, filter, mut after, mut buffer, mut changes, access)| {
            let principal = principal.clone();
            async move {
                // `None`: access ended and the client was told; the stream is over.
                let access = access?;
                loop {
                    if let Some(event) = buffer.pop_front() {
                        match access.holds(&state, &event).await {
                        Ok(true) => {}
                        Ok(false) => return Some((
                            Err(crate::viewer::forbidden(
                                "an active membership of the network (it ended or was suspended)",
                            )),
                            (state, filter, after, buffer, changes, None),
                        )),
                        Err(error) => {
                            buffer.push_front(event);
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            return Some((
                                Err(async_graphql::Error::new(error)),
                                (state, filter, after, buffer, changes, Some(access)),
                            ));
                        }
                    }
                        return Some((
                            HistoryEntry::seen_by(&principal, event),
                            (state, filter, after, buffer, changes, Some(access)),
                        ));
                    }
                    // Where the read side stood before this read: if it finds nothing, the
                    // next read waits for a commit or for the read side to move past it (a
                    // commit wakes this stream before the read side shows it).
                    let seen = state.read.local_position();
                    match state
                        .read
                        .audit_log(
                            &filter,
                            projections::queries::Page::After { after, limit: 100 },
                        )
                        .await
                    {
                        Ok(events) if !events.is_empty() => {
                            after = events.last().map_or(after, |e| e.position);
                            buffer.extend(events);
                        }
                        Ok(_) => {
                            let wait = Duration::from_millis(500);
                            tokio::select! {
                                _ = state.store.wait_for_events(&mut changes, wait) => {}
                                _ = state.read.moved_past(seen, wait) => {}
                            }
                        }
                        Err(error) => {
                            // Masked by the schema's extension; the stream goes on after a pause.
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            return Some((
                                Err(async_graphql::Error::new(error.to_string())),
                                (state, filter, after, buffer, changes, Some(access)),
                            ));
                        }
                    }
                }
            }
        },
    )
}

/// Live streams: the audit log and the changes of one network, resumable by position.
#[Subscription]
impl Subscription {
    /// Every event of the audit log after `after` (a position; resume with the last one
    /// received), filtered, then every new one as it is recorded.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the log; every field given must match.")] filter: Option<
            AuditLogFilter,
        >,
        #[graphql(desc = "Resume after this position (the last one received).")] after: Option<
            String,
        >,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<HistoryEntry>>> {
        let state = ctx.data_unchecked::<ApiState>().clone();
        let filter = crate::log::to_audit_filter(filter.unwrap_or_default())?;
        crate::log::require_audit(ctx, &filter).await?;
        let access = Access::of(ctx, &filter).await?;
        let principal = crate::viewer::viewer(ctx).principal().clone();
        Ok(follow(state, filter, cursor(after)?, access, principal))
    }

    /// Every change to one network (members, signatures, meetings, commitments, …) after
    /// `after`, then as it happens.
    async fn network_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The network.")] network: ID,
        #[graphql(desc = "Resume after this position (the last one received).")] after: Option<
            String,
        >,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<HistoryEntry>>> {
        let state = ctx.data_unchecked::<ApiState>().clone();
        let network = crate::ids::uuid_of(&network, NodeKind::Network, "network")?;
        let filter = AuditFilter {
            network: Some(aggregates::ids::NetworkId(network)),
            ..Default::default()
        };
        // An unknown network and one the viewer may not read get the same answer.
        crate::log::require_audit(ctx, &filter).await?;
        let access = Access::of(ctx, &filter).await?;
        let principal = crate::viewer::viewer(ctx).principal().clone();
        Ok(follow(state, filter, cursor(after)?, access, principal))
    }
}
