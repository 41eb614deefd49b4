//! Changing meetings from the agenda: the template picker, the new-meeting form, the confirm
//! dialogs, and what the agenda shows while Google works on a change (and after it says no).

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Mode};
use crate::action::Effect;
use crate::calendar::error::{write_error, ApiError, Surface};
use crate::calendar::model::{Agenda, Meeting, Rsvp, SendUpdates};
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::write::{Conference, Created, Progress};
use crate::compose::{Context, Draft, Note};
use crate::form::{Form, Submitting, NOTIFY};

/// The meeting a dialog acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub calendar: String,
    pub event_id: String,
    pub title: String,
    /// Guests are told about a changed link when there are any.
    pub notify: SendUpdates,
}

/// `d` on a meeting the user organizes.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelDialog {
    pub target: Target,
    /// Set for an occurrence of a recurring series.
    pub series_id: Option<String>,
    pub has_guests: bool,
    /// Index into [`NOTIFY`].
    pub notify: usize,
    pub all_occurrences: bool,
    /// Which choice Left/Right change: 0 notify, 1 occurrences.
    pub row: usize,
}

impl CancelDialog {
    /// The choices this meeting has: who to notify (with guests), which occurrences (in a
    /// series).
    pub fn rows(&self) -> usize {
        usize::from(self.has_guests) + usize::from(self.series_id.is_some())
    }

    /// Whether `row` is the notify choice (else the occurrences choice).
    pub fn is_notify_row(&self, row: usize) -> bool {
        self.has_guests && row == 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    /// Esc on a form with changes.
    Discard,
    /// The start is in the past.
    PastStart,
    /// The calendar does not allow Google Meet: create without a link?
    NoMeet {
        calendar: String,
    },
    Cancel(CancelDialog),
    /// `d` on someone else's meeting.
    Decline(Target),
    /// `x`: remove the Meet link.
    RemoveMeet(Target),
}

/// A change out at Google, and how to undo what the agenda already shows if Google says no.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// For the status bar: "Cancelling “Design review”…".
    pub label: String,
    undo: Undo,
}

#[derive(Debug, Clone, PartialEq)]
enum Undo {
    Nothing,
    /// Put these meetings back (a cancel that failed).
    Restore(Vec<Meeting>),
    /// Put this version back (a decline that failed).
    Replace(Box<Meeting>),
}

/// What validation needs, borrowed field by field so the form can be borrowed beside it.
macro_rules! context {
    ($app:expr) => {
        Context {
            now: $app.now,
            tz: $app.settings.tz,
            calendars: $app.agenda.as_ref().map_or(&[][..], |a| &a.calendars),
            account: $app.settings.account.as_deref(),
        }
    };
}

impl App {
    pub(super) fn new_meeting(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        // One form at a time: one put away while saving comes back.
        if self.form.is_some() {
            self.form_hidden = false;
            self.mode = Mode::Form;
            return Vec::new();
        }
        self.picker = 0;
        self.mode = Mode::Picker;
        Vec::new()
    }

