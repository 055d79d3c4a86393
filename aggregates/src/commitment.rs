//! Commitment (impegno): an obligation of one organization, from a protocol clause, a meeting
//! decision, a plan's line of action, or set directly by the coordinator. Overdue is derived, never stored.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, Services};
use crate::events::domain_events;
use crate::ids::{CommitmentId, MeetingId, NetworkId, OrganizationId, PlanId, ProtocolId};
use crate::values::{DocumentHash, FreeText, Name};

/// Where a commitment comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "source", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CommitmentSource {
    ProtocolClause {
        protocol: ProtocolId,
        version: u32,
        clause: u16,
    },
    MeetingDecision {
        meeting: MeetingId,
        decision: u32,
        item: u32,
    },
    Coordinator {
        by: OrganizationId,
    },
    /// A responsible organization's part in a line of action of an approved plan.
    PlanLine {
        plan: PlanId,
        line: u16,
    },
}

// Where a commitment came from, as `CommitmentCreated` v1 said it (kept to document and
// validate old events; new code never writes it). Its doc is v1's, for the schema.
/// Where a commitment comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "source", rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(rename = "CommitmentSource")]
pub enum CommitmentSourceV1 {
    ProtocolClause {
        protocol: ProtocolId,
        version: u32,
        clause: u16,
    },
    MeetingDecision {
        meeting: MeetingId,
        decision: u32,
        item: u32,
    },
    Coordinator {
        by: OrganizationId,
    },
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum CommitmentCommand {
    Create {
        id: CommitmentId,
        network: NetworkId,
        source: CommitmentSource,
        obligor: OrganizationId,
        title: Name,
        description: Option<FreeText>,
        due_on: Option<NaiveDate>,
        created_on: NaiveDate,
    },
    ReportProgress {
        by: OrganizationId,
        note: FreeText,
        reported_on: NaiveDate,
    },
    Fulfil {
        by: OrganizationId,
        note: FreeText,
        evidence: Option<DocumentHash>,
        fulfilled_on: NaiveDate,
    },
    Waive {
        by: OrganizationId,
        reason: FreeText,
        waived_on: NaiveDate,
    },
    /// Its source ended (the party withdrew, the protocol ended): driven by processes.
    Cancel {
        reason: FreeText,
        cancelled_on: NaiveDate,
    },
    Reopen {
        by: OrganizationId,
        reason: FreeText,
        reopened_on: NaiveDate,
    },
}

impl crate::DomainCommand for CommitmentCommand {
    fn business_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Self::Create { created_on: on, .. }
            | Self::ReportProgress {
                reported_on: on, ..
            }
            | Self::Fulfil {
                fulfilled_on: on, ..
            }
            | Self::Waive { waived_on: on, .. }
            | Self::Cancel {
                cancelled_on: on, ..
            }
            | Self::Reopen {
                reopened_on: on, ..
            } => Some(*on),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitmentError {
    #[error("a different commitment already exists with this id")]
    AlreadyExists,
    #[error("no such commitment")]
    NotFound,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the obligor organization is not registered")]
    ObligorNotFound,
    #[error("the due date is before the date the commitment was created")]
    DueBeforeCreation,
    #[error("only the network's coordinator may do this")]
    NotCoordinator,
    #[error("only the obligor organization (or the coordinator) may do this")]
    NotObligor,
    #[error("the commitment is already {0}")]
    AlreadyClosed(CommitmentStatus),
    #[error(
        "the commitment is still open: only a fulfilled, waived or cancelled one can be reopened"
    )]
    NotClosed,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(CommitmentError {
    AlreadyExists => "ALREADY_EXISTS",
    NotFound => "NOT_FOUND",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    ObligorNotFound => "OBLIGOR_NOT_FOUND",
    DueBeforeCreation => "DUE_BEFORE_CREATION",
    NotCoordinator => "NOT_COORDINATOR",
    NotObligor => "NOT_OBLIGOR",
    AlreadyClosed => "ALREADY_CLOSED",
    NotClosed => "NOT_CLOSED",
    Directory => "DIRECTORY",
});

domain_events!(
    /// Everything that can happen to a commitment.
    CommitmentEvent {
        CommitmentCreated = "2",
        CommitmentProgressReported = "1",
        CommitmentFulfilled = "1",
        CommitmentWaived = "1",
        CommitmentCancelled = "1",
        CommitmentReopened = "1",
    }
);

/// A commitment was taken on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentCreated {
    pub commitment_id: CommitmentId,
    pub network: NetworkId,
    pub source: CommitmentSource,
    pub obligor: OrganizationId,
    pub title: Name,
    pub description: Option<FreeText>,
    pub due_on: Option<NaiveDate>,
    pub created_on: NaiveDate,
}

