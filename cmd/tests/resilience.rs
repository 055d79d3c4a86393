//! The server killed with SIGKILL during a stream of mutations, then restarted on the same
//! database: every mutation answered before the kill is there, and the read models the
//! restarted server serves equal a rebuild from the log.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use tests::binary::{free_port, post, wait_until_up, Governance};

/// The built binary, run in `dir`.
fn governance(dir: &std::path::Path) -> Governance {
    Governance::new(env!("CARGO_BIN_EXE_governance"), dir)
}

/// Every organization name the read side lists, once it has caught up with the log.
async fn listed(port: u16, token: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut previous = (-1, -1);
    loop {
        let answer = post(
            port,
            Some(token),
            "{ readPosition integrity { headPosition } }",
        )
        .await;
        let read = answer["data"]["readPosition"].as_i64().unwrap_or(-1);
        // The sealer and the projector both follow the whole log: once both stand at the same
        // position, twice in a row, the read side has everything.
        let sealed = answer["data"]["integrity"]["headPosition"]
            .as_i64()
            .unwrap_or(-2);
        let stable = (read, sealed) == previous;
        previous = (read, sealed);
        if read > 0 && read == sealed && stable {
            let mut names = Vec::new();
            let mut after = serde_json::Value::Null;
            loop {
                let page = post(port, Some(token), &format!(
                    "{{ organizations(first: 100, after: {after}) {{ nodes {{ name }} pageInfo {{ hasNextPage endCursor }} }} }}"
                ))
                .await;
                let orgs = &page["data"]["organizations"];
                names.extend(
                    orgs["nodes"]
                        .as_array()
                        .unwrap_or_else(|| panic!("{page}"))
                        .iter()
                        .map(|n| n["name"].as_str().unwrap().to_owned()),
                );
                if orgs["pageInfo"]["hasNextPage"] != true {
                    break;
                }
                after = orgs["pageInfo"]["endCursor"].clone();
            }
            names.sort();
            return names;
        }
        assert!(
            Instant::now() < deadline,
            "the read side catches up: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn stop(mut server: Child, signal: &str) {
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the process ends");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_mutations_then_restart_loses_nothing_answered() {
    let dir = tempfile::tempdir().unwrap();
    let token = governance(dir.path()).issue_token("ops", "admin");

    let port = free_port();
    let server = governance(dir.path()).serve(port, &[]);
    wait_until_up(port, Some(&token)).await;
    let mut writers = Vec::new();
    for w in 0..4 {
        let token = token.clone();
        writers.push(tokio::spawn(async move {
            let mut answered = Vec::new();
            for i in 0..100_000 {
                let name = format!("Ente {w}-{i}");
                let answer = post(port, Some(&token), &format!(
                    r#"mutation {{ registerOrganization(input: {{name: "{name}", category: COMUNE, territory: "T"}}) {{ organization {{ id }} }} }}"#
                ))
                .await;
                match answer["data"]["registerOrganization"]["organization"]["id"].as_str() {
                    Some(_) => answered.push(name),
                    None => break,
                }
            }
            answered
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop(server, "-KILL");
    let mut answered = Vec::new();
    for writer in writers {
        answered.extend(writer.await.unwrap());
    }
    assert!(
        answered.len() > 10,
        "mutations were answered before the kill"
    );

    // Restarted on the same database: everything answered is there.
    let port = free_port();
    let server = governance(dir.path()).serve(port, &[]);
    wait_until_up(port, Some(&token)).await;
    let names = listed(port, &token).await;
    for name in &answered {
        assert!(
            names.binary_search(name).is_ok(),
            "{name} was answered before the kill but is missing"
        );
    }
    stop(server, "-TERM");

    // The read models equal a rebuild from the log.
    let rebuilt = governance(dir.path()).run(&["rebuild"]);
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    let port = free_port();
    let server = governance(dir.path()).serve(port, &[]);
    wait_until_up(port, Some(&token)).await;
    assert_eq!(listed(port, &token).await, names, "read models = rebuild");
    let verified = governance(dir.path()).run(&["verify"]);
    stop(server, "-TERM");
    assert!(verified.status.success(), "{verified:?}");
}
