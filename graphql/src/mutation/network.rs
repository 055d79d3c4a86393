//! The mutations of Network: their inputs, payloads and resolvers.

use super::*;

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
    pub established_on: NaiveDate,
    /// Whether it publishes its members and public meetings.
    pub public: bool,
}
with_field!(EstablishNetworkPayload, network: Network);

/// Change the coordinator (decided by the current coordinator).
#[derive(InputObject)]
pub struct ChangeCoordinatorInput {
    /// The network.
    pub network: ID,
    /// The new coordinator, an active member.
    pub new_coordinator: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(ChangeCoordinatorPayload, network: Network);

/// Close a network.
#[derive(InputObject)]
pub struct CloseNetworkInput {
    /// The network.
    pub network: ID,
    /// Why.
    pub reason: String,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(CloseNetworkPayload, network: Network);

/// A membership decision or change about one organization.
pub struct MembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// A reason or motivation (required to reject, suspend or expel).
    pub reason: Option<String>,
}
with_field!(ApplyForMembershipPayload, network: Network);
with_field!(ApproveMembershipPayload, network: Network);
with_field!(RejectMembershipPayload, network: Network);
with_field!(SuspendMembershipPayload, network: Network);
with_field!(ReinstateMembershipPayload, network: Network);
with_field!(WithdrawMembershipPayload, network: Network);
with_field!(ExpelMemberPayload, network: Network);

/// Designate a referent for a member (the person is referenced by id).
#[derive(InputObject)]
pub struct DesignateReferentInput {
    /// The network.
    pub network: ID,
    /// The member.
    pub organization: ID,
    /// The person's id in the personal-data store.
    pub person: ID,
    /// The referent's role.
    pub role: ReferentRole,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(DesignateReferentPayload, network: Network);

/// Revoke a referent designation.
#[derive(InputObject)]
pub struct RevokeReferentInput {
    /// The network.
    pub network: ID,
    /// The designation's id.
    pub referent: ID,
    /// Effective from.
    pub effective_on: NaiveDate,
}
with_field!(RevokeReferentPayload, network: Network);

/// The input of `applyForMembership`.
#[derive(InputObject)]
pub struct ApplyForMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the organization applies (optional).
    pub reason: Option<String>,
}

impl From<ApplyForMembershipInput> for MembershipInput {
    fn from(input: ApplyForMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: input.reason,
        }
    }
}

/// The input of `approveMembership`.
#[derive(InputObject)]
pub struct ApproveMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
}

impl From<ApproveMembershipInput> for MembershipInput {
    fn from(input: ApproveMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: None,
        }
    }
}

/// The input of `rejectMembership`.
#[derive(InputObject)]
pub struct RejectMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the application is rejected (required, not empty).
    pub reason: String,
}

impl From<RejectMembershipInput> for MembershipInput {
    fn from(input: RejectMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: Some(input.reason),
        }
    }
}

/// The input of `suspendMembership`.
#[derive(InputObject)]
pub struct SuspendMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the member is suspended (required, not empty).
    pub reason: String,
}

impl From<SuspendMembershipInput> for MembershipInput {
    fn from(input: SuspendMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: Some(input.reason),
        }
    }
}

/// The input of `reinstateMembership`.
#[derive(InputObject)]
pub struct ReinstateMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
}

impl From<ReinstateMembershipInput> for MembershipInput {
    fn from(input: ReinstateMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: None,
        }
    }
}

/// The input of `withdrawMembership`.
#[derive(InputObject)]
pub struct WithdrawMembershipInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the member leaves (optional).
    pub reason: Option<String>,
}

impl From<WithdrawMembershipInput> for MembershipInput {
    fn from(input: WithdrawMembershipInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: input.reason,
        }
    }
}

/// The input of `expelMember`.
#[derive(InputObject)]
pub struct ExpelMemberInput {
    /// The network.
    pub network: ID,
    /// The organization.
    pub organization: ID,
    /// The business date.
    pub effective_on: NaiveDate,
    /// Why the member is expelled (required, not empty).
    pub reason: String,
}

impl From<ExpelMemberInput> for MembershipInput {
    fn from(input: ExpelMemberInput) -> Self {
        Self {
            network: input.network,
            organization: input.organization,
            effective_on: input.effective_on,
            reason: Some(input.reason),
        }
    }
}

/// The mutations of Network.
#[derive(Default)]
pub struct NetworkMutation;

