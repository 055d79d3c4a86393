//! The global log: every event in commit order, read in batches after a position.
//!
//! PostgreSQL: positions grow with the inserting transaction's id, and a reader only reads rows
//! of transactions older than the oldest transaction still running that could have inserted
//! into this database's events table ([`HORIZON`]), so it never passes an event whose
//! transaction has not committed yet. SQLite serialises writers,
//! so its positions are commit order already.

use std::sync::Arc;
use std::time::Duration;

use aggregates::metadata::EventMetadata;
use chrono::{DateTime, Utc};
use serde_json::Value;

pub use crate::event::StoredEvent;

use super::tail::Served;
use super::{Backend, Store, StoreError};
use crate::secrets::Authenticity;
use crate::sql::Held;

/// The name (`application_name`) of this system's read side's connections on PostgreSQL.
macro_rules! read_side {
    () => {
        "governance read side"
    };
}

/// The log's horizon on PostgreSQL: rows of transactions below it have all committed or
/// aborted, so a reader may pass them. It is the oldest transaction still running (of the
/// statement's snapshot) that could have inserted into this database's events table: a
/// transaction `pg_stat_activity` (or `pg_prepared_xacts`) shows in another database cannot,
/// so it no longer holds the log back (one left open in any database of a shared cluster
/// froze the read side). Whatever is not positively known to be elsewhere still counts: a
/// transaction that ended meanwhile, or everything when the role may not see other sessions'
/// transaction ids (`pg_read_all_stats` lets it; see ARCHITECTURE.md). Autocommit statements
/// compute it once per statement (an uncorrelated subquery).
///
/// Nor can a transaction of this database's read side ([`READ_SIDE`]: the connections that
/// write read models, checkpoints and the hash chain, which the database refuses an event
/// from), so the projector's batch in progress, or a rebuild's `COPY`, holds back no reader.
pub(crate) const HORIZON: &str = concat!(
    "(SELECT coalesce(
     (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
       WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                          WHERE (a.datid IS DISTINCT FROM
                                 (SELECT oid FROM pg_database WHERE datname = current_database())
                                 OR a.application_name = '",
    read_side!(),
    "')
                            AND a.backend_xid::text = (x::text::numeric % 4294967296)::text)
         AND NOT EXISTS (SELECT 1 FROM pg_prepared_xacts p
                          WHERE p.database <> current_database()
                            AND p.transaction::text = (x::text::numeric % 4294967296)::text)),
     pg_snapshot_xmax(snap.s))
   FROM (SELECT pg_current_snapshot() AS s) AS snap)"
);

/// The `application_name` of the connections that write the read side and never an event
/// (`Store::read_side`); the events table refuses an insert from a session of that name.
pub const READ_SIDE: &str = read_side!();

/// `transaction_id` is below the horizon (see [`HORIZON`]), for the event table `e.`.
pub(crate) fn below_horizon(alias: &str) -> String {
    format!(" AND {alias}transaction_id < {HORIZON}")
}

fn select_postgres() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata, recorded_at
               FROM events
              WHERE position > $1{}
              ORDER BY position
              LIMIT $2",
            below_horizon("")
        )
    })
}

const SELECT_SQLITE: &str = "
SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version,
       payload, metadata, recorded_at
  FROM events
 WHERE position > ?1
 ORDER BY position
 LIMIT ?2";

/// The columns of [`RawEvent`], for queries over the event table (`e` is its alias).
pub(crate) const EVENT_COLUMNS: &str = "e.position, e.aggregate_type, e.aggregate_id, e.sequence, \
    e.event_type, e.event_version, e.payload, e.metadata, e.recorded_at";

/// A row of the event table as the database returns it.
#[derive(sqlx::FromRow)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub(crate) struct RawEvent {
    position: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: Value,
    metadata: Value,
    recorded_at: DateTime<Utc>,
}

impl TryFrom<RawEvent> for StoredEvent {
    type Error = StoreError;

    /// A row as an event; an error for a row whose metadata is not an event's.
    fn try_from(raw: RawEvent) -> Result<Self, StoreError> {
        let event = StoredEvent::read(raw);
        match &event.stored.unreadable {
            Some(unreadable) => Err(StoreError::NotAnEvent {
                position: event.position,
                reason: aggregates::DecodeError::Metadata(unreadable.reason.clone()).to_string(),
            }),
            None => Ok(event),
        }
    }
}

