//! `closeNetwork`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `closeNetwork` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("closeNetwork", Rule::Coordinator);

/// Close a network.
#[derive(InputObject)]
pub struct CloseNetworkInput {
    /// The network.
    pub network: ID,
    /// Why.
    pub reason: String,
    /// Effective from.
    pub effective_on: Date,
}

payload!(CloseNetworkPayload, network: Network);

/// The resolver of `closeNetwork`.
#[derive(Default)]
pub struct CloseNetworkMutation;

#[Object]
impl CloseNetworkMutation {
    /// Close a network.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn close_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CloseNetworkInput,
    ) -> ApiResult<CloseNetworkPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(ctx: &Context<'_>, input: CloseNetworkInput) -> Result<CloseNetworkPayload, Refusal> {
    decide(ctx, &RULE, &input.network, |p, by| {
        let reason = p.text("reason", &input.reason);
        reason.map(|reason| NetworkCommand::Close {
            by,
            reason,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