    /// j/k or arrows choose, Enter or a digit picks, Esc goes back to the agenda.
    pub(super) fn picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let n = self.settings.templates.len();
        match key.code {
            KeyCode::Esc => self.mode = Mode::Browse,
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.picker = (self.picker + 1) % n
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                self.picker = (self.picker + n - 1) % n
            }
            KeyCode::Enter => self.open_form(self.picker),
            KeyCode::Char(c) => {
                if let Some(i) = c.to_digit(10).filter(|&d| d >= 1 && d as usize <= n) {
                    self.open_form(i as usize - 1);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn open_form(&mut self, template: usize) {
        let Some(t) = self.settings.templates.get(template) else {
            return;
        };
        self.next_form += 1;
        // A per-session random prefix and a counter: unique, yet chosen without I/O here.
        let id = format!("{}{:x}", self.settings.id_salt, self.next_form);
        let ctx = context!(self);
        let form = Form::new(Draft::from_template(t, &ctx), id, &ctx);
        self.form = Some(form);
        self.mode = Mode::Form;
    }

    /// In the form every key is text except Esc, Enter, Tab, arrows and Ctrl keys.
    pub(super) fn form_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let ctx = context!(self);
        let Some(form) = self.form.as_mut() else {
            self.mode = Mode::Browse;
            return Vec::new();
        };
        if form.submitting.is_some() {
            // What is out at Google is what was sent: no edits until it answers, but the
            // form can be put away meanwhile.
            if key.code == KeyCode::Esc {
                self.form_hidden = true;
                self.mode = Mode::Browse;
                self.toast(
                    "Still saving in the background; n shows the form".into(),
                    false,
                );
            }
            return Vec::new();
        }
        match key.code {
            KeyCode::Esc if form.changed => self.ask(Confirm::Discard),
            KeyCode::Esc => self.close_form(),
            KeyCode::Tab | KeyCode::Down => form.move_focus(1),
            KeyCode::BackTab | KeyCode::Up => form.move_focus(-1),
            KeyCode::Enter if alt => form.newline(&ctx),
            KeyCode::Char('s') if ctrl => return self.submit(false),
            KeyCode::Enter if form.is_last() => return self.submit(false),
            KeyCode::Enter => form.move_focus(1),
            _ => {
                form.edit(&key, &ctx);
            }
        }
        Vec::new()
    }

    pub(super) fn form_paste(&mut self, text: &str) {
        let ctx = context!(self);
        // What is out at Google is what was sent: no edits until it answers.
        if let Some(form) = self.form.as_mut().filter(|f| f.submitting.is_none()) {
            form.paste(text, &ctx);
        }
    }

    /// Sends the form when every field is valid; a start in the past and a calendar without
    /// Meet ask first (`confirmed` skips the past-start question once answered).
    fn submit(&mut self, past_confirmed: bool) -> Vec<Effect> {
        let ctx = context!(self);
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        // Again now: "now", "+15m" and the past-start check move with the clock, and the
        // calendar list may have arrived since the last key.
        form.checked = crate::compose::check(&form.draft(), &ctx);
        let checked = form.checked.clone();
        let first_bad = form
            .fields
            .iter()
            .position(|f| matches!(checked.note(&f.field), Some(Note::Error(_))));
        if let Some(position) = first_bad {
            let n = checked.errors().count();
            form.focus = position;
            form.error = Some(match n {
                1 => "Fix the field marked in red first".into(),
                n => format!("Fix the {n} fields marked in red first"),
            });
            return Vec::new();
        }
        if let Some(calendar) = checked.meet_unavailable {
            self.ask(Confirm::NoMeet { calendar });
            return Vec::new();
        }
        if checked.starts_in_past && !past_confirmed {
            self.ask(Confirm::PastStart);
            return Vec::new();
        }
        let Some(mut event) = checked.event else {
            return Vec::new();
        };
        event.id = form.event_id.clone();
        let req = self.next_request();
        if let Some(form) = self.form.as_mut() {
            form.submitting = Some(Submitting {
                req,
                status: "Saving…".into(),
            });
            form.error = None;
        }
        if !event.recurrence.is_empty() {
            self.new_series.insert(req);
        }
        let label = format!("Creating \u{201c}{}\u{201d}…", event.title);
        let op = WriteOp::Create {
            calendar: checked.calendar,
            event: Box::new(event),
        };
        self.send_as(req, op, label, Undo::Nothing)
    }

    fn close_form(&mut self) {
        self.form = None;
        self.form_hidden = false;
        if self.mode == Mode::Form {
            self.mode = Mode::Browse;
        }
    }

    fn ask(&mut self, confirm: Confirm) {
        self.confirm = Some(confirm);
        self.mode = Mode::Confirm;
    }

    /// Back to the form when the dialog was about it, else to the agenda.
    fn dismiss(&mut self) {
        self.confirm = None;
        self.resume();
    }

    /// y or Enter confirms, n or Esc goes back; in the cancel dialog arrows change the
    /// choices.
    pub(super) fn confirm_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(confirm) = self.confirm.as_mut() else {
            self.dismiss();
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc | KeyCode::Char('n') => {
                self.dismiss();
                Vec::new()
            }
            KeyCode::Enter | KeyCode::Char('y') => {
                let confirm = self.confirm.take().expect("checked above");
                self.dismiss();
                self.confirmed(confirm)
            }
            _ => {
                if let Confirm::Cancel(dialog) = confirm {
                    cancel_dialog_key(dialog, &key);
                }
                Vec::new()
            }
        }
    }

    fn confirmed(&mut self, confirm: Confirm) -> Vec<Effect> {
        match confirm {
            Confirm::Discard => {
                self.close_form();
                Vec::new()
            }
            Confirm::PastStart => self.submit(true),
            Confirm::NoMeet { .. } => {
                let ctx = context!(self);
                if let Some(form) = self.form.as_mut() {
                    form.set_meet(false, &ctx);
                }
                self.submit(false)
            }
            Confirm::Cancel(d) => self.send_cancel(d),
            Confirm::Decline(t) => self.send_decline(t),
            Confirm::RemoveMeet(t) => {
                let label = format!("Removing the Meet link from \u{201c}{}\u{201d}…", t.title);
                let op = WriteOp::RemoveMeet {
                    calendar: t.calendar,
                    event_id: t.event_id,
                    send: t.notify,
                };
                self.send(op, label, Undo::Nothing)
            }
        }
    }

