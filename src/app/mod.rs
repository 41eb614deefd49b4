//! App state and `update`: the pure heart of meetty. Keys and results go in, state changes
//! and [`Effect`]s come out; nothing here touches the terminal, the network or the disk.

mod meetings;
mod settings;

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
use crate::timefmt::{agenda_window, local_date};
use crate::view::{build_rows, Row, RowQuery};

const TOAST_SECONDS: i64 = 4;

/// A gap between two ticks longer than this means the machine slept: the loop never sleeps
/// more than a minute while awake.
const WAKE_GAP: Duration = Duration::minutes(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Browse,
    Filter,
    Help,
    /// The stored sign-in stopped working; the dialog offers a new one.
    SignIn,
    /// Choosing a template for a new meeting.
    Picker,
    /// Filling in the new-meeting form.
    Form,
    /// A yes/no question (with choices) over the agenda or the form.
    Confirm,
}

pub use meetings::{CancelDialog, Confirm, Pending, Target};
pub use settings::Settings;

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

/// The sign-in dialog's state: what went wrong, and whether the browser is out.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInDialog {
    pub message: String,
    pub waiting: bool,
    /// The consent URL, for when no browser opened (over SSH, say).
    pub url: Option<String>,
}

pub struct App {
    pub settings: Settings,
    /// Shared with the cache writer, so saving never copies 10,000 meetings.
    pub agenda: Option<Arc<Agenda>>,
    pub rows: Vec<Row>,
    /// Index into `rows`; always a `Row::Meeting` when set.
    pub selected: Option<usize>,
    pub focus: Pane,
    pub mode: Mode,
    pub show_all: bool,
    pub filter: String,
    filter_before: String,
    pub details_scroll: u16,
    pub help_scroll: u16,
    pub sync: Sync,
    /// When the last refresh ended (or the app started): the next periodic one is due
    /// `refresh_every` later.
    last_sync: DateTime<Utc>,
    /// A call waiting to be tried again, by request id, and when the wait ends.
    pub retrying: Option<(u64, Retrying, DateTime<Utc>)>,
    pub sign_in: Option<SignInDialog>,
    /// The highlighted template while [`Mode::Picker`] is up.
    pub picker: usize,
    pub form: Option<Form>,
    /// The form was put away with Esc while Google works on it; it comes back on `n`, or
    /// by itself when Google refuses.
    pub form_hidden: bool,
    pub confirm: Option<Confirm>,
    /// Changes out at Google, by request id.
    pub writes: BTreeMap<u64, Pending>,
    /// Creates of recurring series, by request id: shown once Google lists the occurrences.
    new_series: std::collections::BTreeSet<u64>,
    /// The meeting to select when the next agenda arrives (a new series).
    select_on_load: Option<(String, String)>,
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
            mode: Mode::Browse,
            filter: String::new(),
            filter_before: String::new(),
            details_scroll: 0,
            help_scroll: 0,
            sync: Sync::Idle,
            last_sync: now,
            retrying: None,
            sign_in: None,
            picker: 0,
            form: None,
            form_hidden: false,
            confirm: None,
            writes: BTreeMap::new(),
            new_series: Default::default(),
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
                match self.mode {
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
                let url = text
                    .split_whitespace()
                    .find(|w| w.starts_with("https://") || w.starts_with("http://"));
                if let (Some(dialog), Some(url)) = (self.sign_in.as_mut(), url) {
                    dialog.url = Some(crate::sanitize::line(url));
                }
                Vec::new()
            }
            Action::WriteProgress { req, progress } => {
                self.on_write_progress(req, progress);
                Vec::new()
            }
            Action::Wrote { req, result } => {
                self.done_retrying(req);
                self.on_wrote(req, result)
            }
            Action::Opened(result) => {
                if let Err(e) = result {
                    self.toast(format!("Could not open the browser: {e}"), true);
                }
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Ctrl-C always quits, whatever the mode or the config says.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return Vec::new();
        }
        match self.mode {
            Mode::Filter => {
                self.filter_key(key);
                Vec::new()
            }
            Mode::Help => {
                self.help_key(key);
                Vec::new()
            }
            Mode::SignIn => self.sign_in_key(key),
            Mode::Picker => self.picker_key(key),
            Mode::Form => self.form_key(key),
            Mode::Confirm => self.confirm_key(key),
            Mode::Browse => match self.settings.keymap.command(&key) {
                Some(cmd) => self.command(cmd),
                None => Vec::new(),
            },
        }
    }

    /// In the filter every key is text except Esc (cancel), Enter (keep) and Ctrl keys.
    fn filter_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.filter = std::mem::take(&mut self.filter_before);
                self.mode = Mode::Browse;
            }
            KeyCode::Enter => self.mode = Mode::Browse,
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char('u') if ctrl => self.filter.clear(),
            KeyCode::Char(c) if !ctrl => self.filter.push(c),
            _ => return,
        }
        self.rebuild_rows();
    }

    /// Enter starts a new sign-in in the browser; Esc keeps working with what is on screen.
    fn sign_in_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(dialog) = self.sign_in.as_mut() else {
            self.resume();
            return Vec::new();
        };
        match key.code {
            KeyCode::Enter if !dialog.waiting => {
                dialog.waiting = true;
                vec![Effect::SignIn]
            }
            KeyCode::Esc => {
                self.resume();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_signed_in(&mut self, result: Result<String, String>) -> Vec<Effect> {
        match result {
            Ok(account) => {
                self.sign_in = None;
                if self.mode == Mode::SignIn {
                    self.resume();
                }
                self.toast(format!("Signed in as {account}"), false);
                vec![self.refresh()]
            }
            Err(message) => {
                // Shown even if the dialog was put away while the browser was out.
                self.sign_in = Some(SignInDialog {
                    message,
                    waiting: false,
                    url: None,
                });
                self.mode = Mode::SignIn;
                Vec::new()
            }
        }
    }

    fn help_key(&mut self, key: KeyEvent) {
        match self.settings.keymap.command(&key) {
            Some(Command::Down) => self.help_scroll = self.help_scroll.saturating_add(1),
            Some(Command::Up) => self.help_scroll = self.help_scroll.saturating_sub(1),
            _ => self.mode = Mode::Browse,
        }
    }

    fn command(&mut self, cmd: Command) -> Vec<Effect> {
        match cmd {
            Command::Down => self.step(1),
            Command::Up => self.step(-1),
            Command::PageDown => self.step(self.page.get().max(1) as isize),
            Command::PageUp => self.step(-(self.page.get().max(1) as isize)),
            Command::Top => {
                let first = self.meeting_rows().next();
                self.jump(first);
            }
            Command::Bottom => {
                let last = self.meeting_rows().last();
                self.jump(last);
            }
            Command::SwitchPane => {
                self.focus = match self.focus {
                    Pane::Agenda => Pane::Details,
                    Pane::Details => Pane::Agenda,
                }
            }
            Command::CopyLink => return self.copy_link(),
            Command::CopyDialIn => return self.copy_dial_in(),
            Command::OpenLink => return self.open_link(),
            Command::Refresh if self.settings.first_run => {
                self.toast("Not signed in: quit and run meetty login".into(), true);
            }
            Command::Refresh => return vec![self.refresh()],
            Command::Filter => {
                self.filter_before = self.filter.clone();
                self.mode = Mode::Filter;
            }
            Command::ToggleAll => {
                self.show_all = !self.show_all;
                self.rebuild_rows();
                let what = if self.show_all {
                    "all events"
                } else {
                    "video meetings only"
                };
                self.toast(format!("Showing {what}"), false);
            }
            Command::NewMeeting => return self.new_meeting(),
            Command::InstantLink => return self.instant_link(),
            Command::AddMeet => return self.add_meet(),
            Command::RemoveMeet => return self.remove_meet(),
            Command::Cancel => return self.cancel_or_decline(),
            Command::Help => {
                self.help_scroll = 0;
                self.mode = Mode::Help;
            }
            Command::Quit => self.quit = true,
        }
        Vec::new()
    }

    fn meeting_rows(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Row::Meeting(_)))
            .map(|(i, _)| i)
    }

    /// Moves by `delta` meeting rows in the agenda, or scrolls the details pane.
    fn step(&mut self, delta: isize) {
        if self.focus == Pane::Details {
            let max = i64::from(self.details_max.get());
            let target = i64::from(self.details_scroll) + delta as i64;
            self.details_scroll = target.clamp(0, max) as u16;
            return;
        }
        let positions: Vec<usize> = self.meeting_rows().collect();
        let Some(cur) = self
            .selected
            .and_then(|s| positions.iter().position(|&p| p == s))
        else {
            return self.jump(positions.first().copied());
        };
        let target = (cur as isize + delta).clamp(0, positions.len() as isize - 1) as usize;
        self.jump(Some(positions[target]));
    }

    fn jump(&mut self, row: Option<usize>) {
        if row != self.selected {
            self.details_scroll = 0;
        }
        self.selected = row;
    }

    fn copy_link(&mut self) -> Vec<Effect> {
        self.copy("video link", |m| {
            let v = m.video.as_ref()?;
            Some((v.url.clone(), format!("{} link", v.provider.name())))
        })
    }

    fn copy_dial_in(&mut self) -> Vec<Effect> {
        self.copy("dial-in number", |m| {
            let d = m.dial_in.first()?;
            Some((d.dial_string(), "dial-in number and PIN".into()))
        })
    }

    /// Copies what `pick` finds in the selected meeting (text, and what to call it), or says
    /// the meeting has no `missing`.
    fn copy(
        &mut self,
        missing: &str,
        pick: impl Fn(&Meeting) -> Option<(String, String)>,
    ) -> Vec<Effect> {
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        match pick(m) {
            Some((text, what)) => vec![Effect::Copy { text, what }],
            None => {
                let msg = format!("\u{201c}{}\u{201d} has no {missing}", m.title);
                self.toast(msg, true);
                Vec::new()
            }
        }
    }

    fn open_link(&mut self) -> Vec<Effect> {
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        // Without a video link, the event's own page in Google Calendar is the next best.
        match m.video.as_ref().map(|v| &v.url).or(m.html_link.as_ref()) {
            Some(url) => {
                let effect = Effect::Open { url: url.clone() };
                self.toast(format!("Opening {url}"), false);
                vec![effect]
            }
            None => {
                let msg = format!("\u{201c}{}\u{201d} has no link to open", m.title);
                self.toast(msg, true);
                Vec::new()
            }
        }
    }

    fn nothing_selected(&mut self) -> Vec<Effect> {
        self.toast("No meeting selected".into(), true);
        Vec::new()
    }

    /// A new refresh supersedes any running one: its result will carry an older id and be
    /// dropped (the runner also aborts the old task).
    fn refresh(&mut self) -> Effect {
        self.refresh_after(false)
    }

    /// A refresh; `slept`: the machine was asleep, so the calendar list is read again
    /// (which also checks the access token before anything else is asked).
    fn refresh_after(&mut self, slept: bool) -> Effect {
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
        }
    }

    /// Request `req` ended (or was superseded): its retry notice goes.
    fn done_retrying(&mut self, req: u64) {
        if self.retrying.as_ref().is_some_and(|(r, ..)| *r == req) {
            self.retrying = None;
        }
    }

    /// The form, unless it was put away while saving.
    pub fn visible_form(&self) -> Option<&Form> {
        self.form.as_ref().filter(|_| !self.form_hidden)
    }

    /// Back from a dialog: to the form when one is open, else to the agenda.
    fn resume(&mut self) {
        self.mode = if self.visible_form().is_some() {
            Mode::Form
        } else {
            Mode::Browse
        };
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

    fn on_loaded(&mut self, req: u64, result: Result<Arc<Agenda>, ApiError>) -> Vec<Effect> {
        if self.sync != (Sync::Refreshing { req }) {
            return Vec::new();
        }
        self.last_sync = self.now;
        match result {
            Ok(agenda) => {
                self.sync = Sync::Idle;
                let save = Effect::SaveCache(Arc::clone(&agenda));
                let keep = self.select_on_load.take().or_else(|| self.selected_key());
                self.agenda = Some(agenda);
                self.rebuild_rows_keeping(keep);
                vec![save]
            }
            Err(error) => {
                if let ApiError::SignIn(message) = &error {
                    // A sign-in already out in the browser stays the one in progress.
                    if !self.sign_in.as_ref().is_some_and(|d| d.waiting) {
                        self.sign_in = Some(SignInDialog {
                            message: message.clone(),
                            waiting: false,
                            url: None,
                        });
                    }
                    // The dialog takes the keys; everything under it stays as it was.
                    self.mode = Mode::SignIn;
                }
                self.sync = Sync::Failed { error };
                Vec::new()
            }
        }
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
        if self.settings.first_run || self.sign_in.is_some() {
            return Vec::new();
        }
        if gap > WAKE_GAP {
            log::info!(
                "the clock jumped {} s: the machine slept",
                gap.num_seconds()
            );
            return vec![self.refresh_after(true)];
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

    /// Recomputes the rows, keeping the same meeting selected when it is still there.
    fn rebuild_rows(&mut self) {
        let keep = self.selected_key();
        self.rebuild_rows_keeping(keep);
    }

    /// The selected meeting's identity, which survives a new agenda (row indexes do not).
    fn selected_key(&self) -> Option<(String, String)> {
        self.selected_meeting()
            .map(|m| (m.id.clone(), m.calendar_id.clone()))
    }

    fn rebuild_rows_keeping(&mut self, keep: Option<(String, String)>) {
        let filter = self.filter.to_lowercase();
        self.rows = match &self.agenda {
            Some(agenda) => build_rows(
                agenda,
                &RowQuery {
                    now: self.now,
                    tz: self.settings.tz,
                    days: self.settings.days,
                    show_all: self.show_all,
                    filter: &filter,
                },
            ),
            None => Vec::new(),
        };
        let prev = self.selected;
        // A multi-day event has a row per day: keep the one nearest the old position.
        let found = keep.and_then(|(id, cal)| {
            let meetings = &self.agenda.as_ref()?.meetings;
            let near = prev.unwrap_or(0);
            self.rows
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    // A new series is known by its own id until its occurrences arrive.
                    matches!(r, Row::Meeting(i) if meetings[*i].calendar_id == cal
                        && (meetings[*i].id == id || meetings[*i].series_id.as_ref() == Some(&id)))
                })
                .min_by_key(|(pos, _)| pos.abs_diff(near))
                .map(|(pos, _)| pos)
        });
        self.selected = found.or_else(|| self.meeting_rows().next());
        if self.selected != prev && found.is_none() {
            self.details_scroll = 0;
        }
    }
}
