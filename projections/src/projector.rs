//! The projector: follows the global log from a stored checkpoint and writes the read-model
//! versions, the entity index and the new checkpoint in one transaction per batch. Restarted at
//! any point (a crash, a dropped task), it continues exactly where the last committed batch
//! ended: nothing skipped, nothing applied twice. The checkpoint is advanced with a
//! compare-and-set, so even two projectors racing on one generation cannot both apply a batch.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::sql::{dialect, on_pool};
use crate::store::{Backend, Store, StoreError};
use crate::tasks::pause;
pub use crate::tasks::Stoppable;
pub(crate) mod write;
use write::{write_postgres, write_sqlite, BatchWrite};

use crate::views::{
    created_by, decoded, keys_for, keys_of, project, project_decoded, Doc, DocKey, Docs, Filters,
    Kind, ProjectionError, StoredDocument, Version,
};

#[derive(Debug, thiserror::Error)]
pub enum ProjectorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error("another projector advanced generation {0} first; this batch was not applied")]
    LostRace(i64),
    #[error("generation {0} has no checkpoint")]
    NoSuchGeneration(i64),
    /// The read side's state names no generation with a checkpoint: changed behind the
    /// application's back (the database refuses it since `0014_projection_state_kept`).
    #[error(
        "the read side's state names no active generation with a checkpoint: it was changed \
         behind the application's back (`governance rebuild` makes a new generation)"
    )]
    NoActiveGeneration,
    /// The checkpoint was found where the generation's documents do not end (moved behind the
    /// application's back): it now stands where they end again.
    #[error(
        "the checkpoint of generation {generation} was at {was}, but its documents were \
         written up to {written}: it was moved behind the application's back, and is put \
         back to {written}"
    )]
    CheckpointPutBack {
        generation: i64,
        was: i64,
        written: i64,
    },
}

impl ProjectorError {
    /// The position of the event the failure is about, and why, when it is that event that
    /// cannot be applied (not the database or a race).
    pub fn stopped_at(&self) -> Option<(i64, &str)> {
        match self {
            ProjectorError::Projection(ProjectionError::Decode { position, message }) => {
                Some((*position, message))
            }
            _ => None,
        }
    }

