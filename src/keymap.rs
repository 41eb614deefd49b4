//! The key tables: one per mode, each a list of commands that both dispatches keys and writes
//! the help overlay and every on-screen hint, so none of them can disagree with a rebinding.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Who has the keys. Each mode has its own table (`[keys.<section>]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Browsing the agenda and the details pane.
    Agenda,
    /// Typing a filter.
    Filter,
    /// The key overlay.
    Help,
    /// The stored sign-in stopped working; the dialog offers a new one.
    SignIn,
    /// Choosing a template for a new meeting.
    Picker,
    /// Filling in the new-meeting form.
    Form,
    /// A question (with choices) over the agenda or the form.
    Confirm,
    /// Free slots for everyone on the form's guest list.
    FindTime,
    /// Choosing the meeting whose link the form's Meet field shares.
    LinkPicker,
    /// Answering an invitation: yes / maybe / no, a note, who hears of it.
    Answer,
    /// Marking an occurrence of a series for a scheduled join: this one or every one.
    JoinMark,
    /// Every link, dial-in, meeting ID and passcode of one meeting, to copy or open any.
    Links,
}

/// Everything a key can do, in any mode; each mode's table says which apply there.
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
    ClearFilter,
    ToggleAll,
    NewMeeting,
    InstantLink,
    AddMeet,
    RemoveMeet,
    Cancel,
    /// Agenda: select the next invitation awaiting the user's answer.
    NextAwaiting,
    /// Agenda: edit or move a meeting the user organizes.
    Edit,
    Help,
    Quit,
    /// Filter: keep what is typed and go back to the agenda.
    KeepFilter,
    /// Filter: erase what is typed, staying in the filter.
    EraseFilter,
    /// Filter, help, picker, sign-in, form: close without doing anything.
    Close,
    Pick,
    SignIn,
    NextField,
    PrevField,
    /// Form: the next field, or create on the last one.
    NextOrCreate,
    Create,
    Newline,
    NoteDown,
    NoteUp,
    Yes,
    No,
    ChoiceDown,
    ChoiceUp,
    NextValue,
    PrevValue,
    /// Form: open find a time.
    FindTime,
    NextSlot,
    PrevSlot,
    NextDay,
    PrevDay,
    /// Find a time: the selected slot becomes the form's start.
    Take,
    /// Agenda: open the answer dialog on an invitation.
    Answer,
    /// Answer dialog: the answer is yes / maybe / no.
    AnswerYes,
    AnswerMaybe,
    AnswerNo,
    /// Answer dialog: send it.
    Send,
    /// Agenda: mark (or unmark) the meeting to be joined by itself one minute before.
    JoinMark,
    /// Join mark dialog: this occurrence only.
    MarkThis,
    /// Join mark dialog: every occurrence of the series.
    MarkEvery,
    /// Agenda: list every link, dial-in, meeting ID and passcode of the meeting.
    Links,
}

/// A command's config name and what help says it does.
type Entry = (Command, &'static str, &'static str);

/// One mode's table, in help order.
pub struct ModeTable {
    pub mode: Mode,
    /// The config section: `[keys.<section>]`.
    pub section: &'static str,
    /// In text-entry modes printable keys are text: only Esc, Enter, Tab, arrows, function
    /// keys and Ctrl/Alt keys may be commands (typing `q` in a title must not quit).
    pub text_entry: bool,
    pub commands: &'static [Entry],
}

