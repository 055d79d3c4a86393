//! The roots of the schema, each merged from one root per aggregate and the shared ones, and the
//! access rule of every mutation (each declared in the mutation's own module). `asOf` (a
//! recorded instant) and `effectiveOn` (a business date) on the root query's entry points select
//! the lens for everything below them.

use crate::auth::{MutationRule, Rule};

/// A root of the schema merged from parts (one per aggregate, and the shared ones). The parts'
/// merged object (`$parts`) gives the schema its type; the root answers a field through the one
/// part that declares it, found in a table by the field's name, instead of asking each part in
/// turn as a merged object does (a chain of nested futures, polled through every link at every
/// wake-up of the command under it).
macro_rules! routed_root {
    ($(#[$doc:meta])* $root:ident, $parts:ident, $name:literal, [$($index:tt: $part:ty),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(async_graphql::MergedObject, Default)]
        #[graphql(name = $name)]
        pub struct $parts($($part),+);

        $(#[$doc])*
        #[derive(Default)]
        pub struct $root($parts);

        impl async_graphql::resolver_utils::ContainerType for $root {
            async fn resolve_field(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::ServerResult<Option<async_graphql::Value>> {
                static ROUTES: std::sync::LazyLock<Routes> = std::sync::LazyLock::new(|| {
                    Routes::of(&[$(<$part as async_graphql::OutputType>::create_type_info),+])
                });
                match ROUTES.part_of(&ctx.item.node.name.node) {
                    $(Some($index) => self.0.$index.resolve_field(ctx).await,)+
                    _ => self.0.resolve_field(ctx).await,
                }
            }

            async fn find_entity(
                &self,
                ctx: &async_graphql::Context<'_>,
                params: &async_graphql::Value,
            ) -> async_graphql::ServerResult<Option<async_graphql::Value>> {
                self.0.find_entity(ctx, params).await
            }
        }

        impl async_graphql::OutputType for $root {
            fn type_name() -> std::borrow::Cow<'static, str> {
                <$parts as async_graphql::OutputType>::type_name()
            }

            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                <$parts as async_graphql::OutputType>::create_type_info(registry)
            }

            async fn resolve(
                &self,
                ctx: &async_graphql::ContextSelectionSet<'_>,
                _field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
            ) -> async_graphql::ServerResult<async_graphql::Value> {
                async_graphql::resolver_utils::resolve_container(ctx, self).await
            }
        }

        impl async_graphql::ObjectType for $root {}
    };
}

/// Which part of a routed root declares each field (the first, as a merged object's order).
struct Routes(std::collections::HashMap<String, usize>);

impl Routes {
    fn of(parts: &[fn(&mut async_graphql::registry::Registry) -> String]) -> Self {
        let mut registry = async_graphql::registry::Registry::default();
        let mut routes = std::collections::HashMap::new();
        for (index, create) in parts.iter().enumerate() {
            let name = create(&mut registry);
            if let Some(async_graphql::registry::MetaType::Object { fields, .. }) =
                registry.types.get(&name)
            {
                for field in fields.keys() {
                    routes.entry(field.clone()).or_insert(index);
                }
            }
        }
        Self(routes)
    }

    fn part_of(&self, field: &str) -> Option<usize> {
        self.0.get(field).copied()
    }
}

routed_root!(
    /// The root query: current state, state as known at a past instant, history.
    Query,
    QueryParts,
    "Query",
    [
        0: crate::node::NodeQuery,
        1: crate::organization::OrganizationQuery,
        2: crate::network::NetworkQuery,
        3: crate::protocol::ProtocolQuery,
        4: crate::service::ServiceQuery,
        5: crate::log::LogQuery,
    ]
);

routed_root!(
    /// The root mutation: one mutation per command.
    Mutation,
    MutationParts,
    "Mutation",
    [
        0: crate::organization::OrganizationMutation,
        1: crate::network::NetworkMutation,
        2: crate::protocol::ProtocolMutation,
        3: crate::commitment::CommitmentMutation,
        4: crate::working_group::WorkingGroupMutation,
        5: crate::meeting::MeetingMutation,
        6: crate::person::PersonMutation,
        7: crate::service::ServiceMutation,
        8: crate::indicator_set::IndicatorSetMutation,
        9: crate::activity::ActivityMutation,
        10: crate::plan::PlanMutation,
        11: crate::meeting_series::MeetingSeriesMutation,
    ]
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
