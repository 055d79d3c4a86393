//! Network in the API: its object (with memberships and referents), list filters, root
//! queries and mutations.

mod filter;
mod mutation;
mod object;
mod query;

pub use filter::*;
pub use mutation::*;
pub use object::*;
pub use query::*;