impl StoredEvent {
    /// A row as the log's followers read it: one whose metadata is not an event's is read all
    /// the same, marked (`AsStored::unreadable`), so that it holds back only those that apply
    /// it (they stop at it, named) and not the sealer or the read of the rows behind it.
    pub(crate) fn read(raw: RawEvent) -> Self {
        let (map, metadata, unreadable) = match crate::event::read_metadata(&raw.metadata) {
            Ok((map, metadata)) => (map, metadata, None),
            Err(unreadable) => (
                Default::default(),
                // Never read: `decode` refuses the event first.
                EventMetadata::new(aggregates::metadata::Actor::system())
                    .with_correlation(uuid::Uuid::nil()),
                Some(Box::new(unreadable)),
            ),
        };
        // Most events are stored at their current version: theirs pass through, moved.
        let (event_version, payload, before_upcast) =
            if aggregates::needs_upcast(&raw.event_type, &raw.event_version) {
                let before = Box::new((raw.event_version.clone(), raw.payload.clone()));
                let (version, payload) = aggregates::upcast(
                    &raw.aggregate_type,
                    &raw.aggregate_id,
                    raw.sequence.max(0) as usize,
                    &raw.event_type,
                    &raw.event_version,
                    raw.payload,
                );
                (version, payload, Some(before))
            } else {
                (raw.event_version, raw.payload, None)
            };
        StoredEvent {
            position: raw.position,
            aggregate_type: raw.aggregate_type,
            aggregate_id: raw.aggregate_id,
            sequence: raw.sequence,
            event_type: raw.event_type,
            event_version,
            payload,
            metadata,
            recorded_at: raw.recorded_at,
            stored: crate::event::AsStored {
                metadata: map,
                before_upcast,
                unreadable,
                authenticity: None,
            },
        }
    }
}

