//! The mutations of Organization: their inputs, payloads and resolvers.

use super::*;

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
with_field!(RegisterOrganizationPayload, organization: Organization);

/// Rename an organization (its history keeps the old name).
#[derive(InputObject)]
pub struct RenameOrganizationInput {
    /// The organization.
    pub organization: ID,
    /// The new name.
    pub name: String,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(RenameOrganizationPayload, organization: Organization);

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
with_field!(UpdateOrganizationDetailsPayload, organization: Organization);

/// An organization succeeds another and takes over its history.
#[derive(InputObject)]
pub struct SucceedOrganizationInput {
    /// The successor.
    pub organization: ID,
    /// The predecessor.
    pub predecessor: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(SucceedOrganizationPayload, organization: Organization);

/// Deactivate an organization.
#[derive(InputObject)]
pub struct DeactivateOrganizationInput {
    /// The organization.
    pub organization: ID,
    /// Why.
    pub reason: String,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(DeactivateOrganizationPayload, organization: Organization);

/// The mutations of Organization.
#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Register an organization.
    ///
    /// Who may call it: platform administrators and the coordinator of any network.
    async fn register_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RegisterOrganizationInput,
    ) -> ApiResult<RegisterOrganizationPayload> {
        let access = allow!(ctx, RegisterOrganizationPayload);
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
        run!(
            ctx,
            access,
            RegisterOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// Rename an organization.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn rename_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RenameOrganizationInput,
    ) -> ApiResult<RenameOrganizationPayload> {
        let access = allow!(ctx, RenameOrganizationPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let name = p.name("name", &input.name);
        let command = (|| {
            Some(OrganizationCommand::Rename {
                name: name?,
                effective_on: input.effective_on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RenameOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// Update an organization's details.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn update_organization_details(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: UpdateOrganizationDetailsInput,
    ) -> ApiResult<UpdateOrganizationDetailsPayload> {
        let access = allow!(ctx, UpdateOrganizationDetailsPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let tax_code = match &input.tax_code {
            Some(t) => p.value("taxCode", TaxCode::parse(t)).map(Some),
            None => Some(None),
        };
        let territory = match &input.territory {
            Some(t) => p.name("territory", t).map(Some),
            None => Some(None),
        };
        let command = (|| {
            Some(OrganizationCommand::UpdateDetails {
                category: input.category.map(Into::into),
                tax_code: tax_code?,
                territory: territory?,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            UpdateOrganizationDetailsPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// An organization succeeds another.
    ///
    /// Who may call it: platform administrators.
    async fn succeed_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SucceedOrganizationInput,
    ) -> ApiResult<SucceedOrganizationPayload> {
        let access = allow!(ctx, SucceedOrganizationPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let predecessor = p.org("predecessor", &input.predecessor);
        let command = predecessor.map(|predecessor| OrganizationCommand::Succeed {
            predecessor,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            SucceedOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }

    /// Deactivate an organization.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn deactivate_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DeactivateOrganizationInput,
    ) -> ApiResult<DeactivateOrganizationPayload> {
        let access = allow!(ctx, DeactivateOrganizationPayload);
        let mut p = Parse::default();
        let id = p.org("organization", &input.organization);
        let reason = p.text("reason", &input.reason);
        let command = reason.map(|reason| OrganizationCommand::Deactivate {
            reason,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DeactivateOrganizationPayload,
            OrganizationAggregate,
            id,
            p.done(command),
            |id| load_organization(ctx, &id).await?
        )
    }
}
