//! The main loop: terminal events, effect results and the clock feed one `update`; a frame
//! is drawn once per handled batch, and only when something visible changed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use std::panic::AssertUnwindSafe;

use futures_util::{FutureExt, StreamExt};
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::task::JoinHandle;

use crate::action::{Action, Effect};
use crate::app::App;
use crate::auth::accounts::TokenStore;
use crate::calendar::client::{CalendarClient, CalendarSelection};
use crate::calendar::error::ApiError;
use crate::calendar::sync::{SyncRequest, Synced};
use crate::cli::login::LoginOptions;
use crate::clipboard::Clipboard;
use crate::config::Paths;
use crate::terminal::{self, Tui};
use crate::{browser, cache, ui};

/// What effects need to do their work.
pub struct Services {
    pub client: CalendarClient,
    pub selection: CalendarSelection,
    /// None before sign-in: there is nothing to cache.
    pub cache_path: Option<PathBuf>,
    pub clipboard: Clipboard,
    /// How to sign the account in again from inside the TUI (None: demo or fixed token).
    pub sign_in: Option<SignInContext>,
}

#[derive(Clone)]
pub struct SignInContext {
    pub paths: Paths,
    pub account: String,
    pub token_store: TokenStore,
    pub api_root: String,
}

/// Runs the TUI until the user quits or a signal arrives; the terminal is restored on
/// every way out. `first_frame_only` stops after the first frame (to measure start-up).
pub async fn run(mut app: App, services: Services, first_frame_only: bool) -> Result<(), String> {
    let mut tui = terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let mut runner = Runner::new(services);
    let result = if first_frame_only {
        tui.draw(|f| ui::draw(f, &app)).map(drop)
    } else {
        runner.run(&mut tui, &mut app).await
    };
    terminal::restore();
    result.map_err(|e| format!("terminal error: {e}"))
}

struct Runner {
    services: Services,
    tx: UnboundedSender<Action>,
    rx: tokio::sync::mpsc::UnboundedReceiver<Action>,
    refresh: Option<JoinHandle<()>>,
    /// What the last finished refresh left, for the next one to ask only for changes.
    synced: Arc<Mutex<Option<Synced>>>,
}

impl Runner {
    fn new(services: Services) -> Runner {
        let (tx, rx) = unbounded_channel();
        Runner {
            services,
            tx,
            rx,
            refresh: None,
            synced: Arc::default(),
        }
    }

