//! The `meetty` command: the TUI by default, plus the sandbox and screenshot tools.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};

use meetty::app::{App, Settings};
use meetty::calendar::client::CalendarClient;
use meetty::clipboard::Clipboard;
use meetty::config::{Config, Paths};
use meetty::runtime::{self, Services};
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
    let config = Config::load(&paths.config_file)?;
    let tz = timefmt::resolve_zone(config.timezone.as_deref())?;
    let now = Utc::now();
    let days = cli.days.unwrap_or(config.days);
    if days == 0 || days > 366 {
        return Err(format!("--days {days} must be between 1 and 366"));
    }
    let cache_path = paths.agenda_cache(cli.demo);
    // The cache is drawn before any network work starts.
    let cached = cache::load(&cache_path);

    // Kept alive for the whole session: the demo's calendar lives in this process.
    let mut _sandbox = None;
    let (client, label) = if cli.demo {
        let seed = Seed::Demo { now, tz };
        let sandbox = Sandbox::start(0, seed)
            .await
            .map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
        let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token());
        _sandbox = Some(sandbox);
        (client, "demo".to_string())
    } else {
        let api_root = std::env::var("MEETTY_API_ROOT").unwrap_or(config.api_root.clone());
        // Sign-in with Google (OAuth + keyring) is not built yet; a token in the
        // environment serves development against `meetty sandbox`.
        let token = std::env::var("MEETTY_ACCESS_TOKEN").map_err(|_| {
            "meetty is not signed in to Google yet.\n\
             Try it with sample meetings:  meetty --demo\n\
             Or against a local sandbox:   meetty sandbox --port 8089  (it prints what to run)"
                .to_string()
        })?;
        let label = cached
            .as_ref()
            .and_then(|a| a.account.clone())
            .unwrap_or_else(|| "Google Calendar".into());
        (CalendarClient::new(&api_root, token), label)
    };

    let settings = Settings {
        tz,
        days,
        show_all: config.show_all,
        keymap: config.keymap.clone(),
        label,
    };
    let app = App::new(settings, cached, now);
    let services = Services {
        client,
        selection: config.calendars.clone(),
        cache_path,
        clipboard: Clipboard::new(config.clipboard),
    };
    runtime::run(app, services, cli.exit_after_first_frame).await
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
