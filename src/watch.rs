//! `meetty watch`: keeps the cache current and shows notifications while no TUI is open, in
//! the foreground (a systemd user unit, tmux or `nohup`). With the TUI open for the same
//! account, whichever holds the lock ([`crate::lock`]) syncs and notifies: the watch waits
//! for it, saying so once, and takes over when the TUI closes.
//!
//! Holding the lock, it resumes from the cache's sync state, syncs the TUI's window (which
//! turns with the day) every `refresh_seconds` (a minute when the config says 0, which
//! means "no background refresh" for the TUI but would make a watch pointless), writes the
//! cache and the upcoming list after each sync and hands each new agenda to the
//! [`alert_loop`]. SIGUSR1 syncs at once (the TUI sends it when it follows a watch and the
//! user refreshed or changed something); SIGTERM and SIGINT end it with status 0 after the
//! cache write under way. SIGHUP is left as inherited: ignored under `nohup`, otherwise it
//! ends the watch as it ends any program (the cache is written by rename, never half).
//!
//! It is quiet while all is well (a journal must not fill up): one line when it starts
//! watching, one when a problem starts and one when it is over. A network or Google
//! failure is retried at the next refresh; a sign-in that no longer works is retried
//! slowly, so a systemd unit never spins.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::signal::unix::{signal, Signal, SignalKind};

use crate::alerts::{self, Alert, Engine, Kind, Rules};
use crate::cache::{self, CacheFiles};
use crate::calendar::client::{CalendarClient, CalendarSelection};
use crate::calendar::error::ApiError;
use crate::calendar::model::Agenda;
use crate::calendar::sync::{SyncRequest, Synced};
use crate::config::{AutoJoin, ClipboardMode, Config};
use crate::lock::{self, Lock, Role};
use crate::sandbox::ACCOUNT;
use crate::session::connect::connect;
use crate::session::Startup;
use crate::timefmt::agenda_window;

/// `meetty watch`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {}

/// Between syncs when the config's `refresh_seconds` is 0 (off, for the TUI).
const DEFAULT_REFRESH: Duration = Duration::from_secs(60);

/// Between tries while the sign-in does not work: only the user can fix it, and asking
/// Google every minute for hours would change nothing.
const SIGN_IN_RETRY: Duration = Duration::from_secs(300);

/// Between looks at the lock while another process holds it.
const LOCK_RETRY: Duration = Duration::from_secs(2);

/// Runs until SIGTERM or SIGINT.
pub async fn run(
    start: &Startup,
    demo: bool,
    account: Option<&str>,
    _args: &WatchArgs,
) -> Result<(), String> {
    // Set up first: a SIGTERM while connecting still ends the watch cleanly.
    let mut signals = Signals::new().map_err(|e| format!("cannot handle signals: {e}"))?;
    let tz = start.tz()?;
    let conn = connect(start, demo, account, Utc::now(), tz).await?;
    let owner = conn
        .cache_owner
        .clone()
        .ok_or("nobody is signed in: run meetty login")?;
    // The demo's calendar lives in this process: it must outlive the client.
    let _sandbox = conn.sandbox;
    let paths = &start.paths;
    let Some(_lock) = lead(&paths.lock_file(&owner), &owner, &mut signals).await? else {
        return Ok(());
    };
    let files = CacheFiles::of(paths, &owner);
    // The cached agenda is what alerts come from until the first sync (or while offline).
    let (first, synced) = match cache::load(&files.agenda) {
        Some(cached) if cached.sync.is_none() => (Arc::new(cached.agenda), None),
        Some(cached) => {
            let synced = cached.resume();
            let agenda = synced.as_ref().map(|s| Arc::clone(&s.agenda));
            (agenda.unwrap_or_default(), synced)
        }
        None => (Arc::default(), None),
    };
    let (agendas, rx) = tokio::sync::watch::channel(first);
    let config = &start.config;
    // The demo's watch is its work account's ("demo" is no e-mail).
    let email = conn
        .account
        .as_deref()
        .unwrap_or(if demo { ACCOUNT } else { "" });
    let engine = Engine::new(Rules::of(config, email), alerts::Files::of(paths, &owner));
    let alerting = tokio::spawn(alert_loop(engine, rx, tz, config.clipboard));
    let every = config.refresh_every.unwrap_or(DEFAULT_REFRESH);
    let mut watch = Watch {
        client: conn.client,
        selection: config.calendars.clone(),
        files,
        tz,
        days: config.days,
        every,
        last: synced,
        agendas,
        said_hello: false,
        trouble: None,
    };
    let hello = |calendars: usize| started_line(&owner, calendars, every, config);
    watch.run(&mut signals, hello).await;
    alerting.abort();
    Ok(())
}

