//! Service (servizio) a network offers through one of its member organizations: an
//! anti-violence centre, a listening point, a shelter, a programme for men who use violence…
//! Its territory is a set of municipalities by ISTAT code; its contact points are typed
//! institutional fields (never a person's). A shelter's address is never stored.
//!
//! Lifecycle: registered (open) → suspended ⇄ reopened → closed; every change carries the date
//! it takes effect on, so the services open in a municipality on a past date can be answered
//! both as known then and as effective then. `Confirm` records that the details were checked.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, NetworkFacts, Services};
use crate::events::domain_events;
use crate::ids::{NetworkId, OrganizationId, ServiceId};
use crate::values::{wire_enum, Email, FreeText, Link, MunicipalityCode, Name, PhoneNumber};

wire_enum!(
    /// The kinds of service the source documents name: centro antiviolenza
    /// (`ANTI_VIOLENCE_CENTRE`), sportello or punto di ascolto (`LISTENING_POINT`), casa
    /// rifugio (`SHELTER`, whose address is never stored), casa di seconda accoglienza
    /// (`SECOND_LEVEL_HOUSING`), programme for men who use violence (`PERPETRATOR_PROGRAMME`,
    /// CUAV), pronto intervento sociale (`SOCIAL_EMERGENCY`), équipe multidisciplinare
    /// (`MULTIDISCIPLINARY_TEAM`), consultorio familiare (`FAMILY_COUNSELLING`), `OTHER`.
    ServiceKind {
        AntiViolenceCentre,
        ListeningPoint,
        Shelter,
        SecondLevelHousing,
        PerpetratorProgramme,
        SocialEmergency,
        MultidisciplinaryTeam,
        FamilyCounselling,
        Other,
    }
);

wire_enum!(
    /// How a person reaches the service: in person without appointment or referral
    /// (`DIRECT`), by phone first (`PHONE`), referred by another service (`REFERRAL`, who:
    /// `referral_from`).
    AccessRoute {
        Direct,
        Phone,
        Referral,
    }
);

/// The institutional contact points a coordinator declares public. Typed fields only: a
/// switchboard, a functional mailbox, a website; never a person's own contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Contacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switchboard: Option<PhoneNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<Link>,
}

/// What a service is and how to reach it (all of it replaced by an update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceDetails {
    pub name: Name,
    pub kind: ServiceKind,
    /// The municipalities served, by ISTAT code (at least one).
    pub territory: BTreeSet<MunicipalityCode>,
    /// Who it is for.
    pub audience: FreeText,
    /// How to access it (at least one route).
    pub access: Vec<AccessRoute>,
    /// By whom people are referred, when referral is a route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_from: Option<FreeText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<FreeText>,
    #[serde(default)]
    pub languages: Vec<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessibility: Option<FreeText>,
    /// Where it is; never for a shelter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<FreeText>,
    #[serde(default)]
    pub contacts: Contacts,
    /// Whether the public directory lists it.
    pub listed: bool,
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum ServiceCommand {
    Register {
        id: ServiceId,
        network: NetworkId,
        organization: OrganizationId,
        by: OrganizationId,
        details: ServiceDetails,
        registered_on: NaiveDate,
    },
    Update {
        by: OrganizationId,
        details: ServiceDetails,
        effective_on: NaiveDate,
    },
    Suspend {
        by: OrganizationId,
        reason: FreeText,
        expected_reopening: Option<NaiveDate>,
        effective_on: NaiveDate,
    },
    Reopen {
        by: OrganizationId,
        effective_on: NaiveDate,
    },
    Close {
        by: OrganizationId,
        reason: FreeText,
        effective_on: NaiveDate,
    },
    Confirm {
        by: OrganizationId,
        confirmed_on: NaiveDate,
    },
}

