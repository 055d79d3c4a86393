//! The benchmark: starts a throw-away PostgreSQL and the real server, then measures, each as a
//! ratio against a baseline measured in the same run (so noisy machines still give stable
//! figures):
//! - commands/s through GraphQL mutations at 1, 4, 16 and 64 clients, against the raw
//!   PostgreSQL ceiling for the same work (a transaction that reads an aggregate's rows and
//!   inserts one event row), by the same number of clients; and CPU per command, the server's
//!   and PostgreSQL's (the load generator's HTTP clients run on a thread of their own, counted
//!   apart), against the raw transaction's (its client is the work) and PostgreSQL's;
//! - projection lag (commit to visible) p50/p99 under the 16-client load;
//! - p50/p99 and throughput of five named read queries at 32 clients, against a plain SQL query
//!   of the same rows;
//! - rebuild speed (events/s) against a raw sequential read of the event table;
//! - peak memory of the process (server and load generator share it: an upper bound);
//! - the server as a process of its own (`governance serve`, the release binary beside the
//!   benchmark), with the read image and without: start-up to ready, resident memory after
//!   serving reads, and one read's throughput.
//!
//! A figure and its baseline alternate in five rounds each (so drift on a noisy machine falls
//! on both), and the benchmark prints where the time went (the server's stage histograms).
//!
//! `cargo build --release -p cmd && cargo run -p tests --release --bin bench -- [networks]
//! [seconds]` (defaults: the national
//! dataset, 250 networks, loaded through the command service; 5 s per measurement). Writes
//! `bench-results.md` and `bench-results.json`. With `BENCH_DATABASE_URL` set it measures that
//! database instead of a throw-away cluster, loading the dataset only if it holds no events (a
//! second run measures the first run's data as it is, writes and all).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use projections::queries::{AsOf, ReadModels};
use projections::store::Backend;
use serde_json::{json, Value};

/// The benchmark's deployment secret (a throw-away database's).
const BENCH_SECRET: &str = "6265e3f5b2a1c4d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5";

/// `governance serve` (the release binary beside the benchmark's) on the benchmark's
/// database, in a process of its own; stopped when dropped.
struct ServerProcess {
    child: std::process::Child,
    url: String,
    /// Seconds from the start of the process to `/readyz` answering 200.
    ready_after: f64,
    /// Its working directory (its signing key).
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    async fn start(database: &str, image: bool, signing_key: &std::path::Path) -> Option<Self> {
        let exe = std::env::current_exe().ok()?.parent()?.join("governance");
        if !exe.exists() {
            return None;
        }
        let port = tests::binary::free_port();
        let dir = tempfile::tempdir().expect("a directory");
        let started = Instant::now();
        let child = std::process::Command::new(exe)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .current_dir(dir.path())
            .env("DATABASE_URL", database)
            .env("SECRET_KEY", BENCH_SECRET)
            .env("SIGNING_KEY_FILE", signing_key)
            .env("JWT_HS256_SECRET", tests::TEST_SECRET)
            .env("READ_IMAGE", image.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start the server");
        let mut process = ServerProcess {
            child,
            url: format!("http://127.0.0.1:{port}/graphql"),
            ready_after: f64::NAN,
            _dir: dir,
        };
        let client = reqwest::Client::new();
        let ready = format!("http://127.0.0.1:{port}/readyz");
        while started.elapsed() < Duration::from_secs(120) {
            if let Ok(response) = client.get(&ready).send().await {
                if response.status() == 200 {
                    process.ready_after = started.elapsed().as_secs_f64();
                    return Some(process);
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the server process did not become ready within 120 s");
    }

    /// The image's size as the process's metrics give it: (documents, bytes as JSON text);
    /// zeros without an image.
    async fn image_size(&self) -> (f64, f64) {
        let metrics = self.url.replace("/graphql", "/metrics");
        let text = match reqwest::get(&metrics).await {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let gauge = |name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (
            gauge("governance_read_image_documents "),
            gauge("governance_read_image_bytes "),
        )
    }

    /// (resident, peak resident) memory of the process, MiB.
    fn memory_mib(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(f64::NAN, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

/// Runs `clients` loops of `work` for `seconds`; answers (operations per second, latencies ms).
/// `work(client, i)` gets numbers `i` from `first` on, so that rounds never repeat one.
/// The runtime the system's load generator runs on: one thread of its own, named
/// [`CLIENT_THREAD`], so that the CPU of its HTTP clients is told apart from the server's
/// (the measure is the server's CPU and PostgreSQL's; the baseline's client is its work).
fn client_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(CLIENT_THREAD)
            .enable_all()
            .build()
            .expect("the load generator's runtime")
    })
}

const CLIENT_THREAD: &str = "bench-client";

async fn load<F, Fut>(
    clients: usize,
    seconds: f64,
    first: u64,
    work: Arc<F>,
    on: Option<&tokio::runtime::Handle>,
) -> (f64, Vec<f64>)
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (work, stop, done, latencies) =
            (work.clone(), stop.clone(), done.clone(), latencies.clone());
        let client = async move {
            let mut i = first;
            let mut mine = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if work(client, i).await {
                    mine.push(t.elapsed().as_secs_f64() * 1000.0);
                    done.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
            latencies.lock().unwrap().extend(mine);
        };
        tasks.push(match on {
            Some(runtime) => runtime.spawn(client),
            None => tokio::spawn(client),
        });
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let latencies = latencies.lock().unwrap().clone();
    (done.load(Ordering::Relaxed) as f64 / elapsed, latencies)
}

/// CPU seconds used so far by this process (the server and the load generator), by the
/// load generator's own threads ([`client_runtime`]), and by the PostgreSQL processes of the
/// machine (Linux `/proc`; 100 clock ticks a second).
fn cpu_seconds() -> (f64, f64, f64) {
    fn ticks(stat: &str) -> Option<(String, f64)> {
        let (_, rest) = stat.split_once(" (")?;
        let (comm, rest) = rest.rsplit_once(") ")?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let user: f64 = fields.get(11)?.parse().ok()?;
        let system: f64 = fields.get(12)?.parse().ok()?;
        Some((comm.to_owned(), (user + system) / 100.0))
    }
    let own = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| ticks(&s))
        .map_or(0.0, |(_, t)| t);
    let mut client = 0.0;
    for entry in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Some((comm, t)) = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|s| ticks(&s))
        {
            if comm == CLIENT_THREAD {
                client += t;
            }
        }
    }
    let mut postgres = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Some((comm, t)) = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|s| ticks(&s))
        {
            if comm == "postgres" {
                postgres += t;
            }
        }
    }
    (own, client, postgres)
}

