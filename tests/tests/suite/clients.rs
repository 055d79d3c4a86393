//! The tools a frontend team reaches for, against the real server: the reference `graphql`
//! package loads the schema by standard introspection (what GraphiQL, codegen tools and most
//! clients send), the limits that bound ordinary queries still hold, and a client's mistake is
//! answered as the client's, with a code and the argument at fault.

use projections::store::Store;
use serde_json::json;
use tests::{spawn_server, TestServer};

async fn server(store: Store) -> TestServer {
    spawn_server(store, Default::default()).await
}

/// `getIntrospectionQuery()` answers under the limits, and `buildClientSchema` on the answer is
/// the checked-in SDL.
async fn the_reference_graphql_package_loads_the_schema(store: Store) {
    let server = server(store).await;
    let sdl = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/graphql/schema.graphql"
    );
    let answer = tests::js::run(
        "introspect.mjs",
        &[&server.url, sdl],
        "loading the schema with the reference graphql package",
    )
    .await;
    assert_eq!(answer.trim(), "same");
}

/// Introspection has its own bound; everything else keeps the deployment's.
async fn ordinary_queries_and_runaway_introspection_stay_bounded(store: Store) {
    let server = server(store).await;
    // An ordinary query nested past the depth limit (12) is refused.
    let deep = format!(
        "{{ networks {{ nodes {{ coordinator {{ {} id {} }} }} }} }}",
        "successor { ".repeat(12),
        "} ".repeat(12)
    );
    let answer = server.gql(None, &deep, json!({})).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP");
    assert_eq!(answer["errors"][0]["extensions"]["limit"], 12);
    // Introspection nested far past any standard query is refused too.
    let runaway = format!(
        "{{ __schema {{ queryType {{ {} name {} }} }} }}",
        "ofType { ".repeat(20),
        "} ".repeat(20)
    );
    let answer = server.gql(None, &runaway, json!({})).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{answer}");
    // An ordinary field beside a meta-field is an ordinary query, with the ordinary limits.
    let mixed = format!(
        "{{ __typename networks {{ nodes {{ coordinator {{ {} id {} }} }} }} }}",
        "successor { ".repeat(12),
        "} ".repeat(12)
    );
    let answer = server.gql(None, &mixed, json!({})).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{answer}");
    // Copies of a sweep of every type, aliased, within the depth: each alone is allowed, twenty
    // at once ask for megabytes and are refused before they run, alone or beside an ordinary
    // field.
    let sweep =
        "__schema { types { name fields { name args { name type { name ofType { name } } } \
                 type { name ofType { name ofType { name } } } } } }";
    let answer = server.gql(None, &format!("{{ {sweep} }}"), json!({})).await;
    assert!(
        answer["errors"].is_null(),
        "one sweep is answered: {answer}"
    );
    let aliased: String = (0..20).map(|i| format!("a{i}: {sweep} ")).collect();
    for query in [
        format!("{{ {aliased} }}"),
        format!("{{ networks {{ totalCount }} {aliased} }}"),
    ] {
        let answer = server.gql(None, &query, json!({})).await;
        let extensions = &answer["errors"][0]["extensions"];
        assert_eq!(extensions["code"], "QUERY_TOO_COMPLEX", "{answer}");
        assert_eq!(extensions["measure"], "introspection", "{answer}");
        assert!(
            extensions["actual"].as_u64() > extensions["limit"].as_u64(),
            "{answer}"
        );
        assert!(answer["data"].is_null(), "{answer}");
    }
    // Aliased `__typename`s are cheap and answered.
    let typenames: String = (0..2000).map(|i| format!("t{i}: __typename ")).collect();
    let answer = server
        .gql(None, &format!("{{ {typenames} }}"), json!({}))
        .await;
    assert_eq!(answer["data"]["t1999"], "Query", "{answer}");
}

