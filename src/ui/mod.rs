//! Rendering: pure functions of [`App`] into a ratatui frame.

mod agenda;
mod answer;
mod confirm;
mod details;
mod dialog;
mod find_time;
mod fit;
mod form;
mod help;
mod join_mark;
mod links;
mod status;
pub mod svg;
mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::{App, Overlay, Pane};

/// Below this width the panes take turns (Tab switches) instead of sharing the screen.
const SIDE_BY_SIDE_MIN_WIDTH: u16 = 90;

pub fn draw(frame: &mut Frame, app: &App) {
    let [main, status_line] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    if app.settings.first_run {
        dialog::welcome(frame, main, app);
    } else if main.width >= SIDE_BY_SIDE_MIN_WIDTH {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(main);
        agenda::render(frame, left, app);
        match app.visible_form() {
            Some(f) => form::render(frame, right, app, f),
            None => details::render(frame, right, app),
        }
    } else if let Some(f) = app.visible_form() {
        form::render(frame, main, app, f);
    } else if app.focus == Pane::Details {
        details::render(frame, main, app);
    } else {
        agenda::render(frame, main, app);
    }
    status::render(frame, status_line, app);
    // Every dialog, bottom first: help over find a time leaves the grid under it.
    for overlay in app.screen.overlays() {
        match (overlay, &app.sign_in) {
            (Overlay::Help { scroll }, _) => help::render(frame, app, *scroll),
            (Overlay::SignIn, Some(d)) => dialog::sign_in(frame, app, d),
            (Overlay::Picker { selected }, _) => form::picker(frame, app, *selected),
            (Overlay::Confirm(c), _) => confirm::render(frame, app, c),
            (Overlay::FindTime(view), _) => find_time::render(frame, app, view),
            (Overlay::LinkPicker(picker), _) => form::link_picker(frame, app, picker),
            (Overlay::Answer(d), _) => answer::render(frame, app, d),
            (Overlay::JoinMark(ask), _) => join_mark::render(frame, app, ask),
            (Overlay::Links(list), _) => links::render(frame, app, list),
            _ => {}
        }
    }
    crate::sanitize::settle_wide_cells(frame.buffer_mut());
}

/// Where dialogs go: over the panes, never over the status line.
fn dialog_area(frame: &Frame) -> Rect {
    let full = frame.area();
    Rect {
        height: full.height.saturating_sub(1).max(1),
        ..full
    }
}

/// Draws `para` in a box of at most `width`×`height`, centred over whatever is below; returns
/// the box.
/// A question dialog: `lines` wrapped in a box at most 64 columns wide, as tall as they need.
fn dialog(frame: &mut Frame, lines: Vec<Line<'static>>, title: &str) {
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
    popup(frame, para, width, text as u16 + 2);
}

fn popup(frame: &mut Frame, para: Paragraph, width: u16, height: u16) -> Rect {
    let area = dialog_area(frame);
    let popup = area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(para, popup);
    popup
}
