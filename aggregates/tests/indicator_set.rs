//! Indicator set: every command's success and every refusal it can produce.
mod common;

use aggregates::indicator_set::*;
use aggregates::values::DateRange;
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<IndicatorSet>;

fn accept(
    given: Vec<IndicatorSetEvent>,
    command: IndicatorSetCommand,
    expected: Vec<IndicatorSetEvent>,
) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<IndicatorSetEvent>, command: IndicatorSetCommand, error: IndicatorSetError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn channels() -> Indicator {
    Indicator {
        key: key("requests_by_channel"),
        title: name("Richieste di aiuto ricevute, per canale"),
        categories: vec![
            Category {
                key: key("phone"),
                title: name("Telefono"),
            },
            Category {
                key: key("in_person"),
                title: name("Di persona"),
            },
        ],
    }
}

fn taken_in_charge() -> Indicator {
    Indicator {
        key: key("women_taken_in_charge"),
        title: name("Donne prese in carico"),
        categories: vec![Category {
            key: key("all"),
            title: name("Totale"),
        }],
    }
}

fn year_2023() -> DateRange {
    DateRange::new(day(2023, 1, 1), Some(day(2023, 12, 31))).unwrap()
}

fn define_with(
    network: u128,
    by: u128,
    indicators: Vec<Indicator>,
    span: DateRange,
    threshold: u32,
) -> IndicatorSetCommand {
    IndicatorSetCommand::Define {
        id: indicator_set_id(1),
        network: net(network),
        by: org(by),
        title: name("Dati condivisi 2023"),
        indicators,
        span,
        frequency: Frequency::Quarterly,
        threshold,
        defined_on: day(2022, 12, 15),
    }
}

fn define() -> IndicatorSetCommand {
    define_with(1, 1, vec![channels(), taken_in_charge()], year_2023(), 5)
}

fn defined() -> Vec<IndicatorSetEvent> {
    vec![IndicatorSetDefined {
        indicator_set_id: indicator_set_id(1),
        network: net(1),
        title: name("Dati condivisi 2023"),
        indicators: vec![channels(), taken_in_charge()],
        span: year_2023(),
        frequency: Frequency::Quarterly,
        threshold: 5,
        defined_on: day(2022, 12, 15),
    }
    .into()]
}

fn figure(indicator: &str, category: &str, count: u32) -> Figure {
    Figure {
        indicator: key(indicator),
        category: key(category),
        count,
    }
}

fn channel_figures(phone: u32, in_person: u32) -> Vec<Figure> {
    vec![
        figure("requests_by_channel", "phone", phone),
        figure("requests_by_channel", "in_person", in_person),
    ]
}

fn submit(by: u128, organization: u128, period: &str, figures: Vec<Figure>) -> IndicatorSetCommand {
    IndicatorSetCommand::Submit {
        by: org(by),
        organization: org(organization),
        period: period.to_owned(),
        figures,
        submitted_on: day(2023, 4, 10),
    }
}

fn submitted(organization: u128, period: &str, figures: Vec<Figure>) -> IndicatorSetEvent {
    FiguresSubmitted {
        organization: org(organization),
        period: period.to_owned(),
        figures,
        submitted_on: day(2023, 4, 10),
    }
    .into()
}

fn correct(
    by: u128,
    organization: u128,
    period: &str,
    figures: Vec<Figure>,
) -> IndicatorSetCommand {
    IndicatorSetCommand::Correct {
        by: org(by),
        organization: org(organization),
        period: period.to_owned(),
        figures,
        corrected_on: day(2023, 5, 2),
    }
}

fn close(by: u128, period: &str, on: chrono::NaiveDate) -> IndicatorSetCommand {
    IndicatorSetCommand::ClosePeriod {
        by: org(by),
        period: period.to_owned(),
        closed_on: on,
    }
}

fn closed(period: &str) -> IndicatorSetEvent {
    FiguresPeriodClosed {
        period: period.to_owned(),
        closed_on: day(2023, 4, 20),
    }
    .into()
}

fn with(
    mut events: Vec<IndicatorSetEvent>,
    more: Vec<IndicatorSetEvent>,
) -> Vec<IndicatorSetEvent> {
    events.extend(more);
    events
}

#[test]
fn define_a_set() {
    accept(vec![], define(), defined());
    reject(defined(), define(), IndicatorSetError::AlreadyDefined);
    reject(
        vec![],
        define_with(9, 1, vec![channels()], year_2023(), 5),
        IndicatorSetError::NetworkNotFound,
    );
    reject(
        vec![],
        define_with(2, 1, vec![channels()], year_2023(), 5),
        IndicatorSetError::NetworkClosed,
    );
    // A member that is not the coordinator cannot define what everyone reports.
    reject(
        vec![],
        define_with(1, 2, vec![channels()], year_2023(), 5),
        IndicatorSetError::NotCoordinator,
    );
}

