//! Meeting series (calendario, e.g. Casalmaggiore's monthly district laboratory): a recurrence
//! rule (RFC 5545 RRULE, in Italian local time) that schedules its meetings ahead, each an
//! ordinary meeting with its own agenda, attendance and minutes (through the processes); the
//! occurrences it skips; and the organizations invited to it, members of the network or not
//! (a Carabinieri company), with their answers.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::directory::{DirectoryUnavailable, NetworkFacts, Services};
use crate::events::domain_events;
use crate::ids::{MeetingId, MeetingSeriesId, NetworkId, OrganizationId, WorkingGroupId};
use crate::meeting::{MeetingKind, Venue};
use crate::values::{FreeText, Name, ValueError};

/// At most this many occurrences in a series.
pub const OCCURRENCES_MAX: usize = 60;
/// The time zone local times are read in.
pub const TIME_ZONE: &str = "Europe/Rome";

/// A recurrence rule (RFC 5545 `RRULE`, without `DTSTART`), bounded by `COUNT` or `UNTIL`:
/// e.g. `FREQ=MONTHLY;BYDAY=3TH;COUNT=10`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Recurrence(String);

impl Recurrence {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let text = input
            .trim()
            .trim_start_matches("RRULE:")
            .to_ascii_uppercase();
        if text.is_empty() || text.len() > 300 {
            return Err(ValueError::Recurrence("1 to 300 characters".into()));
        }
        let rule: rrule::RRule<rrule::Unvalidated> = text
            .parse()
            .map_err(|e: rrule::RRuleError| ValueError::Recurrence(e.to_string()))?;
        if rule.get_count().is_none() && rule.get_until().is_none() {
            return Err(ValueError::Recurrence(
                "it must end: give COUNT or UNTIL".into(),
            ));
        }
        Ok(Self(text))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Recurrence {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, ValueError> {
        Self::parse(&value)
    }
}

impl From<Recurrence> for String {
    fn from(value: Recurrence) -> String {
        value.0
    }
}

impl JsonSchema for Recurrence {
    fn schema_name() -> String {
        "Recurrence".to_owned()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut obj = schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                min_length: Some(1),
                max_length: Some(300),
                pattern: None,
            })),
            ..Default::default()
        };
        obj.metadata().description = Some(
            "An RFC 5545 recurrence rule (RRULE) bounded by COUNT or UNTIL, e.g. FREQ=MONTHLY;BYDAY=3TH;COUNT=10".to_owned(),
        );
        obj.into()
    }
}

/// The instants (UTC) of a rule's occurrences from its first local start (Italian time).
pub fn occurrences(
    rule: &Recurrence,
    first: NaiveDateTime,
) -> Result<Vec<DateTime<Utc>>, MeetingSeriesError> {
    use MeetingSeriesError as E;
    let tz = rrule::Tz::Europe__Rome;
    let start = tz
        .from_local_datetime(&first)
        .single()
        .ok_or(E::AmbiguousStart)?;
    let parsed: rrule::RRule<rrule::Unvalidated> = rule
        .as_str()
        .parse()
        .map_err(|e: rrule::RRuleError| E::InvalidRule(e.to_string()))?;
    let set = parsed
        .build(start)
        .map_err(|e| E::InvalidRule(e.to_string()))?;
    let result = set.all(OCCURRENCES_MAX as u16 + 1);
    if result.dates.len() > OCCURRENCES_MAX {
        return Err(E::TooManyOccurrences);
    }
    if result.dates.is_empty() {
        return Err(E::NoOccurrence);
    }
    Ok(result
        .dates
        .into_iter()
        .map(|d| d.with_timezone(&Utc))
        .collect())
}

/// The meeting a series schedules for one occurrence (the day it starts, UTC).
pub fn series_meeting_id(series: MeetingSeriesId, starts_at: DateTime<Utc>) -> MeetingId {
    MeetingId::derived(&format!(
        "series/{series}/occurrence/{}",
        starts_at.format("%Y-%m-%dT%H:%M")
    ))
}

