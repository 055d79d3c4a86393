//! Plan in the API: a network's plan with its lines of action, targets and progress (its
//! object, `Network.plans`, and its mutations).

mod mutation;
mod object;

pub use mutation::*;
pub(crate) use object::*;
