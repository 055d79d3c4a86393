//! Keeping the read image (`image.rs`) loaded and following the log: the snapshot it starts
//! from, its own fold of the log (after every commit), and the background task that does both.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;

use crate::image::{Image, Loaded};
use crate::projector::ProjectorError;
use crate::store::{Backend, Store};
use crate::tasks::{pause, Stoppable};
use crate::views::StoredDocument;

/// How many events the image folds per read of the log.
const FOLD_BATCH: i64 = 1_000;

/// The image's load, as it reports a stored document it cannot read.
const LOAD: &str = "the read image's load";

/// The image's fold of the log, as it reports a document it lacks or cannot read.
const FOLD: &str = "the read image";

/// Replaces the whole image with the active generation's current documents and the position
/// they were projected to, read in one snapshot. Answers that generation.
async fn load(image: &Image, store: &Store) -> Result<i64, ProjectorError> {
    const CHECKPOINT: &str = "SELECT s.active_generation, c.position FROM projection_state s
          JOIN projection_checkpoints c ON c.generation = s.active_generation";
    const CURRENT: &str = "SELECT kind, id, network_id, organization_id, parent_id, doc
          FROM read_models WHERE generation = (SELECT active_generation FROM projection_state)
           AND valid_to IS NULL";
    let mut loaded = Loaded::default();
    let mut add = |row: StoredDocument| {
        let (kind, id, filters, doc) = row.into_parts();
        loaded.add(&kind, id, filters, &doc)
    };
    // The checkpoint, then every current document, in the snapshot of transaction `$tx`.
    macro_rules! read_current {
        ($tx:ident) => {{
            let at: (i64, i64) = sqlx::query_as(CHECKPOINT).fetch_one(&mut *$tx).await?;
            let mut rows = sqlx::query_as::<_, StoredDocument>(CURRENT).fetch(&mut *$tx);
            while let Some(row) = rows.try_next().await? {
                add(row)?;
            }
            drop(rows);
            at
        }};
    }
    // On PostgreSQL on a connection of its own whose statements are not logged as slow:
    // reading every current document takes seconds on a large dataset, as expected, and the
    // pool's warning would greet an operator at every start. On SQLite from the pool (the
    // transaction's snapshot is taken at its first read).
    let (generation, position) = match store.backend() {
        Backend::Postgres(pool) => {
            let mut connection = crate::sql::unlogged_connection(pool).await?;
            let mut tx = sqlx::Connection::begin(&mut connection).await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
            let at = read_current!(tx);
            tx.commit().await?;
            let _ = sqlx::Connection::close(connection).await;
            at
        }
        Backend::Sqlite(pool) => {
            let mut tx = pool.begin().await?;
            let at = read_current!(tx);
            tx.commit().await?;
            at
        }
    };
    image.install(loaded, position);
    Ok(generation)
}

/// The active generation (the one a rebuild switched to last).
async fn active_generation(store: &Store) -> Result<i64, ProjectorError> {
    const ACTIVE: &str = "SELECT active_generation FROM projection_state";
    Ok(match store.backend() {
        Backend::Postgres(pool) => sqlx::query_scalar(ACTIVE).fetch_one(pool).await?,
        Backend::Sqlite(pool) => sqlx::query_scalar(ACTIVE).fetch_one(pool).await?,
    })
}

/// Reads and folds the log after the image's position until nothing more is readable: until
/// a read answers fewer events than asked, or with `to_the_end` until one answers none (a
/// read the log's tail serves may end short of what the database holds).
async fn catch_up(image: &Image, store: &Store, to_the_end: bool) -> Result<(), ProjectorError> {
    loop {
        let from = image.position();
        let events = store.read_after(from, FOLD_BATCH).await?;
        if events.is_empty() {
            return Ok(());
        }
        image.fold(from, &events)?;
        if !to_the_end && (events.len() as i64) < FOLD_BATCH {
            return Ok(());
        }
    }
}

/// Keeps `image` loaded and following the log until stopped; it answers only while this
/// task runs (stopped, it goes back to the database).
pub fn spawn(store: Store, image: Arc<Image>) -> Stoppable {
    Stoppable::spawn(move |mut stop| async move {
        struct Live(Arc<Image>);
        impl Drop for Live {
            fn drop(&mut self) {
                self.0.set_live(false);
            }
        }
        let live = Live(image);
        let image = &live.0;
        let mut changes = store.subscribe();
        'load: loop {
            let generation = loop {
                match load(image, &store).await {
                    Ok(generation) => {
                        store.unreadable_passed(LOAD);
                        break generation;
                    }
                    Err(error) => {
                        // A stored document it cannot read is named once (and by `/readyz`):
                        // a rebuild makes the documents again, and the next attempt loads them.
                        if let Some(document) = error.unreadable_document() {
                            store.report_unreadable(LOAD, document, &error);
                        } else {
                            tracing::error!(%error, "loading the read image failed; retrying");
                        }
                        if pause(&mut stop, Duration::from_secs(1)).await {
                            return;
                        }
                    }
                }
            };
            loop {
                if *stop.borrow() {
                    return;
                }
                // The image follows the log itself, on every commit: read-your-writes waits
                // for it, not for the projector's writes. The read is usually shared with the
                // projector and the other followers (`Store::read_after` serves them from the
                // log's tail), and the local projector also hands it each batch it reads.
                // Before it first answers, to the log's end: it must show at least what the
                // database shows (a reader may have been told its position).
                if let Err(error) = catch_up(image, &store, !image.is_live()).await {
                    match (error.stopped_at(), error.unreadable_document()) {
                        (Some((position, reason)), _) => store.report_stop(position, reason),
                        // A document it loaded without (or unreadable): deleted or changed in
                        // the database behind the application's back. Named once; once a
                        // rebuild has made the documents again, the image loads them.
                        (None, Some(document)) => {
                            store.report_unreadable(FOLD, document, &error);
                            if pause(&mut stop, Duration::from_secs(1)).await {
                                return;
                            }
                            if active_generation(&store)
                                .await
                                .is_ok_and(|active| active != generation)
                            {
                                continue 'load;
                            }
                            continue;
                        }
                        (None, None) => {
                            tracing::error!(%error, "the read image could not follow the log; retrying")
                        }
                    }
                    if pause(&mut stop, Duration::from_secs(1)).await {
                        return;
                    }
                    continue;
                }
                store.unreadable_passed(FOLD);
                image.set_live(true);
                let reached = image.position();
                store.passed(reached);
                tokio::select! {
                    _ = store.wait_past(&mut changes, reached, Duration::from_millis(500)) => {}
                    _ = image.nudged() => {}
                    _ = stop.changed() => return,
                }
            }
        }
    })
}
