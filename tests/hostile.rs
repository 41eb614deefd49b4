//! Hostile and odd server data never crashes meetty or corrupts the screen.
//!
//! Property tests generate `events.list` pages the way a hostile or buggy server could send
//! them (escape sequences and controls in every string, missing and contradictory times,
//! unknown enum values, huge descriptions, thousands of guests), run them through the same
//! path as a real listing (borrowed `EventPage` parse → `Meeting::from_event` → `Agenda` →
//! `App` → `ui::draw`, with keys pressed between frames) and check that nothing panics, the
//! model holds only clean text, only web links are opened, and no cell on screen holds a
//! control, bidi or invisible character or would shift the terminal's cursor: for every drawn
//! cell, the columns ratatui counts are the columns a terminal advances for what it writes
//! (issue 15: zero-width joiners, variation selectors, skin tones, combining marks). The
//! sanitizer gets its own properties, and every odd case the issues name has a plain example
//! test below.
//!
//! Bounded for CI: 64 cases per property by default; `PROPTEST_CASES=N` runs more.
//! Failures are not persisted, so a run never writes into the tree.

mod common;

use chrono::{Duration, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use common::*;
use google_calendar3::api::CalendarListEntry;
use meetty::action::{Action, Effect};
use meetty::app::{App, Mode, Pane, Sync};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{Agenda, CalendarInfo, Meeting, Rsvp, When};
use meetty::calendar::text::description_to_text;
use meetty::calendar::wire::EventPage;
use meetty::sanitize;
use meetty::screenshots::{demo_settings, render};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config as ProptestConfig;
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::crossterm::event::KeyCode;
use serde_json::{json, Map, Value};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

// ---------------------------------------------------------------------------------------
// Checks shared by the properties and the examples.

const ZWJ: char = '\u{200d}';
const VS16: char = '\u{fe0f}';

/// Characters that must never reach the screen: controls (ESC, C1, BEL…) and the invisible
/// characters the sanitizer promises to drop: Unicode's `Default_Ignorable_Code_Point` and
/// format (`Cf`) sets (bidi controls, zero-width spaces and joiners, BOM, Hangul fillers, soft
/// hyphen…), except the joiner, the emoji variation selectors and the tags that emoji
/// sequences are made of ([`misplaced_emoji_part`] checks those).
fn is_forbidden(c: char) -> bool {
    let emoji_part = matches!(c, ZWJ | '\u{fe0e}' | VS16 | '\u{e0020}'..='\u{e007f}');
    c.is_control()
        || (!emoji_part
            && matches!(
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
            ))
}

fn is_emoji_part(c: char) -> bool {
    matches!(c, ZWJ | '\u{fe0e}' | VS16 | '\u{e0020}'..='\u{e007f}')
}

/// A joiner, variation selector or tag outside an emoji sequence, if `s` has one: a ZWJ
/// joins a visible char to another (at most three in a row of emoji), a selector follows an
/// emoji with a text and an emoji form (its width goes from one column to two with VS16),
/// tags follow the black flag or another tag (never the cancel tag), at most seven.
fn misplaced_emoji_part(s: &str) -> Option<char> {
    let chars: Vec<char> = s.chars().collect();
    let width = |c: Option<&char>| c.map_or(0, |c| c.width().unwrap_or(0));
    let (mut joins, mut tags) = (0, 0);
    (0..chars.len()).find_map(|i| {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        // Joins in a row: a ZWJ adds one, a char with columns that no ZWJ joined starts over.
        if c == ZWJ {
            joins += 1;
        } else if prev != Some(ZWJ) && width(Some(&c)) > 0 {
            joins = 0;
        }
        tags = if matches!(c, '\u{e0020}'..='\u{e007f}') {
            tags + 1
        } else {
            0
        };
        let ok = match c {
            ZWJ => prev.is_some_and(|p| p != ZWJ) && width(chars.get(i + 1)) > 0 && joins <= 3,
            '\u{fe0e}' | VS16 => prev.is_some_and(|p| {
                width(Some(&p)) == 1 && format!("{p}{VS16}").as_str().cell_width() == 2
            }),
            '\u{e0020}'..='\u{e007f}' => {
                matches!(prev, Some('\u{1f3f4}' | '\u{e0020}'..='\u{e007e}')) && tags <= 7
            }
            _ => true,
        };
        (!ok).then_some(c)
    })
}

/// Why the cell holding `symbol` would put the terminal's cursor somewhere other than where
/// ratatui believes it is, if it would.
///
/// A symbol with VS16 follows another rule: ratatui writes the column it reserves after such
/// a cell itself, right after the cell, so the terminal must advance exactly one column of the
/// two ratatui counts (tmux 3.3a does for ❤️; the tmux end-to-end test checks the row stays in
/// place on a real terminal).
fn column_mismatch(symbol: &str, ratatui: u16) -> Option<String> {
    if symbol.ends_with(ZWJ) {
        return Some("ends with a ZWJ: the terminal joins the next code point it draws".into());
    }
    // The columns a terminal that draws code point by code point advances (tmux 3.3a).
    let terminal: usize = tmux_layout(symbol).iter().map(|&(_, _, w)| w).sum();
    if symbol.contains(VS16) {
        return (ratatui != 2 || terminal != 1).then(|| {
            format!("VS16 emoji: ratatui counts {ratatui} columns (must be 2), a terminal advances {terminal} (must be 1)")
        });
    }
    (usize::from(ratatui) != terminal)
        .then(|| format!("ratatui counts {ratatui} columns, a terminal advances {terminal}"))
}

/// The first cell that would corrupt a real terminal, as "(x, y) symbol: why": one holding
/// a forbidden character or a stray emoji part, one that takes no column (the terminal's
/// cursor would fall behind ratatui's idea of it), one whose columns differ between ratatui
/// and the terminal, a wide one in the last column (it would wrap), or a cell hidden under
/// a wide one that is not blank (ratatui never writes it, so the screen would not show it).
fn dirty_cell(buf: &Buffer) -> Option<String> {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut hidden_until = area.left();
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            let sym = cell.symbol();
            if x < hidden_until {
                if sym != " " {
                    return Some(format!("({x}, {y}) {sym:?}: drawn under a wide character"));
                }
                continue;
            }
            hidden_until = x + cell.cell_width();
            let why = if sym.chars().any(is_forbidden) {
                "forbidden char".to_string()
            } else if let Some(c) = misplaced_emoji_part(sym) {
                format!("{c:?} outside an emoji sequence")
            } else if cell.cell_width() == 0 {
                "zero width".to_string()
            } else if let Some(why) = column_mismatch(sym, cell.cell_width()) {
                why
            } else if x + cell.cell_width() > area.right() {
                "wider than the rest of the row".to_string()
            } else {
                continue;
            };
            return Some(format!("({x}, {y}) {sym:?}: {why}"));
        }
    }
    None
}