/// The operation to run is the client's to name: a document of several operations without
/// `operationName`, or a name the document lacks, is the client's mistake, with a code and the
/// request's field at fault.
async fn an_operation_that_cannot_be_chosen_is_named_the_clients_mistake(store: Store) {
    let server = server(store).await;
    for (body, message) in [
        (
            json!({"query": "query A { __typename } query B { readPosition }"}),
            "Operation name required",
        ),
        (
            json!({"query": "query A { __typename } query B { readPosition }", "operationName": "C"}),
            "Unknown operation named \"C\"",
        ),
        (
            json!({"query": "{ __typename }", "operationName": "C"}),
            "Unknown operation named \"C\"",
        ),
        (
            json!({"query": "query A { __schema { queryType { name } } }", "operationName": "B"}),
            "Unknown operation named \"B\"",
        ),
    ] {
        let response = server
            .client
            .post(&server.url)
            .json(&body)
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 200, "{body}");
        let answer: serde_json::Value = response.json().await.expect("JSON");
        let error = &answer["errors"][0];
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains(message),
            "{body}: {answer}"
        );
        assert_eq!(
            error["extensions"]["code"], "OPERATION_RESOLUTION_FAILURE",
            "{body}: {answer}"
        );
        assert_eq!(error["extensions"]["field"], "operationName", "{answer}");
    }
}

/// A required variable not sent refuses the whole operation before anything runs: a mutation's
/// first field does not commit while its second is refused.
async fn a_required_variable_not_sent_refuses_the_whole_operation(store: Store) {
    let server = server(store).await;
    let admin = tests::admin();
    let mutation = "mutation($a: RegisterOrganizationInput!, $b: RegisterOrganizationInput!) { \
                    a: registerOrganization(input: $a) { positions } \
                    b: registerOrganization(input: $b) { positions } }";
    let input = json!({"name": "Questura di Asti", "category": "QUESTURA", "territory": "Asti"});
    let before = server.store.count_events().await.expect("counted");
    for graphql in [false, true] {
        let mut request = server
            .client
            .post(&server.url)
            .bearer_auth(&admin)
            .json(&json!({"query": mutation, "variables": {"a": input}}));
        if graphql {
            request = request.header("accept", "application/graphql-response+json");
        }
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        let answer: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(status, if graphql { 400 } else { 200 }, "{answer}");
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
        assert_eq!(error["extensions"]["variable"], "b", "{answer}");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("\"$b\" of required type \"RegisterOrganizationInput!\""),
            "{answer}"
        );
        assert!(answer["data"].is_null(), "{answer}");
    }
    assert_eq!(
        server.store.count_events().await.expect("counted"),
        before,
        "nothing was recorded"
    );
    // Both sent: both run.
    let answer = server
        .gql(
            Some(&admin),
            mutation,
            json!({"a": input, "b": {"name": "Prefettura di Asti", "category": "PREFETTURA", "territory": "Asti"}}),
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(
        server.store.count_events().await.expect("counted"),
        before + 2,
        "{answer}"
    );
}

/// A value validation lets through but no field can take (an `Int` beyond 32 bits, a date that
/// does not parse) refuses the whole operation before anything runs, wherever it stands: in a
/// field of a mutation's answer (a schema-driven fuzzer found the organization registered, then
/// its `timeline(first:)` refused), in the second of two mutations, in a variable; and a string
/// holding U+0000, which PostgreSQL cannot store, wherever it stands.
async fn a_value_no_field_can_take_refuses_the_whole_operation(store: Store) {
    let server = server(store).await;
    let admin = tests::admin();
    let before = server.store.count_events().await.expect("counted");
    let register = "registerOrganization(input: {name: \"Questura di Asti\", category: QUESTURA, territory: \"Asti\"})";
    let cases = [
        (
            format!("mutation {{ {register} {{ organization {{ timeline(first: -16590720385) {{ totalCount }} }} }} }}"),
            json!({}),
            ("first", None),
        ),
        (
            format!("mutation($d: NaiveDate!) {{ a: {register} {{ positions }} b: renameOrganization(input: {{organization: \"T3JnYW5pemF0aW9uOm5vcGU\", name: \"X\", effectiveOn: $d}}) {{ positions }} }}"),
            json!({"d": "13/12/2024"}),
            ("input", Some("input.effectiveOn")),
        ),
        (
            "query($n: Int) { organizations(first: 1) { nodes { timeline(first: $n) { totalCount } } } }".to_owned(),
            json!({"n": 4294967296u64}),
            ("first", None),
        ),
        // U+0000, which PostgreSQL stores neither in `text` nor in `jsonb`: a filter sent it
        // into a statement (`INTERNAL` on PostgreSQL), a mutation's input into an event.
        (
            "query($t: String) { auditLog(filter: {eventType: $t}, first: 1) { nodes { position } } }".to_owned(),
            json!({"t": "OrganizationRegistered\u{0}"}),
            ("filter", Some("filter.eventType")),
        ),
        (
            format!("mutation($n: String!) {{ a: {register} {{ positions }} b: registerOrganization(input: {{name: $n, category: QUESTURA, territory: \"Asti\"}}) {{ positions }} }}"),
            json!({"n": "Questura\u{0}di Alba"}),
            ("input", Some("input.name")),
        ),
    ];
    for (query, variables, (argument, field)) in cases {
        let answer = server.gql(Some(&admin), &query, variables).await;
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
        assert_eq!(error["extensions"]["argument"], argument, "{answer}");
        assert_eq!(error["extensions"]["field"].as_str(), field, "{answer}");
        assert!(answer["data"].is_null(), "{answer}");
    }
    assert_eq!(
        server.store.count_events().await.expect("counted"),
        before,
        "nothing was recorded"
    );
}

