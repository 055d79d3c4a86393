//! Read-model generations: the switch to a new one ([`Projector::switch_to`]), and on
//! PostgreSQL their tables (`read_models_g<N>`,
//! `entity_events_g<N>`, list partitions of the generation column): what the switch to a new
//! generation leaves behind is dropped here, and by [`spawn_janitor`] later if it was busy.

use std::time::Duration;

use crate::projector::{Projector, ProjectorError};
use crate::sql::{dialect, on_pool};
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
///
/// It says nothing of what it leaves: its callers do, each once ([`Projector::switch_to`],
/// the janitor).
pub(crate) async fn drop_before(pool: &sqlx::PgPool, active: i64) -> Vec<String> {
    let tables = match tables_before(pool, active).await {
        Ok(tables) => tables,
        Err(error) => {
            tracing::warn!(%error, "old read-model generations not listed; left in place");
            return Vec::new();
        }
    };
    let mut left = Vec::new();
    for table in tables {
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
    left
}

/// The tables of generations older than `active`, by name.
async fn tables_before(pool: &sqlx::PgPool, active: i64) -> Result<Vec<String>, sqlx::Error> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables
          WHERE schemaname = current_schema()
            AND (tablename ~ '^read_models_g[0-9]+$' OR tablename ~ '^entity_events_g[0-9]+$')
          ORDER BY tablename",
    )
    .fetch_all(pool)
    .await?;
    Ok(tables
        .into_iter()
        .filter(|table| {
            let generation = table
                .rsplit_once("_g")
                .and_then(|(_, n)| n.parse::<i64>().ok());
            matches!(generation, Some(g) if g < active)
        })
        .collect())
}

/// Says (at `INFO`) that `left`, tables of a replaced generation, are in use and kept for now.
pub(crate) fn report_in_use(left: &[String]) {
    if !left.is_empty() {
        tracing::info!(
            tables = %left.join(", "),
            "tables of a replaced read-model generation are in use (autovacuum, a reader); \
             they are dropped once released"
        );
    }
}

