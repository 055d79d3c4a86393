//! `openProtocolForSignature`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `openProtocolForSignature` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("openProtocolForSignature", Rule::Coordinator);

payload!(OpenProtocolForSignaturePayload, protocol: Protocol);

/// The input of `openProtocolForSignature`.
#[derive(InputObject)]
pub struct OpenProtocolForSignatureInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: Date,
}

/// The resolver of `openProtocolForSignature`.
#[derive(Default)]
pub struct OpenProtocolForSignatureMutation;

#[Object]
impl OpenProtocolForSignatureMutation {
    /// Open the published version for signature.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn open_protocol_for_signature(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: OpenProtocolForSignatureInput,
    ) -> ApiResult<OpenProtocolForSignaturePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: OpenProtocolForSignatureInput,
) -> Result<OpenProtocolForSignaturePayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |_| {
        Some(ProtocolCommand::OpenForSignature {
            opened_on: input.on.0,
        })
    })
    .await
}
