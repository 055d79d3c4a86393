//! One behaviour suite for the event store, run against PostgreSQL and SQLite alike.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aggregates::commitment::*;
use aggregates::ids::*;
use aggregates::meeting::*;
use aggregates::metadata::{Actor, EventMetadata, Role};
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::protocol::*;
use aggregates::values::*;
use aggregates::working_group::*;
use aggregates::AnyEvent;
use chrono::{TimeZone, Utc};
use projections::store::{Backend, CommandError, Store};
use uuid::Uuid;

use tests::fixtures::{day, hash, name, text};

fn coordinator_actor(org: OrganizationId) -> EventMetadata {
    EventMetadata::new(Actor {
        id: "user-coordinator".to_owned(),
        role: Role::Coordinator,
        organization: Some(org),
    })
    .with_correlation(Uuid::new_v4())
}

async fn register(store: &Store, label: &str) -> OrganizationId {
    let id = OrganizationId::new_random();
    store
        .execute::<Organization>(
            &id.to_string(),
            OrganizationCommand::Register {
                id,
                name: name(label),
                category: OrganizationCategory::Comune,
                tax_code: None,
                territory: name("Torino"),
            },
            &EventMetadata::new(Actor::system()).with_correlation(Uuid::new_v4()),
        )
        .await
        .expect("register");
    id
}

async fn establish(store: &Store, coordinator: OrganizationId) -> NetworkId {
    let id = NetworkId::new_random();
    store
        .execute::<Network>(
            &id.to_string(),
            NetworkCommand::Establish {
                id,
                name: name("Tavolo"),
                kind: NetworkKind::InterinstitutionalTable,
                territory: name("Torino"),
                coordinator,
                established_on: day(2011, 1, 1),
                public: true,
            },
            &coordinator_actor(coordinator),
        )
        .await
        .expect("establish");
    id
}

async fn join(
    store: &Store,
    network: NetworkId,
    coordinator: OrganizationId,
    member: OrganizationId,
) {
    let meta = coordinator_actor(coordinator);
    store
        .execute::<Network>(
            &network.to_string(),
            NetworkCommand::Apply {
                organization: member,
                applied_on: day(2012, 1, 1),
                motivation: None,
            },
            &meta,
        )
        .await
        .expect("apply");
    store
        .execute::<Network>(
            &network.to_string(),
            NetworkCommand::Approve {
                by: coordinator,
                organization: member,
                effective_on: day(2012, 2, 1),
            },
            &meta,
        )
        .await
        .expect("approve");
}

