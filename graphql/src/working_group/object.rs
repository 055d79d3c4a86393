//! The GraphQL objects of WorkingGroup.

use crate::organization::{organizations, Organization};
use crate::prelude::*;

/// A working group.
pub struct WorkingGroup {
    pub view: views::WorkingGroupView,
    pub at: Lens,
}

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
    async fn dissolved_on(&self) -> Option<NaiveDate> {
        self.view.dissolved_on
    }
}
