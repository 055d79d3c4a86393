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
    pub published_on: NaiveDate,
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
    let access = authorize(ctx, &RULE).await?;
    let mut p = Parse::default();
    let id = p.id("protocol", &input.protocol, NodeKind::Protocol);
    let hash = p.hash("documentHash", &input.document_hash);
    let command = hash.map(|document_hash| ProtocolCommand::PublishVersion {
        document_hash,
        published_on: input.published_on,
    });
    let id = id.map(|i| i.to_string()).unwrap_or_default();
    execute::<ProtocolAggregate, _>(ctx, &access, &id, p, command).await
}