/// Reads the whole log in small batches, until it holds every stored event. On PostgreSQL the
/// reader may lag (never skip) while other transactions in the cluster are still running.
async fn read_all(store: &Store) -> Vec<projections::store::StoredEvent> {
    let stored = store.count_events().await.unwrap() as usize;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut all: Vec<projections::store::StoredEvent> = Vec::new();
    loop {
        let after = all.last().map_or(0, |e| e.position);
        let batch = store.read_after(after, 7).await.expect("read the log");
        if batch.is_empty() {
            if all.len() >= stored {
                return all;
            }
            assert!(
                Instant::now() < deadline,
                "the reader caught up: {} of {stored}",
                all.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        all.extend(batch.iter().map(|e| (**e).clone()));
    }
}

/// The log is complete, strictly ordered, decodable, and every aggregate's sequences are
/// contiguous from 1.
/// The state the command service remembers of an aggregate equals the state loaded from its
/// events (a remembered state that applied an event twice, or missed one, differs).
async fn remembered_as_loaded<A>(store: &Store, id: &str)
where
    A: cqrs_es::Aggregate + Clone + 'static,
{
    let (loaded, sequence) = store.backend().load::<A>(id).await.unwrap();
    let (remembered, at) = store
        .remembered::<A>(id)
        .unwrap_or_else(|| panic!("{} {id} is remembered", A::TYPE));
    assert_eq!(at, sequence, "{} {id}", A::TYPE);
    assert_eq!(
        serde_json::to_value(&remembered).unwrap(),
        serde_json::to_value(&loaded).unwrap(),
        "{} {id}",
        A::TYPE
    );
}

async fn check_log(store: &Store) -> Vec<projections::store::StoredEvent> {
    let log = read_all(store).await;
    assert_eq!(
        log.len() as i64,
        store.count_events().await.unwrap(),
        "the reader saw every event"
    );
    let mut sequences: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for pair in log.windows(2) {
        assert!(
            pair[0].position < pair[1].position,
            "positions strictly increase"
        );
    }
    for event in &log {
        event
            .decode()
            .unwrap_or_else(|e| panic!("event {} decodes: {e}", event.position));
        sequences
            .entry((event.aggregate_type.clone(), event.aggregate_id.clone()))
            .or_default()
            .push(event.sequence);
    }
    for (key, seqs) in sequences {
        let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(seqs, expected, "contiguous sequences for {key:?}");
    }
    log
}

pub async fn append_and_load_every_aggregate(store: Store) {
    let coordinator = register(&store, "Città Metropolitana di Torino").await;
    let member = register(&store, "Comune di Torino").await;
    let network = establish(&store, coordinator).await;
    join(&store, network, coordinator, member).await;
    let meta = coordinator_actor(coordinator);

    let protocol = ProtocolId::new_random();
    let content = ProtocolContent {
        title: name("Protocollo d'intesa"),
        purpose: text("Confronto e scambio di buone prassi"),
        clauses: vec![Clause {
            number: 1,
            text: text("Individuare un referente"),
            commitment: Some(CommitmentTerms {
                title: name("Individuare un referente"),
                due_within_days: Some(30),
            }),
        }],
        validity: DateRange::new(day(2019, 1, 1), Some(day(2021, 12, 31))).unwrap(),
        renewal: RenewalRule::Explicit,
    };
    let pid = protocol.to_string();
    for command in [
        ProtocolCommand::Draft {
            id: protocol,
            network,
            kind: ProtocolKind::Framework,
            content,
            parties: vec![member],
        },
        ProtocolCommand::PublishVersion {
            document_hash: hash('a'),
            published_on: day(2019, 1, 15),
        },
        ProtocolCommand::OpenForSignature {
            opened_on: day(2019, 2, 1),
        },
        ProtocolCommand::RecordSignature {
            organization: member,
            signing_office: name("Sindaco"),
            method: SignatureMethod::QualifiedElectronic,
            document_hash: hash('a'),
            signed_on: day(2019, 3, 1),
        },
    ] {
        store
            .execute::<Protocol>(&pid, command, &meta)
            .await
            .expect("protocol command");
    }

    let commitment = CommitmentId::new_random();
    store
        .execute::<Commitment>(
            &commitment.to_string(),
            CommitmentCommand::Create {
                id: commitment,
                network,
                source: CommitmentSource::Coordinator { by: coordinator },
                obligor: member,
                title: name("Relazione annuale"),
                description: None,
                due_on: Some(day(2020, 1, 31)),
                created_on: day(2019, 3, 1),
            },
            &meta,
        )
        .await
        .expect("commitment");

    let group = WorkingGroupId::new_random();
    store
        .execute::<WorkingGroup>(
            &group.to_string(),
            WorkingGroupCommand::Form {
                id: group,
                network,
                by: coordinator,
                name: name("Formazione"),
                mandate: text("Moduli formativi rivolti agli enti"),
                lead: member,
                formed_on: day(2019, 4, 1),
            },
            &meta,
        )
        .await
        .expect("working group");

    let meeting = MeetingId::new_random();
    store
        .execute::<Meeting>(
            &meeting.to_string(),
            MeetingCommand::Schedule {
                id: meeting,
                network,
                working_group: Some(group),
                kind: MeetingKind::WorkingGroupSession,
                title: name("Gruppo Formazione"),
                starts_at: Utc.with_ymd_and_hms(2019, 5, 1, 9, 0, 0).unwrap(),
                ends_at: None,
                venue: Venue::InPerson {
                    address: name("Corso Inghilterra 7, Torino"),
                },
                agenda: vec![text("Piano formativo")],
                public: false,
            },
            &meta,
        )
        .await
        .expect("meeting");

    // Every aggregate loads back with the state its events describe.
    let backend = store.backend();
    let (n, seq) = backend.load::<Network>(&network.to_string()).await.unwrap();
    assert_eq!(seq, 3);
    assert_eq!(n.memberships.get(&member), Some(&MembershipStatus::Active));
    let (p, _) = backend.load::<Protocol>(&pid).await.unwrap();
    assert_eq!(
        p.current().unwrap().signed_by.get(&member),
        Some(&day(2019, 3, 1))
    );
    let (c, _) = backend
        .load::<Commitment>(&commitment.to_string())
        .await
        .unwrap();
    assert_eq!(c.status, CommitmentStatus::Open);
    let (g, _) = backend
        .load::<WorkingGroup>(&group.to_string())
        .await
        .unwrap();
    assert!(g.members.contains(&member));
    let (m, _) = backend.load::<Meeting>(&meeting.to_string()).await.unwrap();
    assert_eq!(m.status, MeetingStatus::Scheduled);
    let (o, _) = backend
        .load::<Organization>(&member.to_string())
        .await
        .unwrap();
    assert_eq!(o.status, OrganizationStatus::Active);
    // What the command service remembers of each is what its events describe.
    remembered_as_loaded::<Network>(&store, &network.to_string()).await;
    remembered_as_loaded::<Protocol>(&store, &pid).await;
    remembered_as_loaded::<Commitment>(&store, &commitment.to_string()).await;
    remembered_as_loaded::<WorkingGroup>(&store, &group.to_string()).await;
    remembered_as_loaded::<Meeting>(&store, &meeting.to_string()).await;
    remembered_as_loaded::<Organization>(&store, &member.to_string()).await;

    let log = check_log(&store).await;
    assert_eq!(log.len(), 2 + 3 + 4 + 1 + 1 + 1);
    // The log is in commit order: the order the commands were executed in.
    let types: Vec<&str> = log.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "OrganizationRegistered",
            "OrganizationRegistered",
            "NetworkEstablished",
            "MembershipApplied",
            "MembershipApproved",
            "ProtocolDrafted",
            "ProtocolVersionPublished",
            "ProtocolOpenedForSignature",
            "ProtocolSigned",
            "CommitmentCreated",
            "WorkingGroupFormed",
            "MeetingScheduled",
        ]
    );
    assert!(matches!(
        log[8].decode().unwrap(),
        AnyEvent::Protocol(ProtocolEvent::ProtocolSigned(_))
    ));
}

