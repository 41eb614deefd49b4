//! Signing in with Google: OAuth for an installed app (loopback + PKCE), tokens in the OS
//! keyring, refreshed once for every request that needs it; or a service-account key for
//! machines ([`service_account`]).

pub mod accounts;
pub mod client;
pub mod login;
pub mod loopback;
pub mod pkce;
pub mod service_account;
pub mod session;
pub mod store;