    /// The stored document (kind and id) the failure is about, when it is that document
    /// that cannot be read, or that the log's events need and the store lacks (changed or
    /// deleted behind the application's back).
    pub fn unreadable_document(&self) -> Option<(&'static str, &str)> {
        match self {
            ProjectorError::Projection(
                ProjectionError::Corrupt { kind, id, .. }
                | ProjectionError::Missing { kind, id, .. },
            ) => Some((*kind, id)),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for ProjectorError {
    fn from(error: sqlx::Error) -> Self {
        ProjectorError::Store(StoreError::Database(error))
    }
}

/// What one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub events: usize,
    /// The checkpoint after the batch.
    pub position: i64,
}

/// Projects the global log into one generation of the read models.
#[derive(Clone)]
pub struct Projector {
    store: Store,
    batch_size: i64,
    /// The connection this projector's batch writes keep (PostgreSQL).
    held: std::sync::Arc<tokio::sync::Mutex<crate::sql::Held>>,
}

const LOAD_CHUNK: usize = 500;

/// The projector, as it reports a stored document it cannot read ([`Store::unreadable_document`]).
const PROJECTOR: &str = "projector";

/// (id, network_id, organization_id, parent_id, doc) of a current document version.
type CurrentRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Value,
);

impl Projector {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            batch_size: 500,
            held: Default::default(),
        }
    }

    pub fn with_batch_size(mut self, batch_size: i64) -> Self {
        self.batch_size = batch_size.clamp(1, 10_000);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The generation that serves reads.
    pub async fn active_generation(&self) -> Result<i64, ProjectorError> {
        let backend = self.store.backend();
        let sql = "SELECT active_generation FROM projection_state";
        let active = on_pool!(backend, pool => sqlx::query_scalar(sql).fetch_optional(pool).await?);
        active.ok_or(ProjectorError::NoActiveGeneration)
    }

    /// The position a generation has projected up to.
    pub async fn checkpoint(&self, generation: i64) -> Result<i64, ProjectorError> {
        let backend = self.store.backend();
        let sql = dialect(
            backend,
            "SELECT position FROM projection_checkpoints WHERE generation = $1",
        );
        let position: Option<i64> = on_pool!(backend, pool => sqlx::query_scalar(&sql)
            .bind(generation)
            .fetch_optional(pool)
            .await?);
        position.ok_or(ProjectorError::NoSuchGeneration(generation))
    }

    /// Projects the next batch of the log into `generation`; `events == 0` means caught up.
    pub async fn run_batch(&self, generation: i64) -> Result<Batch, ProjectorError> {
        let from = self.checkpoint(generation).await?;
        self.run_batch_from(generation, from).await
    }

    /// The active generation and its checkpoint, in one query.
    pub async fn active_checkpoint(&self) -> Result<(i64, i64), ProjectorError> {
        let backend = self.store.backend();
        let sql = "SELECT s.active_generation, c.position FROM projection_state s
                     JOIN projection_checkpoints c ON c.generation = s.active_generation";
        let active = on_pool!(backend, pool => sqlx::query_as(sql).fetch_optional(pool).await?);
        active.ok_or(ProjectorError::NoActiveGeneration)
    }

    /// Projects the batch after `from` (the generation's checkpoint as last read) into
    /// `generation`; if another projector moved the checkpoint since, nothing is applied.
    pub async fn run_batch_from(
        &self,
        generation: i64,
        from: i64,
    ) -> Result<Batch, ProjectorError> {
        self.run_batch_with(generation, from, &mut Docs::default(), false)
            .await
    }

    /// Like [`Self::run_batch_from`], with the current documents `docs` already holds taken as
    /// they are (not loaded again) where this batch needs them; the others are dropped. Only
    /// sound while nothing else writes `generation`: the rebuild carries them from batch to
    /// batch. On return `docs` holds the current version of every document the batch
    /// touched, and no pending versions. With `feed`, the batch's events are also folded into
    /// this process's read image as soon as they are read (the live projector of the active
    /// generation only).
    pub(crate) async fn run_batch_with(
        &self,
        generation: i64,
        from: i64,
        docs: &mut Docs,
        feed: bool,
    ) -> Result<Batch, ProjectorError> {
        let started = std::time::Instant::now();
        let events = self.store.read_after(from, self.batch_size).await?;
        let Some(last) = events.last().map(|e| e.position) else {
            return Ok(Batch {
                events: 0,
                position: from,
            });
        };
        let read = started.elapsed();
        if feed {
            if let Some(image) = self.store.image() {
                // The image folds the batch from its own documents as soon as it is read: the
                // log is committed, so the image may show it now, without waiting for this
                // batch's documents to be written (read-your-writes waits for the image). A
                // batch that does not join up is left to the image's own reading of the log,
                // at once if the image is behind it: nothing else may wake it before its next
                // look (no commit comes after a restart, say), and it would answer "as of
                // now" without what the database is about to show.
                let folded = image.fold(from, &events);
                if image.position() < from {
                    image.nudge();
                }
                if let Err(error) = folded {
                    let error = ProjectorError::from(error);
                    match (error.stopped_at(), error.unreadable_document()) {
                        // Named once, not at every attempt (the fold below stops there too).
                        (Some((position, reason)), _) => self.store.report_stop(position, reason),
                        // The image's own reading of the log names it, and loads again after
                        // a rebuild.
                        (None, Some(_)) => {}
                        (None, None) => {
                            tracing::error!(%error, "the read image could not fold a batch")
                        }
                    }
                }
            }
        }
        let decoded = events
            .iter()
            .map(|event| decoded(event))
            .collect::<Result<Vec<_>, _>>()?;
        let mut keys = BTreeSet::new();
        for (event, any) in events.iter().zip(&decoded) {
            keys.extend(keys_of(event, any)?);
        }
        // What earlier batches left current is not read again; the rest is, but for an
        // aggregate's own document at its first event (it cannot exist yet). What is
        // carried on stays bounded (a working set, not the whole generation).
        docs.bound(&keys, DOCS_CARRIED);
        for event in &events {
            if let Some(key) = created_by(event) {
                if keys.contains(&key) {
                    docs.preload(key, None);
                }
            }
        }
        let missing: BTreeSet<DocKey> = keys.into_iter().filter(|k| !docs.is_loaded(k)).collect();
        self.load(generation, &missing, docs).await?;
        let loaded = started.elapsed();
        for (event, any) in events.iter().zip(decoded) {
            project_decoded(docs, event, any)?;
        }
        let projected = started.elapsed();
        let written = self.write(generation, from, last, docs).await;
        docs.written();
        written?;
        let written = started.elapsed();
        for (stage, seconds) in [
            ("read", read),
            ("load", loaded - read),
            ("project", projected - loaded),
            ("write", written - projected),
        ] {
            metrics::histogram!("governance_projector_stage_seconds", "stage" => stage)
                .record(seconds.as_secs_f64());
        }
        metrics::histogram!("governance_projector_batch_events").record(events.len() as f64);
        Ok(Batch {
            events: events.len(),
            position: last,
        })
    }

    /// Loads the current version of every key into `docs` (absent keys are loaded as None).
    async fn load(
        &self,
        generation: i64,
        keys: &BTreeSet<DocKey>,
        docs: &mut Docs,
    ) -> Result<(), ProjectorError> {
        let backend = self.store.backend();
        let mut by_kind: BTreeMap<Kind, Vec<&str>> = BTreeMap::new();
        for key in keys {
            by_kind.entry(key.kind).or_default().push(&key.id);
        }
        for (kind, ids) in by_kind {
            for chunk in ids.chunks(LOAD_CHUNK) {
                let placeholders: Vec<String> =
                    (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
                let sql = dialect(
                    backend,
                    &format!(
                        "SELECT id, network_id, organization_id, parent_id, doc FROM read_models
                          WHERE generation = $1 AND kind = $2 AND valid_to IS NULL AND id IN ({})",
                        placeholders.join(", ")
                    ),
                );
                let rows: Vec<CurrentRow> = on_pool!(backend, pool => {
                    let mut query = sqlx::query_as(&sql).bind(generation).bind(kind.as_str());
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    query.fetch_all(pool).await?
                });
                let mut found: BTreeMap<String, (Filters, Doc)> = BTreeMap::new();
                for (id, network_id, organization_id, parent_id, doc) in rows {
                    let filters = Filters {
                        network_id,
                        organization_id,
                        parent_id,
                    };
                    let doc = Doc::decode(&DocKey::new(kind, &id), &doc)?;
                    found.insert(id, (filters, doc));
                }
                for id in chunk {
                    docs.preload(DocKey::new(kind, id), found.remove(*id));
                }
            }
        }
        Ok(())
    }

    /// Writes the batch's versions, entity index and checkpoint atomically (one statement on
    /// PostgreSQL, one transaction on SQLite); refuses if the checkpoint is no longer `from`.
    async fn write(
        &self,
        generation: i64,
        from: i64,
        to: i64,
        docs: &Docs,
    ) -> Result<(), ProjectorError> {
        // Each version is valid until the next version of the same document in this batch.
        let mut by_key: BTreeMap<&DocKey, Vec<&Version>> = BTreeMap::new();
        for version in &docs.versions {
            by_key.entry(&version.key).or_default().push(version);
        }
        let mut rows: Vec<(&Version, Option<i64>)> = Vec::with_capacity(docs.versions.len());
        for versions in by_key.values() {
            for (i, version) in versions.iter().enumerate() {
                rows.push((version, versions.get(i + 1).map(|next| next.position)));
            }
        }
        // Only documents that existed before the batch have a stored version to end: one the
        // batch creates (an aggregate's first event, a key loaded as absent) has none, and
        // looking for it would cost an index probe per new document.
        let closes: Vec<(&DocKey, i64)> = by_key
            .iter()
            .filter(|(_, versions)| versions[0].replaces)
            .map(|(key, versions)| (*key, versions[0].position))
            .collect();
        let texts = rows
            .iter()
            .map(|(version, _)| version.doc.to_text(&version.key))
            .collect::<Result<Vec<String>, _>>()?;
        let batch = BatchWrite {
            generation,
            from,
            to,
            closes: &closes,
            rows: &rows,
            texts: &texts,
            concerns: &docs.concerns,
        };
        let written = match self.store.read_side() {
            Backend::Postgres(pool) => {
                let mut held = self.held.lock().await;
                let connection = held.connection(pool).await?;
                let outcome = write_postgres(connection, &batch).await;
                held.settle(outcome)
            }
            Backend::Sqlite(pool) => write_sqlite(pool, &batch).await,
        };
        let claimed = match written {
            Ok(claimed) => claimed,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(self.moved_back(generation, e).await);
            }
            Err(e) => return Err(e.into()),
        };
        if !claimed {
            return Err(ProjectorError::LostRace(generation));
        }
        Ok(())
    }

    /// A batch's versions or entity index rows are already stored: the batch re-applied
    /// events the generation holds, so its checkpoint was moved back behind the application's
    /// back. It is put back where its documents end ([`Self::realign`]); anything else stays
    /// the error.
    async fn moved_back(
        &self,
        generation: i64,
        error: Box<dyn sqlx::error::DatabaseError>,
    ) -> ProjectorError {
        let error = ProjectorError::from(sqlx::Error::Database(error));
        match self.realign(generation).await {
            Ok(Some(put_back)) => put_back,
            Ok(None) => error,
            Err(repair) => {
                tracing::error!(%repair, "the projection checkpoint could not be put back");
                error
            }
        }
    }

    /// An idle projector's checkpoint `from` is past the log's head: it was moved forward
    /// behind the application's back (events appended later would be skipped). It is put
    /// back where the generation's documents end ([`Self::realign`]).
    async fn past_the_head(
        &self,
        generation: i64,
        from: i64,
    ) -> Result<Option<ProjectorError>, ProjectorError> {
        if from <= self.store.head_position().await? {
            return Ok(None);
        }
        self.realign(generation).await
    }

    /// Compares `generation`'s checkpoint with the last position its versions and entity
    /// index rows were written at, in one snapshot. Every batch writes them with its checkpoint
    /// in one transaction, and every event writes an entity index row, so the two are equal
    /// unless the checkpoint was moved behind the application's back (back: the next batch
    /// would apply events again onto documents that hold them; forward: it would skip
    /// events). If they differ the checkpoint is put back where the rows end (compare-and-set,
    /// as a batch claims it), said in the log and counted, and that is answered. One scan of
    /// the generation's entity index (a quarter of a second on the national dataset): run as
    /// a live projector starts to project, once per [`crate::catch_up_all`], and when a batch
    /// or an idle projector finds the checkpoint moved.
    pub async fn realign(&self, generation: i64) -> Result<Option<ProjectorError>, ProjectorError> {
        let backend = self.store.read_side();
        let sql = dialect(
            backend,
            "SELECT c.position, coalesce((SELECT max(p) FROM (
                        SELECT max(position) AS p FROM entity_events WHERE generation = $1
                        UNION ALL
                        SELECT max(valid_from) FROM read_models WHERE generation = $1
                    ) AS written), 0)
               FROM projection_checkpoints c WHERE c.generation = $1",
        );
        let found: Option<(i64, i64)> = on_pool!(backend, pool => sqlx::query_as(&sql)
            .bind(generation)
            .fetch_optional(pool)
            .await?);
        let Some((checkpoint, written)) = found else {
            return Err(ProjectorError::NoSuchGeneration(generation));
        };
        if checkpoint == written {
            return Ok(None);
        }
        Ok(self.put_back(generation, checkpoint, written).await)
    }

    /// Moves `generation`'s checkpoint from `from` (where it was found, moved behind the
    /// application's back) to `written` (compare-and-set, as a batch claims it), said in the
    /// log and counted. Answers what was done, None if the checkpoint had moved meanwhile.
    async fn put_back(&self, generation: i64, from: i64, written: i64) -> Option<ProjectorError> {
        let backend = self.store.read_side();
        let sql = dialect(
            backend,
            "UPDATE projection_checkpoints SET position = $2 WHERE generation = $1 AND position = $3",
        );
        let moved = on_pool!(backend, pool => sqlx::query(&sql)
            .bind(generation)
            .bind(written)
            .bind(from)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()));
        match moved {
            Ok(1) => {
                let put_back = ProjectorError::CheckpointPutBack {
                    generation,
                    was: from,
                    written,
                };
                tracing::warn!(error = %put_back, "projection checkpoint put back");
                metrics::counter!("governance_projector_checkpoints_put_back_total").increment(1);
                Some(put_back)
            }
            Ok(_) => None,
            Err(error) => {
                tracing::error!(%error, "the projection checkpoint could not be put back");
                None
            }
        }
    }

    /// Projects until `generation` has caught up with the log; `progress` hears every batch.
    pub async fn catch_up(
        &self,
        generation: i64,
        mut progress: impl FnMut(Batch),
    ) -> Result<i64, ProjectorError> {
        loop {
            let batch = match self.run_batch(generation).await {
                // Put back where its documents end: go on from there.
                Err(ProjectorError::CheckpointPutBack { .. }) => continue,
                batch => batch?,
            };
            if batch.events == 0 {
                if self
                    .past_the_head(generation, batch.position)
                    .await?
                    .is_some()
                {
                    continue;
                }
                return Ok(batch.position);
            }
            progress(batch);
        }
    }
}

