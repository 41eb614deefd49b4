//! Changes out at Google: sending them, what the agenda shows meanwhile (the change at
//! once), and what happens when Google answers: the result shown, or the change undone.

use std::sync::Arc;

use super::confirm::Choices;
use super::App;
use crate::action::Effect;
use crate::calendar::edit::{Edited, Scope};
use crate::calendar::error::{write_error, ApiError, Surface};
use crate::calendar::model::{Agenda, Meeting};
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::write::{Conference, Created, Progress};
use crate::keymap::{Command, Mode};

/// A change out at Google, and how to undo what the agenda already shows if Google says no.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// For the status bar: "Cancelling “Design review”…".
    pub label: String,
    /// The account it goes through: the meeting Google sends back is that account's copy.
    account: usize,
    undo: Undo,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Undo {
    Nothing,
    /// Put these meetings back (a cancel that failed).
    Restore(Vec<Meeting>),
    /// Put these versions back (an answer that failed).
    Replace(Vec<Meeting>),
}

impl App {
    /// Removes the meeting (or the whole series) from the agenda at once; it comes back if
    /// Google refuses.
    pub(super) fn send_cancel(&mut self, d: Choices) -> Vec<Effect> {
        let send = d.send();
        let all = d.scope() == Scope::All;
        let series = d.series_id.filter(|_| all);
        let event_id = series.clone().unwrap_or_else(|| d.target.event_id.clone());
        let target = &d.target;
        let mut removed = Vec::new();
        self.edit_agenda(|a| {
            let (gone, kept): (Vec<Meeting>, Vec<Meeting>) =
                std::mem::take(&mut a.meetings).into_iter().partition(|m| {
                    target.holds(m)
                        && (m.id == event_id
                            || series.is_some() && m.series_id.as_ref() == series.as_ref())
                });
            a.meetings = kept;
            removed = gone;
        });
        let label = format!("Cancelling \u{201c}{}\u{201d}…", target.title);
        let op = WriteOp::Cancel {
            calendar: target.calendar.clone(),
            event_id,
            send,
        };
        self.send(target.account, op, label, Undo::Restore(removed))
    }

