//! Tamper evidence. A hash chain over the committed global log: each event's hash is
//! SHA-256(previous hash ‖ canonical form), the canonical form covering its position, type,
//! stored version, payload as stored (personal data still sealed), metadata, aggregate id and
//! sequence, and recording time. The sealer computes it in position order after commit (it
//! follows the gap-safe log like a projector) and stores it beside the events. Periodic
//! checkpoints sign (position, head hash, time) with an Ed25519 key; `verify` recomputes the
//! chain from the stored events and checks every checkpoint, in the database or offline on an
//! export with only the public key.

use std::io::BufRead;

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sql::{dialect, on_pool};
use crate::store::{ExportedEvent, Store, StoreError};

pub(crate) mod canonical;
mod seal;

pub(crate) use seal::not_authentic;
pub use seal::{spawn_sealer, CheckpointPolicy};

pub use canonical::{canonical_event, canonical_json, event_hash};

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0; 32];

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}

/// A signed statement that the log's chain had `head_hash` at `position`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Checkpoint {
    pub position: i64,
    #[serde(alias = "headHash")]
    pub head_hash: String,
    #[serde(alias = "signedAt")]
    pub signed_at: DateTime<Utc>,
    /// The Ed25519 public key that signed it (hex).
    #[serde(alias = "publicKey")]
    pub public_key: String,
    /// The signature of [`Checkpoint::message`] (hex).
    pub signature: String,
}

impl Checkpoint {
    /// What is signed.
    pub fn message(position: i64, head_hash: &str, signed_at: DateTime<Utc>) -> String {
        format!(
            "governance-checkpoint/v1\n{position}\n{head_hash}\n{}",
            signed_at.to_rfc3339_opts(SecondsFormat::Micros, true)
        )
    }

    /// Whether `key` signed exactly this checkpoint.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        let Some(signature) = hex::decode(&self.signature)
            .ok()
            .and_then(|b| ed25519_dalek::Signature::from_slice(&b).ok())
        else {
            return false;
        };
        key.verify(
            Self::message(self.position, &self.head_hash, self.signed_at).as_bytes(),
            &signature,
        )
        .is_ok()
    }
}

/// The Ed25519 key that signs checkpoints (and reports).
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.public_key_hex())
    }
}

impl Signer {
    /// A new random key.
    pub fn generate() -> Self {
        Signer {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    /// From the 32-byte secret seed in hex (the key file's content).
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("a signing key file holds 64 hexadecimal characters (a 32-byte seed)")?;
        Ok(Signer {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The secret seed in hex, for the key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// Reads the key file, or creates it (readable by the owner only) with a new key.
    pub fn load_or_create(path: &std::path::Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let signer = Self::generate();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                crate::secrets::write_private(path, &signer.to_hex())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(signer)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.public_key().to_bytes())
    }

    /// Signs any bytes (hex signature).
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.key.sign(message).to_bytes())
    }

    /// Signs a checkpoint of `head_hash` at `position`, now.
    pub fn sign_checkpoint(&self, position: i64, head_hash: &str) -> Checkpoint {
        // Stored with microsecond precision on both backends: sign what will be read back.
        let signed_at = DateTime::from_timestamp_micros(Utc::now().timestamp_micros())
            .expect("now is representable");
        Checkpoint {
            position,
            head_hash: head_hash.to_owned(),
            signed_at,
            public_key: self.public_key_hex(),
            signature: self
                .sign_hex(Checkpoint::message(position, head_hash, signed_at).as_bytes()),
        }
    }
}

/// Parses a public key given in hex.
pub fn public_key_from_hex(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("a public key is 64 hexadecimal characters")?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub events: usize,
    pub checkpoints: usize,
    /// The first position where anything differs, and what.
    pub first_bad: Option<(i64, String)>,
    /// The last position and hash recomputed.
    pub head: Option<(i64, String)>,
    /// The latest signed checkpoint (position, when signed).
    pub latest_checkpoint: Option<(i64, DateTime<Utc>)>,
    /// Events after the latest checkpoint: no signature covers them (a truncation of those
    /// is caught only by a checkpoint kept outside, see `verify --checkpoints`).
    pub unsigned_events: usize,
    /// For an export verified offline: what makes its log unsound besides the chain (as
    /// [`Store::verify_log`] finds in a database): positions out of order, a gap in an
    /// aggregate's history, a row that is no event of this system. A row put in the log
    /// before the sealer came by is sealed as stored, so the chain alone passes it.
    pub problems: Vec<String>,
    /// Whether the events' authentication codes were checked (see [`Authentication`]).
    pub authentication: Authentication,
}

/// What `verify` could say of the events' authentication codes (`secrets.rs`): only the
/// deployment secret checks them, so an export verified offline, or a database verified
/// without the secret it was written with, has its chain and signatures checked, not them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum Authentication {
    /// No deployment secret was given (an export verified offline).
    #[default]
    NotChecked,
    /// Every unsigned event's code was checked (a signed one was checked before it was
    /// signed, and the signature covers it since).
    Checked,
    /// The secret given is not the one the log was written with: a signed event's code
    /// does not verify under it (and no unsigned one was judged).
    OtherSecret,
}