pub const MODES: &[ModeTable] = &[
    ModeTable {
        mode: Mode::Agenda,
        section: "agenda",
        text_entry: false,
        commands: &[
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
                "copy the dial-in (else meeting ID and passcode)",
            ),
            (
                Command::OpenLink,
                "open_link",
                "open the link in the browser",
            ),
            (
                Command::Links,
                "links",
                "every link, dial-in and passcode of the meeting",
            ),
            (Command::Refresh, "refresh", "refresh from Google"),
            (
                Command::Filter,
                "filter",
                "filter by text (every word must match)",
            ),
            (Command::ClearFilter, "clear_filter", "clear the filter"),
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
            (Command::Answer, "answer", "answer the invitation"),
            (
                Command::NextAwaiting,
                "next_awaiting",
                "next invitation awaiting your answer",
            ),
            (Command::Edit, "edit", "edit or move the meeting"),
            (
                Command::JoinMark,
                "join_mark",
                "join by itself 1 min before (mark / unmark)",
            ),
            (Command::Help, "help", "this help"),
            (Command::Quit, "quit", "quit"),
        ],
    },
    ModeTable {
        mode: Mode::Filter,
        section: "filter",
        text_entry: true,
        commands: &[
            (Command::KeepFilter, "keep", "keep the filter"),
            (Command::Close, "cancel", "back to the filter as it was"),
            (Command::EraseFilter, "erase", "erase what is typed"),
        ],
    },
    ModeTable {
        mode: Mode::Help,
        section: "help",
        text_entry: false,
        commands: &[
            (Command::Down, "down", "scroll down"),
            (Command::Up, "up", "scroll up"),
            (Command::PageDown, "page_down", "page down"),
            (Command::PageUp, "page_up", "page up"),
            (Command::Close, "close", "close the help"),
        ],
    },
    ModeTable {
        mode: Mode::SignIn,
        section: "sign_in",
        text_entry: false,
        commands: &[
            (
                Command::SignIn,
                "sign_in",
                "sign in again (opens your browser)",
            ),
            (Command::Close, "not_now", "not now: keep what is on screen"),
            (Command::Help, "help", "this help"),
        ],
    },
    ModeTable {
        mode: Mode::Picker,
        section: "picker",
        text_entry: false,
        commands: &[
            (Command::Down, "down", "next template"),
            (Command::Up, "up", "previous template"),
            (
                Command::Pick,
                "pick",
                "use the template (or press its number)",
            ),
            (Command::Close, "back", "back to the agenda"),
            (Command::Help, "help", "this help"),
        ],
    },
    ModeTable {
        mode: Mode::LinkPicker,
        section: "link_picker",
        text_entry: false,
        commands: &[
            (Command::Down, "down", "next meeting"),
            (Command::Up, "up", "previous meeting"),
            (Command::Pick, "pick", "share this meeting's link"),
            (Command::Close, "back", "back to the form"),
            (Command::Help, "help", "this help"),
        ],
    },
    ModeTable {
        mode: Mode::Form,
        section: "form",
        text_entry: true,
        commands: &[
            (Command::NextField, "next_field", "next field"),
            (Command::PrevField, "prev_field", "previous field"),
            (
                Command::NextOrCreate,
                "next_or_create",
                "next field; create on the last one",
            ),
            (Command::Create, "create", "create the meeting"),
            (Command::Newline, "newline", "new line in the description"),
            (
                Command::FindTime,
                "find_time",
                "find a time that suits every guest",
            ),
            (
                Command::NoteDown,
                "note_down",
                "scroll Google's message down",
            ),
            (Command::NoteUp, "note_up", "scroll Google's message up"),
            (Command::Close, "cancel", "close the form (asks if changed)"),
        ],
    },
    ModeTable {
        mode: Mode::Confirm,
        section: "confirm",
        text_entry: false,
        commands: &[
            (Command::Yes, "yes", "yes, do it"),
            (Command::No, "no", "no, go back"),
            (Command::ChoiceDown, "choice_down", "next choice"),
            (Command::ChoiceUp, "choice_up", "previous choice"),
            (Command::NextValue, "next_value", "change the choice"),
            (Command::PrevValue, "prev_value", "change the choice back"),
            (Command::Help, "help", "this help"),
        ],
    },
    ModeTable {
        mode: Mode::FindTime,
        section: "find_time",
        text_entry: false,
        commands: &[
            (Command::NextSlot, "next_slot", "next free slot"),
            (Command::PrevSlot, "prev_slot", "previous free slot"),
            (
                Command::NextDay,
                "next_day",
                "first free slot of the next day",
            ),
            (
                Command::PrevDay,
                "prev_day",
                "first free slot of the day before",
            ),
            (
                Command::Take,
                "take",
                "take the slot as the meeting's start",
            ),
            (Command::Close, "close", "back to the form"),
            (Command::Help, "help", "this help"),
        ],
    },
    // Not text entry as a whole: only while the note is focused are printable keys text
    // (the dialog checks that before asking this table).
    ModeTable {
        mode: Mode::Answer,
        section: "answer",
        text_entry: false,
        commands: &[
            (Command::AnswerYes, "yes", "answer yes"),
            (Command::AnswerMaybe, "maybe", "answer maybe"),
            (Command::AnswerNo, "no", "answer no"),
            (Command::Send, "send", "send the answer"),
            (
                Command::ChoiceDown,
                "choice_down",
                "next choice (or the note)",
            ),
            (Command::ChoiceUp, "choice_up", "previous choice"),
            (Command::NextValue, "next_value", "change the choice"),
            (Command::PrevValue, "prev_value", "change the choice back"),
            (Command::Close, "cancel", "close without answering"),
            (Command::Help, "help", "this help"),
        ],
    },
    ModeTable {
        mode: Mode::JoinMark,
        section: "join_mark",
        text_entry: false,
        commands: &[
            (Command::MarkThis, "this", "join this occurrence by itself"),
            (
                Command::MarkEvery,
                "every",
                "join every occurrence by itself",
            ),
            (Command::Close, "cancel", "back, marking nothing"),
            (Command::Help, "help", "this help"),
        ],
    },
    ModeTable {
        mode: Mode::Links,
        section: "links",
        text_entry: false,
        commands: &[
            (Command::Down, "down", "next link"),
            (Command::Up, "up", "previous link"),
            (Command::CopyLink, "copy", "copy the highlighted one"),
            (Command::OpenLink, "open", "open it in the browser"),
            (Command::Close, "close", "back to the agenda"),
            (Command::Help, "help", "this help"),
        ],
    },
];

