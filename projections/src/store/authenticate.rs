//! Authentication codes on the write side. The append's last step on both backends: each
//! event's code goes into its metadata (`event_mac`, see `secrets.rs`) before the backend's
//! repository writes it, so that the sealer and the log's followers can tell the server's
//! events from rows put in the log with the database's credentials alone. And the check of
//! an aggregate's history before anything is decided on it ([`HistoryCheck`]).

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

/// What an aggregate's history is checked against before anything is decided on it: the
/// deployment secret, and how far the deployment's signed checkpoints vouch for the log
/// (`Store::vouch`). Without a secret nothing is checked, as before codes.
#[derive(Clone)]
pub(crate) struct HistoryCheck {
    pub(crate) backend: super::Backend,
    pub(crate) secrets: Option<Arc<Secrets>>,
    pub(crate) vouched: Arc<std::sync::atomic::AtomicI64>,
}

impl HistoryCheck {
    /// Whether every event of `events` (one aggregate's, as stored, before upcasting) was
    /// appended by a server of this deployment: its code verifies, or it carries none and
    /// lies at or below what a signed checkpoint vouches for (an earlier version's uncoded
    /// history). The first other one is refused ([`super::StoreError::Unauthenticated`], with its position), so
    /// that no command decides on a row put in the log with the database's credentials
    /// alone, and none of its events, coded as this server's, builds on it. One position
    /// query, only when some event's code does not verify.
    pub(crate) async fn check(&self, events: &[SerializedEvent]) -> Result<(), super::StoreError> {
        use crate::event::{Hashed, Json};
        use crate::secrets::Authenticity;
        let Some(secrets) = self.secrets.as_deref() else {
            return Ok(());
        };
        let refused: Vec<(usize, Authenticity)> = events
            .iter()
            .map(|event| {
                secrets.authenticate(&Hashed {
                    position: 0,
                    aggregate_type: &event.aggregate_type,
                    aggregate_id: &event.aggregate_id,
                    sequence: event.sequence as i64,
                    event_type: &event.event_type,
                    event_version: &event.event_version,
                    payload: Json::Value(&event.payload),
                    metadata: Json::Value(&event.metadata),
                    recorded_at: chrono::DateTime::UNIX_EPOCH,
                })
            })
            .zip(events)
            .filter(|(verdict, _)| *verdict != Authenticity::Authentic)
            .map(|(verdict, event)| (event.sequence, verdict))
            .collect();
        let Some(&(first, _)) = refused.first() else {
            return Ok(());
        };
        let event = &events[0];
        let positions = self
            .positions(&event.aggregate_type, &event.aggregate_id, first as i64)
            .await?;
        let vouched = self.vouched.load(std::sync::atomic::Ordering::Relaxed);
        for (sequence, verdict) in refused {
            let position = positions
                .iter()
                .find(|(s, _)| *s == sequence as i64)
                .map(|(_, p)| *p);
            // A row gone since it was read is no longer anyone's history.
            if let Some(position) = position.filter(|p| !verdict.is_the_servers(*p, vouched)) {
                return Err(super::StoreError::Unauthenticated {
                    position,
                    reason: crate::integrity::not_authentic(verdict)
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The positions of an aggregate's events from `sequence` on, by sequence.
    async fn positions(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: i64,
    ) -> Result<Vec<(i64, i64)>, super::StoreError> {
        let backend = &self.backend;
        let sql = crate::sql::dialect(
            backend,
            "SELECT sequence, position FROM events \
              WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence >= $3 ORDER BY sequence",
        );
        Ok(crate::sql::on_pool!(backend, pool => sqlx::query_as(&sql)
            .bind(aggregate_type)
            .bind(aggregate_id)
            .bind(sequence)
            .fetch_all(pool)
            .await?))
    }
}
