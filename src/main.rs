//! The `meetty` command: the TUI by default, plus the account and scripting commands, the
//! sandbox and the screenshots. It parses the command line and hands each command to the
//! library; exit statuses are documented in the README ("Exit status").

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};

use meetty::cli::scripting::{self, Failure};
use meetty::cli::{self, AccountCommand};
use meetty::runtime;
use meetty::sandbox::{Sandbox, Seed};
use meetty::session::{parse_days, Startup};
use meetty::{screenshots, timefmt};

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
    /// The Google account to use, alone (default: the TUI merges every signed-in account, or
    /// those the config's `accounts` lists; other commands use the last one signed in).
    #[arg(long, value_name = "EMAIL", global = true)]
    account: Option<String>,
    /// Days the agenda covers (overrides the config's `days`).
    #[arg(long, value_name = "N", value_parser = parse_days)]
    days: Option<u32>,
    /// Draw the first frame and exit (measures start-up; see BENCHMARKS.md).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    #[command(flatten)]
    Account(AccountCommand),
    /// Serve the sandbox Google Calendar API on 127.0.0.1 until interrupted.
    Sandbox {
        #[arg(long, default_value_t = 8089)]
        port: u16,
        /// Seed N evenly spaced meetings instead of the demo week (for benchmarks).
        #[arg(long, value_name = "N")]
        events: Option<usize>,
    },
    /// The meeting in progress or the next one, from the cache only (for status bars).
    Next(cli::next::NextArgs),
    /// Open the link of the meeting in progress, else of the one starting within 10 minutes.
    Join(cli::next::JoinArgs),
    /// Keep the cache current and show notifications, in the foreground (for a systemd
    /// user unit).
    Watch(meetty::watch::WatchArgs),
    /// Serve a local JSON API for making and changing meetings (for scripts and services).
    Serve(meetty::serve::ServeArgs),
    /// Boxed: `new`'s options are far larger than the other commands.
    #[command(flatten)]
    Script(Box<scripting::Command>),
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
    // Status bars run these every few seconds: no async runtime, no log, only the files.
    if let Some(Cmd::Next(_) | Cmd::Join(_)) = &cli.command {
        return match cached_answer(&cli) {
            Ok(status) => status,
            Err(e) => fail(&e),
        };
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = rt.block_on(run(cli));
    // Tasks blocked in the sandbox or the network must not keep the process alive.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(status) => status,
        Err(e) => fail(&e),
    }
}

/// `next` and `join`, read from the files alone.
fn cached_answer(cli: &Cli) -> Result<ExitCode, String> {
    let paths = meetty::config::Paths::resolve(cli.config.clone())?;
    let whose = cli::next::Whose {
        demo: cli.demo,
        account: cli.account.clone(),
    };
    let out = &mut std::io::stdout();
    match &cli.command {
        Some(Cmd::Next(args)) => cli::next::next(&paths, &whose, args, out),
        Some(Cmd::Join(args)) => cli::next::join(&paths, &whose, args, out),
        _ => unreachable!("only next and join are answered from the cache"),
    }
}

fn fail(message: &str) -> ExitCode {
    say(message);
    ExitCode::FAILURE
}

/// Every line of a message on stderr, each starting with `meetty: ` so a script can tell
/// them from other programs' output.
fn say(message: &str) {
    for line in message.lines() {
        eprintln!("meetty: {line}");
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let done = |()| ExitCode::SUCCESS;
    match cli.command {
        Some(Cmd::Sandbox { port, events }) => serve_sandbox(port, events).await.map(done),
        Some(Cmd::Screenshots { ref out }) => screenshots::write_all(out).await.map(done),
        Some(Cmd::ClipboardServe) => meetty::clipboard::serve().map(done),
        Some(Cmd::Next(_) | Cmd::Join(_)) => unreachable!("answered before the runtime starts"),
        Some(Cmd::Watch(ref args)) => {
            let mut start = Startup::load(cli.config)?;
            // `--days` widens (or narrows) what the watch keeps current, as for the TUI.
            start.config.days = start.days(cli.days);
            meetty::watch::run(&start, cli.demo, cli.account.as_deref(), args)
                .await
                .map(done)
        }
        Some(Cmd::Serve(ref args)) => {
            let start = Startup::load(cli.config)?;
            meetty::serve::run(&start, cli.demo, cli.account.as_deref(), args)
                .await
                .map(done)
        }
        Some(Cmd::Account(ref cmd)) => {
            let start = Startup::load(cli.config)?;
            let out = &mut std::io::stdout();
            let outcome = cli::run_account(&start, cli.account.as_deref(), cmd, out).await?;
            Ok(ExitCode::from(outcome.exit_status()))
        }
        Some(Cmd::Script(ref cmd)) => {
            let start = Startup::load(cli.config)?;
            let scope = scripting::Scope {
                demo: cli.demo,
                account: cli.account,
                days: cli.days,
            };
            let out = &mut std::io::stdout();
            match scripting::run(&start, &scope, cmd, out).await {
                Ok(outcome) => Ok(ExitCode::from(outcome.exit_status())),
                Err(Failure::Usage(message)) => {
                    say(&message);
                    Ok(ExitCode::from(2))
                }
                Err(Failure::Failed(message)) => Err(message),
            }
        }
        None => {
            let start = Startup::load(cli.config)?;
            let opts = runtime::Options {
                demo: cli.demo,
                account: cli.account,
                days: cli.days,
                first_frame_only: cli.exit_after_first_frame,
            };
            let ended = runtime::start(&start, opts).await?;
            Ok(ExitCode::from(ended.exit_status()))
        }
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
