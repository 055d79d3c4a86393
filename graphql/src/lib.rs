//! The API boundary: the GraphQL schema over the read side and the command service, its
//! limits, error masking, and the axum router (`POST /graphql`; GraphiQL on `GET /graphql`).

#![recursion_limit = "256"]

pub mod auth;
pub mod commitment;
pub mod enums;
pub mod errors;
pub mod history;
pub mod ids;
pub mod lens;
pub mod log;
pub mod meeting;
pub mod mutation;
pub mod network;
pub mod node;
pub mod organization;
pub mod pagination;
pub mod person;
pub mod personal;
mod prelude;
pub mod protocol;
pub mod query;
pub mod reports;
pub mod subscription;
pub mod viewer;
pub mod working_group;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::http::GraphiQLSource;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Context, Data, Response, Schema, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use projections::queries::ReadModels;
use projections::store::Store;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use auth::{AuthConfig, Principal};
pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

/// The result type of resolvers.
pub type ApiResult<T> = async_graphql::Result<T>;

/// A per-request batch loader of organizations (its cache lives as long as the request).
fn organization_loader(
    state: &ApiState,
) -> async_graphql::dataloader::DataLoader<organization::OrganizationLoader> {
    async_graphql::dataloader::DataLoader::new(
        organization::OrganizationLoader(state.read.clone()),
        tokio::spawn,
    )
}

/// The schema served.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// What resolvers reach through the context.
#[derive(Clone)]
pub struct ApiState {
    pub store: Store,
    pub read: ReadModels,
    /// How long a mutation waits for the read side to show its own events.
    pub read_your_writes: Duration,
    /// The public key (hex) that verifies this deployment's checkpoints and reports.
    pub public_key: Option<String>,
    /// The key that signs reports.
    pub signer: Option<projections::integrity::Signer>,
}

impl ApiState {
    pub fn new(store: Store) -> Self {
        Self {
            read: ReadModels::new(store.clone()),
            store,
            read_your_writes: Duration::from_secs(5),
            public_key: None,
            signer: None,
        }
    }

    /// Signs reports with `signer` and publishes its public key.
    pub fn with_signer(mut self, signer: projections::integrity::Signer) -> Self {
        self.public_key = Some(signer.public_key_hex());
        self.signer = Some(signer);
        self
    }
}

/// The read side, from a resolver's context.
pub fn read<'a>(ctx: &'a Context<'_>) -> &'a ReadModels {
    &ctx.data_unchecked::<ApiState>().read
}

/// The limits and switches of one deployment.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub graphiql: bool,
    pub introspection: bool,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// How long a WebSocket client has to send `connection_init` (then: close 4408).
    pub connection_init_timeout: Duration,
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
            max_complexity: 2_000,
            max_body_bytes: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            connection_init_timeout: Duration::from_secs(10),
            max_projection_lag: 10_000,
            auth: AuthConfig::default(),
        }
    }
}

/// The `Idempotency-Key` header of a request: a mutation retried with the same key (and the
/// same input) answers with its first outcome and writes nothing. Each mutation field of the
/// request uses the key with its field name appended, so one request may hold several
/// different mutations.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub String);

/// Masks every error that is not a deliberate, typed one: the client gets an id to quote, the
/// log gets the details. Deliberate errors carry an `extensions.code`.
struct MaskInternalErrors;

impl ExtensionFactory for MaskInternalErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(MaskInternalErrorsExtension)
    }
}

struct MaskInternalErrorsExtension;

#[async_trait::async_trait]
impl Extension for MaskInternalErrorsExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        for error in response.errors.iter_mut() {
            mask(error);
        }
        response
    }
}

fn mask(error: &mut ServerError) {
    let deliberate = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if deliberate {
        return;
    }
    let id = uuid::Uuid::new_v4();
    tracing::error!(error_id = %id, message = %error.message, path = ?error.path, "internal error");
    error.message = format!("internal error; quote {id} to the operator");
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "INTERNAL");
    extensions.set("errorId", id.to_string());
    error.extensions = Some(extensions);
    error.source = None;
}

