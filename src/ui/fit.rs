//! Making text fit a width the way the terminal counts it: word wrap for notes and help,
//! and a cut that ends in `…` for one-line rows. Both go by display width and by grapheme
//! (ratatui's own segmentation), so a CJK character or an emoji sequence is never split and
//! never runs past the edge. What still does not fit scrolls, and says so with arrows on the
//! border beside it.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthStr;

/// `text` in at most `room` columns; when it does not fit, as much as fits before a `…`.
pub fn ellipsize(text: &str, room: usize) -> Cow<'_, str> {
    if text.width() <= room {
        return Cow::Borrowed(text);
    }
    if room == 0 {
        return Cow::Borrowed("");
    }
    let mut cut = String::new();
    let mut used = 0;
    let span = Span::raw(text);
    for g in span.styled_graphemes(Style::new()) {
        let w = g.symbol.width();
        if used + w > room - 1 {
            break;
        }
        used += w;
        cut.push_str(g.symbol);
    }
    // "Quick sync with…", not "Quick sync with …".
    let mut cut = cut.trim_end().to_string();
    cut.push('…');
    Cow::Owned(cut)
}

/// Greedy word wrap to `width` columns (at least 8); a word longer than a line is cut
/// between graphemes.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = vec![String::new()];
    for word in text.split_inclusive(' ') {
        let line = lines.last_mut().expect("never empty");
        if word.trim_end().width() <= width.saturating_sub(line.width()) {
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(String::new());
        }
        let span = Span::raw(word);
        for g in span.styled_graphemes(Style::new()) {
            let line = lines.last_mut().expect("never empty");
            // A space may hang past the edge: it shows as nothing.
            if g.symbol != " " && line.width() + g.symbol.width() > width {
                lines.push(String::new());
            }
            lines.last_mut().expect("never empty").push_str(g.symbol);
        }
    }
    lines
}

/// Arrows in `column` (a border beside scrolled text): `↑` at its top when rows are hidden
/// above (`scroll > 0`), `↓` at its bottom when rows are hidden below (`scroll < max`).
pub fn scroll_marks(buf: &mut Buffer, column: Rect, scroll: usize, max: usize) {
    let column = column.intersection(buf.area);
    if column.is_empty() {
        return;
    }
    let (above, below) = (scroll > 0, scroll < max);
    let (top, bottom) = (column.y, column.bottom() - 1);
    if top == bottom && above && below {
        buf[(column.x, top)].set_symbol("↕");
        return;
    }
    if above {
        buf[(column.x, top)].set_symbol("↑");
    }
    if below {
        buf[(column.x, bottom)].set_symbol("↓");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_ends_in_an_ellipsis_and_never_splits_a_wide_character() {
        assert_eq!(ellipsize("Design review", 20), "Design review");
        assert_eq!(ellipsize("Design review", 13), "Design review");
        assert_eq!(ellipsize("Design review", 12), "Design revi…");
        assert_eq!(ellipsize("Quick sync with 東京", 17), "Quick sync with…");
        // Each of these takes two columns: 5 columns hold two and the ellipsis.
        assert_eq!(ellipsize("東京オフィス", 6), "東京…");
        assert_eq!(ellipsize("東京オフィス", 5), "東京…");
        assert_eq!(ellipsize("東京オフィス", 1), "…");
        assert_eq!(ellipsize("東京オフィス", 0), "");
        // An emoji sequence is one grapheme: kept whole or left out whole.
        assert_eq!(ellipsize("👩\u{200d}💻 pairing", 3), "👩\u{200d}💻…");
        assert_eq!(ellipsize("👩\u{200d}💻 pairing", 2), "…");
        for room in 0..30 {
            let cut = ellipsize("週次ミーティング 🏳️‍🌈 with Acme", room);
            assert!(cut.width() <= room, "{cut:?} in {room}");
        }
    }

    #[test]
    fn wrapping_breaks_between_words_and_cuts_long_words_by_width() {
        assert_eq!(
            wrap("You need to have writer access to this calendar.", 20),
            ["You need to have ", "writer access to ", "this calendar."]
        );
        assert_eq!(wrap("", 20), [""]);
        assert_eq!(wrap("abcdefghijkl", 8), ["abcdefgh", "ijkl"]);
        assert_eq!(
            wrap("会議室の予約がありません", 9),
            ["会議室の", "予約があ", "りません"]
        );
        for line in wrap(
            "https://meet.google.com/abc-defg-hij?authuser=me 東京 x",
            10,
        ) {
            assert!(line.trim_end().width() <= 10, "{line:?}");
        }
    }
}
