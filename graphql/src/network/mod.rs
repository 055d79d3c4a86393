//! Network in the API.

mod mutation;

pub use mutation::*;
