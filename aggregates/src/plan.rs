//! Plan (piano, e.g. a three-year local plan, PIL): how a network governs its work over a
//! period, with its funding and the protocols it rests on, in lines of action, each with the
//! organizations responsible for it, targets (a unit and a value) and a budget. A plan is
//! adopted as a draft, amended while a draft, approved (each line's responsible organizations
//! then take on a commitment for it, through the processes), reported on line by line, and
//! closed.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, NetworkFacts, Services};
use crate::events::domain_events;
use crate::ids::{NetworkId, OrganizationId, PlanId, ProtocolId};
use crate::values::{DateRange, FreeText, Name};

/// At most this many lines, targets per line, funding sources and protocols.
pub const LINES_MAX: usize = 50;
pub const TARGETS_MAX: usize = 20;
pub const FUNDING_MAX: usize = 20;
pub const PROTOCOLS_MAX: usize = 20;

/// Where money comes from, and how much (in euro cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Funding {
    pub source: Name,
    pub amount_cents: u64,
}

/// What a line aims at: a value of a unit (e.g. 2 centres; 40 services mapped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    pub description: Name,
    pub unit: Name,
    pub value: u64,
}

/// A line of action (linea di intervento).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanLine {
    /// 1, 2, 3 … in order.
    pub number: u16,
    pub title: Name,
    /// The organizations responsible (active members of the network).
    pub responsible: BTreeSet<OrganizationId>,
    pub targets: Vec<Target>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_cents: Option<u64>,
    /// When the line's commitments fall due (default: the plan's last day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
}

/// What a plan says (an amendment replaces all of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanContent {
    pub title: Name,
    /// The plan's period: it has an end.
    pub period: DateRange,
    pub funding: Vec<Funding>,
    /// The network's protocols it rests on.
    pub protocols: BTreeSet<ProtocolId>,
    pub lines: Vec<PlanLine>,
}

impl PlanContent {
    pub fn line(&self, number: u16) -> Option<&PlanLine> {
        self.lines.iter().find(|l| l.number == number)
    }
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum PlanCommand {
    Adopt {
        id: PlanId,
        network: NetworkId,
        by: OrganizationId,
        content: PlanContent,
        adopted_on: NaiveDate,
    },
    Amend {
        by: OrganizationId,
        content: PlanContent,
        amended_on: NaiveDate,
    },
    Approve {
        by: OrganizationId,
        approved_on: NaiveDate,
    },
    /// The value a line's target reached, with the evidence.
    ReportProgress {
        by: OrganizationId,
        line: u16,
        target: u16,
        reached: u64,
        evidence: FreeText,
        reported_on: NaiveDate,
    },
    Close {
        by: OrganizationId,
        closed_on: NaiveDate,
    },
}

impl crate::DomainCommand for PlanCommand {
    fn business_date(&self) -> Option<NaiveDate> {
        match self {
            Self::Adopt { adopted_on: on, .. }
            | Self::Amend { amended_on: on, .. }
            | Self::Approve {
                approved_on: on, ..
            }
            | Self::ReportProgress {
                reported_on: on, ..
            }
            | Self::Close { closed_on: on, .. } => Some(*on),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("this plan is already adopted")]
    AlreadyAdopted,
    #[error("no such plan")]
    NotFound,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("only the network's coordinator may do this")]
    NotCoordinator,
    #[error("only the network's coordinator or an organization responsible for line {0} may report on it")]
    NotResponsible(u16),
    #[error("the plan is approved: it can no longer be amended or approved again")]
    NotDraft,
    #[error("the plan is not approved yet")]
    NotApproved,
    #[error("the plan is closed")]
    Closed,
    #[error("a plan's period has an end")]
    OpenPeriod,
    #[error("a plan has 1 to {LINES_MAX} lines, numbered 1, 2, 3 … in order")]
    LineNumbers,
    #[error("line {0} has no organization responsible")]
    NoResponsible(u16),
    #[error("line {0} has more than {TARGETS_MAX} targets")]
    TargetCount(u16),
    #[error("at most {FUNDING_MAX} funding sources and {PROTOCOLS_MAX} protocols")]
    TooMany,
    #[error("organization {} is not an active member of the network", .0.global())]
    NotNetworkMember(OrganizationId),
    #[error("protocol {} is not one of the network's", .0.global())]
    UnknownProtocol(ProtocolId),
    #[error("line {0}'s due date is outside the plan's period")]
    DueOutsidePeriod(u16),
    #[error("the plan has no line {0}")]
    UnknownLine(u16),
    #[error("line {line} has no target {target}")]
    UnknownTarget { line: u16, target: u16 },
    #[error("the date is before the plan's approval or last report on that target")]
    BeforeLastChange,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(PlanError {
    AlreadyAdopted => "ALREADY_ADOPTED",
    NotFound => "NOT_FOUND",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    NotCoordinator => "NOT_COORDINATOR",
    NotResponsible => "NOT_RESPONSIBLE",
    NotDraft => "NOT_DRAFT",
    NotApproved => "NOT_APPROVED",
    Closed => "PLAN_CLOSED",
    OpenPeriod => "OPEN_PERIOD",
    LineNumbers => "LINE_NUMBERS",
    NoResponsible => "NO_RESPONSIBLE",
    TargetCount => "TARGET_COUNT",
    TooMany => "TOO_MANY",
    NotNetworkMember => "NOT_NETWORK_MEMBER",
    UnknownProtocol => "UNKNOWN_PROTOCOL",
    DueOutsidePeriod => "DUE_OUTSIDE_PERIOD",
    UnknownLine => "UNKNOWN_LINE",
    UnknownTarget => "UNKNOWN_TARGET",
    BeforeLastChange => "BEFORE_LAST_CHANGE",
    Directory => "DIRECTORY",
}, field = PlanError::field_at_fault);

impl PlanError {
    /// The command's field at fault, where one is.
    pub fn field_at_fault(&self) -> Option<Vec<&'static str>> {
        use PlanError as E;
        Some(match self {
            E::OpenPeriod => vec!["content", "until"],
            E::LineNumbers
            | E::NoResponsible(_)
            | E::TargetCount(_)
            | E::NotNetworkMember(_)
            | E::DueOutsidePeriod(_) => vec!["content", "lines"],
            E::UnknownProtocol(_) => vec!["content", "protocols"],
            E::TooMany => vec!["content"],
            E::UnknownLine(_) => vec!["line"],
            E::UnknownTarget { .. } => vec!["target"],
            E::BeforeLastChange => vec!["reported_on"],
            _ => return None,
        })
    }
}

domain_events!(
    /// Everything that can happen to a plan.
    PlanEvent {
        PlanAdopted = "1",
        PlanAmended = "1",
        PlanApproved = "1",
        PlanProgressReported = "1",
        PlanClosed = "1",
    }
);

/// A plan was adopted as a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanAdopted {
    pub plan_id: PlanId,
    pub network: NetworkId,
    pub content: PlanContent,
    pub adopted_on: NaiveDate,
}

