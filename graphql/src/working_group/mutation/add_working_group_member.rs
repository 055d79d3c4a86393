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
    pub effective_on: NaiveDate,
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
    let access = authorize(ctx, &RULE).await?;
    let input: WorkingGroupMemberInput = input.into();
    let by = acting_for(&access)?;
    let mut p = Parse::default();
    let id = p.id("workingGroup", &input.working_group, NodeKind::WorkingGroup);
    let command = p
        .org("organization", &input.organization)
        .map(|organization| WorkingGroupCommand::AddMember {
            by,
            organization,
            effective_on: input.effective_on,
        });
    let id = id.map(|i| i.to_string()).unwrap_or_default();
    execute::<WorkingGroupAggregate, _>(ctx, &access, &id, p, command).await
}
