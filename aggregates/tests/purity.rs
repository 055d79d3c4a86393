//! Architecture invariant: the domain crate depends on no database, HTTP or GraphQL crate.

use std::process::Command;

/// Crate names (or prefixes) that must never be in the domain's dependency tree.
const FORBIDDEN: &[&str] = &[
    "sqlx",
    "postgres",
    "tokio-postgres",
    "rusqlite",
    "libsqlite3-sys",
    "sqlite",
    "diesel",
    "sea-orm",
    "hyper",
    "http",
    "axum",
    "tower",
    "reqwest",
    "actix",
    "warp",
    "async-graphql",
    "juniper",
    "cqrs-es-postgres",
    "postgres-es",
    "sqlite-es",
];

fn dependency_names() -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "aggregates",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn offenders(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|name| {
            FORBIDDEN
                .iter()
                .any(|bad| *name == bad || name.starts_with(&format!("{bad}-")))
        })
        .cloned()
        .collect()
}

#[test]
fn the_domain_depends_on_no_database_http_or_graphql_crate() {
    let names = dependency_names();
    assert!(
        names.iter().any(|n| n == "cqrs-es"),
        "the tree was read: {names:?}"
    );
    let bad = offenders(&names);
    assert!(bad.is_empty(), "aggregates depends on {bad:?}");
}

#[test]
fn the_check_would_catch_a_forbidden_crate() {
    let names = vec![
        "serde".to_owned(),
        "sqlx-core".to_owned(),
        "axum".to_owned(),
    ];
    assert_eq!(
        offenders(&names),
        vec!["sqlx-core".to_owned(), "axum".to_owned()]
    );
}
