//! `succeedOrganization`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `succeedOrganization` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("succeedOrganization", Rule::Admin);

/// An organization succeeds another and takes over its history.
#[derive(InputObject)]
pub struct SucceedOrganizationInput {
    /// The successor.
    pub organization: ID,
    /// The predecessor.
    pub predecessor: ID,
    /// Effective from.
    pub effective_on: Date,
}

payload!(SucceedOrganizationPayload, organization: Organization);

/// The resolver of `succeedOrganization`.
#[derive(Default)]
pub struct SucceedOrganizationMutation;

#[Object]
impl SucceedOrganizationMutation {
    /// An organization succeeds another.
    ///
    /// Who may call it: platform administrators.
    async fn succeed_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SucceedOrganizationInput,
    ) -> ApiResult<SucceedOrganizationPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: SucceedOrganizationInput,
) -> Result<SucceedOrganizationPayload, Refusal> {
    change(ctx, &RULE, &input.organization, |p| {
        let predecessor = p.org("predecessor", &input.predecessor);
        predecessor.map(|predecessor| OrganizationCommand::Succeed {
            predecessor,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