    /// `d`: cancel a meeting the user organizes, decline one they were invited to.
    pub(super) fn cancel_or_decline(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        let target = target(m);
        let guests = m.has_guests();
        let confirm = if m.i_organize {
            Confirm::Cancel(CancelDialog {
                target,
                series_id: m.series_id.clone(),
                has_guests: guests,
                notify: if guests { 0 } else { 2 },
                all_occurrences: false,
                row: 0,
            })
        } else if m.attendees.iter().any(|a| a.is_self) {
            Confirm::Decline(target)
        } else {
            let msg = format!(
                "\u{201c}{}\u{201d} is someone else's event and you are not a guest: \
                 only its organizer can cancel it",
                m.title
            );
            self.toast(msg, true);
            return Vec::new();
        };
        self.ask(confirm);
        Vec::new()
    }

    /// Removes the meeting (or the whole series) from the agenda at once; it comes back if
    /// Google refuses.
    fn send_cancel(&mut self, d: CancelDialog) -> Vec<Effect> {
        let series = d.series_id.filter(|_| d.all_occurrences);
        let event_id = series.clone().unwrap_or_else(|| d.target.event_id.clone());
        let calendar = d.target.calendar.clone();
        let mut removed = Vec::new();
        self.edit_agenda(|a| {
            let (gone, kept): (Vec<Meeting>, Vec<Meeting>) =
                std::mem::take(&mut a.meetings).into_iter().partition(|m| {
                    m.calendar_id == calendar
                        && (m.id == event_id
                            || series.is_some() && m.series_id.as_ref() == series.as_ref())
                });
            a.meetings = kept;
            removed = gone;
        });
        let label = format!("Cancelling \u{201c}{}\u{201d}…", d.target.title);
        let op = WriteOp::Cancel {
            calendar,
            event_id,
            send: NOTIFY[d.notify.min(NOTIFY.len() - 1)].0,
        };
        self.send(op, label, Undo::Restore(removed))
    }

    /// Shows the meeting as declined at once; the old answer comes back if Google refuses.
    fn send_decline(&mut self, t: Target) -> Vec<Effect> {
        let mut before = None;
        self.edit_agenda(|a| {
            for m in a.meetings.iter_mut() {
                if m.id == t.event_id && m.calendar_id == t.calendar {
                    before.get_or_insert_with(|| m.clone());
                    for att in m.attendees.iter_mut().filter(|a| a.is_self) {
                        att.rsvp = Rsvp::Declined;
                    }
                }
            }
        });
        let label = format!("Declining \u{201c}{}\u{201d}…", t.title);
        let undo = before.map_or(Undo::Nothing, |m| Undo::Replace(Box::new(m)));
        let op = WriteOp::Decline {
            calendar: t.calendar,
            event_id: t.event_id,
        };
        self.send(op, label, undo)
    }

    /// `m`: give the selected meeting a Meet link.
    pub(super) fn add_meet(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        if let Some(v) = &m.video {
            let msg = format!(
                "\u{201c}{}\u{201d} already has a {} link",
                m.title,
                v.provider.name()
            );
            self.toast(msg, true);
            return Vec::new();
        }
        if !m.i_organize {
            return self.organizer_only(m.title.clone());
        }
        let t = target(m);
        let label = format!("Adding a Meet link to \u{201c}{}\u{201d}…", t.title);
        let op = WriteOp::AddMeet {
            calendar: t.calendar,
            event_id: t.event_id,
            send: t.notify,
        };
        self.send(op, label, Undo::Nothing)
    }

    /// `x`: asks before removing the selected meeting's Meet link.
    pub(super) fn remove_meet(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        let is_meet = m
            .video
            .as_ref()
            .is_some_and(|v| v.provider == crate::calendar::links::Provider::Meet);
        if !is_meet {
            let msg = format!("\u{201c}{}\u{201d} has no Google Meet link", m.title);
            self.toast(msg, true);
            return Vec::new();
        }
        if !m.i_organize {
            return self.organizer_only(m.title.clone());
        }
        let t = target(m);
        self.ask(Confirm::RemoveMeet(t));
        Vec::new()
    }

    /// `N`: a Meet link with no meeting around it.
    pub(super) fn instant_link(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        let op = WriteOp::InstantLink {
            calendar: "primary".into(),
            tz: self.settings.tz,
        };
        self.send(op, "Making an instant Meet link…".into(), Undo::Nothing)
    }

