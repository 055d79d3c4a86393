//! Working group (gruppo di lavoro) of a network: e.g. Accoglienza, Comunicazione, Formazione.
//! Its members must be active members of the network.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, NetworkFacts, Services};
use crate::events::domain_events;
use crate::ids::{NetworkId, OrganizationId, WorkingGroupId};
use crate::values::{FreeText, Name};

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum WorkingGroupCommand {
    Form {
        id: WorkingGroupId,
        network: NetworkId,
        by: OrganizationId,
        name: Name,
        mandate: FreeText,
        lead: OrganizationId,
        formed_on: NaiveDate,
    },
    AddMember {
        by: OrganizationId,
        organization: OrganizationId,
        effective_on: NaiveDate,
    },
    RemoveMember {
        by: OrganizationId,
        organization: OrganizationId,
        effective_on: NaiveDate,
    },
    Dissolve {
        by: OrganizationId,
        reason: FreeText,
        dissolved_on: NaiveDate,
    },
}

impl crate::DomainCommand for WorkingGroupCommand {
    fn business_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Self::Form { formed_on: on, .. }
            | Self::AddMember {
                effective_on: on, ..
            }
            | Self::RemoveMember {
                effective_on: on, ..
            }
            | Self::Dissolve {
                dissolved_on: on, ..
            } => Some(*on),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkingGroupError {
    #[error("this working group is already formed")]
    AlreadyFormed,
    #[error("no such working group")]
    NotFound,
    #[error("the working group is dissolved")]
    Dissolved,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("only the network's coordinator or the group's lead may do this")]
    NotAuthorised,
    #[error("organization {0} is not an active member of the network")]
    NotNetworkMember(OrganizationId),
    #[error("the organization is already in the working group")]
    AlreadyMember,
    #[error("the organization is not in the working group")]
    NotMember,
    #[error("the lead organization cannot be removed from its group")]
    CannotRemoveLead,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(WorkingGroupError {
    AlreadyFormed => "ALREADY_FORMED",
    NotFound => "NOT_FOUND",
    Dissolved => "DISSOLVED",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    NotAuthorised => "NOT_AUTHORISED",
    NotNetworkMember => "NOT_NETWORK_MEMBER",
    AlreadyMember => "ALREADY_MEMBER",
    NotMember => "NOT_MEMBER",
    CannotRemoveLead => "CANNOT_REMOVE_LEAD",
    Directory => "DIRECTORY",
});

domain_events!(
    /// Everything that can happen to a working group.
    WorkingGroupEvent {
        WorkingGroupFormed = "1",
        WorkingGroupMemberAdded = "1",
        WorkingGroupMemberRemoved = "1",
        WorkingGroupDissolved = "1",
    }
);

/// A working group was formed; its lead is its first member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkingGroupFormed {
    pub working_group_id: WorkingGroupId,
    pub network: NetworkId,
    pub name: Name,
    pub mandate: FreeText,
    pub lead: OrganizationId,
    pub formed_on: NaiveDate,
}

/// An organization joined the group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkingGroupMemberAdded {
    pub organization: OrganizationId,
    pub effective_on: NaiveDate,
}

/// An organization left the group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkingGroupMemberRemoved {
    pub organization: OrganizationId,
    pub effective_on: NaiveDate,
}

/// The group was dissolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkingGroupDissolved {
    pub reason: FreeText,
    pub dissolved_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkingGroup {
    pub id: Option<WorkingGroupId>,
    pub network: Option<NetworkId>,
    pub lead: Option<OrganizationId>,
    pub members: BTreeSet<OrganizationId>,
    pub dissolved: bool,
}

/// The facts of an open network.
async fn open_network(
    network: NetworkId,
    services: &Services,
) -> Result<NetworkFacts, WorkingGroupError> {
    services
        .open_network(
            network,
            WorkingGroupError::NetworkNotFound,
            WorkingGroupError::NetworkClosed,
        )
        .await
}

impl WorkingGroup {
    /// The network's facts, once `by` is known to be its coordinator or the group's lead.
    async fn authorise(
        &self,
        by: OrganizationId,
        services: &Services,
    ) -> Result<NetworkFacts, WorkingGroupError> {
        let network = self.network.ok_or(WorkingGroupError::NotFound)?;
        if self.dissolved {
            return Err(WorkingGroupError::Dissolved);
        }
        let facts = open_network(network, services).await?;
        if by != facts.coordinator && Some(by) != self.lead {
            return Err(WorkingGroupError::NotAuthorised);
        }
        Ok(facts)
    }
}

impl Aggregate for WorkingGroup {
    const TYPE: &'static str = "WorkingGroup";
    type Command = WorkingGroupCommand;
    type Event = WorkingGroupEvent;
    type Error = WorkingGroupError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        use WorkingGroupCommand as C;
        let event: WorkingGroupEvent = match command {
            C::Form {
                id,
                network,
                by,
                name,
                mandate,
                lead,
                formed_on,
            } => {
                if self.network.is_some() {
                    return Err(WorkingGroupError::AlreadyFormed);
                }
                let facts = open_network(network, services).await?;
                if by != facts.coordinator {
                    return Err(WorkingGroupError::NotAuthorised);
                }
                if !facts.active_members.contains(&lead) {
                    return Err(WorkingGroupError::NotNetworkMember(lead));
                }
                WorkingGroupFormed {
                    working_group_id: id,
                    network,
                    name,
                    mandate,
                    lead,
                    formed_on,
                }
                .into()
            }
            C::AddMember {
                by,
                organization,
                effective_on,
            } => {
                let facts = self.authorise(by, services).await?;
                if self.members.contains(&organization) {
                    return Err(WorkingGroupError::AlreadyMember);
                }
                if !facts.active_members.contains(&organization) {
                    return Err(WorkingGroupError::NotNetworkMember(organization));
                }
                WorkingGroupMemberAdded {
                    organization,
                    effective_on,
                }
                .into()
            }
            C::RemoveMember {
                by,
                organization,
                effective_on,
            } => {
                self.authorise(by, services).await?;
                if !self.members.contains(&organization) {
                    return Err(WorkingGroupError::NotMember);
                }
                if Some(organization) == self.lead {
                    return Err(WorkingGroupError::CannotRemoveLead);
                }
                WorkingGroupMemberRemoved {
                    organization,
                    effective_on,
                }
                .into()
            }
            C::Dissolve {
                by,
                reason,
                dissolved_on,
            } => {
                self.authorise(by, services).await?;
                WorkingGroupDissolved {
                    reason,
                    dissolved_on,
                }
                .into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            WorkingGroupEvent::WorkingGroupFormed(e) => {
                self.id = Some(e.working_group_id);
                self.network = Some(e.network);
                self.lead = Some(e.lead);
                self.members.insert(e.lead);
            }
            WorkingGroupEvent::WorkingGroupMemberAdded(e) => {
                self.members.insert(e.organization);
            }
            WorkingGroupEvent::WorkingGroupMemberRemoved(e) => {
                self.members.remove(&e.organization);
            }
            WorkingGroupEvent::WorkingGroupDissolved(_) => self.dissolved = true,
        }
    }
}
