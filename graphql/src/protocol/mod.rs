//! Protocol in the API: its object (versions, signatures), list filters, root query and
//! mutations.

mod filter;
mod mutation;
mod object;
mod query;

pub use filter::*;
pub use mutation::*;
pub use object::*;
pub use query::*;
