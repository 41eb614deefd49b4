//! Answering an invitation from the agenda: the answer dialog (yes / maybe / no, a note to the
//! organizer, whether they are e-mailed, this occurrence or all of them) and the one way an
//! answer is sent, which `d`'s decline uses too. The row changes at once and goes back if
//! Google refuses.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::confirm::Target;
use super::writes::Undo;
use super::{App, Overlay};
use crate::action::Effect;
use crate::calendar::answer::{clean_note, Answer, Respond};
use crate::calendar::model::{Change, Meeting, Rsvp};
use crate::calendar::ops::WriteOp;
use crate::keymap::Command;

/// A meeting someone else organizes that lists the user as a guest.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub target: Target,
    /// The user's address on it (their attendee entry).
    pub email: String,
    /// Set for an occurrence of a recurring series: "all occurrences" answers the series.
    pub series_id: Option<String>,
}

/// The dialog's lines, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRow {
    Answer,
    /// Typed into: printable keys are text while it has the focus.
    Note,
    Notify,
    /// Only for an occurrence of a series.
    Occurrences,
}

/// `R` on an invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerDialog {
    pub invitation: Invitation,
    pub rsvp: Rsvp,
    pub note: String,
    /// E-mail the organizer (default yes).
    pub notify: bool,
    pub all_occurrences: bool,
    pub row: AnswerRow,
    /// Why the answer was not sent (a note too long), shown in the dialog.
    pub error: Option<String>,
}

/// The choices a meeting offers, in the order yes → maybe → no.
const ANSWERS: [Rsvp; 3] = [Rsvp::Accepted, Rsvp::Tentative, Rsvp::Declined];

impl AnswerDialog {
    fn new(invitation: Invitation, current: Rsvp) -> AnswerDialog {
        AnswerDialog {
            invitation,
            // The answer given before, else yes.
            rsvp: if current == Rsvp::NeedsAction {
                Rsvp::Accepted
            } else {
                current
            },
            note: String::new(),
            notify: true,
            all_occurrences: false,
            row: AnswerRow::Answer,
            error: None,
        }
    }

    /// The lines this meeting has.
    pub fn rows(&self) -> Vec<AnswerRow> {
        let mut rows = vec![AnswerRow::Answer, AnswerRow::Note, AnswerRow::Notify];
        if self.invitation.series_id.is_some() {
            rows.push(AnswerRow::Occurrences);
        }
        rows
    }

    fn key(&mut self, cmd: Command) {
        let rows = self.rows();
        let at = rows.iter().position(|r| *r == self.row).unwrap_or(0);
        let back = |cmd| cmd == Command::PrevValue;
        match cmd {
            Command::AnswerYes => self.rsvp = Rsvp::Accepted,
            Command::AnswerMaybe => self.rsvp = Rsvp::Tentative,
            Command::AnswerNo => self.rsvp = Rsvp::Declined,
            Command::ChoiceDown => self.row = rows[(at + 1) % rows.len()],
            Command::ChoiceUp => self.row = rows[(at + rows.len() - 1) % rows.len()],
            Command::NextValue | Command::PrevValue => match self.row {
                AnswerRow::Answer => {
                    let i = ANSWERS.iter().position(|a| *a == self.rsvp).unwrap_or(0);
                    let step = if back(cmd) { ANSWERS.len() - 1 } else { 1 };
                    self.rsvp = ANSWERS[(i + step) % ANSWERS.len()];
                }
                AnswerRow::Note => {}
                AnswerRow::Notify => self.notify = !self.notify,
                AnswerRow::Occurrences => self.all_occurrences = !self.all_occurrences,
            },
            _ => {}
        }
    }

    /// Typing into the note; `false` when the key is not text.
    fn type_note(&mut self, key: &KeyEvent) -> bool {
        if self.row != AnswerRow::Note
            || key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        match key.code {
            KeyCode::Backspace => {
                self.note.pop();
            }
            KeyCode::Char(c) => self.note.push(c),
            _ => return false,
        }
        self.error = None;
        true
    }
}

