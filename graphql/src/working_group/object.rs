//! The GraphQL objects of WorkingGroup.

use crate::graph::Organization;
use crate::graph::WorkingGroup;
use crate::organization::organizations;
use crate::prelude::*;

/// A working group.
#[Object]
impl WorkingGroup {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::WorkingGroup, self.view.id)
    }
    /// Its name.
    async fn name(&self) -> &str {
        self.view.name.as_str()
    }
    /// Its mandate.
    async fn mandate(&self) -> &str {
        self.view.mandate.as_str()
    }
    /// The members.
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        organizations(ctx, self.view.members.clone(), self.at).await
    }
    /// When it was dissolved.
    async fn dissolved_on(&self) -> Option<Date> {
        self.view.dissolved_on.map(Date)
    }
    /// Its activities, oldest first.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these kinds (default: all).")] kinds: Option<Vec<ActivityKind>>,
        #[graphql(desc = "Only those that took place (in part) on or after this date.")]
        from: Option<Date>,
        #[graphql(desc = "Only those that took place (in part) on or before this date.")]
        until: Option<Date>,
        #[graphql(desc = "Include cancelled activities.", default = false)] include_cancelled: bool,
    ) -> ApiResult<Vec<crate::graph::Activity>> {
        crate::activity_list::activities_of(
            ctx,
            self.view.network,
            crate::activity_list::ActivityFilter {
                working_group: Some(self.view.id),
                kinds,
                from,
                until,
                include_cancelled,
            },
            self.at,
        )
        .await
    }
}

/// The working group with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_working_group(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<WorkingGroup>> {
    Ok(
        match read(ctx)
            .working_group(aggregates::ids::WorkingGroupId(uuid), at.known)
            .await?
        {
            Some(view) if viewer(ctx).full(ctx, view.network).await? => {
                Some(WorkingGroup { view, at })
            }
            _ => None,
        },
    )
}
