//! The new-meeting form pane and the template picker.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use crate::app::App;
use crate::compose::Note;
use crate::form::{Form, FormField, Input, Value};
use crate::timeparse::{describe_recurrence, format_duration};

const LABEL_WIDTH: usize = 12;

/// The template list `n` opens first.
pub fn picker(frame: &mut Frame, app: &App) {
    let mut lines: Vec<Line> = app
        .settings
        .templates
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut about = vec![format_duration(t.duration)];
            if !t.recurrence.is_empty() {
                about.push(describe_recurrence(&t.recurrence));
            }
            if t.meet {
                about.push("Meet".into());
            }
            let style = if i == app.picker {
                theme::selected(true)
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(format!(" {} {:<14}", i + 1, t.name), style),
                Span::styled(format!(" {}", about.join(" · ")), theme::dim()),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(
        " ↑/↓ choose · Enter or 1–9 pick · Esc back",
        theme::dim(),
    ));
    let width = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 4;
    let height = lines.len() as u16 + 2;
    let para = Paragraph::new(lines).block(Block::bordered().title(" New meeting from "));
    super::popup(frame, para, width, height);
}

pub fn render(frame: &mut Frame, area: Rect, form: &Form, spinner: &str) {
    let mut lines = Vec::new();
    let mut focus_span = (0, 0);
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let start = lines.len();
        field_lines(&mut lines, f, focused, form.checked.note(&f.field));
        if focused {
            focus_span = (start, lines.len());
        }
    }
    lines.push(Line::default());
    for w in &form.checked.warnings {
        lines.push(Line::styled(format!("⚠ {w}"), theme::next()));
    }
    if let Some(e) = &form.error {
        lines.push(Line::styled(format!(" {e} "), theme::error()));
    }
    let footer = match &form.submitting {
        Some(s) => format!("{spinner} {}", s.status),
        None => "Ctrl-S create · Tab/↑↓ move · ←/→ change · Esc cancel".into(),
    };
    lines.push(Line::styled(footer, theme::label()));

    let block = Block::bordered()
        .title(format!(" New meeting · {} ", form.template))
        .border_style(theme::border(true));
    let inner = block.inner(area).height as usize;
    // Keep the focused field in view; the footer shows whenever the form fits.
    let scroll = if lines.len() <= inner {
        0
    } else {
        focus_span
            .1
            .saturating_sub(inner)
            .max(focus_span.0.saturating_sub(inner / 2))
            .min(lines.len() - inner)
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        area,
    );
}

fn field_lines(out: &mut Vec<Line<'static>>, f: &FormField, focused: bool, note: Option<&Note>) {
    let label_style = if focused {
        theme::selected(true)
    } else {
        theme::label()
    };
    let label = Span::styled(format!("{:<LABEL_WIDTH$}", f.label), label_style);
    let indent = || Span::raw(" ".repeat(LABEL_WIDTH + 1));
    // The template's value shows selected until it is typed over or kept.
    let style = match &f.value {
        Value::Text(i) if i.fresh && focused => theme::selected(false),
        _ => Style::new(),
    };
    let mut value_lines = value_text(&f.value, focused).into_iter();
    let first = value_lines.next().unwrap_or_default();
    out.push(Line::from(vec![
        label,
        Span::raw(" "),
        Span::styled(first, style),
    ]));
    out.extend(value_lines.map(|l| Line::from(vec![indent(), Span::styled(l, style)])));
    match note {
        Some(Note::Error(e)) => out.push(Line::from(vec![
            indent(),
            Span::styled(format!("✗ {e}"), theme::declined()),
        ])),
        Some(Note::Hint(h)) if !h.is_empty() => out.push(Line::from(vec![
            indent(),
            Span::styled(format!("→ {h}"), theme::dim()),
        ])),
        _ => {}
    }
}

/// The value's lines, with a cursor mark in the focused text field.
fn value_text(v: &Value, focused: bool) -> Vec<String> {
    match v {
        Value::Text(input) if focused => with_cursor(input).split('\n').map(String::from).collect(),
        Value::Text(input) => input.text.split('\n').map(String::from).collect(),
        Value::Choice { options, index } => {
            let label = options.get(*index).map_or("", |o| o.1.as_str());
            vec![if focused {
                format!("‹ {label} ›")
            } else {
                label.to_string()
            }]
        }
        Value::Toggle(on) => vec![if *on { "[x] yes" } else { "[ ] no" }.to_string()],
    }
}

fn with_cursor(input: &Input) -> String {
    let mut s = input.text.clone();
    let at = s
        .char_indices()
        .nth(input.cursor)
        .map_or(s.len(), |(i, _)| i);
    s.insert(at, '▏');
    s
}
