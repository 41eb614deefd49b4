//! Screens that stand in for the agenda: the first-run welcome, and the sign-in prompt when
//! Google stops accepting the stored grant.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
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
    // Extra height: the message may wrap onto a second line.
    let (width, height) = (72, lines.len() as u16 + 3);
    let para = Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(" Sign in again ")
                .border_style(theme::next()),
        )
        .wrap(Wrap { trim: false });
    super::popup(frame, para, width, height);
}

const WELCOME: &[&str] = &[
    "meetty is not signed in to Google yet. To see your meetings:",
    "",
    "1. Create a \"Desktop app\" OAuth client in Google Cloud Console; the README's",
    "   \"Set up Google sign-in\" walks through it.",
    "2. Run: meetty login --credentials client_secret_XXX.json",
    "",
    "Just looking? Try it with sample meetings: meetty --demo",
    "",
    "Press q to quit.",
];

pub fn welcome(frame: &mut Frame, area: Rect) {
    let lines: Vec<Line> = WELCOME.iter().map(|l| Line::raw(*l)).collect();
    let para = Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(" Welcome to meetty ")
                .border_style(theme::border(true)),
        )
        .wrap(Wrap { trim: false });
    frame.render_widget(para, area);
}
