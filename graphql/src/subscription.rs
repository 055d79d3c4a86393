//! Live streams over graphql-transport-ws: the audit log with a resume cursor, and the changes
//! of one network. A client that reconnects with the last position it saw misses nothing and
//! gets nothing twice (the log is read strictly after the cursor, gap-safely).

use std::collections::VecDeque;
use std::time::Duration;

use async_graphql::{Context, Subscription, ID};
use futures::Stream;
use projections::queries::AuditFilter;
use projections::store::StoredEvent;

use crate::model::{decode_kind, HistoryEntry, NodeKind};
use crate::query::AuditLogFilter;
use crate::{client_error, ApiResult, ApiState};

/// The root subscription.
pub struct Subscription;

fn cursor(after: Option<String>) -> ApiResult<i64> {
    match after {
        None => Ok(0),
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| client_error("INVALID_CURSOR", "`after` is not a position of the log")),
    }
}

/// Follows the audit log after `after`, in order, forever.
fn follow(
    state: ApiState,
    filter: AuditFilter,
    after: i64,
) -> impl Stream<Item = async_graphql::Result<HistoryEntry>> {
    let changes = state.store.subscribe();
    let buffer: VecDeque<StoredEvent> = VecDeque::new();
    futures::stream::unfold(
        (state, filter, after, buffer, changes),
        |(state, filter, mut after, mut buffer, mut changes)| async move {
            loop {
                if let Some(event) = buffer.pop_front() {
                    return Some((
                        HistoryEntry::try_from(event),
                        (state, filter, after, buffer, changes),
                    ));
                }
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
                        state
                            .store
                            .wait_for_events(&mut changes, Duration::from_millis(500))
                            .await
                    }
                    Err(error) => {
                        // Masked by the schema's extension; the stream goes on after a pause.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        return Some((
                            Err(async_graphql::Error::new(error.to_string())),
                            (state, filter, after, buffer, changes),
                        ));
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
        let filter = crate::query::to_audit_filter(filter.unwrap_or_default())?;
        crate::query::require_audit(ctx, &filter).await?;
        Ok(follow(state, filter, cursor(after)?))
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
        let network = decode_kind(&network, NodeKind::Network)
            .ok_or_else(|| client_error("INVALID_ID", "not the id of a network"))?;
        let filter = AuditFilter {
            network: Some(aggregates::ids::NetworkId(network)),
            ..Default::default()
        };
        // An unknown network and one the viewer may not read get the same answer.
        crate::query::require_audit(ctx, &filter).await?;
        Ok(follow(state, filter, cursor(after)?))
    }
}
