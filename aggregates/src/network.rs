//! Network (rete territoriale, tavolo interistituzionale): its coordinator, its memberships and
//! the referents members designate. Only the coordinator decides on memberships.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, Services};
use crate::events::domain_events;
use crate::ids::{NetworkId, OrganizationId, PersonId, ProtocolId, ReferentId};
use crate::values::{wire_enum, FreeText, Name};

wire_enum!(
    /// What kind of standing body the network is.
    NetworkKind {
        TerritorialNetwork,
        InterinstitutionalTable,
        TechnicalTable,
        ThematicTable,
    }
);

wire_enum!(
    /// The role a referent plays for their organization.
    ReferentRole {
        Institutional,
        Technical,
        Deputy,
    }
);

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum NetworkCommand {
    Establish {
        id: NetworkId,
        name: Name,
        kind: NetworkKind,
        territory: Name,
        coordinator: OrganizationId,
        established_on: NaiveDate,
        public: bool,
    },
    ChangeCoordinator {
        by: OrganizationId,
        new_coordinator: OrganizationId,
        effective_on: NaiveDate,
    },
    Close {
        by: OrganizationId,
        reason: FreeText,
        effective_on: NaiveDate,
    },
    Apply {
        organization: OrganizationId,
        applied_on: NaiveDate,
        motivation: Option<FreeText>,
    },
    Approve {
        by: OrganizationId,
        organization: OrganizationId,
        effective_on: NaiveDate,
    },
    Reject {
        by: OrganizationId,
        organization: OrganizationId,
        reason: FreeText,
    },
    /// Joining by signing a protocol of the network (driven by the signature process).
    AdmitSignatory {
        organization: OrganizationId,
        protocol: ProtocolId,
        effective_on: NaiveDate,
    },
    Suspend {
        by: OrganizationId,
        organization: OrganizationId,
        reason: FreeText,
        effective_on: NaiveDate,
    },
    Reinstate {
        by: OrganizationId,
        organization: OrganizationId,
        effective_on: NaiveDate,
    },
    /// A member leaves (recesso); only the member itself may say so.
    Withdraw {
        by: OrganizationId,
        organization: OrganizationId,
        reason: Option<FreeText>,
        effective_on: NaiveDate,
    },
    Expel {
        by: OrganizationId,
        organization: OrganizationId,
        reason: FreeText,
        effective_on: NaiveDate,
    },
    DesignateReferent {
        by: OrganizationId,
        organization: OrganizationId,
        referent: ReferentId,
        person: PersonId,
        role: ReferentRole,
        effective_on: NaiveDate,
    },
    RevokeReferent {
        by: OrganizationId,
        referent: ReferentId,
        effective_on: NaiveDate,
    },
}

