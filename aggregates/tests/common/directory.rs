//! Fakes of the domain's `Directory` port for the aggregate tests: one kept current by
//! observing events, and one that is always unavailable.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use aggregates::directory::{
    Directory, DirectoryUnavailable, MunicipalityFacts, NetworkFacts, OrganizationFacts,
    WorkingGroupFacts,
};
use aggregates::ids::{NetworkId, OrganizationId, ProtocolId, WorkingGroupId};
use aggregates::network::{MembershipStatus, NetworkEvent};
use aggregates::organization::OrganizationEvent;
use aggregates::values::{Email, MunicipalityCode, PhoneNumber, TaxCode};
use aggregates::working_group::WorkingGroupEvent;
use async_trait::async_trait;

/// An in-memory directory, kept current by observing events. Used by tests and by embedded
/// tools; it holds no personal data.
#[derive(Default)]
pub struct InMemoryDirectory {
    state: Mutex<DirectoryState>,
}

#[derive(Default)]
struct DirectoryState {
    organizations: HashMap<OrganizationId, OrganizationFacts>,
    tax_codes: HashMap<TaxCode, OrganizationId>,
    networks: HashMap<NetworkId, NetworkFacts>,
    memberships: HashMap<NetworkId, BTreeMap<OrganizationId, MembershipStatus>>,
    working_groups: HashMap<WorkingGroupId, WorkingGroupFacts>,
    protocols: HashMap<ProtocolId, NetworkId>,
    municipalities: HashMap<MunicipalityCode, MunicipalityFacts>,
    /// Registered persons' phone numbers (their digits) and e-mail addresses (lower case).
    personal_phones: BTreeSet<String>,
    personal_emails: BTreeSet<String>,
}

impl InMemoryDirectory {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn with<R>(&self, f: impl FnOnce(&mut DirectoryState) -> R) -> R {
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    pub fn observe_organization(&self, id: OrganizationId, event: &OrganizationEvent) {
        self.with(|s| match event {
            OrganizationEvent::OrganizationRegistered(e) => {
                s.organizations
                    .insert(id, OrganizationFacts { active: true });
                if let Some(code) = &e.tax_code {
                    s.tax_codes.insert(code.clone(), id);
                }
            }
            OrganizationEvent::OrganizationDetailsUpdated(e) => {
                if let Some(code) = &e.tax_code {
                    s.tax_codes.retain(|_, owner| *owner != id);
                    s.tax_codes.insert(code.clone(), id);
                }
            }
            OrganizationEvent::OrganizationSucceededBy(_)
            | OrganizationEvent::OrganizationDeactivated(_) => {
                s.organizations
                    .insert(id, OrganizationFacts { active: false });
            }
            OrganizationEvent::OrganizationRenamed(_)
            | OrganizationEvent::OrganizationSucceeded(_) => {}
        })
    }

    pub fn observe_network(&self, id: NetworkId, event: &NetworkEvent) {
        self.with(|s| {
            if let NetworkEvent::NetworkEstablished(e) = event {
                s.networks.insert(
                    id,
                    NetworkFacts {
                        coordinator: e.coordinator,
                        open: true,
                        active_members: BTreeSet::new(),
                    },
                );
            }
            let memberships = s.memberships.entry(id).or_default();
            match event {
                NetworkEvent::NetworkEstablished(e) => {
                    memberships.insert(e.coordinator, MembershipStatus::Active);
                }
                NetworkEvent::CoordinatorChanged(_) | NetworkEvent::NetworkClosed(_) => {}
                other => {
                    if let Some((org, status)) = other.membership_change() {
                        memberships.insert(org, status);
                    }
                }
            }
            let active: BTreeSet<OrganizationId> = memberships
                .iter()
                .filter(|(_, status)| **status == MembershipStatus::Active)
                .map(|(org, _)| *org)
                .collect();
            if let Some(facts) = s.networks.get_mut(&id) {
                facts.active_members = active;
                match event {
                    NetworkEvent::CoordinatorChanged(e) => facts.coordinator = e.new_coordinator,
                    NetworkEvent::NetworkClosed(_) => facts.open = false,
                    _ => {}
                }
            }
        })
    }

    /// Adds a municipality to the reference list.
    pub fn know_municipality(&self, code: &str, facts: MunicipalityFacts) {
        let code = MunicipalityCode::parse(code).expect("valid test municipality code");
        self.with(|s| s.municipalities.insert(code, facts));
    }

