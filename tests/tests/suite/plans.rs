//! Plans through GraphQL: the coordinator adopts a plan resting on the network's protocol,
//! amends the draft, approves it (each line's responsible organizations take on its
//! commitment, once, however often the processes run), members report progress, and the
//! plan's progress reads per line and per organization as of two dates; every refusal is
//! typed, names the field at fault and writes nothing.

use projections::store::Store;
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};

struct World {
    network: String,
    coordinator: String,
    asl: String,
    ambiti: String,
    protocol: String,
}

async fn world(server: &TestServer) -> World {
    let (network, coordinator, members) = server
        .network_with_members(
            json!({"name": "Tavolo della BAT", "kind": "INTERINSTITUTIONAL_TABLE", "territory": "BAT", "establishedOn": "2015-03-01", "public": false}),
            "Provincia di Barletta-Andria-Trani",
            &["ASL BT", "Ambiti territoriali sociali"],
            chrono::NaiveDate::from_ymd_opt(2015, 3, 10).unwrap(),
        )
        .await;
    let protocol = server
        .must(&coordinator, "draftProtocol", json!({"network": network, "kind": "OPERATIONAL", "parties": [members[0]],
            "content": {"title": "Protocollo attuativo del PIL", "purpose": "Centri antiviolenza e casa rifugio", "validFrom": "2015-06-01",
                "clauses": [{"number": 1, "text": "Collaborare al piano"}]}}), "protocol { id }")
        .await["protocol"]["id"].as_str().unwrap().to_owned();
    World {
        network,
        coordinator,
        asl: members[0].clone(),
        ambiti: members[1].clone(),
        protocol,
    }
}

fn content(w: &World, mapped_target: i64) -> Value {
    json!({"title": "Piano Integrato Locale 2015-2018", "from": "2015-06-01", "until": "2018-05-31",
    "funding": [{"source": "Regione Puglia", "amount": "420000"}, {"source": "Provincia", "amount": "60000.50"}],
    "protocols": [w.protocol],
    "lines": [
        {"title": "Mappatura dei servizi esistenti", "responsible": [w.ambiti], "targets": [{"description": "Servizi mappati", "unit": "servizi", "value": mapped_target}], "budget": "15000", "dueOn": "2016-05-31"},
        {"title": "Potenziamento delle équipes multidisciplinari", "responsible": [w.asl, w.ambiti], "targets": [{"description": "Équipes attive", "unit": "équipes", "value": 10}]}
    ]})
}

const PROGRESS: &str = "query($p: ID!, $on: NaiveDate) { node(id: $p) { ... on Plan { status progress(on: $on) { line title targets { value reached share reportedOn reportedBy { name } evidence } byOrganization { organization { name } responsible reports lastReportedOn } } } } }";

