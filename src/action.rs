//! What flows through the one channel: inputs and results in ([`Action`]), work out
//! ([`Effect`]). `App::update` turns the first into the second without doing any I/O.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::calendar::client::ApiError;
use crate::calendar::model::Agenda;

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
        result: Result<Agenda, ApiError>,
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
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Fetch the agenda for `[from, to)`; the answer comes back tagged with `req`.
    Refresh {
        req: u64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
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
}
