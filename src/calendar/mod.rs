//! Google Calendar: the domain model, link detection and the API client.

pub mod client;
pub mod links;
pub mod model;
pub mod retry;
pub mod sync;
pub mod text;
pub mod wire;
pub mod write;
