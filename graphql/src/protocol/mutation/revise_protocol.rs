//! `reviseProtocol`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `reviseProtocol` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("reviseProtocol", Rule::Coordinator);

payload!(ReviseProtocolPayload, protocol: Protocol);

/// The input of `reviseProtocol`.
#[derive(InputObject)]
pub struct ReviseProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}

/// The resolver of `reviseProtocol`.
#[derive(Default)]
pub struct ReviseProtocolMutation;

#[Object]
impl ReviseProtocolMutation {
    /// Start a new version, which needs new signatures.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn revise_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReviseProtocolInput,
    ) -> ApiResult<ReviseProtocolPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ReviseProtocolInput,
) -> Result<ReviseProtocolPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        p.content(&input.content)
            .map(|content| ProtocolCommand::Revise { content })
    })
    .await
}
