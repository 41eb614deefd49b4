//! `meetty login`: the sign-in flow ([`crate::session::sign_in`]) from the command line, with
//! the answer coming back from the browser or, with `--no-browser`, pasted into the terminal;
//! or, with `--service-account`, a service account's key and no browser at all.

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
    #[arg(long, value_name = "FILE", conflicts_with = "service_account")]
    pub credentials: Option<PathBuf>,
    /// Print the sign-in URL and read the final redirect URL (or code) from the
    /// terminal: for SSH sessions and hosts without a browser.
    #[arg(long, conflicts_with = "service_account")]
    pub no_browser: bool,
    /// Sign in with a Google service account's JSON key (Google Workspace; chmod 600 it),
    /// with no browser: for automation. The key is kept in the token store.
    #[arg(long, value_name = "KEY.json")]
    pub service_account: Option<PathBuf>,
    /// With --service-account: the Workspace user to act as, through domain-wide delegation
    /// (the global --account works too). Without it meetty acts as the service account
    /// itself, whose own calendar no person sees.
    #[arg(long, value_name = "EMAIL", requires = "service_account")]
    pub subject: Option<String>,
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
    if let Some(key_file) = &args.service_account {
        let subject = match (args.subject.as_deref(), account) {
            (Some(s), Some(a)) if !s.eq_ignore_ascii_case(a) => {
                return Err(format!(
                    "--subject {s} and --account {a} name different users: give one of them"
                ))
            }
            (s, a) => s.or(a),
        };
        let root = api_root(&start.config);
        return sign_in::service_account(
            &start.paths,
            key_file,
            subject,
            args.token_store,
            &root,
            out,
        )
        .await
        .map(drop);
    }
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
