//! Network and memberships: every command's success and every rejection it can produce.
mod common;

use aggregates::directory::DirectoryUnavailable;
use aggregates::network::*;
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<Network>;

fn accept(given: Vec<NetworkEvent>, command: NetworkCommand, expected: Vec<NetworkEvent>) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<NetworkEvent>, command: NetworkCommand, error: NetworkError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

/// Network 1 as in the directory: coordinator 1, members 2 and 3.
fn base() -> Vec<NetworkEvent> {
    World::network_one()
}

fn with(extra: Vec<NetworkEvent>) -> Vec<NetworkEvent> {
    let mut events = base();
    events.extend(extra);
    events
}

fn closed() -> Vec<NetworkEvent> {
    with(vec![NetworkClosed {
        reason: text("obiettivi raggiunti"),
        effective_on: day(2024, 12, 31),
    }
    .into()])
}

fn suspended(o: u128) -> NetworkEvent {
    MembershipSuspended {
        organization: org(o),
        reason: text("assenze ripetute"),
        effective_on: day(2013, 1, 1),
    }
    .into()
}

fn establish_cmd(coordinator: u128) -> NetworkCommand {
    NetworkCommand::Establish {
        id: net(1),
        name: name("Tavolo Maltrattanti"),
        kind: NetworkKind::InterinstitutionalTable,
        territory: name("Città Metropolitana di Torino"),
        coordinator: org(coordinator),
        established_on: day(2011, 3, 1),
        public: true,
    }
}

#[test]
fn establish() {
    accept(vec![], establish_cmd(1), vec![established(net(1), org(1))]);
    reject(base(), establish_cmd(1), NetworkError::AlreadyEstablished);
    reject(
        vec![],
        establish_cmd(99),
        NetworkError::OrganizationNotFound,
    );
    reject(
        vec![],
        establish_cmd(20),
        NetworkError::OrganizationInactive,
    );
    F::with(broken_services())
        .given_no_previous_events()
        .when(establish_cmd(1))
        .then_expect_error(NetworkError::Directory(DirectoryUnavailable));
}

fn change(by: u128, to: u128) -> NetworkCommand {
    NetworkCommand::ChangeCoordinator {
        by: org(by),
        new_coordinator: org(to),
        effective_on: day(2015, 1, 1),
    }
}

#[test]
fn change_coordinator() {
    accept(
        base(),
        change(1, 2),
        vec![CoordinatorChanged {
            previous_coordinator: org(1),
            new_coordinator: org(2),
            effective_on: day(2015, 1, 1),
        }
        .into()],
    );
    reject(vec![], change(1, 2), NetworkError::NotFound);
    reject(closed(), change(1, 2), NetworkError::Closed);
    reject(base(), change(2, 3), NetworkError::NotCoordinator);
    reject(base(), change(1, 1), NetworkError::AlreadyCoordinator);
    reject(base(), change(1, 4), NetworkError::CoordinatorNotMember);
    reject(
        with(vec![suspended(2)]),
        change(1, 2),
        NetworkError::CoordinatorNotMember,
    );
}

#[test]
fn close() {
    let cmd = |by| NetworkCommand::Close {
        by: org(by),
        reason: text("obiettivi raggiunti"),
        effective_on: day(2024, 12, 31),
    };
    accept(base(), cmd(1), closed()[base().len()..].to_vec());
    reject(base(), cmd(2), NetworkError::NotCoordinator);
    reject(closed(), cmd(1), NetworkError::Closed);
}

fn apply_cmd(o: u128) -> NetworkCommand {
    NetworkCommand::Apply {
        organization: org(o),
        applied_on: day(2012, 1, 10),
        motivation: Some(text("Centro antiviolenza attivo sul territorio")),
    }
}

#[test]
fn apply() {
    accept(
        base(),
        apply_cmd(4),
        vec![MembershipApplied {
            organization: org(4),
            applied_on: day(2012, 1, 10),
            motivation: Some(text("Centro antiviolenza attivo sul territorio")),
        }
        .into()],
    );
    reject(closed(), apply_cmd(4), NetworkError::Closed);
    reject(vec![], apply_cmd(4), NetworkError::NotFound);
    reject(
        with(vec![applied(org(4))]),
        apply_cmd(4),
        NetworkError::ApplicationPending,
    );
    reject(base(), apply_cmd(2), NetworkError::AlreadyMember);
    reject(base(), apply_cmd(99), NetworkError::OrganizationNotFound);
    reject(base(), apply_cmd(20), NetworkError::OrganizationInactive);
    // After a rejection, applying again is allowed.
    let rejected: NetworkEvent = MembershipRejected {
        organization: org(4),
        reason: text("requisiti mancanti"),
    }
    .into();
    F::with(services())
        .given(with(vec![applied(org(4)), rejected]))
        .when(apply_cmd(4))
        .inspect_result()
        .expect("a rejected organization may apply again");
}