fn screen_text(buf: &Buffer) -> String {
    let area = buf.area;
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Terminal sizes every screen is drawn at: tiny, narrow (panes take turns), just below and
/// at side-by-side, and roomy.
const SIZES: [(u16, u16); 5] = [(1, 1), (20, 5), (40, 12), (89, 20), (120, 35)];

/// Draws `app` at every size; the first problem found, if any.
fn draw_everywhere(app: &App) -> Result<(), String> {
    for (w, h) in SIZES {
        let buf = render(app, w, h);
        if let Some(cell) = dirty_cell(&buf) {
            return Err(format!("{w}x{h}: {cell}"));
        }
    }
    Ok(())
}

/// Text as the sanitizer hands it to the UI: no controls or invisible characters, emoji
/// parts only inside emoji sequences, and every grapheme (a cell, once drawn) taking the
/// columns ratatui counts for it in a terminal too.
fn check_text(what: &str, s: &str, allowed: impl Fn(char) -> bool) -> Result<(), String> {
    if let Some(c) = s.chars().find(|&c| is_forbidden(c) && !allowed(c)) {
        return Err(format!("{what} has a forbidden char {c:?}: {s:?}"));
    }
    if let Some(c) = misplaced_emoji_part(s) {
        return Err(format!("{what} has {c:?} outside an emoji sequence: {s:?}"));
    }
    for g in s.graphemes(true).filter(|g| !g.chars().all(&allowed)) {
        let first = g.chars().next().unwrap_or(' ');
        let why = if first.is_whitespace() && g.chars().nth(1).is_some() {
            Some("marks on whitespace have nothing to sit on".to_string())
        } else if first.width().unwrap_or(0) == 0 || is_emoji_part(first) {
            Some("starts with nothing to sit on".to_string())
        } else {
            column_mismatch(g, g.cell_width())
        };
        if let Some(why) = why {
            return Err(format!("{what}: {g:?} {why}: {s:?}"));
        }
    }
    Ok(())
}

/// A line field (title, name, address…): clean text ([`check_text`]), no leading, trailing
/// or doubled whitespace.
fn check_line(what: &str, s: &str) -> Result<(), String> {
    check_text(what, s, |_| false)?;
    if s.split_whitespace().collect::<Vec<_>>().join(" ") != s {
        return Err(format!("{what} has untidy whitespace: {s:?}"));
    }
    Ok(())
}

/// What `Meeting::from_event` promises about every meeting it returns.
fn check_meeting(m: &Meeting) -> Result<(), String> {
    check_line("title", &m.title)?;
    if m.title.is_empty() {
        return Err("empty title".into());
    }
    check_line("location", &m.location)?;
    check_text("description", &m.description, |c| c == '\n')?;
    for p in m
        .organizer
        .iter()
        .chain(m.attendees.iter().map(|a| &a.person))
    {
        check_line("name", &p.name)?;
        check_line("email", &p.email)?;
    }
    for url in m.video.iter().map(|v| &v.url).chain(&m.html_link) {
        check_line("link", url)?;
        if !is_web_link(url) {
            return Err(format!("link is not a web link: {url:?}"));
        }
    }
    for link in &m.other_links {
        check_line("other link", &link.url)?;
    }
    for d in &m.dial_in {
        check_line("dial-in", &d.number)?;
        check_line("pin", d.pin.as_deref().unwrap_or(""))?;
        check_line("region", d.region.as_deref().unwrap_or(""))?;
    }
    match m.when {
        When::Timed { start, end } if end < start => Err(format!("ends before it starts: {m:?}")),
        When::AllDay { start, end } if end <= start => Err(format!("empty all-day: {m:?}")),
        _ => Ok(()),
    }
}

/// Parses a page as the client does (borrowed from the body text) and builds the meetings.
fn meetings_of(page_json: &str, calendar_id: &str) -> Result<Vec<Meeting>, String> {
    let page: EventPage =
        serde_json::from_str(page_json).map_err(|e| format!("page did not parse: {e}"))?;
    let meetings: Vec<Meeting> = page
        .items
        .iter()
        .filter_map(|e| Meeting::from_event(calendar_id, e))
        .collect();
    for m in &meetings {
        check_meeting(m)?;
    }
    Ok(meetings)
}

fn agenda_of(calendars: Vec<CalendarInfo>, meetings: Vec<Meeting>) -> Agenda {
    let mut agenda = Agenda {
        calendars,
        meetings,
        fetched_at: now(),
        accounts: Vec::new(),
    };
    agenda.sort();
    agenda
}

fn calendar(id: &str, name: &str, color: &str) -> CalendarInfo {
    let entry: CalendarListEntry = serde_json::from_value(json!({
        "id": id, "summary": name, "backgroundColor": color, "selected": true,
        "accessRole": "owner"
    }))
    .unwrap();
    CalendarInfo::from_entry(&entry).unwrap()
}

/// Everything the user could do that changes what is drawn, as the tests press it.
#[derive(Debug, Clone, Copy)]
enum Press {
    Key(char),
    Code(KeyCodeName),
    /// Time passes (minutes): the agenda is re-bucketed and countdowns move.
    Tick(i64),
}

#[derive(Debug, Clone, Copy)]
enum KeyCodeName {
    Tab,
    Esc,
    Enter,
    Down,
    Up,
    PageDown,
    PageUp,
}

impl Press {
    fn action(self, app: &App) -> Action {
        match self {
            Press::Key(c) => ch(c),
            Press::Code(k) => key(match k {
                KeyCodeName::Tab => KeyCode::Tab,
                KeyCodeName::Esc => KeyCode::Esc,
                KeyCodeName::Enter => KeyCode::Enter,
                KeyCodeName::Down => KeyCode::Down,
                KeyCodeName::Up => KeyCode::Up,
                KeyCodeName::PageDown => KeyCode::PageDown,
                KeyCodeName::PageUp => KeyCode::PageUp,
            }),
            Press::Tick(mins) => Action::Tick(app.now + Duration::minutes(mins)),
        }
    }
}

fn is_web_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// What leaves the app for the browser or the clipboard is clean, and only web links are
/// opened (an event must not make the platform opener run `file:` or `javascript:`).
fn check_effects(effects: &[Effect]) -> Result<(), String> {
    for e in effects {
        match e {
            Effect::Open { url } if !is_web_link(url) || url.chars().any(is_forbidden) => {
                return Err(format!("opens {url:?}"));
            }
            Effect::Copy { text, .. } if text.chars().any(is_forbidden) => {
                return Err(format!("copies {text:?}"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Draws, presses each key, draws again: the first problem found, if any.
fn drive(app: &mut App, presses: &[Press]) -> Result<(), String> {
    draw_everywhere(app)?;
    for p in presses {
        let effects = app.update(p.action(app));
        check_effects(&effects).map_err(|e| format!("after {p:?}: {e}"))?;
        draw_everywhere(app).map_err(|e| format!("after {p:?}: {e}"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Strategies: hostile text.

/// Whole terminal escape sequences and other troublemakers, as a server could embed them.
const SEQUENCES: &[&str] = &[
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[2J\x1b[H",
    "\x1b[?1049h",
    "\x1b[",
    "\x1b[38;5;196",
    "\x1b]52;c;aGk=\x07",
    "\x1b]52;c;aGk=\x1b\\",
    "\x1b]0;window title\x07",
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]52;c;",
    "\x1bP1$r\x1b\\",
    "\x1bPq#0;2;0;0;0#0~~",
    "\x1b_Ga=T,f=100;AAAA\x1b\\",
    "\x1bc",
    "\x1b7",
    "\x1b(B",
    "\x1b",
    "\u{9b}31m",
    "\u{9b}",
    "\u{9d}0;pwned\u{9c}",
    "\u{9d}52;c;aGk=\x07",
    "\u{90}1$r\u{9c}",
    "\u{98}sos\u{9c}",
    "\x18",
    "\x07",
    "\r\n",
    "\r",
    "\n",
    "\n\n\n\n",
    "\t",
    "   ",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{202e}gpj.exe",
    "\u{2067}isolate\u{2069}",
    "\u{200f}",
    "\u{feff}",
    "e\u{301}\u{302}\u{303}\u{304}",
    "\u{301}",
    "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",
    "\u{1f1eb}\u{1f1f7}",
    "\u{2764}\u{fe0f}",
    "\u{4f1a}\u{8b70}",
    "\u{d68c}\u{c758}",
    "\u{5e9}\u{5dc}\u{5d5}\u{5dd}",
    "\u{645}\u{631}\u{62d}\u{628}\u{627}",
    "\u{fffd}\u{fffd}",
    "\u{c3}\u{a9}",
    "\u{e2}\u{80}\u{99}",
    "\u{ef}\u{bb}\u{bf}",
    "\u{fffe}\u{ffff}\u{10ffff}",
    "\u{e0001}\u{e0041}",
    "\u{115f}\u{1160}",
    // Zero-width and emoji troublemakers (issue 15): a word ending in ZWNJ + ZWJ, emoji
    // sequences whole and broken, skin tones, VS15/VS16 after the wrong base, flag tags,
    // fillers glibc counts as wide, marks with nothing to sit on, halfwidth sound marks.
    "Word\u{200c}\u{200d}",
    "\u{200c}",
    "\u{200d}",
    "\u{200d}\u{200d}",
    "\u{fe0f}",
    "\u{fe0e}",
    "\u{1f469}\u{200d}\u{1f4bb}",
    "\u{1f3f3}\u{fe0f}\u{200d}\u{1f308}",
    "\u{1f3f3}\u{200d}\u{1f308}",
    "\u{1f469}\u{200d}\u{2764}\u{fe0f}\u{200d}\u{1f48b}\u{200d}\u{1f468}",
    "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}\u{200d}\u{1f466}",
    "\u{1f44d}\u{1f3fd}",
    "\u{1f469}\u{1f3fd}\u{200d}\u{1f4bb}",
    "\u{1f3fb}",
    "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
    "\u{1f600}\u{e0067}",
    "1\u{fe0f}\u{20e3}",
    "\u{231a}\u{fe0e}",
    "\u{a9}\u{200d}\u{a9}",
    "a\u{fe0f}",
    "\u{3164}\u{ffa0}\u{ad}",
    "\u{d4e}\u{d30}",
    "\u{915}\u{93e}",
    "\u{a0}\u{301}",
    "\u{ff76}\u{ff9e}",
    "\u{ff9e}",
    "\u{600}1",
    "\u{845b}\u{e0100}",
    // HTML the description converter looks at, with entities for controls.
    "<p>",
    "</p>",
    "<br>",
    "<br/>",
    "<div>",
    "<ul><li>",
    "</li></ul>",
    "<a href=\"https://meet.google.com/abc-defg-hij\">",
    "<a href='javascript:alert(1)'>",
    "</a>",
    "<style>",
    "</style>",
    "<script>",
    "<!--",
    "-->",
    "<b",
    "&amp;",
    "&#27;[2J",
    "&#x1b;]52;c;aGk=&#7;",
    "&#155;31m",
    "&#x9d;0;t&#x9c;",
    "&#x202e;",
    "&#0;",
    "&#x110000;",
    "&#xd800;",
    "&#99999999999;",
    "&nbsp;",
    "&",
    "<",
    ">",
    "\"",
];

/// Ordinary words and links, so the odd parts sit among normal text as they would.
const WORDS: &[&str] = &[
    "Standup",
    "Q&A",
    "review",
    "Design",
    " ",
    "a",
    "https://meet.google.com/abc-defg-hij",
    "https://us02web.zoom.us/j/85012345678?pwd=abc",
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting",
    "https://www.google.com/url?q=https://zoom.us/j/1&sa=D",
    "tel:+1-302-555-0143",
    "+49 30 5555 0143",
    "maria@example.com",
    "Maria Chen",
];

fn odd_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('\0', '\x1f'),
        3 => prop::char::range('\x7f', '\u{9f}'),
        1 => select(&['\u{61c}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}',
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2060}', '\u{2066}',
            '\u{2067}', '\u{2068}', '\u{2069}', '\u{feff}', '\u{fffd}', '\u{ad}', '\u{a0}',
            '\u{3000}', '\u{2028}', '\u{2029}', '\u{fe0f}', '\u{e000}', '\u{34f}',
            '\u{fe0e}', '\u{3164}', '\u{ffa0}', '\u{115f}', '\u{ff9e}', '\u{e0067}', '\u{e007f}',
            '\u{1f3f4}', '\u{20e3}', '\u{93e}', '\u{d4e}', '\u{2764}', '\u{a9}', '\u{231a}'][..]),
        2 => select(&['\u{200d}', '\u{200c}', '\u{fe0f}'][..]),
        1 => prop::char::range('\u{1f3fb}', '\u{1f3ff}'),
        2 => prop::char::range('\u{300}', '\u{36f}'),
        2 => prop::char::range('\u{4e00}', '\u{4eff}'),
        2 => prop::char::range('\u{1f300}', '\u{1f6ff}'),
        2 => prop::char::range(' ', '~'),
        3 => any::<char>(),
    ]
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(WORDS).prop_map(str::to_string),
        4 => select(SEQUENCES).prop_map(str::to_string),
        3 => prop::collection::vec(odd_char(), 1..6).prop_map(|v| v.into_iter().collect()),
    ]
}

/// A short string mixing normal text, escape sequences and odd characters.
fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..6).prop_map(|v| v.concat())
}

/// Markup that nests or expands, for descriptions that repeat it thousands of times.
const MARKUP: &[&str] = &[
    "<ul>",
    "<ol>",
    "<li>",
    "</li>",
    "</ul>",
    "<p>",
    "<br>",
    "<div>",
    "<b>",
    "\t",
    "&#9;",
    "<a href=\"https://example.com/x\">",
    "<a href=x>",
    "</a>",
    "<style>",
    "<!--",
    "<",
];

/// A description of 10–100 kB: hostile text or markup, repeated.
fn huge_description() -> impl Strategy<Value = String> {
    let unit = prop_oneof![
        hostile().prop_map(|s| format!("{s} word\n")),
        prop::collection::vec(select(MARKUP), 1..5).prop_map(|v| v.concat()),
        // Openers without closers: every repeat nests one level deeper.
        (
            select(&["<ul><li>", "<ol><li>", "<ul>", "<blockquote><li>"][..]),
            hostile()
        )
            .prop_map(|(open, s)| format!("{open}{s}")),
    ];
    (unit, 10_000usize..100_000).prop_map(|(unit, len)| unit.repeat(len / unit.len().max(1) + 1))
}

/// Like [`hostile`], but now and then (1 in 40) a description of 10–100 kB.
fn description() -> impl Strategy<Value = String> {
    prop_oneof![39 => hostile(), 1 => huge_description()]
}

/// A title or location: usually [`text`], now and then (1 in 80) 10–100 kB.
fn long_line() -> impl Strategy<Value = String> {
    prop_oneof![79 => text(), 1 => huge_description()]
}

/// A link-shaped string: a scheme (web or not), a host, and hostile text after it.
fn urlish() -> impl Strategy<Value = String> {
    let scheme = select(
        &[
            "https://",
            "http://",
            "HTTPS://",
            "file://",
            "javascript:",
            "tel:",
            "",
            "\x1b]8;;https://",
            "\u{202e}https://",
        ][..],
    );
    let host = select(
        &[
            "meet.google.com/",
            "zoom.us/j/",
            "teams.microsoft.com/l/meetup-join/",
            "evil.example/",
            "",
        ][..],
    );
    (scheme, host, hostile()).prop_map(|(s, h, rest)| format!("{s}{h}{rest}"))
}

/// Any string field: hostile text, a link, or an ordinary value.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => hostile(), 1 => urlish()]
}

/// An optional JSON string: absent (`None`), or one of the known values, or anything.
fn opt_enum(known: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        2 => select(known).prop_map(str::to_string),
        1 => hostile(),
    ])
}

// ---------------------------------------------------------------------------------------
// Strategies: times.

/// `{"dateTime": …}` for an instant `minutes` from now, written at a UTC offset Google could
/// use.
fn date_time(minutes: i64, offset_minutes: i32) -> Value {
    let zone = FixedOffset::east_opt(offset_minutes * 60).unwrap();
    let t = (now() + Duration::minutes(minutes)).with_timezone(&zone);
    json!({ "dateTime": t.to_rfc3339() })
}

fn date(days: i64) -> Value {
    let d: NaiveDate = now().date_naive() + Duration::days(days);
    json!({ "date": d.to_string() })
}

/// Times that parse badly, at the edges of the calendar, or not at all.
const ODD_DATE_TIMES: &[&str] = &[
    "",
    "not a time",
    "2026-13-45T99:99:99Z",
    "2026-11-23",
    "2026-11-23T09:00:00",
    "2026-12-31T23:59:60Z",
    "2026-11-23T09:00:00.999999999999Z",
    "2026-11-23T09:00:00+24:00",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "1970-01-01T00:00:00Z",
];

const ODD_DATES: &[&str] = &[
    "",
    "tomorrow",
    "2026-02-30",
    "2026-11-23T09:00:00Z",
    "+262142-12-31",
    "262142-12-31",
    "-262143-01-01",
    "9999-12-31",
    "0000-01-01",
    "2026-11-23",
];

/// One `start` or `end` object, on its own (not coherent with the other end).
fn wire_time() -> impl Strategy<Value = Value> {
    let offset = select(&[0, 60, -300, 330, 345, 840, -720][..]);
    prop_oneof![
        4 => (-4320i64..14_400, offset).prop_map(|(m, o)| date_time(m, o)),
        2 => (-30i64..20).prop_map(date),
        1 => select(ODD_DATE_TIMES).prop_map(|s| json!({ "dateTime": s })),
        1 => select(ODD_DATES).prop_map(|s| json!({ "date": s })),
        1 => hostile().prop_map(|s| json!({ "dateTime": s, "date": s })),
        1 => ((-4320i64..14_400), (-30i64..20)).prop_map(|(m, d)| {
            let mut t = date_time(m, 0);
            t["date"] = date(d)["date"].clone();
            t
        }),
        1 => Just(json!({})),
        1 => Just(json!({ "timeZone": "Mars/Olympus_Mons" })),
    ]
}

/// `(start, end)`: mostly coherent (timed, all-day spanning up to eight weeks), sometimes
/// ending before it starts, sometimes with either side missing or odd.
fn when() -> impl Strategy<Value = (Option<Value>, Option<Value>)> {
    let offset = select(&[0, 60, -300, 330, 840][..]);
    prop_oneof![
        4 => (-600i64..14_400, -120i64..600, offset).prop_map(|(m, len, o)| {
            (Some(date_time(m, o)), Some(date_time(m + len, o)))
        }),
        3 => (-30i64..20, -3i64..60).prop_map(|(d, len)| (Some(date(d)), Some(date(d + len)))),
        2 => (prop::option::of(wire_time()), prop::option::of(wire_time())),
    ]
}

// ---------------------------------------------------------------------------------------
// Strategies: events and pages.

fn insert(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v.into());
    }
}

fn person() -> impl Strategy<Value = Value> {
    (
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(email, name, is_self)| {
            let mut m = Map::new();
            insert(&mut m, "email", email);
            insert(&mut m, "displayName", name);
            insert(&mut m, "self", is_self);
            Value::Object(m)
        })
}

fn attendee() -> impl Strategy<Value = Value> {
    (
        person(),
        opt_enum(&["accepted", "declined", "tentative", "needsAction", "maybe"]),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(p, rsvp, organizer, optional)| {
            let Value::Object(mut m) = p else {
                unreachable!()
            };
            insert(&mut m, "responseStatus", rsvp);
            insert(&mut m, "organizer", organizer);
            insert(&mut m, "optional", optional);
            Value::Object(m)
        })
}

/// Usually a handful of guests; 1 in 60 events has one to three thousand.
fn attendees() -> impl Strategy<Value = Option<Vec<Value>>> {
    prop::option::of(prop_oneof![
        59 => prop::collection::vec(attendee(), 0..6),
        1 => prop::collection::vec(attendee(), 1000..3000),
    ])
}

fn entry_point() -> impl Strategy<Value = Value> {
    (
        opt_enum(&["video", "phone", "sip", "more", "hologram"]),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(|(kind, uri, label, pin, access_code, region)| {
            let mut m = Map::new();
            insert(&mut m, "entryPointType", kind);
            insert(&mut m, "uri", uri);
            insert(&mut m, "label", label);
            insert(&mut m, "pin", pin);
            insert(&mut m, "accessCode", access_code);
            insert(&mut m, "regionCode", region);
            Value::Object(m)
        })
}

fn conference() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(
        (
            opt_enum(&["pending", "success", "failure", "exploded"]),
            opt_enum(&["hangoutsMeet", "addOn", "eventHangout", "carrierPigeon"]),
            prop::option::of(prop::collection::vec(entry_point(), 0..4)),
        )
            .prop_map(|(status, kind, entry_points)| {
                let mut m = Map::new();
                if let Some(s) = status {
                    m.insert(
                        "createRequest".into(),
                        json!({ "requestId": "r1", "status": { "statusCode": s } }),
                    );
                }
                if let Some(k) = kind {
                    m.insert(
                        "conferenceSolution".into(),
                        json!({ "key": { "type": k }, "name": "Whatever" }),
                    );
                }
                insert(&mut m, "entryPoints", entry_points);
                Value::Object(m)
            }),
    )
}

fn event() -> impl Strategy<Value = Value> {
    let strings = (
        prop::option::of(select(&["a", "b", "same", ""][..]).prop_map(str::to_string)),
        prop::option::of(text()),
        opt_enum(&["confirmed", "tentative", "cancelled", "weird"]),
        prop::option::of(long_line()),
        prop::option::of(description()),
        prop::option::of(long_line()),
    );
    let links = (
        prop::option::of(urlish()),
        prop::option::of(urlish()),
        prop::option::of(prop_oneof![Just("series1".to_string()), text()]),
    );
    (
        strings,
        when(),
        prop::option::of(person()),
        attendees(),
        links,
        conference(),
    )
        .prop_map(
            |(
                (id, id2, status, summary, description, location),
                (start, end),
                organizer,
                attendees,
                (hangout, html, series),
                conference,
            )| {
                let mut m = Map::new();
                // Duplicate and empty ids are possible too (ids decide which row stays
                // selected across a refresh).
                insert(&mut m, "id", id.or(id2));
                insert(&mut m, "status", status);
                insert(&mut m, "summary", summary);
                insert(&mut m, "description", description);
                insert(&mut m, "location", location);
                insert(&mut m, "start", start);
                insert(&mut m, "end", end);
                insert(&mut m, "organizer", organizer);
                insert(&mut m, "attendees", attendees);
                insert(&mut m, "hangoutLink", hangout);
                insert(&mut m, "htmlLink", html);
                insert(&mut m, "recurringEventId", series);
                insert(&mut m, "conferenceData", conference);
                // Fields meetty does not read must not matter.
                m.insert("kind".into(), json!("calendar#event"));
                m.insert("colorId".into(), json!("\x1b[31m"));
                Value::Object(m)
            },
        )
}

/// An `events.list` page as the body text the client parses.
fn page() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(event(), 0..8),
        prop::option::of(hostile()),
    )
        .prop_map(|(items, token)| {
            let mut m = Map::new();
            m.insert("kind".into(), json!("calendar#events"));
            m.insert("items".into(), Value::Array(items));
            insert(&mut m, "nextPageToken", token);
            Value::Object(m).to_string()
        })
}

