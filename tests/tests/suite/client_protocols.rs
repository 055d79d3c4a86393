//! The protocols clients speak around GraphQL, with the clients that speak them: Apollo
//! Client's automatic persisted queries (a hash in place of the operation's text), and
//! graphql-transport-ws's `error` message for an operation that never ran.

use futures::SinkExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tests::ws::{connect, next_json};
use tests::{spawn_server, TestServer};
use tokio_tungstenite::tungstenite::Message;

async fn server() -> (tempfile::TempDir, TestServer) {
    let (dir, store) = tests::sqlite_store().await;
    (dir, spawn_server(store, Default::default()).await)
}

fn hash_of(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Posts `body` with `accept` as the administrator; answers the status and the body as JSON.
async fn post(server: &TestServer, accept: &str, body: Value) -> (u16, Value) {
    post_as(server, Some(&tests::admin()), accept, body).await
}

/// Posts `body` with `accept` and `token` (none: anonymous); answers the status and the body.
async fn post_as(
    server: &TestServer,
    token: Option<&str>,
    accept: &str,
    body: Value,
) -> (u16, Value) {
    let mut request = server.client.post(&server.url).header("accept", accept);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.json(&body).send().await.expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

/// A hash alone runs only a text its own caller sent: another caller (anonymous included)
/// is told the hash is unknown, so it cannot confirm what anyone else asked (a text may hold a
/// person's details as literals).
#[tokio::test]
async fn a_persisted_query_is_its_callers_own() {
    let (_dir, server) = server().await;
    let name = "Comune di Cuneo";
    server.register_organization(name).await;
    let text = format!(
        "{{ organizations(filter: {{nameContains: \"{name}\"}}, first: 5) {{ nodes {{ name }} }} }}"
    );
    let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": hash_of(&text)}});
    let json = "application/json";
    let (status, body) = post(
        &server,
        json,
        json!({"query": text, "extensions": extensions}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["organizations"]["nodes"][0]["name"], name,
        "{body}"
    );
    let auditor = tests::auditor();
    for token in [Some(auditor.as_str()), None] {
        let (status, body) = post_as(&server, token, json, json!({"extensions": extensions})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
            "{body}"
        );
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }
    let (_, body) = post(&server, json, json!({"extensions": extensions})).await;
    assert_eq!(
        body["data"]["organizations"]["nodes"][0]["name"], name,
        "{body}"
    );
}

/// Runs `apollo.mjs` (two Apollo clients, one query each, `mode` as its fifth argument) for a
/// new organization named `name`; checks that both clients got it, and answers the script's
/// record of the requests.
async fn apollo(name: &str, mode: &[&str]) -> Vec<Value> {
    let (_dir, server) = server().await;
    let id = server.register_organization(name).await;
    let query = "query($id: ID!) { node(id: $id) { id ... on Organization { name } } }";
    let (variables, token) = (json!({"id": id}).to_string(), tests::admin());
    let mut args = vec![server.url.as_str(), query, &variables, &token];
    args.extend_from_slice(mode);
    let out = tests::js::run("apollo.mjs", &args, "Apollo Client with persisted queries").await;
    let out: Value = serde_json::from_str(out.trim()).expect("the script's JSON");
    for answer in out["answers"].as_array().expect("answers") {
        assert_eq!(answer["node"]["name"], name, "{out}");
    }
    out["requests"].as_array().expect("requests").clone()
}

/// Apollo Client paging a list as a frontend does (its cache's `relayStylePagination`), while
/// an organization sorting before the pages already read is registered: the list it ends with
/// holds every organization it paged through once, in order, none repeated or skipped.
#[tokio::test]
async fn apollo_client_pages_a_list_that_grows_meanwhile() {
    let (_dir, server) = server().await;
    let mut names: Vec<String> = (0..7).map(|i| format!("Comune di Borgo {i}")).collect();
    for name in &names {
        server.register_organization(name).await;
    }
    let token = tests::admin();
    let args = [server.url.as_str(), &token, "3", "Comune di Alba"];
    let out = tests::js::run("apollo-pages.mjs", &args, "Apollo Client paging").await;
    let listed: Vec<String> = serde_json::from_str(out.trim()).expect("the script's JSON");
    names.sort();
    assert_eq!(listed, names, "{out}");
}

/// Apollo Client with its persisted-queries link: the first client's hash alone is not known,
/// so it sends the text; a second client's hash alone then runs it.
#[tokio::test]
async fn apollo_client_runs_operations_by_their_hash() {
    let requests = apollo("Comune di Bra", &[]).await;
    let sent: Vec<(bool, u64)> = requests
        .iter()
        .map(|r| (r["withQuery"] == true, r["status"].as_u64().unwrap_or(0)))
        .collect();
    // Apollo asks for `application/graphql-response+json` first: an unknown hash is a
    // request error there (400), which the link reads and answers with the text.
    assert_eq!(
        sent,
        [(false, 400), (true, 200), (false, 200)],
        "{requests:?}"
    );
    assert!(
        requests.iter().all(|r| r["hash"] == requests[0]["hash"]),
        "{requests:?}"
    );
}

/// Apollo Client sending hashes alone by GET (`useGETForHashedQueries`, common behind CDNs):
/// GET never runs an operation here, and its answer (405, `PERSISTED_QUERY_NOT_SUPPORTED`)
/// makes the link send the operation's text by POST, so the application gets its data.
#[tokio::test]
async fn apollo_client_hashing_by_get_falls_back_to_post() {
    let requests = apollo("Comune di Alba", &["get"]).await;
    let sent: Vec<(String, bool, u64)> = requests
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap_or("").to_owned(),
                r["withQuery"] == true,
                r["status"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let pair = [
        ("GET".to_owned(), false, 405),
        ("POST".to_owned(), true, 200),
    ];
    assert_eq!(sent, [pair.clone(), pair].concat(), "{requests:?}");
}

/// Every way a persisted query can be wrong is refused with its code and the field at fault,
/// and runs nothing; only a text that ran is remembered, under its own hash; mutations and
/// variables work by hash as by text.
#[tokio::test]
async fn persisted_queries_are_checked_and_refused_in_graphql_terms() {
    let (_dir, server) = server().await;
    let json = "application/json";
    let register = "mutation($n: String!) { registerOrganization(input: {name: $n, category: COMUNE, territory: \"T\"}) { organization { name } userErrors { code } } }";
    let extension = |hash: &str| json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});

    // Unknown: 200 in application/json (400 in graphql-response+json), Apollo's message.
    let (status, body) = post(
        &server,
        json,
        json!({"extensions": extension(&hash_of(register)), "variables": {"n": "A"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["errors"][0]["message"], "PersistedQueryNotFound",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    let (status, _) = post(
        &server,
        "application/graphql-response+json",
        json!({"extensions": extension(&hash_of(register))}),
    )
    .await;
    assert_eq!(status, 400);

    // Malformed extensions and a text that is not the hash's: 400, code and field.
    for (extensions, code, field) in [
        (
            json!({"persistedQuery": {"version": 2, "sha256Hash": hash_of(register)}}),
            "INVALID_PERSISTED_QUERY",
            "extensions.persistedQuery.version",
        ),
        (
            json!({"persistedQuery": {"version": 1, "sha256Hash": "0"}}),
            "INVALID_PERSISTED_QUERY",
            "extensions.persistedQuery.sha256Hash",
        ),
        (
            json!({"persistedQuery": []}),
            "INVALID_PERSISTED_QUERY",
            "extensions.persistedQuery",
        ),
        (
            extension(&hash_of("{ __typename }")),
            "PERSISTED_QUERY_HASH_MISMATCH",
            "extensions.persistedQuery.sha256Hash",
        ),
    ] {
        let (status, body) = post(
            &server,
            json,
            json!({"query": register, "variables": {"n": "Refused"}, "extensions": extensions}),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // The mismatched text was not remembered under the other text's hash.
    let (_, body) = post(
        &server,
        json,
        json!({"extensions": extension(&hash_of("{ __typename }"))}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{body}"
    );

    // A text that fails validation is answered as such and not remembered.
    let invalid = "{ nope }";
    let (_, body) = post(
        &server,
        json,
        json!({"query": invalid, "extensions": extension(&hash_of(invalid))}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
    let (_, body) = post(
        &server,
        json,
        json!({"extensions": extension(&hash_of(invalid))}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{body}"
    );

    // A mutation with its text, then by its hash alone with other variables: both recorded.
    let (status, body) = post(&server, json, json!({"query": register, "variables": {"n": "Comune A"}, "extensions": extension(&hash_of(register))})).await;
    assert_eq!(
        (
            status,
            &body["data"]["registerOrganization"]["organization"]["name"]
        ),
        (200, &json!("Comune A")),
        "{body}"
    );
    let (status, body) = post(
        &server,
        json,
        json!({"variables": {"n": "Comune B"}, "extensions": extension(&hash_of(register))}),
    )
    .await;
    assert_eq!(
        (
            status,
            &body["data"]["registerOrganization"]["organization"]["name"]
        ),
        (200, &json!("Comune B")),
        "{body}"
    );
    // Nothing refused above was recorded: two registrations in the log.
    let log = server
        .gql(
            Some(&tests::auditor()),
            "{ auditLog(first: 100) { nodes { eventType } } }",
            json!({}),
        )
        .await;
    let registered = log["data"]["auditLog"]["nodes"]
        .as_array()
        .expect("the audit log")
        .iter()
        .filter(|n| n["eventType"] == "OrganizationRegistered")
        .count();
    assert_eq!(registered, 2, "{log}");
}

/// What the graphql-ws client's sink receives for one operation.
async fn over_graphql_ws(server: &TestServer, query: &str, variables: Value) -> Value {
    let url = server.url.replace("http://", "ws://");
    let out = tests::js::run(
        "operation.mjs",
        &[&url, query, &variables.to_string()],
        "an operation with the graphql-ws client",
    )
    .await;
    serde_json::from_str(out.trim()).expect("the script's JSON")
}

/// An operation that never ran (it does not parse, fails validation, its variables do not
/// coerce) ends in graphql-transport-ws's `error` message, which the graphql-ws client hands to
/// its sink's `error`; an error in a field (a refusal to read) stays in `next`, then `complete`.
#[tokio::test]
async fn graphql_ws_reports_operations_that_never_ran_as_errors() {
    let (_dir, server) = server().await;
    for (query, variables, code) in [
        (
            "subscription { auditLog(",
            json!({}),
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "subscription { nope }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "subscription($after: String) { auditLog(after: $after) { position } }",
            json!({"after": {"not": "a string"}}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ] {
        let seen = over_graphql_ws(&server, query, variables).await;
        assert_eq!(seen["next"], json!([]), "{query}: {seen}");
        assert_eq!(seen["complete"], false, "{query}: {seen}");
        assert_eq!(
            seen["error"][0]["extensions"]["code"], code,
            "{query}: {seen}"
        );
    }
    // Anonymous callers may not follow the audit log: an error at the field, in `next`.
    let seen = over_graphql_ws(&server, "subscription { auditLog { position } }", json!({})).await;
    assert_eq!(seen["error"], Value::Null, "{seen}");
    assert_eq!(
        seen["next"][0]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{seen}"
    );
    assert_eq!(
        seen["next"][0]["errors"][0]["path"],
        json!(["auditLog"]),
        "{seen}"
    );
    assert_eq!(seen["complete"], true, "{seen}");
    // A query over the socket: its answer, then `complete`.
    let seen = over_graphql_ws(&server, "{ __typename }", json!({})).await;
    assert_eq!(
        seen["next"],
        json!([{"data": {"__typename": "Query"}}]),
        "{seen}"
    );
    assert_eq!(seen["complete"], true, "{seen}");

    // On the wire: `error` ends the operation (no `complete` follows), and its id is free
    // for the next one.
    let mut socket = connect(&server).await;
    for message in [
        json!({"type": "connection_init"}),
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { nope }"}}),
    ] {
        socket
            .send(Message::text(message.to_string()))
            .await
            .expect("sent");
    }
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    let error = next_json(&mut socket).await;
    assert_eq!(
        (&error["type"], &error["id"]),
        (&json!("error"), &json!("1")),
        "{error}"
    );
    let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}});
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("sent");
    let next = next_json(&mut socket).await;
    assert_eq!(
        (&next["type"], &next["id"]),
        (&json!("next"), &json!("1")),
        "{next}"
    );
    assert_eq!(
        next_json(&mut socket).await,
        json!({"id": "1", "type": "complete"})
    );
}