/// CPU milliseconds per operation of the last [`paired`] measure: for the system (the
/// server, its load generator's HTTP clients, PostgreSQL), then for the baseline (this
/// process: its client is its work; PostgreSQL).
static LAST_CPU: Mutex<CpuPerOperation> = Mutex::new(((0.0, 0.0, 0.0), (0.0, 0.0)));

/// ((server, load client, PostgreSQL), (baseline process, PostgreSQL)), ms per operation.
type CpuPerOperation = ((f64, f64, f64), (f64, f64));

/// Measurement rounds per figure: the system and its baseline alternate, so that a noisy
/// machine's drift (other tenants, the kernel, PostgreSQL's own background work) falls on both.
const ROUNDS: u64 = 5;

/// `system` and `baseline`, each by `clients` clients for `seconds` in all, alternating in
/// [`ROUNDS`] rounds; answers (operations per second, latencies ms) for each.
async fn paired<F, Fut, G, Gut>(
    clients: usize,
    seconds: f64,
    system: F,
    baseline: G,
) -> ((f64, Vec<f64>), (f64, Vec<f64>))
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
    G: Fn(usize, u64) -> Gut + Send + Sync + 'static,
    Gut: std::future::Future<Output = bool> + Send,
{
    let (system, baseline) = (Arc::new(system), Arc::new(baseline));
    let slice = seconds / ROUNDS as f64;
    let (mut s_rate, mut s_lat, mut b_rate, mut b_lat) = (0.0, Vec::new(), 0.0, Vec::new());
    let (mut s_cpu, mut b_cpu) = ((0.0, 0.0, 0.0), (0.0, 0.0));
    for round in 0..ROUNDS {
        let first = round << 32;
        let before = cpu_seconds();
        let on = client_runtime().handle();
        let (rate, latencies) = load(clients, slice, first, system.clone(), Some(on)).await;
        let after = cpu_seconds();
        let client = after.1 - before.1;
        s_cpu.0 += after.0 - before.0 - client;
        s_cpu.1 += client;
        s_cpu.2 += after.2 - before.2;
        s_rate += rate / ROUNDS as f64;
        s_lat.extend(latencies);
        let before = cpu_seconds();
        let (rate, latencies) = load(clients, slice, first, baseline.clone(), None).await;
        let after = cpu_seconds();
        b_cpu.0 += after.0 - before.0;
        b_cpu.1 += after.2 - before.2;
        b_rate += rate / ROUNDS as f64;
        b_lat.extend(latencies);
    }
    let per_op = |cpu: f64, ops: usize| cpu * 1000.0 / ops.max(1) as f64;
    let (s_ops, b_ops) = (s_lat.len(), b_lat.len());
    *LAST_CPU.lock().unwrap() = (
        (
            per_op(s_cpu.0, s_ops),
            per_op(s_cpu.1, s_ops),
            per_op(s_cpu.2, s_ops),
        ),
        (per_op(b_cpu.0, b_ops), per_op(b_cpu.1, b_ops)),
    );
    ((s_rate, s_lat), (b_rate, b_lat))
}

/// A name for the `i`th organization of writer `c` in letters only: a long run of digits in a
/// name is refused as a possible phone number (free text is screened for personal data).
fn letters(c: u64, i: u64) -> String {
    let word = |mut n: u64| {
        let mut out = Vec::new();
        loop {
            out.push(b'a' + (n % 26) as u8);
            n /= 26;
            if n == 0 {
                break;
            }
        }
        String::from_utf8(out).expect("ASCII letters")
    };
    format!("{} {}", word(c), word(i))
}

/// Reports the first failure of each kind of work on stderr (a measure counts only
/// successes: a failing request must not pass unnoticed as a slow one).
fn report_failure(what: &str, body: &serde_json::Value) {
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap();
    if !seen.iter().any(|w| w == what) {
        seen.push(what.to_owned());
        eprintln!("{what} failed: {body}");
    }
}

fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The `_sum` and `_count` of every histogram series the breakdown reports, from `/metrics`.
/// What the server's `/metrics` exports now.
async fn scrape(server: &tests::TestServer) -> prometheus_parse::Scrape {
    let text = server
        .client
        .get(format!(
            "{}/metrics",
            server.url.trim_end_matches("/graphql")
        ))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .expect("a Prometheus exposition")
}