fn press() -> impl Strategy<Value = Press> {
    use KeyCodeName::*;
    prop_oneof![
        6 => select(&['j', 'k', 'g', 'G', 'a', 'd', '?', '/', 'x', 'y', 'Y', 'o', 'L'][..]).prop_map(Press::Key),
        4 => select(&[Tab, Esc, Enter, Down, Up, PageDown, PageUp][..]).prop_map(Press::Code),
        1 => (-90i64..3000).prop_map(Press::Tick),
    ]
}

fn zone() -> impl Strategy<Value = Tz> {
    select(
        &[
            Tz::Europe__Berlin,
            Tz::UTC,
            Tz::Pacific__Kiritimati,
            Tz::Pacific__Pago_Pago,
            Tz::Asia__Kolkata,
            Tz::America__St_Johns,
        ][..],
    )
}

fn config() -> ProptestConfig {
    ProptestConfig {
        // A modest default keeps the debug-profile run to a few seconds; PROPTEST_CASES=N
        // runs more (read here, because setting `cases` replaces proptest's own reading).
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(64),
        // No regression files: CI must not write into the tree. A failure prints its input,
        // which then becomes a plain example test here.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config())]

    /// Page → model → screen: never panics, the model holds only clean text, and no cell on
    /// screen holds a control or bidi character, whatever is pressed.
    #[test]
    fn hostile_pages_render_clean(
        page in page(),
        cal_id in text(),
        cal_name in text(),
        cal_color in prop_oneof![text(), Just("#4285f4".to_string()), Just("#+12345".to_string())],
        on_known_calendar in any::<bool>(),
        tz in zone(),
        show_all in prop::bool::weighted(0.75),
        presses in prop::collection::vec(press(), 0..8),
    ) {
        let calendars = vec![calendar(&cal_id, &cal_name, &cal_color)];
        check_line("calendar name", &calendars[0].name).map_err(TestCaseError::fail)?;
        let events_on = if on_known_calendar { cal_id.as_str() } else { "unknown@calendar" };
        let meetings = meetings_of(&page, events_on).map_err(TestCaseError::fail)?;
        let mut settings = demo_settings(tz);
        settings.show_all = show_all;
        let mut app = App::new(settings, Some(agenda_of(calendars, meetings)), now());
        drive(&mut app, &presses).map_err(TestCaseError::fail)?;
    }

    /// Whatever Google's error says, the status line and the empty agenda stay clean.
    #[test]
    fn hostile_error_messages_render_clean(
        message in text(),
        reason in text(),
        which in 0usize..6,
        with_agenda in any::<bool>(),
    ) {
        let error = match which {
            0 => ApiError::Network(message),
            1 => ApiError::Google { code: 400, reason, message },
            2 => ApiError::Unexpected(message),
            3 => ApiError::SignIn(message),
            4 => ApiError::Local(message),
            _ => ApiError::Refused(message),
        };
        let mut app = App::new(demo_settings(tz()), with_agenda.then(agenda), now());
        app.sync = Sync::Failed { error };
        draw_everywhere(&app).map_err(TestCaseError::fail)?;
    }

    /// `sanitize::line`: no controls, invisible formats or untidy whitespace come out; a
    /// second pass changes nothing; clean text passes through untouched.
    #[test]
    fn line_sanitizer_output_is_clean_and_stable(s in hostile()) {
        let once = sanitize::line(&s);
        prop_assert!(check_line("line", &once).is_ok(), "{:?} -> {:?}", s, check_line("line", &once));
        prop_assert!(!once.contains('\x1b'));
        prop_assert_eq!(sanitize::line(&once), once.clone());
        // Clean text without emoji machinery comes back as it went in (emoji sequences
        // and skin tones are the sanitizer's own examples).
        let clean = check_line("input", &s).is_ok()
            && !s.chars().any(|c| is_emoji_part(c) || matches!(c, '\u{1f3fb}'..='\u{1f3ff}'));
        if clean {
            prop_assert_eq!(&once, &s);
        }
    }

    /// `sanitize::block`: only `\n` among controls survives, lines carry no trailing
    /// whitespace, at most two blank lines in a row, no blank edges; a second pass changes
    /// nothing.
    #[test]
    fn block_sanitizer_output_is_clean_and_stable(s in hostile()) {
        let once = sanitize::block(&s);
        prop_assert!(check_text("block", &once, |c| c == '\n').is_ok(), "{:?}", check_text("block", &once, |c| c == '\n'));
        prop_assert!(!once.contains("\n\n\n\n"), "{:?}", once);
        prop_assert!(!once.starts_with('\n'));
        prop_assert!(!once.ends_with(char::is_whitespace));
        for l in once.lines() {
            prop_assert!(!l.ends_with(char::is_whitespace), "{:?}", once);
        }
        prop_assert_eq!(sanitize::block(&once), once.clone());
        // Text that is already clean (printable lines, no tabs, no edge or trailing blanks,
        // no run of blank lines) comes back as it went in.
        let tidy = check_text("input", &s, |c| c == '\n').is_ok()
            && !s.chars().any(|c| {
                c == '\u{85}' || is_emoji_part(c) || matches!(c, '\u{1f3fb}'..='\u{1f3ff}')
            })
            && !s.contains(['\u{2028}', '\u{2029}'])
            && !s.starts_with('\n')
            && !s.ends_with(char::is_whitespace)
            && !s.contains("\n\n\n\n")
            && s.lines().all(|l| !l.ends_with(char::is_whitespace));
        if tidy {
            prop_assert_eq!(&once, &s);
        }
    }

    /// Descriptions (HTML or plain) come out as clean multi-line text, and no bigger than a
    /// small multiple of what came in (a tab is four spaces, a bullet a few bytes more than
    /// its `<li>`).
    #[test]
    fn descriptions_come_out_clean_and_small(
        s in prop_oneof![hostile(), huge_description()]
    ) {
        let out = description_to_text(&s);
        prop_assert!(check_text("description", &out, |c| c == '\n').is_ok(), "{:?}", check_text("description", &out, |c| c == '\n'));
        prop_assert_eq!(sanitize::block(&out), out.clone());
        prop_assert!(out.len() <= 8 * s.len() + 16, "{} bytes in, {} out", s.len(), out.len());
    }
}

// ---------------------------------------------------------------------------------------
// The odd cases the issue names, one example each.

fn page_of(items: Vec<Value>) -> String {
    json!({ "items": items }).to_string()
}

/// An app showing all events of `items` (on the known calendar), at the fixtures' time.
fn app_of(items: Vec<Value>) -> App {
    let meetings = meetings_of(&page_of(items), "alex@example.com").unwrap();
    let calendars = vec![calendar("alex@example.com", "Alex", "#4285f4")];
    let mut settings = demo_settings(tz());
    settings.show_all = true;
    App::new(settings, Some(agenda_of(calendars, meetings)), now())
}

fn titles_on_screen(app: &App) -> Vec<String> {
    app.rows
        .iter()
        .filter_map(|r| match *r {
            meetty::view::Row::Meeting(i) => {
                Some(app.agenda.as_ref().unwrap().meetings[i].title.clone())
            }
            meetty::view::Row::Day(_) => None,
        })
        .collect()
}

fn every_key(app: &mut App) {
    let presses = [
        Press::Key('j'),
        Press::Key('G'),
        Press::Code(KeyCodeName::Tab),
        Press::Code(KeyCodeName::PageDown),
        Press::Key('k'),
        Press::Key('g'),
        Press::Code(KeyCodeName::Tab),
        Press::Key('a'),
        Press::Key('a'),
        Press::Key('d'),
        Press::Code(KeyCodeName::Esc),
    ];
    drive(app, &presses).unwrap();
}

#[test]
fn event_without_end_is_shown_as_a_point_in_time() {
    let mut app = app_of(vec![json!({
        "id": "noend", "summary": "Reminder", "start": {"dateTime": "2026-11-23T10:00:00Z"}
    })]);
    let m = app.selected_meeting().unwrap();
    assert!(matches!(m.when, When::Timed { start, end } if start == end));
    let screen = screen_text(&render(&app, 120, 35));
    assert!(screen.contains("Reminder"), "{screen}");
    every_key(&mut app);
}

#[test]
fn events_without_a_usable_start_are_left_out() {
    let app = app_of(vec![
        json!({"id": "a", "summary": "No start"}),
        json!({"id": "b", "summary": "Empty start", "start": {}}),
        json!({"id": "c", "summary": "Bad start", "start": {"dateTime": "soon"}}),
        json!({"id": "d", "summary": "Bad date", "start": {"date": "2026-02-30"}}),
        json!({"id": "e", "summary": "Kept", "start": {"date": "2026-11-23"}}),
    ]);
    assert_eq!(titles_on_screen(&app), ["Kept"]);
}

#[test]
fn cancelled_instance_of_a_recurring_series_is_dropped() {
    let occurrence = |day: u32| {
        json!({
            "id": format!("series1_202611{day}T100000Z"), "summary": "Weekly sync",
            "recurringEventId": "series1",
            "start": {"dateTime": format!("2026-11-{day}T10:00:00Z")},
            "end": {"dateTime": format!("2026-11-{day}T10:30:00Z")},
        })
    };
    // What Google sends for a cancelled occurrence: little more than its identity.
    let cancelled = json!({
        "id": "series1_20261124T100000Z", "status": "cancelled", "recurringEventId": "series1",
        "originalStartTime": {"dateTime": "2026-11-24T10:00:00Z"}
    });
    let cancelled_with_times = json!({
        "id": "series1_20261125T100000Z", "status": "cancelled", "recurringEventId": "series1",
        "summary": "Weekly sync",
        "start": {"dateTime": "2026-11-25T10:00:00Z"}, "end": {"dateTime": "2026-11-25T10:30:00Z"}
    });
    let mut app = app_of(vec![
        occurrence(23),
        cancelled,
        cancelled_with_times,
        occurrence(26),
    ]);
    let ids: Vec<&str> = app
        .agenda
        .as_ref()
        .unwrap()
        .meetings
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["series1_20261123T100000Z", "series1_20261126T100000Z"]
    );
    assert!(app
        .agenda
        .as_ref()
        .unwrap()
        .meetings
        .iter()
        .all(|m| m.series_id.as_deref() == Some("series1")));
    every_key(&mut app);
}