/// A stored read-model document that differs from what the log folds into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDifference {
    pub kind: &'static str,
    pub id: String,
    /// `changed` (content or filter columns), `missing` (the log makes it, the store lacks
    /// it) or `unexpected` (stored, though the log makes no such document).
    pub what: &'static str,
}

/// What [`Projector::verify_read_models`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadModelReport {
    pub generation: i64,
    /// The position the comparison was made at (the active generation's checkpoint).
    pub position: i64,
    /// Documents compared.
    pub documents: usize,
    pub differences: Vec<DocumentDifference>,
}

impl Projector {
    /// Recomputes every read-model document from the log in memory, up to the active
    /// generation's checkpoint, and compares it with the version the store serves at that
    /// position: a document changed behind the application's back is found without a
    /// rebuild. (The projector may keep running: versions at a past position do not change.)
    pub async fn verify_read_models(
        &self,
        mut progress: impl FnMut(usize),
    ) -> Result<ReadModelReport, ProjectorError> {
        let (generation, position) = self.active_checkpoint().await?;
        let backend = self.store.backend();
        let sql = dialect(
            backend,
            "SELECT kind, id, network_id, organization_id, parent_id, doc FROM read_models
              WHERE generation = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)",
        );
        let rows: Vec<StoredDocument> = on_pool!(backend, pool => sqlx::query_as(&sql)
            .bind(generation)
            .bind(position)
            .fetch_all(pool)
            .await?);
        let mut stored: BTreeMap<(String, String), (Filters, Value)> = rows
            .into_iter()
            .map(|row| {
                let (kind, id, filters, doc) = row.into_parts();
                ((kind, id), (filters, doc))
            })
            .collect();
        let mut docs = Docs::default();
        let mut after = 0;
        let mut folded_events = 0;
        'log: while after < position {
            let events = self.store.read_after(after, 5_000).await?;
            if events.is_empty() {
                break;
            }
            for event in &events {
                if event.position > position {
                    break 'log;
                }
                for key in keys_for(event)? {
                    if !docs.is_loaded(&key) {
                        docs.preload(key, None);
                    }
                }
                project(&mut docs, event)?;
                after = event.position;
                folded_events += 1;
            }
            docs.written();
            progress(folded_events);
        }
        let mut report = ReadModelReport {
            generation,
            position,
            documents: 0,
            differences: Vec::new(),
        };
        let mut folded: Vec<_> = docs.current().collect();
        folded.sort_by(|a, b| a.0.cmp(b.0));
        for (key, doc) in folded {
            let Some((filters, doc)) = doc else {
                continue;
            };
            report.documents += 1;
            let what = match stored.remove(&(key.kind.as_str().to_owned(), key.id.clone())) {
                None => Some("missing"),
                Some((f, v)) if &f != filters || v != doc.to_value(key)? => Some("changed"),
                Some(_) => None,
            };
            if let Some(what) = what {
                report.differences.push(DocumentDifference {
                    kind: key.kind.as_str(),
                    id: key.id.clone(),
                    what,
                });
            }
        }
        for ((kind, id), _) in stored {
            let kind = Kind::ALL
                .into_iter()
                .find(|k| k.as_str() == kind)
                .map_or("unknown kind", Kind::as_str);
            report.differences.push(DocumentDifference {
                kind,
                id,
                what: "unexpected",
            });
        }
        Ok(report)
    }
}

