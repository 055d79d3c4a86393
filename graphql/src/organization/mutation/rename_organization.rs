//! `renameOrganization`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `renameOrganization` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("renameOrganization", Rule::Referent);

/// Rename an organization (its history keeps the old name).
#[derive(InputObject)]
pub struct RenameOrganizationInput {
    /// The organization.
    pub organization: ID,
    /// The new name.
    pub name: String,
    /// Effective from.
    pub effective_on: Date,
}

payload!(RenameOrganizationPayload, organization: Organization);

/// The resolver of `renameOrganization`.
#[derive(Default)]
pub struct RenameOrganizationMutation;

#[Object]
impl RenameOrganizationMutation {
    /// Rename an organization.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn rename_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RenameOrganizationInput,
    ) -> ApiResult<RenameOrganizationPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RenameOrganizationInput,
) -> Result<RenameOrganizationPayload, Refusal> {
    change(ctx, &RULE, &input.organization, |p| {
        let name = p.name("name", &input.name);
        Some(OrganizationCommand::Rename {
            name: name?,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
