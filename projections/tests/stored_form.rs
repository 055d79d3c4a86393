//! The typed documents keep the stored form. The fixture holds every version of every document
//! that the read side wrote while statuses were strings and ids were text (the demo data, plus
//! two people, one of them erased; then the demo's services, indicator sets, activities, plans and meeting series,
//! which were typed from the start);
//! each reads into its typed document and writes back byte for
//! byte (as a JSON value: SQLite keeps the text a version was written with, whose key order
//! may differ), so a database written before the typing reads on unchanged, and a rebuild
//! writes the same JSON.

use projections::views::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn round_trip<T: DeserializeOwned + Serialize>(stored: &str) -> Result<String, String> {
    let typed: T = serde_json::from_str(stored).map_err(|e| e.to_string())?;
    let value = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    serde_json::to_string(&value).map_err(|e| e.to_string())
}

fn round_trip_kind(kind: &str, stored: &str) -> Result<String, String> {
    match kind {
        "organization" => round_trip::<OrganizationView>(stored),
        "network" => round_trip::<NetworkView>(stored),
        "membership" => round_trip::<MembershipView>(stored),
        "protocol" => round_trip::<ProtocolView>(stored),
        "signature" => round_trip::<SignatureView>(stored),
        "commitment" => round_trip::<CommitmentView>(stored),
        "working_group" => round_trip::<WorkingGroupView>(stored),
        "meeting" => round_trip::<MeetingView>(stored),
        "attendance" => round_trip::<AttendanceView>(stored),
        "person" => round_trip::<PersonView>(stored),
        "service" => round_trip::<ServiceView>(stored),
        "indicator_set" => round_trip::<IndicatorSetView>(stored),
        "activity" => round_trip::<ActivityView>(stored),
        "plan" => round_trip::<PlanView>(stored),
        "meeting_series" => round_trip::<MeetingSeriesView>(stored),
        other => Err(format!("unknown kind {other}")),
    }
}

fn fixture() -> Vec<(String, String)> {
    include_str!("fixtures/documents-before-typing.jsonl")
        .lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("a fixture row");
            (
                row["kind"].as_str().expect("kind").to_owned(),
                row["doc"].as_str().expect("doc").to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_stored_document_reads_and_writes_back_byte_for_byte() {
    let rows = fixture();
    let mut kinds = std::collections::BTreeSet::new();
    for (kind, stored) in &rows {
        let written = round_trip_kind(kind, stored)
            .unwrap_or_else(|e| panic!("a stored {kind} document does not read: {e}\n{stored}"));
        assert_eq!(
            &written, stored,
            "a {kind} document changed its stored form"
        );
        kinds.insert(kind.as_str());
    }
    assert_eq!(
        kinds.len(),
        Kind::ALL.len(),
        "the fixture covers every kind: {kinds:?}"
    );
    assert!(rows.len() > 300);
}

#[test]
fn a_status_outside_the_domain_is_a_corrupt_document_not_a_silent_string() {
    let (_, stored) = fixture()
        .into_iter()
        .find(|(kind, stored)| kind == "membership" && stored.contains("\"status\":\"ACTIVE\""))
        .expect("an active membership");
    let typo = stored.replace("\"status\":\"ACTIVE\"", "\"status\":\"ACTIV\"");
    assert!(round_trip_kind("membership", &typo).is_err());
}
