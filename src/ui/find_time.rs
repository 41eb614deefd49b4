//! The find-a-time view: a grid of one working day, a lane for you and one per guest, the
//! free slots where everyone can meet marked, the chosen one highlighted; a plain list of
//! slots when the terminal is smaller than 80×24.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::fit::ellipsize;
use super::theme;
use crate::app::{Answer, App, FindTime};
use crate::calendar::freebusy::Lane;
use crate::freetime::slot_text;
use crate::keymap::{Command, Mode};

/// Below this the grid does not fit: a list of slots instead.
const GRID_MIN: (u16, u16) = (80, 24);

pub fn render(frame: &mut Frame, app: &App, view: &FindTime) {
    let full = frame.area();
    let area = Rect {
        height: full.height.saturating_sub(1),
        ..full
    };
    let title = format!(
        " Find a time · {} ",
        crate::timeparse::format_duration(view.duration)
    );
    let block = Block::bordered()
        .title(title)
        .border_style(theme::border(true));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines = match &view.answer {
        Answer::Asking { .. } => vec![Line::raw("Asking Google who is free…")],
        Answer::Failed(why) => vec![Line::styled(why.clone(), theme::error())],
        Answer::Ready {
            lanes,
            slots,
            split,
        } => {
            // The grid needs a row per lane besides its ruler, days, notes and keys.
            let fits = usize::from(inner.height) >= lanes.len() + 9;
            let mut lines = if full.width >= GRID_MIN.0 && full.height >= GRID_MIN.1 && fits {
                grid(app, view, lanes, width)
            } else {
                list(view, inner.height.saturating_sub(4))
            };
            lines.push(Line::default());
            lines.push(chosen(view, slots.slots.len()));
            if !slots.without.is_empty() {
                lines.push(Line::styled(
                    format!(
                        "Chosen without {}: Google does not show their calendars.",
                        slots.without.join(", ")
                    ),
                    theme::next(),
                ));
            }
            if *split {
                lines.push(Line::styled(
                    "More people than Google answers for at once: asked in several queries.",
                    theme::dim(),
                ));
            }
            lines
        }
    };
    let key = |cmd| app.hint(Mode::FindTime, cmd);
    lines.push(Line::styled(
        format!(
            "{}/{} slot · {}/{} day · {} take · {} back",
            key(Command::PrevSlot),
            key(Command::NextSlot),
            key(Command::PrevDay),
            key(Command::NextDay),
            key(Command::Take),
            key(Command::Close)
        ),
        theme::label(),
    ));
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| {
            if l.width() > width {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                Line::styled(ellipsize(&text, width).to_string(), l.style)
            } else {
                l
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What Enter would take.
fn chosen(view: &FindTime, count: usize) -> Line<'static> {
    match view.selected_slot() {
        Some(slot) => Line::from(vec![
            Span::styled("→ ", theme::label()),
            Span::styled(
                slot_text(slot.start, view.duration, view.zone),
                theme::label(),
            ),
            Span::styled(
                format!("  (slot {} of {count})", view.selected + 1),
                theme::dim(),
            ),
        ]),
        None => Line::styled(
            "No time in the next days suits everyone: shorten the meeting or change the guests.",
            theme::next(),
        ),
    }
}

/// One line per slot, the chosen one highlighted and kept in view.
fn list(view: &FindTime, rows: u16) -> Vec<Line<'static>> {
    let rows = usize::from(rows).max(1);
    let first = view.selected.saturating_sub(rows - 1);
    view.slots()
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, slot)| {
            let text = format!(" {} ", slot_text(slot.start, view.duration, view.zone));
            if i == view.selected {
                Line::styled(text, theme::selected(true))
            } else {
                Line::raw(text)
            }
        })
        .collect()
}