// `CommitmentCreated` as it was at version 1, before a plan's line could be a source (a v1
// payload is a valid v2 one, so the upcaster leaves it as it is). Its doc is v1's.
/// A commitment was taken on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "CommitmentCreated")]
pub struct CommitmentCreatedV1 {
    pub commitment_id: CommitmentId,
    pub network: NetworkId,
    pub source: CommitmentSourceV1,
    pub obligor: OrganizationId,
    pub title: Name,
    pub description: Option<FreeText>,
    pub due_on: Option<NaiveDate>,
    pub created_on: NaiveDate,
}

/// The schemas of superseded versions still found in stored events.
pub fn legacy_schemas() -> Vec<(&'static str, &'static str, schemars::schema::RootSchema)> {
    vec![(
        "CommitmentCreated",
        "1",
        schemars::schema_for!(CommitmentCreatedV1),
    )]
}

/// Every upcaster of commitment events: `CommitmentCreated` v1 → v2 adds a kind of source,
/// so the payload stays as it is.
pub fn upcasters() -> Vec<Box<dyn cqrs_es::persist::EventUpcaster>> {
    vec![Box::new(crate::meeting::Upcaster {
        event_type: "CommitmentCreated",
        from_version: "1",
        to_version: "2",
        function: |payload| payload,
    })]
}

/// The obligor reported progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentProgressReported {
    pub by: OrganizationId,
    pub note: FreeText,
    pub reported_on: NaiveDate,
}

/// The commitment was fulfilled, with evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentFulfilled {
    pub by: OrganizationId,
    pub note: FreeText,
    pub evidence: Option<DocumentHash>,
    pub fulfilled_on: NaiveDate,
}

/// The coordinator waived the commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentWaived {
    pub by: OrganizationId,
    pub reason: FreeText,
    pub waived_on: NaiveDate,
}

/// The commitment's source ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentCancelled {
    pub reason: FreeText,
    pub cancelled_on: NaiveDate,
}

/// A closed commitment is open again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentReopened {
    pub by: OrganizationId,
    pub reason: FreeText,
    pub reopened_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
/// Serialised in SCREAMING_SNAKE_CASE: the form the read models store and the API shows.
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CommitmentStatus {
    #[default]
    None,
    Open,
    InProgress,
    Fulfilled,
    Waived,
    Cancelled,
}

impl std::fmt::Display for CommitmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "not created",
            Self::Open => "open",
            Self::InProgress => "in progress",
            Self::Fulfilled => "fulfilled",
            Self::Waived => "waived",
            Self::Cancelled => "cancelled",
        })
    }
}

impl CommitmentStatus {
    /// Open or in progress: something is still owed.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Commitment {
    pub id: Option<CommitmentId>,
    pub network: Option<NetworkId>,
    pub source: Option<CommitmentSource>,
    pub obligor: Option<OrganizationId>,
    pub due_on: Option<NaiveDate>,
    pub created_on: Option<NaiveDate>,
    pub status: CommitmentStatus,
}

/// Overdue is a question asked at a moment: pending and past its due date on `on`.
pub fn is_overdue(status: CommitmentStatus, due_on: Option<NaiveDate>, on: NaiveDate) -> bool {
    status.is_pending() && due_on.is_some_and(|due| on > due)
}

