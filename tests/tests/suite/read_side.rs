//! The Torino Tavolo and the Stelle e Luci table played through the command service, with the
//! projector and the processes running in the background; then the coordinators' questions,
//! answered by the read side, including "as effective on" and "as known then".

use std::time::{Duration, Instant};

use aggregates::commitment::*;
use aggregates::ids::*;
use aggregates::meeting::*;
use aggregates::metadata::{Actor, EventMetadata, Role};
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::processes::clause_commitment_id;
use aggregates::protocol::*;
use aggregates::values::*;
use chrono::{TimeZone, Utc};
use cqrs_es::Aggregate;
use projections::processes::ProcessManager;
use projections::projector::{Projector, ProjectorHandle};
use projections::queries::{AsOf, AuditFilter, Page, ReadModels};
use projections::store::Store;
use projections::views::Kind;
use uuid::Uuid;

use tests::fixtures::{day, hash, name, text};

struct World {
    store: Store,
    read: ReadModels,
    processes: ProcessManager,
    _projector: ProjectorHandle,
    _process_task: projections::projector::Stoppable,
}

impl World {
    fn new(store: Store) -> Self {
        let processes = ProcessManager::new(store.clone());
        Self {
            read: ReadModels::new(store.clone()),
            _projector: Projector::new(store.clone()).spawn(Duration::from_millis(200)),
            _process_task: processes.clone().spawn(),
            processes,
            store,
        }
    }

    fn actor(&self, org: OrganizationId) -> EventMetadata {
        EventMetadata::new(Actor {
            id: format!("user-of-{org}"),
            role: Role::Coordinator,
            organization: Some(org),
        })
        .with_correlation(Uuid::new_v4())
    }

    async fn run<A>(&self, id: impl ToString, by: OrganizationId, command: A::Command) -> i64
    where
        A: Aggregate<Services = aggregates::Services> + Clone + 'static,
        A::Command: Clone + std::fmt::Debug + aggregates::DomainCommand + 'static,
    {
        let outcome = self
            .store
            .execute::<A>(&id.to_string(), command, &self.actor(by))
            .await
            .unwrap_or_else(|e| panic!("{} command refused: {e}", A::TYPE));
        *outcome.positions.last().unwrap_or(&0)
    }

    async fn register(&self, label: &str, category: OrganizationCategory) -> OrganizationId {
        let id = OrganizationId::new_random();
        self.run::<Organization>(
            id,
            id,
            OrganizationCommand::Register {
                id,
                name: name(label),
                category,
                tax_code: None,
                territory: name("Torino"),
            },
        )
        .await;
        id
    }

