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
    pub on: NaiveDate,
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
    let access = authorize(ctx, &RULE).await?;
    let by = acting_for(&access)?;
    let mut p = Parse::default();
    let id = p.id("commitment", &input.commitment, NodeKind::Commitment);
    let command = p
        .text("note", &input.note)
        .map(|reason| CommitmentCommand::Waive {
            by,
            reason,
            waived_on: input.on,
        });
    let id = id.map(|i| i.to_string()).unwrap_or_default();
    execute::<CommitmentAggregate, _>(ctx, &access, &id, p, command).await
}