/// What a series' meetings are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesDetails {
    pub working_group: Option<WorkingGroupId>,
    pub kind: MeetingKind,
    pub title: Name,
    /// The rule, read in Italian local time from `first_at`.
    pub rule: Recurrence,
    /// The first meeting's local start (Italian time).
    pub first_at: NaiveDateTime,
    pub duration_minutes: u16,
    pub venue: Venue,
    /// The standing agenda every meeting starts with.
    pub agenda: Vec<FreeText>,
    pub public: bool,
}

/// Serialisable: the command service fingerprints a command by its serialised form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum MeetingSeriesCommand {
    Define {
        id: MeetingSeriesId,
        network: NetworkId,
        by: OrganizationId,
        details: SeriesDetails,
        defined_on: NaiveDate,
    },
    /// One occurrence will not take place (its meeting is cancelled).
    SkipOccurrence {
        by: OrganizationId,
        starts_on: NaiveDate,
        reason: FreeText,
    },
    Invite {
        by: OrganizationId,
        organization: OrganizationId,
        invited_on: NaiveDate,
    },
    AnswerInvitation {
        by: OrganizationId,
        organization: OrganizationId,
        accepted: bool,
        answered_on: NaiveDate,
    },
    /// No meeting after this date (those scheduled are cancelled).
    End {
        by: OrganizationId,
        ended_on: NaiveDate,
        reason: FreeText,
    },
}

