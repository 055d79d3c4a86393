//! The typed GraphQL payloads (generated from `schemas/events` by build.rs) hold every stored
//! field: each golden fixture, upcast to the current version, reads through its typed payload
//! and writes back unchanged; and every event type of the domain has a typed payload.

use std::path::Path;

fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, without_nulls(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        serde_json::Value::Array(items) => items.into_iter().map(without_nulls).collect(),
        other => other,
    }
}

#[test]
fn every_fixture_reads_through_its_typed_payload_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/fixtures/events");
    let types = aggregates::event_types();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (event_type, version) = stem.rsplit_once(".v").unwrap();
        let aggregate = types
            .iter()
            .find(|(_, t, _)| *t == event_type)
            .map(|(a, _, _)| *a)
            .unwrap_or_else(|| panic!("{event_type} is not an event type"));
        let stored: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (_, current) = aggregates::upcast(aggregate, "fixture", 1, event_type, version, stored);
        let typed = graphql::history::retyped(event_type, current.clone())
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(
            without_nulls(typed),
            without_nulls(current),
            "{stem}: the typed payload loses or changes data"
        );
        checked += 1;
    }
    assert!(checked >= types.len(), "only {checked} fixtures checked");
}

#[test]
fn every_event_type_has_a_typed_payload() {
    let mut typed: Vec<&str> = graphql::history::TYPED_EVENTS.to_vec();
    let mut domain: Vec<&str> = aggregates::event_types()
        .iter()
        .map(|(_, t, _)| *t)
        .collect();
    typed.sort();
    domain.sort();
    assert_eq!(typed, domain);
}

#[test]
fn an_unknown_or_malformed_payload_is_an_error_not_a_panic() {
    assert!(graphql::history::retyped("NoSuchEvent", serde_json::json!({})).is_err());
    assert!(graphql::history::retyped(
        "OrganizationRenamed",
        serde_json::json!({"OrganizationRenamed": {"name": 3}})
    )
    .is_err());
}
