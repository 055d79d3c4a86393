//! Organization (ente): a public body or association that can join networks.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, Services};
use crate::events::domain_events;
use crate::ids::OrganizationId;
use crate::values::{FreeText, Name, OrganizationCategory, TaxCode};

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum OrganizationCommand {
    Register {
        id: OrganizationId,
        name: Name,
        category: OrganizationCategory,
        tax_code: Option<TaxCode>,
        territory: Name,
    },
    Rename {
        name: Name,
        effective_on: NaiveDate,
    },
    UpdateDetails {
        category: Option<OrganizationCategory>,
        tax_code: Option<TaxCode>,
        territory: Option<Name>,
    },
    /// This organization succeeds `predecessor` and takes over its history.
    Succeed {
        predecessor: OrganizationId,
        effective_on: NaiveDate,
    },
    /// Recorded on the predecessor by the succession process.
    RecordSuccessor {
        successor: OrganizationId,
        effective_on: NaiveDate,
    },
    Deactivate {
        reason: FreeText,
        effective_on: NaiveDate,
    },
}

impl crate::DomainCommand for OrganizationCommand {
    fn claims_unique_value(&self) -> bool {
        self.claims_tax_code()
    }

    fn business_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Self::Rename {
                effective_on: on, ..
            }
            | Self::Succeed {
                effective_on: on, ..
            }
            | Self::RecordSuccessor {
                effective_on: on, ..
            }
            | Self::Deactivate {
                effective_on: on, ..
            } => Some(*on),
            Self::Register { .. } | Self::UpdateDetails { .. } => None,
        }
    }
}

impl OrganizationCommand {
    /// True when the command claims a tax code, which must stay unique across organizations:
    /// such commands must not race each other between check and commit.
    pub fn claims_tax_code(&self) -> bool {
        matches!(
            self,
            OrganizationCommand::Register {
                tax_code: Some(_),
                ..
            } | OrganizationCommand::UpdateDetails {
                tax_code: Some(_),
                ..
            }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationError {
    #[error("this organization is already registered")]
    AlreadyRegistered,
    #[error("no such organization")]
    NotFound,
    #[error("the organization is no longer active")]
    Inactive,
    #[error("the tax code is already registered to organization {}", .0.global())]
    TaxCodeInUse(OrganizationId),
    #[error("the organization already has this name")]
    SameName,
    #[error("nothing to update: every given detail equals the current one")]
    NothingToUpdate,
    #[error("an organization cannot succeed itself")]
    CannotSucceedItself,
    #[error("the predecessor organization is not registered")]
    PredecessorNotFound,
    #[error("the predecessor organization is no longer active")]
    PredecessorInactive,
    #[error("this organization has already been succeeded by {}", .0.global())]
    AlreadySucceeded(OrganizationId),
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(OrganizationError {
    AlreadyRegistered => "ALREADY_REGISTERED",
    NotFound => "NOT_FOUND",
    Inactive => "INACTIVE",
    TaxCodeInUse => "TAX_CODE_IN_USE",
    SameName => "SAME_NAME",
    NothingToUpdate => "NOTHING_TO_UPDATE",
    CannotSucceedItself => "CANNOT_SUCCEED_ITSELF",
    PredecessorNotFound => "PREDECESSOR_NOT_FOUND",
    PredecessorInactive => "PREDECESSOR_INACTIVE",
    AlreadySucceeded => "ALREADY_SUCCEEDED",
    Directory => "DIRECTORY",
});

domain_events!(
    /// Everything that can happen to an organization.
    OrganizationEvent {
        OrganizationRegistered = "1",
        OrganizationRenamed = "1",
        OrganizationDetailsUpdated = "1",
        OrganizationSucceeded = "1",
        OrganizationSucceededBy = "1",
        OrganizationDeactivated = "1",
    }
);

/// An organization was registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationRegistered {
    pub organization_id: OrganizationId,
    pub name: Name,
    pub category: OrganizationCategory,
    pub tax_code: Option<TaxCode>,
    pub territory: Name,
}

/// An organization changed its name (its history keeps the old one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationRenamed {
    pub previous_name: Name,
    pub name: Name,
    pub effective_on: NaiveDate,
}

/// Some details changed; absent fields did not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationDetailsUpdated {
    pub category: Option<OrganizationCategory>,
    pub tax_code: Option<TaxCode>,
    pub territory: Option<Name>,
}

/// This organization succeeded `predecessor` (e.g. Provincia → Città Metropolitana).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationSucceeded {
    pub predecessor: OrganizationId,
    pub effective_on: NaiveDate,
}

/// This organization was succeeded by `successor` and is no longer active.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationSucceededBy {
    pub successor: OrganizationId,
    pub effective_on: NaiveDate,
}

/// The organization was deactivated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganizationDeactivated {
    pub reason: FreeText,
    pub effective_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
