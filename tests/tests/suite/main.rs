//! The end-to-end suite, one test binary: each module was once a binary of its own, and
//! linking twenty-odd copies of the whole server cost CI minutes and gigabytes of disk.
//! Run one part with `cargo test -p tests --test suite <module>::`, e.g. `fuzz::`.
//!
//! The national dataset's tests stay a binary of their own (`tests/national.rs`): they load
//! tens of thousands of commands on every core, and beside them the other tests' deadlines
//! (read-your-writes in 5 s) measured the machine, not the code.

/// For each `module => test`, the tests `module::postgres` and `module::sqlite`: `test(url)`
/// on a fresh PostgreSQL database and on a fresh SQLite file.
macro_rules! on_both_databases {
    ($($module:ident => $test:ident),* $(,)?) => {$(
        mod $module {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$test(&tests::postgres::fresh_database().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("governance.db").display());
                super::$test(&url).await;
            }
        }
    )*};
}

mod access;
mod activities;
mod api;
mod api_limits;
mod client_protocols;
mod clients;
mod contract;
mod figures;
mod fuzz;
mod gap_safety;
mod graphiql;
mod integrity;
mod membership_access;
mod plans;
mod projections;
mod read_image;
mod read_side;
mod resilience;
mod schema_fuzz;
mod series;
mod services;
mod store;
mod subscriptions;
mod transfer;
