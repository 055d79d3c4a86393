//! [`Projector::rebuild`]: a fresh generation of the read models from position zero, built
//! while the active one keeps serving, then switched to atomically.
//!
//! The rebuild folds the whole log in memory (every current document stays held, so nothing
//! is read back) and knows each version's end before writing it, so it only ever appends:
//! - PostgreSQL: the generation's rows go into tables of their own (`read_models_g<N>`,
//!   `entity_events_g<N>`) created without indexes, through `COPY … FROM STDIN` on two
//!   connections while the next events are read and folded; their indexes are then built
//!   once, two at a time, `ATTACH PARTITION` takes them (a check of the partition's bound
//!   spares it a scan of the rows), and the old generation's tables are dropped, not
//!   deleted row by row.
//! - SQLite: large multi-row inserts, one transaction per read of the log.
//!
//! What was committed meanwhile is then projected batch by batch into the attached
//! generation (as the live projector does), and reads switch in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use futures::TryFutureExt;
use sqlx::postgres::{PgCopyIn, PgPoolCopyExt};
use sqlx::{Connection, QueryBuilder};

use crate::event::StoredEvent;
use crate::projector::{Batch, Projector, ProjectorError};
use crate::sql::on_pool;
use crate::store::{Backend, Store};
use crate::views::{decoded, keys_of, project_decoded, Doc, DocKey, Docs, Filters, Kind};

/// Events per read of the log (the largest the reader answers).
const CHUNK: i64 = 10_000;

impl Projector {
    /// Builds a fresh generation from position zero while the active one keeps serving, then
    /// switches reads to it in one transaction and drops the old generations.
    pub async fn rebuild(&self, mut progress: impl FnMut(Batch)) -> Result<i64, ProjectorError> {
        let store = self.store().clone();
        let generation = self.claim_generation().await?;
        let mut fold = Fold::default();
        // The read side's connections: the bulk load's transactions (seconds of `COPY` and
        // index builds) hold back no reader of the log, so the active generation keeps
        // following it meanwhile.
        let bulk = match store.read_side() {
            Backend::Postgres(pool) => {
                let loaded =
                    bulk_postgres(&store, pool, generation, &mut fold, &mut progress).await;
                if loaded.is_err() {
                    // Nothing serves from these tables yet; the next switch drops them if
                    // this fails too.
                    let _ = drop_tables(pool, generation).await;
                }
                loaded?
            }
            Backend::Sqlite(pool) => {
                bulk_sqlite(&store, pool, generation, &mut fold, &mut progress).await?
            }
        };
        // What committed since the bulk read ended, batch by batch, with every current
        // document carried (nothing else writes this generation).
        let builder = self.clone().with_batch_size(5_000);
        let mut docs = fold.docs;
        let mut position = bulk;
        loop {
            let batch = builder
                .run_batch_with(generation, position, &mut docs, false)
                .await?;
            if batch.events > 0 {
                position = batch.position;
                progress(batch);
                continue;
            }
            // Caught up with what is readable: switch, unless the active generation has
            // meanwhile projected further (then catch up again: a switch never moves reads
            // back, see `switch_to`).
            if self.switch_to(generation).await? {
                break;
            }
        }
        // The active projector continues on the new generation; anything committed between
        // the catch-up and the switch is picked up from its checkpoint.
        Ok(generation)
    }

