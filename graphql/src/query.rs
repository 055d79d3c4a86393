//! The root query. `asOf` (a recorded instant) on the root entry points selects the state as
//! known then, for everything below them.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]
use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};
use projections::queries::{AsOf, AuditFilter};

pub use crate::filters::*;
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

/// The object a global id names, if the viewer may read it (else absent, like a missing one).
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
