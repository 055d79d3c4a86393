//! MeetingSeries in the API: recurring meetings (its object, `Network.meetingSeries`, and its
//! mutations).

mod mutation;
mod object;

pub use mutation::*;
pub(crate) use object::*;
