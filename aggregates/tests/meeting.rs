//! Meeting: every command's success and every rejection it can produce.
mod common;

use aggregates::meeting::*;
use aggregates::values::Link;
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<Meeting>;

fn accept(given: Vec<MeetingEvent>, command: MeetingCommand, expected: Vec<MeetingEvent>) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<MeetingEvent>, command: MeetingCommand, error: MeetingError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn venue() -> Venue {
    Venue::InPerson {
        address: name("Corso Inghilterra 7, Torino"),
    }
}

fn online() -> Venue {
    Venue::Online {
        link: Link::parse("https://meet.example.org/tavolo").unwrap(),
    }
}

fn schedule(network: u128, working_group: Option<u128>, ends_hour: u32) -> MeetingCommand {
    MeetingCommand::Schedule {
        id: meeting_id(1),
        network: net(network),
        working_group: working_group.map(group),
        kind: MeetingKind::Plenary,
        title: name("Seduta plenaria del Tavolo"),
        starts_at: at(2020, 6, 22, 9),
        ends_at: Some(at(2020, 6, 22, ends_hour)),
        venue: venue(),
        agenda: vec![
            text("Approvazione del verbale precedente"),
            text("Piano formativo"),
        ],
        public: true,
    }
}

fn scheduled() -> Vec<MeetingEvent> {
    vec![MeetingScheduled {
        meeting_id: meeting_id(1),
        network: net(1),
        working_group: None,
        kind: MeetingKind::Plenary,
        title: name("Seduta plenaria del Tavolo"),
        starts_at: at(2020, 6, 22, 9),
        ends_at: Some(at(2020, 6, 22, 12)),
        venue: venue(),
        agenda: vec![
            text("Approvazione del verbale precedente"),
            text("Piano formativo"),
        ],
        public: true,
    }
    .into()]
}

fn then(mut events: Vec<MeetingEvent>, more: Vec<MeetingEvent>) -> Vec<MeetingEvent> {
    events.extend(more);
    events
}

fn cancelled() -> Vec<MeetingEvent> {
    then(
        scheduled(),
        vec![MeetingCancelled {
            reason: text("sciopero dei trasporti"),
        }
        .into()],
    )
}

fn opened() -> Vec<MeetingEvent> {
    then(
        scheduled(),
        vec![MeetingOpened {
            opened_at: at(2020, 6, 22, 9),
        }
        .into()],
    )
}

fn closed() -> Vec<MeetingEvent> {
    then(
        opened(),
        vec![MeetingClosed {
            closed_at: at(2020, 6, 22, 12),
        }
        .into()],
    )
}

fn drafted_minutes() -> Vec<MeetingEvent> {
    then(
        closed(),
        vec![MinutesDrafted {
            version: 1,
            document_hash: hash('d'),
        }
        .into()],
    )
}

fn approved_minutes() -> Vec<MeetingEvent> {
    then(
        drafted_minutes(),
        vec![MinutesApproved {
            version: 1,
            document_hash: hash('d'),
            approved_on: day(2020, 7, 20),
        }
        .into()],
    )
}

#[test]
fn schedule_meeting() {
    accept(vec![], schedule(1, None, 12), scheduled());
    let mut in_group = scheduled();
    if let MeetingEvent::MeetingScheduled(e) = &mut in_group[0] {
        e.working_group = Some(group(1));
    }
    accept(vec![], schedule(1, Some(1), 12), in_group);
    reject(
        scheduled(),
        schedule(1, None, 12),
        MeetingError::AlreadyScheduled,
    );
    reject(vec![], schedule(1, None, 8), MeetingError::EndsBeforeStart);
    reject(vec![], schedule(9, None, 12), MeetingError::NetworkNotFound);
    reject(vec![], schedule(2, None, 12), MeetingError::NetworkClosed);
    reject(
        vec![],
        schedule(1, Some(7), 12),
        MeetingError::WorkingGroupNotFound,
    );
    reject(
        vec![],
        schedule(1, Some(2), 12),
        MeetingError::WorkingGroupDissolved,
    );
}

#[test]
fn reschedule() {
    let cmd = |end, venue| MeetingCommand::Reschedule {
        starts_at: at(2020, 6, 29, 9),
        ends_at: Some(at(2020, 6, 29, end)),
        venue,
    };
    accept(
        scheduled(),
        cmd(12, Some(online())),
        vec![MeetingRescheduled {
            starts_at: at(2020, 6, 29, 9),
            ends_at: Some(at(2020, 6, 29, 12)),
            venue: online(),
        }
        .into()],
    );
    // Without a new venue the old one is kept.
    accept(
        scheduled(),
        cmd(12, None),
        vec![MeetingRescheduled {
            starts_at: at(2020, 6, 29, 9),
            ends_at: Some(at(2020, 6, 29, 12)),
            venue: venue(),
        }
        .into()],
    );
    reject(scheduled(), cmd(8, None), MeetingError::EndsBeforeStart);
    reject(opened(), cmd(12, None), MeetingError::AlreadyStarted);
    reject(cancelled(), cmd(12, None), MeetingError::Cancelled);
    reject(vec![], cmd(12, None), MeetingError::NotFound);
}

#[test]
fn cancel() {
    let cmd = || MeetingCommand::Cancel {
        reason: text("sciopero dei trasporti"),
    };
    accept(scheduled(), cmd(), cancelled()[1..].to_vec());
    reject(cancelled(), cmd(), MeetingError::Cancelled);
    reject(opened(), cmd(), MeetingError::AlreadyStarted);
}

