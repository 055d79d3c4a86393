//! Meeting (riunione, seduta, convegno, laboratorio): scheduled with an agenda, attended,
//! opened, decisions recorded (each may create commitments), closed, minutes drafted and
//! approved once, by version hash.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::directory::{DirectoryUnavailable, NetworkFacts, Services};
use crate::events::domain_events;
use crate::ids::{MeetingId, NetworkId, OrganizationId, PersonId, WorkingGroupId};
use crate::values::{wire_enum, DocumentHash, FreeText, Link, Name};

wire_enum!(
    /// Plenary table, working-group session, workshop, district lab, public conference.
    MeetingKind {
        Plenary,
        WorkingGroupSession,
        Workshop,
        DistrictLab,
        Conference,
    }
);

wire_enum!(
    /// Whether an organization attended.
    Attendance {
        Present,
        Absent,
        Excused,
    }
);

/// Where a meeting takes place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Venue {
    InPerson { address: Name },
    Online { link: Link },
    Hybrid { address: Name, link: Link },
}

/// One action item of a decision: who does what, by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActionItem {
    pub obligor: OrganizationId,
    pub title: Name,
    pub due_on: Option<NaiveDate>,
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum MeetingCommand {
    Schedule {
        id: MeetingId,
        network: NetworkId,
        working_group: Option<WorkingGroupId>,
        kind: MeetingKind,
        title: Name,
        starts_at: DateTime<Utc>,
        ends_at: Option<DateTime<Utc>>,
        venue: Venue,
        agenda: Vec<FreeText>,
        public: bool,
    },
    Reschedule {
        starts_at: DateTime<Utc>,
        ends_at: Option<DateTime<Utc>>,
        venue: Option<Venue>,
    },
    Cancel {
        reason: FreeText,
    },
    RecordAttendance {
        organization: OrganizationId,
        attendance: Attendance,
        represented_by: Option<PersonId>,
    },
    Open {
        opened_at: DateTime<Utc>,
    },
    RecordDecision {
        text: FreeText,
        action_items: Vec<ActionItem>,
    },
    Close {
        closed_at: DateTime<Utc>,
    },
    DraftMinutes {
        document_hash: DocumentHash,
    },
    ApproveMinutes {
        version: u32,
        document_hash: DocumentHash,
        approved_on: NaiveDate,
    },
}

impl crate::DomainCommand for MeetingCommand {
    fn business_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Self::Open { opened_at: at, .. } | Self::Close { closed_at: at, .. } => {
                Some(at.date_naive())
            }
            Self::ApproveMinutes { approved_on, .. } => Some(*approved_on),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("this meeting is already scheduled")]
    AlreadyScheduled,
    #[error("no such meeting")]
    NotFound,
    #[error("the meeting was cancelled")]
    Cancelled,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("no such working group in this network")]
    WorkingGroupNotFound,
    #[error("the working group is dissolved")]
    WorkingGroupDissolved,
    #[error("the end must be after the start")]
    EndsBeforeStart,
    #[error("organization {} is not an active member of the network", .0.global())]
    NotNetworkMember(OrganizationId),
    #[error("only a scheduled meeting that has not started can be changed")]
    AlreadyStarted,
    #[error("the meeting is not open")]
    NotOpen,
    #[error("the meeting is not closed yet")]
    NotClosed,
    #[error("the minutes are already approved")]
    MinutesAlreadyApproved,
    #[error("no such version of the minutes")]
    MinutesVersionNotFound,
    #[error("the hash does not match version {version} of the minutes")]
    MinutesHashMismatch { version: u32 },
    #[error("action item {0} is a repeat of an earlier one")]
    DuplicateActionItem(usize),
    #[error("action item {0} is due before the decision was taken")]
    DueBeforeDecision(usize),
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(MeetingError {
    AlreadyScheduled => "ALREADY_SCHEDULED",
    NotFound => "NOT_FOUND",
    Cancelled => "CANCELLED",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    WorkingGroupNotFound => "WORKING_GROUP_NOT_FOUND",
    WorkingGroupDissolved => "WORKING_GROUP_DISSOLVED",
    EndsBeforeStart => "ENDS_BEFORE_START",
    NotNetworkMember => "NOT_NETWORK_MEMBER",
    AlreadyStarted => "ALREADY_STARTED",
    NotOpen => "NOT_OPEN",
    NotClosed => "NOT_CLOSED",
    MinutesAlreadyApproved => "MINUTES_ALREADY_APPROVED",
    MinutesVersionNotFound => "MINUTES_VERSION_NOT_FOUND",
    MinutesHashMismatch => "MINUTES_HASH_MISMATCH",
    DuplicateActionItem => "DUPLICATE_ACTION_ITEM",
    DueBeforeDecision => "DUE_BEFORE_DECISION",
    Directory => "DIRECTORY",
});

