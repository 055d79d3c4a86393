//! The read side: incremental projection equals a rebuild, crashes lose nothing and apply
//! nothing twice, one projector leads on a shared PostgreSQL database.

use std::time::{Duration, Instant};

use projections::projector::Projector;
use projections::queries::{AsOf, ReadModels};
use projections::store::{Backend, Store};
use serde_json::Value;
use tests::dataset;

type Row = (
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Value,
);

/// Every row of the active generation: documents with their validity, and the entity index.
async fn dump(store: &Store) -> (Vec<Row>, Vec<(String, String, i64)>) {
    let docs = "SELECT kind, id, valid_from, valid_to, network_id, organization_id, parent_id, doc
                  FROM read_models WHERE generation = (SELECT active_generation FROM projection_state)
                 ORDER BY kind, id, valid_from";
    let index = "SELECT kind, id, position FROM entity_events
                  WHERE generation = (SELECT active_generation FROM projection_state)
                  ORDER BY kind, id, position";
    match store.backend() {
        Backend::Postgres(pool) => (
            sqlx::query_as(docs).fetch_all(pool).await.unwrap(),
            sqlx::query_as(index).fetch_all(pool).await.unwrap(),
        ),
        Backend::Sqlite(pool) => (
            sqlx::query_as(docs).fetch_all(pool).await.unwrap(),
            sqlx::query_as(index).fetch_all(pool).await.unwrap(),
        ),
    }
}

