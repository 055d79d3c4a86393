//! Tamper evidence on both backends. Each case builds a sealed, checkpointed log, then alters it
//! with direct SQL behind the application's back (disabling the append-only triggers first, as
//! an attacker with database access would), and `verify` must fail and name the first bad
//! position. On an untouched store it passes; an exported log verifies offline with only the
//! public key, and a one-byte change to the file fails.

use projections::integrity::{verify_export, Signer};
use projections::store::{Backend, ExportedEvent, Store};
use serde_json::Value;

async fn sealed_log(store: &Store, signer: &Signer) -> Vec<ExportedEvent> {
    tests::dataset::insert_networks(store, 0, 2).await;
    tests::seal_everything(store).await;
    store
        .checkpoint(signer)
        .await
        .unwrap()
        .expect("a checkpoint");
    store.export_after(0, 100_000, None).await.unwrap()
}

/// Runs statements with the append-only triggers out of the way.
async fn behind_the_back(store: &Store, statements: &[(&str, Vec<Value>)]) {
    match store.backend() {
        Backend::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            for table in ["events", "event_hashes", "integrity_checkpoints"] {
                sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            for (sql, binds) in statements {
                let mut q = sqlx::query(sql);
                for b in binds {
                    q = match b {
                        Value::Number(n) => q.bind(n.as_i64().unwrap()),
                        Value::String(s) => q.bind(s.clone()),
                        other => q.bind(other.clone()),
                    };
                }
                q.execute(&mut *tx).await.unwrap();
            }
            for table in ["events", "event_hashes", "integrity_checkpoints"] {
                sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
        Backend::Sqlite(pool) => {
            let mut tx = pool.begin().await.unwrap();
            for trigger in [
                "events_immutable_update",
                "events_immutable_delete",
                "event_hashes_no_update",
                "event_hashes_no_delete",
                "checkpoints_no_update",
                "checkpoints_no_delete",
            ] {
                sqlx::query(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            for (sql, binds) in statements {
                let sql = sql.replace("::jsonb", "");
                let mut q = sqlx::query(&sql);
                for b in binds {
                    q = match b {
                        Value::Number(n) => q.bind(n.as_i64().unwrap()),
                        Value::String(s) => q.bind(s.clone()),
                        other => q.bind(other.to_string()),
                    };
                }
                q.execute(&mut *tx).await.unwrap();
            }
            tx.commit().await.unwrap();
        }
    }
}

fn placeholders(backend: &Backend, sql: &str) -> String {
    match backend {
        Backend::Postgres(_) => sql.to_owned(),
        Backend::Sqlite(_) => sql.replace('$', "?"),
    }
}

/// The first string leaf of a JSON value with its first character changed by one.
fn one_byte_changed(value: &Value) -> Value {
    fn go(v: &mut Value) -> bool {
        match v {
            Value::String(s) => {
                let mut bytes = s.clone().into_bytes();
                bytes[0] = if bytes[0] == b'x' { b'y' } else { b'x' };
                *s = String::from_utf8(bytes).unwrap();
                true
            }
            Value::Object(map) => map.values_mut().any(go),
            Value::Array(items) => items.iter_mut().any(go),
            _ => false,
        }
    }
    let mut changed = value.clone();
    assert!(go(&mut changed), "a string to change in {value}");
    changed
}

async fn first_bad(store: &Store, signer: &Signer) -> Option<(i64, String)> {
    store
        .verify_chain(Some(&signer.public_key()), |_| {})
        .await
        .unwrap()
        .first_bad
}

async fn each_tampering_is_detected_at_its_position(fresh: impl AsyncFn() -> Store) {
    let signer = Signer::generate();

    // Untouched: passes; the checkpoint's key matters.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let report = store
        .verify_chain(Some(&signer.public_key()), |_| {})
        .await
        .unwrap();
    assert!(report.passed(), "{report:?}");
    assert_eq!(report.events, log.len());
    let other = Signer::generate();
    assert!(
        first_bad(&store, &other).await.is_some(),
        "another key's verdict"
    );
    // The stored chain and checkpoints are append-only too.
    let backend = store.backend().clone();
    for sql in [
        "UPDATE event_hashes SET hash = 'x'",
        "DELETE FROM event_hashes",
        "DELETE FROM integrity_checkpoints",
    ] {
        let refused = match &backend {
            Backend::Postgres(pool) => sqlx::query(sql).execute(pool).await.is_err(),
            Backend::Sqlite(pool) => sqlx::query(sql).execute(pool).await.is_err(),
        };
        assert!(refused, "{sql} must be refused");
    }

    // One byte of one payload.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let target = &log[log.len() / 2];
    let sql = placeholders(
        store.backend(),
        "UPDATE events SET payload = $1::jsonb WHERE position = $2",
    );
    behind_the_back(
        &store,
        &[(
            &sql,
            vec![
                Value::String(one_byte_changed(&target.payload).to_string()),
                target.position.into(),
            ],
        )],
    )
    .await;
    let bad = first_bad(&store, &signer).await.expect("detected");
    assert_eq!(bad.0, target.position, "payload byte: {bad:?}");

    // One metadata value.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let target = &log[log.len() / 3];
    let mut metadata = target.metadata.clone();
    metadata["actor_id"] = Value::String("someone-else".into());
    if metadata == target.metadata {
        metadata = one_byte_changed(&target.metadata);
    }
    let sql = placeholders(
        store.backend(),
        "UPDATE events SET metadata = $1::jsonb WHERE position = $2",
    );
    behind_the_back(
        &store,
        &[(
            &sql,
            vec![Value::String(metadata.to_string()), target.position.into()],
        )],
    )
    .await;
    let bad = first_bad(&store, &signer).await.expect("detected");
    assert_eq!(bad.0, target.position, "metadata: {bad:?}");

    // One event deleted.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let target = &log[log.len() / 4];
    let sql = placeholders(store.backend(), "DELETE FROM events WHERE position = $1");
    behind_the_back(&store, &[(&sql, vec![target.position.into()])]).await;
    let bad = first_bad(&store, &signer).await.expect("detected");
    assert_eq!(bad.0, target.position, "deletion: {bad:?}");

    // An event inserted into the sealed history, before the sealed events (PostgreSQL's
    // positions leave room there, and between transactions; SQLite's are consecutive from
    // 1): found at its own position, not at the next one, whose hash then differs too.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    if let Backend::Postgres(_) = store.backend() {
        let after = log[0].position;
        let inserted = after - 1;
        assert!(inserted > 0, "room before the first position");
        let copy = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
                    event_version, payload, metadata, position) \
             SELECT aggregate_type, $1, 1, event_type, event_version, payload, metadata, $2 \
               FROM events WHERE position = $3";
        behind_the_back(
            &store,
            &[(
                copy,
                vec![
                    uuid::Uuid::now_v7().to_string().into(),
                    inserted.into(),
                    log[0].position.into(),
                ],
            )],
        )
        .await;
        assert!(inserted < after);
        let bad = first_bad(&store, &signer).await.expect("detected");
        assert_eq!(bad.0, inserted, "insertion: {bad:?}");
        assert!(bad.1.contains("never sealed"), "{bad:?}");
    }

    // Two events swapped.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let (p, q) = (log[log.len() / 2].position, log[log.len() / 2 + 1].position);
    let swap = placeholders(
        store.backend(),
        "UPDATE events SET position = $1 WHERE position = $2",
    );
    behind_the_back(
        &store,
        &[
            (&swap, vec![(-1i64).into(), p.into()]),
            (&swap, vec![p.into(), q.into()]),
            (&swap, vec![q.into(), (-1i64).into()]),
        ],
    )
    .await;
    let bad = first_bad(&store, &signer).await.expect("detected");
    assert_eq!(bad.0, p, "swap: {bad:?}");

    // The most recent events removed after a checkpoint, their hashes too.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let cut = log[log.len() - 5].position;
    let head = log.last().unwrap().position;
    let events = placeholders(store.backend(), "DELETE FROM events WHERE position >= $1");
    let hashes = placeholders(
        store.backend(),
        "DELETE FROM event_hashes WHERE position >= $1",
    );
    behind_the_back(
        &store,
        &[(&events, vec![cut.into()]), (&hashes, vec![cut.into()])],
    )
    .await;
    let bad = first_bad(&store, &signer).await.expect("detected");
    assert_eq!(
        bad.0, head,
        "cut after the checkpoint, named at the checkpoint: {bad:?}"
    );
    assert!(bad.1.contains("missing"), "{bad:?}");
    // The tail cut together with its hashes *and* the checkpoint that covered it: the store
    // alone cannot tell, but a checkpoint the reviewer kept can.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let kept = store.checkpoints().await.unwrap();
    let checkpoints = placeholders(
        store.backend(),
        "DELETE FROM integrity_checkpoints WHERE position >= $1",
    );
    behind_the_back(
        &store,
        &[
            (&events, vec![cut.into()]),
            (&hashes, vec![cut.into()]),
            (&checkpoints, vec![cut.into()]),
        ],
    )
    .await;
    let alone = store
        .verify_chain(Some(&signer.public_key()), |_| {})
        .await
        .unwrap();
    assert!(
        alone.passed(),
        "nothing in the store shows the cut: {alone:?}"
    );
    assert_eq!(
        alone.latest_checkpoint, None,
        "and it says no signature covers it"
    );
    assert_eq!(alone.unsigned_events, alone.events);
    let against = store
        .verify_chain_against(Some(&signer.public_key()), &kept, |_| {})
        .await
        .unwrap();
    let head = log.last().unwrap().position;
    assert_eq!(
        against.first_bad.as_ref().map(|b| b.0),
        Some(head),
        "the kept checkpoint names the cut: {against:?}"
    );
    // A kept checkpoint of another key is itself refused.
    let forged = Signer::generate().sign_checkpoint(head, &"00".repeat(32));
    let report = store
        .verify_chain_against(Some(&signer.public_key()), &[forged], |_| {})
        .await
        .unwrap();
    assert_eq!(report.first_bad.map(|b| b.0), Some(head));

    // ... and with the hashes left in place, at the first removed event.
    let store = fresh().await;
    let log = sealed_log(&store, &signer).await;
    let cut = log[log.len() - 5].position;
    behind_the_back(&store, &[(&events, vec![cut.into()])]).await;
    let bad = first_bad(&store, &signer).await.expect("detected");
    assert_eq!(bad.0, cut, "{bad:?}");
}

async fn an_export_verifies_offline_and_a_changed_byte_fails(store: Store) {
    let signer = Signer::generate();
    let log = sealed_log(&store, &signer).await;
    let mut file = Vec::new();
    let written = store
        .export_with_integrity(&mut file, |_| {})
        .await
        .unwrap();
    assert_eq!(written, log.len());
    let report = verify_export(&file[..], &signer.public_key()).unwrap();
    assert!(report.passed(), "{report:?}");
    assert!(report.problems.is_empty(), "{report:?}");
    assert_eq!(report.events, log.len());
    assert_eq!(report.checkpoints, 1);
    // Another key: refused.
    assert!(!verify_export(&file[..], &Signer::generate().public_key())
        .unwrap()
        .passed());
    // One byte changed inside an event's payload (a letter of a name).
    let text = String::from_utf8(file.clone()).unwrap();
    let line_start = text.match_indices('\n').nth(log.len() / 2).unwrap().0 + 1;
    let name_at = line_start + text[line_start..].find("\"name\":\"").unwrap() + 8;
    let mut altered = file.clone();
    altered[name_at] = if altered[name_at] == b'Q' { b'R' } else { b'Q' };
    let report = verify_export(&altered[..], &signer.public_key()).unwrap();
    let position = log[log.len() / 2 + 1].position;
    assert_eq!(
        report.first_bad.as_ref().map(|b| b.0),
        Some(position),
        "{report:?}"
    );
    // A line removed from the file.
    let without: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 10)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let report = verify_export(without.as_bytes(), &signer.public_key()).unwrap();
    assert_eq!(
        report.first_bad.as_ref().map(|b| b.0),
        Some(log[11].position),
        "{report:?}"
    );
    // Without its checkpoints, the chain still verifies, and the report says no signature
    // covers it (rather than calling it tampered).
    let unsigned: String = text
        .lines()
        .filter(|l| !l.starts_with("{\"checkpoint\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let report = verify_export(unsigned.as_bytes(), &signer.public_key()).unwrap();
    assert!(report.passed(), "{report:?}");
    assert_eq!(report.latest_checkpoint, None);
    assert_eq!(report.unsigned_events, log.len());
    // The checkpoints an export carries can be kept and read back.
    let kept = projections::integrity::read_checkpoints(&text).unwrap();
    assert_eq!(kept, store.checkpoints().await.unwrap());
    // The export still imports (checkpoint lines are skipped).
    let (_dir, target) = tests::sqlite_store().await;
    let imported = target.import_from(&file[..], |_| {}).await.unwrap();
    assert_eq!(imported.imported, log.len());
}

/// Events after the latest signed checkpoint (all of them when none is signed).
async fn uncovered(store: &Store) -> i64 {
    let signed = store
        .latest_checkpoint()
        .await
        .unwrap()
        .map_or(0, |c| c.position);
    let sql = placeholders(
        store.backend(),
        "SELECT count(*) FROM events WHERE position > $1",
    );
    match store.backend() {
        Backend::Postgres(pool) => sqlx::query_scalar(&sql)
            .bind(signed)
            .fetch_one(pool)
            .await
            .unwrap(),
        Backend::Sqlite(pool) => sqlx::query_scalar(&sql)
            .bind(signed)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

/// The sealer signs its first sealing at once (whatever the interval), its head on a clean
/// stop, and under load leaves a bounded number of events covered by no signature.
async fn the_sealer_signs_first_at_shutdown_and_often_under_load(store: Store) {
    use projections::integrity::{spawn_sealer, CheckpointPolicy};
    use std::time::Duration;
    let signer = Signer::generate();
    let lazy = CheckpointPolicy {
        every: Duration::from_secs(3600),
        every_events: 1_000_000,
    };
    let sealer = spawn_sealer(store.clone(), Some(signer.clone()), lazy);
    tests::dataset::insert_networks(&store, 0, 1).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while store.latest_checkpoint().await.unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first sealing is signed at once"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // More history, not due under this policy; then a clean stop 2 s later signs the head.
    tests::dataset::insert_networks(&store, 1, 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    sealer.shutdown(Duration::from_secs(20)).await;
    let head = store.head_position().await.unwrap();
    let last = store.latest_checkpoint().await.unwrap().expect("signed");
    assert_eq!(last.position, head, "the clean stop signed the head");
    assert_eq!(uncovered(&store).await, 0);

    // Under load with the default policy: writers append while a sampler records how many
    // events no signature covers.
    let sealer = spawn_sealer(
        store.clone(),
        Some(signer.clone()),
        CheckpointPolicy::default(),
    );
    // Eight writers through the command service, as a server's clients would write.
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                use aggregates::metadata::{Actor, EventMetadata, Role};
                use aggregates::organization::{Organization, OrganizationCommand};
                use aggregates::values::{Name, OrganizationCategory};
                let metadata = EventMetadata::new(Actor {
                    id: format!("writer-{w}"),
                    role: Role::PlatformAdministrator,
                    organization: None,
                });
                for n in 0..150 {
                    let id = aggregates::ids::OrganizationId::new_random();
                    store
                        .execute::<Organization>(
                            &id.to_string(),
                            OrganizationCommand::Register {
                                id,
                                name: Name::parse(&format!("Comune {w}-{n}")).unwrap(),
                                category: OrganizationCategory::Comune,
                                tax_code: None,
                                territory: Name::parse("T").unwrap(),
                            },
                            &metadata,
                        )
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    let mut most = 0;
    while !writers.iter().all(|w| w.is_finished()) {
        most = most.max(uncovered(&store).await);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sealer.shutdown(Duration::from_secs(20)).await;
    let total = store.count_events().await.unwrap();
    println!(
        "checkpoint coverage under load ({}): at most {most} of {total} events were covered by no signed checkpoint",
        store.backend().name()
    );
    // Bounded by the policy (1,000 events or 2 s) plus what commits during one seal and sign.
    assert!(most < 2_500, "the unsigned tail stays bounded: {most}");
    assert_eq!(uncovered(&store).await, 0, "the clean stop signed the head");
}

/// The id and document of the first current read-model document of `kind`.
async fn first_current(store: &Store, kind: &str) -> (String, Value) {
    let column = match store.backend() {
        Backend::Postgres(_) => "doc::text",
        Backend::Sqlite(_) => "doc",
    };
    let sql = format!(
        "SELECT id, {column} FROM read_models WHERE kind = '{kind}' AND valid_to IS NULL ORDER BY id LIMIT 1"
    );
    let (id, doc): (String, String) = match store.backend() {
        Backend::Postgres(pool) => sqlx::query_as(&sql).fetch_one(pool).await.unwrap(),
        Backend::Sqlite(pool) => sqlx::query_as(&sql).fetch_one(pool).await.unwrap(),
    };
    (id, serde_json::from_str(&doc).unwrap())
}

/// A read-model row changed (or removed) behind the application's back is found by
/// recomputing the read models from the log, without a rebuild; an untouched one passes.
async fn a_changed_read_model_is_found_without_a_rebuild(store: Store) {
    use projections::projector::{DocumentDifference, Projector};
    tests::dataset::insert_networks(&store, 0, 2).await;
    let projector = Projector::new(store.clone());
    let generation = projector.active_generation().await.unwrap();
    // Up to the head: on PostgreSQL the log is readable only past every older transaction of
    // the cluster, which a test running beside this one may hold open for a moment.
    let head = store.head_position().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while projector.catch_up(generation, |_| {}).await.unwrap() < head {
        assert!(
            std::time::Instant::now() < deadline,
            "the projector reaches the head"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let clean = projector.verify_read_models(|_| {}).await.unwrap();
    assert!(clean.documents > 10, "{clean:?}");
    assert_eq!(clean.differences, vec![], "untouched: {clean:?}");

    let (network, doc) = first_current(&store, "network").await;
    let (membership, _) = first_current(&store, "membership").await;
    let update = placeholders(
        store.backend(),
        "UPDATE read_models SET doc = $1::jsonb WHERE kind = 'network' AND valid_to IS NULL AND id = $2",
    );
    let delete = placeholders(
        store.backend(),
        "DELETE FROM read_models WHERE kind = 'membership' AND valid_to IS NULL AND id = $1",
    );
    behind_the_back(
        &store,
        &[
            (
                &update,
                vec![
                    Value::String(one_byte_changed(&doc).to_string()),
                    Value::String(network.clone()),
                ],
            ),
            (&delete, vec![Value::String(membership.clone())]),
        ],
    )
    .await;
    let report = projector.verify_read_models(|_| {}).await.unwrap();
    let mut differences = report.differences.clone();
    differences.sort_by(|a, b| a.kind.cmp(b.kind));
    assert_eq!(
        differences,
        vec![
            DocumentDifference {
                kind: "membership",
                id: membership,
                what: "missing"
            },
            DocumentDifference {
                kind: "network",
                id: network,
                what: "changed"
            },
        ],
        "{report:?}"
    );
}

/// How many versions and entity index rows the read models hold.
async fn rows_written(store: &Store) -> (i64, i64) {
    let sql = "SELECT (SELECT count(*) FROM read_models), (SELECT count(*) FROM entity_events)";
    match store.backend() {
        Backend::Postgres(pool) => sqlx::query_as(sql).fetch_one(pool).await.unwrap(),
        Backend::Sqlite(pool) => sqlx::query_as(sql).fetch_one(pool).await.unwrap(),
    }
}

/// Waits until the active generation's checkpoint is the log's head.
async fn projected_to_head(projector: &projections::projector::Projector, store: &Store) -> i64 {
    let head = store.head_position().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, checkpoint) = projector.active_checkpoint().await.unwrap();
        if checkpoint == head {
            return checkpoint;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the projector reaches {head}: at {checkpoint}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Sets the active generation's checkpoint behind the application's back.
async fn move_checkpoint(store: &Store, generation: i64, to: i64) {
    let sql = placeholders(
        store.backend(),
        "UPDATE projection_checkpoints SET position = $1 WHERE generation = $2",
    );
    let moved = match store.backend() {
        Backend::Postgres(pool) => sqlx::query(&sql)
            .bind(to)
            .bind(generation)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        Backend::Sqlite(pool) => sqlx::query(&sql)
            .bind(to)
            .bind(generation)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(moved, 1);
}

/// The projection checkpoint moved behind the application's back: back to the start, to the
/// middle of the log, past its head, forward within the log while no projector ran. The
/// projector does not apply the events again onto the documents that hold them (nor fail on
/// their keys for ever), nor skip any: it puts the checkpoint back where its documents end
/// and follows the log from there, running, at its start and through `catch_up`.
async fn a_moved_checkpoint_is_put_back_where_its_documents_end(store: Store) {
    use projections::projector::Projector;
    tests::dataset::insert_networks(&store, 0, 2).await;
    let projector = Projector::new(store.clone());
    let running = projector
        .clone()
        .spawn(std::time::Duration::from_millis(50));
    let generation = projector.active_generation().await.unwrap();
    let past_the_head = i64::MAX / 2;
    for (round, to) in [(1u128, 0i64), (2, -1), (3, past_the_head)] {
        let head = projected_to_head(&projector, &store).await;
        let written = rows_written(&store).await;
        let to = if to < 0 { head / 2 } else { to };
        move_checkpoint(&store, generation, to).await;
        // Nothing was written twice, and what the log brings after is projected.
        tests::dataset::insert_networks(&store, round + 1, round + 2).await;
        projected_to_head(&projector, &store).await;
        let after = rows_written(&store).await;
        assert!(
            after.0 > written.0 && after.1 > written.1,
            "{written:?} {after:?}"
        );
        let report = projector.verify_read_models(|_| {}).await.unwrap();
        assert_eq!(report.differences, vec![], "round {round}: {report:?}");
    }
    running.shutdown(std::time::Duration::from_secs(10)).await;
    // Moved forward within the log while no projector ran: at its start a projector finds
    // its checkpoint past its rows; so do the one-off `governance` commands (`catch_up_all`).
    for (network, by_catch_up) in [(5u128, false), (6, true)] {
        let (_, at) = projector.active_checkpoint().await.unwrap();
        tests::dataset::insert_networks(&store, network, network + 1).await;
        let skipping = middle_position_after(&store, at).await;
        move_checkpoint(&store, generation, skipping).await;
        if by_catch_up {
            projections::catch_up_all(&store).await.unwrap();
            projected_to_head(&projector, &store).await;
        } else {
            let running = projector
                .clone()
                .spawn(std::time::Duration::from_millis(50));
            projected_to_head(&projector, &store).await;
            running.shutdown(std::time::Duration::from_secs(10)).await;
        }
        let report = projector.verify_read_models(|_| {}).await.unwrap();
        assert_eq!(report.differences, vec![], "network {network}: {report:?}");
    }
    let expected = rows_written(&store).await;
    let head = store.head_position().await.unwrap();
    for to in [1, past_the_head] {
        move_checkpoint(&store, generation, to).await;
        assert_eq!(projector.catch_up(generation, |_| {}).await.unwrap(), head);
        assert_eq!(rows_written(&store).await, expected);
    }
}

/// The position of the middle one of the events after `at`.
async fn middle_position_after(store: &Store, at: i64) -> i64 {
    let sql = placeholders(
        store.backend(),
        "SELECT position FROM events WHERE position > $1 ORDER BY position",
    );
    let positions: Vec<i64> = match store.backend() {
        Backend::Postgres(pool) => sqlx::query_scalar(&sql)
            .bind(at)
            .fetch_all(pool)
            .await
            .unwrap(),
        Backend::Sqlite(pool) => sqlx::query_scalar(&sql)
            .bind(at)
            .fetch_all(pool)
            .await
            .unwrap(),
    };
    assert!(positions.len() > 4, "{positions:?}");
    positions[positions.len() / 2]
}

/// Puts a copy of the log's first event under a new aggregate id, with metadata no command
/// writes, into the event table: the database refuses it as any client would send it, so it
/// goes in with that guard out of the way, as an attacker with the owner's rights can. Answers
/// its position.
async fn insert_a_row_that_is_no_event(store: &Store) -> i64 {
    let metadata = serde_json::json!({"actor_id": 7, "actor_role": "PLATFORM_ADMINISTRATOR", "correlation_id": "x", "note": ["not", "strings"]});
    append_copy(store, "ORDER BY position LIMIT 1", &metadata, true).await
}

/// Appends a copy of the event `from` picks (`WHERE … ORDER BY … LIMIT 1`) under a new
/// aggregate id, with `metadata`, as someone with the database's credentials would. With
/// `past_the_guard`, the database refuses it first (metadata no event has), and it goes in
/// with that guard dropped. Answers its position.
async fn append_copy(store: &Store, from: &str, metadata: &Value, past_the_guard: bool) -> i64 {
    let id = uuid::Uuid::now_v7().to_string();
    let copy = placeholders(
        store.backend(),
        &format!(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
                    event_version, payload, metadata) \
             SELECT aggregate_type, $1, 1, event_type, event_version, payload, $2::jsonb \
               FROM events {from}"
        ),
    );
    let metadata = metadata.to_string();
    let at = placeholders(
        store.backend(),
        "SELECT position FROM events WHERE aggregate_id = $1",
    );
    let before = store.count_events().await.unwrap();
    // Refused as sent; then sent again with the guard (named by `refusal`) dropped by `drop`.
    macro_rules! append {
        ($pool:expr, $copy:expr, $refusal:literal, $drop:literal) => {{
            if past_the_guard {
                let refused = sqlx::query($copy)
                    .bind(&id)
                    .bind(&metadata)
                    .execute($pool)
                    .await
                    .expect_err("the database refuses metadata no event has");
                assert!(refused.to_string().contains($refusal), "{refused}");
                assert_eq!(store.count_events().await.unwrap(), before);
                sqlx::query($drop).execute($pool).await.unwrap();
            }
            sqlx::query($copy)
                .bind(&id)
                .bind(&metadata)
                .execute($pool)
                .await
                .unwrap();
            sqlx::query_scalar(&at)
                .bind(&id)
                .fetch_one($pool)
                .await
                .unwrap()
        }};
    }
    match store.backend() {
        Backend::Postgres(pool) => append!(
            pool,
            &copy,
            "events_metadata_is_an_events",
            "ALTER TABLE events DROP CONSTRAINT events_metadata_is_an_events"
        ),
        Backend::Sqlite(pool) => append!(
            pool,
            &copy.replace("::jsonb", ""),
            "not an event",
            "DROP TRIGGER events_metadata_checked"
        ),
    }
}

/// A row that is no event (put in the table behind the application's back) holds back what
/// must apply it or vouch for it: the sealer seals nothing from it on (no server appended it:
/// it carries no authentication code) and the `integrity` query names it; the projector and
/// the read image stop at it, `/readyz` names its position, a mutation after it answers a
/// typed `READ_SIDE_BEHIND` (not a hang), the audit log names it with a typed `NOT_AN_EVENT`
/// (and pages past it), and `verify` names it. Once an operator removes it, sealing goes on.
async fn a_row_that_is_no_event_is_named_and_stops_the_appliers_and_the_sealer(store: Store) {
    let server = tests::spawn_server(store.clone(), Default::default()).await;
    server.register_organization("Comune di Prima").await;
    let bad = insert_a_row_that_is_no_event(&store).await;

    registered_not_read(&server, "Comune di Dopo").await;
    let head = store.head_position().await.unwrap();
    assert!(head > bad, "the mutation after the row committed");

    // The background sealer seals up to the row, and not it nor anything after it.
    sealing_stops_at(&server, bad).await;

    let readyz = format!("{}/readyz", server.url.trim_end_matches("/graphql"));
    let response = server.client.get(&readyz).send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(
        text.contains(&format!("stopped at position {bad}")),
        "{text}"
    );
    assert!(
        !text.contains("actor_id"),
        "why is the server log's: {text}"
    );
    assert_eq!(store.stopped_at().map(|(p, _)| p), Some(bad));

    // A reviewer paging the audit log is told which row is not an event (a typed error, not
    // an internal one) and pages past it.
    let auditor = tests::auditor();
    let page = server
        .gql(
            Some(&auditor),
            "{ auditLog(last: 3) { nodes { position } } }",
            serde_json::json!({}),
        )
        .await;
    let error = &page["errors"][0];
    assert_eq!(error["extensions"]["code"], "NOT_AN_EVENT", "{page}");
    assert_eq!(
        error["extensions"]["positions"],
        serde_json::json!([bad]),
        "{page}"
    );
    assert!(
        !error["message"].as_str().unwrap().contains("actor_id"),
        "{page}"
    );
    let past = server
        .gql(
            Some(&auditor),
            "query($after: String) { auditLog(after: $after, first: 5) { nodes { position eventType } } }",
            serde_json::json!({"after": bad.to_string()}),
        )
        .await;
    let nodes = past["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{past}"));
    assert_eq!(
        nodes.last().map(|n| n["position"].clone()),
        Some(serde_json::json!(head)),
        "the events after the row: {past}"
    );
    assert!(
        nodes.iter().all(|n| n["position"].as_i64() > Some(bad)),
        "{past}"
    );

    // `verify` names the row twice: the chain check (never sealed, it carries no code) and
    // the log's own check (its metadata is no event's).
    verify_names(&server, bad, "no authentication code").await;
    let report = store.verify_log(|_| {}).await.unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with(&format!("position {bad}: its metadata is not an event's")),
        "{:?}",
        report.problems
    );
    assert_eq!(report.events as i64, store.count_events().await.unwrap());

    // The operator removes the row: the sealer seals and signs the events after it, and an
    // export of the log verifies offline.
    remove_row(&store, bad).await;
    sealed_and_signed_to_head(&server).await;
    let mut export = Vec::new();
    store
        .export_with_integrity(&mut export, |_| {})
        .await
        .unwrap();
    let offline = verify_export(&export[..], &server.signer.public_key()).unwrap();
    assert!(offline.passed(), "{offline:?}");
    assert_eq!(offline.unsigned_events, 0, "{offline:?}");
}

/// `verify` (the chain, with the server's key and the deployment secret) names `at` first,
/// saying `why`.
async fn verify_names(
    server: &tests::TestServer,
    at: i64,
    why: &str,
) -> projections::integrity::ChainReport {
    let chain = server
        .store
        .verify_chain(Some(&server.signer.public_key()), |_| {})
        .await
        .unwrap();
    let (first, said) = chain.first_bad.clone().expect("a position is named");
    assert_eq!(first, at, "{chain:?}");
    assert!(said.contains(why), "{said}");
    chain
}

/// What the `integrity` query says of the seal, as a reviewer asks it.
async fn integrity_query(server: &tests::TestServer) -> Value {
    server
        .gql(
            Some(&tests::auditor()),
            "{ integrity { headPosition sealingStoppedAt latestCheckpoint { position } } }",
            serde_json::json!({}),
        )
        .await
}

/// Waits until the server's sealer has sealed everything before `at` and stands still there,
/// as the `integrity` query says; checks that no checkpoint covers `at` meanwhile.
async fn sealing_stops_at(server: &tests::TestServer, at: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let body = integrity_query(server).await;
        let integrity = &body["data"]["integrity"];
        if integrity["sealingStoppedAt"] == serde_json::json!(at.to_string())
            || integrity["sealingStoppedAt"] == serde_json::json!(at)
        {
            let sealed = server.store.sealed_head().await.unwrap().0;
            assert!(sealed < at, "sealed to {sealed}, past {at}");
            assert!(
                integrity["headPosition"]
                    .as_i64()
                    .or_else(|| integrity["headPosition"]
                        .as_str()
                        .and_then(|p| p.parse().ok()))
                    < Some(at),
                "{body}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sealer names the row at {at}: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Given time, the sealer is still there; a checkpoint signed now covers only what is
    // sealed, so no signature covers the row.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert!(server.store.sealed_head().await.unwrap().0 < at);
    server.store.checkpoint(&server.signer).await.unwrap();
    let latest = server.store.latest_checkpoint().await.unwrap();
    assert!(
        latest.as_ref().is_none_or(|c| c.position < at),
        "{latest:?}"
    );
    assert!(matches!(
        server.store.seal_all().await,
        Err(projections::store::StoreError::Unauthenticated { position, .. }) if position == at
    ));
}

/// Waits until the server's sealer has sealed the log to its head, and signs it there (the
/// test server's sealer signs nothing: its key is the test's); the chain then verifies.
async fn sealed_and_signed_to_head(server: &tests::TestServer) {
    let head = server.store.head_position().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.store.sealed_head().await.unwrap().0 < head {
        assert!(
            std::time::Instant::now() < deadline,
            "sealed to {head}: {:?} {:?} {:#?}",
            server.store.sealed_head().await.unwrap().0,
            server.store.sealing_refused().await.unwrap(),
            server.store.export_after(0, 10, None).await.unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.store.checkpoint(&server.signer).await.unwrap();
    let signed = server.store.latest_checkpoint().await.unwrap();
    assert!(signed.is_some_and(|c| c.position >= head));
    let chain = server
        .store
        .verify_chain(Some(&server.signer.public_key()), |_| {})
        .await
        .unwrap();
    assert!(chain.passed(), "{chain:?}");
    let body = integrity_query(server).await;
    assert_eq!(
        body["data"]["integrity"]["sealingStoppedAt"],
        Value::Null,
        "{body}"
    );
}

/// Deletes the event at `position`, the append-only guard out of the way.
async fn remove_row(store: &Store, position: i64) {
    behind_the_back(
        store,
        &[(
            &placeholders(store.backend(), "DELETE FROM events WHERE position = $1"),
            vec![serde_json::json!(position)],
        )],
    )
    .await;
}

/// Appends a copy of the log's last `Organization` event under a new id, with `metadata`
/// (a map of strings, as every event's): a well-formed event of this system, put in the log
/// with the database's credentials alone. Answers its position.
async fn forge_an_event(store: &Store, metadata: &Value) -> i64 {
    let last = "WHERE aggregate_type = 'Organization' ORDER BY position DESC LIMIT 1";
    append_copy(store, last, metadata, false).await
}

/// The metadata of the log's last event, as stored.
async fn last_metadata(store: &Store) -> Value {
    let head = store.head_position().await.unwrap();
    store.export_after(head - 1, 1, None).await.unwrap()[0]
        .metadata
        .clone()
}

/// An event appended with the database's credentials alone (the database accepts it: it is
/// well formed, its metadata copied from a real event, code included) is never sealed nor
/// signed, nor is any event after it: the sealer stops there, the `integrity` query names
/// it, `verify` with the deployment secret names it, and an operator cannot adopt it (its
/// code does not verify). Removed, sealing goes on. An event without any code (an earlier
/// version's, not sealed before it stopped) is refused the same way until adopted.
async fn a_forged_append_is_never_sealed_or_signed(url: String, store: Store) {
    let server = tests::spawn_server(store.clone(), Default::default()).await;
    server.register_organization("Comune di Prima").await;
    sealed_and_signed_to_head(&server).await;
    let real = last_metadata(&store).await;
    assert!(
        real["event_mac"].as_str().is_some_and(|c| c.len() == 32),
        "the server codes its events: {real}"
    );
    let forged = forge_an_event(&store, &real).await;
    // The forged event reads as any other (it is well formed): only its code tells. The
    // read side applies nothing from it on: a mutation after it commits and answers a typed
    // `READ_SIDE_BEHIND`, `/readyz` names the row, and nobody reads the forged organization.
    registered_not_read(&server, "Comune di Dopo").await;
    let head = store.head_position().await.unwrap();
    assert!(head > forged);
    read_side_stops_at(&server, forged, "no server of this deployment appended it").await;
    assert_eq!(organization_names(&server).await, ["Comune di Prima"]);
    sealing_stops_at(&server, forged).await;
    let chain = verify_names(&server, forged, "does not verify").await;
    assert_eq!(
        chain.authentication,
        projections::integrity::Authentication::Checked
    );
    assert!(
        matches!(
            store.seal_all_adopting(forged).await,
            Err(projections::store::StoreError::Unauthenticated { position, .. }) if position == forged
        ),
        "a code that does not verify is not adopted"
    );
    // With another deployment secret, `verify` says it cannot judge the codes (a sealed
    // event's code does not verify under it) rather than call every event forged.
    let other = Store::open(&url)
        .await
        .unwrap()
        .with_secrets(projections::secrets::Secrets::generate());
    let elsewhere = other.verify_chain(None, |_| {}).await.unwrap();
    assert_eq!(
        elsewhere.authentication,
        projections::integrity::Authentication::OtherSecret
    );
    assert!(elsewhere.passed(), "{elsewhere:?}");
    remove_row(&store, forged).await;
    sealed_and_signed_to_head(&server).await;
    read_side_goes_on(&server).await;
    assert_eq!(
        organization_names(&server).await,
        ["Comune di Dopo", "Comune di Prima"]
    );

    // No code at all: refused until an operator adopts it, and only up to where they said;
    // the read side applies it once a checkpoint of the deployment's key covers it.
    let mut uncoded = last_metadata(&store).await;
    uncoded.as_object_mut().unwrap().remove("event_mac");
    let legacy = forge_an_event(&store, &uncoded).await;
    read_side_stops_at(&server, legacy, "carries no authentication code").await;
    sealing_stops_at(&server, legacy).await;
    assert!(matches!(
        store.seal_all_adopting(legacy - 1).await,
        Err(projections::store::StoreError::Unauthenticated { position, .. }) if position == legacy
    ));
    store.seal_all_adopting(legacy).await.unwrap();
    assert!(store.sealed_head().await.unwrap().0 >= legacy);
    store
        .checkpoint_adopting(&server.signer, legacy)
        .await
        .unwrap();
    sealed_and_signed_to_head(&server).await;
    read_side_goes_on(&server).await;
    assert_eq!(
        organization_names(&server).await,
        ["Comune di Dopo", "Comune di Dopo", "Comune di Prima"],
        "the adopted copy is applied"
    );

    // A forged event sealed behind the sealer's back (a chain hash is public arithmetic):
    // the sealer goes on past it, but no checkpoint is signed over it, and `verify` names it.
    server.register_organization("Comune di Terza").await;
    sealed_and_signed_to_head(&server).await;
    let (sealed, previous) = store.sealed_head().await.unwrap();
    let forged = forge_an_event(&store, &last_metadata(&store).await).await;
    let event = store.export_after(sealed, 1, None).await.unwrap().remove(0);
    assert_eq!(event.position, forged);
    let hash = projections::integrity::event_hash(&previous, &event.as_stored());
    let insert = placeholders(
        store.backend(),
        "INSERT INTO event_hashes (position, hash) VALUES ($1, $2)",
    );
    let binds = vec![
        serde_json::json!(forged),
        serde_json::json!(hex::encode(hash)),
    ];
    behind_the_back(&store, &[(&insert, binds)]).await;
    // Committed, but not applied (the read side stands at the forged event).
    registered_not_read(&server, "Comune di Poi").await;
    let head = store.head_position().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while store.sealed_head().await.unwrap().0 < head {
        assert!(std::time::Instant::now() < deadline, "sealed past the hash");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(matches!(
        store.checkpoint(&server.signer).await,
        Err(projections::store::StoreError::Unauthenticated { position, .. }) if position == forged
    ));
    let latest = store.latest_checkpoint().await.unwrap().unwrap();
    assert!(latest.position < forged, "{latest:?}");
    let body = integrity_query(&server).await;
    assert_eq!(
        body["data"]["integrity"]["sealingStoppedAt"],
        serde_json::json!(forged),
        "{body}"
    );
    verify_names(&server, forged, "does not verify").await;
    // Its hash row does not make the read side apply it either.
    read_side_stops_at(&server, forged, "does not verify").await;
}

/// An event appended with the database's credentials alone into a real aggregate's history
/// (the next sequence of the first organization, its code copied from a real event) is never
/// decided on: a command on that organization changes nothing and answers a typed
/// `HISTORY_NOT_AUTHENTIC` naming its position, whether the command service remembered the
/// organization or not; a command on another record is taken. Once the row is removed,
/// commands on the organization are taken again.
async fn a_command_decides_nothing_on_a_forged_history(url: String, store: Store) {
    let server = tests::spawn_server(store.clone(), Default::default()).await;
    let prima = server.register_organization("Comune di Prima").await;
    let seconda = server.register_organization("Comune di Seconda").await;
    sealed_and_signed_to_head(&server).await;
    let real = last_metadata(&store).await;
    let forge = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
                event_version, payload, metadata) \
         SELECT aggregate_type, aggregate_id, sequence + 1, event_type, event_version, payload, \
                $1::jsonb \
           FROM events WHERE aggregate_id = (SELECT aggregate_id FROM events \
                 WHERE aggregate_type = 'Organization' ORDER BY position LIMIT 1) \
          ORDER BY sequence DESC LIMIT 1"
        .to_owned();
    let metadata = real.to_string();
    match store.backend() {
        Backend::Postgres(pool) => {
            sqlx::query(&forge)
                .bind(&metadata)
                .execute(pool)
                .await
                .unwrap();
        }
        Backend::Sqlite(pool) => {
            sqlx::query(&forge.replace("$1::jsonb", "?1"))
                .bind(&metadata)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let forged = store.head_position().await.unwrap();
    let rename = "mutation($o: ID!, $n: String!) { renameOrganization(input: {organization: $o, name: $n, effectiveOn: \"2026-01-01\"}) { organization { name } } }";
    // Through the server that remembers the organization, and through one that does not.
    let other = tests::spawn_server(tests::open(&url).await, Default::default()).await;
    for through in [&server, &other] {
        let before = store.count_events().await.unwrap();
        let body = through
            .gql(
                Some(&tests::admin()),
                rename,
                serde_json::json!({"o": prima, "n": "Comune di Dopo"}),
            )
            .await;
        let error = &body["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "HISTORY_NOT_AUTHENTIC",
            "{body}"
        );
        assert_eq!(
            error["extensions"]["positions"],
            serde_json::json!([forged]),
            "{body}"
        );
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with("nothing was changed") && !message.contains("SELECT"),
            "{body}"
        );
        assert_eq!(
            store.count_events().await.unwrap(),
            before,
            "nothing appended"
        );
    }
    // Another record's history is its own: the command is taken (the read side, stopped at
    // the forged row, does not show it yet).
    let before = store.count_events().await.unwrap();
    let body = server
        .gql(
            Some(&tests::admin()),
            rename,
            serde_json::json!({"o": seconda, "n": "Comune di Seconda bis"}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "READ_SIDE_BEHIND",
        "{body}"
    );
    assert_eq!(store.count_events().await.unwrap(), before + 1);
    remove_row(&store, forged).await;
    read_side_goes_on(&server).await;
    let body = server
        .gql(
            Some(&tests::admin()),
            rename,
            serde_json::json!({"o": prima, "n": "Comune di Dopo"}),
        )
        .await;
    assert_eq!(
        body["data"]["renameOrganization"]["organization"]["name"], "Comune di Dopo",
        "{body}"
    );
    sealed_and_signed_to_head(&server).await;
}

/// An event altered after a checkpoint was signed over it (the append-only guard out of the
/// way, as an owner can): its code no longer verifies, which no event of the server's can
/// show below a signature, since every code was checked before it was signed. The audit log
/// marks it, no command decides on it, and a rebuild stops at it instead of folding it.
async fn an_event_altered_after_it_was_signed_is_not_the_servers(url: String, store: Store) {
    let server = tests::spawn_server(store.clone(), Default::default()).await;
    let prima = server.register_organization("Comune di Prima").await;
    server.register_organization("Comune di Seconda").await;
    sealed_and_signed_to_head(&server).await;
    let registered = store.export_after(0, 1000, None).await.unwrap();
    let original = registered
        .iter()
        .find(|e| e.payload.to_string().contains("Comune di Prima"))
        .expect("the registration");
    let altered = original
        .payload
        .to_string()
        .replace("Comune di Prima", "Comune di Altera");
    behind_the_back(
        &store,
        &[(
            &placeholders(
                store.backend(),
                "UPDATE events SET payload = $1::jsonb WHERE position = $2",
            ),
            vec![Value::String(altered), serde_json::json!(original.position)],
        )],
    )
    .await;

    let body = server
        .gql(
            Some(&tests::admin()),
            "{ auditLog(first: 20, filter: {eventType: \"OrganizationRegistered\"}) { nodes { position authentic } } }",
            Value::Null,
        )
        .await;
    let entries = body["data"]["auditLog"]["nodes"]
        .as_array()
        .expect("{body}");
    assert_eq!(entries.len(), 2, "{body}");
    for entry in entries {
        let expected = entry["position"] != serde_json::json!(original.position);
        assert_eq!(entry["authentic"], Value::Bool(expected), "{body}");
    }

    // A server that does not remember the organization loads its history: refused, though
    // the checkpoint it knows (as `serve` learns it before listening) covers the event.
    let other_store = tests::open(&url).await;
    assert!(other_store.learn_vouched(&server.signer).await.unwrap() >= original.position);
    let other = tests::spawn_server(other_store, Default::default()).await;
    let before = store.count_events().await.unwrap();
    let body = other
        .gql(
            Some(&tests::admin()),
            "mutation($o: ID!) { renameOrganization(input: {organization: $o, name: \"Comune di Dopo\", effectiveOn: \"2026-01-01\"}) { organization { name } } }",
            serde_json::json!({"o": prima}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "HISTORY_NOT_AUTHENTIC",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["positions"],
        serde_json::json!([original.position]),
        "{body}"
    );
    assert_eq!(
        store.count_events().await.unwrap(),
        before,
        "nothing appended"
    );

    // The rebuild (a process of its own, as `governance rebuild`), with the checkpoint's
    // reach known, judges what the checkpoint covers too.
    let rebuilding = tests::open(&url).await;
    assert!(rebuilding.learn_vouched(&server.signer).await.unwrap() >= original.position);
    let refused = projections::projector::Projector::new(rebuilding)
        .rebuild(|_| {})
        .await
        .expect_err("the rebuild stops at the altered event");
    let said = refused.to_string();
    assert!(
        said.contains(&format!("position {}", original.position))
            && said.contains("code does not verify"),
        "{said}"
    );
    // The read models still show what was appended.
    let body = server
        .gql(
            Some(&tests::admin()),
            "query($o: ID!) { node(id: $o) { ... on Organization { name } } }",
            serde_json::json!({"o": prima}),
        )
        .await;
    assert_eq!(body["data"]["node"]["name"], "Comune di Prima", "{body}");
}

/// Registers the organization `name` through `server` whose read side stands still: the
/// change commits, and the mutation answers a typed `READ_SIDE_BEHIND` within its bound.
async fn registered_not_read(server: &tests::TestServer, name: &str) {
    let started = std::time::Instant::now();
    let body = server
        .gql(
            Some(&tests::admin()),
            "mutation($name: String!) { registerOrganization(input: {name: $name, category: COMUNE, territory: \"T\"}) { organization { name } } }",
            serde_json::json!({ "name": name }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "READ_SIDE_BEHIND",
        "{body}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

/// Waits until the server's followers of the log (the read image, the projector, the process
/// manager) stand at `at`, as `/readyz` says, naming `why`; checks that neither the projector
/// nor the process manager has gone past it.
async fn read_side_stops_at(server: &tests::TestServer, at: i64, why: &str) {
    readyz_until(server, |status, text| {
        status == 503 && text.contains(&format!("stopped at position {at}"))
    })
    .await;
    let (position, reason) = server.store.stopped_at().expect("stopped");
    assert_eq!(position, at);
    assert!(reason.contains(why), "{reason}");
    // Given time, they are still there.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(server.store.stopped_at().map(|(p, _)| p), Some(at));
    let projector = projections::projector::Projector::new(server.store.clone());
    let generation = projector.active_generation().await.unwrap();
    assert!(projector.checkpoint(generation).await.unwrap() < at);
    let processes = projections::processes::ProcessManager::new(server.store.clone());
    assert!(processes.checkpoint().await.unwrap() < at);
}

/// Waits until the server's followers of the log have applied it to its head.
async fn read_side_goes_on(server: &tests::TestServer) {
    let head = server.store.head_position().await.unwrap();
    let projector = projections::projector::Projector::new(server.store.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let generation = projector.active_generation().await.unwrap();
        let projected = projector.checkpoint(generation).await.unwrap();
        if server.store.stopped_at().is_none() && projected >= head {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the read side goes on to {head}: at {projected}, {:?}, image at {:?}, log {:?}",
            server.store.stopped_at(),
            server.store.image().map(|i| i.position()),
            server
                .store
                .export_after(0, 100, None)
                .await
                .unwrap()
                .iter()
                .map(|e| (e.position, e.aggregate_type.clone(), e.event_type.clone()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The names of every organization, as an administrator reads them now (sorted).
async fn organization_names(server: &tests::TestServer) -> Vec<String> {
    let body = server
        .gql(
            Some(&tests::admin()),
            "{ organizations(first: 100) { nodes { name } } }",
            serde_json::json!({}),
        )
        .await;
    let mut names: Vec<String> = body["data"]["organizations"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_moved_checkpoint_is_put_back_where_its_documents_end() {
        let store = tests::postgres_store().await;
        super::a_moved_checkpoint_is_put_back_where_its_documents_end(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_row_that_is_no_event_is_named_and_stops_the_appliers_and_the_sealer() {
        super::a_row_that_is_no_event_is_named_and_stops_the_appliers_and_the_sealer(
            tests::postgres_store().await,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_changed_read_model_is_found_without_a_rebuild() {
        super::a_changed_read_model_is_found_without_a_rebuild(tests::postgres_store().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_sealer_signs_first_at_shutdown_and_often_under_load() {
        super::the_sealer_signs_first_at_shutdown_and_often_under_load(
            tests::postgres_store().await,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn each_tampering_is_detected_at_its_position() {
        super::each_tampering_is_detected_at_its_position(async || tests::postgres_store().await)
            .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_export_verifies_offline_and_a_changed_byte_fails() {
        super::an_export_verifies_offline_and_a_changed_byte_fails(tests::postgres_store().await)
            .await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_moved_checkpoint_is_put_back_where_its_documents_end() {
        let (_dir, _url, store) = tests::sqlite_store_at().await;
        super::a_moved_checkpoint_is_put_back_where_its_documents_end(store).await;
    }

    /// SQLite stores any value in any column: a row whose columns hold what the log's reader
    /// cannot decode (text as its sequence, a BLOB as an id, a recording time that is no
    /// time) made every read of the log fail, the sealer's included. The database refuses
    /// each such row, as a client of the file would send it, and nothing changes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_row_of_other_types_is_refused() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = tests::spawn_server(store.clone(), Default::default()).await;
        server.register_organization("Comune di Prima").await;
        let projections::store::Backend::Sqlite(pool) = store.backend() else {
            unreachable!("a SQLite store")
        };
        let before = store.count_events().await.unwrap();
        for (column, value) in [
            ("sequence", "'abc'"),
            ("sequence", "1.5"),
            ("aggregate_id", "x'00'"),
            ("event_version", "NULL"),
            ("payload", "CAST('{}' AS BLOB)"),
            ("recorded_at", "'garbage'"),
            ("recorded_at", "'2026-13-45T99:99:99Z'"),
            ("recorded_at", "42"),
        ] {
            let columns = [
                "aggregate_type",
                "aggregate_id",
                "sequence",
                "event_type",
                "event_version",
                "payload",
                "metadata",
                "recorded_at",
            ];
            let values = columns.map(|c| match c {
                _ if c == column => value.to_owned(),
                "aggregate_id" => "'other-' || aggregate_id".to_owned(),
                "recorded_at" => "recorded_at".to_owned(),
                other => other.to_owned(),
            });
            let insert = format!(
                "INSERT INTO events ({}) SELECT {} FROM events ORDER BY position LIMIT 1",
                columns.join(", "),
                values.join(", ")
            );
            let refused = sqlx::query(&insert).execute(pool).await.expect_err(&insert);
            assert!(
                refused.to_string().contains("not an event")
                    || refused.to_string().contains("NOT NULL"),
                "{column} = {value}: {refused}"
            );
            assert_eq!(store.count_events().await.unwrap(), before, "{insert}");
        }
        // The log reads on: a mutation after the refusals is served.
        server.register_organization("Comune di Dopo").await;
        assert_eq!(store.count_events().await.unwrap(), before + 1);
        assert!(store.stopped_at().is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_row_that_is_no_event_is_named_and_stops_the_appliers_and_the_sealer() {
        let (_dir, store) = tests::sqlite_store().await;
        super::a_row_that_is_no_event_is_named_and_stops_the_appliers_and_the_sealer(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_changed_read_model_is_found_without_a_rebuild() {
        let (_dir, store) = tests::sqlite_store().await;
        super::a_changed_read_model_is_found_without_a_rebuild(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_sealer_signs_first_at_shutdown_and_often_under_load() {
        let (_dir, store) = tests::sqlite_store().await;
        super::the_sealer_signs_first_at_shutdown_and_often_under_load(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn each_tampering_is_detected_at_its_position() {
        let dirs = std::sync::Mutex::new(Vec::new());
        super::each_tampering_is_detected_at_its_position(async || {
            let (dir, store) = tests::sqlite_store().await;
            dirs.lock().unwrap().push(dir);
            store
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_export_verifies_offline_and_a_changed_byte_fails() {
        let (_dir, store) = tests::sqlite_store().await;
        super::an_export_verifies_offline_and_a_changed_byte_fails(store).await;
    }
}

/// A stored document the read side cannot read at all (replaced behind the application's
/// back): a server whose read image loads it says so in `/readyz`, naming the document, not
/// "loading" for ever; once `governance rebuild` has made the documents again from the log,
/// the image loads and the server is ready.
async fn an_unreadable_document_is_named_until_a_rebuild(url: String, store: Store) {
    let server = tests::spawn_server(store.clone(), Default::default()).await;
    server.register_organization("Comune di Prima").await;
    // Once its document is written (a mutation waits for the read image, not for that).
    tests::documents_written(&store).await;
    let projector = projections::projector::Projector::new(store.clone());
    let (id, _) = first_current(&store, "organization").await;
    let update = placeholders(
        store.backend(),
        "UPDATE read_models SET doc = '{\"garbage\": 1}' WHERE kind = 'organization' AND id = $1",
    );
    let changed = match store.backend() {
        Backend::Postgres(pool) => sqlx::query(&update)
            .bind(&id)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        Backend::Sqlite(pool) => sqlx::query(&update)
            .bind(&id)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert!(changed > 0);
    let other = tests::spawn_server(tests::open(&url).await, Default::default()).await;
    let readyz = format!("{}/readyz", other.url.trim_end_matches("/graphql"));
    let node = "query($o: ID!) { node(id: $o) { ... on Organization { name } } }";
    let organization = serde_json::json!({"o": aggregates::ids::global_id("Organization", &id)});
    if other.store.image().is_some() {
        // Its read image loads every current document: it names the one it cannot read.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let text = loop {
            let response = other.client.get(&readyz).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 503);
            let text = response.text().await.unwrap();
            if text.contains("cannot be read") {
                break text;
            }
            assert!(std::time::Instant::now() < deadline, "{text}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert!(
            text.contains(&format!("organization document {id}")) && text.contains("rebuild"),
            "{text}"
        );
        assert!(!text.contains("garbage"), "{text}");
    } else {
        // Without an image, the question that reads it is answered as the server's fault,
        // quoting nothing of the document.
        let body = other
            .gql(Some(&tests::admin()), node, organization.clone())
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "INTERNAL",
            "{body}"
        );
        assert!(!body.to_string().contains("garbage"), "{body}");
    }
    // Made again from the log, the documents load.
    projector.rebuild(|_| {}).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let response = other.client.get(&readyz).send().await.unwrap();
        if response.status().as_u16() == 200 {
            break;
        }
        let text = response.text().await.unwrap();
        assert!(std::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(other.store.unreadable_document().is_none());
    let body = other.gql(Some(&tests::admin()), node, organization).await;
    assert_eq!(body["data"]["node"]["name"], "Comune di Prima", "{body}");
}

/// Polls `/readyz` of `server` until `done` holds for its status and text.
async fn readyz_until(server: &tests::TestServer, done: impl Fn(u16, &str) -> bool) -> String {
    let readyz = format!("{}/readyz", server.url.trim_end_matches("/graphql"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let response = server.client.get(&readyz).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        if done(status, &text) {
            return text;
        }
        assert!(std::time::Instant::now() < deadline, "{status} {text}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A stored read-model document deleted behind the application's back, though the log's next
/// event needs it: a server whose read image loaded without it names it in `/readyz` (it was
/// ready, and answered every mutation on it `READ_SIDE_BEHIND`); after `governance rebuild`
/// its image loads again and it goes on.
async fn a_missing_document_is_named_until_a_rebuild(url: String, store: Store) {
    let server = tests::spawn_server(store.clone(), Default::default()).await;
    let organization = server.register_organization("Comune di Prima").await;
    tests::documents_written(&store).await;
    let projector = projections::projector::Projector::new(store.clone());
    let (id, _) = first_current(&store, "organization").await;
    let delete = placeholders(
        store.backend(),
        "DELETE FROM read_models WHERE kind = 'organization' AND id = $1",
    );
    match store.backend() {
        Backend::Postgres(pool) => {
            sqlx::query(&delete).bind(&id).execute(pool).await.unwrap();
        }
        Backend::Sqlite(pool) => {
            sqlx::query(&delete).bind(&id).execute(pool).await.unwrap();
        }
    }
    let other = tests::spawn_server(tests::open(&url).await, Default::default()).await;
    if other.store.image().is_some() {
        readyz_until(&other, |status, _| status == 200).await;
    }
    // Through the server whose image still holds it: the change is answered.
    let rename = "mutation($o: ID!, $n: String!) { renameOrganization(input: {organization: $o, name: $n, effectiveOn: \"2026-01-01\"}) { organization { name } } }";
    let body = server
        .gql(
            Some(&tests::admin()),
            rename,
            serde_json::json!({"o": organization, "n": "Comune di Seconda"}),
        )
        .await;
    assert_eq!(
        body["data"]["renameOrganization"]["organization"]["name"], "Comune di Seconda",
        "{body}"
    );
    // The image loaded without it cannot fold the change: it names the document (the
    // projector of the first server carried it from its last batch, and writes it).
    if other.store.image().is_some() {
        let text = readyz_until(&other, |status, text| {
            status == 503 && text.contains(&format!("organization document {id}"))
        })
        .await;
        assert!(
            text.contains("missing") && text.contains("governance rebuild"),
            "{text}"
        );
    }
    // Made again from the log, the documents are there: both go on, and the server loaded
    // without it loads its image again and answers its changes.
    projector.rebuild(|_| {}).await.unwrap();
    readyz_until(&server, |status, _| status == 200).await;
    readyz_until(&other, |status, _| status == 200).await;
    let body = other
        .gql(
            Some(&tests::admin()),
            rename,
            serde_json::json!({"o": organization, "n": "Comune di Terza"}),
        )
        .await;
    assert_eq!(
        body["data"]["renameOrganization"]["organization"]["name"], "Comune di Terza",
        "{body}"
    );
    let report = projector.verify_read_models(|_| {}).await.unwrap();
    assert_eq!(report.differences, vec![], "{report:?}");
}

/// Runs `sql` on the store's pool, answering whether the database accepted it.
async fn accepted(store: &Store, sql: &str) -> bool {
    match store.backend() {
        Backend::Postgres(pool) => sqlx::query(sql).execute(pool).await.is_ok(),
        Backend::Sqlite(pool) => sqlx::query(sql).execute(pool).await.is_ok(),
    }
}

/// The read side's pointer to the generation that serves reads is kept whole by the
/// database: its row cannot be deleted, it cannot point at a generation without a checkpoint,
/// and the active checkpoint cannot be deleted or renumbered. Deleted all the same (the guard
/// dropped), `/readyz` says what is wrong (it said "the database is unreachable", while every
/// question read from the database answered as if nothing had happened), and `governance
/// rebuild` makes a generation that serves again.
async fn the_projection_state_is_kept(url: String, store: Store) {
    use projections::projector::Projector;
    let server = tests::spawn_server(store.clone(), Default::default()).await;
    let organization = server.register_organization("Comune di Prima").await;
    let projector = Projector::new(store.clone());
    projected_to_head(&projector, &store).await;
    let before = projector.active_checkpoint().await.unwrap();
    let (active, _) = before;
    let mut refused = vec![
        "DELETE FROM projection_state".to_owned(),
        "UPDATE projection_state SET active_generation = 99".to_owned(),
        format!("DELETE FROM projection_checkpoints WHERE generation = {active}"),
        "DELETE FROM projection_checkpoints".to_owned(),
        format!("UPDATE projection_checkpoints SET generation = 99 WHERE generation = {active}"),
    ];
    if matches!(store.backend(), Backend::Postgres(_)) {
        refused.push("TRUNCATE projection_state".to_owned());
        refused.push("TRUNCATE projection_checkpoints".to_owned());
    }
    for sql in &refused {
        assert!(!accepted(&store, sql).await, "{sql}");
    }
    assert_eq!(projector.active_checkpoint().await.unwrap(), before);
    // A checkpoint of its own may still move (the projector's batches do).
    assert!(
        accepted(
            &store,
            &format!(
                "UPDATE projection_checkpoints SET position = position WHERE generation = {active}"
            )
        )
        .await
    );

    // With the guard out of the way, as an attacker with the owner's rights can.
    let out_of_the_way = match store.backend() {
        Backend::Postgres(_) => "ALTER TABLE projection_state DISABLE TRIGGER USER",
        Backend::Sqlite(_) => "DROP TRIGGER projection_state_no_delete",
    };
    assert!(accepted(&store, out_of_the_way).await);
    assert!(accepted(&store, "DELETE FROM projection_state").await);
    let other = tests::spawn_server(tests::open(&url).await, Default::default()).await;
    for serving in [&server, &other] {
        let text = readyz_until(serving, |status, text| {
            status == 503 && text.contains("no active generation")
        })
        .await;
        assert!(text.contains("governance rebuild"), "{text}");
    }
    projector.rebuild(|_| {}).await.unwrap();
    for serving in [&server, &other] {
        readyz_until(serving, |status, _| status == 200).await;
        let body = serving
            .gql(
                Some(&tests::admin()),
                "query($o: ID!) { node(id: $o) { ... on Organization { name } } }",
                serde_json::json!({"o": organization}),
            )
            .await;
        assert_eq!(body["data"]["node"]["name"], "Comune di Prima", "{body}");
    }
}

/// Each test on both backends, on a store of its own with its URL (for a second server).
macro_rules! on_both_backends {
    ($($module:ident => $test:ident),* $(,)?) => {$(
        mod $module {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let (url, store) = tests::postgres_store_at().await;
                super::$test(url, store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (_dir, url, store) = tests::sqlite_store_at().await;
                super::$test(url, store).await;
            }
        }
    )*};
}

on_both_backends! {
    forged_append => a_forged_append_is_never_sealed_or_signed,
    forged_history => a_command_decides_nothing_on_a_forged_history,
    altered_after_signing => an_event_altered_after_it_was_signed_is_not_the_servers,
    projection_state => the_projection_state_is_kept,
    missing_documents => a_missing_document_is_named_until_a_rebuild,
    unreadable_documents => an_unreadable_document_is_named_until_a_rebuild,
}