#[test]
fn all_day_event_spanning_three_weeks_shows_on_every_day() {
    // Started a week ago, ends in two weeks: every day of the 7-day agenda has it.
    let mut app = app_of(vec![json!({
        "id": "conf", "summary": "Conference season",
        "start": {"date": "2026-11-16"}, "end": {"date": "2026-12-07"}
    })]);
    assert_eq!(titles_on_screen(&app).len(), 7);
    app.update(key(KeyCode::Tab));
    let screen = screen_text(&render(&app, 60, 12));
    assert!(
        screen.contains("Mon 16 Nov – Sun 6 Dec (all day)"),
        "{screen}"
    );
    every_key(&mut app);
}

#[test]
fn unknown_enum_values_read_as_the_safe_default() {
    let mut app = app_of(vec![json!({
        "id": "odd", "summary": "Odd enums", "status": "weird",
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"},
        "attendees": [
            {"email": "a@example.com", "responseStatus": "maybe"},
            {"email": "b@example.com", "responseStatus": "tentative"}
        ],
        "conferenceData": {
            "createRequest": {"status": {"statusCode": "exploded"}},
            "conferenceSolution": {"key": {"type": "carrierPigeon"}},
            "entryPoints": [
                {"entryPointType": "hologram", "uri": "https://holo.example/1"},
                {"entryPointType": "video", "uri": "https://video.example/room"},
                {"entryPointType": "phone", "uri": "tel:+1-555-0100"}
            ]
        }
    })]);
    let m = app.selected_meeting().unwrap();
    assert_eq!(m.attendees[0].rsvp, Rsvp::NeedsAction);
    assert_eq!(m.attendees[1].rsvp, Rsvp::Tentative);
    assert_eq!(m.video.as_ref().unwrap().url, "https://video.example/room");
    assert_eq!(m.dial_in[0].number, "+1-555-0100");
    every_key(&mut app);
}

