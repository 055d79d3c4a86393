//! `amendProtocol`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `amendProtocol` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("amendProtocol", Rule::Coordinator);

payload!(AmendProtocolPayload, protocol: Protocol);

/// The input of `amendProtocol`.
#[derive(InputObject)]
pub struct AmendProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The new text.
    pub content: ProtocolContentInput,
}

/// The resolver of `amendProtocol`.
#[derive(Default)]
pub struct AmendProtocolMutation;

#[Object]
impl AmendProtocolMutation {
    /// Replace the text of the version being drafted.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn amend_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AmendProtocolInput,
    ) -> ApiResult<AmendProtocolPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: AmendProtocolInput,
) -> Result<AmendProtocolPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        p.content(&input.content)
            .map(|content| ProtocolCommand::Amend { content })
    })
    .await
}
