//! The read lens: what a root field's `asOf` (state as known at a recorded instant) and
//! `effectiveOn` (a business date) select, carried down to every object below it.

use crate::scalars::Date;
use async_graphql::Context;
use chrono::{DateTime, NaiveDate, Utc};
use projections::queries::AsOf;

use crate::errors::ApiResult;
use crate::state::read;

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

/// The lens a root field's `asOf` and `effectiveOn` select.
pub(crate) async fn lens(
    ctx: &Context<'_>,
    instant: Option<DateTime<Utc>>,
    effective_on: Option<Date>,
) -> ApiResult<Lens> {
    Ok(Lens {
        known: as_of(ctx, instant).await?,
        on: effective_on.map(NaiveDate::from),
    })
}

async fn as_of(ctx: &Context<'_>, as_of: Option<DateTime<Utc>>) -> ApiResult<AsOf> {
    Ok(match as_of {
        None => AsOf::Now,
        Some(instant) => AsOf::Position(read(ctx).position_at(instant).await?),
    })
}
