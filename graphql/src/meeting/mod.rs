//! Meeting in the API: its object, list filters and mutations.

mod filter;
mod mutation;
mod object;

pub use filter::*;
pub use mutation::*;
pub use object::*;