#[test]
fn missing_fields_are_empty_not_errors() {
    let page = r#"{"items": [
        {"start": {"dateTime": "2026-11-23T10:00:00Z"}, "organizer": {},
         "attendees": [{}, {"self": true}], "conferenceData": {"entryPoints": [{}]}}
    ]}"#;
    let meetings = meetings_of(page, "c").unwrap();
    let m = &meetings[0];
    assert_eq!(m.title, "(no title)");
    assert_eq!(m.id, "");
    assert_eq!(m.organizer.as_ref().unwrap().label(), "");
    assert_eq!(m.attendees.len(), 2);
    assert!(m.video.is_none() && m.dial_in.is_empty());
    // A page without items, and one with only a token, are empty pages.
    assert!(meetings_of("{}", "c").unwrap().is_empty());
    assert!(meetings_of(r#"{"nextPageToken": "x"}"#, "c")
        .unwrap()
        .is_empty());
    let mut settings = demo_settings(tz());
    settings.show_all = true;
    let mut app = App::new(settings, Some(agenda_of(Vec::new(), meetings)), now());
    every_key(&mut app);
}

#[test]
fn a_100_kb_description_scrolls_to_its_end() {
    let description = format!(
        "{}<p>\x1b]52;c;aGk=\x07THE-END</p>",
        "<p>Agenda item with \x1b[31msome\x1b[0m words.</p>\n".repeat(2_500)
    );
    assert!(description.len() > 100_000);
    let mut app = app_of(vec![json!({
        "id": "long", "summary": "Long one", "description": description,
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"}
    })]);
    app.update(key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Details);
    let (w, h) = (60, 20);
    let _ = render(&app, w, h); // the pane records how far it can scroll
    let mut last = u16::MAX;
    while app.details_scroll != last {
        last = app.details_scroll;
        app.update(key(KeyCode::PageDown));
    }
    let buf = render(&app, w, h);
    assert_eq!(dirty_cell(&buf), None);
    assert!(screen_text(&buf).contains("THE-END"));
    every_key(&mut app);
}

