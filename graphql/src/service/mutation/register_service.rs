//! `registerService`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `registerService` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule =
    MutationRule::new("registerService", Rule::CoordinatorOrReferent);

/// Register a service a member organization runs for the network.
#[derive(InputObject)]
pub struct RegisterServiceInput {
    /// The network that offers it.
    pub network: ID,
    /// The member organization that runs it.
    pub organization: ID,
    /// What it is and how to reach it.
    pub details: ServiceDetailsInput,
    /// Open from.
    pub registered_on: Date,
}

payload!(RegisterServicePayload, service: Service);

/// The resolver of `registerService`.
#[derive(Default)]
pub struct RegisterServiceMutation;

#[Object]
impl RegisterServiceMutation {
    /// Register a service a member organization runs for the network.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn register_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RegisterServiceInput,
    ) -> ApiResult<RegisterServicePayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: RegisterServiceInput,
) -> Result<RegisterServicePayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let by = acting_for(&access)?;
    let id = new_id(ctx, ServiceId::derived, ServiceId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let organization = p.org("organization", &input.organization);
    let on = input.registered_on.0;
    let details = details(ctx, &mut p, &input.details, on).await?;
    let command = (|| {
        Some(ServiceCommand::Register {
            id,
            network: network?,
            organization: organization?,
            by,
            details: details?,
            registered_on: on,
        })
    })();
    let id = id.to_string();
    execute::<ServiceAggregate, _>(ctx, &access, &id, p, command).await
}
