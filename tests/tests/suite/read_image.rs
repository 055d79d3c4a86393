//! The read image answers exactly what the database answers for the same position: a
//! generated dataset grows in random rounds (bulk-inserted networks, then random commands
//! through the server), and after each round every query kind is asked of the image and of the
//! database "as known at" the image's position, and through GraphQL of a server with the image
//! and one without, on the same database, as random viewers.

use std::time::{Duration, Instant};

use aggregates::ids::{global_id, NetworkId, OrganizationId, ProtocolId};
use chrono::NaiveDate;
use projections::queries::{
    AsOf, AuditFilter, CommitmentCriteria, CommitmentsOf, Page, ReadModels,
};
use projections::store::Store;
use projections::views::Kind;
use serde_json::{json, Value};
use tests::{admin, auditor, coordinator, referent, TestServer};
use uuid::Uuid;

/// A small deterministic generator (xorshift), seeded from the clock and printed, so that a
/// failing round can be replayed with `READ_IMAGE_SEED`.
struct Random(u64);

impl Random {
    fn new() -> Self {
        let seed = std::env::var("READ_IMAGE_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
                    | 1
            });
        eprintln!("READ_IMAGE_SEED={seed}");
        Self(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn uuid(network: u128, role: u128) -> Uuid {
    Uuid::from_u128((network << 16) | role)
}

fn network(n: u128) -> NetworkId {
    NetworkId(uuid(n, 1))
}

fn member(n: u128, i: u128) -> OrganizationId {
    OrganizationId(uuid(n, 100 + i))
}

fn protocol(n: u128) -> ProtocolId {
    ProtocolId(uuid(n, 3))
}

/// Waits until both stores' read sides have followed the whole log and the processes have
/// nothing more to add (the head stays put a while); answers the image's position.
async fn settle(with: &Store, without: &ReadModels) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut settled_at = None;
    loop {
        let head = with.head_position().await.unwrap();
        let image = with.image().expect("an image");
        if image.is_live() && image.position() >= head && without.position().await.unwrap() >= head
        {
            if settled_at == Some(head) {
                return image.position();
            }
            settled_at = Some(head);
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        settled_at = None;
        assert!(Instant::now() < deadline, "the read sides settle");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One random command through the server with the image (its outcome, accepted or refused,
/// is part of the dataset either way).
async fn random_command(
    server: &TestServer,
    random: &mut Random,
    networks: u128,
    services: &mut Vec<String>,
    choice: Option<u64>,
) {
    let n = random.below(networks as u64) as u128;
    let organization = global_id("Organization", member(n, random.below(10) as u128));
    let net = global_id("Network", network(n));
    let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(random.below(400));
    let places = ["018177", "018102", "018110", "018182"];
    let kinds = ["ANTI_VIOLENCE_CENTRE", "LISTENING_POINT", "SHELTER"];
    let service = services
        .get(random.below(services.len().max(1) as u64) as usize)
        .cloned();
    let (name, input) = match choice.unwrap_or_else(|| random.below(7)) {
        4 => (
            "registerService",
            json!({"network": net, "organization": organization, "registeredOn": day,
                "details": {"name": format!("Servizio {}", random.below(1000)),
                    "kind": kinds[random.below(3) as usize],
                    "municipalities": [places[random.below(4) as usize], places[random.below(4) as usize]],
                    "audience": "Donne", "access": ["REFERRAL"], "listed": random.below(2) == 0}}),
        ),
        5 if service.is_some() => (
            "suspendService",
            json!({"service": service, "reason": "Lavori", "effectiveOn": day}),
        ),
        6 if service.is_some() => match random.below(3) {
            0 => (
                "reopenService",
                json!({"service": service, "effectiveOn": day}),
            ),
            1 => (
                "closeService",
                json!({"service": service, "effectiveOn": day, "reason": "Chiuso"}),
            ),
            _ => (
                "confirmService",
                json!({"service": service, "confirmedOn": day}),
            ),
        },
        0 => (
            "suspendMembership",
            json!({"network": net, "organization": organization, "effectiveOn": day, "reason": "verifica"}),
        ),
        1 => (
            "withdrawMembership",
            json!({"network": net, "organization": organization, "effectiveOn": day}),
        ),
        2 => (
            "reinstateMembership",
            json!({"network": net, "organization": organization, "effectiveOn": day}),
        ),
        _ => (
            "renameOrganization",
            json!({"organization": organization, "effectiveOn": day,
                   "name": format!("Ente rinominato {}", random.below(1000))}),
        ),
    };
    let input_type = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
    let body = server
        .gql(
            Some(&admin()),
            &format!(
                "mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ code }} }} }}"
            ),
            json!({"i": input}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{name}: {body}");
    if name == "registerService" && body["data"][name]["userErrors"] == json!([]) {
        // The id of a registration without a key is random: read it back by name.
        let all = server
            .gql(
                Some(&admin()),
                "query($n: ID!) { network(id: $n) { services { id } } }",
                json!({"n": net}),
            )
            .await;
        for s in all["data"]["network"]["services"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = s["id"].as_str().unwrap().to_owned();
            if !services.contains(&id) {
                services.push(id);
            }
        }
    }
}

/// Every query kind of the read models, from `read` as of `as_of`, as one comparable value.
async fn answers(read: &ReadModels, as_of: AsOf, n: u128, i: u128) -> Value {
    let net = network(n);
    let org = member(n, i);
    let on = NaiveDate::from_ymd_opt(2015, 6, 1).unwrap();
    let overdue = CommitmentCriteria {
        overdue_on: Some(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
        ..Default::default()
    };
    let debug = |v: &dyn std::fmt::Debug| Value::String(format!("{v:?}"));
    json!({
        "organization": debug(&read.organization(org, as_of).await.unwrap()),
        "organizations": debug(&read.organizations(as_of).await.unwrap()),
        "network": debug(&read.network(net, as_of).await.unwrap()),
        "networks": debug(&read.networks(as_of).await.unwrap()),
        "memberships": debug(&read.memberships(net, as_of).await.unwrap()),
        "memberships_in": debug(&read.memberships_in(&[net, network(0)], as_of).await.unwrap()),
        "members_on": debug(&read.members_on(net, on, as_of).await.unwrap()),
        "memberships_of": debug(&read.memberships_of(org, as_of).await.unwrap()),
        "protocols": debug(&read.protocols(net, as_of).await.unwrap()),
        "signatures": debug(&read.signatures(protocol(n), as_of).await.unwrap()),
        "signatories": debug(&read.signatories(protocol(n), true, as_of).await.unwrap()),
        "signatures_by": debug(&read.signatures_by(org, as_of).await.unwrap()),
        "unsigned": debug(&read.members_without_signature(protocol(n), as_of).await.unwrap()),
        "commitments": debug(&read.commitments(net, as_of).await.unwrap()),
        "commitments_of": debug(&read.commitments_of(org, as_of).await.unwrap()),
        "overdue": debug(&read.commitments_matching(CommitmentsOf::Network(net), &overdue, as_of).await.unwrap()),
        "summary": debug(&read.commitment_summary(net, on, as_of).await.unwrap()),
        "working_groups": debug(&read.working_groups(net, as_of).await.unwrap()),
        "meetings": debug(&read.meetings(net, as_of).await.unwrap()),
        "services": debug(&read.services(as_of).await.unwrap()),
        "services_of": debug(&read.services_of(net, as_of).await.unwrap()),
        // Timelines: the image keeps an entity's list once asked for and appends to it as the
        // log grows (network 0 and its first member are asked for every round), paged both
        // ways, and counted.
        "timelines": debug(&timelines(read, n, i).await),
        "timelines_kept": debug(&timelines(read, 0, 0).await),
        // The audit log filtered by an entity comes from the same lists, narrowed.
        "audits": debug(&audits(read, n, i).await),
    })
}

/// Pages and counts of the audit log of network `n` and its member `i`, under filters taken
/// from the network's own events (so that they match something) and some that match nothing.
async fn audits(read: &ReadModels, n: u128, i: u128) -> Vec<(i64, String)> {
    let (net, org) = (network(n), member(n, i));
    let all = Page::After {
        after: 0,
        limit: 1000,
    };
    let seen = read
        .timeline(Kind::Network, &net.0.to_string(), all)
        .await
        .unwrap();
    let nth = |k: usize| seen.get(k.min(seen.len().saturating_sub(1)));
    let event_type = nth(seen.len() / 3).map(|e| e.event_type.clone());
    let actor = nth(seen.len()).map(|e| e.metadata.actor.id.clone());
    let from = nth(seen.len() / 2).map(|e| e.recorded_at);
    let until = nth(seen.len()).map(|e| e.recorded_at);
    let of_network = AuditFilter {
        network: Some(net),
        ..Default::default()
    };
    let of_member = AuditFilter {
        organization: Some(org),
        ..Default::default()
    };
    let filters = [
        of_network.clone(),
        AuditFilter {
            event_type: event_type.clone(),
            ..of_network.clone()
        },
        AuditFilter {
            event_type: Some("ProtocolSigned".into()),
            organization: Some(org),
            ..of_network.clone()
        },
        AuditFilter {
            aggregate_type: Some("Organization".into()),
            ..of_member.clone()
        },
        AuditFilter {
            actor,
            ..of_network.clone()
        },
        AuditFilter {
            recorded_from: from,
            recorded_until: until,
            ..of_network.clone()
        },
        AuditFilter {
            event_type: Some("NoSuchEvent".into()),
            ..of_network.clone()
        },
        AuditFilter {
            actor: Some("nobody".into()),
            ..of_member.clone()
        },
    ];
    let pages = [
        Page::After {
            after: 0,
            limit: 21,
        },
        Page::Before {
            before: None,
            limit: 7,
        },
        Page::After {
            after: nth(seen.len() / 2).map_or(0, |e| e.position),
            limit: 5,
        },
    ];
    let mut answers = Vec::new();
    for filter in &filters {
        for page in pages {
            let events = read.audit_log(filter, page).await.unwrap();
            answers.push((
                read.audit_count(filter).await.unwrap(),
                format!("{events:?}"),
            ));
        }
    }
    answers
}

/// Pages and counts of the timelines of network `n` and its member `i`.
async fn timelines(read: &ReadModels, n: u128, i: u128) -> Vec<(i64, String)> {
    let entities = [
        (Kind::Network, network(n).0.to_string()),
        (Kind::Organization, member(n, i).0.to_string()),
    ];
    let pages = [
        Page::After {
            after: 0,
            limit: 21,
        },
        Page::After {
            after: 40,
            limit: 5,
        },
        Page::Before {
            before: None,
            limit: 7,
        },
        Page::Before {
            before: Some(60),
            limit: 3,
        },
    ];
    let mut answers = Vec::new();
    for (kind, id) in &entities {
        for page in pages {
            let events = read.timeline(*kind, id, page).await.unwrap();
            answers.push((
                read.timeline_count(*kind, id).await.unwrap(),
                format!("{events:?}"),
            ));
        }
    }
    answers
}

/// Fails with the first question whose answers differ, and where they start to.
fn same(image: &Value, database: &Value, context: &str) {
    for (question, shown) in image.as_object().expect("answers") {
        let (a, b) = (shown.to_string(), database[question].to_string());
        if a != b {
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let from = at.saturating_sub(200);
            panic!(
                "{context}: {question} differs at byte {at}:\n image:    …{}\n database: …{}",
                &a[from..(at + 200).min(a.len())],
                &b[from..(at + 200).min(b.len())]
            );
        }
    }
}

/// The GraphQL questions compared between the two servers.
fn questions(n: u128, i: u128) -> Vec<(&'static str, Value)> {
    let net = global_id("Network", network(n));
    let org = global_id("Organization", member(n, i));
    let pro = global_id("Protocol", protocol(n));
    vec![
        ("query($n: ID!) { network(id: $n) { name members(first: 100) { nodes { organization { name } status referents { role } } } } }", json!({"n": net})),
        ("query($p: ID!) { protocol(id: $p) { signatories { name } status } }", json!({"p": pro})),
        ("query($n: ID!) { network(id: $n) { commitments(filter: {overdueOn: \"2030-01-01\"}, first: 100) { totalCount nodes { title status } } } }", json!({"n": net})),
        ("query($o: ID!) { organization(id: $o) { name memberships { status network { name } } timeline(first: 20) { nodes { eventType } } } }", json!({"o": org})),
        ("query($o: ID!) { node(id: $o) { id ... on Organization { name formerNames } } }", json!({"o": org})),
        ("query($n: ID!, $o: ID!) { a: auditLog(filter: {network: $n, eventType: \"MembershipApproved\"}, first: 5) { totalCount nodes { position eventType actorId } pageInfo { hasNextPage endCursor } } b: auditLog(filter: {network: $n, organization: $o}, last: 3) { totalCount nodes { position eventType } } }", json!({"n": net, "o": org})),
        ("{ networks(first: 50) { totalCount nodes { name } } organizations(first: 50) { totalCount nodes { name } } }", json!({})),
        ("query($n: ID!) { network(id: $n) { services { name status listed territory { name } } } }", json!({"n": net})),
        ("{ servicesFor(municipality: \"Vigevano\") { name status } coverageGaps(province: \"PV\", kinds: [SHELTER]) { istatCode } }", json!({})),
    ]
}

async fn image_and_database_agree(url: &str) {
    let with = tests::open(url).await.with_read_image(true);
    let without = tests::open(url).await.with_read_image(false);
    let server = tests::spawn_server(with.clone(), Default::default()).await;
    let plain = tests::spawn_server(without.clone(), Default::default()).await;
    let image_reads = ReadModels::new(with.clone());
    let database_reads = ReadModels::new(without.clone());
    let mut random = Random::new();
    let mut networks: u128 = 0;
    let mut services = Vec::new();
    for round in 0..4 {
        let add = 1 + random.below(3) as u128;
        tests::dataset::insert_networks(&with, networks, networks + add).await;
        networks += add;
        // A service registration each round (accepted unless its member left), then anything.
        random_command(&server, &mut random, networks, &mut services, Some(4)).await;
        for _ in 0..random.below(12) {
            random_command(&server, &mut random, networks, &mut services, None).await;
        }
        let position = settle(&with, &database_reads).await;
        for _ in 0..3 {
            let n = random.below(networks as u64) as u128;
            let i = random.below(10) as u128;
            let image = answers(&image_reads, AsOf::Now, n, i).await;
            same(
                &image,
                &answers(&database_reads, AsOf::Position(position), n, i).await,
                &format!("round {round}: the image and the database as known at {position}"),
            );
            same(
                &image,
                &answers(&database_reads, AsOf::Now, n, i).await,
                &format!("round {round}: the image and the database now"),
            );
            let viewers = [
                Some(admin()),
                Some(auditor()),
                Some(coordinator(&global_id("Network", network(n)))),
                Some(referent(&global_id("Organization", member(n, i)))),
                Some(referent(&global_id(
                    "Organization",
                    member(random.below(networks as u64) as u128, 0),
                ))),
                None,
            ];
            for viewer in &viewers {
                for (query, variables) in questions(n, i) {
                    let shown = server
                        .gql(viewer.as_deref(), query, variables.clone())
                        .await;
                    assert_eq!(
                        shown,
                        plain.gql(viewer.as_deref(), query, variables).await,
                        "round {round}, {query} as {viewer:?}"
                    );
                }
            }
        }
    }
    assert!(!services.is_empty(), "the dataset has services");
    let (documents, bytes) = with.image().unwrap().size();
    assert!(documents > 0 && bytes > 0, "the image's size is known");
}

/// Switched off, the store keeps no image and everything is read from the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_image_switched_off_is_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("governance.db").display());
    let store = tests::open(&url).await.with_read_image(false);
    assert!(store.image().is_none());
    let server = tests::spawn_server(store, Default::default()).await;
    let id = server.register_organization("Comune di Pavia").await;
    let body = server
        .gql(
            Some(&admin()),
            "query($o: ID!) { organization(id: $o) { name } }",
            json!({"o": id}),
        )
        .await;
    assert_eq!(body["data"]["organization"]["name"], "Comune di Pavia");
}

/// What a reader was told is readable, the image shows: a server whose image trails the
/// database (another process projected what it has not folded yet, as after a restart) does
/// not answer a read position its lists do not show yet.
async fn the_read_position_is_never_ahead_of_the_image(url: &str) {
    let with = tests::spawn_server(
        tests::open(url).await.with_read_image(true),
        Default::default(),
    )
    .await;
    // Another process writes and projects; on SQLite nothing tells the first of it but its own
    // polling, so its image trails the database's checkpoint for a while after each write.
    let other = tests::open(url).await.with_read_image(false);
    let writer = tests::spawn_server(other.clone(), Default::default()).await;
    let count = "{ organizations(first: 1) { totalCount } }";
    for round in 1..=5 {
        writer.register_organization(&format!("Ente {round}")).await;
        let head = other.head_position().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let read = with
                .gql(Some(&admin()), "{ readPosition }", json!({}))
                .await;
            let position = read["data"]["readPosition"].as_i64().expect("a position");
            if position >= head {
                let listed = with.gql(Some(&admin()), count, json!({})).await;
                assert_eq!(
                    listed["data"]["organizations"]["totalCount"], round,
                    "the lists show what the read position ({position}) holds: {listed}"
                );
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the read side follows the other process"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

on_both_databases! {
    agreement => image_and_database_agree,
    read_position => the_read_position_is_never_ahead_of_the_image,
}
