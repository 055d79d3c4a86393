//! Activity in the API: the work a network or one of its working groups carries out (its
//! object, the lists on `Network` and `WorkingGroup`, and its mutations).

mod mutation;
mod object;

pub use mutation::*;
pub(crate) use object::*;
