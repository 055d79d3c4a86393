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
