//! `waiveCommitment`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `waiveCommitment` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("waiveCommitment", Rule::Coordinator);

payload!(WaiveCommitmentPayload, commitment: Commitment);

/// The input of `waiveCommitment`.
#[derive(InputObject)]
pub struct WaiveCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// Why it is waived.
    pub note: String,
    /// The business date.
    pub on: Date,
}

/// The resolver of `waiveCommitment`.
#[derive(Default)]
pub struct WaiveCommitmentMutation;

#[Object]
impl WaiveCommitmentMutation {
    /// The coordinator waives a commitment.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn waive_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: WaiveCommitmentInput,
    ) -> ApiResult<WaiveCommitmentPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: WaiveCommitmentInput,
) -> Result<WaiveCommitmentPayload, Refusal> {
    decide(ctx, &RULE, &input.commitment, |p, by| {
        p.text("note", &input.note)
            .map(|reason| CommitmentCommand::Waive {
                by,
                reason,
                waived_on: input.on.0,
            })
    })
    .await
}
