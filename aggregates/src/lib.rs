//! The write-side domain of the network-governance backend: aggregates, commands, events,
//! domain errors and value types. Pure: no database, HTTP or GraphQL crate, no clock, no
//! randomness it does not receive (ids and dates come in with the commands).

pub mod activity;
pub mod commitment;
pub mod directory;
pub mod errors;
mod events;
pub mod ids;
pub mod indicator_set;
pub mod meeting;
pub mod meeting_series;
pub mod metadata;
pub mod network;
pub mod organization;
pub mod person;
pub mod plan;
pub mod processes;
pub mod protocol;
pub mod service;
pub mod values;
pub mod working_group;

/// What the command service must know of a command before it runs it. Commands serialise:
/// an idempotency key without a request is bound to the command's serialised form (a stable
/// contract, unlike `Debug`).
pub trait DomainCommand: serde::Serialize + Clone + std::fmt::Debug + 'static {
    /// True when the command claims a value that must stay unique across aggregates (an
    /// organization's tax code): such commands must not race each other between the check
    /// and the commit.
    fn claims_unique_value(&self) -> bool {
        false
    }

    /// The business date the change takes effect on, where the command has one (signed on,
    /// approved on, effective from …): recorded in the metadata of the events it causes, so
    /// history shows it beside the recording time.
    fn business_date(&self) -> Option<chrono::NaiveDate> {
        None
    }
}

pub use directory::{Directory, DirectoryUnavailable, Services};

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
    all.extend(person::PersonEvent::schemas());
    all.extend(service::ServiceEvent::schemas());
    all.extend(indicator_set::IndicatorSetEvent::schemas());
    all.extend(activity::ActivityEvent::schemas());
    all.extend(plan::PlanEvent::schemas());
    all.extend(meeting_series::MeetingSeriesEvent::schemas());
    all.extend(meeting::legacy_schemas());
    all.extend(commitment::legacy_schemas());
    all
}

/// The aggregate type (cqrs-es `Aggregate::TYPE`) and current version of every event type.
pub fn event_types() -> Vec<(&'static str, &'static str, &'static str)> {
    use cqrs_es::Aggregate;
    let mut all = Vec::new();
    let mut add = |aggregate: &'static str, types: &[(&'static str, &'static str)]| {
        all.extend(types.iter().map(|(t, v)| (aggregate, *t, *v)));
    };
    add(
        organization::Organization::TYPE,
        organization::OrganizationEvent::TYPES,
    );
    add(network::Network::TYPE, network::NetworkEvent::TYPES);
    add(protocol::Protocol::TYPE, protocol::ProtocolEvent::TYPES);
    add(
        commitment::Commitment::TYPE,
        commitment::CommitmentEvent::TYPES,
    );
    add(
        working_group::WorkingGroup::TYPE,
        working_group::WorkingGroupEvent::TYPES,
    );
    add(meeting::Meeting::TYPE, meeting::MeetingEvent::TYPES);
    add(person::Person::TYPE, person::PersonEvent::TYPES);
    add(service::Service::TYPE, service::ServiceEvent::TYPES);
    add(
        indicator_set::IndicatorSet::TYPE,
        indicator_set::IndicatorSetEvent::TYPES,
    );
    add(activity::Activity::TYPE, activity::ActivityEvent::TYPES);
    add(plan::Plan::TYPE, plan::PlanEvent::TYPES);
    add(
        meeting_series::MeetingSeries::TYPE,
        meeting_series::MeetingSeriesEvent::TYPES,
    );
    all
}

/// Any event of any aggregate, as read back from the global log.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyEvent {
    Organization(organization::OrganizationEvent),
    Network(network::NetworkEvent),
    Protocol(protocol::ProtocolEvent),
    Commitment(commitment::CommitmentEvent),
    WorkingGroup(working_group::WorkingGroupEvent),
    Meeting(meeting::MeetingEvent),
    Person(person::PersonEvent),
    Service(service::ServiceEvent),
    IndicatorSet(indicator_set::IndicatorSetEvent),
    Activity(activity::ActivityEvent),
    Plan(plan::PlanEvent),
    MeetingSeries(meeting_series::MeetingSeriesEvent),
}

