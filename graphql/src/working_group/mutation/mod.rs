//! The mutations of WorkingGroup: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share.

use crate::graph::WorkingGroup;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::ids::*;
use aggregates::working_group::{WorkingGroup as WorkingGroupAggregate, WorkingGroupCommand};

mod add_working_group_member;
mod dissolve_working_group;
mod form_working_group;
mod remove_working_group_member;

pub use add_working_group_member::*;
pub use dissolve_working_group::*;
pub use form_working_group::*;
pub use remove_working_group_member::*;

/// Add or remove a member of a working group.
pub struct WorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: Date,
}

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    form_working_group::RULE,
    add_working_group_member::RULE,
    remove_working_group_member::RULE,
    dissolve_working_group::RULE,
];

/// The mutations of WorkingGroup.
#[derive(async_graphql::MergedObject, Default)]
pub struct WorkingGroupMutation(
    FormWorkingGroupMutation,
    AddWorkingGroupMemberMutation,
    RemoveWorkingGroupMemberMutation,
    DissolveWorkingGroupMutation,
);

impl Reloaded for WorkingGroup {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .working_group(WorkingGroupId(uuid), AsOf::Now)
            .await?
            .map(|view| WorkingGroup {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for WorkingGroup {
    type Aggregate = WorkingGroupAggregate;
    const FIELD: &'static str = "workingGroup";
    const KIND: NodeKind = NodeKind::WorkingGroup;
}
