//! The mutations of Organization: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share.

use crate::enums::OrganizationCategory;
use crate::graph::Organization;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::ids::*;
use aggregates::organization::{Organization as OrganizationAggregate, OrganizationCommand};
use aggregates::values::TaxCode;

mod deactivate_organization;
mod register_organization;
mod rename_organization;
mod succeed_organization;
mod update_organization_details;

pub use deactivate_organization::*;
pub use register_organization::*;
pub use rename_organization::*;
pub use succeed_organization::*;
pub use update_organization_details::*;

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    register_organization::RULE,
    rename_organization::RULE,
    update_organization_details::RULE,
    succeed_organization::RULE,
    deactivate_organization::RULE,
];

/// The mutations of Organization.
#[derive(async_graphql::MergedObject, Default)]
pub struct OrganizationMutation(
    RegisterOrganizationMutation,
    RenameOrganizationMutation,
    UpdateOrganizationDetailsMutation,
    SucceedOrganizationMutation,
    DeactivateOrganizationMutation,
);

impl Reloaded for Organization {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .organization(OrganizationId(uuid), AsOf::Now)
            .await?
            .map(|view| Organization {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for Organization {
    type Aggregate = OrganizationAggregate;
    const FIELD: &'static str = "organization";
    const KIND: NodeKind = NodeKind::Organization;
}
