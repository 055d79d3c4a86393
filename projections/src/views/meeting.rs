//! The read model of Meeting: its documents (their serde form is the stored form) and the
//! fold of its events into them.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
    pub number: u32,
    pub text: FreeText,
    pub action_items: Vec<ActionItem>,
    pub decided_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingView {
    pub id: MeetingId,
    pub network: NetworkId,
    pub working_group: Option<WorkingGroupId>,
    pub kind: MeetingKind,
    pub title: Name,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub venue: Venue,
    pub agenda: Vec<FreeText>,
    pub public: bool,
    pub status: MeetingStatus,
    pub cancel_reason: Option<FreeText>,
    pub decisions: Vec<DecisionView>,
    pub minutes_versions: Vec<DocumentHash>,
    pub minutes_approved_version: Option<u32>,
    pub minutes_approved_on: Option<NaiveDate>,
}

impl MeetingView {
    /// NONE, DRAFTED or APPROVED.
    pub fn minutes_status(&self) -> &'static str {
        match (
            self.minutes_approved_version,
            self.minutes_versions.is_empty(),
        ) {
            (Some(_), _) => "APPROVED",
            (None, false) => "DRAFTED",
            (None, true) => "NONE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceView {
    pub meeting: MeetingId,
    pub network: NetworkId,
    pub organization: OrganizationId,
    pub attendance: Attendance,
    pub represented_by: Option<PersonId>,
}

pub(super) fn project_meeting(
    docs: &mut Docs,
    p: i64,
    id: MeetingId,
    e: MeetingEvent,
) -> Result<(), ProjectionError> {
    let key = DocKey::new(Kind::Meeting, id);
    let mut view: MeetingView = match &e {
        MeetingEvent::MeetingScheduled(s) => MeetingView {
            id,
            network: s.network,
            working_group: s.working_group,
            kind: s.kind,
            title: s.title.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            venue: s.venue.clone(),
            agenda: s.agenda.clone(),
            public: s.public,
            status: MeetingStatus::Scheduled,
            cancel_reason: None,
            decisions: vec![],
            minutes_versions: vec![],
            minutes_approved_version: None,
            minutes_approved_on: None,
        },
        _ => docs.require(&key, p)?,
    };
    let network = view.network;
    docs.concern(Kind::Network, network, p);
    match e {
        MeetingEvent::MeetingScheduled(s) => {
            if let Some(group) = s.working_group {
                docs.concern(Kind::WorkingGroup, group, p);
            }
        }
        MeetingEvent::MeetingRescheduled(r) => {
            view.starts_at = r.starts_at;
            view.ends_at = r.ends_at;
            view.venue = r.venue;
        }
        MeetingEvent::MeetingCancelled(c) => {
            view.status = MeetingStatus::Cancelled;
            view.cancel_reason = Some(c.reason);
        }
        MeetingEvent::AttendanceRecorded(a) => {
            docs.concern(Kind::Organization, a.organization, p);
            let attendance = AttendanceView {
                meeting: id,
                network,
                organization: a.organization,
                attendance: a.attendance,
                represented_by: a.represented_by,
            };
            docs.put(
                attendance_key(id, a.organization),
                filters(
                    Some(network.to_string()),
                    Some(a.organization.to_string()),
                    Some(id.to_string()),
                ),
                p,
                attendance,
            );
            return Ok(());
        }
        MeetingEvent::MeetingOpened(_) => view.status = MeetingStatus::Open,
        MeetingEvent::DecisionRecorded(d) => {
            for item in &d.action_items {
                docs.concern(Kind::Organization, item.obligor, p);
            }
            view.decisions.push(DecisionView {
                number: d.decision,
                text: d.text,
                action_items: d.action_items,
                decided_on: d.decided_on,
            });
        }
        MeetingEvent::MeetingClosed(_) => view.status = MeetingStatus::Closed,
        MeetingEvent::MinutesDrafted(m) => view.minutes_versions.push(m.document_hash),
        MeetingEvent::MinutesApproved(m) => {
            view.minutes_approved_version = Some(m.version);
            view.minutes_approved_on = Some(m.approved_on);
        }
    }
    docs.put(
        key,
        filters(
            Some(network.to_string()),
            None,
            view.working_group.map(|g| g.to_string()),
        ),
        p,
        view,
    );
    Ok(())
}
