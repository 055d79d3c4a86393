//! `formWorkingGroup`: its input, payload, access rule and resolver.

use super::*;

/// Who may call `formWorkingGroup` (its description states it; a test checks both agree).
pub(super) const RULE: MutationRule = MutationRule::new("formWorkingGroup", Rule::Coordinator);

/// Form a working group.
#[derive(InputObject)]
pub struct FormWorkingGroupInput {
    /// The network.
    pub network: ID,
    /// Its name.
    pub name: String,
    /// Its mandate.
    pub mandate: String,
    /// The lead organization.
    pub lead: ID,
    /// Formed on.
    pub formed_on: Date,
}

payload!(FormWorkingGroupPayload, working_group: WorkingGroup);

/// The resolver of `formWorkingGroup`.
#[derive(Default)]
pub struct FormWorkingGroupMutation;

#[Object]
impl FormWorkingGroupMutation {
    /// Form a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn form_working_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: FormWorkingGroupInput,
    ) -> ApiResult<FormWorkingGroupPayload> {
        respond(run(ctx, input).await)
    }
}

async fn run(
    ctx: &Context<'_>,
    input: FormWorkingGroupInput,
) -> Result<FormWorkingGroupPayload, Refusal> {
    let access = authorize(ctx, &RULE).await?;
    let by = acting_for(&access)?;
    let id = new_id(ctx, WorkingGroupId::derived, WorkingGroupId::new_random);
    let mut p = Parse::default();
    let network = p
        .id("network", &input.network, NodeKind::Network)
        .map(NetworkId);
    let name = p.name("name", &input.name);
    let mandate = p.text("mandate", &input.mandate);
    let lead = p.org("lead", &input.lead);
    let command = (|| {
        Some(WorkingGroupCommand::Form {
            id,
            network: network?,
            by,
            name: name?,
            mandate: mandate?,
            lead: lead?,
            formed_on: input.formed_on.0,
        })
    })();
    let id = id.to_string();
    execute::<WorkingGroupAggregate, _>(ctx, &access, &id, p, command).await
}
