//! Service: every command's success and every refusal it can produce.
mod common;

use std::collections::BTreeSet;

use aggregates::service::*;
use aggregates::values::{Email, Link, MunicipalityCode, PhoneNumber};
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<Service>;

fn accept(given: Vec<ServiceEvent>, command: ServiceCommand, expected: Vec<ServiceEvent>) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<ServiceEvent>, command: ServiceCommand, error: ServiceError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn code(c: &str) -> MunicipalityCode {
    MunicipalityCode::parse(c).unwrap()
}

/// Kore, the anti-violence centre of Vigevano, run by member 2 of network 1.
fn details() -> ServiceDetails {
    ServiceDetails {
        name: name("Centro antiviolenza Kore"),
        kind: ServiceKind::AntiViolenceCentre,
        territory: BTreeSet::from([code("018177")]),
        audience: text("donne che subiscono violenza e i loro figli"),
        access: vec![AccessRoute::Direct, AccessRoute::Phone],
        referral_from: None,
        opening_hours: Some(text("lunedì-venerdì 9-13")),
        languages: vec![name("italiano"), name("inglese")],
        accessibility: Some(text("accessibile in sedia a rotelle")),
        address: Some(text("Vigevano, sede comunale")),
        contacts: Contacts {
            switchboard: Some(PhoneNumber::parse("0381 299 111").unwrap()),
            mailbox: Some(Email::parse("centro.kore@example.org").unwrap()),
            website: Some(Link::parse("https://www.example.org/kore").unwrap()),
        },
        listed: true,
    }
}

fn register_with(by: u128, organization: u128, details: ServiceDetails) -> ServiceCommand {
    ServiceCommand::Register {
        id: service_id(1),
        network: net(1),
        organization: org(organization),
        by: org(by),
        details,
        registered_on: day(2024, 1, 15),
    }
}

fn registered_one() -> Vec<ServiceEvent> {
    vec![ServiceRegistered {
        service_id: service_id(1),
        network: net(1),
        organization: org(2),
        details: details(),
        registered_on: day(2024, 1, 15),
    }
    .into()]
}

fn with(mut events: Vec<ServiceEvent>, more: impl Into<ServiceEvent>) -> Vec<ServiceEvent> {
    events.push(more.into());
    events
}

fn suspended() -> ServiceSuspended {
    ServiceSuspended {
        reason: text("lavori di ristrutturazione della sede"),
        expected_reopening: Some(day(2024, 6, 1)),
        effective_on: day(2024, 3, 1),
    }
}

fn closed() -> ServiceClosed {
    ServiceClosed {
        reason: text("convenzione scaduta"),
        effective_on: day(2025, 1, 1),
    }
}

#[test]
fn register_a_service() {
    // By the organization that runs it, or by the network's coordinator.
    accept(vec![], register_with(2, 2, details()), registered_one());
    accept(vec![], register_with(1, 2, details()), registered_one());
    reject(
        registered_one(),
        register_with(2, 2, details()),
        ServiceError::AlreadyRegistered,
    );
    // Another member may not register it for org 2; a non-member's service is refused.
    reject(
        vec![],
        register_with(3, 2, details()),
        ServiceError::NotAuthorised,
    );
    reject(
        vec![],
        register_with(1, 4, details()),
        ServiceError::NotNetworkMember(org(4)),
    );
    let elsewhere = |network| ServiceCommand::Register {
        id: service_id(1),
        network: net(network),
        organization: org(2),
        by: org(1),
        details: details(),
        registered_on: day(2024, 1, 15),
    };
    reject(vec![], elsewhere(9), ServiceError::NetworkNotFound);
    reject(vec![], elsewhere(2), ServiceError::NetworkClosed);
}

#[test]
fn the_territory_is_made_of_municipalities_in_force() {
    let territory = |codes: &[&str]| ServiceDetails {
        territory: codes.iter().map(|c| code(c)).collect(),
        ..details()
    };
    reject(
        vec![],
        register_with(2, 2, territory(&[])),
        ServiceError::EmptyTerritory,
    );
    reject(
        vec![],
        register_with(2, 2, territory(&["018177", "099999"])),
        ServiceError::UnknownMunicipality(code("099999")),
    );
    // Albaredo Arnaboldi was suppressed on 18 November 2023: not on 15 January 2024.
    reject(
        vec![],
        register_with(2, 2, territory(&["018177", "018002"])),
        ServiceError::MunicipalityNotInForce {
            code: code("018002"),
            on: day(2024, 1, 15),
        },
    );
    // Before its suppression it could be served.
    let earlier = ServiceCommand::Register {
        id: service_id(1),
        network: net(1),
        organization: org(2),
        by: org(2),
        details: territory(&["018177", "018002"]),
        registered_on: day(2023, 1, 1),
    };
    accept(
        vec![],
        earlier,
        vec![ServiceRegistered {
            service_id: service_id(1),
            network: net(1),
            organization: org(2),
            details: territory(&["018177", "018002"]),
            registered_on: day(2023, 1, 1),
        }
        .into()],
    );
}

