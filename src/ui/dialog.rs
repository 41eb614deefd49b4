//! Dialogs over the agenda: the sign-in prompt when Google stops accepting the stored grant.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use crate::app::SignInDialog;

pub fn sign_in(frame: &mut Frame, dialog: &SignInDialog) {
    let mut lines = vec![
        Line::raw("Google no longer accepts meetty's sign-in."),
        Line::default(),
        Line::styled(dialog.message.as_str(), theme::dim()),
        Line::default(),
    ];
    if dialog.waiting {
        lines.push(Line::raw(
            "Waiting for you to finish signing in in your browser…",
        ));
        lines.push(Line::styled(
            "If no browser opened, run meetty login in another terminal.",
            theme::dim(),
        ));
    } else {
        lines.push(Line::styled(
            "Enter  sign in again (opens your browser)",
            theme::label(),
        ));
        lines.push(Line::styled(
            "Esc    not now: keep what is on screen",
            theme::label(),
        ));
    }
    let area = frame.area();
    let width = area.width.min(72);
    let height = (lines.len() as u16 + 6).min(area.height);
    let popup: Rect = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, popup);
    let para = Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(" Sign in again ")
                .border_style(theme::next()),
        )
        .wrap(Wrap { trim: false });
    frame.render_widget(para, popup);
}
