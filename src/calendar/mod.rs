//! Google Calendar: the domain model, link detection, the API client and free/busy.

pub mod client;
pub mod freebusy;
pub mod links;
pub mod model;
pub mod retry;
pub mod sync;
pub mod text;
pub mod wire;
pub mod write;
