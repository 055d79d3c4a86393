//! Whole scenarios from the seed documents, driven through the aggregates and the processes.
mod common;
#[path = "common/engine.rs"]
mod engine;

use aggregates::commitment::{CommitmentSource, CommitmentStatus};
use aggregates::ids::*;
use aggregates::meeting::*;
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::processes::clause_commitment_id;
use aggregates::protocol::*;
use aggregates::values::*;
use aggregates::working_group::*;
use chrono::NaiveDate;
use common::*;
use engine::Engine;

fn register(engine: &mut Engine, id: OrganizationId, label: &str, category: OrganizationCategory) {
    engine
        .organization(
            id,
            OrganizationCommand::Register {
                id,
                name: name(label),
                category,
                tax_code: None,
                territory: name("Piemonte"),
            },
        )
        .expect("register");
}

/// Seed 001: the seven commitments every signatory of a Stelle e Luci protocol takes on.
const STELLE_E_LUCI: [(&str, u32); 7] = [
    (
        "Realizzare Tavoli Tecnici e di coordinamento della rete",
        180,
    ),
    ("Individuare un proprio referente per i Tavoli tecnici", 30),
    ("Garantire l'impiego in rete delle proprie competenze", 90),
    (
        "Costruire e raccordare reti tra i soggetti che operano contro la violenza di genere",
        365,
    ),
    (
        "Sviluppare procedure operative integrate tra i servizi competenti",
        270,
    ),
    (
        "Sensibilizzare gli operatori degli enti dei Tavoli Tecnici",
        365,
    ),
    (
        "Costruire un sistema condiviso di rilevazione dei dati sui casi, in forma aggregata",
        365,
    ),
];

fn sign(engine: &mut Engine, protocol: ProtocolId, o: OrganizationId, on: NaiveDate) {
    engine
        .protocol(
            protocol,
            ProtocolCommand::RecordSignature {
                organization: o,
                signing_office: name("Legale rappresentante"),
                method: SignatureMethod::Handwritten,
                document_hash: hash('5'),
                signed_on: on,
            },
        )
        .expect("sign");
}

