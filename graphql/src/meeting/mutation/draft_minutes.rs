//! `draftMinutes`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `draftMinutes` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("draftMinutes", Rule::Coordinator);

payload!(DraftMinutesPayload, meeting: Meeting);

/// The input of `draftMinutes`.
#[derive(InputObject)]
pub struct DraftMinutesInput {
    /// The meeting.
    pub meeting: ID,
    /// The SHA-256 of the minutes document (each draft is the next version).
    pub document_hash: String,
}

/// The resolver of `draftMinutes`.
#[derive(Default)]
pub struct DraftMinutesMutation;

#[Object]
impl DraftMinutesMutation {
    /// Draft a version of the minutes.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn draft_minutes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DraftMinutesInput,
    ) -> ApiResult<DraftMinutesPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(ctx: &Context<'_>, input: DraftMinutesInput) -> Result<DraftMinutesPayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |p| {
        p.hash("documentHash", &input.document_hash)
            .map(|document_hash| MeetingCommand::DraftMinutes { document_hash })
    })
    .await
}
