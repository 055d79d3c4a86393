//! Errors at the API boundary, in one place: the user errors a mutation answers with (each
//! with a code and the field at fault), the refusal every mutation step returns, deliberate
//! client errors with a code, and the masking of everything else.

use std::sync::Arc;

use async_graphql::extensions::ExtensionContext;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, Response, ServerError, ServerResult, SimpleObject, ValidationResult};

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
        // Kept as the error's source: `mask` codes the ones that are not faults.
        Refusal::Internal(async_graphql::Error::from(error))
    }
}

/// The result type of resolvers.
pub type ApiResult<T> = async_graphql::Result<T>;

/// Masks every error that is not a deliberate, typed one: the client gets an id to quote, the
/// log gets the details. Deliberate errors carry an `extensions.code`. One per request
/// (a part of [`crate::checks`]): it keeps the parsed document, so that an error located at
/// an argument's value (a scalar or input that does not parse) is known for the client's
/// mistake it is, and named by its argument.
#[derive(Default)]
pub(crate) struct Masking {
    document: std::sync::Mutex<Option<Arc<ExecutableDocument>>>,
}

impl Masking {
    /// After the whole request: which operation of the document to run is decided after
    /// validation, with errors that carry no code (the request named none of several, or one
    /// the document lacks).
    pub(crate) fn requested(&self, response: &mut Response) {
        for error in response.errors.iter_mut() {
            if error.path.is_empty() && names_no_operation(&error.message) {
                set_code(error, "OPERATION_RESOLUTION_FAILURE");
                if let Some(extensions) = error.extensions.as_mut() {
                    extensions.set("field", "operationName");
                }
            }
        }
    }

    /// After parsing: keeps the document, or codes the parser's refusal.
    pub(crate) fn parsed(
        &self,
        ctx: &ExtensionContext<'_>,
        parsed: ServerResult<ExecutableDocument>,
    ) -> ServerResult<ExecutableDocument> {
        match parsed {
            Ok(document) => {
                // The request's outline (the same text, parsed once) serves; else a copy.
                if ctx.data_opt::<crate::parsed::Outline>().is_none() {
                    if let Ok(mut kept) = self.document.lock() {
                        *kept = Some(Arc::new(document.clone()));
                    }
                }
                Ok(document)
            }
            Err(mut error) => {
                set_code(&mut error, "GRAPHQL_PARSE_FAILED");
                Err(error)
            }
        }
    }

    /// After validation: codes its refusals.
    pub(crate) fn validated(
        &self,
        validated: Result<ValidationResult, Vec<ServerError>>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        validated.map_err(|mut errors| {
            for error in &mut errors {
                set_code(error, "GRAPHQL_VALIDATION_FAILED");
                if let Some((argument, field)) = argument_named(&error.message) {
                    let extensions = error.extensions.get_or_insert_with(Default::default);
                    extensions.set("argument", argument);
                    if let Some(field) = field {
                        extensions.set("field", field);
                    }
                }
            }
            errors
        })
    }

    /// After execution: the answer in selection order, `null` where a field was refused,
    /// and every error coded or masked.
    pub(crate) fn executed(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        mut response: Response,
    ) -> Response {
        let document = match ctx.data_opt::<crate::parsed::Outline>() {
            Some(outline) => Some(outline.0.clone()),
            None => self.document.lock().ok().and_then(|d| d.clone()),
        };
        let subscription = document
            .as_ref()
            .and_then(|d| crate::answer::operation(d, operation_name))
            .is_some_and(|o| o.ty == async_graphql::parser::types::OperationType::Subscription);
        if let Some(document) = &document {
            let paths = response.errors.iter().map(|e| e.path.as_slice());
            crate::answer::null_where_refused(paths, &mut response.data);
            crate::answer::in_selection_order(document, operation_name, &mut response.data);
        }
        for error in response.errors.iter_mut() {
            if let Some(argument) = document
                .as_ref()
                .and_then(|d| argument_at(d, error.locations.first().copied()))
            {
                // The value of an argument (or a variable it names) did not parse: the
                // client's mistake. The message is the parser's, about the client's input.
                set_code(error, "BAD_USER_INPUT");
                if let Some(extensions) = error.extensions.as_mut() {
                    extensions.set("argument", argument);
                }
                continue;
            }
            if subscription {
                // A subscription sent over HTTP: the client's transport, not a fault here.
                error.message = "subscriptions run over graphql-transport-ws: open a WebSocket \
                                 on /graphql (GET with Upgrade) and subscribe there"
                    .to_owned();
                set_code(error, "SUBSCRIPTION_NEEDS_WEBSOCKET");
                continue;
            }
            mask(error);
        }
        response
    }
}

/// Whether an error is async-graphql's own (code-less) refusal to pick the operation to run.
fn names_no_operation(message: &str) -> bool {
    message == "Operation name required in request."
        || message.starts_with("Unknown operation named ")
}

/// Sets an error's code unless it has one.
fn set_code(error: &mut ServerError, code: &str) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
}