impl ChainReport {
    fn fail(&mut self, position: i64, what: impl Into<String>) {
        match &self.first_bad {
            Some((p, _)) if *p <= position => {}
            _ => self.first_bad = Some((position, what.into())),
        }
    }

    pub fn passed(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// Recomputes a chain from events in position order and compares it with the stored hashes
/// and the checkpoints.
struct Checker<'a> {
    previous: [u8; 32],
    last_position: i64,
    /// Recomputed hash at every checkpointed position reached.
    checkpoints: &'a [Checkpoint],
    key: Option<&'a VerifyingKey>,
    /// The last sealed position (0 when unknown, as for an export): an event below it that
    /// has no hash was put there after sealing.
    sealed_up_to: i64,
    /// The deployment secret, to check the codes of events the sealer has not judged yet.
    secrets: Option<&'a crate::secrets::Secrets>,
    report: ChainReport,
}

impl<'a> Checker<'a> {
    fn new(checkpoints: &'a [Checkpoint], key: Option<&'a VerifyingKey>) -> Self {
        let mut report = ChainReport {
            checkpoints: checkpoints.len(),
            ..Default::default()
        };
        for c in checkpoints {
            let signer_ok = match key {
                Some(key) => c.public_key == hex::encode(key.to_bytes()) && c.signed_by(key),
                None => public_key_from_hex(&c.public_key).is_ok_and(|k| c.signed_by(&k)),
            };
            if !signer_ok {
                report.fail(c.position, "a checkpoint's signature does not verify");
            }
        }
        report.latest_checkpoint = checkpoints
            .iter()
            .max_by_key(|c| c.position)
            .map(|c| (c.position, c.signed_at));
        Checker {
            previous: GENESIS,
            last_position: 0,
            checkpoints,
            key,
            sealed_up_to: 0,
            secrets: None,
            report,
        }
    }

    /// Checks codes with `secrets` from now on.
    fn authenticating(mut self, secrets: Option<&'a crate::secrets::Secrets>) -> Self {
        self.secrets = secrets;
        if secrets.is_some() {
            self.report.authentication = Authentication::Checked;
        }
        self
    }

    /// An event's code. One under a signed checkpoint was checked before it was signed, so
    /// a code of its that does not verify tells that the secret is another deployment's;
    /// any other must carry a code that verifies (a sealed hash proves nothing: anyone can
    /// compute one), or no checkpoint will ever cover it.
    fn authenticate(&mut self, event: &ExportedEvent) {
        use crate::secrets::Authenticity;
        let Some(secrets) = self.secrets else { return };
        let verdict = secrets.authenticate(&event.as_stored());
        let signed = self
            .report
            .latest_checkpoint
            .is_some_and(|(p, _)| event.position <= p);
        if signed {
            if verdict == Authenticity::Invalid {
                self.report.authentication = Authentication::OtherSecret;
                self.secrets = None;
            }
            return;
        }
        if let Some(reason) = not_authentic(verdict) {
            self.report.fail(event.position, reason);
        }
    }

