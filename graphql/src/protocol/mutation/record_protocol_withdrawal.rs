//! `recordProtocolWithdrawal`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `recordProtocolWithdrawal` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("recordProtocolWithdrawal", Rule::Referent);

payload!(RecordProtocolWithdrawalPayload, protocol: Protocol);

/// The input of `recordProtocolWithdrawal`.
#[derive(InputObject)]
pub struct RecordProtocolWithdrawalInput {
    /// The protocol.
    pub protocol: ID,
    /// The party.
    pub organization: ID,
    /// The business date.
    pub on: Date,
    /// A reason, where one applies.
    pub reason: Option<String>,
}

/// The resolver of `recordProtocolWithdrawal`.
#[derive(Default)]
pub struct RecordProtocolWithdrawalMutation;

#[Object]
impl RecordProtocolWithdrawalMutation {
    /// Record a party's withdrawal.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn record_protocol_withdrawal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RecordProtocolWithdrawalInput,
    ) -> ApiResult<RecordProtocolWithdrawalPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RecordProtocolWithdrawalInput,
) -> Result<RecordProtocolWithdrawalPayload, Refusal> {
    change(ctx, &RULE, &input.protocol, |p| {
        let organization = p.org("organization", &input.organization);
        let reason = p.opt_text("reason", &input.reason);
        Some(ProtocolCommand::RecordWithdrawal {
            organization: organization?,
            reason: reason?,
            effective_on: input.on.0,
        })
    })
    .await
}
