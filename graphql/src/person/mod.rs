//! Person in the API: the mutations over sealed personal data (the object is in
//! `personal`).

mod mutation;

pub use mutation::*;
