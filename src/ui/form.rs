//! The meeting form pane (new or edited) and its pickers: templates, and the meetings whose
//! link the Meet field can share.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::{fit, theme};
use crate::app::{App, LinkPicker};
use crate::calendar::model::When;
use crate::compose::{Field, MeetChoice, Note};
use crate::form::{Form, FormField, Input, Value};
use crate::keymap::{Command, Mode};
use crate::timefmt::{clock_range, date_label, local_date};
use crate::timeparse::{describe_recurrence, format_duration};

const LABEL_WIDTH: usize = 12;

/// The template list `n` opens first.
pub fn picker(frame: &mut Frame, app: &App, selected: usize) {
    let lines: Vec<Line> = app
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
            let style = if i == selected {
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
    picker_popup(
        frame,
        app,
        lines,
        (Mode::Picker, "or 1–9 pick"),
        " New meeting from ",
    );
}

/// A picker's list with its keys below (up/down choose, `pick_says`, close back), in a popup
/// as wide as its widest line.
fn picker_popup(
    frame: &mut Frame,
    app: &App,
    mut lines: Vec<Line>,
    (mode, pick_says): (Mode, &str),
    title: &str,
) {
    lines.push(Line::default());
    let key = |cmd| app.hint(mode, cmd);
    lines.push(Line::styled(
        format!(
            " {}/{} choose · {} {pick_says} · {} back",
            key(Command::Up),
            key(Command::Down),
            key(Command::Pick),
            key(Command::Close)
        ),
        theme::dim(),
    ));
    let width = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 4;
    let height = lines.len() as u16 + 2;
    let para = Paragraph::new(lines).block(Block::bordered().title(title));
    super::popup(frame, para, width, height);
}

/// "same link as…": the agenda's meetings with a link, each with its day, time and link.
pub fn link_picker(frame: &mut Frame, app: &App, picker: &LinkPicker) {
    let tz = app.settings.tz;
    let today = local_date(app.now, tz);
    let lines: Vec<Line> = picker
        .meetings
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let when = match m.when {
                When::Timed { start, end } => format!(
                    "{} {}",
                    date_label(local_date(start, tz), today),
                    clock_range(start, end, tz)
                ),
                When::AllDay { start, .. } => format!("{} all day", date_label(start, today)),
            };
            let link = m.video.as_ref().map_or("", |v| {
                v.url
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
            });
            let style = if i == picker.selected {
                theme::selected(true)
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(format!(" {when:<22} "), theme::dim()),
                Span::styled(format!("{:<24}", fit::ellipsize(&m.title, 24)), style),
                Span::styled(format!(" {link}"), theme::link()),
            ])
        })
        .collect();
    picker_popup(
        frame,
        app,
        lines,
        (Mode::LinkPicker, "share its link"),
        " Same link as ",
    );
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, form: &Form) {
    // Values wrap under themselves, right of the labels.
    let text_width = usize::from(area.width.saturating_sub(2)).saturating_sub(LABEL_WIDTH + 1);
    let mut lines = Vec::new();
    let mut focus_span = (0, 0);
    let keeps_meet = form.keeps_meet();
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let start = lines.len();
        field_lines(
            &mut lines,
            f,
            (focused, keeps_meet),
            form.checked.note(&f.field),
            text_width,
        );
        if focused {
            focus_span = (start, lines.len());
        }
    }
    // Warnings and Google's refusal stay below the fields, wrapped whole; the keys below them.
    let width = usize::from(area.width.saturating_sub(2));
    let mut notes: Vec<Line> = Vec::new();
    for w in form.checked.warnings.iter().chain(&form.notice) {
        let rows = fit::wrap(&format!("⚠ {w}"), width);
        notes.extend(rows.into_iter().map(|r| Line::styled(r, theme::next())));
    }
    if let Some(e) = &form.error {
        let rows = fit::wrap(e, width.saturating_sub(2));
        notes.extend(
            rows.into_iter()
                .map(|r| Line::styled(format!(" {} ", r.trim_end()), theme::error())),
        );
    }
    let keys = match &form.submitting {
        Some(s) => format!("{} {}", super::status::spinner(app), s.status),
        None => {
            let key = |cmd| app.hint(Mode::Form, cmd);
            let find = if form.focused().field == Field::Start {
                format!("{} find a time · ", key(Command::FindTime))
            } else {
                String::new()
            };
            let create = if form.editing.is_some() {
                "save"
            } else {
                "create"
            };
            format!(
                "{find}{} {create} · {} move · {} cancel",
                key(Command::Create),
                key(Command::NextField),
                key(Command::Close)
            )
        }
    };
    let keys: Vec<Line> = fit::wrap(&keys, width)
        .into_iter()
        .map(|r| Line::styled(r, theme::label()))
        .collect();

    let block = Block::bordered()
        .title(match &form.editing {
            Some(e) => format!(" Edit \u{201c}{}\u{201d} ", e.loaded.meeting.title),
            None => format!(" New meeting · {} ", form.template),
        })
        .border_style(theme::border(true));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let keys_height = keys.len().min(usize::from(inner.height));
    let room = usize::from(inner.height) - keys_height;
    // The notes take what the fields leave, and at least half the room when they need it.
    let notes_height = notes
        .len()
        .min(room.saturating_sub(lines.len()).max(room / 2));
    let [body, notes_area, keys_area] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(notes_height as u16),
        Constraint::Length(keys_height as u16),
    ])
    .areas(inner);
    let height = usize::from(body.height);
    // Keep the focused field in view, its first line preferred.
    let base = if lines.len() <= height {
        0
    } else {
        focus_span
            .1
            .saturating_sub(height)
            .max(focus_span.0.saturating_sub(height / 2))
            .min(focus_span.0)
            .min(lines.len() - height)
    };
    // What does not fit scrolls with `error_scroll`: the notes, and the focused field when it
    // and its `✗` note are taller than the space for the fields.
    let notes_max = notes.len() - notes_height;
    let field_max = (focus_span.1 - focus_span.0).saturating_sub(height);
    let max = notes_max.max(field_max);
    form.error_max.set(max.min(usize::from(u16::MAX)) as u16);
    let scroll = usize::from(form.error_scroll).min(max);
    let (notes_scroll, field_scroll) = (scroll.min(notes_max), scroll.min(field_max));
    frame.render_widget(
        Paragraph::new(lines).scroll(((base + field_scroll) as u16, 0)),
        body,
    );
    frame.render_widget(
        Paragraph::new(notes).scroll((notes_scroll as u16, 0)),
        notes_area,
    );
    frame.render_widget(Paragraph::new(keys), keys_area);
    let edge = |r: Rect| Rect::new(area.right().saturating_sub(1), r.y, 1, r.height);
    fit::scroll_marks(
        frame.buffer_mut(),
        edge(notes_area),
        notes_scroll,
        notes_max,
    );
    fit::scroll_marks(frame.buffer_mut(), edge(body), field_scroll, field_max);
}

