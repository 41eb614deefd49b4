//! Google Calendar: the domain model, link detection, the API client, free/busy, the
//! changes meetty makes and the errors Google answers with.

pub mod access;
pub mod answer;
pub mod client;
pub mod edit;
pub mod error;
pub mod freebusy;
pub mod links;
pub mod model;
pub mod ops;
pub mod plan;
pub mod providers;
pub mod retry;
pub mod sync;
pub mod text;
pub mod wire;
pub mod write;
