//! The help overlay: the keys of the screen under it, written from the same key table that
//! dispatches them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::{fit, theme};
use crate::app::App;
use crate::keymap::{Command, Mode};

pub fn render(frame: &mut Frame, app: &App, scroll: u16) {
    let mode = app.screen.help_for();
    let rows = app.settings.keymap.help_rows(mode);
    let mut notes = Vec::new();
    if mode == Mode::Agenda {
        let filter = |cmd| app.hint(Mode::Filter, cmd);
        notes.push(format!(
            "In the filter: type words to match, {} keeps, {} goes back.",
            filter(Command::KeepFilter),
            filter(Command::Close)
        ));
    }
    if mode == Mode::Agenda && app.agenda.as_ref().is_some_and(|a| a.accounts.len() > 1) {
        notes.push(
            "After the service, rows show their account's label, then ! when that account's last refresh \
             failed (the row is dimmed and the details say why) or + when the event is on \
             another account's calendar too."
                .to_string(),
        );
    }
    if matches!(mode, Mode::Form | Mode::Filter) {
        notes.push("Every other key is text.".to_string());
    }
    let help = |cmd| app.hint(Mode::Help, cmd);
    notes.push(format!(
        "{}/{} scroll · any other key closes this help.",
        help(Command::Down),
        help(Command::Up)
    ));
    let key_width = rows.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let widest = rows
        .iter()
        .map(|(_, desc)| key_width + 2 + desc.width())
        .chain(notes.iter().map(|n| n.width()))
        .max()
        .unwrap_or(20);
    let area = super::dialog_area(frame);
    let width = (widest + 4).min(usize::from(area.width));
    let text_width = width.saturating_sub(2);
    let mut lines: Vec<Line> = Vec::new();
    for (keys, desc) in &rows {
        for (i, part) in fit::wrap(desc, text_width.saturating_sub(key_width + 2))
            .into_iter()
            .enumerate()
        {
            let keys = if i == 0 { keys.as_str() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{keys:<key_width$}  "), theme::label()),
                Span::raw(part),
            ]));
        }
    }
    lines.push(Line::default());
    for note in &notes {
        let rows = fit::wrap(note, text_width);
        lines.extend(rows.into_iter().map(|r| Line::styled(r, theme::dim())));
    }

    let height = (lines.len() + 2).min(usize::from(area.height));
    let max = lines.len() - height.saturating_sub(2).min(lines.len());
    app.help_max.set(max as u16);
    let scroll = usize::from(scroll).min(max);
    let para = Paragraph::new(lines)
        .block(Block::bordered().title(format!(" Keys: {} ", title(mode))))
        .scroll((scroll as u16, 0));
    let popup = super::popup(frame, para, width as u16, height as u16);
    let edge = Rect::new(
        popup.right().saturating_sub(1),
        popup.y + 1,
        1,
        popup.height.saturating_sub(2),
    );
    fit::scroll_marks(frame.buffer_mut(), edge, scroll, max);
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
        Mode::FindTime => "find a time",
        Mode::LinkPicker => "same link as",
        Mode::Answer => "answer",
        Mode::JoinMark => "scheduled join",
        Mode::Links => "links",
    }
}