/// The projector running in the background, and what the read side can wait on.
pub struct ProjectorHandle {
    task: Stoppable,
    position: watch::Receiver<i64>,
    applied: Arc<AtomicU64>,
}

impl ProjectorHandle {
    /// Stops the projector at once (a batch in flight is rolled back).
    pub fn stop(self) {
        drop(self.task);
    }

    /// Stops the projector after its current batch commits (at most `timeout`).
    pub async fn shutdown(self, timeout: Duration) {
        self.task.shutdown(timeout).await;
    }

    pub fn positions(&self) -> watch::Receiver<i64> {
        self.position.clone()
    }

    /// How many events this projector has applied (in committed batches).
    pub fn events_applied(&self) -> u64 {
        self.applied.load(Ordering::SeqCst)
    }
}

/// An arbitrary, fixed key for the PostgreSQL advisory lock that elects the projector leader.
const LEADER_LOCK: i64 = 0x676f_7665_726e_0001;

/// How many current documents the live projector carries from batch to batch (past it, only
/// the batch's own): the documents hot aggregates keep are not read back every batch.
const DOCS_CARRIED: usize = 4096;

/// How often a leading projector checks that its session (and so its lock) is alive.
const LEADER_CHECK: Duration = Duration::from_millis(500);

/// How often an idle projector compares its checkpoint with the log's head (one indexed
/// `max`, once per checkpoint it rests at), to find a checkpoint moved past it.
const HEAD_CHECK: Duration = Duration::from_secs(2);

