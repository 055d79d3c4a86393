//! `applyForMembership`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `applyForMembership` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("applyForMembership", Rule::Referent);

payload!(ApplyForMembershipPayload, network: Network);

/// The input of `applyForMembership`.
#[derive(InputObject)]
pub struct ApplyForMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: Date,
    /// Why the organization applies (optional).
    pub reason: Option<String>,
}

/// The resolver of `applyForMembership`.
#[derive(Default)]
pub struct ApplyForMembershipMutation;

#[Object]
impl ApplyForMembershipMutation {
    /// An organization applies to join a network.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn apply_for_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApplyForMembershipInput,
    ) -> ApiResult<ApplyForMembershipPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ApplyForMembershipInput,
) -> Result<ApplyForMembershipPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let mut p = Parse::default();
    let (id, organization) = membership_ids(&mut p, &input.network, &input.organization);
    let motivation = p.opt_text("reason", &input.reason);
    let command = (|| {
        Some(NetworkCommand::Apply {
            organization: organization?,
            applied_on: input.effective_on.0,
            motivation: motivation?,
        })
    })();
    execute::<NetworkAggregate, _>(ctx, &access, &id, p, command).await
}
