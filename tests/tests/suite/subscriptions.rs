//! Subscriptions with a real graphql-transport-ws client: every event exactly once and in order
//! across a reconnection with the resume cursor; the protocol's close codes.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};
use tokio_tungstenite::tungstenite::Message;

use tests::ws::{connect, next_json, Socket};

async fn subscribe(server: &TestServer, after: Option<i64>) -> Socket {
    let mut socket = connect(server).await;
    socket
        .send(Message::text(
            json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", tests::auditor())}}).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    let query =
        "subscription($after: String) { auditLog(after: $after) { position eventType actor } }";
    socket
        .send(Message::text(
            json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": {"after": after.map(|a| a.to_string())}}}).to_string(),
        ))
        .await
        .unwrap();
    socket
}

async fn receive(socket: &mut Socket, count: usize) -> Vec<i64> {
    let mut positions = Vec::new();
    while positions.len() < count {
        let message = next_json(socket).await;
        assert_eq!(message["type"], "next", "{message}");
        positions.push(
            message["payload"]["data"]["auditLog"]["position"]
                .as_i64()
                .unwrap(),
        );
    }
    positions
}

async fn register(server: &TestServer, name: &str) {
    let body = server
        .gql(Some(&tests::admin()), "mutation($n: String!) { registerOrganization(input: {name: $n, category: COMUNE, territory: \"Torino\"}) { userErrors { code } } }", json!({"n": name}))
        .await;
    assert_eq!(
        body["data"]["registerOrganization"]["userErrors"],
        json!([]),
        "{body}"
    );
}

async fn every_event_once_in_order_across_a_reconnection(server: TestServer) {
    for i in 0..3 {
        register(&server, &format!("Comune {i}")).await;
    }
    let mut socket = subscribe(&server, None).await;
    let mut seen = receive(&mut socket, 3).await;
    // More events while connected.
    for i in 3..5 {
        register(&server, &format!("Comune {i}")).await;
    }
    seen.extend(receive(&mut socket, 2).await);
    // Disconnect, write more, reconnect with the last position.
    socket.close(None).await.ok();
    drop(socket);
    for i in 5..9 {
        register(&server, &format!("Comune {i}")).await;
    }
    let mut socket = subscribe(&server, seen.last().copied()).await;
    seen.extend(receive(&mut socket, 4).await);
    // Nothing more arrives: nothing twice.
    let extra = tokio::time::timeout(Duration::from_millis(700), socket.next()).await;
    assert!(extra.is_err(), "no event is delivered twice: {extra:?}");
    let stored = server.store.read_after(0, 100).await.unwrap();
    let stored: Vec<i64> = stored.iter().map(|e| e.position).collect();
    assert_eq!(seen, stored, "every event exactly once, in order");
}

/// A follower of a network's changes gets each one as soon as the read side shows it, not
/// after its idle wait (500 ms): a commit wakes the stream before the read side (the image,
/// or the entity index the projector writes) shows the change, so the stream also waits for
/// the read side to move. Each change is read within a bound well below that wait (the
/// median of several, so that a loaded machine's single slow one does not decide).
async fn network_changes_arrive_when_readable(server: TestServer) {
    let admin = tests::admin();
    let org = server.register_organization("Capofila").await;
    let network = server.establish_network("Rete", &org, false).await;
    let mut socket = connect(&server).await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {admin}")}}),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    send(&mut socket, json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription($n: ID!) { networkChanges(network: $n) { eventType position } }", "variables": {"n": network}}})).await;
    let first = next_json(&mut socket).await;
    assert_eq!(
        first["payload"]["data"]["networkChanges"]["eventType"], "NetworkEstablished",
        "{first}"
    );
    let mut delays = Vec::new();
    for i in 0..7 {
        let applicant = server.register_organization(&format!("Comune {i}")).await;
        // Let the stream settle into its wait.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let body = server
            .gql(Some(&admin), "mutation($n: ID!, $o: ID!) { applyForMembership(input: {network: $n, organization: $o, effectiveOn: \"2024-01-01\"}) { positions userErrors { code } } }", json!({"n": network, "o": applicant}))
            .await;
        let answered = std::time::Instant::now();
        let position = body["data"]["applyForMembership"]["positions"][0].as_i64();
        let message = next_json(&mut socket).await;
        delays.push(answered.elapsed());
        assert_eq!(
            message["payload"]["data"]["networkChanges"]["position"].as_i64(),
            position,
            "{body} {message}"
        );
    }
    delays.sort();
    assert!(
        delays[delays.len() / 2] < Duration::from_millis(250),
        "a change reaches its follower once readable, not after the idle wait: {delays:?}"
    );
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_event_once_in_order_across_a_reconnection() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::every_event_once_in_order_across_a_reconnection(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn network_changes_arrive_when_readable() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::network_changes_arrive_when_readable(server).await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_event_once_in_order_across_a_reconnection() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::every_event_once_in_order_across_a_reconnection(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn network_changes_arrive_when_readable() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::network_changes_arrive_when_readable(server).await;
    }
}

