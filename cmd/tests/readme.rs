//! The README's tour runs as written on the demo: every GraphQL snippet of "A short tour" is
//! taken from README.md and sent, unchanged, to `serve --demo` through the built binary, with
//! the token the README says to issue and a network's id from the first answer.

use std::process::Stdio;

use serde_json::{json, Value};
use tests::binary::{free_port, post_with, wait_until_up, Governance};

/// The GraphQL snippets of the README's tour, in order.
fn tour() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let start = readme.find("## A short tour").expect("the tour");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    section
        .split("```graphql\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or_default().to_owned())
        .collect()
}

/// Whether every top-level field of an answer holds data.
fn complete(answer: &Value) -> bool {
    answer.get("errors").is_none()
        && answer["data"]
            .as_object()
            .is_some_and(|fields| fields.values().all(|v| !v.is_null()))
}

#[tokio::test]
async fn every_snippet_of_the_tour_runs_as_written_on_the_demo() {
    let snippets = tour();
    assert!(
        snippets.len() >= 4,
        "the tour has its snippets: {snippets:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let governance = Governance::new(env!("CARGO_BIN_EXE_governance"), dir.path());
    let port = free_port();
    let mut server = governance
        .command(&["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    wait_until_up(port, None).await;
    // "issue yourself a token, below": the README's own example.
    let token = governance.issue_token("ops-alice", "admin");

    let first = post_with(port, None, &snippets[0], json!({})).await;
    assert!(complete(&first), "{}\n{first}", snippets[0]);
    let torino = first["data"]["networks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "Tavolo Maltrattanti")
        .expect("the Torino network");
    let id = torino["id"].clone();

    let mut answers = Vec::new();
    for snippet in &snippets[1..] {
        let answer = post_with(port, Some(&token), snippet, json!({"id": id})).await;
        assert!(complete(&answer), "{snippet}\n{answer}");
        answers.push(answer);
    }

    // The past answers from the recording times the demo carries: on 1 January 2016 the
    // system knew the Città Metropolitana as coordinator (since 2015) and not yet the
    // protocol drafted and signed in 2018, which by 3 March 2019 had its signatories.
    let past = answers
        .iter()
        .find(|a| a["data"].get("known2016").is_some())
        .expect("the asOf snippet");
    let known = &past["data"]["known2016"];
    assert_eq!(
        known["coordinator"]["name"], "Città Metropolitana di Torino",
        "{past}"
    );
    assert_eq!(known["protocols"]["totalCount"], 0, "{past}");
    assert!(
        known["members"]["totalCount"].as_i64().unwrap() > 0,
        "{past}"
    );
    let signatories = past["data"]["on2019"]["protocols"]["nodes"][0]["signatories"]
        .as_array()
        .unwrap()
        .len();
    assert!(signatories > 0, "{past}");
    let before = post_with(
        port,
        Some(&token),
        "query($id: ID!) { network(id: $id, asOf: \"2010-01-01T00:00:00Z\") { name } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        before["data"]["network"],
        Value::Null,
        "unknown before it was established: {before}"
    );

    // The history snippet finds the signatures, recorded on the morning of their date.
    let history = answers
        .iter()
        .find(|a| a["data"].get("auditLog").is_some())
        .expect("the history snippet");
    let signed: Vec<&Value> = history["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(!signed.is_empty(), "{history}");
    for entry in signed {
        let recorded = entry["recordedAt"].as_str().unwrap();
        let effective = entry["effectiveOn"].as_str().unwrap();
        assert!(
            recorded.starts_with(effective),
            "recorded {recorded} on its business date {effective}"
        );
        assert_eq!(entry["authentic"], true, "the demo's own: {entry}");
    }

    server.kill().expect("the server stops");
    let _ = server.wait();
}
