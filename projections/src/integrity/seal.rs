//! Sealing and signing: the sealer follows the log and hashes each event the server appended
//! into the chain (`Store::seal_pending`), and checkpoints sign the sealed head once what they
//! add is checked again (`Store::checkpoint`); both judge events by their authentication
//! codes (`secrets.rs`).

use super::{event_hash, parse_hash, Checkpoint, Signer, GENESIS};
use crate::sql::{dialect, on_pool};
use crate::store::{Store, StoreError};

/// Why `event` is not sealed nor signed under `secrets` (None: it is; and without a secret,
/// every event is, as before codes), taking uncoded events at or below `adopt_through`.
/// `judged`: its code's verdict, when the log's read judged it already.
fn not_sealable(
    secrets: Option<&crate::secrets::Secrets>,
    event: &crate::event::Hashed<'_>,
    judged: Option<crate::secrets::Authenticity>,
    adopt_through: i64,
) -> Option<&'static str> {
    let secrets = secrets?;
    let verdict = judged.unwrap_or_else(|| secrets.authenticate(event));
    let adopted =
        verdict == crate::secrets::Authenticity::Missing && event.position <= adopt_through;
    not_authentic(verdict).filter(|_| !adopted)
}

/// Why an event whose code is `verdict` is not taken as this deployment's (None: it is):
/// neither sealed, nor signed, nor applied by the log's followers.
pub(crate) fn not_authentic(verdict: crate::secrets::Authenticity) -> Option<&'static str> {
    use crate::secrets::Authenticity;
    match verdict {
        Authenticity::Authentic => None,
        Authenticity::Missing => Some(
            "the event carries no authentication code: this deployment's server did not append it \
             (an earlier version's unsealed event can be adopted with `governance seal --adopt-through`)",
        ),
        Authenticity::Invalid => Some(
            "the event's authentication code does not verify: it was forged, or altered before it \
             was sealed, or written under another deployment secret",
        ),
    }
}

impl Store {
    /// The last sealed position and hash (none sealed: 0 and the genesis hash).
    pub async fn sealed_head(&self) -> Result<(i64, [u8; 32]), StoreError> {
        let backend = self.backend();
        let row: Option<(i64, String)> = on_pool!(backend, pool => sqlx::query_as(
            "SELECT position, hash FROM event_hashes ORDER BY position DESC LIMIT 1"
        )
        .fetch_optional(pool)
        .await?);
        match row {
            None => Ok((0, GENESIS)),
            Some((position, hash)) => Ok((
                position,
                parse_hash(&hash).ok_or_else(|| {
                    StoreError::Corrupt(format!("the stored hash at {position} is not a hash"))
                })?,
            )),
        }
    }

    /// Seals up to `limit` committed events after the sealed head: computes their chain hashes
    /// in position order and stores them in one transaction. Returns how many it sealed. Two
    /// sealers racing cannot both seal a position (primary key): the loser's batch is rolled
    /// back and it starts again from the new head.
    ///
    /// With the deployment secret, it seals only events whose authentication code verifies
    /// (`secrets.rs`): at the first that does not, it seals those before it and then answers
    /// [`StoreError::Unauthenticated`], every time, until that row is gone (or adopted, see
    /// [`Store::seal_all_adopting`]). So a row put in the log with the database's
    /// credentials alone is never covered by a signed checkpoint, and no event after it is.
    pub async fn seal_pending(&self, limit: i64) -> Result<usize, StoreError> {
        self.seal_pending_adopting(limit, 0).await
    }

