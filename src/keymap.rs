//! The key table: one list of commands that both dispatches keys and writes the help overlay,
//! so the two can never disagree.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can do in the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    SwitchPane,
    CopyLink,
    CopyDialIn,
    OpenLink,
    Refresh,
    Filter,
    ToggleAll,
    NewMeeting,
    InstantLink,
    AddMeet,
    RemoveMeet,
    Cancel,
    Help,
    Quit,
}

/// Config name and help text of every command, in help order.
pub const COMMANDS: &[(Command, &str, &str)] = &[
    (Command::Down, "down", "next meeting (scroll details)"),
    (Command::Up, "up", "previous meeting (scroll details)"),
    (Command::Top, "top", "first meeting"),
    (Command::Bottom, "bottom", "last meeting"),
    (Command::PageDown, "page_down", "page down"),
    (Command::PageUp, "page_up", "page up"),
    (Command::SwitchPane, "switch_pane", "agenda / details pane"),
    (Command::CopyLink, "copy_link", "copy the video link"),
    (
        Command::CopyDialIn,
        "copy_dial_in",
        "copy dial-in number and PIN",
    ),
    (
        Command::OpenLink,
        "open_link",
        "open the link in the browser",
    ),
    (Command::Refresh, "refresh", "refresh from Google"),
    (Command::Filter, "filter", "filter by text"),
    (
        Command::ToggleAll,
        "toggle_all",
        "video meetings / all events",
    ),
    (
        Command::NewMeeting,
        "new_meeting",
        "new meeting from a template",
    ),
    (
        Command::InstantLink,
        "instant_link",
        "instant Meet link (copied)",
    ),
    (
        Command::AddMeet,
        "add_meet",
        "add a Meet link to the meeting",
    ),
    (
        Command::RemoveMeet,
        "remove_meet",
        "remove the meeting's Meet link",
    ),
    (Command::Cancel, "cancel", "cancel (or decline) the meeting"),
    (Command::Help, "help", "this help"),
    (Command::Quit, "quit", "quit"),
];

impl Command {
    pub fn name(self) -> &'static str {
        COMMANDS
            .iter()
            .find(|(c, ..)| *c == self)
            .map_or("", |e| e.1)
    }

    fn from_name(name: &str) -> Option<Command> {
        COMMANDS.iter().find(|e| e.1 == name).map(|e| e.0)
    }
}

/// A key as the keymap sees it: Shift is folded into the character (`G`, `?`), so bindings
/// match whatever modifiers the terminal happens to report for shifted characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Key {
        let code = match ev.code {
            // Some terminals report Shift-Tab as Tab + SHIFT.
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses "j", "G", "Ctrl-c", "Alt-x", "PageDown", "F5", "Space"…
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = strip_prefix_ci(rest, "ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = strip_prefix_ci(rest, "alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = named_code(rest)
            .or_else(|| single_char(rest).map(KeyCode::Char))
            .ok_or_else(|| {
                format!("unknown key {s:?} (write keys like \"j\", \"Ctrl-d\", \"PageDown\")")
            })?;
        let code = match code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            c => c,
        };
        Ok(Key { code, ctrl, alt })
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

const NAMED: &[(&str, KeyCode)] = &[
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Backspace", KeyCode::Backspace),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
    ("Space", KeyCode::Char(' ')),
];

fn named_code(s: &str) -> Option<KeyCode> {
    if let Some(n) = s
        .strip_prefix(['F', 'f'])
        .and_then(|n| n.parse::<u8>().ok())
    {
        return (1..=24).contains(&n).then_some(KeyCode::F(n));
    }
    NAMED
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(s))
        .map(|(_, c)| *c)
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            code => {
                let name = NAMED.iter().find(|(_, c)| *c == code).map_or("?", |e| e.0);
                f.write_str(name)
            }
        }
    }
}

