//! Changing a meeting the user organizes: read it for editing ([`Editable`]), send only what
//! changed ([`Changes`]) guarded by its etag, report a meeting changed elsewhere meanwhile as a
//! [`Conflict`] to ask about, and apply a change to one occurrence, this and the following
//! ones (a series split, as Google Calendar does it) or every occurrence ([`Scope`]).
//!
//! SKELETON (lead): the types are the contract the TUI and the CLI code against; helper C
//! implements the bodies and replaces this paragraph.

use chrono::DateTime;
use chrono_tz::Tz;

use super::client::CalendarClient;
use super::error::ApiError;
use super::model::{Meeting, SendUpdates};
use super::plan::Planned;
use super::write::OnProgress;

/// Which occurrences of a recurring meeting a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The chosen occurrence (or the only one of a single meeting).
    This,
    /// The chosen occurrence and every later one: the series is split there.
    Following,
    /// Every occurrence: the series itself changes.
    All,
}

/// What becomes of the meeting's video conference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetChange {
    /// A new Google Meet link.
    Add,
    /// No conference any more.
    Remove,
    /// The same conference (room) as another event, copied from it.
    CopyFrom {
        calendar_id: String,
        event_id: String,
    },
}

/// What an edit changes; `None` and empty fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub title: Option<String>,
    /// The new start and end of the chosen occurrence. For [`Scope::All`] the series moves
    /// by the same amount.
    pub start: Option<DateTime<Tz>>,
    pub end: Option<DateTime<Tz>>,
    pub add_guests: Vec<String>,
    pub remove_guests: Vec<String>,
    pub description: Option<String>,
    pub meet: Option<MeetChange>,
    /// New `RRULE`/`EXDATE` lines (empty: no longer repeats). Not for [`Scope::This`].
    pub recurrence: Option<Vec<String>>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// A recurring meeting's series, as read for editing.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub id: String,
    pub etag: Option<String>,
    /// `RRULE`/`EXDATE`/`RDATE` lines as Google holds them.
    pub recurrence: Vec<String>,
    /// The series' first start, in its zone.
    pub start: DateTime<Tz>,
}

/// A meeting read fresh for editing: what the edit form fills from and what guards the write.
#[derive(Debug, Clone, PartialEq)]
pub struct Editable {
    /// Carries the etag the write is guarded with.
    pub meeting: Meeting,
    /// The zone the event is written in (`start.timeZone`, else the calendar's).
    pub zone: Tz,
    /// For an occurrence of a recurring meeting.
    pub series: Option<Series>,
}

/// An edit to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub calendar: String,
    pub target: Editable,
    pub scope: Scope,
    pub changes: Changes,
    pub send: SendUpdates,
}

/// One field that differs between the version the user edited and the one Google has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// "title", "time", "guests", "description", "video link", "repeat".
    pub field: &'static str,
    pub before: String,
    pub now: String,
}

/// The meeting changed elsewhere since it was read (Google answered 412).
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The meeting as it is now; an [`Edit`] with this target applies the changes on top.
    pub current: Editable,
    pub differences: Vec<Difference>,
}

/// How an edit ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Edited {
    /// Saved; the meeting as Google returned it (for a split, the new series' occurrence).
    Done(Box<Meeting>),
    /// Not saved: ask the user, then send again with [`Conflict::current`] as the target.
    Conflict(Box<Conflict>),
}

impl CalendarClient {
    /// Reads an event (and its series, for an occurrence) for editing.
    pub async fn load_edit(&self, calendar_id: &str, event_id: &str) -> Result<Editable, ApiError> {
        let _ = (calendar_id, event_id);
        Err(ApiError::Refused("editing is not built yet".into()))
    }

    /// The write requests `edit` makes, without sending them (a split reads nothing more).
    pub fn plan_edit(&self, edit: &Edit) -> Result<Vec<Planned>, ApiError> {
        let _ = edit;
        Err(ApiError::Refused("editing is not built yet".into()))
    }

    /// Sends an edit.
    pub async fn edit(&self, edit: &Edit, progress: OnProgress<'_>) -> Result<Edited, ApiError> {
        let _ = (edit, progress);
        Err(ApiError::Refused("editing is not built yet".into()))
    }
}
