//! `expelMember`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `expelMember` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("expelMember", Rule::Coordinator);

payload!(ExpelMemberPayload, network: Network);

/// The input of `expelMember`.
#[derive(InputObject)]
pub struct ExpelMemberInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: Date,
    /// Why the member is expelled (required, not empty).
    pub reason: String,
}

/// The resolver of `expelMember`.
#[derive(Default)]
pub struct ExpelMemberMutation;

#[Object]
impl ExpelMemberMutation {
    /// The coordinator expels a member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn expel_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ExpelMemberInput,
    ) -> ApiResult<ExpelMemberPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(ctx: &Context<'_>, input: ExpelMemberInput) -> Result<ExpelMemberPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let organization = p.org("organization", &input.organization);
        let reason = p.text("reason", &input.reason);
        Some(NetworkCommand::Expel {
            by,
            organization: organization?,
            reason: reason?,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
