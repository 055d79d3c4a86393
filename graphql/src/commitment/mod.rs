//! Commitment in the API: its object, list filters and mutations.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

mod filter;
mod mutation;
mod object;

pub use filter::*;
pub use mutation::*;
pub(crate) use object::*;
