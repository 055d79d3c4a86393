//! The read models, as documents, and the one pure function that folds an event into them.
//! One module per aggregate holds its documents and its fold; this module holds the keys, the
//! batch's working set of documents and the dispatch.
//!
//! Each document is a view struct of a [`Kind`], keyed by an id, held in its typed form
//! ([`Doc`]) and stored as its JSON serde form. The projector loads the documents an event
//! batch needs ([`keys_for`]), folds the events over them in memory ([`project`]) and writes a
//! new version of each changed document, stamped with the position of the event that produced
//! it. The fold, the versions it writes and the read image share each typed document: JSON is
//! read when a document is loaded from the database and written when a version is stored. Keeping every version is what makes "as known at position P"
//! a plain query; business-dated facts inside the documents (membership periods, signature
//! dates) answer "as effective on date D".

use std::collections::HashMap;

use aggregates::commitment::{CommitmentEvent, CommitmentSource, CommitmentStatus};
use aggregates::ids::*;
use aggregates::meeting::{
    ActionItem, Attendance, MeetingEvent, MeetingKind, MeetingStatus, Venue,
};
use aggregates::network::{MembershipStatus, NetworkEvent, NetworkKind, ReferentRole};
use aggregates::organization::{OrganizationEvent, OrganizationStatus};
use aggregates::protocol::{
    Clause, PartyStatus, ProtocolEvent, ProtocolKind, ProtocolStatus, RenewalRule, SignatureMethod,
};
use aggregates::values::{
    DateRange, DocumentHash, FreeText, Name, OrganizationCategory, Sealed, TaxCode,
};
use aggregates::working_group::WorkingGroupEvent;
use aggregates::AnyEvent;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::StoredEvent;

mod activity;
mod commitment;
mod indicator_set;
mod meeting;
mod meeting_series;
mod network;
mod organization;
mod person;
mod plan;
mod protocol;
mod service;
mod working_group;

pub use activity::*;
pub use commitment::*;
pub use indicator_set::*;
pub use meeting::*;
pub use meeting_series::*;
pub use network::*;
pub use organization::*;
pub use person::*;
pub use plan::*;
pub use protocol::*;
pub use service::*;
pub use working_group::*;

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
    Service,
    IndicatorSet,
    Activity,
    Plan,
    MeetingSeries,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
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
        Kind::Service,
        Kind::IndicatorSet,
        Kind::Activity,
        Kind::Plan,
        Kind::MeetingSeries,
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
            Kind::Service => "service",
            Kind::IndicatorSet => "indicator_set",
            Kind::Activity => "activity",
            Kind::Plan => "plan",
            Kind::MeetingSeries => "meeting_series",
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
            "Service" => Kind::Service,
            "IndicatorSet" => Kind::IndicatorSet,
            "Activity" => Kind::Activity,
            "Plan" => Kind::Plan,
            "MeetingSeries" => Kind::MeetingSeries,
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

pub fn signature_key(protocol: ProtocolId, version: u32, organization: OrganizationId) -> DocKey {
    DocKey::new(
        Kind::Signature,
        format!("{protocol}/{version}/{organization}"),
    )
}

pub fn attendance_key(meeting: MeetingId, organization: OrganizationId) -> DocKey {
    DocKey::new(Kind::Attendance, format!("{meeting}/{organization}"))
}

/// The columns a document can be filtered by, besides its kind and id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub network_id: Option<String>,
    pub organization_id: Option<String>,
    pub parent_id: Option<String>,
}

/// A stored document version as the columns `kind, id, network_id, organization_id,
/// parent_id, doc` of `read_models` give it.
#[derive(Debug, sqlx::FromRow)]
pub struct StoredDocument {
    pub kind: String,
    pub id: String,
    pub network_id: Option<String>,
    pub organization_id: Option<String>,
    pub parent_id: Option<String>,
    pub doc: Value,
}