impl crate::DomainCommand for NetworkCommand {
    fn business_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Self::Establish {
                established_on: on, ..
            }
            | Self::Apply { applied_on: on, .. }
            | Self::ChangeCoordinator {
                effective_on: on, ..
            }
            | Self::Close {
                effective_on: on, ..
            }
            | Self::Approve {
                effective_on: on, ..
            }
            | Self::AdmitSignatory {
                effective_on: on, ..
            }
            | Self::Suspend {
                effective_on: on, ..
            }
            | Self::Reinstate {
                effective_on: on, ..
            }
            | Self::Withdraw {
                effective_on: on, ..
            }
            | Self::Expel {
                effective_on: on, ..
            }
            | Self::DesignateReferent {
                effective_on: on, ..
            }
            | Self::RevokeReferent {
                effective_on: on, ..
            } => Some(*on),
            Self::Reject { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    #[error("this network is already established")]
    AlreadyEstablished,
    #[error("no such network")]
    NotFound,
    #[error("the network is closed")]
    Closed,
    #[error("only the network's coordinator may do this")]
    NotCoordinator,
    #[error("only the organization itself (or the coordinator) may do this")]
    NotActingForOrganization,
    #[error("the organization is not registered")]
    OrganizationNotFound,
    #[error("the organization is no longer active")]
    OrganizationInactive,
    #[error("the organization already has a pending application")]
    ApplicationPending,
    #[error("the organization is already a member of this network")]
    AlreadyMember,
    #[error("the organization has no pending application")]
    NoPendingApplication,
    #[error("the organization is not a member of this network")]
    NotAMember,
    #[error("the membership is suspended")]
    MembershipSuspended,
    #[error("the membership is not suspended")]
    NotSuspended,
    #[error("the coordinator cannot leave or be removed: change the coordinator first")]
    CoordinatorCannotLeave,
    #[error("this organization is already the coordinator")]
    AlreadyCoordinator,
    #[error("the new coordinator must be an active member of the network")]
    CoordinatorNotMember,
    #[error("this referent id is already in use")]
    ReferentAlreadyDesignated,
    #[error("this person is already a referent of this organization in this role")]
    DuplicateReferent,
    #[error("no such active referent")]
    ReferentNotFound,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(NetworkError {
    AlreadyEstablished => "ALREADY_ESTABLISHED",
    NotFound => "NOT_FOUND",
    Closed => "CLOSED",
    NotCoordinator => "NOT_COORDINATOR",
    NotActingForOrganization => "NOT_ACTING_FOR_ORGANIZATION",
    OrganizationNotFound => "ORGANIZATION_NOT_FOUND",
    OrganizationInactive => "ORGANIZATION_INACTIVE",
    ApplicationPending => "APPLICATION_PENDING",
    AlreadyMember => "ALREADY_MEMBER",
    NoPendingApplication => "NO_PENDING_APPLICATION",
    NotAMember => "NOT_A_MEMBER",
    MembershipSuspended => "MEMBERSHIP_SUSPENDED",
    NotSuspended => "NOT_SUSPENDED",
    CoordinatorCannotLeave => "COORDINATOR_CANNOT_LEAVE",
    AlreadyCoordinator => "ALREADY_COORDINATOR",
    CoordinatorNotMember => "COORDINATOR_NOT_MEMBER",
    ReferentAlreadyDesignated => "REFERENT_ALREADY_DESIGNATED",
    DuplicateReferent => "DUPLICATE_REFERENT",
    ReferentNotFound => "REFERENT_NOT_FOUND",
    Directory => "DIRECTORY",
});

domain_events!(
    /// Everything that can happen to a network and its memberships.
    NetworkEvent {
        NetworkEstablished = "1",
        CoordinatorChanged = "1",
        NetworkClosed = "1",
        MembershipApplied = "1",
        MembershipApproved = "1",
        MembershipRejected = "1",
        MemberAdmittedBySignature = "1",
        MembershipSuspended = "1",
        MembershipReinstated = "1",
        MembershipWithdrawn = "1",
        MemberExpelled = "1",
        ReferentDesignated = "1",
        ReferentRevoked = "1",
    }
);

/// A network was established; its coordinator is its first member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NetworkEstablished {
    pub network_id: NetworkId,
    pub name: Name,
    pub kind: NetworkKind,
    pub territory: Name,
    pub coordinator: OrganizationId,
    pub established_on: NaiveDate,
    /// Whether the network publishes its name, territory, members and public meetings.
    pub public: bool,
}

/// The lead body changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoordinatorChanged {
    pub previous_coordinator: OrganizationId,
    pub new_coordinator: OrganizationId,
    pub effective_on: NaiveDate,
}

/// The network was closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NetworkClosed {
    pub reason: FreeText,
    pub effective_on: NaiveDate,
}

/// An organization applied to join (domanda di adesione).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MembershipApplied {
    pub organization: OrganizationId,
    pub applied_on: NaiveDate,
    pub motivation: Option<FreeText>,
}

/// The coordinator approved an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MembershipApproved {
    pub organization: OrganizationId,
    pub effective_on: NaiveDate,
}

/// The coordinator rejected an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MembershipRejected {
    pub organization: OrganizationId,
    pub reason: FreeText,
}

/// An organization joined by signing a protocol of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemberAdmittedBySignature {
    pub organization: OrganizationId,
    pub protocol: ProtocolId,
    pub effective_on: NaiveDate,
}

/// A membership was suspended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MembershipSuspended {
    pub organization: OrganizationId,
    pub reason: FreeText,
    pub effective_on: NaiveDate,
}

/// A suspended membership is active again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MembershipReinstated {
    pub organization: OrganizationId,
    pub effective_on: NaiveDate,
}

