//! Activities through GraphQL: a working group's member records the group's work, the
//! coordinator the network's; the lists filter by group, kind and dates; an update and a
//! cancellation keep the history; the annual report lists the year's activities; every
//! refusal is typed, names the field at fault and writes nothing.

use projections::store::Store;
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};

struct World {
    network: String,
    coordinator: String,
    lead: String,
    other_member: String,
    university: String,
    group: String,
}

async fn world(server: &TestServer) -> World {
    let (network, coordinator, members) = server
        .network_with_members(
            json!({"name": "Tavolo Maltrattanti", "kind": "INTERINSTITUTIONAL_TABLE", "territory": "Torino", "establishedOn": "2011-03-01", "public": true}),
            "Città Metropolitana di Torino",
            &["Consigliera di parità", "Comune di Torino"],
            chrono::NaiveDate::from_ymd_opt(2012, 1, 10).unwrap(),
        )
        .await;
    // Not a member: a university the group works with.
    let university = server
        .register_organization("Università degli Studi di Torino")
        .await;
    let group = server
        .must(&coordinator, "formWorkingGroup", json!({"network": network, "name": "Comunicazione", "mandate": "Campagne di sensibilizzazione", "lead": members[0], "formedOn": "2016-01-15"}), "workingGroup { id }")
        .await["workingGroup"]["id"].as_str().unwrap().to_owned();
    World {
        network,
        coordinator,
        lead: members[0].clone(),
        other_member: members[1].clone(),
        university,
        group,
    }
}

const RECORD: &str = "mutation($i: RecordActivityInput!) { recordActivity(input: $i) { activity { id title workingGroup { name } audienceTotal } userErrors { code field message } positions } }";

fn details(title: &str, kind: &str, starts: &str, organizations: &[&str]) -> Value {
    json!({"kind": kind, "title": title, "startsOn": starts, "organizations": organizations,
        "audience": [{"group": "Spettatori", "count": 21000}],
        "outputs": [{"title": "Lo spot", "link": "https://www.example.org/spot"}]})
}

