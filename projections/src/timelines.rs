//! Timelines in memory: which log positions concern an entity, for the entities whose timeline
//! this process was asked for, kept by the read image (`image.rs`) under its own lock so that
//! each list is complete up to the image's position; and the events at those positions, which
//! never change once committed.
//!
//! A list is loaded from the entity index (`entity_events`) the first time an entity's timeline
//! is read "as of now", at the image's position, and kept only if the image has not moved on
//! meanwhile; from then on every batch the image applies appends the positions that concern
//! it. Both are bounded: the oldest list loaded goes first (a list is one `i64` per event),
//! and the events cached are the last ones read.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use crate::event::StoredEvent;
use crate::views::Kind;

/// The most positions the lists hold together (8 MiB).
const MAX_POSITIONS: usize = 1 << 20;
/// The most entities with a list.
const MAX_ENTITIES: usize = 50_000;
/// The most events cached (a timeline page is at most 101).
const MAX_EVENTS: usize = 4_096;

/// Which page of a history to answer: after a position, ascending, or before one (the last
/// `limit` below it), answered ascending too.
#[derive(Clone, Copy, Debug)]
pub enum Window {
    After { after: i64, limit: usize },
    Before { before: i64, limit: usize },
}

impl Window {
    /// The positions of `list` (ascending) in this window, ascending.
    pub fn of(self, list: &[i64]) -> Vec<i64> {
        match self {
            Window::After { after, limit } => {
                let start = list.partition_point(|p| *p <= after);
                list[start..].iter().take(limit).copied().collect()
            }
            Window::Before { before, limit } => {
                let end = list.partition_point(|p| *p < before);
                list[end.saturating_sub(limit)..end].to_vec()
            }
        }
    }
}

/// The positions that concern each entity with a list, complete up to the image's position.
#[derive(Default)]
pub(crate) struct Timelines {
    lists: HashMap<Kind, HashMap<Arc<str>, Vec<i64>>>,
    /// The entities in the order their lists were kept (the oldest is dropped first).
    order: VecDeque<(Kind, Arc<str>)>,
    positions: usize,
}

impl Timelines {
    /// The list of an entity, if one is kept.
    pub(crate) fn get(&self, kind: Kind, id: &str) -> Option<&[i64]> {
        self.lists.get(&kind)?.get(id).map(Vec::as_slice)
    }

    /// Appends positions after `above` (the image's position before the batch) to the lists
    /// of the entities they concern; `concerns` come in log order.
    pub(crate) fn append(&mut self, above: i64, concerns: &[(Kind, String, i64)]) {
        if self.positions == 0 {
            return;
        }
        for (kind, id, position) in concerns {
            if *position <= above {
                continue;
            }
            let Some(list) = self
                .lists
                .get_mut(kind)
                .and_then(|l| l.get_mut(id.as_str()))
            else {
                continue;
            };
            if list.last().is_none_or(|last| last < position) {
                list.push(*position);
                self.positions += 1;
            }
        }
        self.bound();
    }

    /// Keeps an entity's list (complete up to the image's position).
    pub(crate) fn keep(&mut self, kind: Kind, id: &str, list: Vec<i64>) {
        let id: Arc<str> = Arc::from(id);
        self.positions += list.len();
        if let Some(old) = self.lists.entry(kind).or_default().insert(id.clone(), list) {
            self.positions -= old.len();
        } else {
            self.order.push_back((kind, id));
        }
        self.bound();
    }

    fn bound(&mut self) {
        while self.order.len() > 1
            && (self.positions > MAX_POSITIONS || self.order.len() > MAX_ENTITIES)
        {
            let Some((kind, id)) = self.order.pop_front() else {
                return;
            };
            if let Some(list) = self.lists.get_mut(&kind).and_then(|l| l.remove(&id)) {
                self.positions -= list.len();
            }
        }
    }

    /// How many entities have a list, and how many positions they hold.
    pub(crate) fn size(&self) -> (usize, usize) {
        (self.order.len(), self.positions)
    }
}

/// The events last read by position (events never change once committed).
pub(crate) struct EventCache(Mutex<lru::LruCache<i64, Arc<StoredEvent>>>);

impl Default for EventCache {
    fn default() -> Self {
        Self(Mutex::new(lru::LruCache::new(
            NonZeroUsize::new(MAX_EVENTS).expect("non-zero"),
        )))
    }
}

impl EventCache {
    /// The events at `positions` that are cached, in the same order (None where not).
    pub(crate) fn get(&self, positions: &[i64]) -> Vec<Option<Arc<StoredEvent>>> {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        positions.iter().map(|p| cache.get(p).cloned()).collect()
    }

    pub(crate) fn put(&self, events: &[Arc<StoredEvent>]) {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for event in events {
            cache.put(event.position, event.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_pages_forward_and_backward() {
        let list = [3, 5, 8, 13, 21];
        let after = |after, limit| Window::After { after, limit }.of(&list);
        let before = |before, limit| Window::Before { before, limit }.of(&list);
        assert_eq!(after(0, 2), vec![3, 5]);
        assert_eq!(after(5, 10), vec![8, 13, 21]);
        assert_eq!(after(21, 10), Vec::<i64>::new());
        assert_eq!(before(i64::MAX, 2), vec![13, 21]);
        assert_eq!(before(13, 10), vec![3, 5, 8]);
        assert_eq!(before(3, 10), Vec::<i64>::new());
    }

    #[test]
    fn lists_follow_the_batches_and_stay_bounded() {
        let mut timelines = Timelines::default();
        timelines.keep(Kind::Organization, "a", vec![1, 4]);
        let concerns = vec![
            (Kind::Organization, "a".to_owned(), 4),
            (Kind::Organization, "b".to_owned(), 5),
            (Kind::Network, "a".to_owned(), 6),
            (Kind::Organization, "a".to_owned(), 6),
        ];
        // A batch the image had partly applied: positions up to 4 are already in the list.
        timelines.append(4, &concerns);
        assert_eq!(timelines.get(Kind::Organization, "a"), Some(&[1, 4, 6][..]));
        assert_eq!(timelines.get(Kind::Organization, "b"), None);
        assert_eq!(timelines.size(), (1, 3));
        for i in 0..MAX_ENTITIES + 10 {
            timelines.keep(Kind::Network, &i.to_string(), vec![i as i64]);
        }
        assert_eq!(timelines.size().0, MAX_ENTITIES);
        assert_eq!(
            timelines.get(Kind::Organization, "a"),
            None,
            "the oldest went first"
        );
        timelines.keep(Kind::Network, "big", vec![0; MAX_POSITIONS]);
        assert_eq!(timelines.size(), (1, MAX_POSITIONS));
    }
}
