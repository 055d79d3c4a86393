//! Identifiers: one UUID newtype per kind of thing, so an organization id can never be passed
//! where a network id is expected.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The namespace of every identifier derived from its source (UUID v5): the same source always
/// yields the same id, which makes the cross-aggregate processes idempotent.
pub const DERIVED_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_3c0e_9b1d_4e57_8f0a_2d4c_9e61_b7a3);

/// What every identifier type says of itself.
pub trait Id: Copy + Send + Sync + 'static {
    /// The kind of thing it names, as its global id and its event schemas say it.
    const KIND: &'static str;
    fn uuid(&self) -> Uuid;
}

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident => $kind:literal),+ $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh id (see [`fresh_uuid`]).
            pub fn new_random() -> Self {
                Self(fresh_uuid($kind))
            }
            /// The id derived from a textual source key (UUID v5).
            pub fn derived(source: &str) -> Self {
                Self(Uuid::new_v5(&DERIVED_ID_NAMESPACE, source.as_bytes()))
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
            /// The opaque global id clients see (see [`global_id`]).
            pub fn global(&self) -> String {
                global_id($kind, self.0)
            }
        }
        impl Id for $name {
            const KIND: &'static str = $kind;
            fn uuid(&self) -> Uuid {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
        /// A UUID string whose `x-refers-to` names the kind of thing it identifies, so that
        /// readers of the event schemas (the API's typed payloads) can show it as a global id.
        impl JsonSchema for $name {
            fn is_referenceable() -> bool {
                false
            }
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }
            fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
                let mut schema = <Uuid as JsonSchema>::json_schema(generator).into_object();
                schema
                    .extensions
                    .insert("x-refers-to".to_owned(), serde_json::Value::from($kind));
                schema.into()
            }
        }
    )+};
}

/// A fresh id for a new thing of `kind`. Time-ordered (UUID v7: milliseconds since the epoch,
/// then random bits, ordered within this process), so that the rows keyed by a new
/// aggregate's id (its events, its read-model versions, its entity index rows) go in at the
/// right end of their indexes instead of on a random page of each: with random ids every
/// insert touched a leaf page of indexes far larger than the database's cache. The ids of a
/// person and of a referent designation stay random (v4): they tell nothing about when
/// someone was entered.
pub fn fresh_uuid(kind: &str) -> Uuid {
    if kind == PersonId::KIND || kind == ReferentId::KIND {
        Uuid::new_v4()
    } else {
        Uuid::now_v7()
    }
}

/// The opaque global id clients see for the thing of `kind` with this UUID: unpadded URL-safe
/// base64 of `Kind:uuid` (the same for the API, reports and exports).
pub fn global_id(kind: &str, uuid: impl fmt::Display) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{uuid}"))
}

id_type!(
    /// An organization (ente).
    OrganizationId => "Organization",
    /// A network (rete, tavolo).
    NetworkId => "Network",
    /// A protocol of understanding.
    ProtocolId => "Protocol",
    /// A commitment (impegno).
    CommitmentId => "Commitment",
    /// A working group.
    WorkingGroupId => "WorkingGroup",
    /// A meeting.
    MeetingId => "Meeting",
    /// A referent designation.
    ReferentId => "Referent",
    /// A person whose personal data lives outside the event log (see ARCHITECTURE.md).
    PersonId => "Person",
    /// A service a network offers (centro antiviolenza, sportello, casa rifugio, …).
    ServiceId => "Service",
    /// A set of indicators members report aggregate figures on.
    IndicatorSetId => "IndicatorSet",
    /// An activity of a network or one of its working groups.
    ActivityId => "Activity",
    /// A plan (e.g. a three-year local plan).
    PlanId => "Plan",
    /// A series of recurring meetings.
    MeetingSeriesId => "MeetingSeries",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_are_time_ordered_but_for_people() {
        let first = OrganizationId::new_random();
        let ids: Vec<OrganizationId> = (0..100).map(|_| OrganizationId::new_random()).collect();
        assert_eq!(first.0.get_version_num(), 7);
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "each later than the one before"
        );
        assert!(
            ids.iter().all(|id| first.to_string() < id.to_string()),
            "as text too"
        );
        assert_eq!(NetworkId::new_random().0.get_version_num(), 7);
        assert_eq!(PersonId::new_random().0.get_version_num(), 4);
        assert_eq!(ReferentId::new_random().0.get_version_num(), 4);
    }
}
