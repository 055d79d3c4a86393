//! The mutations of WorkingGroup: their inputs, payloads and resolvers.

use super::*;

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
    pub formed_on: NaiveDate,
}
with_field!(FormWorkingGroupPayload, working_group: WorkingGroup);

/// Add or remove a member of a working group.
pub struct WorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(AddWorkingGroupMemberPayload, working_group: WorkingGroup);
with_field!(RemoveWorkingGroupMemberPayload, working_group: WorkingGroup);

/// Dissolve a working group.
#[derive(InputObject)]
pub struct DissolveWorkingGroupInput {
    /// The working group.
    pub working_group: ID,
    /// Why.
    pub reason: String,
    /// Dissolved on.
    pub dissolved_on: NaiveDate,
}
with_field!(DissolveWorkingGroupPayload, working_group: WorkingGroup);

/// The input of `addWorkingGroupMember`.
#[derive(InputObject)]
pub struct AddWorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}

impl From<AddWorkingGroupMemberInput> for WorkingGroupMemberInput {
    fn from(input: AddWorkingGroupMemberInput) -> Self {
        Self {
            working_group: input.working_group,
            organization: input.organization,
            effective_on: input.effective_on,
        }
    }
}

/// The input of `removeWorkingGroupMember`.
#[derive(InputObject)]
pub struct RemoveWorkingGroupMemberInput {
    /// The working group.
    pub working_group: ID,
    /// The organization.
    pub organization: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}

impl From<RemoveWorkingGroupMemberInput> for WorkingGroupMemberInput {
    fn from(input: RemoveWorkingGroupMemberInput) -> Self {
        Self {
            working_group: input.working_group,
            organization: input.organization,
            effective_on: input.effective_on,
        }
    }
}

/// The mutations of WorkingGroup.
#[derive(Default)]
pub struct WorkingGroupMutation;

#[Object]
impl WorkingGroupMutation {
    /// Form a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn form_working_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: FormWorkingGroupInput,
    ) -> ApiResult<FormWorkingGroupPayload> {
        let access = allow!(ctx, FormWorkingGroupPayload);
        let by = acting!(access, FormWorkingGroupPayload);
        let id = new_id(ctx, WorkingGroupId::derived, WorkingGroupId::new_random);
        let mut p = Parse::default();
        let network = p
            .id("network", &input.network, NodeKind::Network)
            .map(NetworkId);
        let name = p.name("name", &input.name);
        let mandate = p.text("mandate", &input.mandate);
        let lead = p.org("lead", &input.lead);
        let command = (|| {
            Some(aggregates::working_group::WorkingGroupCommand::Form {
                id,
                network: network?,
                by,
                name: name?,
                mandate: mandate?,
                lead: lead?,
                formed_on: input.formed_on,
            })
        })();
        run!(
            ctx,
            access,
            FormWorkingGroupPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }

    /// Add a member to a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn add_working_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: AddWorkingGroupMemberInput,
    ) -> ApiResult<AddWorkingGroupMemberPayload> {
        let access = allow!(ctx, AddWorkingGroupMemberPayload);
        let input: WorkingGroupMemberInput = input.into();
        let by = acting!(access, AddWorkingGroupMemberPayload);
        let mut p = Parse::default();
        let id = p.id("workingGroup", &input.working_group, NodeKind::WorkingGroup);
        let command = p
            .org("organization", &input.organization)
            .map(
                |organization| aggregates::working_group::WorkingGroupCommand::AddMember {
                    by,
                    organization,
                    effective_on: input.effective_on,
                },
            );
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            AddWorkingGroupMemberPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }

    /// Remove a member from a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn remove_working_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RemoveWorkingGroupMemberInput,
    ) -> ApiResult<RemoveWorkingGroupMemberPayload> {
        let access = allow!(ctx, RemoveWorkingGroupMemberPayload);
        let input: WorkingGroupMemberInput = input.into();
        let by = acting!(access, RemoveWorkingGroupMemberPayload);
        let mut p = Parse::default();
        let id = p.id("workingGroup", &input.working_group, NodeKind::WorkingGroup);
        let command = p
            .org("organization", &input.organization)
            .map(
                |organization| aggregates::working_group::WorkingGroupCommand::RemoveMember {
                    by,
                    organization,
                    effective_on: input.effective_on,
                },
            );
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RemoveWorkingGroupMemberPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }

    /// Dissolve a working group.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn dissolve_working_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DissolveWorkingGroupInput,
    ) -> ApiResult<DissolveWorkingGroupPayload> {
        let access = allow!(ctx, DissolveWorkingGroupPayload);
        let by = acting!(access, DissolveWorkingGroupPayload);
        let mut p = Parse::default();
        let id = p.id("workingGroup", &input.working_group, NodeKind::WorkingGroup);
        let command = p.text("reason", &input.reason).map(|reason| {
            aggregates::working_group::WorkingGroupCommand::Dissolve {
                by,
                reason,
                dissolved_on: input.dissolved_on,
            }
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DissolveWorkingGroupPayload,
            aggregates::working_group::WorkingGroup,
            id,
            p.done(command),
            |id| load_group(ctx, &id).await?
        )
    }
}
