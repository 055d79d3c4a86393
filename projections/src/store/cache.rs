//! The current state of recently used aggregates, kept in memory by the command service: a
//! command loads only the events after the cached sequence (written by another process, or
//! imported) instead of the aggregate's whole history. Only the holder of the aggregate's lane
//! takes and puts its entry, so an entry is never used by two commands at once; the database
//! stays the judge of conflicts (an append at a sequence someone else took fails).

use std::any::Any;
use std::num::NonZeroUsize;
use std::sync::Mutex;

use cqrs_es::persist::{EventStoreAggregateContext, PersistedEventRepository};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope};

use super::authenticate::HistoryCheck;
use super::StoreError;

type Entry = (&'static str, String);

/// A bounded, least-recently-used map of aggregate states with their sequence.
pub(crate) struct AggregateCache {
    entries: Mutex<lru::LruCache<Entry, Box<dyn Any + Send>>>,
}

/// An aggregate's state after the events up to `sequence`.
struct Cached<A> {
    state: A,
    sequence: usize,
}

impl AggregateCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(lru::LruCache::new(
                NonZeroUsize::new(capacity.max(1)).expect("at least one"),
            )),
        }
    }

    fn take<A: Aggregate + 'static>(&self, id: &str) -> Option<(A, usize)> {
        let entry = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop(&(A::TYPE, id.to_owned()))?;
        let cached = entry.downcast::<Cached<A>>().ok()?;
        Some((cached.state, cached.sequence))
    }

    /// A copy of the remembered state of an aggregate and its sequence, if any.
    pub(crate) fn peek<A: Aggregate + Clone + 'static>(&self, id: &str) -> Option<(A, usize)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let cached = entries
            .peek(&(A::TYPE, id.to_owned()))?
            .downcast_ref::<Cached<A>>()?;
        Some((cached.state.clone(), cached.sequence))
    }

    /// Keeps `state` as the aggregate after `sequence`.
    pub(crate) fn put<A: Aggregate + 'static>(&self, id: &str, state: A, sequence: usize) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).put(
            (A::TYPE, id.to_owned()),
            Box::new(Cached { state, sequence }),
        );
    }

    /// The aggregate to decide a command on, and whether it is known to be as the store holds
    /// it now. With `validate`, it is: the cached state brought up to date with the events
    /// after it, or the whole history when it is not cached. Without, a cached state is taken
    /// as it is (no round trip), and an aggregate not cached whose id is a fresh UUID (version
    /// 7, or a random version 4) is assumed new: such ids are made by the API for creations.
    /// Either guess is checked by the database, not trusted: a decision on a stale state
    /// appends at a sequence someone else took and fails, and the caller decides again with
    /// `validate` whenever the guess leads to anything but an append (a refusal, no change, a
    /// conflict). The entry is taken out (the caller puts back the state it ends with).
    pub(crate) async fn load<A, R>(
        &self,
        repo: &R,
        id: &str,
        validate: bool,
        check: &HistoryCheck,
    ) -> Result<(EventStoreAggregateContext<A>, bool), StoreError>
    where
        A: Aggregate + 'static,
        R: PersistedEventRepository,
    {
        let context = |aggregate, current_sequence| EventStoreAggregateContext {
            aggregate_id: id.to_owned(),
            aggregate,
            current_sequence,
            current_snapshot: None,
        };
        let count = |result: &'static str| {
            metrics::counter!("governance_aggregate_cache_total", "result" => result).increment(1)
        };
        let (mut aggregate, mut sequence, serialized) = match self.take::<A>(id) {
            Some((state, sequence)) if !validate => {
                count("hit");
                return Ok((context(state, sequence), false));
            }
            Some((state, sequence)) => {
                count("validated");
                let after = repo
                    .get_last_events::<A>(id, sequence)
                    .await
                    .map_err(AggregateError::<A::Error>::from)?;
                (state, sequence, after)
            }
            None if !validate && assumed_new(id) => {
                count("assumed_new");
                return Ok((context(A::default(), 0), false));
            }
            None => {
                count("miss");
                let all = repo
                    .get_events::<A>(id)
                    .await
                    .map_err(AggregateError::<A::Error>::from)?;
                (A::default(), 0, all)
            }
        };
        apply_checked(check, &mut aggregate, &mut sequence, serialized).await?;
        Ok((context(aggregate, sequence), true))
    }
}

impl AggregateCache {
    /// The aggregate as the store holds it now, for a reader that decides nothing on it (the
    /// directory aggregates consult, the processes): the remembered state, if any, brought up
    /// to date with the events after it (one short query), else the whole history. The entry
    /// is only looked at: its lane's holder alone takes and puts it.
    pub(crate) async fn current<A>(
        &self,
        check: &HistoryCheck,
        id: &str,
    ) -> Result<(A, usize), StoreError>
    where
        A: Aggregate + Clone + 'static,
    {
        let (mut aggregate, mut sequence) = self.peek::<A>(id).unwrap_or_default();
        macro_rules! after {
            ($repo:expr) => {
                if sequence == 0 {
                    $repo.get_events::<A>(id).await
                } else {
                    $repo.get_last_events::<A>(id, sequence).await
                }
            };
        }
        let serialized = match &check.backend {
            super::Backend::Postgres(pool) => {
                after!(postgres_es::PostgresEventRepository::new(pool.clone()))
            }
            super::Backend::Sqlite(pool) => {
                after!(sqlite_es::SqliteEventRepository::new(pool.clone()))
            }
        }
        .map_err(AggregateError::<A::Error>::from)?;
        apply_checked(check, &mut aggregate, &mut sequence, serialized).await?;
        Ok((aggregate, sequence))
    }
}

/// Applies `serialized`, one aggregate's events after `sequence` as stored, to `aggregate`
/// once `check` finds that a server of this deployment appended each of them.
async fn apply_checked<A: Aggregate>(
    check: &HistoryCheck,
    aggregate: &mut A,
    sequence: &mut usize,
    serialized: Vec<cqrs_es::persist::SerializedEvent>,
) -> Result<(), StoreError> {
    check.check(&serialized).await?;
    Ok(apply_all(aggregate, sequence, serialized)?)
}

/// Applies `serialized` (upcast to their current version) to `aggregate`, whose sequence
/// follows.
fn apply_all<A: Aggregate>(
    aggregate: &mut A,
    sequence: &mut usize,
    serialized: Vec<cqrs_es::persist::SerializedEvent>,
) -> Result<(), AggregateError<A::Error>> {
    for event in serialized {
        let envelope = EventEnvelope::<A>::try_from(aggregates::upcast_serialized(event))?;
        *sequence = envelope.sequence;
        aggregate.apply(envelope.payload);
    }
    Ok(())
}

/// Whether `id` is a fresh (version 7, or random version 4) UUID, which the API makes for new
/// aggregates (see `aggregates::ids::fresh_uuid`).
fn assumed_new(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|u| matches!(u.get_version_num(), 4 | 7))
}
