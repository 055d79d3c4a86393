//! `addWorkingGroupMember`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `addWorkingGroupMember` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("addWorkingGroupMember", Rule::Coordinator);

payload!(AddWorkingGroupMemberPayload, working_group: WorkingGroup);

/// The input of `addWorkingGroupMember`.
#[derive(InputObject)]
pub struct AddWorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: Date,
}

impl From<AddWorkingGroupMemberInput> for WorkingGroupMemberInput {
    fn from(input: AddWorkingGroupMemberInput) -> Self {
        Self {
            working_group: input.working_group,
            organization: input.organization,
            effective_on: input.effective_on,
        }
    }
}

/// The resolver of `addWorkingGroupMember`.
#[derive(Default)]
pub struct AddWorkingGroupMemberMutation;

#[Object]
impl AddWorkingGroupMemberMutation {
    /// Add a member to a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn add_working_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AddWorkingGroupMemberInput,
    ) -> ApiResult<AddWorkingGroupMemberPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: AddWorkingGroupMemberInput,
) -> Result<AddWorkingGroupMemberPayload, Refusal> {
    let input: WorkingGroupMemberInput = input.into();
    decide(ctx, &RULE, &input.working_group, |p, by| {
        p.org("organization", &input.organization)
            .map(|organization| WorkingGroupCommand::AddMember {
                by,
                organization,
                effective_on: input.effective_on.0,
            })
    })
    .await
}