impl Projector {
    /// Runs the projector until the handle is dropped. On PostgreSQL only the process holding
    /// the advisory lock projects; the others check every `takeover` and take over when the
    /// leader's session ends. All processes may serve reads.
    pub fn spawn(self, takeover: Duration) -> ProjectorHandle {
        let (sender, receiver) = watch::channel(0);
        let applied = Arc::new(AtomicU64::new(0));
        let counter = applied.clone();
        let task = Stoppable::spawn(move |mut stop| async move {
            let mut changes = self.store.subscribe();
            let mut leader: Option<sqlx::PgConnection> = None;
            let mut leader_checked = std::time::Instant::now();
            let mut head_checked = std::time::Instant::now();
            // The (generation, checkpoint) an idle check last found in its place.
            let mut head_compared: Option<(i64, i64)> = None;
            // (generation, checkpoint) as this projector's last batch left them: the next
            // batch starts there without asking. Should anyone else have moved the checkpoint
            // (another projector, a rebuild's switch deleting the generation), the batch's
            // compare-and-set fails and the next one asks again.
            let mut known: Option<(i64, i64)> = None;
            // The current documents this projector's batches left (see `run_batch_with`),
            // and the (generation, checkpoint) its last batch wrote: they are carried into
            // the next batch while nobody else has written since.
            let mut docs = Docs::default();
            let mut last_written: Option<(i64, i64)> = None;
            // Whether the next batch compares the checkpoint with the rows first (`realign`).
            let mut realign = true;
            // Whether read-your-writes in this process may wait for this projector's signal
            // (it leads), cleared when it stands down or stops.
            struct Projecting(Store);
            impl Drop for Projecting {
                fn drop(&mut self) {
                    self.0.set_projecting(false);
                }
            }
            let projecting = Projecting(self.store.clone());
            // SQLite has one projector per process and no election.
            projecting
                .0
                .set_projecting(!matches!(self.store.backend(), Backend::Postgres(_)));
            loop {
                if *stop.borrow() {
                    return;
                }
                if let Backend::Postgres(pool) = self.store.backend() {
                    if let Some(connection) = leader.as_mut() {
                        // A leader whose session died has lost the lock: stand down. Checked
                        // every LEADER_CHECK, not every batch (a round trip each); meanwhile
                        // the checkpoint's compare-and-set keeps a deposed leader harmless.
                        if leader_checked.elapsed() >= LEADER_CHECK {
                            leader_checked = std::time::Instant::now();
                            if sqlx::query("SELECT 1")
                                .execute(&mut *connection)
                                .await
                                .is_err()
                            {
                                leader = None;
                            }
                        }
                    }
                    if leader.is_none() {
                        known = None;
                        last_written = None;
                        docs.clear();
                        realign = true;
                        leader = try_lead(pool).await;
                        leader_checked = std::time::Instant::now();
                    }
                    projecting.0.set_projecting(leader.is_some());
                    if leader.is_none() {
                        if let Ok(generation) = self.active_generation().await {
                            if let Ok(position) = self.checkpoint(generation).await {
                                sender.send_replace(position);
                            }
                        }
                        if pause(&mut stop, takeover).await {
                            return;
                        }
                        continue;
                    }
                }
                let assumed = known.is_some();
                let outcome = async {
                    let (generation, from) = match known.take() {
                        Some(known) => known,
                        None => {
                            let mut active = self.active_checkpoint().await?;
                            // Once as it starts to project (here, or as a new leader): a
                            // checkpoint moved while no projector ran is found before the
                            // first batch (one scan of the generation's entity index).
                            if realign {
                                if self.realign(active.0).await?.is_some() {
                                    active = self.active_checkpoint().await?;
                                }
                                realign = false;
                            }
                            // The documents carried are current only if this projector
                            // wrote last: the checkpoint is still where it left it.
                            if last_written != Some(active) {
                                docs.clear();
                            }
                            active
                        }
                    };
                    let batch = self
                        .run_batch_with(generation, from, &mut docs, true)
                        .await?;
                    if batch.events > 0 {
                        // Wakes read-your-writes waiters in this process, which take it as
                        // readable without asking (see `ReadModels::wait_for`): the batch
                        // went into the generation that was active when this loop read it,
                        // and a switch since would have deleted its checkpoint and failed
                        // the batch. Only this loop signals (not a catch-up of any
                        // generation, not a rebuild).
                        self.store.signal_projected(batch.position);
                    }
                    Ok::<_, ProjectorError>((generation, batch))
                }
                .await;
                if outcome.is_err() {
                    docs.clear();
                    last_written = None;
                }
                metrics::gauge!("governance_projector_documents_carried").set(docs.len() as f64);
                match outcome {
                    Ok((generation, batch)) => {
                        if batch.events > 0 {
                            last_written = Some((generation, batch.position));
                        }
                        // Idle, it asks again next time (a switch to a rebuilt generation
                        // is then seen without a failed batch).
                        if batch.events > 0 {
                            known = Some((generation, batch.position));
                            self.store.passed(batch.position);
                            self.store.unreadable_passed(PROJECTOR);
                        }
                        counter.fetch_add(batch.events as u64, Ordering::SeqCst);
                        metrics::counter!("governance_projected_events_total")
                            .increment(batch.events as u64);
                        sender.send_replace(batch.position);
                        // Idle now and then: a checkpoint past the log's head was moved
                        // there behind the application's back (it would skip what comes).
                        // Once per checkpoint found idle: the answer for one does not
                        // change (a log cut below it leaves its rows where it is).
                        let idle_at = Some((generation, batch.position));
                        if batch.events == 0
                            && head_compared != idle_at
                            && head_checked.elapsed() >= HEAD_CHECK
                        {
                            head_checked = std::time::Instant::now();
                            match self.past_the_head(generation, batch.position).await {
                                Ok(Some(_)) => continue,
                                Ok(None) => head_compared = idle_at,
                                Err(error) => {
                                    tracing::warn!(%error, "projector could not compare its checkpoint with the head")
                                }
                            }
                        }
                        // A batch shorter than the limit read all that was readable: wait for
                        // more (or, if more has committed but is not readable yet, pause a
                        // millisecond) rather than read again straight away to find nothing.
                        if (batch.events as i64) < self.batch_size {
                            tokio::select! {
                                _ = self.store.wait_past(&mut changes, batch.position, Duration::from_millis(500)) => {}
                                _ = stop.changed() => return,
                            }
                        }
                    }
                    // Put back where its documents end (and said): go on from there.
                    Err(ProjectorError::LostRace(_) | ProjectorError::CheckpointPutBack { .. }) => {
                    }
                    // Started from an assumed checkpoint that someone else changed (a rebuild
                    // deleted the generation: its documents are gone, so the fold may fail
                    // before the compare-and-set could refuse): ask, and go again at once.
                    Err(ProjectorError::Projection(_)) if assumed => {}
                    Err(error) => {
                        match (error.stopped_at(), error.unreadable_document()) {
                            (Some((position, reason)), _) => {
                                self.store.report_stop(position, reason)
                            }
                            (None, Some(document)) => {
                                self.store.report_unreadable(PROJECTOR, document, &error)
                            }
                            (None, None) => {
                                tracing::error!(%error, "projector batch failed; retrying")
                            }
                        }
                        // The leadership connection may be the broken thing: re-elect.
                        leader = None;
                        if pause(&mut stop, Duration::from_secs(1)).await {
                            return;
                        }
                    }
                }
            }
        });
        ProjectorHandle {
            task,
            position: receiver,
            applied,
        }
    }
}

/// Tries to take the leader lock on a connection of its own (detached from the pool, so that
/// the lock is released exactly when this connection closes).
async fn try_lead(pool: &sqlx::PgPool) -> Option<sqlx::PgConnection> {
    let mut connection = pool.acquire().await.ok()?.detach();
    let acquired: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LEADER_LOCK)
        .fetch_one(&mut connection)
        .await
        .ok()?;
    acquired.then_some(connection)
}
