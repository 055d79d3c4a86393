//! Background tasks that stop between two units of work (a committed batch), used by the
//! projector, the process manager and the sealer.

use std::time::Duration;

use tokio::sync::watch;

/// A background task that can be stopped between two units of work, or aborted.
pub struct Stoppable {
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Stoppable {
    /// Spawns `work`, which receives the stop signal to check between units of work.
    pub fn spawn<F>(work: impl FnOnce(watch::Receiver<bool>) -> F) -> Self
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = watch::channel(false);
        Self {
            stop,
            task: Some(tokio::spawn(work(stopped))),
        }
    }

    /// Asks the task to stop after its current unit of work (a batch commits), waiting at
    /// most `timeout`; past it the task is aborted (its transaction rolls back).
    pub async fn shutdown(mut self, timeout: Duration) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(timeout, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Sleeps for `duration`, or less if a stop is asked; answers whether to stop.
pub(crate) async fn pause(stop: &mut watch::Receiver<bool>, duration: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    let _ = tokio::time::timeout(duration, stop.changed()).await;
    *stop.borrow()
}
