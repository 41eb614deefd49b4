//! The `meetty` command: the TUI by default, plus the sandbox and screenshot tools.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};

use meetty::app::{App, Settings};
use meetty::auth::accounts::TokenStore;
use meetty::auth::login::Finish;
use meetty::calendar::model::SendUpdates;
use meetty::cli::connect::{api_root, connect};
use meetty::cli::scripting::{self, NewOptions};
use meetty::cli::{self, login::LoginOptions};
use meetty::clipboard::Clipboard;
use meetty::compose::Context;
use meetty::config::{Config, Paths};
use meetty::runtime::{self, Services};
use meetty::sandbox::{Sandbox, Seed};
use meetty::view::RowQuery;
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
    /// Print the agenda (for scripts: --json is stable, see the README).
    Agenda {
        /// Days to cover, starting today.
        #[arg(long, value_name = "N")]
        days: Option<u32>,
        /// All events, not only those with a video link.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Create a meeting with a Google Meet link; prints the link, then the event id.
    New {
        /// Template to start from (see the config): "Quick Sync", "Standup", "Client Demo",
        /// "Blank" (default).
        #[arg(long, short = 't', value_name = "NAME")]
        template: Option<String>,
        #[arg(long, value_name = "TEXT")]
        title: Option<String>,
        /// "14:30", "2:30pm", "tomorrow 9", "mon 10:00", "2026-12-01 15:00", "now", "+15m".
        #[arg(long, value_name = "WHEN")]
        start: Option<String>,
        /// "30m", "1h", "1h30m" (default: the template's).
        #[arg(long, value_name = "LENGTH", conflicts_with = "end")]
        duration: Option<String>,
        /// An end time instead of a duration: "15:00", "3pm".
        #[arg(long, value_name = "WHEN")]
        end: Option<String>,
        /// Guests' e-mail addresses, comma separated.
        #[arg(long, value_name = "EMAILS", value_delimiter = ',')]
        with: Vec<String>,
        /// Calendar id (default: the template's, else primary).
        #[arg(long, value_name = "ID")]
        calendar: Option<String>,
        /// Who gets e-mail: all, external, none (default: all).
        #[arg(long, value_name = "WHO", value_parser = parse_notify)]
        notify: Option<SendUpdates>,
        /// daily, weekdays, weekly, or an RRULE ("FREQ=WEEKLY;BYDAY=MO,TH").
        #[arg(long, value_name = "RULE")]
        recur: Option<String>,
        /// No Google Meet link.
        #[arg(long)]
        no_meet: bool,
        /// A template placeholder's value, e.g. --var client=Acme (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// Create it even if the start is in the past.
        #[arg(long)]
        past: bool,
        /// Copy the Meet link to the clipboard.
        #[arg(long)]
        copy: bool,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a meeting you organize (guests are told unless --notify none).
    Cancel {
        /// The event id (meetty agenda --json shows it).
        event_id: String,
        /// all, external, none (default: all when there are guests).
        #[arg(long, value_name = "WHO", value_parser = parse_notify)]
        notify: Option<SendUpdates>,
        /// Cancel the whole series this occurrence belongs to.
        #[arg(long)]
        all_occurrences: bool,
        #[arg(long, value_name = "ID", default_value = "primary")]
        calendar: String,
    },
    /// Make an instant Google Meet link (no meeting is left in your calendar).
    Link {
        /// Copy it to the clipboard too.
        #[arg(long)]
        copy: bool,
    },
    #[command(name = meetty::clipboard::SERVE_COMMAND, hide = true)]
    ClipboardServe,
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
            Some(Cmd::ClipboardServe) => meetty::clipboard::serve(),
            Some(
                ref cmd @ (Cmd::Agenda { .. }
                | Cmd::New { .. }
                | Cmd::Cancel { .. }
                | Cmd::Link { .. }),
            ) => scripting_command(&cli, cmd).await,
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
    let conn = connect(&paths, &config, cli.demo, cli.account.as_deref(), now, tz).await?;
    let settings = Settings {
        tz,
        days,
        show_all: config.show_all,
        keymap: config.keymap.clone(),
        label: conn.label,
        first_run: conn.first_run,
        account: conn.account,
        templates: config.templates.clone(),
        copy_on_create: config.copy_on_create,
        refresh_every: config.refresh_every,
        id_salt: meetty::calendar::write::event_id(),
    };
    // Each account (and the demo, and a fixed-token session) has a cache of its own, so one
    // account's meetings are never drawn under another's name.
    let cache_path = conn.cache_owner.map(|owner| paths.agenda_cache(&owner));
    // Drawn before any network work starts.
    let cached = cache_path.as_deref().and_then(cache::load);
    let app = App::new(settings, cached, now);
    let services = Services {
        client: conn.client,
        selection: config.calendars.clone(),
        cache_path,
        clipboard: Clipboard::new(config.clipboard),
        sign_in: conn.sign_in,
    };
    // The demo's sandbox lives as long as the session.
    let _sandbox = conn.sandbox;
    runtime::run(app, services, cli.exit_after_first_frame).await
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
        _ => unreachable!("handled in main"),
    }
}