    /// `m`: give the selected meeting a Meet link, asking first who gets e-mail about it
    /// when it has guests.
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
        let choices = Choices::new(m, vec![Scope::This]);
        if choices.rows() == 0 {
            return self.send_add_meet(choices);
        }
        self.ask(super::Confirm::AddMeet(choices));
        Vec::new()
    }

    pub(super) fn send_add_meet(&mut self, c: Choices) -> Vec<Effect> {
        let send = c.send();
        let t = c.target;
        let label = format!("Adding a Meet link to \u{201c}{}\u{201d}…", t.title);
        let op = WriteOp::AddMeet {
            calendar: t.calendar,
            event_id: t.event_id,
            send,
        };
        self.send(t.account, op, label, Undo::Nothing)
    }

    /// `N`: a Meet link with no meeting around it, on the primary calendar of the account
    /// `n` books in.
    pub(super) fn instant_link(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        let op = WriteOp::InstantLink {
            calendar: "primary".into(),
            tz: self.settings.tz,
        };
        let account = self.booking().account;
        let label = "Making an instant Meet link…".into();
        self.send(account, op, label, Undo::Nothing)
    }

    pub(super) fn on_write_progress(&mut self, req: u64, progress: Progress) {
        let text = match progress {
            Progress::Saving => "Saving…".to_string(),
            Progress::CreatingMeetLink { .. } => "Creating Meet link…".to_string(),
        };
        if let Some(s) = self
            .screen
            .form_mut()
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
        let for_form = self.form_waits_for(req);
        let result = result.map(|written| in_account(written, pending.account));
        match result {
            Ok(Written::Created(created)) if self.new_series.remove(&req) => {
                // A series is shown as Google's occurrences: wait for them, then select the
                // first, so `d` offers "this occurrence" or "all".
                if for_form {
                    self.screen.close_form();
                }
                let m = &created.meeting;
                self.select_on_load = Some(super::agenda::key_of(m));
                let msg = format!("Created \u{201c}{}\u{201d}", m.title);
                self.toast(msg, false);
                let mut effects = vec![self.refresh_asked()];
                if let (Conference::Ready(url), true) =
                    (&created.conference, self.settings.copy_on_create)
                {
                    let m = &created.meeting;
                    effects.push(self.copy_new_link(m.account, url, &m.title));
                }
                effects
            }
            Ok(written) => {
                // Google's view wins: a new series shows as its occurrences, and a refresh
                // that started before this change cannot undo it on screen.
                let changed_calendar = !matches!(written, Written::InstantLink(_));
                let mut effects = self.on_written(written, for_form, pending.account);
                if changed_calendar {
                    effects.push(self.refresh_asked());
                }
                effects
            }
            Err(error) => {
                self.undo(pending.undo);
                let refresh = self.hint(Mode::Agenda, Command::Refresh);
                let message = write_error(&error, Surface::Tui { refresh: &refresh });
                let hidden = self.visible_form().is_none();
                match self.screen.form_mut().filter(|_| for_form) {
                    // The form keeps everything typed; the error sits under it.
                    Some(form) => {
                        form.submitting = None;
                        form.error = Some(message.clone());
                        form.error_scroll = 0;
                        if hidden && self.mode() == Mode::Agenda {
                            self.screen.show_form();
                        } else if hidden {
                            let n = self.hint(Mode::Agenda, Command::NewMeeting);
                            self.toast(format!("{message} ({n} shows the form)"), true);
                        }
                    }
                    None => self.toast(message, true),
                }
                Vec::new()
            }
        }
    }

    fn on_written(&mut self, written: Written, for_form: bool, account: usize) -> Vec<Effect> {
        match written {
            Written::Created(created) => {
                if for_form {
                    self.screen.close_form();
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
            Written::Responded(meeting) => self.on_responded(*meeting),
            Written::Edited(edited) => self.on_edited(*edited, for_form),
            // The copy's toast names the link: it is on no meeting to look it up in.
            Written::InstantLink(url) => vec![self.copy_new_link(account, &url, "")],
        }
    }

    /// Puts a new or changed meeting in the agenda, selects it, and copies its link.
    fn show_new(&mut self, created: Created, verb: &str) -> Vec<Effect> {
        let Created {
            meeting,
            conference,
        } = created;
        let (title, account) = (meeting.title.clone(), meeting.account);
        let key = super::agenda::key_of(&meeting);
        self.put_meeting(meeting);
        self.rebuild_rows_keeping(Some(key));
        let mut effects = self.save();
        match conference {
            Conference::Ready(url) if self.settings.copy_on_create => {
                self.toast(format!("{verb} \u{201c}{title}\u{201d}: {url}"), false);
                effects.push(self.copy_new_link(account, &url, &title));
            }
            Conference::Ready(url) => {
                self.toast(format!("{verb} \u{201c}{title}\u{201d}: {url}"), false)
            }
            Conference::NotRequested => {
                self.toast(format!("{verb} \u{201c}{title}\u{201d}"), false)
            }
            Conference::Failed(why) => {
                let m = self.hint(Mode::Agenda, Command::AddMeet);
                self.toast(
                    format!(
                        "{verb} \u{201c}{title}\u{201d}, but without a Meet link ({why}): \
                         press {m} to try again"
                    ),
                    true,
                )
            }
            Conference::StillPending => {
                let r = self.hint(Mode::Agenda, Command::Refresh);
                self.toast(
                    format!(
                        "{verb} \u{201c}{title}\u{201d}; Google is still making the Meet link: \
                         press {r} in a moment"
                    ),
                    true,
                )
            }
        }
        effects
    }

    /// Replaces the meeting with the same id and calendar in the same account, or adds it.
    pub(super) fn put_meeting(&mut self, meeting: Meeting) {
        self.edit_agenda(|a| {
            match a.meetings.iter_mut().find(|m| same_copy(m, &meeting)) {
                Some(m) => *m = meeting,
                None => a.meetings.push(meeting),
            }
            a.sort();
        });
    }

    /// Replaces the meeting with the same id and calendar in the same account, if the agenda
    /// has it.
    pub(super) fn replace_meeting(&mut self, meeting: Meeting) {
        let here = self
            .agenda
            .as_ref()
            .is_some_and(|a| a.meetings.iter().any(|m| same_copy(m, &meeting)));
        if here {
            self.put_meeting(meeting);
        }
    }

    fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::Nothing => {}
            // A refresh may have brought some back already: put back only what is missing.
            Undo::Restore(meetings) => self.edit_agenda(|a| {
                for m in meetings {
                    let here = a.meetings.iter().any(|x| same_copy(x, &m));
                    if !here {
                        a.meetings.push(m);
                    }
                }
                a.sort();
            }),
            Undo::Replace(meetings) => {
                for m in meetings {
                    self.put_meeting(m);
                }
            }
        }
    }

    /// Changes the agenda on screen (copying it if the cache writer still holds it).
    pub(super) fn edit_agenda(&mut self, f: impl FnOnce(&mut Agenda)) {
        let agenda = self.agenda.get_or_insert_with(Default::default);
        f(Arc::make_mut(agenda));
        self.rebuild_rows();
    }

    pub(super) fn save(&self) -> Vec<Effect> {
        self.agenda
            .as_ref()
            .map(|a| Effect::SaveCache(Arc::clone(a)))
            .into_iter()
            .collect()
    }

    /// Sends `op` to Google through `account` (the one that owns the calendar written to),
    /// showing `label` while it runs; `undo` puts the agenda back if Google refuses.
    pub(super) fn send(
        &mut self,
        account: usize,
        op: WriteOp,
        label: String,
        undo: Undo,
    ) -> Vec<Effect> {
        let req = self.next_request();
        self.send_as(req, account, op, label, undo)
    }

    /// [`Self::send`] with a request id the caller already holds (the form shows it).
    pub(super) fn send_as(
        &mut self,
        req: u64,
        account: usize,
        op: WriteOp,
        label: String,
        undo: Undo,
    ) -> Vec<Effect> {
        let pending = Pending {
            label,
            account,
            undo,
        };
        self.writes.insert(req, pending);
        vec![Effect::Write { req, account, op }]
    }

    pub(super) fn organizer_only(&mut self, title: String) -> Vec<Effect> {
        let msg = format!("Only the organizer can change the Meet link of \u{201c}{title}\u{201d}");
        self.toast(msg, true);
        Vec::new()
    }

    pub(super) fn not_signed_in(&mut self) -> bool {
        if self.settings.first_run {
            self.toast("Not signed in: quit and run meetty login".into(), true);
        }
        self.settings.first_run
    }
}

