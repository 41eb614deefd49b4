//! The question after the join-mark key on an occurrence of a recurring meeting: join this
//! occurrence by itself, or every occurrence of the series.

use ratatui::text::Line;
use ratatui::Frame;

use super::theme;
use crate::app::{App, JoinAsk};
use crate::keymap::{Command, Mode};

pub fn render(frame: &mut Frame, app: &App, ask: &JoinAsk) {
    let keys = [
        (Command::MarkThis, "this occurrence"),
        (Command::MarkEvery, "every occurrence"),
        (Command::Close, "back, marking nothing"),
    ]
    .map(|(cmd, what)| (app.settings.keymap.hints(Mode::JoinMark, cmd), what));
    let width = keys
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = vec![
        Line::raw(format!(
            "\u{201c}{}\u{201d} repeats. Join it by itself 1 min before:",
            ask.title
        )),
        Line::default(),
    ];
    lines.extend(
        keys.into_iter()
            .map(|(key, what)| Line::styled(format!("{key:<width$}  {what}"), theme::label())),
    );
    super::dialog(frame, lines, "Scheduled join");
}