    /// Waits until the processes and the read side have followed every event, including the
    /// ones the processes themselves wrote.
    async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let stored = self.store.count_events().await.unwrap();
            let mut head = 0;
            let mut seen = 0;
            loop {
                let batch = self.store.read_after(head, 10_000).await.unwrap();
                seen += batch.len() as i64;
                match batch.last() {
                    Some(e) => head = e.position,
                    None if seen >= stored => break,
                    None => tokio::time::sleep(Duration::from_millis(10)).await,
                }
                assert!(Instant::now() < deadline, "the log becomes readable");
            }
            let projected = self.read.position().await.unwrap() >= head;
            let processed = self.processes.checkpoint().await.unwrap() >= head;
            if projected && processed && self.store.count_events().await.unwrap() == stored {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the read side and the processes catch up"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn clause(number: u16, title: &str, days: u32) -> Clause {
    Clause {
        number,
        text: text(&format!(
            "I soggetti sottoscrittori si impegnano a: {title}"
        )),
        commitment: Some(CommitmentTerms {
            title: name(title),
            due_within_days: Some(days),
        }),
    }
}

async fn torino(store: Store) {
    use OrganizationCategory as C;
    let w = World::new(store);
    let cmto = w
        .register("Città Metropolitana di Torino", C::CittaMetropolitana)
        .await;
    let tavolo = NetworkId::new_random();
    w.run::<Network>(
        tavolo,
        cmto,
        NetworkCommand::Establish {
            id: tavolo,
            name: name("Tavolo Maltrattanti"),
            kind: NetworkKind::InterinstitutionalTable,
            territory: name("Area metropolitana di Torino"),
            coordinator: cmto,
            established_on: day(2011, 1, 1),
            public: true,
        },
    )
    .await;
    let comune = w.register("Comune di Torino", C::Comune).await;
    let cav = w
        .register("Centro antiviolenza aderente", C::CentroAntiviolenza)
        .await;
    let uepe = w.register("UEPE di Torino", C::Uepe).await;
    let unito = w
        .register("Università degli Studi di Torino", C::Universita)
        .await;
    // Members join on different business dates.
    for (org, approved) in [
        (comune, day(2012, 2, 1)),
        (cav, day(2012, 2, 1)),
        (uepe, day(2012, 9, 1)),
        (unito, day(2013, 3, 1)),
    ] {
        w.run::<Network>(
            tavolo,
            cmto,
            NetworkCommand::Apply {
                organization: org,
                applied_on: day(2012, 1, 10),
                motivation: None,
            },
        )
        .await;
        w.run::<Network>(
            tavolo,
            cmto,
            NetworkCommand::Approve {
                by: cmto,
                organization: org,
                effective_on: approved,
            },
        )
        .await;
    }
    w.run::<Network>(
        tavolo,
        comune,
        NetworkCommand::DesignateReferent {
            by: comune,
            organization: comune,
            referent: ReferentId::new_random(),
            person: PersonId::new_random(),
            role: ReferentRole::Institutional,
            effective_on: day(2012, 3, 1),
        },
    )
    .await;

    // The protocol, version 1 signed by three members; the Comune's paper signature of
    // 2019-03-01 is recorded only after the others.
    let protocol = ProtocolId::new_random();
    let content = ProtocolContent {
        title: name("Protocollo d'intesa Tavolo Maltrattanti"),
        purpose: text("Confronto e scambio di buone prassi"),
        clauses: vec![
            clause(1, "Individuare un proprio referente", 30),
            clause(2, "Partecipare ai gruppi di lavoro", 365),
        ],
        validity: DateRange::new(day(2019, 1, 1), Some(day(2021, 12, 31))).unwrap(),
        renewal: RenewalRule::Explicit,
    };
    w.run::<Protocol>(
        protocol,
        cmto,
        ProtocolCommand::Draft {
            id: protocol,
            network: tavolo,
            kind: ProtocolKind::Framework,
            content: content.clone(),
            parties: vec![comune, cav, uepe],
        },
    )
    .await;
    w.run::<Protocol>(
        protocol,
        cmto,
        ProtocolCommand::PublishVersion {
            document_hash: hash('1'),
            published_on: day(2019, 1, 15),
        },
    )
    .await;
    w.run::<Protocol>(
        protocol,
        cmto,
        ProtocolCommand::OpenForSignature {
            opened_on: day(2019, 2, 1),
        },
    )
    .await;
    let sign = |org, c, on| ProtocolCommand::RecordSignature {
        organization: org,
        signing_office: name("Legale rappresentante"),
        method: SignatureMethod::Handwritten,
        document_hash: hash(c),
        signed_on: on,
    };
    w.run::<Protocol>(protocol, cav, sign(cav, '1', day(2019, 3, 5)))
        .await;
    let before_paper = w
        .run::<Protocol>(protocol, uepe, sign(uepe, '1', day(2019, 3, 8)))
        .await;
    w.settle().await;
    let instant_before_paper = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    w.run::<Protocol>(protocol, comune, sign(comune, '1', day(2019, 3, 1)))
        .await;
    w.run::<Protocol>(
        protocol,
        cmto,
        ProtocolCommand::EnterIntoForce {
            effective_on: day(2019, 4, 1),
            explicit_act: None,
        },
    )
    .await;
    // Version 2: only the CAV has signed it so far.
    w.run::<Protocol>(protocol, cmto, ProtocolCommand::Revise { content })
        .await;
    w.run::<Protocol>(
        protocol,
        cmto,
        ProtocolCommand::PublishVersion {
            document_hash: hash('2'),
            published_on: day(2021, 11, 1),
        },
    )
    .await;
    w.run::<Protocol>(
        protocol,
        cmto,
        ProtocolCommand::OpenForSignature {
            opened_on: day(2021, 11, 2),
        },
    )
    .await;
    w.run::<Protocol>(protocol, cav, sign(cav, '2', day(2021, 11, 10)))
        .await;

    // A working-group meeting with attendance and a decision with two action items.
    let meeting = MeetingId::new_random();
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap();
    w.run::<Meeting>(
        meeting,
        cmto,
        MeetingCommand::Schedule {
            id: meeting,
            network: tavolo,
            working_group: None,
            kind: MeetingKind::Plenary,
            title: name("Seduta plenaria"),
            starts_at: at(2020, 6, 22),
            ends_at: None,
            venue: Venue::InPerson {
                address: name("Corso Inghilterra 7, Torino"),
            },
            agenda: vec![text("Piano formativo")],
            public: true,
        },
    )
    .await;
    w.run::<Meeting>(
        meeting,
        cmto,
        MeetingCommand::Open {
            opened_at: at(2020, 6, 22),
        },
    )
    .await;
    for (org, attendance) in [
        (cmto, Attendance::Present),
        (comune, Attendance::Present),
        (cav, Attendance::Excused),
        (uepe, Attendance::Absent),
    ] {
        w.run::<Meeting>(
            meeting,
            cmto,
            MeetingCommand::RecordAttendance {
                organization: org,
                attendance,
                represented_by: None,
            },
        )
        .await;
    }
    w.run::<Meeting>(
        meeting,
        cmto,
        MeetingCommand::RecordDecision {
            text: text("Si approva il piano formativo"),
            action_items: vec![
                ActionItem {
                    obligor: unito,
                    title: name("Organizzare i webinar"),
                    due_on: Some(day(2020, 12, 31)),
                },
                ActionItem {
                    obligor: uepe,
                    title: name("Diffondere i materiali"),
                    due_on: Some(day(2020, 9, 30)),
                },
            ],
        },
    )
    .await;
    w.run::<Meeting>(
        meeting,
        cmto,
        MeetingCommand::Close {
            closed_at: at(2020, 6, 22) + chrono::Duration::hours(3),
        },
    )
    .await;
    // The UEPE withdraws at the end of 2020: its open commitments are cancelled.
    w.run::<Network>(
        tavolo,
        uepe,
        NetworkCommand::Withdraw {
            by: uepe,
            organization: uepe,
            reason: None,
            effective_on: day(2021, 1, 1),
        },
    )
    .await;
    // The Comune fulfils its referent commitment.
    w.settle().await;
    let referent_commitment = clause_commitment_id(protocol, 1, 1, comune);
    w.run::<Commitment>(
        referent_commitment,
        comune,
        CommitmentCommand::Fulfil {
            by: comune,
            note: text("Referente designato"),
            evidence: Some(hash('e')),
            fulfilled_on: day(2019, 3, 20),
        },
    )
    .await;
    w.settle().await;
    let r = &w.read;
    let pid = protocol;

    // Members now, and on business dates between two memberships.
    let mut now: Vec<OrganizationId> = r
        .members(tavolo, AsOf::Now)
        .await
        .unwrap()
        .iter()
        .map(|m| m.organization)
        .collect();
    now.sort();
    let mut expected = vec![cmto, comune, cav, unito];
    expected.sort();
    assert_eq!(now, expected);
    let on = |d| r.members_on(tavolo, d, AsOf::Now);
    assert_eq!(on(day(2012, 1, 15)).await.unwrap(), vec![cmto]);
    let mut june_2012 = on(day(2012, 6, 1)).await.unwrap();
    june_2012.sort();
    let mut expected = vec![cmto, comune, cav];
    expected.sort();
    assert_eq!(
        june_2012, expected,
        "between the 2012-02-01 and 2012-09-01 approvals"
    );
    assert!(
        on(day(2020, 6, 22)).await.unwrap().contains(&uepe),
        "a member on 22 June 2020"
    );
    assert!(
        !on(day(2021, 6, 1)).await.unwrap().contains(&uepe),
        "not after its withdrawal"
    );
    let comune_membership = r.memberships_of(comune, AsOf::Now).await.unwrap();
    assert_eq!(comune_membership[0].since, Some(day(2012, 2, 1)));
    assert_eq!(comune_membership[0].referents.len(), 1);

    // Signatures: any version, the current one, as known then and as known now.
    let mut any = r.signatories(pid, false, AsOf::Now).await.unwrap();
    any.sort();
    let mut expected = vec![comune, cav, uepe];
    expected.sort();
    assert_eq!(any, expected);
    assert_eq!(
        r.signatories(pid, true, AsOf::Now).await.unwrap(),
        vec![cav]
    );
    let then = r
        .signatories(pid, false, AsOf::Position(before_paper))
        .await
        .unwrap();
    assert!(
        !then.contains(&comune),
        "as known then, the paper signature was not recorded yet"
    );
    let at_instant = r.position_at(instant_before_paper).await.unwrap();
    assert!(!r
        .signatories(pid, false, AsOf::Position(at_instant))
        .await
        .unwrap()
        .contains(&comune));
    let comune_signature = r.signatures_by(comune, AsOf::Now).await.unwrap();
    assert_eq!(comune_signature.len(), 1);
    assert_eq!(
        comune_signature[0].signed_on,
        day(2019, 3, 1),
        "signed on paper before the others"
    );
    assert!(
        comune_signature[0].recorded_at > instant_before_paper,
        "but recorded after them"
    );
    let mut unsigned = r.members_without_signature(pid, AsOf::Now).await.unwrap();
    unsigned.sort();
    let mut expected = vec![cmto, comune, unito];
    expected.sort();
    assert_eq!(unsigned, expected, "members that have not signed version 2");
    let view = r.protocol(pid, AsOf::Now).await.unwrap().unwrap();
    assert_eq!(
        (view.status, view.current_version, view.in_force_version),
        (ProtocolStatus::InForce, 2, Some(1))
    );
    assert_eq!(
        view.current_version_status,
        ProtocolStatus::OpenForSignature,
        "version 2 is being signed"
    );
    let old = r
        .protocol(pid, AsOf::Position(before_paper))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.status, ProtocolStatus::OpenForSignature);

