//! Timelines in memory: which log positions concern an entity, for the entities whose timeline
//! (or audit log) this process was asked for, kept by the read image (`image.rs`) under its own
//! lock so that each list is complete up to the image's position; and the events at those
//! positions, which never change once committed.
//!
//! A list is loaded from the entity index (`entity_events`) the first time an entity's timeline
//! is read "as of now", at the image's position, and kept only if the image has not moved on
//! meanwhile; from then on every batch the image applies appends the positions that concern
//! it. Each position comes with what the audit log filters on (event and aggregate type,
//! actor, time recorded), so a filtered page of an entity's part of the log is chosen in
//! memory. Both are bounded: the oldest list loaded goes first (a list is 32 bytes per
//! event), and the events cached are the last ones read.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::event::StoredEvent;
use crate::views::Kind;

/// The most positions the lists hold together (8 MiB).
const MAX_POSITIONS: usize = 1 << 18;
/// The most distinct texts (event types, aggregate types, actors) the lists name; past it,
/// every list is dropped (and loaded again when asked for).
const MAX_NAMES: usize = 1 << 16;
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

/// What the audit log filters on, of one event, as read from the log (the actor is the
/// metadata's `actor_id`).
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    pub position: i64,
    pub event_type: String,
    pub aggregate_type: String,
    pub actor: String,
    pub recorded_at: DateTime<Utc>,
}

/// One position of a list with its facts, the texts as numbers of the lists' names.
#[derive(Clone, Copy, Debug)]
struct Fact {
    position: i64,
    /// Microseconds since the epoch.
    recorded: i64,
    event_type: u32,
    aggregate_type: u32,
    actor: u32,
}

/// Which of an entity's events to take: every criterion given must hold. Times are compared
/// as the database compares them: to the millisecond of the bound.
#[derive(Clone, Copy, Debug, Default)]
pub struct Narrow<'a> {
    pub event_type: Option<&'a str>,
    pub aggregate_type: Option<&'a str>,
    pub actor: Option<&'a str>,
    /// Recorded at or after.
    pub recorded_from: Option<DateTime<Utc>>,
    /// Recorded before.
    pub recorded_until: Option<DateTime<Utc>>,
}

/// A `Narrow` in the lists' numbers; None where a text is named by no list (nothing matches).
struct Criteria {
    event_type: Option<u32>,
    aggregate_type: Option<u32>,
    actor: Option<u32>,
    from: Option<i64>,
    until: Option<i64>,
}

impl Criteria {
    fn holds(&self, fact: &Fact) -> bool {
        self.event_type.is_none_or(|t| t == fact.event_type)
            && self.aggregate_type.is_none_or(|t| t == fact.aggregate_type)
            && self.actor.is_none_or(|a| a == fact.actor)
            && self.from.is_none_or(|f| fact.recorded >= f)
            && self.until.is_none_or(|u| fact.recorded < u)
    }
}

/// A bound's microseconds, truncated to its millisecond (the database compares the text of
/// the bound to the millisecond).
fn bound_of(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis().saturating_mul(1000)
}

/// The positions that concern each entity with a list, complete up to the image's position.
#[derive(Default)]
pub(crate) struct Timelines {
    lists: HashMap<Kind, HashMap<Arc<str>, Vec<Fact>>>,
    /// The entities in the order their lists were kept (the oldest is dropped first).
    order: VecDeque<(Kind, Arc<str>)>,
    positions: usize,
    /// The texts the facts name, by number.
    names: HashMap<Arc<str>, u32>,
}

/// A list the lists lack, to be loaded: its entity.
pub(crate) type Lacking = (Kind, String);

impl Timelines {
    fn name(&mut self, text: &str) -> u32 {
        if let Some(number) = self.names.get(text) {
            return *number;
        }
        let number = self.names.len() as u32;
        self.names.insert(Arc::from(text), number);
        number
    }

    /// The fact of the event at `position`, from its time recorded and its event type,
    /// aggregate type and actor.
    fn fact(&mut self, position: i64, recorded_at: DateTime<Utc>, texts: [&str; 3]) -> Fact {
        let [event_type, aggregate_type, actor] = texts;
        Fact {
            position,
            recorded: recorded_at.timestamp_micros(),
            event_type: self.name(event_type),
            aggregate_type: self.name(aggregate_type),
            actor: self.name(actor),
        }
    }