pub async fn metadata_round_trips(store: Store) {
    let coordinator = register(&store, "Prefettura di Pavia").await;
    let correlation = Uuid::new_v4();
    let causation = Uuid::new_v4();
    let meta = EventMetadata {
        actor: Actor {
            id: "sub-123".to_owned(),
            role: Role::Coordinator,
            organization: Some(coordinator),
        },
        correlation_id: correlation,
        causation_id: Some(causation),
        idempotency_key: Some("establish-pavia".to_owned()),
        business_date: Some(day(2024, 12, 13)),
    };
    let network = NetworkId::new_random();
    let outcome = store
        .execute::<Network>(
            &network.to_string(),
            NetworkCommand::Establish {
                id: network,
                name: name("Rete Interistituzionale Antiviolenza di Pavia"),
                kind: NetworkKind::TerritorialNetwork,
                territory: name("Provincia di Pavia"),
                coordinator,
                established_on: day(2015, 1, 1),
                public: true,
            },
            &meta,
        )
        .await
        .unwrap();
    assert_eq!(outcome.positions.len(), 1);
    let log = read_all(&store).await;
    let event = log
        .iter()
        .find(|e| e.position == outcome.positions[0])
        .expect("the written position is in the log");
    assert_eq!(event.metadata, meta);
    assert_eq!(event.event_type, "NetworkEstablished");
    let age = Utc::now() - event.recorded_at;
    assert!(
        age.num_seconds().abs() < 300,
        "recorded_at is the recording time: {}",
        event.recorded_at
    );
}

