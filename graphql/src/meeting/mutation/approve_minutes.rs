//! `approveMinutes`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `approveMinutes` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("approveMinutes", Rule::Coordinator);

payload!(ApproveMinutesPayload, meeting: Meeting);

/// The input of `approveMinutes`.
#[derive(InputObject)]
pub struct ApproveMinutesInput {
    /// The meeting.
    pub meeting: ID,
    /// The SHA-256 of the minutes document.
    pub document_hash: String,
    /// The version to approve (`Meeting.minutesVersion` is the latest drafted one).
    pub version: i32,
    /// Approved on (default: today).
    pub approved_on: Option<Date>,
}

/// The resolver of `approveMinutes`.
#[derive(Default)]
pub struct ApproveMinutesMutation;

#[Object]
impl ApproveMinutesMutation {
    /// Approve one version of the minutes, once.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn approve_minutes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApproveMinutesInput,
    ) -> ApiResult<ApproveMinutesPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ApproveMinutesInput,
) -> Result<ApproveMinutesPayload, Refusal> {
    change(ctx, &RULE, &input.meeting, |p| {
        let hash = p.hash("documentHash", &input.document_hash);
        let version = p.whole::<u32>("version", input.version);
        Some(MeetingCommand::ApproveMinutes {
            version: version?,
            document_hash: hash?,
            approved_on: input
                .approved_on
                .map_or_else(|| Utc::now().date_naive(), |d| d.0),
        })
    })
    .await
}
