//! The `filter` and `orderBy` inputs of lists of meeting objects.

use async_graphql::InputObject;

use crate::enums::*;
use crate::pagination::{directed, Filter, Order, OrderDirection};
use chrono::{DateTime, Utc};

/// Narrows a list of meetings.
#[derive(InputObject, Default)]
pub struct MeetingFilter {
    /// Only this kind.
    pub kind: Option<MeetingKind>,
    /// Only this status.
    pub state: Option<MeetingStatus>,
    /// Deprecated: `state` takes the same as an enum. Only this status (SCHEDULED, OPEN, CLOSED, CANCELLED), in any letter case. A name that is no status
    /// is refused.
    pub status: Option<String>,
    /// Only meetings starting at or after this instant.
    pub starts_from: Option<DateTime<Utc>>,
    /// Only meetings starting before this instant.
    pub starts_until: Option<DateTime<Utc>>,
    /// Only public (true) or non-public (false) meetings.
    pub public: Option<bool>,
}

impl Filter<projections::views::MeetingView> for MeetingFilter {
    fn check(&self) -> async_graphql::Result<()> {
        status_named::<MeetingStatus>(&self.status)
    }
    fn matches(&self, m: &projections::views::MeetingView) -> bool {
        self.kind
            .is_none_or(|k| aggregates::meeting::MeetingKind::from(k) == m.kind)
            && self.state.is_none_or(|s| same_status(&s, &m.status))
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&wire_name(&m.status)))
            && self.starts_from.is_none_or(|t| m.starts_at >= t)
            && self.starts_until.is_none_or(|t| m.starts_at < t)
            && self.public.is_none_or(|p| p == m.public)
    }
}

/// What meetings are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MeetingOrderField {
    /// By start.
    #[default]
    StartsAt,
    /// By title.
    Title,
}

/// The order of a list of meetings.
#[derive(InputObject, Default)]
pub struct MeetingOrder {
    /// The field.
    #[graphql(default)]
    pub field: MeetingOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl Order<projections::views::MeetingView> for MeetingOrder {
    fn compare(
        &self,
        a: &projections::views::MeetingView,
        b: &projections::views::MeetingView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            MeetingOrderField::StartsAt => a.starts_at.cmp(&b.starts_at),
            MeetingOrderField::Title => a.title.as_str().cmp(b.title.as_str()),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}
