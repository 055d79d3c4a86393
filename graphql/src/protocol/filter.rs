//! The `filter` and `orderBy` inputs of lists of protocol objects.

use async_graphql::InputObject;

use crate::enums::*;
use crate::pagination::{directed, Filter, Order, OrderDirection};

/// Narrows a list of protocols.
#[derive(InputObject, Default)]
pub struct ProtocolFilter {
    /// Only this kind.
    pub kind: Option<ProtocolKind>,
    /// Only this status.
    pub state: Option<ProtocolStatus>,
    /// Deprecated: `state` takes the same as an enum. Only this status (DRAFT, PUBLISHED, OPEN_FOR_SIGNATURE, IN_FORCE, EXPIRED, SUPERSEDED), in any letter case. A name that is no status
    /// is refused.
    pub status: Option<String>,
    /// Only protocols with a version in force.
    pub in_force: Option<bool>,
}

impl Filter<projections::views::ProtocolView> for ProtocolFilter {
    fn check(&self) -> async_graphql::Result<()> {
        status_named::<ProtocolStatus>(&self.status)
    }
    fn matches(&self, p: &projections::views::ProtocolView) -> bool {
        self.kind
            .is_none_or(|k| aggregates::protocol::ProtocolKind::from(k) == p.kind)
            && self.state.is_none_or(|s| same_status(&s, &p.status))
            && self
                .status
                .as_ref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&wire_name(&p.status)))
            && self
                .in_force
                .is_none_or(|f| f == p.in_force_version.is_some())
    }
}

/// What protocols are ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ProtocolOrderField {
    /// By the title of the current version.
    #[default]
    Title,
    /// By the number of the current version.
    CurrentVersion,
}

/// The order of a list of protocols.
#[derive(InputObject, Default)]
pub struct ProtocolOrder {
    /// The field.
    #[graphql(default)]
    pub field: ProtocolOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl Order<projections::views::ProtocolView> for ProtocolOrder {
    fn compare(
        &self,
        a: &projections::views::ProtocolView,
        b: &projections::views::ProtocolView,
    ) -> std::cmp::Ordering {
        let title = |p: &projections::views::ProtocolView| {
            p.versions
                .last()
                .map(|v| v.title.as_str().to_owned())
                .unwrap_or_default()
        };
        let ordering = match self.field {
            ProtocolOrderField::Title => title(a).cmp(&title(b)),
            ProtocolOrderField::CurrentVersion => a.current_version.cmp(&b.current_version),
        };
        directed(ordering.then(a.id.cmp(&b.id)), self.direction)
    }
}
