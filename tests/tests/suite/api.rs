//! The GraphQL API end to end: the real server on a free port, against PostgreSQL and SQLite.

use serde_json::{json, Value};
use tests::{spawn_server, TestServer};

/// Runs a mutation and returns its payload, failing on any error.
async fn mutate(
    server: &TestServer,
    acting_for: Option<&str>,
    name: &str,
    input: Value,
    selection: &str,
) -> Value {
    // Every mutation `x` takes `input: XInput!`.
    let input_type = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
    let query = format!("mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} userErrors {{ field message code }} positions }} }}");
    let body = server
        .gql(acting_for, &query, json!({"input": input}))
        .await;
    assert!(body.get("errors").is_none(), "{name}: {body}");
    let payload = body["data"][name].clone();
    assert_eq!(payload["userErrors"], json!([]), "{name}: {payload}");
    assert!(
        !payload["positions"].as_array().unwrap().is_empty(),
        "{name} wrote events"
    );
    payload
}

async fn register(server: &TestServer, name: &str, category: &str) -> String {
    let payload = mutate(
        server,
        Some(&tests::admin()),
        "registerOrganization",
        json!({"name": name, "category": category, "territory": "Torino"}),
        "organization { id name }",
    )
    .await;
    payload["organization"]["id"].as_str().unwrap().to_owned()
}

