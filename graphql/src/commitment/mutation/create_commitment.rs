//! `createCommitment`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `createCommitment` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("createCommitment", Rule::Coordinator);

/// A commitment set directly by the coordinator.
#[derive(InputObject)]
pub struct CreateCommitmentInput {
    /// The network.
    pub network: ID,
    /// Who owes it.
    pub obligor: ID,
    /// What is owed.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Due date.
    pub due_on: Option<Date>,
    /// Created on.
    pub created_on: Date,
}

payload!(CreateCommitmentPayload, commitment: Commitment);

/// The resolver of `createCommitment`.
#[derive(Default)]
pub struct CreateCommitmentMutation;

#[Object]
impl CreateCommitmentMutation {
    /// The coordinator sets a commitment directly.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CreateCommitmentInput,
    ) -> ApiResult<CreateCommitmentPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: CreateCommitmentInput,
) -> Result<CreateCommitmentPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let by = acting_for(&access)?;
    let id = new_id(ctx, CommitmentId::derived, CommitmentId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let obligor = p.org("obligor", &input.obligor);
    let title = p.name("title", &input.title);
    let description = p.opt_text("description", &input.description);
    let command = (|| {
        Some(CommitmentCommand::Create {
            id,
            network: network?,
            source: CommitmentSource::Coordinator { by },
            obligor: obligor?,
            title: title?,
            description: description?,
            due_on: input.due_on.map(|d| d.0),
            created_on: input.created_on.0,
        })
    })();
    let id = id.to_string();
    execute::<CommitmentAggregate, _>(ctx, &access, &id, p, command).await
}
