//! App state and `update`: the pure heart of meetty. Keys and results go in, state changes
//! and [`Effect`]s come out; nothing here touches the terminal, the network or the disk.

/// What validation needs, borrowed field by field so the form can be borrowed beside it.
macro_rules! context {
    ($app:expr) => {
        $crate::compose::Context {
            now: $app.now,
            tz: $app.settings.tz,
            calendars: $app.agenda.as_ref().map_or(&[][..], |a| &a.calendars),
            account: $app.settings.account.as_deref(),
            accounts: $app.agenda.as_ref().map_or(&[][..], |a| &a.accounts),
            meetings: $app.agenda.as_ref().map_or(&[][..], |a| &a.meetings),
            editing: None,
        }
    };
}

mod agenda;
mod answer;
mod confirm;
mod edit;
mod find_time;
mod form;
mod join_mark;
mod picker;
mod screen;
mod settings;
mod sign_in;
mod writes;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Timelike, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::{Action, Effect};
use crate::calendar::error::ApiError;
use crate::calendar::model::{Agenda, Meeting};
use crate::calendar::retry::Retrying;
use crate::form::Form;
use crate::keymap::Command;
pub use crate::keymap::Mode;
use crate::timefmt::{agenda_window, local_date};
use crate::view::Row;

const TOAST_SECONDS: i64 = 4;

/// A gap between two ticks longer than this means the machine slept: the loop never sleeps
/// more than a minute while awake.
const WAKE_GAP: Duration = Duration::minutes(3);

pub use answer::{AnswerDialog, AnswerRow, Invitation};
pub use confirm::{scope_label, Choices, Confirm, EditAsk, Target};
pub use find_time::{Answer, FindTime};
pub use join_mark::{JoinAsk, Joins};
pub use picker::LinkPicker;
pub use screen::{Base, Overlay, Screen};
pub use settings::Settings;
pub use sign_in::SignInDialog;
pub use writes::Pending;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Agenda,
    Details,
}

/// Where the agenda's data stands against Google.
#[derive(Debug, Clone, PartialEq)]
pub enum Sync {
    Idle,
    Refreshing { req: u64 },
    Failed { error: ApiError },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

pub struct App {
    pub settings: Settings,
    /// Shared with the cache writer, so saving never copies 10,000 meetings.
    pub agenda: Option<Arc<Agenda>>,
    pub rows: Vec<Row>,
    /// Index into `rows`; always a `Row::Meeting` when set.
    pub selected: Option<usize>,
    pub focus: Pane,
    /// The agenda or the form, and the dialogs over them: who has the keys.
    pub screen: Screen,
    pub show_all: bool,
    /// Every word must match (see [`crate::view`]).
    pub filter: String,
    pub details_scroll: u16,
    pub sync: Sync,
    /// When the last refresh ended (or the app started): the next periodic one is due
    /// `refresh_every` later.
    last_sync: DateTime<Utc>,
    /// A call waiting to be tried again, by request id, and when the wait ends.
    pub retrying: Option<(u64, Retrying, DateTime<Utc>)>,
    /// Google stopped accepting a sign-in: what it said, for which account, and whether a
    /// new one is out. It outlives its dialog (Esc puts the dialog away; refreshes stay off
    /// when every account failed, and go on for the others when one did).
    pub sign_in: Option<SignInDialog>,
    /// Free/busy asked and answered for find a time.
    free_busy: find_time::BusyMemory,
    /// Changes out at Google, by request id.
    pub writes: BTreeMap<u64, Pending>,
    /// Creates of recurring series, by request id: shown once Google lists the occurrences.
    new_series: std::collections::BTreeSet<u64>,
    /// The read behind `e` and the account it goes through, while it is out: its answer
    /// opens the edit form.
    edit_load: Option<(u64, usize)>,
    /// The meeting to select when the next agenda arrives (a new series).
    select_on_load: Option<agenda::Key>,
    next_form: u64,
    pub toast: Option<Toast>,
    pub now: DateTime<Utc>,
    pub spinner: usize,
    next_req: u64,
    pub quit: bool,
    /// Set by every change that shows; the loop draws only then (idle means no frames).
    pub dirty: bool,
    /// First agenda row on screen and rows per page: the renderer keeps the selection in
    /// view and records the page size for PgUp/PgDn (ratatui's ListState pattern).
    pub scroll: Cell<usize>,
    pub page: Cell<usize>,
    /// The furthest the details pane can scroll, as last drawn.
    pub details_max: Cell<u16>,
    /// The furthest the help can scroll, as last drawn.
    pub help_max: Cell<u16>,
    /// Meetings marked for a scheduled join (loaded by the runtime, saved through
    /// [`Effect::SaveMarks`]).
    pub marks: crate::alerts::Marks,
    /// `meetty watch` syncs for this TUI: a refresh waits for its next cache write.
    pub following: bool,
}

impl App {
    pub fn new(settings: Settings, cached: Option<Agenda>, now: DateTime<Utc>) -> App {
        let mut app = App {
            show_all: settings.show_all,
            settings,
            agenda: cached.map(Arc::new),
            rows: Vec::new(),
            selected: None,
            focus: Pane::Agenda,
            screen: Screen::default(),
            filter: String::new(),
            details_scroll: 0,
            sync: Sync::Idle,
            last_sync: now,
            retrying: None,
            sign_in: None,
            free_busy: Default::default(),
            writes: BTreeMap::new(),
            new_series: Default::default(),
            edit_load: None,
            select_on_load: None,
            next_form: 0,
            toast: None,
            now,
            spinner: 0,
            next_req: 0,
            quit: false,
            dirty: true,
            scroll: Cell::new(0),
            page: Cell::new(10),
            details_max: Cell::new(u16::MAX),
            help_max: Cell::new(u16::MAX),
            marks: Default::default(),
            following: false,
        };
        app.rebuild_rows();
        app
    }

