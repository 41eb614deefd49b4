//! Editing and moving a meeting the user organizes (`e`): reading it fresh, the form filled
//! from it, what changed (only that is sent), the questions before sending (who gets e-mail,
//! which occurrences), and what happens when the meeting changed elsewhere meanwhile.

use super::confirm::{Choices, EditAsk};
use super::writes::Undo;
use super::{App, Confirm};
use crate::action::Effect;
use crate::calendar::edit::{Changes, Conflict, Edit, Editable, Edited, MeetChange, Scope};
use crate::calendar::error::{write_error, ApiError, Surface};
use crate::calendar::model::{Change, When};
use crate::calendar::ops::WriteOp;
use crate::calendar::write::{NewConference, NewEvent};
use crate::form::{Editing, Form, Submitting};
use crate::keymap::{Command, Mode};
use crate::timeparse;

/// The Meet field's value as a change: a new link where there was no Meet link adds one,
/// none where there was one removes it, and the same link as another meeting copies its
/// conference whatever was there.
fn meet_change(had_meet: bool, conference: &NewConference) -> Option<MeetChange> {
    match (had_meet, conference) {
        (
            _,
            NewConference::CopyFrom {
                calendar_id,
                event_id,
            },
        ) => Some(MeetChange::CopyFrom {
            calendar_id: calendar_id.clone(),
            event_id: event_id.clone(),
        }),
        (false, NewConference::Meet) => Some(MeetChange::Add),
        (true, NewConference::None) => Some(MeetChange::Remove),
        _ => None,
    }
}

/// What the form's checked values change in the loaded meeting; nothing else is sent.
pub fn changes(loaded: &Editable, event: &NewEvent) -> Changes {
    let m = &loaded.meeting;
    let mut changes = Changes::default();
    if event.title != m.title {
        changes.title = Some(event.title.clone());
    }
    let moved = match m.when {
        When::Timed { start, end } => {
            start != event.start || end != event.end || event.start.timezone() != loaded.zone
        }
        When::AllDay { .. } => true,
    };
    if moved {
        changes.start = Some(event.start);
        changes.end = Some(event.end);
    }
    let before: Vec<&str> = m
        .attendees
        .iter()
        .filter(|a| !a.is_self)
        .map(|a| a.person.email.as_str())
        .collect();
    let has = |list: &[&str], g: &str| list.iter().any(|x| x.eq_ignore_ascii_case(g));
    let after: Vec<&str> = event.attendees.iter().map(String::as_str).collect();
    changes.add_guests = after
        .iter()
        .filter(|g| !has(&before, g))
        .map(|g| g.to_string())
        .collect();
    changes.remove_guests = before
        .iter()
        .filter(|g| !has(&after, g))
        .map(|g| g.to_string())
        .collect();
    if event.description != m.description {
        changes.description = Some(event.description.clone());
    }
    changes.meet = meet_change(Editing::has_meet(loaded), &event.conference);
    changes.recurrence = recurrence_change(loaded, event);
    changes
}

/// The new recurrence lines when the rule changed: the new `RRULE` with the series' other
/// lines (`EXDATE`, `RDATE`) kept, so no cancelled occurrence comes back; empty when it no
/// longer repeats.
fn recurrence_change(loaded: &Editable, event: &NewEvent) -> Option<Vec<String>> {
    let lines = loaded
        .series
        .as_ref()
        .map_or(&[][..], |s| &s.recurrence[..]);
    let rule = |l: &&String| l.starts_with("RRULE:");
    let before: Vec<&String> = lines.iter().filter(rule).collect();
    // The loaded rule read the way the form reads the field, so an untouched field is
    // no change even where the form spells a rule differently from Google.
    let before_read = Editing::draft(loaded).and_then(|d| {
        let start = d.shift_from?;
        timeparse::parse_recurrence(&d.recurrence, start).ok()
    });
    let after: Vec<&String> = event.recurrence.iter().collect();
    let same = after == before || before_read.as_ref().map(|r| r.iter().collect()) == Some(after);
    if same {
        return None;
    }
    if event.recurrence.is_empty() {
        return Some(Vec::new());
    }
    let kept = lines.iter().filter(|l| !rule(l)).cloned();
    Some(event.recurrence.iter().cloned().chain(kept).collect())
}

