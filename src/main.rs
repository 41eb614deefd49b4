//! The `meetty` command: the TUI by default, plus the sandbox and screenshot tools.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};

use meetty::app::{App, Settings};
use meetty::auth::accounts::{Accounts, TokenStore};
use meetty::auth::login::Finish;
use meetty::calendar::client::CalendarClient;
use meetty::cli::{self, login::LoginOptions, LazySession, Signed};
use meetty::clipboard::Clipboard;
use meetty::config::{Config, Paths};
use meetty::runtime::{self, Services, SignInContext};
use meetty::sandbox::{Sandbox, Seed};
use meetty::{cache, screenshots, timefmt};

#[derive(Parser)]
#[command(
    version,
    about = "Your Google Calendar meetings in the terminal: agenda, Meet links, one key to copy."
)]
struct Cli {
    /// Run on a built-in sandbox calendar with a week of sample meetings (no Google account).
    #[arg(long)]
    demo: bool,
    /// Config file to use instead of the default one.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// The Google account to use (default: the last one signed in).
    #[arg(long, value_name = "EMAIL", global = true)]
    account: Option<String>,
    /// Days the agenda covers (overrides the config's `days`).
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// Draw the first frame and exit (measures start-up; see BENCHMARKS.md).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Sign in with Google (opens your browser; tokens go to the OS keyring).
    Login {
        /// The "Desktop app" OAuth client JSON downloaded from Google Cloud Console (needed
        /// the first time; remembered after).
        #[arg(long, value_name = "FILE")]
        credentials: Option<PathBuf>,
        /// Print the sign-in URL and read the final redirect URL (or code) from the
        /// terminal: for SSH sessions and hosts without a browser.
        #[arg(long)]
        no_browser: bool,
        /// Where to keep the tokens: the OS keyring, or (explicitly, for hosts without a
        /// Secret Service) a 0600 file in the data dir. Default: where the account's
        /// tokens already are, else the keyring.
        #[arg(long, value_enum)]
        token_store: Option<TokenStore>,
    },
    /// Revoke meetty's access at Google and delete the account's stored tokens.
    Logout,
    /// Show the signed-in account, token expiry and where tokens are stored.
    Status,
    /// Check config, credentials, keyring, token refresh, API access and clock.
    Doctor,
    /// Serve the sandbox Google Calendar API on 127.0.0.1 until interrupted.
    Sandbox {
        #[arg(long, default_value_t = 8089)]
        port: u16,
        /// Seed N evenly spaced meetings instead of the demo week (for benchmarks).
        #[arg(long, value_name = "N")]
        events: Option<usize>,
    },
    /// Render the demo into SVG screenshots (the README's images).
    Screenshots {
        #[arg(long, default_value = "screenshots")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = rt.block_on(async {
        match cli.command {
            Some(Cmd::Sandbox { port, events }) => serve_sandbox(port, events).await,
            Some(Cmd::Screenshots { ref out }) => screenshots::write_all(out).await,
            Some(ref cmd) => account_command(&cli, cmd).await,
            None => tui(&cli).await,
        }
    });
    // Tasks blocked in the sandbox or the network must not keep the process alive.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("meetty: {message}");
    ExitCode::FAILURE
}

