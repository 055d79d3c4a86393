//! The command service: the one way every caller changes anything. It loads the aggregate,
//! lets it decide, appends the events with their metadata, retries on a concurrent write,
//! honours idempotency keys, and answers with the global positions it wrote.

use std::fmt::Debug;
use std::time::Duration;

use aggregates::metadata::{keys, EventMetadata};
use aggregates::Services;
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{EventStoreAggregateContext, PersistedEventRepository, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateError, EventStore};
use sqlite_es::SqliteEventRepository;

use super::append::PostgresLog;
use super::authenticate::Authenticating;
use super::{Backend, Store, StoreError};

/// Where the PostgreSQL append leaves the positions it wrote.
type Appended = std::sync::Arc<std::sync::Mutex<Option<Vec<i64>>>>;

/// How the command service behaves.
#[derive(Debug, Clone, Copy)]
pub struct CommandOptions {
    /// How long a command keeps retrying when another process appended to its aggregate
    /// first (each retry on a fresh load, after a growing, jittered pause). In one process
    /// commands on one aggregate queue instead (see `lanes`), so only writers in other
    /// processes on the same PostgreSQL database cause retries.
    pub conflict_deadline: Duration,
}

impl Default for CommandOptions {
    fn default() -> Self {
        Self {
            conflict_deadline: Duration::from_secs(10),
        }
    }
}

impl CommandOptions {
    /// The pauses between attempts: exponential from 1 ms to 100 ms, with full jitter, so
    /// that writers of several processes do not retry in step.
    fn pauses(&self) -> impl Iterator<Item = Duration> {
        use backon::BackoffBuilder;
        backon::ExponentialBuilder::new()
            .with_min_delay(Duration::from_millis(1))
            .with_max_delay(Duration::from_millis(100))
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// The global positions of the events written, in order (empty for a no-op).
    pub positions: Vec<i64>,
    /// True when an idempotency key matched an earlier execution: nothing was written now.
    pub replayed: bool,
}

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The domain refused it; nothing was written.
    #[error(transparent)]
    Domain(E),
    /// Writers in other processes kept changing the aggregate until the conflict deadline;
    /// nothing was written.
    #[error("the record was changed by someone else {attempts} times in a row; please try again")]
    Conflict { attempts: u32 },
    /// The idempotency key was used before with a different command.
    #[error("this idempotency key was already used for a different command")]
    IdempotencyKeyReused,
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(StoreError),
}

/// What an idempotency key is bound to: the client's request when the caller names it (see
/// [`Store::execute_request`]), else the command. A keyed MAC under the deployment secret (a
/// request may hold personal data: an unkeyed hash of it would confirm a guess offline).
fn fingerprint<A: Aggregate>(
    secrets: &crate::secrets::Secrets,
    id: &str,
    command: &A::Command,
    request: Option<&str>,
) -> String
where
    A::Command: aggregates::DomainCommand + Debug,
{
    match request {
        Some(request) => secrets.fingerprint(&[
            A::TYPE.as_bytes(),
            id.as_bytes(),
            b"request",
            request.as_bytes(),
        ]),
        None => secrets.fingerprint(&[
            A::TYPE.as_bytes(),
            id.as_bytes(),
            b"command",
            // (Serialising fails only for maps with non-string keys, which no command has.)
            &serde_json::to_vec(command).unwrap_or_else(|_| format!("{command:?}").into_bytes()),
        ]),
    }
}

/// The advisory lock key that serialises commands checking unique values (tax codes).
const UNIQUE_VALUES_LOCK: i64 = 0x0067_6f76_5f74_6178; // "gov_tax"

impl Store {
    /// Executes `command` on the aggregate `id` of type `A`, recording `metadata` on every
    /// event it causes. An idempotency key in `metadata` is bound to the command: the same key
    /// with the same command replays the first outcome.
    pub async fn execute<A>(
        &self,
        id: &str,
        command: A::Command,
        metadata: &EventMetadata,
    ) -> Result<CommandOutcome, CommandError<A::Error>>
    where
        A: Aggregate<Services = Services> + Clone + 'static,
        A::Command: Clone + Debug + aggregates::DomainCommand + 'static,
    {
        self.execute_request::<A>(id, command, metadata, None).await
    }