/// "watching alex@example.com: 2 calendars, refresh every 60 s, notifications 10 and 3 min
/// before and at the start".
fn started_line(owner: &str, calendars: usize, every: Duration, config: &Config) -> String {
    let plural = if calendars == 1 { "" } else { "s" };
    let notes = match config.notify_before.as_slice() {
        [] => "no notifications".to_string(),
        minutes => {
            let minutes: Vec<String> = minutes.iter().map(u32::to_string).collect();
            format!(
                "notifications {} min before and at the start",
                minutes.join(" and ")
            )
        }
    };
    let joins = match config.auto_join {
        AutoJoin::Off => "",
        AutoJoin::Marked => ", joins marked meetings",
        AutoJoin::All => ", joins every meeting with a link",
    };
    format!(
        "watching {owner}: {calendars} calendar{plural}, refresh every {} s, {notes}{joins}",
        every.as_secs()
    )
}

/// The signals a watch answers to.
struct Signals {
    term: Signal,
    int: Signal,
    usr1: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            usr1: signal(SignalKind::user_defined1())?,
        })
    }

    /// Resolves at SIGTERM or SIGINT.
    async fn stop(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }

    /// Waits `wait`, or less if SIGUSR1 (sync now), SIGTERM or SIGINT comes.
    async fn wait(&mut self, wait: Duration) -> Woken {
        tokio::select! {
            () = tokio::time::sleep(wait) => Woken::Sync,
            _ = self.usr1.recv() => Woken::Sync,
            _ = self.term.recv() => Woken::Stop,
            _ = self.int.recv() => Woken::Stop,
        }
    }
}

/// How a wait ended.
enum Woken {
    /// Time to sync (the period passed, or SIGUSR1).
    Sync,
    /// SIGTERM or SIGINT.
    Stop,
}

/// Waits until this process holds the lock at `path`, saying once who holds it meanwhile;
/// None when a signal ended the wait.
async fn lead(path: &Path, owner: &str, signals: &mut Signals) -> Result<Option<Lock>, String> {
    let mut said = false;
    loop {
        let taken = Lock::try_acquire(path, Role::Watch)
            .map_err(|e| format!("cannot take the lock {}: {e}", path.display()))?;
        if let Some(lock) = taken {
            return Ok(Some(lock));
        }
        if !said {
            eprintln!("meetty: {}", waiting_line(lock::holder(path), owner));
            said = true;
        }
        tokio::select! {
            () = tokio::time::sleep(LOCK_RETRY) => {}
            () = signals.stop() => return Ok(None),
        }
    }
}

/// Who syncs and notifies for `owner` while this watch waits.
fn waiting_line(holder: Option<lock::Holder>, owner: &str) -> String {
    match holder {
        Some(lock::Holder {
            role: Role::Tui,
            pid,
        }) => format!(
            "the TUI for {owner} (pid {pid}) is syncing and notifying; \
             this watch takes over when it closes"
        ),
        Some(lock::Holder {
            role: Role::Watch,
            pid,
        }) => format!(
            "another meetty watch for {owner} (pid {pid}) is syncing and notifying; \
             this one takes over if it ends"
        ),
        None => format!(
            "another meetty for {owner} is syncing and notifying; \
             this watch takes over when it ends"
        ),
    }
}

/// The sync loop's state.
struct Watch {
    client: CalendarClient,
    selection: CalendarSelection,
    files: CacheFiles,
    tz: Tz,
    days: u32,
    every: Duration,
    last: Option<Synced>,
    agendas: tokio::sync::watch::Sender<Arc<Agenda>>,
    /// The start line is said after the first sync that works.
    said_hello: bool,
    /// The problem last reported and how many syncs failed since the last success.
    trouble: Option<(String, u32)>,
}

