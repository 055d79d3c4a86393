//! The accept loop: `axum::serve`'s, with a deadline on reading each request's head.
//!
//! `axum::serve` builds hyper's connection builder itself and installs no timer, and hyper's
//! header read timeout (30 s by default) does nothing without one: a client that opened a
//! connection and sent part of a request head, or nothing, held it for as long as it liked
//! (seen: over 70 s), so enough such clients exhausted the process's connections (the
//! "slowloris" attack). Here each connection is served by hyper with a Tokio timer and
//! [`ApiConfig::header_read_timeout`](crate::ApiConfig): a head not complete within it closes
//! the connection, and so does an idle keep-alive connection (hyper waits for the next head
//! from the moment the previous response was sent). A request's body and its handling are
//! bounded by `request_timeout` (the router's), and a WebSocket, once upgraded, by its own
//! protocol. Shutdown is axum's: stop accepting, let each connection finish what it is
//! serving, then return. A connection that sends nothing at all is closed after the same
//! deadline (hyper starts its timer only once bytes have come).

use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// Serves `app` on `listener` until `shutdown` completes, then waits for the connections it
/// accepted to finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Closed when shutdown begins; every connection's task holds a receiver of `closed`.
    let (signal_tx, signal_rx) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        drop(signal_rx);
    });
    let (close_tx, close_rx) = watch::channel(());
    // Every route turned into its final form once, as `axum::serve` does (a router called as
    // it is converts its routes on every request).
    let app = app.with_state::<()>(());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = signal_tx.closed() => break,
        };
        let service = TowerToHyperService::new(
            app.clone()
                .map_request(|request: axum::http::Request<Incoming>| request.map(Body::new)),
        );
        let (signal_tx, close_rx) = (signal_tx.clone(), close_rx.clone());
        tokio::spawn(async move {
            // Nothing at all within the deadline: hyper's timer starts only once it has read
            // the first bytes (it reads them to tell HTTP/1 from HTTP/2), so it is kept here.
            let mut first = [0u8; 1];
            match tokio::time::timeout(header_read_timeout, stream.peek(&mut first)).await {
                Ok(Ok(read)) if read > 0 => {}
                _ => {
                    drop(close_rx);
                    return;
                }
            }
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            // The CONNECT protocol: WebSockets over HTTP/2, as `axum::serve` enables it.
            builder.http2().enable_connect_protocol();
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let served = tokio::select! {
                served = connection.as_mut() => served,
                () = signal_tx.closed() => {
                    // Shutdown: finish the request in progress, then close.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = served {
                tracing::trace!(%error, "a connection ended with an error");
            }
            drop(close_rx);
        });
    }
    drop(close_rx);
    drop(listener);
    close_tx.closed().await;
    Ok(())
}

/// An accept that failed: a connection's own error (reset before it was accepted) is nothing;
/// anything else (out of file descriptors, say) is logged and the loop waits a second, as
/// hyper's and axum's servers do, for connections to close.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