    /// Like [`Store::execute`]; with `request` (the client's operation and arguments, as
    /// sent) the idempotency key is bound to the request rather than to the command built
    /// from it: a command may hold what the server chose for the request (a default of "now",
    /// a fresh nonce in sealed personal data), and a retry of the same request must still
    /// replay the first outcome.
    pub async fn execute_request<A>(
        &self,
        id: &str,
        command: A::Command,
        metadata: &EventMetadata,
        request: Option<&str>,
    ) -> Result<CommandOutcome, CommandError<A::Error>>
    where
        A: Aggregate<Services = Services> + Clone + 'static,
        A::Command: Clone + Debug + aggregates::DomainCommand + 'static,
    {
        // Commands claiming a tax code check that no other organization uses it, then commit:
        // two of them racing could both pass the check. They run one at a time: in this
        // process (a mutex, taken first so that waiting holds no connection) and, on
        // PostgreSQL, across processes (a session advisory lock around check and commit).
        // Every other command runs concurrently.
        // Only a command with an idempotency key is fingerprinted (and needs the secret).
        let hash = match &metadata.idempotency_key {
            Some(_) => {
                let secrets = self.secrets().map_err(CommandError::Store)?;
                fingerprint::<A>(secrets, id, &command, request)
            }
            None => String::new(),
        };
        // The business date the command states is recorded with its events, unless the caller
        // set one.
        let dated;
        let metadata = match (
            metadata.business_date,
            aggregates::DomainCommand::business_date(&command),
        ) {
            (None, Some(day)) => {
                dated = metadata.clone().with_business_date(day);
                &dated
            }
            _ => metadata,
        };
        // One writer at a time per aggregate in this process: the others queue here, in order,
        // instead of racing to append and retrying.
        let queued = std::time::Instant::now();
        let _lane = self.lanes.enter(A::TYPE, id).await;
        metrics::histogram!("governance_command_stage_seconds", "stage" => "queue")
            .record(queued.elapsed().as_secs_f64());
        let unique = aggregates::DomainCommand::claims_unique_value(&command);
        let _in_process = match unique {
            true => Some(self.unique_values.lock().await),
            false => None,
        };
        let guard = match (self.backend(), unique) {
            (super::Backend::Postgres(pool), true) => {
                let mut connection = pool
                    .acquire()
                    .await
                    .map_err(|e| CommandError::Store(super::StoreError::Database(e)))?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(UNIQUE_VALUES_LOCK)
                    .execute(&mut *connection)
                    .await
                    .map_err(|e| CommandError::Store(super::StoreError::Database(e)))?;
                Some(connection)
            }
            _ => None,
        };
        let outcome = self.execute_inner::<A>(id, command, metadata, &hash).await;
        if let Some(mut connection) = guard {
            if sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(UNIQUE_VALUES_LOCK)
                .execute(&mut *connection)
                .await
                .is_err()
            {
                // The session ends with the connection, and its lock with it.
                connection.detach();
            }
        }
        let label = match &outcome {
            Ok(o) if o.replayed => "replayed",
            Ok(o) if o.positions.is_empty() => "unchanged",
            Ok(_) => "ok",
            Err(CommandError::Domain(_)) => "refused",
            Err(CommandError::Conflict { .. }) => "conflict",
            Err(CommandError::IdempotencyKeyReused) => "key_reused",
            Err(CommandError::Store(_)) => "error",
        };
        metrics::counter!("governance_commands_total", "aggregate" => A::TYPE, "outcome" => label)
            .increment(1);
        if let Ok(o) = &outcome {
            if !o.replayed {
                metrics::counter!("governance_events_appended_total", "aggregate" => A::TYPE)
                    .increment(o.positions.len() as u64);
            }
        }
        outcome
    }

