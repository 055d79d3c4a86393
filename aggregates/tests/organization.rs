//! Organization: every command's success and every rejection it can produce.
mod common;

use aggregates::directory::DirectoryUnavailable;
use aggregates::organization::*;
use aggregates::values::*;
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<Organization>;

fn register(id: u128, tax: Option<&str>) -> OrganizationCommand {
    OrganizationCommand::Register {
        id: org(id),
        name: name("Città Metropolitana di Torino"),
        category: OrganizationCategory::CittaMetropolitana,
        tax_code: tax.map(|t| TaxCode::parse(t).unwrap()),
        territory: name("Torino"),
    }
}

fn new_org() -> Vec<OrganizationEvent> {
    vec![OrganizationRegistered {
        organization_id: org(50),
        name: name("Città Metropolitana di Torino"),
        category: OrganizationCategory::CittaMetropolitana,
        tax_code: Some(TaxCode::parse("01907990012").unwrap()),
        territory: name("Torino"),
    }
    .into()]
}

fn deactivated() -> Vec<OrganizationEvent> {
    let mut events = new_org();
    events.push(
        OrganizationDeactivated {
            reason: text("ente soppresso"),
            effective_on: day(2015, 1, 1),
        }
        .into(),
    );
    events
}

#[test]
fn register_succeeds() {
    F::with(services())
        .given_no_previous_events()
        .when(register(50, Some("01907990012")))
        .then_expect_events(new_org());
}

#[test]
fn register_twice_is_rejected() {
    F::with(services())
        .given(new_org())
        .when(register(50, None))
        .then_expect_error(OrganizationError::AlreadyRegistered);
}

#[test]
fn register_with_a_tax_code_in_use_is_rejected() {
    let world = World::new();
    world.directory.observe_organization(org(7), &new_org()[0]);
    F::with(world.services())
        .given_no_previous_events()
        .when(register(50, Some("01907990012")))
        .then_expect_error(OrganizationError::TaxCodeInUse(org(7)));
}

#[test]
fn register_when_the_directory_is_down_is_rejected() {
    F::with(broken_services())
        .given_no_previous_events()
        .when(register(50, Some("01907990012")))
        .then_expect_error(OrganizationError::Directory(DirectoryUnavailable));
}

#[test]
fn rename_succeeds_and_keeps_the_old_name() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::Rename {
            name: name("Città Metropolitana di Torino (CMTo)"),
            effective_on: day(2016, 1, 1),
        })
        .then_expect_events(vec![OrganizationRenamed {
            previous_name: name("Città Metropolitana di Torino"),
            name: name("Città Metropolitana di Torino (CMTo)"),
            effective_on: day(2016, 1, 1),
        }
        .into()]);
}

#[test]
fn rename_to_the_same_name_is_rejected() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::Rename {
            name: name("Città Metropolitana di Torino"),
            effective_on: day(2016, 1, 1),
        })
        .then_expect_error(OrganizationError::SameName);
}

#[test]
fn rename_unknown_is_rejected() {
    F::with(services())
        .given_no_previous_events()
        .when(OrganizationCommand::Rename {
            name: name("X"),
            effective_on: day(2016, 1, 1),
        })
        .then_expect_error(OrganizationError::NotFound);
}

#[test]
fn rename_deactivated_is_rejected() {
    F::with(services())
        .given(deactivated())
        .when(OrganizationCommand::Rename {
            name: name("X"),
            effective_on: day(2016, 1, 1),
        })
        .then_expect_error(OrganizationError::Inactive);
}

#[test]
fn update_details_records_only_what_changed() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::UpdateDetails {
            category: Some(OrganizationCategory::CittaMetropolitana),
            tax_code: None,
            territory: Some(name("Area metropolitana di Torino")),
        })
        .then_expect_events(vec![OrganizationDetailsUpdated {
            category: None,
            tax_code: None,
            territory: Some(name("Area metropolitana di Torino")),
        }
        .into()]);
}

#[test]
fn update_details_with_nothing_new_is_rejected() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::UpdateDetails {
            category: Some(OrganizationCategory::CittaMetropolitana),
            tax_code: Some(TaxCode::parse("01907990012").unwrap()),
            territory: None,
        })
        .then_expect_error(OrganizationError::NothingToUpdate);
}

