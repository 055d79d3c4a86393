//! The API's protections, each enforced: depth, complexity, page size, body size, GET never
//! executes, and internal errors reach the client masked, with an id.

use std::time::Duration;

use projections::store::Backend;
use serde_json::json;
use tests::spawn_server;

async fn server(config: graphql::ApiConfig) -> (tempfile::TempDir, tests::TestServer) {
    let (dir, store) = tests::sqlite_store().await;
    (dir, spawn_server(store, config).await)
}

/// The `host:port` a test server listens on, for a client that speaks HTTP itself.
fn address(server: &tests::TestServer) -> String {
    server
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_owned()
}

fn code(body: &serde_json::Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn too_deep_and_too_complex_queries_are_refused() {
    let config = graphql::ApiConfig {
        max_depth: 5,
        ..Default::default()
    };
    let (_dir, s) = server(config).await;
    let deep = s.gql(None, "{ networks(first: 1) { nodes { coordinator { successor { successor { successor { name } } } } } } }", json!({})).await;
    assert!(
        deep["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{deep}"
    );
    // The refusal says what to change: its code, the limit, and the query's own depth.
    let refusal = &deep["errors"][0]["extensions"];
    assert_eq!(refusal["code"], "QUERY_TOO_DEEP", "{deep}");
    assert_eq!(refusal["limit"], 5, "{deep}");
    assert_eq!(refusal["actual"], 7, "{deep}");
    let config = graphql::ApiConfig {
        max_complexity: 50,
        ..Default::default()
    };
    let (_dir2, s) = server(config).await;
    let complex = s
        .gql(
            None,
            "{ organizations(first: 100) { nodes { name memberships { status } } } }",
            json!({}),
        )
        .await;
    assert!(
        complex["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too complex"),
        "{complex}"
    );
    let refusal = &complex["errors"][0]["extensions"];
    assert_eq!(refusal["code"], "QUERY_TOO_COMPLEX", "{complex}");
    assert_eq!(refusal["limit"], 50, "{complex}");
    assert!(refusal["actual"].as_u64().unwrap() > 50, "{complex}");
    let fine = s
        .gql(
            None,
            "{ organizations(first: 2) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(fine.get("errors").is_none(), "{fine}");
}

#[tokio::test]
async fn the_default_limits_let_a_page_of_typed_history_through() {
    // A page of 100 history entries, with the typed payloads of four kinds of event: what an
    // audit screen asks for.
    let (_dir, s) = server(Default::default()).await;
    let page = s
        .gql(
            Some(&tests::auditor()),
            "{ auditLog(first: 100) { totalCount nodes { eventType aggregateType aggregateId recordedAt actor effectiveOn
                ... on CommitmentCreatedEntry { payload { commitmentId title description dueOn createdOn obligor network } }
                ... on ProtocolSignedEntry { payload { version organization signingOffice method signedOn documentHash } }
                ... on MeetingScheduledEntry { payload { meetingId title startsAt endsAt agenda kind public network } }
                ... on OrganizationRegisteredEntry { payload { organizationId name category territory } } } } }",
            json!({}),
        )
        .await;
    assert!(page.get("errors").is_none(), "{page}");
}

/// Text that is not a global id at all is the client's mistake (`INVALID_ID`, naming the
/// argument); a well-formed id of nothing the viewer may read is simply absent.
#[tokio::test]
async fn an_id_that_is_no_global_id_is_refused_and_an_unknown_one_is_null() {
    let (_dir, s) = server(Default::default()).await;
    let auditor = tests::auditor();
    for (query, variables, argument) in [
        (
            "query($v: ID!) { node(id: $v) { id } }",
            json!({"v": "not-an-id"}),
            "id",
        ),
        (
            "query($v: [ID!]!) { nodes(ids: $v) { id } }",
            json!({"v": [aggregates::ids::global_id("Organization", uuid::Uuid::new_v4()), "%%%"]}),
            "ids",
        ),
    ] {
        let body = s.gql(Some(&auditor), query, variables).await;
        assert_eq!(code(&body), "INVALID_ID", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["argument"], argument,
            "{body}"
        );
    }
    let unknown = aggregates::ids::global_id("Organization", uuid::Uuid::new_v4());
    let body = s
        .gql(
            Some(&auditor),
            "query($v: ID!, $w: [ID!]!) { node(id: $v) { id } nodes(ids: $w) { id } }",
            json!({"v": unknown, "w": [unknown]}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"],
        json!({"node": null, "nodes": [null]}),
        "{body}"
    );
}

#[tokio::test]
async fn a_page_over_the_maximum_is_refused() {
    let (_dir, s) = server(Default::default()).await;
    let body = s
        .gql(None, "{ networks(first: 101) { totalCount } }", json!({}))
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("between 0 and 100"),
        "{body}"
    );
    let body = s
        .gql(
            Some(&tests::auditor()),
            "{ auditLog(first: 500) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("between 0 and 100"),
        "{body}"
    );
}