/// Whether `a` and `b` are the same event on the same calendar of the same account (two
/// versions of one copy).
fn same_copy(a: &Meeting, b: &Meeting) -> bool {
    a.id == b.id && a.calendar_id == b.calendar_id && a.account == b.account
}

/// What Google answered, its meetings marked as `account`'s copies (the client reads one
/// account's calendars and knows no index).
fn in_account(mut written: Written, account: usize) -> Written {
    match &mut written {
        Written::Created(c) | Written::MeetAdded(c) => c.meeting.account = account,
        Written::MeetRemoved(m) | Written::Responded(m) => m.account = account,
        Written::Edited(edited) => match &mut **edited {
            Edited::Done(m) => m.account = account,
            Edited::Conflict(c) => c.current.meeting.account = account,
        },
        Written::Cancelled | Written::InstantLink(_) => {}
    }
    written
}

impl App {
    /// Copies the Meet link account `account` just made (copy-on-create, `N`) as `y` copies
    /// a link: with the account's `authuser` while `meet_authuser` is on. `title`: the
    /// meeting's; "" for an instant link, which is on no meeting (the toast names it).
    fn copy_new_link(&self, account: usize, url: &str, title: &str) -> Effect {
        let text = self.account_url(account, url);
        let what = if title.is_empty() {
            format!("instant Meet link {text}")
        } else {
            format!("the Meet link of \u{201c}{title}\u{201d}")
        };
        Effect::Copy { text, what }
    }
}
