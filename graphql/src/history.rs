//! The GraphQL objects of history entries (the typed timeline and audit log).

use crate::prelude::*;
use crate::scalars::Position;

/// What every history entry says besides its typed payload: the event as read, and the
/// payload shown when it differs from the stored one (a member's figures withheld).
pub struct EntryCommon {
    event: Arc<StoredEvent>,
    shown: Option<serde_json::Value>,
}

impl EntryCommon {
    /// The payload as shown to this reader.
    fn payload(&self) -> &serde_json::Value {
        self.shown.as_ref().unwrap_or(&self.event.payload)
    }

    /// The typed payload, read when asked for (most pages select only the common fields). An
    /// event the API cannot type is a defect of ours, not of the client: logged with its
    /// position, masked for the client.
    fn typed<T: serde::de::DeserializeOwned + crate::personal::Bind>(&self) -> ApiResult<T> {
        let payload = self.payload();
        let inner = payload.get(&self.event.event_type).unwrap_or(payload);
        let mut typed = T::deserialize(inner).map_err(|error| {
            tracing::error!(position = self.event.position, %error,
                "event payload does not fit its GraphQL type");
            async_graphql::Error::new("internal error")
        })?;
        typed.bind(&self.event.aggregate_id);
        Ok(typed)
    }
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
            }

            #[doc = $desc]
            #[Object]
            impl $entry {
                /// The event's global position (also its cursor).
                async fn position(&self) -> Position {
                    Position(self.common.event.position)
                }
                /// The event type, e.g. ProtocolSigned.
                async fn event_type(&self) -> &str {
                    &self.common.event.event_type
                }
                /// The event's version (after upcasting to the current one).
                async fn event_version(&self) -> &str {
                    &self.common.event.event_version
                }
                /// The aggregate type.
                async fn aggregate_type(&self) -> &str {
                    &self.common.event.aggregate_type
                }
                /// The global id of the aggregate (the object) the event belongs to.
                async fn aggregate_id(&self) -> ID {
                    ID(aggregates::ids::global_id(
                        &self.common.event.aggregate_type,
                        &self.common.event.aggregate_id,
                    ))
                }
                /// Who caused it: the subject its token was issued to.
                async fn actor(&self, ctx: &Context<'_>) -> ApiResult<String> {
                    actor_shown(ctx, &self.common.event.metadata.actor.id).await
                }
                /// The actor as recorded (`token:<id>` for an API token): what the audit log's
                /// `actor` filter takes.
                async fn actor_id(&self) -> &str {
                    &self.common.event.metadata.actor.id
                }
                /// The role the actor acted in.
                async fn role(&self) -> Role {
                    self.common.event.metadata.actor.role.into()
                }
                /// The global id of the organization the actor acted for.
                async fn acting_for(&self) -> Option<ID> {
                    self.common
                        .event
                        .metadata
                        .actor
                        .organization
                        .map(|o| global_id(NodeKind::Organization, o))
                }
                /// When it was recorded.
                async fn recorded_at(&self) -> DateTime<Utc> {
                    self.common.event.recorded_at
                }
                /// The business date it took effect on, where one applies.
                async fn effective_on(&self) -> Option<Date> {
                    self.common.event.metadata.business_date.map(Date)
                }
                /// Shared by every event one request caused.
                async fn correlation_id(&self) -> String {
                    self.common.event.metadata.correlation_id.to_string()
                }
                /// Whether a server of this deployment appended the event as it reads now:
                /// its authentication code verifies under the deployment secret (or, for an
                /// event of a version before codes, a signed checkpoint covers it). False
                /// for a row put in the log by other means, or altered since: no read model
                /// applies it (see `integrity { sealingStoppedAt }`) and `governance verify`
                /// names it. Null when this server has no deployment secret to judge with.
                async fn authentic(&self, ctx: &Context<'_>) -> Option<bool> {
                    ctx.data_unchecked::<ApiState>().store.appended_here(&self.common.event)
                }
                /// The payload as stored (JSON, ids as the bare UUIDs recorded), for generic
                /// clients and for checking the chain's hashes.
                async fn payload_json(&self) -> crate::scalars::Json {
                    crate::scalars::Json(self.common.payload().clone())
                }
                /// The event's data, typed.
                async fn payload(&self) -> ApiResult<$payload> {
                    self.common.typed()
                }
            }
        )+

        /// One entry of a history: an event, who caused it, when; each event type is its own
        /// object with a typed `payload`.
        #[derive(Interface)]
        #[graphql(
            field(name = "position", ty = "Position", desc = "The event's global position (also its cursor)."),
            field(name = "event_type", ty = "&str", desc = "The event type, e.g. ProtocolSigned."),
            field(name = "event_version", ty = "&str", desc = "The event's version (after upcasting to the current one)."),
            field(name = "aggregate_type", ty = "&str", desc = "The aggregate type."),
            field(name = "aggregate_id", ty = "ID", desc = "The global id of the aggregate (the object) the event belongs to."),
            field(name = "actor", ty = "ApiResult<String>", desc = "Who caused it: the subject its token was issued to."),
            field(name = "actor_id", ty = "&str", desc = "The actor as recorded (`token:<id>` for an API token): what the audit log's `actor` filter takes."),
            field(name = "role", ty = "Role", desc = "The role the actor acted in."),
            field(name = "acting_for", ty = "Option<ID>", desc = "The global id of the organization the actor acted for."),
            field(name = "recorded_at", ty = "DateTime<Utc>", desc = "When it was recorded."),
            field(name = "effective_on", ty = "Option<Date>", desc = "The business date it took effect on, where one applies."),
            field(name = "correlation_id", ty = "String", desc = "Shared by every event one request caused."),
            field(name = "authentic", ty = "Option<bool>", desc = "Whether a server of this deployment appended the event as it reads now: its authentication code verifies under the deployment secret (or, for an event of a version before codes, a signed checkpoint covers it). False for a row put in the log by other means, or altered since: no read model applies it (see `integrity { sealingStoppedAt }`) and `governance verify` names it. Null when this server has no deployment secret to judge with."),
            field(name = "payload_json", ty = "crate::scalars::Json", desc = "The payload as stored (JSON, ids as the bare UUIDs recorded), for generic clients and for checking the chain's hashes.")
        )]
        pub enum HistoryEntry {
            $($event($entry)),+
        }

        impl HistoryEntry {
            pub(crate) fn typed(common: EntryCommon) -> Result<Self, String> {
                match common.event.event_type.as_str() {
                    $(stringify!($event) => Ok(HistoryEntry::$event($entry { common })),)+
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
use crate::pagination::{position_cursor, Counted};
use async_graphql::connection::{Connection, Edge};
use async_graphql::Interface;
pub use payloads::{retyped, HistoryEntry, TYPED_EVENTS};
use projections::store::StoredEvent;
use std::collections::HashMap;
use std::sync::Arc;

use crate::state::ApiState;

impl HistoryEntry {
    /// The entry of `event` as `principal` may see it (a member's raw figures withheld from
    /// others than that member, auditors and administrators).
    pub(crate) fn seen_by(
        principal: &crate::auth::Principal,
        event: Arc<StoredEvent>,
    ) -> ApiResult<Self> {
        let shown = withheld_figures(principal, &event);
        HistoryEntry::shown(event, shown)
    }

    /// The entry of `event`, showing `shown` instead of its payload when given.
    fn shown(event: Arc<StoredEvent>, shown: Option<serde_json::Value>) -> ApiResult<Self> {
        let position = event.position;
        HistoryEntry::typed(EntryCommon { event, shown }).map_err(|message| {
            // An event type the API does not know is a defect of ours: logged, masked.
            tracing::error!(position, %message, "event type without a GraphQL type");
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
            return Err(crate::errors::client_error_for(
                "PAGE_TOO_LARGE",
                format!("`{name}` must be between 0 and {MAX_PAGE}"),
                name,
            ));
        }
    }
    let after = position_cursor("after", after.as_deref())?;
    let before = position_cursor("before", before.as_deref())?;
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
    let principal = crate::viewer::viewer(ctx).principal();
    for e in events {
        connection
            .edges
            .push(Edge::new(e.position, HistoryEntry::seen_by(principal, e)?));
    }
    Ok(connection)
}

/// A member's raw figures (an indicator set's submissions and corrections) are for that
/// member, auditors and administrators: anyone else reading the history sees the event with
/// its `figures` empty, and reads the network's figures through the suppressed tables.
fn withheld_figures(
    principal: &crate::auth::Principal,
    e: &StoredEvent,
) -> Option<serde_json::Value> {
    if e.aggregate_type != "IndicatorSet"
        || !matches!(
            e.event_type.as_str(),
            "FiguresSubmitted" | "FiguresCorrected"
        )
        || principal.reads_everything()
    {
        return None;
    }
    let inner = e.payload.get(&e.event_type).unwrap_or(&e.payload);
    let own = inner
        .get("organization")
        .and_then(|o| o.as_str())
        .and_then(|o| o.parse().ok())
        .is_some_and(|o| principal.represents(aggregates::ids::OrganizationId(o)));
    if own || inner.get("figures").is_none() {
        return None;
    }
    let mut shown = e.payload.clone();
    let inner = match shown.get_mut(&e.event_type) {
        Some(inner) => inner,
        None => &mut shown,
    };
    if let Some(figures) = inner.get_mut("figures") {
        *figures = serde_json::Value::Array(vec![]);
    }
    Some(shown)
}

/// Whose history a timeline is, for the access check: a network's entity (readable by who
/// reads the network in full) or an organization (its history spans networks: auditors,
/// administrators and its own referents).
pub(crate) enum Scope {
    Network(aggregates::ids::NetworkId),
    Organization(aggregates::ids::OrganizationId),
}

pub(crate) async fn timeline(
    ctx: &Context<'_>,
    kind: views::Kind,
    id: &str,
    scope: Scope,
    (after, before): (Option<String>, Option<String>),
    (first, last): (Option<i32>, Option<i32>),
) -> ApiResult<Option<HistoryConnection>> {
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
    history(ctx, History::Timeline(kind, id), after, before, first, last)
        .await
        .map(Some)
}

/// The subjects API tokens were issued to, read once per request (the actor of an event caused
/// through an API token is recorded as `token:<id>`).
#[derive(Default)]
pub(crate) struct TokenSubjects(tokio::sync::OnceCell<HashMap<String, String>>);

/// The actor shown for one recorded as `recorded`: a token's subject, else as recorded.
async fn actor_shown(ctx: &Context<'_>, recorded: &str) -> ApiResult<String> {
    let Some(token) = recorded.strip_prefix("token:") else {
        return Ok(recorded.to_owned());
    };
    let load = || async {
        let tokens = ctx.data_unchecked::<ApiState>().store.tokens().await;
        let tokens = tokens.map_err(|e| async_graphql::Error::new(e.to_string()))?;
        Ok::<_, async_graphql::Error>(
            tokens
                .into_iter()
                .map(|t| (t.id, t.subject))
                .collect::<HashMap<_, _>>(),
        )
    };
    let fresh;
    let subjects = match ctx.data_opt::<TokenSubjects>() {
        Some(cache) => cache.0.get_or_try_init(load).await?,
        None => {
            fresh = load().await?;
            &fresh
        }
    };
    Ok(subjects
        .get(token)
        .cloned()
        .unwrap_or_else(|| recorded.to_owned()))
}
