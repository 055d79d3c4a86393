//! `declineProtocol`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `declineProtocol` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("declineProtocol", Rule::Referent);

payload!(DeclineProtocolPayload, protocol: Protocol);

/// The input of `declineProtocol`.
#[derive(InputObject)]
pub struct DeclineProtocolInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: Date,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

/// The resolver of `declineProtocol`.
#[derive(Default)]
pub struct DeclineProtocolMutation;

#[Object]
impl DeclineProtocolMutation {
    /// A party declines to sign.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn decline_protocol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DeclineProtocolInput,
    ) -> ApiResult<DeclineProtocolPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: DeclineProtocolInput,
) -> Result<DeclineProtocolPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        let organization = p.org("organization", &input.organization);
        let reason = p.opt_text("reason", &input.reason);
        Some(ProtocolCommand::Decline {
            organization: organization?,
            reason: reason?,
            declined_on: input.on.0,
        })
    })
    .await
}