    /// [`Store::seal_pending`], sealing also events at or below `adopt_through` that carry
    /// no code (a code that does not verify is refused all the same).
    async fn seal_pending_adopting(
        &self,
        limit: i64,
        adopt_through: i64,
    ) -> Result<usize, StoreError> {
        let (head, mut previous) = self.sealed_head().await?;
        // The events the log's followers share (`Store::read_after`): near the log's end they
        // are read and decoded once for the projector, the image, the process manager and
        // this, and each keeps the parts of its row that reading changed.
        let events = self.read_after(head, limit).await?;
        if events.is_empty() {
            return Ok(0);
        }
        let secrets = self.secrets().ok();
        let mut rows = Vec::with_capacity(events.len());
        let mut refused = None;
        for event in &events {
            let stored = event.as_stored();
            let judged = event.stored.authenticity;
            if let Some(reason) = not_sealable(secrets, &stored, judged, adopt_through) {
                let before = rows.last().map_or(head, |(p, _)| *p);
                // Refused only as the database holds it now (read apart from the followers'
                // shared tail, which an operator's removal does not reach).
                if self.still_stored(before, event).await? {
                    refused = Some(StoreError::Unauthenticated {
                        position: event.position,
                        reason: reason.to_owned(),
                    });
                }
                break;
            }
            previous = event_hash(&previous, &stored);
            rows.push((event.position, hex::encode(previous)));
        }
        if rows.is_empty() {
            return refused.map_or(Ok(0), Err);
        }
        // One statement for the batch (atomic on its own), on the read side's connections,
        // whose transactions hold back no reader of the log.
        let backend = self.read_side();
        let outcome: Result<(), sqlx::Error> = on_pool!(backend, pool => {
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO event_hashes (position, hash) ");
            insert.push_values(&rows, |mut row, (position, hash)| {
                row.push_bind(*position).push_bind(hash.as_str());
            });
            insert.build().execute(pool).await.map(|_| ())
        });
        match outcome {
            Ok(()) => Ok(rows.len()),
            // Another sealer sealed these positions first: nothing lost, start from its head.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Why the sealer stands still, if it does: the first event after the sealed head,
    /// when it is one the sealer refuses (its position, and why).
    pub async fn sealing_refused(&self) -> Result<Option<(i64, String)>, StoreError> {
        let Ok(secrets) = self.secrets() else {
            return Ok(None);
        };
        let signing = self
            .signing_refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if signing.is_some() {
            return Ok(signing);
        }
        let (head, _) = self.sealed_head().await?;
        let Some(event) = self.read_after(head, 1).await?.into_iter().next() else {
            return Ok(None);
        };
        let verdict = event
            .stored
            .authenticity
            .unwrap_or_else(|| secrets.authenticate(&event.as_stored()));
        match not_authentic(verdict) {
            Some(reason) if self.still_stored(head, &event).await? => {
                Ok(Some((event.position, reason.to_owned())))
            }
            _ => Ok(None),
        }
    }

    /// Seals everything committed so far.
    pub async fn seal_all(&self) -> Result<usize, StoreError> {
        self.seal_all_adopting(0).await
    }

    /// Seals everything committed so far, taking events at or below `adopt_through` that
    /// carry no authentication code as this deployment's: what an operator does, after
    /// looking at them, for events an earlier version appended and did not seal before it
    /// stopped (it sealed on every clean stop). A code that does not verify is refused.
    pub async fn seal_all_adopting(&self, adopt_through: i64) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let sealed = self.seal_pending_adopting(1000, adopt_through).await?;
            if sealed == 0 {
                return Ok(total);
            }
            total += sealed;
        }
    }

    /// Signs a checkpoint of the sealed head if it moved since the last one.
    ///
    /// What a signature adds is checked first, from the database as it is now: the events
    /// after the latest checkpoint this key signed must chain from it to the sealed head, and
    /// each must carry a code that verifies. A sealed hash proves nothing by itself (anyone
    /// can compute one), so a row appended together with its hash, behind the sealer's back,
    /// is refused here ([`StoreError::Unauthenticated`]) and nothing past it is ever signed.
    pub async fn checkpoint(&self, signer: &Signer) -> Result<Option<Checkpoint>, StoreError> {
        self.checkpoint_adopting(signer, 0).await
    }

