//! meetty: a keyboard-driven terminal app for the meetings on a Google Calendar.
//!
//! The binary (`src/main.rs`) is a thin CLI over this library so that `tests/` can drive
//! [`app::App`] directly, without a terminal.

pub mod action;
pub mod alerts;
pub mod app;
pub mod auth;
pub mod browser;
pub mod cache;
pub mod calendar;
pub mod cli;
pub mod clipboard;
pub mod compose;
pub mod config;
pub mod form;
pub mod freetime;
pub mod http;
pub mod keymap;
pub mod lock;
pub mod logging;
pub mod notify;
pub mod percent;
pub mod recurrence;
pub mod runtime;
pub mod sandbox;
pub mod sanitize;
pub mod screenshots;
pub mod serve;
pub mod session;
pub mod templates;
pub mod terminal;
pub mod timefmt;
pub mod timeparse;
pub mod ui;
pub mod upcoming;
pub mod view;
pub mod watch;
