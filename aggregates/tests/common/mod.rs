//! Shared fixtures for the aggregate tests: parsed values and a directory pre-filled by events.
#![allow(dead_code)]

use std::sync::Arc;

use aggregates::directory::MunicipalityFacts;
use aggregates::ids::*;
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::values::*;
use aggregates::working_group::*;
use aggregates::Services;

pub mod directory;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
pub use directory::{InMemoryDirectory, UnavailableDirectory};
use uuid::Uuid;

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}
pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}
pub fn name(s: &str) -> Name {
    Name::parse(s).expect("valid test name")
}
pub fn text(s: &str) -> FreeText {
    FreeText::parse(s).expect("valid test text")
}
pub fn hash(c: char) -> DocumentHash {
    DocumentHash::parse(&c.to_string().repeat(64)).expect("valid test hash")
}
pub fn org(n: u128) -> OrganizationId {
    OrganizationId(Uuid::from_u128(0x1000 + n))
}
pub fn net(n: u128) -> NetworkId {
    NetworkId(Uuid::from_u128(0x2000 + n))
}
pub fn protocol_id(n: u128) -> ProtocolId {
    ProtocolId(Uuid::from_u128(0x3000 + n))
}
pub fn commitment_id(n: u128) -> CommitmentId {
    CommitmentId(Uuid::from_u128(0x4000 + n))
}
pub fn group(n: u128) -> WorkingGroupId {
    WorkingGroupId(Uuid::from_u128(0x5000 + n))
}
pub fn meeting_id(n: u128) -> MeetingId {
    MeetingId(Uuid::from_u128(0x6000 + n))
}
pub fn person(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(0x7000 + n))
}
pub fn service_id(n: u128) -> ServiceId {
    ServiceId(Uuid::from_u128(0x9000 + n))
}
pub fn indicator_set_id(n: u128) -> IndicatorSetId {
    IndicatorSetId(Uuid::from_u128(0xa000 + n))
}
pub fn activity_id(n: u128) -> ActivityId {
    ActivityId(Uuid::from_u128(0xb000 + n))
}
pub fn plan_id(n: u128) -> PlanId {
    PlanId(Uuid::from_u128(0xc000 + n))
}
pub fn series_id(n: u128) -> MeetingSeriesId {
    MeetingSeriesId(Uuid::from_u128(0xd000 + n))
}
pub fn key(s: &str) -> Key {
    Key::parse(s).expect("valid test key")
}
pub fn referent(n: u128) -> ReferentId {
    ReferentId(Uuid::from_u128(0x8000 + n))
}

pub fn registered(id: OrganizationId, label: &str) -> OrganizationEvent {
    OrganizationRegistered {
        organization_id: id,
        name: name(label),
        category: OrganizationCategory::Comune,
        tax_code: None,
        territory: name("Torino"),
    }
    .into()
}

pub fn established(id: NetworkId, coordinator: OrganizationId) -> NetworkEvent {
    NetworkEstablished {
        network_id: id,
        name: name("Tavolo Maltrattanti"),
        kind: NetworkKind::InterinstitutionalTable,
        territory: name("Città Metropolitana di Torino"),
        coordinator,
        established_on: day(2011, 3, 1),
        public: true,
    }
    .into()
}

pub fn applied(organization: OrganizationId) -> NetworkEvent {
    MembershipApplied {
        organization,
        applied_on: day(2012, 1, 10),
        motivation: None,
    }
    .into()
}

pub fn approved(organization: OrganizationId) -> NetworkEvent {
    MembershipApproved {
        organization,
        effective_on: day(2012, 2, 1),
    }
    .into()
}

/// Organizations 1..=9 are registered and active; 20 is registered but deactivated; anything
/// else is unknown. Network 1 is coordinated by org 1 with members 2 and 3; network 2 is
/// closed (coordinator 1). Working group 1 belongs to network 1 (lead 2); group 2 is dissolved.
/// The municipalities known are Pavia (018110), Vigevano (018177), Voghera (018182) and
/// Albaredo Arnaboldi (018002, suppressed on 2023-11-18); one person is registered with the
/// phone +39 333 123 4567 and the e-mail maria.rossi@example.org. Protocol 1 is network 1's,
/// protocol 2 network 2's.
pub struct World {
    pub directory: Arc<InMemoryDirectory>,
}

impl World {
    pub fn new() -> Self {
        let directory = InMemoryDirectory::new();
        for n in 1..=9 {
            directory.observe_organization(org(n), &registered(org(n), &format!("Ente {n}")));
        }
        directory.observe_organization(org(20), &registered(org(20), "Ente soppresso"));
        directory.observe_organization(
            org(20),
            &OrganizationDeactivated {
                reason: text("soppresso"),
                effective_on: day(2015, 1, 1),
            }
            .into(),
        );
        for event in Self::network_one() {
            directory.observe_network(net(1), &event);
        }
        directory.observe_network(net(2), &established(net(2), org(1)));
        directory.observe_network(
            net(2),
            &NetworkClosed {
                reason: text("chiuso"),
                effective_on: day(2020, 1, 1),
            }
            .into(),
        );
        directory.observe_working_group(group(1), &formed(group(1), net(1), org(2)));
        directory.observe_working_group(group(2), &formed(group(2), net(1), org(2)));
        directory.observe_working_group(
            group(2),
            &WorkingGroupDissolved {
                reason: text("concluso"),
                dissolved_on: day(2020, 1, 1),
            }
            .into(),
        );
        // Pavia, Vigevano and Voghera; Albaredo Arnaboldi, suppressed on 18 November 2023.
        let since = |y, m, d| MunicipalityFacts {
            established_on: Some(day(y, m, d)),
            suppressed_on: None,
        };
        directory.know_municipality("018110", since(1861, 3, 17));
        directory.know_municipality("018177", since(1861, 3, 17));
        directory.know_municipality("018182", since(1861, 3, 17));
        directory.know_municipality(
            "018002",
            MunicipalityFacts {
                established_on: Some(day(1961, 3, 9)),
                suppressed_on: Some(day(2023, 11, 18)),
            },
        );
        directory.know_person("+39 333 123 4567", "maria.rossi@example.org");
        directory.know_protocol(protocol_id(1), net(1));
        directory.know_protocol(protocol_id(2), net(2));
        Self { directory }
    }

    /// The events of network 1: coordinator 1, members 2 and 3.
    pub fn network_one() -> Vec<NetworkEvent> {
        vec![
            established(net(1), org(1)),
            applied(org(2)),
            approved(org(2)),
            applied(org(3)),
            approved(org(3)),
        ]
    }

    pub fn services(&self) -> Services {
        Services::new(self.directory.clone())
    }
}

pub fn formed(id: WorkingGroupId, network: NetworkId, lead: OrganizationId) -> WorkingGroupEvent {
    WorkingGroupFormed {
        working_group_id: id,
        network,
        name: name("Accoglienza"),
        mandate: text("promuovere percorsi di confronto e scambio tra i partner"),
        lead,
        formed_on: day(2015, 5, 1),
    }
    .into()
}

pub fn services() -> Services {
    World::new().services()
}

/// Services whose directory storage is down.
pub fn broken_services() -> Services {
    Services::new(Arc::new(UnavailableDirectory))
}
