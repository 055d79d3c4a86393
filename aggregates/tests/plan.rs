//! Plan: every command's success and every refusal it can produce, and the process that turns
//! an approved plan's lines into commitments (idempotent: the same ids every time). Network 1
//! is coordinated by org 1 with members 2 and 3; protocol 1 is network 1's.
mod common;

use aggregates::commitment::{CommitmentCommand, CommitmentSource};
use aggregates::plan::*;
use aggregates::processes::{
    on_plan_event, plan_line_commitment_id, PendingCommitment, ProcessCommand,
};
use aggregates::values::DateRange;
use common::*;
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

type F = TestFramework<Plan>;

fn accept(given: Vec<PlanEvent>, command: PlanCommand, expected: Vec<PlanEvent>) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<PlanEvent>, command: PlanCommand, error: PlanError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn content() -> PlanContent {
    PlanContent {
        title: name("Piano Integrato Locale 2015-2018"),
        period: DateRange::new(day(2015, 6, 1), Some(day(2018, 5, 31))).unwrap(),
        funding: vec![Funding {
            source: name("Regione Puglia"),
            amount_cents: 15_000_000,
        }],
        protocols: [protocol_id(1)].into(),
        lines: vec![
            PlanLine {
                number: 1,
                title: name("Mappatura dei servizi esistenti"),
                responsible: [org(2)].into(),
                targets: vec![Target {
                    description: name("Servizi mappati"),
                    unit: name("servizi"),
                    value: 40,
                }],
                budget_cents: Some(1_000_000),
                due_on: Some(day(2016, 5, 31)),
            },
            PlanLine {
                number: 2,
                title: name("Potenziamento delle équipes multidisciplinari"),
                responsible: [org(2), org(3)].into(),
                targets: vec![
                    Target {
                        description: name("Équipes attive"),
                        unit: name("équipes"),
                        value: 3,
                    },
                    Target {
                        description: name("Operatori formati"),
                        unit: name("operatori"),
                        value: 60,
                    },
                ],
                budget_cents: None,
                due_on: None,
            },
        ],
    }
}

fn adopt_as(by: u128, network: u128, content: PlanContent) -> PlanCommand {
    PlanCommand::Adopt {
        id: plan_id(1),
        network: net(network),
        by: org(by),
        content,
        adopted_on: day(2015, 5, 20),
    }
}

fn adopted() -> Vec<PlanEvent> {
    vec![PlanAdopted {
        plan_id: plan_id(1),
        network: net(1),
        content: content(),
        adopted_on: day(2015, 5, 20),
    }
    .into()]
}

fn approved() -> Vec<PlanEvent> {
    let mut events = adopted();
    events.push(
        PlanApproved {
            approved_on: day(2015, 6, 1),
        }
        .into(),
    );
    events
}

fn report(by: u128, line: u16, target: u16, on: chrono::NaiveDate) -> PlanCommand {
    PlanCommand::ReportProgress {
        by: org(by),
        line,
        target,
        reached: 12,
        evidence: text("Relazione semestrale"),
        reported_on: on,
    }
}

#[test]
fn adopt_a_plan() {
    use PlanError as E;
    accept(vec![], adopt_as(1, 1, content()), adopted());
    reject(adopted(), adopt_as(1, 1, content()), E::AlreadyAdopted);
    reject(vec![], adopt_as(1, 9, content()), E::NetworkNotFound);
    reject(vec![], adopt_as(1, 2, content()), E::NetworkClosed);
    reject(vec![], adopt_as(2, 1, content()), E::NotCoordinator);
}