    async fn run(&mut self, tui: &mut Tui, app: &mut App) -> std::io::Result<()> {
        let mut events = EventStream::new();
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sighup = signal(SignalKind::hangup())?;
        tui.draw(|f| ui::draw(f, app))?;
        app.dirty = false;
        let start = app.start();
        self.run_effects(start, tui);
        loop {
            let action = tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(ev)) => match to_action(ev) {
                        Some(a) => a,
                        None => continue,
                    },
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                },
                Some(a) = self.rx.recv() => a,
                _ = tokio::time::sleep(app.next_tick_in()) => Action::Tick(Utc::now()),
                _ = sigterm.recv() => return Ok(()),
                _ = sighup.recv() => return Ok(()),
            };
            // Keep the clock current before anything else so toasts and countdowns are right.
            let mut effects = app.update(Action::Tick(Utc::now()));
            effects.extend(app.update(action));
            while let Ok(a) = self.rx.try_recv() {
                effects.extend(app.update(a));
            }
            self.run_effects(effects, tui);
            if app.quit {
                return Ok(());
            }
            if app.dirty {
                tui.draw(|f| ui::draw(f, app))?;
                app.dirty = false;
            }
        }
    }

    /// The client for request `req`, telling the app when it waits to retry.
    fn client_for(&self, req: u64) -> CalendarClient {
        let tx = self.tx.clone();
        self.services.client.observed(Arc::new(move |retry| {
            let _ = tx.send(Action::Retrying { req, retry });
        }))
    }

    fn run_effects(&mut self, effects: Vec<Effect>, tui: &mut Tui) {
        for effect in effects {
            match effect {
                Effect::Refresh {
                    req,
                    from,
                    to,
                    reread_calendars,
                } => {
                    // The superseded refresh is cancelled, not left to finish.
                    if let Some(old) = self.refresh.take() {
                        old.abort();
                    }
                    let client = self.client_for(req);
                    let selection = self.services.selection.clone();
                    let synced = Arc::clone(&self.synced);
                    let tx = self.tx.clone();
                    let ask = SyncRequest {
                        from,
                        to,
                        reread_calendars,
                    };
                    self.refresh = Some(tokio::spawn(async move {
                        let last = lock(&synced).clone();
                        // A panic in parsing must not leave the spinner turning forever.
                        let fetch = AssertUnwindSafe(client.sync(last.as_ref(), &selection, ask));
                        let result = match fetch.catch_unwind().await {
                            Ok(Ok(new)) => {
                                let agenda = Arc::clone(&new.agenda);
                                *lock(&synced) = Some(new);
                                Ok(agenda)
                            }
                            Ok(Err(e)) => Err(e),
                            Err(_) => Err(ApiError::Unexpected(
                                "internal error while reading the agenda".into(),
                            )),
                        };
                        match &result {
                            Ok(a) => log::info!("agenda refreshed: {} meetings", a.meetings.len()),
                            Err(e) => log::warn!("agenda refresh failed: {e}"),
                        }
                        let _ = tx.send(Action::AgendaLoaded { req, result });
                    }));
                }
                Effect::SaveCache(agenda) => {
                    let Some(path) = self.services.cache_path.clone() else {
                        continue;
                    };
                    tokio::task::spawn_blocking(move || {
                        // Losing a cache write costs only a slower next start.
                        let _ = cache::save(&path, &agenda);
                        release_free_memory();
                    });
                }
                Effect::Copy { text, what } => {
                    let result = self.services.clipboard.copy(&text, tui.backend_mut());
                    let _ = self.tx.send(Action::Copied { what, result });
                }
                Effect::SignIn => {
                    let tx = self.tx.clone();
                    let ctx = self.services.sign_in.clone();
                    tokio::spawn(async move {
                        let result = match ctx {
                            Some(ctx) => sign_in_again(ctx, tx.clone()).await,
                            None => Err("this session has no stored sign-in; run meetty login in another terminal".into()),
                        };
                        let _ = tx.send(Action::SignedIn(result));
                    });
                }
                Effect::Write { req, op } => {
                    let client = self.client_for(req);
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let progress_tx = tx.clone();
                        let progress = move |progress| {
                            let _ = progress_tx.send(Action::WriteProgress { req, progress });
                        };
                        let result = AssertUnwindSafe(op.run(&client, &progress))
                            .catch_unwind()
                            .await
                            .unwrap_or_else(|_| {
                                Err(ApiError::Unexpected("internal error while writing".into()))
                            });
                        if let Err(e) = &result {
                            log::warn!("change at Google failed: {e}");
                        }
                        let _ = tx.send(Action::Wrote { req, result });
                    });
                }
                Effect::Open { url } => {
                    let tx = self.tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let _ = tx.send(Action::Opened(browser::open(&url)));
                    });
                }
            }
        }
    }
}

/// What the login would print (the URL to open among it) goes to the sign-in dialog: the
/// TUI owns the screen.
struct ToDialog(UnboundedSender<Action>);

impl std::io::Write for ToDialog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(Action::SignInProgress(
            String::from_utf8_lossy(buf).into_owned(),
        ));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The same login as `meetty login`, for the same account and store, with consent asked
/// again because the stored grant was rejected.
async fn sign_in_again(ctx: SignInContext, tx: UnboundedSender<Action>) -> Result<String, String> {
    let opts = LoginOptions {
        credentials: None,
        account: Some(ctx.account),
        token_store: Some(ctx.token_store),
        api_root: ctx.api_root,
        renew: true,
    };
    let finish = crate::auth::login::Finish::Browser(&crate::browser::open);
    crate::cli::login::run(&ctx.paths, opts, finish, &mut ToDialog(tx)).await
}

/// The sync state stays usable even if a task panicked while holding it: every write to it
/// is a single assignment of a finished value.
fn lock(synced: &Mutex<Option<Synced>>) -> std::sync::MutexGuard<'_, Option<Synced>> {
    synced.lock().unwrap_or_else(|e| e.into_inner())
}

fn to_action(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Action::Key(k)),
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Resize(..) => Some(Action::Resize),
        _ => None,
    }
}

/// Hands memory freed after a refresh back to the OS. A refresh parses megabytes of JSON on
/// worker threads; glibc keeps those pages in per-thread arenas otherwise, and a 10,000-event
/// agenda would hold twice its size for the rest of the session.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}
