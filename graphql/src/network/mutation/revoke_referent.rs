//! `revokeReferent`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `revokeReferent` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("revokeReferent", Rule::CoordinatorOrReferent);

/// Revoke a referent designation.
#[derive(InputObject)]
pub struct RevokeReferentInput {
    /// The network.
    pub network: ID,
    /// The designation's id.
    pub referent: ID,
    /// Effective from.
    pub effective_on: Date,
}

payload!(RevokeReferentPayload, network: Network);

/// The resolver of `revokeReferent`.
#[derive(Default)]
pub struct RevokeReferentMutation;

#[Object]
impl RevokeReferentMutation {
    /// Revoke a referent designation.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn revoke_referent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RevokeReferentInput,
    ) -> ApiResult<RevokeReferentPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RevokeReferentInput,
) -> Result<RevokeReferentPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let referent = p.uuid(
            "referent",
            &input.referent,
            NodeKind::Referent,
            "a designation id",
            ReferentId,
        );
        referent.map(|referent| NetworkCommand::RevokeReferent {
            by,
            referent,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