#[test]
fn three_thousand_attendees() {
    let guests: Vec<Value> = (0..3_000)
        .map(|i| {
            let rsvp = ["accepted", "declined", "tentative", "needsAction"][i % 4];
            json!({
                "email": format!("guest{i}@example.com"),
                "displayName": format!("Guest \x1b[1m{i}\u{202e}"),
                "responseStatus": rsvp
            })
        })
        .collect();
    let mut app = app_of(vec![json!({
        "id": "all-hands", "summary": "All hands", "attendees": guests,
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"},
        "hangoutLink": "https://meet.google.com/abc-defg-hij"
    })]);
    let screen = screen_text(&render(&app, 120, 35));
    assert!(
        screen.contains("Guests (3000): 750 yes, 750 no, 750 maybe,"),
        "{screen}"
    );
    app.update(key(KeyCode::Tab));
    let _ = render(&app, 120, 35);
    for _ in 0..400 {
        app.update(key(KeyCode::PageDown));
    }
    let buf = render(&app, 120, 35);
    assert_eq!(dirty_cell(&buf), None);
    assert!(screen_text(&buf).contains("Guest 2999"));
    every_key(&mut app);
}

#[test]
fn escape_sequences_in_every_field_never_reach_the_screen() {
    let evil = "\x1b]52;c;aGk=\x07\x1b[2J\u{9b}31m\u{202e}evil\x1b[0m";
    let mut app = app_of(vec![json!({
        "id": evil, "summary": evil, "description": evil, "location": evil,
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"},
        "organizer": {"email": evil, "displayName": evil},
        "attendees": [{"email": evil, "displayName": evil, "responseStatus": evil}],
        "hangoutLink": format!("https://meet.google.com/{evil}"),
        "htmlLink": evil,
        "recurringEventId": evil,
        "conferenceData": {"entryPoints": [
            {"entryPointType": "phone", "uri": evil, "label": evil, "pin": evil, "regionCode": evil}
        ]}
    })]);
    let m = app.selected_meeting().unwrap();
    check_meeting(m).unwrap();
    assert_eq!(m.title, "evil");
    app.update(key(KeyCode::Tab));
    let screen = screen_text(&render(&app, 120, 35));
    assert!(screen.contains("evil"), "{screen}");
    every_key(&mut app);
}

