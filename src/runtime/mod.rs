//! The TUI's main loop: terminal events, effect results and the clock feed one `update`; a
//! frame is drawn once per handled batch, and only when something visible changed. Effects
//! run in [`effects`], which needs no terminal.

pub mod effects;
pub mod lead;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::signal::unix::{signal, SignalKind};

use crate::action::Action;
use crate::alerts::{Files, Marks, Rules};
use crate::app::{App, Settings};
use crate::cache::{self, CacheFiles, Cached};
use crate::calendar::model::{AccountState, Agenda};
use crate::calendar::sync::Synced;
use crate::clipboard::Clipboard;
use crate::session::connect::connect_all;
use crate::session::Startup;
use crate::terminal::{self, Tui};
use crate::ui;

pub use effects::{AccountServices, EffectRunner, Services};
pub use lead::{AlertSetup, Lead};

/// How the TUI was asked to start, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// On the built-in sandbox calendar.
    pub demo: bool,
    /// `--account`: None is the default account.
    pub account: Option<String>,
    /// `--days`: None is the config's.
    pub days: Option<u32>,
    /// Stop after the first frame (to measure start-up).
    pub first_frame_only: bool,
}

/// Why the TUI ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal ended it (SIGTERM, SIGHUP): its number.
    Signal(i32),
}

impl Ended {
    /// The exit status shells expect: 0, or 128 plus the signal's number.
    pub fn exit_status(self) -> u8 {
        match self {
            Ended::Quit => 0,
            Ended::Signal(n) => u8::try_from(128 + n).unwrap_or(u8::MAX),
        }
    }
}

/// Connects, draws the cached agenda, then runs the TUI until the user quits or a signal
/// arrives; the terminal is restored on every way out.
pub async fn start(start: &Startup, opts: Options) -> Result<Ended, String> {
    let tz = start.tz()?;
    let days = start.days(opts.days);
    let now = Utc::now();
    let conns = connect_all(start, opts.demo, opts.account.as_deref(), now, tz).await?;
    let settings = Settings {
        label: conns.label,
        first_run: conns.first_run,
        account: conns.account,
        config_file: start.paths.config_file.display().to_string(),
        ..Settings::from_config(&start.config, tz, days, crate::calendar::write::event_id())
    };
    // Each account (and the demo's, and a fixed-token session) has a cache of its own, so
    // one account's meetings are never drawn under another's name.
    let files: Vec<Option<CacheFiles>> = conns
        .accounts
        .iter()
        .map(|a| {
            a.cache_owner
                .as_ref()
                .map(|o| CacheFiles::of(&start.paths, o))
        })
        .collect();
    // Drawn before any network work starts: every account's cache, merged.
    let cached = conns
        .accounts
        .iter()
        .zip(&files)
        .map(|(a, f)| {
            let cached = f.as_ref().and_then(|f| cache::load(&f.agenda));
            (a.email.clone(), a.label.clone(), cached)
        })
        .collect();
    let (mut app, resumes) = from_caches(settings, cached, now);
    // Issue 12: scheduled-join marks, and who syncs and notifies (this TUI or a watch),
    // per account.
    let mut marks = Marks::default();
    let mut accounts = Vec::new();
    // Each account's alerts plan from its cached part until its first refresh (an event on
    // several accounts from the one whose copy is shown).
    let kept = app.agenda.as_deref().and_then(crate::view::kept_copies);
    let parts: Vec<Arc<Agenda>> = (0..conns.accounts.len())
        .map(|i| {
            app.agenda
                .as_ref()
                .map(|a| Arc::new(lead::alert_part(a, kept.as_deref(), i)))
                .unwrap_or_default()
        })
        .collect();
    let accounts_conns = conns
        .accounts
        .into_iter()
        .zip(files)
        .zip(resumes)
        .zip(parts);
    for (((conn, files), resume), part) in accounts_conns {
        let owner = conn.cache_owner.as_deref();
        let marks_file = owner.map(|o| start.paths.marks_file(o));
        if let Some(file) = &marks_file {
            marks.extend(&Marks::load(file));
        }
        let lead = owner.map(|o| {
            let setup = AlertSetup {
                rules: Rules::of(&start.config, &conn.email),
                files: Files::of(&start.paths, o),
                tz,
                clipboard: start.config.clipboard,
            };
            // A demo has a sandbox of its own: another demo's results are not its calendar.
            Lead::start(start.paths.lock_file(o), setup, part, !opts.demo)
        });
        accounts.push(AccountServices {
            cache: files,
            sign_in: conn.sign_in,
            resume,
            lead,
            marks: marks_file,
            ..AccountServices::new(&conn.email, &conn.label, conn.client)
        });
    }
    app.marks = marks;
    let services = Services {
        accounts,
        selection: start.config.calendars.clone(),
        clipboard: Clipboard::new(start.config.clipboard),
    };
    // The demo's sandbox lives as long as the session.
    let _sandbox = conns.sandbox;
    run(app, services, opts.first_frame_only).await
}

