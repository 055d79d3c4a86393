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

    /// The aggregate as the store holds it now: the cached state brought up to date with the
    /// events after it, or the whole history when it is not cached. The entry is taken out
    /// (the caller puts back the state it ends with).
    pub(crate) async fn load<A, R>(
        &self,
        repo: &R,
        id: &str,
    ) -> Result<EventStoreAggregateContext<A>, AggregateError<A::Error>>
    where
        A: Aggregate + 'static,
        R: PersistedEventRepository,
    {
        let (mut aggregate, mut sequence, serialized) = match self.take::<A>(id) {
            Some((state, sequence)) => {
                metrics::counter!("governance_aggregate_cache_total", "result" => "hit")
                    .increment(1);
                let after = repo.get_last_events::<A>(id, sequence).await?;
                (state, sequence, after)
            }
            None => {
                metrics::counter!("governance_aggregate_cache_total", "result" => "miss")
                    .increment(1);
                (A::default(), 0, repo.get_events::<A>(id).await?)
            }
        };
        let upcasters = aggregates::upcasters();
        for mut event in serialized {
            for upcaster in &upcasters {
                if upcaster.can_upcast(&event.event_type, &event.event_version) {
                    event = upcaster.upcast(event);
                }
            }
            let envelope = EventEnvelope::<A>::try_from(event)?;
            sequence = envelope.sequence;
            aggregate.apply(envelope.payload);
        }
        Ok(EventStoreAggregateContext {
            aggregate_id: id.to_owned(),
            aggregate,
            current_sequence: sequence,
            current_snapshot: None,
        })
    }
}
