//! Running [`Effect`]s: Calendar calls, the cache, the clipboard, the browser and sign-in, each
//! as a task whose result comes back as an [`Action`] on one channel. Nothing here needs a
//! terminal: OSC 52 goes to whatever writer the caller hands in, so tests drive `App::update`
//! and this runner headless against the sandbox. While `meetty watch` syncs for the TUI
//! ([`super::lead`]), a refresh is the watch's next cache write instead of a call to Google.

use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use crate::action::{Action, Effect};
use crate::browser;
use crate::cache::{self, CacheFiles};
use crate::calendar::client::{CalendarClient, CalendarSelection};
use crate::calendar::error::ApiError;
use crate::calendar::sync::{SyncRequest, Synced};
use crate::clipboard::Clipboard;
use crate::session::sign_in::{self, SignInContext};

use super::lead::{self, Lead};

/// What effects need to do their work.
pub struct Services {
    pub client: CalendarClient,
    pub selection: CalendarSelection,
    /// None before sign-in: there is nothing to cache.
    pub cache: Option<CacheFiles>,
    pub clipboard: Clipboard,
    /// How to sign the account in again from inside the TUI (None: demo or fixed token).
    pub sign_in: Option<SignInContext>,
    /// The sync the cache was written after: the first refresh asks only for what changed
    /// since (None: it lists everything).
    pub resume: Option<Synced>,
    /// Leader or follower of `meetty watch` (None: no cache owner, nothing to share).
    pub lead: Option<Lead>,
    /// Where the scheduled-join marks go (None: no cache owner).
    pub marks: Option<PathBuf>,
}

pub struct EffectRunner {
    services: Services,
    tx: UnboundedSender<Action>,
    rx: UnboundedReceiver<Action>,
    refresh: Option<JoinHandle<()>>,
    /// The free/busy query out for find a time; a newer one aborts it.
    free_busy: Option<JoinHandle<()>>,
    /// What the last finished refresh left, for the next one to ask only for changes.
    synced: Arc<Mutex<Option<Synced>>>,
}

impl EffectRunner {
    pub fn new(mut services: Services) -> EffectRunner {
        let (tx, rx) = unbounded_channel();
        let synced = Arc::new(Mutex::new(services.resume.take()));
        if services.lead.as_ref().is_some_and(Lead::following) {
            let _ = tx.send(Action::Following(true));
        }
        EffectRunner {
            services,
            tx,
            rx,
            refresh: None,
            free_busy: None,
            synced,
        }
    }

    /// The next result of an effect, once there is one.
    pub async fn next(&mut self) -> Option<Action> {
        self.rx.recv().await
    }

    /// A result that is already in, if any.
    pub fn try_next(&mut self) -> Option<Action> {
        self.rx.try_recv().ok()
    }