pub async fn a_rejected_command_writes_nothing(store: Store) {
    let coordinator = register(&store, "Comune").await;
    let network = establish(&store, coordinator).await;
    let before = store.count_events().await.unwrap();
    let result = store
        .execute::<Network>(
            &network.to_string(),
            NetworkCommand::Approve {
                by: coordinator,
                organization: OrganizationId::new_random(),
                effective_on: day(2020, 1, 1),
            },
            &coordinator_actor(coordinator),
        )
        .await;
    assert!(
        matches!(
            result,
            Err(CommandError::Domain(NetworkError::NoPendingApplication))
        ),
        "{result:?}"
    );
    // A refusal that needs the directory (an unknown organization) writes nothing either.
    let result = store
        .execute::<Network>(
            &network.to_string(),
            NetworkCommand::Apply {
                organization: OrganizationId::new_random(),
                applied_on: day(2020, 1, 1),
                motivation: None,
            },
            &coordinator_actor(coordinator),
        )
        .await;
    assert!(
        matches!(
            result,
            Err(CommandError::Domain(NetworkError::OrganizationNotFound))
        ),
        "{result:?}"
    );
    assert_eq!(store.count_events().await.unwrap(), before);
}

pub async fn tax_codes_are_unique_through_the_store(store: Store) {
    let code = TaxCode::parse("01907990012").unwrap();
    let first = OrganizationId::new_random();
    let meta = EventMetadata::new(Actor::system()).with_correlation(Uuid::new_v4());
    let register_with = |id: OrganizationId| OrganizationCommand::Register {
        id,
        name: name("Città Metropolitana di Torino"),
        category: OrganizationCategory::CittaMetropolitana,
        tax_code: Some(code.clone()),
        territory: name("Torino"),
    };
    store
        .execute::<Organization>(&first.to_string(), register_with(first), &meta)
        .await
        .unwrap();
    let second = OrganizationId::new_random();
    let result = store
        .execute::<Organization>(&second.to_string(), register_with(second), &meta)
        .await;
    assert!(
        matches!(result, Err(CommandError::Domain(OrganizationError::TaxCodeInUse(id))) if id == first),
        "{result:?}"
    );
}

pub async fn idempotency_keys(store: Store) {
    let coordinator = register(&store, "Comune").await;
    let member = register(&store, "Centro antiviolenza").await;
    let network = establish(&store, coordinator).await;
    let apply = NetworkCommand::Apply {
        organization: member,
        applied_on: day(2020, 1, 1),
        motivation: None,
    };
    let meta = coordinator_actor(coordinator).with_idempotency_key("apply-1");
    let first = store
        .execute::<Network>(&network.to_string(), apply.clone(), &meta)
        .await
        .unwrap();
    assert!(!first.replayed);
    assert_eq!(first.positions.len(), 1);
    let count = store.count_events().await.unwrap();

    // The same key and command: the first outcome, nothing written.
    let again = store
        .execute::<Network>(&network.to_string(), apply.clone(), &meta)
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.positions, first.positions);
    assert_eq!(store.count_events().await.unwrap(), count);

    // The same key with another command: a clear error, nothing written.
    let other = NetworkCommand::Apply {
        organization: coordinator,
        applied_on: day(2020, 1, 1),
        motivation: None,
    };
    let reused = store
        .execute::<Network>(&network.to_string(), other, &meta)
        .await;
    assert!(
        matches!(reused, Err(CommandError::IdempotencyKeyReused)),
        "{reused:?}"
    );
    assert_eq!(store.count_events().await.unwrap(), count);

    // Keys belong to an actor: another actor's identical key is another command.
    let mut someone_else = coordinator_actor(coordinator).with_idempotency_key("apply-1");
    someone_else.actor.id = "another-user".to_owned();
    let approve = NetworkCommand::Approve {
        by: coordinator,
        organization: member,
        effective_on: day(2020, 2, 1),
    };
    let theirs = store
        .execute::<Network>(&network.to_string(), approve, &someone_else)
        .await
        .unwrap();
    assert!(!theirs.replayed);
    assert_eq!(store.count_events().await.unwrap(), count + 1);

    // Concurrent duplicates of one keyed command: exactly one executes.
    let fresh = register(&store, "Questura").await;
    let keyed = coordinator_actor(coordinator).with_idempotency_key("apply-fresh");
    let apply_fresh = NetworkCommand::Apply {
        organization: fresh,
        applied_on: day(2020, 3, 1),
        motivation: None,
    };
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, keyed, apply_fresh) = (store.clone(), keyed.clone(), apply_fresh.clone());
        tasks.push(tokio::spawn(async move {
            store
                .execute::<Network>(&network.to_string(), apply_fresh, &keyed)
                .await
        }));
    }
    let mut positions = BTreeSet::new();
    for task in tasks {
        let outcome = task
            .await
            .unwrap()
            .expect("a duplicate is answered with the first outcome");
        positions.insert(outcome.positions);
    }
    assert_eq!(positions.len(), 1, "every duplicate got the same positions");
    let applied = read_all(&store)
        .await
        .iter()
        .filter(|e| {
            e.event_type == "MembershipApplied"
                && e.payload.to_string().contains(&fresh.to_string())
        })
        .count();
    assert_eq!(applied, 1);
}

