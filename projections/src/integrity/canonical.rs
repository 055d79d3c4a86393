//! The canonical form the hash chain covers: one event's fields and its JSON, keys sorted at
//! every level, no insignificant whitespace, and its chain hash. The bytes are fixed: logs
//! sealed before are verified against them.

use chrono::SecondsFormat;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::event::{Hashed, Json};
use crate::store::ExportedEvent;

/// JSON with object keys sorted at every level, no insignificant whitespace: the same value
/// has the same text whatever the backend stored (PostgreSQL's jsonb reorders keys).
pub fn canonical_json(value: &Value, out: &mut String) {
    let mut bytes = Vec::new();
    write_canonical_json(value, &mut bytes);
    // serde_json writes UTF-8 only.
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// [`canonical_json`] into any writer (a hasher, a buffer). Keys are sorted here, not left
/// to the map's order (which a crate feature could change); strings and numbers are written
/// by serde_json, as its `to_string` writes them.
fn write_canonical_json(value: &Value, out: &mut impl std::io::Write) {
    // Writing to a hasher or a `Vec` does not fail, and serialising a `Value` or a string
    // does not either: `let _` drops an `Ok`.
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let _ = out.write_all(b"{");
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    let _ = out.write_all(b",");
                }
                let _ = serde_json::to_writer(&mut *out, key);
                let _ = out.write_all(b":");
                write_canonical_json(&map[*key], out);
            }
            let _ = out.write_all(b"}");
        }
        Value::Array(items) => {
            let _ = out.write_all(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    let _ = out.write_all(b",");
                }
                write_canonical_json(item, out);
            }
            let _ = out.write_all(b"]");
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// The canonical form of one stored event.
pub fn canonical_event(event: &ExportedEvent) -> String {
    let mut bytes = Vec::new();
    write_canonical_event(&event.as_stored(), &mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A JSON value of a stored event, canonical (a map of strings is the object it was read
/// from: the same keys, sorted, with string values).
fn write_canonical(json: &Json<'_>, out: &mut impl std::io::Write) {
    write_canonical_except(json, None, out)
}

/// [`write_canonical`], leaving out the object's top-level key `skip` (an event's
/// authentication code, which cannot cover itself).
fn write_canonical_except(json: &Json<'_>, skip: Option<&str>, out: &mut impl std::io::Write) {
    match json {
        Json::Value(Value::Object(map)) if skip.is_some_and(|k| map.contains_key(k)) => {
            let mut rest = map.clone();
            rest.remove(skip.unwrap_or_default());
            write_canonical_json(&Value::Object(rest), out)
        }
        Json::Value(value) => write_canonical_json(value, out),
        Json::Strings(map) => {
            // A `BTreeMap` iterates in key order: the order `write_canonical_json` sorts to.
            let _ = out.write_all(b"{");
            let kept = map.iter().filter(|(key, _)| Some(key.as_str()) != skip);
            for (i, (key, value)) in kept.enumerate() {
                if i > 0 {
                    let _ = out.write_all(b",");
                }
                let _ = serde_json::to_writer(&mut *out, key);
                let _ = out.write_all(b":");
                let _ = serde_json::to_writer(&mut *out, value);
            }
            let _ = out.write_all(b"}");
        }
    }
}

/// What an event's authentication code covers: the event as its command wrote it, without
/// what the database gives it (its position and recording time) and without the code
/// itself; canonical as the chain's form is, so the code verifies whatever the backend
/// stored (PostgreSQL's jsonb reorders keys). A `(type, id, sequence)` is unique in the log,
/// so no two events share this form.
pub(crate) fn write_authenticated_event(event: &Hashed<'_>, out: &mut impl std::io::Write) {
    let _ = out.write_all(b"[");
    for (i, text) in [
        event.aggregate_type,
        event.aggregate_id,
        &event.sequence.to_string(),
        event.event_type,
        event.event_version,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            let _ = out.write_all(b",");
        }
        let _ = serde_json::to_writer(&mut *out, text);
    }
    let _ = out.write_all(b",");
    write_canonical(&event.payload, out);
    let _ = out.write_all(b",");
    write_canonical_except(
        &event.metadata,
        Some(aggregates::metadata::keys::EVENT_MAC),
        out,
    );
    let _ = out.write_all(b"]");
}

/// The authentication code an event's metadata carries, if any.
pub(crate) fn stored_mac<'a>(event: &Hashed<'a>) -> Option<&'a str> {
    let key = aggregates::metadata::keys::EVENT_MAC;
    match event.metadata {
        Json::Value(value) => value.get(key).and_then(Value::as_str),
        Json::Strings(map) => map.get(key).map(String::as_str),
    }
}

