//! The read side and the event store it reads.
//!
//! - [`store`]: the event store adapter (postgres-es / sqlite-es behind one [`store::Store`]),
//!   the command service every caller uses, and the gap-safe global-log reader.

pub mod processes;
pub mod projector;
pub mod queries;
pub mod store;
pub mod views;
