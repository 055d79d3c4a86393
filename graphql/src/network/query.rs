// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

use crate::graph::Network;
use crate::ids::uuid_of;
use crate::network::visible_network;
use crate::network::{NetworkFilter, NetworkOrder};
use crate::pagination::list;
use crate::prelude::*;

/// The root fields over networks.
#[derive(Default)]
pub struct NetworkQuery;

#[Object]
impl NetworkQuery {
    /// Every network.
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn networks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<Date>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            NetworkFilter,
        >,
        #[graphql(desc = "The order of the list (default: by name, ascending).")] order_by: Option<
            NetworkOrder,
        >,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Network>> {
        let at = lens(ctx, as_of, effective_on).await?;
        let mut all = read(ctx).networks(at.known).await?;
        let v = viewer(ctx);
        let mut seen = Vec::with_capacity(all.len());
        for n in all {
            if v.level(ctx, &n).await? != Level::None {
                seen.push(n);
            }
        }
        all = seen;
        let page = (after, before, first, last);
        list(all, filter, order_by, |view| Network { view, at }, page).await
    }

    /// One network.
    async fn network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<Date>,
    ) -> ApiResult<Option<Network>> {
        let at = lens(ctx, as_of, effective_on).await?;
        visible_network(ctx, uuid_of(&id, NodeKind::Network, "id")?, at).await
    }
}
