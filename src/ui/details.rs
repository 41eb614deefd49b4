//! The details pane: everything about the selected meeting, wrapped and scrollable.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::fit::ellipsize;
use super::theme;
use crate::app::{dial_in_shown, App, Joins, Pane};
use crate::calendar::model::{Agenda, Attendee, Meeting, Rsvp, When};
use crate::config::AutoJoin;
use crate::keymap::{Command, Mode};
use crate::sanitize;
use crate::timefmt::{ago, clock, clock_range, date_label, local_date};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Details;
    let block = Block::bordered()
        .title(" Details ")
        .border_style(theme::border(focused));
    let Some(m) = app.selected_meeting() else {
        let hint = Paragraph::new("Select a meeting to see its details.").block(block);
        frame.render_widget(hint, area);
        return;
    };
    let inner = block.inner(area);
    let para = Paragraph::new(lines(app, m, inner.width.into())).wrap(Wrap { trim: false });
    // Rows after wrapping, so the end of a long description can be reached and no further.
    let rows = para.line_count(inner.width);
    let max = rows
        .saturating_sub(usize::from(inner.height))
        .min(usize::from(u16::MAX)) as u16;
    app.details_max.set(max);
    let scroll = app.details_scroll.min(max);
    frame.render_widget(block, area);
    frame.render_widget(para.scroll((scroll, 0)), inner);
}

fn field<'a>(name: &'static str, value: impl Into<Span<'a>>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{name:<LABEL_WIDTH$}"), theme::label()),
        value.into(),
    ])
}

fn when_text(app: &App, m: &Meeting) -> String {
    let tz = app.settings.tz;
    let today = local_date(app.now, tz);
    match m.when {
        When::Timed { start, end } => {
            let start_day = local_date(start, tz);
            let end_day = local_date(end, tz);
            let times = if end_day == start_day {
                clock_range(start, end, tz)
            } else {
                let end_text = format!("{} {}", date_label(end_day, today), clock(end, tz));
                format!("{}–{end_text}", clock(start, tz))
            };
            format!("{} {times} ({})", date_label(start_day, today), tz.name())
        }
        When::AllDay { start, end } => {
            let last = end.pred_opt().unwrap_or(end);
            if last == start {
                format!("{} (all day)", date_label(start, today))
            } else {
                format!(
                    "{} – {} (all day)",
                    date_label(start, today),
                    date_label(last, today)
                )
            }
        }
    }
}

/// Where the labels end: values start in this column.
const LABEL_WIDTH: usize = 10;

/// The meeting's account in an agenda of several accounts (with one, the details are as
/// they always were, like the rows without their label column), why it is stale, and the
/// other accounts whose calendars have the event too, each with that account's answer
/// where it differs. E-mails and labels come from the config as typed: sanitized.
fn account_lines(app: &App, agenda: &Agenda, m: &Meeting) -> Vec<Line<'static>> {
    let Some(account) = agenda.account_of(m).filter(|_| agenda.accounts.len() > 1) else {
        return Vec::new();
    };
    let mut out = vec![Line::from(vec![
        Span::styled(format!("{:<LABEL_WIDTH$}", "Account"), theme::label()),
        Span::raw(sanitize::line(&account.email)),
        Span::styled(
            format!(" ({})", sanitize::line(&account.label)),
            theme::dim(),
        ),
    ])];
    if let Some(why) = &account.stale {
        let age = ago(app.now, account.fetched_at);
        out.push(field(
            "",
            Span::styled(format!("! stale, as of {age}: {why}"), theme::error()),
        ));
    }
    let mut seen = vec![m.account];
    for copy in agenda.copies_of(m) {
        if seen.contains(&copy.account) {
            continue;
        }
        seen.push(copy.account);
        let Some(other) = agenda.account_of(copy) else {
            continue;
        };
        let mut spans = vec![
            Span::styled(format!("{:<LABEL_WIDTH$}", "Also on"), theme::label()),
            Span::raw(sanitize::line(&other.email)),
        ];
        if copy.my_rsvp() != m.my_rsvp() {
            let (words, style) = answer_words(copy);
            spans.push(Span::styled(format!(" · {words} there"), style));
        }
        out.push(Line::from(spans));
    }
    out
}

/// The links besides the primary one, each on a line cut to `width` (the links list, `L`,
/// has them whole).
fn other_link_lines(app: &App, m: &Meeting, width: usize) -> Vec<Line<'static>> {
    if m.other_links.is_empty() {
        return Vec::new();
    }
    let room = width.saturating_sub(LABEL_WIDTH);
    let mut out: Vec<Line> = m
        .other_links
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let short = v
                .url
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            let text = format!("{} {short}", v.provider.name());
            let label = if i == 0 { "Also" } else { "" };
            field(label, ellipsize(&text, room).into_owned())
        })
        .collect();
    let key = app.hint(Mode::Agenda, Command::Links);
    out.push(field(
        "",
        Span::styled(format!("{key}: copy or open any of them"), theme::dim()),
    ));
    out
}

