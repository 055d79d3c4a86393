//! Building the schema: the roots, the deployment's limits, error masking, the SDL.

use async_graphql::Schema;

use crate::checks::Checks;
use crate::config::ApiConfig;
use crate::introspection::INTROSPECTION_MAX_DEPTH;
use crate::limits::Limits;
use crate::organization;
use crate::root::Mutation;
use crate::root::Query;
use crate::state::ApiState;
use crate::subscription::Subscription;

/// The schema served.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// The roots, with the descriptions of the scalars this crate does not declare itself.
fn roots() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(
            "An instant with its offset from UTC: RFC 3339's `date-time`, for example \
             `2024-12-13T09:30:00Z` or `2024-12-13T10:30:00+01:00`. An instant without an \
             offset is refused. Answers are in UTC.",
        )
}

/// A per-request batch loader of organizations (its cache lives as long as the request).
pub(crate) fn organization_loader(
    state: &ApiState,
) -> async_graphql::dataloader::DataLoader<organization::OrganizationLoader> {
    async_graphql::dataloader::DataLoader::new(
        organization::OrganizationLoader(state.read.clone()),
        tokio::spawn,
    )
}

/// Builds the schema with the deployment's limits.
pub fn build_schema(state: ApiState, config: &ApiConfig) -> AppSchema {
    let limits = Limits {
        depth: config.max_depth,
        complexity: config.max_complexity,
    };
    let mut builder = roots()
        .data(state)
        // One extension for every check (see `checks.rs`).
        .extension(Checks::new(limits));
    if !config.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema introspection operations run on (when the deployment allows introspection): it
/// answers nothing but introspection, under [`INTROSPECTION_MAX_DEPTH`] and the deployment's
/// complexity bound.
pub fn build_introspection_schema(config: &ApiConfig) -> Option<AppSchema> {
    config.introspection.then(|| {
        let limits = Limits {
            depth: INTROSPECTION_MAX_DEPTH.max(config.max_depth),
            complexity: config.max_complexity,
        };
        roots()
            .introspection_only()
            .extension(Checks::new(limits))
            .finish()
    })
}

/// The schema without data, for introspection and contract tests.
pub fn build_schema_without_state() -> AppSchema {
    roots().finish()
}

/// The SDL, sorted, as checked in under `schemas/graphql/`.
pub fn sdl() -> String {
    roots().finish().sdl_with_options(
        async_graphql::SDLExportOptions::new()
            .sorted_fields()
            .sorted_enum_items()
            .include_specified_by(),
    )
}
