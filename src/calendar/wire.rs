//! Google's event JSON as the agenda reads it: only the fields meetty draws, borrowed from the
//! response body where no unescaping is needed.
//!
//! Why not google-calendar3's `Event` for listings: it owns every one of ~45 fields of every
//! event, and turning a full 2,500-event `events.list` page into it costs more than the whole
//! budget for page-to-model (see BENCHMARKS.md). Listing is meetty's hot path, so it is read
//! through these types; the request itself still goes out through google-calendar3's HTTP
//! client and authenticator.

use std::borrow::Cow;

use serde::Deserialize;

type Text<'a> = Option<Cow<'a, str>>;

/// One page of `events.list`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventPage<'a> {
    #[serde(borrow, default)]
    pub items: Vec<WireEvent<'a>>,
    #[serde(borrow)]
    pub next_page_token: Text<'a>,
    /// On the last page: what to send as `syncToken` next time to hear only of changes.
    #[serde(borrow)]
    pub next_sync_token: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireEvent<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub status: Text<'a>,
    #[serde(borrow)]
    pub summary: Text<'a>,
    #[serde(borrow)]
    pub description: Text<'a>,
    #[serde(borrow)]
    pub location: Text<'a>,
    #[serde(borrow)]
    pub start: Option<WireTime<'a>>,
    #[serde(borrow)]
    pub end: Option<WireTime<'a>>,
    #[serde(borrow)]
    pub organizer: Option<WirePerson<'a>>,
    #[serde(borrow)]
    pub attendees: Vec<WireAttendee<'a>>,
    #[serde(borrow)]
    pub hangout_link: Text<'a>,
    #[serde(borrow)]
    pub html_link: Text<'a>,
    #[serde(borrow)]
    pub recurring_event_id: Text<'a>,
    #[serde(borrow)]
    pub conference_data: Option<WireConference<'a>>,
    #[serde(borrow)]
    pub etag: Text<'a>,
    #[serde(borrow)]
    pub event_type: Text<'a>,
    /// The event's identity across calendars (RFC 5545 UID): the same on every guest's copy,
    /// and shared by all occurrences of a series.
    #[serde(borrow, rename = "iCalUID")]
    pub i_cal_uid: Text<'a>,
}

/// `{"date": "2026-11-21"}` for all-day events, `{"dateTime": RFC 3339}` for timed ones.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireTime<'a> {
    #[serde(borrow)]
    pub date: Text<'a>,
    #[serde(borrow)]
    pub date_time: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WirePerson<'a> {
    #[serde(borrow)]
    pub email: Text<'a>,
    #[serde(borrow)]
    pub display_name: Text<'a>,
    /// The organizer is the calendar this copy of the event is on.
    #[serde(rename = "self")]
    pub is_self: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireAttendee<'a> {
    #[serde(borrow)]
    pub email: Text<'a>,
    #[serde(borrow)]
    pub display_name: Text<'a>,
    #[serde(borrow)]
    pub response_status: Text<'a>,
    pub organizer: Option<bool>,
    #[serde(rename = "self")]
    pub is_self: Option<bool>,
    pub optional: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireConference<'a> {
    #[serde(borrow)]
    pub create_request: Option<WireCreateRequest<'a>>,
    #[serde(borrow)]
    pub conference_solution: Option<WireSolution<'a>>,
    #[serde(borrow)]
    pub entry_points: Vec<WireEntryPoint<'a>>,
}

/// `conferenceData.createRequest`: only its status matters once sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireCreateRequest<'a> {
    #[serde(borrow)]
    pub status: Option<WireStatus<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireStatus<'a> {
    /// `pending`, `success` or `failure`.
    #[serde(borrow)]
    pub status_code: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireSolution<'a> {
    #[serde(borrow)]
    pub key: Option<WireSolutionKey<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireSolutionKey<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireEntryPoint<'a> {
    #[serde(borrow)]
    pub entry_point_type: Text<'a>,
    #[serde(borrow)]
    pub uri: Text<'a>,
    #[serde(borrow)]
    pub label: Text<'a>,
    #[serde(borrow)]
    pub pin: Text<'a>,
    #[serde(borrow)]
    pub access_code: Text<'a>,
    #[serde(borrow)]
    pub region_code: Text<'a>,
    #[serde(borrow)]
    pub meeting_code: Text<'a>,
    #[serde(borrow)]
    pub passcode: Text<'a>,
    #[serde(borrow)]
    pub password: Text<'a>,
}

/// The partial-response selector that asks Google for exactly the fields above.
pub const EVENT_PAGE_FIELDS: &str = "nextPageToken,nextSyncToken,items(id,status,summary,\
description,location,start,end,organizer(email,displayName,self),attendees(email,displayName,\
responseStatus,organizer,self,optional),hangoutLink,htmlLink,recurringEventId,etag,eventType,\
iCalUID,conferenceData(conferenceSolution/key/type,entryPoints(entryPointType,uri,label,pin,\
accessCode,regionCode,meetingCode,passcode,password)))";
