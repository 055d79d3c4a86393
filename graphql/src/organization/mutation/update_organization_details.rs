//! `updateOrganizationDetails`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `updateOrganizationDetails` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("updateOrganizationDetails", Rule::Referent);

/// Update an organization's details; absent fields are left as they are.
#[derive(InputObject)]
pub struct UpdateOrganizationDetailsInput {
    /// The organization.
    pub organization: ID,
    /// A new category.
    pub category: Option<OrganizationCategory>,
    /// A new tax code.
    pub tax_code: Option<String>,
    /// A new territory.
    pub territory: Option<String>,
}

payload!(UpdateOrganizationDetailsPayload, organization: Organization);

/// The resolver of `updateOrganizationDetails`.
#[derive(Default)]
pub struct UpdateOrganizationDetailsMutation;

#[Object]
impl UpdateOrganizationDetailsMutation {
    /// Update an organization's details.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn update_organization_details(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: UpdateOrganizationDetailsInput,
    ) -> ApiResult<UpdateOrganizationDetailsPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: UpdateOrganizationDetailsInput,
) -> Result<UpdateOrganizationDetailsPayload, Refusal> {
    change(ctx, &RULE, &input.organization, |p| {
        let tax_code = match &input.tax_code {
            Some(t) => p.value("taxCode", TaxCode::parse(t)).map(Some),
            None => Some(None),
        };
        let territory = match &input.territory {
            Some(t) => p.name("territory", t).map(Some),
            None => Some(None),
        };
        Some(OrganizationCommand::UpdateDetails {
            category: input.category.map(Into::into),
            tax_code: tax_code?,
            territory: territory?,
        })
    })
    .await
}
