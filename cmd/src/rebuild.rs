//! `governance rebuild`: rebuild the read models from position zero into fresh tables, then
//! switch to them (the old ones keep serving meanwhile).

use anyhow::Context;

use crate::config::{progress_bar, DatabaseArgs, SigningArgs};

/// Rebuilds the read models of `database`. Every event is folded, except from a row no
/// server of this deployment appended: past what the deployment's signed checkpoints cover,
/// each event's authentication code is checked, and the rebuild stops at one that does not
/// verify (naming it), the old read models still serving.
pub async fn run(database: DatabaseArgs, signing: SigningArgs) -> anyhow::Result<()> {
    let store = database.open().await?;
    if signing.signing_key_file.exists() {
        store.learn_vouched(&signing.signer()?).await?;
    }
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
    // The switch dropped the replaced generation's tables unless someone held them
    // (autovacuum often does, right after a rebuild): wait a while for them to be released.
    let mut left = projector.replaced_generation_tables().await?;
    if !left.is_empty() {
        eprintln!(
            "Waiting up to {} s to drop the replaced tables, in use now: {}.",
            DROP_WAIT.as_secs(),
            left.join(", ")
        );
        let deadline = std::time::Instant::now() + DROP_WAIT;
        while !left.is_empty() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            left = projector.drop_replaced_generations().await?;
        }
        if left.is_empty() {
            eprintln!("Dropped.");
        } else {
            eprintln!(
                "Still in use, left in place: {}. A serving process drops them once released \
                 (it looks every 30 s), as does the next rebuild.",
                left.join(", ")
            );
        }
    }
    Ok(())
}

/// How long `rebuild` waits for the replaced generation's tables to be released.
const DROP_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
