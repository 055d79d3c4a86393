//! The directory aggregates consult while deciding, answered from the event store itself
//! (aggregates are loaded and their state read), so it is never behind the log.

use std::sync::Arc;

use aggregates::directory::{
    Directory, DirectoryUnavailable, MunicipalityFacts, NetworkFacts, OrganizationFacts,
    WorkingGroupFacts,
};
use aggregates::ids::{NetworkId, OrganizationId, ProtocolId, WorkingGroupId};
use aggregates::network::{MembershipStatus, Network};
use aggregates::organization::{Organization, OrganizationStatus};
use aggregates::values::{normalized_phone, Email, MunicipalityCode, PhoneNumber, TaxCode};
use aggregates::working_group::WorkingGroup;
use async_trait::async_trait;

use super::municipalities::Municipalities;
use super::{Backend, PersonDetails, StoreError};

pub struct StoreDirectory {
    /// The database, the deployment secret (to open persons' details: their contacts are
    /// never a service's; None: no person can have been registered with this store), and what
    /// a lookup checks the aggregate's history against.
    history: super::authenticate::HistoryCheck,
    /// The command service's remembered states: a lookup reads only the events after them.
    cache: Arc<super::cache::AggregateCache>,
    /// The reference list of municipalities, shared with the store.
    reference: Arc<tokio::sync::OnceCell<Arc<Municipalities>>>,
}

fn unavailable(error: StoreError) -> DirectoryUnavailable {
    tracing::error!(%error, "directory lookup failed");
    DirectoryUnavailable
}

impl StoreDirectory {
    pub(crate) fn new(
        history: super::authenticate::HistoryCheck,
        cache: Arc<super::cache::AggregateCache>,
        reference: Arc<tokio::sync::OnceCell<Arc<Municipalities>>>,
    ) -> Self {
        Self {
            history,
            cache,
            reference,
        }
    }

    /// The contact details of every registered person not erased, opened with their keys.
    async fn persons(&self) -> Result<Vec<PersonDetails>, StoreError> {
        // The latest sealed details of each person.
        let sql = match &self.history.backend {
            Backend::Postgres(_) => {
                "SELECT aggregate_id, payload -> event_type ->> 'details' FROM events
                  WHERE aggregate_type = 'Person'
                    AND event_type IN ('PersonRegistered', 'PersonDetailsChanged')
                  ORDER BY aggregate_id, sequence"
            }
            Backend::Sqlite(_) => {
                "SELECT aggregate_id, json_extract(payload, '$.' || event_type || '.details')
                   FROM events
                  WHERE aggregate_type = 'Person'
                    AND event_type IN ('PersonRegistered', 'PersonDetailsChanged')
                  ORDER BY aggregate_id, sequence"
            }
        };
        let rows: Vec<(String, Option<String>)> = crate::sql::on_pool!(&self.history.backend, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        let mut latest: Vec<(String, String)> = Vec::new();
        for (person, sealed) in rows {
            let Some(sealed) = sealed else { continue };
            match latest.last_mut() {
                Some((last, details)) if *last == person => *details = sealed,
                _ => latest.push((person, sealed)),
            }
        }
        if latest.is_empty() {
            return Ok(vec![]);
        }
        let secrets = self
            .history
            .secrets
            .as_deref()
            .ok_or(StoreError::NoSecrets)?;
        let mut found = Vec::with_capacity(latest.len());
        for (person, sealed) in latest {
            // No key: erased, nothing of theirs can be confirmed any more.
            let Some(key) =
                super::access::person_key_in(&self.history.backend, secrets, &person).await?
            else {
                continue;
            };
            let details = super::open(&key, &person, &sealed)
                .and_then(|plain| serde_json::from_slice::<PersonDetails>(&plain).ok())
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("the details of person {person} do not open"))
                })?;
            found.push(details);
        }
        Ok(found)
    }

    async fn load<A: cqrs_es::Aggregate + Clone + 'static>(
        &self,
        id: &str,
    ) -> Result<Option<A>, DirectoryUnavailable> {
        match self.cache.current::<A>(&self.history, id).await {
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
        let candidates: Result<Vec<String>, sqlx::Error> = match &self.history.backend {
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
                    members: g.members,
                })
            }))
    }

    async fn protocol_network(
        &self,
        id: ProtocolId,
    ) -> Result<Option<NetworkId>, DirectoryUnavailable> {
        Ok(self
            .load::<aggregates::protocol::Protocol>(&id.to_string())
            .await?
            .and_then(|p| p.network))
    }

    async fn municipality(
        &self,
        code: &MunicipalityCode,
    ) -> Result<Option<MunicipalityFacts>, DirectoryUnavailable> {
        let list = self
            .reference
            .get_or_try_init(|| super::municipalities::read(&self.history.backend))
            .await
            .map_err(unavailable)?;
        Ok(list.get(code.as_str()).map(|m| m.facts()))
    }

    async fn is_personal_phone(&self, phone: &PhoneNumber) -> Result<bool, DirectoryUnavailable> {
        let digits = phone.digits();
        Ok(self.persons().await.map_err(unavailable)?.iter().any(|p| {
            p.phone
                .as_deref()
                .is_some_and(|theirs| normalized_phone(theirs) == digits)
        }))
    }

    async fn is_personal_email(&self, email: &Email) -> Result<bool, DirectoryUnavailable> {
        let email = email.as_str();
        Ok(self.persons().await.map_err(unavailable)?.iter().any(|p| {
            p.email
                .as_deref()
                .is_some_and(|theirs| theirs.trim().eq_ignore_ascii_case(email))
        }))
    }
}
