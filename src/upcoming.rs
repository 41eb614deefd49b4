//! The upcoming meetings in a file small and simple enough for a status bar to read every
//! few seconds: `meetty next` and `meetty join` answer from it alone (no network, no keyring,
//! no full cache), in a few milliseconds. Written with the cache, from the same agenda.
//!
//! The format (JSON Lines, `upcoming-<owner>.jsonl` in the data dir): a header line
//! `{"v":1,"fetched_at":"…"}` (when the agenda was fetched from Google, which tells how
//! stale the list is), then one line per meeting the user attends ([`Agenda::attended`]:
//! a meeting on their own calendar, not a status or a birthday, not declined, each event
//! once), all-day events and meetings already
//! over when the agenda was fetched left out, sorted by start. Each line holds what `next`
//! and `join` print, so they never need the agenda: see [`Entry`].
//!
//! Reading is cheap: [`Reader`] parses one line at a time into borrowed structs and the
//! caller stops as soon as it has its answer, so a 10,000-meeting list costs the few lines
//! before now, not the whole file.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::model::{Agenda, Meeting, Rsvp, When};

/// The format's version; a list of another version is read as no list (the next write
/// replaces it).
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    v: u32,
    fetched_at: DateTime<Utc>,
}

/// One meeting of the list, borrowed from the line it was read from where it can be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry<'a> {
    /// The event (or occurrence) id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The event's iCalUID, the same in every account's copy of it (with the start, what
    /// tells two accounts' copies of one event apart from two events); a list written
    /// before it was kept has none.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Cow<'a, str>>,
    /// The series an occurrence belongs to.
    #[serde(borrow)]
    pub series: Option<Cow<'a, str>>,
    /// Sanitized when written, and again when shown (the file may come from elsewhere).
    #[serde(borrow)]
    pub title: Cow<'a, str>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The video link, if any.
    #[serde(borrow)]
    pub link: Option<Cow<'a, str>>,
    /// The link's provider: "Google Meet", "Zoom"…
    #[serde(borrow)]
    pub provider: Option<Cow<'a, str>>,
    /// The user's answer, in Google's words: `accepted`, `tentative` or `needsAction`
    /// (declined meetings are not listed).
    #[serde(borrow)]
    pub answer: Cow<'a, str>,
}

impl Entry<'_> {
    /// The same entry, owning its strings, to keep it past the line it was read from.
    pub fn into_owned(self) -> Entry<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        Entry {
            id: own(self.id),
            uid: self.uid.map(own),
            series: self.series.map(own),
            title: own(self.title),
            start: self.start,
            end: self.end,
            link: self.link.map(own),
            provider: self.provider.map(own),
            answer: own(self.answer),
        }
    }

    /// What tells one event from another across accounts: its iCalUID (else its id) and
    /// its start, as [`Meeting::same_event`] does.
    pub fn event_key(&self) -> (&str, DateTime<Utc>) {
        (self.uid.as_deref().unwrap_or(&self.id), self.start)
    }

    /// An invitation the user has not answered yet.
    pub fn awaits_answer(&self) -> bool {
        self.answer == "needsAction"
    }

    fn of(m: &Meeting) -> Option<Entry<'_>> {
        let When::Timed { start, end } = m.when else {
            return None;
        };
        Some(Entry {
            id: Cow::Borrowed(&m.id),
            uid: Some(Cow::Borrowed(m.uid.as_str())).filter(|u| !u.is_empty()),
            series: m.series_id.as_deref().map(Cow::Borrowed),
            title: Cow::Borrowed(&m.title),
            start,
            end,
            link: m.video.as_ref().map(|v| Cow::Borrowed(v.url.as_str())),
            provider: m.video.as_ref().map(|v| Cow::Borrowed(v.provider.name())),
            answer: Cow::Borrowed(match m.my_rsvp() {
                Rsvp::Tentative => "tentative",
                Rsvp::NeedsAction => "needsAction",
                Rsvp::Accepted | Rsvp::Declined => "accepted",
            }),
        })
    }
}

/// The entries [`write`] puts in the list for `agenda`, in order.
fn entries(agenda: &Agenda) -> Vec<Entry<'_>> {
    let mut list: Vec<Entry> = agenda
        .attended()
        .filter_map(Entry::of)
        .filter(|e| e.end > agenda.fetched_at)
        .collect();
    list.sort_by_key(|e| e.start);
    list
}