async fn a_plan_is_adopted_approved_and_reported_on(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let w = world(&server).await;
    let adopted = server
        .attempt(
            &w.coordinator,
            "adoptPlan",
            json!({"network": w.network, "content": content(&w, 30), "adoptedOn": "2015-06-10"}),
            "plan { id status totalFunding lines { number title responsible { name } } }",
        )
        .await;
    assert_eq!(adopted["userErrors"], json!([]), "{adopted}");
    assert_eq!(adopted["plan"]["status"], "DRAFT");
    assert_eq!(adopted["plan"]["totalFunding"], "480000.50");
    let plan = adopted["plan"]["id"].as_str().unwrap().to_owned();
    let amended = server
        .attempt(
            &w.coordinator,
            "amendPlan",
            json!({"plan": plan, "content": content(&w, 40), "amendedOn": "2015-06-20"}),
            "plan { amendments lines { targets { value } } }",
        )
        .await;
    assert_eq!(amended["plan"]["amendments"], 1, "{amended}");
    let approved = server
        .attempt(
            &w.coordinator,
            "approvePlan",
            json!({"plan": plan, "approvedOn": "2015-06-30"}),
            "plan { status approvedOn }",
        )
        .await;
    assert_eq!(approved["plan"]["status"], "APPROVED", "{approved}");
    // The draft is frozen now.
    let late = server
        .attempt(
            &w.coordinator,
            "amendPlan",
            json!({"plan": plan, "content": content(&w, 50), "amendedOn": "2015-07-01"}),
            "plan { id }",
        )
        .await;
    assert_eq!(late["userErrors"][0]["code"], "NOT_DRAFT", "{late}");

    // Each line's responsible organizations took on its commitment (the processes run in the
    // background, and create one event's commitments in no set order: wait for all three).
    let commitments = "query($p: ID!) { node(id: $p) { ... on Plan { lines { number commitments { source title dueOn obligor { name } } } } } }";
    let mut lines = Value::Null;
    for _ in 0..100 {
        let body = server
            .gql(Some(&w.coordinator), commitments, json!({"p": plan}))
            .await;
        lines = body["data"]["node"]["lines"].clone();
        let count = |line: usize| lines[line]["commitments"].as_array().map(Vec::len);
        if count(0) == Some(1) && count(1) == Some(2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        lines[0]["commitments"],
        json!([{"source": "PLAN_LINE", "title": "Mappatura dei servizi esistenti", "dueOn": "2016-05-31", "obligor": {"name": "Ambiti territoriali sociali"}}]),
        "{lines}"
    );
    assert_eq!(
        lines[1]["commitments"].as_array().unwrap().len(),
        2,
        "{lines}"
    );
    assert!(
        lines[1]["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["dueOn"] == "2018-05-31"),
        "{lines}"
    );

    // Progress at two dates.
    let report = |token: &str, line: i64, reached: i64, on: &str| {
        let token = token.to_owned();
        let plan = plan.clone();
        let on = on.to_owned();
        let server = &server;
        async move {
            server.attempt(&token, "reportPlanProgress", json!({"plan": plan, "line": line, "target": 1, "reached": reached, "evidence": "Relazione", "reportedOn": on}), "plan { id }").await
        }
    };
    for (token, line, reached, on) in [
        (tests::referent(&w.ambiti), 1, 28, "2016-06-15"),
        (tests::referent(&w.asl), 2, 4, "2016-06-15"),
        (tests::referent(&w.ambiti), 1, 41, "2017-06-15"),
        (tests::referent(&w.asl), 2, 8, "2017-06-15"),
    ] {
        let done = report(&token, line, reached, on).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
    }
    // The ASL is not responsible for line 1.
    let refused = report(&tests::referent(&w.asl), 1, 50, "2017-07-01").await;
    assert_eq!(
        refused["userErrors"][0]["code"], "NOT_RESPONSIBLE",
        "{refused}"
    );

    let at = |on: &str| {
        let on = on.to_owned();
        let plan = plan.clone();
        let server = &server;
        let token = w.coordinator.clone();
        async move {
            server
                .gql(Some(&token), PROGRESS, json!({"p": plan, "on": on}))
                .await
        }
    };
    let first = at("2016-12-31").await;
    let progress = &first["data"]["node"]["progress"];
    assert_eq!(progress[0]["targets"][0]["reached"], 28, "{first}");
    assert_eq!(progress[0]["targets"][0]["value"], 40);
    assert_eq!(progress[0]["targets"][0]["share"], 0.7);
    assert_eq!(progress[1]["targets"][0]["reached"], 4);
    assert_eq!(progress[1]["targets"][0]["reportedBy"]["name"], "ASL BT");
    let second = at("2017-12-31").await;
    let progress = &second["data"]["node"]["progress"];
    assert_eq!(progress[0]["targets"][0]["reached"], 41, "{second}");
    assert_eq!(progress[1]["targets"][0]["reached"], 8);
    // Per organization on line 2: both responsible, only the ASL reported.
    let by: Vec<(String, i64)> = progress[1]["byOrganization"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["organization"]["name"].as_str().unwrap().to_owned(),
                o["reports"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        by.contains(&("ASL BT".to_owned(), 2))
            && by.contains(&("Ambiti territoriali sociali".to_owned(), 0)),
        "{second}"
    );
    // Before any report: nothing reached.
    let before = at("2015-12-31").await;
    assert!(
        before["data"]["node"]["progress"][0]["targets"][0]["reached"].is_null(),
        "{before}"
    );

    // The annual report shows each line's targets as reached by the year's end, signed.
    let report = server
        .gql(Some(&w.coordinator), "query($n: ID!) { network(id: $n) { annualReport(year: 2016) { document contentHash signature publicKey signedAt } } }", json!({"n": w.network}))
        .await;
    let signed: projections::reports::SignedReport =
        serde_json::from_value(report["data"]["network"]["annualReport"].clone())
            .unwrap_or_else(|e| panic!("{e}: {report}"));
    signed
        .verify(&server.signer.public_key())
        .expect("the report verifies");
    let plan_section = &signed.document["plans"][0];
    assert_eq!(
        plan_section["lines"][0]["targets"][0]["reached_at_year_end"], 28,
        "{report}"
    );
    assert_eq!(
        plan_section["lines"][1]["targets"][0]["reached_at_year_end"], 4,
        "{report}"
    );
    assert_eq!(plan_section["funding_cents"], 48_000_050u64, "{report}");
    // The plan is private to those who read the network in full.
    let hidden = server
        .gql(
            None,
            "query($p: ID!) { node(id: $p) { id } }",
            json!({"p": plan}),
        )
        .await;
    assert!(hidden["data"]["node"].is_null(), "{hidden}");

    // Closing cancels what the lines' commitments still owe.
    let closed = server
        .attempt(
            &w.coordinator,
            "closePlan",
            json!({"plan": plan, "closedOn": "2018-06-30"}),
            "plan { status }",
        )
        .await;
    assert_eq!(closed["plan"]["status"], "CLOSED", "{closed}");
    let mut statuses = vec![];
    for _ in 0..100 {
        let body = server.gql(Some(&w.coordinator), "query($p: ID!) { node(id: $p) { ... on Plan { lines { commitments { status } } } } }", json!({"p": plan})).await;
        statuses = body["data"]["node"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|l| {
                l["commitments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["status"].as_str().unwrap().to_owned())
            })
            .collect();
        if statuses.iter().all(|s| s == "CANCELLED") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(statuses, ["CANCELLED", "CANCELLED", "CANCELLED"]);
}

async fn every_refusal_is_typed_and_writes_nothing(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let w = world(&server).await;
    let before = server.events_recorded().await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = content(&w, 40);
        f(&mut c);
        json!({"network": w.network, "content": c, "adoptedOn": "2015-06-10"})
    };
    let outsider = server.register_organization("Ente esterno").await;
    let before = before + 1;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(&|c| c["until"] = json!("2015-05-01")),
            "INVALID_VALUE",
            "input.content.until",
        ),
        (
            with(&|c| c["funding"][0]["amount"] = json!("12,50")),
            "INVALID_AMOUNT",
            "input.content.funding.amount",
        ),
        (
            with(&|c| c["lines"][0]["targets"][0]["value"] = json!(-1)),
            "NEGATIVE_VALUE",
            "input.content.lines.targets.value",
        ),
        (
            with(&|c| c["lines"] = json!([])),
            "LINE_NUMBERS",
            "input.content.lines",
        ),
        (
            with(&|c| c["lines"][0]["responsible"] = json!([outsider])),
            "NOT_NETWORK_MEMBER",
            "input.content.lines",
        ),
        (
            with(&|c| c["lines"][0]["dueOn"] = json!("2019-01-01")),
            "DUE_OUTSIDE_PERIOD",
            "input.content.lines",
        ),
        (
            with(&|c| c["protocols"] = json!([w.network])),
            "INVALID_ID",
            "input.content.protocols",
        ),
    ];
    for (input, code, field) in cases {
        let answer = server
            .attempt(&w.coordinator, "adoptPlan", input, "plan { id }")
            .await;
        tests::assert_refused(&answer, code, field);
    }
    assert_eq!(server.events_recorded().await, before);
}

tests::on_both_backends!(
    a_plan_is_adopted_approved_and_reported_on,
    every_refusal_is_typed_and_writes_nothing,
);