async fn head(store: &Store) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    let stored = store.count_events().await.unwrap();
    let mut last = 0;
    let mut seen = 0;
    loop {
        let batch = store.read_after(last, 10_000).await.unwrap();
        seen += batch.len() as i64;
        if let Some(e) = batch.last() {
            last = e.position;
        } else if seen >= stored {
            return last;
        } else {
            assert!(Instant::now() < deadline, "the log becomes readable");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn assert_equals_rebuild(store: &Store) {
    let before = dump(store).await;
    assert!(!before.0.is_empty());
    let projector = Projector::new(store.clone());
    let mut batches = 0;
    let generation = projector.rebuild(|_| batches += 1).await.expect("rebuild");
    assert!(generation > 1 && batches > 0);
    let after = dump(store).await;
    assert_eq!(
        before.0.len(),
        after.0.len(),
        "same number of document versions"
    );
    assert_eq!(before.1.len(), after.1.len(), "same entity index");
    assert!(
        before == after,
        "the incrementally built read models equal the rebuild, row for row"
    );
    assert_only_generation(store, generation).await;
}

/// Only `generation` is stored: on PostgreSQL its tables are the only partitions left (the
/// old ones dropped, at once or, those autovacuum held meanwhile, once released, as a serving
/// process's janitor does), each with the indexes of its parent; on SQLite no other rows are
/// left.
async fn assert_only_generation(store: &Store, generation: i64) {
    match store.backend() {
        Backend::Postgres(pool) => {
            let projector = Projector::new(store.clone());
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while !projector
                .drop_replaced_generations()
                .await
                .expect("the replaced generations listed")
                .is_empty()
            {
                assert!(
                    std::time::Instant::now() < deadline,
                    "a replaced generation's tables were held for a minute"
                );
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()
                    AND tablename ~ '^(read_models|entity_events)_g' ORDER BY tablename",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            assert_eq!(
                tables,
                [
                    format!("entity_events_g{generation}"),
                    format!("read_models_g{generation}")
                ]
            );
            let indexes: i64 =
                sqlx::query_scalar("SELECT count(*) FROM pg_indexes WHERE tablename = $1")
                    .bind(format!("read_models_g{generation}"))
                    .fetch_one(pool)
                    .await
                    .unwrap();
            assert_eq!(indexes, 5, "the primary key and four indexes");
            // Each index of both tables is its parent's (none built twice), each primary key
            // is its parent's key, and no check of the partition's bound is left.
            let (indexes, attached, keys, checks): (i64, i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT count(*) FROM pg_index i WHERE i.indrelid::regclass::text = ANY($1)),
                        (SELECT count(*) FROM pg_index i JOIN pg_inherits h
                            ON h.inhrelid = i.indexrelid WHERE i.indrelid::regclass::text = ANY($1)),
                        (SELECT count(*) FROM pg_constraint c JOIN pg_constraint p
                            ON p.oid = c.conparentid
                          WHERE c.conrelid::regclass::text = ANY($1) AND c.contype = 'p' AND p.contype = 'p'),
                        (SELECT count(*) FROM pg_constraint c
                          WHERE c.conrelid::regclass::text = ANY($1) AND c.contype = 'c')",
            )
            .bind(vec![
                format!("read_models_g{generation}"),
                format!("entity_events_g{generation}"),
            ])
            .fetch_one(pool)
            .await
            .unwrap();
            assert_eq!(
                (indexes, attached, keys, checks),
                (6, 6, 2, 0),
                "indexes of both tables, attached to the parents', primary keys, checks"
            );
        }
        Backend::Sqlite(pool) => {
            let others: i64 = sqlx::query_scalar(
                "SELECT (SELECT count(*) FROM read_models WHERE generation <> ?1)
                      + (SELECT count(*) FROM entity_events WHERE generation <> ?1)",
            )
            .bind(generation)
            .fetch_one(pool)
            .await
            .unwrap();
            assert_eq!(others, 0);
        }
    }
}

async fn incremental_equals_rebuild(store: Store) {
    const CHUNKS: u128 = 5;
    const PER_CHUNK: u128 = 96;
    let projector = Projector::new(store.clone()).with_batch_size(700);
    let mut written = 0;
    for chunk in 0..CHUNKS {
        written +=
            dataset::insert_networks(&store, chunk * PER_CHUNK, (chunk + 1) * PER_CHUNK).await;
        let generation = projector.active_generation().await.unwrap();
        // Catch up until everything written so far is projected (PostgreSQL readers may lag).
        let target = head(&store).await;
        while projector.catch_up(generation, |_| {}).await.unwrap() < target {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert!(
        written >= 50_000,
        "a dataset of at least 50,000 events: {written}"
    );
    assert_eq!(written as i64, store.count_events().await.unwrap());

    // A question answered by the read side: network 0 has its coordinator and ten members.
    let read = ReadModels::new(store.clone());
    let network = aggregates::ids::NetworkId(uuid::Uuid::from_u128(1));
    assert_eq!(read.members(network, AsOf::Now).await.unwrap().len(), 11);

    assert_equals_rebuild(&store).await;
}

async fn killing_the_projector_mid_batch_loses_nothing(store: Store) {
    dataset::insert_networks(&store, 0, 60).await;
    let target = head(&store).await;
    let read = ReadModels::new(store.clone());
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    // How long each projector lives before it is killed: a few milliseconds, doubled after a
    // kill that saw no progress (a loaded machine may need longer to finish one batch).
    let mut slack = 1;
    let mut last = read.position().await.unwrap();
    while last < target {
        let handle = Projector::new(store.clone())
            .with_batch_size(37)
            .spawn(Duration::from_millis(50));
        // Let it run for a few milliseconds, then drop it wherever it is.
        tokio::time::sleep(Duration::from_millis((3 + (kills % 7) * 4) * slack)).await;
        handle.stop();
        kills += 1;
        let now = read.position().await.unwrap();
        slack = if now > last { 1 } else { (slack * 2).min(256) };
        last = now;
        assert!(
            Instant::now() < deadline,
            "the projector makes progress between kills"
        );
    }
    assert!(
        kills > 3,
        "the projector was killed several times ({kills})"
    );
    assert_equals_rebuild(&store).await;
}

/// Two projectors that read the same checkpoint: the first to write claims the batch, the
/// other's batch is refused whole (the checkpoint is a compare-and-set) and writes nothing.
async fn a_batch_claimed_by_another_projector_writes_nothing(store: Store) {
    dataset::insert_networks(&store, 0, 2).await;
    let target = head(&store).await;
    let first = Projector::new(store.clone()).with_batch_size(50);
    let second = Projector::new(store.clone()).with_batch_size(80);
    let generation = first.active_generation().await.unwrap();
    let from = first.checkpoint(generation).await.unwrap();
    let won = first.run_batch_from(generation, from).await.unwrap();
    assert_eq!(won.events, 50);
    let after_first = dump(&store).await;
    let lost = second.run_batch_from(generation, from).await;
    assert!(
        matches!(lost, Err(projections::projector::ProjectorError::LostRace(g)) if g == generation),
        "{lost:?}"
    );
    assert_eq!(
        dump(&store).await,
        after_first,
        "the refused batch wrote nothing"
    );
    assert_eq!(first.checkpoint(generation).await.unwrap(), won.position);
    // Going on from the new checkpoint applies the rest exactly once.
    assert_eq!(second.catch_up(generation, |_| {}).await.unwrap(), target);
    assert_equals_rebuild(&store).await;
}

/// A running projector goes on from where its last batch ended without asking; a rebuild
/// that switches generations under it (deleting the one it was writing) costs it one refused
/// batch, after which it projects the new generation: nothing lost, nothing twice.
async fn a_running_projector_follows_a_rebuild(store: Store) {
    let handle = Projector::new(store.clone())
        .with_batch_size(40)
        .spawn(Duration::from_millis(50));
    let read = ReadModels::new(store.clone());
    dataset::insert_networks(&store, 0, 4).await;
    let target = head(&store).await;
    assert!(read
        .wait_for(target, Duration::from_secs(60))
        .await
        .unwrap());
    // Written while the generation changes under the running projector, and after.
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 4..8 {
                dataset::insert_networks(&store, n, n + 1).await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let rebuilt = Projector::new(store.clone()).rebuild(|_| {}).await.unwrap();
    writer.await.unwrap();
    let target = head(&store).await;
    assert!(
        read.wait_for(target, Duration::from_secs(60))
            .await
            .unwrap(),
        "the running projector caught up on the rebuilt generation"
    );
    handle.shutdown(Duration::from_secs(10)).await;
    let projector = Projector::new(store.clone());
    assert_eq!(projector.active_generation().await.unwrap(), rebuilt);
    assert_eq!(projector.checkpoint(rebuilt).await.unwrap(), target);
    // Network 6 (written after the switch): its coordinator and ten members.
    let network = aggregates::ids::NetworkId(uuid::Uuid::from_u128((6 << 16) | 1));
    assert_eq!(read.members(network, AsOf::Now).await.unwrap().len(), 11);
    assert_equals_rebuild(&store).await;
}

/// A switch never moves reads back: a generation behind the active one is refused (read-
/// your-writes trusts a committed batch without asking again), and accepted once caught up.
async fn a_switch_never_moves_reads_back(store: Store) {
    dataset::insert_networks(&store, 0, 2).await;
    let target = head(&store).await;
    let projector = Projector::new(store.clone());
    let active = projector.active_generation().await.unwrap();
    assert_eq!(projector.catch_up(active, |_| {}).await.unwrap(), target);
    let behind = projector.new_generation().await.unwrap();
    assert_eq!(behind, active + 1);
    assert!(
        !projector.switch_to(behind).await.unwrap(),
        "a generation at 0 must not replace one at {target}"
    );
    let read = ReadModels::new(store.clone());
    assert_eq!(projector.active_generation().await.unwrap(), active);
    assert_eq!(read.position().await.unwrap(), target);
    assert_eq!(projector.catch_up(behind, |_| {}).await.unwrap(), target);
    assert!(projector.switch_to(behind).await.unwrap());
    assert_eq!(projector.active_generation().await.unwrap(), behind);
    assert_only_generation(&store, behind).await;
    assert_eq!(read.position().await.unwrap(), target);
    assert_equals_rebuild(&store).await;
}

/// Runs the same code on the store's pool, whichever its type.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.backend() {
            Backend::Postgres($pool) => $body,
            Backend::Sqlite($pool) => $body,
        }
    };
}

/// Runs `sql` (several statements) on the store's database.
async fn execute(store: &Store, sql: &str) {
    on_pool!(store, pool => {
        sqlx::raw_sql(sql).execute(pool).await.unwrap();
    });
}

/// Upgrading a database written before the filter indexes skipped empty columns (PostgreSQL
/// migration 11, SQLite 9): the organizations' versions as the older fold stored them (their
/// own id as their organization column) are cleared, so the read models are again what the log
/// folds to, and the indexes take their new definitions.
async fn an_upgrade_leaves_the_read_models_as_the_log_folds_them(store: Store) {
    dataset::insert_networks(&store, 0, 3).await;
    let projector = Projector::new(store.clone());
    let generation = projector.active_generation().await.unwrap();
    let target = head(&store).await;
    while projector.catch_up(generation, |_| {}).await.unwrap() < target {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let clean = projector.verify_read_models(|_| {}).await.unwrap();
    assert!(clean.documents > 0 && clean.differences.is_empty());

    // The database as the release before wrote it: the older index definitions, and every
    // organization version with its own id as its organization column.
    let version = match store.backend() {
        Backend::Postgres(_) => 11,
        Backend::Sqlite(_) => 9,
    };
    execute(
        &store,
        &format!(
            "DROP INDEX read_models_current_network;
             DROP INDEX read_models_current_organization;
             DROP INDEX read_models_current_parent;
             DROP INDEX read_models_history_network;
             CREATE INDEX read_models_current_network
                 ON read_models (generation, kind, network_id) WHERE valid_to IS NULL;
             CREATE INDEX read_models_current_organization
                 ON read_models (generation, kind, organization_id) WHERE valid_to IS NULL;
             CREATE INDEX read_models_current_parent
                 ON read_models (generation, kind, parent_id) WHERE valid_to IS NULL;
             CREATE INDEX read_models_history_network
                 ON read_models (generation, kind, network_id, valid_from);
             UPDATE read_models SET organization_id = id WHERE kind = 'organization';
             DELETE FROM _sqlx_migrations WHERE version = {version};"
        ),
    )
    .await;
    let before = projector.verify_read_models(|_| {}).await.unwrap();
    assert!(
        before
            .differences
            .iter()
            .any(|d| d.kind == "organization" && d.what == "changed"),
        "the older stored form differs from the fold: {:?}",
        before.differences
    );

    store.migrate().await.expect("the upgrade applies");

    let after = projector.verify_read_models(|_| {}).await.unwrap();
    assert!(
        after.differences.is_empty(),
        "after the upgrade the read models are what the log folds to: {:?}",
        after.differences
    );
    assert_eq!(after.documents, clean.documents);
    let kept = "SELECT count(*) FROM read_models
                 WHERE kind = 'organization' AND organization_id IS NOT NULL";
    let names = "('read_models_current_network', 'read_models_current_organization',
                  'read_models_current_parent', 'read_models_history_network')";
    let definitions = match store.backend() {
        Backend::Postgres(_) => format!(
            "SELECT indexdef FROM pg_indexes
              WHERE tablename = 'read_models' AND indexname IN {names}"
        ),
        Backend::Sqlite(_) => {
            format!("SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN {names}")
        }
    };
    let (kept, definitions): (i64, Vec<String>) = on_pool!(store, pool => (
        sqlx::query_scalar(kept).fetch_one(pool).await.unwrap(),
        sqlx::query_scalar(&definitions).fetch_all(pool).await.unwrap(),
    ));
    assert_eq!(
        kept, 0,
        "no organization version keeps an organization column"
    );
    assert_eq!(definitions.len(), 4, "{definitions:?}");
    assert!(
        definitions.iter().all(|d| d.contains("IS NOT NULL")),
        "the indexes skip rows without a value: {definitions:?}"
    );
    // Reads go on: a network's members as before the upgrade.
    let read = ReadModels::new(store.clone());
    let network = aggregates::ids::NetworkId(uuid::Uuid::from_u128(1));
    assert_eq!(read.members(network, AsOf::Now).await.unwrap().len(), 11);
}

tests::on_both_backends!(
    an_upgrade_leaves_the_read_models_as_the_log_folds_them,
    incremental_equals_rebuild,
    a_switch_never_moves_reads_back,
    killing_the_projector_mid_batch_loses_nothing,
    a_batch_claimed_by_another_projector_writes_nothing,
    a_running_projector_follows_a_rebuild
);

/// Waits until the read side has projected the whole log, then answers how many events each
/// projector applied (counted once their last batches are done: a batch counts after it
/// commits).
async fn applied_once_projected(
    store: &Store,
    a: &projections::projector::ProjectorHandle,
    b: &projections::projector::ProjectorHandle,
) -> (u64, u64) {
    let target = head(store).await;
    assert!(
        ReadModels::new(store.clone())
            .wait_for(target, Duration::from_secs(60))
            .await
            .unwrap(),
        "projected"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    (a.events_applied(), b.events_applied())
}

/// Two server processes on one PostgreSQL database (two stores, two pools): one projector
/// leads and applies every event exactly once; when it stops, the other takes over.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_projector_leads_and_the_other_takes_over() {
    let url = tests::postgres::fresh_database().await;
    let first = Store::open(&url).await.unwrap();
    let second = Store::open(&url).await.unwrap();
    let a = Projector::new(first.clone())
        .with_batch_size(100)
        .spawn(Duration::from_millis(200));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let b = Projector::new(second.clone())
        .with_batch_size(100)
        .spawn(Duration::from_millis(200));
    let read = ReadModels::new(first.clone());

    let mut total = dataset::insert_networks(&first, 0, 20).await as u64;
    let (applied_a, applied_b) = applied_once_projected(&first, &a, &b).await;
    assert_eq!(
        applied_a + applied_b,
        total,
        "every event applied exactly once"
    );
    assert_eq!(applied_b, 0, "only the leader projects");

    // The leader stops (its session, and with it the lock, ends); the other takes over.
    a.stop();
    total += dataset::insert_networks(&second, 20, 30).await as u64;
    let target = head(&second).await;
    let started = Instant::now();
    assert!(
        read.wait_for(target, Duration::from_secs(30))
            .await
            .unwrap(),
        "the survivor took over"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "within seconds: {:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        applied_a + b.events_applied(),
        total,
        "exactly once across the takeover"
    );
    b.stop();
    assert_equals_rebuild(&first).await;
}

/// Two processes on one SQLite file both project (no election there), taking turns batch by
/// batch: each carries the documents its last batch left into the next only while nobody
/// else wrote since, so what they build together equals a rebuild.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_projectors_taking_turns_equal_a_rebuild() {
    let (_dir, url, first) = tests::sqlite_store_at().await;
    let second = tests::open(&url).await;
    let a = Projector::new(first.clone())
        .with_batch_size(7)
        .spawn(Duration::from_millis(50));
    let b = Projector::new(second.clone())
        .with_batch_size(5)
        .spawn(Duration::from_millis(50));
    // Networks written through both processes, each projected before the next, until both
    // projectors have won batches (which one wins a batch is up to the scheduler).
    let read = ReadModels::new(first.clone());
    let mut n = 0;
    while n < 6 || a.events_applied() == 0 || b.events_applied() == 0 {
        assert!(
            n < 60,
            "one projector won every batch of {n} networks: {} and {}",
            a.events_applied(),
            b.events_applied()
        );
        let store = if n % 2 == 0 { &first } else { &second };
        dataset::insert_networks(store, n, n + 1).await;
        let head = head(store).await;
        assert!(read.wait_for(head, Duration::from_secs(60)).await.unwrap());
        n += 1;
    }
    let target = head(&first).await;
    let (applied_a, applied_b) = applied_once_projected(&first, &a, &b).await;
    a.shutdown(Duration::from_secs(10)).await;
    b.shutdown(Duration::from_secs(10)).await;
    assert!(
        applied_a > 0 && applied_b > 0,
        "both projected: {applied_a} and {applied_b}"
    );
    assert_eq!(
        applied_a + applied_b,
        target as u64,
        "every event applied exactly once"
    );
    assert_equals_rebuild(&first).await;
}

