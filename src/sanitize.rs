//! Makes text safe to draw in a terminal, and what the user typed safe to send to Google.
//!
//! Titles, descriptions, locations and names come from whoever sent the invite, so they may
//! carry escape sequences (OSC 52 clipboard writes, cursor moves, window-title changes), bidi
//! controls that reorder what is shown, or invisible characters that make the terminal lay a
//! row out differently from meetty. Escape sequences are parsed the way an ECMA-48 terminal
//! would and dropped whole, so their parameters never leak out as text either.
//!
//! Columns: ratatui gives each grapheme the width unicode-width computes, while a terminal
//! such as tmux 3.3a advances code point by code point: a zero-width code point joins the
//! cell before it, and after a ZERO WIDTH JOINER the next non-ASCII code point joins it too,
//! even one drawn much later, such as a border. Where the two disagree, every later cell of
//! the row lands in the wrong column. So format and default-ignorable characters are dropped;
//! joiners, variation selectors and tags stay only inside emoji sequences both count alike; a
//! combining mark with nothing to sit on is dropped; and skin-tone modifiers, which such a
//! terminal draws as a second wide character, are left out of what is shown (not of what is
//! sent). What cannot be settled here is listed in `columns_agree`.
//!
//! Every entry point takes time linear in its input (escapes, then characters, then
//! graphemes) and cannot panic.

use ratatui::buffer::{Buffer, CellWidth};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

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

const ZWJ: char = '\u{200d}';
const VS15: char = '\u{fe0e}';
const VS16: char = '\u{fe0f}';
/// The only base of emoji tag sequences (the flags of England, Scotland and Wales).
const BLACK_FLAG: char = '\u{1f3f4}';
const CANCEL_TAG: char = '\u{e007f}';
/// The longest emoji ZWJ sequences (families, couples kissing) join four emoji with three ZWJs.
const MAX_JOINS: usize = 3;
/// A subdivision flag is its country and region in at most six tag letters, then the cancel
/// tag; a longer run is not a flag.
const MAX_TAGS: usize = 7;

/// For one-line fields (titles, names, locations): escape sequences and invisible characters
/// removed, every control char (incl. `\n`, `\t`) becomes a single space, runs of whitespace
/// collapsed, trimmed.
pub fn line(s: &str) -> String {
    if is_plain_line(s) {
        return s.to_owned();
    }
    clean_line(s, Purpose::Show).text
}

/// The longest start of `s` that takes at most `columns` as ratatui draws it, cut between
/// graphemes: a cut inside one (after an emoji's ZWJ) would leave the terminal joining
/// whatever it draws next, a border for instance, to that cell.
pub fn fit(s: &str, columns: usize) -> &str {
    let mut left = columns;
    let end = s
        .grapheme_indices(true)
        .find_map(
            |(i, g)| match left.checked_sub(usize::from(g.cell_width())) {
                Some(rest) => {
                    left = rest;
                    None
                }
                None => Some(i),
            },
        )
        .unwrap_or(s.len());
    &s[..end]
}

/// Blanks every wide cell of a finished frame whose hidden columns something else was drawn
/// into, or that runs past the end of its row. ratatui never writes the columns a wide cell
/// covers, so what was drawn there (a border next to the last column of a wrapped line, where
/// ratatui's word wrap can put a two-column grapheme; a popup's edge) would never reach the
/// terminal, which would show the wide grapheme across it instead.
pub fn settle_wide_cells(buf: &mut Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let width = buf[(x, y)].cell_width();
            let end = x.saturating_add(width);
            let covered = (x + 1..end.min(area.right())).any(|h| buf[(h, y)].symbol() != " ");
            if width > 1 && (end > area.right() || covered) {
                buf[(x, y)].set_symbol(" ");
            }
        }
    }
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

