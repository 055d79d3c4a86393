//! The API under a schema-driven fuzzer, as an outside tool sees it: schemathesis reads the
//! schema by introspection and sends generated operations of every query and mutation (every
//! argument's type, nested input objects, the custom scalars' valid values and near misses
//! from `tests/python/schema_fuzz.py`) as a platform administrator, so that mutations run,
//! then anonymously. Every answer must be JSON, every error must carry a code, none may be `INTERNAL`, and no
//! message may carry the server's own text (SQL, source paths, panics): whatever a client
//! sends, a mistake is the client's and says so.

use projections::store::Store;
use serde_json::json;
use tests::spawn_server;

/// The least time a run is given: in less, schemathesis stops before it has tried every
/// operation once, and the test could not tell that from an operation it cannot reach.
const LEAST_SECONDS: u32 = 10;

/// How long the fuzzer runs as an administrator against each backend (`SCHEMA_FUZZ_SECONDS`,
/// default 30, at least [`LEAST_SECONDS`]).
fn seconds() -> u32 {
    std::env::var("SCHEMA_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(30)
        .max(LEAST_SECONDS)
}

async fn a_schema_driven_fuzzer_finds_no_server_fault(store: Store) {
    let backend = match store.backend() {
        projections::store::Backend::Postgres(_) => "postgres",
        projections::store::Backend::Sqlite(_) => "sqlite",
    };
    let server = spawn_server(store, Default::default()).await;
    // Something for the queries to find.
    server
        .network_with_members(
            json!({"name": "Rete Fuzz", "kind": "INTERINSTITUTIONAL_TABLE", "territory": "Provincia di Asti", "establishedOn": "2016-03-01", "public": true}),
            "Comune di Asti",
            &["Centro antiviolenza L'Orecchio di Venere", "ASL AT"],
            chrono::NaiveDate::from_ymd_opt(2016, 4, 1).unwrap(),
        )
        .await;
    let seconds = seconds();
    let admin = tests::admin();
    let (generated, selected, accepted) = fuzz(&server.url, Some(&admin), seconds).await;
    // And as nobody, half as long: the public entry points, and every other one refused as
    // it should be.
    let anonymous = fuzz(&server.url, None, (seconds / 2).max(LEAST_SECONDS)).await;
    let report = format!(
        "schema fuzzing ({backend}): {generated} generated operations over the schema's {selected} operations as an administrator ({accepted} accepted at least once), {} anonymous ({} accepted), no server fault",
        anonymous.0, anonymous.2
    );
    println!("{report}");
    // The test harness captures what a passing test prints: CI prints this file instead.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../target/schema-fuzz-report-{backend}.txt"));
    let _ = std::fs::write(path, format!("{report}\n"));
}

/// Runs schemathesis against `url` for `seconds` with `token` (none: anonymous), failing the
/// test on any answer its check refuses; answers how many operations it generated, how many
/// operations the schema has, and how many of them accepted at least one input.
async fn fuzz(url: &str, token: Option<&str>, seconds: u32) -> (u64, u64, usize) {
    let tools = tests::python::tools();
    let work = tempfile::tempdir().expect("a working directory for the fuzzer");
    let mut command = tokio::process::Command::new(tools.join("st"));
    command.args(["run", url]);
    if let Some(token) = token {
        command
            .arg("--header")
            .arg(format!("Authorization: Bearer {token}"));
    }
    let output = command
        .args(["--max-time", &seconds.to_string(), "--workers", "1"])
        .args(["--checks", "typed_client_errors"])
        .args(["--report", "json", "--report-json-path", "report.json"])
        .env("SCHEMATHESIS_HOOKS", "schema_fuzz")
        .env("PYTHONPATH", tests::python::dir())
        .env("NO_COLOR", "1")
        .current_dir(work.path())
        .output()
        .await
        .expect("schemathesis runs");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found answers that are not typed client errors:\n{out}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // It really tried: every operation of the schema, many inputs, some accepted.
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(work.path().join("report.json")).expect("the fuzzer's report"),
    )
    .expect("the report is JSON");
    let operations = &report["operations"];
    let selected = operations["selected"].as_u64().unwrap_or(0);
    assert!(
        selected > 50
            && operations["tested"].as_u64() == Some(selected)
            && operations["errored"].as_u64() == Some(0),
        "not every operation was tested: {operations}\n{out}"
    );
    let generated = report["test_cases"]["generated"].as_u64().unwrap_or(0);
    let least = 10 * u64::from(seconds);
    assert!(
        generated >= least,
        "too few inputs tried ({generated}, at least {least}):\n{out}"
    );
    let accepted = report["valid_rates"].as_object().map_or(0, |rates| {
        rates
            .values()
            .filter(|phases| phases["fuzzing"]["accepted"].as_u64() > Some(0))
            .count()
    });
    assert!(
        accepted >= 5,
        "the fuzzer's inputs were almost never accepted:\n{out}"
    );
    (generated, selected, accepted)
}

tests::on_both_backends!(a_schema_driven_fuzzer_finds_no_server_fault);
