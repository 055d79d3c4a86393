//! Property-based fuzzing of everything a client controls, through the real HTTP request path:
//! documents (random text and templates), variables, ids, cursors, dates, tax codes, hashes,
//! page sizes, tokens. For every input: no panic, no 5xx, no internal text (SQL, paths,
//! backend names) in the response, every error carries a code and none is `INTERNAL`, and a
//! rejected request changes no stored data. The number
//! of inputs tried is printed; `FUZZ_CASES` raises it (default 1,500, bounded for CI).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use tests::TestServer;

/// Internal text that must never reach a client.
const LEAKS: &[&str] = &[
    "sqlx",
    "select ",
    "insert into",
    "/tmp",
    "sqlite",
    "postgres",
    "panicked",
    "backtrace",
    "database error",
    "src/",
];

fn strings() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[A-Z0-9]{11,16}",
        "[0-9a-f]{60,70}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "-?[0-9]{1,20}",
        Just(String::new()),
        Just("T3JnYW5pemF0aW9uOm5vcGU".to_owned()),
        Just("RFNTWRT85M01H501Z".to_owned()),
        Just("01907990012".to_owned()),
        "[a-zA-Z ]{0,12}@[a-z]{1,8}\\.[a-z]{2,3}",
        "\\PC{300,600}",
        // Malformed dates, instants and cursors: a client's mistakes, never the server's.
        "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}Z?",
        "[a-z]{1,8}|-[0-9]{1,3}|[0-9]{25}",
    ]
}

fn values() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        strings().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Mutations with the names of their input fields.
const MUTATIONS: &[(&str, &[&str])] = &[
    (
        "registerOrganization",
        &["name", "category", "territory", "taxCode"],
    ),
    (
        "updateOrganizationDetails",
        &["organization", "category", "taxCode", "territory"],
    ),
    (
        "establishNetwork",
        &[
            "name",
            "kind",
            "territory",
            "coordinator",
            "establishedOn",
            "public",
        ],
    ),
    (
        "applyForMembership",
        &["network", "organization", "effectiveOn"],
    ),
    ("draftProtocol", &["network", "kind", "parties", "content"]),
    (
        "publishProtocolVersion",
        &["protocol", "documentHash", "publishedOn"],
    ),
    (
        "recordSignature",
        &[
            "protocol",
            "organization",
            "signingOffice",
            "method",
            "documentHash",
            "signedOn",
        ],
    ),
    (
        "createCommitment",
        &["network", "obligor", "title", "createdOn", "dueOn"],
    ),
    (
        "scheduleMeeting",
        &[
            "network", "kind", "title", "startsAt", "agenda", "public", "link",
        ],
    ),
    ("registerPerson", &["name", "email", "phone"]),
    ("erasePerson", &["person"]),
];

#[derive(Debug, Clone)]
enum Input {
    /// Any text as the document.
    Document(String),
    /// A query template with random variables.
    Query(usize, Value),
    /// A mutation with a random input (right field names, random values).
    Mutation(usize, Vec<(usize, Value)>, bool),
    /// A plausible registration (often accepted): random name, territory and tax code.
    Register(String, String, Option<String>),
}

const QUERIES: &[&str] = &[
    "query($v: ID!) { node(id: $v) { id } }",
    "query($v: [ID!]!) { nodes(ids: $v) { id } }",
    "query($v: Int, $w: String) { organizations(first: $v, after: $w) { totalCount nodes { name } } }",
    "query($v: Int, $w: String) { networks(last: $v, before: $w) { totalCount } }",
    "query($v: ID!, $w: DateTime) { network(id: $v, asOf: $w) { name members { totalCount } } }",
    "query($v: ID!, $w: NaiveDate) { network(id: $v, effectiveOn: $w) { name } }",
    "query($v: String, $w: Int) { auditLog(after: $v, first: $w) { totalCount } }",
    "query($v: String, $w: Int) { auditLog(before: $v, last: $w) { totalCount } }",
    "query($v: AuditLogFilter) { auditLog(filter: $v) { totalCount } }",
    "query($v: OrganizationFilter, $w: OrganizationOrder) { organizations(filter: $v, orderBy: $w) { totalCount } }",
];

fn inputs() -> impl Strategy<Value = Input> {
    prop_oneof![
        "\\PC{0,300}".prop_map(Input::Document),
        "[{}()a-zA-Z:$!\\[\\] ,\"@.]{0,200}".prop_map(Input::Document),
        (0..QUERIES.len(), values(), values())
            .prop_map(|(q, v, w)| Input::Query(q, json!({"v": v, "w": w}))),
        (
            0..MUTATIONS.len(),
            prop::collection::vec((0..8usize, values()), 0..8),
            any::<bool>()
        )
            .prop_map(|(m, fields, admin)| Input::Mutation(m, fields, admin)),
        (
            "[A-Za-zÀ-ÿ' .-]{0,60}",
            "\\PC{0,30}",
            prop::option::of(prop_oneof![strings(), Just("01907990012".to_owned())])
        )
            .prop_map(|(name, territory, code)| Input::Register(name, territory, code)),
    ]
}