async fn record(server: &TestServer, token: &str, input: Value) -> Value {
    let body = server.gql(Some(token), RECORD, json!({"i": input})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["recordActivity"].clone()
}

async fn a_group_records_its_work_and_the_network_reads_it(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let w = world(&server).await;
    let lead = tests::referent(&w.lead);
    let spot = record(&server, &lead, json!({"network": w.network, "workingGroup": w.group,
        "details": details("#rispettonellosport: lo spot allo Stadio Olimpico", "CAMPAIGN", "2019-11-23", &[&w.lead, &w.university])})).await;
    assert_eq!(spot["userErrors"], json!([]), "{spot}");
    assert_eq!(spot["activity"]["workingGroup"]["name"], "Comunicazione");
    assert_eq!(spot["activity"]["audienceTotal"], 21000);
    let spot_id = spot["activity"]["id"].as_str().unwrap().to_owned();
    for (title, kind, on) in [
        ("I video del lockdown", "PUBLICATION", "2020-05-26"),
        ("Webinar con l'Università", "WEBINAR", "2020-11-18"),
        ("Campagna 2021", "CAMPAIGN", "2021-03-08"),
    ] {
        let done = record(&server, &lead, json!({"network": w.network, "workingGroup": w.group, "details": details(title, kind, on, &[&w.lead])})).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
    }
    // The network's own activity, by the coordinator.
    let conference = record(&server, &w.coordinator, json!({"network": w.network,
        "details": details("Un giorno perfetto: convegno online", "CONFERENCE", "2020-06-22", &[&w.lead, &w.other_member])})).await;
    assert_eq!(conference["userErrors"], json!([]), "{conference}");
    // A member outside the group may not record the group's work, nor the network's.
    let refused = record(&server, &tests::referent(&w.other_member), json!({"network": w.network, "workingGroup": w.group, "details": details("Altro", "EVENT", "2020-01-01", &[&w.lead])})).await;
    assert_eq!(
        refused["userErrors"][0]["code"], "NOT_AUTHORISED",
        "{refused}"
    );

    // Comunicazione's activities in 2019-2020, through the group and through the network.
    let list = server
        .gql(Some(&w.coordinator), "query($n: ID!, $g: ID!) { network(id: $n) { activities(workingGroup: $g, from: \"2019-01-01\", until: \"2020-12-31\") { title } campaigns: activities(kinds: [CAMPAIGN]) { title } } node(id: $g) { ... on WorkingGroup { activities(from: \"2019-01-01\", until: \"2020-12-31\") { title organizations { name } } } } }", json!({"n": w.network, "g": w.group}))
        .await;
    let titles = |v: &Value| {
        v.as_array()
            .unwrap_or_else(|| panic!("{list}"))
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let expected = [
        "#rispettonellosport: lo spot allo Stadio Olimpico",
        "I video del lockdown",
        "Webinar con l'Università",
    ];
    assert_eq!(
        titles(&list["data"]["network"]["activities"]),
        expected,
        "{list}"
    );
    assert_eq!(
        titles(&list["data"]["node"]["activities"]),
        expected,
        "{list}"
    );
    assert_eq!(
        titles(&list["data"]["network"]["campaigns"]),
        [
            "#rispettonellosport: lo spot allo Stadio Olimpico",
            "Campagna 2021"
        ]
    );
    let mut names: Vec<String> = list["data"]["node"]["activities"][0]["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Consigliera di parità", "Università degli Studi di Torino"],
        "{list}"
    );

    // Update and cancel: the lists drop the cancelled one unless asked, the history keeps both.
    let update = server.gql(Some(&lead), "mutation($i: UpdateActivityInput!) { updateActivity(input: $i) { activity { audienceTotal updates } userErrors { code } } }",
        json!({"i": {"activity": spot_id, "details": {"kind": "CAMPAIGN", "title": "#rispettonellosport: lo spot allo Stadio Olimpico", "startsOn": "2019-11-23", "organizations": [w.lead], "audience": [{"group": "Spettatori", "count": 25000}]}}})).await;
    assert_eq!(
        update["data"]["updateActivity"]["activity"],
        json!({"audienceTotal": 25000, "updates": 1}),
        "{update}"
    );
    let cancel = server.gql(Some(&w.coordinator), "mutation($i: CancelActivityInput!) { cancelActivity(input: $i) { activity { cancelledOn cancellationReason } userErrors { code } } }",
        json!({"i": {"activity": spot_id, "reason": "Registrata per errore", "cancelledOn": "2021-01-10"}})).await;
    assert_eq!(
        cancel["data"]["cancelActivity"]["activity"]["cancelledOn"], "2021-01-10",
        "{cancel}"
    );
    let after = server.gql(Some(&w.coordinator), "query($n: ID!) { network(id: $n) { activities { title } all: activities(includeCancelled: true) { title } } }", json!({"n": w.network})).await;
    assert_eq!(
        after["data"]["network"]["activities"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "{after}"
    );
    assert_eq!(
        after["data"]["network"]["all"].as_array().unwrap().len(),
        5,
        "{after}"
    );

    // The annual report lists the year's activities, signed.
    let report = server
        .gql(Some(&w.coordinator), "query($n: ID!) { network(id: $n) { annualReport(year: 2020) { document contentHash signature publicKey signedAt } } }", json!({"n": w.network}))
        .await;
    let signed: projections::reports::SignedReport =
        serde_json::from_value(report["data"]["network"]["annualReport"].clone())
            .unwrap_or_else(|e| panic!("{e}: {report}"));
    signed
        .verify(&server.signer.public_key())
        .expect("the report verifies");
    let listed: Vec<&str> = signed.document["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "I video del lockdown",
            "Un giorno perfetto: convegno online",
            "Webinar con l'Università"
        ],
        "{report}"
    );

    // Anonymous and another network's coordinator read none of it.
    let hidden = server
        .gql(
            None,
            "query($n: ID!) { network(id: $n) { activities { title } } }",
            json!({"n": w.network}),
        )
        .await;
    assert_eq!(
        hidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{hidden}"
    );
}

async fn every_refusal_is_typed_and_writes_nothing(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let w = world(&server).await;
    let before = server.events_recorded().await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut d = details("Attività", "EVENT", "2020-02-20", &[&w.lead]);
        f(&mut d);
        json!({"network": w.network, "workingGroup": w.group, "details": d})
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(&|d| d["endsOn"] = json!("2020-02-19")),
            "END_BEFORE_START",
            "input.details.endsOn",
        ),
        (
            with(&|d| d["organizations"] = json!([])),
            "ORGANIZATION_COUNT",
            "input.details.organizations",
        ),
        (
            with(&|d| d["audience"] = json!([{"group": "Studenti", "count": -4}])),
            "NEGATIVE_COUNT",
            "input.details.audience.count",
        ),
        (
            with(&|d| {
                d["audience"] =
                    json!([{"group": "Studenti", "count": 4}, {"group": "studenti", "count": 5}])
            }),
            "DUPLICATE_AUDIENCE",
            "input.details.audience",
        ),
        (
            with(&|d| d["outputs"] = json!([{"title": "Un video"}])),
            "OUTPUT_WITHOUT_TARGET",
            "input.details.outputs",
        ),
        (
            with(&|d| d["outputs"] = json!([{"title": "Un video", "link": "ftp://example.org"}])),
            "INVALID_VALUE",
            "input.details.outputs.link",
        ),
        (
            with(&|d| d["title"] = json!("Chiamare il 333 123 4567")),
            "PERSONAL_DATA",
            "input.details.title",
        ),
    ];
    for (input, code, field) in cases {
        let answer = record(&server, &w.coordinator, input).await;
        tests::assert_refused(&answer, code, field);
    }
    assert_eq!(server.events_recorded().await, before);
}

tests::on_both_backends!(
    a_group_records_its_work_and_the_network_reads_it,
    every_refusal_is_typed_and_writes_nothing,
);
