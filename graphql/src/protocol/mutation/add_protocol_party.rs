//! `addProtocolParty`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `addProtocolParty` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("addProtocolParty", Rule::Coordinator);

payload!(AddProtocolPartyPayload, protocol: Protocol);

/// The input of `addProtocolParty`.
#[derive(InputObject)]
pub struct AddProtocolPartyInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: Date,
}

/// The resolver of `addProtocolParty`.
#[derive(Default)]
pub struct AddProtocolPartyMutation;

#[Object]
impl AddProtocolPartyMutation {
    /// Add a party later ("in itinere").
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn add_protocol_party(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AddProtocolPartyInput,
    ) -> ApiResult<AddProtocolPartyPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: AddProtocolPartyInput,
) -> Result<AddProtocolPartyPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        p.org("organization", &input.organization)
            .map(|organization| ProtocolCommand::AddParty {
                organization,
                added_on: input.on.0,
            })
    })
    .await
}
