//! `changeCoordinator`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `changeCoordinator` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("changeCoordinator", Rule::Coordinator);

/// Change the coordinator (decided by the current coordinator).
#[derive(InputObject)]
pub struct ChangeCoordinatorInput {
    /// The network.
    pub network: ID,
    /// The new coordinator, an active member.
    pub new_coordinator: ID,
    /// Effective from.
    pub effective_on: Date,
}

payload!(ChangeCoordinatorPayload, network: Network);

/// The resolver of `changeCoordinator`.
#[derive(Default)]
pub struct ChangeCoordinatorMutation;

#[Object]
impl ChangeCoordinatorMutation {
    /// Change the coordinator.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn change_coordinator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ChangeCoordinatorInput,
    ) -> ApiResult<ChangeCoordinatorPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ChangeCoordinatorInput,
) -> Result<ChangeCoordinatorPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let new_coordinator = p.org("newCoordinator", &input.new_coordinator);
        new_coordinator.map(|new_coordinator| NetworkCommand::ChangeCoordinator {
            by,
            new_coordinator,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
