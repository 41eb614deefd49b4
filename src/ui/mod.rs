//! Rendering: pure functions of [`App`] into a ratatui frame.

mod agenda;
mod confirm;
mod details;
mod dialog;
mod form;
mod help;
mod status;
pub mod svg;
mod theme;

use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::app::{App, Mode, Pane};

/// Below this width the panes take turns (Tab switches) instead of sharing the screen.
const SIDE_BY_SIDE_MIN_WIDTH: u16 = 90;

pub fn draw(frame: &mut Frame, app: &App) {
    let [main, status_line] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    if app.settings.first_run {
        dialog::welcome(frame, main);
    } else if main.width >= SIDE_BY_SIDE_MIN_WIDTH {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(main);
        agenda::render(frame, left, app);
        match app.visible_form() {
            Some(f) => form::render(frame, right, f, status::spinner(app)),
            None => details::render(frame, right, app),
        }
    } else if let Some(f) = app.visible_form() {
        form::render(frame, main, f, status::spinner(app));
    } else if app.focus == Pane::Details {
        details::render(frame, main, app);
    } else {
        agenda::render(frame, main, app);
    }
    status::render(frame, status_line, app);
    match (app.mode, &app.sign_in, &app.confirm) {
        (Mode::Help, ..) => help::render(frame, app),
        (Mode::SignIn, Some(d), _) => dialog::sign_in(frame, d),
        (Mode::Picker, ..) => form::picker(frame, app),
        (Mode::Confirm, _, Some(c)) => confirm::render(frame, c),
        _ => {}
    }
    crate::sanitize::settle_wide_cells(frame.buffer_mut());
}

/// Draws `para` in a box of at most `width`×`height`, centred over whatever is below.
fn popup(frame: &mut Frame, para: Paragraph, width: u16, height: u16) {
    let area = frame.area();
    let popup = area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(para, popup);
}
