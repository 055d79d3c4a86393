//! The roots of the schema, each merged from one root per aggregate and the shared ones, and the
//! access rule of every mutation (each declared in the mutation's own module). `asOf` (a
//! recorded instant) and `effectiveOn` (a business date) on the root query's entry points select
//! the lens for everything below them.

use crate::auth::{MutationRule, Rule};

/// The root query: current state, state as known at a past instant, history.
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(
    crate::node::NodeQuery,
    crate::organization::OrganizationQuery,
    crate::network::NetworkQuery,
    crate::protocol::ProtocolQuery,
    crate::service::ServiceQuery,
    crate::log::LogQuery,
);

// Merged from one root per aggregate.
/// The root mutation: one mutation per command.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(
    crate::organization::OrganizationMutation,
    crate::network::NetworkMutation,
    crate::protocol::ProtocolMutation,
    crate::commitment::CommitmentMutation,
    crate::working_group::WorkingGroupMutation,
    crate::meeting::MeetingMutation,
    crate::person::PersonMutation,
    crate::service::ServiceMutation,
    crate::indicator_set::IndicatorSetMutation,
    crate::activity::ActivityMutation,
    crate::plan::PlanMutation,
    crate::meeting_series::MeetingSeriesMutation,
);

/// The access rule of every mutation, by field name.
pub fn rules() -> impl Iterator<Item = &'static MutationRule> {
    [
        crate::organization::RULES,
        crate::network::RULES,
        crate::protocol::RULES,
        crate::commitment::RULES,
        crate::working_group::RULES,
        crate::meeting::RULES,
        crate::person::RULES,
        crate::service::RULES,
        crate::indicator_set::RULES,
        crate::activity::RULES,
        crate::plan::RULES,
        crate::meeting_series::RULES,
    ]
    .into_iter()
    .flatten()
}

/// The rule of a mutation, by field name (each is declared in the mutation's own module). A
/// mutation missing here is refused to everyone (and fails the authorization matrix test).
pub fn rule_of(mutation: &str) -> Option<Rule> {
    rules().find(|r| r.mutation == mutation).map(|r| r.rule)
}
