//! The read models, as documents, and the one pure function that folds an event into them.
//!
//! Each document is a small JSON value of a [`Kind`], keyed by an id. The projector loads the
//! documents an event batch needs ([`keys_for`]), folds the events over them in memory
//! ([`project`]) and writes a new version of each changed document, stamped with the position
//! of the event that produced it. Keeping every version is what makes "as known at position P"
//! a plain query; business-dated facts inside the documents (membership periods, signature
//! dates) answer "as effective on date D".

use std::collections::HashMap;

use aggregates::commitment::{CommitmentEvent, CommitmentSource};
use aggregates::ids::{NetworkId, OrganizationId};
use aggregates::meeting::{ActionItem, Attendance, MeetingEvent, MeetingKind, Venue};
use aggregates::network::{NetworkEvent, NetworkKind, ReferentRole};
use aggregates::organization::OrganizationEvent;
use aggregates::protocol::{Clause, ProtocolEvent, ProtocolKind, RenewalRule, SignatureMethod};
use aggregates::values::{
    DateRange, DocumentHash, FreeText, Name, OrganizationCategory, Sealed, TaxCode,
};
use aggregates::working_group::WorkingGroupEvent;
use aggregates::AnyEvent;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::StoredEvent;

/// The kinds of read-model document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Organization,
    Network,
    Membership,
    Protocol,
    Signature,
    Commitment,
    WorkingGroup,
    Meeting,
    Attendance,
    Person,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Organization,
        Kind::Network,
        Kind::Membership,
        Kind::Protocol,
        Kind::Signature,
        Kind::Commitment,
        Kind::WorkingGroup,
        Kind::Meeting,
        Kind::Attendance,
        Kind::Person,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Organization => "organization",
            Kind::Network => "network",
            Kind::Membership => "membership",
            Kind::Protocol => "protocol",
            Kind::Signature => "signature",
            Kind::Commitment => "commitment",
            Kind::WorkingGroup => "working_group",
            Kind::Meeting => "meeting",
            Kind::Attendance => "attendance",
            Kind::Person => "person",
        }
    }

    /// The entity kind of an aggregate type (timelines are kept per entity).
    pub fn of_aggregate(aggregate_type: &str) -> Option<Kind> {
        Some(match aggregate_type {
            "Organization" => Kind::Organization,
            "Network" => Kind::Network,
            "Protocol" => Kind::Protocol,
            "Commitment" => Kind::Commitment,
            "WorkingGroup" => Kind::WorkingGroup,
            "Meeting" => Kind::Meeting,
            "Person" => Kind::Person,
            _ => return None,
        })
    }
}

/// A document's identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey {
    pub kind: Kind,
    pub id: String,
}

impl DocKey {
    pub fn new(kind: Kind, id: impl ToString) -> Self {
        Self {
            kind,
            id: id.to_string(),
        }
    }
}

pub fn membership_key(network: NetworkId, organization: OrganizationId) -> DocKey {
    DocKey::new(Kind::Membership, format!("{network}/{organization}"))
}

pub fn signature_key(protocol: &str, version: u32, organization: OrganizationId) -> DocKey {
    DocKey::new(
        Kind::Signature,
        format!("{protocol}/{version}/{organization}"),
    )
}

pub fn attendance_key(meeting: &str, organization: OrganizationId) -> DocKey {
    DocKey::new(Kind::Attendance, format!("{meeting}/{organization}"))
}

/// The columns a document can be filtered by, besides its kind and id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub network_id: Option<String>,
    pub organization_id: Option<String>,
    pub parent_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The documents.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: OrganizationId,
    pub name: Name,
    pub former_names: Vec<Name>,
    pub category: OrganizationCategory,
    pub tax_code: Option<TaxCode>,
    pub territory: Name,
    pub status: String,
    pub predecessors: Vec<OrganizationId>,
    pub successor: Option<OrganizationId>,
    pub registered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub id: NetworkId,
    pub name: Name,
    pub kind: NetworkKind,
    pub territory: Name,
    pub coordinator: OrganizationId,
    pub public: bool,
    pub established_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// How an organization joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JoinedVia {
    Founding,
    Application,
    Signature,
}

