//! The read image: this process's typed, in-memory copy of the current read models, so that
//! questions "as of now" are answered without a database round trip and without decoding JSON.
//!
//! It starts from the current versions the active generation stores, and the position they
//! were projected to (one consistent snapshot), not from position zero. From there it follows
//! the same gap-safe global log the projector follows, folding events with the projector's own
//! function ([`project`]), so it holds what the database's current versions hold at the same
//! position. While this process's projector leads, the projector hands each committed batch's
//! documents to the image instead (no second read of the log, no second fold); the image reads
//! the log itself only when no projector of this process feeds it or a batch did not join up.
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

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;

use crate::sql::on_pool;
use crate::store::{Backend, Store, StoreError};
use crate::tasks::{pause, Stoppable};
use crate::views::*;

/// A document in its typed form (the view struct of its kind).
type Typed = Arc<dyn Any + Send + Sync>;

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

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error("a {kind} document is not a {wanted} (a bug of the read image)")]
    WrongType {
        kind: &'static str,
        wanted: &'static str,
    },
}

impl From<sqlx::Error> for ImageError {
    fn from(error: sqlx::Error) -> Self {
        ImageError::Store(StoreError::Database(error))
    }
}

/// The view type of each kind: decoding a stored document into it, and back.
macro_rules! typed_kinds {
    ($($kind:ident => $view:ty),* $(,)?) => {
        fn decode(key: &DocKey, value: &Value) -> Result<Typed, ProjectionError> {
            let corrupt = |e: serde_json::Error| ProjectionError::Corrupt {
                kind: key.kind.as_str(),
                id: key.id.clone(),
                message: e.to_string(),
            };
            Ok(match key.kind {
                $(Kind::$kind => Arc::new(<$view>::deserialize(value).map_err(corrupt)?),)*
            })
        }

        fn encode(key: &DocKey, doc: &Typed) -> Result<Value, ProjectionError> {
            let corrupt = |message: String| ProjectionError::Corrupt {
                kind: key.kind.as_str(),
                id: key.id.clone(),
                message,
            };
            match key.kind {
                $(Kind::$kind => {
                    let view = doc
                        .downcast_ref::<$view>()
                        .ok_or_else(|| corrupt("held as another type".into()))?;
                    view.serialize(serde_json::value::Serializer)
                        .map_err(|e| corrupt(e.to_string()))
                })*
            }
        }
    };
}

typed_kinds! {
    Organization => OrganizationView,
    Network => NetworkView,
    Membership => MembershipView,
    Protocol => ProtocolView,
    Signature => SignatureView,
    Commitment => CommitmentView,
    WorkingGroup => WorkingGroupView,
    Meeting => MeetingView,
    Attendance => AttendanceView,
    Person => PersonView,
}

/// About how many bytes a JSON value takes as text (the image's size metric: the typed form
/// is of the same order, without the field names).
fn text_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 8,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => 2 + items.iter().map(|v| text_size(v) + 1).sum::<usize>(),
        Value::Object(fields) => {
            2 + fields
                .iter()
                .map(|(k, v)| k.len() + 4 + text_size(v))
                .sum::<usize>()
        }
    }
}

struct Entry {
    filters: Filters,
    doc: Typed,
    bytes: usize,
}

/// The documents of one kind, by id (in id order, as the database answers), with an index per
/// filter column.
#[derive(Default)]
struct Documents {
    by_id: BTreeMap<String, Entry>,
    by_column: [HashMap<String, BTreeSet<String>>; 3],
}

#[derive(Default)]
struct State {
    position: i64,
    kinds: HashMap<Kind, Documents>,
    documents: usize,
    bytes: usize,
}

