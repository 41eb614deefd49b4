//! `meetty watch`: keeps the cache current and shows notifications while no TUI is open, in
//! the foreground (a systemd user unit, tmux or `nohup`). It syncs as the TUI does, every
//! `refresh_seconds`, and runs the alerts [`crate::alerts::Engine`]; with the TUI open for the
//! same account, whichever holds the lock ([`crate::lock`]) does both.
//!
//! Contract (issue 12; filled in by the watch work).

use std::sync::Arc;

use chrono::Utc;
use chrono_tz::Tz;

use crate::alerts::{Alert, Engine, Kind};
use crate::calendar::model::Agenda;
use crate::config::ClipboardMode;
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

/// Longest sleep between looks at the clock: a suspended laptop's timers stop, the wall
/// clock does not, so a wait is never trusted for longer than this.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Delivers the engine's alerts for as long as agendas arrive on `agendas` (the TUI and the
/// watch send one after each sync): notifications through [`crate::notify`], scheduled
/// joins by opening the link as `o` does. Ends when the sender is dropped.
pub async fn alert_loop(
    mut engine: Engine,
    mut agendas: tokio::sync::watch::Receiver<Arc<Agenda>>,
    tz: Tz,
    clipboard: ClipboardMode,
) {
    engine.set_agenda(&agendas.borrow_and_update());
    loop {
        for alert in engine.take_due(Utc::now()) {
            deliver(&alert, tz, clipboard).await;
        }
        let wait = engine
            .next_at()
            // An alert already due (negative wait) is taken at once.
            .map(|at| (at - Utc::now()).to_std().unwrap_or_default())
            .unwrap_or(MAX_WAIT)
            .min(MAX_WAIT);
        tokio::select! {
            changed = agendas.changed() => match changed {
                Ok(()) => engine.set_agenda(&agendas.borrow_and_update()),
                Err(_) => return,
            },
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One alert: a notification, or the link opened. A failure is logged, never fatal: the
/// next alert may well work (the notification server restarted, say).
pub async fn deliver(alert: &Alert, tz: Tz, clipboard: ClipboardMode) {
    let result = match alert.kind {
        Kind::Join => crate::browser::open(&alert.meeting.link),
        Kind::Before(_) | Kind::Start => crate::notify::show(alert, tz, clipboard).await,
    };
    if let Err(e) = result {
        log::warn!("{:?} for {}: {e}", alert.kind, alert.key);
    }
}
