//! The services map through GraphQL, as a coordinator and as the anonymous public: the
//! services for a municipality today, as effective on a past date and as known at a past
//! instant; a suspension with its expected reopening; coverage gaps; stale entries; and every
//! refusal typed, with the field at fault, writing nothing.

use projections::store::Store;
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};

struct Network {
    id: String,
    coordinator: String,
    kore: String,
    outsider: String,
}

/// A public network with one member (Kore, Vigevano) and an organization that is not one.
async fn network(server: &TestServer) -> Network {
    let admin = tests::admin();
    let prefettura = server.register_organization("Prefettura di Pavia").await;
    let kore = server
        .register_organization("Centro antiviolenza Kore")
        .await;
    let outsider = server.register_organization("Ente non aderente").await;
    let id = server
        .must(&admin, "establishNetwork", json!({"name": "Rete di Pavia", "kind": "INTERINSTITUTIONAL_TABLE", "territory": "Provincia di Pavia", "coordinator": prefettura, "establishedOn": "2014-11-25", "public": true}), "network { id }")
        .await["network"]["id"].as_str().unwrap().to_owned();
    let coordinator = tests::coordinator(&id);
    server
        .must(
            &tests::referent(&kore),
            "applyForMembership",
            json!({"network": id, "organization": kore, "effectiveOn": "2015-01-10"}),
            "network { id }",
        )
        .await;
    server
        .must(
            &coordinator,
            "approveMembership",
            json!({"network": id, "organization": kore, "effectiveOn": "2015-02-01"}),
            "network { id }",
        )
        .await;
    Network {
        id,
        coordinator,
        kore,
        outsider,
    }
}

fn details(name: &str, kind: &str, municipalities: &[&str]) -> Value {
    json!({"name": name, "kind": kind, "municipalities": municipalities,
        "audience": "Donne che subiscono violenza", "access": ["DIRECT", "PHONE"],
        "openingHours": "lunedì-venerdì 9-13", "languages": ["italiano"],
        "contacts": {"mailbox": "info@kore.example.org", "website": "https://kore.example.org"}})
}

async fn register(server: &TestServer, n: &Network, details: Value, on: &str) -> Value {
    let query = "mutation($i: RegisterServiceInput!) { registerService(input: $i) { service { id name status } userErrors { code field message } positions } }";
    server
        .gql(
            Some(&n.coordinator),
            query,
            json!({"i": {"network": n.id, "organization": n.kore, "details": details, "registeredOn": on}}),
        )
        .await["data"]["registerService"]
        .clone()
}

