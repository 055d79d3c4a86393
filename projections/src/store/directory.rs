//! The directory aggregates consult while deciding, answered from the event store itself
//! (aggregates are loaded and their state read), so it is never behind the log.

use aggregates::directory::{
    Directory, DirectoryUnavailable, NetworkFacts, OrganizationFacts, WorkingGroupFacts,
};
use aggregates::ids::{NetworkId, OrganizationId, WorkingGroupId};
use aggregates::network::{MembershipStatus, Network};
use aggregates::organization::{Organization, OrganizationStatus};
use aggregates::values::TaxCode;
use aggregates::working_group::WorkingGroup;
use async_trait::async_trait;

use super::Backend;

pub struct StoreDirectory {
    backend: Backend,
    /// The command service's remembered states: a lookup reads only the events after them.
    cache: std::sync::Arc<super::cache::AggregateCache>,
}

impl StoreDirectory {
    pub(crate) fn new(
        backend: Backend,
        cache: std::sync::Arc<super::cache::AggregateCache>,
    ) -> Self {
        Self { backend, cache }
    }

    async fn load<A: cqrs_es::Aggregate + Clone + 'static>(
        &self,
        id: &str,
    ) -> Result<Option<A>, DirectoryUnavailable> {
        match self.cache.current::<A>(&self.backend, id).await {
            Ok((_, 0)) => Ok(None),
            Ok((aggregate, _)) => Ok(Some(aggregate)),
            Err(error) => {
                tracing::error!(%error, "directory lookup failed");
                Err(DirectoryUnavailable)
            }
        }
    }
}

#[async_trait]
impl Directory for StoreDirectory {
    async fn organization(
        &self,
        id: OrganizationId,
    ) -> Result<Option<OrganizationFacts>, DirectoryUnavailable> {
        Ok(self
            .load::<Organization>(&id.to_string())
            .await?
            .map(|o| OrganizationFacts {
                active: o.status == OrganizationStatus::Active,
            }))
    }

    async fn organization_with_tax_code(
        &self,
        code: &TaxCode,
    ) -> Result<Option<OrganizationId>, DirectoryUnavailable> {
        let candidates: Result<Vec<String>, sqlx::Error> = match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT DISTINCT aggregate_id FROM events
                      WHERE aggregate_type = 'Organization'
                        AND (payload -> 'OrganizationRegistered' ->> 'tax_code' = $1
                          OR payload -> 'OrganizationDetailsUpdated' ->> 'tax_code' = $1)",
                )
                .bind(code.as_str())
                .fetch_all(pool)
                .await
            }
            Backend::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT DISTINCT aggregate_id FROM events
                      WHERE aggregate_type = 'Organization'
                        AND (json_extract(payload, '$.OrganizationRegistered.tax_code') = ?1
                          OR json_extract(payload, '$.OrganizationDetailsUpdated.tax_code') = ?1)",
                )
                .bind(code.as_str())
                .fetch_all(pool)
                .await
            }
        };
        let candidates = candidates.map_err(|error| {
            tracing::error!(%error, "tax code lookup failed");
            DirectoryUnavailable
        })?;
        // A code may have moved: only the organization that holds it now counts.
        for candidate in candidates {
            if let Some(organization) = self.load::<Organization>(&candidate).await? {
                if organization.tax_code.as_ref() == Some(code) {
                    return Ok(organization.id);
                }
            }
        }
        Ok(None)
    }

    async fn network(&self, id: NetworkId) -> Result<Option<NetworkFacts>, DirectoryUnavailable> {
        Ok(self.load::<Network>(&id.to_string()).await?.and_then(|n| {
            Some(NetworkFacts {
                coordinator: n.coordinator?,
                open: !n.closed,
                active_members: n
                    .memberships
                    .iter()
                    .filter(|(_, s)| **s == MembershipStatus::Active)
                    .map(|(o, _)| *o)
                    .collect(),
            })
        }))
    }

    async fn working_group(
        &self,
        id: WorkingGroupId,
    ) -> Result<Option<WorkingGroupFacts>, DirectoryUnavailable> {
        Ok(self
            .load::<WorkingGroup>(&id.to_string())
            .await?
            .and_then(|g| {
                Some(WorkingGroupFacts {
                    network: g.network?,
                    active: !g.dissolved,
                })
            }))
    }
}
