//! The config file: defaults embedded from `assets/config.toml`, the user's file merged on top.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::calendar::client::CalendarSelection;
use crate::calendar::providers::{self, UserProvider};
use crate::freetime::WorkingHours;
use crate::keymap::Keymap;
use crate::templates::{self, RawTemplate, Template};
use crate::view::ShowDeclined;

mod locate;

use locate::Spot;

pub const DEFAULTS: &str = include_str!("../assets/config.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClipboardMode {
    Auto,
    Native,
    Osc52,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    days: u32,
    timezone: Option<String>,
    calendars: Vec<String>,
    show_all: bool,
    show_declined: ShowDeclined,
    clipboard: ClipboardMode,
    api_root: String,
    copy_on_create: bool,
    refresh_seconds: u32,
    working_hours: String,
    working_days: Vec<String>,
    notify_before: Vec<u32>,
    auto_join: AutoJoin,
    accounts: Vec<String>,
    account_labels: BTreeMap<String, String>,
    #[serde(default)]
    default_calendar: Option<DefaultCalendar>,
    meet_authuser: bool,
    /// Only the user's; the built-in services come from `assets/providers.toml`.
    #[serde(default)]
    providers: Vec<UserProvider>,
    /// Only the user's; the defaults come from `templates::DEFAULTS`.
    #[serde(default)]
    templates: Vec<RawTemplate>,
    /// `[keys.<mode>] command = [keys]`.
    keys: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// The resolved settings the app runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub days: u32,
    pub timezone: Option<String>,
    pub calendars: CalendarSelection,
    pub show_all: bool,
    /// How declined meetings are listed.
    pub show_declined: ShowDeclined,
    pub clipboard: ClipboardMode,
    pub api_root: String,
    /// Copy a new meeting's Meet link once it is created.
    pub copy_on_create: bool,
    /// Time between background refreshes; `None`: only on start-up and `r`.
    pub refresh_every: Option<std::time::Duration>,
    /// When find a time looks for slots.
    pub hours: WorkingHours,
    /// The built-in templates with the user's merged in; "Blank" last.
    pub templates: Vec<Template>,
    pub keymap: Keymap,
    /// Minutes before a meeting with a video link to notify, plus one at its start; empty:
    /// no notifications at all.
    pub notify_before: Vec<u32>,
    /// Which meetings meetty opens by itself a minute before they start.
    pub auto_join: AutoJoin,
    /// Which signed-in accounts the agenda merges, in this order; empty: every one, the
    /// default account first.
    pub accounts: Vec<String>,
    /// An account's label on agenda rows (e-mail → label); unset: its initial.
    pub account_labels: BTreeMap<String, String>,
    /// Where `n` books by default (account and calendar); None: the default account's
    /// primary calendar (or the template's).
    pub default_calendar: Option<DefaultCalendar>,
    /// Open and copy Google Meet links with `authuser=<the account's e-mail>`.
    pub meet_authuser: bool,
    /// The user's `[[providers]]`, already installed in the provider table.
    pub providers: Vec<UserProvider>,
}

/// `default_calendar = { account = "you@work.com", calendar = "primary" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultCalendar {
    pub account: String,
    #[serde(default = "primary")]
    pub calendar: String,
}

fn primary() -> String {
    "primary".into()
}

/// `auto_join`: scheduled joins, opt-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AutoJoin {
    /// Never (the default).
    #[default]
    Off,
    /// Only meetings (occurrences or whole series) marked in the TUI.
    Marked,
    /// Every meeting you attend that has a video link.
    All,
}

/// Where meetty keeps its files (XDG on Linux, via `directories`).
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    /// Locks and other files that must not outlive the session: `$XDG_RUNTIME_DIR/meetty`,
    /// else (no such directory, macOS) `run/` in the data dir.
    pub runtime_dir: PathBuf,
}

