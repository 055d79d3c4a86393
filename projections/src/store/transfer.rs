//! Export and import of the event log as JSON Lines, event for event: the stored type,
//! version, payload (not upcast), metadata and recording time. An import appends only what
//! continues each aggregate's history exactly; an event already present must be identical, and
//! anything that would alter or reorder existing history is refused before anything is written
//! in its batch.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Backend, Store, StoreError};
use crate::sql::{dialect, on_pool};

/// One event as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ExportedEvent {
    /// The position in the exporting store (informative: positions are the store's own).
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
    /// The event's chain hash, in exports made for offline verification.
    #[sqlx(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl ExportedEvent {
    /// The event as the hash chain covers it.
    pub fn as_stored(&self) -> crate::event::Hashed<'_> {
        use crate::event::Json;
        crate::event::Hashed {
            position: self.position,
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: Json::Value(&self.payload),
            metadata: Json::Value(&self.metadata),
            recorded_at: self.recorded_at,
        }
    }

    /// Why this row as stored (before upcasting) is not an event of this system: its
    /// metadata cannot be read, or its payload does not decode as its aggregate's event.
    /// `verify` reports such rows, `import` refuses them, the log's followers stop at them.
    pub fn not_an_event(&self) -> Option<String> {
        use aggregates::{AnyEvent, DecodeError};
        if let Err(unreadable) = crate::event::read_metadata(&self.metadata) {
            return Some(DecodeError::Metadata(unreadable.reason).to_string());
        }
        let (_, payload) = aggregates::upcast(
            &self.aggregate_type,
            &self.aggregate_id,
            self.sequence.max(0) as usize,
            &self.event_type,
            &self.event_version,
            self.payload.clone(),
        );
        AnyEvent::decode(&self.aggregate_type, &payload)
            .err()
            .map(|e| e.to_string())
    }

    /// Whether two events are the same history (positions and recording precision aside).
    pub fn same_event(&self, other: &ExportedEvent) -> bool {
        self.aggregate_type == other.aggregate_type
            && self.aggregate_id == other.aggregate_id
            && self.sequence == other.sequence
            && self.event_type == other.event_type
            && self.event_version == other.event_version
            && self.payload == other.payload
            && without_code(&self.metadata) == without_code(&other.metadata)
    }
}