/// The draft was amended (its content replaced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanAmended {
    pub content: PlanContent,
    pub amended_on: NaiveDate,
}

/// The plan was approved: each line's responsible organizations take on its commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanApproved {
    pub approved_on: NaiveDate,
}

/// The value a line's target reached, reported with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanProgressReported {
    pub by: OrganizationId,
    pub line: u16,
    /// The target's number in its line (1, 2 …).
    pub target: u16,
    pub reached: u64,
    pub evidence: FreeText,
    pub reported_on: NaiveDate,
}

/// The plan was closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanClosed {
    pub closed_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Plan {
    pub id: Option<PlanId>,
    pub network: Option<NetworkId>,
    pub content: Option<PlanContent>,
    pub approved_on: Option<NaiveDate>,
    pub closed: bool,
    /// The last business date of a change (reports never go back before it per target).
    pub last_report: Vec<((u16, u16), NaiveDate)>,
}

impl Plan {
    async fn network_facts(
        network: NetworkId,
        services: &Services,
    ) -> Result<NetworkFacts, PlanError> {
        services
            .open_network(
                network,
                PlanError::NetworkNotFound,
                PlanError::NetworkClosed,
            )
            .await
    }

    async fn check(
        network: NetworkId,
        facts: &NetworkFacts,
        content: &PlanContent,
        services: &Services,
    ) -> Result<(), PlanError> {
        use PlanError as E;
        let Some(end) = content.period.to() else {
            return Err(E::OpenPeriod);
        };
        if content.funding.len() > FUNDING_MAX || content.protocols.len() > PROTOCOLS_MAX {
            return Err(E::TooMany);
        }
        if content.lines.is_empty()
            || content.lines.len() > LINES_MAX
            || content
                .lines
                .iter()
                .enumerate()
                .any(|(i, l)| usize::from(l.number) != i + 1)
        {
            return Err(E::LineNumbers);
        }
        for line in &content.lines {
            if line.responsible.is_empty() {
                return Err(E::NoResponsible(line.number));
            }
            if line.targets.len() > TARGETS_MAX {
                return Err(E::TargetCount(line.number));
            }
            if let Some(o) = line
                .responsible
                .iter()
                .find(|o| !facts.active_members.contains(o))
            {
                return Err(E::NotNetworkMember(*o));
            }
            if line
                .due_on
                .is_some_and(|d| d < content.period.from() || d > end)
            {
                return Err(E::DueOutsidePeriod(line.number));
            }
        }
        for protocol in &content.protocols {
            if services.directory.protocol_network(*protocol).await? != Some(network) {
                return Err(E::UnknownProtocol(*protocol));
            }
        }
        Ok(())
    }