/// What a round of the janitor says, given what the rounds before it said were in use
/// (`reported`) and what this one left (`left`): the tables in use not reported yet, and the
/// reported ones now dropped. A table held for an hour is reported once, not every round.
fn news<'a>(reported: &'a [String], left: &'a [String]) -> (Vec<String>, Vec<String>) {
    let newly_held = left.iter().filter(|t| !reported.contains(t)).cloned();
    let dropped = reported.iter().filter(|t| !left.contains(t)).cloned();
    (newly_held.collect(), dropped.collect())
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
    /// Makes `generation` the one that serves reads and deletes the others (on PostgreSQL the
    /// older generations' tables are dropped once the switch has committed), if it has
    /// projected at least as far as the active one; answers whether it switched. Reads never
    /// move back: read-your-writes in this process trusts its projector's committed batch
    /// without asking the database (see `ReadModels::wait_for`), which holds only if the
    /// position readers see never decreases. On PostgreSQL the active checkpoint is locked
    /// first (a live projector's batch waits, then fails its compare-and-set on the deleted
    /// row); SQLite serialises writers, and the conditional update is the first write.
    pub async fn switch_to(&self, generation: i64) -> Result<bool, ProjectorError> {
        let backend = self.store().read_side();
        let switch = "UPDATE projection_state SET active_generation = $1
                       WHERE (SELECT position FROM projection_checkpoints WHERE generation = $1)
                          >= coalesce((SELECT position FROM projection_checkpoints
                                        WHERE generation = projection_state.active_generation), 0)";
        // A state without its row (deleted with the database's guard out of the way) has no
        // active generation: the one switched to becomes it.
        let keep = match backend {
            Backend::Postgres(_) => {
                "INSERT INTO projection_state (active_generation) VALUES ($1) ON CONFLICT DO NOTHING"
            }
            Backend::Sqlite(_) => {
                "INSERT OR IGNORE INTO projection_state (singleton, active_generation) VALUES (1, ?1)"
            }
        };
        on_pool!(backend, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(keep).bind(generation).execute(&mut *tx).await?;
            if matches!(backend, Backend::Postgres(_)) {
                sqlx::query(
                    "SELECT c.position FROM projection_checkpoints c
                       JOIN projection_state s ON c.generation = s.active_generation
                        FOR UPDATE OF c",
                )
                .execute(&mut *tx)
                .await?;
            }
            let switched = sqlx::query(&dialect(backend, switch))
                .bind(generation)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if !switched {
                tx.rollback().await?;
                return Ok(false);
            }
            // On PostgreSQL the other generations' rows are in tables of their own, dropped
            // after the switch (see `rebuild.rs`).
            let tables: &[&str] = match backend {
                Backend::Postgres(_) => &["projection_checkpoints"],
                Backend::Sqlite(_) => &["read_models", "entity_events", "projection_checkpoints"],
            };
            for table in tables {
                sqlx::query(&dialect(backend, &format!("DELETE FROM {table} WHERE generation <> $1")))
                    .bind(generation)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        if let Backend::Postgres(pool) = backend {
            let left = drop_before(pool, generation).await;
            report_in_use(&left);
        }
        Ok(true)
    }

    /// Drops the tables of generations older than the active one that are not in use (on
    /// PostgreSQL; SQLite keeps every generation in one table and answers nothing), and
    /// answers those still left: in use by autovacuum or a reader, they are retried by every
    /// serving process's janitor, and by the next rebuild.
    pub async fn drop_replaced_generations(&self) -> Result<Vec<String>, ProjectorError> {
        let Backend::Postgres(pool) = self.store().read_side() else {
            return Ok(Vec::new());
        };
        let active = self.active_generation().await?;
        Ok(drop_before(pool, active).await)
    }

    /// The tables of generations older than the active one, not dropped yet (on PostgreSQL;
    /// none on SQLite).
    pub async fn replaced_generation_tables(&self) -> Result<Vec<String>, ProjectorError> {
        let Backend::Postgres(pool) = self.store().backend() else {
            return Ok(Vec::new());
        };
        let active = self.active_generation().await?;
        Ok(tables_before(pool, active).await?)
    }
}

/// Drops, every [`JANITOR_EVERY`] while this process serves, what [`drop_before`] had to
/// leave: a replaced generation is then gone within a minute of being released, not kept
/// until the next rebuild.
pub(crate) fn spawn_janitor(store: crate::store::Store) -> Stoppable {
    let projector = Projector::new(store);
    Stoppable::spawn(move |mut stop| async move {
        let mut reported = Vec::new();
        loop {
            if pause(&mut stop, JANITOR_EVERY).await {
                return;
            }
            match projector.drop_replaced_generations().await {
                Ok(left) => {
                    let (newly_held, dropped) = news(&reported, &left);
                    report_in_use(&newly_held);
                    if !dropped.is_empty() {
                        tracing::info!(
                            tables = %dropped.join(", "),
                            "tables of a replaced read-model generation released and dropped"
                        );
                    }
                    reported = left;
                }
                Err(error) => {
                    tracing::debug!(%error, "replaced generations not looked for; next round")
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::news;

    fn names(tables: &[&str]) -> Vec<String> {
        tables.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn a_table_in_use_is_reported_once_and_again_when_dropped() {
        let nothing = names(&[]);
        let held = names(&["read_models_g3"]);
        let both = names(&["entity_events_g3", "read_models_g3"]);
        assert_eq!(news(&nothing, &nothing), (vec![], vec![]));
        assert_eq!(news(&nothing, &held), (held.clone(), vec![]));
        // Still held, round after round: nothing more to say.
        assert_eq!(news(&held, &held), (vec![], vec![]));
        // Another table held meanwhile: only it is news.
        assert_eq!(news(&held, &both), (names(&["entity_events_g3"]), vec![]));
        // One released and dropped.
        assert_eq!(news(&both, &held), (vec![], names(&["entity_events_g3"])));
        assert_eq!(news(&held, &nothing), (vec![], held.clone()));
    }
}
