//! Working group: every command's success and every rejection it can produce.
mod common;

use aggregates::working_group::*;
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<WorkingGroup>;

fn accept(
    given: Vec<WorkingGroupEvent>,
    command: WorkingGroupCommand,
    expected: Vec<WorkingGroupEvent>,
) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<WorkingGroupEvent>, command: WorkingGroupCommand, error: WorkingGroupError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn form(network: u128, by: u128, lead: u128) -> WorkingGroupCommand {
    WorkingGroupCommand::Form {
        id: group(1),
        network: net(network),
        by: org(by),
        name: name("Accoglienza"),
        mandate: text("promuovere percorsi di confronto e scambio tra i partner"),
        lead: org(lead),
        formed_on: day(2015, 5, 1),
    }
}

fn formed_one() -> Vec<WorkingGroupEvent> {
    vec![formed(group(1), net(1), org(2))]
}

fn added(o: u128) -> WorkingGroupEvent {
    WorkingGroupMemberAdded {
        organization: org(o),
        effective_on: day(2015, 6, 1),
    }
    .into()
}

fn dissolved() -> Vec<WorkingGroupEvent> {
    let mut events = formed_one();
    events.push(
        WorkingGroupDissolved {
            reason: text("mandato concluso"),
            dissolved_on: day(2020, 1, 1),
        }
        .into(),
    );
    events
}

#[test]
fn form_group() {
    accept(vec![], form(1, 1, 2), formed_one());
    reject(
        formed_one(),
        form(1, 1, 2),
        WorkingGroupError::AlreadyFormed,
    );
    reject(vec![], form(9, 1, 2), WorkingGroupError::NetworkNotFound);
    reject(vec![], form(2, 1, 1), WorkingGroupError::NetworkClosed);
    reject(vec![], form(1, 2, 2), WorkingGroupError::NotAuthorised);
    reject(
        vec![],
        form(1, 1, 4),
        WorkingGroupError::NotNetworkMember(org(4)),
    );
}

#[test]
fn add_member() {
    let cmd = |by, o| WorkingGroupCommand::AddMember {
        by: org(by),
        organization: org(o),
        effective_on: day(2015, 6, 1),
    };
    accept(formed_one(), cmd(1, 3), vec![added(3)]);
    // The group's lead may add members too.
    accept(formed_one(), cmd(2, 3), vec![added(3)]);
    reject(formed_one(), cmd(3, 3), WorkingGroupError::NotAuthorised);
    reject(formed_one(), cmd(1, 2), WorkingGroupError::AlreadyMember);
    reject(
        formed_one(),
        cmd(1, 4),
        WorkingGroupError::NotNetworkMember(org(4)),
    );
    reject(dissolved(), cmd(1, 3), WorkingGroupError::Dissolved);
    reject(vec![], cmd(1, 3), WorkingGroupError::NotFound);
}

#[test]
fn remove_member() {
    let cmd = |by, o| WorkingGroupCommand::RemoveMember {
        by: org(by),
        organization: org(o),
        effective_on: day(2016, 1, 1),
    };
    let mut with_three = formed_one();
    with_three.push(added(3));
    accept(
        with_three.clone(),
        cmd(1, 3),
        vec![WorkingGroupMemberRemoved {
            organization: org(3),
            effective_on: day(2016, 1, 1),
        }
        .into()],
    );
    reject(formed_one(), cmd(1, 3), WorkingGroupError::NotMember);
    reject(
        with_three.clone(),
        cmd(1, 2),
        WorkingGroupError::CannotRemoveLead,
    );
    reject(with_three, cmd(3, 3), WorkingGroupError::NotAuthorised);
}

#[test]
fn dissolve() {
    let cmd = |by| WorkingGroupCommand::Dissolve {
        by: org(by),
        reason: text("mandato concluso"),
        dissolved_on: day(2020, 1, 1),
    };
    accept(formed_one(), cmd(1), dissolved()[1..].to_vec());
    reject(dissolved(), cmd(1), WorkingGroupError::Dissolved);
    reject(formed_one(), cmd(3), WorkingGroupError::NotAuthorised);
    // A group of a network that has since closed cannot be changed.
    reject(
        vec![formed(group(1), net(2), org(1))],
        cmd(1),
        WorkingGroupError::NetworkClosed,
    );
}

#[test]
fn form_when_the_directory_is_down_is_rejected() {
    F::with(broken_services())
        .given_no_previous_events()
        .when(form(1, 1, 2))
        .then_expect_error(WorkingGroupError::Directory(
            aggregates::directory::DirectoryUnavailable,
        ));
}
