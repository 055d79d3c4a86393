//! `expireProtocol`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `expireProtocol` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("expireProtocol", Rule::Coordinator);

payload!(ExpireProtocolPayload, protocol: Protocol);

/// The input of `expireProtocol`.
#[derive(InputObject)]
pub struct ExpireProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: Date,
}

/// The resolver of `expireProtocol`.
#[derive(Default)]
pub struct ExpireProtocolMutation;

#[Object]
impl ExpireProtocolMutation {
    /// The protocol's validity ended.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn expire_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ExpireProtocolInput,
    ) -> ApiResult<ExpireProtocolPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ExpireProtocolInput,
) -> Result<ExpireProtocolPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |_| {
        Some(ProtocolCommand::Expire { on: input.on.0 })
    })
    .await
}