    fn event(&mut self, event: &ExportedEvent, stored: Option<&str>) {
        if event.position <= self.last_position {
            self.report
                .fail(event.position, "positions are out of order");
        }
        // A checkpoint between the previous event and this one names a position that is gone.
        for c in self.checkpoints {
            if c.position > self.last_position && c.position < event.position {
                self.report
                    .fail(c.position, "a checkpointed event is missing from the log");
            }
        }
        let hash = event_hash(&self.previous, &event.as_stored());
        let hex_hash = hex::encode(hash);
        match stored {
            Some(s) if s == hex_hash => {}
            Some(_) => self.report.fail(
                event.position,
                "the event differs from what was sealed (or an earlier event was removed or reordered)",
            ),
            // The sealer seals in position order and never skips one (it reads the log as
            // its followers do): an unsealed event among sealed ones was put there after.
            None if event.position < self.sealed_up_to => self.report.fail(
                event.position,
                "an event that was never sealed sits inside the sealed history (inserted behind the sealer's back)",
            ),
            None => {}
        }
        // After the chain's own verdicts at this position, which say more of how the event
        // got there.
        self.authenticate(event);
        for c in self
            .checkpoints
            .iter()
            .filter(|c| c.position == event.position)
        {
            if c.head_hash != hex_hash {
                self.report.fail(
                    event.position,
                    "the log up to this checkpoint differs from what was signed",
                );
            }
        }
        self.previous = hash;
        self.last_position = event.position;
        self.report.events += 1;
        if self
            .report
            .latest_checkpoint
            .is_none_or(|(p, _)| event.position > p)
        {
            self.report.unsigned_events += 1;
        }
        self.report.head = Some((event.position, hex_hash));
    }

    fn finish(mut self) -> ChainReport {
        for c in self.checkpoints {
            if c.position > self.last_position {
                self.report.fail(
                    c.position,
                    "events up to a signed checkpoint are missing (the log was cut short)",
                );
            }
        }
        let _ = self.key;
        self.report
    }
}

/// One line of an export with integrity data: an event (with its chain hash) or a checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExportLine {
    Checkpoint {
        checkpoint: Checkpoint,
    },
    /// A person's data key, wrapped by the deployment secret (never in clear): so that an
    /// import into another store reads every person the source could, and no erased one.
    PersonKey {
        person_key: crate::store::WrappedPersonKey,
    },
    Event(Box<ExportedEvent>),
}

/// Reads checkpoints a reviewer kept: JSON Lines of `{"checkpoint": {…}}` (as an export
/// carries them) or of bare checkpoints, or one JSON array of either; field names as stored
/// (`head_hash`) or as the GraphQL `integrity` query shows them (`headHash`).
pub fn read_checkpoints(text: &str) -> Result<Vec<Checkpoint>, String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Kept {
        Wrapped { checkpoint: Checkpoint },
        Bare(Checkpoint),
    }
    let unwrap = |k: Kept| match k {
        Kept::Wrapped { checkpoint } | Kept::Bare(checkpoint) => checkpoint,
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let all: Vec<Kept> =
            serde_json::from_str(trimmed).map_err(|e| format!("not a list of checkpoints: {e}"))?;
        return Ok(all.into_iter().map(unwrap).collect());
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: not JSON: {e}", i + 1))?;
        // The other lines of a whole export (events, wrapped keys) are not checkpoints.
        if value.get("checkpoint").is_none()
            && value.get("head_hash").is_none()
            && value.get("headHash").is_none()
        {
            continue;
        }
        let kept: Kept = serde_json::from_value(value)
            .map_err(|e| format!("line {}: not a checkpoint: {e}", i + 1))?;
        out.push(unwrap(kept));
    }
    if out.is_empty() {
        return Err("no checkpoint found".into());
    }
    Ok(out)
}

/// Verifies an export offline, with only the public key: recomputes the chain over its events
/// (which must be the whole log, in order), compares the hashes the export carries, and checks
/// every checkpoint's signature and head.
pub fn verify_export(input: impl BufRead, key: &VerifyingKey) -> Result<ChainReport, String> {
    verify_export_signed_by(input, Some(key))
}