/// An `Idempotency-Key` that cannot be honoured (not printable ASCII, empty, over 200
/// characters, sent twice) is refused with a code, and nothing is recorded: it was ignored, so
/// a retry the client believed protected was recorded twice.
async fn an_idempotency_key_that_cannot_be_honoured_is_refused(store: Store) {
    let server = server(store).await;
    let admin = tests::admin();
    let before = server.store.count_events().await.expect("counted");
    let body = json!({"query": "mutation { registerOrganization(input: {name: \"Questura di Asti\", category: QUESTURA, territory: \"Asti\"}) { positions } }"});
    let long = "k".repeat(201);
    let cases: [&[&[u8]]; 4] = [
        &["clé-42".as_bytes()],
        &[b"   "],
        &[long.as_bytes()],
        &[b"retry-1", b"retry-2"],
    ];
    for values in cases {
        for _attempt in 0..2 {
            let mut request = server
                .client
                .post(&server.url)
                .bearer_auth(&admin)
                .json(&body);
            for value in values {
                request = request.header(
                    "idempotency-key",
                    reqwest::header::HeaderValue::from_bytes(value).expect("a header value"),
                );
            }
            let response = request.send().await.expect("answered");
            assert_eq!(response.status(), 400, "{values:?}");
            let answer: serde_json::Value = response.json().await.expect("JSON");
            assert_eq!(
                answer["errors"][0]["extensions"]["code"], "INVALID_IDEMPOTENCY_KEY",
                "{values:?}: {answer}"
            );
        }
    }
    assert_eq!(
        server.store.count_events().await.expect("counted"),
        before,
        "nothing was recorded"
    );
    // A key of 200 characters, with spaces around it, is honoured: the retry writes nothing.
    let key = format!("  {}  ", "k".repeat(200));
    let mut positions = Vec::new();
    for _attempt in 0..2 {
        let answer: serde_json::Value = server
            .client
            .post(&server.url)
            .bearer_auth(&admin)
            .header("idempotency-key", key.as_str())
            .json(&body)
            .send()
            .await
            .expect("answered")
            .json()
            .await
            .expect("JSON");
        positions.push(answer["data"]["registerOrganization"]["positions"].clone());
    }
    assert_eq!(positions[0], positions[1]);
    assert_eq!(
        server.store.count_events().await.expect("counted"),
        before + 1
    );
}

/// GraphQL's `Int` is 32 bits, and a typed client (Python's `gql` parsing results, Apollo
/// Kotlin) refuses an `Int` beyond: on PostgreSQL every position passes 2^31 after the first
/// two thousand transactions, so every field that answers one is a `Position`, and answers it
/// as a JSON number.
async fn positions_are_not_32_bit_ints(store: Store) {
    if let projections::store::Backend::Postgres(pool) = store.backend() {
        // As on a cluster that has run a few thousand transactions (each of these takes one).
        let mut xid = 0;
        while xid < 2_100 {
            xid = sqlx::query_scalar::<_, i64>("SELECT pg_current_xact_id()::text::bigint")
                .fetch_one(pool)
                .await
                .expect("a transaction id");
        }
    }
    let server = server(store).await;
    let admin = tests::admin();
    let answer = server
        .gql(
            Some(&admin),
            "mutation { registerOrganization(input: {name: \"Questura di Asti\", category: QUESTURA, territory: \"Asti\"}) { positions } } ",
            json!({}),
        )
        .await;
    let position = answer["data"]["registerOrganization"]["positions"][0]
        .as_i64()
        .unwrap_or_else(|| panic!("a JSON number: {answer}"));
    if matches!(
        server.store.backend(),
        projections::store::Backend::Postgres(_)
    ) {
        assert!(position > i64::from(i32::MAX), "{answer}");
    }
    let named = |ty: &serde_json::Value| -> String {
        let mut ty = ty;
        while ty["name"].is_null() {
            ty = &ty["ofType"];
        }
        ty["name"].as_str().unwrap_or_default().to_owned()
    };
    let fields = "fields { name type { name ofType { name ofType { name ofType { name } } } } }";
    for (ty, field) in [
        ("RegisterOrganizationPayload", "positions"),
        ("HistoryEntry", "position"),
        ("OrganizationRegisteredEntry", "position"),
        ("Integrity", "headPosition"),
        ("SignedCheckpoint", "position"),
        ("Query", "readPosition"),
    ] {
        let answer = server
            .gql(
                None,
                &format!("{{ __type(name: \"{ty}\") {{ {fields} }} }}"),
                json!({}),
            )
            .await;
        let found = answer["data"]["__type"]["fields"]
            .as_array()
            .and_then(|all| all.iter().find(|f| f["name"] == field))
            .unwrap_or_else(|| panic!("{ty}.{field}: {answer}"));
        assert_eq!(named(&found["type"]), "Position", "{ty}.{field}");
    }
}