/// A replaced generation's table that another session holds (as autovacuum does, right after
/// a rebuild) is left in place without holding up the readers of the parent table, and is
/// dropped once released.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replaced_generation_in_use_is_dropped_once_released() {
    use sqlx::Connection;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    let url = tests::postgres::fresh_database().await;
    let store = Store::open(&url).await.unwrap();
    dataset::insert_networks(&store, 0, 5).await;
    let projector = Projector::new(store.clone());
    let first = projector.rebuild(|_| {}).await.unwrap();
    assert_only_generation(&store, first).await;

    let mut holder = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query(&format!(
        "LOCK TABLE read_models_g{first} IN SHARE UPDATE EXCLUSIVE MODE"
    ))
    .execute(&mut holder)
    .await
    .unwrap();

    // Readers of the active generation, each giving up after 100 ms waiting for a lock, all
    // through the next rebuild and its switch.
    let stop = Arc::new(AtomicBool::new(false));
    let (reads, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut readers = Vec::new();
    for _ in 0..2 {
        let (url, stop, reads, refused) =
            (url.clone(), stop.clone(), reads.clone(), refused.clone());
        readers.push(tokio::spawn(async move {
            let mut reader = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("SET lock_timeout = '100ms'")
                .execute(&mut reader)
                .await
                .unwrap();
            while !stop.load(Ordering::SeqCst) {
                let read: Result<i64, _> = sqlx::query_scalar(
                    "SELECT count(*) FROM read_models
                      WHERE generation = (SELECT active_generation FROM projection_state)",
                )
                .fetch_one(&mut reader)
                .await;
                match read {
                    Ok(rows) => assert!(rows > 0),
                    Err(error) => {
                        eprintln!("a reader was held up: {error}");
                        refused.fetch_add(1, Ordering::SeqCst);
                    }
                }
                reads.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    let second = projector.rebuild(|_| {}).await.unwrap();
    // The switch dropped what nobody held, and left the held table (listed without a drop).
    assert_eq!(
        projector.replaced_generation_tables().await.unwrap(),
        [format!("read_models_g{first}")]
    );
    // A round of drop attempts with the readers still going.
    let left = projector.drop_replaced_generations().await.unwrap();
    stop.store(true, Ordering::SeqCst);
    for reader in readers {
        reader.await.unwrap();
    }
    assert!(second > first);
    assert!(reads.load(Ordering::SeqCst) > 0, "the readers read");
    assert_eq!(
        refused.load(Ordering::SeqCst),
        0,
        "no reader waited on the drop of a table in use"
    );
    assert_eq!(
        left,
        [format!("read_models_g{first}")],
        "the table in use is left, the other one of its generation dropped"
    );
    let active: i64 = sqlx::query_scalar("SELECT active_generation FROM projection_state")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    assert_eq!(active, second, "reads switched all the same");

    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    assert!(
        projector
            .drop_replaced_generations()
            .await
            .unwrap()
            .is_empty(),
        "released, it is dropped"
    );
    assert!(projector
        .replaced_generation_tables()
        .await
        .unwrap()
        .is_empty());
    assert_only_generation(&store, second).await;
    assert_equals_rebuild(&store).await;
}