#[test]
fn a_definition_must_be_well_formed() {
    use IndicatorSetError as E;
    reject(
        vec![],
        define_with(1, 1, vec![], year_2023(), 5),
        E::IndicatorCount,
    );
    reject(
        vec![],
        define_with(1, 1, vec![channels(), channels()], year_2023(), 5),
        E::DuplicateIndicator(key("requests_by_channel")),
    );
    let mut empty = channels();
    empty.categories.clear();
    reject(
        vec![],
        define_with(1, 1, vec![empty], year_2023(), 5),
        E::CategoryCount(key("requests_by_channel")),
    );
    let mut twice = channels();
    twice.categories.push(twice.categories[0].clone());
    reject(
        vec![],
        define_with(1, 1, vec![twice], year_2023(), 5),
        E::DuplicateCategory {
            indicator: key("requests_by_channel"),
            category: key("phone"),
        },
    );
    reject(
        vec![],
        define_with(1, 1, vec![channels()], year_2023(), 1),
        E::Threshold,
    );
    reject(
        vec![],
        define_with(1, 1, vec![channels()], year_2023(), 101),
        E::Threshold,
    );
    // Quarters: the span starts on the first day of one and ends on the last day of one.
    let off = DateRange::new(day(2023, 2, 1), Some(day(2023, 12, 31))).unwrap();
    reject(vec![], define_with(1, 1, vec![channels()], off, 5), E::Span);
    let short = DateRange::new(day(2023, 1, 1), Some(day(2023, 11, 30))).unwrap();
    reject(
        vec![],
        define_with(1, 1, vec![channels()], short, 5),
        E::Span,
    );
    let open = DateRange::new(day(2023, 1, 1), None).unwrap();
    reject(
        vec![],
        define_with(1, 1, vec![channels()], open, 5),
        E::Span,
    );
    let too_long = DateRange::new(day(2000, 1, 1), Some(day(2023, 12, 31))).unwrap();
    reject(
        vec![],
        define_with(1, 1, vec![channels()], too_long, 5),
        E::Span,
    );
}

