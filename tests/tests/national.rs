//! The national-scale generator at a small size, on both backends: everything goes through the
//! command service (nothing refused), the store holds exactly the planned number of each kind
//! of event (the commitments written by the processes included), the read side agrees, and two
//! loads with different concurrency write the same events to every aggregate.

use std::collections::BTreeMap;

use projections::queries::{AsOf, ReadModels};
use projections::store::{Backend, Store};
use tests::national::{load, Loaded, Scale};

/// Events per type, and every aggregate's stream without metadata or positions.
async fn contents(
    store: &Store,
) -> (
    BTreeMap<String, usize>,
    Vec<(String, String, i64, String, String)>,
) {
    let sql = "SELECT aggregate_type, aggregate_id, sequence, event_type, CAST(payload AS TEXT) FROM events ORDER BY aggregate_type, aggregate_id, sequence";
    let rows: Vec<(String, String, i64, String, String)> = match store.backend() {
        Backend::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Backend::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    };
    // The same JSON, whatever the backend's spacing.
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(t, id, s, e, p)| {
            let p: serde_json::Value = serde_json::from_str(&p).unwrap();
            (t, id, s, e, p.to_string())
        })
        .collect();
    let mut by_type = BTreeMap::new();
    for row in &rows {
        *by_type.entry(row.3.clone()).or_default() += 1;
    }
    (by_type, rows)
}

async fn check(store: &Store, loaded: &Loaded) -> BTreeMap<String, usize> {
    let (by_type, _) = contents(store).await;
    let count = |t: &str| by_type.get(t).copied().unwrap_or(0);
    assert_eq!(count("OrganizationRegistered"), loaded.organizations);
    assert_eq!(count("NetworkEstablished"), loaded.networks);
    assert_eq!(count("MembershipApproved"), loaded.memberships);
    assert_eq!(count("ReferentDesignated"), loaded.memberships);
    assert_eq!(count("ProtocolDrafted"), loaded.protocols);
    assert_eq!(count("ProtocolVersionPublished"), loaded.protocol_versions);
    assert_eq!(count("ProtocolSigned"), loaded.signatures);
    assert_eq!(count("WorkingGroupFormed"), loaded.working_groups);
    assert_eq!(count("MeetingScheduled"), loaded.meetings);
    assert_eq!(count("AttendanceRecorded"), loaded.attendance_records);
    assert_eq!(count("CommitmentCreated"), loaded.commitments);
    assert_eq!(
        count("CommitmentProgressReported") + count("CommitmentFulfilled"),
        loaded.further_commitment_events
    );
    assert_eq!(by_type.values().sum::<usize>(), loaded.events);
    // The read side followed everything, and answers with the same numbers.
    let read = ReadModels::new(store.clone());
    assert_eq!(
        read.position().await.unwrap(),
        store.head_position().await.unwrap()
    );
    let network = aggregates::ids::NetworkId(
        uuid::Uuid::parse_str(&sqlx_first_network(store).await).unwrap(),
    );
    let members = read.memberships(network, AsOf::Now).await.unwrap();
    // The coordinator is a member from the start, without applying.
    assert_eq!(members.len(), loaded.memberships / loaded.networks + 1);
    by_type
}

async fn sqlx_first_network(store: &Store) -> String {
    let sql = "SELECT aggregate_id FROM events WHERE event_type = 'NetworkEstablished' ORDER BY aggregate_id LIMIT 1";
    match store.backend() {
        Backend::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Backend::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_networks_on_postgres_are_complete_and_deterministic() {
    let scale = Scale { networks: 2 };
    let first = tests::postgres_store().await;
    let loaded = load(&first, scale, 4, |_| {}).await.expect("loads");
    // 2 networks: 16 organizations, 15 members each, 6 protocols (2 revised), 15 signatures
    // each, 40 meetings with 8 attendance records each.
    assert_eq!(
        (
            loaded.organizations,
            loaded.memberships,
            loaded.protocols,
            loaded.signatures
        ),
        (16, 30, 6, 90)
    );
    assert_eq!((loaded.meetings, loaded.attendance_records), (80, 640));
    // Two clauses per signature, one action item per meeting.
    assert_eq!(loaded.commitments, 90 * 2 + 80);
    let by_type = check(&first, &loaded).await;
    let second = tests::postgres_store().await;
    let again = load(&second, scale, 1, |_| {}).await.expect("loads again");
    assert_eq!(check(&second, &again).await, by_type);
    assert_eq!(contents(&first).await.1, contents(&second).await.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_network_on_sqlite_matches_postgres() {
    let scale = Scale { networks: 1 };
    let (_dir, sqlite) = tests::sqlite_store().await;
    let loaded = load(&sqlite, scale, 4, |_| {}).await.expect("loads");
    check(&sqlite, &loaded).await;
    let postgres = tests::postgres_store().await;
    let same = load(&postgres, scale, 4, |_| {}).await.expect("loads");
    assert_eq!(contents(&sqlite).await.1, contents(&postgres).await.1);
    assert_eq!(
        (
            same.events,
            same.commitments,
            same.further_commitment_events
        ),
        (
            loaded.events,
            loaded.commitments,
            loaded.further_commitment_events
        )
    );
}