/// A version-1 `MeetingScheduled` stored as a raw row loads as version 2, in the aggregate and
/// in the global log, and the meeting takes new commands.
pub async fn version_one_events_are_upcast(store: Store) {
    let coordinator = register(&store, "Prefettura").await;
    let network = establish(&store, coordinator).await;
    let meeting = MeetingId::new_random();
    let fixture = include_str!("../../../schemas/fixtures/events/MeetingScheduled.v1.json")
        .replace("00000000-0000-0000-0000-000000006001", &meeting.to_string())
        .replace("00000000-0000-0000-0000-000000002001", &network.to_string());
    let metadata = serde_json::to_string(&coordinator_actor(coordinator).to_map()).unwrap();
    match store.backend() {
        Backend::Postgres(pool) => {
            sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                 VALUES ('Meeting', $1, 1, 'MeetingScheduled', '1', $2::jsonb, $3::jsonb)",
            )
            .bind(meeting.to_string())
            .bind(&fixture)
            .bind(&metadata)
            .execute(pool)
            .await
            .unwrap();
        }
        Backend::Sqlite(pool) => {
            sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                 VALUES ('Meeting', ?1, 1, 'MeetingScheduled', '1', ?2, ?3)",
            )
            .bind(meeting.to_string())
            .bind(&fixture)
            .bind(&metadata)
            .execute(pool)
            .await
            .unwrap();
        }
    }
    // An earlier version's event, as it wrote it (no authentication code), which its
    // signed checkpoints cover: the log's readers read it as this deployment's.
    let head = store.head_position().await.unwrap();
    store.seal_all_adopting(head).await.unwrap();
    let signer = projections::integrity::Signer::generate();
    store.checkpoint_adopting(&signer, head).await.unwrap();
    let (loaded, _) = store
        .backend()
        .load::<Meeting>(&meeting.to_string())
        .await
        .unwrap();
    assert_eq!(loaded.status, MeetingStatus::Scheduled);
    assert_eq!(
        loaded.venue,
        Some(Venue::InPerson {
            address: name("Corso Inghilterra 7, Torino")
        })
    );
    let logged = read_all(&store)
        .await
        .into_iter()
        .find(|e| e.event_type == "MeetingScheduled")
        .unwrap();
    assert_eq!(logged.event_version, "2");
    assert!(matches!(
        logged.decode().unwrap(),
        AnyEvent::Meeting(MeetingEvent::MeetingScheduled(_))
    ));
    store
        .execute::<Meeting>(
            &meeting.to_string(),
            MeetingCommand::Open {
                opened_at: Utc.with_ymd_and_hms(2020, 6, 22, 9, 0, 0).unwrap(),
            },
            &coordinator_actor(coordinator),
        )
        .await
        .expect("the upcast meeting takes new commands");
}

