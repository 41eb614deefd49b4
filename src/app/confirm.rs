//! Questions asked before something that cannot be taken back, or that needs a choice:
//! discarding a form, a past start, a calendar without Meet, cancelling, declining,
//! removing a link.

use super::answer::Invitation;
use super::writes::Undo;
use super::{App, Overlay};
use crate::action::Effect;
use crate::calendar::answer::Answer;
use crate::calendar::model::{Meeting, Rsvp, SendUpdates};
use crate::calendar::ops::WriteOp;
use crate::form::NOTIFY;
use crate::keymap::Command;

/// The meeting a dialog acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub calendar: String,
    pub event_id: String,
    pub title: String,
    /// Guests are told about a changed link when there are any.
    pub notify: SendUpdates,
}

impl Target {
    pub fn of(m: &Meeting) -> Target {
        Target {
            calendar: m.calendar_id.clone(),
            event_id: m.id.clone(),
            title: m.title.clone(),
            notify: m.default_notify(),
        }
    }
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
    /// Which choice the value keys change: 0 notify, 1 occurrences.
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

    /// The choice keys: move between choices, or change the current one.
    fn key(&mut self, cmd: Command) {
        let rows = self.rows().max(1);
        match cmd {
            Command::ChoiceUp => self.row = (self.row + rows - 1) % rows,
            Command::ChoiceDown => self.row = (self.row + 1) % rows,
            Command::NextValue | Command::PrevValue => {
                if self.is_notify_row(self.row) {
                    let n = NOTIFY.len();
                    let step = if cmd == Command::PrevValue { n - 1 } else { 1 };
                    self.notify = (self.notify + step) % n;
                } else if self.rows() > 0 {
                    self.all_occurrences = !self.all_occurrences;
                }
            }
            _ => {}
        }
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
    Decline(Invitation),
    /// `x`: remove the Meet link.
    RemoveMeet(Target),
}

impl Confirm {
    /// Questions about the form, which go when the form goes.
    pub fn is_about_form(&self) -> bool {
        matches!(
            self,
            Confirm::Discard | Confirm::PastStart | Confirm::NoMeet { .. }
        )
    }
}

impl App {
    pub(super) fn ask(&mut self, confirm: Confirm) {
        self.screen.push(Overlay::Confirm(confirm));
    }

    /// Yes does it, no goes back to what was under the question; in the cancel dialog the
    /// choice keys change the choices.
    pub(super) fn confirm_key(&mut self, cmd: Option<Command>) -> Vec<Effect> {
        let Some(Overlay::Confirm(confirm)) = self.screen.top_mut() else {
            return Vec::new();
        };
        match cmd {
            Some(Command::No) => {
                self.screen.pop();
                Vec::new()
            }
            Some(Command::Yes) => match self.screen.pop() {
                Some(Overlay::Confirm(confirm)) => self.confirmed(confirm),
                _ => Vec::new(),
            },
            Some(cmd) => {
                if let Confirm::Cancel(dialog) = confirm {
                    dialog.key(cmd);
                }
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    fn confirmed(&mut self, confirm: Confirm) -> Vec<Effect> {
        match confirm {
            Confirm::Discard => {
                self.screen.close_form();
                Vec::new()
            }
            Confirm::PastStart => self.submit(true),
            Confirm::NoMeet { .. } => {
                let ctx = context!(self);
                if let Some(form) = self.screen.form_mut() {
                    form.set_meet(crate::compose::MeetChoice::None, &ctx);
                }
                self.submit(false)
            }
            Confirm::Cancel(d) => self.send_cancel(d),
            Confirm::Decline(invitation) => {
                // As declining in Google Calendar: the organizer hears of it.
                let answer = Answer {
                    rsvp: Rsvp::Declined,
                    note: None,
                    notify: true,
                };
                self.send_answer(invitation, answer, false)
            }
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
        let guests = m.has_guests();
        let confirm = if m.i_organize {
            Confirm::Cancel(CancelDialog {
                target: Target::of(m),
                series_id: m.series_id.clone(),
                has_guests: guests,
                notify: if guests { 0 } else { 2 },
                all_occurrences: false,
                row: 0,
            })
        } else if !m.attendees.iter().any(|a| a.is_self) {
            let msg = format!(
                "\u{201c}{}\u{201d} is someone else's event and you are not a guest: \
                 only its organizer can cancel it",
                m.title
            );
            self.toast(msg, true);
            return Vec::new();
        } else {
            match Invitation::of(m) {
                Ok((invitation, _)) => Confirm::Decline(invitation),
                Err(why) => {
                    self.toast(why, true);
                    return Vec::new();
                }
            }
        };
        self.ask(confirm);
        Vec::new()
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
        let t = Target::of(m);
        self.ask(Confirm::RemoveMeet(t));
        Vec::new()
    }
}