/// Found by `hostile_pages_render_clean`: the last date chrono can represent parses, and
/// an all-day event there without an end used to panic computing its next day.
#[test]
fn all_day_event_on_the_last_representable_date_is_dropped_not_a_panic() {
    let page = page_of(vec![
        json!({"id": "max", "start": {"date": "+262142-12-31"}}),
        json!({"id": "max2", "start": {"date": "+262142-12-31"}, "end": {"date": "+262142-12-31"}}),
        json!({"id": "min", "start": {"date": "-262143-01-01"}}),
    ]);
    let meetings = meetings_of(&page, "c").unwrap();
    let ids: Vec<&str> = meetings.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["min"]);
    let mut app = App::new(
        demo_settings(tz()),
        Some(agenda_of(Vec::new(), meetings)),
        now(),
    );
    every_key(&mut app);
}

/// Found in review: a link unwrapped from a SafeLinks or Google redirect was decoded
/// whole, so `%1B` and `%E2%80%AE` inside `url=` became an escape and a right-to-left
/// override in the link shown in the details and the links list, copied by `y` and opened
/// by `o`.
#[test]
fn links_unwrapped_from_redirects_carry_no_controls() {
    let zoom = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fus02web.zoom.us%2Fj%2F81234567890%3Fpwd%3D%1B%5D52%3Bc%3BaGk%3D%07%E2%80%AEevil%1B%5B2J%0Ax&data=05%7C01";
    let teams = "https://www.google.com/url?q=https://teams.microsoft.com/l/meetup-join/19%253ameeting%1B%5B31m%E2%80%AE&sa=D";
    let mut app = app_of(vec![json!({
        "id": "wrapped", "summary": "Wrapped",
        "location": teams,
        "description": format!("Join Zoom: {zoom}"),
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"}
    })]);
    let m = app.selected_meeting().unwrap().clone();
    check_meeting(&m).unwrap();
    let urls: Vec<&str> = m
        .video
        .iter()
        .chain(&m.other_links)
        .map(|l| l.url.as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting%1B[31m%E2%80%AE",
            "https://us02web.zoom.us/j/81234567890?pwd=%1B]52;c;aGk=%07%E2%80%AEevil%1B[2Jx",
        ]
    );
    // The primary link, copied and opened from the agenda.
    for k in ['y', 'o'] {
        let effects = app.update(ch(k));
        assert!(!effects.is_empty(), "{k}: nothing happened");
        check_effects(&effects).unwrap();
    }
    // Both links in the details and the links list, each copied and opened from there.
    app.update(key(KeyCode::Tab));
    let screen = screen_text(&render(&app, 120, 35));
    assert!(screen.contains("teams.microsoft.com"), "{screen}");
    draw_everywhere(&app).unwrap();
    app.update(key(KeyCode::Tab));
    let mut copied = Vec::new();
    for entry in 0..2 {
        app.update(ch('L'));
        assert_eq!(app.mode(), Mode::Links);
        let screen = screen_text(&render(&app, 120, 35));
        assert!(screen.contains("us02web.zoom.us"), "{screen}");
        for _ in 0..entry {
            app.update(ch('j'));
        }
        // `o` closes the list and says "Opening …" in the status line.
        for k in ['y', 'o'] {
            let effects = app.update(ch(k));
            check_effects(&effects).unwrap();
            draw_everywhere(&app).unwrap();
            copied.extend(effects.into_iter().filter_map(|e| match e {
                Effect::Copy { text, .. } => Some(text),
                _ => None,
            }));
        }
    }
    assert!(copied[0].contains("teams.microsoft.com"), "{copied:?}");
    assert!(copied[1].contains("zoom.us"), "{copied:?}");
}

