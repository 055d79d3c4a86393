//! Global ids: every object reachable by `node(id:)` has an opaque id, base64 of `Kind:uuid`.

pub use async_graphql::ID;
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
        }
    }
    fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "Organization" => NodeKind::Organization,
            "Network" => NodeKind::Network,
            "Protocol" => NodeKind::Protocol,
            "Commitment" => NodeKind::Commitment,
            "WorkingGroup" => NodeKind::WorkingGroup,
            "Meeting" => NodeKind::Meeting,
            _ => return None,
        })
    }
}

/// The opaque global id of an object: base64 of `Kind:uuid`.
pub fn global_id(kind: NodeKind, id: impl ToString) -> ID {
    ID(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            "{}:{}",
            kind.tag(),
            id.to_string()
        )),
    )
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

/// The uuid of a global id that must name an object of `kind` (a client error otherwise).
pub fn uuid_of(id: &ID, kind: NodeKind) -> crate::errors::ApiResult<uuid::Uuid> {
    decode_kind(id, kind)
        .ok_or_else(|| crate::errors::client_error("INVALID_ID", "not an id of this kind"))
}
