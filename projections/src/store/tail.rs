//! The log's tail, shared by this process's followers of the log (the read image, the
//! projector, the process manager): the events last read from the database, so that one read
//! of the log serves all of them instead of one read (and one decoding) each. The events are
//! shared (`Arc`), not copied for each follower.
//!
//! A read of the log after a position answers a complete block: every event after that
//! position up to the last one it returns (see `log.rs`: nothing committed later can take a
//! position inside it). The tail keeps such blocks joined end to end, `(start, end]`, so an
//! answer from it is exactly what a read of the database answered a moment ago. A follower
//! at `end` reads the database (one read at a time: followers woken by the same commit share
//! it), and one that the tail served an older answer than the database would give learns it
//! from `Store::wait_past`, which tells it that committed events are past its position.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::event::StoredEvent;

/// How many events the tail keeps: followers further behind read the database.
const CAPACITY: usize = 4_096;

#[derive(Default)]
struct Block {
    /// Every event after `start` up to `end` is held, in position order.
    start: i64,
    end: i64,
    events: VecDeque<Arc<StoredEvent>>,
}

/// See the module's doc.
#[derive(Default)]
pub(crate) struct Tail {
    block: Mutex<Option<Block>>,
    /// Held while a follower reads the database at the tail's end, with the connection
    /// those reads keep (PostgreSQL).
    pub(crate) reading: tokio::sync::Mutex<crate::sql::Held>,
}

/// Where a position stands against the tail.
pub(crate) enum Served {
    /// Up to `limit` events after it (none: it is at the tail's end).
    Events(Vec<Arc<StoredEvent>>),
    /// Past the tail's end (or no tail yet): a read of the database extends or starts it.
    Ahead,
    /// Before the tail's start: only the database holds what follows.
    Behind,
}

