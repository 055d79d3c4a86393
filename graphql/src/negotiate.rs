//! The media type of an answer, as GraphQL over HTTP negotiates it from `Accept`:
//! `application/json` (what a client gets that names nothing more specific: no `Accept`,
//! `*/*`, `application/json`) answers every GraphQL response with 200;
//! `application/graphql-response+json` (when the client prefers it) answers a request that
//! never ran (a document that does not parse or validate, an operation over a bound or not
//! found, a required variable not sent) with 400 and no `data` entry, so that a client tells
//! it from a field's error by the status alone.

use async_graphql::{Response, Value};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};

/// The media types of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResponseMedia {
    /// `application/json`.
    Json,
    /// `application/graphql-response+json`.
    GraphqlResponse,
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The codes of errors raised before an operation runs (the request as a whole failed).
const REQUEST_ERRORS: &[&str] = &[
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_DEEP",
    "QUERY_TOO_COMPLEX",
    "OPERATION_RESOLUTION_FAILURE",
    // Without a path: a required variable not sent (with one, an argument's value).
    "BAD_USER_INPUT",
    // A persisted query's hash this server does not know (`persisted.rs`).
    "PERSISTED_QUERY_NOT_FOUND",
];

impl ResponseMedia {
    /// The media type `Accept` prefers: `application/graphql-response+json` when its quality is
    /// the highest of those this server answers (ties go to it), else `application/json` —
    /// also when `Accept` is missing, unreadable or names neither.
    pub(crate) fn from_accept(headers: &HeaderMap) -> Self {
        let (mut graphql, mut json) = (0.0_f32, 0.0_f32);
        for value in headers.get_all(header::ACCEPT) {
            let Ok(value) = value.to_str() else { continue };
            for range in value.split(',') {
                let mut parts = range.split(';');
                let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let quality = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                match media.as_str() {
                    GRAPHQL_RESPONSE => graphql = graphql.max(quality),
                    "application/json" | "application/*" | "*/*" => json = json.max(quality),
                    _ => {}
                }
            }
        }
        if graphql > 0.0 && graphql >= json {
            ResponseMedia::GraphqlResponse
        } else {
            ResponseMedia::Json
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            ResponseMedia::Json => "application/json",
            ResponseMedia::GraphqlResponse => GRAPHQL_RESPONSE,
        })
    }
}

/// Whether a response is that of a request that never ran: no data and every error one of
/// the request as a whole.
fn is_request_error(response: &Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| {
            error.path.is_empty()
                && error
                    .extensions
                    .as_ref()
                    .and_then(|e| e.get("code"))
                    .is_some_and(|code| {
                        matches!(code, Value::String(c) if REQUEST_ERRORS.contains(&c.as_str()))
                    })
        })
}

/// The HTTP answer to a GraphQL response, in `media`: its status, content type, cache control
/// (of a response without errors) and the headers resolvers set.
pub(crate) fn http_answer(response: Response, media: ResponseMedia) -> axum::response::Response {
    let request_error = media == ResponseMedia::GraphqlResponse && is_request_error(&response);
    let body = if request_error {
        serde_json::to_vec(&serde_json::json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    let body = body.unwrap_or_else(|error| {
        tracing::error!(%error, "a response could not be serialised");
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
    });
    let mut answer = axum::response::Response::new(axum::body::Body::from(body));
    if request_error {
        *answer.status_mut() = StatusCode::BAD_REQUEST;
    }
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.content_type());
    if response.is_ok() {
        if let Some(value) = response
            .cache_control
            .value()
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            headers.insert(header::CACHE_CONTROL, value);
        }
    }
    headers.extend(response.http_headers);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(accept: Option<&str>) -> ResponseMedia {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
        }
        ResponseMedia::from_accept(&headers)
    }

    #[test]
    fn accept_chooses_the_media_type() {
        assert_eq!(media(None), ResponseMedia::Json);
        assert_eq!(media(Some("*/*")), ResponseMedia::Json);
        assert_eq!(media(Some("application/json")), ResponseMedia::Json);
        assert_eq!(media(Some("text/html")), ResponseMedia::Json);
        assert_eq!(
            media(Some("application/graphql-response+json")),
            ResponseMedia::GraphqlResponse
        );
        assert_eq!(
            media(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            ResponseMedia::GraphqlResponse
        );
        assert_eq!(
            media(Some(
                "application/json, application/graphql-response+json;q=0.5"
            )),
            ResponseMedia::Json
        );
        assert_eq!(
            media(Some("Application/GraphQL-Response+JSON;charset=utf-8")),
            ResponseMedia::GraphqlResponse
        );
        assert_eq!(
            media(Some("application/graphql-response+json;q=0")),
            ResponseMedia::Json
        );
    }

    #[test]
    fn only_a_request_that_never_ran_is_a_request_error() {
        let coded = |code: &str| {
            let mut error = async_graphql::ServerError::new("no", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
            error
        };
        assert!(is_request_error(&Response::from_errors(vec![coded(
            "GRAPHQL_PARSE_FAILED"
        )])));
        assert!(!is_request_error(&Response::from_errors(vec![coded(
            "FORBIDDEN"
        )])));
        let mut field = coded("GRAPHQL_VALIDATION_FAILED");
        field.path = vec![async_graphql::PathSegment::Field("node".into())];
        assert!(!is_request_error(&Response::from_errors(vec![field])));
        assert!(!is_request_error(&Response::new(Value::Null)));
    }
}
