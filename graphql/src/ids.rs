//! Global ids: every id a client sees is opaque, base64 of `Kind:uuid` (the objects reachable
//! by `node(id:)`, and persons and referent designations, which are not).

use std::borrow::Cow;

pub use async_graphql::ID;
use async_graphql::{registry, ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use base64::Engine;

/// The kinds of object reachable by a global id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Organization,
    Network,
    Protocol,
    Commitment,
    WorkingGroup,
    Meeting,
    Service,
    IndicatorSet,
    Activity,
    Plan,
    MeetingSeries,
    /// A person: the id is opaque like the others, the object is not a node (its details are
    /// sealed personal data).
    Person,
    /// A referent designation (not a node either).
    Referent,
}

impl NodeKind {
    fn tag(self) -> &'static str {
        match self {
            NodeKind::Organization => "Organization",
            NodeKind::Network => "Network",
            NodeKind::Protocol => "Protocol",
            NodeKind::Commitment => "Commitment",
            NodeKind::WorkingGroup => "WorkingGroup",
            NodeKind::Meeting => "Meeting",
            NodeKind::Service => "Service",
            NodeKind::IndicatorSet => "IndicatorSet",
            NodeKind::Activity => "Activity",
            NodeKind::Plan => "Plan",
            NodeKind::MeetingSeries => "MeetingSeries",
            NodeKind::Person => "Person",
            NodeKind::Referent => "Referent",
        }
    }
    /// The refusal of an id that names no object of this kind: "`network` is not the id of
    /// a Network", "… of an Organization".
    pub fn not_the_id_of(self, at: &str) -> String {
        let tag = self.tag();
        let article = match tag.starts_with(['A', 'E', 'I', 'O', 'U']) {
            true => "an",
            false => "a",
        };
        format!("`{at}` is not the id of {article} {tag}")
    }
    fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "Organization" => NodeKind::Organization,
            "Network" => NodeKind::Network,
            "Protocol" => NodeKind::Protocol,
            "Commitment" => NodeKind::Commitment,
            "WorkingGroup" => NodeKind::WorkingGroup,
            "Meeting" => NodeKind::Meeting,
            "Service" => NodeKind::Service,
            "IndicatorSet" => NodeKind::IndicatorSet,
            "Activity" => NodeKind::Activity,
            "Plan" => NodeKind::Plan,
            "MeetingSeries" => NodeKind::MeetingSeries,
            "Person" => NodeKind::Person,
            "Referent" => NodeKind::Referent,
            _ => return None,
        })
    }
}

/// The opaque global id of an object: base64 of `Kind:uuid`.
pub fn global_id(kind: NodeKind, id: impl std::fmt::Display) -> ID {
    ID(aggregates::ids::global_id(kind.tag(), id))
}

/// Decodes a global id; None for anything that is not one of ours.
pub fn decode_id(id: &ID) -> Option<(NodeKind, uuid::Uuid)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id.as_bytes())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (tag, uuid) = text.split_once(':')?;
    Some((NodeKind::from_tag(tag)?, uuid.parse().ok()?))
}

/// Decodes a global id of one kind.
pub fn decode_kind(id: &ID, kind: NodeKind) -> Option<uuid::Uuid> {
    decode_id(id)
        .filter(|(k, _)| *k == kind)
        .map(|(_, uuid)| uuid)
}

/// The uuid an operator's text names for an object of `kind`: its global id, or its bare uuid
/// (the command line takes either).
pub fn uuid_in(text: &str, kind: NodeKind) -> Option<uuid::Uuid> {
    let text = text.trim();
    decode_kind(&ID::from(text), kind).or_else(|| text.parse().ok())
}

/// The uuid of a global id that must name an object of `kind`; otherwise `INVALID_ID` naming
/// the argument `at` (or the field inside it: `filter.network`).
pub fn uuid_of(id: &ID, kind: NodeKind, at: &str) -> crate::errors::ApiResult<uuid::Uuid> {
    decode_kind(id, kind)
        .ok_or_else(|| crate::errors::client_error_for("INVALID_ID", kind.not_the_id_of(at), at))
}

/// An id as events record it (a bare UUID in the stored JSON, which it reads and writes
/// unchanged), shown to clients as the global id of what it names.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(transparent)]
pub struct Ref<T>(pub T);

impl<T: aggregates::ids::Id> OutputType for Ref<T> {
    fn type_name() -> Cow<'static, str> {
        <ID as OutputType>::type_name()
    }
    fn create_type_info(registry: &mut registry::Registry) -> String {
        <ID as OutputType>::create_type_info(registry)
    }
    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<async_graphql::parser::types::Field>,
    ) -> ServerResult<Value> {
        Ok(Value::String(aggregates::ids::global_id(
            T::KIND,
            self.0.uuid(),
        )))
    }
}
