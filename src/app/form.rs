//! The meeting form's keys: moving between fields, typing, and sending the meeting to
//! Google once every field reads well (asking first about a past start or a missing Meet);
//! an edit form's submit goes on in `edit.rs`.

use ratatui::crossterm::event::KeyEvent;

use super::writes::Undo;
use super::{App, Confirm};
use crate::action::Effect;
use crate::calendar::ops::WriteOp;
use crate::compose::Note;
use crate::form::Submitting;
use crate::keymap::Command;

impl App {
    /// In the form every key is text except the form table's commands (Esc, Enter, Tab,
    /// arrows and Ctrl keys).
    pub(super) fn form_key(&mut self, cmd: Option<Command>, key: &KeyEvent) -> Vec<Effect> {
        let ctx = context!(self);
        let Some(form) = self.screen.form_mut() else {
            return Vec::new();
        };
        if form.submitting.is_some() {
            // What is out at Google is what was sent: no edits until it answers, but the
            // form can be put away meanwhile.
            if cmd == Some(Command::Close) {
                self.screen.hide_form();
                let n = self.hint(crate::keymap::Mode::Agenda, Command::NewMeeting);
                self.toast(
                    format!("Still saving in the background; {n} shows the form"),
                    false,
                );
            }
            return Vec::new();
        }
        match cmd {
            Some(Command::Close) if form.changed => self.ask(Confirm::Discard),
            Some(Command::Close) => self.screen.close_form(),
            Some(Command::NextField) => form.move_focus(1),
            Some(Command::PrevField) => form.move_focus(-1),
            Some(Command::Newline) => form.newline(&ctx),
            Some(Command::Create) => return self.submit(false),
            Some(Command::NextOrCreate) if form.is_last() => return self.submit(false),
            Some(Command::NextOrCreate) => form.move_focus(1),
            Some(Command::FindTime) => return self.find_time(),
            Some(Command::NoteDown) => form.scroll_error(1),
            Some(Command::NoteUp) => form.scroll_error(-1),
            _ if form.wants_link_picker(key) => self.pick_link(),
            _ => {
                form.edit(key, &ctx);
            }
        }
        Vec::new()
    }

    pub(super) fn form_paste(&mut self, text: &str) {
        let ctx = context!(self);
        // What is out at Google is what was sent: no edits until it answers.
        if let Some(form) = self.screen.form_mut().filter(|f| f.submitting.is_none()) {
            form.paste(text, &ctx);
        }
    }

    /// Sends the form when every field is valid; a start in the past and a calendar without
    /// Meet ask first (`past_confirmed` skips the past-start question once answered).
    pub(super) fn submit(&mut self, past_confirmed: bool) -> Vec<Effect> {
        let ctx = context!(self);
        let Some(form) = self.screen.form_mut() else {
            return Vec::new();
        };
        // Again now: "now", "+15m" and the past-start check move with the clock, and the
        // calendar list may have arrived since the last key.
        form.checked = form.check(&ctx);
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
        if form.editing.is_some() {
            return self.submit_edit(event);
        }
        event.id = form.event_id.clone();
        let req = self.next_request();
        if let Some(form) = self.screen.form_mut() {
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
        self.send_as(req, checked.account, op, label, Undo::Nothing)
    }

    /// Whether Google's answer to request `req` is about the form.
    pub(super) fn form_waits_for(&self, req: u64) -> bool {
        self.screen
            .form()
            .and_then(|f| f.submitting.as_ref())
            .is_some_and(|s| s.req == req)
    }
}