impl Store {
    /// Up to `limit` events after `position`, in commit order. An empty answer means nothing
    /// committed is past `position` yet (see [`Store::wait_for_events`]).
    ///
    /// The followers of this process near the log's end share one read of the database
    /// (`tail.rs`): what the tail holds after `position` is served from memory, and a follower
    /// at its end reads the database for all of them, one read at a time. The events are
    /// shared, not copied: every follower gets the same ones.
    pub async fn read_after(
        &self,
        position: i64,
        limit: i64,
    ) -> Result<Vec<Arc<StoredEvent>>, StoreError> {
        let limit = limit.clamp(1, 10_000);
        let served = |tail: &super::tail::Tail| match tail.serve(position, limit as usize) {
            Served::Events(events) if !events.is_empty() => Some(Ok(events)),
            Served::Behind => Some(Err(())),
            _ => None,
        };
        // How many events each read answered, by where from (its count: how many reads).
        let read = |from: &'static str, events: &[Arc<StoredEvent>]| {
            metrics::histogram!("governance_log_read_events", "from" => from)
                .record(events.len() as f64);
        };
        let behind = async || {
            let events = self.read_from_database(position, limit).await?;
            read("database_behind_tail", &events);
            Ok(events)
        };
        // A follower stopped at an event past `position` reads what the database holds now,
        // judged as things stand now: an operator may have removed that row, or adopted it
        // and signed a checkpoint over it, since the tail read it.
        if let Some((at, _)) = self.stopped_at().filter(|(at, _)| *at > position) {
            let events = behind().await?;
            // The tail read that row before: when the database answers otherwise now, the
            // tail is dropped, so that no follower is served it again.
            let held = match self.tail.serve(at - 1, 1) {
                Served::Events(held) => held.into_iter().next(),
                _ => None,
            };
            let now = events.iter().find(|e| e.position >= at);
            if held.is_some_and(|held| held.position == at && now != Some(&held)) {
                self.tail.forget();
            }
            return Ok(events);
        }
        match served(&self.tail) {
            Some(Ok(events)) => {
                read("tail", &events);
                return Ok(events);
            }
            Some(Err(())) => return behind().await,
            None => {}
        }
        let mut reading = self.tail.reading.lock().await;
        // Another follower may have read meanwhile.
        match served(&self.tail) {
            Some(Ok(events)) => {
                read("tail", &events);
                return Ok(events);
            }
            Some(Err(())) => return behind().await,
            None => {}
        }
        let events = self
            .read_from_database_with(position, limit, &mut reading)
            .await?;
        self.tail.extend(position, &events);
        read("database", &events);
        Ok(events)
    }

    /// Whether the database still holds `seen` as the first event after `position`: a
    /// second look, past the tail, at a row the sealer refuses (an operator may have removed
    /// it since the tail read it). When it does not, the tail is dropped, so every follower
    /// reads what the database holds now.
    pub(crate) async fn still_stored(
        &self,
        position: i64,
        seen: &StoredEvent,
    ) -> Result<bool, StoreError> {
        let now = self.read_from_database(position, 1).await?;
        let same = now.first().is_some_and(|event| **event == *seen);
        if !same {
            self.tail.forget();
        }
        Ok(same)
    }

    /// [`Store::read_after`] from the database.
    async fn read_from_database(
        &self,
        position: i64,
        limit: i64,
    ) -> Result<Vec<Arc<StoredEvent>>, StoreError> {
        self.read_from_database_with(position, limit, &mut Held::default())
            .await
    }

    /// [`Store::read_after`] from the database, on PostgreSQL on the connection `held` keeps.
    async fn read_from_database_with(
        &self,
        position: i64,
        limit: i64,
        held: &mut Held,
    ) -> Result<Vec<Arc<StoredEvent>>, StoreError> {
        let rows: Vec<RawEvent> = match &self.backend {
            Backend::Postgres(pool) => {
                let connection = held.connection(pool).await?;
                let outcome = sqlx::query_as(select_postgres())
                    .bind(position)
                    .bind(limit)
                    .fetch_all(connection)
                    .await;
                held.settle(outcome)?
            }
            Backend::Sqlite(pool) => {
                sqlx::query_as(SELECT_SQLITE)
                    .bind(position)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
        };
        // Every event is judged by its authentication code, once for all the followers: the
        // sealer seals by the verdict and the others apply nothing that is not authentic
        // (`StoredEvent::decode`). An event without a code is the server's only where a
        // signed checkpoint of this deployment vouches for it (an earlier version's); one
        // whose code does not verify never is, covered or not, since every code was checked
        // before a checkpoint was signed over it: it was altered since (a rebuild, or a
        // follower reading the log again from its start, would otherwise fold the change).
        let vouched = self.vouched();
        let secrets = self.secrets.as_deref();
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut event = StoredEvent::read(row);
                if let Some(secrets) = secrets {
                    let verdict = secrets.authenticate(&event.as_stored());
                    // Uncoded yet vouched for: not judged (`AsStored::authenticity`).
                    event.stored.authenticity = (verdict == Authenticity::Authentic
                        || !verdict.is_the_servers(event.position, vouched))
                    .then_some(verdict);
                }
                Arc::new(event)
            })
            .collect())
    }

    /// Waits until new events may have committed (a commit through this store, a PostgreSQL
    /// notification from any process) or `timeout` passes; a poll at the timeout covers
    /// writers this process cannot hear (another process on the SQLite file).
    pub async fn wait_for_events(
        &self,
        seen: &mut tokio::sync::watch::Receiver<u64>,
        timeout: Duration,
    ) {
        let _ = tokio::time::timeout(timeout, seen.changed()).await;
    }

    /// Like [`Store::wait_for_events`], for a follower of the log that has reached `reached`:
    /// when events past it are committed but not yet readable (on PostgreSQL an older
    /// transaction is still running, see `read_after`), they become readable without any new
    /// commit to signal it, so it waits for the next commit of this process (usually the
    /// transaction that held them back), a millisecond at most, before the follower reads
    /// again.
    /// Whether there are such events is known without asking when this process appended them;
    /// the database is asked only while other processes are appending (their notifications
    /// arrived lately), else the follower waits for the next commit.
    ///
    /// A wake-up for events the follower has read already (they committed while it read: a
    /// commit signals after its events may have been read) is not news: it waits on, unless
    /// other processes append (their events are known only by reading). Without this, at 16
    /// writers a quarter to a third of the followers' reads of the database found nothing.
    pub async fn wait_past(
        &self,
        seen: &mut tokio::sync::watch::Receiver<u64>,
        reached: i64,
        timeout: Duration,
    ) {
        let others = || self.heard_from_others_within(Duration::from_secs(2));
        let pending = self.appended_up_to() > reached
            || (others() && matches!(self.head_position().await, Ok(head) if head > reached));
        if pending {
            // What holds them back is usually another transaction of this process (a group
            // append in flight): its commit wakes the follower, else a millisecond does.
            return self.wait_for_events(seen, Duration::from_millis(1)).await;
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, seen.changed()).await {
                Ok(Ok(())) if self.appended_up_to() <= reached && !others() => continue,
                _ => return,
            }
        }
    }

    /// The highest position committed so far (0 for an empty log).
    pub async fn head_position(&self) -> Result<i64, StoreError> {
        let sql = "SELECT coalesce(max(position), 0) FROM events";
        Ok(match &self.backend {
            Backend::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            Backend::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        })
    }

    /// The number of events stored (committed and visible).
    pub async fn count_events(&self) -> Result<i64, StoreError> {
        Ok(match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query_scalar("SELECT count(*) FROM events")
                    .fetch_one(pool)
                    .await?
            }
            Backend::Sqlite(pool) => {
                sqlx::query_scalar("SELECT count(*) FROM events")
                    .fetch_one(pool)
                    .await?
            }
        })
    }
}