fn request(input: &Input) -> (Value, bool) {
    match input {
        Input::Document(text) => (json!({"query": text}), false),
        Input::Query(q, variables) => {
            (json!({"query": QUERIES[*q], "variables": variables}), false)
        }
        Input::Register(name, territory, code) => (
            json!({
                "query": "mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) { organization { id name } userErrors { code message field } positions } }",
                "variables": {"i": {"name": name, "category": "COMUNE", "territory": territory, "taxCode": code}},
            }),
            true,
        ),
        Input::Mutation(m, fields, admin) => {
            let (name, names) = MUTATIONS[*m];
            let input: serde_json::Map<String, Value> = fields
                .iter()
                .map(|(i, v)| (names[i % names.len()].to_owned(), v.clone()))
                .collect();
            let input_type = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
            (
                json!({
                    "query": format!("mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ code message field }} positions }} }}"),
                    "variables": {"i": input},
                }),
                *admin,
            )
        }
    }
}

/// Whether the answer says nothing was done.
fn rejected(body: &Value) -> bool {
    if body
        .get("errors")
        .is_some_and(|e| !e.as_array().is_some_and(Vec::is_empty))
    {
        return true;
    }
    body["data"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .any(|payload| {
            payload["userErrors"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        })
}

/// How many events clients' commands wrote: not those of the processes that follow the log,
/// which act on earlier accepted requests in their own time (and may do so while a later
/// request is refused).
async fn clients_events(server: &TestServer) -> Result<i64, String> {
    let projections::store::Backend::Sqlite(pool) = server.store.backend() else {
        unreachable!("the fuzz server runs on SQLite")
    };
    sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE json_extract(metadata, '$.actor_id') IS NOT 'system'",
    )
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())
}

async fn one(server: &TestServer, admin: &str, input: &Input) -> Result<(), String> {
    let (body, as_admin) = request(input);
    let before = clients_events(server).await?;
    let mut post = server.client.post(&server.url).json(&body);
    if as_admin {
        post = post.bearer_auth(admin);
    }
    let response = post.send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status.is_server_error() {
        return Err(format!("{status} for {body}: {text}"));
    }
    let lower = text.to_lowercase();
    for leak in LEAKS {
        if lower.contains(leak) {
            return Err(format!("{leak:?} leaked for {body}: {text}"));
        }
    }
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    // Everything here is a client's input and the server is healthy: a refusal names the
    // client's mistake with a code, never `INTERNAL`.
    for error in answer["errors"].as_array().into_iter().flatten() {
        let code = error["extensions"]["code"].as_str();
        if code.is_none() || code == Some("INTERNAL") {
            return Err(format!("{body} answered {code:?}: {text}"));
        }
    }
    if answer.is_null() || rejected(&answer) {
        let after = clients_events(server).await?;
        if after != before {
            return Err(format!(
                "a rejected request wrote {} events: {body} -> {text}",
                after - before
            ));
        }
    }
    Ok(())
}

#[test]
fn every_client_input_is_answered_without_panic_leak_or_stray_write() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (_dir, server) = runtime.block_on(async {
        let (dir, store) = tests::sqlite_store().await;
        (dir, tests::spawn_server(store, Default::default()).await)
    });
    let admin = tests::admin();
    let cases: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1500);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let tried = std::cell::Cell::new(0u32);
    let result = runner.run(&inputs(), |input| {
        tried.set(tried.get() + 1);
        runtime
            .block_on(one(&server, &admin, &input))
            .map_err(TestCaseError::fail)
    });
    let written = runtime.block_on(server.store.count_events()).unwrap();
    let report = format!(
        "fuzz: {} inputs tried through HTTP, {written} events written by accepted ones",
        tried.get()
    );
    println!("{report}");
    // The test harness captures what a passing test prints: CI prints this file instead.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-report.txt");
    let _ = std::fs::write(path, format!("{report}\n"));
    result.unwrap();
    assert!(tried.get() >= cases);
    assert!(written > 0, "some inputs were valid and accepted");
}

/// Random bytes as a request body (not even JSON) and random headers: answered, never 5xx.
#[tokio::test]
async fn random_bodies_and_headers_are_refused_cleanly() {
    let (_dir, store) = tests::sqlite_store().await;
    let server = tests::spawn_server(store, Default::default()).await;
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let bodies = std::cell::RefCell::new(Vec::new());
    runner
        .run(
            &(prop::collection::vec(any::<u8>(), 0..2000), "\\PC{0,100}"),
            |case| {
                bodies.borrow_mut().push(case);
                Ok(())
            },
        )
        .unwrap();
    let bodies = bodies.into_inner();
    for (body, header) in bodies {
        let mut post = server
            .client
            .post(&server.url)
            .header("content-type", "application/json")
            .body(body);
        if let Ok(value) = reqwest::header::HeaderValue::from_str(&header) {
            post = post
                .header("authorization", value.clone())
                .header("idempotency-key", value);
        }
        let response = post.send().await.unwrap();
        assert!(
            !response.status().is_server_error(),
            "{}",
            response.status()
        );
        let text = response.text().await.unwrap().to_lowercase();
        for leak in LEAKS {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }
    assert_eq!(server.store.count_events().await.unwrap(), 0);
}
