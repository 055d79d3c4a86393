//! The global log on PostgreSQL is gap-safe: with many concurrent writers committing
//! multi-event transactions to overlapping aggregates, a reader tailing the log meanwhile sees
//! every stored event exactly once, in strictly increasing positions.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aggregates::metadata::{Actor, EventMetadata};
use projections::store::{Backend, Store};
use sqlx::PgPool;
use uuid::Uuid;

const WRITERS: usize = 8;
const EVENTS_PER_WRITER: usize = 520;
const AGGREGATES: usize = 12;
const ROUNDS: usize = 5;

fn random(below: u128) -> u128 {
    Uuid::new_v4().as_u128() % below
}

/// One writer: transactions of 1–4 events on a random one of the shared aggregates, with
/// pauses inside the transaction so that transactions interleave; retried on a conflict.
async fn writer(pool: PgPool, round: usize, written: Arc<AtomicUsize>) {
    let metadata = serde_json::to_value(EventMetadata::new(Actor::system()).to_map()).unwrap();
    let mut mine = 0;
    while mine < EVENTS_PER_WRITER {
        let aggregate = format!("stress-{round}-{}", random(AGGREGATES as u128));
        let count = (1 + random(4) as usize).min(EVENTS_PER_WRITER - mine);
        let attempt = async {
            let mut tx = pool.begin().await?;
            let last: i64 = sqlx::query_scalar(
                "SELECT coalesce(max(sequence), 0) FROM events WHERE aggregate_type = 'Stress' AND aggregate_id = $1",
            )
            .bind(&aggregate)
            .fetch_one(&mut *tx)
            .await?;
            for i in 1..=count as i64 {
                sqlx::query(
                    "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                     VALUES ('Stress', $1, $2, 'Stressed', '1', '{}'::jsonb, $3)",
                )
                .bind(&aggregate)
                .bind(last + i)
                .bind(&metadata)
                .execute(&mut *tx)
                .await?;
                if random(3) == 0 {
                    tokio::time::sleep(Duration::from_micros(random(1500) as u64)).await;
                }
            }
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        };
        match attempt.await {
            Ok(()) => {
                mine += count;
                written.fetch_add(count, Ordering::SeqCst);
            }
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => continue,
            Err(other) => panic!("writer failed: {other}"),
        }
    }
}

async fn round(store: &Store, pool: &PgPool, round: usize, last_seen: &mut i64) {
    let written = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| tokio::spawn(writer(pool.clone(), round, written.clone())))
        .collect();
    let start = *last_seen;
    let expected = WRITERS * EVENTS_PER_WRITER;
    let mut seen = Vec::with_capacity(expected);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let batch = store
            .read_after(*last_seen, 500)
            .await
            .expect("read the log");
        for event in &batch {
            assert!(event.position > *last_seen, "positions strictly increase");
            *last_seen = event.position;
            seen.push(event.position);
        }
        if batch.is_empty() {
            if seen.len() >= expected && writers.iter().all(|w| w.is_finished()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: reader saw {} of {expected}",
                seen.len()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    for w in writers {
        w.await.expect("writer");
    }
    assert_eq!(written.load(Ordering::SeqCst), expected);
    let stored: Vec<i64> =
        sqlx::query_scalar("SELECT position FROM events WHERE position > $1 ORDER BY position")
            .bind(start)
            .fetch_all(pool)
            .await
            .unwrap();
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "round {round}: no event seen twice"
    );
    assert_eq!(
        stored.len(),
        expected,
        "round {round}: every write is stored"
    );
    assert_eq!(
        seen, stored,
        "round {round}: the reader saw exactly the stored events, in order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_tailing_the_log_never_skips_an_event_under_concurrent_writers() {
    let store = tests::postgres_store().await;
    let Backend::Postgres(pool) = store.backend().clone() else {
        unreachable!("a PostgreSQL store")
    };
    let mut last_seen = 0;
    for n in 1..=ROUNDS {
        round(&store, &pool, n, &mut last_seen).await;
    }
}

/// A session that took a transaction id and was left open, as another application on the
/// same cluster might.
async fn open_transaction(url: &str) -> (sqlx::PgConnection, i32) {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut connection).await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut connection)
        .await
        .unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    (connection, pid)
}