/// Writes the upcoming list for `agenda` atomically (temp file + rename: a status bar never
/// reads half a list), readable by the user only.
pub fn write(path: &Path, agenda: &Agenda) -> std::io::Result<()> {
    crate::cache::write_private(path, |out| {
        let header = Header {
            v: VERSION,
            fetched_at: agenda.fetched_at,
        };
        serde_json::to_writer(&mut *out, &header)?;
        out.write_all(b"\n")?;
        for entry in entries(agenda) {
            serde_json::to_writer(&mut *out, &entry)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Reads an upcoming list line by line.
pub struct Reader {
    lines: BufReader<File>,
    line: String,
    /// When the agenda the list comes from was fetched.
    pub fetched_at: DateTime<Utc>,
}

impl Reader {
    /// Opens the list at `path`; `Ok(None)` when there is none (never written, or written
    /// by another version of meetty).
    pub fn open(path: &Path) -> Result<Option<Reader>, String> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let mut reader = Reader {
            lines: BufReader::with_capacity(16 * 1024, file),
            line: String::new(),
            fetched_at: DateTime::<Utc>::MIN_UTC,
        };
        if !reader.read_line(path)? {
            return Ok(None);
        }
        match serde_json::from_str::<Header>(&reader.line) {
            Ok(h) if h.v == VERSION => {
                reader.fetched_at = h.fetched_at;
                Ok(Some(reader))
            }
            _ => Ok(None),
        }
    }

    /// The next entry, `None` at the end of the list. A damaged line is an error that says
    /// how to get a good list again.
    pub fn next_entry(&mut self, path: &Path) -> Result<Option<Entry<'_>>, String> {
        if !self.read_line(path)? {
            return Ok(None);
        }
        serde_json::from_str(&self.line).map(Some).map_err(|e| {
            format!(
                "{} is damaged ({e}): delete it, then open meetty or run meetty agenda \
                 to write it again",
                path.display()
            )
        })
    }

    /// Reads the next line into `self.line`; false at the end.
    fn read_line(&mut self, path: &Path) -> Result<bool, String> {
        self.line.clear();
        let n = self
            .lines
            .read_line(&mut self.line)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(v: serde_json::Value) -> Meeting {
        let text = v.to_string();
        Meeting::from_event("me@example.com", &serde_json::from_str(&text).unwrap()).unwrap()
    }

    fn timed(id: &str, start: &str, end: &str) -> serde_json::Value {
        serde_json::json!({
            "id": id, "summary": format!("Meeting {id}"),
            "start": {"dateTime": start}, "end": {"dateTime": end},
            "hangoutLink": format!("https://meet.google.com/{id}"),
        })
    }

    /// Only what `next` may show is written, in start order, and reads back the same.
    #[test]
    fn lists_attended_timed_meetings_not_over_in_start_order() {
        let dir = std::env::temp_dir().join(format!("meetty-upcoming-{}", std::process::id()));
        let path = dir.join("upcoming-me.jsonl");
        let mut declined = timed("declined", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z");
        declined["attendees"] = serde_json::json!([{"email": "me@example.com", "self": true, "responseStatus": "declined"}]);
        let mut invited = timed("invited", "2026-11-23T09:30:00Z", "2026-11-23T10:00:00Z");
        invited["attendees"] = serde_json::json!([{"email": "me@example.com", "self": true}]);
        let mut focus = timed("focus", "2026-11-23T12:00:00Z", "2026-11-23T13:00:00Z");
        focus["eventType"] = "focusTime".into();
        let agenda = Agenda {
            meetings: vec![
                meeting(timed(
                    "later",
                    "2026-11-23T15:00:00Z",
                    "2026-11-23T16:00:00Z",
                )),
                meeting(timed(
                    "over",
                    "2026-11-23T07:00:00Z",
                    "2026-11-23T08:00:00Z",
                )),
                meeting(declined),
                meeting(invited),
                meeting(focus),
                meeting(serde_json::json!({
                    "id": "allday", "summary": "Offsite",
                    "start": {"date": "2026-11-23"}, "end": {"date": "2026-11-24"},
                    "hangoutLink": "https://meet.google.com/allday",
                })),
                meeting(timed(
                    "running",
                    "2026-11-23T08:30:00Z",
                    "2026-11-23T09:30:00Z",
                )),
            ],
            fetched_at: "2026-11-23T09:00:00Z".parse().unwrap(),
            accounts: Vec::new(),
            ..Agenda::default()
        };
        write(&path, &agenda).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut reader = Reader::open(&path).unwrap().unwrap();
        assert_eq!(reader.fetched_at, agenda.fetched_at);
        let mut read = Vec::new();
        while let Some(e) = reader.next_entry(&path).unwrap() {
            read.push(e.into_owned());
        }
        let ids: Vec<&str> = read.iter().map(|e| &*e.id).collect();
        assert_eq!(ids, ["running", "invited", "later"]);
        assert!(read[1].awaits_answer());
        assert_eq!(read[0].provider.as_deref(), Some("Google Meet"));
        assert_eq!(
            read[0].link.as_deref(),
            Some("https://meet.google.com/running")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// No list, a list of another version, and a damaged line each say so their own way.
    #[test]
    fn missing_foreign_and_damaged_lists() {
        let dir = std::env::temp_dir().join(format!("meetty-upcoming-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("upcoming-me.jsonl");
        assert!(Reader::open(&path).unwrap().is_none());
        std::fs::write(
            &path,
            "{\"v\":99,\"fetched_at\":\"2026-11-23T09:00:00Z\"}\n",
        )
        .unwrap();
        assert!(Reader::open(&path).unwrap().is_none());
        std::fs::write(
            &path,
            "{\"v\":1,\"fetched_at\":\"2026-11-23T09:00:00Z\"}\n{\"id\":\n",
        )
        .unwrap();
        let mut reader = Reader::open(&path).unwrap().unwrap();
        let err = reader.next_entry(&path).unwrap_err();
        assert!(
            err.contains("is damaged") && err.contains("delete it"),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
