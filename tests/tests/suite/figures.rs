//! Shared figures through GraphQL: a coordinator defines an indicator set, members submit and
//! correct their counts, the coordinator closes periods, and the network reads tables with
//! small cells suppressed; a member's raw counts reach that member only (not the coordinator,
//! not another member, not through the history); every refusal is typed, names the field at
//! fault and writes nothing.

use projections::store::Store;
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};

struct Network {
    id: String,
    coordinator: String,
    members: Vec<String>,
}

/// A network with a coordinator and three members.
async fn network(server: &TestServer) -> Network {
    let (id, coordinator, members) = server
        .network_with_members(
            json!({"name": "Rete Stelle e Luci", "kind": "INTERINSTITUTIONAL_TABLE", "territory": "Provincia di Cremona", "establishedOn": "2013-01-10", "public": true}),
            "Comune di Cremona",
            &["Associazione Aida", "ASST di Cremona", "Consultorio Ucipem"],
            chrono::NaiveDate::from_ymd_opt(2013, 2, 1).unwrap(),
        )
        .await;
    Network {
        id,
        coordinator,
        members,
    }
}

const DEFINE: &str = "mutation($i: DefineIndicatorSetInput!) { defineIndicatorSet(input: $i) { indicatorSet { id periods { key closedOn } } userErrors { code field message } positions } }";
const SUBMIT: &str = "mutation($i: SubmitFiguresInput!) { submitFigures(input: $i) { indicatorSet { id } userErrors { code field message } positions } }";
const CORRECT: &str = "mutation($i: CorrectFiguresInput!) { correctFigures(input: $i) { indicatorSet { id } userErrors { code field message } positions } }";
const CLOSE: &str = "mutation($i: CloseFiguresPeriodInput!) { closeFiguresPeriod(input: $i) { indicatorSet { id } userErrors { code field message } positions } }";

fn definition(network: &str) -> Value {
    json!({"network": network, "title": "Dati condivisi 2023", "from": "2023-01-01", "until": "2023-12-31",
        "frequency": "HALF_YEARLY", "definedOn": "2022-12-15",
        "indicators": [{"key": "requests_by_channel", "title": "Richieste di aiuto, per canale",
            "categories": [{"key": "phone", "title": "Telefono"}, {"key": "in_person", "title": "Di persona"}]}]})
}

async fn call(server: &TestServer, token: &str, query: &str, name: &str, input: Value) -> Value {
    let body = server.gql(Some(token), query, json!({"i": input})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"][name].clone()
}

fn figures(phone: i64, in_person: i64) -> Value {
    json!([{"indicator": "requests_by_channel", "category": "phone", "count": phone},
           {"indicator": "requests_by_channel", "category": "in_person", "count": in_person}])
}

async fn submit(
    server: &TestServer,
    set: &str,
    org: &str,
    period: &str,
    phone: i64,
    in_person: i64,
) -> Value {
    call(server, &tests::referent(org), SUBMIT, "submitFigures",
        json!({"indicatorSet": set, "organization": org, "period": period, "figures": figures(phone, in_person), "submittedOn": "2023-07-05"})).await
}

async fn tables(server: &TestServer, token: &str, set: &str) -> Value {
    let body = server
        .gql(Some(token), "query($s: ID!) { node(id: $s) { ... on IndicatorSet { tables { period rows { organization { name } cells { category value suppressed display } } } } } }", json!({"s": set}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["node"]["tables"].clone()
}

fn all_cells(tables: &Value) -> Vec<Value> {
    tables
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap().iter())
        .flat_map(|r| r["cells"].as_array().unwrap().iter().cloned())
        .collect()
}

/// The figures of the first `count` submissions the network's audit log subscription streams
/// to `token`.
async fn subscribed_figures(
    server: &TestServer,
    token: &str,
    network: &str,
    count: usize,
) -> Vec<Value> {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut socket = tests::ws::connect(server).await;
    let init =
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}});
    socket.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(
        tests::ws::next_json(&mut socket).await["type"],
        "connection_ack"
    );
    let query = "subscription($n: ID!) { auditLog(filter: {network: $n}) { eventType \
                 ... on FiguresSubmittedEntry { payload { figures { count } } } } }";
    let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": {"n": network}}});
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let mut figures = Vec::new();
    while figures.len() < count {
        let message = tests::ws::next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        let entry = &message["payload"]["data"]["auditLog"];
        if entry["eventType"] == "FiguresSubmitted" {
            figures.push(entry["payload"]["figures"].clone());
        }
    }
    figures
}

