//! The GraphQL objects of MeetingSeries.

use aggregates::ids::MeetingSeriesId;
use aggregates::meeting::Venue;
use aggregates::meeting_series::series_meeting_id;

use crate::graph::{Meeting, MeetingSeries, Network, OrganizationRef};
use crate::network::visible_network;
use crate::prelude::*;

/// One occurrence of a series and the meeting it scheduled.
pub struct SeriesOccurrenceObject {
    series: MeetingSeriesId,
    starts_at: DateTime<Utc>,
    skipped: Option<String>,
    at: Lens,
}

/// One occurrence of a series.
#[Object(name = "SeriesOccurrence")]
impl SeriesOccurrenceObject {
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }
    /// Why it will not take place, if it was skipped.
    async fn skipped(&self) -> Option<&str> {
        self.skipped.as_deref()
    }
    /// The ordinary meeting the series scheduled for it (with its own agenda, attendance and
    /// minutes), once the processes have scheduled it.
    async fn meeting(&self, ctx: &Context<'_>) -> ApiResult<Option<Meeting>> {
        let id = series_meeting_id(self.series, self.starts_at);
        crate::meeting::visible_meeting(ctx, id.as_uuid(), self.at).await
    }
}

/// An organization invited to a series, and its answer.
#[derive(SimpleObject)]
pub struct SeriesInvitationEntry {
    /// The organization (a member of the network or not).
    pub organization: OrganizationRef,
    /// When it was invited.
    pub invited_on: Date,
    /// Its answer: true accepted, false declined, null not answered yet.
    pub accepted: Option<bool>,
    /// When it answered.
    pub answered_on: Option<Date>,
}

/// Recurring meetings of a network (e.g. a monthly district laboratory): a recurrence rule that
/// schedules ordinary meetings ahead, the occurrences skipped, and the organizations invited.
/// Readable by those who read the network in full.
#[Object]
impl MeetingSeries {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::MeetingSeries, self.view.id)
    }
    /// Its title (each meeting's title).
    async fn title(&self) -> &str {
        self.view.details.title.as_str()
    }
    /// The kind of its meetings.
    async fn kind(&self) -> MeetingKind {
        self.view.details.kind.into()
    }
    /// The network.
    async fn network(&self, ctx: &Context<'_>) -> ApiResult<Option<Network>> {
        visible_network(ctx, self.view.network.as_uuid(), self.at).await
    }
    /// The recurrence rule (RFC 5545 RRULE), read in Italian local time from `firstAt`.
    async fn rule(&self) -> &str {
        self.view.details.rule.as_str()
    }
    /// The first meeting's local start (Italian time, `YYYY-MM-DDTHH:MM:SS`).
    async fn first_at(&self) -> String {
        self.view
            .details
            .first_at
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    }
    /// How long each meeting lasts, in minutes.
    async fn duration_minutes(&self) -> i32 {
        i32::from(self.view.details.duration_minutes)
    }
    /// Where its meetings take place: an address.
    async fn address(&self) -> Option<&str> {
        match &self.view.details.venue {
            Venue::InPerson { address } | Venue::Hybrid { address, .. } => Some(address.as_str()),
            Venue::Online { .. } => None,
        }
    }
    /// Where its meetings take place: a link.
    async fn link(&self) -> Option<String> {
        match &self.view.details.venue {
            Venue::Online { link } | Venue::Hybrid { link, .. } => Some(link.to_string()),
            Venue::InPerson { .. } => None,
        }
    }
    /// The standing agenda each meeting starts with.
    async fn agenda(&self) -> Vec<&str> {
        self.view
            .details
            .agenda
            .iter()
            .map(|a| a.as_str())
            .collect()
    }
    /// Its occurrences, in order.
    async fn occurrences(&self) -> Vec<SeriesOccurrenceObject> {
        self.view
            .occurrences
            .iter()
            .map(|o| SeriesOccurrenceObject {
                series: self.view.id,
                starts_at: o.starts_at,
                skipped: o.skipped.as_ref().map(|r| r.to_string()),
                at: self.at,
            })
            .collect()
    }
    /// The organizations invited, and their answers.
    async fn invitations(&self) -> Vec<SeriesInvitationEntry> {
        self.view
            .invitations
            .iter()
            .map(|i| SeriesInvitationEntry {
                organization: OrganizationRef {
                    id: i.organization,
                    at: self.at,
                },
                invited_on: Date(i.invited_on),
                accepted: i.accepted,
                answered_on: i.answered_on.map(Date),
            })
            .collect()
    }
    /// When it ended, if it did.
    async fn ended_on(&self) -> Option<Date> {
        self.view.ended_on.map(Date)
    }
}

/// The series with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_meeting_series(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<MeetingSeries>> {
    match read(ctx)
        .meeting_series(MeetingSeriesId(uuid), at.known)
        .await?
    {
        Some(view) if viewer(ctx).full(ctx, view.network).await? => {
            Ok(Some(MeetingSeries { view, at }))
        }
        _ => Ok(None),
    }
}
