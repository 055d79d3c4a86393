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
    let access = authorize(ctx, &RULE).await?;
    let mut p = Parse::default();
    let id = p.id("meeting", &input.meeting, NodeKind::Meeting);
    let organization = p.org("organization", &input.organization);
    let represented_by = match &input.represented_by {
        Some(person) => match person.parse::<uuid::Uuid>() {
            Ok(u) => Some(Some(PersonId(u))),
            Err(_) => {
                p.fail(
                    "representedBy",
                    "representedBy is not a person id".to_owned(),
                    "INVALID_ID",
                );
                None
            }
        },
        None => Some(None),
    };
    let command = (|| {
        Some(MeetingCommand::RecordAttendance {
            organization: organization?,
            attendance: input.attendance.into(),
            represented_by: represented_by?,
        })
    })();
    let id = id.map(|i| i.to_string()).unwrap_or_default();
    execute::<MeetingAggregate, _>(ctx, &access, &id, p, command).await
}
