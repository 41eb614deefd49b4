//! Running [`Effect`]s: Calendar calls, the cache, the clipboard, the browser and sign-in, each
//! as a task whose result comes back as an [`Action`] on one channel. Nothing here needs a
//! terminal: OSC 52 goes to whatever writer the caller hands in, so tests drive `App::update`
//! and this runner headless against the sandbox. The runner holds one entry per account of
//! the merged agenda (issue 13): each account's client, cache, sync, lock and sign-in; a
//! refresh syncs every account at once and merges their parts, an account that fails keeping
//! its last part, marked stale; a change goes through the account it names. While `meetty
//! watch` syncs for the TUI ([`super::lead`]), an account's refresh is the watch's next cache
//! write instead of a call to Google.

use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures_util::future::{BoxFuture, Shared};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use crate::action::{Action, Effect};
use crate::alerts::Marks;
use crate::browser;
use crate::cache::{self, CacheFiles};
use crate::calendar::client::{CalendarClient, CalendarSelection};
use crate::calendar::error::ApiError;
use crate::calendar::model::{AccountState, Agenda};
use crate::calendar::sync::{SyncRequest, Synced};
use crate::clipboard::Clipboard;
use crate::session::connect::reconnect;
use crate::session::sign_in::{self, SignInContext};

use super::lead::{self, Lead};

/// What effects need to do their work.
pub struct Services {
    /// The accounts, in the order of the merged agenda's `accounts` (one alone with a
    /// fixed token or `--account`; the demo has two).
    pub accounts: Vec<AccountServices>,
    pub selection: CalendarSelection,
    pub clipboard: Clipboard,
}

/// What one account's effects need.
pub struct AccountServices {
    /// Its e-mail and label, as the merged agenda's `accounts` names it.
    pub email: String,
    pub label: String,
    pub client: CalendarClient,
    /// None before sign-in: there is nothing to cache.
    pub cache: Option<CacheFiles>,
    /// How to sign the account in again from inside the TUI (None: demo or fixed token).
    pub sign_in: Option<SignInContext>,
    /// The sync its cache was written after: its first refresh asks only for what changed
    /// since (None: it lists everything).
    pub resume: Option<Synced>,
    /// Leader or follower of `meetty watch` for this account (None: no cache owner, nothing
    /// to share).
    pub lead: Option<Lead>,
    /// Where its scheduled-join marks go (None: no cache owner).
    pub marks: Option<PathBuf>,
}

impl AccountServices {
    /// `email` reached through `client`, with nothing else (no cache, lock, marks or
    /// sign-in); the caller sets what it has.
    pub fn new(email: &str, label: &str, client: CalendarClient) -> AccountServices {
        AccountServices {
            email: email.into(),
            label: label.into(),
            client,
            cache: None,
            sign_in: None,
            resume: None,
            lead: None,
            marks: None,
        }
    }
}

/// One account as the runner keeps it.
struct Account {
    email: String,
    label: String,
    /// Built anew after the account signs in again from the TUI.
    client: Arc<Mutex<CalendarClient>>,
    cache: Option<CacheFiles>,
    sign_in: Option<SignInContext>,
    lead: Option<Lead>,
    marks: Option<PathBuf>,
    /// The marks in its file (read at start, then what this TUI saved there).
    own_marks: Arc<Mutex<Marks>>,
    /// What its last finished sync left, for the next one to ask only for changes.
    synced: Arc<Mutex<Option<Synced>>>,
    /// Its latest sync with Google, on its way or arrived. One that outlived its
    /// refresh's wait ([`GRACE`]) is the next refresh's, not a second call to Google.
    running: Option<Running>,
}

impl Account {
    fn following(&self) -> bool {
        self.lead.as_ref().is_some_and(Lead::following)
    }

    /// Its client for request `req`, telling the app when it waits to retry.
    fn observed(&self, tx: &UnboundedSender<Action>, req: u64) -> CalendarClient {
        let tx = tx.clone();
        lock(&self.client).observed(Arc::new(move |retry| {
            let _ = tx.send(Action::Retrying { req, retry });
        }))
    }
}