/// The argument a validation refusal is about, and the field inside it (dotted, from the
/// argument: `input.protocol`) when it is about one, read from async-graphql's messages:
/// `Invalid value for argument "input.details", …` (with `field "x" … is required` or
/// `unknown field "x"` for a field of that input), `Field "f" argument "a" … is required but
/// not provided`, `Unknown argument "a" on …`, `There can only be one argument named "a"`.
fn argument_named(message: &str) -> Option<(String, Option<String>)> {
    fn quoted(text: &str) -> Option<(&str, &str)> {
        let text = text.strip_prefix('"')?;
        let end = text.find('"')?;
        Some((&text[..end], &text[end + 1..]))
    }
    let split = |path: &str, inner: Option<&str>| {
        let argument = path.split('.').next().unwrap_or(path).to_owned();
        let field = match inner {
            Some(inner) => Some(format!("{path}.{inner}")),
            None => path.contains('.').then(|| path.to_owned()),
        };
        (!argument.is_empty()).then_some((argument, field))
    };
    if let Some(rest) = message.strip_prefix("Invalid value for argument ") {
        let (path, reason) = quoted(rest)?;
        let inner = ["field ", "unknown field "].iter().find_map(|lead| {
            let reason = reason.strip_prefix(", ")?.strip_prefix(lead)?;
            quoted(reason).map(|(name, _)| name)
        });
        return split(path, inner);
    }
    let named = if let Some(rest) = message.strip_prefix("Field ") {
        quoted(rest)?.1.strip_prefix(" argument ")?
    } else if let Some(rest) = message.strip_prefix("Unknown argument ") {
        rest
    } else {
        message.strip_prefix("There can only be one argument named ")?
    };
    split(quoted(named)?.0, None)
}

/// The name of the argument whose value stands at `position` in the document, if one does.
fn argument_at(document: &ExecutableDocument, position: Option<Pos>) -> Option<String> {
    let position = position?;
    let mut sets: Vec<&SelectionSet> = document
        .operations
        .iter()
        .map(|(_, operation)| &operation.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|fragment| &fragment.node.selection_set.node),
        )
        .collect();
    while let Some(set) = sets.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    if let Some((name, _)) = field
                        .node
                        .arguments
                        .iter()
                        .find(|(_, value)| value.pos == position)
                    {
                        return Some(name.node.to_string());
                    }
                    sets.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => sets.push(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    None
}

fn mask(error: &mut ServerError) {
    let deliberate = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if deliberate {
        return;
    }
    if let Some(projections::queries::QueryError::ReadSideBehind(position)) =
        error.source::<projections::queries::QueryError>()
    {
        // Not a fault: the database is behind what this process already answered as
        // readable, and says so (as a mutation does when the read side is behind).
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", "READ_SIDE_BEHIND");
        extensions.set("positions", vec![*position]);
        error.extensions = Some(extensions);
        error.source = None;
        return;
    }
    if let Some(projections::queries::QueryError::Store(
        projections::store::StoreError::NotAnEvent { position, reason },
    )) = error.source::<projections::queries::QueryError>()
    {
        // Not a fault of this server's: a row put in the log behind its back (the database
        // refuses one now). Named, so that a reviewer can page past it; why is in the log.
        let position = *position;
        tracing::warn!(position, reason, path = ?error.path, "a row of the log is not an event");
        error.message = format!(
            "the log's row at position {position} is not an event of this system \
             (`governance verify` says why); page past it"
        );
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", "NOT_AN_EVENT");
        extensions.set("positions", vec![position]);
        error.extensions = Some(extensions);
        error.source = None;
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

/// A deliberate client error with a code that names the argument at fault.
pub fn client_error_for(code: &str, message: impl Into<String>, at: &str) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    // `at` names the argument, or a field inside it with dots (`filter.network`), as the
    // coercion's refusals do: `argument` always, `field` for the nested one.
    let argument = at.split('.').next().unwrap_or(at).to_owned();
    let field = (argument.len() < at.len()).then(|| at.to_owned());
    async_graphql::Error::new(message).extend_with(move |_, e| {
        e.set("code", code);
        e.set("argument", argument.as_str());
        if let Some(field) = &field {
            e.set("field", field.as_str());
        }
    })
}

/// A deliberate client error with a code (not masked).
pub fn client_error(code: &str, message: impl Into<String>) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

#[cfg(test)]
mod tests {
    use super::argument_named;

    #[test]
    fn validation_refusals_name_their_argument_and_field() {
        let cases = [
            (
                r#"Invalid value for argument "input", field "protocol" of type "ID!" is required but not provided"#,
                Some(("input", Some("input.protocol"))),
            ),
            (
                r#"Invalid value for argument "input.details", unknown field "nme" of type "Details""#,
                Some(("input", Some("input.details.nme"))),
            ),
            (
                r#"Invalid value for argument "input.lines.0.title", expected type "String""#,
                Some(("input", Some("input.lines.0.title"))),
            ),
            (
                r#"Invalid value for argument "first", expected type "Int""#,
                Some(("first", None)),
            ),
            (
                r#"Field "network" argument "id" of type "ID!" is required but not provided"#,
                Some(("id", None)),
            ),
            (
                r#"Unknown argument "frist" on field "networks" of type "Query"."#,
                Some(("frist", None)),
            ),
            (
                r#"There can only be one argument named "id""#,
                Some(("id", None)),
            ),
            (r#"Unknown field "nme" on type "Network"."#, None),
            (r#"Invalid value for argument "#, None),
        ];
        for (message, expected) in cases {
            let got = argument_named(message);
            let got = got.as_ref().map(|(a, f)| (a.as_str(), f.as_deref()));
            assert_eq!(got, expected, "{message}");
        }
    }
}
