//! What flows through the one channel: inputs and results in ([`Action`]), work out
//! ([`Effect`]). `App::update` turns the first into the second without doing any I/O.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::alerts::Marks;
use crate::calendar::edit::Editable;
use crate::calendar::error::ApiError;
use crate::calendar::freebusy::{BusyQuery, FreeBusy};
use crate::calendar::model::Agenda;
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::retry::Retrying;
use crate::calendar::write::Progress;

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The clock moved: countdowns, spinner and toast expiry follow it.
    Tick(DateTime<Utc>),
    Resize,
    /// A refresh's answer: the merged agenda, an account that failed or is slow keeping its
    /// last part with its reason in `AccountState::stale`. With every account failed and
    /// none ever fetched it is [`Agenda::never_fetched`]; `Err` only for one account alone.
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
    /// Google's free/busy answer for find a time.
    FreeBusy {
        req: u64,
        result: Result<FreeBusy, ApiError>,
    },
    /// A change sent to Google moved on (the Meet link is being made).
    WriteProgress {
        req: u64,
        progress: Progress,
    },
    /// A meeting read fresh for the edit form (`e`).
    EditLoaded {
        req: u64,
        result: Result<Box<Editable>, ApiError>,
    },
    /// A change sent to Google finished.
    Wrote {
        req: u64,
        result: Result<Written, ApiError>,
    },
    /// Whether `meetty watch` syncs for this TUI (it holds the lock): true while following,
    /// false once the TUI took over.
    Following(bool),
    /// The join marks were written (or why not).
    MarksSaved(Result<(), String>),
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
        /// The user asked for it (`r`) or this TUI just changed the calendar: a watch that
        /// syncs for this TUI is asked to sync now. Otherwise (the timer, start-up) a
        /// following TUI takes the watch's last cache write and Google is not asked twice.
        asked: bool,
    },
    SaveCache(Arc<Agenda>),
    /// Drop the occurrences of series `series_id` on `calendar` from `from` on from what the
    /// last refresh kept: a series changed for them (split, moved), and an incremental
    /// listing reports the series' occurrences as they are now, not the ones it no longer has.
    ForgetSeries {
        calendar: String,
        series_id: String,
        from: DateTime<Utc>,
    },
    /// Ask Google who is busy when (find a time); a newer query supersedes an older one.
    FreeBusy {
        req: u64,
        /// The account that asks (an index into `Agenda::accounts`).
        account: usize,
        query: BusyQuery,
    },
    /// Find a time closed while its query was out: stop it.
    CancelFreeBusy,
    Copy {
        text: String,
        what: String,
    },
    Open {
        url: String,
    },
    /// Sign in again in the browser (the grant was revoked or expired): this account, an
    /// index into `Agenda::accounts`.
    SignIn {
        account: usize,
    },
    /// Read a meeting (and its series) fresh for the edit form; the answer comes back as
    /// [`Action::EditLoaded`] with `req`.
    LoadEdit {
        req: u64,
        /// The account whose calendar it is (an index into `Agenda::accounts`).
        account: usize,
        calendar: String,
        event_id: String,
    },
    /// Change something at Google; the answer comes back as [`Action::Wrote`] with `req`.
    Write {
        req: u64,
        /// The account that owns the calendar written to (an index into `Agenda::accounts`).
        account: usize,
        op: WriteOp,
    },
    /// Write the scheduled-join marks (every account's) to the files the alerts engines
    /// read: a mark new in `marks` goes to the file of `account` (an index into
    /// `Agenda::accounts`), the one whose meeting was marked; the others stay where they are.
    SaveMarks {
        marks: Marks,
        account: usize,
    },
}
