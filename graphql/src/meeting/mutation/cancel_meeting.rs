//! `cancelMeeting`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `cancelMeeting` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("cancelMeeting", Rule::Coordinator);

payload!(CancelMeetingPayload, meeting: Meeting);

/// The input of `cancelMeeting`.
#[derive(InputObject)]
pub struct CancelMeetingInput {
    /// The meeting.
    pub meeting: ID,
    /// Why it is cancelled (required).
    pub reason: Option<String>,
}

/// The resolver of `cancelMeeting`.
#[derive(Default)]
pub struct CancelMeetingMutation;

#[Object]
impl CancelMeetingMutation {
    /// Cancel a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn cancel_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CancelMeetingInput,
    ) -> ApiResult<CancelMeetingPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: CancelMeetingInput,
) -> Result<CancelMeetingPayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |p| {
        let reason = required_reason(p, &input.reason);
        reason.map(|reason| MeetingCommand::Cancel { reason })
    })
    .await
}
