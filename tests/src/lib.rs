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

/// A running server: the real router on a free port of 127.0.0.1, with the projector and
/// the processes in the background. Dropping it stops the background work.
pub struct TestServer {
    pub url: String,
    pub store: Store,
    pub client: reqwest::Client,
    _background: projections::Background,
    _server: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self._server.abort();
    }
}

/// Starts the server on `store` with the given limits.
pub async fn spawn_server(store: Store, config: graphql::ApiConfig) -> TestServer {
    let background = projections::start_background(store.clone());
    let app = graphql::router(graphql::ApiState::new(store.clone()), &config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    TestServer {
        url: format!("http://{address}/graphql"),
        store,
        client: reqwest::Client::new(),
        _background: background,
        _server: server,
    }
}

impl TestServer {
    /// Posts one GraphQL operation acting for `acting_for` (if any); answers the JSON body.
    pub async fn gql(
        &self,
        acting_for: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let mut request = self
            .client
            .post(&self.url)
            .json(&serde_json::json!({"query": query, "variables": variables}))
            .header("x-actor-id", "test-user");
        if let Some(organization) = acting_for {
            request = request.header("x-acting-for", organization);
        }
        request
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a JSON answer")
    }
}

/// Generates, for each named async function taking a `Store`, one test on a fresh PostgreSQL
/// database (module `postgres`) and one on a fresh SQLite file (module `sqlite`).
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(tests::postgres_store().await).await;
                }
            )+
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let (_dir, store) = tests::sqlite_store().await;
                    super::$test(store).await;
                }
            )+
        }
    };
}
