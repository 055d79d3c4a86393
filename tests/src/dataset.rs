//! A generated dataset: many small networks, each with its organizations, memberships,
//! referents, a signed protocol, commitments, a working group and a meeting. Events are built
//! directly (they are what the aggregates would record) and bulk-inserted, so that tens of
//! thousands of events take seconds.

use crate::fixtures::{name, text};
use std::collections::HashMap;

use aggregates::commitment::*;
use aggregates::ids::*;
use aggregates::meeting::*;
use aggregates::metadata::{Actor, EventMetadata};
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::protocol::*;
use aggregates::values::*;
use aggregates::working_group::*;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use cqrs_es::DomainEvent;
use projections::store::{Backend, Store};
use serde_json::Value;
use uuid::Uuid;

/// Events per generated network.
pub const EVENTS_PER_NETWORK: usize = 107;
const MEMBERS: u128 = 10;

fn id(network: u128, role: u128) -> Uuid {
    Uuid::from_u128((network << 16) | role)
}

struct Row {
    aggregate_type: &'static str,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: Value,
}

#[derive(Default)]
struct Log {
    rows: Vec<Row>,
    sequences: HashMap<String, i64>,
}

impl Log {
    fn push<E: DomainEvent>(
        &mut self,
        aggregate_type: &'static str,
        aggregate_id: impl ToString,
        event: impl Into<E>,
    ) {
        let event: E = event.into();
        let aggregate_id = aggregate_id.to_string();
        let sequence = self.sequences.entry(aggregate_id.clone()).or_default();
        *sequence += 1;
        self.rows.push(Row {
            aggregate_type,
            aggregate_id,
            sequence: *sequence,
            event_type: event.event_type(),
            event_version: event.event_version(),
            payload: serde_json::to_value(&event).expect("events serialise"),
        });
    }
}

/// The events of network number `n` (0-based), in an order the aggregates could have written.
fn network_events(log: &mut Log, n: u128) {
    let day0 = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + Days::new((n % 300) as u64);
    let d = |offset: u64| day0 + Days::new(offset);
    let network = NetworkId(id(n, 1));
    let coordinator = OrganizationId(id(n, 2));
    let members: Vec<OrganizationId> = (0..MEMBERS)
        .map(|i| OrganizationId(id(n, 100 + i)))
        .collect();
    let o = "Organization";
    for (i, org) in std::iter::once(coordinator)
        .chain(members.iter().copied())
        .enumerate()
    {
        log.push::<OrganizationEvent>(
            o,
            org,
            OrganizationRegistered {
                organization_id: org,
                name: name(&format!("Ente {n}-{i}")),
                category: OrganizationCategory::ALL[i % OrganizationCategory::ALL.len()],
                tax_code: None,
                territory: name("Piemonte"),
            },
        );
    }
    let net = "Network";
    log.push::<NetworkEvent>(
        net,
        network,
        NetworkEstablished {
            network_id: network,
            name: name(&format!("Rete {n}")),
            kind: NetworkKind::TerritorialNetwork,
            territory: name("Piemonte"),
            coordinator,
            established_on: d(0),
            public: true,
        },
    );
    for (i, m) in members.iter().enumerate() {
        log.push::<NetworkEvent>(
            net,
            network,
            MembershipApplied {
                organization: *m,
                applied_on: d(1 + i as u64),
                motivation: None,
            },
        );
        log.push::<NetworkEvent>(
            net,
            network,
            MembershipApproved {
                organization: *m,
                effective_on: d(20 + i as u64),
            },
        );
        log.push::<NetworkEvent>(
            net,
            network,
            ReferentDesignated {
                referent: ReferentId(id(n, 200 + i as u128)),
                organization: *m,
                person: PersonId(id(n, 300 + i as u128)),
                role: ReferentRole::Institutional,
                effective_on: d(30),
            },
        );
    }
    let protocol = ProtocolId(id(n, 3));
    let p = "Protocol";
    let hash = DocumentHash::parse(&format!("{:064x}", n + 1)).unwrap();
    log.push::<ProtocolEvent>(
        p,
        protocol,
        ProtocolDrafted {
            protocol_id: protocol,
            network,
            kind: ProtocolKind::Framework,
            version: 1,
            content: ProtocolContent {
                title: name("Protocollo d'intesa"),
                // Quotes, a backslash, a tab and line breaks: text every writer of the read
                // models (COPY's text format included) must carry unchanged.
                purpose: text(
                    "Confronto e scambio di \"buone prassi\":\n\tvedi C:\\archivio\r\nfine",
                ),
                clauses: vec![Clause {
                    number: 1,
                    text: text("Individuare un referente"),
                    commitment: Some(CommitmentTerms {
                        title: name("Individuare un referente"),
                        due_within_days: Some(30),
                    }),
                }],
                validity: DateRange::new(d(40), Some(d(40 + 3 * 365))).unwrap(),
                renewal: RenewalRule::Explicit,
            },
            parties: members.clone(),
        },
    );
    log.push::<ProtocolEvent>(
        p,
        protocol,
        ProtocolVersionPublished {
            version: 1,
            document_hash: hash.clone(),
            published_on: d(40),
        },
    );
    log.push::<ProtocolEvent>(
        p,
        protocol,
        ProtocolOpenedForSignature {
            version: 1,
            opened_on: d(41),
        },
    );
    for (i, m) in members.iter().enumerate() {
        log.push::<ProtocolEvent>(
            p,
            protocol,
            ProtocolSigned {
                version: 1,
                organization: *m,
                signing_office: name("Legale rappresentante"),
                method: SignatureMethod::QualifiedElectronic,
                document_hash: hash.clone(),
                signed_on: d(42 + i as u64),
            },
        );
    }
    log.push::<ProtocolEvent>(
        p,
        protocol,
        ProtocolEnteredIntoForce {
            version: 1,
            effective_on: d(60),
            explicit_act: None,
        },
    );
    let c = "Commitment";
    for (i, m) in members.iter().enumerate() {
        let commitment = CommitmentId(id(n, 400 + i as u128));
        log.push::<CommitmentEvent>(
            c,
            commitment,
            CommitmentCreated {
                commitment_id: commitment,
                network,
                source: CommitmentSource::ProtocolClause {
                    protocol,
                    version: 1,
                    clause: 1,
                },
                obligor: *m,
                title: name("Individuare un referente"),
                description: None,
                due_on: Some(d(72 + i as u64)),
                created_on: d(42 + i as u64),
            },
        );
        log.push::<CommitmentEvent>(
            c,
            commitment,
            CommitmentProgressReported {
                by: *m,
                note: text("In corso"),
                reported_on: d(50),
            },
        );
        log.push::<CommitmentEvent>(
            c,
            commitment,
            CommitmentFulfilled {
                by: *m,
                note: text("Fatto"),
                evidence: None,
                fulfilled_on: d(60),
            },
        );
    }
    let group = WorkingGroupId(id(n, 4));
    let w = "WorkingGroup";
    log.push::<WorkingGroupEvent>(
        w,
        group,
        WorkingGroupFormed {
            working_group_id: group,
            network,
            name: name("Formazione"),
            mandate: text("Moduli formativi"),
            lead: members[0],
            formed_on: d(70),
        },
    );
    for m in &members[1..5] {
        log.push::<WorkingGroupEvent>(
            w,
            group,
            WorkingGroupMemberAdded {
                organization: *m,
                effective_on: d(71),
            },
        );
    }
    let meeting = MeetingId(id(n, 5));
    let mt = "Meeting";
    let start = Utc.from_utc_datetime(&d(80).and_hms_opt(9, 0, 0).unwrap());
    log.push::<MeetingEvent>(
        mt,
        meeting,
        MeetingScheduled {
            meeting_id: meeting,
            network,
            working_group: None,
            kind: MeetingKind::Plenary,
            title: name("Seduta plenaria"),
            starts_at: start,
            ends_at: None,
            venue: Venue::InPerson {
                address: name("Sede del Tavolo"),
            },
            agenda: vec![text("Piano annuale")],
            public: true,
        },
    );
    log.push::<MeetingEvent>(mt, meeting, MeetingOpened { opened_at: start });
    for (i, m) in members.iter().enumerate() {
        let attendance = [
            Attendance::Present,
            Attendance::Present,
            Attendance::Excused,
        ][i % 3];
        log.push::<MeetingEvent>(
            mt,
            meeting,
            AttendanceRecorded {
                organization: *m,
                attendance,
                represented_by: None,
            },
        );
    }
    log.push::<MeetingEvent>(
        mt,
        meeting,
        DecisionRecorded {
            decision: 1,
            text: text("Si approva il piano annuale"),
            action_items: vec![],
            decided_on: d(80),
        },
    );
    log.push::<MeetingEvent>(
        mt,
        meeting,
        MeetingClosed {
            closed_at: start + chrono::Duration::hours(3),
        },
    );
    let minutes = DocumentHash::parse(&format!("{:064x}", n + 1_000_000)).unwrap();
    log.push::<MeetingEvent>(
        mt,
        meeting,
        MinutesDrafted {
            version: 1,
            document_hash: minutes.clone(),
        },
    );
    log.push::<MeetingEvent>(
        mt,
        meeting,
        MinutesApproved {
            version: 1,
            document_hash: minutes,
            approved_on: d(110),
        },
    );
}

