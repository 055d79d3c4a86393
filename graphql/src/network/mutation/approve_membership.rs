//! `approveMembership`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `approveMembership` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("approveMembership", Rule::Coordinator);

payload!(ApproveMembershipPayload, network: Network);

/// The input of `approveMembership`.
#[derive(InputObject)]
pub struct ApproveMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: Date,
}

/// The resolver of `approveMembership`.
#[derive(Default)]
pub struct ApproveMembershipMutation;

#[Object]
impl ApproveMembershipMutation {
    /// The coordinator approves an application.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn approve_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApproveMembershipInput,
    ) -> ApiResult<ApproveMembershipPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ApproveMembershipInput,
) -> Result<ApproveMembershipPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let organization = p.org("organization", &input.organization);
        organization.map(|organization| NetworkCommand::Approve {
            by,
            organization,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