fn parse_notify(s: &str) -> Result<SendUpdates, String> {
    SendUpdates::parse(s).ok_or_else(|| format!("{s:?}: use all, external or none"))
}

async fn scripting_command(cli: &Cli, cmd: &Cmd) -> Result<(), String> {
    let paths = Paths::resolve(cli.config.clone())?;
    let _ = meetty::logging::init(&paths.log_file());
    let config = Config::load(&paths.config_file)?;
    let tz = timefmt::resolve_zone(config.timezone.as_deref())?;
    let now = Utc::now();
    let conn = connect(&paths, &config, cli.demo, cli.account.as_deref(), now, tz).await?;
    if conn.first_run {
        return Err("not signed in: run meetty login (or try meetty --demo …)".into());
    }
    // Scripts see why a command is slow, on stderr; stdout stays the result.
    let client = &conn.client.observed(std::sync::Arc::new(|r| {
        eprintln!("meetty: {r} in {:.0} s", r.wait.as_secs_f32().ceil())
    }));
    let out = &mut std::io::stdout();
    match cmd {
        Cmd::Agenda { days, all, json } => {
            let days = days.or(cli.days).unwrap_or(config.days);
            if days == 0 || days > 366 {
                return Err(format!("--days {days} must be between 1 and 366"));
            }
            let (from, to) = timefmt::agenda_window(now, tz, days);
            let agenda = client
                .agenda(&config.calendars, from, to)
                .await
                .map_err(|e| e.to_string())?;
            let q = RowQuery {
                now,
                tz,
                days,
                show_all: *all || config.show_all,
                filter: "",
            };
            scripting::print_agenda(&agenda, &q, *json, out)
        }
        Cmd::New {
            template,
            title,
            start,
            duration,
            end,
            with,
            calendar,
            notify,
            recur,
            no_meet,
            vars,
            past,
            copy,
            json,
        } => {
            let opts = NewOptions {
                template: template.clone(),
                title: title.clone(),
                start: start.clone(),
                duration: duration.clone(),
                end: end.clone(),
                with: with.clone(),
                calendar: calendar.clone(),
                notify: *notify,
                recur: recur.clone(),
                no_meet: *no_meet,
                vars: vars.clone(),
                past: *past,
            };
            let calendars = client.calendars().await.map_err(|e| e.to_string())?;
            let ctx = Context {
                now,
                tz,
                calendars: &calendars,
                account: conn.account.as_deref(),
            };
            let (calendar, mut event, warnings) = scripting::new_event(&config, &opts, &ctx)?;
            for w in warnings {
                eprintln!("meetty: warning: {w}");
            }
            event.id = meetty::calendar::write::event_id();
            let link = scripting::create(client, calendar, event, tz, *json, out).await?;
            if let (true, Some(link)) = (*copy, link) {
                scripting::copy_and_say(&link, config.clipboard);
            }
            Ok(())
        }
        Cmd::Cancel {
            event_id,
            notify,
            all_occurrences,
            calendar,
        } => {
            let done =
                scripting::cancel(client, calendar, event_id, *notify, *all_occurrences).await?;
            eprintln!("{done}");
            Ok(())
        }
        Cmd::Link { copy } => {
            let link = scripting::instant_link(client, tz).await?;
            println!("{link}");
            if *copy {
                scripting::copy_and_say(&link, config.clipboard);
            }
            Ok(())
        }
        _ => unreachable!("handled in main"),
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
