//! `fulfilCommitment`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `fulfilCommitment` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("fulfilCommitment", Rule::CoordinatorOrReferent);

payload!(FulfilCommitmentPayload, commitment: Commitment);

/// The input of `fulfilCommitment`.
#[derive(InputObject)]
pub struct FulfilCommitmentInput {
    /// The commitment.
    pub commitment: ID,
    /// What fulfilled it.
    pub note: String,
    /// The SHA-256 of an evidence document.
    pub evidence_hash: Option<String>,
    /// The business date.
    pub on: Date,
}

/// The resolver of `fulfilCommitment`.
#[derive(Default)]
pub struct FulfilCommitmentMutation;

#[Object]
impl FulfilCommitmentMutation {
    /// The commitment is fulfilled, with evidence.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn fulfil_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: FulfilCommitmentInput,
    ) -> ApiResult<FulfilCommitmentPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: FulfilCommitmentInput,
) -> Result<FulfilCommitmentPayload, Refusal> {
    decide(ctx, &RULE, &input.commitment, |p, by| {
        let note = p.text("note", &input.note);
        let evidence = match &input.evidence_hash {
            Some(h) => p.hash("evidenceHash", h).map(Some),
            None => Some(None),
        };
        Some(CommitmentCommand::Fulfil {
            by,
            note: note?,
            evidence: evidence?,
            fulfilled_on: input.on.0,
        })
    })
    .await
}
