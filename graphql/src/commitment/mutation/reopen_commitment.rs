//! `reopenCommitment`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `reopenCommitment` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("reopenCommitment", Rule::Coordinator);

payload!(ReopenCommitmentPayload, commitment: Commitment);

/// The input of `reopenCommitment`.
#[derive(InputObject)]
pub struct ReopenCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// Why it is reopened.
    pub note: String,
    /// The business date.
    pub on: Date,
}

/// The resolver of `reopenCommitment`.
#[derive(Default)]
pub struct ReopenCommitmentMutation;

#[Object]
impl ReopenCommitmentMutation {
    /// The coordinator reopens a closed commitment.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reopen_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReopenCommitmentInput,
    ) -> ApiResult<ReopenCommitmentPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ReopenCommitmentInput,
) -> Result<ReopenCommitmentPayload, Refusal> {
    decide(ctx, &RULE, &input.commitment, |p, by| {
        p.text("note", &input.note)
            .map(|reason| CommitmentCommand::Reopen {
                by,
                reason,
                reopened_on: input.on.0,
            })
    })
    .await
}