impl StoredDocument {
    /// (kind, id, filter columns, document).
    pub fn into_parts(self) -> (String, String, Filters, Value) {
        let filters = Filters {
            network_id: self.network_id,
            organization_id: self.organization_id,
            parent_id: self.parent_id,
        };
        (self.kind, self.id, filters, self.doc)
    }
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

/// A document in its typed form (the view struct of its kind), shared: the fold's working
/// set, the versions it writes and the read image hold the same value, and none of them turns
/// it into JSON and back. JSON is made only where a document is stored
/// ([`Doc::write_json`]) and read only where one is loaded ([`Doc::decode`]).
#[derive(Clone)]
pub struct Doc(std::sync::Arc<dyn Document>);

/// What a view struct is to [`Doc`]: any type, kept whole, written as its serde form.
trait Document: std::any::Any + Send + Sync {
    fn as_any(&self) -> &dyn std::any::Any;
    fn to_value(&self) -> serde_json::Result<Value>;
    fn write_json(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()>;
}

impl<T: Serialize + Send + Sync + 'static> Document for T {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn to_value(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

/// Counts what is written (the length of a document's JSON text, without the text).
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn corrupt(key: &DocKey, message: impl ToString) -> ProjectionError {
    ProjectionError::Corrupt {
        kind: key.kind.as_str(),
        id: key.id.clone(),
        message: message.to_string(),
    }
}

/// The view type of each kind, for decoding a stored document.
macro_rules! typed_kinds {
    ($($kind:ident => $view:ty),* $(,)?) => {
        impl Doc {
            /// A stored document of `key`'s kind in its typed form.
            pub fn decode(key: &DocKey, value: &Value) -> Result<Doc, ProjectionError> {
                Ok(match key.kind {
                    $(Kind::$kind => {
                        Doc::new(<$view>::deserialize(value).map_err(|e| corrupt(key, e))?)
                    })*
                })
            }
        }
    };
}

typed_kinds! {
    Organization => OrganizationView,
    Network => NetworkView,
    Membership => MembershipView,
    Protocol => ProtocolView,
    Signature => SignatureView,
    Commitment => CommitmentView,
    WorkingGroup => WorkingGroupView,
    Meeting => MeetingView,
    Attendance => AttendanceView,
    Person => PersonView,
    Service => ServiceView,
    IndicatorSet => IndicatorSetView,
    Activity => ActivityView,
    Plan => PlanView,
    MeetingSeries => MeetingSeriesView,
}

impl Doc {
    pub fn new<T: Serialize + Send + Sync + 'static>(view: T) -> Self {
        Doc(std::sync::Arc::new(view))
    }

    /// The view, if it is a `T`.
    pub fn downcast<T: 'static>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref()
    }

    /// The view of `key` as a `T` (a document held as another type is corrupt).
    pub fn view<T: 'static>(&self, key: &DocKey) -> Result<&T, ProjectionError> {
        self.downcast().ok_or_else(|| {
            corrupt(
                key,
                format!("held as another type than {}", std::any::type_name::<T>()),
            )
        })
    }

    /// Its stored form as a JSON value (what the database gives back).
    pub fn to_value(&self, key: &DocKey) -> Result<Value, ProjectionError> {
        self.0.to_value().map_err(|e| corrupt(key, e))
    }

    /// Appends its stored form as JSON text to `out`.
    pub fn write_json(&self, key: &DocKey, out: &mut Vec<u8>) -> Result<(), ProjectionError> {
        self.0.write_json(out).map_err(|e| corrupt(key, e))
    }

    /// Its stored form as JSON text.
    pub fn to_text(&self, key: &DocKey) -> Result<String, ProjectionError> {
        let mut out = Vec::with_capacity(256);
        self.write_json(key, &mut out)?;
        String::from_utf8(out).map_err(|e| corrupt(key, e))
    }

    /// The length of its JSON text (0 if it cannot be written: the write then says why).
    pub fn text_len(&self) -> usize {
        let mut counter = Counter(0);
        match self.0.write_json(&mut counter) {
            Ok(()) => counter.0,
            Err(_) => 0,
        }
    }
}

impl std::fmt::Debug for Doc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.to_value() {
            Ok(value) => write!(f, "{value}"),
            Err(e) => write!(f, "<unwritable document: {e}>"),
        }
    }
}

