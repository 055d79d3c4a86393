//! The `filter` and `orderBy` inputs of lists of commitment objects.

use crate::scalars::Date;
use async_graphql::{InputObject, ID};

use crate::enums::{same_status, wire_name, CommitmentStatus};
use crate::pagination::{dated, directed, Order, OrderDirection};

/// Narrows a list of commitments.
#[derive(InputObject, Default)]
pub struct CommitmentFilter {
    /// Only this status.
    pub state: Option<CommitmentStatus>,
    /// Deprecated: `state` takes the same as an enum. Only this status (OPEN, IN_PROGRESS, FULFILLED, WAIVED, CANCELLED), in any letter case. A name that is no status
    /// is refused.
    pub status: Option<String>,
    /// Only those owed by this organization.
    pub obligor: Option<ID>,
    /// Only those overdue on this date.
    pub overdue_on: Option<Date>,
}

impl CommitmentFilter {
    pub(crate) fn matches(
        &self,
        c: &projections::views::CommitmentView,
        obligor: Option<uuid::Uuid>,
    ) -> bool {
        self.state.is_none_or(|s| same_status(&s, &c.status))
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&wire_name(&c.status)))
            && obligor.is_none_or(|o| o == c.obligor.as_uuid())
            && self.overdue_on.is_none_or(|day| c.is_overdue(day.0))
    }
}

/// What commitments are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum CommitmentOrderField {
    /// By due date (those without one last).
    #[default]
    DueOn,
    /// By the date they were taken on.
    CreatedOn,
    /// By title.
    Title,
}

/// The order of a list of commitments.
#[derive(InputObject, Default)]
pub struct CommitmentOrder {
    /// The field.
    #[graphql(default)]
    pub field: CommitmentOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl Order<projections::views::CommitmentView> for CommitmentOrder {
    fn compare(
        &self,
        a: &projections::views::CommitmentView,
        b: &projections::views::CommitmentView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            CommitmentOrderField::DueOn => dated(a.due_on, b.due_on),
            CommitmentOrderField::CreatedOn => a.created_on.cmp(&b.created_on),
            CommitmentOrderField::Title => a.title.as_str().cmp(b.title.as_str()),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}
