// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

use crate::graph::Organization;
use crate::ids::uuid_of;
use crate::organization::visible_organization;
use crate::organization::{OrganizationFilter, OrganizationOrder};
use crate::pagination::list;
use crate::prelude::*;

/// The root fields over organizations.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// Every organization.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<Date>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            OrganizationFilter,
        >,
        #[graphql(desc = "The order of the list (default: by name, ascending).")] order_by: Option<
            OrganizationOrder,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Organization>> {
        let at = lens(ctx, as_of, effective_on).await?;
        let mut all = read(ctx).organizations(at.known).await?;
        let v = viewer(ctx);
        if !v.reads_everything() {
            let mut seen = Vec::with_capacity(all.len());
            for o in all {
                if v.sees_organization(ctx, o.id).await? {
                    seen.push(o);
                }
            }
            all = seen;
        }
        let page = (after, before, first, last);
        list(
            all,
            filter,
            order_by,
            |view| Organization { view, at },
            page,
        )
        .await
    }

    /// One organization.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<Date>,
    ) -> ApiResult<Option<Organization>> {
        let at = lens(ctx, as_of, effective_on).await?;
        visible_organization(ctx, uuid_of(&id, NodeKind::Organization, "id")?, at).await
    }
}
