//! The config file: defaults embedded from `assets/config.toml`, the user's file merged on top.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::calendar::client::CalendarSelection;
use crate::keymap::Keymap;
use crate::templates::{self, RawTemplate, Template};

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
    clipboard: ClipboardMode,
    api_root: String,
    copy_on_create: bool,
    refresh_seconds: u32,
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
    pub clipboard: ClipboardMode,
    pub api_root: String,
    /// Copy a new meeting's Meet link once it is created.
    pub copy_on_create: bool,
    /// Time between background refreshes; `None`: only on start-up and `r`.
    pub refresh_every: Option<std::time::Duration>,
    /// The built-in templates with the user's merged in; "Blank" last.
    pub templates: Vec<Template>,
    pub keymap: Keymap,
}

/// Where meetty keeps its files (XDG on Linux, via `directories`).
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
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
        })
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
        let name = format!("agenda-{}.json", crate::percent::encode_segment(owner));
        self.data_dir.join(name)
    }
}

impl Config {
    /// Defaults merged with the file at `path`, which may be missing (first run).
    pub fn load(path: &Path) -> Result<Config, String> {
        let user = match std::fs::read_to_string(path) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read config {}: {e}", path.display())),
        };
        Config::parse(user.as_deref()).map_err(|e| format!("config {}: {e}", path.display()))
    }

    /// Defaults merged with the user's TOML text, when there is one.
    pub fn parse(user: Option<&str>) -> Result<Config, String> {
        let mut table: toml::Table = DEFAULTS.parse().map_err(|e| format!("defaults: {e}"))?;
        if let Some(text) = user {
            let user: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
            merge(&mut table, legacy_keys(user));
        }
        let raw: Raw = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())?;
        if raw.days == 0 || raw.days > 366 {
            return Err(format!("days = {} must be between 1 and 366", raw.days));
        }
        if let Some(tz) = &raw.timezone {
            crate::timefmt::parse_zone(tz)?;
        }
        Ok(Config {
            days: raw.days,
            timezone: raw.timezone,
            calendars: if raw.calendars.is_empty() {
                CalendarSelection::SelectedInGoogle
            } else {
                CalendarSelection::Ids(raw.calendars)
            },
            show_all: raw.show_all,
            clipboard: raw.clipboard,
            api_root: raw.api_root,
            copy_on_create: raw.copy_on_create,
            refresh_every: match raw.refresh_seconds {
                0 => None,
                // Faster than this would only spend the user's API quota.
                s @ 1..10 => {
                    return Err(format!("refresh_seconds = {s}: use 0 (off) or 10 or more"))
                }
                s => Some(std::time::Duration::from_secs(u64::from(s))),
            },
            templates: templates::load(&raw.templates)?,
            keymap: Keymap::from_config(&raw.keys).map_err(|e| e.to_string())?,
        })
    }
}

/// Files written before keys had a table per screen said `[keys] copy_link = ["c"]`: those
/// entries are the agenda's.
fn legacy_keys(mut user: toml::Table) -> toml::Table {
    if let Some(toml::Value::Table(keys)) = user.get_mut("keys") {
        let old: Vec<String> = keys
            .iter()
            .filter(|(_, v)| v.is_array())
            .map(|(k, _)| k.clone())
            .collect();
        for name in old {
            if let Some(v) = keys.remove(&name) {
                let agenda = keys
                    .entry("agenda")
                    .or_insert_with(|| toml::Value::Table(Default::default()));
                if let toml::Value::Table(agenda) = agenda {
                    agenda.insert(name, v);
                }
            }
        }
    }
    user
}

/// Overlays `user` on `base`: tables merge key by key (so one `[keys]` entry replaces only
/// that command's keys), everything else replaces.
fn merge(base: &mut toml::Table, user: toml::Table) {
    for (k, v) in user {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => merge(b, u),
            (_, v) => {
                base.insert(k, v);
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

    #[test]
    fn mistakes_are_named() {
        let e = Config::parse(Some("dayz = 3")).unwrap_err();
        assert!(e.contains("dayz"), "{e}");
        let e = Config::parse(Some("timezone = \"Mars/Olympus\"")).unwrap_err();
        assert!(e.contains("Mars/Olympus"), "{e}");
        let e = Config::parse(Some("clipboard = \"carrier-pigeon\"")).unwrap_err();
        assert!(e.contains("carrier-pigeon"), "{e}");
        let e = Config::parse(Some("days = 0")).unwrap_err();
        assert!(e.contains("between 1 and 366"), "{e}");
        let e = Config::parse(Some("refresh_seconds = 2")).unwrap_err();
        assert!(e.contains("10 or more"), "{e}");
        let off = Config::parse(Some("refresh_seconds = 0")).unwrap();
        assert_eq!(off.refresh_every, None);
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

    #[test]
    fn a_bad_template_is_named_with_its_field() {
        let e = Config::parse(Some(
            "[[templates]]\nname = \"Standup\"\nduration = \"3o m\"\n",
        ))
        .unwrap_err();
        assert!(e.starts_with("template \"Standup\": duration: "), "{e}");
        assert!(e.contains("\"3o m\""), "{e}");
        let e = Config::parse(Some("[[templates]]\nname = \"X\"\ntitel = \"typo\"\n")).unwrap_err();
        assert!(e.contains("titel"), "{e}");
    }
}
