//! What flows through the one channel: inputs and results in ([`Action`]), work out
//! ([`Effect`]). `App::update` turns the first into the second without doing any I/O.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use chrono_tz::Tz;

use crate::calendar::client::{ApiError, CalendarClient};
use crate::calendar::model::{Agenda, Meeting};
use crate::calendar::retry::Retrying;
use crate::calendar::write::{Created, NewEvent, OnProgress, Progress, SendUpdates};

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The clock moved: countdowns, spinner and toast expiry follow it.
    Tick(DateTime<Utc>),
    Resize,
    AgendaLoaded {
        req: u64,
        result: Result<Arc<Agenda>, ApiError>,
    },
    /// Request `req` failed in a way worth another try, which follows after a wait.
    Retrying {
        req: u64,
        retry: Retrying,
    },
    /// A copy finished: `Ok` names the channels used ("system clipboard", "OSC 52").
    Copied {
        what: String,
        result: Result<String, String>,
    },
    Opened(Result<(), String>),
    /// What a sign-in started from the TUI has to say (the URL to open, if the browser
    /// did not).
    SignInProgress(String),
    /// A sign-in started from the TUI finished: the account, or why not.
    SignedIn(Result<String, String>),
    /// A change sent to Google moved on (the Meet link is being made).
    WriteProgress {
        req: u64,
        progress: Progress,
    },
    /// A change sent to Google finished.
    Wrote {
        req: u64,
        result: Result<Written, ApiError>,
    },
}

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
    Decline {
        calendar: String,
        event_id: String,
    },
    InstantLink {
        calendar: String,
        tz: Tz,
    },
}

/// What a [`WriteOp`] came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    Created(Box<Created>),
    MeetAdded(Box<Created>),
    MeetRemoved(Box<Meeting>),
    Cancelled,
    Declined(Box<Meeting>),
    InstantLink(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Fetch the agenda for `[from, to)`; the answer comes back tagged with `req`.
    Refresh {
        req: u64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        /// Read the calendar list even if it is fresh (the machine slept).
        reread_calendars: bool,
    },
    SaveCache(Arc<Agenda>),
    Copy {
        text: String,
        what: String,
    },
    Open {
        url: String,
    },
    /// Sign in again in the browser (the grant was revoked or expired).
    SignIn,
    /// Change something at Google; the answer comes back as [`Action::Wrote`] with `req`.
    Write {
        req: u64,
        op: WriteOp,
    },
}

impl WriteOp {
    /// Makes the change: the TUI's effect runner and the CLI both come through here.
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
            WriteOp::Decline { calendar, event_id } => client
                .decline(&calendar, &event_id)
                .await
                .map(|m| Written::Declined(Box::new(m))),
            WriteOp::InstantLink { calendar, tz } => client
                .instant_link(&calendar, tz, progress)
                .await
                .map(Written::InstantLink),
        }
    }
}