/// Serialised in SCREAMING_SNAKE_CASE: the form the read models store and the API shows.
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganizationStatus {
    #[default]
    Unregistered,
    Active,
    Succeeded,
    Deactivated,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Organization {
    pub id: Option<OrganizationId>,
    pub status: OrganizationStatus,
    pub name: Option<Name>,
    pub category: Option<OrganizationCategory>,
    pub tax_code: Option<TaxCode>,
    pub territory: Option<Name>,
    pub predecessors: Vec<OrganizationId>,
    pub successor: Option<OrganizationId>,
}

impl Organization {
    fn require_active(&self) -> Result<(), OrganizationError> {
        match self.status {
            OrganizationStatus::Unregistered => Err(OrganizationError::NotFound),
            OrganizationStatus::Active => Ok(()),
            OrganizationStatus::Succeeded => Err(self
                .successor
                .map(OrganizationError::AlreadySucceeded)
                .unwrap_or(OrganizationError::Inactive)),
            OrganizationStatus::Deactivated => Err(OrganizationError::Inactive),
        }
    }

    async fn check_tax_code_free(
        &self,
        code: &TaxCode,
        services: &Services,
    ) -> Result<(), OrganizationError> {
        match services.directory.organization_with_tax_code(code).await? {
            Some(owner) if Some(owner) != self.id => Err(OrganizationError::TaxCodeInUse(owner)),
            _ => Ok(()),
        }
    }
}

impl Aggregate for Organization {
    const TYPE: &'static str = "Organization";
    type Command = OrganizationCommand;
    type Event = OrganizationEvent;
    type Error = OrganizationError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        use OrganizationCommand as C;
        let event: OrganizationEvent = match command {
            C::Register {
                id,
                name,
                category,
                tax_code,
                territory,
            } => {
                if self.status != OrganizationStatus::Unregistered {
                    return Err(OrganizationError::AlreadyRegistered);
                }
                if let Some(code) = &tax_code {
                    self.check_tax_code_free(code, services).await?;
                }
                OrganizationRegistered {
                    organization_id: id,
                    name,
                    category,
                    tax_code,
                    territory,
                }
                .into()
            }
            C::Rename { name, effective_on } => {
                self.require_active()?;
                let previous_name = self.name.clone().ok_or(OrganizationError::NotFound)?;
                if previous_name == name {
                    return Err(OrganizationError::SameName);
                }
                OrganizationRenamed {
                    previous_name,
                    name,
                    effective_on,
                }
                .into()
            }
            C::UpdateDetails {
                category,
                tax_code,
                territory,
            } => {
                self.require_active()?;
                let category = category.filter(|c| Some(*c) != self.category);
                let tax_code = tax_code.filter(|c| Some(c) != self.tax_code.as_ref());
                let territory = territory.filter(|t| Some(t) != self.territory.as_ref());
                if category.is_none() && tax_code.is_none() && territory.is_none() {
                    return Err(OrganizationError::NothingToUpdate);
                }
                if let Some(code) = &tax_code {
                    self.check_tax_code_free(code, services).await?;
                }
                OrganizationDetailsUpdated {
                    category,
                    tax_code,
                    territory,
                }
                .into()
            }
            C::Succeed {
                predecessor,
                effective_on,
            } => {
                self.require_active()?;
                if Some(predecessor) == self.id {
                    return Err(OrganizationError::CannotSucceedItself);
                }
                match services.directory.organization(predecessor).await? {
                    None => return Err(OrganizationError::PredecessorNotFound),
                    Some(facts) if !facts.active => {
                        return Err(OrganizationError::PredecessorInactive)
                    }
                    Some(_) => {}
                }
                OrganizationSucceeded {
                    predecessor,
                    effective_on,
                }
                .into()
            }
            C::RecordSuccessor {
                successor,
                effective_on,
            } => {
                if self.successor == Some(successor) {
                    // The succession process may run twice on the same event: nothing to do.
                    return Ok(());
                }
                self.require_active()?;
                if Some(successor) == self.id {
                    return Err(OrganizationError::CannotSucceedItself);
                }
                OrganizationSucceededBy {
                    successor,
                    effective_on,
                }
                .into()
            }
            C::Deactivate {
                reason,
                effective_on,
            } => {
                self.require_active()?;
                OrganizationDeactivated {
                    reason,
                    effective_on,
                }
                .into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            OrganizationEvent::OrganizationRegistered(e) => {
                self.id = Some(e.organization_id);
                self.status = OrganizationStatus::Active;
                self.name = Some(e.name);
                self.category = Some(e.category);
                self.tax_code = e.tax_code;
                self.territory = Some(e.territory);
            }
            OrganizationEvent::OrganizationRenamed(e) => self.name = Some(e.name),
            OrganizationEvent::OrganizationDetailsUpdated(e) => {
                if e.category.is_some() {
                    self.category = e.category;
                }
                if e.tax_code.is_some() {
                    self.tax_code = e.tax_code;
                }
                if e.territory.is_some() {
                    self.territory = e.territory;
                }
            }
            OrganizationEvent::OrganizationSucceeded(e) => self.predecessors.push(e.predecessor),
            OrganizationEvent::OrganizationSucceededBy(e) => {
                self.status = OrganizationStatus::Succeeded;
                self.successor = Some(e.successor);
            }
            OrganizationEvent::OrganizationDeactivated(_) => {
                self.status = OrganizationStatus::Deactivated
            }
        }
    }
}
