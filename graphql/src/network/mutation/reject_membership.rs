//! `rejectMembership`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `rejectMembership` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("rejectMembership", Rule::Coordinator);

payload!(RejectMembershipPayload, network: Network);

/// The input of `rejectMembership`.
#[derive(InputObject)]
pub struct RejectMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: Date,
    /// Why the application is rejected (required, not empty).
    pub reason: String,
}

/// The resolver of `rejectMembership`.
#[derive(Default)]
pub struct RejectMembershipMutation;

#[Object]
impl RejectMembershipMutation {
    /// The coordinator rejects an application.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reject_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RejectMembershipInput,
    ) -> ApiResult<RejectMembershipPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RejectMembershipInput,
) -> Result<RejectMembershipPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let organization = p.org("organization", &input.organization);
        let reason = p.text("reason", &input.reason);
        Some(NetworkCommand::Reject {
            by,
            organization: organization?,
            reason: reason?,
        })
    })
    .await
}
