//! `meetty next` and `meetty join`: the meeting in progress or the next one, for status bars
//! and window-manager hotkeys, answered from the upcoming list on disk alone
//! ([`crate::upcoming`]): no network, no keyring, no Google call, no async runtime.
//!
//! Contract (issue 12; filled in by the `next` work).

use std::process::ExitCode;

use crate::config::Paths;

/// `meetty next`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct NextArgs {
    /// plain, json, waybar, i3blocks, polybar or tmux.
    #[arg(long, default_value = "plain")]
    pub format: String,
    /// Your own line: {title} {countdown} {link} ... (see the README).
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "format")]
    pub template: Option<String>,
    /// Include meetings without a video link.
    #[arg(long)]
    pub all: bool,
}

/// `meetty join`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct JoinArgs {
    /// Print the link instead of opening it.
    #[arg(long)]
    pub print: bool,
}

/// Which cache to read: the demo's, the `MEETTY_ACCESS_TOKEN` session's, or an account's.
#[derive(Debug, Clone, Default)]
pub struct Whose {
    pub demo: bool,
    pub account: Option<String>,
}

/// Runs `meetty next`, writing to `out`; the exit status is 0 with a meeting, 1 without.
pub fn next(
    _paths: &Paths,
    _whose: &Whose,
    _args: &NextArgs,
    _out: &mut impl std::io::Write,
) -> Result<ExitCode, String> {
    Err("meetty next is not built yet".into())
}

/// Runs `meetty join`.
pub fn join(
    _paths: &Paths,
    _whose: &Whose,
    _args: &JoinArgs,
    _out: &mut impl std::io::Write,
) -> Result<ExitCode, String> {
    Err("meetty join is not built yet".into())
}