#[Object]
impl NetworkMutation {
    /// Establish a network.
    ///
    /// Who may call it: platform administrators.
    async fn establish_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: EstablishNetworkInput,
    ) -> ApiResult<EstablishNetworkPayload> {
        let access = allow!(ctx, EstablishNetworkPayload);
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
                established_on: input.established_on,
                public: input.public,
            })
        })();
        run!(
            ctx,
            access,
            EstablishNetworkPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// Change the coordinator.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn change_coordinator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ChangeCoordinatorInput,
    ) -> ApiResult<ChangeCoordinatorPayload> {
        let access = allow!(ctx, ChangeCoordinatorPayload);
        let by = acting!(access, ChangeCoordinatorPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let new_coordinator = p.org("newCoordinator", &input.new_coordinator);
        let command = new_coordinator.map(|new_coordinator| NetworkCommand::ChangeCoordinator {
            by,
            new_coordinator,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            ChangeCoordinatorPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// Close a network.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn close_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: CloseNetworkInput,
    ) -> ApiResult<CloseNetworkPayload> {
        let access = allow!(ctx, CloseNetworkPayload);
        let by = acting!(access, CloseNetworkPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let reason = p.text("reason", &input.reason);
        let command = reason.map(|reason| NetworkCommand::Close {
            by,
            reason,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            CloseNetworkPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// An organization applies to join a network.
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn apply_for_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApplyForMembershipInput,
    ) -> ApiResult<ApplyForMembershipPayload> {
        let access = allow!(ctx, ApplyForMembershipPayload);
        let input: MembershipInput = input.into();
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let motivation = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(NetworkCommand::Apply {
                organization: organization?,
                applied_on: input.effective_on,
                motivation: motivation?,
            })
        })();
        run!(
            ctx,
            access,
            ApplyForMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator approves an application.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn approve_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ApproveMembershipInput,
    ) -> ApiResult<ApproveMembershipPayload> {
        let access = allow!(ctx, ApproveMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, ApproveMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let command = organization.map(|organization| NetworkCommand::Approve {
            by,
            organization,
            effective_on: input.effective_on,
        });
        run!(
            ctx,
            access,
            ApproveMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator rejects an application.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reject_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RejectMembershipInput,
    ) -> ApiResult<RejectMembershipPayload> {
        let access = allow!(ctx, RejectMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, RejectMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = required_reason(&mut p, &input.reason);
        let command = (|| {
            Some(NetworkCommand::Reject {
                by,
                organization: organization?,
                reason: reason?,
            })
        })();
        run!(
            ctx,
            access,
            RejectMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator suspends a member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn suspend_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: SuspendMembershipInput,
    ) -> ApiResult<SuspendMembershipPayload> {
        let access = allow!(ctx, SuspendMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, SuspendMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = required_reason(&mut p, &input.reason);
        let command = (|| {
            Some(NetworkCommand::Suspend {
                by,
                organization: organization?,
                reason: reason?,
                effective_on: input.effective_on,
            })
        })();
        run!(
            ctx,
            access,
            SuspendMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator reinstates a suspended member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn reinstate_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ReinstateMembershipInput,
    ) -> ApiResult<ReinstateMembershipPayload> {
        let access = allow!(ctx, ReinstateMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, ReinstateMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let command = organization.map(|organization| NetworkCommand::Reinstate {
            by,
            organization,
            effective_on: input.effective_on,
        });
        run!(
            ctx,
            access,
            ReinstateMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// A member leaves (only the member itself may say so).
    ///
    /// Who may call it: platform administrators and a referent of the organization concerned.
    async fn withdraw_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: WithdrawMembershipInput,
    ) -> ApiResult<WithdrawMembershipPayload> {
        let access = allow!(ctx, WithdrawMembershipPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, WithdrawMembershipPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = p.opt_text("reason", &input.reason);
        let command = (|| {
            Some(NetworkCommand::Withdraw {
                by,
                organization: organization?,
                reason: reason?,
                effective_on: input.effective_on,
            })
        })();
        run!(
            ctx,
            access,
            WithdrawMembershipPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator expels a member.
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn expel_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: ExpelMemberInput,
    ) -> ApiResult<ExpelMemberPayload> {
        let access = allow!(ctx, ExpelMemberPayload);
        let input: MembershipInput = input.into();
        let by = acting!(access, ExpelMemberPayload);
        let mut p = Parse::default();
        let (id, organization) = membership_ids(&mut p, &input);
        let reason = required_reason(&mut p, &input.reason);
        let command = (|| {
            Some(NetworkCommand::Expel {
                by,
                organization: organization?,
                reason: reason?,
                effective_on: input.effective_on,
            })
        })();
        run!(
            ctx,
            access,
            ExpelMemberPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// The coordinator designates a referent of a member, at the member's request: the
    /// person's contact details become readable by the network's full readers, so the
    /// coordinator approves the designation by making it (a referent cannot designate anyone
    /// on its own).
    ///
    /// Who may call it: platform administrators and the coordinator of the network concerned.
    async fn designate_referent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: DesignateReferentInput,
    ) -> ApiResult<DesignateReferentPayload> {
        let access = allow!(ctx, DesignateReferentPayload);
        let by = acting!(access, DesignateReferentPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let organization = p.org("organization", &input.organization);
        let person = input.person.parse::<uuid::Uuid>().ok().map(PersonId);
        if person.is_none() {
            p.fail(
                "person",
                "person is not a person id".to_owned(),
                "INVALID_ID",
            );
        }
        let command = (|| {
            Some(NetworkCommand::DesignateReferent {
                by,
                organization: organization?,
                referent: ReferentId::new_random(),
                person: person?,
                role: input.role.into(),
                effective_on: input.effective_on,
            })
        })();
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            DesignateReferentPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }

    /// Revoke a referent designation.
    ///
    /// Who may call it: platform administrators, the coordinator of the network concerned and a referent of the organization concerned.
    async fn revoke_referent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make.")] input: RevokeReferentInput,
    ) -> ApiResult<RevokeReferentPayload> {
        let access = allow!(ctx, RevokeReferentPayload);
        let by = acting!(access, RevokeReferentPayload);
        let mut p = Parse::default();
        let id = p.id("network", &input.network, NodeKind::Network);
        let referent = input.referent.parse::<uuid::Uuid>().ok().map(ReferentId);
        if referent.is_none() {
            p.fail(
                "referent",
                "referent is not a designation id".to_owned(),
                "INVALID_ID",
            );
        }
        let command = referent.map(|referent| NetworkCommand::RevokeReferent {
            by,
            referent,
            effective_on: input.effective_on,
        });
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        run!(
            ctx,
            access,
            RevokeReferentPayload,
            NetworkAggregate,
            id,
            p.done(command),
            |id| load_network(ctx, &id).await?
        )
    }
}
