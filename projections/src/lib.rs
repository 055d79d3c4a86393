//! The read side and the event store it reads.
//!
//! - [`store`]: the event store adapter (postgres-es / sqlite-es behind one [`store::Store`]),
//!   the command service every caller uses, and the gap-safe global-log reader.

pub mod processes;
pub mod projector;
pub mod queries;
pub mod store;
pub mod views;

/// The read side's background work for one server process: the projector (leader-elected on
/// PostgreSQL) and the process manager. Dropping it stops both.
pub struct Background {
    pub projector: projector::ProjectorHandle,
    processes: tokio::task::JoinHandle<()>,
}

impl Drop for Background {
    fn drop(&mut self) {
        self.processes.abort();
    }
}

/// Starts the projector and the processes for `store`.
pub fn start_background(store: store::Store) -> Background {
    Background {
        projector: projector::Projector::new(store.clone())
            .spawn(std::time::Duration::from_secs(2)),
        processes: processes::ProcessManager::new(store).spawn(),
    }
}