pub struct EffectRunner {
    accounts: Vec<Account>,
    selection: CalendarSelection,
    clipboard: Clipboard,
    tx: UnboundedSender<Action>,
    rx: UnboundedReceiver<Action>,
    refresh: Option<JoinHandle<()>>,
    /// The free/busy query out for find a time; a newer one aborts it.
    free_busy: Option<JoinHandle<()>>,
}

impl EffectRunner {
    pub fn new(services: Services) -> EffectRunner {
        let (tx, rx) = unbounded_channel();
        let accounts: Vec<Account> = services
            .accounts
            .into_iter()
            .map(|a| Account {
                email: a.email,
                label: a.label,
                client: Arc::new(Mutex::new(a.client)),
                cache: a.cache,
                sign_in: a.sign_in,
                lead: a.lead,
                own_marks: Arc::new(Mutex::new(
                    a.marks.as_deref().map(Marks::load).unwrap_or_default(),
                )),
                marks: a.marks,
                synced: Arc::new(Mutex::new(a.resume)),
                running: None,
            })
            .collect();
        if accounts.iter().any(Account::following) {
            let _ = tx.send(Action::Following(true));
        }
        EffectRunner {
            accounts,
            selection: services.selection,
            clipboard: services.clipboard,
            tx,
            rx,
            refresh: None,
            free_busy: None,
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
                Effect::SaveCache(agenda) => self.save_cache(&agenda),
                Effect::ForgetSeries {
                    calendar,
                    series_id,
                    from,
                } => {
                    for account in &self.accounts {
                        if let Some(last) = lock(&account.synced).as_mut() {
                            Arc::make_mut(&mut last.agenda)
                                .forget_series(&calendar, &series_id, from);
                        }
                    }
                }
                Effect::FreeBusy {
                    req,
                    account,
                    query,
                } => {
                    let failed = |e| Action::FreeBusy {
                        req,
                        result: Err(e),
                    };
                    let Some(client) = self.client_or(req, account, failed) else {
                        continue;
                    };
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
                    let result = self.clipboard.copy(&text, terminal);
                    let _ = self.tx.send(Action::Copied { what, result });
                }
                Effect::SignIn { account } => self.sign_in(account),
                Effect::Write { req, account, op } => {
                    let failed = |e| Action::Wrote {
                        req,
                        result: Err(e),
                    };
                    let Some(client) = self.client_or(req, account, failed) else {
                        continue;
                    };
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
                    account,
                    calendar,
                    event_id,
                } => {
                    let failed = |e| Action::EditLoaded {
                        req,
                        result: Err(e),
                    };
                    let Some(client) = self.client_or(req, account, failed) else {
                        continue;
                    };
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
                Effect::SaveMarks { marks, account } => self.save_marks(&marks, account),
                Effect::Open { url } => {
                    let tx = self.tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let _ = tx.send(Action::Opened(browser::open(&url)));
                    });
                }
            }
        }
    }

    /// Account `account`'s client for request `req`, telling the app when it waits to
    /// retry; an account this session does not have answers the request at once with
    /// `failed` (never a panic).
    fn client_or(
        &self,
        req: u64,
        account: usize,
        failed: impl FnOnce(ApiError) -> Action,
    ) -> Option<CalendarClient> {
        let Some(a) = self.accounts.get(account) else {
            let _ = self.tx.send(failed(ApiError::Local(format!(
                "this session has no account number {} (it has {}): restart meetty to pick up \
                 accounts signed in since",
                account + 1,
                self.accounts.len()
            ))));
            return None;
        };
        Some(a.observed(&self.tx, req))
    }

    /// Each account's part is saved to its own cache with its own sync state, and a leading
    /// account's alerts plan from it.
    fn save_cache(&self, agenda: &Arc<Agenda>) {
        // Which copy of an event on several accounts is shown, and so alerted.
        let kept = crate::view::kept_copies(agenda);
        for (i, account) in self.accounts.iter().enumerate() {
            // Never one account's meetings under another's name: an agenda that does not
            // name its accounts (built before the first merge) is the first account's.
            let state = agenda.accounts.get(i);
            let named = state.map_or(i == 0, |s| s.email == account.email);
            // An account never fetched (not signed in yet, its first refresh failed) has
            // nothing to keep; a watch that leads writes the cache itself.
            let never = state.is_some_and(|s| s.fetched_at == DateTime::<Utc>::default());
            if !named || never || account.following() {
                continue;
            }
            if let Some(lead) = &account.lead {
                lead.agenda_changed(&Arc::new(lead::alert_part(agenda, kept.as_deref(), i)));
            }
            let part = Arc::new(agenda.part(i));
            let Some(files) = account.cache.clone() else {
                continue;
            };
            // The sync state goes with the agenda that sync made, local changes made to it
            // since included (its tokens list those again); beside an agenda from another
            // sync (a refresh's answer the app dropped as superseded) it would skip
            // changes, so none is saved then.
            let state = lock(&account.synced)
                .as_ref()
                .filter(|s| s.agenda.fetched_at == part.fetched_at)
                .map(Synced::state);
            tokio::task::spawn_blocking(move || {
                // Losing a cache write costs only a slower next start.
                let _ = cache::save(&files, &part, state.as_ref());
                release_free_memory();
            });
        }
    }

    /// Each account's file gets its own marks of `marks` (the app's, every account's): one
    /// taken off goes from every file, a new one goes to `account`'s (the account whose
    /// meeting was marked; the first with a file when it has none), the others stay where
    /// they are. So each mark is in one account's file, and one engine joins its meeting.
    fn save_marks(&self, marks: &Marks, account: usize) {
        let with_file: Vec<usize> = (0..self.accounts.len())
            .filter(|&i| self.accounts[i].marks.is_some())
            .collect();
        let Some(&first) = with_file.first() else {
            return;
        };
        let mut before = Marks::default();
        let mut changed = Vec::new();
        for &i in &with_file {
            let mut own = lock(&self.accounts[i].own_marks);
            before.extend(&own);
            if own.keep_only(marks) {
                changed.push(i);
            }
        }
        let new = marks.without(&before);
        if !new.is_empty() {
            let owner = if with_file.contains(&account) {
                account
            } else {
                first
            };
            lock(&self.accounts[owner].own_marks).extend(&new);
            if !changed.contains(&owner) {
                changed.push(owner);
            }
        }
        let files: Vec<(PathBuf, Arc<Mutex<Marks>>)> = changed
            .into_iter()
            .filter_map(|i| {
                let a = &self.accounts[i];
                Some((a.marks.clone()?, Arc::clone(&a.own_marks)))
            })
            .collect();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            // Each file is written under its lock with what it holds then: saves racing
            // from several key presses end with the latest.
            let result = files.iter().try_for_each(|(path, own)| {
                lock(own)
                    .save(path)
                    .map_err(|e| format!("cannot save the join marks to {}: {e}", path.display()))
            });
            let _ = tx.send(Action::MarksSaved(result));
        });
    }

    /// Signs account `account` in again; once it has, its session starts over from the new
    /// tokens.
    fn sign_in(&self, account: usize) {
        let tx = self.tx.clone();
        let target = self
            .accounts
            .get(account)
            .map(|a| (a.sign_in.clone(), Arc::clone(&a.client)));
        tokio::spawn(async move {
            let result = match target {
                Some((Some(ctx), client)) => {
                    let result = sign_in::again(ctx.clone(), &mut ToDialog(tx.clone())).await;
                    if result.is_ok() {
                        match reconnect(&ctx) {
                            Ok(new) => *lock(&client) = new,
                            Err(e) => log::warn!("signed in, but cannot reopen the session: {e}"),
                        }
                    }
                    result
                }
                Some((None, _)) => Err(
                    "this session has no stored sign-in; run meetty login in another terminal"
                        .into(),
                ),
                None => Err(format!(
                    "this session has no account number {}: restart meetty to pick up \
                     accounts signed in since",
                    account + 1
                )),
            };
            let _ = tx.send(Action::SignedIn(result));
        });
    }

    /// Every account's part at once (each a sync with Google, or a watch's cache write),
    /// merged; an account that fails keeps its last part, marked stale, and so does one
    /// still on its way [`GRACE`] after the first account answered, so one slow account
    /// does not hold up the others (its answer, when it comes, is the next refresh's).
    fn refresh(&mut self, req: u64, asked: bool, ask: SyncRequest) {
        // The superseded merge is cancelled; the parts on their way are the new one's.
        if let Some(old) = self.refresh.take() {
            old.abort();
        }
        let was_following = self.accounts.iter().any(Account::following);
        let (tx, selection) = (&self.tx, &self.selection);
        let fetches: Vec<Running> = self
            .accounts
            .iter_mut()
            .map(|a| {
                // Waiting for a watch's write is a look at a file: it starts over (and
                // ends with the refresh that waits), so a watch gone meanwhile is taken
                // over now.
                if let Some(wait) = follow(a, asked) {
                    a.running = None;
                    return wait.shared();
                }
                if let Some(late) = a.running.as_ref().filter(|r| r.peek().is_none()) {
                    return late.clone();
                }
                let running = run_apart(sync(a, tx, selection, req, ask));
                a.running = Some(running.clone());
                running
            })
            .collect();
        let following = self.accounts.iter().any(Account::following);
        if following != was_following {
            let _ = self.tx.send(Action::Following(following));
        }
        let parts: Vec<Part> = self
            .accounts
            .iter()
            .map(|a| Part {
                email: a.email.clone(),
                label: a.label.clone(),
                synced: Arc::clone(&a.synced),
                cache: a.cache.as_ref().map(|f| f.agenda.clone()),
            })
            .collect();
        let tx = self.tx.clone();
        self.refresh = Some(tokio::spawn(async move {
            let results = gather(fetches, GRACE).await;
            let result = merge(parts, results).await;
            if let Ok(a) = &result {
                log::info!("agenda refreshed: {} meetings", a.meetings.len());
            }
            let _ = tx.send(Action::AgendaLoaded { req, result });
        }));
    }
}