    /// The effects to run at start-up: a refresh behind whatever the cache showed.
    pub fn start(&mut self) -> Vec<Effect> {
        if self.settings.first_run {
            return Vec::new();
        }
        vec![self.refresh()]
    }

    pub fn selected_meeting(&self) -> Option<&Meeting> {
        match self.rows.get(self.selected?)? {
            Row::Meeting(i) => self.agenda.as_ref()?.meetings.get(*i),
            Row::Day(_) => None,
        }
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        if !matches!(action, Action::Tick(_)) {
            self.dirty = true;
        }
        match action {
            Action::Key(key) => self.on_key(key),
            Action::Paste(text) => {
                match self.mode() {
                    Mode::Filter => {
                        self.filter.push_str(&crate::sanitize::line(&text));
                        self.rebuild_rows();
                    }
                    Mode::Form => self.form_paste(&text),
                    _ => {}
                }
                Vec::new()
            }
            Action::Tick(now) => self.on_tick(now),
            Action::Resize => Vec::new(),
            Action::AgendaLoaded { req, result } => {
                self.done_retrying(req);
                self.on_loaded(req, result)
            }
            Action::Retrying { req, retry } => {
                let until = self.now + Duration::from_std(retry.wait).unwrap_or_default();
                self.retrying = Some((req, retry, until));
                Vec::new()
            }
            Action::Copied { what, result } => {
                match result {
                    Ok(via) => self.toast(format!("Copied {what} ({via})"), false),
                    Err(e) => self.toast(format!("Could not copy {what}: {e}"), true),
                }
                Vec::new()
            }
            Action::SignedIn(result) => self.on_signed_in(result),
            Action::SignInProgress(text) => {
                self.on_sign_in_progress(&text);
                Vec::new()
            }
            Action::WriteProgress { req, progress } => {
                self.on_write_progress(req, progress);
                Vec::new()
            }
            Action::EditLoaded { req, result } => {
                self.done_retrying(req);
                self.on_edit_loaded(req, result);
                Vec::new()
            }
            Action::Wrote { req, result } => {
                self.done_retrying(req);
                self.on_wrote(req, result)
            }
            Action::FreeBusy { req, result } => {
                self.done_retrying(req);
                self.on_free_busy(req, result);
                Vec::new()
            }
            Action::Following(following) => {
                self.following = following;
                Vec::new()
            }
            Action::MarksSaved(result) => {
                if let Err(e) = result {
                    self.toast(e, true);
                }
                Vec::new()
            }
            Action::Opened(result) => {
                if let Err(e) = result {
                    self.toast(format!("Could not open the browser: {e}"), true);
                }
                Vec::new()
            }
        }
    }