domain_events!(
    /// Everything that can happen to a meeting.
    MeetingEvent {
        MeetingScheduled = "2",
        MeetingRescheduled = "1",
        MeetingCancelled = "1",
        AttendanceRecorded = "1",
        MeetingOpened = "1",
        DecisionRecorded = "1",
        MeetingClosed = "1",
        MinutesDrafted = "1",
        MinutesApproved = "1",
    }
);

/// A meeting was scheduled. Version 2: the venue is typed (version 1 had a free `place` and an
/// optional `online_link`; see [`upcasters`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingScheduled {
    pub meeting_id: MeetingId,
    pub network: NetworkId,
    pub working_group: Option<WorkingGroupId>,
    pub kind: MeetingKind,
    pub title: Name,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub venue: Venue,
    pub agenda: Vec<FreeText>,
    pub public: bool,
}

/// `MeetingScheduled` as it was at version 1 (kept to document and validate old events; new
/// code never writes it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingScheduledV1 {
    pub meeting_id: MeetingId,
    pub network: NetworkId,
    pub working_group: Option<WorkingGroupId>,
    pub kind: MeetingKind,
    pub title: Name,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub agenda: Vec<FreeText>,
    pub public: bool,
}

/// The meeting moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingRescheduled {
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub venue: Venue,
}

/// The meeting will not take place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingCancelled {
    pub reason: FreeText,
}

/// An organization's attendance (the latest record counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttendanceRecorded {
    pub organization: OrganizationId,
    pub attendance: Attendance,
    pub represented_by: Option<PersonId>,
}

/// The session started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingOpened {
    pub opened_at: DateTime<Utc>,
}

/// A decision, numbered from 1 within the meeting; its action items become commitments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DecisionRecorded {
    pub decision: u32,
    pub text: FreeText,
    pub action_items: Vec<ActionItem>,
    /// The business date of the decision (the day the meeting was opened).
    pub decided_on: NaiveDate,
}

/// The session ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingClosed {
    pub closed_at: DateTime<Utc>,
}

/// A version of the minutes (verbale) was drafted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MinutesDrafted {
    pub version: u32,
    pub document_hash: DocumentHash,
}

/// One version of the minutes was approved; they are final.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MinutesApproved {
    pub version: u32,
    pub document_hash: DocumentHash,
    pub approved_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
