//! Processes that span aggregates, as pure functions from an event (and what is known when it
//! happened) to the commands it causes. Identifiers of what they create are derived from the
//! source (UUID v5), and the receiving commands treat a repeat as a no-op, so running a process
//! twice on the same event never creates anything twice.

use chrono::{Days, NaiveDate};

use crate::commitment::{CommitmentCommand, CommitmentSource};
use crate::ids::{
    CommitmentId, MeetingId, MeetingSeriesId, NetworkId, OrganizationId, PlanId, ProtocolId,
};
use crate::meeting::{MeetingCommand, MeetingEvent};
use crate::meeting_series::{series_meeting_id, MeetingSeries, MeetingSeriesEvent};
use crate::network::{NetworkCommand, NetworkEvent};
use crate::organization::{OrganizationCommand, OrganizationEvent};
use crate::plan::{Plan, PlanEvent};
use crate::protocol::{Protocol, ProtocolEvent};
use crate::values::FreeText;

/// Whether any process below issues commands for `event`: for every other event the process
/// manager loads nothing (it used to load a meeting's state for each of its events, an
/// attendance record included, to learn that nothing follows). Keep it in step with the
/// `on_…_event` functions: each reaction they have is tested end to end.
pub fn reacts_to(event: &crate::AnyEvent) -> bool {
    use crate::AnyEvent;
    match event {
        AnyEvent::Organization(e) => matches!(e, OrganizationEvent::OrganizationSucceeded(_)),
        AnyEvent::Network(e) => matches!(
            e,
            NetworkEvent::MembershipWithdrawn(_) | NetworkEvent::MemberExpelled(_)
        ),
        AnyEvent::Protocol(e) => matches!(
            e,
            ProtocolEvent::ProtocolSigned(_)
                | ProtocolEvent::ProtocolPartyWithdrawn(_)
                | ProtocolEvent::ProtocolExpired(_)
                | ProtocolEvent::ProtocolSuperseded(_)
        ),
        AnyEvent::Meeting(e) => matches!(e, MeetingEvent::DecisionRecorded(_)),
        AnyEvent::Plan(e) => matches!(e, PlanEvent::PlanApproved(_) | PlanEvent::PlanClosed(_)),
        AnyEvent::MeetingSeries(e) => matches!(
            e,
            MeetingSeriesEvent::MeetingSeriesDefined(_)
                | MeetingSeriesEvent::SeriesOccurrenceSkipped(_)
                | MeetingSeriesEvent::MeetingSeriesEnded(_)
        ),
        AnyEvent::Commitment(_)
        | AnyEvent::WorkingGroup(_)
        | AnyEvent::Person(_)
        | AnyEvent::Service(_)
        | AnyEvent::IndicatorSet(_)
        | AnyEvent::Activity(_) => false,
    }
}

/// A command a process wants executed, addressed to its aggregate.
#[derive(Debug, Clone, PartialEq)]
pub enum ProcessCommand {
    Organization(OrganizationId, OrganizationCommand),
    Network(NetworkId, NetworkCommand),
    Commitment(CommitmentId, CommitmentCommand),
    Meeting(MeetingId, MeetingCommand),
}

/// A commitment still owed, as the read side knows it (input to the cancelling processes).
#[derive(Debug, Clone, PartialEq)]
pub struct PendingCommitment {
    pub id: CommitmentId,
    pub network: NetworkId,
    pub obligor: OrganizationId,
    pub source: CommitmentSource,
    /// When it was taken on: an ending only cancels what existed when it took effect, so a
    /// replay never touches commitments created later.
    pub created_on: NaiveDate,
}

/// The commitment a party takes on by signing one clause of one version.
pub fn clause_commitment_id(
    protocol: ProtocolId,
    version: u32,
    clause: u16,
    party: OrganizationId,
) -> CommitmentId {
    CommitmentId::derived(&format!(
        "protocol/{protocol}/version/{version}/clause/{clause}/party/{party}"
    ))
}

/// The commitment created by one action item of one decision of a meeting.
pub fn action_item_commitment_id(meeting: MeetingId, decision: u32, item: u32) -> CommitmentId {
    CommitmentId::derived(&format!(
        "meeting/{meeting}/decision/{decision}/item/{item}"
    ))
}

/// The commitment one responsible organization takes on for one line of an approved plan.
pub fn plan_line_commitment_id(
    plan: PlanId,
    line: u16,
    organization: OrganizationId,
) -> CommitmentId {
    CommitmentId::derived(&format!(
        "plan/{plan}/line/{line}/organization/{organization}"
    ))
}

