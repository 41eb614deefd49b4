//! Questions asked before something that cannot be taken back, or that needs a choice:
//! discarding a form, a past start, a calendar without Meet, cancelling, declining,
//! removing or adding a link, saving an edit, and an edit that met a change made elsewhere.

use super::answer::Invitation;
use super::writes::Undo;
use super::{App, Overlay};
use crate::action::Effect;
use crate::calendar::answer::Answer;
use crate::calendar::edit::{Conflict, Edit, Scope};
use crate::calendar::model::{Meeting, Rsvp, SendUpdates};
use crate::calendar::ops::WriteOp;
use crate::form::NOTIFY;
use crate::keymap::Command;

/// The meeting a dialog acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The account whose calendar it is: the change goes through it.
    pub account: usize,
    pub calendar: String,
    pub event_id: String,
    pub title: String,
    /// Guests are told about a changed link when there are any.
    pub notify: SendUpdates,
}

impl Target {
    pub fn of(m: &Meeting) -> Target {
        Target {
            account: m.account,
            calendar: m.calendar_id.clone(),
            event_id: m.id.clone(),
            title: m.title.clone(),
            notify: m.default_notify(),
        }
    }

    /// Whether `m` is on this target's calendar in its account (the same calendar shared
    /// with another account is that account's copy).
    pub fn holds(&self, m: &Meeting) -> bool {
        m.account == self.account && m.calendar_id == self.calendar
    }
}

/// What is asked before a change goes out: who gets e-mail about it and, for an occurrence
/// of a recurring meeting, which occurrences it applies to. Cancel (`d`), edit (`e`) and
/// adding a Meet link (`m`) all ask with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Choices {
    pub target: Target,
    /// Set for an occurrence of a recurring series.
    pub series_id: Option<String>,
    /// E-mail is asked about only then; otherwise nobody is e-mailed.
    pub has_guests: bool,
    /// Index into [`NOTIFY`].
    pub notify: usize,
    /// The occurrences that may be chosen, in the order the value keys cycle them; asked
    /// when there are two or more.
    pub scopes: Vec<Scope>,
    /// Index into `scopes`.
    pub scope: usize,
    /// Why an occurrence choice is missing (a change to how a meeting repeats cannot apply
    /// to one occurrence).
    pub why: Option<&'static str>,
    /// Which choice the value keys change: the e-mail first (with guests), then the
    /// occurrences.
    pub row: usize,
}

impl Choices {
    /// The choices for a change to `m`: e-mail everyone by default when it has guests.
    pub fn new(m: &Meeting, scopes: Vec<Scope>) -> Choices {
        Choices::with_guests(m, m.has_guests(), scopes)
    }

    /// [`Choices::new`] where the change itself may bring guests (an edit adding some).
    pub fn with_guests(m: &Meeting, has_guests: bool, scopes: Vec<Scope>) -> Choices {
        Choices {
            target: Target::of(m),
            series_id: m.series_id.clone(),
            has_guests,
            notify: if has_guests { 0 } else { NOTIFY.len() - 1 },
            scopes,
            scope: 0,
            why: None,
            row: 0,
        }
    }

    /// Who is e-mailed.
    pub fn send(&self) -> SendUpdates {
        match self.has_guests {
            true => NOTIFY[self.notify.min(NOTIFY.len() - 1)].0,
            false => SendUpdates::None,
        }
    }

    /// The occurrences chosen.
    pub fn scope(&self) -> Scope {
        self.scopes.get(self.scope).copied().unwrap_or(Scope::This)
    }

    /// Whether there is a choice of occurrences.
    pub fn asks_scope(&self) -> bool {
        self.scopes.len() > 1
    }

    /// How many choices there are to make.
    pub fn rows(&self) -> usize {
        usize::from(self.has_guests) + usize::from(self.asks_scope())
    }

    /// Whether `row` is the e-mail choice (else the occurrences choice).
    pub fn is_notify_row(&self, row: usize) -> bool {
        self.has_guests && row == 0
    }

    /// The choice keys: move between choices, or change the current one.
    fn key(&mut self, cmd: Command) {
        let rows = self.rows().max(1);
        let back = cmd == Command::PrevValue;
        let cycle = |i: usize, n: usize| (i + if back { n - 1 } else { 1 }) % n;
        match cmd {
            Command::ChoiceUp => self.row = (self.row + rows - 1) % rows,
            Command::ChoiceDown => self.row = (self.row + 1) % rows,
            Command::NextValue | Command::PrevValue => {
                if self.is_notify_row(self.row) {
                    self.notify = cycle(self.notify, NOTIFY.len());
                } else if self.asks_scope() {
                    self.scope = cycle(self.scope, self.scopes.len());
                }
            }
            _ => {}
        }
    }
}

/// What the occurrence choice says.
pub fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::This => "this occurrence",
        Scope::Following => "this and following",
        Scope::All => "all occurrences",
    }
}

/// Saving an edit: the edit to send once the choices are made.
#[derive(Debug, Clone, PartialEq)]
pub struct EditAsk {
    pub choices: Choices,
    pub edit: Edit,
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
    Cancel(Choices),
    /// `m`: add a Meet link (who gets e-mail about it).
    AddMeet(Choices),
    /// Saving an edit: who gets e-mail, which occurrences.
    Edit(Box<EditAsk>),
    /// The meeting changed elsewhere since the form read it: apply the changes on top?
    Conflict(Box<Conflict>),
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
            Confirm::Discard
                | Confirm::PastStart
                | Confirm::NoMeet { .. }
                | Confirm::Edit(_)
                | Confirm::Conflict(_)
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
                match confirm {
                    Confirm::Cancel(c) | Confirm::AddMeet(c) => c.key(cmd),
                    Confirm::Edit(ask) => ask.choices.key(cmd),
                    _ => {}
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
            Confirm::AddMeet(c) => self.send_add_meet(c),
            Confirm::Edit(ask) => {
                let EditAsk { choices, mut edit } = *ask;
                edit.scope = choices.scope();
                edit.send = choices.send();
                self.send_edit(edit)
            }
            Confirm::Conflict(conflict) => self.edit_on_top(*conflict),
            Confirm::RemoveMeet(t) => {
                let label = format!("Removing the Meet link from \u{201c}{}\u{201d}…", t.title);
                let op = WriteOp::RemoveMeet {
                    calendar: t.calendar,
                    event_id: t.event_id,
                    send: t.notify,
                };
                self.send(t.account, op, label, Undo::Nothing)
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
        let confirm = if m.i_organize {
            let scopes = match m.series_id {
                Some(_) => vec![Scope::This, Scope::All],
                None => vec![Scope::This],
            };
            Confirm::Cancel(Choices::new(m, scopes))
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
