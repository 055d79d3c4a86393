//! IndicatorSet in the API: the shared figures of a network. Its object serves the published
//! tables (small cells suppressed) to those who read the network in full, and a member's own
//! counts to that member; its mutations define a set, submit and correct figures, and close a
//! period.

mod mutation;
mod object;

pub use mutation::*;
pub(crate) use object::*;
