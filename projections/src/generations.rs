//! The tables of read-model generations on PostgreSQL (`read_models_g<N>`,
//! `entity_events_g<N>`, list partitions of the generation column): what the switch to a new
//! generation leaves behind is dropped here.

use std::time::Duration;

/// Drops the tables of every generation older than `active` (the replaced one, and any
/// abandoned build). Dropping a partition locks its parent for a moment, so each drop gives
/// up after a short wait rather than hold readers queued behind it; what is left is dropped
/// after the next rebuild. Newer generations may be builds in progress and are kept.
pub(crate) async fn drop_before(pool: &sqlx::PgPool, active: i64) {
    let tables: Result<Vec<String>, sqlx::Error> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables
          WHERE schemaname = current_schema()
            AND (tablename ~ '^read_models_g[0-9]+$' OR tablename ~ '^entity_events_g[0-9]+$')",
    )
    .fetch_all(pool)
    .await;
    let tables = match tables {
        Ok(tables) => tables,
        Err(error) => {
            tracing::warn!(%error, "old read-model generations not listed; left in place");
            return;
        }
    };
    for table in tables {
        let generation = table
            .rsplit_once("_g")
            .and_then(|(_, n)| n.parse::<i64>().ok());
        if !matches!(generation, Some(g) if g < active) {
            continue;
        }
        let mut dropped = false;
        for _ in 0..5 {
            let attempt = async {
                let mut tx = pool.begin().await?;
                sqlx::query("SET LOCAL lock_timeout = '500ms'")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!("DROP TABLE IF EXISTS {table}"))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            };
            match attempt.await {
                Ok(()) => {
                    dropped = true;
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        if !dropped {
            tracing::warn!(%table, "an old read-model generation was not dropped (busy); the next rebuild drops it");
        }
    }
}
