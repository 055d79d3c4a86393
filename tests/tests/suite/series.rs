//! Recurring meetings through GraphQL: a coordinator defines a monthly series, which schedules
//! an ordinary meeting for each occurrence (with its own agenda, attendance and minutes); a
//! skipped occurrence cancels its meeting; an organization that is not a member is invited and
//! answers; every refusal is typed, names the field at fault and writes nothing.

use projections::store::Store;
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};

struct World {
    network: String,
    coordinator: String,
    member: String,
    outsider: String,
}

async fn world(server: &TestServer) -> World {
    let (network, coordinator, members) = server
        .network_with_members(
            json!({"name": "Rete del Casalasco", "kind": "TERRITORIAL_NETWORK", "territory": "Casalmaggiore", "establishedOn": "2017-05-01", "public": true}),
            "Associazione Mia",
            &["Consorzio Casalasco Servizi Sociali"],
            chrono::NaiveDate::from_ymd_opt(2017, 5, 10).unwrap(),
        )
        .await;
    let outsider = server
        .register_organization("Compagnia Carabinieri di Casalmaggiore")
        .await;
    World {
        network,
        coordinator,
        member: members[0].clone(),
        outsider,
    }
}

fn definition(network: &str, rule: &str) -> Value {
    json!({"network": network, "kind": "DISTRICT_LAB", "title": "Laboratorio distrettuale antiviolenza",
        "rule": rule, "firstAt": "2018-09-20T14:30:00", "durationMinutes": 120,
        "address": "Biblioteca di Casalmaggiore", "agenda": ["Nuovi aderenti alla rete"], "definedOn": "2018-07-10"})
}

/// What every series mutation here selects of its payload.
const SERIES: &str = "meetingSeries { id rule occurrences { startsAt skipped } invitations { organization { name } accepted } }";

const MEETINGS: &str = "query($s: ID!) { node(id: $s) { ... on MeetingSeries { occurrences { startsAt skipped meeting { title status startsAt agenda } } } } }";

