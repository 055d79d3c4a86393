//! The read image: this process's typed, in-memory copy of the current read models, so that
//! questions "as of now" are answered without a database round trip and without decoding JSON.
//!
//! It starts from the current versions the active generation stores, and the position they
//! were projected to (one consistent snapshot), not from position zero (`image_follow.rs`
//! loads it and keeps it following). From there it follows
//! the same gap-safe global log the projector follows, folding events with the projector's own
//! function ([`project`]), so it holds what the database's current versions hold at the same
//! position. It follows the log on every commit, not only when the projector has written
//! a batch (its reads are shared with the other followers through the log's tail, see
//! `store/tail.rs`), and the local projector also hands it each batch it reads before it
//! writes the batch's documents: so the image leads the database.
//!
//! Read-your-writes therefore waits for the image, not for the database: a mutation answers
//! once the image shows its change, and the image remembers that position as *promised*.
//! A question this process answers from the database "as of now" (or as known at a position)
//! first waits until the database shows what was promised (`ReadModels::database_shows_promised`),
//! so no reader of this process sees a change and then, elsewhere, its absence.
//!
//! A change is "the state at `to` of every document that events in `(from, to]` touched"; it
//! applies to an image at position `p` when `from <= p < to` (what the image already has of
//! that range is overwritten by the later state, the rest is untouched by it), and is ignored
//! otherwise. Two feeds racing (the projector's and the image's own) can so never leave the
//! image between two states. Documents are never removed by the fold.
//!
//! Answers "as known at" a past position or "as effective on" a date that needs history come
//! from the versioned documents in the database, as before; the image serves the current state
//! only (see `ReadModels`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use serde_json::Value;
use tokio::sync::watch;

use crate::timelines::{EventCache, Facts, Lacking, Narrow, Timelines, Window};
use crate::views::*;

/// A column documents can be filtered on, besides kind and id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Column {
    Network,
    Organization,
    Parent,
}

impl Column {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Column::Network => "network_id",
            Column::Organization => "organization_id",
            Column::Parent => "parent_id",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn of(self, filters: &Filters) -> Option<&str> {
        match self {
            Column::Network => filters.network_id.as_deref(),
            Column::Organization => filters.organization_id.as_deref(),
            Column::Parent => filters.parent_id.as_deref(),
        }
    }

    const ALL: [Column; 3] = [Column::Network, Column::Organization, Column::Parent];
}

/// Ids and filter values, each held once and shared by the documents and the indexes.
type Text = Arc<str>;

struct Entry {
    /// The values of the filter columns (by [`Column::index`]), shared with the indexes.
    filters: [Option<Text>; 3],
    doc: Doc,
    /// The length of its JSON text.
    bytes: usize,
}

impl Entry {
    fn filters(&self) -> Filters {
        let owned = |i: usize| self.filters[i].as_deref().map(str::to_owned);
        Filters {
            network_id: owned(Column::Network.index()),
            organization_id: owned(Column::Organization.index()),
            parent_id: owned(Column::Parent.index()),
        }
    }
}

/// The documents of one kind, by id (in id order, as the database answers), with an index per
/// filter column. An index holds the documents themselves (shared), in id order, so that a
/// filtered read walks one small map instead of looking each id up among all of the kind's.
#[derive(Default)]
struct Documents {
    by_id: BTreeMap<Text, Entry>,
    by_column: [HashMap<Text, BTreeMap<Text, Doc>>; 3],
}

#[derive(Default)]
struct State {
    position: i64,
    kinds: HashMap<Kind, Documents>,
    documents: usize,
    bytes: usize,
    /// The timelines asked for, complete up to `position`.
    timelines: Timelines,
}

impl State {
    fn put(&mut self, key: DocKey, filters: Filters, doc: Doc, bytes: usize) {
        let documents = self.kinds.entry(key.kind).or_default();
        let shared =
            |known: Option<&Text>, text: &str| known.cloned().unwrap_or_else(|| Text::from(text));
        let id = shared(
            documents
                .by_id
                .get_key_value(key.id.as_str())
                .map(|(k, _)| k),
            &key.id,
        );
        let values: [Option<Text>; 3] = Column::ALL.map(|column| {
            column.of(&filters).map(|value| {
                let index = &documents.by_column[column.index()];
                shared(index.get_key_value(value).map(|(k, _)| k), value)
            })
        });
        if let Some(old) = documents.by_id.get(&id) {
            self.bytes -= old.bytes;
            self.documents -= 1;
            for (i, value) in old.filters.iter().enumerate() {
                let Some(value) = value else { continue };
                if values[i].as_ref() != Some(value) {
                    let index = &mut documents.by_column[i];
                    if let Some(ids) = index.get_mut(value) {
                        ids.remove(&id);
                        if ids.is_empty() {
                            index.remove(value);
                        }
                    }
                }
            }
        }
        for (i, value) in values.iter().enumerate() {
            if let Some(value) = value {
                documents.by_column[i]
                    .entry(value.clone())
                    .or_default()
                    .insert(id.clone(), doc.clone());
            }
        }
        self.bytes += bytes;
        self.documents += 1;
        documents.by_id.insert(
            id,
            Entry {
                filters: values,
                doc,
                bytes,
            },
        );
    }
}

