//! The harness of the end-to-end suite: real databases, one per test.
//!
//! PostgreSQL: `DATABASE_URL` when it is set (a server the tests may create databases on);
//! otherwise one throw-away cluster per test process, started from the installed server
//! binaries (`/usr/lib/postgresql/*/bin`) in a private directory under `target/`, listening
//! only on a private Unix socket, and stopped when the process ends. Every test gets a
//! database of its own. SQLite: a file in a temporary directory of the test's own.

pub mod binary;
pub mod dataset;
pub mod fixtures;
pub mod js;
pub mod national;
pub mod postgres;
pub mod python;
pub mod ws;

use projections::store::Store;

/// A store on a fresh PostgreSQL database.
pub async fn postgres_store() -> Store {
    let url = postgres::fresh_database().await;
    open(&url).await
}

/// Opens (and migrates) the store at `url` with the deployment secret, as `serve` does with
/// its key file; with the read image unless `READ_IMAGE=false` (the suite runs both ways,
/// see the README).
pub async fn open(url: &str) -> Store {
    Store::open(url)
        .await
        .expect("open the store")
        .with_secrets(deployment_secret())
        .with_read_image(read_image())
}

/// The deployment secret of the test run: one, drawn at random for the run, as every
/// process of a deployment shares its secret (a test that needs another draws its own).
pub fn deployment_secret() -> projections::secrets::Secrets {
    static SECRET: std::sync::LazyLock<projections::secrets::Secrets> =
        std::sync::LazyLock::new(projections::secrets::Secrets::generate);
    SECRET.clone()
}

/// Whether this run of the suite keeps read images (`READ_IMAGE`, as `serve` reads it:
/// `true` unless set to `false`).
pub fn read_image() -> bool {
    match std::env::var("READ_IMAGE") {
        Ok(value) => match value.trim() {
            "false" => false,
            "true" | "" => true,
            other => panic!("READ_IMAGE must be true or false, not {other:?}"),
        },
        Err(_) => true,
    }
}

/// Waits until the projector has written the read models up to the log's head (a mutation
/// answers once this process's read image shows it, which may be before its documents are
/// in the database): for a test that then reads or changes the stored documents.
pub async fn documents_written(store: &Store) {
    let head = store.head_position().await.expect("the log's head");
    let projector = projections::projector::Projector::new(store.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, at) = projector.active_checkpoint().await.expect("the checkpoint");
        if at >= head {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the projector reaches {head}: at {at}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Seals the whole log into the hash chain, waiting (up to 30 s) until every committed event
/// is visible to the sealer (on PostgreSQL, events become visible below the cluster's oldest
/// running transaction).
pub async fn seal_everything(store: &Store) {
    let head = store.head_position().await.expect("the head position");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        store.seal_all().await.expect("sealing");
        if store.sealed_head().await.expect("the sealed head").0 >= head {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "sealed in time");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A store on a fresh PostgreSQL database, with the database's URL (for `postgres::dump`).
pub async fn postgres_store_at() -> (String, Store) {
    let url = postgres::fresh_database().await;
    let store = open(&url).await;
    (url, store)
}

/// A store on a fresh SQLite file; keep the directory alive as long as the store.
pub async fn sqlite_store() -> (tempfile::TempDir, Store) {
    let (dir, _, store) = sqlite_store_at().await;
    (dir, store)
}

/// A store on a fresh SQLite file and its URL (for another process's store on the same file);
/// keep the directory alive as long as the store.
pub async fn sqlite_store_at() -> (tempfile::TempDir, String, Store) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("governance.db").display());
    let store = open(&url).await;
    (dir, url, store)
}

/// Every byte of every file under `dir` (a database's files, as a copy of them would hold).
pub fn read_tree(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push(path),
                // Files may vanish while a live server recycles them: skip those.
                Ok(t) if t.is_file() => out.extend(std::fs::read(&path).unwrap_or_default()),
                _ => {}
            }
        }
    }
    out
}

/// A running server: the real router on a free port of 127.0.0.1, with the projector and
/// the processes in the background. Dropping it stops the background work.
pub struct TestServer {
    pub url: String,
    pub store: Store,
    /// The key this server signs reports with.
    pub signer: projections::integrity::Signer,
    pub client: reqwest::Client,
    _background: projections::Background,
    _server: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self._server.abort();
    }
}

/// The HS256 secret test servers accept JWTs signed with.
pub const TEST_SECRET: &str = "a-test-secret-that-is-long-enough-0123456789";

/// A JWT for `subject` with `grants`, signed with [`TEST_SECRET`], valid for an hour.
pub fn token(subject: &str, grants: &[projections::store::Grant]) -> String {
    signed_token(subject, grants, 3600, TEST_SECRET)
}

