//! Read access follows the membership's status. For each status an organization's membership
//! can have (pending, approved, suspended, rejected, withdrawn, expelled), its referent reads
//! exactly what the rule allows — through queries, a mutation's payload, `node(id:)` and both
//! subscriptions — and applications are never published: the anonymous viewer and another
//! network's coordinator see no applicant. A live stream of a member closes at the event that
//! ends its membership.

use futures::SinkExt;
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};
use tokio_tungstenite::tungstenite::Message;

use tests::ws::{connect, next_json, Socket};

async fn must(server: &TestServer, token: &str, name: &str, input: Value, select: &str) -> Value {
    server.must(token, name, input, select).await
}

struct World {
    network: String,
    coordinator: String,
    other_coordinator: String,
    commitment: String,
}

const PERSON: &str = "Lucia Ferri";

async fn world(server: &TestServer) -> World {
    let admin = tests::admin();
    let lead = server.register_organization("Città capofila").await;
    let member = server.register_organization("Comune membro").await;
    let other_lead = server
        .register_organization("Capofila di un'altra rete")
        .await;
    let establish = |name: &'static str, coordinator: String| {
        let admin = admin.clone();
        async move {
            must(server, &admin, "establishNetwork", json!({"name": name, "kind": "INTERINSTITUTIONAL_TABLE", "territory": "T", "coordinator": coordinator, "establishedOn": "2015-01-01", "public": true}), "network { id }")
                .await["network"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let network = establish("Rete pubblica", lead).await;
    let other = establish("Altra rete", other_lead).await;
    let coordinator = tests::coordinator(&network);
    for (name, token) in [
        ("applyForMembership", tests::referent(&member)),
        ("approveMembership", coordinator.clone()),
    ] {
        must(
            server,
            &token,
            name,
            json!({"network": network, "organization": member, "effectiveOn": "2015-02-01"}),
            "network { id }",
        )
        .await;
    }
    let person = must(
        server,
        &admin,
        "registerPerson",
        json!({"name": PERSON, "email": "lucia.ferri@example.it"}),
        "person { id }",
    )
    .await["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    must(server, &coordinator, "designateReferent", json!({"network": network, "organization": member, "person": person, "role": "INSTITUTIONAL", "effectiveOn": "2015-03-01"}), "network { id }").await;
    let commitment = must(server, &coordinator, "createCommitment", json!({"network": network, "obligor": member, "title": "Impegno interno", "createdOn": "2016-02-01", "dueOn": "2016-06-30"}), "commitment { id }")
        .await["commitment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        network,
        coordinator,
        other_coordinator: tests::coordinator(&other),
        commitment,
    }
}

/// Brings a new organization's membership to `status`; answers its id and the payload of its
/// application (what the applicant read in the answer of its own mutation).
async fn applicant(server: &TestServer, world: &World, status: &str) -> (String, Value) {
    let id = server
        .register_organization(&format!("Comune {status}"))
        .await;
    let referent = tests::referent(&id);
    let input = json!({"network": world.network, "organization": id, "effectiveOn": "2016-01-01"});
    let body = server
        .gql(
            Some(&referent),
            "mutation($i: ApplyForMembershipInput!) { applyForMembership(input: $i) { network { members(includeFormer: true) { nodes { status organization { name } referents { contact { name } } } } commitments { totalCount } } userErrors { code } } }",
            json!({"i": input}),
        )
        .await;
    let reason = json!({"network": world.network, "organization": id, "effectiveOn": "2016-02-01", "reason": "Motivazione"});
    let steps: &[(&str, &str)] = match status {
        "PENDING" => &[],
        "ACTIVE" => &[("approveMembership", "C")],
        "SUSPENDED" => &[("approveMembership", "C"), ("suspendMembership", "C")],
        "REJECTED" => &[("rejectMembership", "C")],
        "WITHDRAWN" => &[("approveMembership", "C"), ("withdrawMembership", "R")],
        "EXPELLED" => &[("approveMembership", "C"), ("expelMember", "C")],
        _ => unreachable!(),
    };
    for (step, who) in steps {
        let token = if *who == "C" {
            &world.coordinator
        } else {
            &referent
        };
        let mut input = reason.clone();
        if *step == "approveMembership" || *step == "withdrawMembership" {
            input.as_object_mut().unwrap().remove("reason");
        }
        must(server, token, step, input, "network { id }").await;
    }
    (id, body)
}

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn connect_as(server: &TestServer, token: &str) -> Socket {
    let mut socket = connect(server).await;
    socket
        .send(Message::text(
            json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    socket
}

/// The first message of a subscription to the network's changes, and of the audit log
/// filtered to the network.
async fn first_messages(server: &TestServer, token: &str, network: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for query in [
        "subscription($n: ID!) { networkChanges(network: $n) { eventType } }",
        "subscription($n: ID!) { auditLog(filter: {network: $n}) { eventType } }",
    ] {
        let mut socket = connect_as(server, token).await;
        socket
            .send(Message::text(
                json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": {"n": network}}}).to_string(),
            ))
            .await
            .unwrap();
        out.push(next_json(&mut socket).await);
    }
    out
}

async fn membership_status_decides_what_a_referent_reads(server: TestServer) {
    let world = world(&server).await;
    let members_query = "query($n: ID!) { network(id: $n) { members(includeFormer: true) { nodes { status organization { id name } } } } }";
    for status in [
        "PENDING",
        "ACTIVE",
        "SUSPENDED",
        "REJECTED",
        "WITHDRAWN",
        "EXPELLED",
    ] {
        let (id, applied) = applicant(&server, &world, status).await;
        let referent = tests::referent(&id);
        let full = status == "ACTIVE";

        // The answer of its own application: its own application, no one's contact details,
        // none of the network's internal records.
        assert_eq!(
            applied["data"]["applyForMembership"]["userErrors"],
            json!([]),
            "{applied}"
        );
        let text = applied.to_string();
        assert!(
            !text.contains(PERSON),
            "{status}: the application's answer shows a referent's contact: {applied}"
        );
        assert!(
            text.contains(&format!("Comune {status}")),
            "{status}: the applicant sees its application: {applied}"
        );
        assert!(
            codes(&applied).iter().any(|c| c == "FORBIDDEN"),
            "{status}: {applied}"
        );

        // Queries: the network's internal records and the referents' contacts.
        let body = server
            .gql(Some(&referent), "query($n: ID!) { network(id: $n) { commitments { totalCount } members { nodes { referents { contact { name } } } } } }", json!({"n": world.network}))
            .await;
        assert_eq!(body.to_string().contains(PERSON), full, "{status}: {body}");
        assert_eq!(codes(&body).is_empty(), full, "{status}: {body}");
        if !full {
            assert!(
                codes(&body).iter().all(|c| c == "FORBIDDEN"),
                "{status}: {body}"
            );
        }
        // node(id:) of a commitment of the network: absent unless a full reader.
        let body = server
            .gql(
                Some(&referent),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({"id": world.commitment}),
            )
            .await;
        assert_eq!(body["data"]["node"].is_object(), full, "{status}: {body}");
        // Both subscriptions: the first event for a member, FORBIDDEN for everyone else.
        for message in first_messages(&server, &referent, &world.network).await {
            let payload = &message["payload"];
            if full {
                assert!(payload["data"].is_object(), "{status}: {message}");
            } else {
                assert!(payload["data"].is_null(), "{status}: {message}");
                assert_eq!(
                    payload["errors"][0]["extensions"]["code"], "FORBIDDEN",
                    "{status}: {message}"
                );
            }
        }
        // The list of members as the applicant itself reads it shows its own membership.
        let body = server
            .gql(Some(&referent), members_query, json!({"n": world.network}))
            .await;
        assert!(body.to_string().contains(&id), "{status}: {body}");

        // Applications are not published; started memberships are.
        let published = !matches!(status, "PENDING" | "REJECTED");
        for (who, token) in [
            ("anonymous", None),
            (
                "another network's coordinator",
                Some(world.other_coordinator.as_str()),
            ),
        ] {
            let body = server
                .gql(token, members_query, json!({"n": world.network}))
                .await;
            assert!(body["data"]["network"].is_object(), "{body}");
            assert_eq!(
                body.to_string().contains(&id),
                published,
                "{status}, {who}: {body}"
            );
        }
        // The coordinator decides applications and sees them all.
        let body = server
            .gql(
                Some(&world.coordinator),
                members_query,
                json!({"n": world.network}),
            )
            .await;
        assert!(body.to_string().contains(&id), "{status}: {body}");
    }
}

/// A member following the network live is cut off at the event that suspends it: it never
/// receives that event or any later one, and the stream completes.
async fn a_live_stream_closes_when_the_membership_is_suspended(server: TestServer) {
    let world = world(&server).await;
    let (id, _) = applicant(&server, &world, "ACTIVE").await;
    let mut socket = connect_as(&server, &tests::referent(&id)).await;
    socket
        .send(Message::text(
            json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription($n: ID!) { networkChanges(network: $n) { eventType } }", "variables": {"n": world.network}}}).to_string(),
        ))
        .await
        .unwrap();
    // History first (the member reads it), until the stream is live.
    let first = next_json(&mut socket).await;
    assert_eq!(
        first["payload"]["data"]["networkChanges"]["eventType"], "NetworkEstablished",
        "{first}"
    );
    must(&server, &world.coordinator, "suspendMembership", json!({"network": world.network, "organization": id, "effectiveOn": "2016-03-01", "reason": "Sospensione"}), "network { id }").await;
    must(&server, &world.coordinator, "createCommitment", json!({"network": world.network, "obligor": id, "title": "Dopo la sospensione", "createdOn": "2016-04-01"}), "commitment { id }").await;
    // The history holds one commitment (the world's); the one created after the suspension
    // must not arrive, nor the suspension itself.
    let mut commitments = 0;
    loop {
        let message = next_json(&mut socket).await;
        let payload = &message["payload"];
        if let Some(event) = payload["data"]["networkChanges"]["eventType"].as_str() {
            commitments += usize::from(event == "CommitmentCreated");
            assert!(
                event != "MembershipSuspended" && commitments <= 1,
                "delivered after the suspension: {message}"
            );
            continue;
        }
        assert_eq!(
            payload["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{message}"
        );
        break;
    }
    assert_eq!(next_json(&mut socket).await["type"], "complete");
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn membership_status_decides_what_a_referent_reads() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::membership_status_decides_what_a_referent_reads(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_live_stream_closes_when_the_membership_is_suspended() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::a_live_stream_closes_when_the_membership_is_suspended(server).await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn membership_status_decides_what_a_referent_reads() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::membership_status_decides_what_a_referent_reads(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_live_stream_closes_when_the_membership_is_suspended() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::a_live_stream_closes_when_the_membership_is_suspended(server).await;
    }
}