/// For multi-line text (descriptions): escape sequences and invisible characters removed;
/// `\n` kept (`\r\n` and `\r` become `\n`), a tab becomes four spaces, other controls are
/// dropped; at most two consecutive blank lines; trailing spaces and leading/trailing blank
/// lines trimmed.
///
/// Tabs are expanded to a fixed four spaces rather than to tab stops: the text is wrapped
/// later by the UI, so the column a tab would start at is unknown here, and a terminal
/// would otherwise expand it to a width the layout did not account for.
pub fn block(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_lines = 0;
    let mut after_cr = false;
    let keep = |c: char| is_line_break(c) || c == '\t';
    pieces(s, Purpose::Show, keep, |p| match p {
        Piece::Blank(c) => {
            let was_cr = std::mem::replace(&mut after_cr, c == '\r');
            match c {
                '\n' if was_cr => {}
                c if is_line_break(c) => end_line(&mut out, &mut blank_lines),
                '\t' => out.push_str("    "),
                c => out.push(c),
            }
        }
        Piece::Text(t) => {
            after_cr = false;
            out.push_str(t);
        }
    });
    out.truncate(out.trim_end().len());
    out
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
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

/// Text the user typed, cleaned for sending, and whether anything had to be removed (so the
/// user can be told).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    pub text: String,
    /// An escape sequence, a control character or an invisible character was dropped.
    pub removed: bool,
}

/// A one-line value the user typed (a title, a guest, a template value), as it goes to
/// Google: what [`line`] removes is removed, but emoji are kept whole (skin tones too); a
/// tab or line break becomes a space without counting as removed.
pub fn typed_line(s: &str) -> Typed {
    if is_plain_line(s) {
        return Typed {
            text: s.to_owned(),
            removed: false,
        };
    }
    clean_line(s, Purpose::Send)
}

/// A description the user typed, as it goes to Google: escape sequences, invisible
/// characters and controls removed, but line breaks (`\r\n` and `\r` become `\n`) and tabs
/// kept as typed, and nothing else reflowed.
pub fn typed_block(s: &str) -> Typed {
    let mut text = String::with_capacity(s.len());
    let mut after_cr = false;
    let keep = |c: char| matches!(c, '\r' | '\n' | '\t');
    let removed = pieces(s, Purpose::Send, keep, |p| {
        let c = match p {
            Piece::Text(t) => {
                after_cr = false;
                return text.push_str(t);
            }
            Piece::Blank(c) => c,
        };
        let was_cr = std::mem::replace(&mut after_cr, c == '\r');
        match c {
            '\n' if was_cr => {}
            '\r' => text.push('\n'),
            c => text.push(c),
        }
    });
    Typed { text, removed }
}

fn clean_line(s: &str, purpose: Purpose) -> Typed {
    let mut text = String::with_capacity(s.len());
    let mut control = false;
    let mut gap = false;
    let removed = pieces(
        s,
        purpose,
        |_| true,
        |p| match p {
            Piece::Blank(c) => {
                control |= c.is_control() && !matches!(c, '\t' | '\n' | '\r');
                // Leading gaps are dropped here, trailing ones by never being flushed.
                gap = !text.is_empty();
            }
            Piece::Text("") => {}
            Piece::Text(t) => {
                if std::mem::take(&mut gap) {
                    text.push(' ');
                }
                text.push_str(t);
            }
        },
    );
    Typed {
        text,
        removed: removed || control,
    }
}

/// Who the text is for, which decides how strict the emoji rules are.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Purpose {
    /// Drawn by meetty: every grapheme must take the columns ratatui counts for it.
    Show,
    /// Sent to Google: what the user typed, minus what is never text.
    Send,
}

/// A step of the cleaned text.
enum Piece<'a> {
    /// A whitespace or control character, for the caller to map.
    Blank(char),
    /// One grapheme, cleaned; may be empty when nothing of it was kept.
    Text(&'a str),
}

