//! Answering an invitation: the user's own reply (yes / maybe / no), with an optional note to
//! the organizer, sent as a PATCH with `attendeesOmitted` and only the user's own attendee entry,
//! so nobody else's entry is ever written back.
//!
//! Google's Events reference, `attendeesOmitted`: "Whether attendees may have been omitted from
//! the event's representation. [...] When updating an event, this can be used to only update
//! the participant's response." With the flag set, the `attendees` array of a patch is not the
//! whole guest list (which PATCH would otherwise replace, arrays being replaced whole): it
//! holds the entries to change. So the request carries just `{"email", "responseStatus",
//! "comment"?}` for the user; it works when the organizer hides the guest list, needs no
//! `If-Match` (nothing read earlier is written back), and cannot lose a guest added meanwhile.

use hyper::Method;
use serde_json::{json, Value};

use super::client::CalendarClient;
use super::error::ApiError;
use super::model::{Meeting, Rsvp};
use super::plan::Planned;
use super::write::Snapshot;
use crate::sanitize;

/// The longest note meetty sends, in characters. Google documents no limit for an attendee's
/// `comment`; this keeps the note what it is for (a line to the organizer, shown in its
/// invitation e-mail and beside the answer), and the message says so.
pub const NOTE_MAX_CHARS: usize = 500;

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

impl Rsvp {
    /// The `responseStatus` an answer sends; `None` for "not answered", which is no answer.
    pub fn as_response(self) -> Option<&'static str> {
        match self {
            Rsvp::Accepted => Some("accepted"),
            Rsvp::Tentative => Some("tentative"),
            Rsvp::Declined => Some("declined"),
            Rsvp::NeedsAction => None,
        }
    }
}

/// The note as it goes to Google: cleaned like every text meetty sends, one line, at most
/// [`NOTE_MAX_CHARS`] characters (else refused, saying how long it is).
pub fn clean_note(note: &str) -> Result<String, ApiError> {
    let text = sanitize::typed_line(note).text.trim().to_string();
    let chars = text.chars().count();
    if chars > NOTE_MAX_CHARS {
        return Err(ApiError::Refused(format!(
            "the note to the organizer has {chars} characters; shorten it to at most \
             {NOTE_MAX_CHARS}"
        )));
    }
    Ok(text)
}

impl CalendarClient {
    /// The request [`CalendarClient::respond`] sends: `PATCH .../events/{id}?sendUpdates=`
    /// with `attendeesOmitted: true` and only the user's own entry.
    pub fn plan_respond(&self, r: &Respond) -> Result<Planned, ApiError> {
        let status = r.answer.rsvp.as_response().ok_or_else(|| {
            ApiError::Refused("an answer is yes, maybe or no; \"not answered\" is none".into())
        })?;
        if r.email.trim().is_empty() {
            return Err(ApiError::Refused(
                "you are not a guest of this meeting: there is no answer of yours to send".into(),
            ));
        }
        let mut me = json!({ "email": r.email, "responseStatus": status });
        if let Some(note) = &r.answer.note {
            me["comment"] = Value::String(clean_note(note)?);
        }
        // `all`: the organizer hears of the answer, as when answering in Google Calendar.
        let send = if r.answer.notify { "all" } else { "none" };
        Ok(Planned {
            method: Method::PATCH,
            url: self.events_url(&r.calendar, Some(&r.event_id), &[("sendUpdates", send)])?,
            if_match: None,
            body: Some(json!({ "attendeesOmitted": true, "attendees": [me] })),
        })
    }

    /// Sends the answer; the meeting as Google returns it.
    pub async fn respond(&self, r: &Respond) -> Result<Meeting, ApiError> {
        let stored = self.send(&self.plan_respond(r)?).await?;
        Ok(Snapshot::parse(&r.calendar, &stored)?.meeting)
    }
}