    async fn execute_inner<A>(
        &self,
        id: &str,
        command: A::Command,
        metadata: &EventMetadata,
        hash: &str,
    ) -> Result<CommandOutcome, CommandError<A::Error>>
    where
        A: Aggregate<Services = Services> + Clone + 'static,
        A::Command: Clone + Debug,
    {
        // One repository reads (only what the cache lacks), the other appends.
        let outcome = match &self.backend {
            Backend::Postgres(_) => {
                let appended = Appended::default();
                let appender = self.appender.clone().ok_or_else(|| {
                    CommandError::Store(StoreError::Corrupt("no appender".into()))
                })?;
                let repo = PostgresLog::new(appender.clone(), appended.clone());
                let es = PersistedEventStore::<_, A>::new_event_store(Authenticating::new(
                    PostgresLog::new(appender, appended.clone()),
                    self.secrets.clone(),
                ));
                self.execute_with(&es, &repo, id, command, metadata, hash, &appended)
                    .await
            }
            Backend::Sqlite(pool) => {
                let repo = SqliteEventRepository::new(pool.clone());
                let es = PersistedEventStore::<_, A>::new_event_store(Authenticating::new(
                    SqliteEventRepository::new(pool.clone()),
                    self.secrets.clone(),
                ));
                self.execute_with(
                    &es,
                    &repo,
                    id,
                    command,
                    metadata,
                    hash,
                    &Appended::default(),
                )
                .await
            }
        }?;
        if let Some(last) = outcome.positions.last().filter(|_| !outcome.replayed) {
            self.signal_change(*last);
        }
        Ok(outcome)
    }

    #[allow(clippy::too_many_arguments)]
    async fn execute_with<A, ES, R>(
        &self,
        es: &ES,
        repo: &R,
        id: &str,
        command: A::Command,
        metadata: &EventMetadata,
        hash: &str,
        appended: &Appended,
    ) -> Result<CommandOutcome, CommandError<A::Error>>
    where
        A: Aggregate<Services = Services> + Clone + 'static,
        A::Command: Clone + Debug,
        ES: EventStore<A, AC = EventStoreAggregateContext<A>>,
        R: PersistedEventRepository,
    {
        let deadline = std::time::Instant::now() + self.options.conflict_deadline;
        let mut pauses = self.options.pauses();
        let mut attempt = 0;
        // The first decision may be on the remembered state as it is (see `cache.rs`): any
        // outcome but an append is then decided again on the state the store holds.
        let mut validate = false;
        loop {
            attempt += 1;
            if let Some(outcome) = self.previous_outcome::<A>(metadata, hash).await? {
                return Ok(outcome);
            }
            let started = std::time::Instant::now();
            let (mut context, validated) = self
                .aggregates
                .load::<A, _>(repo, id, validate, &self.history)
                .await
                .map_err(CommandError::Store)?;
            let decide_again = |validate: &mut bool| {
                if validated {
                    return false;
                }
                metrics::counter!("governance_aggregate_cache_total", "result" => "decided_again")
                    .increment(1);
                *validate = true;
                true
            };
            let loaded = started.elapsed();
            let sink = EventSink::<A>::default();
            let decision = context
                .aggregate
                .handle(command.clone(), &self.services, &sink)
                .await;
            let events = sink.collect().await;
            if let Err(refusal) = decision {
                // Nothing written: the state stays as loaded (unless the refusal came after
                // some events were applied to it: then it is loaded afresh next time).
                if events.is_empty() {
                    self.aggregates
                        .put(id, context.aggregate, context.current_sequence);
                }
                if decide_again(&mut validate) {
                    continue;
                }
                // A concurrent duplicate of this keyed command may have committed since the
                // check above: then its outcome is the answer, not the refusal it causes.
                if let Some(outcome) = self.previous_outcome::<A>(metadata, hash).await? {
                    return Ok(outcome);
                }
                return Err(CommandError::Domain(refusal));
            }
            if events.is_empty() {
                self.aggregates
                    .put(id, context.aggregate, context.current_sequence);
                if decide_again(&mut validate) {
                    continue;
                }
                return Ok(CommandOutcome {
                    positions: vec![],
                    replayed: false,
                });
            }
            let decided = started.elapsed();
            // The state after this command (the sink applied each event as it was written),
            // kept if the append succeeds.
            let after = context.aggregate.clone();
            let first_sequence = context.current_sequence + 1;
            let last_sequence = context.current_sequence + events.len();
            let mut map = metadata.to_map();
            if metadata.idempotency_key.is_some() {
                map.insert(keys::COMMAND_HASH.to_owned(), hash.to_owned());
                map.insert(keys::FIRST_SEQUENCE.to_owned(), first_sequence.to_string());
            }
            match es.commit(events, context, map).await {
                Ok(_) => {
                    self.aggregates.put(id, after, last_sequence);
                    let committed = started.elapsed();
                    // The append answered its positions (PostgreSQL); else ask for them.
                    let known = appended.lock().unwrap_or_else(|e| e.into_inner()).take();
                    let positions = match known {
                        Some(positions) => positions,
                        None => self
                            .positions_of(A::TYPE, id, first_sequence as i64, last_sequence as i64)
                            .await
                            .map_err(CommandError::Store)?,
                    };
                    for (stage, time) in [
                        ("load", loaded),
                        ("decide", decided - loaded),
                        ("commit", committed - decided),
                        ("positions", started.elapsed() - committed),
                    ] {
                        metrics::histogram!("governance_command_stage_seconds", "stage" => stage)
                            .record(time.as_secs_f64());
                    }
                    return Ok(CommandOutcome {
                        positions,
                        replayed: false,
                    });
                }
                Err(AggregateError::AggregateConflict) => {
                    // Decided on a remembered state that someone else has since changed:
                    // decide again on the current one, at once (not contention).
                    if decide_again(&mut validate) {
                        continue;
                    }
                    metrics::counter!("governance_command_retries_total", "aggregate" => A::TYPE)
                        .increment(1);
                    // Another process appended first. A growing, jittered pause, then a fresh
                    // load decides again: on the new state the command succeeds, or the domain
                    // refuses it with its own reason.
                    let pause = pauses.next().unwrap_or(Duration::from_millis(100));
                    if std::time::Instant::now() + pause >= deadline {
                        return Err(CommandError::Conflict { attempts: attempt });
                    }
                    tokio::time::sleep(pause).await;
                    continue;
                }
                Err(other) => {
                    // A concurrent command with the same idempotency key may have won the
                    // unique index (SQLite reports it as a plain constraint error).
                    if let Some(outcome) = self.previous_outcome::<A>(metadata, hash).await? {
                        return Ok(outcome);
                    }
                    return Err(CommandError::Store(other.into()));
                }
            }
        }
    }

