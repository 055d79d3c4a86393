//! The write-side domain of the network-governance backend: aggregates, commands, events,
//! domain errors and value types. Pure: no database, HTTP or GraphQL crate, no clock, no
//! randomness it does not receive (ids and dates come in with the commands).

pub mod commitment;
pub mod directory;
mod events;
pub mod ids;
pub mod meeting;
pub mod network;
pub mod organization;
pub mod processes;
pub mod protocol;
pub mod values;
pub mod working_group;

pub use directory::{Directory, DirectoryUnavailable, InMemoryDirectory, Services};
