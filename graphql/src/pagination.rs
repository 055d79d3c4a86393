//! Lists: Relay connections over in-memory lists with cursors that name their item (its place
//! and its id), the page bound, and the ordering helpers every `orderBy` input shares.

use async_graphql::connection::{Connection, CursorType, Edge, OpaqueCursor};
use async_graphql::SimpleObject;

use crate::errors::ApiResult;

/// Fields every connection has besides its edges.
#[derive(SimpleObject)]
pub struct Counted {
    /// How many items the whole list holds.
    pub total_count: usize,
}

/// A list item's cursor: its place in the list and its key (what it is), encoded.
pub type ListCursor = OpaqueCursor<(usize, uuid::Uuid)>;

/// A Relay connection over an in-memory list. Its cursors are opaque ([`ListCursor`]): a
/// client passes them back, never builds them. A list that changed between two pages (an
/// item added or gone before the cursor's) goes on after the same item, not the same place:
/// paging never repeats an item or skips one that stayed in the list, but when the cursor's
/// own item has left the list (its place is used then).
pub type ListConnection<T> = Connection<ListCursor, T, Counted>;

/// What an item of a list is, for its cursor: unique within the list, kept as it changes.
pub(crate) trait Keyed {
    fn key(&self) -> uuid::Uuid;
}

/// The largest page a client may ask for.
pub const MAX_PAGE: usize = 100;

/// The views a list shows: those `keep` accepts, in `order`, wrapped as GraphQL objects,
/// each with its key.
pub(crate) fn select<V: Keyed, T>(
    mut views: Vec<V>,
    keep: impl Fn(&V) -> bool,
    order: impl Fn(&V, &V) -> std::cmp::Ordering,
    wrap: impl Fn(V) -> T,
) -> Vec<(uuid::Uuid, T)> {
    views.retain(|v| keep(v));
    views.sort_by(|a, b| order(a, b));
    views.into_iter().map(|v| (v.key(), wrap(v))).collect()
}

/// A list's `filter` input: which views it keeps (every field given must match).
pub(crate) trait Filter<V>: Default {
    /// The client's mistakes in the filter (a status that is none), before it is applied.
    fn check(&self) -> ApiResult<()> {
        Ok(())
    }
    /// True when `view` passes the filter.
    fn matches(&self, view: &V) -> bool;
}

/// A list's `orderBy` input.
pub(crate) trait Order<V>: Default {
    /// How `a` and `b` are ordered in the list.
    fn compare(&self, a: &V, b: &V) -> std::cmp::Ordering;
}

/// The arguments that choose a page of a list: `after`, `before`, `first`, `last`.
pub(crate) type Page = (Option<String>, Option<String>, Option<i32>, Option<i32>);

/// A page of a list: the views `filter` keeps (all without one), in `order` (its default
/// without one), wrapped as GraphQL objects.
pub(crate) async fn list<V: Keyed, T: async_graphql::OutputType>(
    views: Vec<V>,
    filter: Option<impl Filter<V>>,
    order: Option<impl Order<V>>,
    wrap: impl Fn(V) -> T,
    (after, before, first, last): Page,
) -> ApiResult<ListConnection<T>> {
    let (filter, order) = (filter.unwrap_or_default(), order.unwrap_or_default());
    filter.check()?;
    let items = select(
        views,
        |v| filter.matches(v),
        |a, b| order.compare(a, b),
        wrap,
    );
    paginate(items, after, before, first, last).await
}

/// A cursor argument, parsed: a client's malformed cursor is its mistake (`INVALID_CURSOR`,
/// naming the argument), never a fault of the server.
pub(crate) fn cursor_of<T: CursorType>(
    argument: &str,
    cursor: Option<&str>,
) -> ApiResult<Option<T>> {
    cursor
        .map(|c| {
            T::decode_cursor(c).map_err(|_| {
                crate::errors::client_error_for(
                    "INVALID_CURSOR",
                    format!("`{argument}` is not a cursor of this list"),
                    argument,
                )
            })
        })
        .transpose()
}

/// A cursor that is a global position of the log (the audit log, timelines, subscriptions):
/// a whole number from 0 (before the first event); anything else is `INVALID_CURSOR`, naming
/// the argument.
pub(crate) fn position_cursor(argument: &str, cursor: Option<&str>) -> ApiResult<Option<i64>> {
    cursor
        .map(|c| match c.parse::<i64>() {
            Ok(position) if position >= 0 => Ok(position),
            _ => Err(crate::errors::client_error_for(
                "INVALID_CURSOR",
                format!("`{argument}` is not a position of the log (a whole number from 0)"),
                argument,
            )),
        })
        .transpose()
}

/// Pages a list of keyed items (first/after, last/before), at most `MAX_PAGE` items.
pub async fn paginate<T: async_graphql::OutputType>(
    items: Vec<(uuid::Uuid, T)>,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> ApiResult<ListConnection<T>> {
    for (name, value) in [("first", first), ("last", last)] {
        if let Some(n) = value {
            if n < 0 || n as usize > MAX_PAGE {
                return Err(crate::errors::client_error_for(
                    "PAGE_TOO_LARGE",
                    format!("`{name}` must be between 0 and {MAX_PAGE}"),
                    name,
                ));
            }
        }
    }
    // Where a cursor's item stands now: at its place still (the usual case), else wherever
    // the list holds it now, else (gone) its place.
    let place = |OpaqueCursor((index, key)): ListCursor| match items.get(index) {
        Some((at, _)) if *at == key => index,
        _ => items.iter().position(|(at, _)| *at == key).unwrap_or(index),
    };
    let after_place = cursor_of::<ListCursor>("after", after.as_deref())?.map(place);
    let before_place = cursor_of::<ListCursor>("before", before.as_deref())?.map(place);
    let total = items.len();
    async_graphql::connection::query(
        after,
        before,
        first,
        last,
        |_: Option<ListCursor>, _: Option<ListCursor>, first, last| async move {
            let mut start = after_place.map_or(0, |at| at.saturating_add(1)).min(total);
            let mut end = before_place.map_or(total, |at| at).min(total).max(start);
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
                    .map(|(i, (key, item))| Edge::new(OpaqueCursor((i, key)), item)),
            );
            Ok::<_, async_graphql::Error>(connection)
        },
    )
    .await
}

/// Ascending or descending.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

pub(crate) fn directed(
    ordering: std::cmp::Ordering,
    direction: OrderDirection,
) -> std::cmp::Ordering {
    match direction {
        OrderDirection::Asc => ordering,
        OrderDirection::Desc => ordering.reverse(),
    }
}

pub(crate) fn contains(haystack: &str, needle: &Option<String>) -> bool {
    needle
        .as_ref()
        .is_none_or(|n| haystack.to_lowercase().contains(&n.to_lowercase()))
}

/// Dates first, missing dates last, in either direction of the dates.
pub(crate) fn dated<T: Ord>(a: Option<T>, b: Option<T>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// The lists' keys: an id, or a member's organization (one per network's list).
macro_rules! keyed_by {
    ($($view:ty => $key:ident),* $(,)?) => {$(
        impl Keyed for $view {
            fn key(&self) -> uuid::Uuid {
                self.$key.0
            }
        }
    )*};
}

keyed_by! {
    projections::views::OrganizationView => id,
    projections::views::NetworkView => id,
    projections::views::ProtocolView => id,
    projections::views::MeetingView => id,
    projections::views::CommitmentView => id,
    projections::views::MembershipView => organization,
}
