//! The template list `n` opens first: choosing what the new meeting starts from.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{App, Overlay};
use crate::action::Effect;
use crate::compose::Draft;
use crate::form::Form;
use crate::keymap::Command;

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
        match cmd {
            Some(Command::Close) => {
                self.screen.pop();
            }
            Some(Command::Down) => *selected = (*selected + 1) % n,
            Some(Command::Up) => *selected = (*selected + n - 1) % n,
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
        let ctx = context!(self);
        let form = Form::new(Draft::from_template(t, &ctx), id, &ctx);
        self.screen.pop();
        self.screen.open_form(form);
    }
}
