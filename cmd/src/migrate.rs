//! `governance migrate`: create or upgrade the database schema (safe to run any number of
//! times).

use crate::config::DatabaseArgs;

/// Opens (and so migrates) `database`, and says what it holds.
pub async fn run(database: DatabaseArgs) -> anyhow::Result<()> {
    let store = database.open().await?;
    println!(
        "The {} database is up to date ({} events stored).",
        store.backend().name(),
        store.count_events().await?
    );
    Ok(())
}