/// Two documents are equal when their stored forms are.
impl PartialEq for Doc {
    fn eq(&self, other: &Self) -> bool {
        match (self.0.to_value(), other.0.to_value()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// One written version of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub key: DocKey,
    pub position: i64,
    pub filters: Filters,
    pub doc: Doc,
    /// Whether the document may have existed before this version (in the database or as an
    /// earlier version of the batch): false only for a key known to be absent, which then
    /// has no stored version to end.
    pub replaces: bool,
}

/// The documents of one batch: what was loaded, and every version written since.
#[derive(Debug, Default)]
pub struct Docs {
    current: HashMap<DocKey, Option<(Filters, Doc)>>,
    pub versions: Vec<Version>,
    /// (entity kind, entity id, position): which events concern which entity.
    pub concerns: Vec<(Kind, String, i64)>,
}

impl Docs {
    /// Records what the database holds for `key` (None: no such document yet).
    pub fn preload(&mut self, key: DocKey, current: Option<(Filters, Doc)>) {
        self.current.entry(key).or_insert(current);
    }

    /// The current document of `key`, if held and present.
    pub fn current_of(&self, key: &DocKey) -> Option<&(Filters, Doc)> {
        self.current.get(key).and_then(Option::as_ref)
    }

    pub fn is_loaded(&self, key: &DocKey) -> bool {
        self.current.contains_key(key)
    }

    /// Every current document held (None: known to be absent).
    pub fn current(&self) -> impl Iterator<Item = (&DocKey, Option<&(Filters, Doc)>)> {
        self.current.iter().map(|(key, doc)| (key, doc.as_ref()))
    }

    /// Keeps the current documents of `keys` only.
    pub fn keep_only(&mut self, keys: &std::collections::BTreeSet<DocKey>) {
        self.current.retain(|key, _| keys.contains(key));
    }

    /// Bounds what is carried: past `capacity` documents, keeps those of `keys` only.
    pub fn bound(&mut self, keys: &std::collections::BTreeSet<DocKey>, capacity: usize) {
        if self.current.len() > capacity {
            self.keep_only(keys);
        }
    }

    /// Forgets every document (they may no longer be current).
    pub fn clear(&mut self) {
        self.current.clear();
        self.written();
    }

    /// How many current documents are held.
    pub fn len(&self) -> usize {
        self.current.len()
    }

    pub fn is_empty(&self) -> bool {
        self.current.is_empty()
    }

    /// The pending versions and entity index rows were written (or abandoned): keeps only the
    /// current documents.
    pub fn written(&mut self) {
        self.versions.clear();
        self.concerns.clear();
    }

    fn get<T: Clone + 'static>(
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
            Some(Some((_, doc))) => doc.view::<T>(key).cloned().map(Some),
        }
    }

    fn require<T: Clone + 'static>(
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