fn reason(text: &str) -> FreeText {
    FreeText::parse(text).unwrap_or_else(|_| unreachable!("static reason text is valid"))
}

fn cancel_all<'a>(
    pending: impl Iterator<Item = &'a PendingCommitment>,
    why: &str,
    on: NaiveDate,
) -> Vec<ProcessCommand> {
    pending
        .filter(|c| c.created_on <= on)
        .map(|c| {
            ProcessCommand::Commitment(
                c.id,
                CommitmentCommand::Cancel {
                    reason: reason(why),
                    cancelled_on: on,
                },
            )
        })
        .collect()
}

/// Succession: the predecessor records its successor.
pub fn on_organization_event(
    organization: OrganizationId,
    event: &OrganizationEvent,
) -> Vec<ProcessCommand> {
    match event {
        OrganizationEvent::OrganizationSucceeded(e) => vec![ProcessCommand::Organization(
            e.predecessor,
            OrganizationCommand::RecordSuccessor {
                successor: organization,
                effective_on: e.effective_on,
            },
        )],
        _ => vec![],
    }
}

/// A withdrawal or an expulsion cancels that organization's pending commitments in the network.
pub fn on_network_event(
    network: NetworkId,
    event: &NetworkEvent,
    pending: &[PendingCommitment],
) -> Vec<ProcessCommand> {
    let (organization, on, why) = match event {
        NetworkEvent::MembershipWithdrawn(e) => (
            e.organization,
            e.effective_on,
            "the organization withdrew from the network",
        ),
        NetworkEvent::MemberExpelled(e) => (
            e.organization,
            e.effective_on,
            "the organization was expelled from the network",
        ),
        _ => return vec![],
    };
    cancel_all(
        pending
            .iter()
            .filter(|c| c.network == network && c.obligor == organization),
        why,
        on,
    )
}

/// A signature creates the signatory's commitments from the version's clauses and admits it to
/// the network; a party's withdrawal, an expiry or a supersession cancels what that protocol
/// still asks. `protocol` is the protocol's state (clauses of a published version are frozen).
pub fn on_protocol_event(
    protocol_id: ProtocolId,
    protocol: &Protocol,
    event: &ProtocolEvent,
    pending: &[PendingCommitment],
) -> Vec<ProcessCommand> {
    let from_this_protocol = |c: &&PendingCommitment| matches!(c.source, CommitmentSource::ProtocolClause { protocol, .. } if protocol == protocol_id);
    match event {
        ProtocolEvent::ProtocolSigned(e) => {
            let Some(network) = protocol.network else {
                return vec![];
            };
            let Some(version) = protocol.version(e.version) else {
                return vec![];
            };
            let mut commands = vec![ProcessCommand::Network(
                network,
                NetworkCommand::AdmitSignatory {
                    organization: e.organization,
                    protocol: protocol_id,
                    effective_on: e.signed_on,
                },
            )];
            for clause in &version.content.clauses {
                let Some(terms) = &clause.commitment else {
                    continue;
                };
                let due_on = terms
                    .due_within_days
                    .and_then(|days| e.signed_on.checked_add_days(Days::new(days.into())));
                let id =
                    clause_commitment_id(protocol_id, e.version, clause.number, e.organization);
                commands.push(ProcessCommand::Commitment(
                    id,
                    CommitmentCommand::Create {
                        id,
                        network,
                        source: CommitmentSource::ProtocolClause {
                            protocol: protocol_id,
                            version: e.version,
                            clause: clause.number,
                        },
                        obligor: e.organization,
                        title: terms.title.clone(),
                        description: Some(clause.text.clone()),
                        due_on,
                        created_on: e.signed_on,
                    },
                ));
            }
            commands
        }
        ProtocolEvent::ProtocolPartyWithdrawn(e) => cancel_all(
            pending
                .iter()
                .filter(from_this_protocol)
                .filter(|c| c.obligor == e.organization),
            "the organization withdrew from the protocol",
            e.effective_on,
        ),
        ProtocolEvent::ProtocolExpired(e) => cancel_all(
            pending.iter().filter(from_this_protocol),
            "the protocol expired",
            e.on,
        ),
        ProtocolEvent::ProtocolSuperseded(e) => cancel_all(
            pending.iter().filter(from_this_protocol),
            "the protocol was superseded",
            e.on,
        ),
        _ => vec![],
    }
}