/// `writers` commands at once on one aggregate: every application (each a different
/// organization's, so each one's preconditions hold) persists, none is refused with a
/// conflict; of `writers` identical approvals exactly one persists and every other gets the
/// domain's own refusal (already a member), never a conflict; the invariants hold after.
async fn concurrent_writers_on_one_aggregate(store: Store, writers: usize) {
    let coordinator = register(&store, "Prefettura").await;
    let network = establish(&store, coordinator).await;
    let mut organizations = Vec::new();
    for i in 0..writers {
        organizations.push(register(&store, &format!("Ente {i}")).await);
    }
    let mut tasks = Vec::new();
    for org in organizations.clone() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .execute::<Network>(
                    &network.to_string(),
                    NetworkCommand::Apply {
                        organization: org,
                        applied_on: day(2020, 1, 1),
                        motivation: None,
                    },
                    &coordinator_actor(coordinator),
                )
                .await
        }));
    }
    for task in tasks {
        task.await
            .unwrap()
            .expect("every application persists, none is refused with a conflict");
    }
    let target = organizations[0];
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .execute::<Network>(
                    &network.to_string(),
                    NetworkCommand::Approve {
                        by: coordinator,
                        organization: target,
                        effective_on: day(2020, 2, 1),
                    },
                    &coordinator_actor(coordinator),
                )
                .await
        }));
    }
    let (mut persisted, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(outcome) => {
                assert_eq!(outcome.positions.len(), 1);
                persisted += 1;
            }
            Err(CommandError::Domain(NetworkError::AlreadyMember)) => refused += 1,
            Err(other) => panic!("unexpected answer: {other}"),
        }
    }
    assert_eq!((persisted, refused), (1, writers - 1));
    let (state, sequence) = store
        .backend()
        .load::<Network>(&network.to_string())
        .await
        .unwrap();
    assert_eq!(sequence, 1 + writers + 1);
    assert_eq!(state.memberships[&target], MembershipStatus::Active);
    let pending = state
        .memberships
        .values()
        .filter(|s| **s == MembershipStatus::Pending)
        .count();
    assert_eq!(pending, writers - 1);
    let log = check_log(&store).await;
    let approvals = log
        .iter()
        .filter(|e| e.event_type == "MembershipApproved")
        .count();
    assert_eq!(approvals, 1, "one organization never holds two memberships");
}

pub async fn sixty_four_writers_on_one_aggregate(store: Store) {
    concurrent_writers_on_one_aggregate(store, 64).await;
}

pub async fn a_hundred_and_twenty_eight_writers_on_one_aggregate(store: Store) {
    concurrent_writers_on_one_aggregate(store, 128).await;
}

pub async fn two_hundred_and_fifty_six_writers_on_one_aggregate(store: Store) {
    concurrent_writers_on_one_aggregate(store, 256).await;
}

pub async fn readers_are_woken_by_new_events(store: Store) {
    let mut changes = store.subscribe();
    let writer = store.clone();
    let started = Instant::now();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        register(&writer, "Comune").await;
    });
    store
        .wait_for_events(&mut changes, Duration::from_secs(20))
        .await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(10),
        "woken by the commit, not the timeout: {waited:?}"
    );
    // The event is readable once woken (PostgreSQL may need the notifying commit to settle).
    let deadline = Instant::now() + Duration::from_secs(5);
    while store.read_after(0, 10).await.unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the woken reader finds the event"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub async fn history_is_append_only_and_migrations_idempotent(store: Store) {
    register(&store, "Comune").await;
    store.migrate().await.expect("migrations run again");
    store.migrate().await.expect("and again");
    let (update, delete) = match store.backend() {
        Backend::Postgres(pool) => (
            sqlx::query("UPDATE events SET event_type = 'X'")
                .execute(pool)
                .await
                .is_err(),
            sqlx::query("DELETE FROM events")
                .execute(pool)
                .await
                .is_err(),
        ),
        Backend::Sqlite(pool) => (
            sqlx::query("UPDATE events SET event_type = 'X'")
                .execute(pool)
                .await
                .is_err(),
            sqlx::query("DELETE FROM events")
                .execute(pool)
                .await
                .is_err(),
        ),
    };
    assert!(update, "UPDATE of an event is refused");
    assert!(delete, "DELETE of an event is refused");
    assert_eq!(store.count_events().await.unwrap(), 1);
    assert_eq!(
        read_all(&store).await[0].event_type,
        "OrganizationRegistered"
    );
}

