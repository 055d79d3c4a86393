//! The root fields over services: the public directory (anonymous callers see what the
//! networks publish), coverage gaps, the coordinators' stale entries, and the reference list
//! of municipalities.

use aggregates::ids::NetworkId;
use chrono::NaiveDate;
use projections::store::municipalities::Municipality as Row;
use projections::views::{ServiceStatus as Status, ServiceView};

use super::object::{municipalities, sees_service, Municipality};
use crate::errors::client_error_for;
use crate::graph::Service;
use crate::ids::uuid_of;
use crate::prelude::*;

/// At most this many municipalities answer a search.
const SEARCH_MAX: usize = 100;

/// The municipality an argument names: its ISTAT code, or its name when only one
/// municipality has it.
async fn municipality_named(ctx: &Context<'_>, argument: &str, value: &str) -> ApiResult<Row> {
    let list = municipalities(ctx).await?;
    if let Some(m) = list.get(value) {
        return Ok(m.clone());
    }
    match list.named(value).as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(client_error_for(
            "UNKNOWN_MUNICIPALITY",
            format!("{argument}: no municipality has the ISTAT code or name {value:?}"),
            argument,
        )),
        several => Err(client_error_for(
            "AMBIGUOUS_MUNICIPALITY",
            format!(
                "{argument}: several municipalities are named {value:?}; give the ISTAT code of one of {}",
                several
                    .iter()
                    .map(|m| format!("{} ({})", m.istat_code, m.province_abbreviation))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            argument,
        )),
    }
}

/// Whether a service is in the kinds asked for (all when none).
fn of_kinds(view: &ServiceView, kinds: &Option<Vec<ServiceKind>>) -> bool {
    kinds.as_ref().is_none_or(|kinds| {
        kinds
            .iter()
            .any(|k| aggregates::service::ServiceKind::from(*k) == view.details.kind)
    })
}

/// The services the viewer may read, as known at the lens's position.
async fn readable_services(ctx: &Context<'_>, at: Lens) -> ApiResult<Vec<ServiceView>> {
    let mut seen = vec![];
    for view in read(ctx).services(at.known).await? {
        if sees_service(ctx, &view).await? {
            seen.push(view);
        }
    }
    Ok(seen)
}

/// Whether a service serves `code` on `day` (open, or suspended when `suspended` counts).
fn serves(view: &ServiceView, code: &str, day: NaiveDate, suspended: bool) -> bool {
    view.on(day).is_some_and(|p| {
        (p.status == Status::Open || (suspended && p.status == Status::Suspended))
            && p.territory.iter().any(|c| c.as_str() == code)
    })
}

/// The root fields over services.
#[derive(Default)]
pub struct ServiceQuery;

