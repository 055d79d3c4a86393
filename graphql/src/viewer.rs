//! What the caller may read. Every root field, every `node(id:)` lookup and every nested field
//! that reaches another network's data asks here.
//!
//! - Platform administrators and auditors read everything, history included.
//! - A coordinator reads the networks it coordinates in full; a referent reads in full the
//!   networks its organization is an active member of, and loses that read the moment the
//!   membership is suspended or ends. An applicant (pending or rejected) reads its own
//!   application and what the network publishes, nothing more.
//! - Applications (pending or rejected memberships) are shown only to the network's
//!   coordinator, administrators, auditors and the applicant itself: they are not published.
//! - Everyone, the anonymous viewer included, reads what a network marks public: its name,
//!   territory, member organizations and public meetings — never personal data, never history.
//!
//! Objects out of reach are answered as absent (`null`, or left out of lists), so an id cannot
//! be probed; a field of a visible object that needs more than the viewer has is a typed
//! `FORBIDDEN` error naming the permission.

use std::collections::HashSet;
use std::sync::LazyLock;

use aggregates::ids::{NetworkId, OrganizationId};
use aggregates::network::MembershipStatus;
use async_graphql::Context;
use projections::queries::AsOf;
use projections::views::NetworkView;

use crate::auth::Principal;
use crate::errors::{client_error, ApiResult};
use crate::state::read;

/// How much of a network the viewer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None,
    Public,
    Full,
}

/// The caller, with the networks it reads in full (computed once per request).
pub struct Viewer {
    principal: Principal,
    full: tokio::sync::OnceCell<HashSet<NetworkId>>,
    organizations: tokio::sync::OnceCell<HashSet<OrganizationId>>,
}

static ANONYMOUS: LazyLock<Viewer> = LazyLock::new(|| Viewer::new(Principal::anonymous()));

impl Viewer {
    pub fn new(principal: Principal) -> Self {
        Viewer {
            principal,
            full: tokio::sync::OnceCell::new(),
            organizations: tokio::sync::OnceCell::new(),
        }
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// Administrators and auditors.
    pub fn reads_everything(&self) -> bool {
        self.principal.reads_everything()
    }

    async fn full_networks(&self, ctx: &Context<'_>) -> ApiResult<&HashSet<NetworkId>> {
        self.full
            .get_or_try_init(|| async {
                let mut networks: HashSet<NetworkId> = self.principal.networks().collect();
                for organization in self.principal.organizations() {
                    networks.extend(active_networks(ctx, organization, AsOf::Now).await?);
                }
                Ok::<_, async_graphql::Error>(networks)
            })
            .await
    }

    /// How much of this network the viewer reads.
    pub async fn level(&self, ctx: &Context<'_>, network: &NetworkView) -> ApiResult<Level> {
        if self.reads_everything() || self.full_networks(ctx).await?.contains(&network.id) {
            Ok(Level::Full)
        } else if network.public {
            Ok(Level::Public)
        } else {
            Ok(Level::None)
        }
    }

    /// The level for a network known by id (as it is now).
    pub async fn level_of(&self, ctx: &Context<'_>, network: NetworkId) -> ApiResult<Level> {
        if self.reads_everything() || self.full_networks(ctx).await?.contains(&network) {
            return Ok(Level::Full);
        }
        match read(ctx).network(network, AsOf::Now).await? {
            Some(view) if view.public => Ok(Level::Public),
            _ => Ok(Level::None),
        }
    }

    /// Whether the viewer reads this network in full.
    pub async fn full(&self, ctx: &Context<'_>, network: NetworkId) -> ApiResult<bool> {
        Ok(self.reads_everything() || self.full_networks(ctx).await?.contains(&network))
    }

    /// Whether the viewer may see this organization at all: administrators and auditors
    /// always; others when it is a member (active, for a network read only as public) or the
    /// coordinator of a network they can see, or they represent it.
    pub async fn sees_organization(
        &self,
        ctx: &Context<'_>,
        organization: OrganizationId,
    ) -> ApiResult<bool> {
        if self.reads_everything() || self.principal.represents(organization) {
            return Ok(true);
        }
        Ok(self.organizations(ctx).await?.contains(&organization))
    }

    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<&HashSet<OrganizationId>> {
        self.organizations
            .get_or_try_init(|| async {
                let mut seen = HashSet::new();
                // The networks seen (at their level), then their memberships in one query.
                let mut levels = std::collections::HashMap::new();
                for network in read(ctx).networks(AsOf::Now).await? {
                    let level = self.level(ctx, &network).await?;
                    if level == Level::None {
                        continue;
                    }
                    seen.insert(network.coordinator);
                    levels.insert(network.id, level);
                }
                let networks: Vec<NetworkId> = levels.keys().copied().collect();
                for m in read(ctx).memberships_in(&networks, AsOf::Now).await? {
                    let Some(&level) = levels.get(&m.network) else {
                        continue;
                    };
                    let applications = self.sees_applications(m.network);
                    {
                        let shown = match m.status {
                            MembershipStatus::Active => true,
                            MembershipStatus::Pending | MembershipStatus::Rejected => applications,
                            _ => level == Level::Full,
                        };
                        let shown = shown || self.principal.represents(m.organization);
                        if shown {
                            seen.insert(m.organization);
                        }
                    }
                }
                Ok::<_, async_graphql::Error>(seen)
            })
            .await
    }
}

impl Viewer {
    /// Whether the viewer sees the applications (pending and rejected memberships) of a
    /// network: its coordinator, administrators and auditors. (An applicant sees its own: see
    /// [`Viewer::sees_membership`].)
    pub fn sees_applications(&self, network: NetworkId) -> bool {
        self.reads_everything() || self.principal.coordinates(network)
    }

