//! The `?` overlay, written from the same key table that dispatches keys.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::theme;
use crate::app::App;

pub fn render(frame: &mut Frame, app: &App) {
    let rows = app.settings.keymap.help_rows();
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
    lines.push(Line::styled(
        "In the filter: type to match, Enter keeps, Esc clears.",
        theme::dim(),
    ));
    lines.push(Line::styled(
        "Any other key closes this help.",
        theme::dim(),
    ));

    let width = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 4;
    let height = lines.len() as u16 + 2;
    let para = Paragraph::new(lines)
        .block(Block::bordered().title(" Keys "))
        .scroll((app.help_scroll, 0));
    super::popup(frame, para, width, height);
}
