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

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
            /// The id derived from a textual source key (UUID v5).
            pub fn derived(source: &str) -> Self {
                Self(Uuid::new_v5(&DERIVED_ID_NAMESPACE, source.as_bytes()))
            }
            pub fn as_uuid(&self) -> Uuid {
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
    )+};
}

id_type!(
    /// An organization (ente).
    OrganizationId,
    /// A network (rete, tavolo).
    NetworkId,
    /// A protocol of understanding.
    ProtocolId,
    /// A commitment (impegno).
    CommitmentId,
    /// A working group.
    WorkingGroupId,
    /// A meeting.
    MeetingId,
    /// A referent designation.
    ReferentId,
    /// A person whose personal data lives outside the event log (see ARCHITECTURE.md).
    PersonId,
);
