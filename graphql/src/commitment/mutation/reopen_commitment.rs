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
    pub on: NaiveDate,
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
    let access = authorize(ctx, &RULE).await?;
    let by = acting_for(&access)?;
    let mut p = Parse::default();
    let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
    let command = p
        .text("note", &input.note)
        .map(|reason| CommitmentCommand::Reopen {
            by,
            reason,
            reopened_on: input.on,
        });
    let id = id.map(|i| i.to_string()).unwrap_or_default();
    execute::<CommitmentAggregate, _>(ctx, &access, &id, p, command).await
}
