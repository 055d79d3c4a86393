//! Activity (attività): the work a network or one of its working groups carries out between
//! meetings (a campaign, a training module, a school project, an event, a publication, a
//! webinar), with the organizations involved (members or not: a university, a chamber of
//! commerce), its audience as counts, and its outputs as links or document hashes.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, NetworkFacts, Services};
use crate::events::domain_events;
use crate::ids::{ActivityId, NetworkId, OrganizationId, WorkingGroupId};
use crate::values::{wire_enum, DocumentHash, FreeText, Link, Name};

/// At most this many organizations involved, audience groups and outputs.
pub const ORGANIZATIONS_MAX: usize = 100;
pub const AUDIENCE_MAX: usize = 20;
pub const OUTPUTS_MAX: usize = 50;

wire_enum!(
    /// What kind of work an activity is.
    ActivityKind {
        Campaign,
        TrainingModule,
        SchoolProject,
        Event,
        Conference,
        Webinar,
        Publication,
        Other,
    }
);

/// How many people of one group an activity reached (e.g. students: 300).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AudienceCount {
    pub group: Name,
    pub count: u32,
}

/// What an activity produced: a link, a document by its SHA-256 hash, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityOutput {
    pub title: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentHash>,
}

/// What an activity is (an update replaces all of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityDetails {
    pub kind: ActivityKind,
    pub title: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<FreeText>,
    pub starts_on: NaiveDate,
    /// The last day, for an activity of more than one day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<NaiveDate>,
    /// The organizations involved (members of the network or not).
    pub organizations: BTreeSet<OrganizationId>,
    pub audience: Vec<AudienceCount>,
    pub outputs: Vec<ActivityOutput>,
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum ActivityCommand {
    Record {
        id: ActivityId,
        network: NetworkId,
        working_group: Option<WorkingGroupId>,
        by: OrganizationId,
        details: ActivityDetails,
    },
    Update {
        by: OrganizationId,
        details: ActivityDetails,
    },
    Cancel {
        by: OrganizationId,
        reason: FreeText,
        cancelled_on: NaiveDate,
    },
}

impl crate::DomainCommand for ActivityCommand {
    fn business_date(&self) -> Option<NaiveDate> {
        match self {
            Self::Record { details, .. } | Self::Update { details, .. } => Some(details.starts_on),
            Self::Cancel { cancelled_on, .. } => Some(*cancelled_on),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    #[error("this activity is already recorded")]
    AlreadyRecorded,
    #[error("no such activity")]
    NotFound,
    #[error("the activity is cancelled")]
    Cancelled,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("no such working group")]
    WorkingGroupNotFound,
    #[error("the working group belongs to another network")]
    WorkingGroupOfAnotherNetwork,
    #[error("the working group is dissolved")]
    WorkingGroupDissolved,
    #[error("only the network's coordinator, or for a working group's activity a member of the group, may do this")]
    NotAuthorised,
    #[error("no organization {} is registered", .0.global())]
    UnknownOrganization(OrganizationId),
    #[error("an activity involves 1 to {ORGANIZATIONS_MAX} organizations")]
    OrganizationCount,
    #[error("the end date must not be before the start date")]
    EndBeforeStart,
    #[error("audience group {0} is counted twice")]
    DuplicateAudience(Name),
    #[error("at most {AUDIENCE_MAX} audience groups")]
    AudienceCount,
    #[error("output {0} needs a link or a document hash")]
    OutputWithoutTarget(Name),
    #[error("at most {OUTPUTS_MAX} outputs")]
    OutputCount,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(ActivityError {
    AlreadyRecorded => "ALREADY_RECORDED",
    NotFound => "NOT_FOUND",
    Cancelled => "CANCELLED",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    WorkingGroupNotFound => "WORKING_GROUP_NOT_FOUND",
    WorkingGroupOfAnotherNetwork => "WORKING_GROUP_OF_ANOTHER_NETWORK",
    WorkingGroupDissolved => "WORKING_GROUP_DISSOLVED",
    NotAuthorised => "NOT_AUTHORISED",
    UnknownOrganization => "UNKNOWN_ORGANIZATION",
    OrganizationCount => "ORGANIZATION_COUNT",
    EndBeforeStart => "END_BEFORE_START",
    DuplicateAudience => "DUPLICATE_AUDIENCE",
    AudienceCount => "AUDIENCE_COUNT",
    OutputWithoutTarget => "OUTPUT_WITHOUT_TARGET",
    OutputCount => "OUTPUT_COUNT",
    Directory => "DIRECTORY",
}, field = ActivityError::field_at_fault);

impl ActivityError {
    /// The command's field at fault, where one is.
    pub fn field_at_fault(&self) -> Option<Vec<&'static str>> {
        use ActivityError as E;
        Some(match self {
            E::WorkingGroupNotFound
            | E::WorkingGroupOfAnotherNetwork
            | E::WorkingGroupDissolved => {
                vec!["working_group"]
            }
            E::UnknownOrganization(_) | E::OrganizationCount => vec!["details", "organizations"],
            E::EndBeforeStart => vec!["details", "ends_on"],
            E::DuplicateAudience(_) | E::AudienceCount => vec!["details", "audience"],
            E::OutputWithoutTarget(_) | E::OutputCount => vec!["details", "outputs"],
            E::NetworkNotFound | E::NetworkClosed => vec!["network"],
            _ => return None,
        })
    }
}

domain_events!(
    /// Everything that can happen to an activity.
    ActivityEvent {
        ActivityRecorded = "1",
        ActivityUpdated = "1",
        ActivityCancelled = "1",
    }
);

/// An activity of a network, or of one of its working groups, was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityRecorded {
    pub activity_id: ActivityId,
    pub network: NetworkId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_group: Option<WorkingGroupId>,
    pub details: ActivityDetails,
}

