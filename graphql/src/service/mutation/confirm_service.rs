//! `confirmService`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `confirmService` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("confirmService", Rule::CoordinatorOrReferent);

/// Record that a service's details were checked and are still right.
#[derive(InputObject)]
pub struct ConfirmServiceInput {
    /// The service.
    pub service: ID,
    /// Checked on (default: today).
    pub confirmed_on: Option<Date>,
}

payload!(ConfirmServicePayload, service: Service);

/// The resolver of `confirmService`.
#[derive(Default)]
pub struct ConfirmServiceMutation;

#[Object]
impl ConfirmServiceMutation {
    /// Record that a service's details were checked and are still right.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn confirm_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ConfirmServiceInput,
    ) -> ApiResult<ConfirmServicePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: ConfirmServiceInput,
) -> Result<ConfirmServicePayload, Refusal> {
    let confirmed_on = input
        .confirmed_on
        .map_or_else(|| chrono::Utc::now().date_naive(), |d| d.0);
    decide(ctx, &RULE, &input.service, |_, by| {
        Some(ServiceCommand::Confirm { by, confirmed_on })
    })
    .await
}