/// Serialised in SCREAMING_SNAKE_CASE: the form the read models store and the API shows.
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingStatus {
    #[default]
    None,
    Scheduled,
    Open,
    Closed,
    Cancelled,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meeting {
    pub id: Option<MeetingId>,
    pub network: Option<NetworkId>,
    pub status: MeetingStatus,
    pub starts_at: Option<DateTime<Utc>>,
    pub venue: Option<Venue>,
    pub opened_on: Option<NaiveDate>,
    pub decisions: u32,
    pub attendance: BTreeMap<OrganizationId, Attendance>,
    pub minutes: Vec<DocumentHash>,
    pub minutes_approved: Option<u32>,
}

/// The facts of an open network.
async fn open_network(
    network: NetworkId,
    services: &Services,
) -> Result<NetworkFacts, MeetingError> {
    services
        .open_network(
            network,
            MeetingError::NetworkNotFound,
            MeetingError::NetworkClosed,
        )
        .await
}

fn check_times(
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
) -> Result<(), MeetingError> {
    if ends_at.is_some_and(|end| end <= starts_at) {
        return Err(MeetingError::EndsBeforeStart);
    }
    Ok(())
}

impl Meeting {
    fn require_exists(&self) -> Result<NetworkId, MeetingError> {
        match self.status {
            MeetingStatus::None => Err(MeetingError::NotFound),
            MeetingStatus::Cancelled => Err(MeetingError::Cancelled),
            _ => self.network.ok_or(MeetingError::NotFound),
        }
    }

    fn require_scheduled(&self) -> Result<(), MeetingError> {
        self.require_exists()?;
        if self.status != MeetingStatus::Scheduled {
            return Err(MeetingError::AlreadyStarted);
        }
        Ok(())
    }

    async fn decide(
        &self,
        command: MeetingCommand,
        services: &Services,
    ) -> Result<MeetingEvent, MeetingError> {
        use MeetingCommand as C;
        Ok(match command {
            C::Schedule {
                id,
                network,
                working_group,
                kind,
                title,
                starts_at,
                ends_at,
                venue,
                agenda,
                public,
            } => {
                if self.status != MeetingStatus::None {
                    return Err(MeetingError::AlreadyScheduled);
                }
                check_times(starts_at, ends_at)?;
                open_network(network, services).await?;
                if let Some(group) = working_group {
                    match services.directory.working_group(group).await? {
                        Some(facts) if facts.network == network => {
                            if !facts.active {
                                return Err(MeetingError::WorkingGroupDissolved);
                            }
                        }
                        _ => return Err(MeetingError::WorkingGroupNotFound),
                    }
                }
                MeetingScheduled {
                    meeting_id: id,
                    network,
                    working_group,
                    kind,
                    title,
                    starts_at,
                    ends_at,
                    venue,
                    agenda,
                    public,
                }
                .into()
            }
            C::Reschedule {
                starts_at,
                ends_at,
                venue,
            } => {
                self.require_scheduled()?;
                check_times(starts_at, ends_at)?;
                let venue = match venue {
                    Some(venue) => venue,
                    None => self.venue.clone().ok_or(MeetingError::NotFound)?,
                };
                MeetingRescheduled {
                    starts_at,
                    ends_at,
                    venue,
                }
                .into()
            }
            C::Cancel { reason } => {
                self.require_scheduled()?;
                MeetingCancelled { reason }.into()
            }
            C::RecordAttendance {
                organization,
                attendance,
                represented_by,
            } => {
                let network = self.require_exists()?;
                let facts = open_network(network, services).await?;
                if !facts.active_members.contains(&organization) {
                    return Err(MeetingError::NotNetworkMember(organization));
                }
                AttendanceRecorded {
                    organization,
                    attendance,
                    represented_by,
                }
                .into()
            }
            C::Open { opened_at } => {
                self.require_scheduled()?;
                MeetingOpened { opened_at }.into()
            }
            C::RecordDecision { text, action_items } => {
                let network = self.require_exists()?;
                if self.status != MeetingStatus::Open {
                    return Err(MeetingError::NotOpen);
                }
                let decided_on = self.opened_on.ok_or(MeetingError::NotOpen)?;
                let facts = open_network(network, services).await?;
                for (index, item) in action_items.iter().enumerate() {
                    if item.due_on.is_some_and(|due| due < decided_on) {
                        return Err(MeetingError::DueBeforeDecision(index + 1));
                    }
                    if !facts.active_members.contains(&item.obligor) {
                        return Err(MeetingError::NotNetworkMember(item.obligor));
                    }
                    if action_items[..index].contains(item) {
                        return Err(MeetingError::DuplicateActionItem(index + 1));
                    }
                }
                DecisionRecorded {
                    decision: self.decisions + 1,
                    text,
                    action_items,
                    decided_on,
                }
                .into()
            }
            C::Close { closed_at } => {
                self.require_exists()?;
                if self.status != MeetingStatus::Open {
                    return Err(MeetingError::NotOpen);
                }
                MeetingClosed { closed_at }.into()
            }
            C::DraftMinutes { document_hash } => {
                self.require_exists()?;
                if self.status != MeetingStatus::Closed {
                    return Err(MeetingError::NotClosed);
                }
                if self.minutes_approved.is_some() {
                    return Err(MeetingError::MinutesAlreadyApproved);
                }
                MinutesDrafted {
                    version: self.minutes.len() as u32 + 1,
                    document_hash,
                }
                .into()
            }
            C::ApproveMinutes {
                version,
                document_hash,
                approved_on,
            } => {
                self.require_exists()?;
                if self.minutes_approved.is_some() {
                    return Err(MeetingError::MinutesAlreadyApproved);
                }
                let drafted = version
                    .checked_sub(1)
                    .and_then(|i| self.minutes.get(i as usize))
                    .ok_or(MeetingError::MinutesVersionNotFound)?;
                if *drafted != document_hash {
                    return Err(MeetingError::MinutesHashMismatch { version });
                }
                MinutesApproved {
                    version,
                    document_hash,
                    approved_on,
                }
                .into()
            }
        })
    }
}

impl Aggregate for Meeting {
    const TYPE: &'static str = "Meeting";
    type Command = MeetingCommand;
    type Event = MeetingEvent;
    type Error = MeetingError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = self.decide(command, services).await?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            MeetingEvent::MeetingScheduled(e) => {
                self.id = Some(e.meeting_id);
                self.network = Some(e.network);
                self.status = MeetingStatus::Scheduled;
                self.starts_at = Some(e.starts_at);
                self.venue = Some(e.venue);
            }
            MeetingEvent::MeetingRescheduled(e) => {
                self.starts_at = Some(e.starts_at);
                self.venue = Some(e.venue);
            }
            MeetingEvent::MeetingCancelled(_) => self.status = MeetingStatus::Cancelled,
            MeetingEvent::AttendanceRecorded(e) => {
                self.attendance.insert(e.organization, e.attendance);
            }
            MeetingEvent::MeetingOpened(e) => {
                self.status = MeetingStatus::Open;
                self.opened_on = Some(e.opened_at.date_naive());
            }
            MeetingEvent::DecisionRecorded(e) => self.decisions = e.decision,
            MeetingEvent::MeetingClosed(_) => self.status = MeetingStatus::Closed,
            MeetingEvent::MinutesDrafted(e) => self.minutes.push(e.document_hash),
            MeetingEvent::MinutesApproved(e) => self.minutes_approved = Some(e.version),
        }
    }
}