impl Paths {
    /// The platform's directories; `config_override` is `--config FILE`.
    pub fn resolve(config_override: Option<PathBuf>) -> Result<Paths, String> {
        let dirs = directories::ProjectDirs::from("", "", "meetty")
            .ok_or("cannot find a home directory: set HOME")?;
        Ok(Paths {
            config_file: config_override.unwrap_or_else(|| dirs.config_dir().join("config.toml")),
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            runtime_dir: dirs
                .runtime_dir()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| dirs.data_dir().join("run")),
        })
    }

    /// Everything under one directory (`config/`, `data/`, `run/`): a private home for a
    /// test, or for a demo that must not touch the user's files.
    pub fn under(dir: &Path) -> Paths {
        Paths {
            config_file: dir.join("config/config.toml"),
            config_dir: dir.join("config"),
            data_dir: dir.join("data"),
            runtime_dir: dir.join("run"),
        }
    }

    /// The OAuth client's id and endpoints (no secret).
    pub fn client_file(&self) -> PathBuf {
        self.config_dir.join("client.json")
    }

    /// Signed-in accounts and where their tokens are (no secrets).
    pub fn accounts_file(&self) -> PathBuf {
        self.config_dir.join("accounts.json")
    }

    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("meetty.log")
    }

    /// The cached agenda of `owner`: an account's email, "demo", or "sandbox".
    pub fn agenda_cache(&self, owner: &str) -> PathBuf {
        self.data_dir.join(owned("agenda", owner, "json"))
    }

    /// The small list of upcoming meetings `meetty next` reads (written with the cache).
    pub fn upcoming_file(&self, owner: &str) -> PathBuf {
        self.data_dir.join(owned("upcoming", owner, "jsonl"))
    }

    /// The notifications and joins already done for `owner`, so a restart repeats none.
    pub fn fired_file(&self, owner: &str) -> PathBuf {
        self.data_dir.join(owned("fired", owner, "json"))
    }

    /// The meetings (and series) marked for a scheduled join.
    pub fn marks_file(&self, owner: &str) -> PathBuf {
        self.data_dir.join(owned("marks", owner, "json"))
    }

    /// Held by the one process (TUI or `meetty watch`) that syncs and notifies for `owner`.
    pub fn lock_file(&self, owner: &str) -> PathBuf {
        self.runtime_dir.join(owned("watch", owner, "lock"))
    }
}

/// `<what>-<owner>.<ext>`, the owner made safe as a file name.
fn owned(what: &str, owner: &str, ext: &str) -> String {
    format!("{what}-{}.{ext}", crate::percent::encode_segment(owner))
}