/// An event's metadata less its authentication code: each deployment codes its events under
/// its own secret, so an event imported again is the same event whatever code it carries.
fn without_code(metadata: &Value) -> std::borrow::Cow<'_, Value> {
    let key = aggregates::metadata::keys::EVENT_MAC;
    match metadata {
        Value::Object(map) if map.contains_key(key) => {
            let mut map = map.clone();
            map.remove(key);
            std::borrow::Cow::Owned(Value::Object(map))
        }
        other => std::borrow::Cow::Borrowed(other),
    }
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error("line {line}: {aggregate_type} {aggregate_id} already has a different event #{sequence}: importing it would alter history")]
    AltersHistory {
        line: usize,
        aggregate_type: String,
        aggregate_id: String,
        sequence: i64,
    },
    #[error("line {line}: {aggregate_type} {aggregate_id} is at event #{current}, so event #{sequence} would leave a gap or reorder its history")]
    OutOfOrder {
        line: usize,
        aggregate_type: String,
        aggregate_id: String,
        sequence: i64,
        current: i64,
    },
    #[error("line {line}: the store already holds an event of the same request (its idempotency key) on another record: importing it would record one request twice")]
    SameRequest { line: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ImportError {
    fn from(error: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Database(error))
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    /// Already present, identical: left alone.
    pub already_present: usize,
    /// Person keys imported (wrapped; people who already had a key keep theirs).
    pub person_keys: usize,
}

const EXPORT_COLUMNS: &str = "position, aggregate_type, aggregate_id, sequence, event_type, \
    event_version, payload, metadata, recorded_at";

impl Store {
    /// Up to `limit` stored events after `position`, exactly as stored (gap-safe on
    /// PostgreSQL, like the global log).
    pub async fn export_after(
        &self,
        position: i64,
        limit: i64,
        aggregate_type: Option<&str>,
    ) -> Result<Vec<ExportedEvent>, StoreError> {
        let visible = match &self.backend {
            Backend::Postgres(_) => super::log::below_horizon(""),
            Backend::Sqlite(_) => String::new(),
        };
        let filter = if aggregate_type.is_some() {
            " AND aggregate_type = $3"
        } else {
            ""
        };
        let sql = dialect(
            &self.backend,
            &format!("SELECT {EXPORT_COLUMNS} FROM events WHERE position > $1{visible}{filter} ORDER BY position LIMIT $2"),
        );
        Ok(on_pool!(&self.backend, pool => {
            let mut query = sqlx::query_as(&sql).bind(position).bind(limit.clamp(1, 10_000));
            if let Some(t) = aggregate_type {
                query = query.bind(t);
            }
            query.fetch_all(pool).await?
        }))
    }

    /// Imports a batch of events (line numbers are for messages), in one transaction.
    pub async fn import_batch(
        &self,
        first_line: usize,
        events: &[ExportedEvent],
    ) -> Result<ImportReport, ImportError> {
        let mut report = ImportReport::default();
        let existing_sql = dialect(
            &self.backend,
            &format!("SELECT {EXPORT_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3"),
        );
        let last_sql = dialect(
            &self.backend,
            "SELECT coalesce(max(sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
        );
        let insert_sql = dialect(
            &self.backend,
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        );
        // SQLite: the batch reads before it writes, and a deferred transaction that must then
        // upgrade to a writer is refused at once ("database is locked") when another writer
        // (a live server on the same file) committed since its first read; the busy timeout
        // cannot help there. Taking the write lock first makes it wait its turn instead.
        let begin = match &self.backend {
            Backend::Postgres(_) => "BEGIN",
            Backend::Sqlite(_) => "BEGIN IMMEDIATE",
        };
        on_pool!(&self.backend, pool => {
            let mut tx = pool.begin_with(begin).await?;
            for (offset, event) in events.iter().enumerate() {
                let line = first_line + offset;
                let existing: Option<ExportedEvent> = sqlx::query_as(&existing_sql)
                    .bind(&event.aggregate_type)
                    .bind(&event.aggregate_id)
                    .bind(event.sequence)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(existing) = existing {
                    if !existing.same_event(event) {
                        return Err(ImportError::AltersHistory {
                            line,
                            aggregate_type: event.aggregate_type.clone(),
                            aggregate_id: event.aggregate_id.clone(),
                            sequence: event.sequence,
                        });
                    }
                    report.already_present += 1;
                    continue;
                }
                let current: i64 = sqlx::query_scalar(&last_sql)
                    .bind(&event.aggregate_type)
                    .bind(&event.aggregate_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if event.sequence != current + 1 {
                    return Err(ImportError::OutOfOrder {
                        line,
                        aggregate_type: event.aggregate_type.clone(),
                        aggregate_id: event.aggregate_id.clone(),
                        sequence: event.sequence,
                        current,
                    });
                }
                // The event is coded under this deployment's secret (the source's code, if
                // any, was under its own): the import verified the source's chain and
                // signatures, and the operator chose to bring it in.
                let mut metadata = event.metadata.clone();
                if let Some(secrets) = self.secrets.as_deref() {
                    secrets.authenticate_metadata(
                        crate::secrets::Appending {
                            aggregate_type: &event.aggregate_type,
                            aggregate_id: &event.aggregate_id,
                            sequence: event.sequence,
                            event_type: &event.event_type,
                            event_version: &event.event_version,
                            payload: &event.payload,
                        },
                        &mut metadata,
                    );
                }
                sqlx::query(&insert_sql)
                    .bind(&event.aggregate_type)
                    .bind(&event.aggregate_id)
                    .bind(event.sequence)
                    .bind(&event.event_type)
                    .bind(&event.event_version)
                    .bind(&event.payload)
                    .bind(&metadata)
                    .bind(recorded_at_value(&self.backend, event.recorded_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(|error| match error.as_database_error() {
                        // A request's key, which the checks above do not look at (the
                        // index's name: PostgreSQL names the constraint, SQLite its message).
                        Some(e)
                            if e.is_unique_violation()
                                && (e.constraint() == Some(IDEMPOTENCY_INDEX)
                                    || e.message().contains(IDEMPOTENCY_INDEX)) =>
                        {
                            ImportError::SameRequest { line }
                        }
                        _ => ImportError::from(error),
                    })?;
                report.imported += 1;
            }
            tx.commit().await?;
        });
        if report.imported > 0 {
            // (Positions the database assigned: asked once, an import is rare.)
            self.signal_change(self.head_position().await.unwrap_or(0));
        }
        Ok(report)
    }
}

/// The unique index that keeps one command per (actor, idempotency key).
const IDEMPOTENCY_INDEX: &str = "events_idempotency_unique";

/// The recording time in the column's own form (SQLite keeps ISO-8601 text).
fn recorded_at_value(backend: &Backend, at: DateTime<Utc>) -> RecordedAt {
    match backend {
        Backend::Postgres(_) => RecordedAt::Time(at),
        // Microseconds, as the exporting store gave them (PostgreSQL keeps microseconds).
        Backend::Sqlite(_) => RecordedAt::Text(at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
    }
}

enum RecordedAt {
    Time(DateTime<Utc>),
    Text(String),
}

impl<'q> sqlx::Encode<'q, sqlx::Postgres> for RecordedAt {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self {
            RecordedAt::Time(t) => {
                <DateTime<Utc> as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(t, buf)
            }
            RecordedAt::Text(t) => <DateTime<Utc> as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(
                &t.parse()
                    .map_err(|e| Box::new(e) as sqlx::error::BoxDynError)?,
                buf,
            ),
        }
    }
}

impl sqlx::Type<sqlx::Postgres> for RecordedAt {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <DateTime<Utc> as sqlx::Type<sqlx::Postgres>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Sqlite> for RecordedAt {
    fn encode_by_ref(
        &self,
        buf: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        let text = match self {
            RecordedAt::Time(t) => t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            RecordedAt::Text(t) => t.clone(),
        };
        <String as sqlx::Encode<sqlx::Sqlite>>::encode(text, buf)
    }
}

impl sqlx::Type<sqlx::Sqlite> for RecordedAt {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as sqlx::Type<sqlx::Sqlite>>::type_info()
    }
}

impl Store {
    /// Streams the whole log (or one aggregate type) as JSON Lines to `out`, in position
    /// order; `progress` hears the running count. Answers how many events were written.
    pub async fn export_to(
        &self,
        out: &mut impl std::io::Write,
        aggregate_type: Option<&str>,
        mut progress: impl FnMut(usize),
    ) -> Result<usize, StoreError> {
        let mut after = 0;
        let mut written = 0;
        loop {
            let batch = self.export_after(after, 1000, aggregate_type).await?;
            let Some(last) = batch.last() else {
                return Ok(written);
            };
            after = last.position;
            for event in &batch {
                let line =
                    serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                writeln!(out, "{line}").map_err(|e| {
                    StoreError::EventStore(format!("writing the export failed: {e}"))
                })?;
            }
            written += batch.len();
            progress(written);
        }
    }

    /// Imports JSON Lines from `input` in batches of 1,000 (each one transaction); stops at
    /// the first refusal, with everything before it imported.
    pub async fn import_from(
        &self,
        input: impl std::io::BufRead,
        mut progress: impl FnMut(usize),
    ) -> Result<ImportReport, ImportError> {
        let mut report = ImportReport::default();
        let mut person_keys = Vec::new();
        let mut batch = Vec::with_capacity(1000);
        let mut first_line = 1;
        let mut lines = 0;
        for (index, line) in input.lines().enumerate() {
            let line_number = index + 1;
            let line = line.map_err(|e| ImportError::Malformed {
                line: line_number,
                message: e.to_string(),
            })?;
            // Blank lines, and the signed checkpoints of an integrity export, carry no event.
            if line.trim().is_empty() || line.trim_start().starts_with("{\"checkpoint\"") {
                continue;
            }
            if line.trim_start().starts_with("{\"person_key\"") {
                #[derive(Deserialize)]
                struct Line {
                    person_key: super::WrappedPersonKey,
                }
                let key: Line =
                    serde_json::from_str(&line).map_err(|e| ImportError::Malformed {
                        line: line_number,
                        message: e.to_string(),
                    })?;
                person_keys.push((line_number, key.person_key));
                continue;
            }
            let event: ExportedEvent =
                serde_json::from_str(&line).map_err(|e| ImportError::Malformed {
                    line: line_number,
                    message: e.to_string(),
                })?;
            if let Some(why) = event.not_an_event() {
                return Err(ImportError::Malformed {
                    line: line_number,
                    message: format!("not an event of this system: {why}"),
                });
            }
            if batch.is_empty() {
                first_line = line_number;
            }
            batch.push(event);
            lines = line_number;
            if batch.len() == 1000 {
                let done = self.import_batch(first_line, &batch).await?;
                report.imported += done.imported;
                report.already_present += done.already_present;
                batch.clear();
                progress(lines);
            }
        }
        if !batch.is_empty() {
            let done = self.import_batch(first_line, &batch).await?;
            report.imported += done.imported;
            report.already_present += done.already_present;
            progress(lines);
        }
        // Keys last: a key of a person the events do not hold would be refused with them.
        if let Some((line, _)) = person_keys.first() {
            let keys: Vec<_> = person_keys.iter().map(|(_, k)| k.clone()).collect();
            report.person_keys = self.import_person_keys(&keys).await.map_err(|e| match e {
                StoreError::Corrupt(message) => ImportError::Malformed {
                    line: *line,
                    message,
                },
                other => ImportError::Store(other),
            })?;
        }
        Ok(report)
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: usize,
    pub aggregates: usize,
    /// Every problem found, with its position; empty when the log is sound.
    pub problems: Vec<String>,
}

/// Checks events in log order for what makes a log sound (see [`Store::verify_log`]): from
/// the database, or from an export read offline.
#[derive(Default)]
pub struct LogChecker {
    last_sequence: std::collections::HashMap<(String, String), i64>,
    after: i64,
    report: VerifyReport,
}

impl LogChecker {
    /// Takes the next event of the log.
    pub fn event(&mut self, event: &ExportedEvent) {
        let report = &mut self.report;
        if event.position <= self.after {
            report.problems.push(format!(
                "position {} does not follow {}",
                event.position, self.after
            ));
        }
        self.after = event.position;
        let key = (event.aggregate_type.clone(), event.aggregate_id.clone());
        let previous = self.last_sequence.insert(key, event.sequence).unwrap_or(0);
        if event.sequence != previous + 1 {
            report.problems.push(format!(
                "position {}: {} {} jumps from event #{previous} to #{}",
                event.position, event.aggregate_type, event.aggregate_id, event.sequence
            ));
        }
        if let Some(why) = event.not_an_event() {
            report
                .problems
                .push(format!("position {}: {why}", event.position));
        }
        report.events += 1;
    }

    /// The events taken so far.
    pub fn events(&self) -> usize {
        self.report.events
    }

    pub fn finish(mut self) -> VerifyReport {
        self.report.aggregates = self.last_sequence.len();
        self.report
    }
}

impl Store {
    /// Reads the whole log and checks it is sound: positions strictly increase, every
    /// aggregate's sequence runs 1, 2, 3… without a gap, every event (upcast) decodes and
    /// carries valid metadata. (Tamper evidence — a hash chain — is a separate, later check.)
    pub async fn verify_log(
        &self,
        mut progress: impl FnMut(usize),
    ) -> Result<VerifyReport, StoreError> {
        let mut checker = LogChecker::default();
        let mut after = 0;
        loop {
            let batch = self.export_after(after, 1000, None).await?;
            let Some(last) = batch.last() else {
                return Ok(checker.finish());
            };
            after = last.position;
            for event in &batch {
                checker.event(event);
            }
            progress(checker.events());
        }
    }
}
