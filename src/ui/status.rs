//! The bottom line: sync state (and an account whose part is stale), toasts, the filter
//! prompt, and where help lives.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme;
use chrono::{DateTime, Utc};

use crate::app::{App, Sync};
use crate::calendar::retry::{Cause, Retrying};
use crate::keymap::{Command, Mode};
use crate::timefmt::ago;
use crate::view::awaiting;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let left = if app.mode() == Mode::Filter {
        let key = |cmd| app.hint(Mode::Filter, cmd);
        Line::from(vec![
            Span::styled("/", theme::label()),
            Span::raw(app.filter.as_str()),
            Span::raw("▏"),
            Span::styled(
                format!(
                    "  {} keep · {} back",
                    key(Command::KeepFilter),
                    key(Command::Close)
                ),
                theme::dim(),
            ),
        ])
    } else if let Some(t) = &app.toast {
        let style = if t.error {
            theme::error()
        } else {
            theme::info()
        };
        Line::from(Span::styled(format!(" {} ", t.text), style))
    } else if let Some((_, retry, until)) = &app.retrying {
        retry_line(app, retry, *until)
    } else if let Some(w) = app.writes.values().next_back() {
        Line::from(format!("{} {}", spinner(app), w.label))
    } else {
        sync_line(app)
    };
    // Where help is open, the key that closes it.
    let (cmd, what) = match app.mode() {
        Mode::Help => (Command::Close, "close"),
        _ => (Command::Help, "help"),
    };
    let help = app
        .settings
        .keymap
        .first_key(app.mode(), cmd)
        .map(|k| format!("{k} {what}"))
        .unwrap_or_default();
    let right = format!(" {} · {help} ", app.settings.label);
    let right_width = right.chars().count() as u16;
    // The right part yields to the left when the terminal is narrow.
    let show_right = area.width > right_width + 20;
    let left_area = Rect {
        width: if show_right {
            area.width - right_width
        } else {
            area.width
        },
        ..area
    };
    frame.render_widget(Paragraph::new(left), left_area);
    if show_right {
        let r = Rect {
            x: area.x + area.width - right_width,
            width: right_width,
            ..area
        };
        frame.render_widget(Paragraph::new(Span::styled(right, theme::dim())), r);
    }
}

/// " · 2 awaiting answer (i: next)" while listed invitations await the user's answer.
fn awaiting_text(app: &App) -> String {
    let count = app.agenda.as_ref().map_or(0, |a| awaiting(a, &app.rows));
    if count == 0 {
        return String::new();
    }
    match app
        .settings
        .keymap
        .first_key(Mode::Agenda, Command::NextAwaiting)
    {
        Some(k) => format!(" · {count} awaiting answer ({k}: next)"),
        None => format!(" · {count} awaiting answer"),
    }
}

/// The spinner's current frame, for anything out at Google.
pub fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

/// "Google is rate limiting, retrying 2/5 in 4 s", counting down; marked offline when
/// there was no answer at all.
fn retry_line(app: &App, retry: &Retrying, until: DateTime<Utc>) -> Line<'static> {
    let secs = ((until - app.now).num_milliseconds().max(0) as u64).div_ceil(1000);
    let when = if secs > 0 {
        format!(" in {secs} s")
    } else {
        "…".to_string()
    };
    let text = format!(" {} {retry}{when}", spinner(app));
    match retry.cause {
        Cause::NoAnswer => Line::from(vec![
            Span::styled(" offline ", theme::error()),
            Span::raw(text),
        ]),
        _ => Line::from(text),
    }
}

fn sync_line(app: &App) -> Line<'static> {
    let age = app.agenda.as_ref().map(|a| ago(app.now, a.fetched_at));
    let mut filter = if app.filter.is_empty() {
        String::new()
    } else {
        format!(" · filter \u{201c}{}\u{201d}", app.filter)
    };
    filter.push_str(&awaiting_text(app));
    if app.following {
        filter.push_str(" · synced by meetty watch");
    }
    match (&app.sync, age) {
        (Sync::Refreshing { .. }, _) if app.following => Line::from(format!(
            "{} waiting for meetty watch…{filter}",
            spinner(app)
        )),
        (Sync::Refreshing { .. }, _) => Line::from(format!("{} refreshing…{filter}", spinner(app))),
        (Sync::Failed { error }, Some(age)) if error.is_offline() => Line::from(vec![
            Span::styled(" offline ", theme::error()),
            Span::raw(format!(" last updated {age}; r retries{filter}")),
        ]),
        (Sync::Failed { error }, age) => Line::from(vec![
            Span::styled(" refresh failed ", theme::error()),
            Span::raw(match age {
                Some(age) => format!(" {error} · last updated {age}"),
                None => format!(" {error}"),
            }),
        ]),
        // One account's trouble stays with it: the others' part is up to date.
        (Sync::Idle, Some(age)) => match app.account_trouble() {
            Some(trouble) => Line::from(vec![
                Span::styled(format!(" {trouble} "), theme::error()),
                Span::raw(format!(" updated {age}{filter}")),
            ]),
            None => Line::from(format!("updated {age}{filter}")),
        },
        (Sync::Idle, None) => Line::from(filter),
    }
}