/// Its details were replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityUpdated {
    pub details: ActivityDetails,
}

/// It was cancelled (it stays in the history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityCancelled {
    pub reason: FreeText,
    pub cancelled_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Activity {
    pub id: Option<ActivityId>,
    pub network: Option<NetworkId>,
    pub working_group: Option<WorkingGroupId>,
    pub cancelled: bool,
}

impl Activity {
    /// The network's facts once `by` may act on an activity of `working_group`: the
    /// coordinator, or a member of that working group.
    async fn authorise(
        network: NetworkId,
        working_group: Option<WorkingGroupId>,
        by: OrganizationId,
        services: &Services,
    ) -> Result<NetworkFacts, ActivityError> {
        use ActivityError as E;
        let facts = services
            .open_network(network, E::NetworkNotFound, E::NetworkClosed)
            .await?;
        let group_member = match working_group {
            None => false,
            Some(group) => {
                let g = services
                    .directory
                    .working_group(group)
                    .await?
                    .ok_or(E::WorkingGroupNotFound)?;
                if g.network != network {
                    return Err(E::WorkingGroupOfAnotherNetwork);
                }
                if !g.active {
                    return Err(E::WorkingGroupDissolved);
                }
                g.members.contains(&by)
            }
        };
        if by != facts.coordinator && !group_member {
            return Err(E::NotAuthorised);
        }
        Ok(facts)
    }

    async fn check(details: &ActivityDetails, services: &Services) -> Result<(), ActivityError> {
        use ActivityError as E;
        if details.ends_on.is_some_and(|end| end < details.starts_on) {
            return Err(E::EndBeforeStart);
        }
        if details.organizations.is_empty() || details.organizations.len() > ORGANIZATIONS_MAX {
            return Err(E::OrganizationCount);
        }
        if details.audience.len() > AUDIENCE_MAX {
            return Err(E::AudienceCount);
        }
        let mut groups = BTreeSet::new();
        for a in &details.audience {
            if !groups.insert(a.group.as_str().to_lowercase()) {
                return Err(E::DuplicateAudience(a.group.clone()));
            }
        }
        if details.outputs.len() > OUTPUTS_MAX {
            return Err(E::OutputCount);
        }
        if let Some(o) = details
            .outputs
            .iter()
            .find(|o| o.link.is_none() && o.document.is_none())
        {
            return Err(E::OutputWithoutTarget(o.title.clone()));
        }
        for organization in &details.organizations {
            if services
                .directory
                .organization(*organization)
                .await?
                .is_none()
            {
                return Err(E::UnknownOrganization(*organization));
            }
        }
        Ok(())
    }
}

impl Aggregate for Activity {
    const TYPE: &'static str = "Activity";
    type Command = ActivityCommand;
    type Event = ActivityEvent;
    type Error = ActivityError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        use ActivityCommand as C;
        use ActivityError as E;
        let event: ActivityEvent = match command {
            C::Record {
                id,
                network,
                working_group,
                by,
                details,
            } => {
                if self.network.is_some() {
                    return Err(E::AlreadyRecorded);
                }
                Self::authorise(network, working_group, by, services).await?;
                Self::check(&details, services).await?;
                ActivityRecorded {
                    activity_id: id,
                    network,
                    working_group,
                    details,
                }
                .into()
            }
            C::Update { by, details } => {
                let network = self.network.ok_or(E::NotFound)?;
                if self.cancelled {
                    return Err(E::Cancelled);
                }
                Self::authorise(network, self.working_group, by, services).await?;
                Self::check(&details, services).await?;
                ActivityUpdated { details }.into()
            }
            C::Cancel {
                by,
                reason,
                cancelled_on,
            } => {
                let network = self.network.ok_or(E::NotFound)?;
                if self.cancelled {
                    return Err(E::Cancelled);
                }
                Self::authorise(network, self.working_group, by, services).await?;
                ActivityCancelled {
                    reason,
                    cancelled_on,
                }
                .into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            ActivityEvent::ActivityRecorded(e) => {
                self.id = Some(e.activity_id);
                self.network = Some(e.network);
                self.working_group = e.working_group;
            }
            ActivityEvent::ActivityUpdated(_) => {}
            ActivityEvent::ActivityCancelled(_) => self.cancelled = true,
        }
    }
}