    fn put<T: Serialize + Send + Sync + 'static>(
        &mut self,
        key: DocKey,
        filters: Filters,
        position: i64,
        view: T,
    ) {
        let doc = Doc::new(view);
        let replaces = self
            .current
            .insert(key.clone(), Some((filters.clone(), doc.clone())))
            // Only a key known to be absent is created; one not loaded may exist.
            .is_none_or(|before| before.is_some());
        self.versions.push(Version {
            key,
            position,
            filters,
            doc,
            replaces,
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

/// The document an aggregate's own events keep (keyed by its id), which its first event
/// creates: there is nothing to load for it then.
pub fn created_by(event: &StoredEvent) -> Option<DocKey> {
    (event.sequence == 1)
        .then(|| Kind::of_aggregate(&event.aggregate_type))
        .flatten()
        .map(|kind| DocKey::new(kind, &event.aggregate_id))
}

/// The documents the fold of `event` reads (to be loaded before [`project`]).
pub fn keys_for(event: &StoredEvent) -> Result<Vec<DocKey>, ProjectionError> {
    keys_of(event, &decode(event)?)
}

/// An event of the log decoded for the fold: [`keys_of`] and [`project_decoded`] take it, so
/// a batch decodes each payload once.
pub fn decoded(event: &StoredEvent) -> Result<AnyEvent, ProjectionError> {
    decode(event)
}

/// [`keys_for`] of an event already decoded.
pub fn keys_of(event: &StoredEvent, decoded: &AnyEvent) -> Result<Vec<DocKey>, ProjectionError> {
    let id = event.aggregate_id.as_str();
    Ok(match decoded {
        AnyEvent::Organization(_) => vec![DocKey::new(Kind::Organization, id)],
        AnyEvent::Network(e) => {
            let network: NetworkId = parse_id(id, event.position)?;
            let mut keys = vec![DocKey::new(Kind::Network, id)];
            match e {
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
            if let ProtocolEvent::ProtocolSigned(s) = e {
                keys.push(signature_key(
                    parse_id(id, event.position)?,
                    s.version,
                    s.organization,
                ));
            }
            keys
        }
        AnyEvent::Commitment(_) => vec![DocKey::new(Kind::Commitment, id)],
        AnyEvent::WorkingGroup(_) => vec![DocKey::new(Kind::WorkingGroup, id)],
        AnyEvent::Meeting(e) => {
            let mut keys = vec![DocKey::new(Kind::Meeting, id)];
            if let MeetingEvent::AttendanceRecorded(a) = e {
                keys.push(attendance_key(
                    parse_id(id, event.position)?,
                    a.organization,
                ));
            }
            keys
        }
        AnyEvent::Person(_) => vec![DocKey::new(Kind::Person, id)],
        AnyEvent::Service(_) => vec![DocKey::new(Kind::Service, id)],
        AnyEvent::IndicatorSet(_) => vec![DocKey::new(Kind::IndicatorSet, id)],
        AnyEvent::Activity(_) => vec![DocKey::new(Kind::Activity, id)],
        AnyEvent::Plan(_) => vec![DocKey::new(Kind::Plan, id)],
        AnyEvent::MeetingSeries(_) => vec![DocKey::new(Kind::MeetingSeries, id)],
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
    project_decoded(docs, event, decode(event)?)
}

/// [`project`] of an event already decoded.
pub fn project_decoded(
    docs: &mut Docs,
    event: &StoredEvent,
    decoded: AnyEvent,
) -> Result<(), ProjectionError> {
    let p = event.position;
    let id = event.aggregate_id.clone();
    if let Some(kind) = Kind::of_aggregate(&event.aggregate_type) {
        docs.concern(kind, &id, p);
    }
    match decoded {
        AnyEvent::Organization(e) => project_organization(docs, event, &id, e),
        AnyEvent::Network(e) => project_network(docs, event, &id, e),
        AnyEvent::Protocol(e) => project_protocol(docs, event, parse_id(&id, p)?, e),
        AnyEvent::Commitment(e) => project_commitment(docs, p, parse_id(&id, p)?, e),
        AnyEvent::WorkingGroup(e) => project_working_group(docs, p, parse_id(&id, p)?, e),
        AnyEvent::Meeting(e) => project_meeting(docs, p, parse_id(&id, p)?, e),
        AnyEvent::Person(e) => project_person(docs, p, parse_id(&id, p)?, e),
        AnyEvent::Service(e) => project_service(docs, p, parse_id(&id, p)?, e),
        AnyEvent::IndicatorSet(e) => project_indicator_set(docs, p, parse_id(&id, p)?, e),
        AnyEvent::Activity(e) => project_activity(docs, p, parse_id(&id, p)?, e),
        AnyEvent::Plan(e) => project_plan(docs, p, parse_id(&id, p)?, e),
        AnyEvent::MeetingSeries(e) => project_meeting_series(docs, p, parse_id(&id, p)?, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membership() -> (DocKey, Value) {
        let view = MembershipView {
            network: NetworkId::new_random(),
            organization: OrganizationId::new_random(),
            status: MembershipStatus::Pending,
            applied_on: NaiveDate::from_ymd_opt(2026, 12, 5),
            since: None,
            via: None,
            periods: vec![],
            referents: vec![],
        };
        let key = membership_key(view.network, view.organization);
        (key, serde_json::to_value(view).unwrap())
    }

    #[test]
    fn a_document_keeps_its_stored_form_through_its_typed_one() {
        let (key, value) = membership();
        let doc = Doc::decode(&key, &value).expect("a stored person reads");
        assert_eq!(doc.to_value(&key).unwrap(), value);
        let text = doc.to_text(&key).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        assert_eq!(doc.text_len(), text.len());
        assert!(doc.downcast::<MembershipView>().is_some());
    }

    #[test]
    fn only_a_version_of_a_document_known_to_be_absent_replaces_nothing() {
        let (created, value) = membership();
        let (unknown, _) = membership();
        let doc = Doc::decode(&created, &value).unwrap();
        let view = doc.view::<MembershipView>(&created).unwrap().clone();
        let mut docs = Docs::default();
        docs.preload(created.clone(), None);
        docs.put(created.clone(), Filters::default(), 10, view.clone());
        docs.put(created.clone(), Filters::default(), 11, view.clone());
        // Not loaded: it may exist in the database, so its stored version must be ended.
        docs.put(unknown.clone(), Filters::default(), 12, view);
        let replaces: Vec<(i64, bool)> = docs
            .versions
            .iter()
            .map(|v| (v.position, v.replaces))
            .collect();
        assert_eq!(replaces, [(10, false), (11, true), (12, true)]);
    }

    #[test]
    fn a_document_of_another_shape_or_type_is_corrupt() {
        let (key, _) = membership();
        let wrong = serde_json::json!({"name": "not a membership"});
        assert!(matches!(
            Doc::decode(&key, &wrong),
            Err(ProjectionError::Corrupt {
                kind: "membership",
                ..
            })
        ));
        let (key, value) = membership();
        let doc = Doc::decode(&key, &value).unwrap();
        assert!(matches!(
            doc.view::<NetworkView>(&key),
            Err(ProjectionError::Corrupt {
                kind: "membership",
                ..
            })
        ));
    }
}
