//! Meeting series: every command's success and every refusal it can produce, the occurrences a
//! rule gives in Italian local time (daylight saving included), and the process that schedules
//! an ordinary meeting per occurrence (the same ids every time) and cancels skipped ones.
mod common;

use aggregates::meeting::{MeetingCommand, MeetingKind, Venue};
use aggregates::meeting_series::*;
use aggregates::processes::{on_meeting_series_event, ProcessCommand};
use chrono::{TimeZone, Utc};
use common::*;
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

type F = TestFramework<MeetingSeries>;

fn accept(
    given: Vec<MeetingSeriesEvent>,
    command: MeetingSeriesCommand,
    expected: Vec<MeetingSeriesEvent>,
) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(
    given: Vec<MeetingSeriesEvent>,
    command: MeetingSeriesCommand,
    error: MeetingSeriesError,
) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn details(rule: &str) -> SeriesDetails {
    SeriesDetails {
        working_group: None,
        kind: MeetingKind::DistrictLab,
        title: name("Laboratorio distrettuale antiviolenza"),
        rule: Recurrence::parse(rule).unwrap(),
        first_at: day(2018, 9, 20).and_hms_opt(14, 30, 0).unwrap(),
        duration_minutes: 120,
        venue: Venue::InPerson {
            address: name("Biblioteca di Casalmaggiore"),
        },
        agenda: vec![text("Nuovi aderenti alla rete")],
        public: false,
    }
}

const RULE: &str = "FREQ=MONTHLY;BYDAY=3TH;COUNT=4";

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// The third Thursdays from September 2018, 14:30 in Italy: 12:30 UTC in summer time, 13:30
/// after the clocks go back on 28 October.
fn four_thursdays() -> Vec<chrono::DateTime<Utc>> {
    vec![
        utc(2018, 9, 20, 12, 30),
        utc(2018, 10, 18, 12, 30),
        utc(2018, 11, 15, 13, 30),
        utc(2018, 12, 20, 13, 30),
    ]
}

fn define_as(by: u128, network: u128, details: SeriesDetails) -> MeetingSeriesCommand {
    MeetingSeriesCommand::Define {
        id: series_id(1),
        network: net(network),
        by: org(by),
        details,
        defined_on: day(2018, 7, 10),
    }
}

fn defined() -> Vec<MeetingSeriesEvent> {
    vec![MeetingSeriesDefined {
        series_id: series_id(1),
        network: net(1),
        details: details(RULE),
        occurrences: four_thursdays(),
        defined_on: day(2018, 7, 10),
    }
    .into()]
}

fn with(mut events: Vec<MeetingSeriesEvent>, more: MeetingSeriesEvent) -> Vec<MeetingSeriesEvent> {
    events.push(more);
    events
}

#[test]
fn a_rule_gives_its_occurrences_in_italian_time() {
    assert_eq!(
        occurrences(
            &Recurrence::parse(RULE).unwrap(),
            day(2018, 9, 20).and_hms_opt(14, 30, 0).unwrap()
        )
        .unwrap(),
        four_thursdays()
    );
    // RRULE: prefixes and lower case are accepted; unbounded and malformed rules are not.
    assert!(Recurrence::parse("rrule:freq=weekly;until=20181231T000000Z").is_ok());
    assert!(Recurrence::parse("FREQ=MONTHLY;BYDAY=3TH").is_err());
    assert!(Recurrence::parse("FREQ=SOMETIMES;COUNT=3").is_err());
    assert!(Recurrence::parse("").is_err());
}

#[test]
fn define_a_series() {
    use MeetingSeriesError as E;
    accept(vec![], define_as(1, 1, details(RULE)), defined());
    reject(defined(), define_as(1, 1, details(RULE)), E::AlreadyDefined);
    reject(vec![], define_as(1, 9, details(RULE)), E::NetworkNotFound);
    reject(vec![], define_as(1, 2, details(RULE)), E::NetworkClosed);
    reject(vec![], define_as(2, 1, details(RULE)), E::NotCoordinator);
    reject(
        vec![],
        define_as(1, 1, details("FREQ=WEEKLY;COUNT=61")),
        E::TooManyOccurrences,
    );
    let mut zero = details(RULE);
    zero.duration_minutes = 0;
    reject(vec![], define_as(1, 1, zero), E::Duration);
    // 02:30 on 25 March 2018 does not exist in Italy (the clocks jump from 02:00 to 03:00).
    let mut gap = details("FREQ=WEEKLY;COUNT=2");
    gap.first_at = day(2018, 3, 25).and_hms_opt(2, 30, 0).unwrap();
    reject(vec![], define_as(1, 1, gap), E::AmbiguousStart);
    let mut unknown_group = details(RULE);
    unknown_group.working_group = Some(group(9));
    reject(
        vec![],
        define_as(1, 1, unknown_group),
        E::WorkingGroupNotFound,
    );
}

#[test]
fn skip_an_occurrence() {
    use MeetingSeriesError as E;
    let skip = |by, on| MeetingSeriesCommand::SkipOccurrence {
        by: org(by),
        starts_on: on,
        reason: text("Festività natalizie"),
    };
    let skipped: MeetingSeriesEvent = SeriesOccurrenceSkipped {
        starts_at: utc(2018, 12, 20, 13, 30),
        reason: text("Festività natalizie"),
    }
    .into();
    accept(defined(), skip(1, day(2018, 12, 20)), vec![skipped.clone()]);
    reject(
        with(defined(), skipped),
        skip(1, day(2018, 12, 20)),
        E::AlreadySkipped(day(2018, 12, 20)),
    );
    reject(
        defined(),
        skip(1, day(2018, 12, 21)),
        E::UnknownOccurrence(day(2018, 12, 21)),
    );
    reject(defined(), skip(2, day(2018, 12, 20)), E::NotCoordinator);
    reject(vec![], skip(1, day(2018, 12, 20)), E::NotFound);
}