/// Found while writing these tests: every `<li>` was indented by the full list depth, so
/// 100 kB of nested lists became 300 MB of spaces and the details pane hung.
#[test]
fn deeply_nested_lists_do_not_explode() {
    let description = format!("{}{}", "<ul>".repeat(12_500), "<li>".repeat(12_500));
    let out = description_to_text(&description);
    assert!(out.len() < 4 * description.len(), "{} bytes", out.len());
    let mut app = app_of(vec![json!({
        "id": "lists", "summary": "Lists", "description": description,
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"}
    })]);
    every_key(&mut app);
}

/// Found by `hostile_pages_render_clean`: `o` on an event without a video link opened its
/// `htmlLink` whatever the scheme, so an event could hand `file:` or `javascript:` URIs to
/// the platform opener.
#[test]
fn only_web_links_are_opened_even_from_html_link() {
    let event = |id: &str, link: &str| {
        json!({
            "id": id, "summary": id, "htmlLink": link,
            "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"}
        })
    };
    let mut app = app_of(vec![
        event("file", "file:///etc/passwd"),
        event("web", "https://www.google.com/calendar/event?eid=abc"),
    ]);
    assert_eq!(app.selected_meeting().unwrap().title, "file");
    assert!(app.selected_meeting().unwrap().html_link.is_none());
    assert!(app.update(ch('o')).is_empty());
    app.update(ch('j'));
    let effects = app.update(ch('o'));
    assert!(
        matches!(&effects[..], [Effect::Open { url }] if url == "https://www.google.com/calendar/event?eid=abc"),
        "{effects:?}"
    );
}

#[test]
fn json_the_parser_refuses_is_an_error_not_a_panic() {
    for body in [
        r#"{"items": [{"summary": "\ud800"}]}"#,
        r#"{"items": [{"attendees": "everyone"}]}"#,
        r#"{"items": [{"attendees": [{"self": "yes"}]}]}"#,
        r#"{"items": {}}"#,
        r#"{"items": [{"start": {"dateTime": 5}}]}"#,
        "",
        "[",
    ] {
        assert!(
            serde_json::from_str::<EventPage>(body).is_err(),
            "{body} was accepted"
        );
    }
}

#[test]
fn status_line_in_every_mode_survives_tiny_terminals() {
    let mut app = app_of(vec![json!({
        "id": "x", "summary": "\u{4f1a}\u{8b70}\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"}
    })]);
    for p in ["/", "?", "d"] {
        app.update(ch(p.chars().next().unwrap()));
        draw_everywhere(&app).unwrap();
        app.update(key(KeyCode::Esc));
        assert_eq!(app.mode(), Mode::Agenda);
    }
}

/// Issue 15: emoji sequences, joiners, selectors and marks in every position of a title
/// keep every cell's columns right, also where the agenda cuts a title short for a
/// countdown (a meeting running now) and at every width in between.
#[test]
fn emoji_and_zero_width_titles_keep_every_cell_in_its_column() {
    let title = "\u{1f469}\u{200d}\u{1f4bb}Word\u{200c}\u{200d} family \u{1f3f3}\u{fe0f}\u{200d}\u{1f308}\u{2764}\u{fe0f}e\u{301}\u{1f44d}\u{1f3fd}\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}\u{ff76}\u{ff9e}\u{231a}\u{fe0e}\u{4f1a}\u{8b70}\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}1\u{fe0f}\u{20e3}";
    let mut app = app_of(vec![
        json!({
            "id": "now", "summary": title, "location": title, "description": title,
            "start": {"dateTime": "2026-11-23T08:50:00Z"}, "end": {"dateTime": "2026-11-23T09:30:00Z"},
            "attendees": [{"email": "a@example.com", "displayName": title}],
            "hangoutLink": "https://meet.google.com/abc-defg-hij"
        }),
        json!({
            "id": "next", "summary": format!("\u{301}{title}"),
            "start": {"dateTime": "2026-11-23T09:40:00Z"}, "end": {"dateTime": "2026-11-23T10:00:00Z"}
        }),
    ]);
    let m = app.selected_meeting().unwrap();
    check_meeting(m).unwrap();
    assert!(
        m.title.starts_with(
            "\u{1f469}\u{200d}\u{1f4bb}Word family \u{1f3f3}\u{fe0f}\u{200d}\u{1f308}"
        ),
        "{:?}",
        m.title
    );
    for width in 20..=120 {
        for height in [10, 35] {
            let buf = render(&app, width, height);
            assert_eq!(
                dirty_cell(&buf),
                None,
                "{width}x{height}\n{}",
                screen_text(&buf)
            );
        }
    }
    every_key(&mut app);
}
