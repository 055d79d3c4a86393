//! Resilience, each case bounded in time: PostgreSQL stopped and restarted under a stream of
//! mutations (the server recovers on its own, nothing answered is lost), 64 concurrent
//! conflicting commands through the API keep every invariant, and hundreds of writers on one
//! aggregate through two servers sharing one database are all served (no spurious conflict). (Killing the server with
//! SIGKILL is in `cmd/tests/resilience.rs`, which drives the built binary.)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tests::postgres::PrivateCluster;

async fn register(server: &tests::TestServer, admin: &str, name: &str) -> bool {
    let body = server
        .gql(Some(admin), "mutation($n: String!) { registerOrganization(input: {name: $n, category: COMUNE, territory: \"T\"}) { organization { id } userErrors { code } } }", json!({"n": name}))
        .await;
    body["data"]["registerOrganization"]["organization"]["id"].is_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarts_under_load_and_the_server_recovers_losing_nothing() {
    let cluster = PrivateCluster::start();
    let store = tests::open(&cluster.url()).await;
    let server = Arc::new(tests::spawn_server(store, Default::default()).await);
    let admin = tests::admin();
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (server, admin, answered, failed, stop) = (
            server.clone(),
            admin.clone(),
            answered.clone(),
            failed.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let name = format!("Ente {w}-{i}");
                i += 1;
                if register(&server, &admin, &name).await {
                    answered.lock().unwrap().push(name);
                } else {
                    *failed.lock().unwrap() += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let before_restart = answered.lock().unwrap().len();
    assert!(before_restart > 0, "writes went through before the restart");
    cluster.down();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.up();
    let restarted = Instant::now();
    // The server recovers on its own: writes succeed again within seconds.
    let recovered = loop {
        let count = answered.lock().unwrap().len();
        if count > before_restart + 20 {
            break restarted.elapsed();
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(30),
            "no successful write within 30 s of the restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(
        recovered < Duration::from_secs(15),
        "recovered in {recovered:?}"
    );
    assert!(
        *failed.lock().unwrap() > 0,
        "the outage was felt by the clients"
    );
    // Nothing answered is lost: every answered organization is in the store and the read side.
    let answered = answered.lock().unwrap().clone();
    let events = server.store.export_after(0, 1_000_000, None).await.unwrap();
    let stored: std::collections::HashSet<String> = events
        .iter()
        .filter_map(|e| {
            e.payload["OrganizationRegistered"]["name"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    for name in &answered {
        assert!(
            stored.contains(name),
            "{name} was answered but is not stored"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let head = server.store.head_position().await.unwrap();
    let read = projections::queries::ReadModels::new(server.store.clone());
    while read.position().await.unwrap() < head {
        assert!(
            Instant::now() < deadline,
            "the read side caught up after the restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listed = read
        .organizations(projections::queries::AsOf::Now)
        .await
        .unwrap();
    assert_eq!(listed.len(), stored.len(), "read side = log");
}

/// 64 clients approve the same application at once, and 64 register the same tax code: one
/// of each succeeds, every other gets a typed refusal, no client sees an internal error.
async fn conflicting_commands_keep_every_invariant(server: tests::TestServer) {
    let admin = tests::admin();
    let org = |name: &str| {
        let name = name.to_owned();
        let server = &server;
        let admin = admin.clone();
        async move {
            server
                .gql(Some(&admin), "mutation($n: String!) { registerOrganization(input: {name: $n, category: COMUNE, territory: \"T\"}) { organization { id } } }", json!({"n": name}))
                .await["data"]["registerOrganization"]["organization"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let coordinator_org = org("Capofila").await;
    let member = org("Aderente").await;
    let network = server
        .establish_network("Rete", &coordinator_org, true)
        .await;
    let body = server
        .gql(Some(&tests::referent(&member)), "mutation($n: ID!, $o: ID!) { applyForMembership(input: {network: $n, organization: $o, effectiveOn: \"2020-02-01\"}) { userErrors { code } } }", json!({"n": network, "o": member}))
        .await;
    assert_eq!(body["data"]["applyForMembership"]["userErrors"], json!([]));
    let coordinator = tests::coordinator(&network);
    let server = Arc::new(server);
    let mut calls = Vec::new();
    for i in 0..128 {
        let (server, coordinator, admin, network, member) = (
            server.clone(),
            coordinator.clone(),
            admin.clone(),
            network.clone(),
            member.clone(),
        );
        calls.push(tokio::spawn(async move {
            if i % 2 == 0 {
                server
                    .gql(Some(&coordinator), "mutation($n: ID!, $o: ID!) { approveMembership(input: {network: $n, organization: $o, effectiveOn: \"2020-03-01\"}) { positions userErrors { code } } }", json!({"n": network, "o": member}))
                    .await["data"]["approveMembership"]
                    .clone()
            } else {
                server
                    .gql(Some(&admin), "mutation { registerOrganization(input: {name: \"Stesso codice\", category: COMUNE, territory: \"T\", taxCode: \"01907990012\"}) { positions userErrors { code } } }", json!({}))
                    .await["data"]["registerOrganization"]
                    .clone()
            }
        }));
    }
    let mut outcomes: Vec<Value> = Vec::new();
    for call in calls {
        outcomes.push(call.await.unwrap());
    }
    for (kind, range) in [("approve", 0), ("register", 1)] {
        let mine: Vec<&Value> = outcomes.iter().skip(range).step_by(2).collect();
        let succeeded = mine
            .iter()
            .filter(|o| {
                o["userErrors"] == json!([]) && !o["positions"].as_array().unwrap().is_empty()
            })
            .count();
        let refused: Vec<&Value> = mine
            .iter()
            .filter(|o| o["userErrors"] != json!([]))
            .copied()
            .collect();
        assert_eq!(succeeded, 1, "{kind}: exactly one succeeds: {mine:?}");
        assert_eq!(
            succeeded + refused.len(),
            64,
            "{kind}: every other is refused: {mine:?}"
        );
        for r in refused {
            let code = r["userErrors"][0]["code"].as_str().unwrap();
            assert!(
                ["ALREADY_MEMBER", "TAX_CODE_IN_USE", "ALREADY_REGISTERED"].contains(&code)
                    || code.ends_with("_IN_USE"),
                "{kind}: typed refusal, got {r}"
            );
        }
    }
    // The invariants hold in the store: one approval event, one organization with that code.
    let events = server.store.export_after(0, 100_000, None).await.unwrap();
    let approvals = events
        .iter()
        .filter(|e| e.event_type == "MembershipApproved")
        .count();
    let with_code = events
        .iter()
        .filter(|e| e.payload["OrganizationRegistered"]["tax_code"] == "01907990012")
        .count();
    assert_eq!((approvals, with_code), (1, 1));
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn conflicting_commands_keep_every_invariant() {
        let server = tests::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::conflicting_commands_keep_every_invariant(server).await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn conflicting_commands_keep_every_invariant() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = tests::spawn_server(store, Default::default()).await;
        super::conflicting_commands_keep_every_invariant(server).await;
    }
}

/// 256 coordinators' and members' mutations at once on one network, through two servers that
/// share one PostgreSQL database (each with its own command lanes, as two processes have):
/// every command whose preconditions hold succeeds, none is refused with a conflict, and the
/// network's log holds each application and approval once, in an unbroken sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_through_two_servers_on_one_database_are_all_served() {
    const WRITERS: usize = 256;
    let (url, first) = tests::postgres_store_at().await;
    let servers = Arc::new([
        tests::spawn_server(first, Default::default()).await,
        tests::spawn_server(tests::open(&url).await, Default::default()).await,
    ]);
    let admin = tests::admin();
    let mut organizations = Vec::new();
    for i in 0..=WRITERS {
        let body = servers[i % 2]
            .gql(Some(&admin), "mutation($n: String!) { registerOrganization(input: {name: $n, category: COMUNE, territory: \"T\"}) { organization { id } } }", json!({"n": format!("Ente {i}")}))
            .await;
        organizations.push(
            body["data"]["registerOrganization"]["organization"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned(),
        );
    }
    let coordinator_org = organizations.pop().unwrap();
    let network = servers[0]
        .gql(Some(&admin), "mutation($c: ID!) { establishNetwork(input: {name: \"Rete\", kind: INTERINSTITUTIONAL_TABLE, territory: \"T\", coordinator: $c, establishedOn: \"2020-01-01\", public: true}) { network { id } } }", json!({"c": coordinator_org}))
        .await["data"]["establishNetwork"]["network"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let coordinator = tests::coordinator(&network);
    for (mutation, query) in [
        ("applyForMembership", "mutation($n: ID!, $o: ID!) { applyForMembership(input: {network: $n, organization: $o, effectiveOn: \"2020-02-01\"}) { positions userErrors { code message } } }"),
        ("approveMembership", "mutation($n: ID!, $o: ID!) { approveMembership(input: {network: $n, organization: $o, effectiveOn: \"2020-03-01\"}) { positions userErrors { code message } } }"),
    ] {
        let mut calls = Vec::new();
        for (i, member) in organizations.iter().enumerate() {
            let token = match mutation {
                "applyForMembership" => tests::referent(member),
                _ => coordinator.clone(),
            };
            let (servers, network, member) = (servers.clone(), network.clone(), member.clone());
            calls.push(tokio::spawn(async move {
                servers[i % 2]
                    .gql(Some(&token), query, json!({"n": network, "o": member}))
                    .await
            }));
        }
        for call in calls {
            let body = call.await.unwrap();
            let answer = &body["data"][mutation];
            assert!(
                body.get("errors").is_none() && answer["userErrors"] == json!([]),
                "{mutation}: every writer is served, none refused: {body}"
            );
            assert_eq!(answer["positions"].as_array().unwrap().len(), 1, "{body}");
        }
    }
    // The log: the network's events in one unbroken sequence, each membership applied and
    // approved exactly once.
    let events = servers[0]
        .store
        .export_after(0, 100_000, None)
        .await
        .unwrap();
    let network_events: Vec<_> = events
        .iter()
        .filter(|e| e.aggregate_type == "Network")
        .collect();
    let sequences: Vec<i64> = network_events.iter().map(|e| e.sequence).collect();
    assert_eq!(
        sequences,
        (1..=(1 + 2 * WRITERS) as i64).collect::<Vec<_>>()
    );
    for kind in ["MembershipApplied", "MembershipApproved"] {
        let mut members: Vec<&Value> = network_events
            .iter()
            .filter(|e| e.event_type == kind)
            .map(|e| &e.payload[kind]["organization"])
            .collect();
        members.sort_by_key(|v| v.to_string());
        members.dedup();
        assert_eq!(members.len(), WRITERS, "{kind} once per member");
    }
}
