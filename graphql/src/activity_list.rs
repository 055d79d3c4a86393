//! The lists of activities that `Network` and `WorkingGroup` serve: below both, and below the
//! activity's own object (which links back to its network and working group).

use projections::views::ActivityView;

use crate::graph::Activity;
use crate::prelude::*;

/// The filters of an activity list.
pub(crate) struct ActivityFilter {
    pub working_group: Option<aggregates::ids::WorkingGroupId>,
    pub kinds: Option<Vec<ActivityKind>>,
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub include_cancelled: bool,
}

/// The activities of a network that pass `filter`, oldest first, for those who read the
/// network in full.
pub(crate) async fn activities_of(
    ctx: &Context<'_>,
    network: aggregates::ids::NetworkId,
    filter: ActivityFilter,
    at: Lens,
) -> ApiResult<Vec<Activity>> {
    crate::viewer::require_full(ctx, network).await?;
    if let (Some(from), Some(until)) = (filter.from, filter.until) {
        if until.0 < from.0 {
            return Err(crate::errors::client_error_for(
                "BAD_USER_INPUT",
                "`until` must not be before `from`".to_owned(),
                "until",
            ));
        }
    }
    let mut list: Vec<ActivityView> = read(ctx)
        .activities(network, at.known)
        .await?
        .into_iter()
        .filter(|a| filter.include_cancelled || a.cancelled_on.is_none())
        .filter(|a| {
            filter
                .working_group
                .is_none_or(|g| a.working_group == Some(g))
        })
        .filter(|a| {
            filter.kinds.as_ref().is_none_or(|kinds| {
                kinds
                    .iter()
                    .any(|k| aggregates::activity::ActivityKind::from(*k) == a.details.kind)
            })
        })
        .filter(|a| a.overlaps(filter.from.map(|d| d.0), filter.until.map(|d| d.0)))
        .collect();
    list.sort_by_key(|a| (a.details.starts_on, a.id));
    Ok(list.into_iter().map(|view| Activity { view, at }).collect())
}