/// GraphQL over HTTP as its specification's own audit (the reference `graphql-http` package)
/// checks it: every MUST and SHOULD, among them `application/json` answers for clients that ask
/// for nothing more, and with `application/graphql-response+json` a 400 without `data` for a
/// request that never ran.
async fn the_graphql_over_http_audit_passes(store: Store) {
    let server = server(store).await;
    let report = tests::js::run(
        "http-audit.mjs",
        &[&server.url],
        "the graphql-http audit of GraphQL over HTTP",
    )
    .await;
    assert!(report.contains(" 0 failed"), "{report}");
    // The same by hand: the media type follows `Accept`, and a field's error is not a request
    // error.
    let send = |accept: &'static str, query: &'static str| {
        let (client, url) = (server.client.clone(), server.url.clone());
        async move {
            let response = client
                .post(&url)
                .header("accept", accept)
                .json(&json!({ "query": query }))
                .send()
                .await
                .expect("an answer");
            let status = response.status().as_u16();
            let media = response.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .to_owned();
            let body: serde_json::Value = response.json().await.expect("JSON");
            (status, media, body)
        }
    };
    let (status, media, body) = send("application/json", "{ __typename }").await;
    assert_eq!(
        (status, media.as_str()),
        (200, "application/json"),
        "{body}"
    );
    let graphql = "application/graphql-response+json";
    let (status, media, body) = send(graphql, "{ __typename").await;
    assert_eq!((status, media.as_str()), (400, graphql), "{body}");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
    let (status, _, body) = send("application/json", "{ __typename").await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = send(graphql, "{ auditLog(first: 1000) { totalCount } }").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("data").is_some(), "{body}");
}

/// The code and the argument an answer's first error names.
fn refusal(answer: &serde_json::Value) -> (String, String) {
    let extensions = &answer["errors"][0]["extensions"];
    (
        extensions["code"].as_str().unwrap_or("none").to_owned(),
        extensions["argument"].as_str().unwrap_or("none").to_owned(),
    )
}

/// A query, its variables, the token it is sent with, and the code and argument it must get.
type Case<'a> = (
    &'a str,
    serde_json::Value,
    Option<&'a str>,
    (&'a str, &'a str),
);

