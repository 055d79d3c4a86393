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
use sqlx::Row;

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

fn to_event(
    position: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: Value,
    metadata: Value,
    recorded_at: DateTime<Utc>,
) -> Result<StoredEvent, StoreError> {
    let map = serde_json::from_value(metadata)
        .map_err(|e| StoreError::Corrupt(format!("metadata at position {position}: {e}")))?;
    let metadata = EventMetadata::from_map(&map)
        .map_err(|e| StoreError::Corrupt(format!("metadata at position {position}: {e}")))?;
    let (event_version, payload) = aggregates::upcast(
        &aggregate_type,
        &aggregate_id,
        sequence as usize,
        &event_type,
        &event_version,
        payload,
    );
    Ok(StoredEvent {
        position,
        aggregate_type,
        aggregate_id,
        sequence,
        event_type,
        event_version,
        payload,
        metadata,
        recorded_at,
    })
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
        match &self.backend {
            Backend::Postgres(pool) => {
                let rows = sqlx::query(SELECT_POSTGRES)
                    .bind(position)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        to_event(
                            r.try_get("position")?,
                            r.try_get("aggregate_type")?,
                            r.try_get("aggregate_id")?,
                            r.try_get("sequence")?,
                            r.try_get("event_type")?,
                            r.try_get("event_version")?,
                            r.try_get("payload")?,
                            r.try_get("metadata")?,
                            r.try_get("recorded_at")?,
                        )
                    })
                    .collect()
            }
            Backend::Sqlite(pool) => {
                let rows = sqlx::query(SELECT_SQLITE)
                    .bind(position)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        to_event(
                            r.try_get("position")?,
                            r.try_get("aggregate_type")?,
                            r.try_get("aggregate_id")?,
                            r.try_get("sequence")?,
                            r.try_get("event_type")?,
                            r.try_get("event_version")?,
                            r.try_get("payload")?,
                            r.try_get("metadata")?,
                            r.try_get("recorded_at")?,
                        )
                    })
                    .collect()
            }
        }
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