async fn services_for(server: &TestServer, place: &str, extra: &str) -> Value {
    let query = format!(
        "{{ servicesFor(municipality: {place:?}{extra}) {{ name status statusSince expectedReopening statusReason territory {{ name }} }} }}"
    );
    let body = server.gql(None, &query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["servicesFor"].clone()
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

async fn the_public_directory_answers_as_effective_and_as_known(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let n = network(&server).await;
    let centre = register(
        &server,
        &n,
        details(
            "Centro antiviolenza Kore",
            "ANTI_VIOLENCE_CENTRE",
            &["018177", "018102"],
        ),
        "2015-03-01",
    )
    .await;
    assert_eq!(centre["userErrors"], json!([]), "{centre}");
    assert_eq!(centre["service"]["status"], "OPEN");
    let point = register(
        &server,
        &n,
        details("Sportello di Mortara", "LISTENING_POINT", &["018102"]),
        "2016-09-01",
    )
    .await;
    let point_id = point["service"]["id"].as_str().unwrap().to_owned();
    let before_suspension = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    server
        .must(&n.coordinator, "suspendService", json!({"service": point_id, "reason": "Trasferimento della sede", "expectedReopening": "2027-01-15", "effectiveOn": "2026-11-01"}), "service { id }")
        .await;

    // Vigevano today: the centre; Mortara today: the centre and the suspended point.
    let vigevano = services_for(&server, "Vigevano", "").await;
    assert_eq!(names(&vigevano), ["Centro antiviolenza Kore"]);
    assert_eq!(
        vigevano[0]["territory"],
        json!([{"name": "Mortara"}, {"name": "Vigevano"}])
    );
    let mortara = services_for(&server, "018102", ", kinds: [LISTENING_POINT]").await;
    assert_eq!(
        mortara,
        json!([{"name": "Sportello di Mortara", "status": "SUSPENDED", "statusSince": "2026-11-01",
            "expectedReopening": "2027-01-15", "statusReason": "Trasferimento della sede",
            "territory": [{"name": "Mortara"}]}])
    );
    // As effective on a past date: open then; nothing before the centre was registered.
    let then = services_for(
        &server,
        "Mortara",
        ", effectiveOn: \"2024-03-01\", kinds: [LISTENING_POINT]",
    )
    .await;
    assert_eq!(then[0]["status"], "OPEN", "{then}");
    assert_eq!(
        services_for(&server, "Vigevano", ", effectiveOn: \"2014-03-01\"").await,
        json!([])
    );
    // As known before the suspension was recorded: open, even on a date after it.
    let known = services_for(
        &server,
        "Mortara",
        &format!(
            ", asOf: {:?}, effectiveOn: \"2026-12-01\", kinds: [LISTENING_POINT]",
            before_suspension.to_rfc3339()
        ),
    )
    .await;
    assert_eq!(known[0]["status"], "OPEN", "{known}");

    // Coverage of the province: Vigevano and Mortara are served by an anti-violence centre,
    // Pavia is not; a suspended service serves nobody.
    let gaps = server
        .gql(
            None,
            "query($n: ID!) { coverageGaps(province: \"PV\", network: $n) { istatCode } }",
            json!({"n": n.id}),
        )
        .await;
    let gaps: Vec<&str> = gaps["data"]["coverageGaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["istatCode"].as_str().unwrap())
        .collect();
    assert!(gaps.contains(&"018110") && !gaps.contains(&"018177") && !gaps.contains(&"018102"));
    let points = server
        .gql(None, "query($n: ID!) { coverageGaps(province: \"018\", network: $n, kinds: [LISTENING_POINT]) { istatCode } }", json!({"n": n.id}))
        .await;
    assert!(
        points["data"]["coverageGaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["istatCode"] == "018102"),
        "{points}"
    );

    // Stale entries: both, judged a year after registration; the centre no longer once confirmed.
    let stale = "query($n: ID!) { staleServices(network: $n, notConfirmedForDays: 30, on: \"2026-12-01\") { name confirmedOn } }";
    let body = server
        .gql(Some(&n.coordinator), stale, json!({"n": n.id}))
        .await;
    let mut stale_names = names(&body["data"]["staleServices"]);
    stale_names.sort();
    assert_eq!(
        stale_names,
        ["Centro antiviolenza Kore", "Sportello di Mortara"],
        "{body}"
    );
    server
        .must(
            &tests::referent(&n.kore),
            "confirmService",
            json!({"service": centre["service"]["id"], "confirmedOn": "2026-11-20"}),
            "service { confirmedOn }",
        )
        .await;
    let body = server
        .gql(Some(&n.coordinator), stale, json!({"n": n.id}))
        .await;
    assert_eq!(
        names(&body["data"]["staleServices"]),
        ["Sportello di Mortara"],
        "{body}"
    );
    // Reopened, then closed: gone from the directory, kept in its history.
    server
        .must(
            &n.coordinator,
            "reopenService",
            json!({"service": point_id, "effectiveOn": "2026-12-01"}),
            "service { id }",
        )
        .await;
    let closed = server
        .must(&n.coordinator, "closeService", json!({"service": point_id, "reason": "Accorpato al centro", "effectiveOn": "2026-12-02"}), "service { status periods { from status } }")
        .await;
    assert_eq!(closed["service"]["status"], "CLOSED");
    assert_eq!(
        closed["service"]["periods"].as_array().unwrap().len(),
        4,
        "{closed}"
    );
    let today = services_for(&server, "Mortara", ", effectiveOn: \"2026-12-03\"").await;
    assert_eq!(names(&today), ["Centro antiviolenza Kore"]);
    // The annual monitoring report gains the services section (and stays signed).
    let report = server
        .gql(Some(&n.coordinator), "query($n: ID!) { network(id: $n) { annualReport(year: 2026) { document contentHash signature } } }", json!({"n": n.id}))
        .await;
    let document = &report["data"]["network"]["annualReport"]["document"];
    assert_eq!(document["report"], "annual-monitoring/v4", "{report}");
    let mut section = document["services"].as_array().unwrap().clone();
    section.sort_by_key(|s| s["name"].as_str().unwrap().to_owned());
    assert_eq!(
        section
            .iter()
            .map(|s| (
                s["name"].as_str().unwrap(),
                s["status_at_year_end"].as_str().unwrap(),
                s["changes_in_year"].as_u64().unwrap(),
                s["suspensions_in_year"].as_u64().unwrap()
            ))
            .collect::<Vec<_>>(),
        [
            ("Centro antiviolenza Kore", "OPEN", 0, 0),
            ("Sportello di Mortara", "CLOSED", 3, 1)
        ],
        "{report}"
    );
    assert_eq!(section[0]["confirmed_on"], "2026-11-20");
    assert!(report["data"]["network"]["annualReport"]["signature"].is_string());
    // The network's timeline shows the services' events, typed.
    let timeline = server
        .gql(Some(&n.coordinator), "query($n: ID!) { network(id: $n) { timeline(first: 100) { nodes { eventType ... on ServiceRegisteredEntry { payload { details { name kind access territory } } } ... on ServiceSuspendedEntry { payload { expectedReopening } } } } } }", json!({"n": n.id}))
        .await;
    assert!(timeline.get("errors").is_none(), "{timeline}");
    let entries = timeline["data"]["network"]["timeline"]["nodes"]
        .as_array()
        .unwrap();
    let registered = entries
        .iter()
        .find(|e| e["eventType"] == "ServiceRegistered")
        .expect("a registration");
    assert_eq!(
        registered["payload"]["details"]["access"],
        json!(["DIRECT", "PHONE"]),
        "{timeline}"
    );
    let suspended = entries
        .iter()
        .find(|e| e["eventType"] == "ServiceSuspended")
        .expect("a suspension");
    assert_eq!(suspended["payload"]["expectedReopening"], "2027-01-15");
    for event in ["ServiceReopened", "ServiceClosed", "ServiceConfirmed"] {
        assert!(
            entries.iter().any(|e| e["eventType"] == event),
            "{event}: {timeline}"
        );
    }
}

async fn the_open_data_follow_their_published_schema(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let n = network(&server).await;
    register(
        &server,
        &n,
        details(
            "Centro antiviolenza Kore",
            "ANTI_VIOLENCE_CENTRE",
            &["018177"],
        ),
        "2015-03-01",
    )
    .await;
    let mut shelter = details("Casa rifugio", "SHELTER", &["018177", "018102"]);
    shelter["access"] = json!(["REFERRAL"]);
    shelter["referralFrom"] = json!("I centri antiviolenza della rete");
    register(&server, &n, shelter, "2016-01-01").await;
    let mut hidden = details("Servizio non pubblicato", "OTHER", &["018177"]);
    hidden["listed"] = json!(false);
    register(&server, &n, hidden, "2016-01-01").await;
    let base = server.url.trim_end_matches("/graphql").to_owned();
    let get = |path: &str| server.client.get(format!("{base}{path}")).send();

    let schema: Value = get("/open-data/services.schema.json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let validator =
        jsonschema::JSONSchema::compile(&schema).expect("the published schema compiles");
    let response = get("/open-data/services.json?on=2024-03-01").await.unwrap();
    assert_eq!(response.status(), 200);
    let data: Value = response.json().await.unwrap();
    if let Err(errors) = validator.validate(&data) {
        panic!(
            "the open data do not follow their schema: {:?}",
            errors.map(|e| e.to_string()).collect::<Vec<_>>()
        );
    }
    let listed: Vec<&str> = data["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["Casa rifugio", "Centro antiviolenza Kore"],
        "{data}"
    );
    assert_eq!(data["services"][0]["address"], Value::Null);
    assert_eq!(
        data["services"][1]["municipalities"],
        json!([{"istat_code": "018177", "name": "Vigevano", "province_abbreviation": "PV"}])
    );
    // The schema has teeth: a shelter with an address, or an unknown kind, does not pass.
    let mut tampered = data.clone();
    tampered["services"][0]["address"] = json!("Via Roma 1");
    assert!(validator.validate(&tampered).is_err());
    let mut tampered = data.clone();
    tampered["services"][1]["kind"] = json!("SOMETHING_ELSE");
    assert!(validator.validate(&tampered).is_err());
    // Before any service was registered, the directory is empty.
    let early: Value = get("/open-data/services.json?on=2014-01-01")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(early["services"], json!([]));

    // The CSV: the same services, the documented columns.
    let response = get("/open-data/services.csv?on=2024-03-01").await.unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap().split(',').collect::<Vec<_>>(),
        projections::opendata::CSV_COLUMNS
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].contains("018102; 018177") && rows[0].contains("Mortara; Vigevano"),
        "{text}"
    );
    assert!(!text.contains("Servizio non pubblicato"));

    // Bad requests are typed and say which parameter.
    for (path, status, field) in [
        ("/open-data/services.json?on=yesterday", 400, json!("on")),
        (
            "/open-data/services.csv?municipality=018177",
            400,
            json!("municipality"),
        ),
        ("/open-data/other.json", 404, Value::Null),
    ] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
        assert!(body["error"]["code"].is_string(), "{path}: {body}");
    }
}

/// One refused registration: its codes and fields, and nothing written.
async fn refused(
    server: &TestServer,
    n: &Network,
    details: Value,
    organization: &str,
) -> Vec<(String, Value)> {
    let query = "mutation($i: RegisterServiceInput!) { registerService(input: $i) { service { id } userErrors { code field message } positions } }";
    let body = server
        .gql(Some(&n.coordinator), query, json!({"i": {"network": n.id, "organization": organization, "details": details, "registeredOn": "2024-01-15"}}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let payload = &body["data"]["registerService"];
    assert_eq!(payload["positions"], json!([]), "{body}");
    assert_eq!(payload["service"], Value::Null, "{body}");
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].as_str().unwrap().to_owned(), e["field"].clone()))
        .collect()
}

async fn every_refusal_is_typed_and_writes_nothing(store: Store) {
    let server = spawn_server(store, Default::default()).await;
    let n = network(&server).await;
    let before = server
        .store
        .export_after(0, 100_000, None)
        .await
        .unwrap()
        .len();
    let field = |path: &[&str]| {
        json!(std::iter::once("input")
            .chain(path.iter().copied())
            .collect::<Vec<_>>())
    };
    let kore = n.kore.clone();
    assert_eq!(
        refused(
            &server,
            &n,
            details("X", "ANTI_VIOLENCE_CENTRE", &["12"]),
            &kore
        )
        .await,
        [(
            "INVALID_VALUE".to_owned(),
            field(&["details", "municipalities"])
        )]
    );
    assert_eq!(
        refused(
            &server,
            &n,
            details("X", "ANTI_VIOLENCE_CENTRE", &["099999"]),
            &kore
        )
        .await,
        [(
            "UNKNOWN_MUNICIPALITY".to_owned(),
            field(&["details", "municipalities"])
        )]
    );
    // Albaredo Arnaboldi was suppressed on 18 November 2023.
    assert_eq!(
        refused(
            &server,
            &n,
            details("X", "ANTI_VIOLENCE_CENTRE", &["018002"]),
            &kore
        )
        .await,
        [(
            "MUNICIPALITY_NOT_IN_FORCE".to_owned(),
            field(&["details", "municipalities"])
        )]
    );
    let mut province = details("X", "ANTI_VIOLENCE_CENTRE", &[]);
    province["wholeProvinces"] = json!(["ZZ"]);
    assert_eq!(
        refused(&server, &n, province, &kore).await,
        [(
            "UNKNOWN_PROVINCE".to_owned(),
            field(&["details", "wholeProvinces"])
        )]
    );
    let mut shelter = details("Casa rifugio", "SHELTER", &["018177"]);
    shelter["address"] = json!("Via Roma 1, Vigevano");
    assert_eq!(
        refused(&server, &n, shelter, &kore).await,
        [("SHELTER_ADDRESS".to_owned(), field(&["details", "address"]))]
    );
    assert_eq!(
        refused(
            &server,
            &n,
            details("X", "ANTI_VIOLENCE_CENTRE", &["018177"]),
            &n.outsider
        )
        .await,
        [("NOT_NETWORK_MEMBER".to_owned(), Value::Null)]
    );
    let mut phone_in_text = details("X", "ANTI_VIOLENCE_CENTRE", &["018177"]);
    phone_in_text["openingHours"] = json!("chiamare il 333 1234567");
    assert_eq!(
        refused(&server, &n, phone_in_text, &kore).await,
        [(
            "PERSONAL_DATA".to_owned(),
            field(&["details", "openingHours"])
        )]
    );
    let mut bad_contacts = details("X", "ANTI_VIOLENCE_CENTRE", &["018177"]);
    bad_contacts["contacts"] = json!({"switchboard": "chiamateci", "mailbox": "not-an-address", "website": "http://insecure.example.org"});
    let codes = refused(&server, &n, bad_contacts, &kore).await;
    assert_eq!(
        codes.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>(),
        ["switchboard", "mailbox", "website"].map(|c| field(&["details", "contacts", c]))
    );
    // A registered person's e-mail or phone, however written, is never a service's contact.
    let admin = tests::admin();
    server
        .must(&admin, "registerPerson", json!({"name": "Referente Prova", "email": "referente.prova@example.it", "phone": "+39 0381 555 0101"}), "person { id }")
        .await;
    let registered_people = server
        .store
        .export_after(0, 100_000, None)
        .await
        .unwrap()
        .len();
    for contacts in [
        json!({"mailbox": "Referente.Prova@example.it"}),
        json!({"switchboard": "0381 5550101"}),
    ] {
        let mut personal = details("X", "ANTI_VIOLENCE_CENTRE", &["018177"]);
        let contact = contacts.as_object().unwrap().keys().next().unwrap().clone();
        personal["contacts"] = contacts;
        assert_eq!(
            refused(&server, &n, personal, &kore).await,
            [(
                "PERSONAL_CONTACT".to_owned(),
                field(&["details", "contacts", &contact])
            )]
        );
    }
    let after = server
        .store
        .export_after(0, 100_000, None)
        .await
        .unwrap()
        .len();
    assert_eq!(after, registered_people, "a refused registration wrote");
    assert_eq!(
        registered_people,
        before + 1,
        "only the person was registered"
    );
    // A whole province expands to its municipalities of the date.
    let mut bat = details("Centro della BAT", "ANTI_VIOLENCE_CENTRE", &[]);
    bat["wholeProvinces"] = json!(["BT"]);
    let body = register(&server, &n, bat, "2016-03-01").await;
    assert_eq!(body["userErrors"], json!([]), "{body}");
    let territory = server
        .gql(
            None,
            "query($s: ID!) { node(id: $s) { ... on Service { territory { province } } } }",
            json!({"s": body["service"]["id"]}),
        )
        .await;
    assert_eq!(
        territory["data"]["node"]["territory"]
            .as_array()
            .unwrap()
            .len(),
        10,
        "{territory}"
    );
    // A suspension's refusals name their field too.
    let suspend = "mutation($i: SuspendServiceInput!) { suspendService(input: $i) { userErrors { code field } positions } }";
    for (input, code, at) in [
        (
            json!({"expectedReopening": "2016-01-01", "effectiveOn": "2016-06-01"}),
            "REOPENING_NOT_AFTER_SUSPENSION",
            "expectedReopening",
        ),
        (
            json!({"effectiveOn": "2010-01-01"}),
            "BEFORE_LAST_CHANGE",
            "effectiveOn",
        ),
    ] {
        let mut input = input;
        input["service"] = body["service"]["id"].clone();
        input["reason"] = json!("Lavori");
        let answer = server
            .gql(Some(&n.coordinator), suspend, json!({"i": input}))
            .await;
        assert_eq!(
            answer["data"]["suspendService"],
            json!({"userErrors": [{"code": code, "field": ["input", at]}], "positions": []}),
            "{answer}"
        );
    }
    // Client mistakes in queries are typed too.
    let unknown = server
        .gql(
            None,
            "{ servicesFor(municipality: \"Atlantide\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"], "UNKNOWN_MUNICIPALITY",
        "{unknown}"
    );
    let ambiguous = server
        .gql(
            None,
            "{ servicesFor(municipality: \"Castro\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ambiguous["errors"][0]["extensions"]["code"], "AMBIGUOUS_MUNICIPALITY",
        "{ambiguous}"
    );
    let province = server
        .gql(
            None,
            "{ coverageGaps(province: \"XX\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        province["errors"][0]["extensions"]["code"], "UNKNOWN_PROVINCE",
        "{province}"
    );
}