impl Config {
    /// Defaults merged with the file at `path`, which may be missing (first run). A mistake
    /// is reported as `FILE:LINE:COLUMN: what to do`.
    pub fn load(path: &Path) -> Result<Config, String> {
        let user = match std::fs::read_to_string(path) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read config {}: {e}", path.display())),
        };
        Config::read(user.as_deref()).map_err(|e| match e.at {
            Some(at) => format!("{}:{at}: {}", path.display(), e.message),
            None => format!("{}: {}", path.display(), e.message),
        })
    }

    /// Defaults merged with the user's TOML text, when there is one; a mistake is reported
    /// as `LINE:COLUMN: what to do`.
    pub fn parse(user: Option<&str>) -> Result<Config, String> {
        Config::read(user).map_err(|e| e.to_string())
    }

    fn read(user: Option<&str>) -> Result<Config, ConfigError> {
        let text = user.unwrap_or_default();
        // Where a mistake at `path` is; the message says what to do about it.
        let wrong = |path: &[String], message: String| ConfigError {
            at: locate::value_of(text, path),
            message,
        };
        let setting = |name: &str| vec![name.to_string()];
        let mut table = DeTable::parse(DEFAULTS)
            .map_err(|e| ConfigError::unplaced(format!("the built-in defaults: {e}")))?
            .into_inner();
        let mine = DeTable::parse(text).map_err(|e| ConfigError {
            at: e.span().map(|s| locate::spot(text, s.start)),
            message: format!("this is not valid TOML: {}", e.message()),
        })?;
        merge(&mut table, legacy_keys(mine.into_inner()));
        let merged = toml::de::Deserializer::from(Spanned::new(0..text.len(), table));
        let raw = Raw::deserialize(merged).map_err(|e| explain(text, &e))?;
        if raw.days == 0 || raw.days > 366 {
            let why = format!("days must be between 1 and 366, like 7 (not {})", raw.days);
            return Err(wrong(&setting("days"), why));
        }
        if let Some(tz) = &raw.timezone {
            crate::timefmt::parse_zone(tz).map_err(|e| wrong(&setting("timezone"), e))?;
        }
        let hours = WorkingHours::parse_hours(&raw.working_hours)
            .map_err(|e| wrong(&setting("working_hours"), e))?;
        Ok(Config {
            days: raw.days,
            timezone: raw.timezone,
            calendars: if raw.calendars.is_empty() {
                CalendarSelection::SelectedInGoogle
            } else {
                CalendarSelection::Ids(raw.calendars)
            },
            show_all: raw.show_all,
            show_declined: raw.show_declined,
            clipboard: raw.clipboard,
            api_root: raw.api_root,
            copy_on_create: raw.copy_on_create,
            refresh_every: match raw.refresh_seconds {
                0 => None,
                // Faster than this would only spend the user's API quota.
                s @ 1..10 => {
                    let why = format!("refresh_seconds = {s}: use 0 (off) or 10 or more");
                    return Err(wrong(&setting("refresh_seconds"), why));
                }
                s => Some(std::time::Duration::from_secs(u64::from(s))),
            },
            hours: WorkingHours {
                start: hours.0,
                end: hours.1,
                days: WorkingHours::parse_days(&raw.working_days)
                    .map_err(|e| wrong(&setting("working_days"), e))?,
            },
            templates: templates::load(&raw.templates).map_err(|e| wrong(&e.path, e.message))?,
            keymap: Keymap::from_config(&raw.keys)
                .map_err(|e| wrong(&written_keys(text, e.path.clone()), e.to_string()))?,
            notify_before: raw.notify_before,
            auto_join: raw.auto_join,
            accounts: raw.accounts,
            account_labels: raw.account_labels,
            default_calendar: raw.default_calendar,
            meet_authuser: raw.meet_authuser,
            providers: {
                providers::check(&raw.providers).map_err(|e| wrong(&setting("providers"), e))?;
                raw.providers
            },
        })
    }
}

/// A mistake in the config: where it is in the user's file, when it is there, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ConfigError {
    at: Option<Spot>,
    message: String,
}

