//! The pickers: the template list `n` opens first (what the new meeting starts from), and the
//! meetings whose link the form's Meet field can share ("same link as…").

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{App, Overlay};
use crate::action::Effect;
use crate::calendar::model::Meeting;
use crate::compose::{resolve_in, Draft, MeetChoice};
use crate::form::Form;
use crate::keymap::Command;

/// The meetings whose conference the form's Meet field can share, as the agenda had them
/// when the picker opened; `selected` is the highlighted one.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkPicker {
    pub meetings: Vec<Meeting>,
    pub selected: usize,
}

impl LinkPicker {
    /// The agenda's meetings with a conference to share (a link found in a description is
    /// none), each link once (a series' occurrences share one), in agenda order.
    fn new(agenda: &[Meeting]) -> LinkPicker {
        let mut meetings: Vec<Meeting> = Vec::new();
        for m in agenda.iter().filter(|m| m.has_conference) {
            let Some(video) = &m.video else { continue };
            if !meetings
                .iter()
                .any(|k| k.video.as_ref().is_some_and(|v| v.url == video.url))
            {
                meetings.push(m.clone());
            }
        }
        LinkPicker {
            meetings,
            selected: 0,
        }
    }
}

/// Moves a list's highlight for the pickers' Down/Up (wrapping); false for other commands.
fn step(selected: &mut usize, n: usize, cmd: Option<Command>) -> bool {
    let n = n.max(1);
    match cmd {
        Some(Command::Down) => *selected = (*selected + 1) % n,
        Some(Command::Up) => *selected = (*selected + n - 1) % n,
        _ => return false,
    }
    true
}

impl App {
    pub(super) fn new_meeting(&mut self) -> Vec<Effect> {
        if self.not_signed_in() {
            return Vec::new();
        }
        // One form at a time: one put away while saving comes back.
        if self.screen.form().is_some() {
            self.screen.show_form();
            return Vec::new();
        }
        self.screen.push(Overlay::Picker { selected: 0 });
        Vec::new()
    }

    /// The highlighted template while the picker is up.
    pub fn picker(&self) -> Option<usize> {
        match self.screen.top()? {
            Overlay::Picker { selected } => Some(*selected),
            _ => None,
        }
    }

    /// The table's keys choose, pick or go back; a digit picks that template.
    pub(super) fn picker_key(&mut self, cmd: Option<Command>, key: &KeyEvent) -> Vec<Effect> {
        let n = self.settings.templates.len();
        let Some(Overlay::Picker { selected }) = self.screen.top_mut() else {
            return Vec::new();
        };
        if step(selected, n, cmd) {
            return Vec::new();
        }
        match cmd {
            Some(Command::Close) => {
                self.screen.pop();
            }
            Some(Command::Pick) => {
                let chosen = *selected;
                self.open_form(chosen);
            }
            _ => {
                let digit = match key.code {
                    KeyCode::Char(c) => c.to_digit(10),
                    _ => None,
                };
                if let Some(i) = digit.filter(|&d| d >= 1 && d as usize <= n) {
                    self.open_form(i as usize - 1);
                }
            }
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
        let booking = self.booking();
        let ctx = context!(self);
        let mut draft = Draft::from_template(t, &ctx);
        // The template's calendar is the default account's.
        let calendar = t.calendar.as_deref().or(booking.calendar.as_deref());
        draft.account = booking.account;
        draft.calendar = resolve_in(
            calendar.unwrap_or("primary"),
            booking.account,
            ctx.calendars,
        );
        let mut form = Form::new(draft, id, &ctx);
        form.notice = booking.notice;
        self.screen.pop();
        self.screen.open_form(form);
    }

    /// Where `n` books unless the template says otherwise: config `default_calendar`'s
    /// account and calendar, else the first account's primary calendar.
    pub(super) fn booking(&self) -> Booking {
        let first = Booking {
            account: 0,
            calendar: None,
            notice: None,
        };
        let Some(default) = &self.settings.default_calendar else {
            return first;
        };
        // An agenda of one account names none: the signed-in one is it.
        let emails: Vec<&str> = match self.agenda.as_ref().map(|a| &a.accounts) {
            Some(accounts) if !accounts.is_empty() => {
                accounts.iter().map(|a| a.email.as_str()).collect()
            }
            _ => self.settings.account.as_deref().into_iter().collect(),
        };
        match emails
            .iter()
            .position(|e| e.eq_ignore_ascii_case(&default.account))
        {
            Some(account) => Booking {
                account,
                calendar: Some(default.calendar.clone()),
                notice: None,
            },
            None => Booking {
                notice: Some(format!(
                    "default_calendar names {}, which is not signed in here ({}): booking in {} \
                     instead; sign it in with meetty login, or change default_calendar in {}",
                    default.account,
                    if emails.is_empty() {
                        "no account known".to_string()
                    } else {
                        emails.join(", ")
                    },
                    emails.first().copied().unwrap_or("the signed-in account"),
                    self.settings.config_file,
                )),
                ..first
            },
        }
    }
}

/// Where a new meeting is booked by default.
pub(super) struct Booking {
    /// An index into `Agenda::accounts`.
    pub account: usize,
    /// `None`: the account's primary calendar.
    pub calendar: Option<String>,
    /// Why it is not where the config says.
    pub notice: Option<String>,
}

impl App {
    /// "same link as…" in the form's Meet field: the picker over the agenda's meetings with
    /// a conference, or a toast when there is none.
    pub(super) fn pick_link(&mut self) {
        let picker = LinkPicker::new(self.agenda.as_ref().map_or(&[][..], |a| &a.meetings));
        if picker.meetings.is_empty() {
            self.toast(
                "No meeting in the agenda has a video conference to share (links in \
                 descriptions cannot be shared): pick new link or none"
                    .into(),
                true,
            );
            return;
        }
        self.screen.push(Overlay::LinkPicker(picker));
    }

    /// Down/Up choose, Pick puts the meeting's link in the form's Meet field, Close goes
    /// back to the form with the field as it was.
    pub(super) fn link_picker_key(&mut self, cmd: Option<Command>) {
        let Some(Overlay::LinkPicker(picker)) = self.screen.top_mut() else {
            return;
        };
        if step(&mut picker.selected, picker.meetings.len(), cmd) {
            return;
        }
        match cmd {
            Some(Command::Close) => {
                self.screen.pop();
            }
            Some(Command::Pick) => {
                let Some(m) = picker.meetings.get(picker.selected) else {
                    return;
                };
                let choice = MeetChoice::SameAs {
                    calendar_id: m.calendar_id.clone(),
                    event_id: m.id.clone(),
                    title: m.title.clone(),
                    link: m.video.as_ref().map_or_else(String::new, |v| v.url.clone()),
                };
                self.screen.pop();
                let ctx = context!(self);
                if let Some(form) = self.screen.form_mut() {
                    form.set_meet(choice, &ctx);
                }
            }
            _ => {}
        }
    }
}