/// A client's mistake is answered as one: a code, the argument at fault, nothing masked.
async fn client_mistakes_are_client_errors_with_a_code(store: Store) {
    let server = server(store).await;
    let admin = tests::admin();
    let auditor = tests::auditor();
    let network = "TmV0d29yazowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA";
    let cases: Vec<Case> = vec![
        // A date in the wrong format, as a literal and in a variable.
        (
            "query($id: ID!) { network(id: $id, effectiveOn: \"13/12/2024\") { name } }",
            json!({"id": network}),
            None,
            ("BAD_USER_INPUT", "effectiveOn"),
        ),
        (
            "query($id: ID!, $d: NaiveDate) { network(id: $id, effectiveOn: $d) { name } }",
            json!({"id": network, "d": "2024-12-13T10:00:00Z"}),
            None,
            ("BAD_USER_INPUT", "effectiveOn"),
        ),
        // Dates outside RFC 3339's `full-date` (the scalar's @specifiedBy): a five-digit
        // year, a month or day of one digit.
        (
            "query($id: ID!) { network(id: $id, effectiveOn: \"+10000-01-01\") { name } }",
            json!({"id": network}),
            None,
            ("BAD_USER_INPUT", "effectiveOn"),
        ),
        (
            "query($id: ID!, $d: NaiveDate) { network(id: $id, effectiveOn: $d) { name } }",
            json!({"id": network, "d": "2024-1-5"}),
            None,
            ("BAD_USER_INPUT", "effectiveOn"),
        ),
        // An instant without a zone.
        (
            "query($id: ID!) { network(id: $id, asOf: \"2024-01-01T10:00:00\") { name } }",
            json!({"id": network}),
            None,
            ("BAD_USER_INPUT", "asOf"),
        ),
        // A malformed cursor, in a list and in a history.
        (
            "{ organizations(after: \"zzz\") { totalCount } }",
            json!({}),
            None,
            ("INVALID_CURSOR", "after"),
        ),
        (
            "{ auditLog(before: \"yesterday\") { totalCount } }",
            json!({}),
            Some(admin.as_str()),
            ("INVALID_CURSOR", "before"),
        ),
        // A history's cursor is a position of the log, a whole number from 0.
        (
            "{ auditLog(after: \"-1\") { totalCount } }",
            json!({}),
            Some(admin.as_str()),
            ("INVALID_CURSOR", "after"),
        ),
        (
            "{ auditLog(before: \"-5\") { totalCount } }",
            json!({}),
            Some(admin.as_str()),
            ("INVALID_CURSOR", "before"),
        ),
        // A date inside a mutation's input.
        (
            "mutation($i: RenameOrganizationInput!) { renameOrganization(input: $i) { userErrors { code } } }",
            json!({"i": {"organization": network, "name": "Comune", "effectiveOn": "31/12/2020"}}),
            Some(admin.as_str()),
            ("BAD_USER_INPUT", "input"),
        ),
        // A document that does not parse, and one that does not validate.
        ("{ networks { ", json!({}), None, ("GRAPHQL_PARSE_FAILED", "none")),
        // A subscription sent by POST: it runs over graphql-transport-ws only.
        (
            "subscription { auditLog { position } }",
            json!({}),
            Some(auditor.as_str()),
            ("SUBSCRIPTION_NEEDS_WEBSOCKET", "none"),
        ),
        (
            "{ nosuchfield }",
            json!({}),
            None,
            ("GRAPHQL_VALIDATION_FAILED", "none"),
        ),
        // A refusal about an argument names it, from validation or from the resolver.
        (
            "{ network { name } }",
            json!({}),
            None,
            ("GRAPHQL_VALIDATION_FAILED", "id"),
        ),
        (
            "{ networks(frist: 3) { totalCount } }",
            json!({}),
            None,
            ("GRAPHQL_VALIDATION_FAILED", "frist"),
        ),
        (
            "{ network(id: \"Comune di Bra\") { name } }",
            json!({}),
            None,
            ("INVALID_ID", "id"),
        ),
        (
            "{ networks(first: 500) { totalCount } }",
            json!({}),
            None,
            ("PAGE_TOO_LARGE", "first"),
        ),
    ];
    for (query, variables, token, expected) in cases {
        let answer = server.gql(token, query, variables).await;
        assert_eq!(
            refusal(&answer),
            (expected.0.to_owned(), expected.1.to_owned()),
            "{query}: {answer}"
        );
        let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(!message.contains("internal error"), "{query}: {answer}");
    }
    // A field inside an input object is named from its argument, left out or not an id.
    for (query, token, field) in [
        (
            "mutation { renameOrganization(input: {name: \"Comune\"}) { userErrors { code } } }",
            Some(admin.as_str()),
            "input.organization",
        ),
        (
            "{ auditLog(filter: {network: \"Comune di Bra\"}) { totalCount } }",
            Some(admin.as_str()),
            "filter.network",
        ),
    ] {
        let answer = server.gql(token, query, json!({})).await;
        let extensions = &answer["errors"][0]["extensions"];
        let argument = field.split('.').next().unwrap();
        assert_eq!(extensions["argument"], argument, "{query}: {answer}");
        assert_eq!(extensions["field"], field, "{query}: {answer}");
        assert_eq!(answer["data"], serde_json::Value::Null, "{query}: {answer}");
    }
}

