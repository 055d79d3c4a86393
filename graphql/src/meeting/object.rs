//! The GraphQL objects of Meeting.

use crate::graph::Meeting;
use crate::prelude::*;

/// A decision of a meeting.
#[derive(SimpleObject)]
pub struct Decision {
    /// Its number within the meeting.
    pub number: u32,
    /// What was decided.
    pub text: String,
    /// The business date.
    pub decided_on: Date,
    /// How many action items it has.
    pub action_items: usize,
}

/// An organization's attendance at a meeting.
#[derive(SimpleObject)]
pub struct AttendanceRecord {
    /// The organization's global id.
    pub organization: ID,
    /// Present, absent or excused.
    pub attendance: Attendance,
}

/// A meeting.
#[Object]
impl Meeting {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Meeting, self.view.id)
    }
    /// Its title.
    async fn title(&self) -> &str {
        self.view.title.as_str()
    }
    /// The kind of meeting.
    async fn kind(&self) -> MeetingKind {
        self.view.kind.into()
    }
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.view.starts_at
    }
    /// SCHEDULED, OPEN, CLOSED or CANCELLED (`state` is the same, as an enum).
    #[graphql(deprecation = "Use `state`: the same status, as an enum.")]
    async fn status(&self) -> String {
        wire_name(&self.view.status)
    }
    /// Where it stands.
    async fn state(&self) -> ApiResult<crate::enums::MeetingStatus> {
        status_of(&self.view.status)
    }
    /// The agenda.
    async fn agenda(&self) -> Vec<String> {
        self.view.agenda.iter().map(|a| a.to_string()).collect()
    }
    /// The decisions.
    async fn decisions(&self) -> Vec<Decision> {
        self.view
            .decisions
            .iter()
            .map(|d| Decision {
                number: d.number,
                text: d.text.to_string(),
                decided_on: d.decided_on.into(),
                action_items: d.action_items.len(),
            })
            .collect()
    }
    /// NONE, DRAFTED or APPROVED.
    async fn minutes_status(&self) -> &str {
        self.view.minutes_status()
    }
    /// The latest drafted version of the minutes (1 for the first draft; null before any), the
    /// number `approveMinutes` takes with that version's hash.
    async fn minutes_version(&self) -> Option<u32> {
        u32::try_from(self.view.minutes_versions.len())
            .ok()
            .filter(|n| *n > 0)
    }
    /// The SHA-256 of the latest drafted version of the minutes (hex).
    async fn minutes_document_hash(&self) -> Option<&str> {
        self.view.minutes_versions.last().map(|h| h.as_str())
    }
    /// The version of the minutes that was approved, if they were.
    async fn minutes_approved_version(&self) -> Option<u32> {
        self.view.minutes_approved_version
    }
    /// Attendance.
    async fn attendance(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<AttendanceRecord>>> {
        crate::viewer::require_full(ctx, self.view.network).await?;
        Ok(Some(
            read(ctx)
                .attendance(self.view.id, self.at.known)
                .await?
                .into_iter()
                .map(|a| AttendanceRecord {
                    organization: global_id(NodeKind::Organization, a.organization),
                    attendance: a.attendance.into(),
                })
                .collect(),
        ))
    }
}

/// The meeting with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_meeting(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Meeting>> {
    let v = viewer(ctx);
    Ok(
        match read(ctx)
            .meeting(aggregates::ids::MeetingId(uuid), at.known)
            .await?
        {
            Some(view)
                if v.full(ctx, view.network).await?
                    || (view.public && v.level_of(ctx, view.network).await? == Level::Public) =>
            {
                Some(Meeting { view, at })
            }
            _ => None,
        },
    )
}
