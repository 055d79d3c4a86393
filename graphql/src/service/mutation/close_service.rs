//! `closeService`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `closeService` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("closeService", Rule::CoordinatorOrReferent);

/// Close a service for good.
#[derive(InputObject)]
pub struct CloseServiceInput {
    /// The service.
    pub service: ID,
    /// Why.
    pub reason: String,
    /// Closed from.
    pub effective_on: Date,
}

payload!(CloseServicePayload, service: Service);

/// The resolver of `closeService`.
#[derive(Default)]
pub struct CloseServiceMutation;

#[Object]
impl CloseServiceMutation {
    /// Close a service for good.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn close_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CloseServiceInput,
    ) -> ApiResult<CloseServicePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(ctx: &Context<'_>, input: CloseServiceInput) -> Result<CloseServicePayload, Refusal> {
    decide(ctx, &RULE, &input.service, |p, by| {
        p.text("reason", &input.reason)
            .map(|reason| ServiceCommand::Close {
                by,
                reason,
                effective_on: input.effective_on.0,
            })
    })
    .await
}