/// The fields of an answer come in the order the query selected them, every time (the roots
/// are resolved concurrently).
async fn answers_come_in_selection_order(store: Store) {
    let server = server(store).await;
    let query = "{ readPosition organizations(first: 1) { totalCount nodes { id } } \
                 n: networks(first: 1) { nodes { id } totalCount } __typename }";
    for _ in 0..20 {
        let text = server
            .client
            .post(&server.url)
            .json(&json!({"query": query}))
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .expect("a body");
        assert_eq!(
            text,
            r#"{"data":{"readPosition":0,"organizations":{"totalCount":0,"nodes":[]},"n":{"nodes":[],"totalCount":0},"__typename":"Query"}}"#
        );
    }
}

/// The same operation text sent again (the server keeps its parsed form) answers for its
/// own variables each time: what `@include`/`@skip` select, which object, and a mistake in
/// the text is refused every time, not only the first.
async fn a_repeated_operation_answers_for_its_own_variables(store: Store) {
    let server = server(store).await;
    let admin = tests::admin();
    let asti = server.register_organization("Comune di Asti").await;
    let alba = server.register_organization("Comune di Alba").await;
    let query = "query($o: ID!, $x: Boolean!) { organization(id: $o) { name territory @include(if: $x) id @skip(if: $x) } }";
    for (id, name, x) in [
        (&asti, "Comune di Asti", true),
        (&alba, "Comune di Alba", false),
        (&asti, "Comune di Asti", false),
        (&alba, "Comune di Alba", true),
    ] {
        let body = server
            .gql(Some(&admin), query, json!({"o": id, "x": x}))
            .await;
        let organization = &body["data"]["organization"];
        assert_eq!(organization["name"], name, "{body}");
        assert_eq!(organization.get("territory").is_some(), x, "{body}");
        assert_eq!(organization.get("id").is_some(), !x, "{body}");
    }
    let broken = "query { organization(id: \"x\") { name ";
    for _ in 0..2 {
        let body = server.gql(Some(&admin), broken, json!({})).await;
        assert!(body["errors"][0]["message"].is_string(), "{body}");
        assert!(
            body.get("data").is_none_or(serde_json::Value::is_null),
            "{body}"
        );
    }
    let unknown = "{ organizations(first: 1) { nodes { nosuchfield } } }";
    for _ in 0..2 {
        let body = server.gql(Some(&admin), unknown, json!({})).await;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("nosuchfield")),
            "{body}"
        );
    }
}

/// A payload answers what was selected of it, however it was selected: without its object
/// (positions and errors only, the object is not read) or with it through a fragment.
async fn payloads_answer_what_was_selected(store: Store) {
    let server = server(store).await;
    let admin = tests::admin();
    let bare = server
        .gql(
            Some(&admin),
            "mutation { registerOrganization(input: {name: \"Comune di Asti\", category: COMUNE, \
             territory: \"Asti\"}) { positions userErrors { code } __typename } }",
            json!({}),
        )
        .await;
    let payload = &bare["data"]["registerOrganization"];
    assert_eq!(
        payload["positions"].as_array().map(Vec::len),
        Some(1),
        "{bare}"
    );
    assert_eq!(payload["userErrors"], json!([]));
    assert!(
        payload.get("organization").is_none(),
        "not selected: {bare}"
    );
    let fragment = server
        .gql(
            Some(&admin),
            "mutation { registerOrganization(input: {name: \"Comune di Alba\", category: COMUNE, \
             territory: \"Alba\"}) { ...Done } } \
             fragment Done on RegisterOrganizationPayload { positions ... on RegisterOrganizationPayload { organization { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        fragment["data"]["registerOrganization"]["organization"]["name"], "Comune di Alba",
        "{fragment}"
    );
}

