//! `establishNetwork`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `establishNetwork` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("establishNetwork", Rule::Admin);

/// Establish a network.
#[derive(InputObject)]
pub struct EstablishNetworkInput {
    /// Its name.
    pub name: String,
    /// The kind of body.
    pub kind: NetworkKind,
    /// The territory it covers.
    pub territory: String,
    /// The lead organization (capofila).
    pub coordinator: ID,
    /// Established on.
    pub established_on: Date,
    /// Whether it publishes its members and public meetings.
    pub public: bool,
}

payload!(EstablishNetworkPayload, network: Network);

/// The resolver of `establishNetwork`.
#[derive(Default)]
pub struct EstablishNetworkMutation;

#[Object]
impl EstablishNetworkMutation {
    /// Establish a network.
    ///
    /// Who may call it: platform administrators.
    async fn establish_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: EstablishNetworkInput,
    ) -> ApiResult<EstablishNetworkPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: EstablishNetworkInput,
) -> Result<EstablishNetworkPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let id = new_id(ctx, NetworkId::derived, NetworkId::new_random);
    let mut p = Parse::default();
    let name = p.name("name", &input.name);
    let territory = p.name("territory", &input.territory);
    let coordinator = p.org("coordinator", &input.coordinator);
    let command = (|| {
        Some(NetworkCommand::Establish {
            id,
            name: name?,
            kind: input.kind.into(),
            territory: territory?,
            coordinator: coordinator?,
            established_on: input.established_on.0,
            public: input.public,
        })
    })();
    let id = id.to_string();
    execute::<NetworkAggregate, _>(ctx, &access, &id, p, command).await
}
