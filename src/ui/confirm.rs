//! Yes/no questions: discarding a form, a start in the past, a calendar without Meet,
//! cancelling, declining, removing a Meet link.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use crate::app::{App, CancelDialog, Confirm};
use crate::form::NOTIFY;
use crate::keymap::{Command, Mode};

pub fn render(frame: &mut Frame, app: &App, confirm: &Confirm) {
    let (title, mut lines, yes) = match confirm {
        Confirm::Discard => (
            "Discard",
            vec![Line::raw(
                "Throw away this new meeting? What you typed is lost.",
            )],
            "discard",
        ),
        Confirm::PastStart => (
            "Start in the past",
            vec![Line::raw(
                "This meeting starts in the past. Create it anyway?",
            )],
            "create",
        ),
        Confirm::NoMeet { calendar } => (
            "No Google Meet here",
            vec![Line::raw(format!(
                "\u{201c}{calendar}\u{201d} does not allow Google Meet links \
                 (its conference settings). Create the meeting without a link?"
            ))],
            "create without a link",
        ),
        Confirm::Cancel(d) => ("Cancel meeting", cancel_lines(app, d), "cancel the meeting"),
        Confirm::Decline(i) => (
            "Decline",
            vec![Line::raw(format!(
                "Decline \u{201c}{}\u{201d}? The organizer sees your answer.",
                i.target.title
            ))],
            "decline",
        ),
        Confirm::RemoveMeet(t) => (
            "Remove Meet link",
            vec![Line::raw(format!(
                "Remove the Google Meet link from \u{201c}{}\u{201d}? Guests will no \
                 longer see it in the invitation.",
                t.title
            ))],
            "remove the link",
        ),
    };
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{} {yes}",
                app.settings.keymap.hints(Mode::Confirm, Command::Yes)
            ),
            theme::label(),
        ),
        Span::styled(
            format!(
                "  ·  {} back",
                app.settings.keymap.hints(Mode::Confirm, Command::No)
            ),
            theme::dim(),
        ),
    ]));
    let width: u16 = 64.min(frame.area().width).max(20);
    let text: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(usize::from(width) - 2).max(1))
        .sum();
    let para = Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(format!(" {title} "))
                .border_style(theme::next()),
        )
        .wrap(Wrap { trim: false });
    super::popup(frame, para, width, text as u16 + 2);
}

fn cancel_lines(app: &App, d: &CancelDialog) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::raw(format!("Cancel \u{201c}{}\u{201d}?", d.target.title)),
        Line::default(),
    ];
    let choice = |row: usize, label: &str, value: &str| {
        let focused = row == d.row;
        Line::from(vec![
            Span::styled(
                format!("{label:<14}"),
                if focused {
                    theme::selected(true)
                } else {
                    theme::label()
                },
            ),
            Span::raw(if focused {
                format!(" ‹ {value} ›")
            } else {
                format!(" {value}")
            }),
        ])
    };
    let mut row = 0;
    if d.has_guests {
        lines.push(choice(row, "E-mail", NOTIFY[d.notify].1));
        row += 1;
    }
    if d.series_id.is_some() {
        let which = if d.all_occurrences {
            "all occurrences"
        } else {
            "this occurrence"
        };
        lines.push(choice(row, "Which", which));
    }
    if d.rows() > 0 {
        let key = |cmd| app.hint(Mode::Confirm, cmd);
        lines.push(Line::styled(
            format!(
                "{}/{} choose · {}/{} change",
                key(Command::ChoiceUp),
                key(Command::ChoiceDown),
                key(Command::PrevValue),
                key(Command::NextValue)
            ),
            theme::dim(),
        ));
    }
    lines
}
