//! The GraphQL contract against the last released one (`schemas/graphql/released.graphql`):
//! `graphql-inspector diff` finds the breaking changes, and each one must be listed in
//! CHANGELOG.md (the completion handler `tests/js/changelog-gate.cjs` decides).

use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the diff of the released contract and the current schema, checked against `changelog`.
async fn diff(changelog: &Path) -> std::process::Output {
    let js = tests::js::clients();
    let schemas = repository().join("schemas/graphql");
    tokio::process::Command::new(js.join("node_modules/.bin/graphql-inspector"))
        .arg("diff")
        .arg(schemas.join("released.graphql"))
        .arg(schemas.join("schema.graphql"))
        .args(["--onComplete", "./changelog-gate.cjs"])
        .env("CHANGELOG", changelog)
        .current_dir(&js)
        .output()
        .await
        .expect("graphql-inspector runs")
}

#[tokio::test]
async fn every_breaking_change_of_the_contract_is_in_the_changelog() {
    let output = diff(&repository().join("CHANGELOG.md")).await;
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("each listed in CHANGELOG.md"), "{said}");
}

#[tokio::test]
async fn a_breaking_change_missing_from_the_changelog_fails() {
    // The changelog without the entry of one breaking change the schema has made.
    let changelog = std::fs::read_to_string(repository().join("CHANGELOG.md")).unwrap();
    let entry = "`ApproveMinutesInput.version`";
    assert!(changelog.contains(entry), "the changelog lists {entry}");
    let dir = tempfile::tempdir().unwrap();
    let without = dir.path().join("CHANGELOG.md");
    std::fs::write(&without, changelog.replace(entry, "the version")).unwrap();

    let output = diff(&without).await;
    let complaint = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the diff passed without the entry"
    );
    assert!(complaint.contains(entry), "{complaint}");
    assert!(
        complaint.contains("1 breaking change(s)"),
        "only the missing entry is named: {complaint}"
    );
}

#[tokio::test]
async fn a_pattern_in_the_changelog_lists_every_change_it_matches() {
    // `*Entry.aggregateId` stands for that field of every history entry type; without it,
    // each of them is named, and the interface's own entry still counts.
    let changelog = std::fs::read_to_string(repository().join("CHANGELOG.md")).unwrap();
    let pattern = "`*Entry.aggregateId`";
    assert!(changelog.contains(pattern), "the changelog lists {pattern}");
    let dir = tempfile::tempdir().unwrap();
    let without = dir.path().join("CHANGELOG.md");
    std::fs::write(&without, changelog.replace(pattern, "the entries' ids")).unwrap();

    let output = diff(&without).await;
    let complaint = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the diff passed without the pattern"
    );
    for named in [
        "`ProtocolSignedEntry.aggregateId`",
        "`PersonErasedEntry.aggregateId`",
    ] {
        assert!(complaint.contains(named), "{named} in {complaint}");
    }
    assert!(
        !complaint.contains("`HistoryEntry.aggregateId`"),
        "listed on its own: {complaint}"
    );
}
