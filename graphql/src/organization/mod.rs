//! Organization in the API.

mod mutation;

pub use mutation::*;