#[test]
fn a_plan_must_be_well_formed() {
    use PlanError as E;
    let with = |f: fn(&mut PlanContent)| {
        let mut c = content();
        f(&mut c);
        adopt_as(1, 1, c)
    };
    reject(
        vec![],
        with(|c| c.period = DateRange::new(day(2015, 6, 1), None).unwrap()),
        E::OpenPeriod,
    );
    reject(vec![], with(|c| c.lines.clear()), E::LineNumbers);
    reject(vec![], with(|c| c.lines[1].number = 3), E::LineNumbers);
    reject(
        vec![],
        with(|c| c.lines[0].responsible.clear()),
        E::NoResponsible(1),
    );
    reject(
        vec![],
        with(|c| {
            c.lines[0].responsible.insert(org(4));
        }),
        E::NotNetworkMember(org(4)),
    );
    reject(
        vec![],
        with(|c| c.lines[0].due_on = Some(day(2019, 1, 1))),
        E::DueOutsidePeriod(1),
    );
    reject(
        vec![],
        with(|c| {
            c.protocols.insert(protocol_id(2));
        }),
        E::UnknownProtocol(protocol_id(2)),
    );
    reject(
        vec![],
        with(|c| {
            c.protocols.insert(protocol_id(7));
        }),
        E::UnknownProtocol(protocol_id(7)),
    );
    reject(
        vec![],
        with(|c| {
            c.lines[0].targets = (0..=TARGETS_MAX as u64)
                .map(|v| Target {
                    description: name("x"),
                    unit: name("u"),
                    value: v,
                })
                .collect()
        }),
        E::TargetCount(1),
    );
    reject(
        vec![],
        with(|c| {
            c.funding = (0..=FUNDING_MAX as u64)
                .map(|v| Funding {
                    source: name("Fonte"),
                    amount_cents: v,
                })
                .collect()
        }),
        E::TooMany,
    );
}

#[test]
fn amend_while_draft_then_approve_once() {
    use PlanError as E;
    let mut amended = content();
    amended.lines[0].targets[0].value = 50;
    let amend = |by| PlanCommand::Amend {
        by: org(by),
        content: amended.clone(),
        amended_on: day(2015, 5, 25),
    };
    accept(
        adopted(),
        amend(1),
        vec![PlanAmended {
            content: amended.clone(),
            amended_on: day(2015, 5, 25),
        }
        .into()],
    );
    reject(adopted(), amend(2), E::NotCoordinator);
    reject(approved(), amend(1), E::NotDraft);
    reject(vec![], amend(1), E::NotFound);
    let approve = |by| PlanCommand::Approve {
        by: org(by),
        approved_on: day(2015, 6, 1),
    };
    accept(adopted(), approve(1), approved()[1..].to_vec());
    reject(approved(), approve(1), E::NotDraft);
    reject(adopted(), approve(3), E::NotCoordinator);
}

#[test]
fn report_progress_on_a_line() {
    use PlanError as E;
    let reported = |by: u128, line, target, on| -> PlanEvent {
        PlanProgressReported {
            by: org(by),
            line,
            target,
            reached: 12,
            evidence: text("Relazione semestrale"),
            reported_on: on,
        }
        .into()
    };
    // A responsible organization, or the coordinator.
    accept(
        approved(),
        report(2, 1, 1, day(2015, 12, 1)),
        vec![reported(2, 1, 1, day(2015, 12, 1))],
    );
    accept(
        approved(),
        report(1, 2, 2, day(2015, 12, 1)),
        vec![reported(1, 2, 2, day(2015, 12, 1))],
    );
    reject(
        approved(),
        report(3, 1, 1, day(2015, 12, 1)),
        E::NotResponsible(1),
    );
    reject(adopted(), report(2, 1, 1, day(2015, 12, 1)), E::NotApproved);
    reject(
        approved(),
        report(2, 9, 1, day(2015, 12, 1)),
        E::UnknownLine(9),
    );
    reject(
        approved(),
        report(2, 1, 2, day(2015, 12, 1)),
        E::UnknownTarget { line: 1, target: 2 },
    );
    reject(
        approved(),
        report(2, 1, 0, day(2015, 12, 1)),
        E::UnknownTarget { line: 1, target: 0 },
    );
    reject(
        approved(),
        report(2, 1, 1, day(2015, 5, 1)),
        E::BeforeLastChange,
    );
    let mut later = approved();
    later.push(reported(2, 1, 1, day(2016, 1, 1)));
    reject(
        later,
        report(2, 1, 1, day(2015, 12, 1)),
        E::BeforeLastChange,
    );
}