    async fn coordinated(
        network: NetworkId,
        by: OrganizationId,
        services: &Services,
    ) -> Result<NetworkFacts, PlanError> {
        use PlanError as E;
        services
            .coordinated_network(
                network,
                by,
                [E::NetworkNotFound, E::NetworkClosed, E::NotCoordinator],
            )
            .await
    }

    fn last_report(&self, line: u16, target: u16) -> Option<NaiveDate> {
        self.last_report
            .iter()
            .find(|(key, _)| *key == (line, target))
            .map(|(_, on)| *on)
    }
}

impl Aggregate for Plan {
    const TYPE: &'static str = "Plan";
    type Command = PlanCommand;
    type Event = PlanEvent;
    type Error = PlanError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        use PlanCommand as C;
        use PlanError as E;
        if !matches!(command, C::Adopt { .. }) {
            if self.network.is_none() {
                return Err(E::NotFound);
            }
            if self.closed {
                return Err(E::Closed);
            }
        }
        let event: PlanEvent = match command {
            C::Adopt {
                id,
                network,
                by,
                content,
                adopted_on,
            } => {
                if self.network.is_some() {
                    return Err(E::AlreadyAdopted);
                }
                let facts = Self::coordinated(network, by, services).await?;
                Self::check(network, &facts, &content, services).await?;
                PlanAdopted {
                    plan_id: id,
                    network,
                    content,
                    adopted_on,
                }
                .into()
            }
            C::Amend {
                by,
                content,
                amended_on,
            } => {
                let network = self.network.ok_or(E::NotFound)?;
                let facts = Self::coordinated(network, by, services).await?;
                if self.approved_on.is_some() {
                    return Err(E::NotDraft);
                }
                Self::check(network, &facts, &content, services).await?;
                PlanAmended {
                    content,
                    amended_on,
                }
                .into()
            }
            C::Approve { by, approved_on } => {
                let network = self.network.ok_or(E::NotFound)?;
                let facts = Self::coordinated(network, by, services).await?;
                if self.approved_on.is_some() {
                    return Err(E::NotDraft);
                }
                // The responsible organizations must still be members when they take on
                // their commitments.
                if let Some(content) = &self.content {
                    Self::check(network, &facts, content, services).await?;
                }
                PlanApproved { approved_on }.into()
            }
            C::ReportProgress {
                by,
                line,
                target,
                reached,
                evidence,
                reported_on,
            } => {
                let network = self.network.ok_or(E::NotFound)?;
                let approved_on = self.approved_on.ok_or(E::NotApproved)?;
                let content = self.content.as_ref().ok_or(E::NotFound)?;
                let the_line = content.line(line).ok_or(E::UnknownLine(line))?;
                if target == 0 || usize::from(target) > the_line.targets.len() {
                    return Err(E::UnknownTarget { line, target });
                }
                let facts = Self::network_facts(network, services).await?;
                if by != facts.coordinator && !the_line.responsible.contains(&by) {
                    return Err(E::NotResponsible(line));
                }
                if reported_on < approved_on
                    || self
                        .last_report(line, target)
                        .is_some_and(|last| reported_on < last)
                {
                    return Err(E::BeforeLastChange);
                }
                PlanProgressReported {
                    by,
                    line,
                    target,
                    reached,
                    evidence,
                    reported_on,
                }
                .into()
            }
            C::Close { by, closed_on } => {
                let network = self.network.ok_or(E::NotFound)?;
                Self::coordinated(network, by, services).await?;
                PlanClosed { closed_on }.into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            PlanEvent::PlanAdopted(e) => {
                self.id = Some(e.plan_id);
                self.network = Some(e.network);
                self.content = Some(e.content);
            }
            PlanEvent::PlanAmended(e) => self.content = Some(e.content),
            PlanEvent::PlanApproved(e) => self.approved_on = Some(e.approved_on),
            PlanEvent::PlanProgressReported(e) => {
                let key = (e.line, e.target);
                self.last_report.retain(|(k, _)| *k != key);
                self.last_report.push((key, e.reported_on));
            }
            PlanEvent::PlanClosed(_) => self.closed = true,
        }
    }
}
