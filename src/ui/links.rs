//! The links list (`L`) over the agenda: one line per link, dial-in, meeting ID and
//! passcode, each cut to the box (a long URL never wraps into the next line), with the keys
//! from the mode's table below.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::fit::ellipsize;
use super::theme;
use crate::app::{App, LinksList};
use crate::keymap::{Command, Mode};

/// The widest a service's name gets before it is cut; the URLs need the room.
const KIND_MAX: usize = 16;

pub fn render(frame: &mut Frame, app: &App, list: &LinksList) {
    let key = |cmd| app.hint(Mode::Links, cmd);
    let keys = format!(
        "{}/{} choose · {} copy · {} open · {} back",
        key(Command::Up),
        key(Command::Down),
        key(Command::CopyLink),
        key(Command::OpenLink),
        key(Command::Close)
    );
    let kind_width = list
        .entries
        .iter()
        .map(|e| e.kind.width())
        .max()
        .unwrap_or(0)
        .min(KIND_MAX);
    // One space each side inside the border, two between the name and the text.
    let natural = list
        .entries
        .iter()
        .map(|e| kind_width + 2 + e.shown.width())
        .chain([keys.width(), list.title.width() + 8])
        .max()
        .unwrap_or(0)
        + 4;
    let area = super::dialog_area(frame);
    let width = natural.clamp(30, 100).min(usize::from(area.width));
    let inner = width.saturating_sub(4);
    let text_width = inner.saturating_sub(kind_width + 2);
    // Rows for entries: the box less its borders, the blank line and the keys.
    let room = usize::from(area.height).saturating_sub(4).max(1);
    let first = list.selected.saturating_sub(room - 1);
    let mut lines: Vec<Line> = list
        .entries
        .iter()
        .enumerate()
        .skip(first)
        .take(room)
        .map(|(i, e)| {
            let kind = pad(&ellipsize(&e.kind, kind_width), kind_width);
            let shown = pad(&ellipsize(&e.shown, text_width), text_width);
            let row = format!(" {kind}  {shown} ");
            let style = if i == list.selected {
                theme::selected(true)
            } else if e.open.is_some() {
                theme::link()
            } else {
                Style::new()
            };
            Line::from(Span::styled(row, style))
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(
        format!(" {}", ellipsize(&keys, inner)),
        theme::dim(),
    ));
    let title = format!(
        " Links · {} ",
        ellipsize(&list.title, inner.saturating_sub(8))
    );
    let height = lines.len() as u16 + 2;
    let para = Paragraph::new(lines).block(Block::bordered().title(title));
    super::popup(frame, para, width as u16, height);
}

/// `text` (already cut to fit) padded to `width` columns, counted as the terminal does.
fn pad(text: &str, width: usize) -> String {
    let gap = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(gap))
}
