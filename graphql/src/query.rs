//! The root query, merged from one root per aggregate and the shared ones. `asOf` (a recorded
//! instant) and `effectiveOn` (a business date) on the root entry points select the lens for
//! everything below them.

/// The root query: current state, state as known at a past instant, history.
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(
    crate::node::NodeQuery,
    crate::organization::OrganizationQuery,
    crate::network::NetworkQuery,
    crate::protocol::ProtocolQuery,
    crate::log::LogQuery,
);