    /// The earlier outcome of the same (actor, idempotency key), if any.
    async fn previous_outcome<A: Aggregate>(
        &self,
        metadata: &EventMetadata,
        hash: &str,
    ) -> Result<Option<CommandOutcome>, CommandError<A::Error>> {
        let Some(key) = &metadata.idempotency_key else {
            return Ok(None);
        };
        let sql = match &self.backend {
            Backend::Postgres(_) => {
                "SELECT position, metadata ->> 'command_hash' FROM events
                  WHERE metadata ? 'idempotency_key'
                    AND metadata ->> 'actor_id' = $1 AND metadata ->> 'idempotency_key' = $2
                  ORDER BY position"
            }
            Backend::Sqlite(_) => {
                "SELECT position, json_extract(metadata, '$.command_hash') FROM events
                  WHERE json_extract(metadata, '$.idempotency_key') IS NOT NULL
                    AND json_extract(metadata, '$.actor_id') = ?1
                    AND json_extract(metadata, '$.idempotency_key') = ?2
                  ORDER BY position"
            }
        };
        let rows: Result<Vec<(i64, Option<String>)>, sqlx::Error> = crate::sql::on_pool!(
            &self.backend,
            pool => sqlx::query_as(sql).bind(&metadata.actor.id).bind(key).fetch_all(pool).await
        );
        let rows = rows.map_err(|e| CommandError::Store(e.into()))?;
        let Some((_, first_hash)) = rows.first() else {
            return Ok(None);
        };
        if first_hash.as_deref() != Some(hash) {
            return Err(CommandError::IdempotencyKeyReused);
        }
        Ok(Some(CommandOutcome {
            positions: rows.into_iter().map(|(p, _)| p).collect(),
            replayed: true,
        }))
    }

    async fn positions_of(
        &self,
        aggregate_type: &str,
        id: &str,
        first_sequence: i64,
        last_sequence: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = crate::sql::dialect(
            &self.backend,
            "SELECT position FROM events
              WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence BETWEEN $3 AND $4
              ORDER BY sequence",
        );
        Ok(
            crate::sql::on_pool!(&self.backend, pool => sqlx::query_scalar(&sql)
            .bind(aggregate_type)
            .bind(id)
            .bind(first_sequence)
            .bind(last_sequence)
            .fetch_all(pool)
            .await?),
        )
    }
}
