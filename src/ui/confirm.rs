//! Yes/no questions: discarding a form, a start in the past, a calendar without Meet,
//! cancelling, declining, adding or removing a Meet link, saving an edit (with the e-mail
//! and occurrence choices), and an edit that met a change made elsewhere.

use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::theme;
use crate::app::{scope_label, App, Choices, Confirm};
use crate::form::NOTIFY;
use crate::keymap::{Command, Mode};

pub fn render(frame: &mut Frame, app: &App, confirm: &Confirm) {
    let editing = app.form().is_some_and(|f| f.editing.is_some());
    let (title, mut lines, yes) = match confirm {
        Confirm::Discard => (
            "Discard",
            vec![Line::raw(match editing {
                true => "Throw away your changes? The meeting stays as it is.",
                false => "Throw away this new meeting? What you typed is lost.",
            })],
            "discard",
        ),
        Confirm::PastStart if editing => (
            "Start in the past",
            vec![Line::raw(
                "This moves the meeting to a start in the past. Save it anyway?",
            )],
            "save",
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
        Confirm::Cancel(d) => (
            "Cancel meeting",
            choice_lines(
                app,
                format!("Cancel \u{201c}{}\u{201d}?", d.target.title),
                d,
            ),
            "cancel the meeting",
        ),
        Confirm::AddMeet(d) => (
            "Add Meet link",
            choice_lines(
                app,
                format!(
                    "Add a Google Meet link to \u{201c}{}\u{201d}?",
                    d.target.title
                ),
                d,
            ),
            "add the link",
        ),
        Confirm::Edit(ask) => (
            "Save changes",
            choice_lines(
                app,
                format!(
                    "Save your changes to \u{201c}{}\u{201d}?",
                    ask.choices.target.title
                ),
                &ask.choices,
            ),
            "save",
        ),
        Confirm::Conflict(c) => {
            let mut lines = vec![
                Line::raw(format!(
                    "\u{201c}{}\u{201d} changed in Google Calendar since you opened it:",
                    c.current.meeting.title
                )),
                Line::default(),
            ];
            lines.extend(
                c.differences
                    .iter()
                    .map(|d| Line::raw(format!("  {}: {} \u{2192} {}", d.field, d.before, d.now))),
            );
            lines.push(Line::default());
            lines.push(Line::raw("Apply your changes on top of it?"));
            ("Changed meanwhile", lines, "apply my changes")
        }
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
    super::dialog(frame, lines, title);
}

/// The question, then its choices: who gets e-mail, which occurrences.
fn choice_lines(app: &App, question: String, d: &Choices) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw(question), Line::default()];
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
    if d.asks_scope() {
        lines.push(choice(row, "Which", scope_label(d.scope())));
    }
    if let Some(why) = d.why {
        lines.push(Line::styled(why.to_string(), theme::dim()));
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