/// Feeds `f` the text of `s` with escape sequences removed, then format and default-ignorable
/// characters and the controls `keep_control` refuses, then each grapheme cleaned by
/// [`clean_grapheme`]. Characters are dropped before the text is split into graphemes, so
/// neighbours that meet where something was dropped are judged together, as ratatui will
/// see them. True when anything was dropped.
fn pieces(
    s: &str,
    purpose: Purpose,
    keep_control: impl Fn(char) -> bool,
    mut f: impl FnMut(Piece),
) -> bool {
    let mut removed = false;
    let mut stripped = Stripped::new(s);
    let mut text = String::with_capacity(s.len());
    for c in stripped.by_ref() {
        let kept = if c.is_control() {
            keep_control(c)
        } else {
            !is_invisible(c) || is_emoji_part(c)
        };
        if kept {
            text.push(c);
        } else {
            removed = true;
        }
    }
    removed |= stripped.removed;
    if text.is_ascii() {
        // No marks, joiners or wide characters: every char is its own grapheme.
        for (i, c) in text.char_indices() {
            match c {
                ' ' | '\0'..='\x1f' | '\x7f' => f(Piece::Blank(c)),
                _ => f(Piece::Text(&text[i..i + 1])),
            }
        }
        return removed;
    }
    let mut cleaned = String::new();
    let mut after_blank = false;
    for g in text.graphemes(true) {
        // A grapheme led by whitespace or a control is only that char (GB4, GB5), a space
        // carrying marks, or a prepended mark glued to a space: the marks have nothing
        // visible to sit on.
        let lead = g
            .chars()
            .find(|&c| c.is_whitespace() || c.is_control() || width(c) > 0);
        if let Some(lead) = lead.filter(|&c| c.is_whitespace() || c.is_control()) {
            if g == "\r\n" {
                f(Piece::Blank('\r'));
                f(Piece::Blank('\n'));
            } else {
                f(Piece::Blank(lead));
                removed |= g.len() > lead.len_utf8();
            }
            after_blank = true;
            continue;
        }
        cleaned.clear();
        removed |= clean_grapheme(g, purpose, after_blank, &mut cleaned);
        after_blank &= cleaned.is_empty();
        f(Piece::Text(&cleaned));
    }
    removed
}

/// Invisible characters: the Unicode `Default_Ignorable_Code_Point` set (zero-width spaces
/// and joiners, bidi controls, variation selectors, Hangul fillers, tags…) and the other
/// format characters (`Cf`: prepended number signs, interlinear annotation marks, hieroglyph
/// format controls). Terminals disagree about their width: glibc gives the Hangul fillers two
/// columns and the soft hyphen one, where unicode-width gives them none.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Invisible characters that emoji sequences are made of; [`clean_grapheme`] decides.
fn is_emoji_part(c: char) -> bool {
    matches!(c, ZWJ | VS15 | VS16) || is_tag(c)
}

/// TAG SPACE to CANCEL TAG: the letters and the end of an emoji tag sequence.
fn is_tag(c: char) -> bool {
    matches!(c, '\u{e0020}'..=CANCEL_TAG)
}

fn is_skin_tone(c: char) -> bool {
    matches!(c, '\u{1f3fb}'..='\u{1f3ff}')
}

fn width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Whether `c` is an emoji shown as text unless a VS16 follows (❤, ☺, ✈, the keycap digits):
/// unicode-width makes it two columns wide with the selector, one without.
fn has_emoji_presentation(c: char) -> bool {
    let mut both = String::with_capacity(8);
    both.push(c);
    both.push(VS16);
    width(c) == 1 && both.as_str().cell_width() == 2
}

