//! Screens that stand in for the agenda: the first-run welcome, and the sign-in prompt when
//! Google stops accepting the stored grant.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use crate::app::{App, SignInDialog};
use crate::keymap::{Command, Mode};

pub fn sign_in(frame: &mut Frame, app: &App, dialog: &SignInDialog) {
    let mut lines = vec![
        Line::raw(match &dialog.email {
            Some(email) => format!("Google no longer accepts meetty's sign-in for {email}."),
            None => "Google no longer accepts meetty's sign-in.".to_string(),
        }),
        Line::default(),
        Line::styled(dialog.message.as_str(), theme::dim()),
        Line::default(),
    ];
    if dialog.waiting {
        lines.push(Line::raw(
            "Waiting for you to finish signing in in your browser…",
        ));
        match &dialog.url {
            Some(url) => {
                lines.push(Line::styled(
                    "No browser? Open this on this machine (or run meetty login --no-browser):",
                    theme::dim(),
                ));
                lines.push(Line::styled(url.as_str(), theme::link()));
            }
            None => lines.push(Line::styled("Opening your browser…", theme::dim())),
        }
    } else {
        let keys = [
            (Command::SignIn, "sign in again (opens your browser)"),
            (
                Command::Close,
                if dialog.stops_refresh {
                    "not now: keep what is on screen"
                } else {
                    "not now: the other accounts keep refreshing"
                },
            ),
        ]
        .map(|(cmd, what)| (app.hint(Mode::SignIn, cmd), what));
        let width = keys
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (key, what) in keys {
            lines.push(Line::styled(
                format!("{key:<width$}  {what}"),
                theme::label(),
            ));
        }
    }
    // Extra height: the message and the URL wrap.
    let width = 72;
    let text: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(usize::from(width) - 2).max(1))
        .sum();
    let height = text as u16 + 2;
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
];

pub fn welcome(frame: &mut Frame, area: Rect, app: &App) {
    let mut lines: Vec<Line> = WELCOME.iter().map(|l| Line::raw(*l)).collect();
    let quit = app.hint(Mode::Agenda, Command::Quit);
    lines.push(Line::raw(format!("Press {quit} to quit.")));
    let para = Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(" Welcome to meetty ")
                .border_style(theme::border(true)),
        )
        .wrap(Wrap { trim: false });
    frame.render_widget(para, area);
}
