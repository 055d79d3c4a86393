//! WorkingGroup in the API: its object and mutations.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

mod mutation;
mod object;

pub use mutation::*;
pub(crate) use object::*;
