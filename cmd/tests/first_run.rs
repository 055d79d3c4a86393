//! A new user's first run, through the built binary: `serve --demo` on the embedded default
//! answers the coordinators' questions from the demo data, and SIGTERM stops it cleanly.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tests::binary::{free_port, post, wait_until_up, Governance};

/// The built binary, run in `dir`.
fn governance(dir: &std::path::Path) -> Governance {
    Governance::new(env!("CARGO_BIN_EXE_governance"), dir)
}

#[tokio::test]
async fn serve_with_the_demo_data_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = governance(dir.path())
        .command(&["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let networks = loop {
        let answer = post(port, None, "{ networks(first: 10) { nodes { id name } } }").await;
        if answer["data"]["networks"]["nodes"]
            .as_array()
            .is_some_and(|n| !n.is_empty())
        {
            break answer;
        }
        assert!(
            Instant::now() < deadline,
            "the server answers within a minute"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        dir.path().join("data/governance.db").exists(),
        "the embedded default database is a file in ./data"
    );
    let torino = networks["data"]["networks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "Tavolo Maltrattanti")
        .expect("the Torino network")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Anonymous: the public part only.
    let public = post(port, None, &format!(
        r#"{{ network(id: "{torino}") {{ name members(first: 50) {{ totalCount }} protocols(first: 10) {{ totalCount }} }} }}"#
    ))
    .await;
    assert_eq!(
        public["data"]["network"]["name"], "Tavolo Maltrattanti",
        "{public}"
    );
    assert_eq!(
        public["data"]["network"]["members"]["totalCount"], 11,
        "{public}"
    );
    assert_eq!(
        public["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{public}"
    );
    // An auditor's API token, issued with the command line, reads everything.
    let token = governance(dir.path()).issue_token("first-run", "auditor");
    let answer = post(port, Some(&token), &format!(
        r#"{{ network(id: "{torino}") {{ coordinator {{ name }} members(first: 50) {{ totalCount }} protocols(first: 10) {{ nodes {{ signatories {{ name }} }} }} workingGroups {{ name }} }} }}"#
    ))
    .await;
    let network = &answer["data"]["network"];
    assert_eq!(
        network["coordinator"]["name"], "Città Metropolitana di Torino",
        "{answer}"
    );
    assert_eq!(
        network["members"]["totalCount"], 11,
        "the Provincia, its successor and nine members: {answer}"
    );
    assert_eq!(
        network["protocols"]["nodes"][0]["signatories"]
            .as_array()
            .unwrap()
            .len(),
        10,
        "{answer}"
    );
    assert_eq!(network["workingGroups"].as_array().unwrap().len(), 3);
    // The network's work in the demo: Comunicazione's activities in 2019-2020.
    let groups = post(port, Some(&token), &format!(
        r#"{{ network(id: "{torino}") {{ workingGroups {{ name activities(from: "2019-01-01", until: "2020-12-31") {{ kind title startsOn organizations {{ name }} }} }} }} }}"#
    ))
    .await;
    let comunicazione = groups["data"]["network"]["workingGroups"]
        .as_array()
        .unwrap_or_else(|| panic!("{groups}"))
        .iter()
        .find(|g| g["name"] == "Comunicazione")
        .unwrap_or_else(|| panic!("{groups}"));
    let titles: Vec<(&str, &str)> = comunicazione["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["startsOn"].as_str().unwrap(), a["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        titles,
        [
            ("2019-11-23", "CAMPAIGN"),
            ("2019-12-02", "CAMPAIGN"),
            ("2020-05-26", "PUBLICATION"),
            ("2020-10-14", "WEBINAR"),
            ("2020-11-18", "WEBINAR")
        ],
        "{groups}"
    );
    // Casalmaggiore's monthly laboratory: ten third Thursdays, December skipped, each
    // occurrence an ordinary meeting; the Carabinieri company and a school invited.
    let series = post(port, Some(&token),
        r#"{ networks(first: 10) { nodes { meetingSeries { title rule occurrences { startsAt skipped meeting { status } } invitations { organization { name } accepted } } } } }"#,
    )
    .await;
    let lab = series["data"]["networks"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{series}"))
        .iter()
        .flat_map(|n| n["meetingSeries"].as_array().cloned().unwrap_or_default())
        .find(|s| s["title"] == "Laboratorio distrettuale antiviolenza")
        .unwrap_or_else(|| panic!("the laboratory series: {series}"));
    let occurrences = lab["occurrences"].as_array().unwrap();
    assert_eq!(occurrences.len(), 10, "{lab}");
    let statuses: Vec<&str> = occurrences
        .iter()
        .map(|o| o["meeting"]["status"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "CANCELLED").count(),
        1,
        "{lab}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == "SCHEDULED").count(),
        9,
        "{lab}"
    );
    assert_eq!(lab["invitations"].as_array().unwrap().len(), 2, "{lab}");
    // The BAT plan: seven lines, its progress as of two dates.
    let progress = |on: &str| {
        format!(
            r#"{{ networks(first: 10) {{ nodes {{ name plans {{ title lines {{ title }} progress(on: "{on}") {{ line targets {{ value reached }} }} }} }} }} }}"#
        )
    };
    let bat_plan = |answer: &serde_json::Value| {
        answer["data"]["networks"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{answer}"))
            .iter()
            .find(|n| n["plans"].as_array().is_some_and(|p| !p.is_empty()))
            .unwrap_or_else(|| panic!("a network with a plan: {answer}"))["plans"][0]
            .clone()
    };
    let first = bat_plan(&post(port, Some(&token), &progress("2016-12-31")).await);
    assert_eq!(first["lines"].as_array().unwrap().len(), 7, "{first}");
    assert_eq!(
        first["progress"][0]["targets"][0],
        serde_json::json!({"value": 40, "reached": 28}),
        "{first}"
    );
    let second = bat_plan(&post(port, Some(&token), &progress("2017-12-31")).await);
    assert_eq!(
        second["progress"][0]["targets"][0],
        serde_json::json!({"value": 40, "reached": 41}),
        "{second}"
    );
    assert_eq!(
        second["progress"][2]["targets"][0]["reached"], 2,
        "{second}"
    );
    // Stelle e Luci's shared figures: a year of quarters, small cells suppressed.
    let figures = post(port, Some(&token),
        r#"{ networks(first: 10) { nodes { name indicatorSets { periods { closedOn } tables(indicator: "referrals") { period rows { cells { value display } } } } } } }"#,
    )
    .await;
    let stelle = figures["data"]["networks"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{figures}"))
        .iter()
        .find(|n| n["name"] == "Tavolo tecnico interistituzionale Stelle e Luci")
        .unwrap_or_else(|| panic!("{figures}"));
    let set = &stelle["indicatorSets"][0];
    assert!(
        set["periods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["closedOn"].is_string()),
        "{figures}"
    );
    let cells: Vec<&serde_json::Value> = set["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap())
        .flat_map(|r| r["cells"].as_array().unwrap())
        .collect();
    assert!(cells.iter().any(|c| c["display"] == "< 5"), "{figures}");
    assert!(
        cells
            .iter()
            .all(|c| c["value"].is_null() || c["value"].as_i64().unwrap() >= 5),
        "{figures}"
    );

    let pid = server.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server stops within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "exit 0 after SIGTERM: {exit:?}");
    let mut printed = String::new();
    std::io::Read::read_to_string(server.stdout.as_mut().unwrap(), &mut printed).unwrap();
    assert!(
        printed.contains(&format!("http://127.0.0.1:{port}/graphql")),
        "prints the address: {printed}"
    );

    // The operator's integrity tools on what the server sealed and signed.
    let run = |args: &[&str]| governance(dir.path()).run(args);
    let key = String::from_utf8(run(&["public-key"]).stdout)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(key.len(), 64, "{key}");
    let verify = run(&["verify", "--read-models"]);
    assert!(verify.status.success(), "{verify:?}");
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(said.contains("signed checkpoints verified"), "{verify:?}");
    // The clean stop signed the head: nothing is left uncovered.
    assert!(
        said.contains("0 events after it are covered by no signature"),
        "{said}"
    );
    assert!(said.contains("all as the log says"), "{said}");
    assert!(run(&["export", "--out", "log.jsonl"]).status.success());
    let offline = run(&[
        "verify",
        "--file",
        "log.jsonl",
        "--public-key",
        &key,
        "--database-url",
        "sqlite://nowhere/none.db",
    ]);
    assert!(offline.status.success(), "{offline:?}");
    assert!(
        !dir.path().join("nowhere").exists(),
        "offline verification opens no database"
    );
    let report = run(&[
        "report",
        "--network",
        &torino,
        "--year",
        "2020",
        "--out",
        "report.json",
    ]);
    assert!(report.status.success(), "{report:?}");
    let verified = run(&[
        "verify-report",
        "--file",
        "report.json",
        "--public-key",
        &key,
    ]);
    assert!(verified.status.success(), "{verified:?}");
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    std::fs::write(
        dir.path().join("report.json"),
        text.replacen("Tavolo", "Tavola", 1),
    )
    .unwrap();
    let refused = run(&[
        "verify-report",
        "--file",
        "report.json",
        "--public-key",
        &key,
    ]);
    assert!(
        !refused.status.success(),
        "a changed report must not verify"
    );
    // The exports name organizations as the API does: by global id, with their names.
    let coverage = run(&[
        "report",
        "--network",
        &torino,
        "--year",
        "2020",
        "--kind",
        "coverage",
        "--format",
        "csv",
    ]);
    assert!(coverage.status.success(), "{coverage:?}");
    let csv = String::from_utf8(coverage.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("protocol,version,title,organization,organization_name,signed,signed_on,recorded_at")
    );
    let row: Vec<&str> = lines.next().expect("a row").split(',').collect();
    let protocol = graphql::ids::decode_id(&graphql::ids::ID(row[0].to_owned()));
    assert!(
        matches!(protocol, Some((graphql::ids::NodeKind::Protocol, _))),
        "{csv}"
    );
    let organization = graphql::ids::decode_id(&graphql::ids::ID(row[3].to_owned()));
    assert!(
        matches!(
            organization,
            Some((graphql::ids::NodeKind::Organization, _))
        ),
        "{csv}"
    );
    assert!(
        csv.contains(",Città Metropolitana di Torino,true,"),
        "{csv}"
    );

    // The export moves whole: its chain and checkpoints are verified before anything is
    // imported, and the import says so; a changed byte refuses it all.
    let moved = run(&[
        "import",
        "--file",
        "log.jsonl",
        "--public-key",
        &key,
        "--database-url",
        "sqlite://moved/governance.db",
    ]);
    let said = String::from_utf8_lossy(&moved.stderr);
    assert!(moved.status.success(), "{said}");
    assert!(
        said.contains("signed checkpoints verified with the given key"),
        "{said}"
    );
    let text = std::fs::read_to_string(dir.path().join("log.jsonl")).unwrap();
    std::fs::write(
        dir.path().join("altered.jsonl"),
        text.replacen("Torino", "Torinx", 1),
    )
    .unwrap();
    let refused = run(&[
        "import",
        "--file",
        "altered.jsonl",
        "--database-url",
        "sqlite://refused/governance.db",
    ]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains("nothing was imported"), "{said}");

    // The import codes what it takes as this deployment's own, so it takes only what is
    // proven the source's. The same deployment's codes prove the whole export, key or none.
    let same = run(&[
        "import",
        "--file",
        "log.jsonl",
        "--database-url",
        "sqlite://same/governance.db",
    ]);
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    // An event added to the file with its chain hash recomputed (what anyone editing it can
    // do) keeps the chain sound, and is proven by nothing.
    std::fs::write(
        dir.path().join("added.jsonl"),
        format!("{text}{}\n", event_added_to(&text)),
    )
    .unwrap();
    let import_added = |extra: &[&str], into: &str| {
        let url = format!("sqlite://{into}/governance.db");
        let mut args = vec![
            "import",
            "--file",
            "added.jsonl",
            "--public-key",
            &key,
            "--database-url",
            &url,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let refused = import_added(&[], "added");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(
        said.contains("1 events of the export (positions")
            && said.contains("are proven to be the source's neither")
            && said.contains("Nothing was imported"),
        "{said}"
    );
    assert!(
        !dir.path().join("added").exists(),
        "a refused import creates no database"
    );
    let accepted = import_added(&["--accept-unsigned"], "added");
    let said = String::from_utf8_lossy(&accepted.stderr);
    assert!(accepted.status.success(), "{said}");
    assert!(
        said.contains("Warning: 1 events of the export")
            && said.contains("imported as this deployment's own (--accept-unsigned)"),
        "{said}"
    );

    // Tampering behind the application's back, as someone with the database file would.
    let url = format!(
        "sqlite://{}",
        dir.path().join("data/governance.db").display()
    );
    let db = sqlx::SqlitePool::connect(&url).await.unwrap();

    // An event appended with the file alone, a copy of a real one with its code: `verify`
    // names it, `seal` refuses it (adopting it too), and signs nothing past it.
    assert!(
        said_verify_checks_codes(&run(&["verify"])),
        "verify checks the codes with the deployment secret"
    );
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         SELECT aggregate_type, 'forged-1', 1, event_type, event_version, payload,
                json_remove(metadata, '$.idempotency_key', '$.command_hash', '$.first_sequence')
           FROM events WHERE aggregate_type = 'Organization' ORDER BY position DESC LIMIT 1",
    )
    .execute(&db)
    .await
    .unwrap();
    let forged: i64 =
        sqlx::query_scalar("SELECT position FROM events WHERE aggregate_id = 'forged-1'")
            .fetch_one(&db)
            .await
            .unwrap();
    let verify = run(&["verify"]);
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(!verify.status.success(), "{said}");
    assert!(
        said.contains(&format!("TAMPERED: first bad position {forged}: the event's authentication code does not verify")),
        "{said}"
    );
    for args in [
        &["seal"][..],
        &["seal", "--adopt-through", &forged.to_string()],
    ] {
        let seal = run(args);
        let said = String::from_utf8_lossy(&seal.stdout);
        assert!(!seal.status.success(), "{said}");
        assert!(
            said.contains(&format!("NOT SEALED from position {forged}")),
            "{said}"
        );
    }
    let signed: i64 = sqlx::query_scalar("SELECT max(position) FROM integrity_checkpoints")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(signed < forged, "no signature covers the forged event");
    // Nor does a rebuild fold it: it stops there, naming it, the old read models serving.
    let rebuild = run(&["rebuild"]);
    let said = String::from_utf8_lossy(&rebuild.stderr);
    assert!(!rebuild.status.success(), "{said}");
    assert!(
        said.contains(&forged.to_string())
            && said.contains("no server of this deployment appended it")
            && said.contains("the previous read models still serve"),
        "{said}"
    );
    sqlx::query("DROP TRIGGER IF EXISTS events_immutable_delete")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM events WHERE position = ?1")
        .bind(forged)
        .execute(&db)
        .await
        .unwrap();
    assert!(run(&["verify"]).status.success());
    let rebuild = run(&["rebuild"]);
    assert!(
        rebuild.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuild.stderr)
    );
    for trigger in [
        "events_immutable_delete",
        "event_hashes_no_delete",
        "checkpoints_no_delete",
    ] {
        sqlx::query(&format!("DROP TRIGGER IF EXISTS {trigger}"))
            .execute(&db)
            .await
            .unwrap();
    }
    let head: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
        .fetch_one(&db)
        .await
        .unwrap();
    // The tail cut with its hashes and the checkpoints over it: the database alone cannot
    // tell, the checkpoints the reviewer kept (the export made earlier) can.
    let cut = head - 4;
    for sql in [
        "DELETE FROM events WHERE position >= ?1",
        "DELETE FROM event_hashes WHERE position >= ?1",
        "DELETE FROM integrity_checkpoints WHERE position >= ?1",
    ] {
        sqlx::query(sql).bind(cut).execute(&db).await.unwrap();
    }
    let alone = run(&["verify"]);
    let said = String::from_utf8_lossy(&alone.stdout);
    assert!(alone.status.success(), "{said}");
    assert!(said.contains("signatures:"), "coverage is reported: {said}");
    let kept = run(&["verify", "--checkpoints", "log.jsonl"]);
    let said = String::from_utf8_lossy(&kept.stdout);
    assert!(!kept.status.success(), "{said}");
    assert!(
        said.contains(&format!("TAMPERED: first bad position {head}:")),
        "{said}"
    );
    // A middle event of an aggregate that goes on: named where it was, not where its
    // aggregate's sequence jumps.
    let middle: i64 = sqlx::query_scalar(
        "SELECT e.position FROM events e WHERE EXISTS (SELECT 1 FROM events l
           WHERE l.aggregate_type = e.aggregate_type AND l.aggregate_id = e.aggregate_id
             AND l.sequence > e.sequence + 1)
         ORDER BY e.position LIMIT 1 OFFSET 20",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    sqlx::query("DELETE FROM events WHERE position = ?1")
        .bind(middle)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let verify = run(&["verify"]);
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(!verify.status.success(), "{said}");
    assert!(
        said.contains(&format!("TAMPERED: first bad position {middle}:")),
        "{said}"
    );
}

/// Whether `verify` passed and said it checked the events' codes.
fn said_verify_checks_codes(verify: &std::process::Output) -> bool {
    verify.status.success()
        && String::from_utf8_lossy(&verify.stdout)
            .contains("authentication: every unsigned event's code checked")
}

/// SIGTERM while mutations stream in: every mutation answered successfully is in the store
/// afterwards, and the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_during_a_stream_of_mutations_loses_no_answered_write() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let token = governance(dir.path()).issue_token("first-run", "admin");
    let mut server = governance(dir.path()).serve(port, &[]);
    wait_until_up(port, None).await;
    // Four writers, each registering organizations one after another.
    let mut writers = Vec::new();
    for w in 0..4 {
        let token = token.clone();
        writers.push(tokio::spawn(async move {
            let mut answered = Vec::new();
            for i in 0..10_000 {
                let name = format!("Ente {w}-{i}");
                let answer = post(port, Some(&token), &format!(
                    r#"mutation {{ registerOrganization(input: {{name: "{name}", category: COMUNE, territory: "T"}}) {{ organization {{ id }} userErrors {{ code }} }} }}"#
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
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let mut answered = Vec::new();
    for writer in writers {
        answered.extend(writer.await.unwrap());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "stops within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(exit.success(), "exit 0: {exit:?}");
    assert!(
        !answered.is_empty(),
        "some mutations were answered before the signal"
    );
    // Every answered write is in the store (read with the export command).
    let export = governance(dir.path()).run(&["export", "--out", "-"]);
    assert!(export.status.success());
    let stored = String::from_utf8(export.stdout).unwrap();
    for name in &answered {
        assert!(
            stored.contains(&format!("\"name\":\"{name}\"")),
            "{name} was answered, so it is stored"
        );
    }
}

/// The audit log shows who caused an event through an API token by the subject the token was
/// issued to; the id it was recorded with stays readable, and filters.
#[tokio::test]
async fn the_audit_log_shows_a_token_by_its_subject() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let token = governance(dir.path()).issue_token("ufficio-di-piano", "admin");
    let mut server = governance(dir.path()).serve(port, &[]);
    wait_until_up(port, None).await;
    let done = post(port, Some(&token), r#"mutation { registerOrganization(input: {name: "Comune di Alba", category: COMUNE, territory: "Alba"}) { userErrors { code } } }"#).await;
    assert_eq!(
        done["data"]["registerOrganization"]["userErrors"],
        serde_json::json!([]),
        "{done}"
    );
    let log = post(
        port,
        Some(&token),
        "{ auditLog(first: 10) { nodes { actor actorId eventType } } }",
    )
    .await;
    let entry = &log["data"]["auditLog"]["nodes"][0];
    assert_eq!(entry["actor"], "ufficio-di-piano", "{log}");
    let recorded = entry["actorId"].as_str().unwrap();
    assert!(recorded.starts_with("token:"), "{log}");
    let filtered = post(
        port,
        Some(&token),
        &format!(r#"{{ auditLog(filter: {{actor: "{recorded}"}}) {{ totalCount }} }}"#),
    )
    .await;
    assert_eq!(filtered["data"]["auditLog"]["totalCount"], 1, "{filtered}");
    server.kill().unwrap();
    let _ = server.wait();
}

/// A coordinator's or referent's grant names its network or organization by global id (or
/// uuid), and a target the database does not hold is refused, not issued.
#[tokio::test]
async fn grants_take_global_ids_and_refuse_unknown_targets() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = governance(dir.path()).serve(port, &["--demo"]);
    wait_until_up(port, None).await;
    let networks = post(port, None, "{ networks(first: 1) { nodes { id } } }").await;
    let network = networks["data"]["networks"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a demo network: {networks}"))
        .to_owned();
    let token =
        governance(dir.path()).issue_token("coordinamento", &format!("coordinator:{network}"));
    let grants = governance(dir.path()).run(&["token", "list"]);
    let listed = String::from_utf8(grants.stdout).unwrap();
    assert!(listed.contains("coordinamento"), "{listed}");
    assert!(!token.is_empty());
    for unknown in [
        "coordinator:00000000-0000-4000-8000-000000000000".to_owned(),
        format!("referent:{network}"),
        "coordinator:not-an-id".to_owned(),
    ] {
        let refused =
            governance(dir.path()).run(&["token", "issue", "--subject", "x", "--grant", &unknown]);
        assert!(!refused.status.success(), "{unknown} was issued");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains(&unknown), "{unknown}: {said}");
    }
    server.kill().unwrap();
    let _ = server.wait();
}

/// A line for the end of `export`: a copy of its last organization event as a new
/// organization's first, at the next position, with the chain hash recomputed over it.
fn event_added_to(export: &str) -> String {
    let events: Vec<projections::store::ExportedEvent> = export
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line.get("aggregate_id").is_some())
        .map(|line| serde_json::from_value(line).unwrap())
        .collect();
    let last = events.last().expect("the export holds events");
    let mut added = events
        .iter()
        .rev()
        .find(|e| e.aggregate_type == "Organization")
        .expect("an organization event")
        .clone();
    added.position = last.position + 1;
    added.aggregate_id = "00000000-0000-4000-8000-0000000000ad".into();
    added.sequence = 1;
    // A command's own keys would name the copied command's request.
    for key in ["idempotency_key", "command_hash", "first_sequence"] {
        added.metadata.as_object_mut().unwrap().remove(key);
    }
    let previous = last.hash.as_deref().expect("a whole export carries hashes");
    let previous: [u8; 32] =
        std::array::from_fn(|i| u8::from_str_radix(&previous[2 * i..2 * i + 2], 16).expect("hex"));
    let hash = projections::integrity::event_hash(&previous, &added.as_stored());
    added.hash = Some(hash.iter().map(|b| format!("{b:02x}")).collect());
    serde_json::to_string(&added).unwrap()
}