/// Copies the grapheme `g` into `out`, keeping only what draws the way ratatui measures it;
/// true when something was dropped.
///
/// - The base is the first char that takes a column and stands on its own: marks before it
///   (at the start of the text, after a control or a space) have nothing to sit on, and a
///   mark that takes a column is dropped too where it would join a space (`after_blank`) or
///   whatever precedes the dropped ones.
/// - A ZWJ stays only between two emoji (which is when it is followed inside the grapheme
///   by a char that takes columns), at most [`MAX_JOINS`] times.
/// - VS15/VS16 stay only after an emoji that has a text and an emoji form; sent text also
///   keeps them after other wide symbols.
/// - Tags stay only in a flag tag sequence (black flag, tag letters, cancel tag).
/// - Skin-tone modifiers stay in sent text; shown, they would be a second wide character
///   where the terminal draws code point by code point.
/// - Shown halfwidth sound marks become the combining ones they decompose to.
/// - Shown text whose width still differs between ratatui and such a terminal (a joined
///   sequence unicode-width does not count as one emoji) loses its joiners, so the emoji are
///   shown side by side; failing that its variation selectors, failing that all but its
///   base and zero-width marks.
fn clean_grapheme(g: &str, purpose: Purpose, after_blank: bool, out: &mut String) -> bool {
    let mut removed = false;
    let mut chars = g
        .chars()
        .map(|c| match (purpose, c) {
            // ratatui adds a column for the halfwidth sound marks that unicode-width 0.2.3
            // already counts (ｶﾞ: three columns, two in a terminal); shown as the combining
            // marks they decompose to (NFKD), they take the column of their kana.
            (Purpose::Show, '\u{ff9e}') => '\u{3099}',
            (Purpose::Show, '\u{ff9f}') => '\u{309a}',
            _ => c,
        })
        .peekable();
    let base = loop {
        match chars.next() {
            None => return true,
            // `removed` here: chars before this one were dropped.
            Some(c)
                if width(c) > 0
                    && !is_emoji_part(c)
                    && !((after_blank || removed) && attaches(c)) =>
            {
                break c
            }
            Some(_) => removed = true,
        }
    };
    out.push(base);
    let (mut prev, mut joins, mut tags) = (base, 0, 0);
    while let Some(c) = chars.next() {
        let keep = match c {
            ZWJ => {
                joins < MAX_JOINS
                    && chars.peek().is_some_and(|&n| {
                        width(n) > 0
                            && !is_emoji_part(n)
                            && !(purpose == Purpose::Show && is_skin_tone(n))
                    })
            }
            VS15 | VS16 => {
                has_emoji_presentation(prev)
                    || (purpose == Purpose::Send && width(prev) == 2 && !prev.is_alphanumeric())
            }
            c if is_tag(c) => {
                base == BLACK_FLAG
                    && tags < MAX_TAGS
                    && (prev == BLACK_FLAG || (is_tag(prev) && prev != CANCEL_TAG))
            }
            c if is_skin_tone(c) => purpose == Purpose::Send,
            _ => true,
        };
        if !keep {
            removed = true;
            continue;
        }
        joins += usize::from(c == ZWJ);
        tags += usize::from(is_tag(c));
        prev = c;
        out.push(c);
    }
    if purpose == Purpose::Show {
        // Each step gives up a little more: the joins, then the emoji forms, then whatever
        // takes columns besides the base.
        let fallbacks: [fn(char) -> bool; 3] = [
            |c| c != ZWJ,
            |c| !matches!(c, ZWJ | VS15 | VS16),
            |c| width(c) == 0 && !is_emoji_part(c),
        ];
        for keep in fallbacks {
            if out.graphemes(true).all(columns_agree) {
                break;
            }
            let rest: String = out.chars().skip(1).filter(|&c| keep(c)).collect();
            out.truncate(base.len_utf8());
            out.push_str(&rest);
            removed = true;
        }
    }
    removed
}

/// Whether `c` joins the grapheme of whatever precedes it (a combining or spacing mark, a
/// skin tone): as the first char of a grapheme it would join the space or the neighbour it
/// ends up next to once the marks before it are dropped.
fn attaches(c: char) -> bool {
    let mut buf = [0u8; 5];
    buf[0] = b'a';
    let len = 1 + c.encode_utf8(&mut buf[1..]).len();
    std::str::from_utf8(&buf[..len]).is_ok_and(|s| s.graphemes(true).nth(1).is_none())
}

/// Whether ratatui's width for the grapheme `g` is what a terminal that draws code point by
/// code point advances (tmux 3.3a does: each code point its own wcwidth, except that a
/// zero-width one and the one right after a ZWJ join the cell before them).
///
/// Graphemes with VS16 follow another rule: ratatui writes the columns it reserves after
/// them itself, right after the grapheme, so the terminal must have advanced exactly one
/// column (as tmux 3.3a does for ❤️ and 🏳️‍🌈, which ratatui counts as two). An emoji that is
/// wide anyway (👩‍❤️‍👨 starts with 👩) must not carry one: that reserved column would land a
/// column too far right.
///
/// What this cannot see, because it takes unicode-width's width of each code point for the
/// terminal's: code points whose width changed between Unicode versions (glibc 2.36 and
/// unicode-width 0.2 disagree about 200 of them, such as the I Ching digrams and a few
/// spacing vowel signs of Tamil, Bengali and Kannada that unicode-width counts as zero).
/// Dropping those would change the words, so they are left as they are.
fn columns_agree(g: &str) -> bool {
    let mut joined = false;
    let terminal: usize = g
        .chars()
        .map(|c| {
            let after_zwj = std::mem::replace(&mut joined, c == ZWJ);
            if after_zwj {
                0
            } else {
                width(c)
            }
        })
        .sum();
    let ratatui = usize::from(g.cell_width());
    if g.contains(VS16) {
        ratatui == 2 && terminal == 1
    } else {
        ratatui == terminal
    }
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

/// The characters of a string with escape sequences removed; lone control characters are
/// passed on for the caller to map.
struct Stripped<'a> {
    chars: std::str::Chars<'a>,
    state: State,
    /// A character that ended a malformed sequence and must be looked at again as text.
    pending: Option<char>,
    /// Some char was part of an escape sequence.
    removed: bool,
}