    /// [`Store::checkpoint`], taking uncoded events at or below `adopt_through` as this
    /// deployment's (see [`Store::seal_all_adopting`]).
    pub async fn checkpoint_adopting(
        &self,
        signer: &Signer,
        adopt_through: i64,
    ) -> Result<Option<Checkpoint>, StoreError> {
        let (position, hash) = self.sealed_head().await?;
        if position == 0 {
            return Ok(None);
        }
        let mine = self.latest_checkpoint_of(signer).await?;
        if let Some(mine) = &mine {
            // Checked before it was signed: the log's reads need not judge it again.
            self.vouch(mine.position);
        }
        if self
            .latest_checkpoint()
            .await?
            .is_some_and(|c| c.position >= position)
        {
            return Ok(None);
        }
        let checked = self
            .check_unsigned(mine.as_ref(), position, &hash, adopt_through)
            .await;
        let refused = match &checked {
            Err(StoreError::Unauthenticated { position, reason }) => {
                Some((*position, reason.clone()))
            }
            _ => None,
        };
        {
            let mut said = self
                .signing_refused
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some((position, reason)) = refused.as_ref().filter(|r| said.as_ref() != Some(r))
            {
                tracing::error!(
                    position,
                    reason,
                    "no checkpoint signed: a sealed event was not appended by this server"
                );
            }
            *said = refused;
        }
        checked?;
        let checkpoint = signer.sign_checkpoint(position, &hex::encode(hash));
        let backend = self.read_side();
        let sql = dialect(
            backend,
            "INSERT INTO integrity_checkpoints (position, head_hash, signed_at, public_key, signature) VALUES ($1, $2, $3, $4, $5)",
        );
        on_pool!(backend, pool => sqlx::query(&sql)
            .bind(checkpoint.position)
            .bind(&checkpoint.head_hash)
            .bind(checkpoint.signed_at)
            .bind(&checkpoint.public_key)
            .bind(&checkpoint.signature)
            .execute(pool)
            .await
            .map(|_| ())?);
        self.vouch(checkpoint.position);
        Ok(Some(checkpoint))
    }

    /// Checks the sealed events after `from` (a checkpoint of this deployment's key; none:
    /// from the start) up to `head`: they chain from it to `head_hash` as stored, and each
    /// one's code verifies (or it carries none and sits at or below `adopt_through`).
    async fn check_unsigned(
        &self,
        from: Option<&Checkpoint>,
        head: i64,
        head_hash: &[u8; 32],
        adopt_through: i64,
    ) -> Result<(), StoreError> {
        let secrets = self.secrets().ok();
        let (mut after, mut previous) = match from {
            Some(c) => (
                c.position,
                parse_hash(&c.head_hash).ok_or_else(|| {
                    StoreError::Corrupt(format!("the checkpoint at {} has no hash", c.position))
                })?,
            ),
            None => (0, GENESIS),
        };
        let refuse = |position: i64, reason: &str| StoreError::Unauthenticated {
            position,
            reason: reason.to_owned(),
        };
        while after < head {
            let events = self
                .export_after(after, (head - after).min(1000), None)
                .await?;
            let Some(last) = events.last().map(|e| e.position) else {
                break;
            };
            let hashes: std::collections::HashMap<i64, String> = self
                .stored_hashes(after, events.len() as i64)
                .await?
                .into_iter()
                .collect();
            for event in events.iter().take_while(|e| e.position <= head) {
                let stored = event.as_stored();
                if let Some(reason) = not_sealable(secrets, &stored, None, adopt_through) {
                    return Err(refuse(event.position, reason));
                }
                previous = event_hash(&previous, &stored);
                if hashes.get(&event.position) != Some(&hex::encode(previous)) {
                    return Err(refuse(
                        event.position,
                        "the sealed hash differs from the event's: the chain since the last checkpoint was not sealed by this deployment",
                    ));
                }
            }
            after = last;
        }
        if previous != *head_hash {
            return Err(refuse(
                head,
                "the sealed head does not follow from the events since the last checkpoint",
            ));
        }
        Ok(())
    }
}

/// When the sealer signs a checkpoint of the sealed head: on its first sealing, then as soon
/// as `every_events` sealed events are unsigned or `every` has passed with any unsigned, and
/// once more on a clean shutdown. At most `every` of history (or `every_events` events) is
/// ever covered by no signature while the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointPolicy {
    pub every: std::time::Duration,
    pub every_events: usize,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        CheckpointPolicy {
            every: std::time::Duration::from_secs(2),
            every_events: 1000,
        }
    }
}

/// How many events one pass of the sealer seals at most.
const SEAL_BATCH: i64 = 1000;

/// How long the sealer lets commits gather after being woken before it seals them.
const SEAL_GATHER: std::time::Duration = std::time::Duration::from_millis(20);