#[tokio::test]
async fn an_oversize_body_is_refused() {
    let config = graphql::ApiConfig {
        max_body_bytes: 2_000,
        ..Default::default()
    };
    let (_dir, s) = server(config).await;
    let padding = "x".repeat(5_000);
    let response = s
        .client
        .post(&s.url)
        .json(&json!({"query": format!("{{ __typename }} # {padding}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.expect("a GraphQL-shaped answer");
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
}

/// A request over the time limit (here a body that never comes) is refused in a body a GraphQL
/// client can read, as every other refusal; it was an empty 408.
#[tokio::test]
async fn a_request_over_the_time_limit_is_refused_graphql_shaped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = graphql::ApiConfig {
        request_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let (_dir, s) = server(config).await;
    let address = address(&s);
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(format!("POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"query\"").as_bytes())
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("answered within the limit")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap_or_default())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {answer}"));
    assert_eq!(code(&body), "REQUEST_TIMEOUT", "{answer}");
}

/// A connection that does not complete a request's head in time is closed (a slowloris client
/// held it for as long as it liked: `axum::serve` installs no timer, so hyper's deadline did
/// nothing); a client that sends its request in time is served on a connection opened at the
/// same moment.
#[tokio::test]
async fn a_connection_that_does_not_send_its_head_in_time_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = graphql::ApiConfig {
        header_read_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let (_dir, s) = server(config).await;
    let address = address(&s);
    let opened = std::time::Instant::now();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    let mut silent = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(format!("POST /graphql HTTP/1.1\r\nHost: {address}\r\n").as_bytes())
        .await
        .unwrap();
    let body = json!({"query": "{ readPosition }"}).to_string();
    let mut prompt = tokio::net::TcpStream::connect(&address).await.unwrap();
    prompt
        .write_all(format!("POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    prompt.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    for (name, stream) in [("part of a head", &mut slow), ("nothing", &mut silent)] {
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest))
            .await
            .unwrap_or_else(|_| panic!("a connection that sent {name} is still open after 10 s"))
            .ok();
        assert!(
            opened.elapsed() >= Duration::from_millis(400),
            "{name}: closed at once"
        );
    }
}

/// A GET of `url`: refused 405 with `Allow: POST` and the GraphQL error `code`, run nothing.
async fn get_refused(client: &reqwest::Client, url: &str, code: &str) {
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 405, "{url}");
    assert_eq!(response.headers()["allow"], "POST", "{url}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], code, "{url}");
    assert!(body.get("data").is_none(), "not executed: {body}");
}

#[tokio::test]
async fn get_never_executes_an_operation_and_batches_are_refused() {
    let (_dir, s) = server(Default::default()).await;
    let url = format!("{}?query=%7B__typename%7D", s.url);
    get_refused(&s.client, &url, "METHOD_NOT_ALLOWED").await;
    // Apollo's persisted queries over GET (`useGETForHashedQueries`) send only the hash, and
    // must not get GraphiQL's page as their answer, but the code that makes Apollo's link send
    // the text by POST (its run in `client_protocols.rs`).
    let hashed = format!(
        "{}?operationName=Q&variables=%7B%7D&extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%22{}%22%7D%7D",
        s.url,
        "0".repeat(64)
    );
    get_refused(&s.client, &hashed, "PERSISTED_QUERY_NOT_SUPPORTED").await;
    let page = s.client.get(&s.url).send().await.unwrap();
    assert_eq!(page.status(), 200, "GraphiQL for browsers");
    assert!(page
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));
    let batch = s
        .client
        .post(&s.url)
        .json(&json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]))
        .send()
        .await
        .unwrap();
    assert!(
        batch.status().is_client_error(),
        "a batch is refused: {}",
        batch.status()
    );
    let (_dir2, closed) = server(graphql::ApiConfig {
        graphiql: false,
        ..Default::default()
    })
    .await;
    get_refused(&closed.client, &closed.url, "METHOD_NOT_ALLOWED").await;
}