/// Key → command, plus each command's keys in the order written, for the help overlay.
#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Key, Command>,
    keys: Vec<(Command, Vec<Key>)>,
}

impl Keymap {
    /// Builds the map from `command = [keys]` entries (defaults already merged with the
    /// user's). Unknown commands, bad keys and a key bound twice are errors that name the fix.
    pub fn from_table(table: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        if let Some(name) = table.keys().find(|n| Command::from_name(n).is_none()) {
            let known: Vec<_> = COMMANDS.iter().map(|e| e.1).collect();
            return Err(format!(
                "[keys] has unknown command {name:?}; known: {}",
                known.join(", ")
            ));
        }
        let mut by_key = HashMap::new();
        let mut keys = Vec::new();
        for &(cmd, name, _) in COMMANDS {
            let parsed = table
                .get(name)
                .into_iter()
                .flatten()
                .map(|k| Key::parse(k).map_err(|e| format!("[keys] {name}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            for k in &parsed {
                if let Some(other) = by_key.insert(*k, cmd) {
                    return Err(format!(
                        "[keys] {k} is bound to both {} and {name}; remove one",
                        other.name()
                    ));
                }
            }
            keys.push((cmd, parsed));
        }
        Ok(Keymap { by_key, keys })
    }

    pub fn command(&self, ev: &KeyEvent) -> Option<Command> {
        self.by_key.get(&Key::from_event(ev)).copied()
    }

    /// (keys, description) rows for the help overlay, straight from the dispatch table.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        self.keys
            .iter()
            .filter(|(_, keys)| !keys.is_empty())
            .map(|(cmd, keys)| {
                let keys: Vec<String> = keys.iter().map(Key::to_string).collect();
                let desc = COMMANDS.iter().find(|e| e.0 == *cmd).map_or("", |e| e.2);
                (keys.join(" "), desc)
            })
            .collect()
    }

    /// The first key bound to a command, for hints in the status bar.
    pub fn first_key(&self, cmd: Command) -> Option<Key> {
        self.keys
            .iter()
            .find(|(c, _)| *c == cmd)
            .and_then(|(_, k)| k.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn table(entries: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        entries
            .iter()
            .map(|(c, ks)| (c.to_string(), ks.iter().map(|k| k.to_string()).collect()))
            .collect()
    }

    #[test]
    fn parses_named_modified_and_shifted_keys() {
        let map = Keymap::from_table(&table(&[
            ("bottom", &["G"]),
            ("quit", &["Ctrl-c", "q"]),
            ("page_down", &["PageDown"]),
            ("switch_pane", &["BackTab"]),
        ]))
        .unwrap();
        let shifted_g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.command(&shifted_g), Some(Command::Bottom));
        let ctrl_c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.command(&ctrl_c), Some(Command::Quit));
        let plain_c = ev(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(map.command(&plain_c), None);
        let shift_tab = ev(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(map.command(&shift_tab), Some(Command::SwitchPane));
    }

    #[test]
    fn rejects_unknown_commands_bad_keys_and_double_bindings() {
        let e = Keymap::from_table(&table(&[("jump", &["j"])])).unwrap_err();
        assert!(e.contains("unknown command \"jump\""), "{e}");
        let e = Keymap::from_table(&table(&[("down", &["Hyper-j"])])).unwrap_err();
        assert!(e.contains("unknown key"), "{e}");
        let e = Keymap::from_table(&table(&[("down", &["j"]), ("up", &["j"])])).unwrap_err();
        assert!(e.contains("bound to both"), "{e}");
    }

    #[test]
    fn help_rows_come_from_the_dispatch_table() {
        let map = Keymap::from_table(&table(&[("copy_link", &["y", "F5"])])).unwrap();
        assert_eq!(
            map.help_rows(),
            vec![("y F5".to_string(), "copy the video link")]
        );
        assert_eq!(map.first_key(Command::CopyLink).unwrap().to_string(), "y");
    }
}