#[test]
fn a_shelter_has_no_address() {
    let shelter = ServiceDetails {
        kind: ServiceKind::Shelter,
        access: vec![AccessRoute::Referral],
        referral_from: Some(text("i centri antiviolenza della rete")),
        ..details()
    };
    reject(
        vec![],
        register_with(2, 2, shelter.clone()),
        ServiceError::ShelterAddress,
    );
    let without = ServiceDetails {
        address: None,
        ..shelter
    };
    accept(
        vec![],
        register_with(2, 2, without.clone()),
        vec![ServiceRegistered {
            service_id: service_id(1),
            network: net(1),
            organization: org(2),
            details: without,
            registered_on: day(2024, 1, 15),
        }
        .into()],
    );
}

#[test]
fn contacts_are_institutional() {
    let phone = ServiceDetails {
        contacts: Contacts {
            // The registered person's number, written another way.
            switchboard: Some(PhoneNumber::parse("333-1234567").unwrap()),
            ..details().contacts
        },
        ..details()
    };
    reject(
        vec![],
        register_with(2, 2, phone),
        ServiceError::PersonalContact("switchboard"),
    );
    let mailbox = ServiceDetails {
        contacts: Contacts {
            mailbox: Some(Email::parse("Maria.Rossi@example.org").unwrap()),
            ..details().contacts
        },
        ..details()
    };
    reject(
        vec![],
        register_with(2, 2, mailbox),
        ServiceError::PersonalContact("mailbox"),
    );
    let no_route = ServiceDetails {
        access: vec![],
        ..details()
    };
    reject(
        vec![],
        register_with(2, 2, no_route),
        ServiceError::NoAccessRoute,
    );
}

#[test]
fn update_a_service() {
    let wider = ServiceDetails {
        territory: BTreeSet::from([code("018177"), code("018182")]),
        ..details()
    };
    let update = |by, on| ServiceCommand::Update {
        by: org(by),
        details: wider.clone(),
        effective_on: on,
    };
    accept(
        registered_one(),
        update(2, day(2024, 2, 1)),
        vec![ServiceUpdated {
            details: wider.clone(),
            effective_on: day(2024, 2, 1),
        }
        .into()],
    );
    reject(vec![], update(2, day(2024, 2, 1)), ServiceError::NotFound);
    reject(
        registered_one(),
        update(3, day(2024, 2, 1)),
        ServiceError::NotAuthorised,
    );
    reject(
        registered_one(),
        update(2, day(2023, 12, 1)),
        ServiceError::BeforeLastChange(day(2024, 1, 15)),
    );
    reject(
        with(registered_one(), closed()),
        update(2, day(2025, 2, 1)),
        ServiceError::Closed,
    );
}

#[test]
fn suspend_and_reopen() {
    let suspend = |expected| ServiceCommand::Suspend {
        by: org(1),
        reason: text("lavori di ristrutturazione della sede"),
        expected_reopening: expected,
        effective_on: day(2024, 3, 1),
    };
    accept(
        registered_one(),
        suspend(Some(day(2024, 6, 1))),
        vec![suspended().into()],
    );
    reject(
        with(registered_one(), suspended()),
        suspend(None),
        ServiceError::AlreadySuspended,
    );
    reject(
        registered_one(),
        suspend(Some(day(2024, 3, 1))),
        ServiceError::ReopeningNotAfterSuspension,
    );
    let reopen = |on| ServiceCommand::Reopen {
        by: org(2),
        effective_on: on,
    };
    accept(
        with(registered_one(), suspended()),
        reopen(day(2024, 5, 20)),
        vec![ServiceReopened {
            effective_on: day(2024, 5, 20),
        }
        .into()],
    );
    reject(
        registered_one(),
        reopen(day(2024, 5, 20)),
        ServiceError::NotSuspended,
    );
    reject(
        with(registered_one(), suspended()),
        reopen(day(2024, 2, 1)),
        ServiceError::BeforeLastChange(day(2024, 3, 1)),
    );
}

#[test]
fn close_and_confirm() {
    let close = ServiceCommand::Close {
        by: org(2),
        reason: text("convenzione scaduta"),
        effective_on: day(2025, 1, 1),
    };
    accept(registered_one(), close.clone(), vec![closed().into()]);
    reject(
        with(registered_one(), closed()),
        close,
        ServiceError::Closed,
    );
    let confirm = |by| ServiceCommand::Confirm {
        by: org(by),
        confirmed_on: day(2024, 9, 1),
    };
    accept(
        registered_one(),
        confirm(1),
        vec![ServiceConfirmed {
            confirmed_on: day(2024, 9, 1),
        }
        .into()],
    );
    reject(registered_one(), confirm(3), ServiceError::NotAuthorised);
    reject(vec![], confirm(1), ServiceError::NotFound);
    reject(
        with(registered_one(), closed()),
        confirm(1),
        ServiceError::Closed,
    );
}

#[test]
fn a_directory_that_cannot_answer_refuses_without_guessing() {
    F::with(broken_services())
        .given(vec![])
        .when(register_with(2, 2, details()))
        .then_expect_error(ServiceError::Directory(aggregates::DirectoryUnavailable));
}