/// Why a stored event could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown aggregate type {0:?}")]
    UnknownAggregate(String),
    #[error("the payload of a {aggregate} event does not decode: {message}")]
    Payload { aggregate: String, message: String },
    #[error("its metadata is not an event's: {0}")]
    Metadata(String),
    /// Well formed, but no server of this deployment appended it: its authentication code
    /// (see the projections' `secrets.rs`) is missing or does not verify.
    #[error("no server of this deployment appended it: {0}")]
    Unauthenticated(String),
}

impl AnyEvent {
    /// Decodes an (already upcast) payload of the given aggregate type.
    pub fn decode(aggregate_type: &str, payload: &serde_json::Value) -> Result<Self, DecodeError> {
        use cqrs_es::Aggregate;
        // Read in place: the payload is not copied.
        fn go<T: serde::de::DeserializeOwned>(
            aggregate: &str,
            payload: &serde_json::Value,
        ) -> Result<T, DecodeError> {
            T::deserialize(payload).map_err(|e| DecodeError::Payload {
                aggregate: aggregate.to_owned(),
                message: e.to_string(),
            })
        }
        Ok(match aggregate_type {
            organization::Organization::TYPE => Self::Organization(go(aggregate_type, payload)?),
            network::Network::TYPE => Self::Network(go(aggregate_type, payload)?),
            protocol::Protocol::TYPE => Self::Protocol(go(aggregate_type, payload)?),
            commitment::Commitment::TYPE => Self::Commitment(go(aggregate_type, payload)?),
            working_group::WorkingGroup::TYPE => Self::WorkingGroup(go(aggregate_type, payload)?),
            meeting::Meeting::TYPE => Self::Meeting(go(aggregate_type, payload)?),
            person::Person::TYPE => Self::Person(go(aggregate_type, payload)?),
            service::Service::TYPE => Self::Service(go(aggregate_type, payload)?),
            indicator_set::IndicatorSet::TYPE => Self::IndicatorSet(go(aggregate_type, payload)?),
            activity::Activity::TYPE => Self::Activity(go(aggregate_type, payload)?),
            plan::Plan::TYPE => Self::Plan(go(aggregate_type, payload)?),
            meeting_series::MeetingSeries::TYPE => {
                Self::MeetingSeries(go(aggregate_type, payload)?)
            }
            other => return Err(DecodeError::UnknownAggregate(other.to_owned())),
        })
    }
}

/// Every upcaster of the event log (applied by the store when loading an aggregate and by the
/// global-log reader).
pub fn upcasters() -> Vec<Box<dyn cqrs_es::persist::EventUpcaster>> {
    let mut all = meeting::upcasters();
    all.extend(commitment::upcasters());
    all
}

/// [`upcasters`], made once: they are consulted for every event read.
fn shared_upcasters() -> &'static [Box<dyn cqrs_es::persist::EventUpcaster>] {
    static ALL: std::sync::LazyLock<Vec<Box<dyn cqrs_es::persist::EventUpcaster>>> =
        std::sync::LazyLock::new(upcasters);
    &ALL
}

/// Whether an event of this type and version is upcast when read (most are not).
pub fn needs_upcast(event_type: &str, event_version: &str) -> bool {
    shared_upcasters()
        .iter()
        .any(|u| u.can_upcast(event_type, event_version))
}

/// Brings a serialized event to the current version of its event type.
pub fn upcast_serialized(
    mut event: cqrs_es::persist::SerializedEvent,
) -> cqrs_es::persist::SerializedEvent {
    for upcaster in shared_upcasters() {
        if upcaster.can_upcast(&event.event_type, &event.event_version) {
            event = upcaster.upcast(event);
        }
    }
    event
}

/// Brings a stored payload to the current version of its event type.
pub fn upcast(
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: usize,
    event_type: &str,
    event_version: &str,
    payload: serde_json::Value,
) -> (String, serde_json::Value) {
    if !needs_upcast(event_type, event_version) {
        return (event_version.to_owned(), payload);
    }
    let event = upcast_serialized(cqrs_es::persist::SerializedEvent::new(
        aggregate_id.to_owned(),
        sequence,
        aggregate_type.to_owned(),
        event_type.to_owned(),
        event_version.to_owned(),
        payload,
        serde_json::Value::Null,
    ));
    (event.event_version, event.payload)
}
