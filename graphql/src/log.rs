// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

//! The log as a whole: the audit log, tamper evidence, and how far the read side has projected.

use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};
use projections::queries::AuditFilter;

use crate::errors::ApiResult;
use crate::history::{history, History, HistoryConnection};
use crate::ids::uuid_of;
use crate::ids::NodeKind;
use crate::pagination::MAX_PAGE;
use crate::scalars::Position;
use crate::state::read;
use crate::viewer::viewer;

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
    /// Only events caused by this actor, as recorded (`HistoryEntry.actorId`).
    pub actor: Option<String>,
    /// Recorded at or after (to the millisecond: any time within this one's millisecond counts).
    pub recorded_from: Option<DateTime<Utc>>,
    /// Recorded before (to the millisecond: no time within this one's millisecond counts).
    pub recorded_until: Option<DateTime<Utc>>,
}

/// The root fields over the log.
#[derive(Default)]
pub struct LogQuery;

#[Object]
impl LogQuery {
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
        let state = ctx.data_unchecked::<crate::state::ApiState>();
        let (position, hash) = state.store.sealed_head().await?;
        let latest = state.store.latest_checkpoint().await?;
        let refused = state.store.sealing_refused().await?;
        Ok(Integrity {
            sealing_stopped_at: refused.map(|(position, _)| Position(position)),
            head_position: Position(position),
            head_hash: hex_of(&hash),
            latest_checkpoint: latest.map(|c| SignedCheckpoint {
                position: Position(c.position),
                head_hash: c.head_hash,
                signed_at: c.signed_at,
                public_key: c.public_key,
                signature: c.signature,
            }),
            public_key: state.public_key.clone(),
        })
    }

    /// How far the read side has projected the log: every answer after this one shows at
    /// least the events up to it.
    async fn read_position(&self, ctx: &Context<'_>) -> ApiResult<Position> {
        Ok(Position(read(ctx).readable_position().await?))
    }
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
    let decode = |id: &Option<ID>, kind, at| -> ApiResult<Option<uuid::Uuid>> {
        id.as_ref().map(|i| uuid_of(i, kind, at)).transpose()
    };
    Ok(AuditFilter {
        network: decode(&filter.network, NodeKind::Network, "filter.network")?
            .map(aggregates::ids::NetworkId),
        organization: decode(
            &filter.organization,
            NodeKind::Organization,
            "filter.organization",
        )?
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
    pub head_position: Position,
    /// The chain hash at that position (hex SHA-256; all zeros before the first event).
    pub head_hash: String,
    /// The most recent signed checkpoint of the chain's head.
    pub latest_checkpoint: Option<SignedCheckpoint>,
    /// The Ed25519 public key (hex) that verifies checkpoints and reports.
    pub public_key: Option<String>,
    /// Set when sealing or signing stands still at this position: the event there carries
    /// no authentication code that verifies under the deployment secret (or its sealed hash
    /// does not follow from the events), so this server did not append it: a row put in the
    /// database directly. Nothing from it on is signed until an operator removes it (or
    /// adopts an earlier version's event with `governance seal --adopt-through`). Null while
    /// sealing and signing follow the log.
    pub sealing_stopped_at: Option<Position>,
}

/// A signed statement of the chain's head: Ed25519 over
/// "governance-checkpoint/v1\n{position}\n{headHash}\n{signedAt, RFC 3339 with microseconds}".
#[derive(async_graphql::SimpleObject)]
pub struct SignedCheckpoint {
    /// The position.
    pub position: Position,
    /// The chain hash at that position (hex).
    pub head_hash: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// The key that signed it (hex).
    pub public_key: String,
    /// The signature (hex).
    pub signature: String,
}