#[test]
fn stelle_e_luci_three_signatories_on_three_dates_yield_21_commitments_once() {
    let mut engine = Engine::new();
    let lead = org(100);
    let (cav, comune, asl) = (org(101), org(102), org(103));
    register(
        &mut engine,
        lead,
        "Associazione capofila Stelle e Luci",
        OrganizationCategory::AssociazioneEts,
    );
    register(
        &mut engine,
        cav,
        "Centro antiviolenza del territorio",
        OrganizationCategory::CentroAntiviolenza,
    );
    register(
        &mut engine,
        comune,
        "Comune aderente",
        OrganizationCategory::Comune,
    );
    register(
        &mut engine,
        asl,
        "Azienda sanitaria locale",
        OrganizationCategory::AziendaSanitaria,
    );
    let table = net(100);
    engine
        .network(
            table,
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
        .unwrap();

    let protocol = protocol_id(100);
    let clauses = STELLE_E_LUCI
        .iter()
        .enumerate()
        .map(|(i, (title, days))| Clause {
            number: i as u16 + 1,
            text: text(&format!(
                "I soggetti sottoscrittori si impegnano a: {title}"
            )),
            commitment: Some(CommitmentTerms {
                title: name(title),
                due_within_days: Some(*days),
            }),
        })
        .collect();
    engine
        .protocol(
            protocol,
            ProtocolCommand::Draft {
                id: protocol,
                network: table,
                kind: ProtocolKind::Bilateral,
                content: ProtocolContent {
                    title: name("Protocollo d'intesa Stelle e Luci – Lavoro di rete"),
                    purpose: text("Collaborazione a titolo gratuito per l'attività Lavoro di rete"),
                    clauses,
                    validity: DateRange::new(day(2019, 2, 1), Some(day(2022, 1, 31))).unwrap(),
                    renewal: RenewalRule::Explicit,
                },
                parties: vec![cav],
            },
        )
        .unwrap();
    engine
        .protocol(
            protocol,
            ProtocolCommand::PublishVersion {
                document_hash: hash('5'),
                published_on: day(2019, 2, 1),
            },
        )
        .unwrap();
    engine
        .protocol(
            protocol,
            ProtocolCommand::OpenForSignature {
                opened_on: day(2019, 2, 1),
            },
        )
        .unwrap();
    sign(&mut engine, protocol, cav, day(2019, 3, 1));
    engine
        .protocol(
            protocol,
            ProtocolCommand::EnterIntoForce {
                effective_on: day(2019, 3, 1),
                explicit_act: None,
            },
        )
        .unwrap();
    // Two more parties join "in itinere" and sign on their own dates.
    for (party, added, signed) in [
        (comune, day(2019, 5, 1), day(2019, 6, 15)),
        (asl, day(2019, 9, 1), day(2019, 10, 10)),
    ] {
        engine
            .protocol(
                protocol,
                ProtocolCommand::AddParty {
                    organization: party,
                    added_on: added,
                },
            )
            .unwrap();
        sign(&mut engine, protocol, party, signed);
    }

    let check = |engine: &Engine| {
        assert_eq!(engine.commitments.len(), 21);
        for (party, signed) in [
            (cav, day(2019, 3, 1)),
            (comune, day(2019, 6, 15)),
            (asl, day(2019, 10, 10)),
        ] {
            let mine = engine.commitments_of(party);
            assert_eq!(mine.len(), 7, "seven commitments per signatory");
            for (i, (_, days)) in STELLE_E_LUCI.iter().enumerate() {
                let id = clause_commitment_id(protocol, 1, i as u16 + 1, party);
                let c = &engine.commitments[&id];
                assert_eq!(c.obligor, Some(party));
                assert_eq!(c.network, Some(table));
                assert_eq!(
                    c.due_on,
                    signed.checked_add_days(chrono::Days::new((*days).into()))
                );
                assert_eq!(
                    c.source,
                    Some(CommitmentSource::ProtocolClause {
                        protocol,
                        version: 1,
                        clause: i as u16 + 1
                    })
                );
            }
        }
    };
    check(&engine);
    // Signing made the signatories members of the table.
    let members = &engine.networks[&table].memberships;
    for party in [cav, comune, asl] {
        assert_eq!(members.get(&party), Some(&MembershipStatus::Active));
    }

    // Feeding every event through the processes again, twice, creates nothing.
    let log_length = engine.log.len();
    assert_eq!(engine.replay_processes(), 0);
    assert_eq!(engine.replay_processes(), 0);
    assert_eq!(engine.log.len(), log_length);
    check(&engine);

    // Overdue is a question of the moment: on 2019-04-01 only the CAV's referent (30 days) is.
    let overdue = |on: NaiveDate| {
        engine
            .commitments
            .values()
            .filter(|c| c.is_overdue(on))
            .count()
    };
    assert_eq!(overdue(day(2019, 3, 31)), 0);
    assert_eq!(overdue(day(2019, 4, 1)), 1);
    assert_eq!(overdue(day(2023, 1, 1)), 21);

    // The ASL fulfils one commitment, then withdraws: its six open ones are cancelled.
    let referent = clause_commitment_id(protocol, 1, 2, asl);
    engine
        .commitment(
            referent,
            aggregates::commitment::CommitmentCommand::Fulfil {
                by: asl,
                note: text("Referente designato con atto del direttore generale"),
                evidence: Some(hash('e')),
                fulfilled_on: day(2019, 11, 1),
            },
        )
        .unwrap();
    engine
        .protocol(
            protocol,
            ProtocolCommand::RecordWithdrawal {
                organization: asl,
                reason: None,
                effective_on: day(2020, 6, 30),
            },
        )
        .unwrap();
    let statuses: Vec<CommitmentStatus> = engine
        .commitments_of(asl)
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == CommitmentStatus::Cancelled)
            .count(),
        6
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == CommitmentStatus::Fulfilled)
            .count(),
        1
    );
    assert_eq!(
        engine.replay_processes(),
        0,
        "replay after the withdrawal writes nothing"
    );
    assert!(engine
        .commitments_of(cav)
        .iter()
        .all(|c| c.status == CommitmentStatus::Open));
}

