//! The `filter` and `orderBy` inputs of lists of organization objects.

use async_graphql::InputObject;

use crate::enums::*;
use crate::pagination::{contains, directed, Filter, Order, OrderDirection};

/// Narrows the list of organizations.
#[derive(InputObject, Default)]
pub struct OrganizationFilter {
    /// Only this category.
    pub category: Option<OrganizationCategory>,
    /// Only this status.
    pub state: Option<OrganizationStatus>,
    /// Deprecated: `state` takes the same as an enum. Only this status (ACTIVE, SUCCEEDED, DEACTIVATED), in any letter case. A name that is no status
    /// is refused.
    pub status: Option<String>,
    /// Only names containing this text (case-insensitive).
    pub name_contains: Option<String>,
}

impl Filter<projections::views::OrganizationView> for OrganizationFilter {
    fn check(&self) -> async_graphql::Result<()> {
        status_named::<OrganizationStatus>(&self.status)
    }
    fn matches(&self, o: &projections::views::OrganizationView) -> bool {
        self.category
            .is_none_or(|c| aggregates::values::OrganizationCategory::from(c) == o.category)
            && self.state.is_none_or(|s| same_status(&s, &o.status))
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&wire_name(&o.status)))
            && contains(o.name.as_str(), &self.name_contains)
    }
}

/// What organizations are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrganizationOrderField {
    /// By name.
    #[default]
    Name,
    /// By the time it was registered.
    RegisteredAt,
}

/// The order of the list of organizations.
#[derive(InputObject, Default)]
pub struct OrganizationOrder {
    /// The field.
    #[graphql(default)]
    pub field: OrganizationOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl Order<projections::views::OrganizationView> for OrganizationOrder {
    fn compare(
        &self,
        a: &projections::views::OrganizationView,
        b: &projections::views::OrganizationView,
    ) -> std::cmp::Ordering {
        let ordering = match self.field {
            OrganizationOrderField::Name => a.name.as_str().cmp(b.name.as_str()),
            OrganizationOrderField::RegisteredAt => a.registered_at.cmp(&b.registered_at),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}
