//! The mutations of Network: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share.

use crate::enums::{NetworkKind, ReferentRole};
use crate::graph::Network;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::ids::*;
use aggregates::network::{Network as NetworkAggregate, NetworkCommand};

mod apply_for_membership;
mod approve_membership;
mod change_coordinator;
mod close_network;
mod designate_referent;
mod establish_network;
mod expel_member;
mod reinstate_membership;
mod reject_membership;
mod revoke_referent;
mod suspend_membership;
mod withdraw_membership;

pub use apply_for_membership::*;
pub use approve_membership::*;
pub use change_coordinator::*;
pub use close_network::*;
pub use designate_referent::*;
pub use establish_network::*;
pub use expel_member::*;
pub use reinstate_membership::*;
pub use reject_membership::*;
pub use revoke_referent::*;
pub use suspend_membership::*;
pub use withdraw_membership::*;

/// The network and the organization a membership mutation concerns.
fn membership_ids(
    p: &mut Parse,
    network: &ID,
    organization: &ID,
) -> (String, Option<OrganizationId>) {
    let id = p
        .id("network", network, NodeKind::Network)
        .map(|i| i.to_string())
        .unwrap_or_default();
    (id, p.org("organization", organization))
}

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    establish_network::RULE,
    change_coordinator::RULE,
    close_network::RULE,
    apply_for_membership::RULE,
    approve_membership::RULE,
    reject_membership::RULE,
    suspend_membership::RULE,
    reinstate_membership::RULE,
    withdraw_membership::RULE,
    expel_member::RULE,
    designate_referent::RULE,
    revoke_referent::RULE,
];

/// The mutations of Network.
#[derive(async_graphql::MergedObject, Default)]
pub struct NetworkMutation(
    EstablishNetworkMutation,
    ChangeCoordinatorMutation,
    CloseNetworkMutation,
    ApplyForMembershipMutation,
    ApproveMembershipMutation,
    RejectMembershipMutation,
    SuspendMembershipMutation,
    ReinstateMembershipMutation,
    WithdrawMembershipMutation,
    ExpelMemberMutation,
    DesignateReferentMutation,
    RevokeReferentMutation,
);

impl Reloaded for Network {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .network(NetworkId(uuid), AsOf::Now)
            .await?
            .map(|view| Network {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for Network {
    type Aggregate = NetworkAggregate;
    const FIELD: &'static str = "network";
    const KIND: NodeKind = NodeKind::Network;
}
