//! `updateService`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `updateService` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("updateService", Rule::CoordinatorOrReferent);

/// Replace what a service is and how to reach it, from a date.
#[derive(InputObject)]
pub struct UpdateServiceInput {
    /// The service.
    pub service: ID,
    /// The new details (all of them).
    pub details: ServiceDetailsInput,
    /// Effective from.
    pub effective_on: Date,
}

payload!(UpdateServicePayload, service: Service);

/// The resolver of `updateService`.
#[derive(Default)]
pub struct UpdateServiceMutation;

#[Object]
impl UpdateServiceMutation {
    /// Replace what a service is and how to reach it, from a date.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn update_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: UpdateServiceInput,
    ) -> ApiResult<UpdateServicePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: UpdateServiceInput,
) -> Result<UpdateServicePayload, Refusal> {
    let on = input.effective_on.0;
    let mut p = Parse::default();
    let details = details(ctx, &mut p, &input.details, on).await?;
    decide(ctx, &RULE, &input.service, move |parse, by| {
        // The details' parse errors join the mutation's own.
        *parse = std::mem::take(&mut p).merge(std::mem::take(parse));
        Some(ServiceCommand::Update {
            by,
            details: details?,
            effective_on: on,
        })
    })
    .await
}