fn lines<'a>(app: &'a App, m: &'a Meeting, width: usize) -> Vec<Line<'a>> {
    let mut out = vec![
        Line::styled(m.title.as_str(), Style::new().add_modifier(Modifier::BOLD)),
        field("When", when_text(app, m)),
    ];
    if let Some(agenda) = &app.agenda {
        out.extend(account_lines(app, agenda, m));
    }
    if let Some(cal) = app.agenda.as_ref().and_then(|a| a.calendar_of(m)) {
        let dot = Span::styled(
            "● ",
            Style::new().fg(theme::calendar_color(cal.color.as_deref())),
        );
        out.push(Line::from(vec![
            Span::styled(format!("{:<10}", "Calendar"), theme::label()),
            dot,
            Span::raw(cal.name.as_str()),
        ]));
    }
    if let Some(o) = &m.organizer {
        out.push(field("Organizer", o.label()));
    }
    match m.event_type.badge() {
        Some((_, kind)) => out.push(field("Type", Span::styled(kind, theme::status_badge()))),
        None => out.push(answer_line(m)),
    }
    match &m.video {
        Some(v) => {
            out.push(field("Video", format!("{} ", v.provider.name())));
            out.push(Line::from(Span::styled(v.url.as_str(), theme::link())));
        }
        None => out.push(field("Video", Span::styled("no video link", theme::dim()))),
    }
    out.extend(other_link_lines(app, m, width));
    if let Some(joins) = app.joins(m) {
        out.push(join_line(app, joins));
    }
    for d in &m.dial_in {
        out.push(field("Dial-in", dial_in_shown(d)));
    }
    if let Some(a) = &m.access {
        if let Some(id) = &a.meeting_id {
            out.push(field("ID", id.as_str()));
        }
        if let Some(passcode) = m.passcode_not_dialled() {
            out.push(field("Passcode", passcode));
        }
    }
    if !m.location.is_empty() {
        out.push(field("Location", m.location.as_str()));
    }
    if !m.attendees.is_empty() {
        out.push(Line::default());
        out.push(Line::styled(attendee_summary(&m.attendees), theme::label()));
        out.extend(m.attendees.iter().map(attendee_line));
    }
    if !m.description.is_empty() {
        out.push(Line::default());
        out.extend(m.description.lines().map(Line::raw));
    }
    out
}

/// "Joins by itself 1 min before (every occurrence)", and why it will not while
/// `auto_join` is off.
fn join_line(app: &App, joins: Joins) -> Line<'static> {
    let which = match joins {
        Joins::Occurrence => "this occurrence",
        Joins::Series => "every occurrence",
        Joins::All => "auto_join = \"all\"",
    };
    let mut spans = vec![
        Span::styled(format!("{:<10}", "Join"), theme::label()),
        Span::styled(
            format!("{} by itself 1 min before ({which})", theme::JOIN_MARK),
            theme::next(),
        ),
    ];
    if app.settings.auto_join == AutoJoin::Off {
        spans.push(Span::styled(
            format!(
                " · off until auto_join = \"marked\" in {}",
                app.settings.config_file
            ),
            theme::dim(),
        ));
    }
    Line::from(spans)
}

/// The user's own answer on `m`'s copy, in words, and its style.
fn answer_words(m: &Meeting) -> (&'static str, Style) {
    match m.my_rsvp() {
        Rsvp::Accepted if m.i_organize => ("accepted (you organize it)", theme::now()),
        Rsvp::Accepted => ("accepted", theme::now()),
        Rsvp::Tentative => ("maybe", theme::next()),
        Rsvp::Declined => ("declined", theme::declined()),
        Rsvp::NeedsAction => ("awaiting your answer", theme::awaiting()),
    }
}

/// The user's own answer, in words (the agenda row has only its mark).
fn answer_line(m: &Meeting) -> Line<'static> {
    let (words, style) = answer_words(m);
    Line::from(vec![
        Span::styled(format!("{:<LABEL_WIDTH$}", "You"), theme::label()),
        Span::styled(format!("{} {words}", theme::rsvp_mark(m.my_rsvp())), style),
    ])
}

fn attendee_summary(list: &[Attendee]) -> String {
    let count = |r| list.iter().filter(|a| a.rsvp == r).count();
    format!(
        "Guests ({}): {} yes, {} no, {} maybe, {} awaiting",
        list.len(),
        count(Rsvp::Accepted),
        count(Rsvp::Declined),
        count(Rsvp::Tentative),
        count(Rsvp::NeedsAction)
    )
}

fn attendee_line(a: &Attendee) -> Line<'_> {
    let style = match a.rsvp {
        Rsvp::Accepted => theme::now(),
        Rsvp::Declined => theme::declined(),
        Rsvp::Tentative => theme::next(),
        Rsvp::NeedsAction => theme::dim(),
    };
    let mark = theme::rsvp_mark(a.rsvp);
    let mut spans = vec![
        Span::styled(mark, style),
        Span::raw(" "),
        Span::raw(a.person.label()),
    ];
    if !a.person.name.is_empty() && !a.person.email.is_empty() {
        spans.push(Span::styled(format!(" <{}>", a.person.email), theme::dim()));
    }
    let notes = [
        (a.organizer, " organizer"),
        (a.is_self, " (you)"),
        (a.optional, " optional"),
    ];
    for (on, text) in notes {
        if on {
            spans.push(Span::styled(text, theme::dim()));
        }
    }
    Line::from(spans)
}