/// A member left (recesso).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MembershipWithdrawn {
    pub organization: OrganizationId,
    pub reason: Option<FreeText>,
    pub effective_on: NaiveDate,
}

/// The coordinator expelled a member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemberExpelled {
    pub organization: OrganizationId,
    pub reason: FreeText,
    pub effective_on: NaiveDate,
}

/// A member designated a referent. Only the person's id is recorded: their personal data is
/// kept outside the event log, so that it can be erased.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReferentDesignated {
    pub referent: ReferentId,
    pub organization: OrganizationId,
    pub person: PersonId,
    pub role: ReferentRole,
    pub effective_on: NaiveDate,
}

/// A referent designation ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReferentRevoked {
    pub referent: ReferentId,
    pub organization: OrganizationId,
    pub effective_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
/// Serialised in SCREAMING_SNAKE_CASE: the form the read models store and the API shows.
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MembershipStatus {
    Pending,
    Active,
    Suspended,
    Rejected,
    Withdrawn,
    Expelled,
}

impl MembershipStatus {
    /// Active or suspended: the organization belongs to the network.
    pub fn is_member(self) -> bool {
        matches!(self, Self::Active | Self::Suspended)
    }
}

impl NetworkEvent {
    /// The organization whose membership this event changes, and its new status.
    pub fn membership_change(&self) -> Option<(OrganizationId, MembershipStatus)> {
        use MembershipStatus as S;
        Some(match self {
            Self::NetworkEstablished(e) => (e.coordinator, S::Active),
            Self::MembershipApplied(e) => (e.organization, S::Pending),
            Self::MembershipApproved(e) => (e.organization, S::Active),
            Self::MembershipRejected(e) => (e.organization, S::Rejected),
            Self::MemberAdmittedBySignature(e) => (e.organization, S::Active),
            Self::MembershipSuspended(e) => (e.organization, S::Suspended),
            Self::MembershipReinstated(e) => (e.organization, S::Active),
            Self::MembershipWithdrawn(e) => (e.organization, S::Withdrawn),
            Self::MemberExpelled(e) => (e.organization, S::Expelled),
            Self::CoordinatorChanged(_)
            | Self::NetworkClosed(_)
            | Self::ReferentDesignated(_)
            | Self::ReferentRevoked(_) => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referent {
    pub organization: OrganizationId,
    pub person: PersonId,
    pub role: ReferentRole,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Network {
    pub id: Option<NetworkId>,
    pub name: Option<Name>,
    pub coordinator: Option<OrganizationId>,
    pub closed: bool,
    pub memberships: BTreeMap<OrganizationId, MembershipStatus>,
    pub referents: BTreeMap<ReferentId, Referent>,
    /// Signatures that already admitted their signatory: the process is a no-op on a replay.
    pub admitted_by_signature: BTreeSet<(ProtocolId, OrganizationId)>,
}

impl Network {
    fn require_open(&self) -> Result<OrganizationId, NetworkError> {
        let coordinator = self.coordinator.ok_or(NetworkError::NotFound)?;
        if self.closed {
            return Err(NetworkError::Closed);
        }
        Ok(coordinator)
    }

    fn require_coordinator(&self, by: OrganizationId) -> Result<OrganizationId, NetworkError> {
        let coordinator = self.require_open()?;
        if by != coordinator {
            return Err(NetworkError::NotCoordinator);
        }
        Ok(coordinator)
    }

    fn status_of(&self, organization: OrganizationId) -> Option<MembershipStatus> {
        self.memberships.get(&organization).copied()
    }

    fn require_member(&self, organization: OrganizationId) -> Result<(), NetworkError> {
        match self.status_of(organization) {
            Some(status) if status.is_member() => Ok(()),
            _ => Err(NetworkError::NotAMember),
        }
    }

    /// Who may act on a member's own affairs: the member itself or the coordinator.
    fn require_self_or_coordinator(
        &self,
        by: OrganizationId,
        organization: OrganizationId,
    ) -> Result<(), NetworkError> {
        let coordinator = self.require_open()?;
        if by != organization && by != coordinator {
            return Err(NetworkError::NotActingForOrganization);
        }
        Ok(())
    }

    async fn require_active_organization(
        organization: OrganizationId,
        services: &Services,
    ) -> Result<(), NetworkError> {
        match services.directory.organization(organization).await? {
            None => Err(NetworkError::OrganizationNotFound),
            Some(facts) if !facts.active => Err(NetworkError::OrganizationInactive),
            Some(_) => Ok(()),
        }
    }

    async fn decide(
        &self,
        command: NetworkCommand,
        services: &Services,
    ) -> Result<Option<NetworkEvent>, NetworkError> {
        use MembershipStatus as S;
        use NetworkCommand as C;
        let event: NetworkEvent = match command {
            C::Establish {
                id,
                name,
                kind,
                territory,
                coordinator,
                established_on,
                public,
            } => {
                if self.coordinator.is_some() {
                    return Err(NetworkError::AlreadyEstablished);
                }
                Self::require_active_organization(coordinator, services).await?;
                NetworkEstablished {
                    network_id: id,
                    name,
                    kind,
                    territory,
                    coordinator,
                    established_on,
                    public,
                }
                .into()
            }
            C::ChangeCoordinator {
                by,
                new_coordinator,
                effective_on,
            } => {
                let previous_coordinator = self.require_coordinator(by)?;
                if new_coordinator == previous_coordinator {
                    return Err(NetworkError::AlreadyCoordinator);
                }
                if self.status_of(new_coordinator) != Some(S::Active) {
                    return Err(NetworkError::CoordinatorNotMember);
                }
                Self::require_active_organization(new_coordinator, services).await?;
                CoordinatorChanged {
                    previous_coordinator,
                    new_coordinator,
                    effective_on,
                }
                .into()
            }
            C::Close {
                by,
                reason,
                effective_on,
            } => {
                self.require_coordinator(by)?;
                NetworkClosed {
                    reason,
                    effective_on,
                }
                .into()
            }
            C::Apply {
                organization,
                applied_on,
                motivation,
            } => {
                self.require_open()?;
                match self.status_of(organization) {
                    Some(S::Pending) => return Err(NetworkError::ApplicationPending),
                    Some(status) if status.is_member() => return Err(NetworkError::AlreadyMember),
                    _ => {}
                }
                Self::require_active_organization(organization, services).await?;
                MembershipApplied {
                    organization,
                    applied_on,
                    motivation,
                }
                .into()
            }
            C::Approve {
                by,
                organization,
                effective_on,
            } => {
                self.require_coordinator(by)?;
                match self.status_of(organization) {
                    Some(S::Pending) => {}
                    Some(status) if status.is_member() => return Err(NetworkError::AlreadyMember),
                    _ => return Err(NetworkError::NoPendingApplication),
                }
                Self::require_active_organization(organization, services).await?;
                MembershipApproved {
                    organization,
                    effective_on,
                }
                .into()
            }
            C::Reject {
                by,
                organization,
                reason,
            } => {
                self.require_coordinator(by)?;
                match self.status_of(organization) {
                    Some(S::Pending) => {}
                    Some(status) if status.is_member() => return Err(NetworkError::AlreadyMember),
                    _ => return Err(NetworkError::NoPendingApplication),
                }
                MembershipRejected {
                    organization,
                    reason,
                }
                .into()
            }
            C::AdmitSignatory {
                organization,
                protocol,
                effective_on,
            } => {
                self.require_open()?;
                if self.status_of(organization).is_some_and(S::is_member)
                    || self
                        .admitted_by_signature
                        .contains(&(protocol, organization))
                {
                    // Already a member, or this signature already admitted it once (the
                    // process ran again): nothing to record.
                    return Ok(None);
                }
                Self::require_active_organization(organization, services).await?;
                MemberAdmittedBySignature {
                    organization,
                    protocol,
                    effective_on,
                }
                .into()
            }
            C::Suspend {
                by,
                organization,
                reason,
                effective_on,
            } => {
                let coordinator = self.require_coordinator(by)?;
                if organization == coordinator {
                    return Err(NetworkError::CoordinatorCannotLeave);
                }
                match self.status_of(organization) {
                    Some(S::Active) => {}
                    Some(S::Suspended) => return Err(NetworkError::MembershipSuspended),
                    _ => return Err(NetworkError::NotAMember),
                }
                MembershipSuspended {
                    organization,
                    reason,
                    effective_on,
                }
                .into()
            }
            C::Reinstate {
                by,
                organization,
                effective_on,
            } => {
                self.require_coordinator(by)?;
                match self.status_of(organization) {
                    Some(S::Suspended) => {}
                    Some(S::Active) => return Err(NetworkError::NotSuspended),
                    _ => return Err(NetworkError::NotAMember),
                }
                MembershipReinstated {
                    organization,
                    effective_on,
                }
                .into()
            }
            C::Withdraw {
                by,
                organization,
                reason,
                effective_on,
            } => {
                let coordinator = self.require_open()?;
                if by != organization {
                    return Err(NetworkError::NotActingForOrganization);
                }
                self.require_member(organization)?;
                if organization == coordinator {
                    return Err(NetworkError::CoordinatorCannotLeave);
                }
                MembershipWithdrawn {
                    organization,
                    reason,
                    effective_on,
                }
                .into()
            }
            C::Expel {
                by,
                organization,
                reason,
                effective_on,
            } => {
                let coordinator = self.require_coordinator(by)?;
                if organization == coordinator {
                    return Err(NetworkError::CoordinatorCannotLeave);
                }
                self.require_member(organization)?;
                MemberExpelled {
                    organization,
                    reason,
                    effective_on,
                }
                .into()
            }
            C::DesignateReferent {
                by,
                organization,
                referent,
                person,
                role,
                effective_on,
            } => {
                self.require_self_or_coordinator(by, organization)?;
                match self.status_of(organization) {
                    Some(S::Active) => {}
                    Some(S::Suspended) => return Err(NetworkError::MembershipSuspended),
                    _ => return Err(NetworkError::NotAMember),
                }
                if self.referents.contains_key(&referent) {
                    return Err(NetworkError::ReferentAlreadyDesignated);
                }
                if self.referents.values().any(|r| {
                    r.active
                        && r.organization == organization
                        && r.person == person
                        && r.role == role
                }) {
                    return Err(NetworkError::DuplicateReferent);
                }
                ReferentDesignated {
                    referent,
                    organization,
                    person,
                    role,
                    effective_on,
                }
                .into()
            }
            C::RevokeReferent {
                by,
                referent,
                effective_on,
            } => {
                self.require_open()?;
                let current = self
                    .referents
                    .get(&referent)
                    .filter(|r| r.active)
                    .ok_or(NetworkError::ReferentNotFound)?;
                self.require_self_or_coordinator(by, current.organization)?;
                ReferentRevoked {
                    referent,
                    organization: current.organization,
                    effective_on,
                }
                .into()
            }
        };
        Ok(Some(event))
    }
}

impl Aggregate for Network {
    const TYPE: &'static str = "Network";
    type Command = NetworkCommand;
    type Event = NetworkEvent;
    type Error = NetworkError;
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
        if let Some((organization, status)) = event.membership_change() {
            self.memberships.insert(organization, status);
            if !status.is_member() {
                for referent in self.referents.values_mut() {
                    if referent.organization == organization {
                        referent.active = false;
                    }
                }
            }
        }
        match event {
            NetworkEvent::NetworkEstablished(e) => {
                self.id = Some(e.network_id);
                self.name = Some(e.name);
                self.coordinator = Some(e.coordinator);
            }
            NetworkEvent::CoordinatorChanged(e) => self.coordinator = Some(e.new_coordinator),
            NetworkEvent::MemberAdmittedBySignature(e) => {
                self.admitted_by_signature
                    .insert((e.protocol, e.organization));
            }
            NetworkEvent::NetworkClosed(_) => self.closed = true,
            NetworkEvent::ReferentDesignated(e) => {
                self.referents.insert(
                    e.referent,
                    Referent {
                        organization: e.organization,
                        person: e.person,
                        role: e.role,
                        active: true,
                    },
                );
            }
            NetworkEvent::ReferentRevoked(e) => {
                if let Some(referent) = self.referents.get_mut(&e.referent) {
                    referent.active = false;
                }
            }
            _ => {}
        }
    }
}
