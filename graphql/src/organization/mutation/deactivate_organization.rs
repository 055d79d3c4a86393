//! `deactivateOrganization`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `deactivateOrganization` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("deactivateOrganization", Rule::Referent);

/// Deactivate an organization.
#[derive(InputObject)]
pub struct DeactivateOrganizationInput {
    /// The organization.
    pub organization: ID,
    /// Why.
    pub reason: String,
    /// Effective from.
    pub effective_on: Date,
}

payload!(DeactivateOrganizationPayload, organization: Organization);

/// The resolver of `deactivateOrganization`.
#[derive(Default)]
pub struct DeactivateOrganizationMutation;

#[Object]
impl DeactivateOrganizationMutation {
    /// Deactivate an organization.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn deactivate_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DeactivateOrganizationInput,
    ) -> ApiResult<DeactivateOrganizationPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: DeactivateOrganizationInput,
) -> Result<DeactivateOrganizationPayload, Refusal> {
    change(ctx, &RULE, &input.organization, |p| {
        let reason = p.text("reason", &input.reason);
        reason.map(|reason| OrganizationCommand::Deactivate {
            reason,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
