//! The read side and the event store it reads.
//!
//! - [`store`]: the event store adapter (postgres-es / sqlite-es behind one [`store::Store`]),
//!   the command service every caller uses, and the gap-safe global-log reader.

pub mod event;
pub mod figures;
mod generations;
pub mod image;
pub mod image_follow;
pub mod integrity;
pub mod opendata;
pub mod processes;
pub mod projector;
pub mod queries;
mod rebuild;
pub mod reports;
pub mod secrets;
pub(crate) mod sql;
pub mod store;
pub mod tasks;
mod timelines;
pub mod views;

/// The read side's background work for one server process: the projector (leader-elected on
/// PostgreSQL), the process manager, the sealer, the read image and (PostgreSQL) the janitor
/// dropping replaced generations' tables left in use at the switch. Dropping it stops them.
pub struct Background {
    pub projector: projector::ProjectorHandle,
    processes: tasks::Stoppable,
    sealer: tasks::Stoppable,
    image: Option<tasks::Stoppable>,
    janitor: Option<tasks::Stoppable>,
}

impl Background {
    /// Lets the projector and the processes finish the batch in hand, then stops them
    /// (each waits at most `timeout`).
    pub async fn shutdown(self, timeout: std::time::Duration) {
        let Background {
            projector,
            processes,
            sealer,
            image,
            janitor,
        } = self;
        tokio::join!(
            projector.shutdown(timeout),
            processes.shutdown(timeout),
            sealer.shutdown(timeout),
            async {
                if let Some(image) = image {
                    image.shutdown(timeout).await
                }
            },
            async {
                if let Some(janitor) = janitor {
                    janitor.shutdown(timeout).await
                }
            }
        );
    }
}

/// Starts the projector, the processes and the sealer (without checkpoints) for `store`.
pub fn start_background(store: store::Store) -> Background {
    start_background_with(store, None, Default::default())
}

/// Starts the projector, the processes and the sealer, which signs checkpoints with `signer`
/// as `checkpoints` says.
pub fn start_background_with(
    store: store::Store,
    signer: Option<integrity::Signer>,
    checkpoints: integrity::CheckpointPolicy,
) -> Background {
    Background {
        image: store
            .image()
            .map(|image| image_follow::spawn(store.clone(), image.clone())),
        projector: projector::Projector::new(store.clone())
            .spawn(std::time::Duration::from_secs(2)),
        processes: processes::ProcessManager::new(store.clone()).spawn(),
        janitor: match store.backend() {
            store::Backend::Postgres(_) => Some(generations::spawn_janitor(store.clone())),
            store::Backend::Sqlite(_) => None,
        },
        sealer: integrity::spawn_sealer(store, signer, checkpoints),
    }
}

/// Runs the processes and the projector in this task until both have followed every event,
/// including the ones the processes write (for one-shot commands such as loading demo data).
pub async fn catch_up_all(
    store: &store::Store,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let projector = projector::Projector::new(store.clone());
    let processes = processes::ProcessManager::new(store.clone());
    // A checkpoint moved while no projector ran is put back first (one scan, not one per
    // round: `catch_up` below finds only one moved back or past the head).
    projector
        .realign(projector.active_generation().await?)
        .await?;
    let mut idle_rounds = 0;
    for _ in 0..10_000 {
        let generation = projector.active_generation().await?;
        let projected = projector.catch_up(generation, |_| {}).await?;
        let handled = processes.run_batch().await?;
        let head = store.head_position().await?;
        if handled == 0 && projected >= head && processes.checkpoint().await? >= head {
            idle_rounds += 1;
            if idle_rounds >= 2 {
                return Ok(());
            }
        } else {
            idle_rounds = 0;
        }
        if handled == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
    Err("the read side did not catch up".into())
}