#[Object]
impl ServiceQuery {
    /// The services for a municipality: those whose territory includes it and that are open or
    /// suspended (shown with the expected reopening) on the business date. Anonymous callers
    /// see what public networks list in their public directory.
    async fn services_for(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The municipality: its six-digit ISTAT code, or its name.")]
        municipality: String,
        #[graphql(desc = "Only these kinds of service (default: all).")] kinds: Option<
            Vec<ServiceKind>,
        >,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(desc = "The business date (default: today).")] effective_on: Option<Date>,
    ) -> ApiResult<Vec<Service>> {
        let place = municipality_named(ctx, "municipality", &municipality).await?;
        let at = lens(ctx, as_of, effective_on).await?;
        let day = at.day();
        Ok(readable_services(ctx, at)
            .await?
            .into_iter()
            .filter(|v| of_kinds(v, &kinds) && serves(v, &place.istat_code, day, true))
            .map(|view| Service { view, at })
            .collect())
    }

    /// The municipalities of a province that no open service of the given kinds serves on the
    /// business date (by default: no anti-violence centre), counting the services of one
    /// network or of every network the caller can read.
    async fn coverage_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The province: its three-digit ISTAT code or its abbreviation (PV).")]
        province: String,
        #[graphql(desc = "The kinds of service that count (default: ANTI_VIOLENCE_CENTRE).")]
        kinds: Option<Vec<ServiceKind>>,
        #[graphql(desc = "Count only this network's services (default: every readable one).")]
        network: Option<ID>,
        #[graphql(desc = "Read the state as known at this recorded instant (default: now).")]
        as_of: Option<DateTime<Utc>>,
        #[graphql(desc = "The business date (default: today).")] effective_on: Option<Date>,
    ) -> ApiResult<Vec<Municipality>> {
        let at = lens(ctx, as_of, effective_on).await?;
        let day = at.day();
        let list = municipalities(ctx).await?;
        let in_province = list.of_province(&province, day);
        if in_province.is_empty() {
            return Err(client_error_for(
                "UNKNOWN_PROVINCE",
                format!("province: no province has the ISTAT code or abbreviation {province:?}"),
                "province",
            ));
        }
        let network = match network {
            Some(id) => Some(NetworkId(uuid_of(&id, NodeKind::Network, "network")?)),
            None => None,
        };
        let kinds = Some(kinds.unwrap_or_else(|| vec![ServiceKind::AntiViolenceCentre]));
        let counted: Vec<ServiceView> = readable_services(ctx, at)
            .await?
            .into_iter()
            .filter(|v| network.is_none_or(|n| v.network == n) && of_kinds(v, &kinds))
            .collect();
        Ok(in_province
            .into_iter()
            .filter(|m| !counted.iter().any(|v| serves(v, &m.istat_code, day, false)))
            .map(Municipality::from)
            .collect())
    }

    /// A network's services that are not closed and whose details nobody confirmed (or
    /// updated) within the period: a stale entry is worse than none for someone looking for
    /// help. For those who read the network in full.
    async fn stale_services(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The network.")] network: ID,
        #[graphql(desc = "Stale when not confirmed for more than this many days (default 365).")]
        not_confirmed_for_days: Option<i32>,
        #[graphql(desc = "The date staleness is judged on (default: today).")] on: Option<Date>,
    ) -> ApiResult<Vec<Service>> {
        let network = NetworkId(uuid_of(&network, NodeKind::Network, "network")?);
        let days = not_confirmed_for_days.unwrap_or(365);
        if !(1..=36_500).contains(&days) {
            return Err(client_error_for(
                "INVALID_VALUE",
                "notConfirmedForDays: must be between 1 and 36500",
                "notConfirmedForDays",
            ));
        }
        crate::viewer::require_full(ctx, network).await?;
        let at = Lens {
            known: AsOf::Now,
            on: on.map(NaiveDate::from),
        };
        let day = at.day();
        let limit = day - chrono::Duration::days(i64::from(days));
        Ok(read(ctx)
            .services_of(network, AsOf::Now)
            .await?
            .into_iter()
            .filter(|v| {
                v.current().is_some_and(|p| p.status != Status::Closed) && v.confirmed_on < limit
            })
            .map(|view| Service { view, at })
            .collect())
    }

    /// Municipalities of the ISTAT reference list whose name starts with the text (or whose
    /// code is it), existing ones first.
    async fn municipalities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The start of a name, or an ISTAT code.")] search: String,
        #[graphql(desc = "At most this many (default 20, at most 100).")] first: Option<i32>,
    ) -> ApiResult<Vec<Municipality>> {
        let first = first.unwrap_or(20);
        if !(0..=SEARCH_MAX as i32).contains(&first) {
            return Err(client_error_for(
                "PAGE_TOO_LARGE",
                format!("first: at most {SEARCH_MAX}"),
                "first",
            ));
        }
        let list = municipalities(ctx).await?;
        let wanted = projections::store::municipalities::fold_name(&search);
        if wanted.is_empty() {
            return Ok(vec![]);
        }
        let mut found: Vec<&Row> = list
            .all()
            .iter()
            .filter(|m| {
                m.istat_code == search.trim()
                    || projections::store::municipalities::fold_name(&m.name).starts_with(&wanted)
            })
            .collect();
        found.sort_by_key(|m| (m.suppressed_on.is_some(), m.name.clone()));
        Ok(found
            .into_iter()
            .take(first as usize)
            .map(Municipality::from)
            .collect())
    }
}
