//! `supersedeProtocol`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `supersedeProtocol` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("supersedeProtocol", Rule::Coordinator);

/// Supersede a protocol by another.
#[derive(InputObject)]
pub struct SupersedeProtocolInput {
    /// The protocol superseded.
    pub protocol: ID,
    /// The protocol that replaces it.
    pub by_protocol: ID,
    /// On.
    pub on: Date,
}

payload!(SupersedeProtocolPayload, protocol: Protocol);

/// The resolver of `supersedeProtocol`.
#[derive(Default)]
pub struct SupersedeProtocolMutation;

#[Object]
impl SupersedeProtocolMutation {
    /// Another protocol replaces this one.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn supersede_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SupersedeProtocolInput,
    ) -> ApiResult<SupersedeProtocolPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: SupersedeProtocolInput,
) -> Result<SupersedeProtocolPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        let by = p
            .id("byProtocol", &input.by_protocol, NodeKind::Protocol)
            .map(ProtocolId);
        by.map(|by_protocol| ProtocolCommand::Supersede {
            by_protocol,
            on: input.on.0,
        })
    })
    .await
}
