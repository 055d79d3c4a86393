//! The PostgreSQL event repository the command service uses: postgres-es for reading an
//! aggregate's events, and an append of our own. postgres-es appends with `BEGIN`, one
//! `INSERT` per event, `COMMIT`, and the command service then asked for the positions the
//! trigger assigned: four round trips or more, with a transaction open across three of them
//! (an open transaction holds back every reader of the global log, which only reads below the
//! oldest running transaction). Here a command's events go in one `INSERT … SELECT FROM
//! unnest … RETURNING`: one round trip, atomic on its own, answering the positions.
//! A duplicate (aggregate, sequence) is still a unique violation, still reported as the
//! optimistic-lock conflict the command service retries.
//!
//! Group commit: the appends of concurrent commands (on different aggregates: one aggregate's
//! commands queue in its lane) go in one such statement, one transaction, instead of one
//! each ([`Appender`]): a transaction's fixed cost (round trip, commit record, the flush with
//! `fsync` on) is paid once for the group. Should the group's statement fail (one command's
//! conflict or reused idempotency key fails them all), each command is appended on its own,
//! so each gets its own outcome.

use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use postgres_es::PostgresEventRepository;
use serde_json::Value;

use crate::sql::Held;

/// postgres-es for reads (the [`Appender`]'s, built once); appends through the store's
/// [`Appender`]. The positions of the last append are left in `appended` for the command
/// service.
pub(crate) struct PostgresLog {
    appender: Arc<Appender>,
    appended: Arc<Mutex<Option<Vec<i64>>>>,
}

impl PostgresLog {
    pub(crate) fn new(appender: Arc<Appender>, appended: Arc<Mutex<Option<Vec<i64>>>>) -> Self {
        Self { appender, appended }
    }
}

/// One command's events waiting to be appended, and where its outcome goes.
struct Request {
    events: Vec<SerializedEvent>,
    reply: oneshot::Sender<Result<Vec<i64>, PersistenceError>>,
}

/// How many commands one group commit takes at most.
const GROUP_MAX: usize = 64;
/// How many group commits may be on their way at once (each appender keeps a connection).
const APPENDERS: usize = 2;

/// Appends the events of concurrent commands in groups: whatever is queued when an appender
/// is free goes in one statement. Stops when the store is dropped.
pub(crate) struct Appender {
    queue: mpsc::UnboundedSender<Request>,
    /// postgres-es's repository, for reading an aggregate's events: built once, not per
    /// command (its constructor formats its ten statements, 0.7% of the server's CPU at 16
    /// writers in the benchmark's profile, when every command built two).
    reader: PostgresEventRepository,
}

impl Appender {
    pub(crate) fn spawn(pool: sqlx::PgPool) -> Self {
        let (queue, receiver) = mpsc::unbounded_channel::<Request>();
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        for _ in 0..APPENDERS {
            let (pool, receiver) = (pool.clone(), receiver.clone());
            tokio::spawn(async move {
                let mut held = Held::default();
                loop {
                    let mut group = Vec::new();
                    {
                        let mut receiver = receiver.lock().await;
                        match receiver.recv().await {
                            Some(first) => group.push(first),
                            None => return,
                        }
                        while group.len() < GROUP_MAX {
                            match receiver.try_recv() {
                                Ok(next) => group.push(next),
                                Err(_) => break,
                            }
                        }
                    }
                    commit_group(&pool, &mut held, group).await;
                }
            });
        }
        Self {
            queue,
            reader: PostgresEventRepository::new(pool),
        }
    }

    /// Appends one command's events (in one transaction with those of other commands, or
    /// alone); answers their positions.
    async fn append(&self, events: &[SerializedEvent]) -> Result<Vec<i64>, PersistenceError> {
        if events.is_empty() {
            return Ok(vec![]);
        }
        let (reply, outcome) = oneshot::channel();
        let request = Request {
            events: events.to_vec(),
            reply,
        };
        if self.queue.send(request).is_err() {
            return Err(PersistenceError::UnknownError(
                "the appender has stopped".into(),
            ));
        }
        outcome.await.unwrap_or_else(|_| {
            Err(PersistenceError::UnknownError(
                "the append was abandoned".into(),
            ))
        })
    }
}

/// One statement for the whole group; if it fails, each command on its own.
async fn commit_group(pool: &sqlx::PgPool, held: &mut Held, group: Vec<Request>) {
    metrics::histogram!("governance_append_group_commands").record(group.len() as f64);
    if group.len() > 1 {
        let events: Vec<&SerializedEvent> = group.iter().flat_map(|r| &r.events).collect();
        if let Ok(positions) = insert(pool, held, &events).await {
            let mut positions = positions.into_iter();
            for request in group {
                let mine: Vec<i64> = positions.by_ref().take(request.events.len()).collect();
                let _ = request.reply.send(Ok(mine));
            }
            return;
        }
    }
    for request in group {
        let events: Vec<&SerializedEvent> = request.events.iter().collect();
        let _ = request.reply.send(insert(pool, held, &events).await);
    }
}

/// Inserts `events` in one statement, in their order (positions, assigned per row by the
/// trigger, grow with it); answers each event's position, in the same order.
async fn insert(
    pool: &sqlx::PgPool,
    held: &mut Held,
    events: &[&SerializedEvent],
) -> Result<Vec<i64>, PersistenceError> {
    let texts = |f: fn(&SerializedEvent) -> &String| -> Vec<&str> {
        events.iter().map(|e| f(e).as_str()).collect()
    };
    // WITH ORDINALITY … ORDER BY: rows are inserted in the given order.
    let connection = held.connection(pool).await.map_err(persistence_error)?;
    let outcome = sqlx::query_as(
        "WITH x AS (
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                  $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS x(t, i, s, e, v, p, m, o)
         ), inserted AS (
             INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type,
                                 event_version, payload, metadata)
             SELECT t, i, s, e, v, p, m FROM x ORDER BY o
             RETURNING aggregate_type, aggregate_id, sequence, position
         )
         SELECT x.o, inserted.position FROM inserted
           JOIN x ON x.t = inserted.aggregate_type AND x.i = inserted.aggregate_id
                 AND x.s = inserted.sequence",
    )
    .bind(texts(|e| &e.aggregate_type))
    .bind(texts(|e| &e.aggregate_id))
    .bind(events.iter().map(|e| e.sequence as i64).collect::<Vec<_>>())
    .bind(texts(|e| &e.event_type))
    .bind(texts(|e| &e.event_version))
    .bind(events.iter().map(|e| &e.payload).collect::<Vec<&Value>>())
    .bind(events.iter().map(|e| &e.metadata).collect::<Vec<&Value>>())
    .fetch_all(connection)
    .await;
    let mut rows: Vec<(i64, i64)> = held.settle(outcome).map_err(persistence_error)?;
    rows.sort_unstable();
    Ok(rows.into_iter().map(|(_, position)| position).collect())
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
        self.appender.reader.get_events::<A>(aggregate_id).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.appender
            .reader
            .get_last_events::<A>(aggregate_id, last_sequence)
            .await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        self.appender.reader.get_snapshot::<A>(aggregate_id).await
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            // Snapshots are not used (see ENGINEERING.md); should they ever be, postgres-es
            // writes them with the events in its own transaction.
            return self
                .appender
                .reader
                .persist::<A>(events, snapshot_update)
                .await;
        }
        let positions = self.appender.append(events).await?;
        *self.appended.lock().unwrap_or_else(|e| e.into_inner()) = Some(positions);
        Ok(())
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        self.appender.reader.stream_events::<A>(aggregate_id).await
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.appender.reader.stream_all_events::<A>().await
    }
}
