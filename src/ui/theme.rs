//! Colours and styles in one place, so the look can change without touching layout code.

use ratatui::style::{Color, Modifier, Style};

use crate::calendar::model::Rsvp;

/// One column per answer, told apart by shape as well as colour (and by a screen reader):
/// check mark, tilde, ballot x, question mark.
/// A meeting that is joined by itself one minute before it starts (one column wide).
pub const JOIN_MARK: &str = "⏵";

pub fn rsvp_mark(rsvp: Rsvp) -> &'static str {
    match rsvp {
        Rsvp::Accepted => "✓",
        Rsvp::Tentative => "~",
        Rsvp::Declined => "✗",
        Rsvp::NeedsAction => "?",
    }
}

pub fn day_heading() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn selected(focused: bool) -> Style {
    if focused {
        Style::new()
            .bg(Color::Blue)
            .fg(Color::White)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new().bg(Color::DarkGray)
    }
}

pub fn now() -> Style {
    Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
}

pub fn next() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn declined() -> Style {
    Style::new().fg(Color::Red)
}

/// An invitation awaiting the user's answer: it should catch the eye.
pub fn awaiting() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}

/// A meeting the user declined, when `show_declined = "dim"`: there, but out of the way.
pub fn declined_row() -> Style {
    Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::CROSSED_OUT)
}

/// The badge of an event that is not a meeting (out of office, focus time).
pub fn status_badge() -> Style {
    Style::new().fg(Color::LightCyan)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn label() -> Style {
    Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD)
}

pub fn link() -> Style {
    Style::new()
        .fg(Color::LightBlue)
        .add_modifier(Modifier::UNDERLINED)
}

pub fn error() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}

pub fn info() -> Style {
    Style::new().fg(Color::Black).bg(Color::Green)
}

pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

/// A calendar's `#rrggbb` colour; unknown or missing colours fall back to grey.
pub fn calendar_color(hex: Option<&str>) -> Color {
    hex.and_then(|h| {
        let h = h.strip_prefix('#')?;
        let v = u32::from_str_radix(h, 16).ok().filter(|_| h.len() == 6)?;
        Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
    })
    .unwrap_or(Color::Gray)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_google_hex_colours() {
        assert_eq!(
            calendar_color(Some("#4285f4")),
            Color::Rgb(0x42, 0x85, 0xf4)
        );
        assert_eq!(calendar_color(Some("blue")), Color::Gray);
        assert_eq!(calendar_color(Some("#12345")), Color::Gray);
        assert_eq!(calendar_color(None), Color::Gray);
    }
}
