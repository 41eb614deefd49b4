//! The help overlay: the keys of the screen under it, written from the same key table that
//! dispatches them.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::theme;
use crate::app::App;
use crate::keymap::{Command, Mode};

pub fn render(frame: &mut Frame, app: &App, scroll: u16) {
    let mode = app.screen.help_for();
    let rows = app.settings.keymap.help_rows(mode);
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(keys, desc)| {
            Line::from(vec![
                Span::styled(format!("{keys:<key_width$}  "), theme::label()),
                Span::raw(*desc),
            ])
        })
        .collect();
    lines.push(Line::default());
    if mode == Mode::Agenda {
        let filter = |cmd| app.hint(Mode::Filter, cmd);
        lines.push(Line::styled(
            format!(
                "In the filter: type words to match, {} keeps, {} goes back.",
                filter(Command::KeepFilter),
                filter(Command::Close)
            ),
            theme::dim(),
        ));
    }
    if matches!(mode, Mode::Form | Mode::Filter) {
        lines.push(Line::styled("Every other key is text.", theme::dim()));
    }
    let help = |cmd| app.hint(Mode::Help, cmd);
    lines.push(Line::styled(
        format!(
            "{}/{} scroll · any other key closes this help.",
            help(Command::Down),
            help(Command::Up)
        ),
        theme::dim(),
    ));

    let width = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 4;
    let height = lines.len() as u16 + 2;
    let para = Paragraph::new(lines)
        .block(Block::bordered().title(format!(" Keys: {} ", title(mode))))
        .scroll((scroll, 0));
    super::popup(frame, para, width, height);
}

fn title(mode: Mode) -> &'static str {
    match mode {
        Mode::Agenda => "agenda",
        Mode::Filter => "filter",
        Mode::Help => "help",
        Mode::SignIn => "sign in",
        Mode::Picker => "templates",
        Mode::Form => "new meeting",
        Mode::Confirm => "question",
    }
}
