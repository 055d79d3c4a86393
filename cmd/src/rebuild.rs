//! `governance rebuild`: rebuild the read models from position zero into fresh tables, then
//! switch to them (the old ones keep serving meanwhile).

use anyhow::Context;

use crate::config::{progress_bar, DatabaseArgs};

/// Rebuilds the read models of `database`.
pub async fn run(database: DatabaseArgs) -> anyhow::Result<()> {
    let store = database.open().await?;
    let total = store.head_position().await?;
    let bar = progress_bar(store.count_events().await? as u64, "events projected");
    let projector = projections::projector::Projector::new(store);
    let mut done = 0u64;
    let generation = projector
        .rebuild(|batch| {
            done += batch.events as u64;
            bar.set_position(done);
        })
        .await
        .context("the rebuild failed; the previous read models still serve")?;
    bar.finish();
    eprintln!("Read models rebuilt as generation {generation} up to position {total}.");
    Ok(())
}