/// A stretch of business dates during which the organization was an active member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    /// The first day it was no longer an active member.
    pub until: Option<NaiveDate>,
    pub via: JoinedVia,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferentView {
    pub referent: String,
    pub person: String,
    pub role: ReferentRole,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    pub network: NetworkId,
    pub organization: OrganizationId,
    /// PENDING, ACTIVE, SUSPENDED, REJECTED, WITHDRAWN, EXPELLED.
    pub status: String,
    pub applied_on: Option<NaiveDate>,
    /// Start of the current active period.
    pub since: Option<NaiveDate>,
    pub via: Option<JoinedVia>,
    pub periods: Vec<Period>,
    pub referents: Vec<ReferentView>,
}

impl MembershipView {
    /// Whether the organization was an active member on a business date.
    pub fn member_on(&self, day: NaiveDate) -> bool {
        self.periods
            .iter()
            .any(|p| p.from <= day && p.until.is_none_or(|until| day < until))
    }

    fn open_period(&mut self, from: NaiveDate, via: JoinedVia) {
        self.since = Some(from);
        self.via = Some(via);
        self.periods.push(Period {
            from,
            until: None,
            via,
        });
    }

    fn close_period(&mut self, on: NaiveDate) {
        if let Some(period) = self.periods.last_mut().filter(|p| p.until.is_none()) {
            period.until = Some(on);
        }
        self.since = None;
    }
}

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
    /// INVITED, DECLINED, WITHDRAWN.
    pub status: String,
    pub required: bool,
    pub added_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolView {
    pub id: String,
    pub network: NetworkId,
    pub kind: ProtocolKind,
    /// The protocol's standing: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE (a version is in
    /// force, even while a revision is being signed), EXPIRED, SUPERSEDED.
    pub status: String,
    /// Where the latest version is: DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE.
    pub current_version_status: String,
    pub current_version: u32,
    pub in_force_version: Option<u32>,
    pub versions: Vec<ProtocolVersionView>,
    pub parties: Vec<PartyView>,
    pub superseded_by: Option<String>,
    pub ended_on: Option<NaiveDate>,
}

impl ProtocolView {
    /// The latest version moved on; the protocol's standing follows it until a version is in
    /// force.
    fn set_version_status(&mut self, status: &str) {
        self.current_version_status = status.to_owned();
        self.status = match self.in_force_version {
            Some(_) => "IN_FORCE".to_owned(),
            None => status.to_owned(),
        };
    }

