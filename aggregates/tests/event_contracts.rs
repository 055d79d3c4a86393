//! Event contracts: the JSON Schema of every event type and version is generated from the
//! code and must equal the checked-in copy in `schemas/events/`; every event type has a golden
//! fixture in `schemas/fixtures/events/` that must keep deserialising forever, keep its exact
//! shape at its current version, and validate against its schema.
//! `UPDATE_SCHEMAS=1 cargo test -p aggregates --test event_contracts` rewrites the schemas and
//! writes fixtures that are missing (it never rewrites an existing fixture).
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use aggregates::activity::*;
use aggregates::commitment::*;
use aggregates::indicator_set::*;
use aggregates::meeting::*;
use aggregates::meeting_series::*;
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::person::*;
use aggregates::plan::*;
use aggregates::protocol::*;
use aggregates::service::*;
use aggregates::values::*;
use aggregates::working_group::*;
use common::*;
use cqrs_es::DomainEvent;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn updating() -> bool {
    std::env::var("UPDATE_SCHEMAS").is_ok_and(|v| v == "1")
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap() + "\n"
}

/// One example of every event type, as the aggregate would record it.
fn samples() -> Vec<(&'static str, Value)> {
    fn s<E: DomainEvent>(
        aggregate: &'static str,
        e: impl Into<E>,
    ) -> (&'static str, String, Value) {
        let e: E = e.into();
        (aggregate, e.event_type(), serde_json::to_value(&e).unwrap())
    }
    let content = ProtocolContent {
        title: name("Protocollo d'intesa"),
        purpose: text("Confronto e scambio di buone prassi"),
        clauses: vec![Clause {
            number: 1,
            text: text("Individuare un proprio referente"),
            commitment: Some(CommitmentTerms {
                title: name("Individuare un referente"),
                due_within_days: Some(30),
            }),
        }],
        validity: DateRange::new(day(2019, 1, 1), Some(day(2021, 12, 31))).unwrap(),
        renewal: RenewalRule::Tacit { months: 36 },
    };
    let o = "Organization";
    let n = "Network";
    let p = "Protocol";
    let c = "Commitment";
    let w = "WorkingGroup";
    let m = "Meeting";
    let list: Vec<(&'static str, String, Value)> = vec![
        s::<OrganizationEvent>(
            o,
            OrganizationRegistered {
                organization_id: org(1),
                name: name("Città Metropolitana di Torino"),
                category: OrganizationCategory::CittaMetropolitana,
                tax_code: Some(TaxCode::parse("01907990012").unwrap()),
                territory: name("Torino"),
            },
        ),
        s::<OrganizationEvent>(
            o,
            OrganizationRenamed {
                previous_name: name("Provincia di Torino"),
                name: name("Città Metropolitana di Torino"),
                effective_on: day(2015, 1, 1),
            },
        ),
        s::<OrganizationEvent>(
            o,
            OrganizationDetailsUpdated {
                category: Some(OrganizationCategory::CittaMetropolitana),
                tax_code: None,
                territory: Some(name("Torino")),
            },
        ),
        s::<OrganizationEvent>(
            o,
            OrganizationSucceeded {
                predecessor: org(2),
                effective_on: day(2015, 1, 1),
            },
        ),
        s::<OrganizationEvent>(
            o,
            OrganizationSucceededBy {
                successor: org(1),
                effective_on: day(2015, 1, 1),
            },
        ),
        s::<OrganizationEvent>(
            o,
            OrganizationDeactivated {
                reason: text("Ente soppresso"),
                effective_on: day(2015, 1, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            NetworkEstablished {
                network_id: net(1),
                name: name("Tavolo Maltrattanti"),
                kind: NetworkKind::InterinstitutionalTable,
                territory: name("Torino"),
                coordinator: org(1),
                established_on: day(2011, 1, 1),
                public: true,
            },
        ),
        s::<NetworkEvent>(
            n,
            CoordinatorChanged {
                previous_coordinator: org(2),
                new_coordinator: org(1),
                effective_on: day(2015, 1, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            NetworkClosed {
                reason: text("Obiettivi raggiunti"),
                effective_on: day(2024, 12, 31),
            },
        ),
        s::<NetworkEvent>(
            n,
            MembershipApplied {
                organization: org(3),
                applied_on: day(2012, 1, 10),
                motivation: Some(text("Centro antiviolenza del territorio")),
            },
        ),
        s::<NetworkEvent>(
            n,
            MembershipApproved {
                organization: org(3),
                effective_on: day(2012, 2, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            MembershipRejected {
                organization: org(4),
                reason: text("Requisiti mancanti"),
            },
        ),
        s::<NetworkEvent>(
            n,
            MemberAdmittedBySignature {
                organization: org(5),
                protocol: protocol_id(1),
                effective_on: day(2019, 3, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            MembershipSuspended {
                organization: org(3),
                reason: text("Assenze ripetute"),
                effective_on: day(2013, 1, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            MembershipReinstated {
                organization: org(3),
                effective_on: day(2013, 6, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            MembershipWithdrawn {
                organization: org(3),
                reason: None,
                effective_on: day(2016, 1, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            MemberExpelled {
                organization: org(6),
                reason: text("Violazione del protocollo"),
                effective_on: day(2017, 1, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            ReferentDesignated {
                referent: referent(1),
                organization: org(3),
                person: person(1),
                role: ReferentRole::Technical,
                effective_on: day(2012, 3, 1),
            },
        ),
        s::<NetworkEvent>(
            n,
            ReferentRevoked {
                referent: referent(1),
                organization: org(3),
                effective_on: day(2014, 1, 1),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolDrafted {
                protocol_id: protocol_id(1),
                network: net(1),
                kind: ProtocolKind::Framework,
                version: 1,
                content: content.clone(),
                parties: vec![org(1), org(3)],
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolAmended {
                version: 1,
                content: content.clone(),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolVersionPublished {
                version: 1,
                document_hash: hash('a'),
                published_on: day(2019, 1, 15),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolOpenedForSignature {
                version: 1,
                opened_on: day(2019, 2, 1),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolSigned {
                version: 1,
                organization: org(3),
                signing_office: name("Presidente"),
                method: SignatureMethod::QualifiedElectronic,
                document_hash: hash('a'),
                signed_on: day(2019, 3, 1),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolDeclined {
                version: 1,
                organization: org(4),
                reason: Some(text("Non di competenza")),
                declined_on: day(2019, 3, 2),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolEnteredIntoForce {
                version: 1,
                effective_on: day(2019, 4, 1),
                explicit_act: Some(text("Decreto n. 12")),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolPartyAdded {
                organization: org(5),
                added_on: day(2020, 1, 1),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolPartyWithdrawn {
                organization: org(3),
                reason: None,
                effective_on: day(2020, 6, 1),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolRevised {
                version: 2,
                content,
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolRenewed {
                previous_valid_until: Some(day(2021, 12, 31)),
                valid_until: day(2024, 12, 31),
                decided_on: day(2021, 11, 1),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolExpired {
                on: day(2025, 1, 1),
            },
        ),
        s::<ProtocolEvent>(
            p,
            ProtocolSuperseded {
                by_protocol: protocol_id(2),
                on: day(2025, 1, 1),
            },
        ),
        s::<CommitmentEvent>(
            c,
            CommitmentCreated {
                commitment_id: commitment_id(1),
                network: net(1),
                source: CommitmentSource::PlanLine {
                    plan: plan_id(1),
                    line: 1,
                },
                obligor: org(3),
                title: name("Individuare un referente"),
                description: None,
                due_on: Some(day(2019, 3, 31)),
                created_on: day(2019, 3, 1),
            },
        ),
        s::<CommitmentEvent>(
            c,
            CommitmentProgressReported {
                by: org(3),
                note: text("Determina in preparazione"),
                reported_on: day(2019, 3, 15),
            },
        ),
        s::<CommitmentEvent>(
            c,
            CommitmentFulfilled {
                by: org(3),
                note: text("Referente designato"),
                evidence: Some(hash('b')),
                fulfilled_on: day(2019, 3, 30),
            },
        ),
        s::<CommitmentEvent>(
            c,
            CommitmentWaived {
                by: org(1),
                reason: text("Non più pertinente"),
                waived_on: day(2019, 5, 1),
            },
        ),
        s::<CommitmentEvent>(
            c,
            CommitmentCancelled {
                reason: text("the organization withdrew from the network"),
                cancelled_on: day(2020, 6, 1),
            },
        ),
        s::<CommitmentEvent>(
            c,
            CommitmentReopened {
                by: org(1),
                reason: text("Atto annullato"),
                reopened_on: day(2019, 7, 1),
            },
        ),
        s::<WorkingGroupEvent>(
            w,
            WorkingGroupFormed {
                working_group_id: group(1),
                network: net(1),
                name: name("Accoglienza"),
                mandate: text("Promuovere percorsi di confronto"),
                lead: org(3),
                formed_on: day(2015, 5, 1),
            },
        ),
        s::<WorkingGroupEvent>(
            w,
            WorkingGroupMemberAdded {
                organization: org(5),
                effective_on: day(2015, 6, 1),
            },
        ),
        s::<WorkingGroupEvent>(
            w,
            WorkingGroupMemberRemoved {
                organization: org(5),
                effective_on: day(2016, 1, 1),
            },
        ),
        s::<WorkingGroupEvent>(
            w,
            WorkingGroupDissolved {
                reason: text("Mandato concluso"),
                dissolved_on: day(2020, 1, 1),
            },
        ),
        s::<MeetingEvent>(
            m,
            MeetingScheduled {
                meeting_id: meeting_id(1),
                network: net(1),
                working_group: Some(group(1)),
                kind: MeetingKind::WorkingGroupSession,
                title: name("Gruppo Accoglienza"),
                starts_at: at(2020, 6, 22, 9),
                ends_at: Some(at(2020, 6, 22, 12)),
                venue: Venue::Hybrid {
                    address: name("Corso Inghilterra 7, Torino"),
                    link: Link::parse("https://meet.example.org/tavolo").unwrap(),
                },
                agenda: vec![text("Piano formativo")],
                public: false,
            },
        ),
        s::<MeetingEvent>(
            m,
            MeetingRescheduled {
                starts_at: at(2020, 6, 29, 9),
                ends_at: None,
                venue: Venue::Online {
                    link: Link::parse("https://meet.example.org/tavolo").unwrap(),
                },
            },
        ),
        s::<MeetingEvent>(
            m,
            MeetingCancelled {
                reason: text("Sciopero dei trasporti"),
            },
        ),
        s::<MeetingEvent>(
            m,
            AttendanceRecorded {
                organization: org(3),
                attendance: Attendance::Present,
                represented_by: Some(person(2)),
            },
        ),
        s::<MeetingEvent>(
            m,
            MeetingOpened {
                opened_at: at(2020, 6, 22, 9),
            },
        ),
        s::<MeetingEvent>(
            m,
            DecisionRecorded {
                decision: 1,
                text: text("Si approva il piano formativo"),
                action_items: vec![ActionItem {
                    obligor: org(3),
                    title: name("Predisporre il piano"),
                    due_on: Some(day(2020, 9, 30)),
                }],
                decided_on: day(2020, 6, 22),
            },
        ),
        s::<MeetingEvent>(
            m,
            MeetingClosed {
                closed_at: at(2020, 6, 22, 12),
            },
        ),
        s::<MeetingEvent>(
            m,
            MinutesDrafted {
                version: 1,
                document_hash: hash('d'),
            },
        ),
        s::<MeetingEvent>(
            m,
            MinutesApproved {
                version: 1,
                document_hash: hash('d'),
                approved_on: day(2020, 7, 20),
            },
        ),
        s::<PersonEvent>(
            "Person",
            PersonRegistered {
                person_id: aggregates::ids::PersonId(uuid::Uuid::from_u128(7001)),
                details: Sealed::parse("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQ").unwrap(),
            },
        ),
        s::<PersonEvent>(
            "Person",
            PersonDetailsChanged {
                details: Sealed::parse("EjRWeJCrze8SNFZ4kKvN7xI0VniQq83v").unwrap(),
            },
        ),
        s::<PersonEvent>(
            "Person",
            PersonErased {
                erased_on: day(2026, 1, 1),
            },
        ),
        s::<ServiceEvent>(
            "Service",
            ServiceRegistered {
                service_id: service_id(1),
                network: net(1),
                organization: org(3),
                details: service_details(),
                registered_on: day(2024, 1, 15),
            },
        ),
        s::<ServiceEvent>(
            "Service",
            ServiceUpdated {
                details: ServiceDetails {
                    kind: ServiceKind::Shelter,
                    address: None,
                    access: vec![AccessRoute::Referral],
                    referral_from: Some(text("I centri antiviolenza della rete")),
                    listed: false,
                    ..service_details()
                },
                effective_on: day(2024, 2, 1),
            },
        ),
        s::<ServiceEvent>(
            "Service",
            ServiceSuspended {
                reason: text("Lavori nella sede"),
                expected_reopening: Some(day(2024, 6, 1)),
                effective_on: day(2024, 3, 1),
            },
        ),
        s::<ServiceEvent>(
            "Service",
            ServiceReopened {
                effective_on: day(2024, 5, 20),
            },
        ),
        s::<ServiceEvent>(
            "Service",
            ServiceClosed {
                reason: text("Convenzione scaduta"),
                effective_on: day(2025, 1, 1),
            },
        ),
        s::<ServiceEvent>(
            "Service",
            ServiceConfirmed {
                confirmed_on: day(2024, 9, 1),
            },
        ),
        s::<IndicatorSetEvent>(
            "IndicatorSet",
            IndicatorSetDefined {
                indicator_set_id: indicator_set_id(1),
                network: net(1),
                title: name("Dati condivisi 2023"),
                indicators: vec![Indicator {
                    key: key("requests_by_channel"),
                    title: name("Richieste di aiuto, per canale"),
                    categories: vec![
                        Category {
                            key: key("phone"),
                            title: name("Telefono"),
                        },
                        Category {
                            key: key("in_person"),
                            title: name("Di persona"),
                        },
                    ],
                }],
                span: DateRange::new(day(2023, 1, 1), Some(day(2023, 12, 31))).unwrap(),
                frequency: Frequency::Quarterly,
                threshold: 5,
                defined_on: day(2022, 12, 15),
            },
        ),
        s::<IndicatorSetEvent>(
            "IndicatorSet",
            FiguresSubmitted {
                organization: org(2),
                period: "2023-Q1".into(),
                figures: vec![Figure {
                    indicator: key("requests_by_channel"),
                    category: key("phone"),
                    count: 12,
                }],
                submitted_on: day(2023, 4, 10),
            },
        ),
        s::<IndicatorSetEvent>(
            "IndicatorSet",
            FiguresCorrected {
                organization: org(2),
                period: "2023-Q1".into(),
                figures: vec![Figure {
                    indicator: key("requests_by_channel"),
                    category: key("phone"),
                    count: 13,
                }],
                corrected_on: day(2023, 5, 2),
            },
        ),
        s::<ActivityEvent>(
            "Activity",
            ActivityRecorded {
                activity_id: activity_id(1),
                network: net(1),
                working_group: Some(group(1)),
                details: activity_details(),
            },
        ),
        s::<ActivityEvent>(
            "Activity",
            ActivityUpdated {
                details: ActivityDetails {
                    ends_on: None,
                    description: None,
                    ..activity_details()
                },
            },
        ),
        s::<MeetingSeriesEvent>(
            "MeetingSeries",
            MeetingSeriesDefined {
                series_id: series_id(1),
                network: net(1),
                details: SeriesDetails {
                    working_group: Some(group(1)),
                    kind: MeetingKind::DistrictLab,
                    title: name("Laboratorio distrettuale antiviolenza"),
                    rule: Recurrence::parse("FREQ=MONTHLY;BYDAY=3TH;COUNT=2").unwrap(),
                    first_at: day(2018, 9, 20).and_hms_opt(14, 30, 0).unwrap(),
                    duration_minutes: 120,
                    venue: Venue::InPerson {
                        address: name("Biblioteca di Casalmaggiore"),
                    },
                    agenda: vec![text("Nuovi aderenti alla rete")],
                    public: false,
                },
                occurrences: vec![at(2018, 9, 20, 12), at(2018, 10, 18, 12)],
                defined_on: day(2018, 7, 10),
            },
        ),
        s::<MeetingSeriesEvent>(
            "MeetingSeries",
            SeriesOccurrenceSkipped {
                starts_at: at(2018, 10, 18, 12),
                reason: text("Festività"),
            },
        ),
        s::<MeetingSeriesEvent>(
            "MeetingSeries",
            SeriesInvitationSent {
                organization: org(5),
                invited_on: day(2018, 7, 15),
            },
        ),
        s::<MeetingSeriesEvent>(
            "MeetingSeries",
            SeriesInvitationAnswered {
                organization: org(5),
                accepted: true,
                answered_on: day(2018, 8, 31),
            },
        ),
        s::<MeetingSeriesEvent>(
            "MeetingSeries",
            MeetingSeriesEnded {
                ended_on: day(2019, 6, 30),
                reason: text("Anno concluso"),
            },
        ),
        s::<PlanEvent>(
            "Plan",
            PlanAdopted {
                plan_id: plan_id(1),
                network: net(1),
                content: plan_content(),
                adopted_on: day(2015, 5, 20),
            },
        ),
        s::<PlanEvent>(
            "Plan",
            PlanAmended {
                content: PlanContent {
                    funding: vec![],
                    ..plan_content()
                },
                amended_on: day(2015, 5, 25),
            },
        ),
        s::<PlanEvent>(
            "Plan",
            PlanApproved {
                approved_on: day(2015, 6, 1),
            },
        ),
        s::<PlanEvent>(
            "Plan",
            PlanProgressReported {
                by: org(2),
                line: 1,
                target: 1,
                reached: 12,
                evidence: text("Relazione semestrale"),
                reported_on: day(2015, 12, 1),
            },
        ),
        s::<PlanEvent>(
            "Plan",
            PlanClosed {
                closed_on: day(2018, 6, 30),
            },
        ),
        s::<ActivityEvent>(
            "Activity",
            ActivityCancelled {
                reason: text("Rinviata"),
                cancelled_on: day(2019, 11, 1),
            },
        ),
        s::<IndicatorSetEvent>(
            "IndicatorSet",
            FiguresPeriodClosed {
                period: "2023-Q1".into(),
                closed_on: day(2023, 4, 20),
            },
        ),
    ];
    list.into_iter().map(|(a, _, v)| (a, v)).collect()
}

/// Every field of a plan's content set.
fn plan_content() -> PlanContent {
    PlanContent {
        title: name("Piano Integrato Locale 2015-2018"),
        period: DateRange::new(day(2015, 6, 1), Some(day(2018, 5, 31))).unwrap(),
        funding: vec![Funding {
            source: name("Regione Puglia"),
            amount_cents: 15_000_000,
        }],
        protocols: [protocol_id(1)].into(),
        lines: vec![PlanLine {
            number: 1,
            title: name("Mappatura dei servizi esistenti"),
            responsible: [org(2), org(3)].into(),
            targets: vec![Target {
                description: name("Servizi mappati"),
                unit: name("servizi"),
                value: 40,
            }],
            budget_cents: Some(1_000_000),
            due_on: Some(day(2016, 5, 31)),
        }],
    }
}

/// Every field of an activity's details set.
fn activity_details() -> ActivityDetails {
    ActivityDetails {
        kind: ActivityKind::Campaign,
        title: name("#rispettonellosport"),
        description: Some(text("Spot allo Stadio Olimpico e a Porta Susa")),
        starts_on: day(2019, 11, 23),
        ends_on: Some(day(2019, 12, 15)),
        organizations: [org(2), org(5)].into(),
        audience: vec![AudienceCount {
            group: name("Spettatori"),
            count: 25_000,
        }],
        outputs: vec![
            ActivityOutput {
                title: name("Lo spot"),
                link: Some(Link::parse("https://www.example.org/spot").unwrap()),
                document: None,
            },
            ActivityOutput {
                title: name("Il comunicato"),
                link: None,
                document: Some(hash('c')),
            },
        ],
    }
}

/// Every field of a service's details set.
fn service_details() -> ServiceDetails {
    ServiceDetails {
        name: name("Centro antiviolenza Kore"),
        kind: ServiceKind::AntiViolenceCentre,
        territory: ["018177", "018182"]
            .into_iter()
            .map(|c| MunicipalityCode::parse(c).unwrap())
            .collect(),
        audience: text("Donne che subiscono violenza e i loro figli"),
        access: vec![AccessRoute::Direct, AccessRoute::Phone],
        referral_from: None,
        opening_hours: Some(text("Lunedì-venerdì 9-13")),
        languages: vec![name("italiano")],
        accessibility: Some(text("Accessibile")),
        address: Some(text("Vigevano, sede comunale")),
        contacts: Contacts {
            switchboard: Some(PhoneNumber::parse("0381 299 111").unwrap()),
            mailbox: Some(Email::parse("centro@example.org").unwrap()),
            website: Some(Link::parse("https://www.example.org/kore").unwrap()),
        },
        listed: true,
    }
}

/// Deserialises a stored payload of an aggregate's events and serialises it back.
fn round_trip(aggregate: &str, payload: &Value) -> Result<Value, String> {
    fn go<E: DomainEvent>(payload: &Value) -> Result<Value, String> {
        let event: E = serde_json::from_value(payload.clone()).map_err(|e| e.to_string())?;
        Ok(serde_json::to_value(event).unwrap())
    }
    match aggregate {
        "Organization" => go::<OrganizationEvent>(payload),
        "Network" => go::<NetworkEvent>(payload),
        "Protocol" => go::<ProtocolEvent>(payload),
        "Commitment" => go::<CommitmentEvent>(payload),
        "WorkingGroup" => go::<WorkingGroupEvent>(payload),
        "Meeting" => go::<MeetingEvent>(payload),
        "Person" => go::<PersonEvent>(payload),
        "Service" => go::<ServiceEvent>(payload),
        "IndicatorSet" => go::<IndicatorSetEvent>(payload),
        "Activity" => go::<ActivityEvent>(payload),
        "Plan" => go::<PlanEvent>(payload),
        "MeetingSeries" => go::<MeetingSeriesEvent>(payload),
        other => Err(format!("unknown aggregate {other}")),
    }
}

fn schema_file(event_type: &str, version: &str) -> PathBuf {
    root()
        .join("events")
        .join(format!("{event_type}.v{version}.json"))
}

#[test]
fn schemas_match_the_code() {
    let dir = root().join("events");
    std::fs::create_dir_all(&dir).unwrap();
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for (event_type, version, schema) in aggregates::event_schemas() {
        let path = schema_file(event_type, version);
        expected_files.push(path.file_name().unwrap().to_owned());
        let generated = pretty(&schema);
        if updating() {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "event schemas differ from the code (run UPDATE_SCHEMAS=1 cargo test -p aggregates --test event_contracts): {stale:?}"
    );
    let extra: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| !expected_files.contains(name))
        .collect();
    assert!(
        extra.is_empty(),
        "schema files with no event type or version in the code: {extra:?}"
    );
}

#[test]
fn every_event_type_has_one_sample() {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, value) in samples() {
        let key = value.as_object().unwrap().keys().next().unwrap().clone();
        *seen.entry(key).or_default() += 1;
    }
    let types: Vec<String> = aggregates::event_types()
        .iter()
        .map(|(_, t, _)| t.to_string())
        .collect();
    assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), {
        let mut t = types.clone();
        t.sort();
        t
    });
    assert!(seen.values().all(|n| *n == 1));
    assert_eq!(
        types.len(),
        77,
        "the number of event types changed: update this test"
    );
}

#[test]
fn golden_fixtures_load_keep_their_shape_and_validate() {
    let dir = root().join("fixtures/events");
    std::fs::create_dir_all(&dir).unwrap();
    let versions: BTreeMap<&str, (&str, &str)> = aggregates::event_types()
        .into_iter()
        .map(|(a, t, v)| (t, (a, v)))
        .collect();
    if updating() {
        for (aggregate, value) in samples() {
            let event_type = value.as_object().unwrap().keys().next().unwrap().clone();
            let version = versions[event_type.as_str()].1;
            let path = dir.join(format!("{event_type}.v{version}.json"));
            let _ = aggregate;
            if !path.exists() {
                std::fs::write(&path, pretty(&value)).unwrap();
            }
        }
    }
    let mut checked = 0;
    let mut current_seen = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_owned();
        let (event_type, version) = file
            .strip_suffix(".json")
            .and_then(|f| f.split_once(".v"))
            .unwrap_or_else(|| panic!("fixture name {file} is not Type.vN.json"));
        let (aggregate, current) = *versions
            .get(event_type)
            .unwrap_or_else(|| panic!("fixture {file} has no event type in the code"));
        let stored: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();

        // It validates against the schema of its own version.
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(schema_file(event_type, version)).unwrap(),
        )
        .unwrap();
        let validator = jsonschema::JSONSchema::compile(&schema).expect("schema compiles");
        let payload = &stored[event_type];
        if let Err(errors) = validator.validate(payload) {
            let messages: Vec<String> = errors.map(|e| e.to_string()).collect();
            panic!("fixture {file} does not validate against its schema: {messages:?}");
        }

        // Older versions are upcast first; the current one must keep its exact shape.
        let mut upcast = stored.clone();
        for upcaster in aggregates::meeting::upcasters() {
            if upcaster.can_upcast(event_type, version) {
                upcast = aggregates::meeting::meeting_scheduled_v1_to_v2(upcast);
            }
        }
        let back = round_trip(aggregate, &upcast)
            .unwrap_or_else(|e| panic!("fixture {file} no longer deserialises: {e}"));
        if version == current {
            assert_eq!(
                back, stored,
                "fixture {file} changed shape at its current version"
            );
            current_seen.push(event_type.to_owned());
        } else {
            assert!(version < current, "fixture {file} is newer than the code");
        }
        checked += 1;
    }
    current_seen.sort();
    let mut all: Vec<String> = versions.keys().map(|t| t.to_string()).collect();
    all.sort();
    assert_eq!(
        current_seen, all,
        "every event type needs a fixture at its current version"
    );
    assert!(
        checked > all.len(),
        "the MeetingScheduled v1 fixture is kept"
    );
}
