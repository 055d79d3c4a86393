//! The read model of Protocol: its documents (their serde form is the stored form) and the
//! fold of its events into them.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolVersionView {
    pub number: u32,
    pub title: Name,
    pub purpose: FreeText,
    pub clauses: Vec<Clause>,
    pub validity: DateRange,
    pub renewal: RenewalRule,
    pub document_hash: Option<DocumentHash>,
    pub published_on: Option<NaiveDate>,
    pub opened_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub signatories: Vec<OrganizationId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyView {
    pub organization: OrganizationId,
    pub status: PartyStatus,
    pub required: bool,
    pub added_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolView {
    pub id: ProtocolId,
    pub network: NetworkId,
    pub kind: ProtocolKind,
    /// The protocol's standing: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE (a version is in
    /// force, even while a revision is being signed), EXPIRED, SUPERSEDED.
    pub status: ProtocolStatus,
    /// Where the latest version is: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE.
    pub current_version_status: ProtocolStatus,
    pub current_version: u32,
    pub in_force_version: Option<u32>,
    pub versions: Vec<ProtocolVersionView>,
    pub parties: Vec<PartyView>,
    pub superseded_by: Option<ProtocolId>,
    pub ended_on: Option<NaiveDate>,
}

impl ProtocolView {
    /// The latest version moved on; the protocol's standing follows it until a version is in
    /// force.
    pub(super) fn set_version_status(&mut self, status: ProtocolStatus) {
        self.current_version_status = status;
        self.status = match self.in_force_version {
            Some(_) => ProtocolStatus::InForce,
            None => status,
        };
    }

    pub fn current(&self) -> Option<&ProtocolVersionView> {
        self.versions.last()
    }
    pub(super) fn version_mut(&mut self, number: u32) -> Option<&mut ProtocolVersionView> {
        self.versions.iter_mut().find(|v| v.number == number)
    }
    pub(super) fn party_mut(&mut self, organization: OrganizationId) -> &mut PartyView {
        if let Some(i) = self
            .parties
            .iter()
            .position(|p| p.organization == organization)
        {
            return &mut self.parties[i];
        }
        self.parties.push(PartyView {
            organization,
            status: PartyStatus::Invited,
            required: false,
            added_on: None,
        });
        self.parties.last_mut().expect("just pushed")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureView {
    pub protocol: ProtocolId,
    pub network: NetworkId,
    pub version: u32,
    pub organization: OrganizationId,
    pub signing_office: Name,
    pub method: SignatureMethod,
    pub document_hash: DocumentHash,
    /// The business date of the signature.
    pub signed_on: NaiveDate,
    /// When it was recorded, and at which position of the log.
    pub recorded_at: DateTime<Utc>,
    pub position: i64,
}

pub(super) fn project_protocol(
    docs: &mut Docs,
    event: &StoredEvent,
    id: ProtocolId,
    e: ProtocolEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let key = DocKey::new(Kind::Protocol, id);
    let mut view: ProtocolView = match &e {
        ProtocolEvent::ProtocolDrafted(d) => ProtocolView {
            id,
            network: d.network,
            kind: d.kind,
            status: ProtocolStatus::Draft,
            current_version_status: ProtocolStatus::Draft,
            current_version: d.version,
            in_force_version: None,
            versions: vec![],
            parties: d
                .parties
                .iter()
                .map(|o| PartyView {
                    organization: *o,
                    status: PartyStatus::Invited,
                    required: true,
                    added_on: None,
                })
                .collect(),
            superseded_by: None,
            ended_on: None,
        },
        _ => docs.require(&key, p)?,
    };
    let network = view.network;
    docs.concern(Kind::Network, network, p);
    let new_version = |number: u32, c: aggregates::protocol::ProtocolContent| ProtocolVersionView {
        number,
        title: c.title,
        purpose: c.purpose,
        clauses: c.clauses,
        validity: c.validity,
        renewal: c.renewal,
        document_hash: None,
        published_on: None,
        opened_on: None,
        in_force_on: None,
        signatories: vec![],
    };
    match e {
        ProtocolEvent::ProtocolDrafted(d) => {
            for party in &d.parties {
                docs.concern(Kind::Organization, party, p);
            }
            view.versions.push(new_version(d.version, d.content));
        }
        ProtocolEvent::ProtocolAmended(a) => {
            if let Some(v) = view.version_mut(a.version) {
                let signatories = std::mem::take(&mut v.signatories);
                *v = new_version(a.version, a.content);
                v.signatories = signatories;
            }
        }
        ProtocolEvent::ProtocolVersionPublished(pv) => {
            if let Some(v) = view.version_mut(pv.version) {
                v.document_hash = Some(pv.document_hash);
                v.published_on = Some(pv.published_on);
            }
            view.set_version_status(ProtocolStatus::Published);
        }
        ProtocolEvent::ProtocolOpenedForSignature(o) => {
            if let Some(v) = view.version_mut(o.version) {
                v.opened_on = Some(o.opened_on);
            }
            view.set_version_status(ProtocolStatus::OpenForSignature);
        }
        ProtocolEvent::ProtocolSigned(s) => {
            if let Some(v) = view.version_mut(s.version) {
                if !v.signatories.contains(&s.organization) {
                    v.signatories.push(s.organization);
                }
            }
            docs.concern(Kind::Organization, s.organization, p);
            let signature = SignatureView {
                protocol: id,
                network,
                version: s.version,
                organization: s.organization,
                signing_office: s.signing_office,
                method: s.method,
                document_hash: s.document_hash,
                signed_on: s.signed_on,
                recorded_at: event.recorded_at,
                position: p,
            };
            docs.put(
                signature_key(id, s.version, s.organization),
                filters(
                    Some(network.to_string()),
                    Some(s.organization.to_string()),
                    Some(id.to_string()),
                ),
                p,
                signature,
            );
        }
        ProtocolEvent::ProtocolDeclined(d) => {
            view.party_mut(d.organization).status = PartyStatus::Declined;
            docs.concern(Kind::Organization, d.organization, p);
        }
        ProtocolEvent::ProtocolEnteredIntoForce(f) => {
            if let Some(v) = view.version_mut(f.version) {
                v.in_force_on = Some(f.effective_on);
            }
            view.in_force_version = Some(f.version);
            view.set_version_status(ProtocolStatus::InForce);
        }
        ProtocolEvent::ProtocolPartyAdded(a) => {
            let party = view.party_mut(a.organization);
            party.status = PartyStatus::Invited;
            party.added_on = Some(a.added_on);
            docs.concern(Kind::Organization, a.organization, p);
        }
        ProtocolEvent::ProtocolPartyWithdrawn(w) => {
            view.party_mut(w.organization).status = PartyStatus::Withdrawn;
            docs.concern(Kind::Organization, w.organization, p);
        }
        ProtocolEvent::ProtocolRevised(r) => {
            view.versions.push(new_version(r.version, r.content));
            view.current_version = r.version;
            view.set_version_status(ProtocolStatus::Draft);
            for party in view
                .parties
                .iter_mut()
                .filter(|p| p.status == PartyStatus::Declined)
            {
                party.status = PartyStatus::Invited;
            }
        }
        ProtocolEvent::ProtocolRenewed(r) => {
            let in_force = view.in_force_version;
            if let Some(v) = view
                .versions
                .iter_mut()
                .find(|v| Some(v.number) == in_force)
            {
                if let Ok(validity) = v.validity.with_end(r.valid_until) {
                    v.validity = validity;
                }
            }
        }
        ProtocolEvent::ProtocolExpired(x) => {
            view.status = ProtocolStatus::Expired;
            view.ended_on = Some(x.on);
        }
        ProtocolEvent::ProtocolSuperseded(s) => {
            view.status = ProtocolStatus::Superseded;
            view.superseded_by = Some(s.by_protocol);
            view.ended_on = Some(s.on);
            docs.concern(Kind::Protocol, s.by_protocol, p);
        }
    }
    docs.put(key, filters(Some(network.to_string()), None, None), p, view);
    Ok(())
}