/// Keys that work in every mode (`[keys.global]`), after the mode's own.
pub const GLOBAL: ModeTable = ModeTable {
    mode: Mode::Agenda,
    section: "global",
    text_entry: true,
    commands: &[(Command::Help, "help", "help for the keys of this screen")],
};

fn table(mode: Mode) -> &'static ModeTable {
    MODES
        .iter()
        .find(|t| t.mode == mode)
        .expect("every mode has a table")
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

    /// Whether typing this key in a text field would write a character.
    fn is_text(&self) -> bool {
        matches!(
            self.code,
            KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete
        ) && !self.ctrl
            && !self.alt
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

/// Key names, as written in the config and shown in hints; a key's first name is how it is
/// shown ("PgDn", "Shift-Tab"), the others are read too.
const NAMED: &[(&str, KeyCode)] = &[
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("PgUp", KeyCode::PageUp),
    ("PgDn", KeyCode::PageDown),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Shift-Tab", KeyCode::BackTab),
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
            KeyCode::Char(c) if self.ctrl => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            code => {
                let name = NAMED.iter().find(|(_, c)| *c == code).map_or("?", |e| e.0);
                f.write_str(name)
            }
        }
    }
}

/// A mistake in `[keys]`, with where it is (`["keys", "form", "create"]`) so the config can
/// name the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub path: Vec<String>,
    pub message: String,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]: {}", self.path.join("."), self.message)
    }
}

impl std::error::Error for KeyError {}

