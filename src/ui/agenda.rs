//! The agenda pane: day headings and one line per meeting. Only the rows on screen are laid
//! out, so 10,000 events cost what 20 do.

use chrono::NaiveDate;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::fit::ellipsize;
use super::theme;
use crate::app::{App, Pane, Sync};
use crate::calendar::model::{Agenda, Meeting, Rsvp, When};
use crate::keymap::{Command, Mode};
use crate::timefmt::{clock, clock_range, countdown, date_label, day_name, local_date};
use crate::view::{day_of, now_and_next, Row, ShowDeclined};

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
                let r = app.hint(Mode::Agenda, Command::Refresh);
                format!("Could not load the agenda: {error}. Press {r} to retry.")
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

    let (offset, pinned) = viewport(&app.rows, app.scroll.get(), app.selected, height);
    app.scroll.set(offset);
    let on = now_and_next(agenda, &app.rows, app.now);
    let today = local_date(app.now, app.settings.tz);
    let heading = |d| {
        let text = format!("{} · {}", day_name(d, today), date_label(d, today));
        Line::from(ellipsize(&text, inner.width.into()).into_owned()).style(theme::day_heading())
    };
    let end = (offset + height - usize::from(pinned.is_some())).min(app.rows.len());
    let accounts = account_width(agenda);
    let rows = app.rows[offset..end]
        .iter()
        .enumerate()
        .map(|(k, row)| match *row {
            Row::Day(d) => heading(d),
            Row::Meeting(i) => {
                let mark = if on.now.contains(&i) {
                    Mark::Now
                } else if Some(i) == on.next {
                    Mark::Next
                } else {
                    Mark::None
                };
                let m = &agenda.meetings[i];
                let line = meeting_line(app, agenda, m, (mark, accounts), inner.width);
                if app.selected == Some(offset + k) {
                    line.style(theme::selected(focused))
                } else {
                    line
                }
            }
        });
    let lines: Vec<Line> = pinned.map(heading).into_iter().chain(rows).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn empty_text(app: &App) -> String {
    let days = app.settings.days;
    if !app.filter.is_empty() {
        let clear = app.hint(Mode::Agenda, Command::ClearFilter);
        format!(
            "Nothing matches \u{201c}{}\u{201d}. Press {clear} to clear the filter.",
            app.filter
        )
    } else if app.show_all {
        format!("No events in the next {days} days.")
    } else {
        let all = app.hint(Mode::Agenda, Command::ToggleAll);
        format!("No video meetings in the next {days} days. Press {all} to show all events.")
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

/// The first row to draw, and the day to pin above it when that row is a meeting whose own
/// heading has scrolled off: in the middle of a long day the top line still says which day
/// it is. The pinned heading takes a line, so the list moves one further when the selection
/// would fall under the bottom edge.
pub fn viewport(
    rows: &[Row],
    scroll: usize,
    selected: Option<usize>,
    height: usize,
) -> (usize, Option<NaiveDate>) {
    let mut offset = keep_in_view(scroll, selected, height, rows.len());
    let is_meeting = |at: usize| matches!(rows.get(at), Some(Row::Meeting(_)));
    if height < 2 || !is_meeting(offset) {
        return (offset, None);
    }
    if selected.is_some_and(|sel| sel + 1 >= offset + height) {
        offset += 1;
        if !is_meeting(offset) {
            return (offset, None);
        }
    }
    (offset, day_of(rows, offset))
}

/// Inner widths below this get the compact row layout.
const COMPACT_BELOW: u16 = 50;

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Now,
    Next,
    None,
}

/// The widest an account's label gets on a row.
const ACCOUNT_MAX: usize = 3;

/// The widest a provider's badge may be (`assets/providers.toml`, config `[[providers]]`).
const BADGE_MAX: usize = 7;

/// The account column's width in an agenda of several accounts (the widest label, 1 to
/// [`ACCOUNT_MAX`] columns); none for one account's agenda.
fn account_width(agenda: &Agenda) -> Option<usize> {
    (agenda.accounts.len() > 1).then(|| {
        let widest = agenda.accounts.iter().map(|a| a.label.width()).max();
        widest.unwrap_or(1).clamp(1, ACCOUNT_MAX)
    })
}

/// Whether `m`'s event is on another account's calendar too. Copies start together and
/// the agenda is sorted by start, so only the meetings of that start are looked at: a row
/// costs the same in an agenda of 10,000.
fn on_other_accounts(agenda: &Agenda, m: &Meeting) -> bool {
    let start = m.start();
    let from = agenda.meetings.partition_point(|k| k.start() < start);
    agenda.meetings[from..]
        .iter()
        .take_while(|k| k.start() == start)
        .any(|k| k.account != m.account && k.same_event(m))
}

/// The account column: the label cut to `width`, then a mark: `!` the account's last
/// refresh failed (the row is dimmed), `+` the event is also on another account's calendar.
/// Returns the spans and whether the row is stale.
fn account_spans(agenda: &Agenda, m: &Meeting, width: usize) -> (Vec<Span<'static>>, bool) {
    let account = agenda.account_of(m);
    let stale = account.is_some_and(|a| a.stale.is_some());
    let label = ellipsize(account.map_or("?", |a| a.label.as_str()), width).into_owned();
    let gap = " ".repeat(width.saturating_sub(label.width()));
    let (mark, mark_style) = if stale {
        ("!", theme::error())
    } else if on_other_accounts(agenda, m) {
        ("+", theme::dim())
    } else {
        (" ", theme::dim())
    };
    let label_style = if stale { theme::dim() } else { theme::label() };
    let spans = vec![
        Span::styled(label + &gap, label_style),
        Span::styled(mark, mark_style),
        Span::raw(" "),
    ];
    (spans, stale)
}

/// One meeting's row; `mark` says whether it is now or next, `accounts` is the account
/// column's width in a merged agenda.
fn meeting_line<'a>(
    app: &App,
    agenda: &Agenda,
    m: &'a Meeting,
    (mark, accounts): (Mark, Option<usize>),
    width: u16,
) -> Line<'a> {
    let color = theme::calendar_color(agenda.calendar_of(m).and_then(|c| c.color.as_deref()));
    let tz = app.settings.tz;
    // Narrow panes drop the end time and the badge padding so the title keeps some room.
    let compact = width < COMPACT_BELOW;
    let time = match (m.when, compact) {
        (When::Timed { start, .. }, true) => clock(start, tz),
        (When::Timed { start, end }, false) => format!("{:<11}", clock_range(start, end, tz)),
        (When::AllDay { .. }, true) => "all d".to_string(),
        (When::AllDay { .. }, false) => format!("{:<11}", "all day"),
    };
    // A status (out of office, focus time) has its own badge where a link's would be.
    let (badge, badge_style) = match (&m.video, m.event_type.badge()) {
        (_, Some((badge, _))) => (badge, theme::status_badge()),
        (Some(v), None) => (v.provider.badge(), theme::dim()),
        (None, None) => ("", theme::dim()),
    };
    // Badges are up to 7 columns (the provider table's limit, a user's badge included):
    // padded by display width, so every column after it stays put; narrow panes cut to 5.
    let room = if compact { 5 } else { BADGE_MAX };
    let badge = ellipsize(badge, room);
    let badge = format!("{badge}{}", " ".repeat(room.saturating_sub(badge.width())));
    // The user's answer in a fixed column: a mark readable without colour, and the title
    // highlighted while an invitation awaits an answer, dimmed and struck once declined.
    let rsvp = m.my_rsvp();
    let struck = rsvp == Rsvp::Declined && app.settings.show_declined == ShowDeclined::Dim;
    let mark_style = match rsvp {
        Rsvp::NeedsAction => theme::awaiting(),
        Rsvp::Declined => theme::declined(),
        Rsvp::Tentative => theme::next(),
        Rsvp::Accepted => theme::now(),
    };
    let (account, stale) = match accounts {
        Some(w) => account_spans(agenda, m, w),
        None => (Vec::new(), false),
    };
    let (time_style, text_style) = match rsvp {
        _ if struck => (theme::declined_row(), theme::declined_row()),
        _ if stale => (theme::dim(), theme::dim()),
        Rsvp::NeedsAction => (Style::new(), theme::awaiting()),
        _ => (Style::new(), Style::new()),
    };
    let mut spans = vec![
        Span::styled("▌", Style::new().fg(color)),
        // A status is nobody's invitation: no answer to show.
        Span::styled(
            if m.event_type.is_meeting() {
                theme::rsvp_mark(rsvp)
            } else {
                " "
            },
            mark_style,
        ),
        // A scheduled join in the column between the answer and the time.
        Span::styled(
            if app.joins(m).is_some() {
                theme::JOIN_MARK
            } else {
                " "
            },
            theme::next(),
        ),
        Span::styled(time, time_style),
        Span::raw(" "),
        Span::styled(badge, badge_style),
        Span::raw(" "),
    ];
    spans.extend(account);
    let tag = match (mark, m.when) {
        (Mark::Now | Mark::Next, When::Timed { start, end }) => countdown(app.now, start, end),
        _ => None,
    };
    // The time and the countdown stay whole; the title gets what is left, cut with a `…`.
    // Countdowns end a column short of the edge, unless the title needs that column.
    let width = usize::from(width);
    let used: usize = spans.iter().map(Span::width).sum();
    let tag_width = tag.as_ref().map_or(0, |t| t.width());
    let title = ellipsize(&m.title, width.saturating_sub(used + tag_width + 1));
    let title_width = title.width();
    spans.push(Span::styled(title, text_style));
    if let Some(tag) = tag {
        let style = if mark == Mark::Now {
            theme::now()
        } else {
            theme::next()
        };
        let gap = width
            .saturating_sub(used + title_width + tag_width + 1)
            .max(1);
        spans.push(Span::raw(" ".repeat(gap)));
        spans.push(Span::styled(tag, style));
    }
    Line::from(spans)
}
#[cfg(test)]
mod tests {
    use super::{keep_in_view, viewport};
    use crate::view::{day_of, Row};
    use chrono::NaiveDate;