    /// Starts each effect; `terminal` receives the OSC 52 sequence of a copy.
    pub fn run(&mut self, effects: Vec<Effect>, terminal: &mut impl Write) {
        for effect in effects {
            match effect {
                Effect::Refresh {
                    req,
                    from,
                    to,
                    reread_calendars,
                    asked,
                } => self.refresh(
                    req,
                    asked,
                    SyncRequest {
                        from,
                        to,
                        reread_calendars,
                    },
                ),
                Effect::SaveCache(agenda) => {
                    // A watch that leads writes the cache itself; a leader's alerts plan
                    // from every agenda shown.
                    if let Some(lead) = &self.services.lead {
                        if lead.following() {
                            continue;
                        }
                        lead.agenda_changed(&agenda);
                    }
                    let Some(files) = self.services.cache.clone() else {
                        continue;
                    };
                    // The sync state goes with the agenda that sync made, local changes
                    // made to it since included (its tokens list those again); beside an
                    // agenda from another sync (a refresh's answer the app dropped as
                    // superseded) it would skip changes, so none is saved then.
                    let state = lock(&self.synced)
                        .as_ref()
                        .filter(|s| s.agenda.fetched_at == agenda.fetched_at)
                        .map(Synced::state);
                    tokio::task::spawn_blocking(move || {
                        // Losing a cache write costs only a slower next start.
                        let _ = cache::save(&files, &agenda, state.as_ref());
                        release_free_memory();
                    });
                }
                Effect::ForgetSeries {
                    calendar,
                    series_id,
                    from,
                } => {
                    if let Some(last) = lock(&self.synced).as_mut() {
                        Arc::make_mut(&mut last.agenda).forget_series(&calendar, &series_id, from);
                    }
                }
                Effect::FreeBusy { req, query, .. } => {
                    let client = self.client_for(req);
                    let tx = self.tx.clone();
                    if let Some(old) = self.free_busy.take() {
                        old.abort();
                    }
                    self.free_busy = Some(tokio::spawn(async move {
                        let result = client.free_busy(&query).await;
                        let _ = tx.send(Action::FreeBusy { req, result });
                    }));
                }
                Effect::CancelFreeBusy => {
                    if let Some(old) = self.free_busy.take() {
                        old.abort();
                    }
                }
                Effect::Copy { text, what } => {
                    let result = self.services.clipboard.copy(&text, terminal);
                    let _ = self.tx.send(Action::Copied { what, result });
                }
                Effect::SignIn { .. } => {
                    let tx = self.tx.clone();
                    let ctx = self.services.sign_in.clone();
                    tokio::spawn(async move {
                        let result = match ctx {
                            Some(ctx) => sign_in::again(ctx, &mut ToDialog(tx.clone())).await,
                            None => Err("this session has no stored sign-in; run meetty login in another terminal".into()),
                        };
                        let _ = tx.send(Action::SignedIn(result));
                    });
                }
                Effect::Write { req, op, .. } => {
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
                Effect::LoadEdit {
                    req,
                    calendar,
                    event_id,
                    ..
                } => {
                    let client = self.client_for(req);
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let result = client.load_edit(&calendar, &event_id).await;
                        if let Err(e) = &result {
                            log::warn!("reading a meeting to edit failed: {e}");
                        }
                        let result = result.map(Box::new);
                        let _ = tx.send(Action::EditLoaded { req, result });
                    });
                }
                Effect::SaveMarks(marks) => {
                    let Some(path) = self.services.marks.clone() else {
                        continue;
                    };
                    let tx = self.tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let result = marks.save(&path).map_err(|e| {
                            format!("cannot save the join marks to {}: {e}", path.display())
                        });
                        let _ = tx.send(Action::MarksSaved(result));
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

    /// The client for request `req`, telling the app when it waits to retry.
    fn client_for(&self, req: u64) -> CalendarClient {
        let tx = self.tx.clone();
        self.services.client.observed(Arc::new(move |retry| {
            let _ = tx.send(Action::Retrying { req, retry });
        }))
    }

    fn refresh(&mut self, req: u64, asked: bool, ask: SyncRequest) {
        // The superseded refresh is cancelled, not left to finish.
        if let Some(old) = self.refresh.take() {
            old.abort();
        }
        if self.follow(req, asked) {
            return;
        }
        let client = self.client_for(req);
        let selection = self.services.selection.clone();
        let synced = Arc::clone(&self.synced);
        let tx = self.tx.clone();
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
}

impl EffectRunner {
    /// A refresh while a watch syncs for this TUI (Google is not called from here). One the
    /// user `asked` for asks the watch to sync, and the watch's next cache write is the
    /// answer. An automatic one asks nothing (the watch syncs on its own timer; asking it
    /// too would call Google twice per period): it takes the watch's last write, or waits
    /// for its first. False when this TUI syncs itself: it leads, or took over just now
    /// because the watch has gone.
    fn follow(&mut self, req: u64, asked: bool) -> bool {
        let (Some(lead), Some(files)) = (self.services.lead.as_mut(), &self.services.cache) else {
            return false;
        };
        if lead.try_take_over() {
            let _ = self.tx.send(Action::Following(false));
        }
        if !lead.following() {
            return false;
        }
        let path = files.agenda.clone();
        let since = lead::written_at(&path);
        let wait = if asked { lead.nudge() } else { since.is_none() };
        let tx = self.tx.clone();
        self.refresh = Some(tokio::spawn(async move {
            let result = lead::next_write(path, since, wait).await;
            let _ = tx.send(Action::AgendaLoaded { req, result });
        }));
        true
    }
}

/// What the login would print (the URL to open among it) goes to the sign-in dialog: the
/// TUI owns the screen.
struct ToDialog(UnboundedSender<Action>);

impl Write for ToDialog {
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

/// The sync state stays usable even if a task panicked while holding it: every write to it
/// is a single assignment of a finished value.
fn lock(synced: &Mutex<Option<Synced>>) -> std::sync::MutexGuard<'_, Option<Synced>> {
    synced.lock().unwrap_or_else(|e| e.into_inner())
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
