//! Keeping the read image (`image.rs`) loaded and following the log: the snapshot it starts
//! from, its own fold of the log when no projector of this process feeds it, and the
//! background task that does both.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;

use crate::image::{Image, Loaded};
use crate::projector::ProjectorError;
use crate::sql::on_pool;
use crate::store::{Backend, Store};
use crate::tasks::{pause, Stoppable};
use crate::views::{keys_for, project, StoredDocument};

/// How many events the image folds per read of the log.
const FOLD_BATCH: i64 = 1_000;

/// Replaces the whole image with the active generation's current documents and the position
/// they were projected to, read in one snapshot.
async fn load(image: &Image, store: &Store) -> Result<(), ProjectorError> {
    const CHECKPOINT: &str = "SELECT c.position FROM projection_state s
          JOIN projection_checkpoints c ON c.generation = s.active_generation";
    const CURRENT: &str = "SELECT kind, id, network_id, organization_id, parent_id, doc
          FROM read_models WHERE generation = (SELECT active_generation FROM projection_state)
           AND valid_to IS NULL";
    let mut loaded = Loaded::default();
    let mut add = |row: StoredDocument| {
        let (kind, id, filters, doc) = row.into_parts();
        loaded.add(&kind, id, filters, &doc)
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
        let mut rows = sqlx::query_as::<_, StoredDocument>(CURRENT).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            add(row)?;
        }
        drop(rows);
        tx.commit().await?;
        position
    });
    image.install(loaded, position);
    Ok(())
}

/// Reads and folds the log after the image's position until nothing more is readable.
async fn catch_up(image: &Image, store: &Store) -> Result<(), ProjectorError> {
    loop {
        let from = image.position();
        let events = store.read_after(from, FOLD_BATCH).await?;
        let Some(to) = events.last().map(|e| e.position) else {
            return Ok(());
        };
        let mut keys = BTreeSet::new();
        for event in &events {
            keys.extend(keys_for(event)?);
        }
        // The fold starts from the image as it was at `from`, all documents read at once.
        let Some(mut docs) = image.stored_forms(from, keys)? else {
            continue;
        };
        for event in &events {
            project(&mut docs, event)?;
        }
        image.apply_versions(from, to, &docs.versions, &docs.concerns)?;
        if (events.len() as i64) < FOLD_BATCH {
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
        let mut projected = store.subscribe_projected();
        loop {
            match load(image, &store).await {
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
                if let Err(error) = catch_up(image, &store).await {
                    tracing::error!(%error, "the read image could not follow the log; retrying");
                    if pause(&mut stop, Duration::from_secs(1)).await {
                        return;
                    }
                    continue;
                }
                if !loaded {
                    loaded = true;
                    image.set_live(true);
                }
            }
            let reached = image.position();
            read = false;
            if store.projects_here() {
                tokio::select! {
                    signalled = tokio::time::timeout(Duration::from_millis(500), projected.changed()) => {
                        read = signalled.is_err();
                    }
                    _ = image.nudged() => read = true,
                    _ = stop.changed() => return,
                }
            } else {
                tokio::select! {
                    _ = store.wait_past(&mut changes, reached, Duration::from_millis(500)) => {}
                    _ = image.nudged() => {}
                    _ = stop.changed() => return,
                }
            }
        }
    })
}