/// Like [`verify_export`]; without `key`, each checkpoint is checked against the public key
/// it names (the export is consistent with itself, not proven to be a given deployment's).
pub fn verify_export_signed_by(
    input: impl BufRead,
    key: Option<&VerifyingKey>,
) -> Result<ChainReport, String> {
    verify_export_lines(input, key).map(|(report, _)| report)
}

/// Events of an export that nothing proves to be its source's: an import codes what it takes
/// under the importing deployment's secret, so it must not take, unasked, an event that anyone
/// who could edit the file (or the source's database, after its last checkpoint) could have
/// written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unproven {
    pub events: usize,
    /// The first and the last such position.
    pub positions: Option<(i64, i64)>,
}

/// Verifies an export as [`verify_export_signed_by`] does, and says which of its events an
/// import could not prove to be the source's. An event is proven by a checkpoint signed with
/// `key` that covers it (without a key, a checkpoint proves only that the file is consistent
/// with itself: anyone can sign one), or by an authentication code that verifies under
/// `secrets`, the importing deployment's (an export of the same deployment, moving stores).
pub fn verify_export_for_import(
    input: impl BufRead,
    key: Option<&VerifyingKey>,
    secrets: Option<&crate::secrets::Secrets>,
) -> Result<(ChainReport, Unproven), String> {
    let (report, events) = verify_export_lines(input, key)?;
    let signed_through = match key {
        Some(_) => report.latest_checkpoint.map_or(0, |(position, _)| position),
        None => 0,
    };
    let mut unproven = Unproven::default();
    for event in events.iter().filter(|e| e.position > signed_through) {
        let coded = secrets.is_some_and(|s| {
            s.authenticate(&event.as_stored()) == crate::secrets::Authenticity::Authentic
        });
        if !coded {
            unproven.events += 1;
            let first = unproven
                .positions
                .map_or(event.position, |(first, _)| first);
            unproven.positions = Some((first, event.position));
        }
    }
    Ok((report, unproven))
}

fn verify_export_lines(
    input: impl BufRead,
    key: Option<&VerifyingKey>,
) -> Result<(ChainReport, Vec<ExportedEvent>), String> {
    let mut events = Vec::new();
    let mut checkpoints = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<ExportLine>(&line)
            .map_err(|e| format!("line {}: {e}", i + 1))?
        {
            ExportLine::Checkpoint { checkpoint } => checkpoints.push(checkpoint),
            ExportLine::Event(event) => events.push(*event),
            ExportLine::PersonKey { .. } => {}
        }
    }
    // Without a checkpoint the chain is still recomputed and compared; the report says that
    // no signature covers it (`latest_checkpoint` is None, every event unsigned).
    let mut checker = Checker::new(&checkpoints, key);
    let mut log = crate::store::LogChecker::default();
    for event in &events {
        log.event(event);
        let stored = event.hash.clone();
        checker.event(event, stored.as_deref());
        if stored.is_none() {
            checker
                .report
                .fail(event.position, "the export carries no hash for this event");
        }
    }
    let mut report = checker.finish();
    report.problems = log.finish().problems;
    Ok((report, events))
}

