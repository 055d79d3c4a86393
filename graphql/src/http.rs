//! HTTP: the axum router, `POST /graphql`, GraphiQL, health, readiness and metrics.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::ParseRequestError;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::auth::{self, AuthConfig};
use crate::config::ApiConfig;
use crate::introspection::is_introspection_document;
use crate::schema::{build_introspection_schema, build_schema, organization_loader, AppSchema};
use crate::state::{ApiState, IdempotencyKey};
use crate::viewer;
use crate::ws::{websocket, Connection};

/// What every route shares; axum hands each request a clone of the state, so it is one
/// reference count (the parts hold the store several times over).
pub(crate) type RouterState = Arc<RouterParts>;

pub(crate) struct RouterParts {
    pub(crate) schema: AppSchema,
    /// Where introspection operations run (None: introspection is off).
    pub(crate) introspection: Option<AppSchema>,
    pub(crate) graphiql: bool,
    pub(crate) init_timeout: Duration,
    pub(crate) max_subscriptions: usize,
    pub(crate) connections: Arc<crate::ws::Connections>,
    pub(crate) state: ApiState,
    pub(crate) max_lag: i64,
    pub(crate) metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    pub(crate) auth: Arc<AuthConfig>,
    /// Operation texts seen lately, parsed once.
    pub(crate) outlines: crate::parsed::Outlines,
    /// The texts clients sent with their hash (automatic persisted queries).
    pub(crate) persisted: crate::persisted::PersistedQueries,
    /// The labels (pid, database, state) of the transactions the last scrape of `/metrics`
    /// named as holding the log back.
    held_back_series: std::sync::Mutex<std::collections::HashSet<[String; 3]>>,
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
    // Set at each scrape as well: the image may have loaded before the recorder existed.
    if let Some(image) = state.state.store.image() {
        let (documents, bytes) = image.size();
        metrics::gauge!("governance_read_image_documents").set(documents as f64);
        metrics::gauge!("governance_read_image_bytes").set(bytes as f64);
        metrics::gauge!("governance_read_image_position").set(image.position() as f64);
    }
    // The transactions of this database holding the log back (open over a second), by pid.
    if let Ok(held) = state
        .state
        .store
        .held_back_by(std::time::Duration::from_secs(1))
        .await
    {
        metrics::gauge!("governance_log_held_back_transactions").set(held.len() as f64);
        let oldest = held.iter().map(|h| h.age.as_secs_f64()).fold(0.0, f64::max);
        metrics::gauge!("governance_log_held_back_seconds").set(oldest);
        let by = |[pid, database, state]: [String; 3]| {
            metrics::gauge!("governance_log_held_back_by_seconds",
                "pid" => pid, "database" => database, "state" => state)
        };
        let mut now = std::collections::HashSet::new();
        for h in &held {
            let labels = [h.pid.to_string(), h.database.clone(), h.state.clone()];
            by(labels.clone()).set(h.age.as_secs_f64());
            now.insert(labels);
        }
        // The recorder keeps every series it was given, with its last value: a transaction
        // that no longer holds the log back (it ended, or its state changed) reads 0, not the
        // age it had at the last scrape that saw it.
        let mut shown = state
            .held_back_series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for gone in shown.difference(&now) {
            by(gone.clone()).set(0.0);
        }
        *shown = now;
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

/// Ready: the database answers, the read side is within the lag bound, the read image (if
/// kept) is loaded, and no transaction of this database has held the log back for longer
/// than a mutation waits for its read side. Otherwise 503 with the reason, marked
/// [`NotReady`]: an answer to the probe, not a failure of the server (see [`Classify`]).
async fn readyz(State(state): State<RouterState>) -> axum::response::Response {
    match not_ready(&state).await {
        None => (StatusCode::OK, "ready").into_response(),
        Some(reason) => {
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {reason}"),
            )
                .into_response();
            response.extensions_mut().insert(NotReady);
            response
        }
    }
}

/// Why this process is not ready, if it is not.
async fn not_ready(state: &RouterState) -> Option<String> {
    match state
        .state
        .store
        .held_back_by(state.state.read_your_writes)
        .await
    {
        Ok(held) if !held.is_empty() => {
            let named: Vec<String> = held
                .iter()
                .map(|h| {
                    format!(
                        "pid {} in database {} ({}), open for {} s",
                        h.pid,
                        h.database,
                        h.state,
                        h.age.as_secs()
                    )
                })
                .collect();
            return Some(format!(
                "the log is held back by a transaction left open: {}",
                named.join("; ")
            ));
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not list the transactions holding the log"),
    }
    // Why is left to the server's log and `verify` (this answer is anyone's to read, and a
    // decoding error may quote the row).
    if let Some((position, _)) = state.state.store.stopped_at() {
        return Some(format!(
            "the read side stopped at position {position}: the event there cannot be applied \
             (the server's log says why; `governance verify` names every such row)"
        ));
    }
    if let Some((kind, id)) = state.state.store.unreadable_document() {
        return Some(format!(
            "the stored {kind} document {id} cannot be read, or is missing though the log \
             needs it: it was changed or deleted behind the application's back (`governance \
             verify` names every changed document; `governance rebuild` makes them again from \
             the log)"
        ));
    }
    if state
        .state
        .store
        .image()
        .is_some_and(|image| !image.is_live())
    {
        // It loads from the active generation: one the state does not name it never loads.
        return Some(match state.state.read.position().await {
            Err(
                error @ projections::queries::QueryError::Projector(
                    projections::projector::ProjectorError::NoActiveGeneration,
                ),
            ) => error.to_string(),
            _ => "the read image is loading".into(),
        });
    }
    match state.state.read.lag().await {
        Ok(lag) if lag <= state.max_lag => None,
        Ok(lag) => Some(format!("the read side is {lag} events behind")),
        // The database answered, without the active generation's checkpoint.
        Err(
            error @ projections::queries::QueryError::Projector(
                projections::projector::ProjectorError::NoActiveGeneration,
            ),
        ) => Some(error.to_string()),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            Some("the database is unreachable".into())
        }
    }
}

/// Marks a response that answers a readiness probe with "not ready".
#[derive(Clone, Copy)]
struct NotReady;

/// Which responses the request log reports as failures (at `ERROR`): a server error, or an
/// error of the response's body, as `tower_http`'s default, except a readiness probe's "not
/// ready", which an orchestrator asks every few seconds while a process starts (the read
/// image loading) and which says nothing went wrong.
#[derive(Clone, Copy)]
struct Classify;

impl tower_http::classify::ClassifyResponse for Classify {
    type FailureClass = tower_http::classify::ServerErrorsFailureClass;
    type ClassifyEos = tower_http::classify::NeverClassifyEos<Self::FailureClass>;