/// A transaction of this database that holds the log back: while it runs, readers wait at
/// its transaction id (PostgreSQL).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldBack {
    /// The backend's process id (0 for a prepared transaction).
    pub pid: i32,
    pub database: String,
    /// How long the transaction has been open.
    pub age: Duration,
    /// What the session is doing (`idle in transaction`, `active`, `prepared`).
    pub state: String,
}

impl Store {
    /// The transactions of this database (other than this session's and the read side's) that
    /// have written, or otherwise taken a transaction id, and stayed open longer than
    /// `longer_than`: they hold the log back (none on SQLite, whose writers are serialised).
    pub async fn held_back_by(&self, longer_than: Duration) -> Result<Vec<HeldBack>, StoreError> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(vec![]);
        };
        let rows: Vec<(i32, String, f64, String)> = sqlx::query_as(
            "SELECT pid, datname::text, extract(epoch FROM clock_timestamp() - xact_start)::float8,
                    coalesce(state, '')
               FROM pg_stat_activity
              WHERE datname = current_database() AND backend_xid IS NOT NULL
                AND pid <> pg_backend_pid() AND application_name <> $2
                AND xact_start < clock_timestamp() - make_interval(secs => $1)
             UNION ALL
             SELECT 0, database::text, extract(epoch FROM clock_timestamp() - prepared)::float8,
                    'prepared'
               FROM pg_prepared_xacts
              WHERE database = current_database()
                AND prepared < clock_timestamp() - make_interval(secs => $1)
              ORDER BY 3 DESC",
        )
        .bind(longer_than.as_secs_f64())
        .bind(READ_SIDE)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(pid, database, age, state)| HeldBack {
                pid,
                database,
                age: Duration::from_secs_f64(age.max(0.0)),
                state,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::event_hash;
    use crate::store::ExportedEvent;

    /// The sealer hashes the events the log's readers share: each must hash as its row as
    /// stored (what `verify` and an export hash), upcast or not.
    #[test]
    fn a_read_event_hashes_as_its_stored_row() {
        let metadata = serde_json::json!({
            "actor_id": "u-1", "actor_role": "PLATFORM_ADMINISTRATOR",
            "correlation_id": "0b6f5c1e-8f63-4bd4-9d1b-5a3f8f2b6a11", "zeta": "\u{20ac} \"q\"",
        });
        let rows = [
            // Stays as stored.
            (
                "Organization",
                "OrganizationRenamed",
                "1",
                serde_json::json!({"OrganizationRenamed": {"name": "Centro \"A\" \u{1}", "b": [1, {"z": null, "a": 2.5}]}}),
            ),
            // Upcast when read: its version and payload change.
            (
                "Meeting",
                "MeetingScheduled",
                "1",
                serde_json::json!({"MeetingScheduled": {"title": "Tavolo", "place": " Sala 1 "}}),
            ),
        ];
        for (aggregate_type, event_type, version, payload) in rows {
            assert_eq!(
                aggregates::needs_upcast(event_type, version),
                event_type == "MeetingScheduled"
            );
            // One row, as an export and as the log's reader see it.
            let row = serde_json::json!({
                "position": 9, "aggregate_type": aggregate_type, "aggregate_id": "a-1",
                "sequence": 1, "event_type": event_type, "event_version": version,
                "payload": payload, "metadata": metadata,
                "recorded_at": "2026-01-02T03:04:05.123456Z",
            });
            let exported: ExportedEvent = serde_json::from_value(row.clone()).unwrap();
            let read =
                StoredEvent::try_from(serde_json::from_value::<RawEvent>(row).unwrap()).unwrap();
            assert_eq!(
                (
                    read.event_version != version,
                    read.payload != exported.payload
                ),
                (
                    event_type == "MeetingScheduled",
                    event_type == "MeetingScheduled"
                ),
                "{event_type}: upcast only when an upcaster applies"
            );
            assert_eq!(
                event_hash(&[7; 32], &read.as_stored()),
                event_hash(&[7; 32], &exported.as_stored()),
                "{event_type}"
            );
        }
    }
}