#[tokio::test]
async fn an_internal_error_reaches_the_client_masked_with_an_id() {
    let (_dir, s) = server(Default::default()).await;
    // The database goes away under the running server.
    match s.store.backend() {
        Backend::Sqlite(pool) => pool.close().await,
        Backend::Postgres(pool) => pool.close().await,
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let body = s
        .gql(
            None,
            "{ organizations(first: 5) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "INTERNAL", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    let id = body["errors"][0]["extensions"]["errorId"].as_str().unwrap();
    assert!(message.contains(id), "the message quotes the id: {message}");
    let text = body.to_string().to_lowercase();
    for leak in ["sqlite", "pool", "select", "sqlx", "/tmp", ".db"] {
        assert!(
            !text.contains(leak),
            "no internal detail ({leak}) in {body}"
        );
    }
}

#[tokio::test]
async fn metrics_are_valid_prometheus_and_readyz_follows_the_database() {
    let (_dir, s) = server(Default::default()).await;
    let body = s
        .gql(Some(&tests::admin()), "mutation Register { registerOrganization(input: {name: \"Comune\", category: COMUNE, territory: \"T\"}) { positions } }", json!({}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    // The mutation answers once its change is readable (from the read image, when kept); the
    // projector's stage metrics exist once the database shows it too, which `readPosition`
    // waits for.
    let position = body["data"]["registerOrganization"]["positions"][0].clone();
    let read = s
        .gql(Some(&tests::admin()), "{ readPosition }", json!({}))
        .await;
    assert!(
        read["data"]["readPosition"].as_i64() >= position.as_i64(),
        "{read} {position}"
    );
    let base = s.url.trim_end_matches("/graphql").to_owned();
    // Ready once the read image has loaded and the read side caught up: on a busy machine that
    // can come a little after the first mutation is answered.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer = s.client.get(format!("{base}/readyz")).send().await.unwrap();
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        if status == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{status}: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = s
        .client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus exposition");
    let names: Vec<&str> = scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    for expected in [
        "governance_commands_total",
        "governance_events_appended_total",
        "governance_projection_position",
        "governance_projection_lag_events",
        "governance_graphql_request_duration_seconds",
        "governance_command_stage_seconds",
        "governance_read_your_writes_wait_seconds",
        "governance_projector_stage_seconds",
        "governance_projector_batch_events",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    // The read image's size, when it is kept (the suite runs with it and without).
    if tests::read_image() {
        for expected in [
            "governance_read_image_documents",
            "governance_read_image_bytes",
            "governance_read_image_position",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
    }
    let commands = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "governance_commands_total"
                && s.labels.get("aggregate") == Some("Organization")
                && s.labels.get("outcome") == Some("ok")
        })
        .expect("the command was counted");
    assert!(matches!(commands.value, prometheus_parse::Value::Counter(v) if v >= 1.0));
    let latency = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "governance_graphql_request_duration_seconds"
                && s.labels.get("operation") == Some("Register")
        })
        .expect("latency by operation");
    assert!(
        matches!(latency.value, prometheus_parse::Value::Histogram(_)),
        "a histogram"
    );

    // The database goes away: not ready.
    match s.store.backend() {
        Backend::Sqlite(pool) => pool.close().await,
        Backend::Postgres(pool) => pool.close().await,
    }
    let response = s.client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(
        !response.text().await.unwrap().contains("sqlite"),
        "no internal detail"
    );
}
