//! `reinstateMembership`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `reinstateMembership` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("reinstateMembership", Rule::Coordinator);

payload!(ReinstateMembershipPayload, network: Network);

/// The input of `reinstateMembership`.
#[derive(InputObject)]
pub struct ReinstateMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: Date,
}

/// The resolver of `reinstateMembership`.
#[derive(Default)]
pub struct ReinstateMembershipMutation;

#[Object]
impl ReinstateMembershipMutation {
    /// The coordinator reinstates a suspended member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reinstate_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReinstateMembershipInput,
    ) -> ApiResult<ReinstateMembershipPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ReinstateMembershipInput,
) -> Result<ReinstateMembershipPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let organization = p.org("organization", &input.organization);
        organization.map(|organization| NetworkCommand::Reinstate {
            by,
            organization,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