/// Concurrent commands on different aggregates (appended together on PostgreSQL, one group
/// commit) each get their own outcome: one whose idempotency key another command already
/// used is refused alone, and every position answered is its own command's event.
pub async fn concurrent_commands_each_get_their_own_outcome(store: Store) {
    let mut tasks = Vec::new();
    for n in 0..48u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let id = OrganizationId::new_random();
            let mut metadata = EventMetadata::new(Actor::system()).with_correlation(Uuid::new_v4());
            if n % 6 == 0 {
                // Eight different commands under one key of one actor.
                metadata = metadata.with_idempotency_key("one-key");
            }
            let outcome = store
                .execute::<Organization>(
                    &id.to_string(),
                    OrganizationCommand::Register {
                        id,
                        name: name(&format!("Comune {}", (b'a' + (n % 26) as u8) as char)),
                        category: OrganizationCategory::Comune,
                        tax_code: None,
                        territory: name("Torino"),
                    },
                    &metadata,
                )
                .await;
            (id, n % 6 == 0, outcome)
        }));
    }
    let mut written = BTreeMap::new();
    let (mut keyed_ok, mut keyed_refused) = (0, 0);
    for task in tasks {
        let (id, keyed, outcome) = task.await.unwrap();
        match outcome {
            Ok(o) => {
                assert!(
                    !o.replayed,
                    "a different command never replays another's outcome"
                );
                assert_eq!(o.positions.len(), 1);
                keyed_ok += usize::from(keyed);
                written.insert(o.positions[0], id);
            }
            Err(CommandError::IdempotencyKeyReused) if keyed => keyed_refused += 1,
            Err(other) => panic!("command {id} refused: {other}"),
        }
    }
    assert_eq!(
        (keyed_ok, keyed_refused),
        (1, 7),
        "one keyed command wins, seven are refused"
    );
    assert_eq!(written.len(), 41, "forty-one distinct positions");
    let events = read_all(&store).await;
    assert_eq!(events.len(), 41);
    for event in events {
        assert_eq!(
            written.get(&event.position).map(|id| id.to_string()),
            Some(event.aggregate_id.clone()),
            "position {} answered to the command that wrote it",
            event.position
        );
    }
}

tests::on_both_backends!(
    append_and_load_every_aggregate,
    concurrent_commands_each_get_their_own_outcome,
    metadata_round_trips,
    a_rejected_command_writes_nothing,
    tax_codes_are_unique_through_the_store,
    idempotency_keys,
    version_one_events_are_upcast,
    sixty_four_writers_on_one_aggregate,
    a_hundred_and_twenty_eight_writers_on_one_aggregate,
    two_hundred_and_fifty_six_writers_on_one_aggregate,
    readers_are_woken_by_new_events,
    history_is_append_only_and_migrations_idempotent,
);

#[tokio::test]
async fn an_unsupported_database_url_is_a_clear_error() {
    let error = Store::open("mysql://localhost/x")
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("postgres://"), "{error}");
}

/// The command service keeps recently used aggregates in memory; another writer of the same
/// database (another process, here a second store) appends meanwhile: the next command
/// decides on the state with that writer's events, not on the remembered one.
async fn the_remembered_state_follows_other_writers(ours: Store, theirs: Store) {
    let coordinator = register(&ours, "Prefettura").await;
    let network = establish(&ours, coordinator).await;
    let member = register(&ours, "Comune").await;
    let as_coordinator = coordinator_actor(coordinator);
    let run = |store: &Store, command: NetworkCommand| {
        let (store, id, metadata) = (store.clone(), network.to_string(), as_coordinator.clone());
        async move { store.execute::<Network>(&id, command, &metadata).await }
    };
    run(
        &ours,
        NetworkCommand::Apply {
            organization: member,
            applied_on: day(2020, 1, 1),
            motivation: None,
        },
    )
    .await
    .expect("applied (and remembered as pending)");
    // The other writer changes the network, then ours sends a command decided first on its
    // remembered (now stale) state: it must end as decided on the state the log holds, with
    // that state remembered.
    let after_theirs = |their: NetworkCommand, our: NetworkCommand, sequence: usize, status| {
        let (ours, theirs, run) = (&ours, &theirs, &run);
        async move {
            run(theirs, their)
                .await
                .expect("the other writer's command");
            let outcome = run(ours, our).await.expect("decided on the current state");
            assert_eq!(outcome.positions.len(), 1);
            let id = network.to_string();
            let (state, logged) = ours.backend().load::<Network>(&id).await.unwrap();
            assert_eq!(logged, sequence);
            assert_eq!(state.memberships[&member], status);
            assert_eq!(
                ours.remembered::<Network>(&id).map(|(_, s)| s),
                Some(sequence),
                "the state decided on, after the other writer's event, is remembered"
            );
        }
    };
    // Suspending needs an active member: refused on the remembered (pending) state, accepted
    // on the state the log holds (approved by the other writer).
    after_theirs(
        NetworkCommand::Approve {
            by: coordinator,
            organization: member,
            effective_on: day(2020, 2, 1),
        },
        NetworkCommand::Suspend {
            by: coordinator,
            organization: member,
            reason: text("Assenze ripetute"),
            effective_on: day(2020, 3, 1),
        },
        4,
        MembershipStatus::Suspended,
    )
    .await;
    // Accepted on the remembered (suspended) state too: its append meets the other writer's
    // event at the same sequence, and the command is decided again on the state the log
    // holds (reinstated, then expelled) instead of failing or overwriting.
    after_theirs(
        NetworkCommand::Reinstate {
            by: coordinator,
            organization: member,
            effective_on: day(2020, 4, 1),
        },
        NetworkCommand::Expel {
            by: coordinator,
            organization: member,
            reason: text("Inadempienze gravi"),
            effective_on: day(2020, 5, 1),
        },
        6,
        MembershipStatus::Expelled,
    )
    .await;
}

