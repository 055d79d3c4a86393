//! Activity: every command's success and every refusal it can produce. Network 1 is
//! coordinated by org 1; working group 1 (lead 2) belongs to it, group 2 is dissolved.
mod common;

use aggregates::activity::*;
use aggregates::values::{DocumentHash, Link};
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<Activity>;

fn accept(given: Vec<ActivityEvent>, command: ActivityCommand, expected: Vec<ActivityEvent>) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<ActivityEvent>, command: ActivityCommand, error: ActivityError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn details() -> ActivityDetails {
    ActivityDetails {
        kind: ActivityKind::Campaign,
        title: name("#rispettonellosport"),
        description: Some(text(
            "Spot proiettato allo Stadio Olimpico e poi a Porta Susa",
        )),
        starts_on: day(2019, 11, 23),
        ends_on: Some(day(2019, 12, 15)),
        // A member and an organization that is not one (the university).
        organizations: [org(2), org(5)].into(),
        audience: vec![AudienceCount {
            group: name("Spettatori"),
            count: 25_000,
        }],
        outputs: vec![ActivityOutput {
            title: name("Lo spot"),
            link: Some(Link::parse("https://www.example.org/spot").unwrap()),
            document: None,
        }],
    }
}

fn record_as(
    by: u128,
    network: u128,
    working_group: Option<u128>,
    details: ActivityDetails,
) -> ActivityCommand {
    ActivityCommand::Record {
        id: activity_id(1),
        network: net(network),
        working_group: working_group.map(group),
        by: org(by),
        details,
    }
}

fn recorded() -> Vec<ActivityEvent> {
    vec![ActivityRecorded {
        activity_id: activity_id(1),
        network: net(1),
        working_group: Some(group(1)),
        details: details(),
    }
    .into()]
}

fn cancelled() -> Vec<ActivityEvent> {
    let mut events = recorded();
    events.push(
        ActivityCancelled {
            reason: text("Rinviata"),
            cancelled_on: day(2019, 11, 1),
        }
        .into(),
    );
    events
}

#[test]
fn record_an_activity() {
    use ActivityError as E;
    // The group's lead records the group's activity; the coordinator may too.
    accept(vec![], record_as(2, 1, Some(1), details()), recorded());
    accept(
        vec![],
        record_as(1, 1, None, details()),
        vec![ActivityRecorded {
            activity_id: activity_id(1),
            network: net(1),
            working_group: None,
            details: details(),
        }
        .into()],
    );
    reject(
        recorded(),
        record_as(2, 1, Some(1), details()),
        E::AlreadyRecorded,
    );
    reject(vec![], record_as(1, 9, None, details()), E::NetworkNotFound);
    reject(vec![], record_as(1, 2, None, details()), E::NetworkClosed);
    // A member outside the group, or any member for the network's own activity: refused.
    reject(
        vec![],
        record_as(3, 1, Some(1), details()),
        E::NotAuthorised,
    );
    reject(vec![], record_as(2, 1, None, details()), E::NotAuthorised);
    reject(
        vec![],
        record_as(1, 1, Some(7), details()),
        E::WorkingGroupNotFound,
    );
    reject(
        vec![],
        record_as(1, 1, Some(2), details()),
        E::WorkingGroupDissolved,
    );
}

#[test]
fn details_are_checked() {
    use ActivityError as E;
    let with = |f: fn(&mut ActivityDetails)| {
        let mut d = details();
        f(&mut d);
        record_as(1, 1, None, d)
    };
    reject(
        vec![],
        with(|d| d.ends_on = Some(day(2019, 11, 22))),
        E::EndBeforeStart,
    );
    reject(
        vec![],
        with(|d| d.organizations.clear()),
        E::OrganizationCount,
    );
    reject(
        vec![],
        with(|d| {
            d.organizations.insert(org(77));
        }),
        E::UnknownOrganization(org(77)),
    );
    reject(
        vec![],
        with(|d| {
            d.audience.push(AudienceCount {
                group: name("spettatori"),
                count: 1,
            })
        }),
        E::DuplicateAudience(name("spettatori")),
    );
    reject(
        vec![],
        with(|d| {
            d.outputs.push(ActivityOutput {
                title: name("Un video"),
                link: None,
                document: None,
            })
        }),
        E::OutputWithoutTarget(name("Un video")),
    );
    reject(
        vec![],
        with(|d| {
            d.audience = (0..=AUDIENCE_MAX)
                .map(|i| AudienceCount {
                    group: name(&format!("g{i}")),
                    count: 1,
                })
                .collect()
        }),
        E::AudienceCount,
    );
    let document = |d: &mut ActivityDetails| {
        d.outputs = vec![ActivityOutput {
            title: name("Le slide"),
            link: None,
            document: Some(DocumentHash::parse(&"a".repeat(64)).unwrap()),
        }]
    };
    accept(vec![], with(document), {
        let mut d = details();
        document(&mut d);
        vec![ActivityRecorded {
            activity_id: activity_id(1),
            network: net(1),
            working_group: None,
            details: d,
        }
        .into()]
    });
}

#[test]
fn update_and_cancel() {
    use ActivityError as E;
    let mut changed = details();
    changed.audience[0].count = 30_000;
    let update = |by| ActivityCommand::Update {
        by: org(by),
        details: changed.clone(),
    };
    accept(
        recorded(),
        update(2),
        vec![ActivityUpdated {
            details: changed.clone(),
        }
        .into()],
    );
    accept(
        recorded(),
        update(1),
        vec![ActivityUpdated {
            details: changed.clone(),
        }
        .into()],
    );
    reject(recorded(), update(3), E::NotAuthorised);
    reject(vec![], update(1), E::NotFound);
    reject(cancelled(), update(1), E::Cancelled);
    let cancel = |by| ActivityCommand::Cancel {
        by: org(by),
        reason: text("Rinviata"),
        cancelled_on: day(2019, 11, 1),
    };
    accept(recorded(), cancel(2), cancelled()[1..].to_vec());
    reject(cancelled(), cancel(1), E::Cancelled);
    reject(vec![], cancel(1), E::NotFound);
    reject(recorded(), cancel(3), E::NotAuthorised);
}

#[test]
fn a_directory_that_cannot_answer_refuses_without_guessing() {
    F::with(broken_services())
        .given(vec![])
        .when(record_as(1, 1, None, details()))
        .then_expect_error(ActivityError::Directory(aggregates::DirectoryUnavailable));
}

#[test]
fn refusals_name_the_field_at_fault() {
    use aggregates::errors::ErrorCode;
    assert_eq!(
        ActivityError::EndBeforeStart.field(),
        Some(vec!["details", "ends_on"])
    );
    assert_eq!(
        ActivityError::WorkingGroupDissolved.field(),
        Some(vec!["working_group"])
    );
    assert_eq!(ActivityError::NotAuthorised.field(), None);
}