#[test]
fn torino_tavolo_maltrattanti() {
    use OrganizationCategory as C;
    let mut engine = Engine::new();
    let provincia = org(200);
    let cmto = org(201);
    register(&mut engine, provincia, "Provincia di Torino", C::Provincia);
    let tavolo = net(200);
    engine
        .network(
            tavolo,
            NetworkCommand::Establish {
                id: tavolo,
                name: name("Tavolo Maltrattanti"),
                kind: NetworkKind::InterinstitutionalTable,
                territory: name("Area metropolitana di Torino"),
                coordinator: provincia,
                established_on: day(2011, 1, 1),
                public: true,
            },
        )
        .unwrap();

    // Organizations of ten categories apply and are approved by the coordinator.
    let members = [
        (210, "Comune di Torino", C::Comune),
        (211, "Centro antiviolenza aderente", C::CentroAntiviolenza),
        (
            212,
            "Ente gestore dei servizi socio-assistenziali",
            C::EnteGestoreServiziSociali,
        ),
        (
            213,
            "Ordine degli Psicologi del Piemonte",
            C::OrdineProfessionale,
        ),
        (
            214,
            "Consigliera di parità metropolitana",
            C::OrganismoDiParita,
        ),
        (215, "Questura di Torino", C::Questura),
        (216, "UEPE di Torino", C::Uepe),
        (217, "Garante dei detenuti", C::GaranteDetenuti),
        (218, "Università degli Studi di Torino", C::Universita),
        (
            219,
            "Associazione per il cambiamento degli uomini",
            C::CentroUominiAutoriViolenza,
        ),
    ];
    for (n, label, category) in members {
        register(&mut engine, org(n), label, category);
        engine
            .network(
                tavolo,
                NetworkCommand::Apply {
                    organization: org(n),
                    applied_on: day(2012, 1, 10),
                    motivation: None,
                },
            )
            .unwrap();
        engine
            .network(
                tavolo,
                NetworkCommand::Approve {
                    by: provincia,
                    organization: org(n),
                    effective_on: day(2012, 2, 1),
                },
            )
            .unwrap();
    }
    let categories: std::collections::BTreeSet<_> =
        members.iter().map(|(_, _, c)| format!("{c:?}")).collect();
    assert!(categories.len() >= 8);

    // One application is rejected.
    register(&mut engine, org(220), "Palestra privata", C::Altro);
    engine
        .network(
            tavolo,
            NetworkCommand::Apply {
                organization: org(220),
                applied_on: day(2012, 3, 1),
                motivation: None,
            },
        )
        .unwrap();
    engine
        .network(
            tavolo,
            NetworkCommand::Reject {
                by: provincia,
                organization: org(220),
                reason: text("Non opera nell'ambito del contrasto alla violenza"),
            },
        )
        .unwrap();
    // Only the coordinator decides.
    let err = engine
        .network(
            tavolo,
            NetworkCommand::Approve {
                by: org(210),
                organization: org(220),
                effective_on: day(2012, 3, 2),
            },
        )
        .unwrap_err();
    assert_eq!(err, NetworkError::NotCoordinator);

    // 2015: the Città Metropolitana replaces the Provincia and keeps its history.
    register(
        &mut engine,
        cmto,
        "Città Metropolitana di Torino",
        C::CittaMetropolitana,
    );
    engine
        .network(
            tavolo,
            NetworkCommand::Apply {
                organization: cmto,
                applied_on: day(2015, 1, 1),
                motivation: None,
            },
        )
        .unwrap();
    engine
        .network(
            tavolo,
            NetworkCommand::Approve {
                by: provincia,
                organization: cmto,
                effective_on: day(2015, 1, 1),
            },
        )
        .unwrap();
    engine
        .network(
            tavolo,
            NetworkCommand::ChangeCoordinator {
                by: provincia,
                new_coordinator: cmto,
                effective_on: day(2015, 1, 1),
            },
        )
        .unwrap();
    engine
        .organization(
            cmto,
            OrganizationCommand::Succeed {
                predecessor: provincia,
                effective_on: day(2015, 1, 1),
            },
        )
        .unwrap();
    assert_eq!(
        engine.organizations[&provincia].status,
        OrganizationStatus::Succeeded
    );
    assert_eq!(engine.organizations[&provincia].successor, Some(cmto));
    assert_eq!(engine.organizations[&cmto].predecessors, vec![provincia]);

    // Three working groups with members.
    let groups = [
        (
            group(200),
            "Accoglienza",
            org(211),
            vec![org(210), org(216)],
        ),
        (group(201), "Comunicazione", org(214), vec![org(218)]),
        (group(202), "Formazione", org(213), vec![org(218), org(219)]),
    ];
    for (id, label, lead, others) in &groups {
        engine
            .working_group(
                *id,
                WorkingGroupCommand::Form {
                    id: *id,
                    network: tavolo,
                    by: cmto,
                    name: name(label),
                    mandate: text("Promuovere percorsi di confronto e scambio tra i partner"),
                    lead: *lead,
                    formed_on: day(2016, 1, 15),
                },
            )
            .unwrap();
        for other in others {
            engine
                .working_group(
                    *id,
                    WorkingGroupCommand::AddMember {
                        by: cmto,
                        organization: *other,
                        effective_on: day(2016, 2, 1),
                    },
                )
                .unwrap();
        }
    }
    assert_eq!(engine.working_groups[&group(202)].members.len(), 3);

    // A meeting (the online conference of 22 June 2020) with attendance and a decision.
    let convegno = meeting_id(200);
    engine
        .meeting(
            convegno,
            MeetingCommand::Schedule {
                id: convegno,
                network: tavolo,
                working_group: None,
                kind: MeetingKind::Conference,
                title: name("Un giorno perfetto"),
                starts_at: at(2020, 6, 22, 9),
                ends_at: Some(at(2020, 6, 22, 13)),
                venue: Venue::Online {
                    link: Link::parse("https://eventi.example.org/un-giorno-perfetto").unwrap(),
                },
                agenda: vec![text("Presentazione pubblica del lavoro della Rete")],
                public: true,
            },
        )
        .unwrap();
    engine
        .meeting(
            convegno,
            MeetingCommand::Open {
                opened_at: at(2020, 6, 22, 9),
            },
        )
        .unwrap();
    for (o, attendance) in [
        (210, Attendance::Present),
        (211, Attendance::Present),
        (217, Attendance::Excused),
    ] {
        engine
            .meeting(
                convegno,
                MeetingCommand::RecordAttendance {
                    organization: org(o),
                    attendance,
                    represented_by: None,
                },
            )
            .unwrap();
    }
    engine
        .meeting(
            convegno,
            MeetingCommand::RecordDecision {
                text: text(
                    "Realizzare una serie di webinar con l'Università e la Camera di Commercio",
                ),
                action_items: vec![
                    ActionItem {
                        obligor: org(218),
                        title: name("Organizzare i webinar"),
                        due_on: Some(day(2020, 12, 31)),
                    },
                    ActionItem {
                        obligor: org(217),
                        title: name("Diffondere i video alle strutture"),
                        due_on: Some(day(2020, 9, 30)),
                    },
                ],
            },
        )
        .unwrap();
    assert_eq!(
        engine.commitments.len(),
        2,
        "the decision created two commitments"
    );

    // One member withdraws: only its own commitment is cancelled.
    engine
        .network(
            tavolo,
            NetworkCommand::Withdraw {
                by: org(217),
                organization: org(217),
                reason: None,
                effective_on: day(2020, 7, 1),
            },
        )
        .unwrap();
    assert_eq!(
        engine.commitments_of(org(217))[0].status,
        CommitmentStatus::Cancelled
    );
    assert_eq!(
        engine.commitments_of(org(218))[0].status,
        CommitmentStatus::Open
    );
    assert_eq!(
        engine.networks[&tavolo].memberships[&org(217)],
        MembershipStatus::Withdrawn
    );
    let active = engine.networks[&tavolo]
        .memberships
        .values()
        .filter(|s| **s == MembershipStatus::Active)
        .count();
    assert_eq!(
        active,
        1 + 10 + 1 - 1,
        "provincia, ten members and CMTo, less the one that left"
    );
    assert_eq!(engine.replay_processes(), 0);
    assert_eq!(engine.commitments.len(), 2);
}
