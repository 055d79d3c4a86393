//! Runs the cross-aggregate processes (`aggregates::processes`) durably: follows the global log
//! from its own checkpoint and executes the commands each event causes through the command
//! service, as the system actor. The commands are idempotent (ids derived from their source,
//! repeats are no-ops), so a crash between a command and the checkpoint only repeats work that
//! changes nothing. That is also why the running manager stores its checkpoint at most once per
//! [`STORE_EVERY`] while the log moves (and when it rests or the manager stops) rather than
//! after every batch: a crash repeats at most that much of the log, and a busy log does not
//! cost an UPDATE per batch.

use std::time::{Duration, Instant};

use aggregates::commitment::Commitment;
use aggregates::ids::{NetworkId, DERIVED_ID_NAMESPACE};
use aggregates::meeting::Meeting;
use aggregates::metadata::{Actor, EventMetadata};
use aggregates::network::{Network, NetworkEvent};
use aggregates::organization::Organization;
use aggregates::processes::{self, PendingCommitment, ProcessCommand};
use aggregates::protocol::{Protocol, ProtocolEvent};
use aggregates::AnyEvent;
use futures::StreamExt;
use uuid::Uuid;

use crate::queries::{AsOf, QueryError, ReadModels};
use crate::sql::{dialect, on_pool};
use crate::store::{CommandError, Store, StoreError, StoredEvent};
use crate::tasks::{pause, Stoppable};

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("event at position {0} does not decode: {1}")]
    Decode(i64, String),
    #[error("the read side did not reach position {0} in time")]
    ReadSideBehind(i64),
}

impl From<sqlx::Error> for ProcessError {
    fn from(error: sqlx::Error) -> Self {
        ProcessError::Store(StoreError::Database(error))
    }
}

#[derive(Clone)]
pub struct ProcessManager {
    store: Store,
    read: ReadModels,
    /// How far this manager has handled the log, and what it last stored.
    progress: std::sync::Arc<std::sync::Mutex<Progress>>,
}

/// The checkpoint as this manager's last batch left it (`handled`: the next batch starts there
/// without asking) and as it last stored it (`stored`, at `stored_at`). If another process's
/// manager moved the stored one meanwhile, the compare-and-set of `store_checkpoint` fails and
/// both are read again (handling an event twice changes nothing).
#[derive(Clone, Copy)]
struct Progress {
    handled: Option<i64>,
    stored: Option<i64>,
    stored_at: Instant,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            handled: None,
            stored: None,
            stored_at: Instant::now(),
        }
    }
}

impl Progress {
    /// Whether the stored checkpoint is behind what was handled.
    fn behind(&self) -> bool {
        matches!((self.handled, self.stored), (Some(h), Some(s)) if h > s)
    }
}

const NAME: &str = "processes";

/// How many of one event's commands run at once (a share of the store's 16 connections, which
/// the API's commands use too).
const COMMANDS_AT_ONCE: usize = 8;

/// How often, at most, the running manager stores its checkpoint while the log moves.
pub const STORE_EVERY: Duration = Duration::from_secs(1);

/// How long the log must rest before the running manager stores a checkpoint that is behind.
pub const QUIET: Duration = Duration::from_millis(20);

fn parse<T: std::str::FromStr>(id: &str, position: i64) -> Result<T, ProcessError> {
    id.parse()
        .map_err(|_| ProcessError::Decode(position, format!("{id:?} is not an id")))
}

impl ProcessManager {
    pub fn new(store: Store) -> Self {
        Self {
            read: ReadModels::new(store.clone()),
            store,
            progress: Default::default(),
        }
    }

