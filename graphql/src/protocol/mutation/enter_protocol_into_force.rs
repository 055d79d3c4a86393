//! `enterProtocolIntoForce`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `enterProtocolIntoForce` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("enterProtocolIntoForce", Rule::Coordinator);

payload!(EnterProtocolIntoForcePayload, protocol: Protocol);

/// The input of `enterProtocolIntoForce`.
#[derive(InputObject)]
pub struct EnterProtocolIntoForceInput {
    /// The protocol.
    pub protocol: ID,
    /// The business date.
    pub on: Date,
    /// For entry into force without every required signature: the act that decides it.
    pub explicit_act: Option<String>,
}

/// The resolver of `enterProtocolIntoForce`.
#[derive(Default)]
pub struct EnterProtocolIntoForceMutation;

#[Object]
impl EnterProtocolIntoForceMutation {
    /// The protocol enters into force.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn enter_protocol_into_force(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: EnterProtocolIntoForceInput,
    ) -> ApiResult<EnterProtocolIntoForcePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: EnterProtocolIntoForceInput,
) -> Result<EnterProtocolIntoForcePayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        let act = p.opt_text("explicitAct", &input.explicit_act);
        act.map(|explicit_act| ProtocolCommand::EnterIntoForce {
            effective_on: input.on.0,
            explicit_act,
        })
    })
    .await
}
