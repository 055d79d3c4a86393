//! `closeMeeting`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `closeMeeting` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("closeMeeting", Rule::Coordinator);

payload!(CloseMeetingPayload, meeting: Meeting);

/// The input of `closeMeeting`.
#[derive(InputObject)]
pub struct CloseMeetingInput {
    /// The meeting.
    pub meeting: ID,
    /// When it closed (default: now).
    pub at: Option<DateTime<Utc>>,
}

/// The resolver of `closeMeeting`.
#[derive(Default)]
pub struct CloseMeetingMutation;

#[Object]
impl CloseMeetingMutation {
    /// Close a meeting.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn close_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CloseMeetingInput,
    ) -> ApiResult<CloseMeetingPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(ctx: &Context<'_>, input: CloseMeetingInput) -> Result<CloseMeetingPayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |_| {
        Some(MeetingCommand::Close {
            closed_at: input.at.unwrap_or_else(Utc::now),
        })
    })
    .await
}
