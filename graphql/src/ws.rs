//! The graphql-transport-ws handshake: the token in `connection_init`, and the protocol's own
//! close codes.

use std::collections::HashSet;

use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::SinkExt;

use crate::auth;
use crate::schema::AppSchema;
use crate::state::ApiState;
use crate::viewer;

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

/// What a WebSocket connection needs from the server.
pub(crate) struct Connection {
    pub(crate) schema: AppSchema,
    pub(crate) state: ApiState,
    pub(crate) auth: std::sync::Arc<auth::AuthConfig>,
    pub(crate) init_timeout: std::time::Duration,
    /// How many subscriptions one connection may hold at once.
    pub(crate) max_subscriptions: usize,
    /// The connections each principal holds, and how many it may.
    pub(crate) connections: std::sync::Arc<Connections>,
}

/// The WebSocket connections each authenticated principal holds at once, bounded.
#[derive(Debug)]
pub(crate) struct Connections {
    limit: usize,
    held: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

impl Connections {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            held: Default::default(),
        }
    }

    /// One more connection for `subject`, given back when the slot drops; none past the limit.
    fn claim(self: &std::sync::Arc<Self>, subject: &str) -> Option<Slot> {
        let mut held = self.held.lock().ok()?;
        let count = held.entry(subject.to_owned()).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            connections: self.clone(),
            subject: subject.to_owned(),
        })
    }
}

/// A connection counted against its principal until it ends.
struct Slot {
    connections: std::sync::Arc<Connections>,
    subject: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut held) = self.connections.held.lock() {
            if let Some(count) = held.get_mut(&self.subject) {
                *count -= 1;
                if *count == 0 {
                    held.remove(&self.subject);
                }
            }
        }
    }
}

/// graphql-transport-ws with the protocol's own close codes, which async-graphql lacks: no
/// `connection_init` in time closes with 4408, an init whose token is refused with 4403, a
/// `subscribe` with the id of a subscription still running with 4409. A connection holds at
/// most `max_subscriptions` at once; one more is answered with an `error` message
/// (`TOO_MANY_SUBSCRIPTIONS`) and not started. An authenticated principal holds at most
/// `max_connections_per_principal` connections at once: one more closes with 4429. The
/// accepted init is handed on to async-graphql unchanged.
pub(crate) async fn websocket(socket: WebSocket, state: Connection, protocol: GraphQLProtocol) {
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
    // Held until the connection ends (anonymous viewers read only what networks publish).
    let _slot = match principal.is_anonymous() {
        true => None,
        false => match state.connections.claim(&principal.subject) {
            Some(slot) => Some(slot),
            None => return close(sink, 4429, "Too many connections for this principal").await,
        },
    };
    let mut data = Data::default();
    data.insert(viewer::Viewer::new(principal.clone()));
    data.insert(principal);
    // The sink is shared: async-graphql writes its messages through it (and the ids it
    // completes are forgotten there), the guard below writes refusals and closes.
    let sink = std::sync::Arc::new(tokio::sync::Mutex::new(sink));
    let running = std::sync::Arc::new(std::sync::Mutex::new(HashSet::<String>::new()));
    let outgoing = futures::sink::unfold(
        (sink.clone(), running.clone(), Answered::default()),
        |(sink, running, mut answered), message: Message| async move {
            let message = match kind_and_id(&message) {
                Some((kind, id)) => {
                    if kind == "complete" || kind == "error" {
                        if let Ok(mut running) = running.lock() {
                            running.remove(&id);
                        }
                    }
                    answered.pass(&kind, id, message)
                }
                None => Some(message),
            };
            if let Some(message) = message {
                sink.lock().await.send(message).await?;
            }
            Ok::<_, axum::Error>((sink, running, answered))
        },
    );
    let limit = state.max_subscriptions;
    let guard_sink = sink.clone();
    let incoming = futures::stream::once(async move { Ok(first) })
        .chain(stream)
        .then(move |message| {
            let sink = guard_sink.clone();
            let running = running.clone();
            async move {
                let Ok(message) = message else {
                    return Some(message);
                };
                let Some((kind, id)) = kind_and_id(&message) else {
                    return Some(Ok(message));
                };
                let verdict = match running.lock() {
                    Ok(mut running) => match kind.as_str() {
                        "subscribe" if running.contains(&id) => Verdict::Duplicate,
                        "subscribe" if running.len() >= limit => Verdict::TooMany,
                        "subscribe" => {
                            running.insert(id.clone());
                            Verdict::Pass
                        }
                        "complete" => {
                            running.remove(&id);
                            Verdict::Pass
                        }
                        _ => Verdict::Pass,
                    },
                    Err(_) => Verdict::Pass,
                };
                match verdict {
                    Verdict::Pass => Some(Ok(message)),
                    Verdict::Duplicate => {
                        let reason = format!("Subscriber for {id} already exists");
                        let _ = sink
                            .lock()
                            .await
                            .send(Message::Close(Some(CloseFrame {
                                code: 4409,
                                reason: reason.into(),
                            })))
                            .await;
                        // Ends the connection: async-graphql sees the client go.
                        Some(Ok(Message::Close(None)))
                    }
                    Verdict::TooMany => {
                        let refusal = serde_json::json!({
                            "type": "error",
                            "id": id,
                            "payload": [{
                                "message": format!("a connection holds at most {limit} subscriptions at once"),
                                "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": limit},
                            }],
                        });
                        let _ = sink
                            .lock()
                            .await
                            .send(Message::Text(refusal.to_string().into()))
                            .await;
                        None
                    }
                }
            }
        })
        .filter_map(futures::future::ready);
    GraphQLWebSocket::new_with_pair(Box::pin(outgoing), incoming, state.schema, protocol)
        .with_data(data)
        .serve()
        .await;
}