/// One mode's bindings: key → command, and each command's keys in the order written.
#[derive(Debug, Clone, Default)]
struct Bindings {
    by_key: HashMap<Key, Command>,
    keys: Vec<(Command, &'static str, Vec<Key>)>,
}

/// Every mode's key table, defaults already merged with the user's.
#[derive(Debug, Clone)]
pub struct Keymap {
    modes: HashMap<Mode, Bindings>,
    global: Bindings,
}

type Sections = BTreeMap<String, BTreeMap<String, Vec<String>>>;

impl Keymap {
    /// Builds every mode's table from `[keys.<section>] command = [keys]`. Unknown sections
    /// and commands, bad keys, a key bound twice in one mode and a printable key bound in a
    /// text-entry mode are errors that say where and what to do.
    pub fn from_config(sections: &Sections) -> Result<Keymap, KeyError> {
        let known: Vec<&str> = MODES.iter().chain([&GLOBAL]).map(|t| t.section).collect();
        if let Some(s) = sections.keys().find(|s| !known.contains(&s.as_str())) {
            return Err(KeyError {
                path: vec!["keys".into(), s.clone()],
                message: format!(
                    "there are no keys for {s:?}; the sections are {}",
                    known.join(", ")
                ),
            });
        }
        let empty = BTreeMap::new();
        let entries = |t: &ModeTable| sections.get(t.section).unwrap_or(&empty);
        let global = bind(&GLOBAL, entries(&GLOBAL), &HashMap::new())?;
        let mut modes = HashMap::new();
        for t in MODES {
            modes.insert(t.mode, bind(t, entries(t), &global.by_key)?);
        }
        Ok(Keymap { modes, global })
    }

    fn bindings(&self, mode: Mode) -> &Bindings {
        &self.modes[&mode]
    }

    /// What `ev` does in `mode`: the mode's own table first, then the global one.
    pub fn command(&self, mode: Mode, ev: &KeyEvent) -> Option<Command> {
        let key = Key::from_event(ev);
        self.bindings(mode)
            .by_key
            .get(&key)
            .or_else(|| self.global.by_key.get(&key))
            .copied()
    }

    /// (keys, description) rows for the help overlay of `mode`, straight from the dispatch
    /// table, then the keys that work everywhere.
    pub fn help_rows(&self, mode: Mode) -> Vec<(String, &'static str)> {
        let t = table(mode);
        let own = self.bindings(mode).keys.iter().map(move |e| (t, e));
        let global = self.global.keys.iter().map(|e| (&GLOBAL, e));
        own.chain(global)
            .filter(|(_, (_, _, keys))| !keys.is_empty())
            .map(|(t, (cmd, _, keys))| {
                let keys: Vec<String> = keys.iter().map(Key::to_string).collect();
                let desc = t.commands.iter().find(|e| e.0 == *cmd).map_or("", |e| e.2);
                (keys.join(" "), desc)
            })
            .collect()
    }

    /// The keys of `cmd` in `mode`, else its global keys; none when it is bound nowhere.
    fn keys_of(&self, mode: Mode, cmd: Command) -> &[Key] {
        [self.bindings(mode), &self.global]
            .into_iter()
            .flat_map(|b| b.keys.iter())
            .find(|(c, _, keys)| *c == cmd && !keys.is_empty())
            .map_or(&[], |(_, _, keys)| keys.as_slice())
    }

    /// The first key bound to `cmd` in `mode` (or globally), for hints.
    pub fn first_key(&self, mode: Mode, cmd: Command) -> Option<Key> {
        self.keys_of(mode, cmd).first().copied()
    }

    /// The first key of `cmd` in `mode` for an on-screen hint ("Esc"); unbound: the config
    /// entry to add.
    pub fn hint(&self, mode: Mode, cmd: Command) -> String {
        self.hint_keys(mode, cmd, 1)
    }

    /// Every key of `cmd` in `mode`, for a hint that lists them ("y/Enter").
    pub fn hints(&self, mode: Mode, cmd: Command) -> String {
        self.hint_keys(mode, cmd, usize::MAX)
    }

