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
    /// The metadata as stored (every value of an event's metadata is a string), in key order.
    pub metadata: BTreeMap<String, String>,
    /// For an upcast event, its stored version and payload (None: the fields above are
    /// those stored).
    pub before_upcast: Option<Box<(String, Value)>>,
    /// A row whose metadata is not an event's (no command writes it: it was put in the table
    /// behind the application's back). It is read all the same, so that the sealer seals it
    /// as stored and the log's followers behind it are not held back by a failed read; those
    /// that apply events stop at it, as at any event they cannot decode.
    pub unreadable: Option<Box<Unreadable>>,
    /// Whether its authentication code verifies, as judged when the log was read (None: not
    /// judged, because a signed checkpoint of this deployment vouches for it already, or the
    /// reader has no deployment secret). The sealer seals by it; the log's followers apply
    /// nothing judged other than authentic, stopping at it as at a row that is no event.
    pub authenticity: Option<crate::secrets::Authenticity>,
}

/// Why a stored row's metadata cannot be read, and the metadata as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub reason: String,
    /// The metadata as stored, when it is not a map of strings (else in `AsStored::metadata`).
    pub metadata: Option<Value>,
}

/// An event's metadata as stored, read: the map of strings (key order) and what it says.
/// Parsed from the stored value in place; only an unreadable row's is copied, to be kept.
pub fn read_metadata(
    stored: &Value,
) -> Result<(BTreeMap<String, String>, EventMetadata), Unreadable> {
    use serde::Deserialize;
    let map = match BTreeMap::<String, String>::deserialize(stored) {
        Ok(map) => map,
        Err(e) => {
            return Err(Unreadable {
                reason: format!("not a map of strings ({e})"),
                metadata: Some(stored.clone()),
            })
        }
    };
    match EventMetadata::from_lookup(|key| map.get(key).map(String::as_str)) {
        Ok(metadata) => Ok((map, metadata)),
        Err(e) => Err(Unreadable {
            reason: e.to_string(),
            metadata: None,
        }),
    }
}

impl StoredEvent {
    /// The event's payload decoded; an error for a row that is not an event of this system
    /// (its metadata unreadable, its payload not its aggregate's), or one that no server of
    /// this deployment appended (judged so when it was read: see `AsStored::authenticity`).
    pub fn decode(&self) -> Result<AnyEvent, DecodeError> {
        if let Some(unreadable) = &self.stored.unreadable {
            return Err(DecodeError::Metadata(unreadable.reason.clone()));
        }
        if let Some(reason) = self
            .stored
            .authenticity
            .and_then(crate::integrity::not_authentic)
        {
            return Err(DecodeError::Unauthenticated(reason.to_owned()));
        }
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
            metadata: match self.stored.unreadable.as_deref() {
                Some(Unreadable {
                    metadata: Some(metadata),
                    ..
                }) => Json::Value(metadata),
                _ => Json::Strings(&self.stored.metadata),
            },
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
