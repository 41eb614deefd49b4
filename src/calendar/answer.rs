//! Answering an invitation: the user's own reply (yes / maybe / no), with an optional note to
//! the organizer, sent as a PATCH with `attendeesOmitted` and only the user's own attendee entry,
//! so nobody else's entry is ever written back.
//!
//! SKELETON (lead): the types are the contract the TUI and the CLI code against; helper B
//! implements the bodies and replaces this paragraph.

use super::client::CalendarClient;
use super::error::ApiError;
use super::model::{Meeting, Rsvp};
use super::plan::Planned;

/// A reply to an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Accepted, Tentative or Declined.
    pub rsvp: Rsvp,
    /// Sent as the attendee's `comment`; `None` leaves any earlier note as it is.
    pub note: Option<String>,
    /// E-mail the organizer (`sendUpdates=all`), else nobody (`none`).
    pub notify: bool,
}

/// Whom the answer is for: one occurrence or event, or a whole series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respond {
    pub calendar: String,
    /// The occurrence's id, or the series id for every occurrence.
    pub event_id: String,
    /// The user's own address on this event (their attendee entry's `email`).
    pub email: String,
    pub answer: Answer,
}

impl CalendarClient {
    /// The request [`CalendarClient::respond`] sends.
    pub fn plan_respond(&self, r: &Respond) -> Result<Planned, ApiError> {
        let _ = r;
        Err(ApiError::Refused("answering is not built yet".into()))
    }

    /// Sends the answer; the meeting as Google returns it.
    pub async fn respond(&self, r: &Respond) -> Result<Meeting, ApiError> {
        let _ = r;
        Err(ApiError::Refused("answering is not built yet".into()))
    }
}
