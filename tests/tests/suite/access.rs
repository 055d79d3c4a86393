//! Access control and personal data, end to end through the real server:
//! - the authorization matrix: every mutation (found by introspection) × every role × own
//!   versus another network or organization, against one table of expectations;
//! - no query path gives private data to the anonymous viewer or another network's data to a
//!   coordinator;
//! - erasing a person leaves no trace of their data in a full database dump, shows them as
//!   erased everywhere, and leaves the events untouched;
//! - forged, expired, wrongly signed and revoked tokens are refused with a clear error.

use std::collections::BTreeMap;

use projections::store::Grant;
use serde_json::{json, Value};
use tests::{spawn_server, TestServer};

/// Who may call each mutation. A = platform administrator, C = coordinator of the network
/// concerned, c = coordinator of another network, R = referent of the organization
/// concerned, r = referent of another organization; auditors and anonymous callers write
/// nothing. A mutation missing here fails the test.
const EXPECTED: &[(&str, &str)] = &[
    ("registerOrganization", "ACc"),
    ("renameOrganization", "AR"),
    ("updateOrganizationDetails", "AR"),
    ("succeedOrganization", "A"),
    ("deactivateOrganization", "AR"),
    ("establishNetwork", "A"),
    ("changeCoordinator", "AC"),
    ("closeNetwork", "AC"),
    ("applyForMembership", "AR"),
    ("approveMembership", "AC"),
    ("rejectMembership", "AC"),
    ("suspendMembership", "AC"),
    ("reinstateMembership", "AC"),
    ("withdrawMembership", "AR"),
    ("expelMember", "AC"),
    ("designateReferent", "AC"),
    ("revokeReferent", "ACR"),
    ("draftProtocol", "AC"),
    ("amendProtocol", "AC"),
    ("reviseProtocol", "AC"),
    ("publishProtocolVersion", "AC"),
    ("openProtocolForSignature", "AC"),
    ("recordSignature", "ACR"),
    ("declineProtocol", "AR"),
    ("enterProtocolIntoForce", "AC"),
    ("addProtocolParty", "AC"),
    ("recordProtocolWithdrawal", "AR"),
    ("renewProtocol", "AC"),
    ("expireProtocol", "AC"),
    ("supersedeProtocol", "AC"),
    ("createCommitment", "AC"),
    ("reportCommitmentProgress", "ACR"),
    ("fulfilCommitment", "ACR"),
    ("waiveCommitment", "AC"),
    ("reopenCommitment", "AC"),
    ("formWorkingGroup", "AC"),
    ("addWorkingGroupMember", "AC"),
    ("removeWorkingGroupMember", "AC"),
    ("dissolveWorkingGroup", "AC"),
    ("scheduleMeeting", "AC"),
    ("rescheduleMeeting", "AC"),
    ("cancelMeeting", "AC"),
    ("openMeeting", "AC"),
    ("closeMeeting", "AC"),
    ("recordAttendance", "AC"),
    ("recordDecision", "AC"),
    ("draftMinutes", "AC"),
    ("approveMinutes", "AC"),
    ("registerPerson", "ACcRr"),
    ("changePersonDetails", "A"),
    ("erasePerson", "A"),
    ("registerService", "ACR"),
    ("updateService", "ACR"),
    ("suspendService", "ACR"),
    ("reopenService", "ACR"),
    ("closeService", "ACR"),
    ("confirmService", "ACR"),
    ("defineIndicatorSet", "AC"),
    ("submitFigures", "AR"),
    ("correctFigures", "AR"),
    ("closeFiguresPeriod", "AC"),
    ("recordActivity", "ACcRr"),
    ("updateActivity", "ACcRr"),
    ("cancelActivity", "ACcRr"),
    ("adoptPlan", "AC"),
    ("amendPlan", "AC"),
    ("approvePlan", "AC"),
    ("reportPlanProgress", "ACcRr"),
    ("closePlan", "AC"),
    ("defineMeetingSeries", "AC"),
    ("skipSeriesOccurrence", "AC"),
    ("inviteToMeetingSeries", "AC"),
    ("answerSeriesInvitation", "AR"),
    ("endMeetingSeries", "AC"),
];

/// The principals of the matrix, denied-first order does not matter: each call is checked on
/// its own (a refused call must write nothing).
const PRINCIPALS: &[char] = &['-', 'U', 'r', 'c', 'R', 'C', 'A'];

struct World {
    n1: String,
    n2: String,
    o1: String,
    o2: String,
    o3: String,
    o4: String,
    p1: String,
    c1: String,
    m1: String,
    w1: String,
    s1: String,
    i1: String,
    a1: String,
    pl1: String,
    ms1: String,
    person: String,
    referent: String,
}

async fn must(server: &TestServer, token: &str, name: &str, input: Value, select: &str) -> Value {
    server.must(token, name, input, select).await
}

