//! A rendered frame as an SVG image: the screenshots in `screenshots/` come from the same
//! buffer the terminal would get, never from a drawing made by hand.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 18.0;
const FOREGROUND: &str = "#d8dee9";
const BACKGROUND: &str = "#1d2029";

/// The xterm-like palette for the 16 named colours.
fn hex(c: Color) -> Option<String> {
    let named = match c {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => return Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => return Some(format!("#{0:02x}{0:02x}{0:02x}", i)),
        Color::Black => "#2e3440",
        Color::Red => "#e06c75",
        Color::Green => "#98c379",
        Color::Yellow => "#e5c07b",
        Color::Blue => "#3b6ea8",
        Color::Magenta => "#c678dd",
        Color::Cyan => "#56b6c2",
        Color::Gray => "#abb2bf",
        Color::DarkGray => "#4b5263",
        Color::LightRed => "#ff7b86",
        Color::LightGreen => "#b5e890",
        Color::LightYellow => "#ffd68a",
        Color::LightBlue => "#7fb4ff",
        Color::LightMagenta => "#e39af5",
        Color::LightCyan => "#7fdbe6",
        Color::White => "#ffffff",
    };
    Some(named.to_string())
}

fn escape(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

pub fn buffer_to_svg(buf: &Buffer) -> String {
    let area = buf.area;
    let (w, h) = (
        f32::from(area.width) * CELL_W,
        f32::from(area.height) * CELL_H,
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.1} {h:.1}\" font-family=\"'DejaVu Sans Mono','Menlo','Consolas',monospace\" \
         font-size=\"14\">\n<rect width=\"100%\" height=\"100%\" fill=\"{BACKGROUND}\"/>\n"
    );
    for y in 0..area.height {
        let top = f32::from(y) * CELL_H;
        for x in 0..area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let bg = if reversed {
                hex(cell.fg).or(Some(FOREGROUND.into()))
            } else {
                hex(cell.bg)
            };
            if let Some(bg) = bg {
                let _ = writeln!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{CELL_H}\" fill=\"{bg}\"/>",
                    f32::from(x) * CELL_W,
                    CELL_W + 0.3
                );
            }
        }
        for x in 0..area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let sym = cell.symbol();
            if sym.trim().is_empty() {
                continue;
            }
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let fg = if reversed {
                hex(cell.bg).unwrap_or(BACKGROUND.into())
            } else {
                hex(cell.fg).unwrap_or(FOREGROUND.into())
            };
            let mut attrs = format!("fill=\"{fg}\"");
            if cell.modifier.contains(Modifier::BOLD) {
                attrs.push_str(" font-weight=\"bold\"");
            }
            if cell.modifier.contains(Modifier::UNDERLINED) {
                attrs.push_str(" text-decoration=\"underline\"");
            }
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" {attrs}>",
                f32::from(x) * CELL_W,
                top + CELL_H * 0.75
            );
            escape(sym, &mut out);
            out.push_str("</text>\n");
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn cells_become_positioned_escaped_text() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.set_string(0, 0, "<a&", Style::new().fg(Color::Red).bg(Color::Blue));
        let svg = buffer_to_svg(&buf);
        assert!(
            svg.contains("<text x=\"0.0\" y=\"13.5\" fill=\"#e06c75\">&lt;</text>"),
            "{svg}"
        );
        assert!(svg.contains(">&amp;</text>"));
        assert!(svg.contains("fill=\"#3b6ea8\""));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }
}
