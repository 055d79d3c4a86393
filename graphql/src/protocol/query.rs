// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

use crate::graph::Protocol;
use crate::ids::uuid_of;
use crate::prelude::*;
use crate::protocol::visible_protocol;

/// The root fields over protocols.
#[derive(Default)]
pub struct ProtocolQuery;

#[Object]
impl ProtocolQuery {
    /// One protocol.
    async fn protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id.")] id: ID,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Read the state on this business date, for everything below (default: none)."
        )]
        effective_on: Option<Date>,
    ) -> ApiResult<Option<Protocol>> {
        let at = lens(ctx, as_of, effective_on).await?;
        visible_protocol(ctx, uuid_of(&id, NodeKind::Protocol, "id")?, at).await
    }
}
