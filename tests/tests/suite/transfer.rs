//! Moving a deployment from SQLite to PostgreSQL: export, then import. The two stores hold the
//! same events in the same order with the same metadata, and their read models answer alike.
//! Imports never alter or reorder existing history.

use std::time::Duration;

use aggregates::metadata::{Actor, EventMetadata, Role};
use aggregates::organization::{Organization, OrganizationCommand};
use aggregates::values::{Name, OrganizationCategory};
use projections::projector::Projector;
use projections::queries::{AsOf, ReadModels};
use projections::store::{ExportedEvent, ImportError, Store};
use serde_json::Value;
use tests::dataset;

async fn everything(store: &Store) -> Vec<ExportedEvent> {
    let mut all: Vec<ExportedEvent> = Vec::new();
    loop {
        let after = all.last().map_or(0, |e| e.position);
        let batch = store.export_after(after, 5000, None).await.unwrap();
        if batch.is_empty() {
            return all;
        }
        all.extend(batch);
    }
}

async fn project(store: &Store) {
    let projector = Projector::new(store.clone());
    let generation = projector.active_generation().await.unwrap();
    let target = store.count_events().await.unwrap();
    for _ in 0..600 {
        projector.catch_up(generation, |_| {}).await.unwrap();
        let read = ReadModels::new(store.clone());
        let projected = read
            .audit_log(
                &Default::default(),
                projections::queries::Page::After {
                    after: 0,
                    limit: 1000,
                },
            )
            .await
            .unwrap();
        if projected.len() as i64 >= target.min(1000)
            && projector.checkpoint(generation).await.unwrap()
                >= store.head_position().await.unwrap()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("projection did not catch up");
}

/// The read models' answers, as JSON, with the store-specific positions taken out.
async fn answers(store: &Store) -> Value {
    let read = ReadModels::new(store.clone());
    let mut out = Vec::new();
    for network in read.networks(AsOf::Now).await.unwrap() {
        let members = read.memberships(network.id, AsOf::Now).await.unwrap();
        let commitments = read.commitments(network.id, AsOf::Now).await.unwrap();
        let protocols = read.protocols(network.id, AsOf::Now).await.unwrap();
        let mut signatures = Vec::new();
        for p in &protocols {
            for mut s in read.signatures(p.id, AsOf::Now).await.unwrap() {
                s.position = 0;
                signatures.push(s);
            }
        }
        out.push(serde_json::json!({
            "network": network, "members": members, "commitments": commitments,
            "protocols": protocols, "signatures": signatures,
        }));
    }
    out.push(serde_json::to_value(read.organizations(AsOf::Now).await.unwrap()).unwrap());
    Value::Array(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn export_from_sqlite_and_import_into_postgres_is_event_for_event_identical() {
    let (_dir, sqlite) = tests::sqlite_store().await;
    dataset::insert_networks(&sqlite, 0, 6).await;
    // Events written through the command service carry full metadata.
    let id = aggregates::ids::OrganizationId::new_random();
    let metadata = EventMetadata::new(Actor {
        id: "operator".into(),
        role: Role::PlatformAdministrator,
        organization: None,
    })
    .with_correlation(uuid::Uuid::new_v4())
    .with_idempotency_key("register-1")
    .with_business_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    sqlite
        .execute::<Organization>(
            &id.to_string(),
            OrganizationCommand::Register {
                id,
                name: Name::parse("Prefettura di Pavia").unwrap(),
                category: OrganizationCategory::Prefettura,
                tax_code: None,
                territory: Name::parse("Pavia").unwrap(),
            },
            &metadata,
        )
        .await
        .unwrap();

    let mut file = Vec::new();
    let exported = sqlite.export_to(&mut file, None, |_| {}).await.unwrap();
    assert_eq!(exported as i64, sqlite.count_events().await.unwrap());

    let postgres = tests::postgres_store().await;
    let report = postgres.import_from(file.as_slice(), |_| {}).await.unwrap();
    assert_eq!(report.imported, exported);

    let (from, to) = (everything(&sqlite).await, everything(&postgres).await);
    assert_eq!(from.len(), to.len());
    for (a, b) in from.iter().zip(&to) {
        assert!(a.same_event(b), "same event, same order: {a:?} vs {b:?}");
        assert_eq!(a.recorded_at, b.recorded_at, "the recording time is kept");
    }

    // Importing the same file again changes nothing.
    let again = postgres.import_from(file.as_slice(), |_| {}).await.unwrap();
    assert_eq!((again.imported, again.already_present), (0, exported));
    assert_eq!(postgres.count_events().await.unwrap(), exported as i64);

    // The same request's first event on another record: refused by its line, in words (not
    // the database's), on both backends, and nothing written.
    let request = from
        .iter()
        .find(|e| e.metadata.get("idempotency_key").is_some())
        .expect("the registration with its key");
    let mut copy = request.clone();
    copy.aggregate_id = aggregates::ids::OrganizationId::new_random().to_string();
    let line = format!("{}\n", serde_json::to_string(&copy).unwrap());
    for store in [&postgres, &sqlite] {
        let before = store.count_events().await.unwrap();
        let error = store
            .import_from(line.as_bytes(), |_| {})
            .await
            .unwrap_err();
        assert!(
            matches!(error, ImportError::SameRequest { line: 1 }),
            "{error}"
        );
        assert!(error.to_string().contains("idempotency key"), "{error}");
        assert_eq!(store.count_events().await.unwrap(), before);
    }

    // The read models built on both answer alike.
    project(&sqlite).await;
    project(&postgres).await;
    assert_eq!(answers(&sqlite).await, answers(&postgres).await);
}

/// The audit log's time bounds count to the millisecond whichever store recorded the events:
/// SQLite holds the text of milliseconds for the events it wrote and of microseconds for those
/// an import wrote (once, an imported event recorded exactly at a bound was taken as before
/// it). Each store, and the read image where the filter names a network, agrees with the
/// recording times the export carries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn time_bounds_hold_alike_for_written_and_imported_events() {
    let (_dir, written) = tests::sqlite_store().await;
    dataset::insert_networks(&written, 0, 2).await;
    let mut file = Vec::new();
    written.export_to(&mut file, None, |_| {}).await.unwrap();
    let (_dir2, imported) = tests::sqlite_store().await;
    imported.import_from(file.as_slice(), |_| {}).await.unwrap();
    let postgres = tests::postgres_store().await;
    postgres.import_from(file.as_slice(), |_| {}).await.unwrap();
    let events = everything(&written).await;
    project(&written).await;
    let network = ReadModels::new(written.clone())
        .networks(AsOf::Now)
        .await
        .unwrap()[0]
        .id;
    let millisecond = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis();
    let mut checked = 0;
    for store in [&written, &imported, &postgres] {
        project(store).await;
        let read = ReadModels::new(store.clone());
        for at in [1, events.len() / 3, events.len() / 2, events.len() - 1] {
            let bound = events[at].recorded_at;
            let from = projections::queries::AuditFilter {
                recorded_from: Some(bound),
                ..Default::default()
            };
            let until = projections::queries::AuditFilter {
                recorded_until: Some(bound),
                ..Default::default()
            };
            let expected = events
                .iter()
                .filter(|e| millisecond(e.recorded_at) >= millisecond(bound))
                .count() as i64;
            assert_eq!(read.audit_count(&from).await.unwrap(), expected, "{bound}");
            assert_eq!(
                read.audit_count(&until).await.unwrap(),
                events.len() as i64 - expected,
                "{bound}"
            );
            let of_network = projections::queries::AuditFilter {
                network: Some(network),
                ..from.clone()
            };
            let network_all = projections::queries::AuditFilter {
                network: Some(network),
                ..Default::default()
            };
            let all = read
                .audit_log(
                    &network_all,
                    projections::queries::Page::After {
                        after: 0,
                        limit: 1000,
                    },
                )
                .await
                .unwrap();
            let expected_in_network = all
                .iter()
                .filter(|e| millisecond(e.recorded_at) >= millisecond(bound))
                .count() as i64;
            assert_eq!(
                read.audit_count(&of_network).await.unwrap(),
                expected_in_network,
                "{bound}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}

/// "As known at" an instant: an import into SQLite of events PostgreSQL recorded to the
/// microsecond answers which position was known at any instant as PostgreSQL does, to the
/// microsecond (an event later within the instant's millisecond is not yet known).
#[tokio::test]
async fn the_position_known_at_an_instant_holds_to_the_microsecond_after_import() {
    let postgres = tests::postgres_store().await;
    dataset::insert_networks(&postgres, 0, 2).await;
    let mut file = Vec::new();
    postgres.export_to(&mut file, None, |_| {}).await.unwrap();
    let (_dir, imported) = tests::sqlite_store().await;
    imported.import_from(file.as_slice(), |_| {}).await.unwrap();
    let events = everything(&postgres).await;
    // Each store numbers its log itself: compare how many events each knows.
    let copied = everything(&imported).await;
    assert_eq!(copied.len(), events.len());
    let known_in = |log: &[ExportedEvent], position: i64| {
        log.iter().filter(|e| e.position <= position).count()
    };
    let (source, copy) = (
        ReadModels::new(postgres.clone()),
        ReadModels::new(imported.clone()),
    );
    let micro = chrono::Duration::microseconds(1);
    let mut within_a_millisecond = 0;
    for event in events.iter().step_by(7) {
        let at = event.recorded_at;
        for instant in [at - micro, at, at + micro] {
            let known = source.position_at(instant).await.unwrap();
            assert_eq!(
                known_in(&copied, copy.position_at(instant).await.unwrap()),
                known_in(&events, known),
                "{instant}"
            );
            // What PostgreSQL answers: the last event recorded at or before the instant.
            let expected = events
                .iter()
                .filter(|e| e.recorded_at <= instant)
                .map(|e| e.position)
                .max()
                .unwrap_or(0);
            assert_eq!(known, expected, "{instant}");
        }
        within_a_millisecond += usize::from(at.timestamp_subsec_micros() % 1000 != 0);
    }
    // The dataset's events are not all on a millisecond's boundary, or this shows nothing.
    assert!(within_a_millisecond > 0);
}

#[tokio::test]
async fn an_import_that_would_alter_or_reorder_history_is_refused() {
    let (_dir, source) = tests::sqlite_store().await;
    dataset::insert_networks(&source, 0, 1).await;
    let mut file = Vec::new();
    source.export_to(&mut file, None, |_| {}).await.unwrap();
    let text = String::from_utf8(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let (_dir2, target) = tests::sqlite_store().await;
    target.import_from(text.as_bytes(), |_| {}).await.unwrap();
    let count = target.count_events().await.unwrap();

    // The same event with another payload: refused.
    let mut altered: Value = serde_json::from_str(lines[0]).unwrap();
    altered["payload"]["OrganizationRegistered"]["name"] = Value::String("Altro nome".into());
    let error = target
        .import_from(altered.to_string().as_bytes(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(error, ImportError::AltersHistory { line: 1, .. }),
        "{error}"
    );

    // An event that skips ahead in an aggregate's history: refused, and its batch not written.
    let mut skipping: Value = serde_json::from_str(lines[0]).unwrap();
    skipping["aggregate_id"] = Value::String("another-aggregate".into());
    skipping["sequence"] = Value::from(3);
    let fresh: Value = {
        let mut v: Value = serde_json::from_str(lines[0]).unwrap();
        v["aggregate_id"] = Value::String("a-new-aggregate".into());
        v
    };
    let batch = format!("{fresh}\n{skipping}\n");
    let error = target
        .import_from(batch.as_bytes(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ImportError::OutOfOrder {
                line: 2,
                current: 0,
                sequence: 3,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        target.count_events().await.unwrap(),
        count,
        "nothing of the refused batch was written"
    );

    // A malformed line names its line.
    let error = target
        .import_from("{not json}\n".as_bytes(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(error, ImportError::Malformed { line: 1, .. }),
        "{error}"
    );

    // A row that is no event (metadata no command writes; a payload that is not its
    // aggregate's) names its line, and nothing of its batch is written.
    for (field, value) in [
        ("metadata", serde_json::json!({"actor_id": 7})),
        ("payload", serde_json::json!({"NoSuchEvent": {}})),
    ] {
        let mut bad = fresh.clone();
        bad["aggregate_id"] = Value::String(format!("bad-{field}"));
        bad[field] = value;
        let error = target
            .import_from(format!("{fresh}\n{bad}\n").as_bytes(), |_| {})
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ImportError::Malformed { line: 2, message } if message.starts_with("not an event of this system")),
            "{error}"
        );
        assert_eq!(target.count_events().await.unwrap(), count, "{field}");
    }
}

#[tokio::test]
async fn verify_finds_gaps_and_unreadable_events() {
    let (_dir, store) = tests::sqlite_store().await;
    dataset::insert_networks(&store, 0, 1).await;
    let report = store.verify_log(|_| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.events as i64, store.count_events().await.unwrap());
    let projections::store::Backend::Sqlite(pool) = store.backend() else {
        unreachable!()
    };
    let metadata = serde_json::to_string(
        &EventMetadata::new(Actor::system())
            .with_correlation(uuid::Uuid::nil())
            .to_map(),
    )
    .unwrap();
    sqlx::query("INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES ('Organization', 'x', 2, 'OrganizationRenamed', '1', '{\"OrganizationRenamed\": {}}', ?1)")
        .bind(&metadata)
        .execute(pool)
        .await
        .unwrap();
    let report = store.verify_log(|_| {}).await.unwrap();
    assert_eq!(
        report.problems.len(),
        2,
        "a gap and an unreadable payload: {:?}",
        report.problems
    );
    assert!(report.problems[0].contains("jumps from event #0 to #2"));
}

/// A person registered through the API, as the auditor's history shows them.
const PEOPLE: &str = "{ auditLog(filter: {aggregateType: \"Person\"}, first: 100) { nodes { eventType aggregateId recordedAt ... on PersonRegisteredEntry { payload { details { person { id name email phone erased } } } } } } }";

async fn register(server: &tests::TestServer, name: &str, email: &str) -> String {
    let body = server
        .gql(
            Some(&tests::admin()),
            "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { person { id } userErrors { code } } }",
            serde_json::json!({"i": {"name": name, "email": email, "phone": "+39 0382 000111"}}),
        )
        .await;
    assert_eq!(
        body["data"]["registerPerson"]["userErrors"],
        serde_json::json!([]),
        "{body}"
    );
    body["data"]["registerPerson"]["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The documented upgrade path moves people too: every person readable before reads the
/// same after (their wrapped keys travel in the export), every erased one stays erased, and
/// recording times are kept to the microsecond, both ways.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn moving_a_deployment_keeps_people_readable_and_erased_ones_erased() {
    let secrets = projections::secrets::Secrets::generate();
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("governance.db").display());
    let sqlite = Store::open(&sqlite_url)
        .await
        .unwrap()
        .with_secrets(secrets.clone());
    let source = tests::spawn_server(sqlite.clone(), Default::default()).await;
    register(&source, "Anna Verdi", "anna.verdi@example.it").await;
    let erased = register(&source, "Bruno Neri", "bruno.neri@example.it").await;
    register(&source, "Carla Gialli", "carla.gialli@example.it").await;
    let body = source
        .gql(
            Some(&tests::admin()),
            "mutation($i: ErasePersonInput!) { erasePerson(input: $i) { userErrors { code } } }",
            serde_json::json!({"i": {"person": erased}}),
        )
        .await;
    assert_eq!(
        body["data"]["erasePerson"]["userErrors"],
        serde_json::json!([]),
        "{body}"
    );
    let before = source
        .gql(Some(&tests::auditor()), PEOPLE, serde_json::json!({}))
        .await;
    let shown = before.to_string();
    assert!(
        shown.contains("Anna Verdi") && shown.contains("carla.gialli@example.it"),
        "{before}"
    );
    assert!(!shown.contains("Bruno"), "{before}");

    tests::seal_everything(&sqlite).await;
    let mut file = Vec::new();
    sqlite
        .export_with_integrity(&mut file, |_| {})
        .await
        .unwrap();
    let text = String::from_utf8(file.clone()).unwrap();
    assert_eq!(
        text.matches("{\"person_key\"").count(),
        2,
        "two keys travel, not the erased one"
    );
    for clear in ["Anna", "Verdi", "anna.verdi"] {
        assert!(!text.contains(clear), "{clear} is in the export in clear");
    }

    // Into PostgreSQL, with the same deployment secret.
    let url = tests::postgres::fresh_database().await;
    let postgres = Store::open(&url)
        .await
        .unwrap()
        .with_secrets(secrets.clone());
    let report = postgres.import_from(file.as_slice(), |_| {}).await.unwrap();
    assert_eq!(report.person_keys, 2);
    let target = tests::spawn_server(postgres.clone(), Default::default()).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let after = loop {
        let after = target
            .gql(Some(&tests::auditor()), PEOPLE, serde_json::json!({}))
            .await;
        if after["data"]["auditLog"]["nodes"].as_array().map(Vec::len)
            == before["data"]["auditLog"]["nodes"].as_array().map(Vec::len)
            || std::time::Instant::now() > deadline
        {
            break after;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        after, before,
        "the same people, the same erasure, the same recording times"
    );
    let (from, to) = (everything(&sqlite).await, everything(&postgres).await);
    for (a, b) in from.iter().zip(&to) {
        assert_eq!(a.recorded_at, b.recorded_at, "the recording time is kept");
    }

    // A store with another secret refuses the keys instead of showing everyone as erased.
    let other = tests::postgres_store().await;
    let refused = other.import_from(file.as_slice(), |_| {}).await;
    assert!(
        matches!(
            refused,
            Err(ImportError::Store(
                projections::store::StoreError::WrongSecret { .. }
            ))
        ),
        "{refused:?}"
    );

    // And back from PostgreSQL (microseconds) into SQLite: nothing is cut to milliseconds.
    let mut back = Vec::new();
    tests::seal_everything(&postgres).await;
    postgres
        .export_with_integrity(&mut back, |_| {})
        .await
        .unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let again = Store::open(&format!("sqlite://{}", dir2.path().join("g.db").display()))
        .await
        .unwrap()
        .with_secrets(secrets);
    let micros = chrono::DateTime::parse_from_rfc3339("2024-05-06T07:08:09.123456Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    // One event with a recording time below the millisecond, as PostgreSQL keeps them.
    let mut lines: Vec<String> = String::from_utf8(back)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let first: usize = lines
        .iter()
        .position(|l| l.contains("\"aggregate_type\""))
        .unwrap();
    let mut event: serde_json::Value = serde_json::from_str(&lines[first]).unwrap();
    event["recorded_at"] = serde_json::json!(micros);
    lines[first] = event.to_string();
    let report = again
        .import_from(lines.join("\n").as_bytes(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.person_keys, 2);
    let stored = everything(&again).await;
    assert_eq!(stored[0].recorded_at, micros, "microseconds kept on SQLite");
    let _ = (target, source);
}

/// An import into an SQLite file a live server is writing: each batch reads before it writes,
/// and must wait for the other writer rather than be refused ("database is locked").
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_beside_a_live_writer_on_the_same_sqlite_file_waits_its_turn() {
    let (_source_dir, source) = tests::sqlite_store().await;
    dataset::insert_networks(&source, 0, 4).await;
    let mut file = Vec::new();
    let exported = source.export_to(&mut file, None, |_| {}).await.unwrap();

    let (_dir, url, writer) = tests::sqlite_store_at().await;
    let importer = tests::open(&url).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writing = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let metadata = EventMetadata::new(Actor {
                id: "operator".into(),
                role: Role::PlatformAdministrator,
                organization: None,
            });
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let id = aggregates::ids::OrganizationId::new_random();
                writer
                    .execute::<Organization>(
                        &id.to_string(),
                        OrganizationCommand::Register {
                            id,
                            name: Name::parse(&format!("Ente {written}")).unwrap(),
                            category: OrganizationCategory::AssociazioneEts,
                            tax_code: None,
                            territory: Name::parse("Pavia").unwrap(),
                        },
                        &metadata,
                    )
                    .await
                    .unwrap();
                written += 1;
            }
            written
        })
    };
    // Let the writer get going, then import while it writes.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let report = importer.import_from(file.as_slice(), |_| {}).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writing.await.unwrap();
    let report = report.expect("the import waits for the live writer, never refused");
    assert_eq!(report.imported, exported);
    assert!(written > 0, "the writer wrote during the import");
    assert_eq!(
        importer.count_events().await.unwrap(),
        (exported + written) as i64
    );
}