impl State {
    fn put(&mut self, key: DocKey, filters: Filters, doc: Typed, bytes: usize) {
        let documents = self.kinds.entry(key.kind).or_default();
        if let Some(old) = documents.by_id.get(&key.id) {
            self.bytes -= old.bytes;
            self.documents -= 1;
            for column in Column::ALL {
                if let Some(value) = column.of(&old.filters) {
                    if column.of(&filters) != Some(value) {
                        let index = &mut documents.by_column[column.index()];
                        if let Some(ids) = index.get_mut(value) {
                            ids.remove(&key.id);
                            if ids.is_empty() {
                                index.remove(value);
                            }
                        }
                    }
                }
            }
        }
        for column in Column::ALL {
            if let Some(value) = column.of(&filters) {
                documents.by_column[column.index()]
                    .entry(value.to_owned())
                    .or_default()
                    .insert(key.id.clone());
            }
        }
        self.bytes += bytes;
        self.documents += 1;
        documents.by_id.insert(
            key.id,
            Entry {
                filters,
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
        }
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
        let mut reached = self.position.subscribe();
        if *reached.borrow_and_update() >= position {
            return true;
        }
        self.nudge.notify_one();
        tokio::time::timeout_at(deadline, reached.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The current documents of `kind`: those with one of `ids` (all when None) whose
    /// `filter` column has one of the values given, in id order.
    pub(crate) fn select<T: Clone + 'static>(
        &self,
        kind: Kind,
        ids: Option<&[&str]>,
        filter: Option<(Column, &[&str])>,
    ) -> Result<Vec<T>, ImageError> {
        let state = self.read_state();
        let Some(documents) = state.kinds.get(&kind) else {
            return Ok(vec![]);
        };
        let wanted: Option<BTreeSet<&str>> = ids.map(|ids| ids.iter().copied().collect());
        let typed = |entry: &Entry| {
            entry
                .doc
                .downcast_ref::<T>()
                .cloned()
                .ok_or(ImageError::WrongType {
                    kind: kind.as_str(),
                    wanted: std::any::type_name::<T>(),
                })
        };
        match (filter, wanted) {
            (Some((column, values)), wanted) => {
                let index = &documents.by_column[column.index()];
                let mut found: BTreeSet<&str> = BTreeSet::new();
                for value in values {
                    if let Some(ids) = index.get(*value) {
                        found.extend(
                            ids.iter()
                                .map(String::as_str)
                                .filter(|id| wanted.as_ref().is_none_or(|w| w.contains(id))),
                        );
                    }
                }
                found
                    .into_iter()
                    .filter_map(|id| documents.by_id.get(id))
                    .map(typed)
                    .collect()
            }
            (None, Some(wanted)) => wanted
                .into_iter()
                .filter_map(|id| documents.by_id.get(id))
                .map(typed)
                .collect(),
            (None, None) => documents.by_id.values().map(typed).collect(),
        }
    }

    /// The current documents of `keys` in their stored form (None: no such document), as of
    /// `position` exactly; None if the image is no longer there (another feed moved it: the
    /// documents would already hold some of the events to fold).
    fn stored_forms(
        &self,
        position: i64,
        keys: BTreeSet<DocKey>,
    ) -> Result<Option<Docs>, ProjectionError> {
        let state = self.read_state();
        if state.position != position {
            return Ok(None);
        }
        let mut docs = Docs::default();
        for key in keys {
            let current = match state
                .kinds
                .get(&key.kind)
                .and_then(|documents| documents.by_id.get(&key.id))
            {
                Some(entry) => Some((entry.filters.clone(), encode(&key, &entry.doc)?)),
                None => None,
            };
            docs.preload(key, current);
        }
        Ok(Some(docs))
    }

    /// Applies the state at `to` of the documents events in `(from, to]` touched, if the
    /// image is at a position in `[from, to)`; answers whether it did.
    pub(crate) fn apply<'a>(
        &self,
        from: i64,
        to: i64,
        changes: impl IntoIterator<Item = (&'a DocKey, &'a Filters, &'a Value)>,
    ) -> Result<bool, ProjectionError> {
        if !(from..to).contains(&self.position()) {
            return Ok(false);
        }
        let mut decoded = Vec::new();
        for (key, filters, value) in changes {
            decoded.push((
                key.clone(),
                filters.clone(),
                decode(key, value)?,
                text_size(value),
            ));
        }
        let mut state = self.write_state();
        if !(from..to).contains(&state.position) {
            return Ok(false);
        }
        for (key, filters, doc, bytes) in decoded {
            state.put(key, filters, doc, bytes);
        }
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
    /// its state at `to`).
    pub(crate) fn apply_versions(
        &self,
        from: i64,
        to: i64,
        versions: &[Version],
    ) -> Result<bool, ProjectionError> {
        let mut last: HashMap<&DocKey, &Version> = HashMap::with_capacity(versions.len());
        for version in versions {
            last.insert(&version.key, version);
        }
        self.apply(
            from,
            to,
            last.into_values().map(|v| (&v.key, &v.filters, &v.doc)),
        )
    }

    /// Replaces the whole image with the active generation's current documents and the
    /// position they were projected to, read in one snapshot.
    async fn load(&self, store: &Store) -> Result<(), ImageError> {
        type Row = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Value,
        );
        const CHECKPOINT: &str = "SELECT c.position FROM projection_state s
              JOIN projection_checkpoints c ON c.generation = s.active_generation";
        const CURRENT: &str = "SELECT kind, id, network_id, organization_id, parent_id, doc
              FROM read_models WHERE generation = (SELECT active_generation FROM projection_state)
               AND valid_to IS NULL";
        let mut state = State::default();
        let mut add = |(kind, id, network_id, organization_id, parent_id, doc): Row| {
            let Some(kind) = Kind::ALL.into_iter().find(|k| k.as_str() == kind) else {
                return Ok(());
            };
            let key = DocKey::new(kind, id);
            let typed = decode(&key, &doc)?;
            let filters = Filters {
                network_id,
                organization_id,
                parent_id,
            };
            state.put(key, filters, typed, text_size(&doc));
            Ok::<_, ImageError>(())
        };
        let position: i64 = on_pool!(store.backend(), pool => {
            let mut tx = pool.begin().await?;
            if matches!(store.backend(), Backend::Postgres(_)) {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
            }
            // On SQLite the transaction's snapshot is taken at its first read.
            let position = sqlx::query_scalar(CHECKPOINT).fetch_one(&mut *tx).await?;
            let mut rows = sqlx::query_as::<_, Row>(CURRENT).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                add(row)?;
            }
            drop(rows);
            tx.commit().await?;
            position
        });
        state.position = position;
        let (documents, bytes) = (state.documents, state.bytes);
        *self.write_state() = state;
        self.position.send_replace(position);
        metrics::gauge!("governance_read_image_documents").set(documents as f64);
        metrics::gauge!("governance_read_image_bytes").set(bytes as f64);
        metrics::gauge!("governance_read_image_position").set(position as f64);
        Ok(())
    }

    /// Reads and folds the log after the image's position until nothing more is readable;
    /// answers how many events it folded.
    async fn catch_up(&self, store: &Store) -> Result<usize, ImageError> {
        let mut folded = 0;
        loop {
            let from = self.position();
            let events = store.read_after(from, FOLD_BATCH).await?;
            let Some(to) = events.last().map(|e| e.position) else {
                return Ok(folded);
            };
            let mut keys = BTreeSet::new();
            for event in &events {
                keys.extend(keys_for(event)?);
            }
            // The fold starts from the image as it was at `from`, all documents read at once.
            let Some(mut docs) = self.stored_forms(from, keys)? else {
                continue;
            };
            for event in &events {
                project(&mut docs, event)?;
            }
            self.apply_versions(from, to, &docs.versions)?;
            folded += events.len();
            if (events.len() as i64) < FOLD_BATCH {
                return Ok(folded);
            }
        }
    }
}

/// How many events the image folds per read of the log.
const FOLD_BATCH: i64 = 1_000;

/// Keeps `image` loaded and following the log until stopped; it answers only while this
/// task runs (stopped, it goes back to the database).
pub fn spawn(store: Store, image: Arc<Image>) -> Stoppable {
    Stoppable::spawn(move |mut stop| async move {
        struct Live(Arc<Image>);
        impl Drop for Live {
            fn drop(&mut self) {
                self.0.live.store(false, Ordering::Release);
            }
        }
        let live = Live(image);
        let image = &live.0;
        let mut changes = store.subscribe();
        let mut projected = store.subscribe_projected();
        loop {
            match image.load(&store).await {
                Ok(()) => break,
                Err(error) => {
                    tracing::error!(%error, "loading the read image failed; retrying");
                    if pause(&mut stop, Duration::from_secs(1)).await {
                        return;
                    }
                }
            }
        }
        let mut loaded = false;
        // Whether to read the log now, whatever the projector signalled.
        let mut read = true;
        loop {
            if *stop.borrow() {
                return;
            }
            // While this process's projector leads it feeds the image as its batches
            // commit (before it signals them); the log is read here only if the image is
            // behind what it signalled (a batch that did not join up), when a reader waits
            // for a position it has not reached, and every half second.
            let behind = !store.projects_here() || image.position() < *projected.borrow();
            if behind || read || !loaded {
                if let Err(error) = image.catch_up(&store).await {
                    tracing::error!(%error, "the read image could not follow the log; retrying");
                    if pause(&mut stop, Duration::from_secs(1)).await {
                        return;
                    }
                    continue;
                }
                if !loaded {
                    loaded = true;
                    image.live.store(true, Ordering::Release);
                }
            }
            let reached = image.position();
            read = false;
            if store.projects_here() {
                tokio::select! {
                    signalled = tokio::time::timeout(Duration::from_millis(500), projected.changed()) => {
                        read = signalled.is_err();
                    }
                    _ = image.nudge.notified() => read = true,
                    _ = stop.changed() => return,
                }
            } else {
                tokio::select! {
                    _ = store.wait_past(&mut changes, reached, Duration::from_millis(500)) => {}
                    _ = image.nudge.notified() => {}
                    _ = stop.changed() => return,
                }
            }
        }
    })
}
