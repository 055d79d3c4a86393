//! `publishProtocolVersion`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `publishProtocolVersion` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("publishProtocolVersion", Rule::Coordinator);

/// Publish the drafted version: its text is frozen under the document's hash.
#[derive(InputObject)]
pub struct PublishProtocolVersionInput {
    /// The protocol.
    pub protocol: ID,
    /// The SHA-256 of the document.
    pub document_hash: String,
    /// Published on.
    pub published_on: Date,
}

payload!(PublishProtocolVersionPayload, protocol: Protocol);

/// The resolver of `publishProtocolVersion`.
#[derive(Default)]
pub struct PublishProtocolVersionMutation;

#[Object]
impl PublishProtocolVersionMutation {
    /// Publish the drafted version under its document's hash.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn publish_protocol_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: PublishProtocolVersionInput,
    ) -> ApiResult<PublishProtocolVersionPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: PublishProtocolVersionInput,
) -> Result<PublishProtocolVersionPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        let hash = p.hash("documentHash", &input.document_hash);
        hash.map(|document_hash| ProtocolCommand::PublishVersion {
            document_hash,
            published_on: input.published_on.0,
        })
    })
    .await
}