fn approve(by: u128, o: u128) -> NetworkCommand {
    NetworkCommand::Approve {
        by: org(by),
        organization: org(o),
        effective_on: day(2012, 2, 1),
    }
}

#[test]
fn approve_application() {
    accept(
        with(vec![applied(org(4))]),
        approve(1, 4),
        vec![approved(org(4))],
    );
    reject(
        with(vec![applied(org(4))]),
        approve(2, 4),
        NetworkError::NotCoordinator,
    );
    reject(base(), approve(1, 2), NetworkError::AlreadyMember);
    reject(base(), approve(1, 4), NetworkError::NoPendingApplication);
    reject(closed(), approve(1, 4), NetworkError::Closed);
}

#[test]
fn approving_an_organization_deactivated_since_it_applied_is_rejected() {
    reject(
        with(vec![applied(org(20))]),
        approve(1, 20),
        NetworkError::OrganizationInactive,
    );
}

#[test]
fn reject_application() {
    let cmd = |by, o| NetworkCommand::Reject {
        by: org(by),
        organization: org(o),
        reason: text("requisiti mancanti"),
    };
    accept(
        with(vec![applied(org(4))]),
        cmd(1, 4),
        vec![MembershipRejected {
            organization: org(4),
            reason: text("requisiti mancanti"),
        }
        .into()],
    );
    reject(
        with(vec![applied(org(4))]),
        cmd(3, 4),
        NetworkError::NotCoordinator,
    );
    reject(base(), cmd(1, 2), NetworkError::AlreadyMember);
    reject(base(), cmd(1, 4), NetworkError::NoPendingApplication);
}

#[test]
fn admit_signatory() {
    let cmd = |o| NetworkCommand::AdmitSignatory {
        organization: org(o),
        protocol: protocol_id(1),
        effective_on: day(2019, 6, 1),
    };
    accept(
        base(),
        cmd(5),
        vec![MemberAdmittedBySignature {
            organization: org(5),
            protocol: protocol_id(1),
            effective_on: day(2019, 6, 1),
        }
        .into()],
    );
    // Already a member (or the process ran twice): nothing recorded.
    accept(base(), cmd(2), vec![]);
    // A replay after the signatory left does not re-admit it.
    let admitted: NetworkEvent = MemberAdmittedBySignature {
        organization: org(5),
        protocol: protocol_id(1),
        effective_on: day(2019, 6, 1),
    }
    .into();
    accept(with(vec![admitted, withdrawn(5)]), cmd(5), vec![]);
    reject(closed(), cmd(5), NetworkError::Closed);
    reject(base(), cmd(99), NetworkError::OrganizationNotFound);
}

#[test]
fn suspend() {
    let cmd = |by, o| NetworkCommand::Suspend {
        by: org(by),
        organization: org(o),
        reason: text("assenze ripetute"),
        effective_on: day(2013, 1, 1),
    };
    accept(base(), cmd(1, 2), vec![suspended(2)]);
    reject(base(), cmd(2, 3), NetworkError::NotCoordinator);
    reject(base(), cmd(1, 1), NetworkError::CoordinatorCannotLeave);
    reject(
        with(vec![suspended(2)]),
        cmd(1, 2),
        NetworkError::MembershipSuspended,
    );
    reject(base(), cmd(1, 4), NetworkError::NotAMember);
}

#[test]
fn reinstate() {
    let cmd = |by, o| NetworkCommand::Reinstate {
        by: org(by),
        organization: org(o),
        effective_on: day(2013, 6, 1),
    };
    accept(
        with(vec![suspended(2)]),
        cmd(1, 2),
        vec![MembershipReinstated {
            organization: org(2),
            effective_on: day(2013, 6, 1),
        }
        .into()],
    );
    reject(
        with(vec![suspended(2)]),
        cmd(3, 2),
        NetworkError::NotCoordinator,
    );
    reject(base(), cmd(1, 2), NetworkError::NotSuspended);
    reject(base(), cmd(1, 4), NetworkError::NotAMember);
}

fn withdrawn(o: u128) -> NetworkEvent {
    MembershipWithdrawn {
        organization: org(o),
        reason: None,
        effective_on: day(2016, 1, 1),
    }
    .into()
}

