//! Signing in with Google: OAuth for an installed app (loopback + PKCE), tokens in the OS
//! keyring, refreshed by yup-oauth2.

pub mod accounts;
pub mod client;
pub mod login;
pub mod loopback;
pub mod pkce;
pub mod session;
pub mod store;