/// Appends the events of networks `from..to` to the store (in transactions of up to 1,000
/// events); answers how many were written.
pub async fn insert_networks(store: &Store, from: u128, to: u128) -> usize {
    let mut log = Log::default();
    for n in from..to {
        network_events(&mut log, n);
    }
    let metadata = serde_json::to_value(
        EventMetadata::new(Actor::system())
            .with_correlation(Uuid::from_u128(7))
            .to_map(),
    )
    .unwrap();
    // Each event coded as the command service codes it, so that the sealer seals them.
    let secrets = store.secrets().ok();
    let coded = |row: &Row| {
        let mut metadata = metadata.clone();
        if let Some(secrets) = secrets {
            secrets.authenticate_metadata(
                projections::secrets::Appending {
                    aggregate_type: row.aggregate_type,
                    aggregate_id: &row.aggregate_id,
                    sequence: row.sequence,
                    event_type: &row.event_type,
                    event_version: &row.event_version,
                    payload: &row.payload,
                },
                &mut metadata,
            );
        }
        metadata
    };
    macro_rules! insert {
        ($db:ty, $pool:expr, $chunk:expr) => {{
            let mut builder = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) ",
            );
            builder.push_values($chunk, |mut b, row| {
                b.push_bind(row.aggregate_type)
                    .push_bind(row.aggregate_id.clone())
                    .push_bind(row.sequence)
                    .push_bind(row.event_type.clone())
                    .push_bind(row.event_version.clone())
                    .push_bind(row.payload.clone())
                    .push_bind(coded(row));
            });
            builder.build().execute($pool).await.expect("insert events");
        }};
    }
    for chunk in log.rows.chunks(1000) {
        match store.backend() {
            Backend::Postgres(pool) => insert!(sqlx::Postgres, pool, chunk),
            Backend::Sqlite(pool) => insert!(sqlx::Sqlite, pool, chunk),
        }
    }
    log.rows.len()
}
