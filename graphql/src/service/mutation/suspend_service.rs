//! `suspendService`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `suspendService` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("suspendService", Rule::CoordinatorOrReferent);

/// Close a service temporarily, with the reason and, if known, the expected reopening.
#[derive(InputObject)]
pub struct SuspendServiceInput {
    /// The service.
    pub service: ID,
    /// Why.
    pub reason: String,
    /// When it is expected to reopen, if known.
    pub expected_reopening: Option<Date>,
    /// Suspended from.
    pub effective_on: Date,
}

payload!(SuspendServicePayload, service: Service);

/// The resolver of `suspendService`.
#[derive(Default)]
pub struct SuspendServiceMutation;

#[Object]
impl SuspendServiceMutation {
    /// Close a service temporarily, with the reason and, if known, the expected reopening.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn suspend_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SuspendServiceInput,
    ) -> ApiResult<SuspendServicePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: SuspendServiceInput,
) -> Result<SuspendServicePayload, Refusal> {
    decide(ctx, &RULE, &input.service, |p, by| {
        p.text("reason", &input.reason)
            .map(|reason| ServiceCommand::Suspend {
                by,
                reason,
                expected_reopening: input.expected_reopening.map(|d| d.0),
                effective_on: input.effective_on.0,
            })
    })
    .await
}
