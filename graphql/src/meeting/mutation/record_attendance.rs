//! `recordAttendance`: its input, payload, access rule and resolver.

use super::*;
use crate::enums::Attendance;

/// Who may call `recordAttendance` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("recordAttendance", Rule::Coordinator);

/// Record an organization's attendance.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    /// The meeting.
    pub meeting: ID,
    /// The organization.
    pub organization: ID,
    /// Present, absent or excused.
    pub attendance: Attendance,
    /// The person who represented it (id in the personal-data store).
    pub represented_by: Option<ID>,
}

payload!(RecordAttendancePayload, meeting: Meeting);

/// The resolver of `recordAttendance`.
#[derive(Default)]
pub struct RecordAttendanceMutation;

#[Object]
impl RecordAttendanceMutation {
    /// Record attendance.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordAttendanceInput,
    ) -> ApiResult<RecordAttendancePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RecordAttendanceInput,
) -> Result<RecordAttendancePayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |p| {
        let organization = p.org("organization", &input.organization);
        let represented_by = match &input.represented_by {
            Some(person) => p.person("representedBy", person).map(Some),
            None => Some(None),
        };
        Some(MeetingCommand::RecordAttendance {
            organization: organization?,
            attendance: input.attendance.into(),
            represented_by: represented_by?,
        })
    })
    .await
}