    pub(super) fn on_write_progress(&mut self, req: u64, progress: Progress) {
        let text = match progress {
            Progress::Saving => "Saving…".to_string(),
            Progress::CreatingMeetLink { .. } => "Creating Meet link…".to_string(),
        };
        if let Some(s) = self
            .form
            .as_mut()
            .and_then(|f| f.submitting.as_mut())
            .filter(|s| s.req == req)
        {
            s.status = text.clone();
        }
        if let (Some(p), Progress::CreatingMeetLink { .. }) = (self.writes.get_mut(&req), progress)
        {
            p.label = text;
        }
    }

    pub(super) fn on_wrote(&mut self, req: u64, result: Result<Written, ApiError>) -> Vec<Effect> {
        let Some(pending) = self.writes.remove(&req) else {
            return Vec::new();
        };
        let for_form = self
            .form
            .as_ref()
            .and_then(|f| f.submitting.as_ref())
            .is_some_and(|s| s.req == req);
        match result {
            Ok(Written::Created(created)) if self.new_series.remove(&req) => {
                // A series is shown as Google's occurrences: wait for them, then select the
                // first, so `d` offers "this occurrence" or "all".
                if for_form {
                    self.close_form();
                }
                let m = &created.meeting;
                self.select_on_load = Some((m.id.clone(), m.calendar_id.clone()));
                let msg = format!("Created \u{201c}{}\u{201d}", m.title);
                self.toast(msg, false);
                let mut effects = vec![self.refresh()];
                if let (Conference::Ready(url), true) =
                    (&created.conference, self.settings.copy_on_create)
                {
                    effects.push(copy_new_link(url, &created.meeting.title));
                }
                effects
            }
            Ok(written) => {
                // Google's view wins: a new series shows as its occurrences, and a refresh
                // that started before this change cannot undo it on screen.
                let changed_calendar = !matches!(written, Written::InstantLink(_));
                let mut effects = self.on_written(written, for_form);
                if changed_calendar {
                    effects.push(self.refresh());
                }
                effects
            }
            Err(error) => {
                self.undo(pending.undo);
                let message = write_error(&error, Surface::Tui);
                match self.form.as_mut().filter(|_| for_form) {
                    // The form keeps everything typed; the error sits under it.
                    Some(form) => {
                        form.submitting = None;
                        form.error = Some(message.clone());
                        if self.form_hidden && self.mode == Mode::Browse {
                            self.form_hidden = false;
                            self.mode = Mode::Form;
                        } else if self.form_hidden {
                            self.toast(format!("{message} (n shows the form)"), true);
                        }
                    }
                    None => self.toast(message, true),
                }
                Vec::new()
            }
        }
    }

    fn on_written(&mut self, written: Written, for_form: bool) -> Vec<Effect> {
        match written {
            Written::Created(created) => {
                if for_form {
                    self.close_form();
                }
                self.show_new(*created, "Created")
            }
            Written::MeetAdded(created) => self.show_new(*created, "Added a Meet link to"),
            Written::MeetRemoved(meeting) => {
                let msg = format!(
                    "Removed the Meet link from \u{201c}{}\u{201d}",
                    meeting.title
                );
                self.put_meeting(*meeting);
                self.toast(msg, false);
                self.save()
            }
            Written::Cancelled => {
                self.toast("Cancelled".into(), false);
                self.save()
            }
            Written::Declined(meeting) => {
                let msg = format!("Declined \u{201c}{}\u{201d}", meeting.title);
                self.put_meeting(*meeting);
                self.toast(msg, false);
                self.save()
            }
            // The copy's toast names the link: it is on no meeting to look it up in.
            Written::InstantLink(url) => vec![Effect::Copy {
                what: format!("instant Meet link {url}"),
                text: url,
            }],
        }
    }

    /// Puts a new or changed meeting in the agenda, selects it, and copies its link.
    fn show_new(&mut self, created: Created, verb: &str) -> Vec<Effect> {
        let Created {
            meeting,
            conference,
        } = created;
        let title = meeting.title.clone();
        let key = (meeting.id.clone(), meeting.calendar_id.clone());
        self.put_meeting(meeting);
        self.rebuild_rows_keeping(Some(key));
        let mut effects = self.save();
        match conference {
            Conference::Ready(url) if self.settings.copy_on_create => {
                self.toast(format!("{verb} \u{201c}{title}\u{201d}: {url}"), false);
                effects.push(copy_new_link(&url, &title));
            }
            Conference::Ready(url) => {
                self.toast(format!("{verb} \u{201c}{title}\u{201d}: {url}"), false)
            }
            Conference::NotRequested => {
                self.toast(format!("{verb} \u{201c}{title}\u{201d}"), false)
            }
            Conference::Failed(why) => self.toast(
                format!("{verb} \u{201c}{title}\u{201d}, but without a Meet link: {why}"),
                true,
            ),
            Conference::StillPending => self.toast(
                format!(
                    "{verb} \u{201c}{title}\u{201d}; Google is still making the Meet link: \
                     press r in a moment"
                ),
                true,
            ),
        }
        effects
    }

