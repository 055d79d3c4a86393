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