    fn hint_keys(&self, mode: Mode, cmd: Command, most: usize) -> String {
        match self.keys_of(mode, cmd) {
            [] => {
                let name = table(mode)
                    .commands
                    .iter()
                    .find(|e| e.0 == cmd)
                    .map_or("?", |e| e.1);
                format!("(unbound: {}.{name})", table(mode).section)
            }
            keys => keys
                .iter()
                .take(most)
                .map(Key::to_string)
                .collect::<Vec<_>>()
                .join("/"),
        }
    }
}

/// One table's bindings; `taken` are keys another table (the global one) already has.
fn bind(
    t: &'static ModeTable,
    entries: &BTreeMap<String, Vec<String>>,
    taken: &HashMap<Key, Command>,
) -> Result<Bindings, KeyError> {
    let path = |name: &str| vec!["keys".to_string(), t.section.to_string(), name.to_string()];
    if let Some(name) = entries
        .keys()
        .find(|n| !t.commands.iter().any(|e| e.1 == n.as_str()))
    {
        let known: Vec<_> = t.commands.iter().map(|e| e.1).collect();
        return Err(KeyError {
            path: path(name),
            message: format!(
                "{name:?} is not a command here; the commands of [keys.{}] are {}",
                t.section,
                known.join(", ")
            ),
        });
    }
    let mut b = Bindings::default();
    for &(cmd, name, _) in t.commands {
        let mut parsed = Vec::new();
        for text in entries.get(name).into_iter().flatten() {
            let k = Key::parse(text).map_err(|message| KeyError {
                path: path(name),
                message,
            })?;
            if t.text_entry && k.is_text() {
                return Err(KeyError {
                    path: path(name),
                    message: format!(
                        "{k} is typed as text here; bind Esc, Enter, Tab, an arrow, a function \
                         key or a Ctrl- or Alt- key instead"
                    ),
                });
            }
            let clash = b
                .by_key
                .insert(k, cmd)
                .map(|other| (other, t))
                .or_else(|| taken.get(&k).map(|&other| (other, &GLOBAL)));
            if let Some((other, other_table)) = clash {
                let other_name = other_table
                    .commands
                    .iter()
                    .find(|e| e.0 == other)
                    .map_or("?", |e| e.1);
                return Err(KeyError {
                    path: path(name),
                    message: format!(
                        "{k} is bound to both {}.{other_name} and {}.{name}; remove one",
                        other_table.section, t.section
                    ),
                });
            }
            parsed.push(k);
        }
        b.keys.push((cmd, name, parsed));
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn sections(entries: &[(&str, &str, &[&str])]) -> Sections {
        let mut s = Sections::new();
        for (section, cmd, keys) in entries {
            s.entry(section.to_string()).or_default().insert(
                cmd.to_string(),
                keys.iter().map(|k| k.to_string()).collect(),
            );
        }
        s
    }

    #[test]
    fn parses_named_modified_and_shifted_keys() {
        let map = Keymap::from_config(&sections(&[
            ("agenda", "bottom", &["G"]),
            ("agenda", "quit", &["Ctrl-c", "q"]),
            ("agenda", "page_down", &["PageDown"]),
            ("agenda", "switch_pane", &["BackTab"]),
        ]))
        .unwrap();
        let cmd = |code, mods| map.command(Mode::Agenda, &ev(code, mods));
        assert_eq!(
            cmd(KeyCode::Char('G'), KeyModifiers::SHIFT),
            Some(Command::Bottom)
        );
        assert_eq!(
            cmd(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Command::Quit)
        );
        assert_eq!(cmd(KeyCode::Char('c'), KeyModifiers::NONE), None);
        assert_eq!(
            cmd(KeyCode::Tab, KeyModifiers::SHIFT),
            Some(Command::SwitchPane)
        );
    }

    #[test]
    fn rejects_unknown_commands_bad_keys_and_double_bindings() {
        let e = Keymap::from_config(&sections(&[("agenda", "jump", &["j"])])).unwrap_err();
        assert!(e.message.contains("\"jump\" is not a command"), "{e}");
        assert_eq!(e.path, ["keys", "agenda", "jump"]);
        let e = Keymap::from_config(&sections(&[("agenda", "down", &["Hyper-j"])])).unwrap_err();
        assert!(e.message.contains("unknown key"), "{e}");
        let e = Keymap::from_config(&sections(&[
            ("agenda", "down", &["j"]),
            ("agenda", "up", &["j"]),
        ]))
        .unwrap_err();
        assert!(e.message.contains("bound to both"), "{e}");
        let e = Keymap::from_config(&sections(&[("sidebar", "down", &["j"])])).unwrap_err();
        assert_eq!(e.path, ["keys", "sidebar"]);
    }

    #[test]
    fn the_same_key_may_do_different_things_in_different_modes() {
        let map = Keymap::from_config(&sections(&[
            ("agenda", "cancel", &["d"]),
            ("picker", "down", &["d"]),
        ]))
        .unwrap();
        let d = ev(KeyCode::Char('d'), KeyModifiers::NONE);
        assert_eq!(map.command(Mode::Agenda, &d), Some(Command::Cancel));
        assert_eq!(map.command(Mode::Picker, &d), Some(Command::Down));
    }

    #[test]
    fn text_entry_modes_refuse_printable_keys() {
        let e = Keymap::from_config(&sections(&[("form", "create", &["s"])])).unwrap_err();
        assert!(e.message.contains("typed as text"), "{e}");
        assert_eq!(e.path, ["keys", "form", "create"]);
        let ok = Keymap::from_config(&sections(&[("form", "create", &["Ctrl-Enter"])])).unwrap();
        assert_eq!(ok.hint(Mode::Form, Command::Create), "Ctrl-Enter");
    }

    #[test]
    fn global_keys_work_everywhere_but_clash_with_a_mode_binding() {
        let map = Keymap::from_config(&sections(&[("global", "help", &["F1"])])).unwrap();
        let f1 = ev(KeyCode::F(1), KeyModifiers::NONE);
        assert_eq!(map.command(Mode::Form, &f1), Some(Command::Help));
        assert_eq!(map.command(Mode::Confirm, &f1), Some(Command::Help));
        let e = Keymap::from_config(&sections(&[
            ("global", "help", &["F1"]),
            ("agenda", "refresh", &["F1"]),
        ]))
        .unwrap_err();
        assert!(e.message.contains("global.help"), "{e}");
    }

    #[test]
    fn an_unbound_mode_key_falls_back_to_the_global_one_in_hints() {
        let map = Keymap::from_config(&sections(&[
            ("global", "help", &["F1"]),
            ("agenda", "help", &[]),
        ]))
        .unwrap();
        assert_eq!(
            map.first_key(Mode::Agenda, Command::Help)
                .unwrap()
                .to_string(),
            "F1"
        );
        assert_eq!(map.hint(Mode::Agenda, Command::Help), "F1");
    }

    #[test]
    fn help_rows_and_hints_come_from_the_dispatch_table() {
        let map = Keymap::from_config(&sections(&[
            ("agenda", "copy_link", &["y", "F5"]),
            ("confirm", "yes", &["y", "Enter"]),
        ]))
        .unwrap();
        assert_eq!(
            map.help_rows(Mode::Agenda),
            vec![("y F5".to_string(), "copy the video link")]
        );
        assert_eq!(
            map.first_key(Mode::Agenda, Command::CopyLink)
                .unwrap()
                .to_string(),
            "y"
        );
        assert_eq!(map.hints(Mode::Confirm, Command::Yes), "y/Enter");
        assert_eq!(map.hint(Mode::Confirm, Command::Yes), "y");
        assert_eq!(
            map.hint(Mode::Confirm, Command::No),
            "(unbound: confirm.no)"
        );
    }
}
