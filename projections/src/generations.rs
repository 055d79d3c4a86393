//! The tables of read-model generations on PostgreSQL (`read_models_g<N>`,
//! `entity_events_g<N>`, list partitions of the generation column): what the switch to a new
//! generation leaves behind is dropped here, and by [`spawn_janitor`] later if it was busy.

use std::time::Duration;

use crate::projector::{Projector, ProjectorError};
use crate::store::Backend;
use crate::tasks::{pause, Stoppable};

/// How often a serving process looks for tables of replaced generations still left.
const JANITOR_EVERY: Duration = Duration::from_secs(30);

/// Drops the tables of every generation older than `active` (the replaced one, and any
/// abandoned build), and answers the ones left. Newer generations may be builds in progress
/// and are kept.
///
/// `DROP TABLE` on a partition takes its parent's lock before the partition's: waiting for a
/// partition someone holds (autovacuum, which is only cancelled for a waiter after
/// `deadlock_timeout`, or a reader) would queue every reader of the parent behind it. So a
/// table is only dropped when `pg_locks` shows nobody holding it, with a short lock timeout
/// for a holder that arrives meanwhile; a table still held after a few tries is left for
/// the next round of [`spawn_janitor`] (or the next rebuild).
pub(crate) async fn drop_before(pool: &sqlx::PgPool, active: i64) -> Vec<String> {
    let tables: Result<Vec<String>, sqlx::Error> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables
          WHERE schemaname = current_schema()
            AND (tablename ~ '^read_models_g[0-9]+$' OR tablename ~ '^entity_events_g[0-9]+$')
          ORDER BY tablename",
    )
    .fetch_all(pool)
    .await;
    let tables = match tables {
        Ok(tables) => tables,
        Err(error) => {
            tracing::warn!(%error, "old read-model generations not listed; left in place");
            return Vec::new();
        }
    };
    let mut left = Vec::new();
    for table in tables {
        let generation = table
            .rsplit_once("_g")
            .and_then(|(_, n)| n.parse::<i64>().ok());
        if !matches!(generation, Some(g) if g < active) {
            continue;
        }
        let mut dropped = false;
        for attempt in 0..5 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            match drop_unheld(pool, &table).await {
                Ok(true) => {
                    dropped = true;
                    break;
                }
                Ok(false) => {}
                Err(error) => {
                    tracing::debug!(%error, %table, "an old generation's table not dropped yet")
                }
            }
        }
        if !dropped {
            left.push(table);
        }
    }
    if !left.is_empty() {
        tracing::info!(
            tables = %left.join(", "),
            "tables of a replaced read-model generation are in use (autovacuum, a reader); \
             they are dropped once released"
        );
    }
    left
}

/// Drops `table` if no other session holds a lock on it; answers whether it is gone.
async fn drop_unheld(pool: &sqlx::PgPool, table: &str) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let held: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_locks
                         WHERE relation = to_regclass($1) AND pid <> pg_backend_pid())",
    )
    .bind(table)
    .fetch_one(&mut *tx)
    .await?;
    if held {
        return Ok(false);
    }
    sqlx::query("SET LOCAL lock_timeout = '200ms'")
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("DROP TABLE IF EXISTS {table}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

impl Projector {
    /// Drops the tables of generations older than the active one that are not in use (on
    /// PostgreSQL; SQLite keeps every generation in one table and answers nothing), and
    /// answers those still left: in use by autovacuum or a reader, they are retried by every
    /// serving process's janitor, and by the next rebuild.
    pub async fn drop_replaced_generations(&self) -> Result<Vec<String>, ProjectorError> {
        let Backend::Postgres(pool) = self.store().backend() else {
            return Ok(Vec::new());
        };
        let active = self.active_generation().await?;
        Ok(drop_before(pool, active).await)
    }
}

/// Drops, every [`JANITOR_EVERY`] while this process serves, what [`drop_before`] had to
/// leave: a replaced generation is then gone within a minute of being released, not kept
/// until the next rebuild.
pub(crate) fn spawn_janitor(store: crate::store::Store) -> Stoppable {
    let projector = Projector::new(store);
    Stoppable::spawn(move |mut stop| async move {
        loop {
            if pause(&mut stop, JANITOR_EVERY).await {
                return;
            }
            if let Err(error) = projector.drop_replaced_generations().await {
                tracing::debug!(%error, "replaced generations not looked for; next round");
            }
        }
    })
}