/// An account's part of a refresh, on its way.
type Fetch = BoxFuture<'static, Result<Arc<Agenda>, ApiError>>;

/// An account's part as every refresh that waits for it gets it; a sync runs as a task of
/// its own ([`run_apart`]), going on when the refresh that started it stops waiting.
type Running = Shared<Fetch>;

/// How long a refresh waits for the other accounts once one has its new part: a sync of a
/// few calendars answers within a second, retries of a hiccup within a few; an account
/// slower than that (Google timing out, a watch that has not written yet) is shown from
/// its last part, stale, rather than holding up the others.
const GRACE: std::time::Duration = std::time::Duration::from_secs(3);

fn run_apart(fetch: Fetch) -> Running {
    let task = tokio::spawn(fetch);
    async move {
        task.await.unwrap_or_else(|_| {
            Err(ApiError::Unexpected(
                "internal error while reading the agenda".into(),
            ))
        })
    }
    .boxed()
    .shared()
}

/// Each account's answer, in order: every one, or those in by `grace` after the first
/// new part (failures do not start the clock: the others may still succeed); the rest
/// [`ApiError::StillRefreshing`].
async fn gather(
    running: Vec<Running>,
    grace: std::time::Duration,
) -> Vec<Result<Arc<Agenda>, ApiError>> {
    let started = tokio::time::Instant::now();
    let mut results: Vec<Option<Result<Arc<Agenda>, ApiError>>> = vec![None; running.len()];
    let mut pending: FuturesUnordered<_> = running
        .into_iter()
        .enumerate()
        .map(|(i, part)| part.map(move |result| (i, result)))
        .collect();
    let mut deadline = None;
    loop {
        let next = match deadline {
            None => pending.next().await,
            Some(at) => match tokio::time::timeout_at(at, pending.next()).await {
                Ok(next) => next,
                Err(_) => break,
            },
        };
        let Some((i, result)) = next else { break };
        if result.is_ok() && deadline.is_none() {
            deadline = Some(tokio::time::Instant::now() + grace);
        }
        results[i] = Some(result);
    }
    let waited = started.elapsed().as_secs();
    results
        .into_iter()
        .map(|r| r.unwrap_or(Err(ApiError::StillRefreshing(waited))))
        .collect()
}

