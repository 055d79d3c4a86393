//! Network in the API: its object (with memberships and referents), list filters, root
//! queries and mutations.

// GraphQL resolvers take one argument per field argument (first, after, …): that is the API.
#![allow(clippy::too_many_arguments)]

mod filter;
mod mutation;
mod object;
mod query;

pub use filter::*;
pub use mutation::*;
pub use object::*;
pub use query::*;