    fn classify_response<B>(
        self,
        response: &axum::http::Response<B>,
    ) -> tower_http::classify::ClassifiedResponse<Self::FailureClass, Self::ClassifyEos> {
        let failed = response.status().is_server_error()
            && response.extensions().get::<NotReady>().is_none();
        tower_http::classify::ClassifiedResponse::Ready(match failed {
            true => Err(Self::FailureClass::StatusCode(response.status())),
            false => Ok(()),
        })
    }

    fn classify_error<E: std::fmt::Display + 'static>(self, error: &E) -> Self::FailureClass {
        Self::FailureClass::Error(error.to_string())
    }
}

async fn graphql_post(
    State(state): State<RouterState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> axum::response::Response {
    let media = crate::negotiate::ResponseMedia::from_accept(&headers);
    if !is_json(&headers) {
        return refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the operation as `application/json`".to_owned(),
        );
    }
    let mut request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return bad_body(rejection.0),
    };
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let principal = match auth::authenticate(&state.state.store, &state.auth, authorization).await {
        Ok(principal) => principal,
        Err(e) => return unauthenticated(&e),
    };
    // Apollo's automatic persisted queries: a hash in place of the text, or both; a hash alone
    // runs only a text this caller sent (`persisted.rs`).
    let persist = match state.persisted.apply(&mut request, &principal.subject) {
        Ok(persist) => persist,
        Err(refusal) => return persisted_refused(&refusal, media),
    };
    if request.query.trim().is_empty() {
        return refused(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request has no `query` (nor a persisted query's hash: \
             `extensions.persistedQuery`)"
                .to_owned(),
        );
    }
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(message) => {
            return refused(
                StatusCode::BAD_REQUEST,
                "INVALID_IDEMPOTENCY_KEY",
                message.to_owned(),
            )
        }
    };
    let mut request = request
        .data(viewer::Viewer::new(principal.clone()))
        .data(principal)
        .data(organization_loader(&state.state))
        .data(crate::history::TokenSubjects::default());
    if let Some(key) = key {
        request = request.data(key);
    }
    let no_wait = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(crate::state::NoReadYourWrites::preferred);
    if no_wait {
        request = request.data(crate::state::NoReadYourWrites);
    }
    // The operation's name: as sent, or the single named operation of the document. The
    // outline (parsed once per text) also tells introspection apart, and the masking of
    // errors reads it instead of keeping a copy of the document.
    let outline = state.outlines.of(&request.query);
    let named = request
        .operation_name
        .clone()
        .or_else(|| outline.as_ref()?.0.sole_operation_name());
    let introspective = outline
        .as_ref()
        .is_some_and(|(o, _)| is_introspection_document(&o.0, request.operation_name.as_deref()));
    // A new outline, and a text sent with its hash, are remembered once its operation has
    // run (passed validation).
    let persist = persist.map(|hash| (hash, request.query.clone()));
    let mut new_outline = None;
    if let Some((outline, fresh)) = outline {
        if fresh {
            new_outline = Some((request.query.clone(), outline.clone()));
        }
        request = request.data(outline);
    }
    let operation = operation_label(named.as_deref());
    let started = std::time::Instant::now();
    let response = match &state.introspection {
        Some(introspection) if introspective => {
            introspection.execute(request.only_introspection()).await
        }
        _ => state.schema.execute(request).await,
    };
    metrics::histogram!("governance_graphql_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    if response.data != async_graphql::Value::Null {
        if let Some((query, outline)) = new_outline {
            state.outlines.keep(&query, &outline);
        }
        if let Some((hash, query)) = persist {
            state.persisted.keep(hash, &query);
        }
    }
    let mut answer = crate::negotiate::http_answer(response, media);
    if no_wait {
        answer.headers_mut().insert(
            "preference-applied",
            axum::http::HeaderValue::from_static("wait=0"),
        );
    }
    answer
}