async fn a_series_schedules_its_meetings(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let w = world(&server).await;
    let defined = server
        .attempt(
            &w.coordinator,
            "defineMeetingSeries",
            definition(&w.network, "FREQ=MONTHLY;BYDAY=3TH;COUNT=4"),
            SERIES,
        )
        .await;
    assert_eq!(defined["userErrors"], json!([]), "{defined}");
    let series = defined["meetingSeries"]["id"].as_str().unwrap().to_owned();
    // Third Thursdays at 14:30 in Italy: 12:30 UTC in summer time, 13:30 in winter.
    let starts: Vec<&str> = defined["meetingSeries"]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["startsAt"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2018-09-20T12:30:00+00:00",
            "2018-10-18T12:30:00+00:00",
            "2018-11-15T13:30:00+00:00",
            "2018-12-20T13:30:00+00:00"
        ],
        "{defined}"
    );
    // The processes schedule one ordinary meeting per occurrence.
    let mut occurrences = Value::Null;
    for _ in 0..100 {
        let body = server
            .gql(Some(&w.coordinator), MEETINGS, json!({"s": series}))
            .await;
        occurrences = body["data"]["node"]["occurrences"].clone();
        if occurrences
            .as_array()
            .is_some_and(|o| o.iter().all(|o| !o["meeting"].is_null()))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for o in occurrences.as_array().unwrap() {
        assert_eq!(
            o["meeting"]["title"], "Laboratorio distrettuale antiviolenza",
            "{occurrences}"
        );
        assert_eq!(o["meeting"]["status"], "SCHEDULED", "{occurrences}");
        assert_eq!(o["meeting"]["startsAt"], o["startsAt"], "{occurrences}");
        assert_eq!(o["meeting"]["agenda"], json!(["Nuovi aderenti alla rete"]));
    }
    // The network's meetings list them as ordinary meetings.
    let listed = server.gql(Some(&w.coordinator), "query($n: ID!) { network(id: $n) { meetings { totalCount } meetingSeries { title } } }", json!({"n": w.network})).await;
    assert_eq!(
        listed["data"]["network"]["meetings"]["totalCount"], 4,
        "{listed}"
    );
    assert_eq!(
        listed["data"]["network"]["meetingSeries"],
        json!([{"title": "Laboratorio distrettuale antiviolenza"}])
    );

    // December is skipped: its meeting is cancelled.
    let skipped = server
        .attempt(
            &w.coordinator,
            "skipSeriesOccurrence",
            json!({"meetingSeries": series, "startsOn": "2018-12-20", "reason": "Festività natalizie"}),
            SERIES,
        )
        .await;
    assert_eq!(
        skipped["meetingSeries"]["occurrences"][3]["skipped"], "Festività natalizie",
        "{skipped}"
    );
    let mut status = Value::Null;
    for _ in 0..100 {
        let body = server
            .gql(Some(&w.coordinator), MEETINGS, json!({"s": series}))
            .await;
        status = body["data"]["node"]["occurrences"][3]["meeting"]["status"].clone();
        if status == "CANCELLED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "CANCELLED");

    // A Carabinieri company, not a member, is invited and accepts.
    let invited = server
        .attempt(
            &w.coordinator,
            "inviteToMeetingSeries",
            json!({"meetingSeries": series, "organization": w.outsider, "invitedOn": "2018-07-15"}),
            SERIES,
        )
        .await;
    assert_eq!(
        invited["meetingSeries"]["invitations"],
        json!([{"organization": {"name": "Compagnia Carabinieri di Casalmaggiore"}, "accepted": null}]),
        "{invited}"
    );
    let answered = server.attempt(&tests::referent(&w.outsider), "answerSeriesInvitation", json!({"meetingSeries": series, "organization": w.outsider, "accepted": true, "answeredOn": "2018-08-31"}), SERIES).await;
    assert_eq!(answered["userErrors"], json!([]), "{answered}");
    let seen = server.gql(Some(&w.coordinator), "query($s: ID!) { node(id: $s) { ... on MeetingSeries { invitations { accepted answeredOn } } } }", json!({"s": series})).await;
    assert_eq!(
        seen["data"]["node"]["invitations"],
        json!([{"accepted": true, "answeredOn": "2018-08-31"}]),
        "{seen}"
    );
    // Another organization cannot answer for it.
    let forbidden = server.gql(Some(&tests::referent(&w.member)), "mutation($i: AnswerSeriesInvitationInput!) { answerSeriesInvitation(input: $i) { userErrors { code } } }",
        json!({"i": {"meetingSeries": series, "organization": w.outsider, "accepted": false, "answeredOn": "2018-09-01"}})).await;
    assert_eq!(
        forbidden["data"]["answerSeriesInvitation"]["userErrors"][0]["code"], "FORBIDDEN",
        "{forbidden}"
    );
    // The anonymous public does not see the series.
    let hidden = server
        .gql(
            None,
            "query($s: ID!) { node(id: $s) { id } }",
            json!({"s": series}),
        )
        .await;
    assert!(hidden["data"]["node"].is_null(), "{hidden}");
}

async fn every_refusal_is_typed_and_writes_nothing(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let w = world(&server).await;
    let before = server.events_recorded().await;
    let mut bad_time = definition(&w.network, "FREQ=MONTHLY;COUNT=3");
    bad_time["firstAt"] = json!("20 settembre");
    let mut gap = definition(&w.network, "FREQ=WEEKLY;COUNT=3");
    gap["firstAt"] = json!("2018-03-25T02:30:00");
    let mut long = definition(&w.network, "FREQ=MONTHLY;COUNT=3");
    long["durationMinutes"] = json!(0);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            definition(&w.network, "FREQ=MONTHLY;BYDAY=3TH"),
            "INVALID_VALUE",
            "input.rule",
        ),
        (
            definition(&w.network, "FREQ=DAILY;COUNT=400"),
            "TOO_MANY_OCCURRENCES",
            "input.rule",
        ),
        (bad_time, "INVALID_VALUE", "input.firstAt"),
        (gap, "AMBIGUOUS_START", "input.firstAt"),
        (long, "INVALID_DURATION", "input.durationMinutes"),
    ];
    for (input, code, field) in cases {
        let answer = server
            .attempt(&w.coordinator, "defineMeetingSeries", input, SERIES)
            .await;
        tests::assert_refused(&answer, code, field);
    }
    assert_eq!(server.events_recorded().await, before);
}

tests::on_both_backends!(
    a_series_schedules_its_meetings,
    every_refusal_is_typed_and_writes_nothing,
);
