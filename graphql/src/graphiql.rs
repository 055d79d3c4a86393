//! GraphiQL, served entirely from the binary: its page, its start script (subscriptions over
//! graphql-transport-ws on `/graphql`), and the vendored bundles of GraphiQL 3, React 18 and
//! graphql-ws with their licences (`graphql/assets/graphiql/`, refreshed by its `vendor.sh`).
//! No request of the page leaves the server.

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

const PAGE: &str = include_str!("../assets/graphiql/index.html");
const START: &str = include_str!("../assets/graphiql/start.js");
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// The vendored bundles: name, content type, and the bytes stored gzipped.
const BUNDLES: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        JAVASCRIPT,
        include_bytes!("../assets/graphiql/graphiql.min.js.gz"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.css.gz"),
    ),
    (
        "react.production.min.js",
        JAVASCRIPT,
        include_bytes!("../assets/graphiql/react.production.min.js.gz"),
    ),
    (
        "react-dom.production.min.js",
        JAVASCRIPT,
        include_bytes!("../assets/graphiql/react-dom.production.min.js.gz"),
    ),
    (
        "graphql-ws.min.js",
        JAVASCRIPT,
        include_bytes!("../assets/graphiql/graphql-ws.min.js.gz"),
    ),
];

/// The GraphiQL page.
pub(crate) fn page() -> Response {
    Html(PAGE).into_response()
}

/// `GET /graphiql/{name}`: one of the page's files. The bundles are sent gzip-encoded (every
/// browser accepts it); a client that does not accept gzip gets 406.
pub(crate) async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if name == "start.js" {
        return ([(header::CONTENT_TYPE, JAVASCRIPT)], START).into_response();
    }
    let Some((_, content_type, gzipped)) = BUNDLES.iter().find(|(file, ..)| *file == name) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|coding| coding.split(';').next().unwrap_or("").trim() == "gzip")
        });
    if !accepts_gzip {
        return (
            StatusCode::NOT_ACCEPTABLE,
            "this file is served gzip-encoded only",
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CONTENT_ENCODING, "gzip"),
            (header::VARY, "accept-encoding"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        *gzipped,
    )
        .into_response()
}
