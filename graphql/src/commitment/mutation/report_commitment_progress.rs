//! `reportCommitmentProgress`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `reportCommitmentProgress` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("reportCommitmentProgress", Rule::CoordinatorOrReferent);

payload!(ReportCommitmentProgressPayload, commitment: Commitment);

/// The input of `reportCommitmentProgress`.
#[derive(InputObject)]
pub struct ReportCommitmentProgressInput {
    /// The commitment.
    pub commitment: ID,
    /// What was done.
    pub note: String,
    /// The business date.
    pub on: Date,
}

/// The resolver of `reportCommitmentProgress`.
#[derive(Default)]
pub struct ReportCommitmentProgressMutation;

#[Object]
impl ReportCommitmentProgressMutation {
    /// The obligor reports progress.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn report_commitment_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReportCommitmentProgressInput,
    ) -> ApiResult<ReportCommitmentProgressPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ReportCommitmentProgressInput,
) -> Result<ReportCommitmentProgressPayload, Refusal> {
    decide(ctx, &RULE, &input.commitment, |p, by| {
        p.text("note", &input.note)
            .map(|note| CommitmentCommand::ReportProgress {
                by,
                note,
                reported_on: input.on.0,
            })
    })
    .await
}