mod two_writers {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        let (url, ours) = tests::postgres_store_at().await;
        super::the_remembered_state_follows_other_writers(ours, tests::open(&url).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        let (_dir, url, ours) = tests::sqlite_store_at().await;
        super::the_remembered_state_follows_other_writers(ours, tests::open(&url).await).await;
    }
}

/// A reader in another process is woken by the notification that follows an append's commit
/// (one per burst of appends, sent by the writer's store), not by its poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_in_other_processes_are_woken_by_new_events() {
    let (url, writer) = tests::postgres_store_at().await;
    let reader = tests::open(&url).await;
    // The reader's listener subscribes in the background: wait until one append wakes it.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut changes = reader.subscribe();
    for round in 0.. {
        changes.borrow_and_update();
        register(&writer, &format!("Comune {}", letters(round))).await;
        let started = Instant::now();
        reader
            .wait_for_events(&mut changes, Duration::from_secs(1))
            .await;
        if started.elapsed() < Duration::from_millis(900) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never woken by another process's append"
        );
    }
    // Now every burst of appends wakes it.
    for round in 0..5 {
        changes.borrow_and_update();
        let started = Instant::now();
        register(&writer, &format!("Comune {}", letters(100 + round))).await;
        reader
            .wait_for_events(&mut changes, Duration::from_secs(30))
            .await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "woken by the notification, not the timeout: {:?}",
            started.elapsed()
        );
    }
}

/// A process alone on its database sends no notification for its appends (each would be a
/// transaction of its own, for nobody); once another process says it listens, it answers and
/// notifies its appends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_are_notified_only_while_another_process_listens() {
    let (url, writer) = tests::postgres_store_at().await;
    let mut other = sqlx::postgres::PgListener::connect(&url).await.unwrap();
    other.listen("governance_events").await.unwrap();
    register(&writer, "Comune alone").await;
    // What arrives meanwhile is at most the writer's own hello (its listener says it once it
    // listens, which may be after this one did): never a notification of the append.
    while let Some(payload) = next(&mut other, 500).await {
        assert!(
            payload.starts_with("hello:"),
            "no notification while nobody else has said it listens: {payload}"
        );
    }
    sqlx::query("SELECT pg_notify('governance_events', 'hello:another')")
        .execute(&mut other)
        .await
        .unwrap();
    // This listener hears its own hello too; then the writer's answer.
    let instance = loop {
        let payload = next(&mut other, 5_000).await.expect("it answers a hello");
        if let Some(instance) = payload.strip_prefix("here:") {
            break instance.to_owned();
        }
        assert!(payload.starts_with("hello:"), "an answer, not {payload}");
    };
    register(&writer, "Comune accompanied").await;
    // (Skipping the writer's periodic hello, should one fall here.)
    let appended = loop {
        let payload = next(&mut other, 5_000)
            .await
            .expect("its appends are notified while another process is present");
        if !payload.starts_with("hello:") {
            break payload;
        }
    };
    assert_eq!(appended, instance, "a notification of its append");
}

/// The next notification's payload, if one comes within `wait` milliseconds.
async fn next(other: &mut sqlx::postgres::PgListener, wait: u64) -> Option<String> {
    tokio::time::timeout(Duration::from_millis(wait), other.recv())
        .await
        .ok()
        .map(|n| n.unwrap().payload().to_owned())
}

fn letters(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|c| (b'a' + c.to_digit(10).unwrap_or(0) as u8) as char)
        .collect()
}
