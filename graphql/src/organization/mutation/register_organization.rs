//! `registerOrganization`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `registerOrganization` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("registerOrganization", Rule::AnyCoordinator);

/// Register an organization.
#[derive(InputObject)]
pub struct RegisterOrganizationInput {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub category: OrganizationCategory,
    /// The Italian tax code (11 digits, or 16 characters), check character verified.
    pub tax_code: Option<String>,
    /// The territory it serves.
    pub territory: String,
}

payload!(RegisterOrganizationPayload, organization: Organization);

/// The resolver of `registerOrganization`.
#[derive(Default)]
pub struct RegisterOrganizationMutation;

#[Object]
impl RegisterOrganizationMutation {
    /// Register an organization.
    ///
    /// Who may call it: platform administrators and the coordinator of any network.
    async fn register_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RegisterOrganizationInput,
    ) -> ApiResult<RegisterOrganizationPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RegisterOrganizationInput,
) -> Result<RegisterOrganizationPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let id = new_id(ctx, OrganizationId::derived, OrganizationId::new_random);
    let mut p = Parse::default();
    let name = p.name("name", &input.name);
    let territory = p.name("territory", &input.territory);
    let tax_code = match &input.tax_code {
        Some(t) => p.value("taxCode", TaxCode::parse(t)).map(Some),
        None => Some(None),
    };
    let command = (|| {
        Some(OrganizationCommand::Register {
            id,
            name: name?,
            category: input.category.into(),
            tax_code: tax_code?,
            territory: territory?,
        })
    })();
    let id = id.to_string();
    execute::<OrganizationAggregate, _>(ctx, &access, &id, p, command).await
}