    /// Records a registered person's contact details.
    pub fn know_person(&self, phone: &str, email: &str) {
        self.with(|s| {
            s.personal_phones.insert(
                PhoneNumber::parse(phone)
                    .expect("valid test phone")
                    .digits(),
            );
            s.personal_emails.insert(email.to_lowercase());
        });
    }

    pub fn observe_working_group(&self, id: WorkingGroupId, event: &WorkingGroupEvent) {
        self.with(|s| match event {
            WorkingGroupEvent::WorkingGroupFormed(e) => {
                s.working_groups.insert(
                    id,
                    WorkingGroupFacts {
                        network: e.network,
                        active: true,
                        members: [e.lead].into(),
                    },
                );
            }
            WorkingGroupEvent::WorkingGroupMemberAdded(e) => {
                if let Some(facts) = s.working_groups.get_mut(&id) {
                    facts.members.insert(e.organization);
                }
            }
            WorkingGroupEvent::WorkingGroupMemberRemoved(e) => {
                if let Some(facts) = s.working_groups.get_mut(&id) {
                    facts.members.remove(&e.organization);
                }
            }
            WorkingGroupEvent::WorkingGroupDissolved(_) => {
                if let Some(facts) = s.working_groups.get_mut(&id) {
                    facts.active = false;
                }
            }
        })
    }
}

impl InMemoryDirectory {
    /// Knows a protocol of a network.
    pub fn know_protocol(&self, id: ProtocolId, network: NetworkId) {
        self.with(|s| s.protocols.insert(id, network));
    }
}

#[async_trait]
impl Directory for InMemoryDirectory {
    async fn protocol_network(
        &self,
        id: ProtocolId,
    ) -> Result<Option<NetworkId>, DirectoryUnavailable> {
        Ok(self.with(|s| s.protocols.get(&id).copied()))
    }
    async fn organization(
        &self,
        id: OrganizationId,
    ) -> Result<Option<OrganizationFacts>, DirectoryUnavailable> {
        Ok(self.with(|s| s.organizations.get(&id).cloned()))
    }
    async fn organization_with_tax_code(
        &self,
        code: &TaxCode,
    ) -> Result<Option<OrganizationId>, DirectoryUnavailable> {
        Ok(self.with(|s| s.tax_codes.get(code).copied()))
    }
    async fn network(&self, id: NetworkId) -> Result<Option<NetworkFacts>, DirectoryUnavailable> {
        Ok(self.with(|s| s.networks.get(&id).cloned()))
    }
    async fn working_group(
        &self,
        id: WorkingGroupId,
    ) -> Result<Option<WorkingGroupFacts>, DirectoryUnavailable> {
        Ok(self.with(|s| s.working_groups.get(&id).cloned()))
    }
    async fn municipality(
        &self,
        code: &MunicipalityCode,
    ) -> Result<Option<MunicipalityFacts>, DirectoryUnavailable> {
        Ok(self.with(|s| s.municipalities.get(code).cloned()))
    }
    async fn is_personal_phone(&self, phone: &PhoneNumber) -> Result<bool, DirectoryUnavailable> {
        Ok(self.with(|s| s.personal_phones.contains(&phone.digits())))
    }
    async fn is_personal_email(&self, email: &Email) -> Result<bool, DirectoryUnavailable> {
        Ok(self.with(|s| s.personal_emails.contains(&email.as_str().to_lowercase())))
    }
}

/// A directory whose storage is down: every question fails. For testing error paths.
pub struct UnavailableDirectory;

#[async_trait]
impl Directory for UnavailableDirectory {
    async fn protocol_network(
        &self,
        _: ProtocolId,
    ) -> Result<Option<NetworkId>, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
    async fn organization(
        &self,
        _: OrganizationId,
    ) -> Result<Option<OrganizationFacts>, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
    async fn organization_with_tax_code(
        &self,
        _: &TaxCode,
    ) -> Result<Option<OrganizationId>, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
    async fn network(&self, _: NetworkId) -> Result<Option<NetworkFacts>, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
    async fn working_group(
        &self,
        _: WorkingGroupId,
    ) -> Result<Option<WorkingGroupFacts>, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
    async fn municipality(
        &self,
        _: &MunicipalityCode,
    ) -> Result<Option<MunicipalityFacts>, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
    async fn is_personal_phone(&self, _: &PhoneNumber) -> Result<bool, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
    async fn is_personal_email(&self, _: &Email) -> Result<bool, DirectoryUnavailable> {
        Err(DirectoryUnavailable)
    }
}
