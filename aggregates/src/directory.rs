//! What an aggregate may ask about other aggregates while it decides: the `Services` of every
//! aggregate. In production it is backed by the event store (issue 3) or the read models;
//! in the domain tests by an in-memory fake fed with the same events (`tests/common/directory.rs`).
//! This module is the port only: the trait, the facts it answers and its error.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::ids::{NetworkId, OrganizationId, WorkingGroupId};
use crate::values::TaxCode;

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
}