#[test]
fn close_a_plan() {
    use PlanError as E;
    let close = |by| PlanCommand::Close {
        by: org(by),
        closed_on: day(2018, 6, 30),
    };
    accept(
        approved(),
        close(1),
        vec![PlanClosed {
            closed_on: day(2018, 6, 30),
        }
        .into()],
    );
    reject(approved(), close(2), E::NotCoordinator);
    let mut closed = approved();
    closed.push(
        PlanClosed {
            closed_on: day(2018, 6, 30),
        }
        .into(),
    );
    reject(closed.clone(), close(1), E::Closed);
    reject(closed, report(2, 1, 1, day(2018, 7, 1)), E::Closed);
}

#[test]
fn a_directory_that_cannot_answer_refuses_without_guessing() {
    F::with(broken_services())
        .given(vec![])
        .when(adopt_as(1, 1, content()))
        .then_expect_error(PlanError::Directory(aggregates::DirectoryUnavailable));
}

fn state(events: Vec<PlanEvent>) -> Plan {
    let mut plan = Plan::default();
    for e in events {
        plan.apply(e);
    }
    plan
}

#[test]
fn approval_gives_each_responsible_organization_its_lines_commitment_once() {
    let plan = state(approved());
    let event: PlanEvent = PlanApproved {
        approved_on: day(2015, 6, 1),
    }
    .into();
    let commands = on_plan_event(plan_id(1), &plan, &event, &[]);
    // Line 1: org 2; line 2: orgs 2 and 3.
    let created: Vec<(
        u16,
        aggregates::ids::OrganizationId,
        Option<chrono::NaiveDate>,
    )> = commands
        .iter()
        .map(|c| match c {
            ProcessCommand::Commitment(
                id,
                CommitmentCommand::Create {
                    id: inner,
                    source: CommitmentSource::PlanLine { plan, line },
                    obligor,
                    due_on,
                    created_on,
                    network,
                    ..
                },
            ) => {
                assert_eq!(id, inner);
                assert_eq!(*plan, plan_id(1));
                assert_eq!(*network, net(1));
                assert_eq!(*created_on, day(2015, 6, 1));
                assert_eq!(*id, plan_line_commitment_id(plan_id(1), *line, *obligor));
                (*line, *obligor, *due_on)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        created,
        [
            (1, org(2), Some(day(2016, 5, 31))),
            (2, org(2), Some(day(2018, 5, 31))),
            (2, org(3), Some(day(2018, 5, 31)))
        ]
    );
    // Replaying the event asks for the very same commitments (same ids): nothing twice.
    assert_eq!(on_plan_event(plan_id(1), &plan, &event, &[]), commands);
    // Other events cause nothing.
    let adopted_event = adopted().remove(0);
    assert!(on_plan_event(plan_id(1), &plan, &adopted_event, &[]).is_empty());
}

#[test]
fn closing_cancels_what_the_plans_lines_still_owe() {
    let plan = state(approved());
    let pending = |id: u128, source| PendingCommitment {
        id: commitment_id(id),
        network: net(1),
        obligor: org(2),
        source,
        created_on: day(2015, 6, 1),
    };
    let pending = [
        pending(
            1,
            CommitmentSource::PlanLine {
                plan: plan_id(1),
                line: 1,
            },
        ),
        pending(
            2,
            CommitmentSource::PlanLine {
                plan: plan_id(2),
                line: 1,
            },
        ),
        pending(3, CommitmentSource::Coordinator { by: org(1) }),
    ];
    let closed: PlanEvent = PlanClosed {
        closed_on: day(2018, 6, 30),
    }
    .into();
    let commands = on_plan_event(plan_id(1), &plan, &closed, &pending);
    assert_eq!(commands.len(), 1);
    assert!(
        matches!(&commands[0], ProcessCommand::Commitment(id, CommitmentCommand::Cancel { cancelled_on, .. }) if *id == commitment_id(1) && *cancelled_on == day(2018, 6, 30))
    );
}
