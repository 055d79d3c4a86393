//! The harness of the end-to-end suite: real databases, one per test.
//!
//! PostgreSQL: `DATABASE_URL` when it is set (a server the tests may create databases on);
//! otherwise one throw-away cluster per test process, started from the installed server
//! binaries (`/usr/lib/postgresql/*/bin`) in a private directory under `target/`, listening
//! only on a private Unix socket, and stopped when the process ends. Every test gets a
//! database of its own. SQLite: a file in a temporary directory of the test's own.

pub mod dataset;
pub mod postgres;

use projections::store::Store;

/// A store on a fresh PostgreSQL database.
pub async fn postgres_store() -> Store {
    let url = postgres::fresh_database().await;
    Store::open(&url).await.expect("open the PostgreSQL store")
}

/// A store on a fresh SQLite file; keep the directory alive as long as the store.
pub async fn sqlite_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("governance.db").display());
    let store = Store::open(&url).await.expect("open the SQLite store");
    (dir, store)
}
