//! Single-writer lanes: in one process, the commands on one aggregate run one at a time, in
//! the order they arrived, instead of racing to append and retrying on the loser's side (the
//! single-writer principle). A lane exists while someone holds or waits for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// An aggregate's lane: held by the writer, awaited by the others.
type Lane = tokio::sync::Mutex<()>;

/// One lock per aggregate in use, by (aggregate type, id).
#[derive(Default)]
pub(crate) struct Lanes {
    lanes: Mutex<HashMap<(&'static str, String), Weak<Lane>>>,
}

/// Lanes above this many (most of them idle) are swept on the next entry.
const SWEEP_ABOVE: usize = 1024;

impl Lanes {
    /// Waits for the aggregate's lane (first come, first served: tokio's mutex is fair) and
    /// holds it until the guard drops.
    pub(crate) async fn enter(
        &self,
        aggregate_type: &'static str,
        id: &str,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let lane = {
            let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
            if lanes.len() > SWEEP_ABOVE {
                lanes.retain(|_, lane| lane.strong_count() > 0);
            }
            let key = (aggregate_type, id.to_owned());
            match lanes.get(&key).and_then(Weak::upgrade) {
                Some(lane) => lane,
                None => {
                    let lane = Arc::new(Lane::default());
                    lanes.insert(key, Arc::downgrade(&lane));
                    lane
                }
            }
        };
        lane.lock_owned().await
    }

    /// How many lanes are in use (held or awaited).
    #[cfg(test)]
    pub(crate) fn in_use(&self) -> usize {
        self.lanes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|lane| lane.strong_count() > 0)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_aggregate_one_writer_others_in_parallel() {
        let lanes = Arc::new(Lanes::default());
        let first = lanes.enter("Network", "a").await;
        // Another aggregate is not held up.
        let other = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            lanes.enter("Network", "b"),
        )
        .await;
        assert!(other.is_ok());
        // The same aggregate waits until the first writer leaves.
        let waiting = {
            let lanes = lanes.clone();
            tokio::spawn(async move { lanes.enter("Network", "a").await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished());
        drop(first);
        drop(waiting.await.unwrap());
        drop(other);
        assert_eq!(lanes.in_use(), 0, "idle lanes are not kept alive");
    }
}