/// The value of a counter (summed over its labels) the server exports.
async fn counter(server: &tests::TestServer, name: &str) -> f64 {
    scrape(server)
        .await
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

async fn histograms(server: &tests::TestServer) -> Vec<(String, f64, f64)> {
    let scrape = scrape(server).await;
    // A histogram's `_sum` and `_count` come as untyped samples of their own.
    let mut series: Vec<(String, f64, f64)> = Vec::new();
    for sample in scrape.samples {
        let prometheus_parse::Value::Untyped(value) = sample.value else {
            continue;
        };
        for (suffix, sum) in [("_sum", true), ("_count", false)] {
            let Some(base) = sample.metric.strip_suffix(suffix) else {
                continue;
            };
            if !BREAKDOWN.contains(&base) {
                continue;
            }
            let mut labels: Vec<String> = sample
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{v}\""))
                .collect();
            labels.sort();
            let label = match labels.is_empty() {
                true => base.to_owned(),
                false => format!("{base}{{{}}}", labels.join(",")),
            };
            match series.iter_mut().find(|(l, _, _)| *l == label) {
                Some(entry) if sum => entry.1 = value,
                Some(entry) => entry.2 = value,
                None if sum => series.push((label, value, 0.0)),
                None => series.push((label, 0.0, value)),
            }
        }
    }
    series
}

/// The histograms that break a write down: the command service's stages, the wait for the
/// read side, the projector's stages and batch sizes, the followers' reads of the log.
const BREAKDOWN: &[&str] = &[
    "governance_graphql_request_duration_seconds",
    "governance_command_stage_seconds",
    "governance_read_your_writes_wait_seconds",
    "governance_projector_stage_seconds",
    "governance_projector_batch_events",
    "governance_log_read_events",
];

/// Mean per series between two scrapes (ms for durations), with the number of observations.
fn breakdown(before: &[(String, f64, f64)], after: &[(String, f64, f64)]) -> Vec<String> {
    after
        .iter()
        .filter_map(|(label, sum, count)| {
            let (s0, c0) = before
                .iter()
                .find(|(l, _, _)| l == label)
                .map_or((0.0, 0.0), |(_, s, c)| (*s, *c));
            let n = count - c0;
            (n > 0.0).then(|| {
                let mean = (sum - s0) / n;
                if label.contains("_seconds") {
                    format!("{label}: mean {:.2} ms over {n:.0}", mean * 1000.0)
                } else {
                    format!("{label}: mean {mean:.1} over {n:.0}")
                }
            })
        })
        .collect()
}

