//! The changes meetty makes at Google ([`WriteOp`]) and what each comes back with
//! ([`Written`]): the TUI's effect runner and the scripting commands both send their changes
//! through [`WriteOp::run`], so a meeting is made, changed and cancelled the same way from both.

use chrono_tz::Tz;

use super::answer::Respond;
use super::client::CalendarClient;
use super::edit::{Edit, Edited};
use super::error::ApiError;
use super::model::{Meeting, SendUpdates};
use super::write::{Created, NewEvent, OnProgress};

/// A change to make at Google; each maps to one `CalendarClient` call.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Create {
        calendar: String,
        event: Box<NewEvent>,
    },
    /// `send`: adding or removing a link changes the invitation guests have.
    AddMeet {
        calendar: String,
        event_id: String,
        send: SendUpdates,
    },
    RemoveMeet {
        calendar: String,
        event_id: String,
        send: SendUpdates,
    },
    /// `event_id` is an occurrence's id, or the series id for all occurrences.
    Cancel {
        calendar: String,
        event_id: String,
        send: SendUpdates,
    },
    InstantLink {
        calendar: String,
        tz: Tz,
    },
    /// The user's own answer to an invitation.
    Respond(Box<Respond>),
    Edit(Box<Edit>),
}

/// What a [`WriteOp`] came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    Created(Box<Created>),
    MeetAdded(Box<Created>),
    MeetRemoved(Box<Meeting>),
    Cancelled,
    InstantLink(String),
    Responded(Box<Meeting>),
    Edited(Box<Edited>),
}

impl WriteOp {
    /// Makes the change.
    pub async fn run(
        self,
        client: &CalendarClient,
        progress: OnProgress<'_>,
    ) -> Result<Written, ApiError> {
        match self {
            WriteOp::Create { calendar, event } => client
                .create(&calendar, &event, progress)
                .await
                .map(|c| Written::Created(Box::new(c))),
            WriteOp::AddMeet {
                calendar,
                event_id,
                send,
            } => client
                .add_meet(&calendar, &event_id, send, progress)
                .await
                .map(|c| Written::MeetAdded(Box::new(c))),
            WriteOp::RemoveMeet {
                calendar,
                event_id,
                send,
            } => client
                .remove_meet(&calendar, &event_id, send)
                .await
                .map(|m| Written::MeetRemoved(Box::new(m))),
            WriteOp::Cancel {
                calendar,
                event_id,
                send,
            } => client
                .cancel(&calendar, &event_id, send)
                .await
                .map(|()| Written::Cancelled),
            WriteOp::InstantLink { calendar, tz } => client
                .instant_link(&calendar, tz, progress)
                .await
                .map(Written::InstantLink),
            WriteOp::Respond(r) => client
                .respond(&r)
                .await
                .map(|m| Written::Responded(Box::new(m))),
            WriteOp::Edit(e) => client
                .edit(&e, progress)
                .await
                .map(|e| Written::Edited(Box::new(e))),
        }
    }
}
