//! The server killed with SIGKILL during a stream of mutations, then restarted on the same
//! database: every mutation answered before the kill is there, and the read models the
//! restarted server serves equal a rebuild from the log.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn governance(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_governance"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the binary runs")
}

fn serve(dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_governance"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

async fn post(port: u16, token: &str, query: &str) -> serde_json::Value {
    match reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .bearer_auth(token)
        .json(&serde_json::json!({"query": query}))
        .send()
        .await
    {
        Ok(response) => response.json().await.unwrap_or(serde_json::Value::Null),
        Err(_) => serde_json::Value::Null,
    }
}

async fn wait_until_up(port: u16, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while post(port, token, "{ __typename }").await.is_null() {
        assert!(Instant::now() < deadline, "the server answers");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every organization name the read side lists, once it has caught up with the log.
async fn listed(port: u16, token: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut previous = (-1, -1);
    loop {
        let answer = post(port, token, "{ readPosition integrity { headPosition } }").await;
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
                let page = post(port, token, &format!(
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
    let issued = governance(
        dir.path(),
        &["token", "issue", "--subject", "ops", "--grant", "admin"],
    );
    assert!(issued.status.success(), "{issued:?}");
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_owned();

    let port = free_port();
    let server = serve(dir.path(), port);
    wait_until_up(port, &token).await;
    let mut writers = Vec::new();
    for w in 0..4 {
        let token = token.clone();
        writers.push(tokio::spawn(async move {
            let mut answered = Vec::new();
            for i in 0..100_000 {
                let name = format!("Ente {w}-{i}");
                let answer = post(port, &token, &format!(
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
    let server = serve(dir.path(), port);
    wait_until_up(port, &token).await;
    let names = listed(port, &token).await;
    for name in &answered {
        assert!(
            names.binary_search(name).is_ok(),
            "{name} was answered before the kill but is missing"
        );
    }
    stop(server, "-TERM");

    // The read models equal a rebuild from the log.
    let rebuilt = governance(dir.path(), &["rebuild"]);
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    let port = free_port();
    let server = serve(dir.path(), port);
    wait_until_up(port, &token).await;
    assert_eq!(listed(port, &token).await, names, "read models = rebuild");
    let verified = governance(dir.path(), &["verify"]);
    stop(server, "-TERM");
    assert!(verified.status.success(), "{verified:?}");
}
