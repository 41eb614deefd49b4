//! Writing to Google Calendar: create, add/remove Meet links, cancel, decline, instant links.

use chrono::DateTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Who Google e-mails about a change (`sendUpdates` on insert, patch and delete). Omitting the
/// parameter means nobody, so meetty always sends one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SendUpdates {
    All,
    ExternalOnly,
    None,
}

impl SendUpdates {
    /// The query parameter's value.
    pub fn as_param(self) -> &'static str {
        match self {
            SendUpdates::All => "all",
            SendUpdates::ExternalOnly => "externalOnly",
            SendUpdates::None => "none",
        }
    }

    /// Accepts what people type: `all`, `external`/`externalOnly`, `none`.
    pub fn parse(s: &str) -> Option<SendUpdates> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Some(SendUpdates::All),
            "external" | "externalonly" | "external_only" | "external-only" => {
                Some(SendUpdates::ExternalOnly)
            }
            "none" => Some(SendUpdates::None),
            _ => None,
        }
    }
}

/// One reminder override (`reminders.overrides[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// `popup` or `email`.
    pub method: String,
    pub minutes: u32,
}

/// A meeting to create, validated: what the form and `meetty new` both produce.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// Chosen by meetty ([`event_id`]) so a retried insert cannot make a twin.
    pub id: String,
    pub title: String,
    /// Sent as `dateTime` plus the zone's IANA name in `timeZone`.
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
    pub attendees: Vec<String>,
    pub description: String,
    /// `RRULE:...` lines; empty for a single meeting.
    pub recurrence: Vec<String>,
    /// `None`: the calendar's default reminders.
    pub reminders: Option<Vec<Reminder>>,
    /// Ask for a Google Meet conference.
    pub meet: bool,
    pub send_updates: SendUpdates,
}