/// Sends raw bytes as one HTTP/1.1 request and answers the status and the body.
async fn raw_http(url: &str, head: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    let request =
        format!("POST /graphql HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{head}\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("head sent");
    // The server may answer (and close) before reading a large body: a failed write is fine.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

/// The edges of the protocol: malformed bodies, other media types and oversized bodies are
/// refused with a GraphQL-shaped error and a code, never the server's debug text.
async fn malformed_requests_are_refused_in_graphql_terms(store: Store) {
    let server = server(store).await;
    let post = |content_type: &'static str, body: &'static [u8]| {
        let client = server.client.clone();
        let url = server.url.clone();
        async move {
            let response = client
                .post(&url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("an answer");
            let status = response.status().as_u16();
            let text = response.text().await.expect("a body");
            (status, text)
        }
    };
    for (content_type, body, status, code) in [
        (
            "application/json",
            &br#"{"query": "\ud800"}"#[..],
            400,
            "BAD_REQUEST",
        ),
        ("application/json", &b"[1, 2]"[..], 400, "BAD_REQUEST"),
        ("application/json", &b"{\"query\": "[..], 400, "BAD_REQUEST"),
        (
            "application/json; charset=utf-8",
            &br#"{"variables": {}}"#[..],
            400,
            "BAD_REQUEST",
        ),
        (
            "text/plain",
            &br#"{"query": "{ __typename }"}"#[..],
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "application/x-www-form-urlencoded",
            &b"query=%7B__typename%7D"[..],
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
    ] {
        let (answered, text) = post(content_type, body).await;
        assert_eq!(answered, status, "{content_type} {body:?}: {text}");
        let answer: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("a GraphQL-shaped answer: {text}"));
        assert_eq!(answer["errors"][0]["extensions"]["code"], code, "{text}");
        for debug in ["InvalidRequest(", "Error(", "BatchRequest", "untagged"] {
            assert!(!text.contains(debug), "{debug} in {text}");
        }
    }
    // A body over the limit is 413, with a length or chunked.
    let big = vec![b' '; 10 * 1024 * 1024];
    let (status, text) = raw_http(
        &server.url,
        &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            big.len()
        ),
        &big,
    )
    .await;
    assert_eq!(status, 413, "{text}");
    // GraphQL-shaped, as every refusal (the body limit answered plain text before).
    let code = |text: &str| -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(text)
            .map(|body| body["errors"][0]["extensions"]["code"].clone())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    assert_eq!(code(&text), "PAYLOAD_TOO_LARGE");
    let mut chunked = Vec::new();
    for _ in 0..160 {
        chunked.extend_from_slice(b"10000\r\n");
        chunked.extend_from_slice(&[b' '; 0x10000]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, text) = raw_http(
        &server.url,
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
        &chunked,
    )
    .await;
    assert_eq!(status, 413, "chunked: {text}");
    assert_eq!(code(&text), "PAYLOAD_TOO_LARGE");
}

/// With introspection switched off, the standard query is refused, not answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn introspection_switched_off_answers_nothing() {
    let (_dir, store) = tests::sqlite_store().await;
    let config = graphql::ApiConfig {
        introspection: false,
        ..Default::default()
    };
    let server = spawn_server(store, config).await;
    let answer = server
        .gql(None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(
        answer["data"]["__schema"],
        serde_json::Value::Null,
        "{answer}"
    );
}

/// List cursors are opaque: a client pages with the cursors it was given, and a cursor it
/// builds itself (a bare offset) is refused. A list that grows between two pages goes on
/// after the item of the cursor, forwards and backwards: nothing repeated, nothing skipped.
async fn list_cursors_are_opaque_and_page_through(store: Store) {
    let server = server(store).await;
    for name in ["Comune di Asti", "Comune di Biella", "Comune di Cuneo"] {
        server.register_organization(name).await;
    }
    let page = |after: serde_json::Value| {
        let server = &server;
        async move {
            server
                .gql(
                    Some(&tests::admin()),
                    "query($a: String) { organizations(first: 2, after: $a, orderBy: {field: NAME}) {
                        edges { cursor node { name } } pageInfo { endCursor hasNextPage } } }",
                    json!({ "a": after }),
                )
                .await
        }
    };
    let first = page(json!(null)).await;
    let list = &first["data"]["organizations"];
    assert_eq!(list["pageInfo"]["hasNextPage"], true, "{first}");
    for edge in list["edges"].as_array().unwrap() {
        let cursor = edge["cursor"].as_str().unwrap();
        assert!(cursor.parse::<i64>().is_err(), "a bare offset: {first}");
    }
    // Registered between the pages, before them in the order.
    server.register_organization("Comune di Alba").await;
    let second = page(list["pageInfo"]["endCursor"].clone()).await;
    let rest = &second["data"]["organizations"];
    assert_eq!(rest["edges"].as_array().unwrap().len(), 1, "{second}");
    assert_eq!(
        rest["edges"][0]["node"]["name"], "Comune di Cuneo",
        "{second}"
    );
    assert_eq!(rest["pageInfo"]["hasNextPage"], false, "{second}");
    // Backwards from Cuneo, once another came just before it.
    server.register_organization("Comune di Bra").await;
    let back = server
        .gql(
            Some(&tests::admin()),
            "query($b: String) { organizations(last: 2, before: $b) { nodes { name } } }",
            json!({ "b": rest["edges"][0]["cursor"] }),
        )
        .await;
    assert_eq!(
        back["data"]["organizations"]["nodes"],
        json!([{"name": "Comune di Biella"}, {"name": "Comune di Bra"}]),
        "{back}"
    );
    let built = page(json!("1")).await;
    assert_eq!(
        built["errors"][0]["extensions"]["code"], "INVALID_CURSOR",
        "{built}"
    );
}

/// Names and titles are screened as free text is: personal identifiers are refused, and so
/// are invisible and direction-changing characters; nothing is recorded.
async fn names_are_screened_like_free_text(store: Store) {
    let server = server(store).await;
    let cases = [
        ("name", "Sportello RSSMRA85T10A562S", "PERSONAL_DATA"),
        ("territory", "Torino, tel. 011 4321 5678", "PERSONAL_DATA"),
        ("name", "Comune di \u{202E}oniroT", "INVALID_VALUE"),
        ("name", "Comune\u{200B} di Torino", "INVALID_VALUE"),
        ("territory", "\u{2066}Torino\u{2069}", "INVALID_VALUE"),
    ];
    for (field, value, code) in cases {
        let mut input =
            json!({"name": "Comune di Torino", "category": "COMUNE", "territory": "Torino"});
        input[field] = json!(value);
        let answer = server
            .gql(
                Some(&tests::admin()),
                "mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) {
                    organization { id } userErrors { field code message } } }",
                json!({ "i": input }),
            )
            .await;
        let payload = &answer["data"]["registerOrganization"];
        assert_eq!(payload["organization"], json!(null), "{answer}");
        assert_eq!(
            payload["userErrors"][0]["code"], code,
            "{value:?}: {answer}"
        );
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", field]),
            "{answer}"
        );
    }
    let none = server
        .gql(
            Some(&tests::auditor()),
            "{ organizations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(none["data"]["organizations"]["totalCount"], 0, "{none}");
}

