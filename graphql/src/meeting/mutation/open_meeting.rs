//! `openMeeting`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `openMeeting` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("openMeeting", Rule::Coordinator);

payload!(OpenMeetingPayload, meeting: Meeting);

/// The input of `openMeeting`.
#[derive(InputObject)]
pub struct OpenMeetingInput {
    /// The meeting.
    pub meeting: ID,
    /// When it opened (default: now).
    pub at: Option<DateTime<Utc>>,
}

/// The resolver of `openMeeting`.
#[derive(Default)]
pub struct OpenMeetingMutation;

#[Object]
impl OpenMeetingMutation {
    /// Open a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn open_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: OpenMeetingInput,
    ) -> ApiResult<OpenMeetingPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(ctx: &Context<'_>, input: OpenMeetingInput) -> Result<OpenMeetingPayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |_| {
        Some(MeetingCommand::Open {
            opened_at: input.at.unwrap_or_else(Utc::now),
        })
    })
    .await
}
