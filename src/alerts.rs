//! When to notify and when to join, decided from the agenda and the clock alone (no I/O but
//! the small files that remember what was done): the TUI and `meetty watch` run the same
//! [`Engine`], whichever holds the lock, and deliver what it says is due
//! ([`crate::notify`], [`crate::browser`]). Every call takes `now` from the caller, so tests
//! drive the clock.
//!
//! **The plan.** Meetings the user attends ([`Agenda::attended`]: on their own calendar, not
//! declined, not a status or a birthday, an event on two of their calendars once), timed
//! (not all-day) and with a video link get, for each `n` in `notify_before`, a notification
//! `n` minutes before the start ([`Kind::Before`]) and one at the start ([`Kind::Start`]);
//! `notify_before = []` turns them all off. A scheduled join ([`Kind::Join`]) one minute
//! before the start comes with `auto_join = "all"`, or `"marked"` and a mark on the
//! occurrence or its series ([`Marks`], written by the TUI and reread whenever the file
//! changed). The plan is rebuilt from each new agenda, so a meeting moved, cancelled or
//! declined loses its alerts and a series occurrence entering the window gains its own.
//!
//! **Several accounts.** Each account has an engine and files of its own (the TUI runs one
//! per account it leads, a watch one for its account). The TUI hands each the meetings of
//! its part whose kept copy ([`crate::view::kept_copies`]) is that account's
//! ([`crate::runtime::lead::alert_part`]), so an event on two accounts' calendars is
//! notified and joined once, through the account its row shows; a mark goes to the file of
//! the account whose meeting was marked. A Meet link carries that account's `authuser`.
//!
//! **Keys.** `<event id>@<start RFC 3339 UTC>#<before3|start|join>`: a moved meeting has a
//! new start, so new keys (its alerts move, the old ones never fire). The keys fired are
//! saved (JSON, atomic, 0600) before they are handed out and read back at start, so a
//! restart repeats nothing; keys of meetings that started more than a day ago are pruned.
//!
//! **Due.** An alert is due when its moment has come (`at <= now`) and is not gone: a
//! reminder until the meeting starts, the start notification and the join until 5 minutes
//! after the start and never after the end. A missed moment (the laptop asleep, meetty not
//! running) is not shown late. When several of one meeting's notifications are due at once
//! (woken just before the start), only the latest is shown; the others are recorded as fired
//! too. A join is not a notification: it happens alongside.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::links;
use crate::calendar::model::{Agenda, Meeting, When};
use crate::config::{AutoJoin, Config, Paths};

/// Whether `m` gets alerts and may be joined by itself: the user attends it
/// ([`Agenda::attends`]: on their own calendar, not declined, not a status or a birthday), it
/// is timed (an all-day event has no start to join at) and
/// it has a video link. The plan and the TUI's join mark both ask this, so a row never
/// shows a join that will not happen.
pub fn may_join(agenda: &Agenda, m: &Meeting) -> bool {
    agenda.attends(m) && matches!(m.when, When::Timed { .. }) && m.video.is_some()
}

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
    /// The link Join opens, Copy link copies and a scheduled join opens (a Meet link with
    /// the account's `authuser`: [`Rules::authuser`]).
    pub link: String,
    /// The provider's name ("Google Meet", "Zoom").
    pub provider: String,
}

/// One planned notification or join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// `<event id>@<start RFC 3339 UTC>#<before3|start|join>`: what "already done" is
    /// remembered by.
    pub key: String,
    pub at: DateTime<Utc>,
    pub kind: Kind,
    pub meeting: AlertMeeting,
}

/// What the config asks for, for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub notify_before: Vec<u32>,
    pub auto_join: AutoJoin,
    /// The e-mail a Meet link's Join, Copy link and scheduled join carry as `authuser`
    /// ([`links::with_authuser`]), so the browser joins as the account the meeting is on;
    /// None with `meet_authuser = false`, or when the account has no e-mail (a fixed token).
    pub authuser: Option<String>,
}