#[test]
fn update_details_with_a_tax_code_in_use_is_rejected() {
    let world = World::new();
    world.directory.observe_organization(
        org(8),
        &OrganizationRegistered {
            organization_id: org(8),
            name: name("Comune di Milano"),
            category: OrganizationCategory::Comune,
            tax_code: Some(TaxCode::parse("01199250158").unwrap()),
            territory: name("Milano"),
        }
        .into(),
    );
    F::with(world.services())
        .given(new_org())
        .when(OrganizationCommand::UpdateDetails {
            category: None,
            tax_code: Some(TaxCode::parse("01199250158").unwrap()),
            territory: None,
        })
        .then_expect_error(OrganizationError::TaxCodeInUse(org(8)));
}

#[test]
fn update_details_of_a_deactivated_organization_is_rejected() {
    F::with(services())
        .given(deactivated())
        .when(OrganizationCommand::UpdateDetails {
            category: Some(OrganizationCategory::Comune),
            tax_code: None,
            territory: None,
        })
        .then_expect_error(OrganizationError::Inactive);
}

#[test]
fn succeed_an_active_predecessor() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::Succeed {
            predecessor: org(1),
            effective_on: day(2015, 1, 1),
        })
        .then_expect_events(vec![OrganizationSucceeded {
            predecessor: org(1),
            effective_on: day(2015, 1, 1),
        }
        .into()]);
}

#[test]
fn succeed_itself_is_rejected() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::Succeed {
            predecessor: org(50),
            effective_on: day(2015, 1, 1),
        })
        .then_expect_error(OrganizationError::CannotSucceedItself);
}

#[test]
fn succeed_an_unknown_predecessor_is_rejected() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::Succeed {
            predecessor: org(99),
            effective_on: day(2015, 1, 1),
        })
        .then_expect_error(OrganizationError::PredecessorNotFound);
}

#[test]
fn succeed_an_inactive_predecessor_is_rejected() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::Succeed {
            predecessor: org(20),
            effective_on: day(2015, 1, 1),
        })
        .then_expect_error(OrganizationError::PredecessorInactive);
}

#[test]
fn record_successor_deactivates_the_predecessor() {
    let event: OrganizationEvent = OrganizationSucceededBy {
        successor: org(60),
        effective_on: day(2015, 1, 1),
    }
    .into();
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::RecordSuccessor {
            successor: org(60),
            effective_on: day(2015, 1, 1),
        })
        .then_expect_events(vec![event.clone()]);
    // The process may run again on the same event: nothing more is recorded.
    F::with(services())
        .given(vec![new_org()[0].clone(), event])
        .when(OrganizationCommand::RecordSuccessor {
            successor: org(60),
            effective_on: day(2015, 1, 1),
        })
        .then_expect_events(vec![]);
}

#[test]
fn record_a_second_successor_is_rejected() {
    F::with(services())
        .given(vec![
            new_org()[0].clone(),
            OrganizationSucceededBy {
                successor: org(60),
                effective_on: day(2015, 1, 1),
            }
            .into(),
        ])
        .when(OrganizationCommand::RecordSuccessor {
            successor: org(61),
            effective_on: day(2016, 1, 1),
        })
        .then_expect_error(OrganizationError::AlreadySucceeded(org(60)));
}

#[test]
fn record_itself_as_successor_is_rejected() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::RecordSuccessor {
            successor: org(50),
            effective_on: day(2016, 1, 1),
        })
        .then_expect_error(OrganizationError::CannotSucceedItself);
}

#[test]
fn deactivate_succeeds_once() {
    F::with(services())
        .given(new_org())
        .when(OrganizationCommand::Deactivate {
            reason: text("ente soppresso"),
            effective_on: day(2015, 1, 1),
        })
        .then_expect_events(deactivated()[1..].to_vec());
    F::with(services())
        .given(deactivated())
        .when(OrganizationCommand::Deactivate {
            reason: text("ancora"),
            effective_on: day(2015, 1, 2),
        })
        .then_expect_error(OrganizationError::Inactive);
}