impl Invitation {
    /// The user's invitation to `m`, or what to tell them when there is none.
    pub(super) fn of(m: &Meeting) -> Result<(Invitation, Rsvp), String> {
        if let Some(why) = m.refuse_change(Change::Answer) {
            return Err(why);
        }
        let me = m.attendees.iter().find(|a| a.is_self).ok_or_else(|| {
            format!(
                "You are not a guest of \u{201c}{}\u{201d}: there is no invitation to answer",
                m.title
            )
        })?;
        let invitation = Invitation {
            target: Target::of(m),
            email: me.person.email.clone(),
            series_id: m.series_id.clone(),
        };
        Ok((invitation, me.rsvp))
    }
}

impl App {
    /// `R`: the answer dialog on the selected invitation.
    pub(super) fn answer(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        match Invitation::of(m) {
            Ok((invitation, rsvp)) => {
                let dialog = AnswerDialog::new(invitation, rsvp);
                self.screen.push(Overlay::Answer(Box::new(dialog)));
            }
            Err(why) => self.toast(why, true),
        }
        Vec::new()
    }

    /// Typing into the answer's note; `false` when the note does not have the focus or the
    /// key is not text.
    pub(super) fn type_answer_note(&mut self, key: &KeyEvent) -> bool {
        match self.screen.top_mut() {
            Some(Overlay::Answer(dialog)) => dialog.type_note(key),
            _ => false,
        }
    }

    /// The answer table's commands.
    pub(super) fn answer_key(&mut self, cmd: Option<Command>) -> Vec<Effect> {
        let Some(Overlay::Answer(dialog)) = self.screen.top_mut() else {
            return Vec::new();
        };
        match cmd {
            Some(Command::Close) => {
                self.screen.pop();
                Vec::new()
            }
            Some(Command::Send) => {
                let note = dialog.note.trim();
                let note = match (!note.is_empty()).then(|| clean_note(note)).transpose() {
                    Ok(note) => note,
                    Err(e) => {
                        dialog.error = Some(e.to_string());
                        dialog.row = AnswerRow::Note;
                        return Vec::new();
                    }
                };
                let answer = Answer {
                    rsvp: dialog.rsvp,
                    note,
                    notify: dialog.notify,
                };
                let (invitation, all) = (dialog.invitation.clone(), dialog.all_occurrences);
                self.screen.pop();
                self.send_answer(invitation, answer, all)
            }
            Some(cmd) => {
                dialog.key(cmd);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// Sends `answer` for the occurrence (or, with `all`, the whole series), showing it on
    /// the rows at once; the answers shown before come back if Google refuses.
    pub(super) fn send_answer(
        &mut self,
        invitation: Invitation,
        answer: Answer,
        all: bool,
    ) -> Vec<Effect> {
        let Invitation {
            target,
            email,
            series_id,
        } = invitation;
        let series = series_id.filter(|_| all);
        let mut before = Vec::new();
        self.edit_agenda(|a| {
            let answered = a.meetings.iter_mut().filter(|m| {
                target.holds(m)
                    && (m.id == target.event_id
                        || series.is_some() && m.series_id.as_ref() == series.as_ref())
            });
            for m in answered {
                before.push(m.clone());
                for me in m.attendees.iter_mut().filter(|a| a.is_self) {
                    me.rsvp = answer.rsvp;
                }
            }
        });
        let verb = match answer.rsvp {
            Rsvp::Declined => "Declining",
            _ => "Answering",
        };
        let label = format!("{verb} \u{201c}{}\u{201d}…", target.title);
        let account = target.account;
        let op = WriteOp::Respond(Box::new(Respond {
            calendar: target.calendar,
            event_id: series.unwrap_or(target.event_id),
            email,
            answer,
        }));
        self.send(account, op, label, Undo::Replace(before))
    }

    /// What Google answered to an answer: the meeting as it is now, and a toast.
    pub(super) fn on_responded(&mut self, meeting: Meeting) -> Vec<Effect> {
        let title = &meeting.title;
        let msg = match meeting.attendees.iter().find(|a| a.is_self).map(|a| a.rsvp) {
            Some(Rsvp::Accepted) => format!("Accepted \u{201c}{title}\u{201d}"),
            Some(Rsvp::Tentative) => format!("Answered maybe to \u{201c}{title}\u{201d}"),
            Some(Rsvp::Declined) => format!("Declined \u{201c}{title}\u{201d}"),
            _ => format!("Answered \u{201c}{title}\u{201d}"),
        };
        self.toast(msg, false);
        // A whole series comes back as the series, which is no row: the refresh that follows
        // every write brings its occurrences.
        self.replace_meeting(meeting);
        self.save()
    }
}