/// The app showing every account's cached agenda, merged (`cached`: each account's e-mail,
/// label and cache, in order), and the sync each account's first refresh builds on, so that
/// refresh asks only for what changed since its cache was written. (A token the calendar did
/// not issue, the demo's of another process say, is answered 410: that calendar is listed
/// in full.)
pub fn from_caches(
    settings: Settings,
    cached: Vec<(String, String, Option<Cached>)>,
    now: DateTime<Utc>,
) -> (App, Vec<Option<Synced>>) {
    let any = cached.iter().any(|(_, _, c)| c.is_some());
    let mut parts = Vec::with_capacity(cached.len());
    let mut resumes = Vec::with_capacity(cached.len());
    for (email, label, cached) in cached {
        let (agenda, state) =
            cached.map_or((Arc::default(), None), |c| (Arc::new(c.agenda), c.sync));
        resumes.push(state.map(|state| Synced::resume(Arc::clone(&agenda), state)));
        let state = AccountState {
            email,
            label,
            fetched_at: agenda.fetched_at,
            stale: None,
        };
        parts.push((state, agenda));
    }
    let agenda = any.then(|| Agenda::merge(parts));
    (App::new(settings, agenda, now), resumes)
}

/// Runs the TUI until the user quits or a signal arrives; the terminal is restored on
/// every way out. `first_frame_only` stops after the first frame (to measure start-up).
pub async fn run(
    mut app: App,
    services: Services,
    first_frame_only: bool,
) -> Result<Ended, String> {
    let mut tui = terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let mut runner = EffectRunner::new(services);
    let result = if first_frame_only {
        tui.draw(|f| ui::draw(f, &app)).map(|_| Ended::Quit)
    } else {
        main_loop(&mut tui, &mut app, &mut runner).await
    };
    terminal::restore();
    result.map_err(|e| format!("terminal error: {e}"))
}

async fn main_loop(
    tui: &mut Tui,
    app: &mut App,
    runner: &mut EffectRunner,
) -> std::io::Result<Ended> {
    let mut events = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    tui.draw(|f| ui::draw(f, app))?;
    app.dirty = false;
    let start = app.start();
    runner.run(start, tui.backend_mut());
    loop {
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match to_action(ev) {
                    Some(a) => a,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(Ended::Quit),
            },
            Some(a) = runner.next() => a,
            _ = tokio::time::sleep(app.next_tick_in()) => Action::Tick(Utc::now()),
            _ = sigterm.recv() => return Ok(Ended::Signal(libc::SIGTERM)),
            _ = sighup.recv() => return Ok(Ended::Signal(libc::SIGHUP)),
        };
        // Keep the clock current before anything else so toasts and countdowns are right.
        let mut effects = app.update(Action::Tick(Utc::now()));
        effects.extend(app.update(action));
        while let Some(a) = runner.try_next() {
            effects.extend(app.update(a));
        }
        runner.run(effects, tui.backend_mut());
        if app.quit {
            return Ok(Ended::Quit);
        }
        if app.dirty {
            tui.draw(|f| ui::draw(f, app))?;
            app.dirty = false;
        }
    }
}

fn to_action(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Action::Key(k)),
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Resize(..) => Some(Action::Resize),
        _ => None,
    }
}
