//! Person: registration, detail changes and erasure, with every rejection.
mod common;

use aggregates::ids::PersonId;
use aggregates::person::*;
use aggregates::values::{Sealed, ValueError};
use common::*;
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type F = TestFramework<Person>;

fn person() -> PersonId {
    PersonId(Uuid::from_u128(7001))
}

fn sealed(c: char) -> Sealed {
    Sealed::parse(&c.to_string().repeat(24)).unwrap()
}

fn registered() -> PersonEvent {
    PersonRegistered {
        person_id: person(),
        details: sealed('A'),
    }
    .into()
}

fn erased() -> PersonEvent {
    PersonErased {
        erased_on: day(2026, 1, 1),
    }
    .into()
}

#[test]
fn registration_change_and_erasure() {
    F::with(services())
        .given_no_previous_events()
        .when(PersonCommand::Register {
            id: person(),
            details: sealed('A'),
        })
        .then_expect_events(vec![registered()]);
    F::with(services())
        .given(vec![registered()])
        .when(PersonCommand::ChangeDetails {
            details: sealed('B'),
        })
        .then_expect_events(vec![PersonDetailsChanged {
            details: sealed('B'),
        }
        .into()]);
    F::with(services())
        .given(vec![registered()])
        .when(PersonCommand::Erase {
            on: day(2026, 1, 1),
        })
        .then_expect_events(vec![erased()]);
    // Erasing twice is a no-op.
    F::with(services())
        .given(vec![registered(), erased()])
        .when(PersonCommand::Erase {
            on: day(2026, 2, 1),
        })
        .then_expect_events(vec![]);
}

#[test]
fn every_rejection() {
    let cases: Vec<(Vec<PersonEvent>, PersonCommand, PersonError)> = vec![
        (
            vec![registered()],
            PersonCommand::Register {
                id: person(),
                details: sealed('A'),
            },
            PersonError::AlreadyRegistered,
        ),
        (
            vec![],
            PersonCommand::ChangeDetails {
                details: sealed('B'),
            },
            PersonError::NotFound,
        ),
        (
            vec![],
            PersonCommand::Erase {
                on: day(2026, 1, 1),
            },
            PersonError::NotFound,
        ),
        (
            vec![registered(), erased()],
            PersonCommand::ChangeDetails {
                details: sealed('B'),
            },
            PersonError::Erased,
        ),
    ];
    for (given, command, error) in cases {
        F::with(services())
            .given(given)
            .when(command)
            .then_expect_error(error);
    }
}

#[test]
fn sealed_values_are_base64_only() {
    for bad in [
        "",
        "short",
        "Maria Rossi, via Roma 1 ....",
        &"A".repeat(5000),
        "AAAA====AAAAAAAAAAAA",
    ] {
        assert_eq!(Sealed::parse(bad), Err(ValueError::Sealed), "{bad:?}");
    }
    assert!(Sealed::parse("QUJDREVGR0hJSktMTU5PUA==").is_ok());
}