async fn members_share_figures_with_small_cells_suppressed(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let n = network(&server).await;
    let defined = call(
        &server,
        &n.coordinator,
        DEFINE,
        "defineIndicatorSet",
        definition(&n.id),
    )
    .await;
    assert_eq!(defined["userErrors"], json!([]), "{defined}");
    let set = defined["indicatorSet"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        defined["indicatorSet"]["periods"],
        json!([{"key": "2023-H1", "closedOn": null}, {"key": "2023-H2", "closedOn": null}])
    );
    // Aida 3 by phone (small), ASST and Ucipem larger.
    for (org, phone, in_person) in [(0, 3, 40), (1, 25, 12), (2, 18, 9)] {
        let done = submit(&server, &set, &n.members[org], "2023-H1", phone, in_person).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
    }
    // Nothing is published before the period is closed: no table shows a member's figure as
    // it arrives.
    assert_eq!(tables(&server, &n.coordinator, &set).await, json!([]));
    let closed = call(
        &server,
        &n.coordinator,
        CLOSE,
        "closeFiguresPeriod",
        json!({"indicatorSet": set, "period": "2023-H1", "closedOn": "2023-07-15"}),
    )
    .await;
    assert_eq!(closed["userErrors"], json!([]), "{closed}");
    let published = tables(&server, &tests::referent(&n.members[1]), &set).await;
    let cells = all_cells(&published);
    // The small figure is "< 5", nothing shown is below 5, and at least three more cells are
    // withheld so that it cannot be recovered from the totals.
    assert!(
        cells
            .iter()
            .any(|c| c["display"] == "< 5" && c["suppressed"] == "SMALL"),
        "{published}"
    );
    assert!(
        cells
            .iter()
            .all(|c| c["value"].is_null() || c["value"].as_i64().unwrap() >= 5),
        "{published}"
    );
    let withheld = cells.iter().filter(|c| c["value"].is_null()).count();
    assert!(withheld >= 4, "{published}");
    assert!(
        cells
            .iter()
            .any(|c| c["display"] == "n.d." && c["suppressed"] == "PROTECTING"),
        "{published}"
    );
    // The total of all members in H1 is shown: 3+40+25+12+18+9.
    let h1 = &published[0];
    assert_eq!(h1["period"], "2023-H1");
    let total_row = h1["rows"].as_array().unwrap().last().unwrap();
    assert!(total_row["organization"].is_null());
    assert_eq!(
        total_row["cells"].as_array().unwrap().last().unwrap()["value"],
        107,
        "{published}"
    );

    // Raw counts: Aida reads its own, ASST does not read Aida's, nor does the coordinator.
    let own = "query($s: ID!, $o: ID!) { node(id: $s) { ... on IndicatorSet { submissionsOf(organization: $o) { period figures { category count } corrections } } } }";
    let aida = &n.members[0];
    let mine = server
        .gql(
            Some(&tests::referent(aida)),
            own,
            json!({"s": set, "o": aida}),
        )
        .await;
    assert_eq!(
        mine["data"]["node"]["submissionsOf"][0]["figures"],
        json!([{"category": "in_person", "count": 40}, {"category": "phone", "count": 3}]),
        "{mine}"
    );
    for token in [tests::referent(&n.members[1]), n.coordinator.clone()] {
        let theirs = server
            .gql(Some(&token), own, json!({"s": set, "o": aida}))
            .await;
        assert_eq!(
            theirs["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{theirs}"
        );
    }
    // Nor through the history: the network's timeline and audit log show the submission with
    // its figures withheld, except to Aida itself and the auditor.
    let history = "query($n: ID!) { auditLog(filter: {network: $n}) { nodes { eventType payloadJson ... on FiguresSubmittedEntry { payload { figures { count } } } } } }";
    let submitted = |body: &Value| -> Vec<Value> {
        body["data"]["auditLog"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["eventType"] == "FiguresSubmitted")
            .map(|e| e["payload"]["figures"].clone())
            .collect()
    };
    let coordinator_view = server
        .gql(Some(&n.coordinator), history, json!({"n": n.id}))
        .await;
    let seen = submitted(&coordinator_view);
    assert_eq!(seen.len(), 3, "{coordinator_view}");
    assert!(seen.iter().all(|f| f == &json!([])), "{coordinator_view}");
    assert!(
        !coordinator_view.to_string().contains("\"count\":3"),
        "{coordinator_view}"
    );
    // The same through the audit log's subscription, which the coordinator may follow.
    let streamed = subscribed_figures(&server, &n.coordinator, &n.id, 3).await;
    assert!(streamed.iter().all(|f| f == &json!([])), "{streamed:?}");
    let streamed = subscribed_figures(&server, &tests::auditor(), &n.id, 3).await;
    assert!(
        streamed.iter().all(|f| f.as_array().unwrap().len() == 2),
        "{streamed:?}"
    );
    let auditor_view = server
        .gql(Some(&tests::auditor()), history, json!({"n": n.id}))
        .await;
    assert!(
        submitted(&auditor_view)
            .iter()
            .all(|f| f.as_array().unwrap().len() == 2),
        "{auditor_view}"
    );

    // A correction is an event; the earlier figure stays in the history (for the member).
    let corrected = call(&server, &tests::referent(aida), CORRECT, "correctFigures",
        json!({"indicatorSet": set, "organization": aida, "period": "2023-H1", "figures": figures(4, 40), "correctedOn": "2023-07-20"})).await;
    assert_eq!(corrected["userErrors"], json!([]), "{corrected}");
    let mine = server
        .gql(
            Some(&tests::referent(aida)),
            own,
            json!({"s": set, "o": aida}),
        )
        .await;
    assert_eq!(
        mine["data"]["node"]["submissionsOf"][0]["corrections"], 1,
        "{mine}"
    );
    let timeline = server.gql(Some(&tests::referent(aida)), "query($o: ID!) { organization(id: $o) { timeline { nodes { eventType ... on FiguresSubmittedEntry { payload { figures { count } } } } } } }", json!({"o": aida})).await;
    let text = timeline.to_string();
    assert!(
        text.contains("FiguresCorrected") && text.contains("{\"count\":3}"),
        "{timeline}"
    );

    // A second period: the tables over both periods keep the small cells of each protected.
    for (org, phone, in_person) in [(0, 30, 2), (1, 22, 14), (2, 11, 16)] {
        let done = submit(&server, &set, &n.members[org], "2023-H2", phone, in_person).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
    }
    call(
        &server,
        &n.coordinator,
        CLOSE,
        "closeFiguresPeriod",
        json!({"indicatorSet": set, "period": "2023-H2", "closedOn": "2024-01-15"}),
    )
    .await;
    let published = tables(&server, &n.coordinator, &set).await;
    assert_eq!(
        published.as_array().unwrap().len(),
        3,
        "H1, H2 and the year"
    );
    let year = &published[2];
    assert!(year["period"].is_null());
    for c in all_cells(&published) {
        assert!(
            c["value"].is_null() || c["value"].as_i64().unwrap() >= 5,
            "{published}"
        );
    }
    // The annual report carries the same published tables, signed and verifiable offline,
    // and never a member's raw count.
    let report = server
        .gql(Some(&n.coordinator), "query($n: ID!) { network(id: $n) { annualReport(year: 2023) { document contentHash signature publicKey signedAt } } }", json!({"n": n.id}))
        .await;
    let signed: projections::reports::SignedReport =
        serde_json::from_value(report["data"]["network"]["annualReport"].clone()).unwrap();
    signed
        .verify(&server.signer.public_key())
        .expect("the report verifies");
    let section = &signed.document["figures"][0];
    assert_eq!(
        section["periods"],
        json!(["2023-H1", "2023-H2"]),
        "{report}"
    );
    let tables = &section["indicators"][0]["tables"];
    assert_eq!(tables.as_array().unwrap().len(), 3, "{report}");
    let shown: Vec<String> = tables
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap().iter())
        .flat_map(|r| r["cells"].as_array().unwrap().iter())
        .map(|c| c["display"].as_str().unwrap().to_owned())
        .collect();
    let from_graphql: Vec<String> = all_cells(&published)
        .iter()
        .map(|c| c["display"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        shown, from_graphql,
        "the report repeats the tables the network reads"
    );
    // As known before the second period closed: only H1 and the totals over it.
    let before = server
        .gql(
            Some(&n.coordinator),
            "query($s: ID!) { node(id: $s, asOf: \"2000-01-01T00:00:00Z\") { id } }",
            json!({"s": set}),
        )
        .await;
    assert!(before["data"]["node"].is_null(), "{before}");
}

async fn every_refusal_is_typed_and_writes_nothing(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let n = network(&server).await;
    let set = call(
        &server,
        &n.coordinator,
        DEFINE,
        "defineIndicatorSet",
        definition(&n.id),
    )
    .await["indicatorSet"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let aida = n.members[0].clone();
    let before = server.events_recorded().await;
    let mut bad_definition = definition(&n.id);
    bad_definition["indicators"][0]["key"] = json!("Richieste!");
    let mut bad_span = definition(&n.id);
    bad_span["from"] = json!("2023-02-01");
    let mut bad_threshold = definition(&n.id);
    bad_threshold["threshold"] = json!(-3);
    let submit_with = |figures: Value, period: &str| json!({"indicatorSet": set, "organization": aida, "period": period, "figures": figures, "submittedOn": "2023-07-05"});
    let cases: Vec<(&str, &str, Value, &str, &str)> = vec![
        (
            DEFINE,
            "defineIndicatorSet",
            bad_definition,
            "INVALID_VALUE",
            "input.indicators.key",
        ),
        (
            DEFINE,
            "defineIndicatorSet",
            bad_span,
            "INVALID_SPAN",
            "input.span",
        ),
        (
            DEFINE,
            "defineIndicatorSet",
            bad_threshold,
            "INVALID_THRESHOLD",
            "input.threshold",
        ),
        (
            SUBMIT,
            "submitFigures",
            submit_with(figures(-1, 3), "2023-H1"),
            "NEGATIVE_COUNT",
            "input.figures.count",
        ),
        (
            SUBMIT,
            "submitFigures",
            submit_with(
                json!([{"indicator": "requests_by_channel", "category": "phone", "count": 3}]),
                "2023-H1",
            ),
            "INCOMPLETE_INDICATOR",
            "input.figures",
        ),
        (
            SUBMIT,
            "submitFigures",
            submit_with(
                json!([{"indicator": "cases", "category": "maria_rossi", "count": 1}]),
                "2023-H1",
            ),
            "UNKNOWN_INDICATOR",
            "input.figures",
        ),
        (
            SUBMIT,
            "submitFigures",
            submit_with(
                json!([{"indicator": "requests_by_channel", "category": "Maria Rossi 1980-05-01", "count": 1}]),
                "2023-H1",
            ),
            "INVALID_VALUE",
            "input.figures.category",
        ),
        (
            SUBMIT,
            "submitFigures",
            submit_with(figures(1, 3), "2023-Q1"),
            "UNKNOWN_PERIOD",
            "input.period",
        ),
        (
            CLOSE,
            "closeFiguresPeriod",
            json!({"indicatorSet": set, "period": "2023-H1", "closedOn": "2023-06-30"}),
            "PERIOD_NOT_ENDED",
            "input.period",
        ),
    ];
    for (query, name, input, code, field) in cases {
        let token = if query == SUBMIT {
            tests::referent(&aida)
        } else {
            n.coordinator.clone()
        };
        let answer = call(&server, &token, query, name, input).await;
        tests::assert_refused(&answer, code, field);
    }
    // The coordinator submits no member's figures, even acting for that member's network.
    let answer = server
        .gql(
            Some(&n.coordinator),
            SUBMIT,
            json!({"i": submit_with(figures(1, 1), "2023-H1")}),
        )
        .await;
    assert_eq!(
        answer["data"]["submitFigures"]["userErrors"][0]["code"], "FORBIDDEN",
        "{answer}"
    );
    assert_eq!(server.events_recorded().await, before);
}

tests::on_both_backends!(
    members_share_figures_with_small_cells_suppressed,
    every_refusal_is_typed_and_writes_nothing,
);
