//! `removeWorkingGroupMember`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `removeWorkingGroupMember` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("removeWorkingGroupMember", Rule::Coordinator);

payload!(RemoveWorkingGroupMemberPayload, working_group: WorkingGroup);

/// The input of `removeWorkingGroupMember`.
#[derive(InputObject)]
pub struct RemoveWorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: Date,
}

impl From<RemoveWorkingGroupMemberInput> for WorkingGroupMemberInput {
    fn from(input: RemoveWorkingGroupMemberInput) -> Self {
        Self {
            working_group: input.working_group,
            organization: input.organization,
            effective_on: input.effective_on,
        }
    }
}

/// The resolver of `removeWorkingGroupMember`.
#[derive(Default)]
pub struct RemoveWorkingGroupMemberMutation;

#[Object]
impl RemoveWorkingGroupMemberMutation {
    /// Remove a member from a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn remove_working_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RemoveWorkingGroupMemberInput,
    ) -> ApiResult<RemoveWorkingGroupMemberPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RemoveWorkingGroupMemberInput,
) -> Result<RemoveWorkingGroupMemberPayload, Refusal> {
    let input: WorkingGroupMemberInput = input.into();
    decide(ctx, &RULE, &input.working_group, |p, by| {
        p.org("organization", &input.organization)
            .map(|organization| WorkingGroupCommand::RemoveMember {
                by,
                organization,
                effective_on: input.effective_on.0,
            })
    })
    .await
}
