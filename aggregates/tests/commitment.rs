//! Commitment: every command's success and every rejection it can produce; overdue derived.
mod common;

use aggregates::commitment::*;
use aggregates::directory::DirectoryUnavailable;
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<Commitment>;

fn accept(given: Vec<CommitmentEvent>, command: CommitmentCommand, expected: Vec<CommitmentEvent>) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<CommitmentEvent>, command: CommitmentCommand, error: CommitmentError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn source() -> CommitmentSource {
    CommitmentSource::ProtocolClause {
        protocol: protocol_id(1),
        version: 1,
        clause: 2,
    }
}

fn create_cmd(network: u128, obligor: u128, source: CommitmentSource) -> CommitmentCommand {
    CommitmentCommand::Create {
        id: commitment_id(1),
        network: net(network),
        source,
        obligor: org(obligor),
        title: name("Individuare un proprio referente"),
        description: None,
        due_on: Some(day(2019, 6, 1)),
        created_on: day(2019, 3, 1),
    }
}

fn created() -> Vec<CommitmentEvent> {
    vec![CommitmentCreated {
        commitment_id: commitment_id(1),
        network: net(1),
        source: source(),
        obligor: org(2),
        title: name("Individuare un proprio referente"),
        description: None,
        due_on: Some(day(2019, 6, 1)),
        created_on: day(2019, 3, 1),
    }
    .into()]
}

fn with(more: CommitmentEvent) -> Vec<CommitmentEvent> {
    let mut events = created();
    events.push(more);
    events
}

fn fulfilled() -> CommitmentEvent {
    CommitmentFulfilled {
        by: org(2),
        note: text("Referente designato con determina"),
        evidence: Some(hash('c')),
        fulfilled_on: day(2019, 5, 1),
    }
    .into()
}

fn cancelled() -> CommitmentEvent {
    CommitmentCancelled {
        reason: text("the organization withdrew from the network"),
        cancelled_on: day(2019, 5, 1),
    }
    .into()
}

#[test]
fn create() {
    accept(vec![], create_cmd(1, 2, source()), created());
    // The same source again (a process replayed) records nothing.
    accept(created(), create_cmd(1, 2, source()), vec![]);
    let other = CommitmentSource::Coordinator { by: org(1) };
    reject(
        created(),
        create_cmd(1, 2, other),
        CommitmentError::AlreadyExists,
    );
    reject(
        vec![],
        create_cmd(9, 2, source()),
        CommitmentError::NetworkNotFound,
    );
    reject(
        vec![],
        create_cmd(1, 99, source()),
        CommitmentError::ObligorNotFound,
    );
    reject(
        vec![],
        create_cmd(1, 2, CommitmentSource::Coordinator { by: org(2) }),
        CommitmentError::NotCoordinator,
    );
    let mut early = create_cmd(1, 2, source());
    if let CommitmentCommand::Create { due_on, .. } = &mut early {
        *due_on = Some(day(2019, 2, 1));
    }
    reject(vec![], early, CommitmentError::DueBeforeCreation);
    F::with(broken_services())
        .given_no_previous_events()
        .when(create_cmd(1, 2, source()))
        .then_expect_error(CommitmentError::Directory(DirectoryUnavailable));
}

#[test]
fn report_progress() {
    let cmd = |by| CommitmentCommand::ReportProgress {
        by: org(by),
        note: text("Bozza di determina predisposta"),
        reported_on: day(2019, 4, 1),
    };
    let expected: CommitmentEvent = CommitmentProgressReported {
        by: org(2),
        note: text("Bozza di determina predisposta"),
        reported_on: day(2019, 4, 1),
    }
    .into();
    accept(created(), cmd(2), vec![expected]);
    reject(created(), cmd(3), CommitmentError::NotObligor);
    reject(vec![], cmd(2), CommitmentError::NotFound);
    reject(
        with(fulfilled()),
        cmd(2),
        CommitmentError::AlreadyClosed(CommitmentStatus::Fulfilled),
    );
}

#[test]
fn fulfil() {
    let cmd = |by| CommitmentCommand::Fulfil {
        by: org(by),
        note: text("Referente designato con determina"),
        evidence: Some(hash('c')),
        fulfilled_on: day(2019, 5, 1),
    };
    accept(created(), cmd(2), vec![fulfilled()]);
    // The coordinator may record fulfilment on the obligor's behalf.
    accept(
        created(),
        cmd(1),
        vec![CommitmentFulfilled {
            by: org(1),
            note: text("Referente designato con determina"),
            evidence: Some(hash('c')),
            fulfilled_on: day(2019, 5, 1),
        }
        .into()],
    );
    reject(created(), cmd(3), CommitmentError::NotObligor);
    reject(
        with(cancelled()),
        cmd(2),
        CommitmentError::AlreadyClosed(CommitmentStatus::Cancelled),
    );
}

#[test]
fn waive() {
    let cmd = |by| CommitmentCommand::Waive {
        by: org(by),
        reason: text("Non più pertinente"),
        waived_on: day(2019, 5, 1),
    };
    accept(
        created(),
        cmd(1),
        vec![CommitmentWaived {
            by: org(1),
            reason: text("Non più pertinente"),
            waived_on: day(2019, 5, 1),
        }
        .into()],
    );
    reject(created(), cmd(2), CommitmentError::NotCoordinator);
    reject(
        with(fulfilled()),
        cmd(1),
        CommitmentError::AlreadyClosed(CommitmentStatus::Fulfilled),
    );
}

#[test]
fn cancel() {
    let cmd = || CommitmentCommand::Cancel {
        reason: text("the organization withdrew from the network"),
        cancelled_on: day(2019, 5, 1),
    };
    accept(created(), cmd(), vec![cancelled()]);
    // A process replayed: already cancelled, nothing more.
    accept(with(cancelled()), cmd(), vec![]);
    reject(
        with(fulfilled()),
        cmd(),
        CommitmentError::AlreadyClosed(CommitmentStatus::Fulfilled),
    );
    reject(vec![], cmd(), CommitmentError::NotFound);
}

#[test]
fn reopen() {
    let cmd = |by| CommitmentCommand::Reopen {
        by: org(by),
        reason: text("La determina è stata annullata"),
        reopened_on: day(2019, 7, 1),
    };
    accept(
        with(fulfilled()),
        cmd(1),
        vec![CommitmentReopened {
            by: org(1),
            reason: text("La determina è stata annullata"),
            reopened_on: day(2019, 7, 1),
        }
        .into()],
    );
    reject(created(), cmd(1), CommitmentError::NotClosed);
    reject(with(fulfilled()), cmd(2), CommitmentError::NotCoordinator);
    reject(vec![], cmd(1), CommitmentError::NotFound);
}

#[test]
fn overdue_is_derived_from_the_due_date_and_the_moment_of_the_question() {
    let mut commitment = Commitment::default();
    for event in created() {
        cqrs_es::Aggregate::apply(&mut commitment, event);
    }
    assert!(
        !commitment.is_overdue(day(2019, 6, 1)),
        "due today is not overdue"
    );
    assert!(commitment.is_overdue(day(2019, 6, 2)));
    cqrs_es::Aggregate::apply(&mut commitment, fulfilled());
    assert!(
        !commitment.is_overdue(day(2025, 1, 1)),
        "fulfilled is never overdue"
    );
    assert!(
        !is_overdue(CommitmentStatus::Open, None, day(2100, 1, 1)),
        "no due date, never overdue"
    );
}
