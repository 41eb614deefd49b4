//! `meetty login`: the sign-in flow ([`crate::session::sign_in`]) from the command line, with
//! the answer coming back from the browser or, with `--no-browser`, pasted into the terminal.

use std::io::Write;
use std::path::PathBuf;

use crate::auth::accounts::TokenStore;
use crate::auth::login::Finish;
use crate::session::connect::api_root;
use crate::session::sign_in::{self, LoginOptions};
use crate::session::Startup;

#[derive(Debug, Clone, clap::Args)]
pub struct LoginArgs {
    /// The "Desktop app" OAuth client JSON downloaded from Google Cloud Console (needed
    /// the first time; remembered after).
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Print the sign-in URL and read the final redirect URL (or code) from the
    /// terminal: for SSH sessions and hosts without a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Where to keep the tokens: the OS keyring, or (explicitly, for hosts without a
    /// Secret Service) a 0600 file in the data dir. Default: where the account's
    /// tokens already are, else the keyring.
    #[arg(long, value_enum)]
    pub token_store: Option<TokenStore>,
}

pub async fn run(
    start: &Startup,
    account: Option<&str>,
    args: &LoginArgs,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    let opts = LoginOptions {
        credentials: args.credentials.clone(),
        account: account.map(str::to_string),
        token_store: args.token_store,
        api_root: api_root(&start.config),
        renew: false,
    };
    let mut stdin = std::io::BufReader::new(std::io::stdin());
    let finish = if args.no_browser {
        Finish::Paste(&mut stdin)
    } else {
        Finish::Browser(&crate::browser::open)
    };
    sign_in::run(&start.paths, opts, finish, out)
        .await
        .map(drop)
}