impl Tail {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Block>> {
        self.block.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops what the tail holds: the database no longer holds it (an operator removed a
    /// row that no server appended), so the next read goes to the database.
    pub(crate) fn forget(&self) {
        *self.lock() = None;
    }

    /// Drops what the tail holds if an event in it at or below `position` was judged not
    /// this deployment's when it was read: a checkpoint now covers it (it was adopted), so
    /// it is to be read again.
    pub(crate) fn forget_refused_through(&self, position: i64) {
        let mut block = self.lock();
        let refused = block.as_ref().is_some_and(|block| {
            block.events.iter().any(|e| {
                e.position <= position
                    && e.stored
                        .authenticity
                        .is_some_and(|v| v != crate::secrets::Authenticity::Authentic)
            })
        });
        if refused {
            *block = None;
        }
    }

    /// What the tail holds after `position`, at most `limit` events.
    pub(crate) fn serve(&self, position: i64, limit: usize) -> Served {
        let block = self.lock();
        let Some(block) = block.as_ref() else {
            return Served::Ahead;
        };
        if position < block.start {
            return Served::Behind;
        }
        if position > block.end {
            return Served::Ahead;
        }
        let first = block.events.partition_point(|e| e.position <= position);
        Served::Events(block.events.range(first..).take(limit).cloned().collect())
    }

    /// Joins `events`, a complete block of the log after `position`, to the tail: extends it
    /// when the block starts within it, starts a new tail when the block lies past its end,
    /// and leaves it alone when the block starts before it.
    pub(crate) fn extend(&self, position: i64, events: &[Arc<StoredEvent>]) {
        let Some(last) = events.last().map(|e| e.position) else {
            return;
        };
        let mut guard = self.lock();
        let block = guard.get_or_insert_with(|| Block {
            start: position,
            end: position,
            events: VecDeque::new(),
        });
        if position < block.start {
            return;
        }
        if position > block.end {
            *block = Block {
                start: position,
                end: position,
                events: VecDeque::new(),
            };
        }
        if last <= block.end {
            return;
        }
        let end = block.end;
        block
            .events
            .extend(events.iter().filter(|e| e.position > end).cloned());
        block.end = last;
        while block.events.len() > CAPACITY {
            if let Some(dropped) = block.events.pop_front() {
                block.start = dropped.position;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aggregates::metadata::{Actor, EventMetadata};

    fn event(position: i64) -> Arc<StoredEvent> {
        Arc::new(StoredEvent {
            position,
            aggregate_type: "T".into(),
            aggregate_id: "a".into(),
            sequence: position,
            event_type: "E".into(),
            event_version: "1".into(),
            payload: serde_json::json!({}),
            metadata: EventMetadata::new(Actor::system()),
            recorded_at: chrono::Utc::now(),
            stored: Default::default(),
        })
    }

    fn positions(served: Served) -> Option<Vec<i64>> {
        match served {
            Served::Events(events) => Some(events.iter().map(|e| e.position).collect()),
            _ => None,
        }
    }

    #[test]
    fn serves_only_what_a_read_of_the_log_answered() {
        let tail = Tail::default();
        assert!(matches!(tail.serve(0, 10), Served::Ahead));
        tail.extend(10, &[event(12), event(15)]);
        assert!(matches!(tail.serve(9, 10), Served::Behind));
        assert_eq!(positions(tail.serve(10, 10)), Some(vec![12, 15]));
        assert_eq!(positions(tail.serve(12, 10)), Some(vec![15]));
        assert_eq!(positions(tail.serve(13, 10)), Some(vec![15]));
        assert_eq!(positions(tail.serve(15, 10)), Some(vec![]));
        assert!(matches!(tail.serve(16, 10), Served::Ahead));
        assert_eq!(positions(tail.serve(10, 1)), Some(vec![12]));
        // A block from the end joins; one overlapping it adds only what is new.
        tail.extend(15, &[event(20)]);
        tail.extend(12, &[event(15), event(20), event(21)]);
        assert_eq!(positions(tail.serve(10, 10)), Some(vec![12, 15, 20, 21]));
        // A block from before the start is not joined; one past the end starts anew.
        tail.extend(5, &[event(6)]);
        assert!(matches!(tail.serve(5, 10), Served::Behind));
        tail.extend(30, &[event(31)]);
        assert!(matches!(tail.serve(21, 10), Served::Behind));
        assert_eq!(positions(tail.serve(30, 10)), Some(vec![31]));
        // An empty answer says nothing about what follows: the tail stays.
        tail.extend(31, &[]);
        assert_eq!(positions(tail.serve(31, 10)), Some(vec![]));
    }

    #[test]
    fn drops_what_it_refused_once_a_checkpoint_covers_it() {
        use crate::secrets::Authenticity;
        let judged = |position, verdict| {
            let mut event = (*event(position)).clone();
            event.stored.authenticity = Some(verdict);
            Arc::new(event)
        };
        let tail = Tail::default();
        tail.extend(
            10,
            &[
                judged(11, Authenticity::Authentic),
                judged(12, Authenticity::Missing),
            ],
        );
        tail.forget_refused_through(11);
        assert_eq!(positions(tail.serve(10, 10)), Some(vec![11, 12]));
        tail.forget_refused_through(12);
        assert!(matches!(tail.serve(10, 10), Served::Ahead));
        // Only authentic events: nothing to read again.
        tail.extend(10, &[judged(11, Authenticity::Authentic), event(12)]);
        tail.forget_refused_through(20);
        assert_eq!(positions(tail.serve(10, 10)), Some(vec![11, 12]));
    }

    #[test]
    fn keeps_a_bounded_number_of_events() {
        let tail = Tail::default();
        let events: Vec<Arc<StoredEvent>> = (1..=(CAPACITY as i64 + 10)).map(event).collect();
        tail.extend(0, &events);
        assert!(matches!(tail.serve(5, 10), Served::Behind));
        assert_eq!(positions(tail.serve(10, 2)), Some(vec![11, 12]));
    }
}
