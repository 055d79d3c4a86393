//! The API boundary: the GraphQL schema over the read side and the command service, its
//! limits, error masking, and the axum router (`POST /graphql`; GraphiQL on `GET /graphql`).

#![recursion_limit = "256"]

pub mod activity;
mod activity_list;
pub mod answer;
pub mod auth;
mod checks;
mod coercion;
pub mod commitment;
pub mod config;
pub mod enums;
pub mod errors;
pub mod graph;
mod graphiql;
pub mod history;
pub mod http;
pub mod ids;
pub mod indicator_set;
pub mod introspection;
pub mod lens;
pub mod limits;
pub mod log;
pub mod meeting;
pub mod meeting_series;
pub mod mutation;
mod negotiate;
pub mod network;
pub mod node;
mod opendata;
pub mod organization;
pub mod pagination;
mod parsed;
mod persisted;
pub mod person;
pub mod personal;
pub mod plan;
mod prelude;
pub mod protocol;
pub mod reports;
pub mod root;
pub mod scalars;
pub mod schema;
pub mod serve;
pub mod service;
pub mod state;
pub mod subscription;
mod variables;
pub mod viewer;
pub mod working_group;
mod ws;

// The crate's public face, for the binary and the tests (modules inside import from the
// module that defines a name, never from here).
pub use auth::{AuthConfig, Principal};
pub use config::ApiConfig;
pub use errors::{client_error, ApiResult};
pub use http::{metrics_handle, router};
pub use root::{Mutation, Query};
pub use schema::{build_schema, build_schema_without_state, sdl, AppSchema};
pub use serve::serve;
pub use state::{read, ApiState, IdempotencyKey};
pub use subscription::Subscription;