impl crate::DomainCommand for MeetingSeriesCommand {
    fn business_date(&self) -> Option<NaiveDate> {
        match self {
            Self::Define { defined_on: on, .. }
            | Self::SkipOccurrence { starts_on: on, .. }
            | Self::Invite { invited_on: on, .. }
            | Self::AnswerInvitation {
                answered_on: on, ..
            }
            | Self::End { ended_on: on, .. } => Some(*on),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingSeriesError {
    #[error("this series is already defined")]
    AlreadyDefined,
    #[error("no such series")]
    NotFound,
    #[error("the series has ended")]
    Ended,
    #[error("the network is not established")]
    NetworkNotFound,
    #[error("the network is closed")]
    NetworkClosed,
    #[error("no such working group in this network")]
    WorkingGroupNotFound,
    #[error("only the network's coordinator may do this")]
    NotCoordinator,
    #[error("the recurrence rule is not valid: {0}")]
    InvalidRule(String),
    #[error("the first start does not exist or is ambiguous in Italian local time (a daylight-saving change)")]
    AmbiguousStart,
    #[error("a series has at most {OCCURRENCES_MAX} occurrences")]
    TooManyOccurrences,
    #[error("the rule gives no occurrence")]
    NoOccurrence,
    #[error("a meeting lasts 1 minute to 24 hours")]
    Duration,
    #[error("the series has no occurrence starting on {0}")]
    UnknownOccurrence(NaiveDate),
    #[error("the occurrence of {0} is already skipped")]
    AlreadySkipped(NaiveDate),
    #[error("no organization {} is registered", .0.global())]
    UnknownOrganization(OrganizationId),
    #[error("the organization is already invited")]
    AlreadyInvited,
    #[error("the organization is not invited")]
    NotInvited,
    #[error("an organization answers its own invitation only")]
    NotOwnAnswer,
    #[error(transparent)]
    Directory(#[from] DirectoryUnavailable),
}

crate::error_codes!(MeetingSeriesError {
    AlreadyDefined => "ALREADY_DEFINED",
    NotFound => "NOT_FOUND",
    Ended => "SERIES_ENDED",
    NetworkNotFound => "NETWORK_NOT_FOUND",
    NetworkClosed => "NETWORK_CLOSED",
    WorkingGroupNotFound => "WORKING_GROUP_NOT_FOUND",
    NotCoordinator => "NOT_COORDINATOR",
    InvalidRule => "INVALID_RULE",
    AmbiguousStart => "AMBIGUOUS_START",
    TooManyOccurrences => "TOO_MANY_OCCURRENCES",
    NoOccurrence => "NO_OCCURRENCE",
    Duration => "INVALID_DURATION",
    UnknownOccurrence => "UNKNOWN_OCCURRENCE",
    AlreadySkipped => "ALREADY_SKIPPED",
    UnknownOrganization => "UNKNOWN_ORGANIZATION",
    AlreadyInvited => "ALREADY_INVITED",
    NotInvited => "NOT_INVITED",
    NotOwnAnswer => "NOT_OWN_ANSWER",
    Directory => "DIRECTORY",
}, field = MeetingSeriesError::field_at_fault);

impl MeetingSeriesError {
    /// The field at fault, where one is, as the API's input names it (the API takes a
    /// series' details flat, beside the network).
    pub fn field_at_fault(&self) -> Option<Vec<&'static str>> {
        use MeetingSeriesError as E;
        Some(match self {
            E::InvalidRule(_) | E::TooManyOccurrences | E::NoOccurrence => vec!["rule"],
            E::AmbiguousStart => vec!["first_at"],
            E::Duration => vec!["duration_minutes"],
            E::WorkingGroupNotFound => vec!["working_group"],
            E::UnknownOccurrence(_) | E::AlreadySkipped(_) => vec!["starts_on"],
            E::UnknownOrganization(_) | E::AlreadyInvited | E::NotInvited | E::NotOwnAnswer => {
                vec!["organization"]
            }
            _ => return None,
        })
    }
}

domain_events!(
    /// Everything that can happen to a meeting series.
    MeetingSeriesEvent {
        MeetingSeriesDefined = "1",
        SeriesOccurrenceSkipped = "1",
        SeriesInvitationSent = "1",
        SeriesInvitationAnswered = "1",
        MeetingSeriesEnded = "1",
    }
);

/// A series was defined, with the instants of its occurrences as the rule gave them then (the
/// processes schedule these, so a replay schedules the same meetings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingSeriesDefined {
    pub series_id: MeetingSeriesId,
    pub network: NetworkId,
    pub details: SeriesDetails,
    pub occurrences: Vec<DateTime<Utc>>,
    pub defined_on: NaiveDate,
}

/// One occurrence will not take place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesOccurrenceSkipped {
    pub starts_at: DateTime<Utc>,
    pub reason: FreeText,
}

/// An organization was invited to the series' meetings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesInvitationSent {
    pub organization: OrganizationId,
    pub invited_on: NaiveDate,
}

/// An invited organization answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesInvitationAnswered {
    pub organization: OrganizationId,
    pub accepted: bool,
    pub answered_on: NaiveDate,
}

/// The series ended: no meeting after the date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingSeriesEnded {
    pub ended_on: NaiveDate,
    pub reason: FreeText,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MeetingSeries {
    pub id: Option<MeetingSeriesId>,
    pub network: Option<NetworkId>,
    pub details: Option<SeriesDetails>,
    pub occurrences: Vec<DateTime<Utc>>,
    pub skipped: Vec<DateTime<Utc>>,
    /// Invited organizations and their answer (None: not answered yet).
    pub invited: BTreeMap<OrganizationId, Option<bool>>,
    pub ended_on: Option<NaiveDate>,
}

impl MeetingSeries {
    async fn coordinator(
        network: NetworkId,
        by: OrganizationId,
        services: &Services,
    ) -> Result<NetworkFacts, MeetingSeriesError> {
        use MeetingSeriesError as E;
        services
            .coordinated_network(
                network,
                by,
                [E::NetworkNotFound, E::NetworkClosed, E::NotCoordinator],
            )
            .await
    }

    /// The occurrence starting on `day` (Italian local date).
    fn occurrence_on(&self, day: NaiveDate) -> Option<DateTime<Utc>> {
        self.occurrences
            .iter()
            .copied()
            .find(|o| local_date(*o) == day)
    }
}