/// `account`'s sync with Google for request `req`, building on its last one.
fn sync(
    account: &Account,
    tx: &UnboundedSender<Action>,
    selection: &CalendarSelection,
    req: u64,
    ask: SyncRequest,
) -> Fetch {
    let client = account.observed(tx, req);
    let selection = selection.clone();
    let synced = Arc::clone(&account.synced);
    async move {
        let last = lock(&synced).clone();
        // A panic in parsing must not leave the spinner turning forever.
        let fetch = AssertUnwindSafe(client.sync(last.as_ref(), &selection, ask));
        match fetch.catch_unwind().await {
            Ok(Ok(new)) => {
                let agenda = Arc::clone(&new.agenda);
                *lock(&synced) = Some(new);
                Ok(agenda)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ApiError::Unexpected(
                "internal error while reading the agenda".into(),
            )),
        }
    }
    .boxed()
}

/// `account`'s part while a watch syncs it (Google is not called from here). One the
/// user `asked` for asks the watch to sync, and the watch's next cache write is the
/// answer. An automatic one asks nothing (the watch syncs on its own timer; asking it
/// too would call Google twice per period): it takes the watch's last write, or waits
/// for its first. None when this TUI syncs the account itself: it leads, or took over
/// just now because the watch has gone.
fn follow(account: &mut Account, asked: bool) -> Option<Fetch> {
    let (Some(lead), Some(files)) = (account.lead.as_mut(), &account.cache) else {
        return None;
    };
    lead.try_take_over();
    if !lead.following() {
        return None;
    }
    let path = files.agenda.clone();
    let since = lead::written_at(&path);
    let wait = if asked { lead.nudge() } else { since.is_none() };
    Some(lead::next_write(path, since, wait).boxed())
}