/// Registers an organization named `name` as `admin`, answering the mutation's body.
async fn register(server: &tests::TestServer, admin: &str, name: &str) -> serde_json::Value {
    server
        .gql(Some(admin), "mutation($n: String!) { registerOrganization(input: {name: $n, category: COMUNE, territory: \"T\"}) { positions organization { name } } }", serde_json::json!({"n": name}))
        .await
}

/// A writing transaction left open in another database of the same cluster does not delay
/// read-your-writes; one left open in the project's own database is named by `/readyz` (pid,
/// age) and a mutation answers a typed `READ_SIDE_BEHIND` with what it recorded, then its
/// change shows once that transaction ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_this_databases_transactions_hold_the_log_back() {
    let (url, store) = tests::postgres_store_at().await;
    let server = tests::spawn_server(store, Default::default()).await;
    let admin = tests::admin();
    let register = |name: &'static str| register(&server, &admin, name);
    let foreign = tests::postgres::fresh_database().await;
    let (foreign_session, _) = open_transaction(&foreign).await;
    for name in ["Comune A", "Comune B", "Comune C"] {
        let started = Instant::now();
        let body = register(name).await;
        assert_eq!(
            body["data"]["registerOrganization"]["organization"]["name"], name,
            "{body}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a foreign transaction made a mutation wait {:?}",
            started.elapsed()
        );
    }
    let readyz = |server: &tests::TestServer| {
        let url = format!("{}/readyz", server.url.trim_end_matches("/graphql"));
        let client = server.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    assert_eq!(readyz(&server).await.0, 200);

    let (own_session, pid) = open_transaction(&url).await;
    let started = Instant::now();
    let body = register("Comune D").await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "READ_SIDE_BEHIND", "{body}");
    assert!(
        !error["extensions"]["positions"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let (status, text) = readyz(&server).await;
    assert_eq!(status, 503, "{text}");
    assert!(
        text.contains(&format!("pid {pid} in database")) && text.contains("open for"),
        "{text}"
    );
    // The metrics name it too, with its age; once it ends, its series reads 0 (it kept the
    // last age it had, as if it still held the log back).
    let held_for = |server: &tests::TestServer| {
        let url = format!("{}/metrics", server.url.trim_end_matches("/graphql"));
        let client = server.client.clone();
        async move {
            let text = client.get(url).send().await.unwrap().text().await.unwrap();
            let needle = format!("governance_log_held_back_by_seconds{{pid=\"{pid}\"");
            text.lines()
                .filter(|line| line.starts_with(&needle))
                .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
                .fold(None, |most: Option<f64>, age| {
                    Some(most.map_or(age, |m| m.max(age)))
                })
        }
    };
    assert!(held_for(&server).await.is_some_and(|age| age > 0.0));
    // A client that asked not to wait (`Prefer: wait=0`) is answered at once, with the
    // positions recorded and the object as the read side shows it (not yet).
    let started = Instant::now();
    let response = server
        .client
        .post(&server.url)
        .bearer_auth(&admin)
        .header("Prefer", "respond-async, wait=0")
        .json(&serde_json::json!({
            "query": "mutation { registerOrganization(input: {name: \"Comune E\", category: COMUNE, territory: \"T\"}) { positions organization { name } userErrors { code } } }"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("preference-applied")
            .and_then(|v| v.to_str().ok()),
        Some("wait=0")
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    let answer = &body["data"]["registerOrganization"];
    assert_eq!(
        answer["positions"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
    assert_eq!(answer["organization"], serde_json::json!(null), "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered without waiting: {:?}",
        started.elapsed()
    );
    // Once it ends, the changes recorded meanwhile show and the server is ready again.
    drop(own_session);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = server
            .gql(
                Some(&admin),
                "{ organizations(first: 10) { nodes { name } } }",
                serde_json::json!({}),
            )
            .await;
        let shown = ["Comune D", "Comune E"]
            .iter()
            .all(|name| listed.to_string().contains(name));
        if shown && readyz(&server).await.0 == 200 && held_for(&server).await == Some(0.0) {
            break;
        }
        assert!(Instant::now() < deadline, "{listed}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(foreign_session);
}

/// Read-your-writes waits for this process's read image, which the projector feeds as soon as
/// it reads a batch, not for the batch's documents to be written to the database. With the
/// projector's writes held back (another session holds the checkpoints table locked, without
/// a transaction id, so the log itself is not held back): a mutation still answers with its
/// change, questions "as of now" show it, and a question the database answers (the audit log,
/// `readPosition`) never answers as if it had not happened: it answers a typed
/// `READ_SIDE_BEHIND`, then, once the lock ends, the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mutation_is_read_from_the_image_while_the_database_catches_up() {
    use sqlx::Connection;
    let (url, store) = tests::postgres_store_at().await;
    let server = tests::spawn_server(store, Default::default()).await;
    let admin = tests::admin();
    let register = |name: &'static str| register(&server, &admin, name);
    let audit = "{ readPosition auditLog(filter: {eventType: \"OrganizationRegistered\"}, last: 10) { nodes { payloadJson } } }";
    let body = register("Comune A").await;
    assert_eq!(
        body["data"]["registerOrganization"]["organization"]["name"], "Comune A",
        "{body}"
    );
    let shown = server.gql(Some(&admin), audit, serde_json::json!({})).await;
    assert!(shown.to_string().contains("Comune A"), "{shown}");

    let mut lock = sqlx::PgConnection::connect(&url).await.unwrap();
    // The projector done with Comune A first: a batch of it still writing when the lock is
    // taken would wait on it with a transaction id older than Comune B's, and hold every
    // reader of the log (the image's too) below Comune B until the lock ends.
    let a = body["data"]["registerOrganization"]["positions"][0]
        .as_i64()
        .expect("Comune A's position");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let projected: Option<i64> =
            sqlx::query_scalar("SELECT max(position) FROM projection_checkpoints")
                .fetch_one(&mut lock)
                .await
                .unwrap();
        if projected.is_some_and(|p| p >= a) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "projected {projected:?}, A at {a}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sqlx::query("BEGIN").execute(&mut lock).await.unwrap();
    sqlx::query("LOCK TABLE projection_checkpoints IN EXCLUSIVE MODE")
        .execute(&mut lock)
        .await
        .unwrap();
    let started = Instant::now();
    let body = register("Comune B").await;
    if !tests::read_image() {
        // Without an image every answer comes from the database: the mutation says that its
        // change is recorded but not yet readable.
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "READ_SIDE_BEHIND",
            "{body}"
        );
        sqlx::query("COMMIT").execute(&mut lock).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let after = server.gql(Some(&admin), audit, serde_json::json!({})).await;
            if after.to_string().contains("Comune B") {
                break;
            }
            assert!(Instant::now() < deadline, "{after}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        return;
    }
    assert_eq!(
        body["data"]["registerOrganization"]["organization"]["name"], "Comune B",
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the mutation waited for the database: {:?}",
        started.elapsed()
    );
    let position = body["data"]["registerOrganization"]["positions"][0]
        .as_i64()
        .unwrap();
    let now = server
        .gql(
            Some(&admin),
            "{ organizations(first: 10) { nodes { name } } }",
            serde_json::json!({}),
        )
        .await;
    assert!(now.to_string().contains("Comune B"), "{now}");
    // The database does not show it yet: it says so, with a code, instead of answering
    // without it.
    let behind = server.gql(Some(&admin), audit, serde_json::json!({})).await;
    assert!(!behind.to_string().contains("Comune B"), "{behind}");
    let codes: Vec<&str> = behind["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !codes.is_empty() && codes.iter().all(|code| *code == "READ_SIDE_BEHIND"),
        "{behind}"
    );
    assert!(!behind.to_string().contains("SELECT"), "{behind}");

    sqlx::query("COMMIT").execute(&mut lock).await.unwrap();
    let after = server.gql(Some(&admin), audit, serde_json::json!({})).await;
    assert!(after.get("errors").is_none(), "{after}");
    assert!(after.to_string().contains("Comune B"), "{after}");
    assert!(
        after["data"]["readPosition"].as_i64().unwrap() >= position,
        "{after}"
    );
}

/// The read side's transactions hold back no reader of the log: a rebuild's bulk load (a
/// `COPY` open for as long as the fold of the whole log takes) is held open here, with its
/// transaction id, while new events are appended; they are readable at once, `/readyz`'s
/// list of what holds the log back leaves it out, and the database refuses an event from a
/// session of the read side.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_read_sides_transactions_hold_no_reader_back() {
    use sqlx::{ConnectOptions, Connection};
    let (url, store) = tests::postgres_store_at().await;
    let Backend::Postgres(pool) = store.backend().clone() else {
        unreachable!("a PostgreSQL store")
    };
    tests::dataset::insert_networks(&store, 0, 2).await;
    // A rebuild by another process (`governance rebuild`), held after its first chunk: on a
    // thread of its own, which the hold blocks.
    let (held, release) = (
        std::sync::Arc::new(tokio::sync::Notify::new()),
        std::sync::Arc::new(std::sync::Barrier::new(2)),
    );
    let rebuild = {
        let (held, release, url) = (held.clone(), release.clone(), url.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let rebuilding = tests::open(&url).await;
                let mut first = true;
                projections::projector::Projector::new(rebuilding)
                    .rebuild(move |_| {
                        if std::mem::take(&mut first) {
                            held.notify_one();
                            release.wait();
                        }
                    })
                    .await
                    .map_err(|e| e.to_string())
            })
        })
    };
    held.notified().await;
    // Its `COPY` has written rows: its session holds a transaction id.
    let read_side_xid = || async {
        sqlx::query_as::<_, (i32, String)>(
            "SELECT pid, backend_xid::text FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = $1
                AND backend_xid IS NOT NULL",
        )
        .bind(projections::store::READ_SIDE)
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let holding = loop {
        let holding = read_side_xid().await;
        if !holding.is_empty() {
            break holding;
        }
        assert!(
            Instant::now() < deadline,
            "the rebuild's load took no transaction id"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let head = store.count_events().await.unwrap();
    let mut last = 0;
    while let Some(event) = store.read_after(last, 10_000).await.unwrap().last() {
        last = event.position;
    }
    // Appended while the rebuild's transaction stays open: readable within moments.
    let appended = tests::dataset::insert_networks(&store, 2, 3).await;
    let started = Instant::now();
    let mut seen = 0;
    while seen < appended {
        let events = store.read_after(last, 10_000).await.unwrap();
        if let Some(event) = events.last() {
            last = event.position;
            seen += events.len();
            continue;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{seen} of {appended} events readable after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(store.count_events().await.unwrap(), head + appended as i64);
    assert_eq!(
        read_side_xid().await,
        holding,
        "the rebuild's transaction was open throughout"
    );
    let held_back = store.held_back_by(Duration::ZERO).await.unwrap();
    assert!(
        held_back
            .iter()
            .all(|h| holding.iter().all(|(pid, _)| h.pid != *pid)),
        "{held_back:?}"
    );
    // Released, the rebuild completes, the appended events included.
    tokio::task::spawn_blocking(move || release.wait())
        .await
        .unwrap();
    let generation = tokio::task::spawn_blocking(move || rebuild.join())
        .await
        .unwrap()
        .unwrap()
        .expect("the rebuild completes");
    let projector = projections::projector::Projector::new(store.clone());
    assert_eq!(projector.active_generation().await.unwrap(), generation);
    assert!(projector.checkpoint(generation).await.unwrap() >= last);

    // A session of the read side may not append an event.
    let options = url
        .parse::<sqlx::postgres::PgConnectOptions>()
        .unwrap()
        .application_name(projections::store::READ_SIDE);
    let mut session = options.connect().await.unwrap();
    let metadata = serde_json::to_value(EventMetadata::new(Actor::system()).to_map()).unwrap();
    let refused = sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         VALUES ('organization', 'forged', 1, 'OrganizationRenamed', '1', '{}', $1)",
    )
    .bind(&metadata)
    .execute(&mut session)
    .await
    .expect_err("refused");
    let sqlx::Error::Database(error) = refused else {
        panic!("{refused}")
    };
    assert_eq!(error.code().as_deref(), Some("42501"), "{error}");
    assert!(error.message().contains("read side"), "{error}");
    session.close().await.unwrap();
    assert_eq!(store.count_events().await.unwrap(), head + appended as i64);
    // Nor may a server's own sessions take that name.
    let separator = if url.contains('?') { '&' } else { '?' };
    let named = format!("{url}{separator}application_name=governance%20read%20side");
    assert!(matches!(
        Store::connect(&named).await,
        Err(projections::store::StoreError::InvalidUrl(reason)) if reason.contains("reserved")
    ));
}
