//! The PostgreSQL event repository the command service uses: postgres-es for reading an
//! aggregate's events, and an append of our own. postgres-es appends with `BEGIN`, one
//! `INSERT` per event, `COMMIT`, and the command service then asked for the positions the
//! trigger assigned: four round trips or more, with a transaction open across three of them
//! (an open transaction holds back every reader of the global log, which only reads below the
//! oldest running transaction). Here a command's events go in one `INSERT … SELECT FROM
//! unnest … RETURNING`: one round trip, atomic on its own, answering the positions.
//! A duplicate (aggregate, sequence) is still a unique violation, still reported as the
//! optimistic-lock conflict the command service retries.

use std::sync::{Arc, Mutex};

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use postgres_es::PostgresEventRepository;
use serde_json::Value;

/// postgres-es for reads; one statement per append. The positions of the last append are left
/// in `appended` for the command service.
pub(crate) struct PostgresLog {
    inner: PostgresEventRepository,
    pool: sqlx::PgPool,
    appended: Arc<Mutex<Option<Vec<i64>>>>,
}

impl PostgresLog {
    pub(crate) fn new(pool: sqlx::PgPool, appended: Arc<Mutex<Option<Vec<i64>>>>) -> Self {
        Self {
            inner: PostgresEventRepository::new(pool.clone()),
            pool,
            appended,
        }
    }

    async fn append(&self, events: &[SerializedEvent]) -> Result<Vec<i64>, PersistenceError> {
        if events.is_empty() {
            return Ok(vec![]);
        }
        let texts = |f: fn(&SerializedEvent) -> &String| -> Vec<&str> {
            events.iter().map(|e| f(e).as_str()).collect()
        };
        // WITH ORDINALITY … ORDER BY: rows are inserted in the command's order, so positions
        // (assigned per row by the trigger) grow with sequences.
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type,
                                 event_version, payload, metadata)
             SELECT t, i, s, e, v, p, m
               FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                           $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS x(t, i, s, e, v, p, m, o)
              ORDER BY o
             RETURNING sequence, position",
        )
        .bind(texts(|e| &e.aggregate_type))
        .bind(texts(|e| &e.aggregate_id))
        .bind(events.iter().map(|e| e.sequence as i64).collect::<Vec<_>>())
        .bind(texts(|e| &e.event_type))
        .bind(texts(|e| &e.event_version))
        .bind(events.iter().map(|e| &e.payload).collect::<Vec<&Value>>())
        .bind(events.iter().map(|e| &e.metadata).collect::<Vec<&Value>>())
        .fetch_all(&self.pool)
        .await
        .map_err(persistence_error)?;
        let mut rows = rows;
        rows.sort_unstable();
        Ok(rows.into_iter().map(|(_, position)| position).collect())
    }
}

/// The mapping postgres-es applies: a unique violation is a concurrent append (or a reused
/// idempotency key, which the command service tells apart).
fn persistence_error(error: sqlx::Error) -> PersistenceError {
    match &error {
        sqlx::Error::Database(e) if e.code().as_deref() == Some("23505") => {
            PersistenceError::OptimisticLockError
        }
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut => {
            PersistenceError::ConnectionError(Box::new(error))
        }
        _ => PersistenceError::UnknownError(Box::new(error)),
    }
}

impl PersistedEventRepository for PostgresLog {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner.get_events::<A>(aggregate_id).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner
            .get_last_events::<A>(aggregate_id, last_sequence)
            .await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        self.inner.get_snapshot::<A>(aggregate_id).await
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            // Snapshots are not used (see ENGINEERING.md); should they ever be, postgres-es
            // writes them with the events in its own transaction.
            return self.inner.persist::<A>(events, snapshot_update).await;
        }
        let positions = self.append(events).await?;
        *self.appended.lock().unwrap_or_else(|e| e.into_inner()) = Some(positions);
        Ok(())
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_events::<A>(aggregate_id).await
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_all_events::<A>().await
    }
}