impl Rules {
    /// The config's `notify_before`, `auto_join` and `meet_authuser` for the account
    /// `email` (the TUI and the watch alike; "" or anything but an e-mail: none).
    pub fn of(config: &Config, email: &str) -> Rules {
        Rules {
            notify_before: config.notify_before.clone(),
            auto_join: config.auto_join,
            authuser: authuser(config, email),
        }
    }
}

/// The e-mail Meet links of `email`'s meetings carry as `authuser` under `config`: None
/// with `meet_authuser = false`, or when `email` is not an e-mail (a fixed token's
/// session, "demo").
pub fn authuser(config: &Config, email: &str) -> Option<String> {
    (config.meet_authuser && email.contains('@')).then(|| email.to_string())
}

/// Where the engine remembers things: fired keys and join marks (see `Paths::fired_file`,
/// `Paths::marks_file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub fired: PathBuf,
    pub marks: PathBuf,
}

impl Files {
    /// One owner's files (an account's e-mail, "demo" or "sandbox").
    pub fn of(paths: &Paths, owner: &str) -> Files {
        Files {
            fired: paths.fired_file(owner),
            marks: paths.marks_file(owner),
        }
    }
}

/// How long after the start a missed start notification or join is still worth doing
/// (never after the meeting's end).
const START_GRACE: TimeDelta = TimeDelta::minutes(5);

/// Fired keys of meetings that started longer ago than this are forgotten: nothing can be
/// due for them any more, and the file never grows without bound.
const KEEP_FIRED: TimeDelta = TimeDelta::days(1);

/// Plans alerts from the latest agenda and hands out the due ones exactly once.
pub struct Engine {
    rules: Rules,
    files: Files,
    /// What alerts are planned for: meetings the user attends, timed, with a video link.
    meetings: Vec<AlertMeeting>,
    marks: Marks,
    marks_seen: Option<Stamp>,
    /// Fired keys, each with its meeting's start (for pruning).
    fired: BTreeMap<String, DateTime<Utc>>,
    fired_seen: Option<Stamp>,
    /// Every alert of `meetings`, fired or not, by time.
    plan: Vec<Alert>,
    /// The clock at the last [`Engine::take_due`]: what is gone by then is not "next".
    last_now: Option<DateTime<Utc>>,
}

