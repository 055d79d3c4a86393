//! Errors at the API boundary, in one place: the user errors a mutation answers with (each
//! with a code and the field at fault), the refusal every mutation step returns, deliberate
//! client errors with a code, and the masking of everything else.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{Response, ServerError, SimpleObject};

/// Why a mutation was refused.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct UserError {
    /// The input field at fault, as a path (e.g. ["input", "taxCode"]), when one is.
    pub field: Option<Vec<String>>,
    /// What is wrong, in words.
    pub message: String,
    /// A stable code (e.g. ALREADY_MEMBER, INVALID_VALUE).
    pub code: String,
}

/// Why a mutation (or a step of one: authorization, parsing, execution) did not go through:
/// user errors the payload reports, or a fault of the server that masks its text. Each step
/// returns `Result<_, Refusal>`, so a resolver composes them with `?`.
#[derive(Debug)]
pub enum Refusal {
    /// The client's change is refused; the payload says why.
    User(Vec<UserError>),
    /// A fault of the server; the client sees a masked error with an id to quote.
    Internal(async_graphql::Error),
}

impl Refusal {
    /// A fault of the server, from any error (its text is masked before the client sees it).
    pub fn internal(error: impl std::fmt::Display) -> Self {
        Refusal::Internal(async_graphql::Error::new(error.to_string()))
    }
}

impl From<Vec<UserError>> for Refusal {
    fn from(errors: Vec<UserError>) -> Self {
        Refusal::User(errors)
    }
}

impl From<UserError> for Refusal {
    fn from(error: UserError) -> Self {
        Refusal::User(vec![error])
    }
}

impl From<async_graphql::Error> for Refusal {
    fn from(error: async_graphql::Error) -> Self {
        Refusal::Internal(error)
    }
}

/// A mutation's payload: what it answers when the change is refused.
pub trait Payload {
    /// The payload refusing the change with these errors.
    fn refused(user_errors: Vec<UserError>) -> Self;
}

/// The answer of a mutation resolver: user errors go in the payload, faults of the server
/// become (masked) GraphQL errors.
pub fn respond<P: Payload>(outcome: Result<P, Refusal>) -> async_graphql::Result<P> {
    match outcome {
        Ok(payload) => Ok(payload),
        Err(Refusal::User(errors)) => Ok(P::refused(errors)),
        Err(Refusal::Internal(error)) => Err(error),
    }
}

impl From<async_graphql::ServerError> for Refusal {
    fn from(error: async_graphql::ServerError) -> Self {
        Refusal::Internal(async_graphql::Error::new(error.message))
    }
}

impl From<projections::queries::QueryError> for Refusal {
    fn from(error: projections::queries::QueryError) -> Self {
        Refusal::internal(error)
    }
}

/// The result type of resolvers.
pub type ApiResult<T> = async_graphql::Result<T>;

/// Masks every error that is not a deliberate, typed one: the client gets an id to quote, the
/// log gets the details. Deliberate errors carry an `extensions.code`.
pub(crate) struct MaskInternalErrors;

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
