//! The GraphQL objects of Organization.

use crate::commitment::commitment_page;
use crate::graph::Commitment;
use crate::graph::Membership;
use crate::graph::Organization;
use crate::graph::OrganizationRef;
use crate::graph::Signature;
use crate::history::{timeline, HistoryConnection, Scope};
use crate::prelude::*;

/// An organization.
#[Object]
impl Organization {
    /// The opaque global id.
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeKind::Organization, self.view.id)
    }
    /// The current name.
    async fn name(&self) -> &str {
        self.view.name.as_str()
    }
    /// Earlier names, oldest first.
    async fn former_names(&self) -> Vec<String> {
        self.view
            .former_names
            .iter()
            .map(|n| n.to_string())
            .collect()
    }
    /// The kind of organization.
    async fn category(&self) -> OrganizationCategory {
        self.view.category.into()
    }
    /// The Italian tax code, when known.
    async fn tax_code(&self) -> Option<String> {
        self.view.tax_code.as_ref().map(|t| t.to_string())
    }
    /// The territory it serves.
    async fn territory(&self) -> &str {
        self.view.territory.as_str()
    }
    /// ACTIVE, SUCCEEDED or DEACTIVATED (`state` is the same, as an enum).
    #[graphql(deprecation = "Use `state`: the same status, as an enum.")]
    async fn status(&self) -> String {
        wire_name(&self.view.status)
    }
    /// Where it stands.
    async fn state(&self) -> ApiResult<crate::enums::OrganizationStatus> {
        status_of(&self.view.status)
    }
    /// The organization that succeeded this one.
    async fn successor(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        match self.view.successor {
            Some(id) => read(ctx)
                .organization(id, self.at.known)
                .await
                .map(|v| v.map(|view| Organization { view, at: self.at }))
                .map_err(Into::into),
            None => Ok(None),
        }
    }
    /// Every membership in a network (any status) the viewer reads in full; under
    /// `effectiveOn`, the memberships active on that date.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let all = read(ctx)
            .memberships_of(self.view.id, self.at.known)
            .await?;
        let viewer = crate::viewer::viewer(ctx);
        // Its own memberships to the organization's referents (applications included);
        // others' to full readers of the network, applications only to those who decide them.
        let (own, others): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|_| viewer.principal().represents(self.view.id));
        let mut all = own;
        all.extend(
            readable(ctx, others, |m| m.network)
                .await?
                .into_iter()
                .filter(|m| {
                    viewer.sees_membership(
                        crate::viewer::Level::Full,
                        m.network,
                        m.organization,
                        m.status,
                    )
                }),
        );
        Ok(all
            .into_iter()
            .filter(|m| self.at.on.is_none_or(|day| m.member_on(day)))
            .map(|view| Membership { view, at: self.at })
            .collect())
    }
    /// The protocol versions this organization signed, in networks the viewer reads in full
    /// (under `effectiveOn`, by that date).
    async fn signatures(&self, ctx: &Context<'_>) -> ApiResult<Vec<Signature>> {
        let all = read(ctx).signatures_by(self.view.id, self.at.known).await?;
        let all = readable(ctx, all, |s| s.network).await?;
        Ok(all
            .into_iter()
            .filter(|s| self.at.by(s.signed_on))
            .map(|view| Signature { view, at: self.at })
            .collect())
    }
    /// The commitments this organization owes, in networks the viewer reads in full (under
    /// `effectiveOn`, taken on by that date).
    #[graphql(
        complexity = "first.or(last).unwrap_or(MAX_PAGE as i32).max(0) as usize * child_complexity"
    )]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list; every field given must match.")] filter: Option<
            crate::commitment::CommitmentFilter,
        >,
        #[graphql(desc = "The order of the list (default: by due date, ascending).")]
        order_by: Option<crate::commitment::CommitmentOrder>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<ListConnection<Commitment>> {
        let (of, page) = (
            CommitmentsOf::Organization(self.view.id),
            (after, before, first, last),
        );
        commitment_page(ctx, of, self.at, (filter, order_by), page).await
    }
    /// Every event that concerns this organization.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "At most this many items from the end (at most 100).")] last: Option<i32>,
    ) -> ApiResult<Option<HistoryConnection>> {
        timeline(
            ctx,
            views::Kind::Organization,
            &self.view.id.to_string(),
            Scope::Organization(self.view.id),
            (after, before),
            (first, last),
        )
        .await
    }
}
/// The ids in their first-seen order, each once.
pub(crate) fn distinct<T: Eq + std::hash::Hash + Copy>(ids: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

pub(crate) async fn organizations(
    ctx: &Context<'_>,
    ids: Vec<aggregates::ids::OrganizationId>,
    at: Lens,
) -> ApiResult<Vec<Organization>> {
    // One query for all of them, answered in the order asked.
    let mut found: std::collections::HashMap<_, _> = read(ctx)
        .organizations_in(&ids, at.known)
        .await?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    Ok(ids
        .into_iter()
        .filter_map(|id| found.remove(&id))
        .map(|view| Organization { view, at })
        .collect())
}

/// Loads the organizations that the items of one request name together: one query per batch
/// instead of one per item (a network's members, say).
pub struct OrganizationLoader(pub projections::queries::ReadModels);

impl async_graphql::dataloader::Loader<(aggregates::ids::OrganizationId, AsOf)>
    for OrganizationLoader
{
    type Value = views::OrganizationView;
    type Error = std::sync::Arc<projections::queries::QueryError>;

    async fn load(
        &self,
        keys: &[(aggregates::ids::OrganizationId, AsOf)],
    ) -> Result<
        std::collections::HashMap<(aggregates::ids::OrganizationId, AsOf), Self::Value>,
        Self::Error,
    > {
        let mut by_lens: std::collections::HashMap<AsOf, Vec<aggregates::ids::OrganizationId>> =
            std::collections::HashMap::new();
        for (id, known) in keys {
            by_lens.entry(*known).or_default().push(*id);
        }
        let mut found = std::collections::HashMap::with_capacity(keys.len());
        for (known, ids) in by_lens {
            for view in self
                .0
                .organizations_in(&ids, known)
                .await
                .map_err(std::sync::Arc::new)?
            {
                found.insert((view.id, known), view);
            }
        }
        Ok(found)
    }
}

/// One organization, through the request's [`OrganizationLoader`] when it has one.
pub(crate) async fn load_organization<T: Sync>(
    ctx: &async_graphql::ContextBase<'_, T>,
    id: aggregates::ids::OrganizationId,
    known: AsOf,
) -> ApiResult<Option<views::OrganizationView>> {
    let read = &ctx.data_unchecked::<crate::state::ApiState>().read;
    // From memory a lookup costs less than the loader's batching wait (and its task).
    let batched = !(known == AsOf::Now && read.answers_now_from_memory());
    match ctx.data_opt::<async_graphql::dataloader::DataLoader<OrganizationLoader>>() {
        Some(loader) if batched => Ok(loader.load_one((id, known)).await?),
        _ => Ok(read.organization(id, known).await?),
    }
}

/// Answered as the (nullable) `Organization` object it names.
impl async_graphql::OutputType for OrganizationRef {
    fn type_name() -> std::borrow::Cow<'static, str> {
        <Organization as async_graphql::OutputType>::type_name()
    }
    fn qualified_type_name() -> String {
        Self::type_name().into_owned()
    }
    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <Organization as async_graphql::OutputType>::create_type_info(registry);
        Self::qualified_type_name()
    }
    async fn resolve(
        &self,
        ctx: &async_graphql::ContextSelectionSet<'_>,
        field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        match load_organization(ctx, self.id, self.at.known)
            .await
            .map_err(|e| e.into_server_error(field.pos))?
        {
            Some(view) => {
                let organization = Organization { view, at: self.at };
                async_graphql::OutputType::resolve(&organization, ctx, field).await
            }
            None => Ok(async_graphql::Value::Null),
        }
    }
}

/// The organization with this id, if the viewer may read it (else absent, like a missing one).
pub(crate) async fn visible_organization(
    ctx: &Context<'_>,
    uuid: uuid::Uuid,
    at: Lens,
) -> ApiResult<Option<Organization>> {
    let id = aggregates::ids::OrganizationId(uuid);
    Ok(match read(ctx).organization(id, at.known).await? {
        Some(view) if viewer(ctx).sees_organization(ctx, id).await? => {
            Some(Organization { view, at })
        }
        _ => None,
    })
}
