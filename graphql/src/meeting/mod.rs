//! Meeting in the API.

mod mutation;

pub use mutation::*;