/// The operations of a connection that async-graphql answered, to send a request error (the
/// operation did not start: it does not parse, fails validation or a bound, its variables do
/// not coerce) as graphql-transport-ws says, in an `error` message that ends the operation,
/// instead of async-graphql's `next` and `complete` (its code for `error` is commented out).
/// The legacy protocol (subscriptions-transport-ws) sends such errors as `data`, as it should.
#[derive(Default)]
struct Answered {
    /// Operations that had a `next`.
    started: HashSet<String>,
    /// Operations that ended with an `error` whose `complete` is still to come.
    errored: HashSet<String>,
}

impl Answered {
    /// The message to send in place of `message` (of this `kind`, for operation `id`), if any.
    fn pass(&mut self, kind: &str, id: String, message: Message) -> Option<Message> {
        match kind {
            "next" if self.started.insert(id.clone()) => match request_errors(&message) {
                Some(errors) => {
                    let error = serde_json::json!({"id": id, "type": "error", "payload": errors});
                    self.started.remove(&id);
                    self.errored.insert(id);
                    Some(Message::Text(error.to_string().into()))
                }
                None => Some(message),
            },
            "complete" | "error" => {
                self.started.remove(&id);
                match self.errored.remove(&id) {
                    true => None,
                    false => Some(message),
                }
            }
            _ => Some(message),
        }
    }
}

/// The errors of a `next` that answers a request error: no `data`, and errors none of which
/// is located at a field (an error in a field's resolver is an execution error, sent in
/// `next`).
fn request_errors(message: &Message) -> Option<serde_json::Value> {
    let Message::Text(text) = message else {
        return None;
    };
    let mut value: serde_json::Value = serde_json::from_str(text.as_str()).ok()?;
    let payload = value.get_mut("payload")?;
    if !payload.get("data").is_none_or(serde_json::Value::is_null) {
        return None;
    }
    let errors = payload.get_mut("errors")?.take();
    let located = |e: &serde_json::Value| {
        e.get("path")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|p| !p.is_empty())
    };
    match errors.as_array() {
        Some(list) if !list.is_empty() && !list.iter().any(located) => Some(errors),
        _ => None,
    }
}

/// What the guard decides about a client's message.
enum Verdict {
    Pass,
    Duplicate,
    TooMany,
}

/// The `type` and `id` of a graphql-transport-ws message that has both.
fn kind_and_id(message: &Message) -> Option<(String, String)> {
    let Message::Text(text) = message else {
        return None;
    };
    let value: serde_json::Value = serde_json::from_str(text.as_str()).ok()?;
    Some((
        value["type"].as_str()?.to_owned(),
        value["id"].as_str()?.to_owned(),
    ))
}
