//! The append's last step on both backends: each event's authentication code goes into its
//! metadata (`event_mac`, see `secrets.rs`) before the backend's repository writes it, so
//! that the sealer can tell the server's events from rows put in the log with the
//! database's credentials alone.

use std::sync::Arc;

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use serde_json::Value;

use crate::secrets::{Appending, Secrets};

/// A repository whose appends carry authentication codes (none without a deployment
/// secret: such a store seals what it finds, as before codes).
pub(crate) struct Authenticating<R> {
    inner: R,
    secrets: Option<Arc<Secrets>>,
}

impl<R> Authenticating<R> {
    pub(crate) fn new(inner: R, secrets: Option<Arc<Secrets>>) -> Self {
        Self { inner, secrets }
    }
}

/// Sets each event's code (the events as the command wrote them).
pub(crate) fn authenticate_all(secrets: &Secrets, events: &mut [SerializedEvent]) {
    for event in events {
        secrets.authenticate_metadata(
            Appending {
                aggregate_type: &event.aggregate_type,
                aggregate_id: &event.aggregate_id,
                sequence: event.sequence as i64,
                event_type: &event.event_type,
                event_version: &event.event_version,
                payload: &event.payload,
            },
            &mut event.metadata,
        );
    }
}

impl<R: PersistedEventRepository> PersistedEventRepository for Authenticating<R> {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner.get_events::<A>(aggregate_id).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner
            .get_last_events::<A>(aggregate_id, last_sequence)
            .await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        self.inner.get_snapshot::<A>(aggregate_id).await
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        match &self.secrets {
            Some(secrets) => {
                let mut events = events.to_vec();
                authenticate_all(secrets, &mut events);
                self.inner.persist::<A>(&events, snapshot_update).await
            }
            None => self.inner.persist::<A>(events, snapshot_update).await,
        }
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_events::<A>(aggregate_id).await
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_all_events::<A>().await
    }
}
