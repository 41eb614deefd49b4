//! The command-line commands: accounts (`login`, `logout`, `status`, `doctor`) and scripting
//! (`agenda`, `free`, `new`, `cancel`, `link`, `rsvp`, `edit`). What they share with the TUI
//! (connecting, the signed-in account, signing in) is in [`crate::session`].

pub mod doctor;
pub mod edit;
pub mod free;
pub mod login;
pub mod logout;
pub mod next;
pub mod rsvp;
pub mod scripting;
pub mod status;

use std::io::Write;

use crate::session::connect::api_root;
use crate::session::Startup;

/// The account commands, as `meetty` parses them.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AccountCommand {
    /// Sign in with Google (opens your browser; tokens go to the OS keyring), or with a
    /// service account's key (--service-account, Google Workspace).
    Login(login::LoginArgs),
    /// Revoke meetty's access at Google and delete the account's stored tokens.
    Logout,
    /// Show the signed-in account, token expiry and where tokens are stored (exits 1 when
    /// no account can be used).
    Status,
    /// Check config, credentials, keyring, token refresh, API access and clock.
    Doctor,
}

/// How a command that ran ended: its exit status tells scripts what they need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// `status` found no account that can be used: nobody signed in, or the account's tokens
    /// are missing or unreadable (exit status 1).
    NoUsableSignIn,
    /// `free` found no time when everyone is free (exit status 1).
    NoFreeSlot,
}

impl Outcome {
    /// The exit status a script sees (README, "Exit status").
    pub fn exit_status(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::NoUsableSignIn | Outcome::NoFreeSlot => 1,
        }
    }
}

/// Runs an account command for `account` (None: the default one), reporting to `out`.
pub async fn run_account(
    start: &Startup,
    account: Option<&str>,
    cmd: &AccountCommand,
    out: &mut (dyn Write + Send),
) -> Result<Outcome, String> {
    let paths = &start.paths;
    match cmd {
        AccountCommand::Login(args) => login::run(start, account, args, out).await,
        AccountCommand::Logout => logout::run(paths, account, out).await,
        AccountCommand::Status => return status::run(paths, account, out).await,
        AccountCommand::Doctor => doctor::run(paths, account, &api_root(&start.config), out).await,
    }
    .map(|()| Outcome::Done)
}