/// `MeetingScheduled` v1 → v2: v1 had a free-text `place` and an optional `online_link`; v2 has
/// a typed `venue`. A v1 event with only a link becomes ONLINE, with both HYBRID, otherwise
/// IN_PERSON (an empty place becomes "unspecified").
pub fn meeting_scheduled_v1_to_v2(mut payload: Value) -> Value {
    let Some(body) = payload
        .get_mut("MeetingScheduled")
        .and_then(Value::as_object_mut)
    else {
        return payload;
    };
    let place = body
        .remove("place")
        .and_then(|v| v.as_str().map(str::trim).map(str::to_owned))
        .filter(|p| !p.is_empty());
    let link = body
        .remove("online_link")
        .and_then(|v| v.as_str().map(str::trim).map(str::to_owned))
        .filter(|l| !l.is_empty());
    let venue = match (place, link) {
        (Some(address), Some(link)) => json!({"mode": "HYBRID", "address": address, "link": link}),
        (None, Some(link)) => json!({"mode": "ONLINE", "link": link}),
        (place, None) => json!({
            "mode": "IN_PERSON",
            "address": place.unwrap_or_else(|| "unspecified".to_owned())
        }),
    };
    body.insert("venue".to_owned(), venue);
    payload
}

/// The schemas of superseded event versions, which stored events may still have.
pub fn legacy_schemas() -> Vec<(&'static str, &'static str, schemars::schema::RootSchema)> {
    vec![(
        "MeetingScheduled",
        "1",
        schemars::schema_for!(MeetingScheduledV1),
    )]
}

/// Upcasts one event type from one version to the next, with a pure function on the payload.
pub struct Upcaster {
    pub event_type: &'static str,
    pub from_version: &'static str,
    pub to_version: &'static str,
    pub function: fn(Value) -> Value,
}

impl EventUpcaster for Upcaster {
    fn can_upcast(&self, event_type: &str, event_version: &str) -> bool {
        event_type == self.event_type && event_version == self.from_version
    }

    fn upcast(&self, mut event: SerializedEvent) -> SerializedEvent {
        event.payload = (self.function)(event.payload);
        event.event_version = self.to_version.to_owned();
        event
    }
}

/// Every upcaster of meeting events, oldest first; the store applies them when it loads.
pub fn upcasters() -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(Upcaster {
        event_type: "MeetingScheduled",
        from_version: "1",
        to_version: "2",
        function: meeting_scheduled_v1_to_v2,
    })]
}
