//! The write-side domain of the network-governance backend: aggregates, commands, events,
//! domain errors and value types. Pure: no database, HTTP or GraphQL crate, no clock, no
//! randomness it does not receive (ids and dates come in with the commands).

pub mod commitment;
pub mod directory;
mod events;
pub mod ids;
pub mod meeting;
pub mod network;
pub mod organization;
pub mod processes;
pub mod protocol;
pub mod values;
pub mod working_group;

pub use directory::{Directory, DirectoryUnavailable, InMemoryDirectory, Services};

/// Every event type of every aggregate with its current version, and the JSON Schema of its
/// payload; then the schemas of superseded versions still found in stored events.
pub fn event_schemas() -> Vec<(&'static str, &'static str, schemars::schema::RootSchema)> {
    let mut all = Vec::new();
    all.extend(organization::OrganizationEvent::schemas());
    all.extend(network::NetworkEvent::schemas());
    all.extend(protocol::ProtocolEvent::schemas());
    all.extend(commitment::CommitmentEvent::schemas());
    all.extend(working_group::WorkingGroupEvent::schemas());
    all.extend(meeting::MeetingEvent::schemas());
    all.extend(meeting::legacy_schemas());
    all
}

/// The aggregate type (cqrs-es `Aggregate::TYPE`) and current version of every event type.
pub fn event_types() -> Vec<(&'static str, &'static str, &'static str)> {
    use cqrs_es::Aggregate;
    let mut all = Vec::new();
    let mut add = |aggregate: &'static str, types: &[(&'static str, &'static str)]| {
        all.extend(types.iter().map(|(t, v)| (aggregate, *t, *v)));
    };
    add(organization::Organization::TYPE, organization::OrganizationEvent::TYPES);
    add(network::Network::TYPE, network::NetworkEvent::TYPES);
    add(protocol::Protocol::TYPE, protocol::ProtocolEvent::TYPES);
    add(commitment::Commitment::TYPE, commitment::CommitmentEvent::TYPES);
    add(working_group::WorkingGroup::TYPE, working_group::WorkingGroupEvent::TYPES);
    add(meeting::Meeting::TYPE, meeting::MeetingEvent::TYPES);
    all
}
