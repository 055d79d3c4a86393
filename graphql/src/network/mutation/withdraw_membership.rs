//! `withdrawMembership`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `withdrawMembership` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("withdrawMembership", Rule::Referent);

payload!(WithdrawMembershipPayload, network: Network);

/// The input of `withdrawMembership`.
#[derive(InputObject)]
pub struct WithdrawMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: Date,
    /// Why the member leaves (optional).
    pub reason: Option<String>,
}

/// The resolver of `withdrawMembership`.
#[derive(Default)]
pub struct WithdrawMembershipMutation;

#[Object]
impl WithdrawMembershipMutation {
    /// A member leaves (only the member itself may say so).
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn withdraw_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: WithdrawMembershipInput,
    ) -> ApiResult<WithdrawMembershipPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: WithdrawMembershipInput,
) -> Result<WithdrawMembershipPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let organization = p.org("organization", &input.organization);
        let reason = p.opt_text("reason", &input.reason);
        Some(NetworkCommand::Withdraw {
            by,
            organization: organization?,
            reason: reason?,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