/// The questions an edit needs: e-mail when the meeting has or gets guests, and for an
/// occurrence which ones (a repeat change applies to this and following or all only).
fn edit_choices(loaded: &Editable, changes: &Changes) -> Choices {
    let m = &loaded.meeting;
    let guests = m.has_guests() || !changes.add_guests.is_empty();
    let repeat = changes.recurrence.is_some();
    let scopes = match (&loaded.series, repeat) {
        (Some(_), false) => vec![Scope::This, Scope::Following, Scope::All],
        (Some(_), true) => vec![Scope::Following, Scope::All],
        // A single meeting that starts repeating becomes the series.
        (None, true) => vec![Scope::All],
        (None, false) => vec![Scope::This],
    };
    let mut choices = Choices::with_guests(m, guests, scopes);
    if repeat && loaded.series.is_some() {
        choices.why = Some(
            "a change to how it repeats applies to this and following or all occurrences, \
             not to this one alone",
        );
    }
    choices
}

impl App {
    /// `e`: reads the selected meeting fresh; the edit form opens when it arrives.
    pub(super) fn edit_meeting(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        // One form at a time: one put away while saving comes back.
        if self.screen.form().is_some() {
            self.screen.show_form();
            return Vec::new();
        }
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        let refused = if let Some(why) = m.refuse_change(Change::Edit) {
            Some(why)
        } else if m.is_all_day() {
            Some(format!(
                "\u{201c}{}\u{201d} lasts all day: meetty edits meetings with a start time; \
                 change it in Google Calendar",
                m.title
            ))
        } else {
            None
        };
        if let Some(why) = refused {
            self.toast(why, true);
            return Vec::new();
        }
        let (account, calendar, event_id) = (m.account, m.calendar_id.clone(), m.id.clone());
        let msg = format!("Reading \u{201c}{}\u{201d}…", m.title);
        let req = self.next_request();
        self.edit_load = Some((req, account));
        self.toast(msg, false);
        vec![Effect::LoadEdit {
            req,
            account,
            calendar,
            event_id,
        }]
    }

    /// The meeting `e` asked for: the form opens filled from it.
    pub(super) fn on_edit_loaded(&mut self, req: u64, result: Result<Box<Editable>, ApiError>) {
        let Some((_, account)) = self.edit_load.filter(|(r, _)| *r == req) else {
            return;
        };
        self.edit_load = None;
        let loaded = match result {
            // The client reads one account's calendar and knows no index.
            Ok(mut loaded) => {
                loaded.meeting.account = account;
                *loaded
            }
            Err(error) => {
                let refresh = self.hint(Mode::Agenda, Command::Refresh);
                let message = write_error(&error, Surface::Tui { refresh: &refresh });
                self.toast(message, true);
                return;
            }
        };
        // A form opened meanwhile keeps the screen.
        if self.screen.form().is_some() {
            return;
        }
        if let Some(why) = loaded.meeting.refuse_change(Change::Edit) {
            self.toast(why, true);
            return;
        }
        let ctx = context!(self);
        match Form::editing(loaded, &ctx) {
            Some(form) => {
                self.toast = None;
                self.screen.open_form(form);
            }
            None => self.toast(
                "It lasts all day now: change it in Google Calendar".into(),
                true,
            ),
        }
    }