impl Watch {
    /// Syncs, writes and hands on, until SIGTERM or SIGINT.
    async fn run(&mut self, signals: &mut Signals, hello: impl Fn(usize) -> String) {
        let mut due: Option<DateTime<Utc>> = None;
        loop {
            let now = Utc::now();
            // Timers stand still while the machine sleeps and the wall clock does not: a sync
            // well past its time follows a sleep, so the calendar list (and with it the
            // sign-in) is read again, as the TUI does.
            let slept = due.is_some_and(|due| now - due > chrono::Duration::minutes(1));
            let (from, to) = agenda_window(now, self.tz, self.days);
            let req = SyncRequest {
                from,
                to,
                reread_calendars: slept,
            };
            let result = tokio::select! {
                r = self.client.sync(self.last.as_ref(), &self.selection, req) => r,
                // Only a read is lost: nothing was written yet.
                () = signals.stop() => return,
            };
            let wait = match result {
                Ok(synced) => {
                    self.synced(synced, &hello).await;
                    self.every
                }
                Err(e) => self.failed(&e),
            };
            due = chrono::Duration::from_std(wait)
                .ok()
                .map(|w| Utc::now() + w);
            if let Woken::Stop = signals.wait(wait).await {
                return;
            }
        }
    }

    async fn synced(&mut self, synced: Synced, hello: &impl Fn(usize) -> String) {
        let agenda = Arc::clone(&synced.agenda);
        let state = synced.state();
        let files = self.files.clone();
        let written = {
            let agenda = Arc::clone(&agenda);
            tokio::task::spawn_blocking(move || cache::save(&files, &agenda, Some(&state))).await
        };
        self.agendas.send_replace(Arc::clone(&agenda));
        self.last = Some(synced);
        if !self.said_hello {
            self.said_hello = true;
            eprintln!(
                "meetty: {}",
                hello(calendar_count(&self.selection, &agenda))
            );
        }
        match written {
            Ok(Ok(())) => {
                if let Some((_, failures)) = self.trouble.take() {
                    log::info!("syncing works again (failed tries: {failures})");
                    eprintln!("meetty: syncing works again");
                }
            }
            Ok(Err(e)) => self.problem(format!(
                "cannot write the cache {}: {e} (is the disk full or the directory read-only?)",
                self.files.agenda.display()
            )),
            Err(e) => self.problem(format!("writing the cache failed: {e}")),
        }
    }

    /// Reports a failed sync (once per problem) and says when to try again.
    fn failed(&mut self, e: &ApiError) -> Duration {
        let needs_sign_in = matches!(
            e,
            ApiError::SignIn(_) | ApiError::Local(_) | ApiError::Google { code: 401, .. }
        );
        let (message, wait) = if needs_sign_in {
            (
                format!(
                    "cannot sync: {e}; run meetty login (trying again every {} min)",
                    SIGN_IN_RETRY.as_secs() / 60
                ),
                SIGN_IN_RETRY.max(self.every),
            )
        } else {
            (
                format!(
                    "cannot sync: {e} (trying again every {} s)",
                    self.every.as_secs()
                ),
                self.every,
            )
        };
        self.problem(message);
        wait
    }

    /// Says `message` on stderr and in the log, unless it is the problem said last.
    fn problem(&mut self, message: String) {
        match &mut self.trouble {
            Some((said, failures)) if *said == message => *failures += 1,
            _ => {
                log::warn!("{message}");
                eprintln!("meetty: {message}");
                self.trouble = Some((message, 1));
            }
        }
    }
}

/// How many calendars the agenda is made of.
fn calendar_count(selection: &CalendarSelection, agenda: &Agenda) -> usize {
    match selection {
        CalendarSelection::SelectedInGoogle => {
            agenda.calendars.iter().filter(|c| c.selected).count()
        }
        CalendarSelection::Ids(ids) => ids.len(),
    }
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

/// How long a notification service may take to show one.
const DELIVERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// One alert: a notification, or the link opened. A failure is logged, never fatal: the
/// next alert may well work (the notification server restarted, say).
pub async fn deliver(alert: &Alert, tz: Tz, clipboard: ClipboardMode) {
    let result = match alert.kind {
        Kind::Join => crate::browser::open(&alert.meeting.link),
        // A notification service that never answers must not hold up the next alert (a
        // scheduled join among them).
        Kind::Before(_) | Kind::Start => {
            let shown = crate::notify::show(alert, tz, clipboard);
            match tokio::time::timeout(DELIVERY_TIMEOUT, shown).await {
                Ok(result) => result,
                Err(_) => Err(format!(
                    "the notification service did not answer within {} s",
                    DELIVERY_TIMEOUT.as_secs()
                )),
            }
        }
    };
    if let Err(e) = result {
        log::warn!("{:?} for {}: {e}", alert.kind, alert.key);
    }
}