#[test]
fn withdraw() {
    let cmd = |by, o| NetworkCommand::Withdraw {
        by: org(by),
        organization: org(o),
        reason: None,
        effective_on: day(2016, 1, 1),
    };
    accept(base(), cmd(2, 2), vec![withdrawn(2)]);
    accept(with(vec![suspended(2)]), cmd(2, 2), vec![withdrawn(2)]);
    reject(base(), cmd(1, 2), NetworkError::NotActingForOrganization);
    reject(base(), cmd(4, 4), NetworkError::NotAMember);
    reject(
        with(vec![withdrawn(2)]),
        cmd(2, 2),
        NetworkError::NotAMember,
    );
    reject(base(), cmd(1, 1), NetworkError::CoordinatorCannotLeave);
    reject(closed(), cmd(2, 2), NetworkError::Closed);
}

#[test]
fn expel() {
    let cmd = |by, o| NetworkCommand::Expel {
        by: org(by),
        organization: org(o),
        reason: text("violazione del protocollo"),
        effective_on: day(2017, 1, 1),
    };
    accept(
        base(),
        cmd(1, 3),
        vec![MemberExpelled {
            organization: org(3),
            reason: text("violazione del protocollo"),
            effective_on: day(2017, 1, 1),
        }
        .into()],
    );
    reject(base(), cmd(2, 3), NetworkError::NotCoordinator);
    reject(base(), cmd(1, 1), NetworkError::CoordinatorCannotLeave);
    reject(base(), cmd(1, 4), NetworkError::NotAMember);
}

fn designate(by: u128, o: u128, r: u128, p: u128) -> NetworkCommand {
    NetworkCommand::DesignateReferent {
        by: org(by),
        organization: org(o),
        referent: referent(r),
        person: person(p),
        role: ReferentRole::Institutional,
        effective_on: day(2012, 3, 1),
    }
}

fn designated(o: u128, r: u128, p: u128) -> NetworkEvent {
    ReferentDesignated {
        referent: referent(r),
        organization: org(o),
        person: person(p),
        role: ReferentRole::Institutional,
        effective_on: day(2012, 3, 1),
    }
    .into()
}

#[test]
fn designate_referent() {
    accept(base(), designate(2, 2, 1, 1), vec![designated(2, 1, 1)]);
    // The coordinator may designate on a member's behalf.
    accept(base(), designate(1, 2, 1, 1), vec![designated(2, 1, 1)]);
    reject(
        base(),
        designate(3, 2, 1, 1),
        NetworkError::NotActingForOrganization,
    );
    reject(base(), designate(4, 4, 1, 1), NetworkError::NotAMember);
    reject(
        with(vec![suspended(2)]),
        designate(2, 2, 1, 1),
        NetworkError::MembershipSuspended,
    );
    reject(
        with(vec![designated(2, 1, 1)]),
        designate(2, 2, 1, 2),
        NetworkError::ReferentAlreadyDesignated,
    );
    reject(
        with(vec![designated(2, 1, 1)]),
        designate(2, 2, 2, 1),
        NetworkError::DuplicateReferent,
    );
}

#[test]
fn revoke_referent() {
    let cmd = |by, r| NetworkCommand::RevokeReferent {
        by: org(by),
        referent: referent(r),
        effective_on: day(2014, 1, 1),
    };
    accept(
        with(vec![designated(2, 1, 1)]),
        cmd(2, 1),
        vec![ReferentRevoked {
            referent: referent(1),
            organization: org(2),
            effective_on: day(2014, 1, 1),
        }
        .into()],
    );
    reject(
        with(vec![designated(2, 1, 1)]),
        cmd(3, 1),
        NetworkError::NotActingForOrganization,
    );
    reject(base(), cmd(2, 1), NetworkError::ReferentNotFound);
    // A member that leaves loses its referents.
    reject(
        with(vec![designated(2, 1, 1), withdrawn(2)]),
        cmd(2, 1),
        NetworkError::ReferentNotFound,
    );
}

#[test]
fn one_organization_never_holds_two_active_memberships() {
    let mut events = base();
    events.push(applied(org(4)));
    events.push(approved(org(4)));
    let mut network = Network::default();
    for event in events {
        cqrs_es::Aggregate::apply(&mut network, event);
    }
    assert_eq!(
        network.memberships.get(&org(4)),
        Some(&MembershipStatus::Active)
    );
    assert_eq!(network.memberships.len(), 4, "one entry per organization");
}