    #[test]
    fn scrolling_keeps_the_selection_visible_and_moves_little() {
        assert_eq!(keep_in_view(0, Some(3), 10, 100), 0);
        assert_eq!(keep_in_view(0, Some(12), 10, 100), 3);
        assert_eq!(keep_in_view(20, Some(15), 10, 100), 14);
        assert_eq!(keep_in_view(95, Some(99), 10, 100), 90);
        assert_eq!(keep_in_view(50, None, 10, 20), 10);
    }

    #[test]
    fn the_top_line_names_the_day_and_the_selection_stays_in_view() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        // A long day, a day with one meeting, and a short day.
        let mut rows = vec![Row::Day(day(23))];
        rows.extend((0..30).map(Row::Meeting));
        rows.extend([Row::Day(day(24)), Row::Meeting(30), Row::Day(day(25))]);
        rows.extend((31..34).map(Row::Meeting));
        let meetings: Vec<usize> = (0..rows.len())
            .filter(|&i| matches!(rows[i], Row::Meeting(_)))
            .collect();
        for height in 2..12 {
            let mut scroll = 0;
            // Down one by one, back up, then jumps to the ends.
            let path = meetings
                .iter()
                .chain(meetings.iter().rev())
                .chain([meetings.last().unwrap(), &meetings[0]]);
            for &sel in path {
                let (offset, pinned) = viewport(&rows, scroll, Some(sel), height);
                scroll = offset;
                let listed = offset..offset + height - usize::from(pinned.is_some());
                assert!(listed.contains(&sel), "{sel} in {listed:?} at {height}");
                let top = match rows[offset] {
                    Row::Day(d) => Some(d),
                    Row::Meeting(_) => pinned,
                };
                assert_eq!(top, day_of(&rows, offset), "{sel} at {height}");
            }
        }
        // Nothing to pin while the top row is a heading, or with room for one line only.
        assert_eq!(viewport(&rows, 0, Some(1), 10), (0, None));
        assert_eq!(viewport(&rows, 0, Some(12), 1), (12, None));
    }
}
