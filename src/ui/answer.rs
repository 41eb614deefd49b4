//! The answer dialog: yes / maybe / no, the note to the organizer (typed in place), whether
//! the organizer is e-mailed, and for a series which occurrences; its keys from the answer
//! table.

use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::theme;
use crate::app::{AnswerDialog, AnswerRow, App};
use crate::calendar::model::Rsvp;
use crate::keymap::{Command, Mode};

const LABEL_WIDTH: usize = 14;

pub fn render(frame: &mut Frame, app: &App, d: &AnswerDialog) {
    let key = |cmd| app.hint(Mode::Answer, cmd);
    let mut lines = vec![
        Line::raw(format!(
            "Answer \u{201c}{}\u{201d}",
            d.invitation.target.title
        )),
        Line::default(),
    ];
    let answer = [
        (Rsvp::Accepted, "yes", Command::AnswerYes),
        (Rsvp::Tentative, "maybe", Command::AnswerMaybe),
        (Rsvp::Declined, "no", Command::AnswerNo),
    ]
    .iter()
    .map(|(rsvp, word, cmd)| {
        if *rsvp == d.rsvp {
            format!("[{word}]")
        } else {
            format!(" {word} ({}) ", key(*cmd))
        }
    })
    .collect::<Vec<_>>()
    .join(" ");
    let typed = crate::sanitize::line(&d.note);
    let note = if d.row == AnswerRow::Note {
        // Where typing goes.
        format!("{typed}\u{2581}")
    } else if typed.is_empty() {
        "(none)".to_string()
    } else {
        typed
    };
    let notify = if d.notify {
        "e-mail the organizer"
    } else {
        "tell nobody"
    };
    let which = if d.all_occurrences {
        "all occurrences"
    } else {
        "this occurrence"
    };
    for row in d.rows() {
        let (label, value) = match row {
            AnswerRow::Answer => ("Answer", answer.clone()),
            AnswerRow::Note => ("Note", note.clone()),
            AnswerRow::Notify => ("E-mail", notify.to_string()),
            AnswerRow::Occurrences => ("Which", which.to_string()),
        };
        lines.push(choice(row == d.row, label, value));
    }
    if let Some(error) = &d.error {
        lines.push(Line::default());
        lines.push(Line::styled(format!("\u{2717} {error}"), theme::error()));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        format!(
            "{}/{} choose \u{b7} {}/{} change",
            key(Command::ChoiceUp),
            key(Command::ChoiceDown),
            key(Command::PrevValue),
            key(Command::NextValue)
        ),
        theme::dim(),
    ));
    lines.push(Line::from(vec![
        Span::styled(format!("{} send", key(Command::Send)), theme::label()),
        Span::styled(
            format!("  \u{b7}  {} back", key(Command::Close)),
            theme::dim(),
        ),
    ]));
    super::dialog(frame, lines, "Answer the invitation");
}

/// One line of the dialog; the focused one highlighted.
fn choice(focused: bool, label: &str, value: String) -> Line<'static> {
    let style = if focused {
        theme::selected(true)
    } else {
        theme::label()
    };
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_WIDTH$}"), style),
        Span::raw(format!(" {value}")),
    ])
}