/// A field the caller may not read is null with FORBIDDEN at its path; the rest of the answer
/// (the object, its other fields, the other objects) stands.
async fn refused_fields_are_null_with_an_error_at_their_path(store: Store) {
    let server = server(store).await;
    let coordinator = server.register_organization("Comune di Asti").await;
    let network = server
        .must(
            &tests::admin(),
            "establishNetwork",
            json!({"name": "Rete di Asti", "kind": "TERRITORIAL_NETWORK", "territory": "Asti",
                   "coordinator": coordinator, "establishedOn": "2015-01-01", "public": true}),
            "network { id }",
        )
        .await["network"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = server
        .gql(
            None,
            "query($n: ID!) { network(id: $n) { name protocols { totalCount } timeline { totalCount } public } }",
            json!({ "n": network }),
        )
        .await;
    let shown = &answer["data"]["network"];
    assert_eq!(shown["name"], "Rete di Asti", "{answer}");
    assert_eq!(shown["public"], true, "{answer}");
    for field in ["protocols", "timeline"] {
        assert!(
            shown.as_object().unwrap().contains_key(field) && shown[field].is_null(),
            "{field} is present and null: {answer}"
        );
        let error = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["path"] == json!(["network", field]))
            .unwrap_or_else(|| panic!("an error at {field}: {answer}"));
        assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{answer}");
    }
}

tests::on_both_backends!(
    refused_fields_are_null_with_an_error_at_their_path,
    names_are_screened_like_free_text,
    list_cursors_are_opaque_and_page_through,
    the_reference_graphql_package_loads_the_schema,
    ordinary_queries_and_runaway_introspection_stay_bounded,
    client_mistakes_are_client_errors_with_a_code,
    answers_come_in_selection_order,
    payloads_answer_what_was_selected,
    a_repeated_operation_answers_for_its_own_variables,
    malformed_requests_are_refused_in_graphql_terms,
    an_operation_that_cannot_be_chosen_is_named_the_clients_mistake,
    the_graphql_over_http_audit_passes,
    a_required_variable_not_sent_refuses_the_whole_operation,
    a_value_no_field_can_take_refuses_the_whole_operation,
    positions_are_not_32_bit_ints,
    an_idempotency_key_that_cannot_be_honoured_is_refused,
);