    /// Replaces the meeting with the same id and calendar, or adds it.
    fn put_meeting(&mut self, meeting: Meeting) {
        self.edit_agenda(|a| {
            match a
                .meetings
                .iter_mut()
                .find(|m| m.id == meeting.id && m.calendar_id == meeting.calendar_id)
            {
                Some(m) => *m = meeting,
                None => a.meetings.push(meeting),
            }
            a.sort();
        });
    }

    fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::Nothing => {}
            // A refresh may have brought some back already: put back only what is missing.
            Undo::Restore(meetings) => self.edit_agenda(|a| {
                for m in meetings {
                    let here = a
                        .meetings
                        .iter()
                        .any(|x| x.id == m.id && x.calendar_id == m.calendar_id);
                    if !here {
                        a.meetings.push(m);
                    }
                }
                a.sort();
            }),
            Undo::Replace(meeting) => self.put_meeting(*meeting),
        }
    }

    /// Changes the agenda on screen (copying it if the cache writer still holds it).
    fn edit_agenda(&mut self, f: impl FnOnce(&mut Agenda)) {
        let agenda = self.agenda.get_or_insert_with(Default::default);
        f(Arc::make_mut(agenda));
        self.rebuild_rows();
    }

    fn save(&self) -> Vec<Effect> {
        self.agenda
            .as_ref()
            .map(|a| Effect::SaveCache(Arc::clone(a)))
            .into_iter()
            .collect()
    }

    /// Sends `op` to Google, showing `label` while it runs; `undo` puts the agenda back if
    /// Google refuses.
    fn send(&mut self, op: WriteOp, label: String, undo: Undo) -> Vec<Effect> {
        let req = self.next_request();
        self.send_as(req, op, label, undo)
    }

    /// [`Self::send`] with a request id the caller already holds (the form shows it).
    fn send_as(&mut self, req: u64, op: WriteOp, label: String, undo: Undo) -> Vec<Effect> {
        self.writes.insert(req, Pending { label, undo });
        vec![Effect::Write { req, op }]
    }

    fn organizer_only(&mut self, title: String) -> Vec<Effect> {
        let msg = format!("Only the organizer can change the Meet link of \u{201c}{title}\u{201d}");
        self.toast(msg, true);
        Vec::new()
    }

    fn not_signed_in(&mut self) -> bool {
        if self.settings.first_run {
            self.toast("Not signed in: quit and run meetty login".into(), true);
        }
        self.settings.first_run
    }
}

fn copy_new_link(url: &str, title: &str) -> Effect {
    Effect::Copy {
        text: url.to_string(),
        what: format!("the Meet link of \u{201c}{title}\u{201d}"),
    }
}

/// Up/Down pick the choice, Left/Right/Space change it.
fn cancel_dialog_key(d: &mut CancelDialog, key: &KeyEvent) {
    let rows = d.rows().max(1);
    match key.code {
        KeyCode::Up | KeyCode::BackTab | KeyCode::Char('k') => d.row = (d.row + rows - 1) % rows,
        KeyCode::Down | KeyCode::Tab | KeyCode::Char('j') => d.row = (d.row + 1) % rows,
        KeyCode::Left
        | KeyCode::Right
        | KeyCode::Char(' ')
        | KeyCode::Char('h')
        | KeyCode::Char('l') => {
            if d.is_notify_row(d.row) {
                let back = matches!(key.code, KeyCode::Left | KeyCode::Char('h'));
                let n = NOTIFY.len();
                d.notify = if back {
                    (d.notify + n - 1) % n
                } else {
                    (d.notify + 1) % n
                };
            } else if d.rows() > 0 {
                d.all_occurrences = !d.all_occurrences;
            }
        }
        _ => {}
    }
}

fn target(m: &Meeting) -> Target {
    Target {
        calendar: m.calendar_id.clone(),
        event_id: m.id.clone(),
        title: m.title.clone(),
        notify: m.default_notify(),
    }
}