impl crate::DomainCommand for ServiceCommand {
    fn business_date(&self) -> Option<NaiveDate> {
        Some(match self {
            Self::Register { registered_on, .. } => *registered_on,
            Self::Update { effective_on, .. }
            | Self::Suspend { effective_on, .. }
            | Self::Reopen { effective_on, .. }
            | Self::Close { effective_on, .. } => *effective_on,
            Self::Confirm { confirmed_on, .. } => *confirmed_on,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("this service is already registered")]
    AlreadyRegistered,
    #[error("no such service")]
    NotFound,
    #[error("the service is closed")]
    Closed,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("only the network's coordinator or the organization running the service may do this")]
    NotAuthorised,
    #[error("organization {0} is not an active member of the network")]
    NotNetworkMember(OrganizationId),
    #[error("a service serves at least one municipality")]
    EmptyTerritory,
    #[error("{0} is not the ISTAT code of a municipality")]
    UnknownMunicipality(MunicipalityCode),
    #[error("the municipality {code} does not exist on {on} (its code was created or suppressed around then)")]
    MunicipalityNotInForce {
        code: MunicipalityCode,
        on: NaiveDate,
    },
    #[error("a shelter's address is never recorded: give its territory and how to be referred")]
    ShelterAddress,
    #[error("a service has at least one access route")]
    NoAccessRoute,
    #[error("the {0} contact is a registered person's: only institutional contacts are published")]
    PersonalContact(&'static str),
    #[error("the service is already suspended")]
    AlreadySuspended,
    #[error("the service is not suspended")]
    NotSuspended,
    #[error("the expected reopening must be after the suspension starts")]
    ReopeningNotAfterSuspension,
    #[error("a change cannot take effect before the service's last change ({0})")]
    BeforeLastChange(NaiveDate),
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

impl ServiceError {
    /// The field of the command at fault, when one is.
    pub fn field_at_fault(&self) -> Option<Vec<&'static str>> {
        use ServiceError as E;
        Some(match self {
            E::EmptyTerritory | E::UnknownMunicipality(_) | E::MunicipalityNotInForce { .. } => {
                vec!["details", "municipalities"]
            }
            E::ShelterAddress => vec!["details", "address"],
            E::NoAccessRoute => vec!["details", "access"],
            E::PersonalContact(contact) => vec!["details", "contacts", contact],
            E::ReopeningNotAfterSuspension => vec!["expected_reopening"],
            E::BeforeLastChange(_) => vec!["effective_on"],
            _ => return None,
        })
    }
}

crate::error_codes!(ServiceError {
    AlreadyRegistered => "ALREADY_REGISTERED",
    NotFound => "NOT_FOUND",
    Closed => "SERVICE_CLOSED",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    NotAuthorised => "NOT_AUTHORISED",
    NotNetworkMember => "NOT_NETWORK_MEMBER",
    EmptyTerritory => "EMPTY_TERRITORY",
    UnknownMunicipality => "UNKNOWN_MUNICIPALITY",
    MunicipalityNotInForce => "MUNICIPALITY_NOT_IN_FORCE",
    ShelterAddress => "SHELTER_ADDRESS",
    NoAccessRoute => "NO_ACCESS_ROUTE",
    PersonalContact => "PERSONAL_CONTACT",
    AlreadySuspended => "ALREADY_SUSPENDED",
    NotSuspended => "NOT_SUSPENDED",
    ReopeningNotAfterSuspension => "REOPENING_NOT_AFTER_SUSPENSION",
    BeforeLastChange => "BEFORE_LAST_CHANGE",
    Directory => "DIRECTORY",
}, field = ServiceError::field_at_fault);

domain_events!(
    /// Everything that can happen to a service.
    ServiceEvent {
        ServiceRegistered = "1",
        ServiceUpdated = "1",
        ServiceSuspended = "1",
        ServiceReopened = "1",
        ServiceClosed = "1",
        ServiceConfirmed = "1",
    }
);

/// A service was registered, open from `registered_on`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceRegistered {
    pub service_id: ServiceId,
    pub network: NetworkId,
    pub organization: OrganizationId,
    pub details: ServiceDetails,
    pub registered_on: NaiveDate,
}

/// Its details were replaced, from `effective_on`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceUpdated {
    pub details: ServiceDetails,
    pub effective_on: NaiveDate,
}

/// It closed temporarily.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceSuspended {
    pub reason: FreeText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_reopening: Option<NaiveDate>,
    pub effective_on: NaiveDate,
}

/// It reopened after a suspension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceReopened {
    pub effective_on: NaiveDate,
}

/// It closed for good.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceClosed {
    pub reason: FreeText,
    pub effective_on: NaiveDate,
}

/// Someone responsible checked that its details are still right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceConfirmed {
    pub confirmed_on: NaiveDate,
}

/// Where a service stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceState {
    #[default]
    Unregistered,
    Open,
    Suspended,
    Closed,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Service {
    pub id: Option<ServiceId>,
    pub network: Option<NetworkId>,
    pub organization: Option<OrganizationId>,
    pub state: ServiceState,
    /// The business date of the last change (changes never go back before it).
    pub last_change: Option<NaiveDate>,
}

/// The facts of an open network.
async fn open_network(
    network: NetworkId,
    services: &Services,
) -> Result<NetworkFacts, ServiceError> {
    services
        .open_network(
            network,
            ServiceError::NetworkNotFound,
            ServiceError::NetworkClosed,
        )
        .await
}

/// The details are acceptable on `on`: a territory of municipalities in force then, an access
/// route, no shelter address, no contact that is a registered person's.
async fn check_details(
    details: &ServiceDetails,
    on: NaiveDate,
    services: &Services,
) -> Result<(), ServiceError> {
    if details.territory.is_empty() {
        return Err(ServiceError::EmptyTerritory);
    }
    if details.access.is_empty() {
        return Err(ServiceError::NoAccessRoute);
    }
    if details.kind == ServiceKind::Shelter && details.address.is_some() {
        return Err(ServiceError::ShelterAddress);
    }
    for code in &details.territory {
        let facts = services
            .directory
            .municipality(code)
            .await?
            .ok_or_else(|| ServiceError::UnknownMunicipality(code.clone()))?;
        if !facts.in_force_on(on) {
            return Err(ServiceError::MunicipalityNotInForce {
                code: code.clone(),
                on,
            });
        }
    }
    let contacts = &details.contacts;
    if let Some(phone) = &contacts.switchboard {
        if services.directory.is_personal_phone(phone).await? {
            return Err(ServiceError::PersonalContact("switchboard"));
        }
    }
    if let Some(mailbox) = &contacts.mailbox {
        if services.directory.is_personal_email(mailbox).await? {
            return Err(ServiceError::PersonalContact("mailbox"));
        }
    }
    Ok(())
}