/// A JWT valid for `seconds` from now (negative: already expired), signed with `secret`.
pub fn signed_token(
    subject: &str,
    grants: &[projections::store::Grant],
    seconds: i64,
    secret: &str,
) -> String {
    let exp = chrono::Utc::now().timestamp() + seconds;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &serde_json::json!({"sub": subject, "exp": exp, "grants": grants}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("a token encodes")
}

fn uuid_of(global_id: &str) -> uuid::Uuid {
    graphql::ids::decode_id(&graphql::ids::ID(global_id.to_owned()))
        .map(|(_, uuid)| uuid)
        .or_else(|| global_id.parse().ok())
        .expect("a global id or a UUID")
}

/// A platform administrator's token.
pub fn admin() -> String {
    token("admin", &[projections::store::Grant::PlatformAdministrator])
}

/// An auditor's token.
pub fn auditor() -> String {
    token("auditor", &[projections::store::Grant::Auditor])
}

/// A token of the coordinator of `network` (global id or UUID).
pub fn coordinator(network: &str) -> String {
    token(
        &format!("coordinator-{}", &network[..network.len().min(12)]),
        &[projections::store::Grant::Coordinator {
            network: uuid_of(network),
        }],
    )
}

/// A token of a referent of `organization` (global id or UUID).
pub fn referent(organization: &str) -> String {
    token(
        &format!("referent-{}", &organization[..organization.len().min(12)]),
        &[projections::store::Grant::Referent {
            organization: uuid_of(organization),
        }],
    )
}

/// Starts the server on `store` with the given limits (and, unless the configuration says
/// otherwise, accepting JWTs signed with [`TEST_SECRET`]).
pub async fn spawn_server(store: Store, mut config: graphql::ApiConfig) -> TestServer {
    if config.auth.hs256_secret.is_none() && config.auth.rs256_keys.is_empty() {
        config.auth.hs256_secret = Some(TEST_SECRET.as_bytes().to_vec());
    }
    let background = projections::start_background(store.clone());
    let signer = projections::integrity::Signer::generate();
    let app = graphql::router(
        graphql::ApiState::new(store.clone()).with_signer(signer.clone()),
        &config,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = listener.local_addr().unwrap();
    let header_read_timeout = config.header_read_timeout;
    let server = tokio::spawn(async move {
        graphql::serve(listener, app, header_read_timeout, std::future::pending())
            .await
            .expect("serve");
    });
    TestServer {
        url: format!("http://{address}/graphql"),
        store,
        signer,
        client: reqwest::Client::new(),
        _background: background,
        _server: server,
    }
}

impl TestServer {
    /// Registers a municipality named `name` as an administrator; answers its global id.
    pub async fn register_organization(&self, name: &str) -> String {
        self.must(
            &admin(),
            "registerOrganization",
            serde_json::json!({"name": name, "category": "COMUNE", "territory": "T"}),
            "organization { id }",
        )
        .await["organization"]["id"]
            .as_str()
            .expect("an organization id")
            .to_owned()
    }

    /// Establishes a network (an interinstitutional table on 2020-01-01, territory "T")
    /// coordinated by the organization `coordinator` (global id), as an administrator;
    /// answers its global id.
    pub async fn establish_network(&self, name: &str, coordinator: &str, public: bool) -> String {
        self.must(
            &admin(),
            "establishNetwork",
            serde_json::json!({"name": name, "kind": "INTERINSTITUTIONAL_TABLE", "territory": "T",
                "coordinator": coordinator, "establishedOn": "2020-01-01", "public": public}),
            "network { id }",
        )
        .await["network"]["id"]
            .as_str()
            .expect("a network id")
            .to_owned()
    }

    /// Runs mutation `name` (its input type `NameInput`) with `input` as `token`, selecting
    /// `select`, its `userErrors { code field message }` and `positions`; fails the test on
    /// any GraphQL error (a refusal is a user error, answered in the payload).
    pub async fn attempt(
        &self,
        token: &str,
        name: &str,
        input: serde_json::Value,
        select: &str,
    ) -> serde_json::Value {
        let input_type = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
        let query = format!(
            "mutation($i: {input_type}!) {{ {name}(input: $i) {{ {select} userErrors {{ code field message }} positions }} }}"
        );
        let body = self
            .gql(Some(token), &query, serde_json::json!({"i": input}))
            .await;
        if body["errors"][0]["extensions"]["code"] == "READ_SIDE_BEHIND" {
            panic!("{name}: {body}\n{}", self.read_side_diagnosis().await);
        }
        assert!(body.get("errors").is_none(), "{name}: {body}");
        body["data"][name].clone()
    }

    /// What a test failing on `READ_SIDE_BEHIND` prints: the server's `/readyz`, its read-side
    /// metrics, and (on PostgreSQL) every other session of the cluster with its transaction.
    pub async fn read_side_diagnosis(&self) -> String {
        let base = self.url.trim_end_matches("/graphql");
        let mut out = String::new();
        for path in ["/readyz", "/metrics"] {
            let text = match self.client.get(format!("{base}{path}")).send().await {
                Ok(response) => response.text().await.unwrap_or_default(),
                Err(e) => format!("unreachable: {e}"),
            };
            let text: Vec<&str> = text
                .lines()
                .filter(|l| {
                    path == "/readyz"
                        || (!l.starts_with('#')
                            && [
                                "held_back",
                                "projection",
                                "read_your_writes",
                                "log_read",
                                "image",
                            ]
                            .iter()
                            .any(|k| l.contains(k)))
                })
                .collect();
            out.push_str(&format!("{path}:\n{}\n", text.join("\n")));
        }
        if let projections::store::Backend::Postgres(pool) = self.store.backend() {
            // pid, database, type, state, transaction id, wait, transaction age, query.
            type Session = (
                i32,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<f64>,
                Option<String>,
            );
            let sessions: Result<Vec<Session>, _> = sqlx::query_as(
                "SELECT pid, datname, backend_type, state, backend_xid::text, wait_event, \
                        extract(epoch FROM now() - xact_start)::float8, left(query, 200) \
                   FROM pg_stat_activity WHERE pid <> pg_backend_pid() ORDER BY xact_start",
            )
            .fetch_all(pool)
            .await;
            out.push_str("pg_stat_activity (pid, database, type, state, xid, wait, transaction age s, query):\n");
            match sessions {
                Ok(sessions) => {
                    for session in sessions {
                        out.push_str(&format!("{session:?}\n"));
                    }
                }
                Err(e) => out.push_str(&format!("unreadable: {e}\n")),
            }
        }
        out
    }

    /// [`Self::attempt`] that also fails the test on any user error.
    pub async fn must(
        &self,
        token: &str,
        name: &str,
        input: serde_json::Value,
        select: &str,
    ) -> serde_json::Value {
        let payload = self.attempt(token, name, input, select).await;
        assert_eq!(
            payload["userErrors"],
            serde_json::json!([]),
            "{name}: {payload}"
        );
        payload
    }

    /// How many events the log holds: what a refused command must leave unchanged. Every
    /// committed row counts: the log's gap-safe readers (`export_after` among them) pass only
    /// rows below its horizon, which a transaction of the background tasks (a projector batch,
    /// a seal) holds back for a moment, so they may show fewer than are there.
    pub async fn events_recorded(&self) -> usize {
        self.store
            .count_events()
            .await
            .expect("the log counts its events") as usize
    }

    /// Establishes a network coordinated by a new organization named `coordinator`, and
    /// registers each of `members` and admits it (applied on `joined`, approved a month
    /// later); answers the network's id, its coordinator's token and the members' ids.
    pub async fn network_with_members(
        &self,
        network: serde_json::Value,
        coordinator: &str,
        members: &[&str],
        joined: chrono::NaiveDate,
    ) -> (String, String, Vec<String>) {
        let coordinator = self.register_organization(coordinator).await;
        let mut input = network;
        input["coordinator"] = serde_json::json!(coordinator);
        let id = self
            .must(&admin(), "establishNetwork", input, "network { id }")
            .await["network"]["id"]
            .as_str()
            .expect("a network id")
            .to_owned();
        let token = self::coordinator(&id);
        let approved = joined + chrono::Months::new(1);
        let mut ids = vec![];
        for name in members {
            let org = self.register_organization(name).await;
            self.must(&referent(&org), "applyForMembership", serde_json::json!({"network": id, "organization": org, "effectiveOn": joined.to_string()}), "network { id }")
                .await;
            self.must(&token, "approveMembership", serde_json::json!({"network": id, "organization": org, "effectiveOn": approved.to_string()}), "network { id }")
                .await;
            ids.push(org);
        }
        (id, token, ids)
    }

    /// Posts one GraphQL operation with a bearer `token` (none: anonymous); answers the JSON
    /// body.
    pub async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let mut request = self
            .client
            .post(&self.url)
            .json(&serde_json::json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
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

/// Asserts that a mutation's payload was refused with `code` at the input path `field`
/// (`input.details.title`) and wrote nothing.
pub fn assert_refused(payload: &serde_json::Value, code: &str, field: &str) {
    let errors = payload["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("no userErrors in {payload}"));
    let at = |e: &serde_json::Value| {
        e["field"].as_array().map(|f| {
            f.iter()
                .filter_map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(".")
        })
    };
    assert!(
        errors
            .iter()
            .any(|e| e["code"] == code && at(e).as_deref() == Some(field)),
        "expected {code} at {field}, got {payload}"
    );
    assert_eq!(payload["positions"], serde_json::json!([]), "{payload}");
}