/// `(focused, keeps_meet)`: whether the field has the focus, and whether the Meet field's
/// first choice keeps the edited meeting's link ([`Form::keeps_meet`]).
fn field_lines(
    out: &mut Vec<Line<'static>>,
    f: &FormField,
    (focused, keeps_meet): (bool, bool),
    note: Option<&Note>,
    width: usize,
) {
    let label_style = if focused {
        theme::selected(true)
    } else {
        theme::label()
    };
    // The template's value shows selected until it is typed over or kept.
    let style = match &f.value {
        Value::Text(i) if i.fresh && focused => theme::selected(false),
        _ => Style::new(),
    };
    let mut rows: Vec<(String, Style)> = value_text(&f.value, focused, keeps_meet)
        .iter()
        .flat_map(|l| fit::wrap(l, width))
        .map(|l| (l, style))
        .collect();
    let note = match note {
        Some(Note::Error(e)) => Some((format!("✗ {e}"), theme::declined())),
        Some(Note::Hint(h)) if !h.is_empty() => Some((format!("→ {h}"), theme::dim())),
        _ => None,
    };
    if let Some((text, style)) = note {
        rows.extend(fit::wrap(&text, width).into_iter().map(|l| (l, style)));
    }
    for (i, (text, style)) in rows.into_iter().enumerate() {
        let head = if i == 0 {
            Span::styled(format!("{:<LABEL_WIDTH$}", f.label), label_style)
        } else {
            Span::raw(" ".repeat(LABEL_WIDTH))
        };
        out.push(Line::from(vec![
            head,
            Span::raw(" "),
            Span::styled(text, style),
        ]));
    }
}

/// The value's lines, with a cursor mark in the focused text field.
fn value_text(v: &Value, focused: bool, keeps_meet: bool) -> Vec<String> {
    match v {
        Value::Text(input) if focused => with_cursor(input).split('\n').map(String::from).collect(),
        Value::Text(input) => input.text.split('\n').map(String::from).collect(),
        Value::Choice { options, index } => {
            choice_text(options.get(*index).map_or("", |o| o.1.as_str()), focused)
        }
        Value::Calendar { options, index } => choice_text(
            options.get(*index).map_or("", |o| o.label.as_str()),
            focused,
        ),
        Value::Meet(m) => {
            let label = match m {
                MeetChoice::New if keeps_meet => "keep its link".to_string(),
                m => m.label(),
            };
            vec![if focused {
                format!("‹ {label} ›")
            } else {
                label
            }]
        }
    }
}

/// A choice's label, between arrows when focused (the arrow keys change it).
fn choice_text(label: &str, focused: bool) -> Vec<String> {
    vec![if focused {
        format!("‹ {label} ›")
    } else {
        label.to_string()
    }]
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