/// mimalloc rather than the system allocator: the fold and the request path allocate many
/// small values across threads, where glibc's malloc spent over 40% of a rebuild's time in
/// its own bookkeeping (`malloc_consolidate`, `unlink_chunk`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let networks: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(250);
    let seconds: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5.0);
    // BENCH_PHASES: the measures to take, comma-separated among writes, hot, reads, process
    // and rebuild (default: all), to measure one part again without the others.
    let phases = std::env::var("BENCH_PHASES").ok();
    let wanted = |phase: &str| {
        phases
            .as_deref()
            .is_none_or(|list| list.split(',').any(|p| p.trim() == phase))
    };
    // BENCH_DATABASE_URL: measure against a database of your own; one that already holds
    // events is measured as it is (no load), so that a loaded dataset can be measured again.
    let mut _cluster = None;
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            let cluster = tests::postgres::PrivateCluster::start();
            let url = cluster.url();
            _cluster = Some(cluster);
            url
        }
    };
    // A deployment secret of the benchmark's own, so that the server started as a process of
    // its own (below) can open the same database.
    let store = projections::store::Store::open(&url)
        .await
        .expect("open the store")
        .with_secrets(projections::secrets::Secrets::from_hex(BENCH_SECRET).expect("a secret"))
        .with_read_image(tests::read_image());
    // The baselines use a pool of their own with PostgreSQL's default settings (the store's
    // connections set their own planning mode): what a user writing the SQL by hand would get,
    // sized like the store's and, like it, without a ping before each use.
    let raw_pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .test_before_acquire(false)
        .connect(&url)
        .await
        .expect("a pool for the baselines");
    let Backend::Postgres(pool) = store.backend().clone() else {
        panic!("the benchmark measures PostgreSQL: BENCH_DATABASE_URL must be a postgres:// URL")
    };
    let present = store.count_events().await.expect("count events");
    let loaded = if present > 0 {
        eprintln!("the database already holds {present} events: measuring it as it is");
        None
    } else {
        eprintln!(
            "loading the national dataset at {networks} of 250 networks, through the command service…"
        );
        let loaded =
            tests::national::load(&store, tests::national::Scale { networks }, 16, |line| {
                eprintln!("  {line}")
            })
            .await
            .expect("load the dataset");
        Some(loaded)
    };
    // The raw baseline writes to a copy of the event table (same columns, constraints, indexes
    // and insert triggers), so that the projector never sees its rows. The copy starts with the log's
    // rows, so that its indexes are as large as the log's and its planner statistics say so:
    // on an empty table, a connection's cached generic plan for the baseline's read could be
    // a sequential scan, kept as the table grew (half a millisecond a read, seen on 2026-12-04),
    // which made the baseline slower than what a user writing the SQL by hand would get.
    // Only the writes measure uses it, so only it pays for the copy.
    if wanted("writes") {
        for statement in [
            "DROP TABLE IF EXISTS bench_events",
            "CREATE TABLE bench_events (LIKE events INCLUDING ALL)",
            "INSERT INTO bench_events SELECT * FROM events",
            "CREATE TRIGGER bench_events_position BEFORE INSERT ON bench_events FOR EACH ROW EXECUTE FUNCTION events_assign_position()",
            "CREATE TRIGGER bench_events_not_from_the_read_side BEFORE INSERT ON bench_events \
             FOR EACH STATEMENT WHEN (current_setting('application_name') = 'governance read side') \
             EXECUTE FUNCTION events_refused_from_the_read_side()",
        ] {
            sqlx::query(statement)
                .execute(&pool)
                .await
                .expect(statement);
        }
    }
    // Vacuumed, with fresh planner statistics, as autovacuum would have left a live system:
    // otherwise plans (and figures) depend on when the last automatic ANALYZE happened to
    // run, and autovacuum's pass over the freshly loaded tables (its CPU counted as
    // PostgreSQL's) falls on whichever measure comes first.
    sqlx::query("VACUUM (ANALYZE)")
        .execute(&pool)
        .await
        .expect("VACUUM (ANALYZE)");
    // Seal the loaded log into the hash chain first, as a live server does as events commit:
    // otherwise the sealer's catch-up (its transactions, its CPU) runs under the measurements.
    tests::seal_everything(&store).await;
    // One signing key for every server process of the run, as a deployment keeps its key,
    // with a checkpoint of the loaded log signed here: a key's first checkpoint checks every
    // event before it (`Store::checkpoint`), which would otherwise run under the measures.
    let signing_dir = tempfile::tempdir().expect("a directory");
    let signing_key = signing_dir.path().join("signing.key");
    let signer =
        projections::integrity::Signer::load_or_create(&signing_key).expect("a signing key");
    store.checkpoint(&signer).await.expect("a checkpoint");
    let mut memory_by_phase = vec![("load", peak_memory_mib())];
    let server = Arc::new(tests::spawn_server(store.clone(), Default::default()).await);
    // Measure the server as a deployment serves: once its read image is live (else the first
    // measure would time the image loading beside it).
    let ready = Instant::now();
    while store.image().is_some_and(|image| !image.is_live()) {
        assert!(
            ready.elapsed() < Duration::from_secs(300),
            "the read image did not come live"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let admin = Arc::new(tests::admin());
    let mut results = serde_json::Map::new();
    let mut table = vec![
        "| measure | system | baseline | ratio |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];

    let read = ReadModels::new(store.clone());
    if wanted("writes") {
        // Writes: GraphQL mutations against the raw ceiling.
        let mut lag = Vec::new();
        // The throw-away cluster runs with fsync off; the last measure turns it on (reloadable
        // settings), as a production cluster runs, for system and baseline alike.
        // BENCH_CLIENTS: the client counts to measure (comma-separated; `16d` is 16 with fsync
        // on; default all), to measure one of them again alone.
        let counts = std::env::var("BENCH_CLIENTS").ok();
        // A measure's tag: its client count, `d` when durable (in BENCH_CLIENTS, the names).
        let tag_of =
            |clients: usize, durable: bool| format!("{clients}{}", if durable { "d" } else { "" });
        for (clients, durable) in [
            (1usize, false),
            (4, false),
            (16, false),
            (64, false),
            (16, true),
        ]
        .into_iter()
        .filter(|(clients, durable)| {
            let tag = tag_of(*clients, *durable);
            counts
                .as_deref()
                .is_none_or(|list| list.split(',').any(|c| c.trim() == tag))
        }) {
            if durable {
                for statement in [
                    "ALTER SYSTEM SET fsync = on",
                    "ALTER SYSTEM SET synchronous_commit = on",
                    "ALTER SYSTEM SET full_page_writes = on",
                    "SELECT pg_reload_conf()",
                ] {
                    sqlx::query(statement)
                        .execute(&pool)
                        .await
                        .expect(statement);
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                // A setting given on the server's command line outranks ALTER SYSTEM: then
                // this measure would be durable in name only.
                for setting in ["fsync", "synchronous_commit", "full_page_writes"] {
                    let (value, source): (String, String) =
                        sqlx::query_as("SELECT setting, source FROM pg_settings WHERE name = $1")
                            .bind(setting)
                            .fetch_one(&pool)
                            .await
                            .expect(setting);
                    assert_eq!(
                        value, "on",
                        "{setting} stays off (set by: {source}): start the cluster without it \
                         on the command line to measure durable writes"
                    );
                }
            }
            let fsync = if durable { ", fsync on" } else { "" };
            let tag = tag_of(clients, durable);
            let (tag, tag2) = (Arc::new(tag.clone()), Arc::new(tag));
            let s = server.clone();
            let a = admin.clone();
            let sample = clients == 16 && !durable;
            let sampler = if sample {
                let (store, read) = (store.clone(), read.clone());
                let stop = Arc::new(AtomicBool::new(false));
                let series = Arc::new(Mutex::new(Vec::<(f64, i64, i64)>::new()));
                let (stop2, series2) = (stop.clone(), series.clone());
                let t0 = Instant::now();
                let task = tokio::spawn(async move {
                    while !stop2.load(Ordering::Relaxed) {
                        let head = store.head_position().await.unwrap_or(0);
                        let seen = read.position().await.unwrap_or(0);
                        series2.lock().unwrap().push((
                            t0.elapsed().as_secs_f64() * 1000.0,
                            head,
                            seen,
                        ));
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                });
                Some((stop, series, task))
            } else {
                None
            };
            let before = histograms(&server).await;
            let p = raw_pool.clone();
            let ((system, _), (baseline, _)) = paired(
            clients,
            seconds,
            move |c, i| {
            let (s, a, tag) = (s.clone(), a.clone(), tag.clone());
            async move {
                let body = s
                    .gql(Some(&a), "mutation($n: String!) { registerOrganization(input: {name: $n, category: COMUNE, territory: \"T\"}) { positions userErrors { code field message } } }", json!({"n": format!("Bench {tag} {}", letters(c as u64, i))}))
                    .await;
                let ok = body["data"]["registerOrganization"]["positions"]
                    .as_array()
                    .is_some_and(|p| !p.is_empty());
                if !ok {
                    report_failure("registerOrganization", &body);
                }
                ok
            }
        },
            move |c, i| {
            let (p, tag2) = (p.clone(), tag2.clone());
            async move {
                let id = format!("raw-{tag2}-{c}-{i}");
                let work = async {
                    let mut tx = p.begin().await?;
                    let _: Vec<(i64,)> = sqlx::query_as("SELECT sequence FROM bench_events WHERE aggregate_type = 'Organization' AND aggregate_id = $1 ORDER BY sequence")
                        .bind(&id)
                        .fetch_all(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO bench_events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES ('Organization', $1, 1, 'OrganizationRegistered', '1', '{\"OrganizationRegistered\": {\"name\": \"Bench\", \"category\": \"COMUNE\", \"territory\": \"T\"}}', $2)")
                        .bind(&id)
                        // The metadata of an event (what the table's check asks), made here
                        // and sent as a parameter, as the server does.
                        .bind(json!({"actor_id": "bench", "actor_role": "PLATFORM_ADMINISTRATOR", "correlation_id": uuid::Uuid::now_v7().to_string()}))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await
                };
                work.await.is_ok()
            }
        },
        )
        .await;
            let after = histograms(&server).await;
            let lines = breakdown(&before, &after);
            eprintln!("where the time of a write went at {clients} clients:");
            for line in &lines {
                eprintln!("  {line}");
            }
            results.insert(
                format!("write_breakdown_{clients}_clients{fsync}"),
                json!(lines),
            );
            if let Some((stop, series, task)) = sampler {
                stop.store(true, Ordering::Relaxed);
                task.await.unwrap();
                let series = series.lock().unwrap().clone();
                // For every head position first seen at t1, the first time the read side reached it.
                let mut last_head = -1;
                for (i, (t1, head, _)) in series.iter().enumerate() {
                    if *head > last_head {
                        last_head = *head;
                        if let Some((t2, _, _)) =
                            series[i..].iter().find(|(_, _, seen)| seen >= head)
                        {
                            lag.push(t2 - t1);
                        }
                    }
                }
            }
            let ratio = system / baseline;
            let ((s_own, s_client, s_pg), (b_own, b_pg)) = *LAST_CPU.lock().unwrap();
            table.push(format!(
            "| commands/s, {clients} clients{fsync} | {system:.0} | {baseline:.0} (raw PostgreSQL) | {ratio:.2} |"
        ));
            table.push(format!(
            "| CPU ms per command, {clients} clients{fsync}: server + PostgreSQL (the load generator's HTTP client apart) | {s_own:.2} + {s_pg:.2} (client {s_client:.2}) | {b_own:.2} + {b_pg:.2} | {:.1}× |",
            (s_own + s_pg) / (b_own + b_pg).max(1e-9)
        ));
            results.insert(
                format!(
                    "commands_per_second_{clients}_clients{}",
                    if durable { "_fsync" } else { "" }
                ),
                json!({"system": system, "baseline": baseline, "ratio": ratio,
                "cpu_ms_per_command": {"system": [s_own, s_pg], "load_client": s_client,
                    "baseline": [b_own, b_pg]}}),
            );
        }
        for statement in ["ALTER SYSTEM RESET ALL", "SELECT pg_reload_conf()"] {
            sqlx::query(statement)
                .execute(&pool)
                .await
                .expect(statement);
        }
        let (lag50, lag99) = (percentile(&mut lag, 0.5), percentile(&mut lag, 0.99));
        table.push(format!(
            "| projection lag under 16 clients, p50 / p99 (ms) | {lag50:.1} / {lag99:.1} | – | – |"
        ));
        results.insert(
            "projection_lag_ms".into(),
            json!({"p50": lag50, "p99": lag99, "samples": lag.len()}),
        );
    }

    if wanted("hot") {
        // The hot aggregate: 64 coordinators' writers on one network at once, each applying for
        // membership with an organization of its own (every command's preconditions hold), for
        // the measure's duration: successes, refusals by code, and the command service's retries.
        let hot_network = tests::national::network_id(1);
        read.network(hot_network, AsOf::Now)
            .await
            .unwrap()
            .expect("the hot network");
        // Enough applicants that no writer runs out within the measure (at 1,500 commands/s, 64
        // writers use about 60 each in 5 s).
        let per_client = (seconds * 30.0).ceil().max(60.0) as usize;
        let applicants = Arc::new(
            // A prefix of this run's own: a database measured again already holds the last's.
            tests::national::register_organizations(
                &store,
                &format!(
                    "Hot {}",
                    letters(
                        0,
                        std::time::UNIX_EPOCH
                            .elapsed()
                            .map_or(0, |t| t.as_millis() as u64)
                    )
                ),
                64 * per_client,
            )
            .await
            .expect("register the applicants"),
        );
        let retries_before = counter(&server, "governance_command_retries_total").await;
        let outcomes = Arc::new(Mutex::new(std::collections::BTreeMap::<String, u64>::new()));
        let hot_gid = graphql::ids::global_id(graphql::ids::NodeKind::Network, hot_network).0;
        // Each applicant applies with its own referent's token; the network's coordinator then
        // approves it: two commands on the hot aggregate per unit of work, both with their
        // preconditions holding, so any refusal is spurious.
        let applicants: Arc<Vec<(String, String)>> = Arc::new(
            applicants
                .iter()
                .map(|org| {
                    let gid = graphql::ids::global_id(graphql::ids::NodeKind::Organization, *org).0;
                    let token = tests::referent(&gid);
                    (gid, token)
                })
                .collect(),
        );
        // Writers that used up their applicants before the measure ended (then idle: the rate
        // undercounts what the server could do, and the row says so).
        let exhausted = Arc::new(Mutex::new(std::collections::BTreeSet::<usize>::new()));
        let (hot_rate, mut hot_latencies) = {
            let (s, outcomes, applicants) = (server.clone(), outcomes.clone(), applicants.clone());
            let exhausted = exhausted.clone();
            let coordinator = Arc::new(tests::coordinator(&hot_gid));
            load(
            64,
            seconds,
            0,
            Arc::new(move |c: usize, i: u64| {
                let (s, outcomes, applicants, coordinator, network, exhausted) = (
                    s.clone(),
                    outcomes.clone(),
                    applicants.clone(),
                    coordinator.clone(),
                    hot_gid.clone(),
                    exhausted.clone(),
                );
                async move {
                    // Only its own: past them, the index would be the next writer's, already
                    // members (refused ALREADY_MEMBER, a fault of the benchmark, not the server's).
                    let own = (i as usize) < per_client;
                    let Some((org, referent)) =
                        applicants.get(c * per_client + i as usize).filter(|_| own)
                    else {
                        // This writer has used up its applicants: idle until the measure ends.
                        exhausted.lock().unwrap().insert(c);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        return false;
                    };
                    let mut all_ok = true;
                    for (mutation, token) in [
                        ("applyForMembership", referent),
                        ("approveMembership", &*coordinator),
                    ] {
                        let query = format!("mutation($n: ID!, $o: ID!) {{ {mutation}(input: {{network: $n, organization: $o, effectiveOn: \"2024-01-01\"}}) {{ positions userErrors {{ code }} }} }}");
                        let body = s
                            .gql(Some(token), &query, json!({"n": network, "o": org}))
                            .await;
                        let outcome = if let Some(code) = body["errors"][0]["extensions"]["code"].as_str() {
                            format!("{mutation}: error {code}")
                        } else if let Some(code) = body["data"][mutation]["userErrors"][0]["code"].as_str() {
                            format!("{mutation}: refused {code}")
                        } else {
                            "ok".to_owned()
                        };
                        let ok = outcome == "ok";
                        *outcomes.lock().unwrap().entry(outcome).or_default() += 1;
                        if !ok {
                            all_ok = false;
                            break;
                        }
                    }
                    all_ok
                }
            }), None,
)
        .await
        };
        let retries = counter(&server, "governance_command_retries_total").await - retries_before;
        let outcomes = outcomes.lock().unwrap().clone();
        let refused: u64 = outcomes
            .iter()
            .filter(|(k, _)| *k != "ok")
            .map(|(_, v)| *v)
            .sum();
        let by_code: Vec<String> = outcomes
            .iter()
            .filter(|(k, _)| *k != "ok")
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let hot_p99 = percentile(&mut hot_latencies, 0.99);
        let exhausted = exhausted.lock().unwrap().len();
        table.push(format!(
        "| hot aggregate: 64 writers on one network, each applying then approved: commands ok/s; refused; retries; p99 ms of a pair | {:.0}{}; {refused}{}; {retries:.0}; {hot_p99:.1} | – | – |",
        hot_rate * 2.0,
        if exhausted == 0 { String::new() } else { format!(" (a lower bound: {exhausted} writers ran out of applicants)") },
        if by_code.is_empty() { String::new() } else { format!(" ({})", by_code.join(", ")) }
    ));
        results.insert(
        "hot_aggregate".into(),
        json!({"writers": 64, "commands_ok_per_second": hot_rate * 2.0, "outcomes": outcomes, "retries": retries, "p99_ms": hot_p99, "writers_out_of_applicants": exhausted}),
    );
    }

    memory_by_phase.push(("writes", peak_memory_mib()));
    // Reads: five named queries at 32 clients against plain SQL of the same rows.
    let network = tests::national::network_id(0);
    let network_gid = graphql::ids::global_id(graphql::ids::NodeKind::Network, network);
    let protocol = read
        .protocols(network, AsOf::Now)
        .await
        .unwrap()
        .first()
        .map(|p| p.id.to_string())
        .expect("a protocol");
    let protocol_gid = graphql::ids::global_id(graphql::ids::NodeKind::Protocol, &protocol);
    let member = read
        .memberships(network, AsOf::Now)
        .await
        .unwrap()
        .first()
        .map(|m| m.organization)
        .expect("a member");
    let member_gid = graphql::ids::global_id(graphql::ids::NodeKind::Organization, member);
    let auditor = Arc::new(tests::auditor());
    let generation: i64 = sqlx::query_scalar("SELECT active_generation FROM projection_state")
        .fetch_one(&pool)
        .await
        .unwrap_or(1);
    let reads: Vec<(&str, String, Value, &str, Vec<String>)> = vec![
        ("members of a network", "query($n: ID!) { network(id: $n) { members(first: 100) { nodes { organization { name } } } } }".into(), json!({"n": network_gid.0}),
            "SELECT m.doc, o.doc FROM read_models m JOIN read_models o ON o.generation = m.generation AND o.kind = 'organization' AND o.id = m.organization_id AND o.valid_to IS NULL WHERE m.generation = $1 AND m.kind = 'membership' AND m.network_id = $2 AND m.valid_to IS NULL", vec![network.to_string()]),
        ("signatories of a protocol", "query($p: ID!) { protocol(id: $p) { signatories { name } } }".into(), json!({"p": protocol_gid.0}),
            "SELECT s.doc, o.doc FROM read_models s JOIN read_models o ON o.generation = s.generation AND o.kind = 'organization' AND o.id = s.organization_id AND o.valid_to IS NULL WHERE s.generation = $1 AND s.kind = 'signature' AND s.parent_id = $2 AND s.valid_to IS NULL", vec![protocol.clone()]),
        ("overdue commitments of a network", "query($n: ID!) { network(id: $n) { commitments(filter: {overdueOn: \"2030-01-01\"}, first: 100) { totalCount nodes { title } } } }".into(), json!({"n": network_gid.0}),
            "SELECT doc FROM read_models WHERE generation = $1 AND kind = 'commitment' AND network_id = $2 AND valid_to IS NULL AND doc->>'status' IN ('OPEN', 'IN_PROGRESS') AND (doc->>'due_on') < '2030-01-01'", vec![network.to_string()]),
        ("timeline page of an organization", "query($o: ID!) { organization(id: $o) { timeline(first: 20) { nodes { eventType } } } }".into(), json!({"o": member_gid.0}),
            "SELECT e.event_type, e.payload, e.metadata FROM entity_events t JOIN events e ON e.position = t.position WHERE t.generation = $1 AND t.kind = 'organization' AND t.id = $2 ORDER BY t.position LIMIT 20", vec![member.to_string()]),
        ("one organization by id (node)", "query($o: ID!) { node(id: $o) { ... on Organization { name territory } } }".into(), json!({"o": member_gid.0}),
            "SELECT doc FROM read_models WHERE generation = $1 AND kind = 'organization' AND id = $2 AND valid_to IS NULL", vec![member.to_string()]),
        ("audit log page, filtered", "query($n: ID!) { auditLog(filter: {network: $n, eventType: \"ProtocolSigned\"}, first: 20) { nodes { position } } }".into(), json!({"n": network_gid.0}),
            "SELECT e.position, e.payload, e.metadata FROM entity_events t JOIN events e ON e.position = t.position WHERE t.generation = $1 AND t.kind = 'network' AND t.id = $2 AND e.event_type = 'ProtocolSigned' ORDER BY t.position LIMIT 20", vec![network.to_string()]),
    ];
    if wanted("reads") {
        for (name, query, variables, sql, binds) in reads {
            let (s, a, q, v) = (
                server.clone(),
                auditor.clone(),
                query.clone(),
                variables.clone(),
            );
            let (p, sql, binds) = (raw_pool.clone(), sql.to_owned(), binds.clone());
            let ((system, mut latencies), (baseline, mut base_latencies)) = paired(
                32,
                seconds,
                move |_, _| {
                    let (s, a, q, v) = (s.clone(), a.clone(), q.clone(), v.clone());
                    async move {
                        let body = s.gql(Some(&a), &q, v).await;
                        body.get("errors").is_none()
                    }
                },
                move |_, _| {
                    let (p, sql, binds) = (p.clone(), sql.clone(), binds.clone());
                    async move {
                        let mut q = sqlx::query(&sql).bind(generation);
                        for b in &binds {
                            q = q.bind(b);
                        }
                        q.fetch_all(&p).await.is_ok()
                    }
                },
            )
            .await;
            let (p50, p99) = (
                percentile(&mut latencies, 0.5),
                percentile(&mut latencies, 0.99),
            );
            let (b50, b99) = (
                percentile(&mut base_latencies, 0.5),
                percentile(&mut base_latencies, 0.99),
            );
            let ((s_own, s_client, s_pg), (b_own, b_pg)) = *LAST_CPU.lock().unwrap();
            table.push(format!(
            "| {name}, 32 clients: req/s; p50 / p99 ms; CPU ms per read, server + load client + PostgreSQL | {system:.0}; {p50:.1} / {p99:.1}; {s_own:.3} + {s_client:.3} + {s_pg:.3} | {baseline:.0}; {b50:.1} / {b99:.1}; {b_own:.3} + {b_pg:.3} (plain SQL: client + PostgreSQL) | {:.2} (throughput) |",
            system / baseline
        ));
            results.insert(
            format!("read_{}", name.replace([' ', ','], "_")),
            json!({"per_second": system, "p50_ms": p50, "p99_ms": p99, "baseline_per_second": baseline, "baseline_p50_ms": b50, "baseline_p99_ms": b99, "ratio": system / baseline,
                "cpu_ms_per_read": {"server": s_own, "load_client": s_client, "postgres": s_pg, "baseline": [b_own, b_pg]}}),
        );
        }
    }

    memory_by_phase.push(("reads", peak_memory_mib()));
    // The server as a process of its own, as deployed, with the read image and without: its
    // start-up to ready, its memory once it has served reads, and the members query.
    let members_query = (
        "query($n: ID!) { network(id: $n) { members(first: 100) { nodes { organization { name } } } } }",
        json!({"n": network_gid.0}),
    );
    if wanted("process") {
        for image in [true, false] {
            let Some(process) = ServerProcess::start(&url, image, &signing_key).await else {
                eprintln!(
                    "no `governance` binary beside the benchmark: build it with `cargo build --release -p cmd`"
                );
                break;
            };
            let (q, v, a) = (members_query.0, members_query.1.clone(), auditor.clone());
            let (base, client) = (process.url.clone(), reqwest::Client::new());
            let (rate, mut latencies) = load(
                32,
                seconds,
                0,
                Arc::new(move |_, _| {
                    let (base, client, v, a) = (base.clone(), client.clone(), v.clone(), a.clone());
                    async move {
                        let body: Value = match client
                            .post(&base)
                            .bearer_auth(a.as_str())
                            .json(&json!({"query": q, "variables": v}))
                            .send()
                            .await
                        {
                            Ok(response) => response.json().await.unwrap_or(Value::Null),
                            Err(_) => Value::Null,
                        };
                        body.get("data").is_some() && body.get("errors").is_none()
                    }
                }),
                None,
            )
            .await;
            let (rss, peak) = process.memory_mib();
            let (documents, estimate) = process.image_size().await;
            let p99 = percentile(&mut latencies, 0.99);
            let name = if image {
                "with the read image"
            } else {
                "without (READ_IMAGE=false)"
            };
            table.push(format!(
            "| server process {name}: start-up to ready s; RSS / peak MiB after reads (image: documents, MiB as JSON text); members of a network at 32 clients req/s, p99 ms | {:.2}; {rss:.0} / {peak:.0} ({documents:.0}, {:.0}); {rate:.0}, {p99:.1} | – | – |",
            process.ready_after,
            estimate / 1048576.0
        ));
            results.insert(
            format!("server_process_{}", if image { "image" } else { "no_image" }),
            json!({"ready_seconds": process.ready_after, "image_documents": documents, "image_text_bytes": estimate, "rss_mib": rss, "peak_mib": peak, "members_per_second": rate, "members_p99_ms": p99}),
        );
        }
    }
    let events_at_end = store.count_events().await.expect("count events");
    if wanted("rebuild") {
        // Rebuild against a raw sequential read of the event table.
        let total = events_at_end as f64;
        // As a deployment's sealer keeps the log sealed and signed (every 2 s) while it
        // runs: the rebuild judges every event's code, and the checkpoint tells it which
        // uncoded events (an earlier version's) are the server's.
        tests::seal_everything(&store).await;
        store.checkpoint(&signer).await.expect("a checkpoint");
        let before = histograms(&server).await;
        let t = Instant::now();
        projections::projector::Projector::new(store.clone())
            .rebuild(|_| {})
            .await
            .expect("rebuild");
        let rebuild = total / t.elapsed().as_secs_f64();
        let lines = breakdown(&before, &histograms(&server).await);
        eprintln!("where the time of the rebuild went:");
        for line in &lines {
            eprintln!("  {line}");
        }
        results.insert("rebuild_breakdown".into(), json!(lines));
        memory_by_phase.push(("rebuild", peak_memory_mib()));
        // The baseline streams the rows (decoded, as the projector's reader decodes them) and keeps
        // none: holding the whole log would make this process's peak memory the baseline's.
        let t = Instant::now();
        let rows = {
            use futures::TryStreamExt;
            sqlx::query_as::<_, (i64, Value, Value)>(
                "SELECT position, payload, metadata FROM events ORDER BY position",
            )
            .fetch(&raw_pool)
            .try_fold(0usize, |n, _| async move { Ok(n + 1) })
            .await
            .unwrap()
        };
        let raw = rows as f64 / t.elapsed().as_secs_f64();
        table.push(format!(
            "| rebuild, events/s | {rebuild:.0} | {raw:.0} (raw sequential read) | {:.3} |",
            rebuild / raw
        ));
        results.insert(
            "rebuild_events_per_second".into(),
            json!({"system": rebuild, "baseline": raw, "ratio": rebuild / raw}),
        );
    }
    match &loaded {
        Some(loaded) => table.push(format!(
            "| dataset: {} networks loaded through the command service | {} events in {:.0} s ({:.0} events/s) | – | – |",
            loaded.networks,
            loaded.events,
            loaded.seconds,
            loaded.events as f64 / loaded.seconds
        )),
        None => table.push(format!(
            "| dataset: reused from BENCH_DATABASE_URL | {present} events before the run | – | – |"
        )),
    }
    memory_by_phase.push(("raw read baseline", peak_memory_mib()));
    eprintln!("peak memory (VmHWM) at the end of each phase, MiB: {memory_by_phase:?}");
    results.insert("peak_memory_mib_by_phase".into(), json!(memory_by_phase));
    // The server's peak: up to the end of the rebuild (the raw baseline's read comes after).
    let memory = memory_by_phase
        .iter()
        .find(|(phase, _)| *phase == "rebuild")
        .map_or(f64::NAN, |(_, mib)| *mib);
    if memory.is_finite() {
        table.push(format!(
            "| peak memory of the process (server + load generator, through the rebuild), MiB | {memory:.0} | – | – |"
        ));
    }
    results.insert("peak_memory_mib".into(), json!(memory));
    results.insert(
        "dataset".into(),
        json!({"loaded": loaded, "events_before_run": present, "events_at_end": events_at_end, "seconds_per_measure": seconds}),
    );
    let markdown = table.join("\n") + "\n";
    print!("{markdown}");
    std::fs::write("bench-results.md", &markdown).expect("write bench-results.md");
    std::fs::write(
        "bench-results.json",
        serde_json::to_string_pretty(&Value::Object(results)).unwrap(),
    )
    .expect("write bench-results.json");
}