/// A decision's action items become commitments of their obligors.
pub fn on_meeting_event(
    meeting: MeetingId,
    network: NetworkId,
    event: &MeetingEvent,
) -> Vec<ProcessCommand> {
    let MeetingEvent::DecisionRecorded(e) = event else {
        return vec![];
    };
    e.action_items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let item_number = index as u32 + 1;
            let id = action_item_commitment_id(meeting, e.decision, item_number);
            ProcessCommand::Commitment(
                id,
                CommitmentCommand::Create {
                    id,
                    network,
                    source: CommitmentSource::MeetingDecision {
                        meeting,
                        decision: e.decision,
                        item: item_number,
                    },
                    obligor: item.obligor,
                    title: item.title.clone(),
                    description: Some(e.text.clone()),
                    due_on: item.due_on,
                    created_on: e.decided_on,
                },
            )
        })
        .collect()
}

/// An approved plan's lines become commitments of their responsible organizations, due on the
/// line's date (else the plan's last day); closing the plan cancels what they still owe.
/// `plan` is the plan's state (its content is frozen once approved).
pub fn on_plan_event(
    plan_id: PlanId,
    plan: &Plan,
    event: &PlanEvent,
    pending: &[PendingCommitment],
) -> Vec<ProcessCommand> {
    match event {
        PlanEvent::PlanApproved(e) => {
            let (Some(network), Some(content)) = (plan.network, &plan.content) else {
                return vec![];
            };
            let mut commands = vec![];
            for line in &content.lines {
                for organization in &line.responsible {
                    let id = plan_line_commitment_id(plan_id, line.number, *organization);
                    commands.push(ProcessCommand::Commitment(
                        id,
                        CommitmentCommand::Create {
                            id,
                            network,
                            source: CommitmentSource::PlanLine {
                                plan: plan_id,
                                line: line.number,
                            },
                            obligor: *organization,
                            title: line.title.clone(),
                            description: FreeText::parse(&format!(
                                "Linea {} del piano: {}",
                                line.number,
                                content.title.as_str()
                            ))
                            .ok(),
                            due_on: line.due_on.or(content.period.to()),
                            created_on: e.approved_on,
                        },
                    ));
                }
            }
            commands
        }
        PlanEvent::PlanClosed(e) => cancel_all(
            pending.iter().filter(
                |c| matches!(c.source, CommitmentSource::PlanLine { plan, .. } if plan == plan_id),
            ),
            "the plan was closed",
            e.closed_on,
        ),
        _ => vec![],
    }
}

/// A series schedules a meeting for each of its occurrences (ids derived from the series and
/// the instant, so a replay schedules nothing twice); a skipped occurrence cancels its
/// meeting, and the series' end cancels the meetings after it (a meeting already held stays).
pub fn on_meeting_series_event(
    series_id: MeetingSeriesId,
    series: &MeetingSeries,
    event: &MeetingSeriesEvent,
) -> Vec<ProcessCommand> {
    let cancel = |at, why: &FreeText| {
        ProcessCommand::Meeting(
            series_meeting_id(series_id, at),
            MeetingCommand::Cancel {
                reason: why.clone(),
            },
        )
    };
    match event {
        MeetingSeriesEvent::MeetingSeriesDefined(e) => e
            .occurrences
            .iter()
            .map(|at| {
                let id = series_meeting_id(series_id, *at);
                ProcessCommand::Meeting(
                    id,
                    MeetingCommand::Schedule {
                        id,
                        network: e.network,
                        working_group: e.details.working_group,
                        kind: e.details.kind,
                        title: e.details.title.clone(),
                        starts_at: *at,
                        ends_at: Some(
                            *at + chrono::Duration::minutes(i64::from(e.details.duration_minutes)),
                        ),
                        venue: e.details.venue.clone(),
                        agenda: e.details.agenda.clone(),
                        public: e.details.public,
                    },
                )
            })
            .collect(),
        MeetingSeriesEvent::SeriesOccurrenceSkipped(e) => vec![cancel(e.starts_at, &e.reason)],
        MeetingSeriesEvent::MeetingSeriesEnded(e) => series
            .occurrences
            .iter()
            .filter(|at| crate::meeting_series::local_date(**at) > e.ended_on)
            .filter(|at| !series.skipped.contains(at))
            .map(|at| cancel(*at, &e.reason))
            .collect(),
        _ => vec![],
    }
}
