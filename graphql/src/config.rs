//! The limits and switches of one deployment (the binary fills them from its command line).

use std::time::Duration;

use crate::auth::AuthConfig;

/// The limits and switches of one deployment.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub graphiql: bool,
    pub introspection: bool,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// How long a connection has to send a request's head, from the moment it opens or its
    /// previous response was sent (then it is closed: see `serve.rs`).
    pub header_read_timeout: Duration,
    /// How long a WebSocket client has to send `connection_init` (then: close 4408).
    pub connection_init_timeout: Duration,
    /// How many subscriptions one WebSocket connection may hold at once.
    pub max_subscriptions_per_connection: usize,
    /// How many WebSocket connections one authenticated principal may hold at once (one more
    /// is closed with 4429).
    pub max_connections_per_principal: usize,
    /// `/readyz` turns unready when the read side is more events behind than this.
    pub max_projection_lag: i64,
    /// How bearer tokens are checked.
    pub auth: AuthConfig,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            graphiql: true,
            introspection: true,
            max_depth: 12,
            max_complexity: 10_000,
            max_body_bytes: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(30),
            connection_init_timeout: Duration::from_secs(10),
            max_subscriptions_per_connection: 20,
            max_connections_per_principal: 10,
            max_projection_lag: 10_000,
            auth: AuthConfig::default(),
        }
    }
}