    /// Whether a membership of `status` held by `organization` in `network` is shown to the
    /// viewer, who reads the network at `level`: memberships that started (active, suspended,
    /// withdrawn, expelled) to whoever sees the network; applications only to those who
    /// decide them and to the applicant.
    pub fn sees_membership(
        &self,
        level: Level,
        network: NetworkId,
        organization: OrganizationId,
        status: MembershipStatus,
    ) -> bool {
        match status {
            MembershipStatus::Active => level >= Level::Public,
            MembershipStatus::Pending | MembershipStatus::Rejected => {
                self.sees_applications(network) || self.principal.represents(organization)
            }
            _ => level >= Level::Public || self.principal.represents(organization),
        }
    }
}

/// The networks in which `organization` is an active member, as of `as_of`.
pub async fn active_networks(
    ctx: &Context<'_>,
    organization: OrganizationId,
    as_of: AsOf,
) -> ApiResult<Vec<NetworkId>> {
    Ok(read(ctx)
        .memberships_of(organization, as_of)
        .await?
        .into_iter()
        .filter(|m| m.status == MembershipStatus::Active)
        .map(|m| m.network)
        .collect())
}

/// The viewer of the current request (anonymous when none was set).
pub fn viewer<'a>(ctx: &'a Context<'_>) -> &'a Viewer {
    ctx.data_opt::<Viewer>().unwrap_or(&ANONYMOUS)
}

/// The error for a field the viewer may not read.
pub fn forbidden(needs: &str) -> async_graphql::Error {
    client_error("FORBIDDEN", format!("reading this requires {needs}"))
}

/// Fails unless the viewer reads `network` in full.
pub async fn require_full(ctx: &Context<'_>, network: NetworkId) -> ApiResult<()> {
    if viewer(ctx).full(ctx, network).await? {
        Ok(())
    } else {
        Err(forbidden(
            "the coordinator or a member's referent role in this network, or the auditor role",
        ))
    }
}

/// Fails unless the viewer reads everything (history across networks, the whole audit log).
pub fn require_everything(ctx: &Context<'_>) -> ApiResult<()> {
    if viewer(ctx).reads_everything() {
        Ok(())
    } else {
        Err(forbidden("the auditor or platform administrator role"))
    }
}
/// The items of networks the viewer reads in full.
pub(crate) async fn readable<T>(
    ctx: &Context<'_>,
    items: Vec<T>,
    network: impl Fn(&T) -> aggregates::ids::NetworkId,
) -> ApiResult<Vec<T>> {
    let viewer = crate::viewer::viewer(ctx);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if viewer.full(ctx, network(&item)).await? {
            out.push(item);
        }
    }
    Ok(out)
}
