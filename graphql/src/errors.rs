//! The refusals a mutation answers with: typed user errors, each with a code and the field at
//! fault.

use async_graphql::SimpleObject;

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