/// What a refresh needs of one account to put its part in the merged agenda.
struct Part {
    email: String,
    label: String,
    synced: Arc<Mutex<Option<Synced>>>,
    /// Its cache file: the last part of an account that neither synced nor followed yet.
    cache: Option<PathBuf>,
}

/// The merged agenda of each account's result, in order: a failed account's part is its
/// last sync's, else its cache's, else empty, with the error as its `stale`. When every
/// account failed, each keeps its own reason (one offline, another's grant revoked: that
/// one is offered a sign-in); with nothing fetched ever, the app reads it as a failed
/// refresh ([`Agenda::never_fetched`]). An error only for one account alone, as before.
async fn merge(
    parts: Vec<Part>,
    results: Vec<Result<Arc<Agenda>, ApiError>>,
) -> Result<Arc<Agenda>, ApiError> {
    if let [Err(only)] = results.as_slice() {
        log::warn!("agenda refresh failed: {only}");
        return Err(only.clone());
    }
    let mut merged = Vec::with_capacity(parts.len());
    for (part, result) in parts.into_iter().zip(results) {
        let (agenda, stale) = match result {
            Ok(agenda) => (agenda, None),
            Err(e) => {
                log::warn!("agenda refresh of {} failed: {e}", part.email);
                (last_part(&part).await, Some(e))
            }
        };
        let state = AccountState {
            email: part.email,
            label: part.label,
            fetched_at: agenda.fetched_at,
            stale,
        };
        merged.push((state, agenda));
    }
    Ok(Arc::new(Agenda::merge(merged)))
}

/// What an account whose refresh failed still shows: its last sync's part, else its
/// cache's, else nothing.
async fn last_part(part: &Part) -> Arc<Agenda> {
    if let Some(last) = lock(&part.synced).as_ref() {
        return Arc::clone(&last.agenda);
    }
    let Some(path) = part.cache.clone() else {
        return Arc::default();
    };
    let cached = tokio::task::spawn_blocking(move || cache::load(&path))
        .await
        .ok()
        .flatten();
    cached.map_or_else(Arc::default, |c| Arc::new(c.agenda))
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

/// The sync state and the client stay usable even if a task panicked while holding them:
/// every write to them is a single assignment of a finished value.
fn lock<T>(value: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    value.lock().unwrap_or_else(|e| e.into_inner())
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