tests::on_both_backends!(
    the_public_directory_answers_as_effective_and_as_known,
    every_refusal_is_typed_and_writes_nothing,
    the_open_data_follow_their_published_schema,
);

/// Replicas starting together on a new database both load the reference list: neither fails
/// on the other's rows, and the list is whole once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_starting_together_on_a_new_database_both_load_the_municipalities() {
    let url = tests::postgres::fresh_database().await;
    let opened =
        futures::future::join_all((0..4).map(|_| projections::store::Store::open(&url))).await;
    for store in opened {
        let store = store.expect("every replica starts");
        let list = store.municipalities().await.expect("the list reads");
        assert!(list.get("018177").is_some());
        assert_eq!(
            list.len(),
            projections::store::municipalities::Municipalities::parse_csv(
                projections::store::municipalities::SHIPPED
            )
            .unwrap()
            .len()
        );
    }
}

/// A service's stored document changed behind the server's back (its periods emptied, as a
/// reviewer editing the database could): a server that loads it answers every question about
/// the service without a panic (the status it cannot know is null), and `verify` names it.
async fn a_changed_service_document_answers_without_a_panic(url: String, store: Store) {
    let server = spawn_server(store.clone(), Default::default()).await;
    let n = network(&server).await;
    let registered = register(
        &server,
        &n,
        details("Sportello Kore", "ANTI_VIOLENCE_CENTRE", &["018177"]),
        "2015-03-01",
    )
    .await;
    let service = registered["service"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{registered}"))
        .to_owned();
    tests::documents_written(&store).await;
    let emptied = match store.backend() {
        projections::store::Backend::Postgres(pool) => sqlx::query(
            "UPDATE read_models SET doc = jsonb_set(doc, '{periods}', '[]')
              WHERE kind = 'service' AND valid_to IS NULL",
        )
        .execute(pool)
        .await
        .unwrap()
        .rows_affected(),
        projections::store::Backend::Sqlite(pool) => sqlx::query(
            "UPDATE read_models SET doc = json_set(doc, '$.periods', json('[]'))
              WHERE kind = 'service' AND valid_to IS NULL",
        )
        .execute(pool)
        .await
        .unwrap()
        .rows_affected(),
    };
    assert_eq!(emptied, 1);
    // Another server process, whose read image loads the changed document.
    let other = spawn_server(tests::open(&url).await, Default::default()).await;
    for (viewer, query) in [
        (
            Some(n.coordinator.as_str()),
            "query($s: ID!) { node(id: $s) { ... on Service { name status statusSince expectedReopening } } }",
        ),
        (
            Some(n.coordinator.as_str()),
            "query($n: ID!) { staleServices(network: $n, notConfirmedForDays: 1, on: \"2030-01-01\") { name status } }",
        ),
        (
            None,
            "{ servicesFor(municipality: \"018177\") { name status } }",
        ),
    ] {
        let body = other
            .gql(viewer, query, json!({"s": service, "n": n.id}))
            .await;
        assert!(body.get("data").is_some(), "{query}: {body}");
        if let Some(node) = body["data"].get("node") {
            assert_eq!(node["name"], "Sportello Kore", "{body}");
            assert_eq!(node["status"], Value::Null, "{body}");
        }
    }
    let report = projections::projector::Projector::new(store)
        .verify_read_models(|_| {})
        .await
        .unwrap();
    assert_eq!(report.differences.len(), 1, "{report:?}");
    assert_eq!(report.differences[0].kind, "service", "{report:?}");
}

mod changed_documents {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        let (url, store) = tests::postgres_store_at().await;
        super::a_changed_service_document_answers_without_a_panic(url, store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        let (_dir, url, store) = tests::sqlite_store_at().await;
        super::a_changed_service_document_answers_without_a_panic(url, store).await;
    }
}
