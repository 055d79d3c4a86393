//! The wire types: GraphQL mirrors of the domain's enums, opaque global ids, and the object
//! types over the read models. Domain types derive no GraphQL traits; this module maps them.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

use async_graphql::connection::{Connection, Edge};
pub use async_graphql::ID;

pub use crate::enums::*;
pub use crate::ids::{decode_id, decode_kind, global_id, NodeKind};
use async_graphql::{ComplexObject, Context, Enum, Interface, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use projections::queries::{AsOf, CommitmentsOf};
use projections::store::StoredEvent;
use projections::views;

use crate::{read, ApiResult};

/// What a root field's `asOf` and `effectiveOn` arguments select, carried down to every
/// object below it: the state as known at a position of the log, and a business date.
#[derive(Clone, Copy, Debug)]
pub struct Lens {
    /// The state as known then (by recorded instant, resolved to a log position).
    pub known: AsOf,
    /// The business date the state is read on: memberships active on it, signatures given
    /// by it, commitments taken on by it and overdue on it. `None`: today / no restriction.
    pub on: Option<NaiveDate>,
}

impl Lens {
    /// The current state, no business date.
    pub const NOW: Lens = Lens {
        known: AsOf::Now,
        on: None,
    };

    /// The date overdue is judged on: the lens's business date, else today.
    pub fn day(&self) -> NaiveDate {
        self.on.unwrap_or_else(|| Utc::now().date_naive())
    }

    /// Whether something dated `day` already happened on the lens's business date.
    pub fn by(&self, day: NaiveDate) -> bool {
        self.on.is_none_or(|on| day <= on)
    }
}

/// Anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The opaque global id."))]
pub enum Node {
    /// An organization.
    Organization(Organization),
    /// A network.
    Network(Network),
    /// A protocol.
    Protocol(Protocol),
    /// A commitment.
    Commitment(Commitment),
    /// A working group.
    WorkingGroup(WorkingGroup),
    /// A meeting.
    Meeting(Meeting),
}

/// Fields every connection has besides its edges.
#[derive(SimpleObject)]
pub struct Counted {
    /// How many items the whole list holds.
    pub total_count: usize,
}

/// A Relay connection over an in-memory list, with index cursors.
pub type ListConnection<T> = Connection<usize, T, Counted>;

/// The largest page a client may ask for.
pub const MAX_PAGE: usize = 100;

/// The views a list shows: those `keep` accepts, in `order`, wrapped as GraphQL objects.
pub fn select<V, T>(
    mut views: Vec<V>,
    keep: impl Fn(&V) -> bool,
    order: impl Fn(&V, &V) -> std::cmp::Ordering,
    wrap: impl Fn(V) -> T,
) -> Vec<T> {
    views.retain(|v| keep(v));
    views.sort_by(|a, b| order(a, b));
    views.into_iter().map(wrap).collect()
}

/// Pages a list (first/after, last/before), at most `MAX_PAGE` items.
pub async fn paginate<T: async_graphql::OutputType>(
    items: Vec<T>,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> ApiResult<ListConnection<T>> {
    for (name, value) in [("first", first), ("last", last)] {
        if let Some(n) = value {
            if n < 0 || n as usize > MAX_PAGE {
                return Err(crate::client_error(
                    "PAGE_TOO_LARGE",
                    format!("`{name}` must be between 0 and {MAX_PAGE}"),
                ));
            }
        }
    }
    let total = items.len();
    async_graphql::connection::query(
        after,
        before,
        first,
        last,
        |after: Option<usize>, before: Option<usize>, first, last| async move {
            let mut start = after.map_or(0, |a| a + 1).min(total);
            let mut end = before.unwrap_or(total).min(total).max(start);
            if let Some(first) = first {
                end = (start + first).min(end);
            }
            if let Some(last) = last {
                start = end.saturating_sub(last).max(start);
            }
            if first.is_none() && last.is_none() {
                end = (start + MAX_PAGE).min(end);
            }
            let mut connection = Connection::with_additional_fields(
                start > 0,
                end < total,
                Counted { total_count: total },
            );
            connection.edges.extend(
                items
                    .into_iter()
                    .enumerate()
                    .skip(start)
                    .take(end - start)
                    .map(|(i, item)| Edge::new(i, item)),
            );
            Ok::<_, async_graphql::Error>(connection)
        },
    )
    .await
}

mod commitment;
mod history;
mod meeting;
mod network;
mod organization;
mod protocol;
mod reports;
mod working_group;

pub use commitment::*;
pub use history::*;
pub use meeting::*;
pub use network::*;
pub use organization::*;
pub use protocol::*;
pub use reports::*;
pub use working_group::*;

/// One page of a list of commitments: taken on by the lens's date, filtered, ordered.
/// One page of a network's commitments, or an organization's (those of networks the viewer
/// reads in full): narrowed in SQL first, then exactly by the filter.
async fn commitment_page(
    ctx: &Context<'_>,
    of: CommitmentsOf,
    at: Lens,
    filter: Option<crate::filters::CommitmentFilter>,
    order_by: Option<crate::filters::CommitmentOrder>,
    (after, before): (Option<String>, Option<String>),
    (first, last): (Option<i32>, Option<i32>),
) -> ApiResult<ListConnection<Commitment>> {
    let filter = filter.unwrap_or_default();
    let obligor = match &filter.obligor {
        Some(id) => Some(decode_kind(id, NodeKind::Organization).ok_or_else(|| {
            crate::client_error("INVALID_ID", "obligor is not an organization id")
        })?),
        None => None,
    };
    let criteria = projections::queries::CommitmentCriteria {
        status: filter.status.clone(),
        obligor: obligor.map(aggregates::ids::OrganizationId),
        overdue_on: filter.overdue_on,
    };
    let all = read(ctx)
        .commitments_matching(of, &criteria, at.known)
        .await?;
    let all = match of {
        CommitmentsOf::Network(_) => all,
        CommitmentsOf::Organization(_) => readable(ctx, all, |c| c.network).await?,
    };
    let order = order_by.unwrap_or_default();
    paginate(
        select(
            all,
            |c| at.by(c.created_on) && filter.matches(c, obligor),
            |a, b| order.compare(a, b),
            |view| Commitment { view, at },
        ),
        after,
        before,
        first,
        last,
    )
    .await
}

/// The items of networks the viewer reads in full.
async fn readable<T>(
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

/// The ids in their first-seen order, each once.
fn distinct<T: Eq + std::hash::Hash + Copy>(ids: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

async fn organizations(
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
async fn load_organization(
    ctx: &Context<'_>,
    id: aggregates::ids::OrganizationId,
    known: AsOf,
) -> ApiResult<Option<views::OrganizationView>> {
    match ctx.data_opt::<async_graphql::dataloader::DataLoader<OrganizationLoader>>() {
        Some(loader) => Ok(loader.load_one((id, known)).await?),
        None => Ok(read(ctx).organization(id, known).await?),
    }
}