/// This process's in-memory image of the current read models (see the module's doc).
pub struct Image {
    state: RwLock<State>,
    position: watch::Sender<i64>,
    /// Loaded and followed: only then does it answer (else the database does).
    live: AtomicBool,
    /// Someone waits for a position the image has not reached: read the log now (the batch
    /// may have been projected by another process's projector, which feeds no image here).
    nudge: tokio::sync::Notify,
    /// The events timelines last showed.
    events: EventCache,
    /// The highest position a reader of this process was told is readable once the image
    /// showed it, whether or not the database did yet (see the module's doc).
    promised: std::sync::atomic::AtomicI64,
}

impl Default for Image {
    fn default() -> Self {
        Self::new()
    }
}

impl Image {
    pub fn new() -> Self {
        Self {
            state: RwLock::default(),
            position: watch::channel(0).0,
            live: AtomicBool::new(false),
            nudge: tokio::sync::Notify::new(),
            events: EventCache::default(),
            promised: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// Records that readers of this process were told `position` is readable.
    pub(crate) fn promise(&self, position: i64) {
        self.promised.fetch_max(position, Ordering::AcqRel);
    }

    /// The highest position readers of this process were told is readable.
    pub(crate) fn promised(&self) -> i64 {
        self.promised.load(Ordering::Acquire)
    }

    /// Whether the image is loaded and followed (it answers "as of now" questions).
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// The log position the image holds the state of.
    pub fn position(&self) -> i64 {
        *self.position.borrow()
    }

    /// How many documents it holds, and about how many bytes they take.
    pub fn size(&self) -> (usize, usize) {
        let state = self.read_state();
        (state.documents, state.bytes)
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A panic while the lock was held cannot leave a half-applied change: `apply`
        // decodes before it locks, and the insertions cannot fail.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits (until `deadline`) for the image to reach `position`; answers whether it did.
    pub async fn wait_for(&self, position: i64, deadline: tokio::time::Instant) -> bool {
        self.wait(position, deadline, true).await
    }

    /// Like [`Self::wait_for`]; with `nudge`, the image reads the log itself at once, else it
    /// is left to its feeds (the local projector hands it every batch it reads).
    pub(crate) async fn wait(
        &self,
        position: i64,
        deadline: tokio::time::Instant,
        nudge: bool,
    ) -> bool {
        let mut reached = self.position.subscribe();
        if *reached.borrow_and_update() >= position {
            return true;
        }
        if nudge {
            self.nudge();
        }
        tokio::time::timeout_at(deadline, reached.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The current documents of `kind`: those with one of `ids` (all when None) whose
    /// `filter` column has one of the values given, and which `keep` keeps, in id order. Only
    /// the documents kept are copied out.
    pub(crate) fn select<T: Clone + 'static>(
        &self,
        kind: Kind,
        ids: Option<&[&str]>,
        filter: Option<(Column, &[&str])>,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Vec<T>, ProjectionError> {
        let state = self.read_state();
        let Some(documents) = state.kinds.get(&kind) else {
            return Ok(vec![]);
        };
        let wanted: Option<BTreeSet<&str>> = ids.map(|ids| ids.iter().copied().collect());
        let mut out = Vec::new();
        let mut take = |id: &str, doc: &Doc| -> Result<(), ProjectionError> {
            let view = match doc.downcast::<T>() {
                Some(view) => view,
                // Builds the key only for the error (a read answers many documents).
                None => doc.view::<T>(&DocKey::new(kind, id))?,
            };
            if keep(view) {
                out.push(view.clone());
            }
            Ok(())
        };
        match (filter, wanted) {
            (Some((column, values)), wanted) => {
                let index = &documents.by_column[column.index()];
                let mut found = values.iter().filter_map(|value| index.get(*value));
                let wanted = |id: &str| wanted.as_ref().is_none_or(|w| w.contains(id));
                match (found.next(), found.next()) {
                    (None, _) => {}
                    // One value (the usual case): its documents, already in id order.
                    (Some(only), None) => {
                        for (id, doc) in only.iter().filter(|(id, _)| wanted(id)) {
                            take(id, doc)?;
                        }
                    }
                    (Some(first), Some(second)) => {
                        let mut merged: BTreeMap<&str, &Doc> = BTreeMap::new();
                        for map in [first, second].into_iter().chain(found) {
                            merged.extend(map.iter().map(|(id, doc)| (&**id, doc)));
                        }
                        for (id, doc) in merged.into_iter().filter(|(id, _)| wanted(id)) {
                            take(id, doc)?;
                        }
                    }
                }
            }
            (None, Some(wanted)) => {
                for id in wanted {
                    if let Some(entry) = documents.by_id.get(id) {
                        take(id, &entry.doc)?;
                    }
                }
            }
            (None, None) => {
                for (id, entry) in &documents.by_id {
                    take(id, &entry.doc)?;
                }
            }
        }
        Ok(out)
    }

    /// Folds `events`, the log's next events after `from`, into the image, from its own
    /// documents: those after the image's position, when it stands within them. Answers
    /// whether they applied (not when the image is behind `from`, past them, or was moved
    /// meanwhile by another feed: the events are then either in it already or read again).
    pub(crate) fn fold(
        &self,
        from: i64,
        events: &[Arc<crate::event::StoredEvent>],
    ) -> Result<bool, ProjectionError> {
        let Some(to) = events.last().map(|e| e.position) else {
            return Ok(false);
        };
        let at = self.position();
        if at < from || at >= to {
            return Ok(false);
        }
        let (from, events) = (at, &events[events.partition_point(|e| e.position <= at)..]);
        // Each payload decoded once, for the keys and the fold.
        let decoded = events
            .iter()
            .map(|event| decoded(event))
            .collect::<Result<Vec<_>, _>>()?;
        let mut keys = BTreeSet::new();
        for (event, any) in events.iter().zip(&decoded) {
            keys.extend(keys_of(event, any)?);
        }
        // The fold starts from the image as it was at `from`, all documents read at once.
        let Some(mut docs) = self.documents_at(from, keys) else {
            return Ok(false);
        };
        for (event, any) in events.iter().zip(decoded) {
            project_decoded(&mut docs, event, any)?;
        }
        self.apply_versions(from, to, &docs.versions, &docs.concerns, events)
    }

    /// The current documents of `keys`, shared (None: no such document), as of
    /// `position` exactly; None if the image is no longer there (another feed moved it: the
    /// documents would already hold some of the events to fold).
    pub(crate) fn documents_at(&self, position: i64, keys: BTreeSet<DocKey>) -> Option<Docs> {
        let state = self.read_state();
        if state.position != position {
            return None;
        }
        let mut docs = Docs::default();
        for key in keys {
            let current = state
                .kinds
                .get(&key.kind)
                .and_then(|documents| documents.by_id.get(key.id.as_str()))
                .map(|entry| (entry.filters(), entry.doc.clone()));
            docs.preload(key, current);
        }
        Some(docs)
    }

    /// Applies the state at `to` of the documents `events` in `(from, to]` touched, and the
    /// entities those events concern (`concerns`, in log order), if the image is at a
    /// position in `[from, to)`; answers whether it did.
    pub(crate) fn apply<'a>(
        &self,
        from: i64,
        to: i64,
        changes: impl IntoIterator<Item = (&'a DocKey, &'a Filters, &'a Doc)>,
        concerns: &[(Kind, String, i64)],
        events: &[Arc<crate::event::StoredEvent>],
    ) -> Result<bool, ProjectionError> {
        if !(from..to).contains(&self.position()) {
            return Ok(false);
        }
        // What the write lock is held for stays short: the changes are owned and measured
        // before.
        let changes: Vec<(DocKey, Filters, Doc, usize)> = changes
            .into_iter()
            .map(|(key, filters, doc)| (key.clone(), filters.clone(), doc.clone(), doc.text_len()))
            .collect();
        let mut state = self.write_state();
        if !(from..to).contains(&state.position) {
            return Ok(false);
        }
        for (key, filters, doc, bytes) in changes {
            state.put(key, filters, doc, bytes);
        }
        let above = state.position;
        state.timelines.append(above, concerns, events);
        state.position = to;
        let (documents, bytes) = (state.documents, state.bytes);
        drop(state);
        self.position.send_replace(to);
        metrics::gauge!("governance_read_image_documents").set(documents as f64);
        metrics::gauge!("governance_read_image_bytes").set(bytes as f64);
        metrics::gauge!("governance_read_image_position").set(to as f64);
        Ok(true)
    }

    /// Applies a batch of the projector's versions (each document's last version in it is
    /// its state at `to`) and the entities its events concern.
    pub(crate) fn apply_versions(
        &self,
        from: i64,
        to: i64,
        versions: &[Version],
        concerns: &[(Kind, String, i64)],
        events: &[Arc<crate::event::StoredEvent>],
    ) -> Result<bool, ProjectionError> {
        let mut last: HashMap<&DocKey, &Version> = HashMap::with_capacity(versions.len());
        for version in versions {
            last.insert(&version.key, version);
        }
        self.apply(
            from,
            to,
            last.into_values().map(|v| (&v.key, &v.filters, &v.doc)),
            concerns,
            events,
        )
    }

    /// One window of the positions of the events that concern every one of `entities` and
    /// hold to `narrow`, and how many there are, as of the image's position; or, when an
    /// entity has no list kept, which one and that position (to load its list at). An answer
    /// promises the image's position: the reader may ask the database about those events
    /// next (what was known at one of them), and it must show them by then.
    pub(crate) fn history(
        &self,
        entities: &[(Kind, &str)],
        narrow: &Narrow,
        window: Window,
    ) -> Result<(Vec<i64>, usize), (Lacking, i64)> {
        let state = self.read_state();
        match state.timelines.select(entities, narrow) {
            Ok(positions) => {
                self.promise(state.position);
                Ok((window.of(&positions), positions.len()))
            }
            Err(lacking) => Err((lacking, state.position)),
        }
    }

    /// Keeps an entity's list of positions, complete up to `at`, if the image is still there
    /// (else the batches applied since may have concerned it); answers whether it did.
    pub(crate) fn keep_timeline(&self, kind: Kind, id: &str, at: i64, list: &[Facts]) -> bool {
        let mut state = self.write_state();
        if state.position != at {
            return false;
        }
        state.timelines.keep(kind, id, list);
        let (entities, positions) = state.timelines.size();
        drop(state);
        metrics::gauge!("governance_read_image_timelines").set(entities as f64);
        metrics::gauge!("governance_read_image_timeline_positions").set(positions as f64);
        true
    }

    /// The events timelines last showed.
    pub(crate) fn events(&self) -> &EventCache {
        &self.events
    }

    /// Replaces the whole image with `loaded`, the state at `position`.
    pub(crate) fn install(&self, loaded: Loaded, position: i64) {
        let mut state = loaded.0;
        state.position = position;
        let (documents, bytes) = (state.documents, state.bytes);
        *self.write_state() = state;
        self.position.send_replace(position);
        metrics::gauge!("governance_read_image_documents").set(documents as f64);
        metrics::gauge!("governance_read_image_bytes").set(bytes as f64);
        metrics::gauge!("governance_read_image_position").set(position as f64);
    }

    /// Whether the image answers (see `image_follow.rs`, which keeps it loaded and followed).
    pub(crate) fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
    }

    /// Completes when a reader waits for a position the image has not reached, or a feed
    /// found it behind ([`Self::nudge`]).
    pub(crate) async fn nudged(&self) {
        self.nudge.notified().await
    }

    /// Asks the image to read the log itself at once (not at the next commit or its next
    /// look): a feed handed it events past where it stands.
    pub(crate) fn nudge(&self) {
        self.nudge.notify_one();
    }
}

/// An image being loaded from stored documents (see [`Image::install`]).
#[derive(Default)]
pub(crate) struct Loaded(State);

impl Loaded {
    /// Adds a stored current document; one of a kind this version does not know is skipped.
    pub(crate) fn add(
        &mut self,
        kind: &str,
        id: String,
        filters: Filters,
        doc: &Value,
    ) -> Result<(), ProjectionError> {
        let Some(kind) = Kind::ALL.into_iter().find(|k| k.as_str() == kind) else {
            return Ok(());
        };
        let key = DocKey::new(kind, id);
        let doc = Doc::decode(&key, doc)?;
        let bytes = doc.text_len();
        self.0.put(key, filters, doc, bytes);
        Ok(())
    }
}
