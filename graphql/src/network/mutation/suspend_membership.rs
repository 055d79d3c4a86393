//! `suspendMembership`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `suspendMembership` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("suspendMembership", Rule::Coordinator);

payload!(SuspendMembershipPayload, network: Network);

/// The input of `suspendMembership`.
#[derive(InputObject)]
pub struct SuspendMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: Date,
    /// Why the member is suspended (required, not empty).
    pub reason: String,
}

/// The resolver of `suspendMembership`.
#[derive(Default)]
pub struct SuspendMembershipMutation;

#[Object]
impl SuspendMembershipMutation {
    /// The coordinator suspends a member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn suspend_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SuspendMembershipInput,
    ) -> ApiResult<SuspendMembershipPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: SuspendMembershipInput,
) -> Result<SuspendMembershipPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let organization = p.org("organization", &input.organization);
        let reason = p.text("reason", &input.reason);
        Some(NetworkCommand::Suspend {
            by,
            organization: organization?,
            reason: reason?,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
