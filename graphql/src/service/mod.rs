//! Service in the API: its object, its queries (the public directory among them) and its
//! mutations.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

mod mutation;
mod object;
mod query;

pub use mutation::*;
pub(crate) use object::*;
pub use query::*;
