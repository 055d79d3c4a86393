//! Protocol: every command's success and every rejection it can produce.
mod common;

use aggregates::protocol::*;
use aggregates::values::*;
use common::*;
use cqrs_es::test::TestFramework;

type F = TestFramework<Protocol>;

fn accept(given: Vec<ProtocolEvent>, command: ProtocolCommand, expected: Vec<ProtocolEvent>) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_events(expected);
}

fn reject(given: Vec<ProtocolEvent>, command: ProtocolCommand, error: ProtocolError) {
    F::with(services())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

fn clause(number: u16, title: &str) -> Clause {
    Clause {
        number,
        text: text(&format!("Il soggetto sottoscrittore si impegna a: {title}")),
        commitment: Some(CommitmentTerms {
            title: name(title),
            due_within_days: Some(90),
        }),
    }
}

fn content() -> ProtocolContent {
    ProtocolContent {
        title: name("Protocollo d'intesa Tavolo Maltrattanti"),
        purpose: text("Confronto e scambio di buone prassi"),
        clauses: vec![
            clause(1, "Individuare un proprio referente"),
            clause(2, "Partecipare ai tavoli tecnici"),
        ],
        validity: DateRange::new(day(2019, 1, 1), Some(day(2021, 12, 31))).unwrap(),
        renewal: RenewalRule::Explicit,
    }
}

fn drafted() -> Vec<ProtocolEvent> {
    vec![ProtocolDrafted {
        protocol_id: protocol_id(1),
        network: net(1),
        kind: ProtocolKind::Framework,
        version: 1,
        content: content(),
        parties: vec![org(1), org(2), org(3)],
    }
    .into()]
}

fn then(mut events: Vec<ProtocolEvent>, more: Vec<ProtocolEvent>) -> Vec<ProtocolEvent> {
    events.extend(more);
    events
}

fn published_event(version: u32, c: char) -> ProtocolEvent {
    ProtocolVersionPublished {
        version,
        document_hash: hash(c),
        published_on: day(2019, 1, 15),
    }
    .into()
}

fn published() -> Vec<ProtocolEvent> {
    then(drafted(), vec![published_event(1, 'a')])
}

fn open() -> Vec<ProtocolEvent> {
    then(
        published(),
        vec![ProtocolOpenedForSignature {
            version: 1,
            opened_on: day(2019, 2, 1),
        }
        .into()],
    )
}

fn signed_event(version: u32, o: u128, c: char) -> ProtocolEvent {
    ProtocolSigned {
        version,
        organization: org(o),
        signing_office: name("Sindaco"),
        method: SignatureMethod::QualifiedElectronic,
        document_hash: hash(c),
        signed_on: day(2019, 3, 1),
    }
    .into()
}

fn all_signed() -> Vec<ProtocolEvent> {
    then(
        open(),
        vec![
            signed_event(1, 1, 'a'),
            signed_event(1, 2, 'a'),
            signed_event(1, 3, 'a'),
        ],
    )
}

fn in_force_event() -> ProtocolEvent {
    ProtocolEnteredIntoForce {
        version: 1,
        effective_on: day(2019, 4, 1),
        explicit_act: None,
    }
    .into()
}

fn in_force() -> Vec<ProtocolEvent> {
    then(all_signed(), vec![in_force_event()])
}

fn expired() -> Vec<ProtocolEvent> {
    then(
        in_force(),
        vec![ProtocolExpired {
            on: day(2022, 1, 1),
        }
        .into()],
    )
}

fn superseded() -> Vec<ProtocolEvent> {
    then(
        in_force(),
        vec![ProtocolSuperseded {
            by_protocol: protocol_id(2),
            on: day(2020, 1, 1),
        }
        .into()],
    )
}

fn draft_cmd(content: ProtocolContent, network: u128, parties: &[u128]) -> ProtocolCommand {
    ProtocolCommand::Draft {
        id: protocol_id(1),
        network: net(network),
        kind: ProtocolKind::Framework,
        content,
        parties: parties.iter().map(|p| org(*p)).collect(),
    }
}

#[test]
fn draft() {
    accept(vec![], draft_cmd(content(), 1, &[1, 2, 3]), drafted());
    reject(
        drafted(),
        draft_cmd(content(), 1, &[1]),
        ProtocolError::AlreadyDrafted,
    );
    let mut no_clauses = content();
    no_clauses.clauses.clear();
    reject(
        vec![],
        draft_cmd(no_clauses, 1, &[1]),
        ProtocolError::NoClauses,
    );
    let mut repeated = content();
    repeated.clauses[1].number = 1;
    reject(
        vec![],
        draft_cmd(repeated, 1, &[1]),
        ProtocolError::InvalidClauseNumber(1),
    );
    let mut zero = content();
    zero.clauses[0].number = 0;
    reject(
        vec![],
        draft_cmd(zero, 1, &[1]),
        ProtocolError::InvalidClauseNumber(0),
    );
    reject(
        vec![],
        draft_cmd(content(), 1, &[1, 1]),
        ProtocolError::DuplicateParty,
    );
    reject(
        vec![],
        draft_cmd(content(), 9, &[1]),
        ProtocolError::NetworkNotFound,
    );
    reject(
        vec![],
        draft_cmd(content(), 2, &[1]),
        ProtocolError::NetworkClosed,
    );
    reject(
        vec![],
        draft_cmd(content(), 1, &[1, 99]),
        ProtocolError::OrganizationNotFound,
    );
    reject(
        vec![],
        draft_cmd(content(), 1, &[20]),
        ProtocolError::OrganizationInactive,
    );
}

#[test]
fn amend() {
    let mut changed = content();
    changed.purpose = text("Favorire la creazione di una rete");
    accept(
        drafted(),
        ProtocolCommand::Amend {
            content: changed.clone(),
        },
        vec![ProtocolAmended {
            version: 1,
            content: changed.clone(),
        }
        .into()],
    );
    let amend = || ProtocolCommand::Amend {
        content: changed.clone(),
    };
    reject(vec![], amend(), ProtocolError::NotFound);
    reject(published(), amend(), ProtocolError::NotDraft);
    reject(expired(), amend(), ProtocolError::Expired);
    reject(superseded(), amend(), ProtocolError::Superseded);
    let mut empty = content();
    empty.clauses.clear();
    reject(
        drafted(),
        ProtocolCommand::Amend { content: empty },
        ProtocolError::NoClauses,
    );
}

#[test]
fn publish_version() {
    let cmd = || ProtocolCommand::PublishVersion {
        document_hash: hash('a'),
        published_on: day(2019, 1, 15),
    };
    accept(drafted(), cmd(), vec![published_event(1, 'a')]);
    reject(published(), cmd(), ProtocolError::NotDraft);
    reject(vec![], cmd(), ProtocolError::NotFound);
}

#[test]
fn open_for_signature() {
    let cmd = || ProtocolCommand::OpenForSignature {
        opened_on: day(2019, 2, 1),
    };
    accept(published(), cmd(), open()[published().len()..].to_vec());
    reject(drafted(), cmd(), ProtocolError::NotPublished);
    reject(open(), cmd(), ProtocolError::AlreadyInForce);
}

fn sign(o: u128, c: char, on: chrono::NaiveDate) -> ProtocolCommand {
    ProtocolCommand::RecordSignature {
        organization: org(o),
        signing_office: name("Sindaco"),
        method: SignatureMethod::QualifiedElectronic,
        document_hash: hash(c),
        signed_on: on,
    }
}

#[test]
fn record_signature() {
    accept(
        open(),
        sign(2, 'a', day(2019, 3, 1)),
        vec![signed_event(1, 2, 'a')],
    );
    reject(
        published(),
        sign(2, 'a', day(2019, 3, 1)),
        ProtocolError::NotOpenForSignature,
    );
    reject(
        open(),
        sign(4, 'a', day(2019, 3, 1)),
        ProtocolError::NotAParty,
    );
    reject(
        open(),
        sign(2, 'b', day(2019, 3, 1)),
        ProtocolError::HashMismatch {
            version: 1,
            expected: hash('a'),
        },
    );
    reject(
        then(open(), vec![signed_event(1, 2, 'a')]),
        sign(2, 'a', day(2019, 3, 2)),
        ProtocolError::AlreadySigned(1),
    );
    reject(
        open(),
        sign(2, 'a', day(2022, 1, 1)),
        ProtocolError::AfterValidity(day(2021, 12, 31)),
    );
    reject(
        expired(),
        sign(2, 'a', day(2021, 3, 1)),
        ProtocolError::Expired,
    );
    reject(
        superseded(),
        sign(2, 'a', day(2019, 3, 1)),
        ProtocolError::Superseded,
    );
    let declined: ProtocolEvent = ProtocolDeclined {
        version: 1,
        organization: org(3),
        reason: None,
        declined_on: day(2019, 3, 1),
    }
    .into();
    reject(
        then(open(), vec![declined]),
        sign(3, 'a', day(2019, 3, 2)),
        ProtocolError::PartyDeclined,
    );
    let withdrawn: ProtocolEvent = ProtocolPartyWithdrawn {
        organization: org(3),
        reason: None,
        effective_on: day(2019, 3, 1),
    }
    .into();
    reject(
        then(open(), vec![withdrawn]),
        sign(3, 'a', day(2019, 3, 2)),
        ProtocolError::PartyWithdrawn,
    );
    // A party that has become inactive since it was named cannot sign.
    let mut with_inactive = open();
    with_inactive.push(
        ProtocolPartyAdded {
            organization: org(20),
            added_on: day(2019, 2, 2),
        }
        .into(),
    );
    reject(
        with_inactive,
        sign(20, 'a', day(2019, 3, 2)),
        ProtocolError::OrganizationInactive,
    );
}

#[test]
fn a_party_added_in_itinere_signs_the_version_in_force() {
    let added: ProtocolEvent = ProtocolPartyAdded {
        organization: org(5),
        added_on: day(2020, 1, 1),
    }
    .into();
    accept(
        then(in_force(), vec![added]),
        sign(5, 'a', day(2019, 3, 1)),
        vec![signed_event(1, 5, 'a')],
    );
}

#[test]
fn a_revision_needs_new_signatures_on_the_new_hash() {
    let revised = then(
        in_force(),
        vec![
            ProtocolRevised {
                version: 2,
                content: content(),
            }
            .into(),
            published_event(2, 'b'),
            ProtocolOpenedForSignature {
                version: 2,
                opened_on: day(2020, 2, 1),
            }
            .into(),
        ],
    );
    // The signature of version 1 does not count for version 2, and the old hash is refused.
    reject(
        revised.clone(),
        sign(2, 'a', day(2020, 3, 1)),
        ProtocolError::HashMismatch {
            version: 2,
            expected: hash('b'),
        },
    );
    accept(
        revised,
        sign(2, 'b', day(2019, 3, 1)),
        vec![signed_event(2, 2, 'b')],
    );
}

#[test]
fn decline() {
    let cmd = |o| ProtocolCommand::Decline {
        organization: org(o),
        reason: Some(text("Non di competenza")),
        declined_on: day(2019, 3, 1),
    };
    accept(
        open(),
        cmd(3),
        vec![ProtocolDeclined {
            version: 1,
            organization: org(3),
            reason: Some(text("Non di competenza")),
            declined_on: day(2019, 3, 1),
        }
        .into()],
    );
    reject(published(), cmd(3), ProtocolError::NotOpenForSignature);
    reject(open(), cmd(4), ProtocolError::NotAParty);
    reject(
        then(open(), vec![signed_event(1, 3, 'a')]),
        cmd(3),
        ProtocolError::AlreadySigned(1),
    );
    let declined = then(
        open(),
        vec![ProtocolDeclined {
            version: 1,
            organization: org(3),
            reason: None,
            declined_on: day(2019, 3, 1),
        }
        .into()],
    );
    reject(declined, cmd(3), ProtocolError::PartyDeclined);
}

#[test]
fn enter_into_force() {
    let cmd = |on, act: Option<&str>| ProtocolCommand::EnterIntoForce {
        effective_on: on,
        explicit_act: act.map(text),
    };
    accept(
        all_signed(),
        cmd(day(2019, 4, 1), None),
        vec![in_force_event()],
    );
    accept(
        open(),
        cmd(day(2019, 4, 1), Some("Decreto del Prefetto n. 12")),
        vec![ProtocolEnteredIntoForce {
            version: 1,
            effective_on: day(2019, 4, 1),
            explicit_act: Some(text("Decreto del Prefetto n. 12")),
        }
        .into()],
    );
    reject(
        then(open(), vec![signed_event(1, 1, 'a')]),
        cmd(day(2019, 4, 1), None),
        ProtocolError::MissingSignatures(2),
    );
    reject(
        in_force(),
        cmd(day(2019, 4, 1), None),
        ProtocolError::AlreadyInForce,
    );
    reject(
        published(),
        cmd(day(2019, 4, 1), None),
        ProtocolError::NotOpenForSignature,
    );
    reject(
        all_signed(),
        cmd(day(2022, 4, 1), None),
        ProtocolError::AfterValidity(day(2021, 12, 31)),
    );
}

#[test]
fn add_party() {
    let cmd = |o| ProtocolCommand::AddParty {
        organization: org(o),
        added_on: day(2020, 1, 1),
    };
    accept(
        in_force(),
        cmd(5),
        vec![ProtocolPartyAdded {
            organization: org(5),
            added_on: day(2020, 1, 1),
        }
        .into()],
    );
    reject(in_force(), cmd(2), ProtocolError::AlreadyParty);
    reject(in_force(), cmd(99), ProtocolError::OrganizationNotFound);
    reject(expired(), cmd(5), ProtocolError::Expired);
}

#[test]
fn record_withdrawal() {
    let cmd = |o| ProtocolCommand::RecordWithdrawal {
        organization: org(o),
        reason: Some(text("Riorganizzazione interna")),
        effective_on: day(2020, 6, 1),
    };
    let withdrawn: ProtocolEvent = ProtocolPartyWithdrawn {
        organization: org(3),
        reason: Some(text("Riorganizzazione interna")),
        effective_on: day(2020, 6, 1),
    }
    .into();
    accept(in_force(), cmd(3), vec![withdrawn.clone()]);
    reject(in_force(), cmd(4), ProtocolError::NotAParty);
    reject(
        then(in_force(), vec![withdrawn]),
        cmd(3),
        ProtocolError::PartyWithdrawn,
    );
}

#[test]
fn revise() {
    let cmd = || ProtocolCommand::Revise { content: content() };
    accept(
        in_force(),
        cmd(),
        vec![ProtocolRevised {
            version: 2,
            content: content(),
        }
        .into()],
    );
    reject(drafted(), cmd(), ProtocolError::NotPublished);
    let mut empty = content();
    empty.clauses.clear();
    reject(
        in_force(),
        ProtocolCommand::Revise { content: empty },
        ProtocolError::NoClauses,
    );
    reject(expired(), cmd(), ProtocolError::Expired);
}

#[test]
fn renew() {
    let cmd = |until| ProtocolCommand::Renew {
        valid_until: until,
        decided_on: day(2021, 11, 1),
    };
    accept(
        in_force(),
        cmd(day(2024, 12, 31)),
        vec![ProtocolRenewed {
            previous_valid_until: Some(day(2021, 12, 31)),
            valid_until: day(2024, 12, 31),
            decided_on: day(2021, 11, 1),
        }
        .into()],
    );
    reject(open(), cmd(day(2024, 12, 31)), ProtocolError::NotInForce);
    reject(
        in_force(),
        cmd(day(2021, 6, 30)),
        ProtocolError::RenewalNotLater,
    );
}

#[test]
fn expire() {
    let cmd = |on| ProtocolCommand::Expire { on };
    accept(
        in_force(),
        cmd(day(2022, 1, 1)),
        expired()[in_force().len()..].to_vec(),
    );
    reject(
        in_force(),
        cmd(day(2021, 6, 1)),
        ProtocolError::NotYetExpired(day(2021, 12, 31)),
    );
    reject(drafted(), cmd(day(2022, 1, 1)), ProtocolError::NotPublished);
    reject(expired(), cmd(day(2022, 1, 2)), ProtocolError::Expired);
    let mut open_ended = in_force();
    if let ProtocolEvent::ProtocolDrafted(d) = &mut open_ended[0] {
        d.content.validity = DateRange::new(day(2019, 1, 1), None).unwrap();
    }
    reject(open_ended, cmd(day(2030, 1, 1)), ProtocolError::OpenEnded);
}

#[test]
fn supersede() {
    let cmd = |by| ProtocolCommand::Supersede {
        by_protocol: protocol_id(by),
        on: day(2020, 1, 1),
    };
    accept(
        in_force(),
        cmd(2),
        superseded()[in_force().len()..].to_vec(),
    );
    reject(in_force(), cmd(1), ProtocolError::CannotSupersedeItself);
    reject(superseded(), cmd(3), ProtocolError::Superseded);
    reject(vec![], cmd(2), ProtocolError::NotFound);
}

#[test]
fn draft_when_the_directory_is_down_is_rejected() {
    F::with(broken_services())
        .given_no_previous_events()
        .when(draft_cmd(content(), 1, &[1]))
        .then_expect_error(ProtocolError::Directory(
            aggregates::directory::DirectoryUnavailable,
        ));
}