impl Commitment {
    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        is_overdue(self.status, self.due_on, on)
    }

    async fn coordinator(&self, services: &Services) -> Result<OrganizationId, CommitmentError> {
        let network = self.network.ok_or(CommitmentError::NotFound)?;
        Ok(services
            .directory
            .network(network)
            .await?
            .ok_or(CommitmentError::NetworkNotFound)?
            .coordinator)
    }

    fn require_pending(&self) -> Result<(), CommitmentError> {
        match self.status {
            CommitmentStatus::None => Err(CommitmentError::NotFound),
            status if status.is_pending() => Ok(()),
            status => Err(CommitmentError::AlreadyClosed(status)),
        }
    }

    async fn require_obligor_or_coordinator(
        &self,
        by: OrganizationId,
        services: &Services,
    ) -> Result<(), CommitmentError> {
        if Some(by) == self.obligor || by == self.coordinator(services).await? {
            Ok(())
        } else {
            Err(CommitmentError::NotObligor)
        }
    }

    async fn require_coordinator(
        &self,
        by: OrganizationId,
        services: &Services,
    ) -> Result<(), CommitmentError> {
        if by == self.coordinator(services).await? {
            Ok(())
        } else {
            Err(CommitmentError::NotCoordinator)
        }
    }

    async fn decide(
        &self,
        command: CommitmentCommand,
        services: &Services,
    ) -> Result<Option<CommitmentEvent>, CommitmentError> {
        use CommitmentCommand as C;
        Ok(Some(match command {
            C::Create {
                id,
                network,
                source,
                obligor,
                title,
                description,
                due_on,
                created_on,
            } => {
                if self.status != CommitmentStatus::None {
                    // Processes may run twice on one event: the same source is a no-op.
                    return if self.source.as_ref() == Some(&source) && self.obligor == Some(obligor)
                    {
                        Ok(None)
                    } else {
                        Err(CommitmentError::AlreadyExists)
                    };
                }
                if due_on.is_some_and(|due| due < created_on) {
                    return Err(CommitmentError::DueBeforeCreation);
                }
                let facts = services
                    .directory
                    .network(network)
                    .await?
                    .ok_or(CommitmentError::NetworkNotFound)?;
                if let CommitmentSource::Coordinator { by } = &source {
                    if *by != facts.coordinator {
                        return Err(CommitmentError::NotCoordinator);
                    }
                }
                if services.directory.organization(obligor).await?.is_none() {
                    return Err(CommitmentError::ObligorNotFound);
                }
                CommitmentCreated {
                    commitment_id: id,
                    network,
                    source,
                    obligor,
                    title,
                    description,
                    due_on,
                    created_on,
                }
                .into()
            }
            C::ReportProgress {
                by,
                note,
                reported_on,
            } => {
                self.require_pending()?;
                self.require_obligor_or_coordinator(by, services).await?;
                CommitmentProgressReported {
                    by,
                    note,
                    reported_on,
                }
                .into()
            }
            C::Fulfil {
                by,
                note,
                evidence,
                fulfilled_on,
            } => {
                self.require_pending()?;
                self.require_obligor_or_coordinator(by, services).await?;
                CommitmentFulfilled {
                    by,
                    note,
                    evidence,
                    fulfilled_on,
                }
                .into()
            }
            C::Waive {
                by,
                reason,
                waived_on,
            } => {
                self.require_pending()?;
                self.require_coordinator(by, services).await?;
                CommitmentWaived {
                    by,
                    reason,
                    waived_on,
                }
                .into()
            }
            C::Cancel {
                reason,
                cancelled_on,
            } => {
                if self.status == CommitmentStatus::Cancelled {
                    // A process replayed: already done.
                    return Ok(None);
                }
                self.require_pending()?;
                CommitmentCancelled {
                    reason,
                    cancelled_on,
                }
                .into()
            }
            C::Reopen {
                by,
                reason,
                reopened_on,
            } => {
                match self.status {
                    CommitmentStatus::None => return Err(CommitmentError::NotFound),
                    status if status.is_pending() => return Err(CommitmentError::NotClosed),
                    _ => {}
                }
                self.require_coordinator(by, services).await?;
                CommitmentReopened {
                    by,
                    reason,
                    reopened_on,
                }
                .into()
            }
        }))
    }
}

impl Aggregate for Commitment {
    const TYPE: &'static str = "Commitment";
    type Command = CommitmentCommand;
    type Event = CommitmentEvent;
    type Error = CommitmentError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        if let Some(event) = self.decide(command, services).await? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        use CommitmentStatus as S;
        match event {
            CommitmentEvent::CommitmentCreated(e) => {
                self.id = Some(e.commitment_id);
                self.network = Some(e.network);
                self.source = Some(e.source);
                self.obligor = Some(e.obligor);
                self.due_on = e.due_on;
                self.created_on = Some(e.created_on);
                self.status = S::Open;
            }
            CommitmentEvent::CommitmentProgressReported(_) => self.status = S::InProgress,
            CommitmentEvent::CommitmentFulfilled(_) => self.status = S::Fulfilled,
            CommitmentEvent::CommitmentWaived(_) => self.status = S::Waived,
            CommitmentEvent::CommitmentCancelled(_) => self.status = S::Cancelled,
            CommitmentEvent::CommitmentReopened(_) => self.status = S::Open,
        }
    }
}