impl Service {
    /// The network's facts, once `by` may change this service on `on`.
    async fn authorise(
        &self,
        by: OrganizationId,
        on: NaiveDate,
        services: &Services,
    ) -> Result<NetworkFacts, ServiceError> {
        let network = self.network.ok_or(ServiceError::NotFound)?;
        if self.state == ServiceState::Closed {
            return Err(ServiceError::Closed);
        }
        let facts = open_network(network, services).await?;
        if by != facts.coordinator && Some(by) != self.organization {
            return Err(ServiceError::NotAuthorised);
        }
        if let Some(last) = self.last_change.filter(|last| on < *last) {
            return Err(ServiceError::BeforeLastChange(last));
        }
        Ok(facts)
    }
}

impl Aggregate for Service {
    const TYPE: &'static str = "Service";
    type Command = ServiceCommand;
    type Event = ServiceEvent;
    type Error = ServiceError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        use ServiceCommand as C;
        let event: ServiceEvent = match command {
            C::Register {
                id,
                network,
                organization,
                by,
                details,
                registered_on,
            } => {
                if self.network.is_some() {
                    return Err(ServiceError::AlreadyRegistered);
                }
                let facts = open_network(network, services).await?;
                if by != facts.coordinator && by != organization {
                    return Err(ServiceError::NotAuthorised);
                }
                if !facts.active_members.contains(&organization) {
                    return Err(ServiceError::NotNetworkMember(organization));
                }
                check_details(&details, registered_on, services).await?;
                ServiceRegistered {
                    service_id: id,
                    network,
                    organization,
                    details,
                    registered_on,
                }
                .into()
            }
            C::Update {
                by,
                details,
                effective_on,
            } => {
                let facts = self.authorise(by, effective_on, services).await?;
                if let Some(organization) = self.organization {
                    if !facts.active_members.contains(&organization) {
                        return Err(ServiceError::NotNetworkMember(organization));
                    }
                }
                check_details(&details, effective_on, services).await?;
                ServiceUpdated {
                    details,
                    effective_on,
                }
                .into()
            }
            C::Suspend {
                by,
                reason,
                expected_reopening,
                effective_on,
            } => {
                self.authorise(by, effective_on, services).await?;
                if self.state == ServiceState::Suspended {
                    return Err(ServiceError::AlreadySuspended);
                }
                if expected_reopening.is_some_and(|d| d <= effective_on) {
                    return Err(ServiceError::ReopeningNotAfterSuspension);
                }
                ServiceSuspended {
                    reason,
                    expected_reopening,
                    effective_on,
                }
                .into()
            }
            C::Reopen { by, effective_on } => {
                self.authorise(by, effective_on, services).await?;
                if self.state != ServiceState::Suspended {
                    return Err(ServiceError::NotSuspended);
                }
                ServiceReopened { effective_on }.into()
            }
            C::Close {
                by,
                reason,
                effective_on,
            } => {
                self.authorise(by, effective_on, services).await?;
                ServiceClosed {
                    reason,
                    effective_on,
                }
                .into()
            }
            C::Confirm { by, confirmed_on } => {
                let network = self.network.ok_or(ServiceError::NotFound)?;
                if self.state == ServiceState::Closed {
                    return Err(ServiceError::Closed);
                }
                let facts = open_network(network, services).await?;
                if by != facts.coordinator && Some(by) != self.organization {
                    return Err(ServiceError::NotAuthorised);
                }
                ServiceConfirmed { confirmed_on }.into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            ServiceEvent::ServiceRegistered(e) => {
                self.id = Some(e.service_id);
                self.network = Some(e.network);
                self.organization = Some(e.organization);
                self.state = ServiceState::Open;
                self.last_change = Some(e.registered_on);
            }
            ServiceEvent::ServiceUpdated(e) => self.last_change = Some(e.effective_on),
            ServiceEvent::ServiceSuspended(e) => {
                self.state = ServiceState::Suspended;
                self.last_change = Some(e.effective_on);
            }
            ServiceEvent::ServiceReopened(e) => {
                self.state = ServiceState::Open;
                self.last_change = Some(e.effective_on);
            }
            ServiceEvent::ServiceClosed(e) => {
                self.state = ServiceState::Closed;
                self.last_change = Some(e.effective_on);
            }
            ServiceEvent::ServiceConfirmed(_) => {}
        }
    }
}
