//! The read model of MeetingSeries: its document (the rule, its occurrences and which were
//! skipped, the invitations and their answers) and the fold of its events into it. The
//! meetings themselves are ordinary meeting documents, found by their derived ids.

use aggregates::meeting_series::{MeetingSeriesEvent, SeriesDetails};

use super::*;

/// One occurrence of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesOccurrence {
    pub starts_at: DateTime<Utc>,
    /// Why it will not take place, if it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<FreeText>,
}

/// An organization invited to a series, and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesInvitation {
    pub organization: OrganizationId,
    pub invited_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingSeriesView {
    pub id: MeetingSeriesId,
    pub network: NetworkId,
    pub details: SeriesDetails,
    pub defined_on: NaiveDate,
    pub occurrences: Vec<SeriesOccurrence>,
    #[serde(default)]
    pub invitations: Vec<SeriesInvitation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<FreeText>,
}

pub(super) fn project_meeting_series(
    docs: &mut Docs,
    p: i64,
    id: MeetingSeriesId,
    e: MeetingSeriesEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::MeetingSeries, id);
    let mut view: MeetingSeriesView = match &e {
        MeetingSeriesEvent::MeetingSeriesDefined(d) => MeetingSeriesView {
            id,
            network: d.network,
            details: d.details.clone(),
            defined_on: d.defined_on,
            occurrences: d
                .occurrences
                .iter()
                .map(|at| SeriesOccurrence {
                    starts_at: *at,
                    skipped: None,
                })
                .collect(),
            invitations: vec![],
            ended_on: None,
            end_reason: None,
        },
        _ => docs.require(&key, p)?,
    };
    docs.concern(Kind::Network, view.network, p);
    match e {
        MeetingSeriesEvent::MeetingSeriesDefined(_) => {}
        MeetingSeriesEvent::SeriesOccurrenceSkipped(s) => {
            if let Some(o) = view
                .occurrences
                .iter_mut()
                .find(|o| o.starts_at == s.starts_at)
            {
                o.skipped = Some(s.reason);
            }
        }
        MeetingSeriesEvent::SeriesInvitationSent(i) => {
            docs.concern(Kind::Organization, i.organization, p);
            view.invitations.push(SeriesInvitation {
                organization: i.organization,
                invited_on: i.invited_on,
                accepted: None,
                answered_on: None,
            });
        }
        MeetingSeriesEvent::SeriesInvitationAnswered(a) => {
            docs.concern(Kind::Organization, a.organization, p);
            if let Some(i) = view
                .invitations
                .iter_mut()
                .find(|i| i.organization == a.organization)
            {
                i.accepted = Some(a.accepted);
                i.answered_on = Some(a.answered_on);
            }
        }
        MeetingSeriesEvent::MeetingSeriesEnded(e) => {
            view.ended_on = Some(e.ended_on);
            view.end_reason = Some(e.reason);
        }
    }
    docs.put(
        key,
        filters(
            Some(view.network.to_string()),
            None,
            view.details.working_group.map(|g| g.to_string()),
        ),
        p,
        view,
    );
    Ok(())
}
