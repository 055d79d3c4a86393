//! `renewProtocol`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `renewProtocol` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("renewProtocol", Rule::Coordinator);

/// Renew a protocol in force.
#[derive(InputObject)]
pub struct RenewProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new end of validity.
    pub valid_until: Date,
    /// Decided on.
    pub decided_on: Date,
}

payload!(RenewProtocolPayload, protocol: Protocol);

/// The resolver of `renewProtocol`.
#[derive(Default)]
pub struct RenewProtocolMutation;

#[Object]
impl RenewProtocolMutation {
    /// Renew a protocol in force.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn renew_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RenewProtocolInput,
    ) -> ApiResult<RenewProtocolPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RenewProtocolInput,
) -> Result<RenewProtocolPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |_| {
        Some(ProtocolCommand::Renew {
            valid_until: input.valid_until.0,
            decided_on: input.decided_on.0,
        })
    })
    .await
}
