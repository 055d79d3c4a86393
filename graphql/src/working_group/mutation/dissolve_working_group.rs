//! `dissolveWorkingGroup`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `dissolveWorkingGroup` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("dissolveWorkingGroup", Rule::Coordinator);

/// Dissolve a working group.
#[derive(InputObject)]
pub struct DissolveWorkingGroupInput {
    /// The working group.
    pub working_group: ID,
    /// Why.
    pub reason: String,
    /// Dissolved on.
    pub dissolved_on: Date,
}

payload!(DissolveWorkingGroupPayload, working_group: WorkingGroup);

/// The resolver of `dissolveWorkingGroup`.
#[derive(Default)]
pub struct DissolveWorkingGroupMutation;

#[Object]
impl DissolveWorkingGroupMutation {
    /// Dissolve a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn dissolve_working_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DissolveWorkingGroupInput,
    ) -> ApiResult<DissolveWorkingGroupPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: DissolveWorkingGroupInput,
) -> Result<DissolveWorkingGroupPayload, Refusal> {
    decide(ctx, &RULE, &input.working_group, |p, by| {
        p.text("reason", &input.reason)
            .map(|reason| WorkingGroupCommand::Dissolve {
                by,
                reason,
                dissolved_on: input.dissolved_on.0,
            })
    })
    .await
}
