//! The graphql-transport-ws handshake: the token in `connection_init`, and the protocol's own
//! close codes.

use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket};

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

/// graphql-transport-ws with the protocol's own close codes, which async-graphql lacks: no
/// `connection_init` in time closes with 4408, an init whose token is refused with 4403. The accepted init is handed on to async-graphql unchanged.
/// What a WebSocket connection needs from the server.
pub(crate) struct Connection {
    pub(crate) schema: AppSchema,
    pub(crate) state: ApiState,
    pub(crate) auth: std::sync::Arc<auth::AuthConfig>,
    pub(crate) init_timeout: std::time::Duration,
}

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
    let mut data = Data::default();
    data.insert(viewer::Viewer::new(principal.clone()));
    data.insert(principal);
    let replay = futures::stream::once(async move { Ok(first) }).chain(stream);
    GraphQLWebSocket::new_with_pair(sink, replay, state.schema, protocol)
        .with_data(data)
        .serve()
        .await;
}
