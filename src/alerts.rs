//! When to notify and when to join, decided from the agenda and the clock alone (no I/O but
//! the small files that remember what was done): the TUI and `meetty watch` run the same
//! [`Engine`], whichever holds the lock, and deliver what it says is due
//! ([`crate::notify`], [`crate::browser`]).
//!
//! Contract (issue 12; filled in by the alerts work). Every alert is keyed by event id +
//! start time + offset, and the keys already fired are kept on disk, so a restart repeats
//! none; a moved meeting has a new key (its alerts move), a cancelled or declined one is no
//! longer in the plan (its alerts go), a new occurrence entering the window gets its own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::model::Agenda;
use crate::config::AutoJoin;

/// What to do for a meeting, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A notification this many minutes before the start.
    Before(u32),
    /// A notification at the start.
    Start,
    /// Open the link one minute before the start (a scheduled join).
    Join,
}

/// The meeting an alert is for, as it was when the alert was planned: enough to show the
/// notification and to act on it without the agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMeeting {
    pub id: String,
    pub series_id: Option<String>,
    pub calendar_id: String,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub link: String,
    /// The provider's name ("Google Meet", "Zoom").
    pub provider: String,
}

/// One planned notification or join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// `<event id>@<start RFC 3339>#<offset>`: what "already done" is remembered by.
    pub key: String,
    pub at: DateTime<Utc>,
    pub kind: Kind,
    pub meeting: AlertMeeting,
}

/// What the config asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub notify_before: Vec<u32>,
    pub auto_join: AutoJoin,
}

/// Where the engine remembers things: fired keys and join marks (see `Paths::fired_file`,
/// `Paths::marks_file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub fired: PathBuf,
    pub marks: PathBuf,
}

/// Plans alerts from the latest agenda and hands out the due ones exactly once.
pub struct Engine {
    _rules: Rules,
    _files: Files,
}

impl Engine {
    /// Reads what was already fired (and the marks) from `files`.
    pub fn new(rules: Rules, files: Files) -> Engine {
        Engine {
            _rules: rules,
            _files: files,
        }
    }

    /// Plans from this agenda from now on (after each sync, or when the cache changed).
    pub fn set_agenda(&mut self, _agenda: &Agenda) {}

    /// The alerts due at `now`, each returned once ever: they are recorded as fired (and
    /// saved) before they are returned.
    pub fn take_due(&mut self, _now: DateTime<Utc>) -> Vec<Alert> {
        Vec::new()
    }

    /// When the next planned alert falls due, if any.
    pub fn next_at(&self) -> Option<DateTime<Utc>> {
        None
    }
}

/// Meetings marked for a scheduled join (`auto_join = "marked"`): single occurrences by
/// event id, whole series by series id. The TUI writes the file, the engine reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    pub occurrences: BTreeSet<String>,
    pub series: BTreeSet<String>,
}

/// One mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// This event or occurrence (its event id).
    Occurrence(String),
    /// Every occurrence of a series (its series id).
    Series(String),
}

impl Marks {
    /// The marks in `path`; a missing or damaged file is no marks.
    pub fn load(path: &Path) -> Marks {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the marks, readable by the user only.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        serde_json::to_writer(opts.open(&tmp)?, self)?;
        std::fs::rename(tmp, path)
    }

    /// Whether the meeting `id` (an occurrence of `series_id`, if any) is to be joined.
    pub fn is_marked(&self, id: &str, series_id: Option<&str>) -> bool {
        self.occurrences.contains(id) || series_id.is_some_and(|s| self.series.contains(s))
    }

    /// Marks or unmarks.
    pub fn set(&mut self, mark: Mark, on: bool) {
        let (set, id) = match mark {
            Mark::Occurrence(id) => (&mut self.occurrences, id),
            Mark::Series(id) => (&mut self.series, id),
        };
        if on {
            set.insert(id);
        } else {
            set.remove(&id);
        }
    }
}
