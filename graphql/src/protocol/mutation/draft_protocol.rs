//! `draftProtocol`: its input, payload, access rule and resolver.

use super::*;
use crate::enums::ProtocolKind;

/// Who may call `draftProtocol` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("draftProtocol", Rule::Coordinator);

/// Draft a protocol.
#[derive(InputObject)]
pub struct DraftProtocolInput {
    /// The network it governs.
    pub network: ID,
    /// Its kind.
    pub kind: ProtocolKind,
    /// Its text.
    pub content: ProtocolContentInput,
    /// The organizations whose signatures are required.
    pub parties: Vec<ID>,
}

payload!(DraftProtocolPayload, protocol: Protocol);

/// The resolver of `draftProtocol`.
#[derive(Default)]
pub struct DraftProtocolMutation;

#[Object]
impl DraftProtocolMutation {
    /// Draft a protocol.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn draft_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DraftProtocolInput,
    ) -> ApiResult<DraftProtocolPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: DraftProtocolInput,
) -> Result<DraftProtocolPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let id = new_id(ctx, ProtocolId::derived, ProtocolId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let content = p.content(&input.content);
    let parties: Vec<Option<OrganizationId>> =
        input.parties.iter().map(|o| p.org("parties", o)).collect();
    let parties: Option<Vec<OrganizationId>> = parties.into_iter().collect();
    let command = (|| {
        Some(ProtocolCommand::Draft {
            id,
            network: network?,
            kind: input.kind.into(),
            content: content?,
            parties: parties?,
        })
    })();
    let id = id.to_string();
    execute::<ProtocolAggregate, _>(ctx, &access, &id, p, command).await
}
