//! One event of the global log as readers see it: below the store (which reads it) and the
//! read models (which fold it).

use std::collections::BTreeMap;

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
    /// What the fields above changed of the row as stored, which the hash chain covers.
    pub stored: AsStored,
}

/// The parts of a stored event's row that reading it changed: the sealer hashes the row as
/// stored from the events the log's readers share, instead of reading and decoding it again.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AsStored {
    /// The metadata as stored (every value of a stored event's metadata is a string: a row
    /// whose metadata is not such a map is not read at all), in key order.
    pub metadata: BTreeMap<String, String>,
    /// For an upcast event, its stored version and payload (None: the fields above are
    /// those stored).
    pub before_upcast: Option<Box<(String, Value)>>,
}

impl StoredEvent {
    pub fn decode(&self) -> Result<AnyEvent, DecodeError> {
        AnyEvent::decode(&self.aggregate_type, &self.payload)
    }

    /// The event's row as stored, as the hash chain covers it.
    pub fn as_stored(&self) -> Hashed<'_> {
        let (event_version, payload) = match &self.stored.before_upcast {
            Some(before) => (before.0.as_str(), &before.1),
            None => (self.event_version.as_str(), &self.payload),
        };
        Hashed {
            position: self.position,
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version,
            payload: Json::Value(payload),
            metadata: Json::Strings(&self.stored.metadata),
            recorded_at: self.recorded_at,
        }
    }
}

/// One stored event's fields as the hash chain covers them (see `integrity::canonical`).
pub struct Hashed<'a> {
    pub position: i64,
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub payload: Json<'a>,
    pub metadata: Json<'a>,
    pub recorded_at: DateTime<Utc>,
}

/// A JSON value as read: any value, or an object of strings read as a map (in key order).
pub enum Json<'a> {
    Value(&'a Value),
    Strings(&'a BTreeMap<String, String>),
}