impl<'a> Stripped<'a> {
    fn new(s: &'a str) -> Self {
        Self {
            chars: s.chars(),
            state: State::Ground,
            pending: None,
            removed: false,
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
            (Ground, c) => return Some(c),
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
            self.removed = true;
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
    fn zero_width_and_default_ignorable_characters_are_dropped() {
        let cases = [
            // Issue 15: ZWNJ + ZWJ at the end of a word.
            ("Word\u{200c}\u{200d} family", "Word family"),
            (
                "zero\u{200b}width\u{200c}non\u{200d}joiner",
                "zerowidthnonjoiner",
            ),
            (
                "word\u{2060}joiner\u{2061}\u{2062}\u{2063}\u{2064}",
                "wordjoiner",
            ),
            ("\u{feff}bom\u{206a}\u{206f}", "bom"),
            ("soft\u{ad}hyphen", "softhyphen"),
            ("cgj\u{34f}x", "cgjx"),
            ("mongolian\u{180e}\u{180b}\u{180f}", "mongolian"),
            ("khmer\u{17b4}\u{17b5}", "khmer"),
            // Hangul fillers: unicode-width 0 columns, glibc 2 (the soft hyphen: 1).
            ("\u{115f}\u{1160}filler\u{3164}\u{ffa0}", "filler"),
            ("tag\u{e0041}\u{e0001}\u{e007f}", "tag"),
            ("\u{845b}\u{e0100} ivs", "\u{845b} ivs"),
            ("nf\u{600}\u{6dd}\u{fff9}ann\u{fffb}\u{13430}", "nfann"),
            ("\u{1d173}beam\u{1d17a}\u{1bca0}", "beam"),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
            assert_eq!(block(input), want, "input {input:?}");
        }
    }

    #[test]
    fn joiners_stay_only_inside_emoji_sequences() {
        let kept = [
            "\u{1f469}\u{200d}\u{1f4bb} coding",
            "\u{1f3f3}\u{fe0f}\u{200d}\u{1f308} pride",
            "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}",
            "\u{2764}\u{fe0f}\u{200d}\u{1f525}",
            "\u{1f441}\u{fe0f}\u{200d}\u{1f5e8}\u{fe0f}",
            "\u{1f408}\u{200d}\u{2b1b}",
        ];
        for s in kept {
            assert_eq!(line(s), s);
        }
        let cases = [
            ("a\u{200d}b", "ab"),
            ("end\u{1f600}\u{200d}", "end\u{1f600}"),
            ("\u{1f600}\u{200d}a", "\u{1f600}a"),
            ("\u{1f600}\u{200d} \u{2502}", "\u{1f600} \u{2502}"),
            ("\u{200d}\u{1f600}", "\u{1f600}"),
            ("\u{1f600}\u{200d}\u{200d}\u{1f600}", "\u{1f600}\u{1f600}"),
            ("\u{5d0}\u{200d}\u{5dc}", "\u{5d0}\u{5dc}"),
            // unicode-width counts these as one two-column emoji; tmux as the first char's
            // one column. Side by side they take the same columns everywhere.
            ("\u{a9}\u{200d}\u{a9}", "\u{a9}\u{a9}"),
            ("\u{1f3f3}\u{200d}\u{1f308}", "\u{1f3f3}\u{1f308}"),
            ("\u{1f469}\u{200d}\u{2764}", "\u{1f469}\u{2764}"),
            // A VS16 inside an emoji that starts wide: tmux draws it in two columns, and the
            // column ratatui writes after it would land in the third.
            (
                "\u{1f469}\u{200d}\u{2764}\u{fe0f}\u{200d}\u{1f48b}\u{200d}\u{1f468}",
                "\u{1f469}\u{2764}\u{fe0f}\u{1f48b}\u{1f468}",
            ),
            // At most three joins (the longest emoji sequences have three).
            (
                "\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f469}",
                "\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f469}\u{1f469}",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn variation_selectors_stay_only_after_emoji_with_two_forms() {
        let cases = [
            ("\u{2764}\u{fe0f} thanks", "\u{2764}\u{fe0f} thanks"),
            ("\u{2764}\u{fe0e} text heart", "\u{2764}\u{fe0e} text heart"),
            ("1\u{fe0f}\u{20e3} keycap", "1\u{fe0f}\u{20e3} keycap"),
            ("a\u{fe0f}b\u{fe0e}", "ab"),
            ("\u{fe0f}start", "start"),
            ("\u{2764}\u{fe0f}\u{fe0f}", "\u{2764}\u{fe0f}"),
            // VS15 would make ratatui count one column where tmux draws two; VS16 after an
            // emoji that is wide anyway changes nothing.
            ("\u{231a}\u{fe0e}", "\u{231a}"),
            ("\u{231a}\u{fe0f}", "\u{231a}"),
            ("\u{4f1a}\u{fe00}", "\u{4f1a}"),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn skin_tones_are_left_out_of_what_is_shown() {
        // tmux 3.3a draws the modifier as a second wide character: four columns where
        // ratatui counts two.
        let cases = [
            ("\u{1f44d}\u{1f3fd} ok", "\u{1f44d} ok"),
            (
                "\u{1f469}\u{1f3fd}\u{200d}\u{1f4bb}",
                "\u{1f469}\u{200d}\u{1f4bb}",
            ),
            ("\u{1f3fd} alone", "\u{1f3fd} alone"),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn tags_stay_only_in_flag_sequences() {
        let scotland = "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
        assert_eq!(line(scotland), scotland);
        let cases = [
            ("\u{1f600}\u{e0067}\u{e007f}", "\u{1f600}"),
            ("\u{1f3f4}\u{e007f}\u{e0067}", "\u{1f3f4}\u{e007f}"),
            (
                "\u{1f3f4}\u{e0061}\u{e0061}\u{e0061}\u{e0061}\u{e0061}\u{e0061}\u{e0061}\u{e0061}",
                "\u{1f3f4}\u{e0061}\u{e0061}\u{e0061}\u{e0061}\u{e0061}\u{e0061}\u{e0061}",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn combining_marks_need_something_to_sit_on() {
        let cases = [
            ("\u{301}start", "start"),
            ("a \u{301}b", "a b"),
            ("after\x07\u{301}bell", "after bell"),
            ("\u{200b}\u{301}x", "x"),
            ("e\u{301}t\u{e9}", "e\u{301}t\u{e9}"),
            ("x\u{301}\u{302}\u{303}", "x\u{301}\u{302}\u{303}"),
            ("nbsp\u{a0}\u{301}", "nbsp"),
            // A prepended mark (dot reph) has no column in unicode-width and one in glibc.
            ("\u{d4e}\u{d30}", "\u{d30}"),
            ("\u{1100}\u{1161}\u{11a8}", "\u{1100}\u{1161}\u{11a8}"),
            ("\u{915}\u{94d}\u{937}", "\u{915}\u{94d}\u{937}"),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), want, "input {input:?}");
        }
        assert_eq!(block("a\n\u{301}b\n\t\u{301}c"), "a\nb\n    c");
    }

    /// The invariant: for every grapheme meetty draws, ratatui's width is the columns a
    /// terminal that draws code point by code point advances (VS16 emoji excepted, see
    /// `columns_agree`), whatever the neighbours and whatever was dropped between them.
    #[test]
    fn every_grapheme_takes_the_columns_ratatui_counts() {
        let alphabet = [
            'a',
            ' ',
            '\n',
            '\t',
            '\x07',
            ESC,
            '\u{301}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{fe0e}',
            '\u{fe0f}',
            '\u{1f3fd}',
            '\u{e0067}',
            '\u{e007f}',
            '\u{1f3f4}',
            '\u{1f469}',
            '\u{1f4bb}',
            '\u{1f3f3}',
            '\u{1f308}',
            '\u{2764}',
            '\u{a9}',
            '\u{231a}',
            '\u{1f1eb}',
            '\u{1f1f7}',
            '\u{4f1a}',
            '\u{1100}',
            '\u{1161}',
            '\u{3164}',
            '\u{ad}',
            '\u{d4e}',
            '\u{915}',
            '\u{94d}',
            '\u{93e}',
            '\u{ff76}',
            '\u{ff9e}',
            '1',
            '\u{20e3}',
            '\u{2028}',
            '\u{a0}',
        ];
        let check = |input: &str, out: &str| {
            for g in out
                .graphemes(true)
                .filter(|g| !g.chars().any(char::is_control))
            {
                assert!(columns_agree(g), "{input:?} -> {out:?}: {g:?}");
                assert!(
                    !g.ends_with(ZWJ),
                    "{input:?} -> {out:?}: {g:?} ends with a ZWJ"
                );
            }
        };
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let s: String = [a, b, c, a].iter().collect();
                    let (l, b) = (line(&s), block(&s));
                    check(&s, &l);
                    check(&s, &b);
                    assert_eq!(line(&l), l, "line of {s:?} is not stable");
                    assert_eq!(block(&b), b, "block of {s:?} is not stable");
                }
            }
        }
    }

    #[test]
    fn typed_text_loses_escapes_and_says_so() {
        let cases = [
            ("Ctl \x1b]52;c;Zm9v\x07 title", "Ctl title", true),
            ("bell\x07", "bell", true),
            ("zero\u{200b}width", "zerowidth", true),
            ("Weekly sync", "Weekly sync", false),
            ("tab\tand\nnewline", "tab and newline", false),
            ("  padded  ", "padded", false),
            // What people type is sent whole: skin tones and emoji sequences too.
            (
                "\u{1f44d}\u{1f3fd} \u{1f469}\u{1f3fd}\u{200d}\u{1f4bb}",
                "\u{1f44d}\u{1f3fd} \u{1f469}\u{1f3fd}\u{200d}\u{1f4bb}",
                false,
            ),
            (
                "\u{231a}\u{fe0f} caf\u{e9}",
                "\u{231a}\u{fe0f} caf\u{e9}",
                false,
            ),
        ];
        for (input, text, removed) in cases {
            let want = Typed {
                text: text.into(),
                removed,
            };
            assert_eq!(typed_line(input), want, "input {input:?}");
        }
    }

    #[test]
    fn typed_descriptions_keep_lines_and_tabs() {
        let cases = [
            (
                "Agenda:\n\t1. intro\n\n\n\n  2. demo  ",
                "Agenda:\n\t1. intro\n\n\n\n  2. demo  ",
                false,
            ),
            ("dos\r\nline\rmac", "dos\nline\nmac", false),
            ("evil\x1b[2J\x1b]52;c;Zm9v\x07\nnext", "evil\nnext", true),
            ("bell\x07 nel\u{85}", "bell nel", true),
            ("rlo\u{202e}txt", "rlotxt", true),
        ];
        for (input, text, removed) in cases {
            let want = Typed {
                text: text.into(),
                removed,
            };
            assert_eq!(typed_block(input), want, "input {input:?}");
        }
    }

    #[test]
    fn fit_cuts_between_graphemes_by_columns() {
        let s = "ab\u{1f469}\u{200d}\u{1f4bb}\u{4f1a}e\u{301}";
        let cases = [
            (0, ""),
            (2, "ab"),
            (3, "ab"),
            (4, "ab\u{1f469}\u{200d}\u{1f4bb}"),
            (5, "ab\u{1f469}\u{200d}\u{1f4bb}"),
            (6, "ab\u{1f469}\u{200d}\u{1f4bb}\u{4f1a}"),
            (7, s),
            (50, s),
        ];
        for (columns, want) in cases {
            assert_eq!(fit(s, columns), want, "{columns} columns");
        }
    }

    #[test]
    fn wide_cells_give_way_to_what_was_drawn_over_their_hidden_half() {
        use ratatui::layout::Rect;
        let mut buf = Buffer::empty(Rect::new(0, 0, 7, 1));
        buf.set_string(0, 0, "\u{4f1a}\u{8b70}", ratatui::style::Style::new());
        buf[(3, 0)].set_symbol("\u{2502}");
        buf[(6, 0)].set_symbol("\u{1f600}");
        settle_wide_cells(&mut buf);
        let cells: Vec<&str> = (0..7).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(cells, ["\u{4f1a}", " ", " ", "\u{2502}", " ", " ", " "]);
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
