//! `reopenService`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `reopenService` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("reopenService", Rule::CoordinatorOrReferent);

/// Reopen a suspended service.
#[derive(InputObject)]
pub struct ReopenServiceInput {
    /// The service.
    pub service: ID,
    /// Reopened on.
    pub effective_on: Date,
}

payload!(ReopenServicePayload, service: Service);

/// The resolver of `reopenService`.
#[derive(Default)]
pub struct ReopenServiceMutation;

#[Object]
impl ReopenServiceMutation {
    /// Reopen a suspended service.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn reopen_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReopenServiceInput,
    ) -> ApiResult<ReopenServicePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ReopenServiceInput,
) -> Result<ReopenServicePayload, Refusal> {
    decide(ctx, &RULE, &input.service, |_, by| {
        Some(ServiceCommand::Reopen {
            by,
            effective_on: input.effective_on.0,
        })
    })
    .await
}
