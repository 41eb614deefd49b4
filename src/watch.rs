//! `meetty watch`: keeps the cache current and shows notifications while no TUI is open, in
//! the foreground (a systemd user unit, tmux or `nohup`). It syncs as the TUI does, every
//! `refresh_seconds`, and runs the alerts [`crate::alerts::Engine`]; with the TUI open for the
//! same account, whichever holds the lock ([`crate::lock`]) does both.
//!
//! Contract (issue 12; filled in by the watch work).

use crate::session::Startup;

/// `meetty watch`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {}

/// Runs until SIGTERM or SIGINT.
pub async fn run(
    _start: &Startup,
    _demo: bool,
    _account: Option<&str>,
    _args: &WatchArgs,
) -> Result<(), String> {
    Err("meetty watch is not built yet".into())
}
