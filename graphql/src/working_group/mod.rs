//! WorkingGroup in the API: its object and mutations.

mod mutation;
mod object;

pub use mutation::*;
pub use object::*;