impl ConfigError {
    fn unplaced(message: String) -> ConfigError {
        ConfigError { at: None, message }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "{at}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A key binding's path as the user wrote it: `[keys] copy_link` for what an old file says
/// without a screen (read as the agenda's).
fn written_keys(text: &str, path: Vec<String>) -> Vec<String> {
    match path.as_slice() {
        [keys, agenda, name] if agenda == "agenda" && locate::written(text, &path).is_none() => {
            let old = vec![keys.clone(), name.clone()];
            match locate::written(text, &old) {
                Some(_) => old,
                None => path,
            }
        }
        _ => path,
    }
}

/// A deserialization error in words people use, at the setting it is about.
fn explain(text: &str, error: &toml::de::Error) -> ConfigError {
    let span = error.span();
    let path = span.as_ref().and_then(|s| locate::path_at(text, s));
    let (Some(span), Some(path)) = (span, path) else {
        return ConfigError::unplaced(error.message().to_string());
    };
    ConfigError {
        at: Some(locate::spot(text, span.start)),
        message: reword(error.message(), &path),
    }
}

/// Serde's message about the setting at `path`, said as its fix.
fn reword(message: &str, path: &[String]) -> String {
    let name = match path {
        // An entry of a list: its index says nothing to the user, the list's name does.
        [.., list, index] if index.chars().all(|c| c.is_ascii_digit()) => {
            format!("every entry of {list}")
        }
        _ => path.last().cloned().unwrap_or_default(),
    };
    let expected = |text: &str| -> Vec<String> {
        // Serde says "one of `a`, `b`, `c`", or "`a` or `b`" for two.
        text.trim_start_matches("one of ")
            .split(", ")
            .flat_map(|s| s.split("` or `"))
            .map(|s| s.trim_matches('`').to_string())
            .collect()
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, known) = rest.split_once("`, expected ").unwrap_or((rest, ""));
        let field = field.trim_end_matches('`');
        let known = expected(known);
        let what = match path {
            [_] => "setting",
            [first, ..] if first == "templates" => "template setting",
            _ => "key",
        };
        return match closest(field, &known) {
            Some(like) => format!("unknown {what} {field:?}: did you mean {like:?}?"),
            None => format!("unknown {what} {field:?}: use one of {}", known.join(", ")),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (given, known) = rest.split_once("`, expected ").unwrap_or((rest, ""));
        let known = quoted(&expected(known));
        return format!("{name} must be one of {known} (not {given:?})");
    }
    if let Some(field) = message.strip_prefix("missing field `") {
        let field = field.trim_end_matches('`');
        return format!("this entry needs {field} = …");
    }
    if message.starts_with("invalid type: ") || message.starts_with("invalid value: ") {
        let kind = message.rsplit_once(", expected ").map_or("", |(_, e)| e);
        let like = example(path)
            .map(|e| format!(", like {e}"))
            .unwrap_or_default();
        return format!("{name} must be {}{like}", in_words(kind));
    }
    message.to_string()
}

/// What serde expects, as people say it.
fn in_words(expected: &str) -> &str {
    let number = |e: &str| {
        e.len() > 1 && e.starts_with(['u', 'i']) && e[1..].chars().all(|c| c.is_ascii_digit())
    };
    match expected {
        e if number(e) || e == "an integer" => "a whole number",
        "a boolean" => "true or false",
        "a string" => "text in quotes",
        "a sequence" => "a list in square brackets",
        e if e.starts_with("struct ") || e == "a map" => "a table",
        other => other,
    }
}

/// How the built-in defaults write the setting at `path` (for templates: the first built-in
/// template that has the setting).
fn example(path: &[String]) -> Option<&'static str> {
    match path {
        [templates, _, within @ ..] if templates == "templates" => (0..)
            .map_while(|i| {
                let mut p = vec![templates.clone(), i.to_string()];
                locate::value_of(templates::DEFAULTS, &p)?;
                p.extend(within.iter().cloned());
                Some(locate::written(templates::DEFAULTS, &p))
            })
            .flatten()
            .next(),
        _ => locate::written(DEFAULTS, path),
    }
}

fn quoted(names: &[String]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    names.join(", ")
}

/// The known name closest to a misspelt one, if one is close enough to be meant.
fn closest<'a>(name: &str, known: &'a [String]) -> Option<&'a String> {
    known
        .iter()
        .map(|k| (edits(name, k), k))
        .filter(|(d, k)| *d <= 1.max(k.chars().count() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The fewest one-character edits (insert, delete, replace, swap two neighbours) from `a`
/// to `b`: the optimal string alignment distance.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let replace = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + replace);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Files written before keys had a table per screen said `[keys] copy_link = ["c"]`: those
/// entries are the agenda's.
fn legacy_keys(mut user: DeTable<'_>) -> DeTable<'_> {
    if let Some(DeValue::Table(keys)) = user.get_mut("keys").map(Spanned::get_mut) {
        let old: Vec<_> = keys
            .iter()
            .filter(|(_, v)| matches!(v.get_ref(), DeValue::Array(_)))
            .map(|(k, _)| k.clone())
            .collect();
        for name in old {
            let Some(binding) = keys.remove(name.get_ref().as_ref()) else {
                continue;
            };
            let span = binding.span();
            let agenda = keys
                .entry(Spanned::new(span.clone(), "agenda".into()))
                .or_insert_with(|| Spanned::new(span, DeValue::Table(DeTable::new())));
            if let DeValue::Table(agenda) = agenda.get_mut() {
                agenda.insert(name, binding);
            }
        }
    }
    user
}

/// Overlays `user` on `base`: tables merge key by key (so one `[keys.agenda]` entry replaces
/// only that command's keys), everything else replaces.
fn merge<'i>(base: &mut DeTable<'i>, user: DeTable<'i>) {
    for (k, v) in user {
        let span = v.span();
        match (
            base.get_mut(k.get_ref().as_ref()).map(Spanned::get_mut),
            v.into_inner(),
        ) {
            (Some(DeValue::Table(b)), DeValue::Table(u)) => merge(b, u),
            (_, v) => {
                base.insert(k, Spanned::new(span, v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::{Command, Mode};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn defaults_alone_are_valid() {
        let c = Config::parse(None).unwrap();
        assert_eq!(c.days, 7);
        assert_eq!(c.clipboard, ClipboardMode::Auto);
        assert_eq!(c.calendars, CalendarSelection::SelectedInGoogle);
        assert!(c.copy_on_create);
        assert_eq!(c.refresh_every, Some(std::time::Duration::from_secs(60)));
        assert_eq!(c.templates.last().map(|t| t.name.as_str()), Some("Blank"));
        let y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(c.keymap.command(Mode::Agenda, &y), Some(Command::CopyLink));
    }

    #[test]
    fn user_keys_replace_only_the_commands_they_name() {
        let c = Config::parse(Some("days = 3\n[keys]\ncopy_link = [\"c\"]\n")).unwrap();
        let per_mode =
            Config::parse(Some("days = 3\n[keys.agenda]\ncopy_link = [\"c\"]\n")).unwrap();
        assert_eq!(c.days, 3);
        let c_key = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        let y_key = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
        let j_key = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        for c in [&c, &per_mode] {
            let cmd = |k| c.keymap.command(Mode::Agenda, k);
            assert_eq!(cmd(&c_key), Some(Command::CopyLink));
            assert_eq!(cmd(&y_key), None);
            assert_eq!(cmd(&j_key), Some(Command::Down));
        }
    }

    /// Issue 15: each mistake names its line and column and says the fix in plain words.
    #[test]
    fn mistakes_name_the_line_column_and_fix() {
        let rows = [
            (
                "# mine\nshow_all = true\ndays = \"seven\"\n",
                "3:8: days must be a whole number, like 7",
            ),
            ("days = -3", "1:8: days must be a whole number, like 7"),
            (
                "days = 0",
                "1:8: days must be between 1 and 366, like 7 (not 0)",
            ),
            (
                "\ncolour = 1",
                "2:1: unknown setting \"colour\": use one of days, timezone, calendars, \
                 show_all, show_declined, clipboard, api_root, copy_on_create, refresh_seconds, \
                 working_hours, working_days, notify_before, auto_join, accounts, account_labels, default_calendar, meet_authuser, providers, templates, keys",
            ),
            (
                "default_calendar = { account = \"a@b.c\", calender = \"primary\" }",
                "1:41: unknown key \"calender\": did you mean \"calendar\"?",
            ),
            (
                "auto_join = \"sometimes\"",
                "1:13: auto_join must be one of \"off\", \"marked\", \"all\" (not \"sometimes\")",
            ),
            (
                "notify_before = 3",
                "1:17: notify_before must be a list in square brackets, like [3]",
            ),
            (
                "notify_before = [-5]",
                "1:18: every entry of notify_before must be a whole number, like 3",
            ),
            (
                "dayz = 3",
                "1:1: unknown setting \"dayz\": did you mean \"days\"?",
            ),
            (
                "timezone = \"Mars/Olympus\"",
                "1:12: unknown time zone \"Mars/Olympus\": use an IANA name such as \
                 \"Europe/Berlin\"",
            ),
            (
                "clipboard = \"carrier-pigeon\"",
                "1:13: clipboard must be one of \"auto\", \"native\", \"osc52\" \
                 (not \"carrier-pigeon\")",
            ),
            (
                "show_declined = \"grey\"",
                "1:17: show_declined must be one of \"dim\", \"hide\", \"show\" (not \"grey\")",
            ),
            (
                "show_all = \"yes\"",
                "1:12: show_all must be true or false, like false",
            ),
            (
                "calendars = \"primary\"",
                "1:13: calendars must be a list in square brackets, like []",
            ),
            (
                "refresh_seconds = 2",
                "1:19: refresh_seconds = 2: use 0 (off) or 10 or more",
            ),
            ("days = ", "1:8: this is not valid TOML: "),
        ];
        for (text, want) in rows {
            let e = Config::parse(Some(text)).unwrap_err();
            assert!(e.starts_with(want), "{text:?}\n got: {e}\nwant: {want}");
        }
        let off = Config::parse(Some("refresh_seconds = 0")).unwrap();
        assert_eq!(off.refresh_every, None);
    }

    #[test]
    fn template_and_key_mistakes_name_their_line() {
        let rows = [
            (
                "[[templates]]\nname = \"Standup\"\nduration = \"3o m\"\n",
                "3:12: template \"Standup\": duration: cannot read \"3o m\" as a duration",
            ),
            (
                "[[templates]]\nname = \"A\"\n\n[[templates]]\nname = \"B\"\n\
                 reminders = [{ method = \"sms\", minutes = 5 }]\n",
                "6:25: template \"B\": reminders: method \"sms\"",
            ),
            (
                "[[templates]]\nname = \"X\"\ntitel = \"typo\"\n",
                "3:1: unknown template setting \"titel\": did you mean \"title\"?",
            ),
            (
                "[[templates]]\nname = \"X\"\nduration = 30\n",
                "3:12: duration must be text in quotes, like \"15m\"",
            ),
            (
                "[keys.agenda]\ndown = \"j\"\n",
                "2:8: down must be a list in square brackets, like [\"j\", \"Down\"]",
            ),
            (
                "days = 3\n[keys.agenda]\nrefresh = [\"y\"]\n",
                "3:11: [keys.agenda.refresh]: y is bound to both",
            ),
            (
                "[keys.form]\ncreate = [\"Ctrl-s\"]\nnewline = [\"Ctrl-s\"]\n",
                "3:11: [keys.form.newline]: Ctrl-S is bound to both",
            ),
            (
                "[keys]\nrefresh = [\"y\"]\n",
                "2:11: [keys.agenda.refresh]: y is bound to both",
            ),
            // The clash is found at a default the user did not write: their table is named.
            (
                "days = 3\n[keys.agenda]\nbottom = [\"y\"]\n",
                "2:1: [keys.agenda.copy_link]: y is bound to both agenda.bottom and",
            ),
        ];
        for (text, want) in rows {
            let e = Config::parse(Some(text)).unwrap_err();
            assert!(e.starts_with(want), "{text:?}\n got: {e}\nwant: {want}");
        }
    }

    #[test]
    fn declined_meetings_are_dimmed_unless_the_config_says_hide_or_show() {
        assert_eq!(
            Config::parse(None).unwrap().show_declined,
            ShowDeclined::Dim
        );
        for (text, want) in [("hide", ShowDeclined::Hide), ("show", ShowDeclined::Show)] {
            let c = Config::parse(Some(&format!("show_declined = \"{text}\""))).unwrap();
            assert_eq!(c.show_declined, want);
        }
    }

    #[test]
    fn a_config_file_mistake_names_the_file() {
        let dir = std::env::temp_dir().join(format!("meetty-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config.toml");
        std::fs::write(&file, "# mine\nshow_all = true\ndays = \"seven\"\n").unwrap();
        let e = Config::load(&file).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            e,
            format!(
                "{}:3:8: days must be a whole number, like 7",
                file.display()
            )
        );
    }

    #[test]
    fn a_user_template_replaces_the_default_of_that_name() {
        let c = Config::parse(Some(
            "copy_on_create = false\n\
             [[templates]]\nname = \"standup\"\nduration = \"15m\"\n\
             [[templates]]\nname = \"1:1\"\ntitle = \"1:1 with {who}\"\n",
        ))
        .unwrap();
        assert!(!c.copy_on_create);
        let names: Vec<&str> = c.templates.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["Quick Sync", "standup", "Client Demo", "1:1", "Blank"]
        );
        assert_eq!(c.templates[1].duration, chrono::Duration::minutes(15));
        assert_eq!(
            c.templates[1].recurrence, "",
            "a replacement starts from scratch"
        );
    }
}