async fn world(server: &TestServer) -> World {
    let admin = tests::admin();
    let mut orgs = Vec::new();
    for (name, category) in [
        ("Comune di Alfa", "COMUNE"),
        ("Comune di Beta", "COMUNE"),
        ("Città di Gamma", "CITTA_METROPOLITANA"),
        ("Provincia di Delta", "PROVINCIA"),
    ] {
        let body = must(
            server,
            &admin,
            "registerOrganization",
            json!({"name": name, "category": category, "territory": "Territorio"}),
            "organization { id }",
        )
        .await;
        orgs.push(body["organization"]["id"].as_str().unwrap().to_owned());
    }
    let (o1, o2, o3, o4) = (
        orgs[0].clone(),
        orgs[1].clone(),
        orgs[2].clone(),
        orgs[3].clone(),
    );
    let mut networks = Vec::new();
    for (name, coordinator, public) in [
        ("Rete riservata di Gamma", &o3, false),
        ("Rete pubblica di Delta", &o4, true),
    ] {
        let body = must(server, &admin, "establishNetwork", json!({"name": name, "kind": "INTERINSTITUTIONAL_TABLE", "territory": "Territorio", "coordinator": coordinator, "establishedOn": "2015-01-01", "public": public}), "network { id }").await;
        networks.push(body["network"]["id"].as_str().unwrap().to_owned());
    }
    let (n1, n2) = (networks[0].clone(), networks[1].clone());
    for (network, org) in [(&n1, &o1), (&n2, &o2)] {
        must(
            server,
            &tests::referent(org),
            "applyForMembership",
            json!({"network": network, "organization": org, "effectiveOn": "2015-02-01"}),
            "network { id }",
        )
        .await;
        must(
            server,
            &tests::coordinator(network),
            "approveMembership",
            json!({"network": network, "organization": org, "effectiveOn": "2015-03-01"}),
            "network { id }",
        )
        .await;
    }
    let c1_token = tests::coordinator(&n1);
    let p1 = must(server, &c1_token, "draftProtocol", json!({"network": n1, "kind": "FRAMEWORK", "parties": [o1],
        "content": {"title": "Protocollo riservato", "purpose": "Scopo riservato", "validFrom": "2016-01-01",
            "clauses": [{"number": 1, "text": "Clausola riservata"}]}}), "protocol { id }").await["protocol"]["id"].as_str().unwrap().to_owned();
    let c1 = must(server, &c1_token, "createCommitment", json!({"network": n1, "obligor": o1, "title": "Impegno riservato", "createdOn": "2016-02-01", "dueOn": "2016-06-30"}), "commitment { id }").await["commitment"]["id"].as_str().unwrap().to_owned();
    let w1 = must(server, &c1_token, "formWorkingGroup", json!({"network": n1, "name": "Gruppo riservato", "mandate": "Mandato riservato", "lead": o1, "formedOn": "2016-03-01"}), "workingGroup { id }").await["workingGroup"]["id"].as_str().unwrap().to_owned();
    let m1 = must(server, &c1_token, "scheduleMeeting", json!({"network": n1, "kind": "PLENARY", "title": "Seduta riservata", "startsAt": "2016-04-01T09:00:00Z", "address": "Via Riservata 1", "agenda": ["Punto riservato"], "public": false}), "meeting { id }").await["meeting"]["id"].as_str().unwrap().to_owned();
    let service = |name: &str, network: &str, org: &str, listed: bool| {
        json!({"network": network, "organization": org, "registeredOn": "2016-03-01", "details": {
            "name": name, "kind": "ANTI_VIOLENCE_CENTRE", "municipalities": ["018177"],
            "audience": "Donne", "access": ["DIRECT"], "listed": listed,
            "contacts": {"website": "https://servizio.example.org"}}})
    };
    let s1 = must(
        server,
        &c1_token,
        "registerService",
        service("Servizio riservato", &n1, &o1, true),
        "service { id }",
    )
    .await["service"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let i1 = must(
        server,
        &c1_token,
        "defineIndicatorSet",
        json!({"network": n1, "title": "Dati riservati", "from": "2016-01-01", "until": "2016-12-31",
            "frequency": "QUARTERLY", "definedOn": "2015-12-01",
            "indicators": [{"key": "requests", "title": "Richieste", "categories": [{"key": "all", "title": "Tutte"}]}]}),
        "indicatorSet { id }",
    )
    .await["indicatorSet"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a1 = must(
        server,
        &c1_token,
        "recordActivity",
        json!({"network": n1, "details": {"kind": "CAMPAIGN", "title": "Attività riservata",
            "startsOn": "2016-03-10", "organizations": [o1]}}),
        "activity { id }",
    )
    .await["activity"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pl1 = must(
        server,
        &c1_token,
        "adoptPlan",
        json!({"network": n1, "adoptedOn": "2016-01-10", "content": {"title": "Piano riservato",
            "from": "2016-01-01", "until": "2018-12-31", "funding": [{"source": "Fonte riservata", "amount": "1000"}],
            "lines": [{"title": "Linea riservata", "responsible": [o1], "targets": [{"description": "Obiettivo riservato", "unit": "unità", "value": 3}]}]}}),
        "plan { id }",
    )
    .await["plan"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ms1 = must(
        server,
        &c1_token,
        "defineMeetingSeries",
        json!({"network": n1, "kind": "DISTRICT_LAB", "title": "Laboratorio riservato", "rule": "FREQ=MONTHLY;COUNT=2",
            "firstAt": "2016-02-18T15:00:00", "durationMinutes": 90, "address": "Via Riservata 2", "definedOn": "2016-01-20"}),
        "meetingSeries { id }",
    )
    .await["meetingSeries"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c2_token = tests::coordinator(&n2);
    for (name, listed) in [
        ("Servizio pubblico di Delta", true),
        ("Servizio non pubblicato", false),
    ] {
        must(
            server,
            &c2_token,
            "registerService",
            service(name, &n2, &o2, listed),
            "service { id }",
        )
        .await;
    }
    for (title, public) in [("Assemblea pubblica", true), ("Seduta interna", false)] {
        must(server, &c2_token, "scheduleMeeting", json!({"network": n2, "kind": "PLENARY", "title": title, "startsAt": "2016-05-01T09:00:00Z", "address": "Piazza Delta 1", "agenda": ["Punto"], "public": public}), "meeting { id }").await;
    }
    let person = must(
        server,
        &admin,
        "registerPerson",
        json!({"name": "Maria Rossi", "email": "maria.rossi@example.it", "phone": "+39 011 555 0101"}),
        "person { id }",
    )
    .await["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    must(server, &tests::coordinator(&n1), "designateReferent", json!({"network": n1, "organization": o1, "person": person, "role": "INSTITUTIONAL", "effectiveOn": "2016-01-01"}), "network { id }").await;
    let referents = server
        .gql(
            Some(&c1_token),
            "query($n: ID!) { network(id: $n) { members { nodes { referents { id } } } } }",
            json!({"n": n1}),
        )
        .await;
    let referent = referents["data"]["network"]["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["referents"].as_array().unwrap().iter())
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .next()
        .unwrap_or_else(|| panic!("{referents}"));
    World {
        n1,
        n2,
        o1,
        o2,
        o3,
        o4,
        p1,
        c1,
        m1,
        w1,
        s1,
        i1,
        a1,
        pl1,
        ms1,
        person,
        referent,
    }
}

const INTROSPECTION: &str = r#"{ __schema {
  mutationType { fields { name args { name type { ...T } } } }
  types { name kind inputFields { name type { ...T } } enumValues { name } }
} }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// A value of the given GraphQL input type that passes validation, pointing at the world's
/// objects in network 1 and organization 1 (what "own" means in the matrix).
fn value_for(field: &str, ty: &Value, types: &BTreeMap<String, Value>, world: &World) -> Value {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => value_for(field, &ty["ofType"], types, world),
        "LIST" => json!([value_for(field, &ty["ofType"], types, world)]),
        "ENUM" => types[ty["name"].as_str().unwrap()]["enumValues"][0]["name"].clone(),
        "INPUT_OBJECT" => {
            let def = &types[ty["name"].as_str().unwrap()];
            let mut object = serde_json::Map::new();
            for f in def["inputFields"].as_array().unwrap() {
                let name = f["name"].as_str().unwrap();
                object.insert(name.to_owned(), value_for(name, &f["type"], types, world));
            }
            Value::Object(object)
        }
        _ => match ty["name"].as_str().unwrap() {
            "ID" => json!(match field {
                "network" => &world.n1,
                "protocol" | "byProtocol" => &world.p1,
                "commitment" => &world.c1,
                "meeting" => &world.m1,
                "workingGroup" => &world.w1,
                "service" => &world.s1,
                "indicatorSet" => &world.i1,
                "activity" => &world.a1,
                "plan" => &world.pl1,
                "meetingSeries" => &world.ms1,
                "person" | "representedBy" => &world.person,
                "referent" => &world.referent,
                "coordinator" => &world.o3,
                "predecessor" => &world.o2,
                _ => &world.o1,
            }),
            "String" => json!("Testo di prova"),
            "Int" => json!(1),
            "Boolean" => json!(false),
            "NaiveDate" => json!("2020-01-01"),
            "DateTime" => json!("2020-01-01T10:00:00Z"),
            other => panic!("no sample value for scalar {other}"),
        },
    }
}

/// Events caused by callers (the processes keep writing follow-ups of earlier accepted calls
/// in the background as the system actor, so those are left out).
async fn caused_by_callers(server: &TestServer) -> usize {
    server
        .store
        .export_after(0, 1_000_000, None)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.metadata["actor_id"] != "system")
        .count()
}

async fn authorization_matrix(server: TestServer) {
    let world = world(&server).await;
    let schema = server.gql(None, INTROSPECTION, json!({})).await;
    let types: BTreeMap<String, Value> = schema["data"]["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    let expected: BTreeMap<&str, &str> = EXPECTED.iter().copied().collect();
    let mutations = schema["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = mutations
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for name in &names {
        assert!(
            expected.contains_key(name),
            "mutation {name} has no row in the authorization table"
        );
    }
    assert_eq!(
        names.len(),
        expected.len(),
        "rows for mutations that no longer exist"
    );
    let tokens: BTreeMap<char, Option<String>> = [
        ('-', None),
        ('U', Some(tests::auditor())),
        ('r', Some(tests::referent(&world.o2))),
        ('c', Some(tests::coordinator(&world.n2))),
        ('R', Some(tests::referent(&world.o1))),
        ('C', Some(tests::coordinator(&world.n1))),
        ('A', Some(tests::admin())),
    ]
    .into_iter()
    .collect();
    let mut checked = 0;
    for mutation in mutations {
        let name = mutation["name"].as_str().unwrap();
        let arg = &mutation["args"][0];
        let input = value_for("input", &arg["type"], &types, &world);
        let input_type = arg["type"]["ofType"]["name"].as_str().unwrap();
        let query = format!(
            "mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ code message }} positions }} }}"
        );
        for principal in PRINCIPALS {
            let allowed = expected[name].contains(*principal);
            let before = caused_by_callers(&server).await;
            let body = server
                .gql(tokens[principal].as_deref(), &query, json!({"i": input}))
                .await;
            assert!(
                body.get("errors").is_none(),
                "{name} as {principal}: {body}"
            );
            let errors = body["data"][name]["userErrors"].as_array().unwrap();
            let forbidden = errors.iter().any(|e| e["code"] == "FORBIDDEN");
            assert_eq!(
                !forbidden,
                allowed,
                "{name} as {principal}: expected {}, got {body}",
                if allowed { "allowed" } else { "denied" }
            );
            if forbidden {
                assert_eq!(errors.len(), 1, "{body}");
                assert!(
                    errors[0]["message"].as_str().unwrap().contains("requires"),
                    "the denial names the permission: {body}"
                );
                assert_eq!(body["data"][name]["positions"], json!([]));
                assert_eq!(
                    caused_by_callers(&server).await,
                    before,
                    "{name} as {principal} was refused but wrote"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, expected.len() * PRINCIPALS.len());
}

/// Every string that must never reach `viewer` through any path.
async fn assert_never_seen(
    server: &TestServer,
    token: Option<&str>,
    secrets: &[&str],
    world: &World,
) {
    let queries = [
        ("{ networks(first: 100) { nodes { id name territory members { nodes { organization { id name } } } meetings { nodes { title agenda } } } } }", json!({})),
        ("{ organizations(first: 100) { nodes { id name memberships { network } signatures { protocol } commitments { nodes { title } } } } }", json!({})),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Network { name } ... on Protocol { status } ... on Commitment { title } ... on Meeting { title agenda } ... on WorkingGroup { name mandate } ... on Organization { name } } }",
            json!({"ids": [world.n1, world.p1, world.c1, world.m1, world.w1, world.o1, world.o3]})),
        ("query($n: ID!) { network(id: $n) { name protocols { nodes { status } } } }", json!({"n": world.n1})),
        ("query($n: ID!) { network(id: $n) { name members { nodes { referents { contact { name email phone } } } } } }", json!({"n": world.n2})),
        ("query($n: ID!) { network(id: $n) { timeline { nodes { eventType payloadJson } } } }", json!({"n": world.n1})),
        ("query($n: ID!) { network(id: $n) { timeline { nodes { eventType payloadJson } } } }", json!({"n": world.n2})),
        ("query($o: ID!) { organization(id: $o) { name timeline { nodes { eventType payloadJson } } } }", json!({"o": world.o1})),
        ("query($n: ID!) { auditLog(filter: {network: $n}) { nodes { eventType payloadJson } } }", json!({"n": world.n1})),
        ("{ auditLog(first: 100) { nodes { eventType payloadJson ... on PersonRegisteredEntry { payload { details { person { name email phone } } } } } } }", json!({})),
        ("query($p: ID!) { protocol(id: $p) { status parties { organization { id name } } } }", json!({"p": world.p1})),
        ("{ servicesFor(municipality: \"Vigevano\") { name organization { name } network { name } } }", json!({})),
        ("{ coverageGaps(province: \"PV\") { name } }", json!({})),
        ("query($s: ID!) { node(id: $s) { ... on Service { name organization { name } } } }", json!({"s": world.s1})),
        ("query($n: ID!) { network(id: $n) { services { name } } }", json!({"n": world.n2})),
        ("query($i: ID!) { node(id: $i) { ... on IndicatorSet { title indicators { title } } } }", json!({"i": world.i1})),
        ("query($a: ID!) { node(id: $a) { ... on Activity { title organizations { name } } } }", json!({"a": world.a1})),
        ("query($n: ID!) { network(id: $n) { activities { title } } }", json!({"n": world.n1})),
        ("query($p: ID!) { node(id: $p) { ... on Plan { title funding { source } lines { title targets { description } } } } }", json!({"p": world.pl1})),
        ("query($n: ID!) { network(id: $n) { plans { title } } }", json!({"n": world.n1})),
        ("query($s: ID!) { node(id: $s) { ... on MeetingSeries { title address agenda occurrences { meeting { title } } } } }", json!({"s": world.ms1})),
        ("query($n: ID!) { network(id: $n) { meetingSeries { title } } }", json!({"n": world.n1})),
        ("query($n: ID!) { network(id: $n) { timeline { nodes { eventType payloadJson } } } }", json!({"n": world.n2})),
    ];
    for (query, variables) in queries {
        let body = server.gql(token, query, variables).await.to_string();
        for secret in secrets {
            assert!(
                !body.contains(secret),
                "{secret:?} reached the viewer through {query}: {body}"
            );
        }
    }
}

async fn nothing_private_reaches_the_wrong_viewer(server: TestServer) {
    let world = world(&server).await;
    // Network 1 is private: nothing of it may reach the anonymous viewer or the coordinator of
    // network 2; nobody but administrators, auditors and network 1 may see the person.
    let network1 = [
        "Rete riservata",
        "Protocollo riservato",
        "Impegno riservato",
        "Gruppo riservato",
        "Seduta riservata",
        "Punto riservato",
        "Servizio riservato",
        "Dati riservati",
        "Attività riservata",
        "Piano riservato",
        "Laboratorio riservato",
        "Linea riservata",
        "Fonte riservata",
        "Comune di Alfa",
        "Città di Gamma",
    ];
    let person = ["Maria Rossi", "maria.rossi@example.it", "555 0101"];
    let mut secrets: Vec<&str> = network1.to_vec();
    secrets.extend(person);
    secrets.push("Seduta interna"); // network 2's non-public meeting
    secrets.push("Servizio non pubblicato"); // network 2's service it does not list
    assert_never_seen(&server, None, &secrets, &world).await;
    // The public directory shows what network 2 lists, to anyone.
    let listed = server
        .gql(
            None,
            "{ servicesFor(municipality: \"018177\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["servicesFor"],
        json!([{"name": "Servizio pubblico di Delta"}]),
        "{listed}"
    );
    // A private network's stale services are refused to those who cannot read it.
    let stale = server
        .gql(
            None,
            "query($n: ID!) { staleServices(network: $n) { name } }",
            json!({"n": world.n1}),
        )
        .await;
    assert_eq!(
        stale["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{stale}"
    );
    let other = tests::coordinator(&world.n2);
    let mut secrets: Vec<&str> = network1.to_vec();
    secrets.extend(person);
    assert_never_seen(&server, Some(&other), &secrets, &world).await;
    let outsider = tests::referent(&world.o2);
    assert_never_seen(&server, Some(&outsider), &secrets, &world).await;

    // What the anonymous viewer does see of the public network, and the typed refusals.
    let public = server
        .gql(
            None,
            "query($n: ID!) { network(id: $n) { name members { totalCount } meetings { nodes { title } } } }",
            json!({"n": world.n2}),
        )
        .await;
    assert_eq!(
        public["data"]["network"]["name"], "Rete pubblica di Delta",
        "{public}"
    );
    assert_eq!(
        public["data"]["network"]["members"]["totalCount"], 2,
        "its coordinator and its member"
    );
    assert_eq!(
        public["data"]["network"]["meetings"]["nodes"],
        json!([{"title": "Assemblea pubblica"}])
    );
    for field in [
        "protocols { totalCount }",
        "timeline { totalCount }",
        "workingGroups { name }",
        "commitments { totalCount }",
    ] {
        let body = server
            .gql(
                None,
                &format!("query($n: ID!) {{ network(id: $n) {{ {field} }} }}"),
                json!({"n": world.n2}),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{field}: {body}"
        );
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("requires"));
    }
    // A hidden object and a missing one answer alike.
    let missing = server
        .gql(None, "query($a: ID!, $b: ID!) { a: network(id: $a) { name } b: network(id: $b) { name } }",
            json!({"a": world.n1, "b": "TmV0d29yazowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"}))
        .await;
    assert_eq!(missing["data"], json!({"a": null, "b": null}), "{missing}");

    // Those entitled do see: network 1's coordinator, its member's referent, the auditor.
    for token in [
        tests::coordinator(&world.n1),
        tests::referent(&world.o1),
        tests::auditor(),
    ] {
        let body = server
            .gql(Some(&token), "query($n: ID!) { network(id: $n) { name protocols { totalCount } members { nodes { referents { contact { name email } } } } } }", json!({"n": world.n1}))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(body["data"]["network"]["name"], "Rete riservata di Gamma");
        let contacts: Vec<&Value> = body["data"]["network"]["members"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["referents"].as_array().unwrap().iter())
            .map(|r| &r["contact"])
            .collect();
        assert_eq!(
            contacts,
            [&json!({"name": "Maria Rossi", "email": "maria.rossi@example.it"})]
        );
    }
    let _ = (&world.o4, &world.o2);
}

/// Every form in which a person's data could hide in a dump.
fn forms(text: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let mut out = vec![
        text.as_bytes().to_vec(),
        text.to_lowercase().into_bytes(),
        text.to_uppercase().into_bytes(),
        hex::encode(text).into_bytes(),
        base64::engine::general_purpose::STANDARD
            .encode(text)
            .trim_end_matches('=')
            .as_bytes()
            .to_vec(),
    ];
    // JSON-escaped and UTF-16 (as some engines store text).
    out.push(serde_json::to_string(text).unwrap().into_bytes());
    out.push(text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect());
    out
}

/// The SHA-256 and SHA-1-free forms a stored digest of `bytes` could take: raw, hex (both
/// cases) and base64.
fn hashes_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes).to_vec();
    vec![
        hex::encode(&digest).into_bytes(),
        hex::encode_upper(&digest).into_bytes(),
        base64::engine::general_purpose::STANDARD
            .encode(&digest)
            .trim_end_matches('=')
            .as_bytes()
            .to_vec(),
        digest,
    ]
}

/// Every string in a payload that looks sealed (base64 of at least nonce and tag).
fn sealed_strings(payload: &Value) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut stack = vec![payload];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(s)
                if base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .is_ok_and(|b| b.len() > 28) =>
            {
                out.push(s.clone())
            }
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    out
}

/// The bytes stored in `person_keys` for a person, read behind the application's back.
async fn stored_person_key(store: &projections::store::Store, person: &str) -> Vec<u8> {
    use projections::store::Backend;
    match store.backend() {
        Backend::Postgres(pool) => {
            sqlx::query_scalar("SELECT key FROM person_keys WHERE person_id = $1")
                .bind(person)
                .fetch_one(pool)
                .await
                .unwrap()
        }
        Backend::Sqlite(pool) => {
            sqlx::query_scalar("SELECT key FROM person_keys WHERE person_id = ?1")
                .bind(person)
                .fetch_one(pool)
                .await
                .unwrap()
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

async fn erasure(server: TestServer, dump: impl Fn() -> Vec<u8>) {
    let admin = tests::admin();
    let world = world(&server).await;
    // A surname that is no municipality's name (the reference list is in every dump).
    let name = "Giulia Quaglierini";
    let email = "giulia.quaglierini@example.it";
    let phone = "+39 011 555 7788";
    // Registered with an Idempotency-Key (as the README recommends for retries): the
    // fingerprint the key is bound to is stored, and must reveal nothing.
    let body: Value = server
        .client
        .post(&server.url)
        .bearer_auth(&admin)
        .header("Idempotency-Key", "register-giulia-1")
        .json(&json!({
            "query": "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { person { id name } userErrors { code } } }",
            "variables": {"i": {"name": name, "email": email, "phone": phone}},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["registerPerson"]["userErrors"],
        json!([]),
        "{body}"
    );
    let person = body["data"]["registerPerson"].clone();
    assert_eq!(person["person"]["name"], name);
    let id = person["person"]["id"].as_str().unwrap().to_owned();
    // The store names the person by the UUID inside the global id.
    let stored = graphql::ids::uuid_in(&id, graphql::ids::NodeKind::Person)
        .expect("a person's global id")
        .to_string();
    must(&server, &tests::coordinator(&world.n1), "designateReferent", json!({"network": world.n1, "organization": world.o1, "person": id, "role": "TECHNICAL", "effectiveOn": "2017-01-01"}), "network { id }").await;
    let key = server
        .store
        .person_key(&stored)
        .await
        .unwrap()
        .expect("a key");
    // Never in clear text in events, even before erasure.
    let before: Vec<_> = server.store.export_after(0, 100_000, None).await.unwrap();
    let registered = before
        .iter()
        .find(|e| e.aggregate_id == stored && e.event_type == "PersonRegistered")
        .expect("the registration");
    assert!(
        registered.metadata["command_hash"].is_string(),
        "the idempotency fingerprint is stored: {}",
        registered.metadata
    );
    let sealed = sealed_strings(&registered.payload);
    assert!(!sealed.is_empty(), "{}", registered.payload);
    // What a dump taken now (before the erasure) holds of the person's key is wrapped: with
    // the deployment secret withheld, no 32 bytes of it open the sealed details, while the
    // secret does unwrap it (so the check is a real one).
    let wrapped = stored_person_key(&server.store, &stored).await;
    assert_eq!(wrapped.len(), projections::secrets::WRAPPED_KEY_LEN);
    let dump_before = dump();
    assert!(
        contains(&dump_before, &wrapped)
            || contains(&dump_before, hex::encode(&wrapped).as_bytes()),
        "the dump holds the wrapped key"
    );
    for window in wrapped.windows(32) {
        for text in &sealed {
            assert!(
                projections::store::open(window, &stored, text).is_none(),
                "a ciphertext opened without the deployment secret"
            );
        }
    }
    for text in &sealed {
        assert!(projections::store::open(&key, &stored, text).is_some());
    }
    for form in [
        key.clone(),
        hex::encode(&key).into_bytes(),
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &key).into_bytes(),
    ] {
        assert!(
            !contains(&dump_before, &form),
            "the person key is stored in clear"
        );
    }
    let log = serde_json::to_string(&before).unwrap();
    for secret in [name, email, phone] {
        assert!(
            !log.contains(secret),
            "{secret} is in the event log in clear"
        );
    }

    let erased = must(
        &server,
        &admin,
        "erasePerson",
        json!({"person": id}),
        "person { name email phone erased }",
    )
    .await;
    assert_eq!(
        erased["person"],
        json!({"name": "[erased]", "email": null, "phone": null, "erased": true})
    );
    // Erasing again changes nothing and still answers.
    let again = must(
        &server,
        &admin,
        "erasePerson",
        json!({"person": id}),
        "positions",
    )
    .await;
    assert_eq!(again["positions"], json!([]));
    // Shown as erased: the referent's contact and the history entries.
    let coordinator = tests::coordinator(&world.n1);
    let referents = server
        .gql(Some(&coordinator), "query($n: ID!) { network(id: $n) { members { nodes { referents { person contact { name erased } } } } } }", json!({"n": world.n1}))
        .await;
    let contacts: Vec<&Value> = referents["data"]["network"]["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["referents"].as_array().unwrap().iter())
        .filter(|r| r["person"] == id.as_str())
        .collect();
    assert_eq!(contacts.len(), 1, "{referents}");
    assert_eq!(
        contacts[0]["contact"],
        json!({"name": "[erased]", "erased": true})
    );
    let history = server
        .gql(Some(&tests::auditor()), "{ auditLog(filter: {aggregateType: \"Person\"}, first: 100) { nodes { eventType aggregateId ... on PersonRegisteredEntry { payload { details { person { name email erased } } } } } } }", json!({}))
        .await;
    let entries: Vec<&Value> = history["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["aggregateId"] == id.as_str())
        .collect();
    assert_eq!(
        entries
            .iter()
            .map(|e| e["eventType"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["PersonRegistered", "PersonErased"],
        "{history}"
    );
    assert_eq!(
        entries[0]["payload"]["details"]["person"],
        json!({"name": "[erased]", "email": null, "erased": true})
    );
    // The events are untouched: the log before erasure is a prefix of the log after.
    let after: Vec<_> = server.store.export_after(0, 100_000, None).await.unwrap();
    assert_eq!(
        after[..before.len()],
        before[..],
        "erasure changed stored events"
    );
    assert_eq!(after.len(), before.len() + 1, "one PersonErased event");
    // A full dump holds neither the person's data in any form nor their key.
    let dumped = dump();
    assert!(contains(&dumped, b"PersonErased"), "the dump is a real one");
    for secret in [name, email, phone, "Quaglierini", "giulia.quaglierini"] {
        for form in forms(secret) {
            assert!(!contains(&dumped, &form), "{secret:?} is in the dump");
        }
        // Nor any unkeyed hash from which a guess could be confirmed: of a detail alone...
        for form in forms(secret) {
            for digest in hashes_of(&form) {
                assert!(
                    !contains(&dumped, &digest),
                    "a hash of {secret:?} is in the dump"
                );
            }
        }
    }
    // ...or of the request as sent, the way an unkeyed idempotency fingerprint was made
    // (type, id, the mutation and its arguments; every order of the input's fields).
    let fields = [("name", name), ("email", email), ("phone", phone)];
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let object: Vec<String> = order
            .iter()
            .map(|&i| {
                format!(
                    "{:?}:{}",
                    fields[i].0,
                    serde_json::to_string(fields[i].1).unwrap()
                )
            })
            .collect();
        let request = format!("registerPerson\0[[\"input\",{{{}}}]]", object.join(","));
        let unkeyed = format!("Person\0{id}\0request\0{request}");
        for digest in hashes_of(unkeyed.as_bytes())
            .into_iter()
            .chain(hashes_of(request.as_bytes()))
        {
            assert!(
                !contains(&dumped, &digest),
                "an unkeyed fingerprint of the registration is in the dump"
            );
        }
    }
    use base64::Engine;
    for form in [
        key.clone(),
        hex::encode(&key).into_bytes(),
        base64::engine::general_purpose::STANDARD
            .encode(&key)
            .into_bytes(),
    ] {
        assert!(
            !contains(&dumped, &form),
            "the destroyed key is in the dump"
        );
    }
    // History stays verifiable: the chain over the log, erasure included, checks out.
    tests::seal_everything(&server.store).await;
    let signer = projections::integrity::Signer::generate();
    server.store.checkpoint(&signer).await.unwrap();
    let chain = server
        .store
        .verify_chain(Some(&signer.public_key()), |_| {})
        .await
        .unwrap();
    assert!(chain.passed(), "{chain:?}");
    assert_eq!(chain.events, after.len());
    // The other person (not erased) still reads.
    let maria = server
        .gql(Some(&coordinator), "query($n: ID!) { network(id: $n) { members { nodes { referents { contact { name } } } } } }", json!({"n": world.n1}))
        .await
        .to_string();
    assert!(maria.contains("Maria Rossi"), "{maria}");
}

async fn status_and_code(server: &TestServer, authorization: &str) -> (u16, Value) {
    let response = server
        .client
        .post(&server.url)
        .header("authorization", authorization)
        .json(&json!({"query": "{ networks(first: 1) { totalCount } }"}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn bad_tokens_are_refused_with_a_clear_error() {
    let (_dir, store) = tests::sqlite_store().await;
    let public_pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/test-only-rs256-public.pem"
    ))
    .unwrap();
    let private_pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/test-only-rs256-private.pem"
    ))
    .unwrap();
    let auth = graphql::AuthConfig {
        hs256_secret: Some(tests::TEST_SECRET.as_bytes().to_vec()),
        ..Default::default()
    }
    .with_rs256_pem(&public_pem)
    .unwrap();
    let server = spawn_server(
        store,
        graphql::ApiConfig {
            auth,
            ..Default::default()
        },
    )
    .await;
    let grants = [Grant::Auditor];
    let rs256 = |exp_in: i64| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            &json!({"sub": "idp-user", "exp": chrono::Utc::now().timestamp() + exp_in, "grants": grants}),
            &jsonwebtoken::EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap(),
        )
        .unwrap()
    };
    // Accepted: HS256 and RS256 signed tokens, and an API token.
    let (api_id, api_token) = server.store.issue_token("ops", &grants).await.unwrap();
    for token in [tests::auditor(), rs256(600), api_token.clone()] {
        let (status, body) = status_and_code(&server, &format!("Bearer {token}")).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
    // Refused, each with its reason.
    let mut forged = tests::auditor();
    forged.push('x');
    let other_secret =
        tests::signed_token("x", &grants, 600, "another-secret-of-sufficient-length-42");
    let expired = tests::signed_token("x", &grants, -600, tests::TEST_SECRET);
    let no_sub = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"exp": chrono::Utc::now().timestamp() + 600}),
        &jsonwebtoken::EncodingKey::from_secret(tests::TEST_SECRET.as_bytes()),
    )
    .unwrap();
    // Validly signed, but a subject no event can record as its actor (U+0000) or that
    // would forge a log line.
    let nul_sub = tests::signed_token("adm\u{0}in", &grants, 600, tests::TEST_SECRET);
    let newline_sub = tests::signed_token("ops\nERROR forged", &grants, 600, tests::TEST_SECRET);
    let none_alg = {
        use base64::Engine;
        let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.",
            b64(json!({"alg": "none", "typ": "JWT"})),
            b64(
                json!({"sub": "x", "exp": 9999999999u64, "grants": [{"role": "PLATFORM_ADMINISTRATOR"}]})
            )
        )
    };
    assert!(server.store.revoke_token(&api_id).await.unwrap());
    for (authorization, code, words) in [
        ("Basic dXNlcjpwYXNz".to_owned(), "UNAUTHENTICATED", "Bearer"),
        ("Bearer not.a.token".to_owned(), "UNAUTHENTICATED", "Bearer"),
        (format!("Bearer {forged}"), "UNAUTHENTICATED", "signature"),
        (
            format!("Bearer {other_secret}"),
            "UNAUTHENTICATED",
            "signature",
        ),
        (format!("Bearer {expired}"), "TOKEN_EXPIRED", "expired"),
        (format!("Bearer {no_sub}"), "UNAUTHENTICATED", "sub"),
        (
            format!("Bearer {nul_sub}"),
            "UNAUTHENTICATED",
            "control characters",
        ),
        (
            format!("Bearer {newline_sub}"),
            "UNAUTHENTICATED",
            "control characters",
        ),
        (format!("Bearer {none_alg}"), "UNAUTHENTICATED", "Bearer"),
        (format!("Bearer {api_token}"), "TOKEN_REVOKED", "revoked"),
        (
            "Bearer gov_neverissued".to_owned(),
            "TOKEN_REVOKED",
            "unknown",
        ),
    ] {
        let (status, body) = status_and_code(&server, &authorization).await;
        assert_eq!(status, 401, "{authorization}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], code,
            "{authorization}: {body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(words),
            "{authorization}: {body}"
        );
        assert!(body.get("data").is_none());
    }
    // Without any token: the anonymous viewer, who may not write.
    let body = server
        .gql(None, "mutation { registerOrganization(input: {name: \"X\", category: COMUNE, territory: \"T\"}) { userErrors { code message } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["registerOrganization"]["userErrors"][0]["code"],
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn api_tokens_are_stored_only_as_hashes() {
    let (dir, store) = tests::sqlite_store().await;
    let (_, token) = store.issue_token("ops", &[Grant::Auditor]).await.unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(match store.backend() {
            projections::store::Backend::Sqlite(pool) => pool,
            _ => unreachable!(),
        })
        .await
        .unwrap();
    let mut bytes = std::fs::read(dir.path().join("governance.db")).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("governance.db-wal")) {
        bytes.extend(wal);
    }
    assert!(!contains(&bytes, token.as_bytes()));
    assert!(!contains(
        &bytes,
        token.trim_start_matches("gov_").as_bytes()
    ));
    assert_eq!(store.tokens().await.unwrap().len(), 1);
}

mod postgres {
    use std::time::{Duration, Instant};

    use super::*;

    /// A verified API token is trusted for the cache's bound: a revocation by another
    /// process (the `token revoke` command, here a second store on the same database) takes
    /// effect within it, and at once with the cache off.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_revocation_elsewhere_takes_effect_within_the_token_cache_bound() {
        let url = tests::postgres::fresh_database().await;
        let bound = Duration::from_secs(2);
        for cached in [true, false] {
            let serving = projections::store::Store::open(&url)
                .await
                .unwrap()
                .with_token_cache(if cached { bound } else { Duration::ZERO });
            let elsewhere = projections::store::Store::open(&url).await.unwrap();
            let server = spawn_server(serving, Default::default()).await;
            let (id, token) = elsewhere
                .issue_token("ops", &[Grant::Auditor])
                .await
                .unwrap();
            let authorization = format!("Bearer {token}");
            let (status, body) = status_and_code(&server, &authorization).await;
            assert_eq!(status, 200, "{body}");
            let verified = Instant::now();
            assert!(elsewhere.revoke_token(&id).await.unwrap());
            let (status, body) = status_and_code(&server, &authorization).await;
            if !cached {
                assert_eq!(status, 401, "no cache: refused at once: {body}");
                assert_eq!(body["errors"][0]["extensions"]["code"], "TOKEN_REVOKED");
                continue;
            }
            if verified.elapsed() < bound / 2 {
                assert_eq!(status, 200, "trusted within the bound: {body}");
            }
            loop {
                let (status, body) = status_and_code(&server, &authorization).await;
                if status == 401 {
                    assert_eq!(body["errors"][0]["extensions"]["code"], "TOKEN_REVOKED");
                    break;
                }
                assert!(
                    verified.elapsed() < bound + Duration::from_millis(500),
                    "a revoked token still accepted {:?} after it was verified",
                    verified.elapsed()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(
                verified.elapsed() >= bound / 2,
                "the first requests after the revocation were answered from the cache"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn authorization_matrix() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::authorization_matrix(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn nothing_private_reaches_the_wrong_viewer() {
        let server = super::spawn_server(tests::postgres_store().await, Default::default()).await;
        super::nothing_private_reaches_the_wrong_viewer(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn erasure_leaves_no_trace_in_pg_dump_data_directory_and_wal() {
        // A cluster of its own, so that its whole data directory (heap files, WAL segments)
        // can be searched as well as a pg_dump.
        let cluster = tests::postgres::PrivateCluster::start();
        let url = cluster.url();
        let store = tests::open(&url).await;
        let server = super::spawn_server(store, Default::default()).await;
        let data = cluster.data_dir();
        super::erasure(server, move || {
            let mut bytes = tests::postgres::dump(&url);
            // What the server wrote to its files (heap and WAL) is what a copy of them holds.
            tests::postgres::run_sql(&url, "CHECKPOINT");
            bytes.extend(tests::read_tree(&data));
            bytes
        })
        .await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn authorization_matrix() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::authorization_matrix(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn nothing_private_reaches_the_wrong_viewer() {
        let (_dir, store) = tests::sqlite_store().await;
        let server = super::spawn_server(store, Default::default()).await;
        super::nothing_private_reaches_the_wrong_viewer(server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn erasure_leaves_no_trace_in_the_file_and_events_unchanged() {
        let (dir, store) = tests::sqlite_store().await;
        let path = dir.path().to_owned();
        let server = super::spawn_server(store, Default::default()).await;
        super::erasure(server, move || {
            let mut bytes = std::fs::read(path.join("governance.db")).unwrap();
            for extra in ["governance.db-wal", "governance.db-journal"] {
                if let Ok(more) = std::fs::read(path.join(extra)) {
                    bytes.extend(more);
                }
            }
            bytes
        })
        .await;
    }
}