    // Commitments: three signatories × two clauses, plus two from the decision.
    let summary = r
        .commitment_summary(tavolo, day(2020, 10, 1), AsOf::Now)
        .await
        .unwrap();
    let of = |org| {
        summary
            .iter()
            .find(|s| s.organization == org)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (of(comune).open, of(comune).overdue),
        (1, 1),
        "referent fulfilled; clause 2 was due 2020-02-29"
    );
    assert_eq!(
        (of(cav).open, of(cav).overdue),
        (4, 2),
        "both version-1 clauses overdue; the version-2 signature added two more, not yet due"
    );
    assert_eq!((of(unito).open, of(unito).overdue), (1, 0));
    let uepe_all = r.commitments_of(uepe, AsOf::Now).await.unwrap();
    assert!(
        summary.iter().all(|s| s.organization != uepe),
        "the UEPE left; its commitments were cancelled: {summary:?} {uepe_all:#?}"
    );
    let uepe_commitments = r.commitments_of(uepe, AsOf::Now).await.unwrap();
    assert_eq!(uepe_commitments.len(), 3);
    assert!(uepe_commitments
        .iter()
        .all(|c| c.status == CommitmentStatus::Cancelled));

    // Attendance over 2020.
    let rates = r
        .attendance_rates(tavolo, at(2020, 1, 1), at(2021, 1, 1), AsOf::Now)
        .await
        .unwrap();
    let rate = |org| {
        rates
            .iter()
            .find(|a| a.organization == org)
            .cloned()
            .unwrap()
    };
    assert_eq!((rate(comune).present, rate(comune).meetings), (1, 1));
    assert_eq!(rate(cav).excused, 1);
    assert_eq!(rate(unito).rate, 0.0);