/// What a file looked like when last read or written: a change of either means someone
/// else wrote it.
type Stamp = (SystemTime, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl Engine {
    /// Reads what was already fired (and the marks) from `files`. A damaged fired file is
    /// read as empty (and logged): at worst an alert shows twice, never a panic.
    pub fn new(rules: Rules, files: Files) -> Engine {
        let mut engine = Engine {
            rules,
            files,
            meetings: Vec::new(),
            marks: Marks::default(),
            marks_seen: None,
            fired: BTreeMap::new(),
            fired_seen: None,
            plan: Vec::new(),
            last_now: None,
        };
        engine.reread_marks();
        engine.reread_fired();
        engine
    }

    /// Plans from this agenda from now on (after each sync, or when the cache changed).
    pub fn set_agenda(&mut self, agenda: &Agenda) {
        self.meetings = agenda
            .attended()
            .filter(|m| may_join(agenda, m))
            .filter_map(|m| alert_meeting(m, self.rules.authuser.as_deref()))
            .collect();
        self.reread_marks();
        self.replan();
    }

    /// The alerts due at `now`, each returned once ever: they are recorded as fired (and
    /// saved) before they are returned. See the module comment for what "due" means.
    pub fn take_due(&mut self, now: DateTime<Utc>) -> Vec<Alert> {
        if self.reread_marks() {
            self.replan();
        }
        self.reread_fired();
        self.last_now = Some(now);
        let due: Vec<&Alert> = self
            .plan
            .iter()
            .filter(|a| !self.fired.contains_key(&a.key) && is_due(a, now))
            .collect();
        // Of one meeting's notifications due together, only the latest is shown; a join is
        // not a notification and happens alongside.
        let mut shown: Vec<Alert> = Vec::new();
        for alert in &due {
            let latest = !due.iter().any(|other| {
                other.kind != Kind::Join
                    && alert.kind != Kind::Join
                    && same_occurrence(other, alert)
                    && other.at > alert.at
            });
            if latest {
                shown.push((*alert).clone());
            }
        }
        let mut changed = !due.is_empty();
        for alert in due {
            self.fired.insert(alert.key.clone(), alert.meeting.start);
        }
        let before = self.fired.len();
        let cutoff = now - KEEP_FIRED;
        self.fired.retain(|_, start| *start >= cutoff);
        changed |= self.fired.len() != before;
        if changed {
            self.save_fired();
        }
        shown
    }

    /// When the next planned alert falls due, if any: the earliest not fired and not gone
    /// (in the past only when something is due that [`Engine::take_due`] has not taken yet).
    pub fn next_at(&self) -> Option<DateTime<Utc>> {
        self.plan
            .iter()
            .filter(|a| !self.fired.contains_key(&a.key))
            .filter(|a| self.last_now.is_none_or(|now| !is_gone(a, now)))
            .map(|a| a.at)
            .min()
    }

    fn replan(&mut self) {
        let mut plan: Vec<Alert> = self
            .meetings
            .iter()
            .flat_map(|m| self.kinds(m).into_iter().filter_map(|kind| alert(m, kind)))
            .collect();
        plan.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
        self.plan = plan;
    }

    /// What the rules ask for this meeting.
    fn kinds(&self, m: &AlertMeeting) -> Vec<Kind> {
        let mut kinds: Vec<Kind> = Vec::new();
        // 0 minutes before is the start notification; a minute listed twice is one reminder.
        for &n in &self.rules.notify_before {
            if n > 0 && !kinds.contains(&Kind::Before(n)) {
                kinds.push(Kind::Before(n));
            }
        }
        if !self.rules.notify_before.is_empty() {
            kinds.push(Kind::Start);
        }
        let join = match self.rules.auto_join {
            AutoJoin::Off => false,
            AutoJoin::All => true,
            AutoJoin::Marked => self.marks.is_marked(&m.id, m.series_id.as_deref()),
        };
        if join {
            kinds.push(Kind::Join);
        }
        kinds
    }

    /// Rereads the marks file when it changed since last read (the TUI writes it while the
    /// engine runs); says whether it did. Only `auto_join = "marked"` looks at marks.
    fn reread_marks(&mut self) -> bool {
        if self.rules.auto_join != AutoJoin::Marked {
            return false;
        }
        let now = stamp(&self.files.marks);
        if now == self.marks_seen {
            return false;
        }
        self.marks_seen = now;
        self.marks = Marks::load(&self.files.marks);
        true
    }

    /// Adds what another engine recorded since this one last read or wrote the file (the
    /// TUI and the watch hand the lock over to each other): nothing fired twice.
    fn reread_fired(&mut self) {
        let now = stamp(&self.files.fired);
        if now == self.fired_seen {
            return;
        }
        self.fired_seen = now;
        let Ok(bytes) = std::fs::read(&self.files.fired) else {
            return;
        };
        match serde_json::from_slice::<BTreeMap<String, DateTime<Utc>>>(&bytes) {
            Ok(fired) => self.fired.extend(fired),
            Err(e) => log::warn!(
                "{} is damaged ({e}); treating it as empty (it is rewritten at the next alert)",
                self.files.fired.display()
            ),
        }
    }

    /// A failure is logged: the alerts are still shown, and still never twice while this
    /// engine runs.
    fn save_fired(&mut self) {
        match write_private(&self.files.fired, &self.fired) {
            Ok(()) => self.fired_seen = stamp(&self.files.fired),
            Err(e) => log::warn!(
                "could not save {} ({e}): alerts may repeat after a restart; check that the \
                 directory is writable",
                self.files.fired.display()
            ),
        }
    }
}

/// The meeting as alerts need it (one the user attends: [`Agenda::attended`]), its Meet
/// link with `authuser` when given, or `None` when it gets none: all-day, or without a
/// video link.
fn alert_meeting(m: &Meeting, authuser: Option<&str>) -> Option<AlertMeeting> {
    let When::Timed { start, end } = m.when else {
        return None;
    };
    let video = m.video.as_ref()?;
    Some(AlertMeeting {
        id: m.id.clone(),
        series_id: m.series_id.clone(),
        calendar_id: m.calendar_id.clone(),
        title: m.title.clone(),
        start,
        end,
        link: match authuser {
            Some(email) => links::with_authuser(&video.url, email),
            None => video.url.clone(),
        },
        provider: video.provider.name().to_string(),
    })
}

/// The alert of this kind for `m`; `None` only when its moment is out of chrono's range.
fn alert(m: &AlertMeeting, kind: Kind) -> Option<Alert> {
    let (at, offset) = match kind {
        Kind::Before(n) => (
            m.start.checked_sub_signed(TimeDelta::minutes(n.into()))?,
            format!("before{n}"),
        ),
        Kind::Start => (m.start, "start".to_string()),
        Kind::Join => (
            m.start.checked_sub_signed(TimeDelta::minutes(1))?,
            "join".to_string(),
        ),
    };
    Some(Alert {
        key: format!("{}#{offset}", occurrence(m)),
        at,
        kind,
        meeting: m.clone(),
    })
}

/// `<event id>@<start RFC 3339 UTC>`: a moved meeting is another occurrence.
fn occurrence(m: &AlertMeeting) -> String {
    format!(
        "{}@{}",
        m.id,
        m.start.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

fn same_occurrence(a: &Alert, b: &Alert) -> bool {
    a.meeting.id == b.meeting.id && a.meeting.start == b.meeting.start
}

/// Past its moment's use: a reminder once the meeting started, a start notification or a
/// join 5 minutes after the start or after the end.
fn is_gone(a: &Alert, now: DateTime<Utc>) -> bool {
    match a.kind {
        Kind::Before(_) => now >= a.meeting.start,
        Kind::Start | Kind::Join => now > (a.meeting.start + START_GRACE).min(a.meeting.end),
    }
}

fn is_due(a: &Alert, now: DateTime<Utc>) -> bool {
    a.at <= now && !is_gone(a, now)
}

/// Writes `value` as JSON with the crate's one atomic writer (temp file of its own, fsync,
/// rename), readable by the user only: both files name the user's meetings.
fn write_private(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    crate::cache::write_private(path, |out| Ok(serde_json::to_writer(out, value)?))
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
        write_private(path, self)
    }

    /// Whether the meeting `id` (an occurrence of `series_id`, if any) is to be joined.
    pub fn is_marked(&self, id: &str, series_id: Option<&str>) -> bool {
        self.occurrences.contains(id) || series_id.is_some_and(|s| self.series.contains(s))
    }

    /// Whether nothing is marked.
    pub fn is_empty(&self) -> bool {
        self.occurrences.is_empty() && self.series.is_empty()
    }

    /// Adds `other`'s marks.
    pub fn extend(&mut self, other: &Marks) {
        self.occurrences.extend(other.occurrences.iter().cloned());
        self.series.extend(other.series.iter().cloned());
    }

    /// Drops the marks `all` does not have; whether any went.
    pub fn keep_only(&mut self, all: &Marks) -> bool {
        let before = self.occurrences.len() + self.series.len();
        self.occurrences.retain(|id| all.occurrences.contains(id));
        self.series.retain(|id| all.series.contains(id));
        self.occurrences.len() + self.series.len() != before
    }

    /// The marks of `self` that `other` does not have.
    pub fn without(&self, other: &Marks) -> Marks {
        Marks {
            occurrences: self
                .occurrences
                .difference(&other.occurrences)
                .cloned()
                .collect(),
            series: self.series.difference(&other.series).cloned().collect(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The TUI saves the marks from a task per key press: saves in flight at once each
    /// finish, and the file always holds one whole save.
    #[test]
    fn marks_saved_at_once_from_many_threads_all_land_whole() {
        let dir = std::env::temp_dir().join(format!("meetty-marks-{}", std::process::id()));
        let path = dir.join("marks.json");
        std::thread::scope(|s| {
            for t in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for i in 0..50 {
                        let mut marks = Marks::default();
                        marks.set(Mark::Occurrence(format!("t{t}-{i}")), true);
                        marks.save(path).expect("every save succeeds");
                    }
                });
            }
        });
        let last = Marks::load(&path);
        assert_eq!(last.occurrences.len(), 1, "one whole save: {last:?}");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temp file left behind: {left:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