/// Follows the log in the background: seals new events as they commit and signs checkpoints
/// of the sealed head as `policy` says (when it moved); on a clean stop, seals what is
/// committed and signs the head.
pub fn spawn_sealer(
    store: Store,
    signer: Option<Signer>,
    policy: CheckpointPolicy,
) -> crate::tasks::Stoppable {
    use std::time::{Duration, Instant};
    crate::tasks::Stoppable::spawn(move |mut stop| async move {
        let mut changes = store.subscribe();
        let mut last_checkpoint = Instant::now();
        // Sealed since the last checkpoint (None: nothing signed by this sealer yet, so the
        // first sealing signs at once).
        let mut unsigned: Option<usize> = None;
        // The row sealing last stopped at, if it did (said once in the log).
        let mut refused_at: Option<i64> = None;
        let sign = |store: Store, signer: Option<Signer>| async move {
            match &signer {
                Some(signer) => match store.checkpoint(signer).await {
                    Ok(signed) => signed.is_some(),
                    // Said once by `checkpoint`, and in the `integrity` query.
                    Err(StoreError::Unauthenticated { .. }) => false,
                    Err(error) => {
                        tracing::error!(%error, "signing a checkpoint failed");
                        false
                    }
                },
                None => false,
            }
        };
        // What this deployment's key signed already (events up to it are not judged again
        // by the log's reads), learnt again while a follower is stopped: an operator may
        // have adopted the row it stopped at, signing over it from another process.
        let learn_vouched = async |store: &Store| {
            if let Some(signer) = &signer {
                if let Err(error) = store.learn_vouched(signer).await {
                    tracing::warn!(%error, "reading the latest checkpoint failed");
                }
            }
        };
        learn_vouched(&store).await;
        loop {
            if *stop.borrow() {
                break;
            }
            if store.stopped_at().is_some() {
                learn_vouched(&store).await;
            }
            match store.seal_pending(SEAL_BATCH).await {
                Ok(sealed) => {
                    if sealed > 0 && refused_at.take().is_some() {
                        metrics::gauge!("governance_sealing_refused_position").set(0.0);
                    }
                    let pending = unsigned.map_or(sealed, |n| n + sealed);
                    let due = match unsigned {
                        None => sealed > 0,
                        Some(_) => {
                            pending >= policy.every_events
                                || (pending > 0 && last_checkpoint.elapsed() >= policy.every)
                        }
                    };
                    if due && sign(store.clone(), signer.clone()).await {
                        last_checkpoint = Instant::now();
                        unsigned = Some(0);
                    } else if unsigned.is_some() || sealed > 0 {
                        unsigned = Some(pending);
                    }
                    metrics::gauge!("governance_unsigned_events").set(pending as f64);
                    // Short of a full batch it sealed all there was: wait for more, then let
                    // a few more commits gather (a seal pass per event is three statements
                    // per command; a pass per few milliseconds seals them together).
                    if sealed < SEAL_BATCH as usize {
                        let wait = policy.every.min(Duration::from_millis(500));
                        tokio::select! {
                            _ = store.wait_for_events(&mut changes, wait) => {}
                            _ = stop.changed() => break,
                        }
                        if crate::tasks::pause(&mut stop, SEAL_GATHER).await {
                            break;
                        }
                    }
                }
                Err(StoreError::Unauthenticated { position, reason }) => {
                    // Nothing is sealed past a row the server did not append: said once per
                    // row, then looked at again when the log moves (or the row goes away).
                    if refused_at != Some(position) {
                        tracing::error!(
                            position,
                            reason,
                            "sealing stopped: a row of the log was not appended by this server"
                        );
                        refused_at = Some(position);
                    }
                    metrics::gauge!("governance_sealing_refused_position").set(position as f64);
                    tokio::select! {
                        _ = store.wait_for_events(&mut changes, Duration::from_secs(5)) => {}
                        _ = stop.changed() => break,
                    }
                }
                Err(error) => {
                    // A racing sealer (another server) sealed first, or the database is away.
                    tracing::warn!(%error, "sealing failed; retrying");
                    if crate::tasks::pause(&mut stop, Duration::from_millis(500)).await {
                        break;
                    }
                }
            }
        }
        // A clean stop: seal what is committed and sign the head, so that nothing this
        // server wrote is left unsigned.
        while let Ok(sealed) = store.seal_pending(1000).await {
            if sealed == 0 {
                break;
            }
        }
        sign(store, signer).await;
    })
}
