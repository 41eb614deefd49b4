//! When to notify and when to join, decided from the agenda and the clock alone (no I/O but
//! the small files that remember what was done): the TUI and `meetty watch` run the same
//! [`Engine`], whichever holds the lock, and deliver what it says is due
//! ([`crate::notify`], [`crate::browser`]).
//!
//! Contract (issue 12; filled in by the alerts work). Every alert is keyed by event id +
//! start time + offset, and the keys already fired are kept on disk, so a restart repeats
//! none; a moved meeting has a new key (its alerts move), a cancelled or declined one is no
//! longer in the plan (its alerts go), a new occurrence entering the window gets its own.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

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