#[test]
fn periods_follow_the_calendar() {
    let keys = |frequency| {
        periods(&year_2023(), frequency)
            .unwrap()
            .into_iter()
            .map(|p| p.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(Frequency::Quarterly),
        ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    );
    assert_eq!(keys(Frequency::HalfYearly), ["2023-H1", "2023-H2"]);
    assert_eq!(keys(Frequency::Yearly), ["2023"]);
    assert_eq!(keys(Frequency::Monthly).len(), 12);
    let q1 = &periods(&year_2023(), Frequency::Quarterly).unwrap()[0];
    assert_eq!((q1.from, q1.to), (day(2023, 1, 1), day(2023, 3, 31)));
}

#[test]
fn a_member_submits_its_own_figures() {
    use IndicatorSetError as E;
    accept(
        defined(),
        submit(2, 2, "2023-Q1", channel_figures(12, 3)),
        vec![submitted(2, "2023-Q1", channel_figures(12, 3))],
    );
    // Another indicator for the same period is a submission of its own.
    accept(
        with(
            defined(),
            vec![submitted(2, "2023-Q1", channel_figures(12, 3))],
        ),
        submit(
            2,
            2,
            "2023-Q1",
            vec![figure("women_taken_in_charge", "all", 4)],
        ),
        vec![submitted(
            2,
            "2023-Q1",
            vec![figure("women_taken_in_charge", "all", 4)],
        )],
    );
    reject(
        vec![],
        submit(2, 2, "2023-Q1", channel_figures(1, 1)),
        E::NotFound,
    );
    // Not even the coordinator submits a member's figures.
    reject(
        defined(),
        submit(1, 2, "2023-Q1", channel_figures(1, 1)),
        E::NotOwnFigures,
    );
    reject(
        defined(),
        submit(4, 4, "2023-Q1", channel_figures(1, 1)),
        E::NotNetworkMember(org(4)),
    );
    reject(
        defined(),
        submit(2, 2, "2024-Q1", channel_figures(1, 1)),
        E::UnknownPeriod("2024-Q1".into()),
    );
    reject(
        with(defined(), vec![closed("2023-Q1")]),
        submit(2, 2, "2023-Q1", channel_figures(1, 1)),
        E::PeriodClosed("2023-Q1".into()),
    );
    reject(
        with(
            defined(),
            vec![submitted(2, "2023-Q1", channel_figures(12, 3))],
        ),
        submit(2, 2, "2023-Q1", channel_figures(1, 1)),
        E::AlreadySubmitted(key("requests_by_channel")),
    );
}

#[test]
fn figures_hold_declared_counts_only() {
    use IndicatorSetError as E;
    reject(defined(), submit(2, 2, "2023-Q1", vec![]), E::NoFigures);
    reject(
        defined(),
        submit(2, 2, "2023-Q1", vec![figure("cases", "all", 1)]),
        E::UnknownIndicator(key("cases")),
    );
    reject(
        defined(),
        submit(
            2,
            2,
            "2023-Q1",
            vec![
                figure("requests_by_channel", "email", 1),
                figure("requests_by_channel", "phone", 1),
            ],
        ),
        E::UnknownCategory {
            indicator: key("requests_by_channel"),
            category: key("email"),
        },
    );
    reject(
        defined(),
        submit(
            2,
            2,
            "2023-Q1",
            vec![
                figure("requests_by_channel", "phone", 1),
                figure("requests_by_channel", "phone", 2),
            ],
        ),
        E::DuplicateFigure {
            indicator: key("requests_by_channel"),
            category: key("phone"),
        },
    );
    reject(
        defined(),
        submit(
            2,
            2,
            "2023-Q1",
            vec![figure("requests_by_channel", "phone", 1)],
        ),
        E::IncompleteIndicator {
            indicator: key("requests_by_channel"),
            category: key("in_person"),
        },
    );
    reject(
        defined(),
        submit(2, 2, "2023-Q1", channel_figures(COUNT_MAX + 1, 0)),
        E::CountTooLarge,
    );
}

#[test]
fn a_member_corrects_its_figures() {
    use IndicatorSetError as E;
    let given = with(
        defined(),
        vec![submitted(2, "2023-Q1", channel_figures(12, 3))],
    );
    let corrected = FiguresCorrected {
        organization: org(2),
        period: "2023-Q1".into(),
        figures: channel_figures(12, 4),
        corrected_on: day(2023, 5, 2),
    };
    accept(
        given.clone(),
        correct(2, 2, "2023-Q1", channel_figures(12, 4)),
        vec![corrected.into()],
    );
    // A closed period's figures can still be corrected.
    accept(
        with(given.clone(), vec![closed("2023-Q1")]),
        correct(2, 2, "2023-Q1", channel_figures(12, 4)),
        vec![FiguresCorrected {
            organization: org(2),
            period: "2023-Q1".into(),
            figures: channel_figures(12, 4),
            corrected_on: day(2023, 5, 2),
        }
        .into()],
    );
    reject(
        given.clone(),
        correct(3, 2, "2023-Q1", channel_figures(12, 4)),
        E::NotOwnFigures,
    );
    reject(
        given.clone(),
        correct(2, 2, "2023-Q1", channel_figures(12, 3)),
        E::NoChange,
    );
    reject(
        given.clone(),
        correct(3, 3, "2023-Q1", channel_figures(1, 1)),
        E::NotSubmitted(key("requests_by_channel")),
    );
    reject(
        given.clone(),
        correct(
            2,
            2,
            "2023-Q1",
            vec![figure("women_taken_in_charge", "all", 1)],
        ),
        E::NotSubmitted(key("women_taken_in_charge")),
    );
    reject(
        given,
        correct(2, 2, "2023-Q5", channel_figures(1, 1)),
        E::UnknownPeriod("2023-Q5".into()),
    );
}

#[test]
fn the_coordinator_closes_a_period_once_it_has_ended() {
    use IndicatorSetError as E;
    accept(
        defined(),
        close(1, "2023-Q1", day(2023, 4, 20)),
        vec![closed("2023-Q1")],
    );
    reject(
        defined(),
        close(2, "2023-Q1", day(2023, 4, 20)),
        E::NotCoordinator,
    );
    reject(
        defined(),
        close(1, "2023-Q1", day(2023, 3, 31)),
        E::PeriodNotEnded("2023-Q1".into()),
    );
    reject(
        with(defined(), vec![closed("2023-Q1")]),
        close(1, "2023-Q1", day(2023, 4, 21)),
        E::AlreadyClosed("2023-Q1".into()),
    );
    reject(
        defined(),
        close(1, "Q1", day(2023, 4, 20)),
        E::UnknownPeriod("Q1".into()),
    );
}

#[test]
fn a_directory_that_is_down_is_said() {
    F::with(broken_services())
        .given(vec![])
        .when(define())
        .then_expect_error(IndicatorSetError::Directory(
            aggregates::DirectoryUnavailable,
        ));
}

#[test]
fn refusals_name_the_field_at_fault() {
    use aggregates::errors::ErrorCode;
    assert_eq!(IndicatorSetError::Span.field(), Some(vec!["span"]));
    assert_eq!(
        IndicatorSetError::CountTooLarge.field(),
        Some(vec!["figures"])
    );
    assert_eq!(
        IndicatorSetError::UnknownPeriod("x".into()).field(),
        Some(vec!["period"])
    );
    assert_eq!(IndicatorSetError::NotCoordinator.field(), None);
}