    // History: the Comune's timeline holds its own and other aggregates' events about it.
    let timeline = r
        .timeline(
            Kind::Organization,
            &comune.to_string(),
            Page::After {
                after: 0,
                limit: 100,
            },
        )
        .await
        .unwrap();
    let types: Vec<&str> = timeline.iter().map(|e| e.event_type.as_str()).collect();
    for expected in [
        "OrganizationRegistered",
        "MembershipApplied",
        "MembershipApproved",
        "ReferentDesignated",
        "ProtocolSigned",
        "CommitmentCreated",
        "CommitmentFulfilled",
        "AttendanceRecorded",
    ] {
        assert!(types.contains(&expected), "{expected} in {types:?}");
    }
    assert!(timeline.windows(2).all(|p| p[0].position < p[1].position));
    // Paging backward: the latest three, in log order, are the end of the forward reading.
    let latest = r
        .timeline(
            Kind::Organization,
            &comune.to_string(),
            Page::Before {
                before: None,
                limit: 3,
            },
        )
        .await
        .unwrap();
    let tail: Vec<i64> = timeline[timeline.len() - 3..]
        .iter()
        .map(|e| e.position)
        .collect();
    assert_eq!(latest.iter().map(|e| e.position).collect::<Vec<_>>(), tail);
    assert_eq!(
        r.timeline_count(Kind::Organization, &comune.to_string())
            .await
            .unwrap(),
        timeline.len() as i64
    );
    // The audit log, filtered: what the system (the processes) did in this network.
    let system = AuditFilter {
        network: Some(tavolo),
        actor: Some("system".to_owned()),
        ..Default::default()
    };
    let by_system = r
        .audit_log(
            &system,
            Page::After {
                after: 0,
                limit: 1000,
            },
        )
        .await
        .unwrap();
    assert!(!by_system.is_empty());
    assert!(by_system
        .iter()
        .all(|e| e.metadata.actor.role == Role::System));
    // Network and organization together: exactly the events of the Comune's timeline that
    // also concern this network; backward pages and the count agree.
    let network_log = r
        .timeline(
            Kind::Network,
            &tavolo.to_string(),
            Page::After {
                after: 0,
                limit: 1000,
            },
        )
        .await
        .unwrap();
    let expected: Vec<i64> = timeline
        .iter()
        .map(|e| e.position)
        .filter(|p| network_log.iter().any(|n| n.position == *p))
        .collect();
    assert!(expected.len() > 3, "{expected:?}");
    let both = AuditFilter {
        network: Some(tavolo),
        organization: Some(comune),
        ..Default::default()
    };
    let positions = |page: Page| {
        let (r, both) = (&r, &both);
        async move {
            let events = r.audit_log(both, page).await.unwrap();
            events.iter().map(|e| e.position).collect::<Vec<i64>>()
        }
    };
    let forward = positions(Page::After {
        after: 0,
        limit: 1000,
    })
    .await;
    assert_eq!(forward, expected);
    let second_page = positions(Page::After {
        after: expected[1],
        limit: 2,
    })
    .await;
    assert_eq!(second_page, expected[2..4].to_vec());
    let last_two = positions(Page::Before {
        before: None,
        limit: 2,
    })
    .await;
    assert_eq!(last_two, expected[expected.len() - 2..].to_vec());
    assert_eq!(r.audit_count(&both).await.unwrap(), expected.len() as i64);
    let cancelled = AuditFilter {
        event_type: Some("CommitmentCancelled".to_owned()),
        ..Default::default()
    };
    assert_eq!(
        r.audit_log(
            &cancelled,
            Page::After {
                after: 0,
                limit: 1000
            }
        )
        .await
        .unwrap()
        .len(),
        3
    );
    let since = AuditFilter {
        recorded_from: Some(instant_before_paper),
        aggregate_type: Some("Protocol".to_owned()),
        ..Default::default()
    };
    let late = r
        .audit_log(
            &since,
            Page::After {
                after: 0,
                limit: 1000,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        late[0].event_type, "ProtocolSigned",
        "the late paper signature is the first protocol event after the instant"
    );
}

async fn stelle_e_luci(store: Store) {
    let w = World::new(store);
    let lead = w
        .register(
            "Associazione capofila Stelle e Luci",
            OrganizationCategory::AssociazioneEts,
        )
        .await;
    let parties = [
        w.register(
            "Centro antiviolenza",
            OrganizationCategory::CentroAntiviolenza,
        )
        .await,
        w.register("Comune aderente", OrganizationCategory::Comune)
            .await,
        w.register("Azienda sanitaria", OrganizationCategory::AziendaSanitaria)
            .await,
    ];
    let table = NetworkId::new_random();
    w.run::<Network>(
        table,
        lead,
        NetworkCommand::Establish {
            id: table,
            name: name("Tavolo tecnico interistituzionale Stelle e Luci"),
            kind: NetworkKind::TechnicalTable,
            territory: name("Regione"),
            coordinator: lead,
            established_on: day(2019, 1, 10),
            public: true,
        },
    )
    .await;
    let titles = [
        "Realizzare Tavoli Tecnici e di coordinamento",
        "Individuare un proprio referente",
        "Garantire l'impiego in rete delle competenze",
        "Costruire e raccordare reti",
        "Sviluppare procedure operative integrate",
        "Sensibilizzare gli operatori",
        "Costruire un sistema condiviso di rilevazione dei dati, in forma aggregata",
    ];
    let protocol = ProtocolId::new_random();
    w.run::<Protocol>(
        protocol,
        lead,
        ProtocolCommand::Draft {
            id: protocol,
            network: table,
            kind: ProtocolKind::Bilateral,
            content: ProtocolContent {
                title: name("Protocollo d'intesa Stelle e Luci"),
                purpose: text("Lavoro di rete"),
                clauses: titles
                    .iter()
                    .enumerate()
                    .map(|(i, t)| clause(i as u16 + 1, t, 90))
                    .collect(),
                validity: DateRange::new(day(2019, 2, 1), Some(day(2022, 1, 31))).unwrap(),
                renewal: RenewalRule::Explicit,
            },
            parties: vec![parties[0]],
        },
    )
    .await;
    w.run::<Protocol>(
        protocol,
        lead,
        ProtocolCommand::PublishVersion {
            document_hash: hash('5'),
            published_on: day(2019, 2, 1),
        },
    )
    .await;
    w.run::<Protocol>(
        protocol,
        lead,
        ProtocolCommand::OpenForSignature {
            opened_on: day(2019, 2, 1),
        },
    )
    .await;
    for (i, (party, signed)) in parties
        .iter()
        .zip([day(2019, 3, 1), day(2019, 6, 15), day(2019, 10, 10)])
        .enumerate()
    {
        if i > 0 {
            w.run::<Protocol>(
                protocol,
                lead,
                ProtocolCommand::AddParty {
                    organization: *party,
                    added_on: signed,
                },
            )
            .await;
        }
        w.run::<Protocol>(
            protocol,
            *party,
            ProtocolCommand::RecordSignature {
                organization: *party,
                signing_office: name("Legale rappresentante"),
                method: SignatureMethod::Handwritten,
                document_hash: hash('5'),
                signed_on: signed,
            },
        )
        .await;
        if i == 0 {
            w.run::<Protocol>(
                protocol,
                lead,
                ProtocolCommand::EnterIntoForce {
                    effective_on: signed,
                    explicit_act: None,
                },
            )
            .await;
        }
    }
    w.settle().await;
    let r = &w.read;
    let all = r.commitments(table, AsOf::Now).await.unwrap();
    assert_eq!(
        all.len(),
        21,
        "seven commitments for each of three signatories"
    );
    for party in parties {
        assert_eq!(all.iter().filter(|c| c.obligor == party).count(), 7);
    }
    // Signing admitted the parties to the table.
    assert_eq!(r.members(table, AsOf::Now).await.unwrap().len(), 4);
    let summary = r
        .commitment_summary(table, day(2019, 7, 1), AsOf::Now)
        .await
        .unwrap();
    let first = summary
        .iter()
        .find(|s| s.organization == parties[0])
        .unwrap();
    assert_eq!(
        (first.open, first.overdue),
        (7, 7),
        "due 2019-05-30, overdue on 2019-07-01"
    );
    let second = summary
        .iter()
        .find(|s| s.organization == parties[1])
        .unwrap();
    assert_eq!((second.open, second.overdue), (7, 0));
    // A plan of the table, approved: its line's two responsible parties take on a commitment
    // each (and the replay below must not create them twice).
    let plan = PlanId::new_random();
    w.run::<aggregates::plan::Plan>(
        plan,
        lead,
        aggregates::plan::PlanCommand::Adopt {
            id: plan,
            network: table,
            by: lead,
            content: aggregates::plan::PlanContent {
                title: name("Piano di lavoro della rete 2020"),
                period: DateRange::new(day(2020, 1, 1), Some(day(2020, 12, 31))).unwrap(),
                funding: vec![],
                protocols: [protocol].into(),
                lines: vec![aggregates::plan::PlanLine {
                    number: 1,
                    title: name("Rilevazione condivisa dei dati aggregati"),
                    responsible: [parties[0], parties[1]].into(),
                    targets: vec![],
                    budget_cents: None,
                    due_on: None,
                }],
            },
            adopted_on: day(2019, 12, 1),
        },
    )
    .await;
    w.run::<aggregates::plan::Plan>(
        plan,
        lead,
        aggregates::plan::PlanCommand::Approve {
            by: lead,
            approved_on: day(2019, 12, 15),
        },
    )
    .await;
    w.settle().await;
    let all = r.commitments(table, AsOf::Now).await.unwrap();
    assert_eq!(
        all.len(),
        23,
        "and one for each responsible party of the plan's line"
    );
    assert_eq!(
        all.iter()
            .filter(
                |c| matches!(c.source, CommitmentSource::PlanLine { plan: p, line: 1 } if p == plan)
            )
            .count(),
        2
    );
    // Running the processes again from the start writes nothing new.
    let before = w.store.count_events().await.unwrap();
    let again = ProcessManager::new(w.store.clone());
    let backend = w.store.backend().clone();
    match &backend {
        projections::store::Backend::Postgres(pool) => {
            sqlx::query("UPDATE process_checkpoints SET position = 0")
                .execute(pool)
                .await
                .unwrap();
        }
        projections::store::Backend::Sqlite(pool) => {
            sqlx::query("UPDATE process_checkpoints SET position = 0")
                .execute(pool)
                .await
                .unwrap();
        }
    }
    while again.run_batch().await.unwrap() > 0 {}
    assert_eq!(
        w.store.count_events().await.unwrap(),
        before,
        "replaying the processes creates nothing twice"
    );
}

tests::on_both_backends!(torino, stelle_e_luci);