    /// Who has the keys: the top dialog, else the form, else the agenda.
    pub fn mode(&self) -> Mode {
        self.screen.mode()
    }

    /// The form, shown or put away while Google saves it.
    pub fn form(&self) -> Option<&Form> {
        self.screen.form()
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        self.screen.form_mut()
    }

    /// The form, unless it was put away while saving.
    pub fn visible_form(&self) -> Option<&Form> {
        self.screen.visible_form()
    }

    /// The answer dialog, if that is what has the keys.
    pub fn answer_dialog(&self) -> Option<&AnswerDialog> {
        match self.screen.top()? {
            Overlay::Answer(d) => Some(d),
            _ => None,
        }
    }

    /// The question on top of the screen, if that is what has the keys.
    pub fn confirm(&self) -> Option<&Confirm> {
        match self.screen.top()? {
            Overlay::Confirm(c) => Some(c),
            _ => None,
        }
    }

    /// The first key of `cmd` on `mode`'s screen, for hints ("Press Esc to clear…").
    pub fn hint(&self, mode: Mode, cmd: Command) -> String {
        self.settings.keymap.hint(mode, cmd)
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Ctrl-C always quits, whatever the mode or the config says.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return Vec::new();
        }
        let mode = self.mode();
        // While the answer's note has the focus, printable keys are text, whatever they are
        // bound to (help's `?` too).
        if mode == Mode::Answer && self.type_answer_note(&key) {
            return Vec::new();
        }
        let cmd = self.settings.keymap.command(mode, &key);
        if cmd == Some(Command::Help) && mode != Mode::Help {
            self.screen.push(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        match mode {
            Mode::Agenda => match cmd {
                Some(cmd) => self.command(cmd),
                None => Vec::new(),
            },
            Mode::Filter => {
                self.filter_key(cmd, &key);
                Vec::new()
            }
            Mode::Help => {
                self.help_key(cmd);
                Vec::new()
            }
            Mode::SignIn => self.sign_in_key(cmd),
            Mode::Picker => self.picker_key(cmd, &key),
            Mode::Form => self.form_key(cmd, &key),
            Mode::Confirm => self.confirm_key(cmd),
            Mode::FindTime => self.find_time_key(cmd),
            Mode::LinkPicker => {
                self.link_picker_key(cmd);
                Vec::new()
            }
            Mode::Answer => self.answer_key(cmd),
            Mode::JoinMark => self.join_mark_key(cmd),
        }
    }

    /// Scrolls the help; any other key closes it.
    fn help_key(&mut self, cmd: Option<Command>) {
        let page = self.page.get().max(1) as i32;
        let delta = match cmd {
            Some(Command::Down) => 1,
            Some(Command::Up) => -1,
            Some(Command::PageDown) => page,
            Some(Command::PageUp) => -page,
            _ => {
                self.screen.pop();
                return;
            }
        };
        let max = i32::from(self.help_max.get());
        if let Some(Overlay::Help { scroll }) = self.screen.top_mut() {
            *scroll = (i32::from(*scroll) + delta).clamp(0, max) as u16;
        }
    }

    /// How far the help overlay is scrolled (0 when it is not open).
    pub fn help_scroll(&self) -> u16 {
        match self.screen.top() {
            Some(Overlay::Help { scroll }) => *scroll,
            _ => 0,
        }
    }

    /// A new refresh supersedes any running one: its result will carry an older id and be
    /// dropped (the runner also aborts the old task). This one is automatic (start-up, the
    /// timer): a watch syncing for this TUI is not asked to sync for it.
    pub(super) fn refresh(&mut self) -> Effect {
        self.refresh_after(false, false)
    }

    /// A refresh the user asked for, or one after this TUI's own change: a watch syncing for
    /// this TUI is asked to sync now.
    pub(super) fn refresh_asked(&mut self) -> Effect {
        self.refresh_after(false, true)
    }

    /// A refresh; `slept`: the machine was asleep, so the calendar list is read again
    /// (which also checks the access token before anything else is asked); `asked`: see
    /// [`Effect::Refresh`].
    fn refresh_after(&mut self, slept: bool, asked: bool) -> Effect {
        let req = self.next_request();
        if let Sync::Refreshing { req: old } = self.sync {
            self.done_retrying(old);
        }
        self.sync = Sync::Refreshing { req };
        let (from, to) = agenda_window(self.now, self.settings.tz, self.settings.days);
        Effect::Refresh {
            req,
            from,
            to,
            reread_calendars: slept,
            asked,
        }
    }

    /// Request `req` ended (or was superseded): its retry notice goes.
    fn done_retrying(&mut self, req: u64) {
        if self.retrying.as_ref().is_some_and(|(r, ..)| *r == req) {
            self.retrying = None;
        }
    }

    /// Every request gets its own id, so a late answer can never be mistaken for another's.
    fn next_request(&mut self) -> u64 {
        self.next_req += 1;
        self.next_req
    }

    /// Something is out at Google: the spinner turns.
    fn busy(&self) -> bool {
        matches!(self.sync, Sync::Refreshing { .. }) || !self.writes.is_empty()
    }

    /// Returns a refresh when one is due, when the day turns (the window's new last day has
    /// no data yet), and after the machine slept (the agenda and maybe the token are stale).
    fn on_tick(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let tz = self.settings.tz;
        let new_day = local_date(now, tz) != local_date(self.now, tz);
        let gap = now - self.now;
        let minute_changed = now.timestamp().div_euclid(60) != self.now.timestamp().div_euclid(60);
        self.now = now;
        if minute_changed {
            // Meetings that ended drop off; the day may have turned.
            self.rebuild_rows();
            self.dirty = true;
        }
        if self.toast.as_ref().is_some_and(|t| t.until <= now) {
            self.toast = None;
            self.dirty = true;
        }
        // The spinner follows the clock, not the ticks: every key also ticks.
        let beat = now.timestamp_millis().div_euclid(100) as usize;
        if self.busy() && beat != self.spinner {
            self.spinner = beat;
            self.dirty = true;
        }
        if self.settings.first_run || self.refresh_stopped() {
            return Vec::new();
        }
        if gap > WAKE_GAP {
            log::info!(
                "the clock jumped {} s: the machine slept",
                gap.num_seconds()
            );
            return vec![self.refresh_after(true, false)];
        }
        let idle = !matches!(self.sync, Sync::Refreshing { .. });
        if idle && (new_day || self.refresh_due_in().is_some_and(|d| d <= Duration::zero())) {
            return vec![self.refresh()];
        }
        Vec::new()
    }

    /// Time until the next periodic refresh (negative: overdue); `None` when none is planned.
    fn refresh_due_in(&self) -> Option<Duration> {
        let every = Duration::from_std(self.settings.refresh_every?).ok()?;
        Some(self.last_sync + every - self.now)
    }

    /// How long the loop may sleep before the next tick matters: fast while the spinner
    /// turns, else until a toast expires, a refresh is due or the minute (and so a
    /// countdown) changes.
    pub fn next_tick_in(&self) -> std::time::Duration {
        if self.busy() {
            return std::time::Duration::from_millis(100);
        }
        let to_minute = Duration::seconds(60 - i64::from(self.now.second()))
            - Duration::nanoseconds(i64::from(self.now.nanosecond()));
        let wait = [
            Some(to_minute),
            self.toast.as_ref().map(|t| t.until - self.now),
            self.refresh_due_in(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(to_minute);
        wait.to_std().unwrap_or_default() + std::time::Duration::from_millis(5)
    }

    fn toast(&mut self, text: String, error: bool) {
        self.toast = Some(Toast {
            text,
            error,
            until: self.now + Duration::seconds(TOAST_SECONDS),
        });
    }
}