    /// A new generation at position 0, with (on PostgreSQL) empty tables attached, for a
    /// projection batch by batch ([`Projector::catch_up`]).
    pub async fn new_generation(&self) -> Result<i64, ProjectorError> {
        let generation = self.claim_generation().await?;
        if let Backend::Postgres(pool) = self.store().read_side() {
            let mut tx = pool.begin().await?;
            for table in ["read_models", "entity_events"] {
                let sql = format!(
                    "CREATE TABLE {table}_g{generation} PARTITION OF {table} FOR VALUES IN ({generation})"
                );
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        Ok(generation)
    }

    /// The next generation number, with its checkpoint at 0 (its tables are up to the caller).
    async fn claim_generation(&self) -> Result<i64, ProjectorError> {
        // One statement: a transaction that read and then wrote could be refused on SQLite
        // ("database is locked", without waiting) when another writer committed in between.
        let sql = "INSERT INTO projection_checkpoints (generation, position)
                   SELECT coalesce(max(generation), 0) + 1, 0 FROM projection_checkpoints
                   RETURNING generation";
        let backend = self.store().read_side();
        Ok(on_pool!(backend, pool => sqlx::query_scalar(sql).fetch_one(pool).await?))
    }
}

/// The fold of the whole log in memory. A version is written once the next version of its
/// document (its end) or the end of the log is known.
#[derive(Default)]
struct Fold {
    docs: Docs,
    pending: HashMap<DocKey, Pending>,
}

/// A document's latest version, not written yet (its typed form is shared, not copied: a
/// later version replaces it in `docs` without changing it).
struct Pending {
    position: i64,
    filters: Filters,
    doc: Doc,
}

/// One `read_models` row.
struct Row {
    key: DocKey,
    valid_from: i64,
    valid_to: Option<i64>,
    filters: Filters,
    doc: Doc,
}

/// What one chunk of the log adds: versions whose end is known, and entity index rows.
#[derive(Default)]
struct Rows {
    versions: Vec<Row>,
    concerns: Vec<(Kind, String, i64)>,
}

impl Fold {
    /// Folds `events` (the next ones of the log) and answers the rows they complete.
    fn chunk(&mut self, events: &[Arc<StoredEvent>]) -> Result<Rows, ProjectorError> {
        let decoded = events
            .iter()
            .map(|event| decoded(event))
            .collect::<Result<Vec<_>, _>>()?;
        for (event, any) in events.iter().zip(&decoded) {
            for key in keys_of(event, any)? {
                // Not folded yet: the log has not made it (a rebuild starts from nothing).
                if !self.docs.is_loaded(&key) {
                    self.docs.preload(key, None);
                }
            }
        }
        for (event, any) in events.iter().zip(decoded) {
            project_decoded(&mut self.docs, event, any)?;
        }
        let versions = std::mem::take(&mut self.docs.versions);
        let mut rows = Rows {
            versions: Vec::with_capacity(versions.len()),
            concerns: std::mem::take(&mut self.docs.concerns),
        };
        for version in versions {
            let next = Pending {
                position: version.position,
                filters: version.filters,
                doc: version.doc,
            };
            if let Some(ended) = self.pending.insert(version.key.clone(), next) {
                rows.versions.push(Row {
                    key: version.key,
                    valid_from: ended.position,
                    valid_to: Some(version.position),
                    filters: ended.filters,
                    doc: ended.doc,
                });
            }
        }
        self.docs.written();
        Ok(rows)
    }

    /// The current version of every document (no end).
    fn finish(&mut self) -> Vec<Row> {
        self.pending
            .drain()
            .map(|(key, pending)| Row {
                key,
                valid_from: pending.position,
                valid_to: None,
                filters: pending.filters,
                doc: pending.doc,
            })
            .collect()
    }
}

/// The chunks of the log [`read_ahead`] hands the fold.
type Chunks = tokio::sync::mpsc::Receiver<Result<Vec<Arc<StoredEvent>>, ProjectorError>>;

/// Reads the log from position zero up to what is readable now, a chunk ahead of the fold.
fn read_ahead(store: &Store) -> (Chunks, AbortOnDrop) {
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    let store = store.clone();
    let task = tokio::spawn(async move {
        let mut after = 0;
        loop {
            let chunk = store
                .read_after(after, CHUNK)
                .map_err(ProjectorError::from)
                .await;
            let done = match &chunk {
                Ok(events) => match events.last() {
                    Some(last) => {
                        after = last.position;
                        false
                    }
                    None => true,
                },
                Err(_) => true,
            };
            if done {
                if chunk.is_err() {
                    let _ = sender.send(chunk).await;
                }
                return;
            }
            if sender.send(chunk).await.is_err() {
                return;
            }
        }
    });
    (receiver, AbortOnDrop(task))
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Folds the log from position zero up to what is readable now into `fold`, handing `write`
/// the rows of each chunk and, last, the current versions with the position reached (`end`).
/// Answers that position.
async fn fold_log(
    store: &Store,
    fold: &mut Fold,
    progress: &mut impl FnMut(Batch),
    mut write: impl AsyncFnMut(Rows, Option<i64>) -> Result<(), ProjectorError>,
) -> Result<i64, ProjectorError> {
    let (mut chunks, _reader) = read_ahead(store);
    let mut position = 0;
    while let Some(chunk) = chunks.recv().await {
        let events = chunk?;
        write(fold.chunk(&events)?, None).await?;
        position = events.last().map_or(position, |e| e.position);
        progress(Batch {
            events: events.len(),
            position,
        });
    }
    let current = Rows {
        versions: fold.finish(),
        concerns: Vec::new(),
    };
    write(current, Some(position)).await?;
    Ok(position)
}

/// Folds the log into `fold` and writes its rows into fresh, unindexed tables of
/// `generation`, then attaches them (building the indexes) with the checkpoint at the
/// position reached, in one transaction. Answers that position.
async fn bulk_postgres(
    store: &Store,
    pool: &sqlx::PgPool,
    generation: i64,
    fold: &mut Fold,
    progress: &mut impl FnMut(Batch),
) -> Result<i64, ProjectorError> {
    let started = std::time::Instant::now();
    drop_tables(pool, generation).await?;
    for table in ["read_models", "entity_events"] {
        // The check lets `ATTACH PARTITION` skip its scan of every row for the partition's
        // bound; it is dropped once attached.
        sqlx::query(&format!(
            "CREATE TABLE {table}_g{generation} (LIKE {table}, \
             CONSTRAINT {table}_g{generation}_bound CHECK (generation = {generation}))"
        ))
        .execute(pool)
        .await?;
    }
    let mut versions = pool
        .copy_in_raw(&format!(
            "COPY read_models_g{generation} (generation, kind, id, valid_from, valid_to, \
             network_id, organization_id, parent_id, doc) FROM STDIN"
        ))
        .await?;
    let mut concerns = pool
        .copy_in_raw(&format!(
            "COPY entity_events_g{generation} (generation, kind, id, position) FROM STDIN"
        ))
        .await?;
    let mut buffers = Buffers::default();
    let position = fold_log(
        store,
        fold,
        progress,
        async |rows: Rows, _end: Option<i64>| {
            send(
                &mut versions,
                &mut concerns,
                generation,
                &rows,
                &mut buffers,
            )
            .await
        },
    )
    .await?;
    versions.finish().await?;
    concerns.finish().await?;
    let loaded = started.elapsed();
    // The indexes are built here, once, from the loaded rows, two at a time; attaching then
    // finds them and builds nothing.
    build_indexes(pool, generation).await?;
    let indexed = started.elapsed();
    let mut tx = pool.begin().await?;
    for table in ["read_models", "entity_events"] {
        let sql = format!(
            "ALTER TABLE {table} ATTACH PARTITION {table}_g{generation} FOR VALUES IN ({generation})"
        );
        sqlx::query(&sql).execute(&mut *tx).await?;
        sqlx::query(&format!(
            "ALTER TABLE {table}_g{generation} DROP CONSTRAINT {table}_g{generation}_bound"
        ))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE projection_checkpoints SET position = $1 WHERE generation = $2")
        .bind(position)
        .bind(generation)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    // Statistics for the planner before the generation serves.
    sqlx::query(&format!(
        "ANALYZE read_models_g{generation}, entity_events_g{generation}"
    ))
    .execute(pool)
    .await?;
    tracing::info!(
        generation,
        position,
        folded_and_copied_seconds = loaded.as_secs_f64(),
        indexed_seconds = (indexed - loaded).as_secs_f64(),
        attached_seconds = (started.elapsed() - indexed).as_secs_f64(),
        "read models loaded in bulk"
    );
    Ok(position)
}

/// Builds on the unattached tables of `generation` the indexes of the partitioned tables
/// they will join (their primary keys as constraints, so that `ATTACH PARTITION` takes them
/// for the parents' keys), as read from the catalog: one transaction per index, on two
/// connections at once, the largest two (the primary keys) first, each with the memory one
/// build used to have. PostgreSQL already sorts one index's rows on parallel workers; two
/// builds at once overlap the parts of each that run on one core (reading the table,
/// writing the index).
async fn build_indexes(pool: &sqlx::PgPool, generation: i64) -> Result<(), sqlx::Error> {
    let mut keys = Vec::new();
    let mut others = Vec::new();
    for table in ["read_models", "entity_events"] {
        let partition = format!("{table}_g{generation}");
        // Each index of the parent: whether it is its primary key, whether it is unique, and
        // its definition from `USING` on (access method, columns, predicate).
        let indexes: Vec<(bool, bool, String)> = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM pg_constraint c \
                            WHERE c.conindid = i.indexrelid AND c.contype = 'p'), \
                    i.indisunique, \
                    substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$') \
             FROM pg_index i WHERE i.indrelid = to_regclass($1) ORDER BY i.indexrelid",
        )
        .bind(table)
        .fetch_all(pool)
        .await?;
        for (primary, unique, definition) in indexes {
            if primary {
                let name = format!("{partition}_pkey");
                keys.push(vec![
                    format!("CREATE UNIQUE INDEX {name} ON {partition}{definition}"),
                    format!("ALTER TABLE {partition} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}"),
                ]);
            } else {
                let unique = if unique { "UNIQUE " } else { "" };
                others.push(vec![format!(
                    "CREATE {unique}INDEX ON {partition}{definition}"
                )]);
            }
        }
    }
    let jobs = std::sync::Mutex::new(
        keys.into_iter()
            .chain(others)
            .collect::<std::collections::VecDeque<_>>(),
    );
    let jobs = &jobs;
    let next = || jobs.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
    // Connections of their own, whose statements are not logged as slow: building an index
    // of a million rows takes seconds, as expected, not a warning.
    let worker = async || -> Result<(), sqlx::Error> {
        let mut connection = crate::sql::unlogged_connection(pool).await?;
        while let Some(statements) = next() {
            let mut tx = connection.begin().await?;
            sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
                .execute(&mut *tx)
                .await?;
            for statement in statements {
                sqlx::query(&statement).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        connection.close().await
    };
    futures::try_join!(worker(), worker())?;
    Ok(())
}

type Copy = PgCopyIn<sqlx::pool::PoolConnection<sqlx::Postgres>>;

/// What [`send`] keeps from chunk to chunk (a fresh buffer of several MiB each time cost more
/// in page faults than the rows' encoding): the two `COPY`s' data, and a document's text.
#[derive(Default)]
struct Buffers {
    versions: Vec<u8>,
    concerns: Vec<u8>,
    text: Vec<u8>,
}

/// Sends `rows` to the two `COPY`s, each document's JSON written from its typed form.
async fn send(
    versions: &mut Copy,
    concerns: &mut Copy,
    generation: i64,
    rows: &Rows,
    buffers: &mut Buffers,
) -> Result<(), ProjectorError> {
    let generation = generation.to_string();
    let Buffers {
        versions: buffer,
        concerns: index,
        text,
    } = buffers;
    buffer.clear();
    for row in &rows.versions {
        text.clear();
        row.doc.write_json(&row.key, text)?;
        let (from, to) = (
            row.valid_from.to_string(),
            row.valid_to.map(|p| p.to_string()),
        );
        copy_row(
            buffer,
            &[
                Some(generation.as_bytes()),
                Some(row.key.kind.as_str().as_bytes()),
                Some(row.key.id.as_bytes()),
                Some(from.as_bytes()),
                to.as_deref().map(str::as_bytes),
                row.filters.network_id.as_deref().map(str::as_bytes),
                row.filters.organization_id.as_deref().map(str::as_bytes),
                row.filters.parent_id.as_deref().map(str::as_bytes),
                Some(text),
            ],
        );
    }
    if !buffer.is_empty() {
        versions.send(buffer.as_slice()).await?;
    }
    index.clear();
    for (kind, id, position) in &rows.concerns {
        copy_row(
            index,
            &[
                Some(generation.as_bytes()),
                Some(kind.as_str().as_bytes()),
                Some(id.as_bytes()),
                Some(position.to_string().as_bytes()),
            ],
        );
    }
    if !index.is_empty() {
        concerns.send(index.as_slice()).await?;
    }
    Ok(())
}

/// One row in `COPY`'s text format: tab-separated, `\N` for null, backslash escapes.
fn copy_row(buffer: &mut Vec<u8>, fields: &[Option<&[u8]>]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            buffer.push(b'\t');
        }
        match field {
            None => buffer.extend_from_slice(b"\\N"),
            Some(mut rest) => {
                while let Some(at) = rest
                    .iter()
                    .position(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
                {
                    buffer.extend_from_slice(&rest[..at]);
                    buffer.extend_from_slice(match rest[at] {
                        b'\\' => b"\\\\",
                        b'\t' => b"\\t",
                        b'\n' => b"\\n",
                        _ => b"\\r",
                    });
                    rest = &rest[at + 1..];
                }
                buffer.extend_from_slice(rest);
            }
        }
    }
    buffer.push(b'\n');
}

/// Drops the tables of `generation` (a failed or abandoned build's).
async fn drop_tables(pool: &sqlx::PgPool, generation: i64) -> Result<(), sqlx::Error> {
    for table in ["read_models", "entity_events"] {
        sqlx::query(&format!("DROP TABLE IF EXISTS {table}_g{generation}"))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Folds the log into `fold` and inserts its rows into `generation` in large transactions
/// (one per read of the log), the checkpoint moved with the last. Answers the position reached.
async fn bulk_sqlite(
    store: &Store,
    pool: &sqlx::SqlitePool,
    generation: i64,
    fold: &mut Fold,
    progress: &mut impl FnMut(Batch),
) -> Result<i64, ProjectorError> {
    fold_log(
        store,
        fold,
        progress,
        async |rows: Rows, end: Option<i64>| insert_sqlite(pool, generation, &rows, end).await,
    )
    .await
}

async fn insert_sqlite(
    pool: &sqlx::SqlitePool,
    generation: i64,
    rows: &Rows,
    checkpoint: Option<i64>,
) -> Result<(), ProjectorError> {
    let texts = rows
        .versions
        .iter()
        .map(|row| row.doc.to_text(&row.key))
        .collect::<Result<Vec<String>, _>>()?;
    let mut tx = pool.begin().await?;
    // 9 parameters a row, under SQLite's 32,766 per statement.
    for (chunk, texts) in rows.versions.chunks(3_000).zip(texts.chunks(3_000)) {
        let mut insert = QueryBuilder::new(
            "INSERT INTO read_models (generation, kind, id, valid_from, valid_to, \
             network_id, organization_id, parent_id, doc) ",
        );
        insert.push_values(chunk.iter().zip(texts), |mut b, (row, text)| {
            b.push_bind(generation)
                .push_bind(row.key.kind.as_str())
                .push_bind(row.key.id.as_str())
                .push_bind(row.valid_from)
                .push_bind(row.valid_to)
                .push_bind(row.filters.network_id.as_deref())
                .push_bind(row.filters.organization_id.as_deref())
                .push_bind(row.filters.parent_id.as_deref())
                .push_bind(text.as_str());
        });
        insert.build().execute(&mut *tx).await?;
    }
    crate::projector::write::insert_entity_index_sqlite(&mut tx, generation, &rows.concerns)
        .await?;
    if let Some(position) = checkpoint {
        sqlx::query("UPDATE projection_checkpoints SET position = ?1 WHERE generation = ?2")
            .bind(position)
            .bind(generation)
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx.commit().await?)
}
