//! Browsing the agenda: moving the selection, copying and opening links, the filter, and
//! turning a new agenda from Google into rows without losing the user's place.

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Overlay, Pane, Sync};
use crate::action::Effect;
use crate::calendar::error::ApiError;
use crate::calendar::model::{Agenda, Meeting};
use crate::keymap::Command;
use crate::view::{build_rows, next_awaiting, Row, RowQuery};

/// A meeting's identity on screen: its account, id and calendar.
pub(super) type Key = (usize, String, String);

pub(super) fn key_of(m: &Meeting) -> Key {
    (m.account, m.id.clone(), m.calendar_id.clone())
}

impl App {
    pub(super) fn command(&mut self, cmd: Command) -> Vec<Effect> {
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
            Command::Links => return self.open_links(),
            Command::Refresh if self.settings.first_run => {
                self.toast("Not signed in: quit and run meetty login".into(), true);
            }
            Command::Refresh => {
                self.ask_sign_in_again();
                return vec![self.refresh_asked()];
            }
            Command::Filter => {
                let before = self.filter.clone();
                self.screen.push(Overlay::Filter { before });
            }
            Command::ClearFilter if !self.filter.is_empty() => {
                self.filter.clear();
                self.rebuild_rows();
                self.toast("Filter cleared".into(), false);
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
            Command::Answer => return self.answer(),
            Command::NextAwaiting => self.next_awaiting(),
            Command::Edit => return self.edit_meeting(),
            Command::JoinMark => return self.join_mark(),
            Command::Quit => self.quit = true,
            _ => {}
        }
        Vec::new()
    }

    /// In the filter every key is text except the filter's commands (Enter keeps, Esc puts
    /// back what was there before) and Backspace.
    pub(super) fn filter_key(&mut self, cmd: Option<Command>, key: &KeyEvent) {
        match cmd {
            Some(Command::KeepFilter) => {
                self.screen.pop();
            }
            Some(Command::Close) => {
                if let Some(Overlay::Filter { before }) = self.screen.pop() {
                    self.filter = before;
                }
            }
            Some(Command::EraseFilter) => self.filter.clear(),
            Some(_) => return,
            None => match key.code {
                KeyCode::Backspace => {
                    self.filter.pop();
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.filter.push(c)
                }
                _ => return,
            },
        }
        self.rebuild_rows();
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

    /// Selects the next invitation awaiting an answer, from the top again after the last.
    fn next_awaiting(&mut self) {
        let found = self
            .agenda
            .as_ref()
            .and_then(|a| next_awaiting(a, &self.rows, self.selected));
        match found {
            Some(row) => {
                self.focus = Pane::Agenda;
                self.jump(Some(row));
            }
            None => self.toast("No invitation is awaiting your answer".into(), false),
        }
    }

    fn copy_link(&mut self) -> Vec<Effect> {
        self.copy("video link", |app, m| {
            let v = m.video.as_ref()?;
            let what = format!("{} link", v.provider.name());
            Some((app.join_url(m, &v.url), what))
        })
    }

    /// The dial-in, else the meeting ID and passcode ([`super::links`]).
    fn copy_dial_in(&mut self) -> Vec<Effect> {
        self.copy("dial-in number, meeting ID or passcode", |_, m| {
            super::links::dial_in_or_access(m)
        })
    }

    /// Copies what `pick` finds in the selected meeting (text, and what to call it), or says
    /// the meeting has no `missing`.
    fn copy(
        &mut self,
        missing: &str,
        pick: impl Fn(&App, &Meeting) -> Option<(String, String)>,
    ) -> Vec<Effect> {
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        match pick(self, m) {
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
        let url = match (&m.video, &m.html_link) {
            (Some(v), _) => Some(self.join_url(m, &v.url)),
            (None, page) => page.clone(),
        };
        match url {
            Some(url) => {
                self.toast(format!("Opening {url}"), false);
                vec![Effect::Open { url }]
            }
            None => {
                let msg = format!("\u{201c}{}\u{201d} has no link to open", m.title);
                self.toast(msg, true);
                Vec::new()
            }
        }
    }

    pub(super) fn nothing_selected(&mut self) -> Vec<Effect> {
        self.toast("No meeting selected".into(), true);
        Vec::new()
    }

    pub(super) fn on_loaded(
        &mut self,
        req: u64,
        result: Result<Arc<Agenda>, ApiError>,
    ) -> Vec<Effect> {
        if self.sync != (Sync::Refreshing { req }) {
            return Vec::new();
        }
        self.last_sync = self.now;
        match result {
            Ok(agenda) if agenda.never_fetched() => {
                self.every_account_failed(&agenda);
                Vec::new()
            }
            Ok(agenda) => {
                self.sync = Sync::Idle;
                let save = Effect::SaveCache(Arc::clone(&agenda));
                let keep = self.select_on_load.take().or_else(|| self.selected_key());
                self.check_accounts(&agenda);
                self.agenda = Some(agenda);
                self.rebuild_rows_keeping(keep);
                vec![save]
            }
            Err(error) => {
                if let ApiError::SignIn(message) = &error {
                    self.needs_sign_in(0, message.clone(), true);
                }
                self.sync = Sync::Failed { error };
                Vec::new()
            }
        }
    }

    /// Recomputes the rows, keeping the same meeting selected when it is still there.
    pub(super) fn rebuild_rows(&mut self) {
        let keep = self.selected_key();
        self.rebuild_rows_keeping(keep);
    }

    /// The selected meeting's identity, which survives a new agenda (row indexes do not).
    pub(super) fn selected_key(&self) -> Option<Key> {
        self.selected_meeting().map(key_of)
    }

    pub(super) fn rebuild_rows_keeping(&mut self, keep: Option<Key>) {
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
                    declined: self.settings.show_declined,
                },
            ),
            None => Vec::new(),
        };
        let prev = self.selected;
        // A multi-day event has a row per day: keep the one nearest the old position.
        let found = keep.and_then(|(account, id, cal)| {
            let meetings = &self.agenda.as_ref()?.meetings;
            let near = prev.unwrap_or(0);
            // A new series is known by its own id until its occurrences arrive.
            let is_kept = |m: &Meeting| {
                m.account == account
                    && m.calendar_id == cal
                    && (m.id == id || m.series_id.as_ref() == Some(&id))
            };
            self.rows
                .iter()
                .enumerate()
                .filter(|(_, r)| matches!(r, Row::Meeting(i) if is_kept(&meetings[*i])))
                .min_by_key(|(pos, _)| pos.abs_diff(near))
                .map(|(pos, _)| pos)
        });
        self.selected = found.or_else(|| self.meeting_rows().next());
        if self.selected != prev && found.is_none() {
            self.details_scroll = 0;
        }
    }
}
