//! The global log: every event in commit order, read in batches after a position.
//!
//! PostgreSQL: positions grow with the inserting transaction's id, and a reader only reads rows
//! of transactions older than the oldest transaction still running (`pg_snapshot_xmin`), so it
//! never passes an event whose transaction has not committed yet. SQLite serialises writers,
//! so its positions are commit order already.

use std::time::Duration;

use aggregates::metadata::EventMetadata;
use aggregates::{AnyEvent, DecodeError};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Backend, Store, StoreError};

/// One event of the global log, upcast to its current version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    /// The version after upcasting (the stored one may be older).
    pub event_version: String,
    pub payload: Value,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
}

impl StoredEvent {
    pub fn decode(&self) -> Result<AnyEvent, DecodeError> {
        AnyEvent::decode(&self.aggregate_type, self.payload.clone())
    }
}

const SELECT_POSTGRES: &str = "
SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version,
       payload, metadata, recorded_at
  FROM events
 WHERE position > $1
   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY position
 LIMIT $2";

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

    fn try_from(raw: RawEvent) -> Result<Self, StoreError> {
        let position = raw.position;
        let corrupt =
            |e: String| StoreError::Corrupt(format!("metadata at position {position}: {e}"));
        let map = serde_json::from_value(raw.metadata).map_err(|e| corrupt(e.to_string()))?;
        let metadata = EventMetadata::from_map(&map).map_err(|e| corrupt(e.to_string()))?;
        let (event_version, payload) = aggregates::upcast(
            &raw.aggregate_type,
            &raw.aggregate_id,
            raw.sequence as usize,
            &raw.event_type,
            &raw.event_version,
            raw.payload,
        );
        Ok(StoredEvent {
            position,
            aggregate_type: raw.aggregate_type,
            aggregate_id: raw.aggregate_id,
            sequence: raw.sequence,
            event_type: raw.event_type,
            event_version,
            payload,
            metadata,
            recorded_at: raw.recorded_at,
        })
    }
}

impl Store {
    /// Up to `limit` events after `position`, in commit order. An empty answer means nothing
    /// committed is past `position` yet (see [`Store::wait_for_events`]).
    pub async fn read_after(
        &self,
        position: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let limit = limit.clamp(1, 10_000);
        let rows: Vec<RawEvent> = match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query_as(SELECT_POSTGRES)
                    .bind(position)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
            Backend::Sqlite(pool) => {
                sqlx::query_as(SELECT_SQLITE)
                    .bind(position)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
        };
        rows.into_iter().map(StoredEvent::try_from).collect()
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
    /// commit to signal it, so it only pauses a millisecond before the follower reads again.
    pub async fn wait_past(
        &self,
        seen: &mut tokio::sync::watch::Receiver<u64>,
        reached: i64,
        timeout: Duration,
    ) {
        match self.head_position().await {
            Ok(head) if head > reached => tokio::time::sleep(Duration::from_millis(1)).await,
            _ => self.wait_for_events(seen, timeout).await,
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