/// A deliberate client error with a code (not masked).
pub fn client_error(code: &str, message: impl Into<String>) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

/// Builds the schema with the deployment's limits.
pub fn build_schema(state: ApiState, config: &ApiConfig) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription)
        .data(state)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
        .extension(MaskInternalErrors);
    if !config.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema without data, for introspection and contract tests.
pub fn build_schema_without_state() -> AppSchema {
    Schema::build(Query::default(), Mutation::default(), Subscription).finish()
}

/// The SDL, sorted, as checked in under `schemas/graphql/`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .finish()
        .sdl_with_options(
            async_graphql::SDLExportOptions::new()
                .sorted_fields()
                .sorted_enum_items(),
        )
}

#[derive(Clone)]
struct RouterState {
    schema: AppSchema,
    graphiql: bool,
    init_timeout: Duration,
    state: ApiState,
    max_lag: i64,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    auth: Arc<AuthConfig>,
}

/// Installs the process-wide Prometheus recorder once; later calls share it.
pub fn metrics_handle() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .ok()?
                .install_recorder()
                .ok()
        })
        .clone()
}

/// A label for an operation name that keeps the metric's cardinality bounded.
fn operation_label(name: Option<&str>) -> String {
    match name {
        Some(n) if n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            n.to_owned()
        }
        Some(_) => "other".to_owned(),
        None => "anonymous".to_owned(),
    }
}

async fn metrics_endpoint(State(state): State<RouterState>) -> axum::response::Response {
    let Some(handle) = &state.metrics else {
        return (StatusCode::NOT_FOUND, "metrics are not enabled").into_response();
    };
    if let Ok(position) = state.state.read.position().await {
        metrics::gauge!("governance_projection_position").set(position as f64);
    }
    if let Ok(lag) = state.state.read.lag().await {
        metrics::gauge!("governance_projection_lag_events").set(lag as f64);
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        handle.render(),
    )
        .into_response()
}

/// Ready: the database answers and the read side is within the lag bound.
async fn readyz(State(state): State<RouterState>) -> axum::response::Response {
    match state.state.read.lag().await {
        Ok(lag) if lag <= state.max_lag => (StatusCode::OK, "ready").into_response(),
        Ok(lag) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: the read side is {lag} events behind"),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database is unreachable",
            )
                .into_response()
        }
    }
}