/// The request's `Idempotency-Key`, if it sends one: 1 to 200 printable ASCII characters
/// (surrounding spaces aside), in one header. One that cannot be honoured is refused, never
/// ignored: ignored, as it was, a retry the client believed protected was recorded twice.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, &'static str> {
    let mut values = headers.get_all("idempotency-key").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err("send one `Idempotency-Key` header, not several");
    }
    let key = value
        .to_str()
        .map_err(|_| "`Idempotency-Key` must be printable ASCII (a UUID, say)")?
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err("`Idempotency-Key` must be 1 to 200 characters");
    }
    Ok(Some(IdempotencyKey(key.to_owned())))
}

/// Whether the request says its body is JSON (`application/json`, any parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// A GraphQL-shaped refusal of the request as a whole.
fn refused(status: StatusCode, code: &str, message: String) -> axum::response::Response {
    let body = serde_json::json!({
        "errors": [{"message": message, "extensions": {"code": code}}]
    });
    (status, axum::Json(body)).into_response()
}

/// A request whose persisted query cannot be run: an unknown hash as a GraphQL request error
/// (200 in `application/json`, 400 in `application/graphql-response+json`: Apollo's clients
/// read either and send the text), a malformed extension or a text not of its hash 400.
fn persisted_refused(
    refusal: &crate::persisted::Refused,
    media: crate::negotiate::ResponseMedia,
) -> axum::response::Response {
    use crate::persisted::Refused;
    if *refusal != Refused::NotFound {
        let body = serde_json::json!({"errors": [{
            "message": refusal.message(),
            "extensions": {"code": refusal.code(), "field": refusal.field()},
        }]});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    let mut error = async_graphql::ServerError::new(refusal.message(), None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", refusal.code());
    extensions.set("field", refusal.field());
    error.extensions = Some(extensions);
    crate::negotiate::http_answer(async_graphql::Response::from_errors(vec![error]), media)
}

/// The answer to a body that is not a GraphQL request: 413 when it is too large (however it
/// was sent, chunked included), otherwise 400 saying what a request is, with the JSON parser's
/// own description of a syntax error; never the server's debug text.
fn bad_body(error: ParseRequestError) -> axum::response::Response {
    let too_large = match &error {
        ParseRequestError::PayloadTooLarge => true,
        ParseRequestError::Io(e) => {
            tracing::debug!(error = ?e, "the request body could not be read");
            caused_by_length_limit(e)
        }
        ParseRequestError::InvalidRequest(e) => caused_by_length_limit(e.as_ref()),
        _ => false,
    };
    if too_large {
        return too_large_body();
    }
    let what = "the body is not a GraphQL request: a JSON object with `query`, and optionally \
                `variables` and `operationName` (batches are not accepted)";
    let message = match &error {
        ParseRequestError::InvalidRequest(e) => match e.downcast_ref::<serde_json::Error>() {
            Some(json) if json.is_syntax() || json.is_eof() => format!("{what}; {json}"),
            _ => what.to_owned(),
        },
        _ => what.to_owned(),
    };
    refused(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// A body over the limit: 413, GraphQL-shaped.
fn too_large_body() -> axum::response::Response {
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        "the request body is larger than this server accepts".to_owned(),
    )
}

/// The refusals `tower_http`'s layers answer themselves, answered as every other refusal, in a
/// body a GraphQL client can read: a `Content-Length` over the body limit is refused before any
/// handler runs, in plain text (`length limit exceeded`; a body found too large while read,
/// chunked, reaches [`bad_body`] instead), and a request over the time limit (a body sent too
/// slowly, or an operation that did not finish) with an empty body.
async fn shaped_refusals(response: axum::response::Response) -> axum::response::Response {
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    match response.status() {
        _ if json => response,
        StatusCode::PAYLOAD_TOO_LARGE => too_large_body(),
        StatusCode::REQUEST_TIMEOUT => refused(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "the request did not complete within the server's time limit; a mutation in it may \
             have been recorded: read before sending it again"
                .to_owned(),
        ),
        _ => response,
    }
}

/// Whether an error comes from the body limit (an I/O error hides the error it wraps from
/// `source()`, so it is opened with `get_ref()`).
fn caused_by_length_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        // Read through axum, the limit's error arrives as its text only.
        if e.is::<http_body_util::LengthLimitError>() || e.to_string() == "length limit exceeded" {
            return true;
        }
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
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
            .on_upgrade(move |socket| {
                let connection = Connection {
                    schema: state.schema.clone(),
                    state: state.state.clone(),
                    auth: state.auth.clone(),
                    init_timeout: state.init_timeout,
                    max_subscriptions: state.max_subscriptions,
                    connections: state.connections.clone(),
                };
                websocket(socket, connection, protocol)
            })
            .into_response();
    }
    let operation = uri.query().and_then(requested_operation);
    if operation.is_some() || !state.graphiql {
        // A GraphQL-over-HTTP GET is never executed: answered 405 with the method that is, in
        // the shape every GraphQL client reads, instead of GraphiQL's page. A persisted
        // query's hash alone (Apollo's `useGETForHashedQueries`) says persisted queries are
        // not supported that way: Apollo's link then sends the operation's text by POST.
        let (code, message) = match operation {
            Some(GetOperation::Hashed) => (
                crate::persisted::NOT_SUPPORTED_BY_GET,
                "persisted queries are run by POST only (`extensions.persistedQuery` in the \
                 JSON body)",
            ),
            _ => (
                "METHOD_NOT_ALLOWED",
                "GraphQL operations are executed by POST only (`GET /graphql` serves GraphiQL \
                 and subscriptions' WebSocket)",
            ),
        };
        let mut response = refused(StatusCode::METHOD_NOT_ALLOWED, code, message.to_owned());
        response.headers_mut().insert(
            axum::http::header::ALLOW,
            axum::http::HeaderValue::from_static("POST"),
        );
        return response;
    }
    crate::graphiql::page()
}

/// What a GraphQL-over-HTTP GET asks to run.
#[derive(Debug, PartialEq, Eq)]
enum GetOperation {
    /// An operation's text (or only its variables or name).
    Text,
    /// A persisted query's hash without the text.
    Hashed,
}

/// The operation a query string asks for, if it names a parameter of a GraphQL-over-HTTP GET.
fn requested_operation(query: &str) -> Option<GetOperation> {
    let mut asked = None;
    for pair in query.split('&') {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        match name {
            "query" => return Some(GetOperation::Text),
            "extensions" if pair.contains("persistedQuery") => asked = Some(GetOperation::Hashed),
            "extensions" | "variables" | "operationName" => {
                asked = asked.or(Some(GetOperation::Text))
            }
            _ => {}
        }
    }
    asked
}

/// The HTTP router: `POST /graphql` executes one operation (batches are refused); `GET
/// /graphql` upgrades to graphql-transport-ws for subscriptions, otherwise serves GraphiQL when
/// enabled and never executes a query; `GET /healthz` (process up), `GET /readyz` (database
/// reachable, read side within its lag bound), `GET /metrics` (Prometheus), `GET
/// /open-data/services.{json,csv}` (the public directory as open data).
pub fn router(state: ApiState, config: &ApiConfig) -> Router {
    let schema = build_schema(state.clone(), config);
    let mut router = Router::new();
    if config.graphiql {
        router = router.route("/graphiql/{name}", get(crate::graphiql::asset));
    }
    router
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_endpoint))
        .route(
            "/open-data/{file}",
            get(
                |State(state): State<RouterState>,
                 axum::extract::Path(file): axum::extract::Path<String>,
                 axum::extract::Query(params): axum::extract::Query<
                    std::collections::HashMap<String, String>,
                >| async move { crate::opendata::services(&state.state, &file, &params).await },
            ),
        )
        .with_state(Arc::new(RouterParts {
            schema,
            introspection: build_introspection_schema(config),
            graphiql: config.graphiql,
            init_timeout: config.connection_init_timeout,
            max_subscriptions: config.max_subscriptions_per_connection,
            connections: Arc::new(crate::ws::Connections::new(
                config.max_connections_per_principal,
            )),
            state,
            max_lag: config.max_projection_lag,
            metrics: metrics_handle(),
            auth: Arc::new(config.auth.clone()),
            outlines: Default::default(),
            persisted: Default::default(),
            held_back_series: Default::default(),
        }))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(axum::middleware::map_response(shaped_refusals))
        // Every request gets an id (or keeps the caller's `x-request-id`), returned in the
        // response and carried by every log line of its span.
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(
            tower_http::trace::TraceLayer::new(tower_http::classify::SharedClassifier::new(Classify))
                .make_span_with(
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

#[cfg(test)]
mod tests {
    use super::*;
    use tower_http::classify::{ClassifiedResponse, ClassifyResponse};

    fn failed(status: StatusCode, not_ready: bool) -> bool {
        let mut response = (status, "body").into_response();
        if not_ready {
            response.extensions_mut().insert(NotReady);
        }
        match Classify.classify_response(&response) {
            ClassifiedResponse::Ready(outcome) => outcome.is_err(),
            ClassifiedResponse::RequiresEos(_) => unreachable!("classified at once"),
        }
    }

    #[test]
    fn a_get_names_an_operation_by_its_parameters() {
        assert_eq!(requested_operation(""), None);
        assert_eq!(requested_operation("tab=1&queryx=2"), None);
        assert_eq!(
            requested_operation("query=%7B__typename%7D"),
            Some(GetOperation::Text)
        );
        assert_eq!(
            requested_operation("operationName=Q"),
            Some(GetOperation::Text)
        );
        let hashed =
            "operationName=Q&variables=%7B%7D&extensions=%7B%22persistedQuery%22%3A%7B%7D%7D";
        assert_eq!(requested_operation(hashed), Some(GetOperation::Hashed));
        let both = format!("{hashed}&query=%7B__typename%7D");
        assert_eq!(requested_operation(&both), Some(GetOperation::Text));
    }

    #[test]
    fn only_server_errors_other_than_not_ready_are_logged_as_failures() {
        assert!(failed(StatusCode::INTERNAL_SERVER_ERROR, false));
        assert!(failed(StatusCode::SERVICE_UNAVAILABLE, false));
        assert!(!failed(StatusCode::SERVICE_UNAVAILABLE, true));
        assert!(!failed(StatusCode::OK, false));
        assert!(!failed(StatusCode::BAD_REQUEST, false));
    }
}
