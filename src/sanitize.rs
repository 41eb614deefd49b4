//! Makes text written by other people safe to draw in a terminal.
//!
//! Titles, descriptions, locations and names come from whoever sent the invite, so they may
//! carry escape sequences (OSC 52 clipboard writes, cursor moves, window-title changes) or
//! bidi controls that reorder what is shown. Both entry points are a single O(n) pass that
//! cannot panic: escape sequences are parsed the way an ECMA-48 terminal would and dropped
//! whole, so their parameters never leak out as text either.

const ESC: char = '\x1b';
const BEL: char = '\x07';
const CAN: char = '\x18';
const SUB: char = '\x1a';
const C1_DCS: char = '\u{90}';
const C1_SOS: char = '\u{98}';
const C1_CSI: char = '\u{9b}';
const C1_ST: char = '\u{9c}';
const C1_OSC: char = '\u{9d}';
const C1_PM: char = '\u{9e}';
const C1_APC: char = '\u{9f}';

/// For one-line fields (titles, names, locations): escape sequences removed, every control
/// char (incl. `\n`, `\t`) becomes a single space, runs of whitespace collapsed, trimmed.
pub fn line(s: &str) -> String {
    if is_plain_line(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in Stripped::new(s) {
        if c.is_whitespace() || c.is_control() {
            // Leading gaps are dropped here, trailing ones by never being flushed.
            gap = !out.is_empty();
            continue;
        }
        if std::mem::take(&mut gap) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Printable ASCII with single inner spaces is already what `line` would produce; most
/// titles, names and addresses are, and skipping the char-by-char pass keeps a 2,500-event
/// page fast.
fn is_plain_line(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().all(|&c| (0x20..0x7f).contains(&c))
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !b.windows(2).any(|w| w == b"  ")
}

/// For multi-line text (descriptions): escape sequences removed; `\n` kept (`\r\n` and `\r`
/// become `\n`), a tab becomes four spaces, other controls are dropped; at most two
/// consecutive blank lines; trailing spaces and leading/trailing blank lines trimmed.
///
/// Tabs are expanded to a fixed four spaces rather than to tab stops: the text is wrapped
/// later by the UI, so the column a tab would start at is unknown here, and a terminal
/// would otherwise expand it to a width the layout did not account for.
pub fn block(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_lines = 0;
    let mut after_cr = false;
    for c in Stripped::new(s) {
        let was_cr = std::mem::replace(&mut after_cr, c == '\r');
        match c {
            '\n' if was_cr => {}
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                end_line(&mut out, &mut blank_lines)
            }
            '\t' => out.push_str("    "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.truncate(out.trim_end().len());
    out
}

fn end_line(out: &mut String, blank_lines: &mut u32) {
    let kept = out
        .trim_end_matches(|c: char| c != '\n' && c.is_whitespace())
        .len();
    out.truncate(kept);
    if out.is_empty() {
        return;
    }
    if out.ends_with('\n') {
        *blank_lines += 1;
        if *blank_lines > 2 {
            return;
        }
    } else {
        *blank_lines = 0;
    }
    out.push('\n');
}

/// Invisible format characters worth dropping: the Unicode `Bidi_Control` set (they can make
/// text display in a different order than it reads) plus zero-width spaces and the BOM,
/// which terminals disagree about the width of. ZWJ/ZWNJ stay: emoji sequences and some
/// scripts need them.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Ground,
    /// After ESC.
    Esc,
    /// ESC followed by intermediate bytes (0x20–0x2F), waiting for the final byte.
    EscIntermediate,
    /// Control sequence: parameters and intermediates until a final byte 0x40–0x7E.
    Csi,
    /// Operating system command: ends at BEL or ST.
    Osc,
    /// DCS, SOS, PM or APC string: ends at ST.
    Str,
}

/// The characters of a string with escape sequences and invisible format characters removed;
/// lone control characters are passed on for the caller to map.
struct Stripped<'a> {
    chars: std::str::Chars<'a>,
    state: State,
    /// A character that ended a malformed sequence and must be looked at again as text.
    pending: Option<char>,
}

impl<'a> Stripped<'a> {
    fn new(s: &'a str) -> Self {
        Self {
            chars: s.chars(),
            state: State::Ground,
            pending: None,
        }
    }

    /// Advances the parser by one char, returning it when it is text.
    fn step(&mut self, c: char) -> Option<char> {
        use State::*;
        self.state = match (self.state, c) {
            (Ground, ESC) => Esc,
            (Ground, C1_CSI) => Csi,
            (Ground, C1_OSC) => Osc,
            (Ground, C1_DCS | C1_SOS | C1_PM | C1_APC) => Str,
            (Ground, c) => return (!is_invisible_format(c)).then_some(c),
            (Esc, '[') => Csi,
            (Esc, ']') => Osc,
            (Esc, 'P' | 'X' | '^' | '_') => Str,
            (Esc | EscIntermediate, '\x20'..='\x2f') => EscIntermediate,
            // Includes ESC '\' (ST), which is how string sequences below end.
            (Esc | EscIntermediate, '\x30'..='\x7e') => Ground,
            (Csi, '\x20'..='\x3f') => Csi,
            (Csi, '\x40'..='\x7e') => Ground,
            (Osc, BEL) => Ground,
            (Osc | Str, C1_ST | CAN | SUB) => Ground,
            (Osc | Str, ESC) => Esc,
            (s @ (Osc | Str), _) => s,
            // A sequence broken by an unexpected char: the terminal abandons it, and the
            // char itself is handled as if no sequence had started.
            (Esc | EscIntermediate | Csi, c) => {
                self.pending = Some(c);
                Ground
            }
        };
        None
    }
}

impl Iterator for Stripped<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            let c = self.pending.take().or_else(|| self.chars.next())?;
            if let Some(text) = self.step(c) {
                return Some(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_strips_escape_sequences() {
        let cases = [
            ("\x1b]52;c;aGk=\x07Quarterly review", "Quarterly review"),
            ("\x1b]52;c;aGk=\x1b\\Quarterly review", "Quarterly review"),
            ("\x1b[2J\x1b[HStandup", "Standup"),
            ("\x1b[38;5;196mred\x1b[0m text", "red text"),
            ("\x1b[?1049hAlt screen", "Alt screen"),
            ("\u{9b}31mC1 red", "C1 red"),
            ("\u{9d}0;pwned\u{9c}Title", "Title"),
            ("\u{9d}0;pwned\x07Title", "Title"),
            ("\x1bPq#0;2;0;0;0#0~~\x1b\\after DCS", "after DCS"),
            ("\u{90}1$r\u{9c}after C1 DCS", "after C1 DCS"),
            ("\x1b_Ga=T,f=100;AAAA\x1b\\after APC", "after APC"),
            ("\x1bXsos text\x1b\\after SOS", "after SOS"),
            ("\x1b^pm text\x1b\\after PM", "after PM"),
            ("\u{9f}apc\u{9c}ok", "ok"),
            ("\x1b7saved\x1b8", "saved"),
            ("\x1b(Bascii\x1b#8", "ascii"),
            ("\x1b%Gutf", "utf"),
            (
                "\x1b]0;a\x1b[31mb\x07 still osc\x07after",
                "b still osc after",
            ),
            (
                "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
                "click",
            ),
            ("\x1b]0;never ends", ""),
            ("\x1bPnever ends\x07 either", ""),
            ("a\x1b]0;x\x18b", "ab"),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn line_handles_malformed_sequences() {
        let cases = [
            ("hi\x1b", "hi"),
            ("\x1b", ""),
            ("\x1b[", ""),
            ("\x1b[31", ""),
            ("\x1b\x1b[0mx", "x"),
            ("\x1b[31\x1b[0mX", "X"),
            ("\x1b\u{e9}t\u{e9}", "\u{e9}t\u{e9}"),
            ("\x1b[3\u{e9}", "\u{e9}"),
            ("\x1b[1\ntwo", "two"),
            ("\x1b(\u{e9}", "\u{e9}"),
            ("\u{9b}", ""),
            ("\u{9c}stray ST", "stray ST"),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn line_maps_controls_to_single_spaces() {
        let cases = [
            ("a\x07b\x08c", "a b c"),
            ("one\ntwo\r\nthree\tfour", "one two three four"),
            ("  padded \t ", "padded"),
            ("del\x7fchar", "del char"),
            ("nul\0byte", "nul byte"),
            ("c1\u{85}nel\u{8d}ri", "c1 nel ri"),
            ("wide\u{3000}space and\u{a0}nbsp", "wide space and nbsp"),
            ("many     spaces", "many spaces"),
            ("", ""),
            ("\n\t\r ", ""),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn line_drops_bidi_and_zero_width_but_keeps_printable_unicode() {
        let cases = [
            ("invoice\u{202e}fdp.exe", "invoicefdp.exe"),
            ("\u{2067}isolated\u{2069} text", "isolated text"),
            ("\u{200f}rlm\u{200e}lrm\u{61c}", "rlmlrm"),
            ("zero\u{200b}width\u{2060}join\u{feff}", "zerowidthjoin"),
            ("Caf\u{e9} r\u{e9}sum\u{e9}", "Caf\u{e9} r\u{e9}sum\u{e9}"),
            (
                "\u{4f1a}\u{8b70} \u{d68c}\u{c758}",
                "\u{4f1a}\u{8b70} \u{d68c}\u{c758}",
            ),
            // Family emoji (ZWJ sequence) and a flag must survive intact.
            (
                "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} \u{1f1eb}\u{1f1f7}",
                "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} \u{1f1eb}\u{1f1f7}",
            ),
            ("\u{2764}\u{fe0f} thanks", "\u{2764}\u{fe0f} thanks"),
            (
                "\u{5e9}\u{5dc}\u{5d5}\u{5dd}",
                "\u{5e9}\u{5dc}\u{5d5}\u{5dd}",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn block_normalises_lines() {
        let cases = [
            ("a\r\nb\rc\nd", "a\nb\nc\nd"),
            ("a\r\n\r\nb", "a\n\nb"),
            ("col\tcol", "col    col"),
            ("trailing   \nspaces\t\n", "trailing\nspaces"),
            ("a\n\n\n\n\n\nb", "a\n\n\nb"),
            ("a\n \n\t\n  \n \nb", "a\n\n\nb"),
            ("\n\n\nleading blank lines", "leading blank lines"),
            ("  indented\n    more", "  indented\n    more"),
            ("bell\x07 and\x08 bs\x7f", "bell and bs"),
            ("\x1b[2J\x1b[Hclean\n\x1b]52;c;aGk=\x07line", "clean\nline"),
            ("sep\u{2028}line\u{85}nel", "sep\nline\nnel"),
            ("end\n\n\n", "end"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(block(input), want, "input {input:?}");
        }
    }

    #[test]
    fn block_output_has_no_controls_but_newlines() {
        let input: String = (0u32..0x300).filter_map(char::from_u32).collect();
        for out in [block(&input), block(&input.repeat(3))] {
            assert!(out.chars().all(|c| c == '\n' || !c.is_control()), "{out:?}");
        }
    }

    #[test]
    fn adversarial_inputs_do_not_panic_and_stay_clean() {
        let big_osc = format!("ok\x1b]52;c;{}", "A".repeat(100_000));
        assert_eq!(line(&big_osc), "ok");
        let big_csi = format!("\x1b[{}mdone", "1;".repeat(50_000));
        assert_eq!(line(&big_csi), "done");
        let many_escapes = "\x1b[\x1b]\x1bP\x1b\\\u{9b}\u{9d}x\x07".repeat(10_000);
        assert!(line(&many_escapes).chars().all(|c| !c.is_control()));
        let lone_escs = "\x1b".repeat(100_000);
        assert_eq!(line(&lone_escs), "");
        assert_eq!(block(&lone_escs), "");
        let text = "word \u{e9}\u{1f600}\n".repeat(10_000);
        assert_eq!(
            line(&text).len(),
            "word \u{e9}\u{1f600} ".len() * 10_000 - 1
        );
        assert_eq!(block(&text), text.trim_end());
        // Every 2-char combination of interesting chars, to shake out state-machine holes.
        let alphabet = [
            ESC, BEL, CAN, '[', ']', 'P', '\\', '_', '0', 'm', ';', '\n', '\u{e9}', C1_CSI, C1_ST,
            C1_OSC, C1_DCS,
        ];
        for a in alphabet {
            for b in alphabet {
                let s: String = [a, b, 'z'].iter().collect();
                assert!(line(&s).chars().all(|c| !c.is_control()), "{s:?}");
                assert!(block(&s).chars().all(|c| c == '\n' || !c.is_control()));
            }
        }
    }
}