async fn close_code(socket: &mut Socket) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(Some(frame)))) => return frame.code.into(),
            Some(Ok(Message::Close(None))) | None => panic!("closed without a code"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket error {e}"),
        }
    }
}

/// Sends one graphql-transport-ws message.
async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

/// Starts a subscription that runs until completed (the audit log from now on).
async fn follow(socket: &mut Socket, id: &str) {
    let query = "subscription { auditLog { position } }";
    send(
        socket,
        json!({"id": id, "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
}

#[tokio::test]
async fn a_duplicate_subscription_id_closes_with_4409() {
    let (_dir, store) = tests::sqlite_store().await;
    let server = spawn_server(store, Default::default()).await;
    let mut socket = subscribe(&server, None).await;
    follow(&mut socket, "1").await;
    assert_eq!(close_code(&mut socket).await, 4409);
}

#[tokio::test]
async fn a_connection_holds_a_bounded_number_of_subscriptions() {
    let (_dir, store) = tests::sqlite_store().await;
    let config = graphql::ApiConfig {
        max_subscriptions_per_connection: 2,
        ..Default::default()
    };
    let server = spawn_server(store, config).await;
    // "1" runs (opened by `subscribe`), "2" runs: the connection is full.
    let mut socket = subscribe(&server, None).await;
    follow(&mut socket, "2").await;
    follow(&mut socket, "3").await;
    let refusal = next_json(&mut socket).await;
    assert_eq!(refusal["type"], "error", "{refusal}");
    assert_eq!(refusal["id"], "3", "{refusal}");
    assert_eq!(
        refusal["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS",
        "{refusal}"
    );
    // Completing one makes room: the next operation runs (a query answers and completes).
    send(&mut socket, json!({"id": "1", "type": "complete"})).await;
    send(
        &mut socket,
        json!({"id": "4", "type": "subscribe", "payload": {"query": "{ __typename }"}}),
    )
    .await;
    // (The server acknowledges the completion of "1" first.)
    let mut answer = next_json(&mut socket).await;
    if answer == json!({"id": "1", "type": "complete"}) {
        answer = next_json(&mut socket).await;
    }
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(answer["id"], "4", "{answer}");
    assert_eq!(answer["payload"]["data"]["__typename"], "Query", "{answer}");
    assert_eq!(next_json(&mut socket).await["type"], "complete");
    // And once it completed, its place is free again.
    follow(&mut socket, "5").await;
    let quiet = tokio::time::timeout(Duration::from_millis(500), socket.next()).await;
    assert!(quiet.is_err(), "\"5\" runs without a refusal: {quiet:?}");
}

#[tokio::test]
async fn no_connection_init_in_time_closes_with_4408() {
    let (_dir, store) = tests::sqlite_store().await;
    let config = graphql::ApiConfig {
        connection_init_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let server = spawn_server(store, config).await;
    let mut socket = connect(&server).await;
    assert_eq!(close_code(&mut socket).await, 4408);
}

#[tokio::test]
async fn an_init_with_a_refused_token_closes_with_4403() {
    let (_dir, store) = tests::sqlite_store().await;
    let server = spawn_server(store, Default::default()).await;
    for token in [
        "Bearer not-a-token".to_owned(),
        format!(
            "Bearer {}",
            tests::signed_token("x", &[], 3600, "another-secret-another-secret-1234")
        ),
        format!(
            "Bearer {}",
            tests::signed_token("x", &[], -3600, tests::TEST_SECRET)
        ),
    ] {
        let mut socket = connect(&server).await;
        socket
            .send(Message::text(
                json!({"type": "connection_init", "payload": {"authorization": token}}).to_string(),
            ))
            .await
            .unwrap();
        assert_eq!(close_code(&mut socket).await, 4403, "{token}");
    }
}

#[tokio::test]
async fn the_anonymous_viewer_cannot_follow_the_audit_log() {
    let (_dir, store) = tests::sqlite_store().await;
    let server = spawn_server(store, Default::default()).await;
    let mut socket = connect(&server).await;
    socket
        .send(Message::text(
            json!({"type": "connection_init", "payload": {}}).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    socket
        .send(Message::text(
            json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { auditLog { position } }"}}).to_string(),
        ))
        .await
        .unwrap();
    let message = next_json(&mut socket).await;
    assert_eq!(message["payload"]["data"], Value::Null, "{message}");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{message}"
    );
}

/// The resume cursor is a position of the log: a negative one is the client's mistake,
/// answered with `INVALID_CURSOR` naming `after`, and no stream starts.
#[tokio::test]
async fn a_negative_resume_cursor_is_refused() {
    let (_dir, store) = tests::sqlite_store().await;
    let server = spawn_server(store, Default::default()).await;
    let mut socket = subscribe(&server, Some(-1)).await;
    let message = next_json(&mut socket).await;
    assert_eq!(message["payload"]["data"], Value::Null, "{message}");
    let error = &message["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "INVALID_CURSOR", "{message}");
    assert_eq!(error["extensions"]["argument"], "after", "{message}");
}

async fn node_subscribe(server: &TestServer, after: Option<i64>, count: usize) -> Vec<i64> {
    let url = server.url.replace("http://", "ws://");
    let after = after.map_or("-".to_owned(), |a| a.to_string());
    let count = count.to_string();
    let auditor = tests::auditor();
    tests::js::run(
        "subscribe.mjs",
        &[&url, &after, &count, &auditor],
        "the graphql-ws client",
    )
    .await
    .lines()
    .map(|l| l.trim().parse().unwrap())
    .collect()
}

/// The npm `graphql-ws` client, not only our Rust one: subscribe, disconnect, write, resume.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_graphql_ws_client_resumes_without_loss_or_repeat() {
    let (_dir, store) = tests::sqlite_store().await;
    let server = spawn_server(store, Default::default()).await;
    for i in 0..3 {
        register(&server, &format!("Comune {i}")).await;
    }
    let mut seen = node_subscribe(&server, None, 3).await;
    for i in 3..6 {
        register(&server, &format!("Comune {i}")).await;
    }
    seen.extend(node_subscribe(&server, seen.last().copied(), 3).await);
    let stored: Vec<i64> = server
        .store
        .read_after(0, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.position)
        .collect();
    assert_eq!(seen, stored, "every event exactly once, in order");
}

/// A network's changes stream only to those who read it in full: its coordinator gets them,
/// the coordinator of another network and the anonymous viewer are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn network_changes_stream_only_to_its_readers() {
    let (_dir, store) = tests::sqlite_store().await;
    let server = spawn_server(store, Default::default()).await;
    let admin = tests::admin();
    let org = server
        .gql(Some(&admin), "mutation { registerOrganization(input: {name: \"Capofila\", category: COMUNE, territory: \"T\"}) { organization { id } } }", json!({}))
        .await["data"]["registerOrganization"]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let network = server.establish_network("Rete privata", &org, false).await;
    let other_network = uuid::Uuid::new_v4().to_string();
    for (token, allowed) in [
        (Some(tests::coordinator(&network)), true),
        (Some(tests::coordinator(&other_network)), false),
        (None, false),
    ] {
        let mut socket = connect(&server).await;
        let payload = match &token {
            Some(t) => json!({"authorization": format!("Bearer {t}")}),
            None => json!({}),
        };
        socket
            .send(Message::text(
                json!({"type": "connection_init", "payload": payload}).to_string(),
            ))
            .await
            .unwrap();
        assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
        socket
            .send(Message::text(
                json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription($n: ID!) { networkChanges(network: $n) { eventType payloadJson } }", "variables": {"n": network}}}).to_string(),
            ))
            .await
            .unwrap();
        let message = next_json(&mut socket).await;
        if allowed {
            assert_eq!(
                message["payload"]["data"]["networkChanges"]["eventType"], "NetworkEstablished",
                "{message}"
            );
        } else {
            assert_eq!(message["payload"]["data"], Value::Null, "{message}");
            assert_eq!(
                message["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{message}"
            );
            assert!(!message.to_string().contains("Rete privata"));
        }
    }
}

#[tokio::test]
async fn a_principal_holds_a_bounded_number_of_connections() {
    let (_dir, store) = tests::sqlite_store().await;
    let config = graphql::ApiConfig {
        max_connections_per_principal: 2,
        ..Default::default()
    };
    let server = spawn_server(store, config).await;
    let open = |token: String| {
        let server = &server;
        async move {
            let mut socket = connect(server).await;
            let init = json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}});
            send(&mut socket, init).await;
            socket
        }
    };
    let mut first = open(tests::auditor()).await;
    assert!(acked(&mut first).await);
    let mut second = open(tests::auditor()).await;
    assert!(acked(&mut second).await);
    // A third for the same principal is closed; another principal is not affected.
    let mut third = open(tests::auditor()).await;
    assert_eq!(close_code(&mut third).await, 4429);
    let mut other = open(tests::admin()).await;
    assert!(acked(&mut other).await);
    // Once one of the two ends, its place is free again.
    first.close(None).await.unwrap();
    drop(first);
    let mut again = None;
    for _ in 0..50 {
        let mut socket = open(tests::auditor()).await;
        if acked(&mut socket).await {
            again = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        again.is_some(),
        "a place freed by a closed connection is given again"
    );
}

/// Whether the server acknowledged the connection (false: it closed it).
async fn acked(socket: &mut Socket) -> bool {
    match tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("an answer in time")
    {
        Some(Ok(Message::Text(text))) => {
            serde_json::from_str::<Value>(text.as_str()).unwrap()["type"] == "connection_ack"
        }
        _ => false,
    }
}