/// [`canonical_event`] into any writer: the sealer and `verify` stream it into the hash
/// instead of building each event's text first.
fn write_canonical_event(event: &Hashed<'_>, out: &mut impl std::io::Write) {
    let _ = write!(out, "[{}", event.position);
    for text in [
        event.aggregate_type,
        event.aggregate_id,
        &event.sequence.to_string(),
        event.event_type,
        event.event_version,
    ] {
        let _ = out.write_all(b",");
        let _ = serde_json::to_writer(&mut *out, text);
    }
    let _ = out.write_all(b",");
    write_canonical(&event.payload, out);
    let _ = out.write_all(b",");
    write_canonical(&event.metadata, out);
    let _ = write!(
        out,
        ",\"{}\"]",
        event
            .recorded_at
            .to_rfc3339_opts(SecondsFormat::Micros, true)
    );
}

/// The chain hash of `event` (as stored: [`ExportedEvent::as_stored`],
/// [`crate::event::StoredEvent::as_stored`]) after `previous`.
pub fn event_hash(previous: &[u8; 32], event: &Hashed<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    write_canonical_event(event, &mut hasher);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"d": [1, {"f": 2, "e": 3}], "c": null}}"#)
                .unwrap();
        let mut out = String::new();
        canonical_json(&a, &mut out);
        assert_eq!(out, r#"{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}"#);
    }

    /// The chain's bytes are fixed: sealed logs are verified against them. The expected text
    /// and hash were computed apart from this code (Python's `json.dumps` with sorted keys,
    /// compact separators, no ASCII escaping; SHA-256 after 32 bytes of 0xab).
    #[test]
    fn an_events_canonical_form_and_hash_are_as_they_always_were() {
        let event = ExportedEvent {
            position: 7,
            aggregate_type: "Organization".into(),
            aggregate_id: "org-1".into(),
            sequence: 3,
            event_type: "OrganizationRegistered".into(),
            event_version: "1".into(),
            payload: serde_json::json!({"OrganizationRegistered": {
                "name": "Centro \"Antiviolenza\" N\u{e9}\\tab\u{1}",
                "category": "COMUNE",
                "n": [1, -2, {"z": null, "a": true}],
            }}),
            metadata: serde_json::json!({
                "actor_id": "u-1", "role": "PLATFORM_ADMINISTRATOR", "b": {"y": 1, "x": "\u{20ac}"},
            }),
            recorded_at: "2026-01-02T03:04:05.123456Z".parse().unwrap(),
            hash: None,
        };
        assert_eq!(
            canonical_event(&event),
            concat!(
                r#"[7,"Organization","org-1","3","OrganizationRegistered","1","#,
                r#"{"OrganizationRegistered":{"category":"COMUNE","n":[1,-2,{"a":true,"z":null}],"#,
                r#""name":"Centro \"Antiviolenza\" N"#,
                "\u{e9}",
                r#"\\tab\u0001"}},"#,
                r#"{"actor_id":"u-1","b":{"x":""#,
                "\u{20ac}",
                r#"","y":1},"role":"PLATFORM_ADMINISTRATOR"},"2026-01-02T03:04:05.123456Z"]"#,
            )
        );
        assert_eq!(
            hex::encode(event_hash(&[0xab; 32], &event.as_stored())),
            "2a32c2a9e5057a84a49ab49879c5f8db03e6dcd06d67b4ed183686057286cf12"
        );
    }
}