impl Store {
    /// The most recent signed checkpoint.
    pub async fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        let backend = self.backend();
        Ok(on_pool!(backend, pool => sqlx::query_as(
            "SELECT position, head_hash, signed_at, public_key, signature FROM integrity_checkpoints ORDER BY position DESC LIMIT 1"
        )
        .fetch_optional(pool)
        .await?))
    }

    /// Learns how far `signer`'s checkpoints cover the log (the log's reads judge the
    /// authentication codes of the events after it: see `Store::vouch`); answers that
    /// position (0: none yet).
    pub async fn learn_vouched(&self, signer: &Signer) -> Result<i64, StoreError> {
        if let Some(mine) = self.latest_checkpoint_of(signer).await? {
            self.vouch(mine.position);
        }
        Ok(self.vouched())
    }

    /// Whether a server of this deployment appended `event`, as it reads now (see
    /// [`crate::secrets::Authenticity::is_the_servers`], the rule the log's read and the
    /// command service's history check apply). None when this store has no deployment
    /// secret to judge with.
    pub fn appended_here(&self, event: &crate::event::StoredEvent) -> Option<bool> {
        let secrets = self.secrets().ok()?;
        let verdict = event
            .stored
            .authenticity
            .unwrap_or_else(|| secrets.authenticate(&event.as_stored()));
        Some(verdict.is_the_servers(event.position, self.vouched()))
    }

    /// The latest checkpoint signed by `signer`'s key (its signature checked: a row with the
    /// key's name and another's signature is no checkpoint of it).
    pub async fn latest_checkpoint_of(
        &self,
        signer: &Signer,
    ) -> Result<Option<Checkpoint>, StoreError> {
        let backend = self.backend();
        let sql = dialect(
            backend,
            "SELECT position, head_hash, signed_at, public_key, signature FROM integrity_checkpoints WHERE public_key = $1 ORDER BY position DESC LIMIT 64",
        );
        let named: Vec<Checkpoint> = on_pool!(backend, pool => sqlx::query_as(&sql)
            .bind(signer.public_key_hex())
            .fetch_all(pool)
            .await?);
        let key = signer.public_key();
        Ok(named.into_iter().find(|c| c.signed_by(&key)))
    }

    /// Every signed checkpoint, oldest first.
    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let backend = self.backend();
        Ok(on_pool!(backend, pool => sqlx::query_as(
            "SELECT position, head_hash, signed_at, public_key, signature FROM integrity_checkpoints ORDER BY position"
        )
        .fetch_all(pool)
        .await?))
    }

    async fn stored_hashes(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let backend = self.backend();
        let sql = dialect(
            backend,
            "SELECT position, hash FROM event_hashes WHERE position > $1 ORDER BY position LIMIT $2",
        );
        Ok(on_pool!(backend, pool => sqlx::query_as(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?))
    }

    /// Recomputes the chain from the stored events and compares it with the stored hashes and
    /// every checkpoint (signatures checked against `key`, or each checkpoint's own key when
    /// none is given). Reports the first position where anything differs.
    pub async fn verify_chain(
        &self,
        key: Option<&VerifyingKey>,
        progress: impl FnMut(usize),
    ) -> Result<ChainReport, StoreError> {
        self.verify_chain_against(key, &[], progress).await
    }

    /// Like [`Store::verify_chain`], also against checkpoints kept outside the database (a
    /// reviewer's copy): the log must still extend every one of them, so a tail cut off
    /// together with its hashes and checkpoints is found.
    pub async fn verify_chain_against(
        &self,
        key: Option<&VerifyingKey>,
        kept: &[Checkpoint],
        mut progress: impl FnMut(usize),
    ) -> Result<ChainReport, StoreError> {
        let mut checkpoints = self.checkpoints().await?;
        for c in kept {
            if !checkpoints.contains(c) {
                checkpoints.push(c.clone());
            }
        }
        checkpoints.sort_by_key(|c| c.position);
        let mut checker = Checker::new(&checkpoints, key).authenticating(self.secrets().ok());
        // The highest sealed position as stored (not parsed: a tampered hash is the
        // checker's to report, not a reason to stop).
        let backend = self.backend();
        checker.sealed_up_to = on_pool!(backend, pool => sqlx::query_scalar(
            "SELECT coalesce(max(position), 0) FROM event_hashes"
        )
        .fetch_one(pool)
        .await?);
        let mut after = 0;
        let mut hashes: std::collections::VecDeque<(i64, String)> = Default::default();
        let mut hashes_after = 0;
        loop {
            let batch = self.export_after(after, 1000, None).await?;
            let Some(last) = batch.last() else { break };
            let last_position = last.position;
            // The stored hashes covering this batch.
            while hashes_after < last_position {
                let more = self.stored_hashes(hashes_after, 1000).await?;
                let Some(end) = more.last().map(|(p, _)| *p) else {
                    break;
                };
                hashes_after = end;
                hashes.extend(more);
            }
            for event in &batch {
                // A stored hash for a position with no event: an event was removed.
                while let Some((p, _)) = hashes.front() {
                    if *p < event.position {
                        checker
                            .report
                            .fail(*p, "a sealed event is missing from the log");
                        hashes.pop_front();
                    } else {
                        break;
                    }
                }
                let stored = match hashes.front() {
                    Some((p, h)) if *p == event.position => {
                        let h = h.clone();
                        hashes.pop_front();
                        Some(h)
                    }
                    _ => None,
                };
                checker.event(event, stored.as_deref());
            }
            after = last_position;
            progress(checker.report.events);
        }
        // Sealed positions beyond the last event: removed events.
        let rest = self.stored_hashes(after, 1).await?;
        if let Some((p, _)) = rest.first() {
            checker
                .report
                .fail(*p, "a sealed event is missing from the log");
        }
        if let Some((p, _)) = hashes.front() {
            checker
                .report
                .fail(*p, "a sealed event is missing from the log");
        }
        Ok(checker.finish())
    }

    /// Writes the whole log with each event's chain hash, then every signed checkpoint: a file
    /// anyone can verify offline with the public key.
    pub async fn export_with_integrity(
        &self,
        out: &mut impl std::io::Write,
        mut progress: impl FnMut(usize),
    ) -> Result<usize, StoreError> {
        let mut after = 0;
        let mut written = 0;
        let write = |out: &mut dyn std::io::Write, line: &ExportLine| {
            let text =
                serde_json::to_string(line).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            writeln!(out, "{text}")
                .map_err(|e| StoreError::EventStore(format!("writing the export failed: {e}")))
        };
        loop {
            let mut batch = self.export_after(after, 1000, None).await?;
            let Some(last) = batch.last() else { break };
            after = last.position;
            let first = batch[0].position;
            let hashes: std::collections::HashMap<i64, String> = self
                .stored_hashes(first - 1, batch.len() as i64 + 1)
                .await?
                .into_iter()
                .collect();
            written += batch.len();
            for mut event in batch.drain(..) {
                event.hash = hashes.get(&event.position).cloned();
                write(out, &ExportLine::Event(Box::new(event)))?;
            }
            progress(written);
        }
        for checkpoint in self.checkpoints().await? {
            write(out, &ExportLine::Checkpoint { checkpoint })?;
        }
        for person_key in self.wrapped_person_keys().await? {
            write(out, &ExportLine::PersonKey { person_key })?;
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_checkpoints_read_as_the_integrity_query_or_an_export_shows_them() {
        let signer = Signer::generate();
        let c = signer.sign_checkpoint(7, &"cd".repeat(32));
        let graphql = serde_json::json!({
            "position": c.position, "headHash": c.head_hash, "signedAt": c.signed_at,
            "publicKey": c.public_key, "signature": c.signature,
        });
        let array = serde_json::to_string(&vec![graphql.clone()]).unwrap();
        assert_eq!(read_checkpoints(&array).unwrap(), vec![c.clone()]);
        let lines = format!(
            "{}\n{{\"aggregate_type\": \"Network\"}}\n{}\n",
            serde_json::to_string(&ExportLine::Checkpoint {
                checkpoint: c.clone()
            })
            .unwrap(),
            graphql
        );
        assert_eq!(read_checkpoints(&lines).unwrap(), vec![c.clone(), c]);
        assert!(read_checkpoints("{\"aggregate_type\": \"Network\"}").is_err());
        assert!(read_checkpoints("not json").is_err());
    }

    #[test]
    fn a_checkpoint_verifies_only_with_its_key_and_content() {
        let signer = Signer::generate();
        let c = signer.sign_checkpoint(42, &"ab".repeat(32));
        assert!(c.signed_by(&signer.public_key()));
        assert!(!c.signed_by(&Signer::generate().public_key()));
        let mut moved = c.clone();
        moved.position = 43;
        assert!(!moved.signed_by(&signer.public_key()));
        let back = Signer::from_hex(&signer.to_hex()).unwrap();
        assert_eq!(back.public_key_hex(), signer.public_key_hex());
        assert!(Signer::from_hex("nothex").is_err());
        assert!(public_key_from_hex(&signer.public_key_hex()).is_ok());
    }
}