    fn criteria(&self, narrow: &Narrow) -> Option<Criteria> {
        let number = |text: Option<&str>| match text {
            None => Some(None),
            Some(text) => self.names.get(text).map(|n| Some(*n)),
        };
        Some(Criteria {
            event_type: number(narrow.event_type)?,
            aggregate_type: number(narrow.aggregate_type)?,
            actor: number(narrow.actor)?,
            from: narrow.recorded_from.map(bound_of),
            until: narrow.recorded_until.map(bound_of),
        })
    }

    fn list(&self, kind: Kind, id: &str) -> Option<&[Fact]> {
        self.lists.get(&kind)?.get(id).map(Vec::as_slice)
    }

    /// The positions of the events that concern every one of `entities` (at least one) and
    /// hold to `narrow`, ascending; or the first entity without a list.
    pub(crate) fn select(
        &self,
        entities: &[(Kind, &str)],
        narrow: &Narrow,
    ) -> Result<Vec<i64>, Lacking> {
        let mut lists = Vec::with_capacity(entities.len());
        for (kind, id) in entities {
            match self.list(*kind, id) {
                Some(list) => lists.push(list),
                None => return Err((*kind, (*id).to_owned())),
            }
        }
        let Some((first, others)) = lists.split_first() else {
            return Ok(vec![]);
        };
        let Some(criteria) = self.criteria(narrow) else {
            return Ok(vec![]);
        };
        Ok(first
            .iter()
            .filter(|fact| criteria.holds(fact))
            .filter(|fact| {
                others.iter().all(|other| {
                    other
                        .binary_search_by_key(&fact.position, |f| f.position)
                        .is_ok()
                })
            })
            .map(|fact| fact.position)
            .collect())
    }

    /// Appends positions after `above` (the image's position before the batch) to the lists
    /// of the entities they concern; `concerns` come in log order, and `events` (ascending)
    /// are the batch's.
    pub(crate) fn append(
        &mut self,
        above: i64,
        concerns: &[(Kind, String, i64)],
        events: &[Arc<StoredEvent>],
    ) {
        if self.order.is_empty() {
            return;
        }
        for (kind, id, position) in concerns {
            if *position <= above {
                continue;
            }
            let last = match self.lists.get(kind).and_then(|l| l.get(id.as_str())) {
                Some(list) => list.last().map(|f| f.position),
                None => continue,
            };
            if last.is_some_and(|last| last >= *position) {
                continue;
            }
            let Ok(at) = events.binary_search_by_key(position, |e| e.position) else {
                // Not this batch's: the list could no longer be complete.
                self.forget(*kind, id);
                continue;
            };
            let event = &events[at];
            let texts = [
                event.event_type.as_str(),
                &event.aggregate_type,
                &event.metadata.actor.id,
            ];
            let fact = self.fact(*position, event.recorded_at, texts);
            if let Some(list) = self
                .lists
                .get_mut(kind)
                .and_then(|l| l.get_mut(id.as_str()))
            {
                list.push(fact);
                self.positions += 1;
            }
        }
        self.bound();
    }

    fn forget(&mut self, kind: Kind, id: &str) {
        if let Some(list) = self.lists.get_mut(&kind).and_then(|l| l.remove(id)) {
            self.positions -= list.len();
            self.order.retain(|(k, i)| !(*k == kind && &**i == id));
        }
    }

    /// Keeps an entity's list (complete up to the image's position).
    pub(crate) fn keep(&mut self, kind: Kind, id: &str, list: &[Facts]) {
        let list: Vec<Fact> = list
            .iter()
            .map(|f| {
                let texts = [f.event_type.as_str(), &f.aggregate_type, &f.actor];
                self.fact(f.position, f.recorded_at, texts)
            })
            .collect();
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
        if self.names.len() > MAX_NAMES {
            self.lists.clear();
            self.order.clear();
            self.names.clear();
            self.positions = 0;
            return;
        }
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

    use aggregates::metadata::{Actor, EventMetadata};
    use chrono::TimeZone;

    fn at(second: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + second, 0).unwrap()
    }

    fn facts(position: i64, event_type: &str, actor: &str) -> Facts {
        Facts {
            position,
            event_type: event_type.into(),
            aggregate_type: "Network".into(),
            actor: actor.into(),
            recorded_at: at(position),
        }
    }