    pub fn current(&self) -> Option<&ProtocolVersionView> {
        self.versions.last()
    }
    fn version_mut(&mut self, number: u32) -> Option<&mut ProtocolVersionView> {
        self.versions.iter_mut().find(|v| v.number == number)
    }
    fn party_mut(&mut self, organization: OrganizationId) -> &mut PartyView {
        if let Some(i) = self
            .parties
            .iter()
            .position(|p| p.organization == organization)
        {
            return &mut self.parties[i];
        }
        self.parties.push(PartyView {
            organization,
            status: "INVITED".to_owned(),
            required: false,
            added_on: None,
        });
        self.parties.last_mut().expect("just pushed")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureView {
    pub protocol: String,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub by: OrganizationId,
    pub note: FreeText,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub note: FreeText,
    pub document_hash: Option<DocumentHash>,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentView {
    pub id: String,
    pub network: NetworkId,
    pub source: CommitmentSource,
    pub obligor: OrganizationId,
    pub title: Name,
    pub description: Option<FreeText>,
    pub due_on: Option<NaiveDate>,
    pub created_on: NaiveDate,
    /// OPEN, IN_PROGRESS, FULFILLED, WAIVED, CANCELLED.
    pub status: String,
    pub progress: Vec<ProgressView>,
    pub evidence: Option<EvidenceView>,
    pub closed_on: Option<NaiveDate>,
    pub reason: Option<FreeText>,
}

impl CommitmentView {
    pub fn is_pending(&self) -> bool {
        self.status == "OPEN" || self.status == "IN_PROGRESS"
    }
    /// Overdue is derived at the moment of the question, never stored.
    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        self.is_pending() && self.due_on.is_some_and(|due| on > due)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkingGroupView {
    pub id: String,
    pub network: NetworkId,
    pub name: Name,
    pub mandate: FreeText,
    pub lead: OrganizationId,
    pub members: Vec<OrganizationId>,
    pub formed_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
    pub number: u32,
    pub text: FreeText,
    pub action_items: Vec<ActionItem>,
    pub decided_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingView {
    pub id: String,
    pub network: NetworkId,
    pub working_group: Option<String>,
    pub kind: MeetingKind,
    pub title: Name,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub venue: Venue,
    pub agenda: Vec<FreeText>,
    pub public: bool,
    /// SCHEDULED, OPEN, CLOSED, CANCELLED.
    pub status: String,
    pub cancel_reason: Option<FreeText>,
    pub decisions: Vec<DecisionView>,
    pub minutes_versions: Vec<DocumentHash>,
    pub minutes_approved_version: Option<u32>,
    pub minutes_approved_on: Option<NaiveDate>,
}

impl MeetingView {
    /// NONE, DRAFTED or APPROVED.
    pub fn minutes_status(&self) -> &'static str {
        match (
            self.minutes_approved_version,
            self.minutes_versions.is_empty(),
        ) {
            (Some(_), _) => "APPROVED",
            (None, false) => "DRAFTED",
            (None, true) => "NONE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceView {
    pub meeting: String,
    pub network: NetworkId,
    pub organization: OrganizationId,
    pub attendance: Attendance,
    pub represented_by: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The fold.

/// Why an event could not be projected. Any of these stops the projector: a read model never
/// silently skips an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error("event at position {position} does not decode: {message}")]
    Decode { position: i64, message: String },
    #[error("event at position {position} refers to a {kind} document that does not exist ({id})")]
    Missing {
        position: i64,
        kind: &'static str,
        id: String,
    },
    #[error("the document {kind} {id} was not loaded for position {position} (a projector bug)")]
    NotLoaded {
        position: i64,
        kind: &'static str,
        id: String,
    },
    #[error("the document {kind} {id} cannot be read: {message}")]
    Corrupt {
        kind: &'static str,
        id: String,
        message: String,
    },
}

/// One written version of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub key: DocKey,
    pub position: i64,
    pub filters: Filters,
    pub doc: Value,
}

/// The documents of one batch: what was loaded, and every version written since.
#[derive(Debug, Default)]
pub struct Docs {
    current: HashMap<DocKey, Option<(Filters, Value)>>,
    pub versions: Vec<Version>,
    /// (entity kind, entity id, position): which events concern which entity.
    pub concerns: Vec<(Kind, String, i64)>,
}

impl Docs {
    /// Records what the database holds for `key` (None: no such document yet).
    pub fn preload(&mut self, key: DocKey, current: Option<(Filters, Value)>) {
        self.current.entry(key).or_insert(current);
    }

    pub fn is_loaded(&self, key: &DocKey) -> bool {
        self.current.contains_key(key)
    }

    /// Every current document held (None: known to be absent).
    pub fn current(&self) -> impl Iterator<Item = (&DocKey, Option<&(Filters, Value)>)> {
        self.current.iter().map(|(key, doc)| (key, doc.as_ref()))
    }

    /// Keeps the current documents of `keys` only.
    pub fn keep_only(&mut self, keys: &std::collections::BTreeSet<DocKey>) {
        self.current.retain(|key, _| keys.contains(key));
    }

    /// The pending versions and entity index rows were written (or abandoned): keeps only the
    /// current documents.
    pub fn written(&mut self) {
        self.versions.clear();
        self.concerns.clear();
    }

    fn get<T: DeserializeOwned>(
        &self,
        key: &DocKey,
        position: i64,
    ) -> Result<Option<T>, ProjectionError> {
        match self.current.get(key) {
            None => Err(ProjectionError::NotLoaded {
                position,
                kind: key.kind.as_str(),
                id: key.id.clone(),
            }),
            Some(None) => Ok(None),
            Some(Some((_, value))) => {
                // Read from the stored value in place (no copy of the whole document).
                T::deserialize(value)
                    .map(Some)
                    .map_err(|e| ProjectionError::Corrupt {
                        kind: key.kind.as_str(),
                        id: key.id.clone(),
                        message: e.to_string(),
                    })
            }
        }
    }

    fn require<T: DeserializeOwned>(
        &self,
        key: &DocKey,
        position: i64,
    ) -> Result<T, ProjectionError> {
        self.get(key, position)?
            .ok_or_else(|| ProjectionError::Missing {
                position,
                kind: key.kind.as_str(),
                id: key.id.clone(),
            })
    }

    fn put<T: Serialize>(&mut self, key: DocKey, filters: Filters, position: i64, doc: &T) {
        let value = serde_json::to_value(doc).expect("read-model documents serialise");
        self.current
            .insert(key.clone(), Some((filters.clone(), value.clone())));
        self.versions.push(Version {
            key,
            position,
            filters,
            doc: value,
        });
    }

    fn concern(&mut self, kind: Kind, id: impl ToString, position: i64) {
        let entry = (kind, id.to_string(), position);
        // Positions only grow within a batch: a duplicate can only be among this event's
        // entries, at the end (a scan of the whole batch made large batches quadratic).
        let duplicate = self
            .concerns
            .iter()
            .rev()
            .take_while(|(_, _, p)| *p == position)
            .any(|e| *e == entry);
        if !duplicate {
            self.concerns.push(entry);
        }
    }
}

fn filters(
    network: Option<String>,
    organization: Option<String>,
    parent: Option<String>,
) -> Filters {
    Filters {
        network_id: network,
        organization_id: organization,
        parent_id: parent,
    }
}

fn decode(event: &StoredEvent) -> Result<AnyEvent, ProjectionError> {
    event.decode().map_err(|e| ProjectionError::Decode {
        position: event.position,
        message: e.to_string(),
    })
}

/// The documents the fold of `event` reads (to be loaded before [`project`]).
pub fn keys_for(event: &StoredEvent) -> Result<Vec<DocKey>, ProjectionError> {
    let id = event.aggregate_id.as_str();
    Ok(match decode(event)? {
        AnyEvent::Organization(_) => vec![DocKey::new(Kind::Organization, id)],
        AnyEvent::Network(e) => {
            let network: NetworkId = parse_id(id, event.position)?;
            let mut keys = vec![DocKey::new(Kind::Network, id)];
            match &e {
                NetworkEvent::CoordinatorChanged(_) | NetworkEvent::NetworkClosed(_) => {}
                NetworkEvent::ReferentDesignated(r) => {
                    keys.push(membership_key(network, r.organization))
                }
                NetworkEvent::ReferentRevoked(r) => {
                    keys.push(membership_key(network, r.organization))
                }
                other => {
                    if let Some((organization, _)) = other.membership_change() {
                        keys.push(membership_key(network, organization));
                    }
                }
            }
            keys
        }
        AnyEvent::Protocol(e) => {
            let mut keys = vec![DocKey::new(Kind::Protocol, id)];
            if let ProtocolEvent::ProtocolSigned(s) = &e {
                keys.push(signature_key(id, s.version, s.organization));
            }
            keys
        }
        AnyEvent::Commitment(_) => vec![DocKey::new(Kind::Commitment, id)],
        AnyEvent::WorkingGroup(_) => vec![DocKey::new(Kind::WorkingGroup, id)],
        AnyEvent::Meeting(e) => {
            let mut keys = vec![DocKey::new(Kind::Meeting, id)];
            if let MeetingEvent::AttendanceRecorded(a) = &e {
                keys.push(attendance_key(id, a.organization));
            }
            keys
        }
        AnyEvent::Person(_) => vec![DocKey::new(Kind::Person, id)],
    })
}

fn parse_id<T: std::str::FromStr>(id: &str, position: i64) -> Result<T, ProjectionError> {
    id.parse().map_err(|_| ProjectionError::Decode {
        position,
        message: format!("aggregate id {id:?} is not a UUID"),
    })
}

/// Folds one event into the documents (every document it reads must be loaded).
pub fn project(docs: &mut Docs, event: &StoredEvent) -> Result<(), ProjectionError> {
    let p = event.position;
    let id = event.aggregate_id.clone();
    if let Some(kind) = Kind::of_aggregate(&event.aggregate_type) {
        docs.concern(kind, &id, p);
    }
    match decode(event)? {
        AnyEvent::Organization(e) => project_organization(docs, event, &id, e),
        AnyEvent::Network(e) => project_network(docs, event, &id, e),
        AnyEvent::Protocol(e) => project_protocol(docs, event, &id, e),
        AnyEvent::Commitment(e) => project_commitment(docs, p, &id, e),
        AnyEvent::WorkingGroup(e) => project_working_group(docs, p, &id, e),
        AnyEvent::Meeting(e) => project_meeting(docs, p, &id, e),
        AnyEvent::Person(e) => project_person(docs, p, &id, e),
    }
}

/// A person as the read side keeps them: their details only sealed (opened by the API with
/// the person's key, which erasure destroys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: String,
    pub details: Sealed,
    pub erased_on: Option<NaiveDate>,
}

fn project_person(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: aggregates::person::PersonEvent,
) -> Result<(), ProjectionError> {
    use aggregates::person::PersonEvent as E;
    let key = DocKey::new(Kind::Person, id);
    let view = match e {
        E::PersonRegistered(r) => PersonView {
            id: id.to_owned(),
            details: r.details,
            erased_on: None,
        },
        E::PersonDetailsChanged(c) => PersonView {
            details: c.details,
            ..docs.require(&key, p)?
        },
        E::PersonErased(e) => PersonView {
            erased_on: Some(e.erased_on),
            ..docs.require(&key, p)?
        },
    };
    docs.put(key, filters(None, None, None), p, &view);
    Ok(())
}

fn project_organization(
    docs: &mut Docs,
    event: &StoredEvent,
    id: &str,
    e: OrganizationEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let key = DocKey::new(Kind::Organization, id);
    let mut view: OrganizationView = match e {
        OrganizationEvent::OrganizationRegistered(r) => {
            let view = OrganizationView {
                id: r.organization_id,
                name: r.name,
                former_names: vec![],
                category: r.category,
                tax_code: r.tax_code,
                territory: r.territory,
                status: "ACTIVE".to_owned(),
                predecessors: vec![],
                successor: None,
                registered_at: event.recorded_at,
            };
            docs.put(key, filters(None, Some(id.to_owned()), None), p, &view);
            return Ok(());
        }
        _ => docs.require(&key, p)?,
    };
    match e {
        OrganizationEvent::OrganizationRegistered(_) => {}
        OrganizationEvent::OrganizationRenamed(r) => {
            view.former_names.push(r.previous_name);
            view.name = r.name;
        }
        OrganizationEvent::OrganizationDetailsUpdated(u) => {
            if let Some(c) = u.category {
                view.category = c;
            }
            if u.tax_code.is_some() {
                view.tax_code = u.tax_code;
            }
            if let Some(t) = u.territory {
                view.territory = t;
            }
        }
        OrganizationEvent::OrganizationSucceeded(s) => {
            view.predecessors.push(s.predecessor);
            docs.concern(Kind::Organization, s.predecessor, p);
        }
        OrganizationEvent::OrganizationSucceededBy(s) => {
            view.status = "SUCCEEDED".to_owned();
            view.successor = Some(s.successor);
            docs.concern(Kind::Organization, s.successor, p);
        }
        OrganizationEvent::OrganizationDeactivated(_) => view.status = "DEACTIVATED".to_owned(),
    }
    docs.put(key, filters(None, Some(id.to_owned()), None), p, &view);
    Ok(())
}

fn project_network(
    docs: &mut Docs,
    event: &StoredEvent,
    id: &str,
    e: NetworkEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let network: NetworkId = parse_id(id, p)?;
    let key = DocKey::new(Kind::Network, id);
    let network_filters = filters(Some(id.to_owned()), None, None);
    if let NetworkEvent::NetworkEstablished(n) = &e {
        let view = NetworkView {
            id: network,
            name: n.name.clone(),
            kind: n.kind,
            territory: n.territory.clone(),
            coordinator: n.coordinator,
            public: n.public,
            established_on: n.established_on,
            closed_on: None,
        };
        docs.put(key.clone(), network_filters.clone(), p, &view);
    }
    let mut view: NetworkView = docs.require(&key, p)?;
    let membership =
        |docs: &Docs, organization: OrganizationId| -> Result<MembershipView, ProjectionError> {
            Ok(docs
                .get(&membership_key(network, organization), p)?
                .unwrap_or(MembershipView {
                    network,
                    organization,
                    status: "NONE".to_owned(),
                    applied_on: None,
                    since: None,
                    via: None,
                    periods: vec![],
                    referents: vec![],
                }))
        };
    let put_membership = |docs: &mut Docs, m: &MembershipView| {
        docs.concern(Kind::Organization, m.organization, p);
        docs.put(
            membership_key(network, m.organization),
            filters(Some(id.to_owned()), Some(m.organization.to_string()), None),
            p,
            m,
        );
    };
    match e {
        NetworkEvent::NetworkEstablished(n) => {
            let mut m = membership(docs, n.coordinator)?;
            m.status = "ACTIVE".to_owned();
            m.open_period(n.established_on, JoinedVia::Founding);
            put_membership(docs, &m);
        }
        NetworkEvent::CoordinatorChanged(c) => {
            view.coordinator = c.new_coordinator;
            docs.concern(Kind::Organization, c.previous_coordinator, p);
            docs.concern(Kind::Organization, c.new_coordinator, p);
            docs.put(key, network_filters, p, &view);
        }
        NetworkEvent::NetworkClosed(c) => {
            view.closed_on = Some(c.effective_on);
            docs.put(key, network_filters, p, &view);
        }
        NetworkEvent::MembershipApplied(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = "PENDING".to_owned();
            m.applied_on = Some(a.applied_on);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipApproved(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = "ACTIVE".to_owned();
            m.open_period(a.effective_on, JoinedVia::Application);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipRejected(r) => {
            let mut m = membership(docs, r.organization)?;
            m.status = "REJECTED".to_owned();
            put_membership(docs, &m);
        }
        NetworkEvent::MemberAdmittedBySignature(a) => {
            let mut m = membership(docs, a.organization)?;
            m.status = "ACTIVE".to_owned();
            m.open_period(a.effective_on, JoinedVia::Signature);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipSuspended(s) => {
            let mut m = membership(docs, s.organization)?;
            m.status = "SUSPENDED".to_owned();
            m.close_period(s.effective_on);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipReinstated(r) => {
            let mut m = membership(docs, r.organization)?;
            let via = m.periods.last().map_or(JoinedVia::Application, |p| p.via);
            m.status = "ACTIVE".to_owned();
            m.open_period(r.effective_on, via);
            put_membership(docs, &m);
        }
        NetworkEvent::MembershipWithdrawn(w) => {
            let mut m = membership(docs, w.organization)?;
            m.status = "WITHDRAWN".to_owned();
            m.close_period(w.effective_on);
            end_referents(&mut m, w.effective_on);
            put_membership(docs, &m);
        }
        NetworkEvent::MemberExpelled(x) => {
            let mut m = membership(docs, x.organization)?;
            m.status = "EXPELLED".to_owned();
            m.close_period(x.effective_on);
            end_referents(&mut m, x.effective_on);
            put_membership(docs, &m);
        }
        NetworkEvent::ReferentDesignated(r) => {
            let mut m = membership(docs, r.organization)?;
            m.referents.push(ReferentView {
                referent: r.referent.to_string(),
                person: r.person.to_string(),
                role: r.role,
                since: r.effective_on,
                until: None,
            });
            put_membership(docs, &m);
        }
        NetworkEvent::ReferentRevoked(r) => {
            let mut m = membership(docs, r.organization)?;
            let referent = r.referent.to_string();
            for view in m.referents.iter_mut().filter(|v| v.referent == referent) {
                view.until.get_or_insert(r.effective_on);
            }
            put_membership(docs, &m);
        }
    }
    Ok(())
}

fn end_referents(m: &mut MembershipView, on: NaiveDate) {
    for referent in m.referents.iter_mut() {
        referent.until.get_or_insert(on);
    }
}

fn project_protocol(
    docs: &mut Docs,
    event: &StoredEvent,
    id: &str,
    e: ProtocolEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let key = DocKey::new(Kind::Protocol, id);
    let mut view: ProtocolView = match &e {
        ProtocolEvent::ProtocolDrafted(d) => ProtocolView {
            id: id.to_owned(),
            network: d.network,
            kind: d.kind,
            status: "DRAFT".to_owned(),
            current_version_status: "DRAFT".to_owned(),
            current_version: d.version,
            in_force_version: None,
            versions: vec![],
            parties: d
                .parties
                .iter()
                .map(|o| PartyView {
                    organization: *o,
                    status: "INVITED".to_owned(),
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
            view.set_version_status("PUBLISHED");
        }
        ProtocolEvent::ProtocolOpenedForSignature(o) => {
            if let Some(v) = view.version_mut(o.version) {
                v.opened_on = Some(o.opened_on);
            }
            view.set_version_status("OPEN_FOR_SIGNATURE");
        }
        ProtocolEvent::ProtocolSigned(s) => {
            if let Some(v) = view.version_mut(s.version) {
                if !v.signatories.contains(&s.organization) {
                    v.signatories.push(s.organization);
                }
            }
            docs.concern(Kind::Organization, s.organization, p);
            let signature = SignatureView {
                protocol: id.to_owned(),
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
                    Some(id.to_owned()),
                ),
                p,
                &signature,
            );
        }
        ProtocolEvent::ProtocolDeclined(d) => {
            view.party_mut(d.organization).status = "DECLINED".to_owned();
            docs.concern(Kind::Organization, d.organization, p);
        }
        ProtocolEvent::ProtocolEnteredIntoForce(f) => {
            if let Some(v) = view.version_mut(f.version) {
                v.in_force_on = Some(f.effective_on);
            }
            view.in_force_version = Some(f.version);
            view.set_version_status("IN_FORCE");
        }
        ProtocolEvent::ProtocolPartyAdded(a) => {
            let party = view.party_mut(a.organization);
            party.status = "INVITED".to_owned();
            party.added_on = Some(a.added_on);
            docs.concern(Kind::Organization, a.organization, p);
        }
        ProtocolEvent::ProtocolPartyWithdrawn(w) => {
            view.party_mut(w.organization).status = "WITHDRAWN".to_owned();
            docs.concern(Kind::Organization, w.organization, p);
        }
        ProtocolEvent::ProtocolRevised(r) => {
            view.versions.push(new_version(r.version, r.content));
            view.current_version = r.version;
            view.set_version_status("DRAFT");
            for party in view.parties.iter_mut().filter(|p| p.status == "DECLINED") {
                party.status = "INVITED".to_owned();
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
            view.status = "EXPIRED".to_owned();
            view.ended_on = Some(x.on);
        }
        ProtocolEvent::ProtocolSuperseded(s) => {
            view.status = "SUPERSEDED".to_owned();
            view.superseded_by = Some(s.by_protocol.to_string());
            view.ended_on = Some(s.on);
            docs.concern(Kind::Protocol, s.by_protocol, p);
        }
    }
    docs.put(
        key,
        filters(Some(network.to_string()), None, None),
        p,
        &view,
    );
    Ok(())
}

fn project_commitment(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: CommitmentEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Commitment, id);
    let mut view: CommitmentView = match &e {
        CommitmentEvent::CommitmentCreated(c) => CommitmentView {
            id: id.to_owned(),
            network: c.network,
            source: c.source.clone(),
            obligor: c.obligor,
            title: c.title.clone(),
            description: c.description.clone(),
            due_on: c.due_on,
            created_on: c.created_on,
            status: "OPEN".to_owned(),
            progress: vec![],
            evidence: None,
            closed_on: None,
            reason: None,
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    docs.concern(Kind::Organization, view.obligor, p);
    match e {
        CommitmentEvent::CommitmentCreated(c) => match c.source {
            CommitmentSource::ProtocolClause { protocol, .. } => {
                docs.concern(Kind::Protocol, protocol, p)
            }
            CommitmentSource::MeetingDecision { meeting, .. } => {
                docs.concern(Kind::Meeting, meeting, p)
            }
            CommitmentSource::Coordinator { by } => docs.concern(Kind::Organization, by, p),
        },
        CommitmentEvent::CommitmentProgressReported(r) => {
            view.status = "IN_PROGRESS".to_owned();
            view.progress.push(ProgressView {
                by: r.by,
                note: r.note,
                on: r.reported_on,
            });
        }
        CommitmentEvent::CommitmentFulfilled(f) => {
            view.status = "FULFILLED".to_owned();
            view.evidence = Some(EvidenceView {
                note: f.note,
                document_hash: f.evidence,
                on: f.fulfilled_on,
            });
            view.closed_on = Some(f.fulfilled_on);
        }
        CommitmentEvent::CommitmentWaived(w) => {
            view.status = "WAIVED".to_owned();
            view.reason = Some(w.reason);
            view.closed_on = Some(w.waived_on);
        }
        CommitmentEvent::CommitmentCancelled(c) => {
            view.status = "CANCELLED".to_owned();
            view.reason = Some(c.reason);
            view.closed_on = Some(c.cancelled_on);
        }
        CommitmentEvent::CommitmentReopened(r) => {
            view.status = "OPEN".to_owned();
            view.reason = Some(r.reason);
            view.closed_on = None;
            view.evidence = None;
        }
    }
    let parent = match &view.source {
        CommitmentSource::ProtocolClause { protocol, .. } => Some(protocol.to_string()),
        CommitmentSource::MeetingDecision { meeting, .. } => Some(meeting.to_string()),
        CommitmentSource::Coordinator { .. } => None,
    };
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            Some(view.obligor.to_string()),
            parent,
        ),
        p,
        &view,
    );
    Ok(())
}

fn project_working_group(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: WorkingGroupEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::WorkingGroup, id);
    let mut view: WorkingGroupView = match &e {
        WorkingGroupEvent::WorkingGroupFormed(f) => WorkingGroupView {
            id: id.to_owned(),
            network: f.network,
            name: f.name.clone(),
            mandate: f.mandate.clone(),
            lead: f.lead,
            members: vec![f.lead],
            formed_on: f.formed_on,
            dissolved_on: None,
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    match e {
        WorkingGroupEvent::WorkingGroupFormed(f) => docs.concern(Kind::Organization, f.lead, p),
        WorkingGroupEvent::WorkingGroupMemberAdded(a) => {
            if !view.members.contains(&a.organization) {
                view.members.push(a.organization);
            }
            docs.concern(Kind::Organization, a.organization, p);
        }
        WorkingGroupEvent::WorkingGroupMemberRemoved(r) => {
            view.members.retain(|m| *m != r.organization);
            docs.concern(Kind::Organization, r.organization, p);
        }
        WorkingGroupEvent::WorkingGroupDissolved(d) => view.dissolved_on = Some(d.dissolved_on),
    }
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            Some(view.lead.to_string()),
            None,
        ),
        p,
        &view,
    );
    Ok(())
}

fn project_meeting(
    docs: &mut Docs,
    p: i64,
    id: &str,
    e: MeetingEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Meeting, id);
    let mut view: MeetingView = match &e {
        MeetingEvent::MeetingScheduled(s) => MeetingView {
            id: id.to_owned(),
            network: s.network,
            working_group: s.working_group.map(|g| g.to_string()),
            kind: s.kind,
            title: s.title.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            venue: s.venue.clone(),
            agenda: s.agenda.clone(),
            public: s.public,
            status: "SCHEDULED".to_owned(),
            cancel_reason: None,
            decisions: vec![],
            minutes_versions: vec![],
            minutes_approved_version: None,
            minutes_approved_on: None,
        },
        _ => docs.require(&key, p)?,
    };
    let network = view.network;
    docs.concern(Kind::Network, network, p);
    match e {
        MeetingEvent::MeetingScheduled(s) => {
            if let Some(group) = s.working_group {
                docs.concern(Kind::WorkingGroup, group, p);
            }
        }
        MeetingEvent::MeetingRescheduled(r) => {
            view.starts_at = r.starts_at;
            view.ends_at = r.ends_at;
            view.venue = r.venue;
        }
        MeetingEvent::MeetingCancelled(c) => {
            view.status = "CANCELLED".to_owned();
            view.cancel_reason = Some(c.reason);
        }
        MeetingEvent::AttendanceRecorded(a) => {
            docs.concern(Kind::Organization, a.organization, p);
            let attendance = AttendanceView {
                meeting: id.to_owned(),
                network,
                organization: a.organization,
                attendance: a.attendance,
                represented_by: a.represented_by.map(|p| p.to_string()),
            };
            docs.put(
                attendance_key(id, a.organization),
                filters(
                    Some(network.to_string()),
                    Some(a.organization.to_string()),
                    Some(id.to_owned()),
                ),
                p,
                &attendance,
            );
            return Ok(());
        }
        MeetingEvent::MeetingOpened(_) => view.status = "OPEN".to_owned(),
        MeetingEvent::DecisionRecorded(d) => {
            for item in &d.action_items {
                docs.concern(Kind::Organization, item.obligor, p);
            }
            view.decisions.push(DecisionView {
                number: d.decision,
                text: d.text,
                action_items: d.action_items,
                decided_on: d.decided_on,
            });
        }
        MeetingEvent::MeetingClosed(_) => view.status = "CLOSED".to_owned(),
        MeetingEvent::MinutesDrafted(m) => view.minutes_versions.push(m.document_hash),
        MeetingEvent::MinutesApproved(m) => {
            view.minutes_approved_version = Some(m.version);
            view.minutes_approved_on = Some(m.approved_on);
        }
    }
    docs.put(
        key,
        filters(Some(network.to_string()), None, view.working_group.clone()),
        p,
        &view,
    );
    Ok(())
}