#[test]
fn record_attendance() {
    let cmd = |o, attendance| MeetingCommand::RecordAttendance {
        organization: org(o),
        attendance,
        represented_by: Some(person(1)),
    };
    accept(
        opened(),
        cmd(2, Attendance::Present),
        vec![AttendanceRecorded {
            organization: org(2),
            attendance: Attendance::Present,
            represented_by: Some(person(1)),
        }
        .into()],
    );
    reject(
        cancelled(),
        cmd(2, Attendance::Present),
        MeetingError::Cancelled,
    );
    reject(
        opened(),
        cmd(4, Attendance::Excused),
        MeetingError::NotNetworkMember(org(4)),
    );
    reject(vec![], cmd(2, Attendance::Absent), MeetingError::NotFound);
}

#[test]
fn open_meeting() {
    let cmd = || MeetingCommand::Open {
        opened_at: at(2020, 6, 22, 9),
    };
    accept(scheduled(), cmd(), opened()[1..].to_vec());
    reject(opened(), cmd(), MeetingError::AlreadyStarted);
    reject(cancelled(), cmd(), MeetingError::Cancelled);
}

fn item(o: u128, due: Option<chrono::NaiveDate>) -> ActionItem {
    ActionItem {
        obligor: org(o),
        title: name("Predisporre il piano formativo"),
        due_on: due,
    }
}

#[test]
fn record_decision() {
    let cmd = |items: Vec<ActionItem>| MeetingCommand::RecordDecision {
        text: text("Si approva il piano formativo 2020"),
        action_items: items,
    };
    accept(
        opened(),
        cmd(vec![item(2, Some(day(2020, 9, 30)))]),
        vec![DecisionRecorded {
            decision: 1,
            text: text("Si approva il piano formativo 2020"),
            action_items: vec![item(2, Some(day(2020, 9, 30)))],
            decided_on: day(2020, 6, 22),
        }
        .into()],
    );
    reject(scheduled(), cmd(vec![]), MeetingError::NotOpen);
    reject(closed(), cmd(vec![]), MeetingError::NotOpen);
    reject(
        opened(),
        cmd(vec![item(4, None)]),
        MeetingError::NotNetworkMember(org(4)),
    );
    reject(
        opened(),
        cmd(vec![item(2, None), item(2, None)]),
        MeetingError::DuplicateActionItem(2),
    );
    reject(
        opened(),
        cmd(vec![item(2, Some(day(2020, 6, 1)))]),
        MeetingError::DueBeforeDecision(1),
    );
}

#[test]
fn close_meeting() {
    let cmd = || MeetingCommand::Close {
        closed_at: at(2020, 6, 22, 12),
    };
    accept(opened(), cmd(), closed()[opened().len()..].to_vec());
    reject(scheduled(), cmd(), MeetingError::NotOpen);
    reject(closed(), cmd(), MeetingError::NotOpen);
}

#[test]
fn draft_minutes() {
    let cmd = |c| MeetingCommand::DraftMinutes {
        document_hash: hash(c),
    };
    accept(
        closed(),
        cmd('d'),
        drafted_minutes()[closed().len()..].to_vec(),
    );
    accept(
        drafted_minutes(),
        cmd('e'),
        vec![MinutesDrafted {
            version: 2,
            document_hash: hash('e'),
        }
        .into()],
    );
    reject(opened(), cmd('d'), MeetingError::NotClosed);
    reject(
        approved_minutes(),
        cmd('e'),
        MeetingError::MinutesAlreadyApproved,
    );
}

#[test]
fn approve_minutes() {
    let cmd = |version, c| MeetingCommand::ApproveMinutes {
        version,
        document_hash: hash(c),
        approved_on: day(2020, 7, 20),
    };
    accept(
        drafted_minutes(),
        cmd(1, 'd'),
        approved_minutes()[drafted_minutes().len()..].to_vec(),
    );
    reject(
        approved_minutes(),
        cmd(1, 'd'),
        MeetingError::MinutesAlreadyApproved,
    );
    reject(
        drafted_minutes(),
        cmd(2, 'd'),
        MeetingError::MinutesVersionNotFound,
    );
    reject(
        drafted_minutes(),
        cmd(0, 'd'),
        MeetingError::MinutesVersionNotFound,
    );
    reject(
        drafted_minutes(),
        cmd(1, 'e'),
        MeetingError::MinutesHashMismatch { version: 1 },
    );
}

#[test]
fn meeting_scheduled_v1_upcasts_to_v2() {
    let v1 = serde_json::json!({"MeetingScheduled": {
        "meeting_id": "00000000-0000-0000-0000-000000006001",
        "network": "00000000-0000-0000-0000-000000002001",
        "working_group": null,
        "kind": "PLENARY",
        "title": "Seduta",
        "starts_at": "2020-06-22T09:00:00Z",
        "ends_at": null,
        "place": "Corso Inghilterra 7, Torino",
        "online_link": "https://meet.example.org/tavolo",
        "agenda": ["Piano formativo"],
        "public": false
    }});
    let v2 = meeting_scheduled_v1_to_v2(v1);
    let event: MeetingEvent = serde_json::from_value(v2).expect("v1 upcast loads as v2");
    let MeetingEvent::MeetingScheduled(e) = event else {
        panic!("wrong event type")
    };
    assert_eq!(
        e.venue,
        Venue::Hybrid {
            address: name("Corso Inghilterra 7, Torino"),
            link: Link::parse("https://meet.example.org/tavolo").unwrap(),
        }
    );
}

#[test]
fn schedule_when_the_directory_is_down_is_rejected() {
    F::with(broken_services())
        .given_no_previous_events()
        .when(schedule(1, None, 12))
        .then_expect_error(MeetingError::Directory(
            aggregates::directory::DirectoryUnavailable,
        ));
}