    fn event(position: i64, event_type: &str, actor: &str) -> Arc<StoredEvent> {
        let mut metadata = EventMetadata::new(Actor::system());
        metadata.actor.id = actor.into();
        Arc::new(StoredEvent {
            position,
            aggregate_type: "Network".into(),
            aggregate_id: "a".into(),
            sequence: position,
            event_type: event_type.into(),
            event_version: "1".into(),
            payload: serde_json::json!({}),
            metadata,
            recorded_at: at(position),
            stored: Default::default(),
        })
    }

    fn all(timelines: &Timelines, kind: Kind, id: &str) -> Option<Vec<i64>> {
        timelines.select(&[(kind, id)], &Narrow::default()).ok()
    }

    #[test]
    fn lists_follow_the_batches_and_stay_bounded() {
        let mut timelines = Timelines::default();
        timelines.keep(
            Kind::Organization,
            "a",
            &[facts(1, "A", "x"), facts(4, "B", "x")],
        );
        let concerns = vec![
            (Kind::Organization, "a".to_owned(), 4),
            (Kind::Organization, "b".to_owned(), 5),
            (Kind::Network, "a".to_owned(), 6),
            (Kind::Organization, "a".to_owned(), 6),
        ];
        let events = [event(4, "B", "x"), event(5, "A", "y"), event(6, "A", "y")];
        // A batch the image had partly applied: positions up to 4 are already in the list.
        timelines.append(4, &concerns, &events);
        assert_eq!(
            all(&timelines, Kind::Organization, "a"),
            Some(vec![1, 4, 6])
        );
        assert_eq!(all(&timelines, Kind::Organization, "b"), None);
        assert_eq!(timelines.size(), (1, 3));
        for i in 0..MAX_ENTITIES + 10 {
            timelines.keep(Kind::Network, &i.to_string(), &[facts(i as i64, "A", "x")]);
        }
        assert_eq!(timelines.size().0, MAX_ENTITIES);
        assert_eq!(
            all(&timelines, Kind::Organization, "a"),
            None,
            "the oldest went first"
        );
        let big: Vec<Facts> = (0..MAX_POSITIONS as i64)
            .map(|p| facts(p, "A", "x"))
            .collect();
        timelines.keep(Kind::Network, "big", &big);
        assert_eq!(timelines.size(), (1, MAX_POSITIONS));
    }

    #[test]
    fn an_empty_list_still_follows_the_batches() {
        let mut timelines = Timelines::default();
        timelines.keep(Kind::Commitment, "c", &[]);
        let concerns = vec![(Kind::Commitment, "c".to_owned(), 7)];
        timelines.append(6, &concerns, &[event(7, "A", "x")]);
        assert_eq!(all(&timelines, Kind::Commitment, "c"), Some(vec![7]));
    }

    #[test]
    fn a_list_is_narrowed_and_intersected() {
        let mut timelines = Timelines::default();
        let network: Vec<Facts> = [(1, "A", "x"), (2, "B", "x"), (3, "A", "y"), (5, "A", "x")]
            .into_iter()
            .map(|(p, t, a)| facts(p, t, a))
            .collect();
        timelines.keep(Kind::Network, "n", &network);
        timelines.keep(
            Kind::Organization,
            "o",
            &[facts(3, "A", "y"), facts(5, "A", "x")],
        );
        let select = |narrow: Narrow, both: bool| {
            let entities: &[(Kind, &str)] = match both {
                true => &[(Kind::Network, "n"), (Kind::Organization, "o")],
                false => &[(Kind::Network, "n")],
            };
            timelines.select(entities, &narrow).unwrap()
        };
        let of_type = |t| Narrow {
            event_type: Some(t),
            ..Narrow::default()
        };
        assert_eq!(select(of_type("A"), false), vec![1, 3, 5]);
        assert_eq!(select(of_type("A"), true), vec![3, 5]);
        assert_eq!(select(of_type("never seen"), false), Vec::<i64>::new());
        let by = Narrow {
            actor: Some("x"),
            aggregate_type: Some("Network"),
            ..Narrow::default()
        };
        assert_eq!(select(by, false), vec![1, 2, 5]);
        // Bounds at the millisecond: from is inclusive, until exclusive.
        let window = Narrow {
            recorded_from: Some(at(2) + chrono::Duration::microseconds(900)),
            recorded_until: Some(at(5)),
            ..Narrow::default()
        };
        assert_eq!(select(window, false), vec![2, 3]);
        assert_eq!(
            timelines.select(
                &[(Kind::Network, "n"), (Kind::Meeting, "m")],
                &Narrow::default()
            ),
            Err((Kind::Meeting, "m".to_owned()))
        );
    }
}