/// The Italian local date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&rrule::Tz::Europe__Rome).date_naive()
}

impl Aggregate for MeetingSeries {
    const TYPE: &'static str = "MeetingSeries";
    type Command = MeetingSeriesCommand;
    type Event = MeetingSeriesEvent;
    type Error = MeetingSeriesError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        use MeetingSeriesCommand as C;
        use MeetingSeriesError as E;
        if !matches!(command, C::Define { .. }) {
            if self.network.is_none() {
                return Err(E::NotFound);
            }
            if self.ended_on.is_some() && !matches!(command, C::AnswerInvitation { .. }) {
                return Err(E::Ended);
            }
        }
        let event: MeetingSeriesEvent = match command {
            C::Define {
                id,
                network,
                by,
                details,
                defined_on,
            } => {
                if self.network.is_some() {
                    return Err(E::AlreadyDefined);
                }
                if details.duration_minutes == 0 || details.duration_minutes > 24 * 60 {
                    return Err(E::Duration);
                }
                Self::coordinator(network, by, services).await?;
                if let Some(group) = details.working_group {
                    let g = services
                        .directory
                        .working_group(group)
                        .await?
                        .ok_or(E::WorkingGroupNotFound)?;
                    if g.network != network {
                        return Err(E::WorkingGroupNotFound);
                    }
                }
                let occurrences = occurrences(&details.rule, details.first_at)?;
                MeetingSeriesDefined {
                    series_id: id,
                    network,
                    details,
                    occurrences,
                    defined_on,
                }
                .into()
            }
            C::SkipOccurrence {
                by,
                starts_on,
                reason,
            } => {
                Self::coordinator(self.network.ok_or(E::NotFound)?, by, services).await?;
                let at = self
                    .occurrence_on(starts_on)
                    .ok_or(E::UnknownOccurrence(starts_on))?;
                if self.skipped.contains(&at) {
                    return Err(E::AlreadySkipped(starts_on));
                }
                SeriesOccurrenceSkipped {
                    starts_at: at,
                    reason,
                }
                .into()
            }
            C::Invite {
                by,
                organization,
                invited_on,
            } => {
                Self::coordinator(self.network.ok_or(E::NotFound)?, by, services).await?;
                if services
                    .directory
                    .organization(organization)
                    .await?
                    .is_none()
                {
                    return Err(E::UnknownOrganization(organization));
                }
                if self.invited.contains_key(&organization) {
                    return Err(E::AlreadyInvited);
                }
                SeriesInvitationSent {
                    organization,
                    invited_on,
                }
                .into()
            }
            C::AnswerInvitation {
                by,
                organization,
                accepted,
                answered_on,
            } => {
                if by != organization {
                    return Err(E::NotOwnAnswer);
                }
                if !self.invited.contains_key(&organization) {
                    return Err(E::NotInvited);
                }
                SeriesInvitationAnswered {
                    organization,
                    accepted,
                    answered_on,
                }
                .into()
            }
            C::End {
                by,
                ended_on,
                reason,
            } => {
                Self::coordinator(self.network.ok_or(E::NotFound)?, by, services).await?;
                MeetingSeriesEnded { ended_on, reason }.into()
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            MeetingSeriesEvent::MeetingSeriesDefined(e) => {
                self.id = Some(e.series_id);
                self.network = Some(e.network);
                self.details = Some(e.details);
                self.occurrences = e.occurrences;
            }
            MeetingSeriesEvent::SeriesOccurrenceSkipped(e) => self.skipped.push(e.starts_at),
            MeetingSeriesEvent::SeriesInvitationSent(e) => {
                self.invited.insert(e.organization, None);
            }
            MeetingSeriesEvent::SeriesInvitationAnswered(e) => {
                self.invited.insert(e.organization, Some(e.accepted));
            }
            MeetingSeriesEvent::MeetingSeriesEnded(e) => self.ended_on = Some(e.ended_on),
        }
    }
}