#[test]
fn invite_and_answer() {
    use MeetingSeriesError as E;
    let invite = |by, o| MeetingSeriesCommand::Invite {
        by: org(by),
        organization: org(o),
        invited_on: day(2018, 7, 15),
    };
    let invited = |o| -> MeetingSeriesEvent {
        SeriesInvitationSent {
            organization: org(o),
            invited_on: day(2018, 7, 15),
        }
        .into()
    };
    // Organization 5 is not a member of the network: it may be invited.
    accept(defined(), invite(1, 5), vec![invited(5)]);
    reject(with(defined(), invited(5)), invite(1, 5), E::AlreadyInvited);
    reject(defined(), invite(1, 77), E::UnknownOrganization(org(77)));
    reject(defined(), invite(2, 5), E::NotCoordinator);
    let answer = |by, o, accepted| MeetingSeriesCommand::AnswerInvitation {
        by: org(by),
        organization: org(o),
        accepted,
        answered_on: day(2018, 8, 31),
    };
    accept(
        with(defined(), invited(5)),
        answer(5, 5, true),
        vec![SeriesInvitationAnswered {
            organization: org(5),
            accepted: true,
            answered_on: day(2018, 8, 31),
        }
        .into()],
    );
    reject(
        with(defined(), invited(5)),
        answer(1, 5, true),
        E::NotOwnAnswer,
    );
    reject(defined(), answer(5, 5, false), E::NotInvited);
}

#[test]
fn end_a_series() {
    use MeetingSeriesError as E;
    let end = |by| MeetingSeriesCommand::End {
        by: org(by),
        ended_on: day(2018, 10, 31),
        reason: text("Laboratorio sospeso"),
    };
    let ended: MeetingSeriesEvent = MeetingSeriesEnded {
        ended_on: day(2018, 10, 31),
        reason: text("Laboratorio sospeso"),
    }
    .into();
    accept(defined(), end(1), vec![ended.clone()]);
    reject(defined(), end(3), E::NotCoordinator);
    reject(with(defined(), ended), end(1), E::Ended);
}

#[test]
fn a_directory_that_cannot_answer_refuses_without_guessing() {
    F::with(broken_services())
        .given(vec![])
        .when(define_as(1, 1, details(RULE)))
        .then_expect_error(MeetingSeriesError::Directory(
            aggregates::DirectoryUnavailable,
        ));
}

fn state(events: &[MeetingSeriesEvent]) -> MeetingSeries {
    let mut series = MeetingSeries::default();
    for e in events {
        series.apply(e.clone());
    }
    series
}

#[test]
fn the_series_schedules_one_ordinary_meeting_per_occurrence_once() {
    let events = defined();
    let series = state(&events);
    let commands = on_meeting_series_event(series_id(1), &series, &events[0]);
    let scheduled: Vec<(aggregates::ids::MeetingId, chrono::DateTime<Utc>)> = commands
        .iter()
        .map(|c| match c {
            ProcessCommand::Meeting(
                id,
                MeetingCommand::Schedule {
                    id: inner,
                    starts_at,
                    ends_at,
                    network,
                    kind,
                    ..
                },
            ) => {
                assert_eq!(id, inner);
                assert_eq!(*network, net(1));
                assert_eq!(*kind, MeetingKind::DistrictLab);
                assert_eq!(*ends_at, Some(*starts_at + chrono::Duration::minutes(120)));
                (*id, *starts_at)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        scheduled.iter().map(|(_, at)| *at).collect::<Vec<_>>(),
        four_thursdays()
    );
    assert!(scheduled
        .iter()
        .all(|(id, at)| *id == series_meeting_id(series_id(1), *at)));
    // A replay asks for the very same meetings.
    assert_eq!(
        on_meeting_series_event(series_id(1), &series, &events[0]),
        commands
    );
    // A skipped occurrence cancels its meeting; the end cancels the meetings after it.
    let skipped: MeetingSeriesEvent = SeriesOccurrenceSkipped {
        starts_at: utc(2018, 12, 20, 13, 30),
        reason: text("Festività"),
    }
    .into();
    let cancel = on_meeting_series_event(series_id(1), &series, &skipped);
    assert!(
        matches!(&cancel[..], [ProcessCommand::Meeting(id, MeetingCommand::Cancel { .. })] if *id == series_meeting_id(series_id(1), utc(2018, 12, 20, 13, 30)))
    );
    let all = [events.clone(), vec![skipped.clone()]].concat();
    let ended: MeetingSeriesEvent = MeetingSeriesEnded {
        ended_on: day(2018, 10, 31),
        reason: text("Sospeso"),
    }
    .into();
    let cancelled: Vec<_> = on_meeting_series_event(series_id(1), &state(&all), &ended)
        .into_iter()
        .map(|c| match c {
            ProcessCommand::Meeting(id, MeetingCommand::Cancel { .. }) => id,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    // November's; December's was skipped already.
    assert_eq!(
        cancelled,
        [series_meeting_id(series_id(1), utc(2018, 11, 15, 13, 30))]
    );
}