    pub async fn checkpoint(&self) -> Result<i64, ProcessError> {
        let backend = self.store.backend();
        let sql = dialect(
            backend,
            "SELECT position FROM process_checkpoints WHERE name = $1",
        );
        Ok(on_pool!(backend, pool => sqlx::query_scalar(&sql).bind(NAME).fetch_one(pool).await?))
    }

    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the checkpoint up to what was handled, if it is behind (compare-and-set against
    /// what this manager stored last).
    async fn store_checkpoint(&self) -> Result<(), ProcessError> {
        let Progress {
            handled: Some(to),
            stored: Some(from),
            ..
        } = *self.progress()
        else {
            return Ok(());
        };
        if to <= from {
            return Ok(());
        }
        let backend = self.store.read_side();
        let sql = dialect(
            backend,
            "UPDATE process_checkpoints SET position = $1 WHERE name = $2 AND position = $3",
        );
        let moved = on_pool!(backend, pool => {
            sqlx::query(&sql).bind(to).bind(NAME).bind(from).execute(pool).await?.rows_affected()
        });
        *self.progress() = if moved > 0 {
            Progress {
                handled: Some(to),
                stored: Some(to),
                stored_at: Instant::now(),
            }
        } else {
            Progress::default()
        };
        Ok(())
    }

    /// The checkpoint as this manager left it, else as stored.
    async fn start(&self) -> Result<i64, ProcessError> {
        let known = self.progress().handled;
        match known {
            Some(position) => Ok(position),
            None => {
                let position = self.checkpoint().await?;
                *self.progress() = Progress {
                    handled: Some(position),
                    stored: Some(position),
                    stored_at: Instant::now(),
                };
                Ok(position)
            }
        }
    }

    /// Follows the next events of the log and stores the checkpoint; answers how many it
    /// handled (0: caught up).
    pub async fn run_batch(&self) -> Result<usize, ProcessError> {
        self.batch(true).await
    }

    /// Follows the next events of the log; stores the checkpoint when `store` says so or
    /// [`STORE_EVERY`] has passed since it was last stored.
    async fn batch(&self, store: bool) -> Result<usize, ProcessError> {
        let from = self.start().await?;
        let events = self.store.read_after(from, 100).await?;
        // The checkpoint moves up to the last event handled, even when a later one fails:
        // every command a process issues is a no-op when repeated, so handling an event again
        // after a crash changes nothing.
        let mut reached = from;
        let mut outcome = Ok(events.len());
        for event in &events {
            if let Err(error) = self.handle(event).await {
                outcome = Err(error);
                break;
            }
            reached = event.position;
        }
        let due = {
            let mut progress = self.progress();
            if progress.handled == Some(from) {
                progress.handled = Some(reached);
            }
            progress.stored_at.elapsed() >= STORE_EVERY
        };
        if store || due {
            self.store_checkpoint().await?;
        }
        outcome
    }

    /// The commitments still owed, as the read side knows them once it has projected
    /// everything committed so far: that includes the commitments this manager created for
    /// earlier events, which may have been recorded after `event`.
    async fn pending(
        &self,
        event: &StoredEvent,
        network: NetworkId,
    ) -> Result<Vec<PendingCommitment>, ProcessError> {
        let head = self.store.head_position().await?.max(event.position);
        if !self.read.wait_for(head, Duration::from_secs(30)).await? {
            return Err(ProcessError::ReadSideBehind(head));
        }
        Ok(self
            .read
            .commitments(network, AsOf::Now)
            .await?
            .into_iter()
            .filter(|c| c.is_pending())
            .map(|c| PendingCommitment {
                id: c.id,
                network: c.network,
                obligor: c.obligor,
                source: c.source,
                created_on: c.created_on,
            })
            .collect())
    }

    async fn handle(&self, event: &StoredEvent) -> Result<(), ProcessError> {
        let p = event.position;
        let id = event.aggregate_id.as_str();
        let decoded = event
            .decode()
            .map_err(|e| ProcessError::Decode(p, e.to_string()))?;
        if !processes::reacts_to(&decoded) {
            return Ok(());
        }
        let commands = match decoded {
            AnyEvent::Organization(e) => processes::on_organization_event(parse(id, p)?, &e),
            AnyEvent::Network(e) => match e {
                NetworkEvent::MembershipWithdrawn(_) | NetworkEvent::MemberExpelled(_) => {
                    let network: NetworkId = parse(id, p)?;
                    let pending = self.pending(event, network).await?;
                    processes::on_network_event(network, &e, &pending)
                }
                _ => vec![],
            },
            AnyEvent::Protocol(e) => {
                let (protocol, _) = self.store.current::<Protocol>(id).await?;
                let pending = match (&e, protocol.network) {
                    (
                        ProtocolEvent::ProtocolPartyWithdrawn(_)
                        | ProtocolEvent::ProtocolExpired(_)
                        | ProtocolEvent::ProtocolSuperseded(_),
                        Some(network),
                    ) => self.pending(event, network).await?,
                    _ => vec![],
                };
                processes::on_protocol_event(parse(id, p)?, &protocol, &e, &pending)
            }
            AnyEvent::Meeting(e) => {
                let (meeting, _) = self.store.current::<Meeting>(id).await?;
                match meeting.network {
                    Some(network) => processes::on_meeting_event(parse(id, p)?, network, &e),
                    None => vec![],
                }
            }
            AnyEvent::Plan(e) => {
                let (plan, _) = self.store.current::<aggregates::plan::Plan>(id).await?;
                let pending = match (&e, plan.network) {
                    (aggregates::plan::PlanEvent::PlanClosed(_), Some(network)) => {
                        self.pending(event, network).await?
                    }
                    _ => vec![],
                };
                processes::on_plan_event(parse(id, p)?, &plan, &e, &pending)
            }
            AnyEvent::MeetingSeries(e) => {
                let (series, _) = self
                    .store
                    .current::<aggregates::meeting_series::MeetingSeries>(id)
                    .await?;
                processes::on_meeting_series_event(parse(id, p)?, &series, &e)
            }
            AnyEvent::Commitment(_)
            | AnyEvent::WorkingGroup(_)
            | AnyEvent::Person(_)
            | AnyEvent::Service(_)
            | AnyEvent::IndicatorSet(_)
            | AnyEvent::Activity(_) => vec![],
        };
        let metadata = EventMetadata::new(Actor::system())
            .with_correlation(event.metadata.correlation_id)
            .with_causation(Uuid::new_v5(
                &DERIVED_ID_NAMESPACE,
                format!("event/{}/{}/{}", event.aggregate_type, id, event.sequence).as_bytes(),
            ));
        // The commands of one event go to aggregates of their own (ids derived from the event):
        // they run at once (a signature's commitments one after another made the processes'
        // catch-up of the national dataset the larger part of its load); two for one aggregate
        // would still queue in its lane. Each is a no-op when repeated, so a failure leaves
        // the event to be handled again whole.
        let outcomes: Vec<Result<(), ProcessError>> = futures::stream::iter(commands)
            .map(|command| self.run(command, &metadata, p))
            .buffer_unordered(COMMANDS_AT_ONCE)
            .collect()
            .await;
        outcomes.into_iter().collect()
    }

    /// Executes one command a process issued for the event at position `p`; a refusal by the
    /// domain is logged, not an error.
    async fn run(
        &self,
        command: ProcessCommand,
        metadata: &EventMetadata,
        p: i64,
    ) -> Result<(), ProcessError> {
        let refused = match command {
            ProcessCommand::Organization(target, c) => refusal(
                self.store
                    .execute::<Organization>(&target.to_string(), c, metadata)
                    .await,
            )?,
            ProcessCommand::Network(target, c) => refusal(
                self.store
                    .execute::<Network>(&target.to_string(), c, metadata)
                    .await,
            )?,
            ProcessCommand::Commitment(target, c) => refusal(
                self.store
                    .execute::<Commitment>(&target.to_string(), c, metadata)
                    .await,
            )?,
            ProcessCommand::Meeting(target, c) => {
                // A series' meeting already scheduled, or already cancelled: the process
                // ran before on this event, and there is nothing left to do.
                match self
                    .store
                    .execute::<Meeting>(&target.to_string(), c, metadata)
                    .await
                {
                    Err(CommandError::Domain(
                        aggregates::meeting::MeetingError::AlreadyScheduled
                        | aggregates::meeting::MeetingError::Cancelled,
                    )) => None,
                    outcome => refusal(outcome)?,
                }
            }
        };
        if let Some(reason) = refused {
            // The domain refused a consequence (e.g. an inactive organization cannot be
            // admitted): it is recorded in the log of the server, and the process goes on.
            tracing::warn!(position = p, %reason, "a process command was refused");
        }
        Ok(())
    }

    /// Runs the processes in the background until the handle is dropped or shut down; the
    /// checkpoint is stored at most once per [`STORE_EVERY`] while the log moves, as soon as
    /// the log rests for [`QUIET`], and on the way out.
    pub fn spawn(self) -> Stoppable {
        Stoppable::spawn(move |mut stop| async move {
            let mut changes = self.store.subscribe();
            // When the last batch found something new.
            let mut moved_at = Instant::now();
            loop {
                if *stop.borrow() {
                    break;
                }
                match self.batch(false).await {
                    Ok(0) => {
                        let (reached, behind) = {
                            let progress = self.progress();
                            (progress.handled, progress.behind())
                        };
                        let Some(reached) = reached else { continue };
                        let rested = moved_at.elapsed();
                        if behind && rested >= QUIET {
                            if let Err(error) = self.store_checkpoint().await {
                                tracing::warn!(%error, "storing the process checkpoint failed");
                            }
                            continue;
                        }
                        let wait = if behind {
                            QUIET - rested
                        } else {
                            Duration::from_millis(500)
                        };
                        tokio::select! {
                            _ = self.store.wait_past(&mut changes, reached, wait) => {}
                            _ = stop.changed() => break,
                        }
                    }
                    Ok(_) => {
                        moved_at = Instant::now();
                        // Past a row it stopped at (removed, or adopted): said, as the
                        // projector and the image say it, so that a process whose projector
                        // does not lead (or without an image) does not name it for ever.
                        if let Some(reached) = self.progress().handled {
                            self.store.passed(reached);
                        }
                    }
                    Err(ProcessError::Decode(position, reason)) => {
                        self.store.report_stop(position, &reason);
                        if pause(&mut stop, Duration::from_secs(1)).await {
                            break;
                        }
                    }
                    Err(error) => {
                        tracing::error!(%error, "process batch failed; retrying");
                        if pause(&mut stop, Duration::from_secs(1)).await {
                            break;
                        }
                    }
                }
            }
            if let Err(error) = self.store_checkpoint().await {
                tracing::warn!(%error, "storing the process checkpoint on the way out failed");
            }
        })
    }
}

/// A domain refusal becomes a reason to log; a store failure stops the batch.
fn refusal<E: std::error::Error>(
    outcome: Result<crate::store::CommandOutcome, CommandError<E>>,
) -> Result<Option<String>, ProcessError> {
    match outcome {
        Ok(_) => Ok(None),
        Err(CommandError::Store(error)) => Err(ProcessError::Store(error)),
        Err(other) => Ok(Some(other.to_string())),
    }
}