/// The chosen slot's day: a strip of days, an hour ruler, a lane per person and a row of
/// free time.
fn grid(app: &App, view: &FindTime, lanes: &[(String, Lane)], width: usize) -> Vec<Line<'static>> {
    let tz = view.zone;
    let hours = &app.settings.hours;
    let day = view
        .selected_slot()
        .map(|s| s.start.with_timezone(&tz).date_naive())
        .unwrap_or_else(|| view.from.with_timezone(&tz).date_naive());
    let (Some(open), Some(close)) = (at(day, hours.start, tz), at(day, hours.end, tz)) else {
        return vec![Line::raw("This day has no working hours in your zone.")];
    };
    // Names as wide as the widest, within a third of the width.
    let label = lanes
        .iter()
        .map(|(who, _)| who.width() + 1)
        .max()
        .unwrap_or(0)
        .clamp(8, (width / 3).max(8));
    // A column per quarter hour, or per half or whole hour when the day is too long for that.
    let room = width.saturating_sub(label + 2).max(1);
    let day_minutes = (close - open).num_minutes().max(15);
    let step = [15, 30, 60, 120]
        .into_iter()
        .find(|m| (day_minutes / m) as usize <= room)
        .unwrap_or(120);
    let quarters = (day_minutes / step).max(1) as usize;
    let cell = (room / quarters).clamp(1, 2);
    let quarter = |q: usize| {
        let from = open + Duration::minutes(step * q as i64);
        (from, from + Duration::minutes(step))
    };
    let mut lines = vec![days_strip(view, day), Line::default()];

    // Hour marks over the column each hour starts in, where the last one left room.
    let mut ruler = vec![' '; quarters * cell + 2];
    let mut free_from = 0;
    for q in 0..quarters {
        let local = quarter(q).0.with_timezone(&tz);
        if local.format("%M").to_string() == "00" && q * cell >= free_from {
            for (i, c) in local.format("%H").to_string().chars().enumerate() {
                ruler[q * cell + i] = c;
            }
            free_from = q * cell + 3;
        }
    }
    let ruler = format!("{:label$}{}", "", ruler.into_iter().collect::<String>());
    lines.push(Line::styled(ruler, theme::dim()));

    for (who, lane) in lanes {
        let mut spans = vec![Span::raw(format!("{:<label$}", ellipsize(who, label - 1)))];
        match lane {
            Lane::Busy(busy) => {
                for q in 0..quarters {
                    let (from, to) = quarter(q);
                    let taken = busy.iter().any(|b| b.start < to && from < b.end);
                    let (glyph, style) = if taken {
                        ("█", theme::error())
                    } else {
                        ("·", theme::dim())
                    };
                    spans.push(Span::styled(glyph.repeat(cell), style));
                }
            }
            Lane::Unknown { reason } => spans.push(Span::styled(
                format!("unknown: {reason}"),
                theme::dim().add_modifier(Modifier::ITALIC),
            )),
        }
        lines.push(Line::from(spans));
    }

    let chosen = view
        .selected_slot()
        .map(|s| (s.start, s.start + view.duration));
    let mut free = vec![Span::styled(format!("{:<label$}", "free"), theme::label())];
    for q in 0..quarters {
        let (from, to) = quarter(q);
        let in_chosen = chosen.is_some_and(|(s, e)| s < to && from < e);
        let in_slot = view
            .slots()
            .iter()
            .any(|s| s.start < to && from < s.start + view.duration);
        let (glyph, style) = match (in_chosen, in_slot) {
            (true, _) => ("▓", theme::selected(true)),
            (false, true) => ("░", theme::now()),
            _ => (" ", Style::new()),
        };
        free.push(Span::styled(glyph.repeat(cell), style));
    }
    lines.push(Line::from(free));
    lines
}

/// The working days find a time searched, with how many slots each has (a day nobody can
/// meet says 0); the shown day stands out.
fn days_strip(view: &FindTime, shown: NaiveDate) -> Line<'static> {
    let tz = view.zone;
    let spans = view.days.iter().map(|&d| {
        let n = view
            .slots()
            .iter()
            .filter(|s| s.start.with_timezone(&tz).date_naive() == d)
            .count();
        let text = format!(" {} ({n}) ", d.format("%a %-d"));
        let style = if d == shown {
            theme::selected(true)
        } else if n == 0 {
            theme::declined()
        } else {
            theme::dim()
        };
        Span::styled(text, style)
    });
    Line::from(spans.collect::<Vec<_>>())
}

/// `time` on `day` in `tz` (the earlier one in a repeated hour; none in a skipped one).
fn at(day: NaiveDate, time: NaiveTime, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