async fn tui(cli: &Cli) -> Result<(), String> {
    let paths = Paths::resolve(cli.config.clone())?;
    // A log that cannot be opened must not keep anyone from their agenda.
    let _ = meetty::logging::init(&paths.log_file());
    let config = Config::load(&paths.config_file)?;
    let tz = timefmt::resolve_zone(config.timezone.as_deref())?;
    let now = Utc::now();
    let days = cli.days.unwrap_or(config.days);
    if days == 0 || days > 366 {
        return Err(format!("--days {days} must be between 1 and 366"));
    }
    // Kept alive for the whole session: the demo's calendar lives in this process.
    let mut _sandbox = None;
    let mut first_run = false;
    let mut sign_in = None;
    // Each account (and the demo, and a fixed-token session) has a cache of its own, so one
    // account's meetings are never drawn under another's name.
    let (client, label, cache_owner) = if cli.demo {
        let seed = Seed::Demo { now, tz };
        let sandbox = Sandbox::start(0, seed)
            .await
            .map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
        let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token());
        _sandbox = Some(sandbox);
        (client, "demo".to_string(), Some("demo".to_string()))
    } else {
        let api_root = api_root(&config);
        // A fixed token serves development against `meetty sandbox` (it prints one).
        if let Ok(token) = std::env::var("MEETTY_ACCESS_TOKEN") {
            (
                CalendarClient::new(&api_root, token),
                "MEETTY_ACCESS_TOKEN".to_string(),
                Some("sandbox".to_string()),
            )
        } else if Accounts::load(&paths.accounts_file())?.accounts.is_empty()
            && cli.account.is_none()
        {
            first_run = true;
            (
                CalendarClient::new(&api_root, String::new()),
                "not signed in".to_string(),
                None,
            )
        } else {
            let signed = Signed::load(&paths, cli.account.as_deref())?;
            sign_in = Some(SignInContext {
                paths: paths.clone(),
                account: signed.email.clone(),
                token_store: signed.kind,
                api_root: api_root.clone(),
            });
            let email = signed.email.clone();
            (
                CalendarClient::new(&api_root, LazySession::new(signed)),
                email.clone(),
                Some(email),
            )
        }
    };

    let settings = Settings {
        tz,
        days,
        show_all: config.show_all,
        keymap: config.keymap.clone(),
        label,
        first_run,
    };
    let cache_path = cache_owner.map(|owner| paths.agenda_cache(&owner));
    // Drawn before any network work starts.
    let cached = cache_path.as_deref().and_then(cache::load);
    let app = App::new(settings, cached, now);
    let services = Services {
        client,
        selection: config.calendars.clone(),
        cache_path,
        clipboard: Clipboard::new(config.clipboard),
        sign_in,
    };
    runtime::run(app, services, cli.exit_after_first_frame).await
}

fn api_root(config: &Config) -> String {
    std::env::var("MEETTY_API_ROOT").unwrap_or_else(|_| config.api_root.clone())
}

async fn account_command(cli: &Cli, cmd: &Cmd) -> Result<(), String> {
    let paths = Paths::resolve(cli.config.clone())?;
    let _ = meetty::logging::init(&paths.log_file());
    let config = Config::load(&paths.config_file)?;
    let account = cli.account.as_deref();
    let out = &mut std::io::stdout();
    match cmd {
        Cmd::Login {
            credentials,
            no_browser,
            token_store,
        } => {
            let opts = LoginOptions {
                credentials: credentials.clone(),
                account: cli.account.clone(),
                token_store: *token_store,
                api_root: api_root(&config),
                renew: false,
            };
            let mut stdin = std::io::BufReader::new(std::io::stdin());
            let finish = if *no_browser {
                Finish::Paste(&mut stdin)
            } else {
                Finish::Browser(&meetty::browser::open)
            };
            cli::login::run(&paths, opts, finish, out).await.map(drop)
        }
        Cmd::Logout => cli::logout::run(&paths, account, out).await,
        Cmd::Status => cli::status::run(&paths, account, out).await,
        Cmd::Doctor => cli::doctor::run(&paths, account, &api_root(&config), out).await,
        Cmd::Sandbox { .. } | Cmd::Screenshots { .. } => unreachable!("handled in main"),
    }
}

async fn serve_sandbox(port: u16, events: Option<usize>) -> Result<(), String> {
    let tz = timefmt::resolve_zone(None)?;
    let now = Utc::now();
    let seed = match events {
        Some(events) => Seed::Bulk { now, tz, events },
        None => Seed::Demo { now, tz },
    };
    let sandbox = Sandbox::start(port, seed)
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("Sandbox Google Calendar API on {}", sandbox.root_url());
    println!(
        "Run meetty against it:\n  MEETTY_API_ROOT={} MEETTY_ACCESS_TOKEN={} meetty",
        sandbox.root_url(),
        sandbox.access_token()
    );
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    sandbox.shutdown().await;
    Ok(())
}