async fn graphql_post(
    State(state): State<RouterState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> axum::response::Response {
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let principal = match auth::authenticate(&state.state.store, &state.auth, authorization).await {
        Ok(principal) => principal,
        Err(e) => return unauthenticated(&e),
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(|k| IdempotencyKey(k.to_owned()));
    let mut request = request
        .into_inner()
        .data(viewer::Viewer::new(principal.clone()))
        .data(principal)
        .data(organization_loader(&state.state));
    if let Some(key) = key {
        request = request.data(key);
    }
    // The operation's name: as sent, or the single named operation of the document.
    let named =
        request.operation_name.clone().or_else(|| {
            match async_graphql::parser::parse_query(&request.query)
                .ok()?
                .operations
            {
                async_graphql::parser::types::DocumentOperations::Single(_) => None,
                async_graphql::parser::types::DocumentOperations::Multiple(ops)
                    if ops.len() == 1 =>
                {
                    ops.keys().next().map(|n| n.to_string())
                }
                async_graphql::parser::types::DocumentOperations::Multiple(_) => None,
            }
        });
    let operation = operation_label(named.as_deref());
    let started = std::time::Instant::now();
    let response = state.schema.execute(request).await;
    metrics::histogram!("governance_graphql_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    GraphQLResponse::from(response).into_response()
}

/// 401 with a GraphQL error body naming what is wrong with the token.
fn unauthenticated(error: &auth::AuthError) -> axum::response::Response {
    let status = match error {
        auth::AuthError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNAUTHORIZED,
    };
    (
        status,
        [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
        axum::Json(serde_json::json!({
            "errors": [{"message": error.to_string(), "extensions": {"code": error.code()}}]
        })),
    )
        .into_response()
}

async fn graphql_get(
    State(state): State<RouterState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::extract::FromRequestParts;
    let (mut parts, _) = request.into_parts();
    let uri = parts.uri.clone();
    let wants_websocket = parts
        .headers
        .get(axum::http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_websocket {
        let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &state).await {
            Ok(protocol) => protocol,
            Err(rejection) => return rejection.into_response(),
        };
        let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(upgrade) => upgrade,
            Err(rejection) => return rejection.into_response(),
        };
        return upgrade
            .protocols(ALL_WEBSOCKET_PROTOCOLS)
            .on_upgrade(move |socket| websocket(socket, state, protocol))
            .into_response();
    }
    if uri.query().is_some_and(|q| q.contains("query=")) {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            "GraphQL operations are executed by POST only",
        )
            .into_response();
    }
    if !state.graphiql {
        return (StatusCode::METHOD_NOT_ALLOWED, "GraphQL is served by POST").into_response();
    }
    Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response()
}

async fn close(
    mut sink: futures::stream::SplitSink<WebSocket, Message>,
    code: u16,
    reason: &'static str,
) {
    use futures::SinkExt;
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// graphql-transport-ws with the protocol's own close codes, which async-graphql lacks: no
/// `connection_init` in time closes with 4408, an init whose token is refused with 4403. The accepted init is handed on to async-graphql unchanged.
async fn websocket(socket: WebSocket, state: RouterState, protocol: GraphQLProtocol) {
    use futures::StreamExt;
    let (sink, mut stream) = socket.split();
    let first = match tokio::time::timeout(state.init_timeout, stream.next()).await {
        Err(_) => return close(sink, 4408, "Connection initialisation timeout").await,
        Ok(None) | Ok(Some(Err(_))) => return,
        Ok(Some(Ok(message))) => message,
    };
    let init: Option<serde_json::Value> = match &first {
        Message::Text(text) => serde_json::from_str(text.as_str()).ok(),
        _ => None,
    };
    let Some(init) = init.filter(|m| m["type"] == "connection_init") else {
        return close(sink, 4400, "Expected connection_init").await;
    };
    // The token: `{"authorization": "Bearer …"}` (or `{"token": "…"}`) in the init payload.
    let payload = &init["payload"];
    let authorization = payload["authorization"]
        .as_str()
        .or(payload["Authorization"].as_str())
        .map(str::to_owned)
        .or_else(|| payload["token"].as_str().map(|t| format!("Bearer {t}")));
    let principal =
        match auth::authenticate(&state.state.store, &state.auth, authorization.as_deref()).await {
            Ok(principal) => principal,
            Err(_) => return close(sink, 4403, "Forbidden").await,
        };
    let mut data = Data::default();
    data.insert(viewer::Viewer::new(principal.clone()));
    data.insert(principal);
    let replay = futures::stream::once(async move { Ok(first) }).chain(stream);
    GraphQLWebSocket::new_with_pair(sink, replay, state.schema, protocol)
        .with_data(data)
        .serve()
        .await;
}

/// The HTTP router: `POST /graphql` executes one operation (batches are refused); `GET
/// /graphql` upgrades to graphql-transport-ws for subscriptions, otherwise serves GraphiQL when
/// enabled and never executes a query; `GET /healthz` (process up), `GET /readyz` (database
/// reachable, read side within its lag bound), `GET /metrics` (Prometheus).
pub fn router(state: ApiState, config: &ApiConfig) -> Router {
    let schema = build_schema(state.clone(), config);
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_endpoint))
        .with_state(RouterState {
            schema,
            graphiql: config.graphiql,
            init_timeout: config.connection_init_timeout,
            state,
            max_lag: config.max_projection_lag,
            metrics: metrics_handle(),
            auth: Arc::new(config.auth.clone()),
        })
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        // Every request gets an id (or keeps the caller's `x-request-id`), returned in the
        // response and carried by every log line of its span.
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |request: &axum::http::Request<axum::body::Body>| {
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                },
            ),
        )
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
}
