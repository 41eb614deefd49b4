//! The agenda pane: day headings and one line per meeting. Only the rows on screen are laid
//! out, so 10,000 events cost what 20 do.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::theme;
use crate::app::{App, Pane, Sync};
use crate::calendar::model::{Agenda, Meeting, When};
use crate::timefmt::{clock, countdown, date_label, day_name, local_date};
use crate::view::{now_and_next, Row};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Agenda;
    let title = if app.show_all {
        " Agenda · all events "
    } else {
        " Agenda "
    };
    let block = Block::bordered()
        .title(title)
        .border_style(theme::border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    app.page.set(height.saturating_sub(1).max(1));

    let Some(agenda) = &app.agenda else {
        let text = match &app.sync {
            Sync::Failed { error } => {
                format!("Could not load the agenda: {error}. Press r to retry.")
            }
            _ => "Loading your agenda…".to_string(),
        };
        frame.render_widget(Paragraph::new(text).wrap(Default::default()), inner);
        return;
    };
    if app.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_text(app)).wrap(Default::default()),
            inner,
        );
        return;
    }

    let offset = keep_in_view(app.scroll.get(), app.selected, height, app.rows.len());
    app.scroll.set(offset);
    let (current, next) = now_and_next(agenda, &app.rows, app.now);
    let today = local_date(app.now, app.settings.tz);
    let end = (offset + height).min(app.rows.len());
    let lines: Vec<Line> = app.rows[offset..end]
        .iter()
        .enumerate()
        .map(|(k, row)| match *row {
            Row::Day(d) => Line::from(format!("{} · {}", day_name(d, today), date_label(d, today)))
                .style(theme::day_heading()),
            Row::Meeting(i) => {
                let mark = if Some(i) == current {
                    Mark::Now
                } else if Some(i) == next {
                    Mark::Next
                } else {
                    Mark::None
                };
                let line = meeting_line(app, agenda, &agenda.meetings[i], mark, inner.width);
                if app.selected == Some(offset + k) {
                    line.style(theme::selected(focused))
                } else {
                    line
                }
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn empty_text(app: &App) -> String {
    let days = app.settings.days;
    if !app.filter.is_empty() {
        format!(
            "Nothing matches \u{201c}{}\u{201d}. Press / and Esc to clear the filter.",
            app.filter
        )
    } else if app.show_all {
        format!("No events in the next {days} days.")
    } else {
        format!("No video meetings in the next {days} days. Press a to show all events.")
    }
}

/// The first row to draw so that the selection stays visible, moving as little as possible.
pub fn keep_in_view(offset: usize, selected: Option<usize>, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let max_offset = len.saturating_sub(height);
    let Some(sel) = selected else {
        return offset.min(max_offset);
    };
    // Keep the day heading above the first meeting of a day visible when scrolling up.
    let top = sel.saturating_sub(1);
    let offset = if top < offset {
        top
    } else if sel >= offset + height {
        sel + 1 - height
    } else {
        offset
    };
    offset.min(max_offset)
}

/// Inner widths below this get the compact row layout.
const COMPACT_BELOW: u16 = 50;

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Now,
    Next,
    None,
}

fn meeting_line<'a>(
    app: &App,
    agenda: &Agenda,
    m: &'a Meeting,
    mark: Mark,
    width: u16,
) -> Line<'a> {
    let color = theme::calendar_color(
        agenda
            .calendar(&m.calendar_id)
            .and_then(|c| c.color.as_deref()),
    );
    let tz = app.settings.tz;
    // Narrow panes drop the end time and the badge padding so the title keeps some room.
    let compact = width < COMPACT_BELOW;
    let time = match (m.when, compact) {
        (When::Timed { start, .. }, true) => clock(start, tz),
        (When::Timed { start, end }, false) => format!("{}–{}", clock(start, tz), clock(end, tz)),
        (When::AllDay { .. }, true) => "all d".to_string(),
        (When::AllDay { .. }, false) => "all day    ".to_string(),
    };
    let badge = m.video.as_ref().map_or("", |v| v.provider.badge());
    let badge = if compact {
        format!("{badge:<5}")
    } else {
        format!("{badge:<6}")
    };
    let mut spans = vec![
        Span::styled("▌", Style::new().fg(color)),
        Span::raw(time),
        Span::raw(" "),
        Span::styled(badge, theme::dim()),
        Span::raw(" "),
        Span::raw(m.title.as_str()),
    ];
    let tag = match (mark, m.when) {
        (Mark::Now | Mark::Next, When::Timed { start, end }) => countdown(app.now, start, end),
        _ => None,
    };
    if let Some(tag) = tag {
        let style = if mark == Mark::Now {
            theme::now()
        } else {
            theme::next()
        };
        let used: usize = spans.iter().map(Span::width).sum();
        let room = (width as usize).saturating_sub(used + tag.chars().count() + 1);
        if room > 0 {
            spans.push(Span::raw(" ".repeat(room)));
        } else {
            // Too narrow for both: the countdown matters more than the end of the title.
            let keep = (width as usize).saturating_sub(tag.chars().count() + 1);
            spans = truncate(spans, keep);
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(tag, style));
    }
    Line::from(spans)
}

fn truncate(spans: Vec<Span<'_>>, max: usize) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        let w = s.width();
        if used + w <= max {
            used += w;
            out.push(s);
            continue;
        }
        // By display width and whole graphemes: a CJK character or emoji takes two cells.
        let cut = crate::sanitize::fit(&s.content, max.saturating_sub(used));
        out.push(Span::styled(cut.to_string(), s.style));
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::keep_in_view;

    #[test]
    fn scrolling_keeps_the_selection_visible_and_moves_little() {
        assert_eq!(keep_in_view(0, Some(3), 10, 100), 0);
        assert_eq!(keep_in_view(0, Some(12), 10, 100), 3);
        assert_eq!(keep_in_view(20, Some(15), 10, 100), 14);
        assert_eq!(keep_in_view(95, Some(99), 10, 100), 90);
        assert_eq!(keep_in_view(50, None, 10, 20), 10);
    }
}
