//! The bounds on an operation's depth and complexity, refused in terms a client can act on:
//! a code (`QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`), the limit and the operation's own measure in
//! `extensions`.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult};

use crate::introspection::{introspection_cost, INTROSPECTION_MAX_COST};

/// The largest depth and complexity an operation may have.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The deepest nesting of selections.
    pub depth: usize,
    /// The complexity (each field counts one; a list field its page size times what it
    /// selects).
    pub complexity: usize,
}

impl Limits {
    /// Refuses an operation whose meta-fields would answer more than any standard
    /// introspection query (copies of `__schema { types … }` aliased many times): neither the
    /// depth nor the complexity bound sees what they cost.
    pub(crate) fn check_parsed(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let cost = introspection_cost(document);
        if cost > INTROSPECTION_MAX_COST {
            let mut error = refusal(
                "QUERY_TOO_COMPLEX",
                "Introspection selects too much (estimated entries)",
                INTROSPECTION_MAX_COST as usize,
                cost as usize,
            );
            if let Some(extensions) = error.extensions.as_mut() {
                extensions.set("measure", "introspection");
            }
            return Err(error);
        }
        Ok(())
    }

    /// Refuses an operation measured (by validation) deeper or more complex than the bounds.
    pub(crate) fn check_measured(
        &self,
        measured: ValidationResult,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        if measured.depth > self.depth {
            return Err(vec![refusal(
                "QUERY_TOO_DEEP",
                "Query is nested too deep",
                self.depth,
                measured.depth,
            )]);
        }
        if measured.complexity > self.complexity {
            return Err(vec![refusal(
                "QUERY_TOO_COMPLEX",
                "Query is too complex",
                self.complexity,
                measured.complexity,
            )]);
        }
        Ok(measured)
    }
}

fn refusal(code: &str, what: &str, limit: usize, actual: usize) -> ServerError {
    let mut error = ServerError::new(format!("{what}: {actual}, at most {limit}."), None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code);
    extensions.set("limit", limit as u64);
    extensions.set("actual", actual as u64);
    error
}
