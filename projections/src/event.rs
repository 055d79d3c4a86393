//! One event of the global log as readers see it: below the store (which reads it) and the
//! read models (which fold it).

use aggregates::metadata::EventMetadata;
use aggregates::{AnyEvent, DecodeError};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// One event of the global log, upcast to its current version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    /// The version after upcasting (the stored one may be older).
    pub event_version: String,
    pub payload: Value,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
}

impl StoredEvent {
    pub fn decode(&self) -> Result<AnyEvent, DecodeError> {
        AnyEvent::decode(&self.aggregate_type, &self.payload)
    }
}