async fn torino_through_graphql(server: TestServer) {
    let cmto = register(
        &server,
        "Città Metropolitana di Torino",
        "CITTA_METROPOLITANA",
    )
    .await;
    let comune = register(&server, "Comune di Torino", "COMUNE").await;
    let cav = register(
        &server,
        "Centro antiviolenza aderente",
        "CENTRO_ANTIVIOLENZA",
    )
    .await;
    let unito = register(&server, "Università degli Studi di Torino", "UNIVERSITA").await;
    let admin = tests::admin();
    let network = mutate(&server, Some(&admin), "establishNetwork", json!({"name": "Tavolo Maltrattanti", "kind": "INTERINSTITUTIONAL_TABLE", "territory": "Area metropolitana di Torino", "coordinator": cmto, "establishedOn": "2011-01-01", "public": true}), "network { id name }").await["network"]["id"].as_str().unwrap().to_owned();
    // From here on the network's coordinator acts, and each member's referent for it.
    let coordinator = tests::coordinator(&network);
    let c = Some(coordinator.as_str());
    let auditor = tests::auditor();
    for (org, approved) in [
        (&comune, "2012-02-01"),
        (&cav, "2012-02-01"),
        (&unito, "2013-03-01"),
    ] {
        mutate(
            &server,
            Some(&tests::referent(org)),
            "applyForMembership",
            json!({"network": network, "organization": org, "effectiveOn": "2012-01-10"}),
            "network { id }",
        )
        .await;
        mutate(
            &server,
            c,
            "approveMembership",
            json!({"network": network, "organization": org, "effectiveOn": approved}),
            "network { id }",
        )
        .await;
    }
    // A refusal is a typed user error, not a top-level error, and writes nothing.
    let refused = server.gql(c, "mutation($i: ApproveMembershipInput!) { approveMembership(input: $i) { network { id } userErrors { code message } positions } }", json!({"i": {"network": network, "organization": comune, "effectiveOn": "2012-03-01"}})).await;
    assert_eq!(
        refused["data"]["approveMembership"]["userErrors"][0]["code"], "ALREADY_MEMBER",
        "{refused}"
    );
    assert_eq!(refused["data"]["approveMembership"]["positions"], json!([]));
    // Bad input is refused with the field at fault.
    let bad = server.gql(Some(&admin), "mutation { registerOrganization(input: {name: \"X\", category: COMUNE, territory: \"T\", taxCode: \"01907990013\"}) { organization { id } userErrors { field code message } } }", json!({})).await;
    assert_eq!(
        bad["data"]["registerOrganization"]["userErrors"][0]["field"],
        json!(["input", "taxCode"]),
        "{bad}"
    );
    assert_eq!(
        bad["data"]["registerOrganization"]["userErrors"][0]["code"],
        "INVALID_VALUE"
    );
    // A refusal that names another record names it by the id clients use.
    let register = "mutation { registerOrganization(input: {name: \"Stesso codice\", category: COMUNE, territory: \"T\", taxCode: \"01907990012\"}) { organization { id } userErrors { field code message } } }";
    let first = server.gql(Some(&admin), register, json!({})).await;
    let holder = first["data"]["registerOrganization"]["organization"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let again = server.gql(Some(&admin), register, json!({})).await;
    let refusal = &again["data"]["registerOrganization"]["userErrors"][0];
    assert_eq!(refusal["code"], "TAX_CODE_IN_USE", "{again}");
    assert_eq!(
        refusal["message"],
        format!("the tax code is already registered to organization {holder}"),
        "{again}"
    );

    // Whole numbers the domain keeps unsigned, and a text that is no text: each refused with
    // the field at fault, nothing written.
    let bad = server.gql(c, "mutation($i: DraftProtocolInput!) { draftProtocol(input: $i) { protocol { id } userErrors { field code } positions } }", json!({"i": {
        "network": network, "kind": "FRAMEWORK", "parties": [comune, cav],
        "content": {"title": "Protocollo d'intesa", "purpose": "Confronto", "validFrom": "2019-01-01", "tacitRenewalMonths": 70000,
            "clauses": [{"number": -1, "text": " ", "commitment": "Individuare un referente", "dueWithinDays": -30}]}
    }})).await;
    assert_eq!(
        bad["data"]["draftProtocol"]["userErrors"],
        json!([
            {"field": ["input", "content", "clauses", "number"], "code": "NEGATIVE_VALUE"},
            {"field": ["input", "content", "clauses", "text"], "code": "INVALID_VALUE"},
            {"field": ["input", "content", "clauses", "dueWithinDays"], "code": "NEGATIVE_VALUE"},
            {"field": ["input", "content", "tacitRenewalMonths"], "code": "TOO_LARGE"},
        ]),
        "{bad}"
    );
    assert_eq!(
        bad["data"]["draftProtocol"]["positions"],
        json!([]),
        "{bad}"
    );

    let hash = "a".repeat(64);
    let protocol = mutate(&server, c, "draftProtocol", json!({
        "network": network, "kind": "FRAMEWORK", "parties": [comune, cav],
        "content": {"title": "Protocollo d'intesa", "purpose": "Confronto e scambio di buone prassi", "validFrom": "2019-01-01", "validUntil": "2021-12-31",
            "clauses": [{"number": 1, "text": "Individuare un proprio referente", "commitment": "Individuare un referente", "dueWithinDays": 30}]}
    }), "protocol { id status }").await["protocol"]["id"].as_str().unwrap().to_owned();
    mutate(
        &server,
        c,
        "publishProtocolVersion",
        json!({"protocol": protocol, "documentHash": hash, "publishedOn": "2019-01-15"}),
        "protocol { status }",
    )
    .await;
    mutate(
        &server,
        c,
        "openProtocolForSignature",
        json!({"protocol": protocol, "on": "2019-02-01"}),
        "protocol { status }",
    )
    .await;
    for (org, on) in [(&comune, "2019-03-01"), (&cav, "2019-03-05")] {
        mutate(&server, Some(&tests::referent(org)), "recordSignature", json!({"protocol": protocol, "organization": org, "signingOffice": "Legale rappresentante", "method": "HANDWRITTEN", "documentHash": hash, "signedOn": on}), "protocol { id }").await;
    }
    let signed = mutate(
        &server,
        c,
        "enterProtocolIntoForce",
        json!({"protocol": protocol, "on": "2019-04-01"}),
        "protocol { status signatories { name } }",
    )
    .await;
    assert_eq!(signed["protocol"]["status"], "IN_FORCE");

    let meeting = mutate(&server, c, "scheduleMeeting", json!({"network": network, "kind": "PLENARY", "title": "Seduta plenaria", "startsAt": "2020-06-22T09:00:00Z", "address": "Corso Inghilterra 7, Torino", "agenda": ["Piano formativo"], "public": true}), "meeting { id status }").await["meeting"]["id"].as_str().unwrap().to_owned();
    mutate(
        &server,
        c,
        "openMeeting",
        json!({"meeting": meeting, "at": "2020-06-22T09:00:00Z"}),
        "meeting { status }",
    )
    .await;
    for (org, attendance) in [(&cmto, "PRESENT"), (&comune, "PRESENT"), (&cav, "EXCUSED")] {
        mutate(
            &server,
            c,
            "recordAttendance",
            json!({"meeting": meeting, "organization": org, "attendance": attendance}),
            "meeting { id }",
        )
        .await;
    }
    mutate(
        &server,
        c,
        "recordDecision",
        json!({"meeting": meeting, "text": "Si approva il piano formativo", "actionItems": [
        {"obligor": unito, "title": "Organizzare i webinar", "dueOn": "2020-12-31"},
        {"obligor": cav, "title": "Diffondere i materiali", "dueOn": "2020-09-30"}]}),
        "meeting { decisions { number } }",
    )
    .await;
    mutate(
        &server,
        c,
        "closeMeeting",
        json!({"meeting": meeting, "at": "2020-06-22T12:00:00Z"}),
        "meeting { status }",
    )
    .await;

    // The processes create commitments in the background: wait until the read side has them.
    let commitments_query = "query($n: ID!) { network(id: $n) { commitments(first: 50) { totalCount nodes { id title status dueOn obligor { name } } } } }";
    let mut commitments = Value::Null;
    for _ in 0..200 {
        commitments = server
            .gql(c, commitments_query, json!({"n": network}))
            .await;
        if commitments["data"]["network"]["commitments"]["totalCount"] == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        commitments["data"]["network"]["commitments"]["totalCount"], 4,
        "two from signatures, two from the decision: {commitments}"
    );
    let nodes = commitments["data"]["network"]["commitments"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let comune_referent = nodes
        .iter()
        .find(|n| n["obligor"]["name"] == "Comune di Torino")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    mutate(
        &server,
        Some(&tests::referent(&comune)),
        "fulfilCommitment",
        json!({"commitment": comune_referent, "note": "Referente designato", "on": "2019-03-20"}),
        "commitment { status }",
    )
    .await;

    // Reads: members, signatures, overdue commitments, a timeline, the audit log, as-of views.
    let read = server.gql(Some(&auditor), r#"query($n: ID!, $p: ID!, $o: ID!) {
        network(id: $n) {
            members(first: 10) { totalCount nodes { status since organization { name } } }
            before: members(effectiveOn: "2012-06-01") { totalCount }
            summary: commitmentSummary(on: "2020-10-01") { organization { id name } open overdue }
        }
        protocol(id: $p) { signatures { signedOn recordedAt method organization { name } } membersWithoutSignature { name } }
        organization(id: $o) { timeline(first: 50) { edges { node { eventType actor role recordedAt effectiveOn } } pageInfo { hasNextPage } } }
        auditLog(filter: {network: $n, eventType: "CommitmentCreated"}, first: 10) { edges { cursor node { eventType actor role } } }
    }"#, json!({"n": network, "p": protocol, "o": comune})).await;
    assert!(read.get("errors").is_none(), "{read}");
    let n = &read["data"]["network"];
    assert_eq!(n["members"]["totalCount"], 4);
    assert_eq!(
        n["before"]["totalCount"], 3,
        "on 2012-06-01 the university had not joined yet"
    );
    let summary = n["summary"].as_array().unwrap();
    let of = |org: &str| {
        summary
            .iter()
            .find(|s| s["organization"]["id"] == org)
            .cloned()
            .unwrap()
    };
    // Each row names its organization, so a page needs no second round trip.
    assert!(
        summary
            .iter()
            .all(|s| s["organization"]["name"].is_string()),
        "{summary:?}"
    );
    assert_eq!(
        (of(&cav)["open"].clone(), of(&cav)["overdue"].clone()),
        (json!(2), json!(2)),
        "{summary:?}"
    );
    assert_eq!(
        (of(&comune)["open"].clone(), of(&comune)["overdue"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(
        read["data"]["protocol"]["signatures"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let without: Vec<&str> = read["data"]["protocol"]["membersWithoutSignature"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        without.contains(&"Università degli Studi di Torino")
            && without.contains(&"Città Metropolitana di Torino"),
        "{without:?}"
    );
    let timeline: Vec<String> = read["data"]["organization"]["timeline"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["eventType"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "OrganizationRegistered",
        "MembershipApplied",
        "MembershipApproved",
        "ProtocolSigned",
        "CommitmentCreated",
        "CommitmentFulfilled",
        "AttendanceRecorded",
    ] {
        assert!(
            timeline.contains(&expected.to_owned()),
            "{expected} in {timeline:?}"
        );
    }
    let audit = read["data"]["auditLog"]["edges"].as_array().unwrap();
    assert_eq!(audit.len(), 4);
    assert!(
        audit
            .iter()
            .all(|e| e["node"]["role"] == "SYSTEM" && e["node"]["actor"] == "system"),
        "processes act as the system"
    );

    // Typed payloads per event type, through the history-entry interface.
    let typed = server
        .gql(
            Some(&auditor),
            r#"query($o: ID!) {
        organization(id: $o) { timeline(first: 50) { nodes {
            __typename eventType
            ... on ProtocolSignedEntry { payload { signingOffice method signedOn documentHash } }
            ... on MembershipApprovedEntry { payload { effectiveOn } }
        } } }
    }"#,
            json!({"o": comune}),
        )
        .await;
    assert!(typed.get("errors").is_none(), "{typed}");
    let entries = typed["data"]["organization"]["timeline"]["nodes"]
        .as_array()
        .unwrap();
    assert!(entries
        .iter()
        .all(|e| e["__typename"] == format!("{}Entry", e["eventType"].as_str().unwrap())));
    let signed = entries
        .iter()
        .find(|e| e["eventType"] == "ProtocolSigned")
        .unwrap();
    assert_eq!(
        signed["payload"],
        json!({"signingOffice": "Legale rappresentante", "method": "HANDWRITTEN", "signedOn": "2019-03-01", "documentHash": hash})
    );
    let approved = entries
        .iter()
        .find(|e| e["eventType"] == "MembershipApproved")
        .unwrap();
    assert_eq!(approved["payload"]["effectiveOn"], "2012-02-01");

    // `effectiveOn` on a root entry point applies to everything below it; filters and orders
    // on members, meetings and protocols.
    let on = server.gql(c, r#"query($n: ID!) {
        early: network(id: $n, effectiveOn: "2012-06-01") { members { totalCount } }
        midSigning: network(id: $n, effectiveOn: "2019-03-03") {
            members { totalCount }
            protocols(first: 5) { nodes { signatories { name } membersWithoutSignature { name } signatures { signedOn } } }
            commitments { totalCount nodes { overdue obligor { name } } }
        }
        now: network(id: $n) {
            newest: members(filter: {status: "ACTIVE"}, orderBy: {field: SINCE, direction: DESC}, first: 1) { nodes { organization { name } } }
            plenaries: meetings(filter: {kind: PLENARY, startsFrom: "2020-01-01T00:00:00Z"}) { totalCount }
            scheduled: meetings(filter: {status: "SCHEDULED"}) { totalCount }
            inForce: protocols(filter: {inForce: true}) { totalCount }
            addenda: protocols(filter: {kind: ADDENDUM}) { totalCount }
        }
    }"#, json!({"n": network})).await;
    assert!(on.get("errors").is_none(), "{on}");
    let data = &on["data"];
    assert_eq!(data["early"]["members"]["totalCount"], 3, "{data}");
    let mid = &data["midSigning"];
    assert_eq!(mid["members"]["totalCount"], 4);
    let protocol_then = &mid["protocols"]["nodes"][0];
    assert_eq!(
        protocol_then["signatories"],
        json!([{"name": "Comune di Torino"}]),
        "the CAV signed on 5 March: {protocol_then}"
    );
    assert_eq!(protocol_then["signatures"].as_array().unwrap().len(), 1);
    let without_then: Vec<&str> = protocol_then["membersWithoutSignature"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(without_then.len(), 3, "{without_then:?}");
    assert!(!without_then.contains(&"Comune di Torino"));
    assert_eq!(
        mid["commitments"]["totalCount"], 1,
        "only the Comune's signature commitment existed then: {mid}"
    );
    assert_eq!(
        mid["commitments"]["nodes"][0],
        json!({"overdue": false, "obligor": {"name": "Comune di Torino"}}),
        "overdue is judged on the business date"
    );
    let now = &data["now"];
    assert_eq!(
        now["newest"]["nodes"][0]["organization"]["name"],
        "Università degli Studi di Torino"
    );
    assert_eq!(now["plenaries"]["totalCount"], 1);
    assert_eq!(now["scheduled"]["totalCount"], 0);
    assert_eq!(now["inForce"]["totalCount"], 1);
    assert_eq!(now["addenda"]["totalCount"], 0);

    let owed = server.gql(c, r#"query($o: ID!) { organization(id: $o) {
        commitments(filter: {overdueOn: "2020-10-01"}, orderBy: {field: DUE_ON, direction: DESC}) { totalCount nodes { title dueOn } }
    } }"#, json!({"o": cav})).await;
    let owed = &owed["data"]["organization"]["commitments"];
    assert_eq!(owed["totalCount"], 2, "{owed}");
    assert_eq!(
        owed["nodes"][0]["title"], "Diffondere i materiali",
        "{owed}"
    );

    // Reports: signature coverage, fulfilment per member, the signed annual report.
    let reports = server.gql(Some(&auditor), r#"query($n: ID!, $p: ID!) {
        protocol(id: $p) { signatureCoverage { version signed { organization { id name } signedOn } notSigned { id name } } }
        network(id: $n) {
            commitmentFulfilment(on: "2020-10-01") { organization { id name } fulfilledOnTime fulfilledLate open overdue commitments { outcome } }
            annualReport(year: 2020) { document contentHash signature publicKey signedAt }
        }
    }"#, json!({"n": network, "p": protocol})).await;
    assert!(reports.get("errors").is_none(), "{reports}");
    let coverage = &reports["data"]["protocol"]["signatureCoverage"][0];
    assert_eq!(
        coverage["signed"].as_array().unwrap().len(),
        2,
        "{coverage}"
    );
    assert_eq!(
        coverage["notSigned"].as_array().unwrap().len(),
        2,
        "{coverage}"
    );
    let fulfilment = reports["data"]["network"]["commitmentFulfilment"]
        .as_array()
        .unwrap();
    let of_org = |org: &str| {
        fulfilment
            .iter()
            .find(|f| f["organization"]["id"] == org)
            .unwrap()
            .clone()
    };
    let names: Vec<&Value> = coverage["notSigned"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            coverage["signed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| &s["organization"]),
        )
        .map(|o| &o["name"])
        .collect();
    assert!(names.iter().all(|n| n.is_string()), "{coverage}");
    assert_eq!(of_org(&comune)["fulfilledOnTime"], 1, "{fulfilment:?}");
    assert_eq!(of_org(&cav)["overdue"], 2, "{fulfilment:?}");
    let annual = &reports["data"]["network"]["annualReport"];
    assert_eq!(annual["publicKey"], server.signer.public_key_hex());
    let signed: projections::reports::SignedReport =
        serde_json::from_value(annual.clone()).unwrap();
    signed
        .verify(&server.signer.public_key())
        .expect("the report verifies");
    assert_eq!(
        signed.document["meetings_held"].as_array().unwrap().len(),
        1,
        "the 22 June 2020 plenary"
    );
    assert_eq!(signed.document["network"]["name"], "Tavolo Maltrattanti");
    // One byte changed in the document, or another key: not verified.
    let mut altered = signed.clone();
    altered.document["network"]["name"] = json!("Tavolo Maltrattantx");
    assert!(altered.verify(&server.signer.public_key()).is_err());
    assert!(signed
        .verify(&projections::integrity::Signer::generate().public_key())
        .is_err());
    // Reports are not for the anonymous viewer.
    let denied = server
        .gql(
            None,
            "query($n: ID!) { network(id: $n) { annualReport(year: 2020) { contentHash } } }",
            json!({"n": network}),
        )
        .await;
    assert_eq!(
        denied["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{denied}"
    );

    // A retried mutation with the same Idempotency-Key answers with its first outcome.
    let keyed = |key: &'static str, body: Value| {
        let request = server
            .client
            .post(&server.url)
            .bearer_auth(&coordinator)
            .header("idempotency-key", key)
            .json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let questura = || json!({"query": "mutation { registerOrganization(input: {name: \"Questura di Torino\", category: QUESTURA, territory: \"Torino\"}) { organization { id } positions } }"});
    let first = keyed("register-questura", questura()).await;
    let count = server.store.count_events().await.unwrap();
    let second = keyed("register-questura", questura()).await;
    assert_eq!(
        first["data"]["registerOrganization"]["positions"],
        second["data"]["registerOrganization"]["positions"],
        "{second}"
    );
    assert_eq!(
        server.store.count_events().await.unwrap(),
        count,
        "the retry wrote nothing"
    );
    // Also where the command holds what the server chose: sealed contact details get a fresh
    // nonce each time, yet the retried request answers with its first outcome.
    let person = |name: &str| json!({"query": "mutation($n: String!) { registerPerson(input: {name: $n, email: \"referente@example.org\"}) { person { id } positions userErrors { code } } }", "variables": {"n": name}});
    let first = keyed("person-1", person("Referente Uno")).await;
    assert!(
        first["data"]["registerPerson"]["positions"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{first}"
    );
    let count = server.store.count_events().await.unwrap();
    let second = keyed("person-1", person("Referente Uno")).await;
    assert_eq!(
        first["data"]["registerPerson"], second["data"]["registerPerson"],
        "the same person, the same positions, no error: {second}"
    );
    assert_eq!(server.store.count_events().await.unwrap(), count);
    // The same key with another request is refused, and writes nothing.
    let other = keyed("person-1", person("Referente Due")).await;
    assert_eq!(
        other["data"]["registerPerson"]["userErrors"][0]["code"], "IDEMPOTENCY_KEY_REUSED",
        "{other}"
    );
    assert_eq!(server.store.count_events().await.unwrap(), count);

    // The audit log pages backward too, with a total.
    let back = server.gql(Some(&auditor), r#"{ auditLog(last: 2) { totalCount edges { cursor } pageInfo { hasPreviousPage hasNextPage } } }"#, json!({})).await;
    let all = server
        .gql(
            Some(&auditor),
            r#"{ auditLog(first: 100) { totalCount edges { cursor } } }"#,
            json!({}),
        )
        .await;
    let cursors: Vec<&Value> = all["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["cursor"])
        .collect();
    let last_two: Vec<&Value> = back["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["cursor"])
        .collect();
    assert_eq!(last_two, cursors[cursors.len() - 2..].to_vec(), "{back}");
    assert_eq!(
        back["data"]["auditLog"]["totalCount"],
        all["data"]["auditLog"]["totalCount"]
    );
    assert_eq!(
        back["data"]["auditLog"]["pageInfo"]["hasPreviousPage"],
        true
    );

    // Typed filters and orders on lists.
    let lists = server
        .gql(
            c,
            r#"query($n: ID!, $cav: ID!) {
        universities: organizations(filter: {category: UNIVERSITA}) { totalCount nodes { name } }
        last: organizations(orderBy: {field: NAME, direction: DESC}, first: 1) { nodes { name } }
        network(id: $n) {
            overdue: commitments(filter: {overdueOn: "2020-10-01"}) { totalCount }
            notYet: commitments(filter: {overdueOn: "2010-10-01"}) { totalCount }
            farFuture: commitments(filter: {overdueOn: "9999-12-31"}) { totalCount }
            byDue: commitments(orderBy: {field: DUE_ON}) { nodes { dueOn } }
            open: commitments(filter: {status: "OPEN"}) { totalCount }
            openAnyCase: commitments(filter: {status: "oPeN"}) { totalCount }
            openByState: commitments(filter: {state: OPEN}) { totalCount }
            states: commitments(orderBy: {field: DUE_ON}) { nodes { state status } }
            fulfilled: commitments(filter: {status: "FULFILLED"}) { totalCount }
            cavOverdue: commitments(filter: {obligor: $cav, overdueOn: "2020-10-01"}) { totalCount }
            cavOpen: commitments(filter: {obligor: $cav, status: "OPEN"}) { totalCount }
        }
    }"#,
            json!({"n": network, "cav": cav}),
        )
        .await;
    assert!(lists.get("errors").is_none(), "{lists}");
    assert_eq!(lists["data"]["universities"]["totalCount"], 1);
    assert_eq!(
        lists["data"]["universities"]["nodes"][0]["name"],
        "Università degli Studi di Torino"
    );
    assert_eq!(
        lists["data"]["last"]["nodes"][0]["name"],
        "Università degli Studi di Torino"
    );
    assert_eq!(
        lists["data"]["network"]["overdue"]["totalCount"], 2,
        "the CAV's two, as in the summary"
    );
    assert_eq!(lists["data"]["network"]["open"]["totalCount"], 3);
    // The filters narrow in SQL first; the answers are those of the exact filter.
    let list = &lists["data"]["network"];
    assert_eq!(
        list["openAnyCase"]["totalCount"], 3,
        "status in any letter case"
    );
    assert_eq!(
        list["notYet"]["totalCount"], 0,
        "nothing was due before 2010"
    );
    assert_eq!(
        list["farFuture"]["totalCount"], 3,
        "every open commitment with a due date is overdue on the last day of 9999: {list}"
    );
    assert_eq!(list["cavOverdue"]["totalCount"], 2, "{list}");
    assert_eq!(list["cavOpen"]["totalCount"], 2, "{list}");
    assert_eq!(list["fulfilled"]["totalCount"], 1, "{list}");
    let due: Vec<&str> = lists["data"]["network"]["byDue"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["dueOn"].as_str().unwrap())
        .collect();
    let mut sorted = due.clone();
    sorted.sort();
    assert_eq!(due, sorted, "ordered by due date");
    // Statuses as enums: the same values as the deprecated strings; a filter by enum is the
    // filter by name; a name that is no status is the client's mistake, not an empty list.
    assert_eq!(list["openByState"]["totalCount"], 3, "{list}");
    for node in list["states"]["nodes"].as_array().unwrap() {
        assert_eq!(node["state"], node["status"], "{list}");
    }
    let typo = server
        .gql(
            c,
            r#"query($n: ID!) { network(id: $n) { commitments(filter: {status: "OPNE"}) { totalCount }
                 members(filter: {status: "ACTIV"}) { totalCount } } }"#,
            json!({"n": network}),
        )
        .await;
    let errors = typo["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{typo}");
    for error in errors {
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{typo}");
        assert_eq!(error["extensions"]["argument"], "filter", "{typo}");
        assert!(
            error["message"].as_str().unwrap().contains("one of"),
            "{typo}"
        );
    }

    // As known at an instant before the signatures: the protocol was still open.
    let instant = read["data"]["protocol"]["signatures"][0]["recordedAt"]
        .as_str()
        .unwrap();
    let before =
        chrono::DateTime::parse_from_rfc3339(instant).unwrap() - chrono::Duration::milliseconds(1);
    let as_of = server.gql(c, "query($p: ID!, $t: DateTime!) { protocol(id: $p, asOf: $t) { state signatures { signedOn } } }", json!({"p": protocol, "t": before.to_rfc3339()})).await;
    assert_eq!(
        as_of["data"]["protocol"]["state"], "OPEN_FOR_SIGNATURE",
        "{as_of}"
    );
    assert_eq!(as_of["data"]["protocol"]["signatures"], json!([]));
}

/// History shows the business date a change took effect on beside its recording time.
async fn history_shows_business_dates(server: TestServer) {
    let admin = tests::admin();
    let id = register(&server, "Provincia di Torino", "PROVINCIA").await;
    mutate(&server, Some(&admin), "renameOrganization", json!({"organization": id, "name": "Città Metropolitana di Torino", "effectiveOn": "2015-01-01"}), "organization { id }").await;
    let answer = server
        .gql(
            Some(&admin),
            "query($id: ID!) { organization(id: $id) { timeline { nodes { eventType effectiveOn } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        answer["data"]["organization"]["timeline"]["nodes"],
        json!([
            {"eventType": "OrganizationRegistered", "effectiveOn": null},
            {"eventType": "OrganizationRenamed", "effectiveOn": "2015-01-01"},
        ]),
        "{answer}"
    );
}

/// Minutes drafted, then approved by the version and hash the meeting shows.
async fn minutes_are_approved_by_the_version_the_meeting_shows(server: TestServer) {
    let admin = tests::admin();
    let lead = register(&server, "Prefettura di Pavia", "PREFETTURA").await;
    let network = mutate(&server, Some(&admin), "establishNetwork", json!({"name": "Rete interistituzionale di Pavia", "kind": "INTERINSTITUTIONAL_TABLE", "territory": "Provincia di Pavia", "coordinator": lead, "establishedOn": "2019-01-01", "public": false}), "network { id }").await["network"]["id"].as_str().unwrap().to_owned();
    let meeting = mutate(&server, Some(&admin), "scheduleMeeting", json!({"network": network, "kind": "PLENARY", "title": "Seduta plenaria", "startsAt": "2024-03-01T09:00:00Z", "address": "Piazza Guicciardi 1, Pavia", "agenda": ["Mappatura dei servizi"], "public": false}), "meeting { id minutesVersion minutesDocumentHash }").await["meeting"].clone();
    assert_eq!(meeting["minutesVersion"], Value::Null);
    for (act, at) in [
        ("openMeeting", "2024-03-01T09:05:00Z"),
        ("closeMeeting", "2024-03-01T12:00:00Z"),
    ] {
        mutate(
            &server,
            Some(&admin),
            act,
            json!({"meeting": meeting["id"], "at": at}),
            "meeting { id }",
        )
        .await;
    }
    let (first, second) = ("a".repeat(64), "b".repeat(64));
    for hash in [&first, &second] {
        mutate(
            &server,
            Some(&admin),
            "draftMinutes",
            json!({"meeting": meeting["id"], "documentHash": hash}),
            "meeting { id }",
        )
        .await;
    }
    let shown = server
        .gql(Some(&admin), "query($id: ID!) { node(id: $id) { ... on Meeting { minutesVersion minutesDocumentHash } } }", json!({"id": meeting["id"]}))
        .await["data"]["node"].clone();
    assert_eq!(
        shown,
        json!({"minutesVersion": 2, "minutesDocumentHash": second})
    );
    let approved = mutate(&server, Some(&admin), "approveMinutes", json!({"meeting": meeting["id"], "version": shown["minutesVersion"], "documentHash": shown["minutesDocumentHash"], "approvedOn": "2024-03-15"}), "meeting { minutesStatus minutesApprovedVersion }").await["meeting"].clone();
    assert_eq!(
        approved,
        json!({"minutesStatus": "APPROVED", "minutesApprovedVersion": 2})
    );
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn torino_through_graphql() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::torino_through_graphql(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn history_shows_business_dates() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::history_shows_business_dates(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn minutes_are_approved_by_the_version_the_meeting_shows() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::minutes_are_approved_by_the_version_the_meeting_shows(server).await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn torino_through_graphql() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::torino_through_graphql(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn history_shows_business_dates() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::history_shows_business_dates(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn minutes_are_approved_by_the_version_the_meeting_shows() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::minutes_are_approved_by_the_version_the_meeting_shows(server).await;
    }
}