    /// Submit in the edit form, once every field reads well: only what changed, after the
    /// questions it needs.
    pub(super) fn submit_edit(&mut self, event: NewEvent) -> Vec<Effect> {
        let Some(editing) = self.screen.form().and_then(|f| f.editing.as_ref()) else {
            return Vec::new();
        };
        let loaded = editing.loaded.clone();
        let changes = changes(&loaded, &event);
        if changes.is_empty() {
            self.toast("Nothing changed: nothing was sent".into(), false);
            return Vec::new();
        }
        let choices = edit_choices(&loaded, &changes);
        let edit = Edit {
            calendar: loaded.meeting.calendar_id.clone(),
            target: loaded,
            scope: choices.scope(),
            changes,
            send: choices.send(),
        };
        if choices.rows() == 0 && choices.why.is_none() {
            return self.send_edit(edit);
        }
        self.ask(Confirm::Edit(Box::new(EditAsk { choices, edit })));
        Vec::new()
    }

    /// Sends an edit; the form waits for Google's answer and keeps what was typed.
    pub(super) fn send_edit(&mut self, edit: Edit) -> Vec<Effect> {
        let req = self.next_request();
        let label = format!("Saving \u{201c}{}\u{201d}…", edit.target.meeting.title);
        let account = edit.target.meeting.account;
        if let Some(form) = self.screen.form_mut() {
            form.submitting = Some(Submitting {
                req,
                status: "Saving…".into(),
            });
            form.error = None;
            if let Some(editing) = form.editing.as_mut() {
                editing.sent = Some(edit.clone());
            }
        }
        let op = WriteOp::Edit(Box::new(edit));
        self.send_as(req, account, op, label, Undo::Nothing)
    }

    /// Yes in the conflict dialog: the same changes, on top of the meeting as it is now.
    pub(super) fn edit_on_top(&mut self, conflict: Conflict) -> Vec<Effect> {
        let sent = self
            .screen
            .form()
            .and_then(|f| f.editing.as_ref())
            .and_then(|e| e.sent.clone());
        match sent {
            Some(edit) => self.send_edit(Edit {
                target: conflict.current,
                ..edit
            }),
            None => Vec::new(),
        }
    }

    /// Google's answer to an edit from the form.
    pub(super) fn on_edited(&mut self, edited: Edited, for_form: bool) -> Vec<Effect> {
        match edited {
            Edited::Done(meeting) => {
                let sent = self
                    .screen
                    .form()
                    .and_then(|f| f.editing.as_ref())
                    .and_then(|e| e.sent.clone());
                if for_form {
                    self.screen.close_form();
                }
                let msg = format!("Saved \u{201c}{}\u{201d}", meeting.title);
                let key = super::agenda::key_of(&meeting);
                // A change to a series replaces its occurrences: the ones it no longer has (or
                // has at other times) go now, here and from what the next incremental refresh
                // builds on, and Google's listing brings the rest.
                let series = sent.as_ref().and_then(|edit| {
                    let series = edit.target.series.as_ref()?;
                    let from = match edit.scope {
                        Scope::This => return None,
                        Scope::Following => edit.target.meeting.start(),
                        Scope::All => chrono::DateTime::<chrono::Utc>::MIN_UTC,
                    };
                    Some((edit.calendar.clone(), series.id.clone(), from, edit.scope))
                });
                let mut effects = Vec::new();
                if let Some((calendar, id, from, _)) = &series {
                    self.edit_agenda(|a| a.forget_series(calendar, id, *from));
                    effects.push(Effect::ForgetSeries {
                        calendar: calendar.clone(),
                        series_id: id.clone(),
                        from: *from,
                    });
                }
                // What Google returns for every occurrence is the series itself, not a row.
                if !matches!(series, Some((.., Scope::All))) {
                    self.put_meeting(*meeting);
                }
                self.rebuild_rows_keeping(Some(key));
                self.toast(msg, false);
                effects.extend(self.save());
                effects
            }
            Edited::Conflict(conflict) => {
                if let Some(form) = self.screen.form_mut().filter(|_| for_form) {
                    form.submitting = None;
                    self.screen.show_form();
                    self.ask(Confirm::Conflict(conflict));
                } else {
                    self.toast(
                        "The meeting changed in Google Calendar meanwhile: nothing was saved"
                            .into(),
                        true,
                    );
                }
                Vec::new()
            }
        }
    }
}
