//! What an aggregate may ask about other aggregates while it decides: the `Services` of every
//! aggregate. In production it is backed by the event store (issue 3) or the read models;
//! in the domain tests by an in-memory fake fed with the same events (`tests/common/directory.rs`).
//! This module is the port only: the trait, the facts it answers and its error.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use chrono::NaiveDate;

use crate::ids::{NetworkId, OrganizationId, ProtocolId, WorkingGroupId};
use crate::values::{Email, MunicipalityCode, PhoneNumber, TaxCode};

/// The directory could not answer (its storage failed). Never carries storage details.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the directory is unavailable")]
pub struct DirectoryUnavailable;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationFacts {
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkFacts {
    pub coordinator: OrganizationId,
    pub open: bool,
    pub active_members: BTreeSet<OrganizationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingGroupFacts {
    pub network: NetworkId,
    pub active: bool,
    /// Its members now, the lead among them.
    pub members: BTreeSet<OrganizationId>,
}

/// A municipality of the reference list: when its code came into force and, if it did, when
/// it was suppressed (the first day it no longer exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityFacts {
    pub established_on: Option<NaiveDate>,
    pub suppressed_on: Option<NaiveDate>,
}

impl MunicipalityFacts {
    /// Whether the municipality exists on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.established_on.is_none_or(|from| from <= day)
            && self.suppressed_on.is_none_or(|until| day < until)
    }
}

/// Read-only questions aggregates ask about other aggregates.
#[async_trait]
pub trait Directory: Send + Sync {
    async fn organization(
        &self,
        id: OrganizationId,
    ) -> Result<Option<OrganizationFacts>, DirectoryUnavailable>;
    async fn organization_with_tax_code(
        &self,
        code: &TaxCode,
    ) -> Result<Option<OrganizationId>, DirectoryUnavailable>;
    async fn network(&self, id: NetworkId) -> Result<Option<NetworkFacts>, DirectoryUnavailable>;
    async fn working_group(
        &self,
        id: WorkingGroupId,
    ) -> Result<Option<WorkingGroupFacts>, DirectoryUnavailable>;
    /// The network a protocol belongs to (None: no such protocol).
    async fn protocol_network(
        &self,
        id: ProtocolId,
    ) -> Result<Option<NetworkId>, DirectoryUnavailable>;
    /// A municipality of the reference list (ISTAT), by code.
    async fn municipality(
        &self,
        code: &MunicipalityCode,
    ) -> Result<Option<MunicipalityFacts>, DirectoryUnavailable>;
    /// Whether a registered, not erased person has this phone number among their details.
    async fn is_personal_phone(&self, phone: &PhoneNumber) -> Result<bool, DirectoryUnavailable>;
    /// Whether a registered, not erased person has this e-mail address among their details.
    async fn is_personal_email(&self, email: &Email) -> Result<bool, DirectoryUnavailable>;
}

/// The services every aggregate receives.
#[derive(Clone)]
pub struct Services {
    pub directory: Arc<dyn Directory>,
}

impl Services {
    pub fn new(directory: Arc<dyn Directory>) -> Self {
        Self { directory }
    }

    /// The facts of a network that exists and is open; the aggregate's own refusal (`missing`,
    /// `closed`) otherwise.
    pub async fn open_network<E: From<DirectoryUnavailable>>(
        &self,
        network: NetworkId,
        missing: E,
        closed: E,
    ) -> Result<NetworkFacts, E> {
        let facts = self.directory.network(network).await?.ok_or(missing)?;
        if !facts.open {
            return Err(closed);
        }
        Ok(facts)
    }

    /// [`Services::open_network`], once `by` is known to be its coordinator
    /// (`not_coordinator` otherwise).
    pub async fn coordinated_network<E: From<DirectoryUnavailable>>(
        &self,
        network: NetworkId,
        by: OrganizationId,
        [missing, closed, not_coordinator]: [E; 3],
    ) -> Result<NetworkFacts, E> {
        let facts = self.open_network(network, missing, closed).await?;
        if by != facts.coordinator {
            return Err(not_coordinator);
        }
        Ok(facts)
    }
}
