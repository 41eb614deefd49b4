//! Writing to Google Calendar: create, add/remove Meet links, cancel, instant links (answers
//! are in `answer`). Creating and cancelling are planned first
//! ([`CalendarClient::plan_create`], [`CalendarClient::plan_cancel`]), so `--dry-run` prints
//! the very request a real run sends.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use hyper::Method;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::client::CalendarClient;
use super::error::ApiError;
use super::model::{conference_video, Meeting, SendUpdates};
use super::plan::Planned;
use super::wire::WireEvent;

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
    pub conference: NewConference,
    pub send_updates: SendUpdates,
    /// `extendedProperties.private`: hidden key-value pairs on this calendar's copy of the
    /// event (Google's guide "Extended properties",
    /// developers.google.com/calendar/api/guides/extended-properties). `meetty serve` keeps
    /// the fingerprint of an idempotent request here; empty for everything else.
    pub private: BTreeMap<String, String>,
}

/// The video conference a new meeting gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewConference {
    None,
    /// A new Google Meet link (a `createRequest`).
    Meet,
    /// The conference (room) of another event, copied from it ([`copied_conference`]): both
    /// meetings then have the same link.
    CopyFrom {
        calendar_id: String,
        event_id: String,
    },
}

const BASE32HEX: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

/// A fresh event id: 160 random bits as 32 base32hex characters (Google allows 5–1024 of
/// `[a-v0-9]`), so a retried insert names the same event and cannot make a twin.
pub fn event_id() -> String {
    let bytes: [u8; 20] = random();
    let mut out = String::with_capacity(32);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32HEX[((acc >> bits) & 31) as usize] as char);
        }
    }
    out
}

/// A fresh UUID v4, for `conferenceData.createRequest.requestId`.
pub fn request_id() -> String {
    let mut b: [u8; 16] = random();
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing leaves nothing sensible to do.
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random source failed");
    bytes
}

/// What a write is doing, for a status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Saving,
    /// Google is still creating the Meet link; `attempt` counts the re-reads.
    CreatingMeetLink {
        attempt: u32,
    },
}

pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// The Meet link of a written event.
#[derive(Debug, Clone, PartialEq)]
pub enum Conference {
    NotRequested,
    /// The video entry point's URI.
    Ready(String),
    /// Google could not make the link; why, for the user.
    Failed(String),
    /// Google had not finished the link when meetty stopped asking.
    StillPending,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub meeting: Meeting,
    pub conference: Conference,
}

/// What [`CalendarClient::create_or_find`] came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum Creation {
    /// The event was inserted now.
    Made(Box<Created>),
    /// Google already held an event with this id: its resource as stored (JSON).
    Found(hyper::body::Bytes),
}

/// An insert's answer: the event stored now, or the one an earlier insert stored.
enum Stored {
    New(hyper::body::Bytes),
    Found(hyper::body::Bytes),
}

/// The first and the longest wait between reads of a pending Meet link.
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(2);
const INSTANT_TITLE: &str = "meetty instant meeting";

/// The conference as one read of the event shows it.
enum Link {
    None,
    Pending,
    Ready(String),
    Failed,
}

/// One read of an event: the meeting and the state of its conference.
pub(super) struct Snapshot {
    pub(super) meeting: Meeting,
    link: Link,
    /// Any conference at all, finished or not (what removing must get rid of).
    has_conference: bool,
}

impl Snapshot {
    pub(super) fn parse(calendar_id: &str, body: &[u8]) -> Result<Snapshot, ApiError> {
        let ev: WireEvent = serde_json::from_slice(body)
            .map_err(|e| ApiError::Unexpected(format!("event: {e}")))?;
        let meeting = Meeting::from_event(calendar_id, &ev).ok_or_else(|| {
            ApiError::Unexpected("the event is cancelled or has no start time".into())
        })?;
        let status = ev
            .conference_data
            .as_ref()
            .and_then(|c| c.create_request.as_ref())
            .and_then(|r| r.status.as_ref())
            .and_then(|s| s.status_code.as_deref());
        let link = match (status, conference_video(&ev)) {
            (Some("pending"), _) => Link::Pending,
            (Some("failure"), _) => Link::Failed,
            (_, Some(video)) => Link::Ready(video.url),
            _ => Link::None,
        };
        Ok(Snapshot {
            meeting,
            link,
            has_conference: ev.conference_data.is_some() || ev.hangout_link.is_some(),
        })
    }
}

impl Created {
    /// An event resource as Google returned it, read as a meeting and the state of its Meet
    /// link (pending, finished, failed or none asked for).
    pub fn of(calendar_id: &str, resource: &Value) -> Result<Created, ApiError> {
        let body = serde_json::to_vec(resource).map_err(|e| ApiError::Unexpected(e.to_string()))?;
        let snapshot = Snapshot::parse(calendar_id, &body)?;
        let conference = match snapshot.link {
            Link::None => Conference::NotRequested,
            Link::Pending => Conference::StillPending,
            Link::Ready(url) => Conference::Ready(url),
            Link::Failed => Conference::Failed("Google Meet could not add a link".into()),
        };
        Ok(Created {
            meeting: snapshot.meeting,
            conference,
        })
    }
}

impl CalendarClient {
    /// The same client, waiting at most `wait` for Google to finish a pending Meet link
    /// (`meetty serve` answers 202 after its own bound).
    pub fn with_conference_wait(&self, wait: Duration) -> CalendarClient {
        let mut client = self.clone();
        client.limits.conference_wait = wait;
        client
    }

    /// An event resource as Google holds it now, cancelled ones included (an event id chosen
    /// by the client stays taken after the event is deleted).
    pub async fn resource(&self, calendar_id: &str, event_id: &str) -> Result<Value, ApiError> {
        serde_json::from_slice(&self.read(calendar_id, event_id).await?)
            .map_err(|e| ApiError::Unexpected(format!("event: {e}")))
    }
    /// The insert [`CalendarClient::create`] sends for `ev`: a fresh conference `requestId`
    /// each time it is planned, and a copied conference read from its event first, so it is
    /// copied as Google holds it now.
    pub async fn plan_create(&self, calendar_id: &str, ev: &NewEvent) -> Result<Planned, ApiError> {
        let url = self.events_url(
            calendar_id,
            None,
            &[
                // Without it Google silently drops the conference request.
                ("conferenceDataVersion", "1"),
                ("sendUpdates", ev.send_updates.as_param()),
            ],
        )?;
        let copied = match &ev.conference {
            NewConference::CopyFrom {
                calendar_id: from_calendar,
                event_id: from,
            } => Some(self.conference_to_copy(from_calendar, from).await?),
            NewConference::None | NewConference::Meet => None,
        };
        Ok(Planned {
            method: Method::POST,
            url,
            if_match: None,
            body: Some(insert_body(ev, copied.as_ref())),
        })
    }

    /// Creates `ev` on the calendar, with the conference `ev.conference` asks for. An event
    /// already stored under `ev.id` (an earlier attempt whose answer was lost) is taken as
    /// this one.
    pub async fn create(
        &self,
        calendar_id: &str,
        ev: &NewEvent,
        progress: OnProgress<'_>,
    ) -> Result<Created, ApiError> {
        match self.create_or_find(calendar_id, ev, progress).await? {
            Creation::Made(created) => Ok(*created),
            Creation::Found(stored) => {
                log::info!("event {} already stored by an earlier attempt", ev.id);
                self.finish_create(calendar_id, ev, &stored, progress).await
            }
        }
    }

    /// Creates `ev` with one insert; when Google already holds an event with its id (409
    /// `duplicate`: an earlier insert, ours or another process's), that event as Google
    /// holds it, cancelled ones included, for the caller to judge (`meetty serve` compares
    /// the request fingerprint it carries).
    pub async fn create_or_find(
        &self,
        calendar_id: &str,
        ev: &NewEvent,
        progress: OnProgress<'_>,
    ) -> Result<Creation, ApiError> {
        progress(Progress::Saving);
        let insert = self.plan_create(calendar_id, ev).await?;
        match self.store(calendar_id, &ev.id, &insert).await? {
            Stored::New(stored) => self
                .finish_create(calendar_id, ev, &stored, progress)
                .await
                .map(|created| Creation::Made(Box::new(created))),
            Stored::Found(stored) => Ok(Creation::Found(stored)),
        }
    }

    /// The meeting `stored` (the insert's answer) and its conference, the Meet link awaited.
    async fn finish_create(
        &self,
        calendar_id: &str,
        ev: &NewEvent,
        stored: &[u8],
        progress: OnProgress<'_>,
    ) -> Result<Created, ApiError> {
        let snapshot = Snapshot::parse(calendar_id, stored)?;
        match &ev.conference {
            NewConference::None => Ok(Created {
                meeting: snapshot.meeting,
                conference: Conference::NotRequested,
            }),
            NewConference::Meet => Ok(self.await_link(calendar_id, snapshot, progress).await),
            NewConference::CopyFrom { .. } => {
                let conference = match snapshot.link {
                    Link::Ready(url) => Conference::Ready(url),
                    _ => Conference::Failed(
                        "Google Calendar saved the event without the copied link".into(),
                    ),
                };
                Ok(Created {
                    meeting: snapshot.meeting,
                    conference,
                })
            }
        }
    }

    /// The `conferenceData` of event `event_id`, ready to give another event
    /// ([`copied_conference`]); refused when the event has no finished conference to share.
    pub async fn conference_to_copy(
        &self,
        calendar_id: &str,
        event_id: &str,
    ) -> Result<Value, ApiError> {
        let source: Value = serde_json::from_slice(&self.read(calendar_id, event_id).await?)
            .map_err(|e| ApiError::Unexpected(format!("event: {e}")))?;
        usable_copy(&source).map_err(|why| {
            let title = crate::sanitize::line(source["summary"].as_str().unwrap_or(event_id));
            ApiError::Refused(format!("\u{201c}{title}\u{201d} {why}"))
        })
    }

    /// POSTs a new event. The retry policy may send it again when an answer is lost: the
    /// event id and the conference requestId are ours, so Google stores one event, and a 409
    /// `duplicate` means an earlier attempt (of this call, or of an earlier one whose answer
    /// was lost) was stored: read that instead of failing.
    pub(super) async fn insert(
        &self,
        calendar_id: &str,
        event_id: &str,
        insert: &Planned,
    ) -> Result<hyper::body::Bytes, ApiError> {
        match self.store(calendar_id, event_id, insert).await? {
            Stored::New(stored) | Stored::Found(stored) => Ok(stored),
        }
    }

    /// [`CalendarClient::insert`], telling a new event from one already stored under its id
    /// (read back on Google's 409 `duplicate`).
    async fn store(
        &self,
        calendar_id: &str,
        event_id: &str,
        insert: &Planned,
    ) -> Result<Stored, ApiError> {
        match self.send(insert).await {
            Err(ApiError::Google {
                code: 409, reason, ..
            }) if reason == "duplicate" => self
                .get(&self.events_url(calendar_id, Some(event_id), &[])?)
                .await
                .map(Stored::Found),
            other => other.map(Stored::New).map_err(meet_refused),
        }
    }

    /// Asks Google for a Meet link on an existing event. `send` says who hears about it: the
    /// invitation changes (it gains a link), and Google Calendar's own UI asks whether to
    /// tell guests, so the caller decides.
    pub async fn add_meet(
        &self,
        calendar_id: &str,
        event_id: &str,
        send: SendUpdates,
        progress: OnProgress<'_>,
    ) -> Result<Created, ApiError> {
        progress(Progress::Saving);
        let body = json!({ "conferenceData": { "createRequest": create_request() } });
        let stored = self
            .patch(calendar_id, event_id, send, &body.to_string())
            .await
            .map_err(meet_refused)?;
        let snapshot = Snapshot::parse(calendar_id, &stored)?;
        Ok(self.await_link(calendar_id, snapshot, progress).await)
    }

    /// Removes the event's conference (`"conferenceData": null`, which google-calendar3
    /// cannot send) and reads the event back to make sure the link is gone.
    pub async fn remove_meet(
        &self,
        calendar_id: &str,
        event_id: &str,
        send: SendUpdates,
    ) -> Result<Meeting, ApiError> {
        self.patch(calendar_id, event_id, send, r#"{"conferenceData":null}"#)
            .await?;
        let after = Snapshot::parse(calendar_id, &self.read(calendar_id, event_id).await?)?;
        if after.has_conference {
            return Err(ApiError::Unexpected(
                "the Meet link is still on the event after removing it: try again, or remove \
                 it in Google Calendar"
                    .into(),
            ));
        }
        Ok(after.meeting)
    }

    /// The delete [`CalendarClient::cancel`] sends: an instance id cancels that occurrence,
    /// a series id every one.
    pub fn plan_cancel(
        &self,
        calendar_id: &str,
        event_id: &str,
        send: SendUpdates,
    ) -> Result<Planned, ApiError> {
        let url = self.events_url(
            calendar_id,
            Some(event_id),
            &[("sendUpdates", send.as_param())],
        )?;
        Ok(Planned {
            method: Method::DELETE,
            url,
            if_match: None,
            body: None,
        })
    }

    /// Deletes an event (see [`CalendarClient::plan_cancel`]). An event already deleted (410)
    /// counts as cancelled.
    pub async fn cancel(
        &self,
        calendar_id: &str,
        event_id: &str,
        send: SendUpdates,
    ) -> Result<(), ApiError> {
        let delete = self.plan_cancel(calendar_id, event_id, send)?;
        match self.send(&delete).await {
            Ok(_) | Err(ApiError::Google { code: 410, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A Meet link to share right away: a 15-minute event from now with a Meet link, deleted
    /// again (telling nobody) once the link exists; the link outlives the event.
    pub async fn instant_link(
        &self,
        calendar_id: &str,
        tz: Tz,
        progress: OnProgress<'_>,
    ) -> Result<String, ApiError> {
        let start = Utc::now().with_timezone(&tz);
        let ev = NewEvent {
            id: event_id(),
            title: INSTANT_TITLE.into(),
            start,
            end: start + chrono::TimeDelta::minutes(15),
            attendees: Vec::new(),
            description: String::new(),
            recurrence: Vec::new(),
            // No reminder should fire for an event that lives a few seconds.
            reminders: Some(Vec::new()),
            conference: NewConference::Meet,
            send_updates: SendUpdates::None,
            private: BTreeMap::new(),
        };
        let created = self.create(calendar_id, &ev, progress).await?;
        if let Err(e) = self.cancel(calendar_id, &ev.id, SendUpdates::None).await {
            // The link is what was asked for; the stray event ends in 15 minutes.
            log::warn!(
                "could not delete the instant meeting's event {}: {e}",
                ev.id
            );
        }
        match created.conference {
            Conference::Ready(link) => Ok(link),
            Conference::StillPending => Err(ApiError::Unexpected(format!(
                "Google Meet did not finish the link within {} s: try again",
                self.limits.conference_wait.as_secs()
            ))),
            Conference::Failed(_) | Conference::NotRequested => Err(ApiError::Unexpected(
                "Google Meet could not create a link: try again".into(),
            )),
        }
    }

    /// One event or occurrence, as it is now.
    pub async fn event(&self, calendar_id: &str, event_id: &str) -> Result<Meeting, ApiError> {
        let body = self.read(calendar_id, event_id).await?;
        Ok(Snapshot::parse(calendar_id, &body)?.meeting)
    }

    pub(super) async fn read(
        &self,
        calendar_id: &str,
        event_id: &str,
    ) -> Result<hyper::body::Bytes, ApiError> {
        self.get(&self.events_url(calendar_id, Some(event_id), &[])?)
            .await
    }

    async fn patch(
        &self,
        calendar_id: &str,
        event_id: &str,
        send: SendUpdates,
        body: &str,
    ) -> Result<hyper::body::Bytes, ApiError> {
        let url = self.events_url(
            calendar_id,
            Some(event_id),
            &[
                ("conferenceDataVersion", "1"),
                ("sendUpdates", send.as_param()),
            ],
        )?;
        self.request(Method::PATCH, &url, Some(body), &[]).await
    }

    /// Re-reads the event while Google reports the Meet link `pending`, backing off from
    /// 250 ms to 2 s, for at most [`Limits::conference_wait`](super::client::Limits).
    pub(super) async fn await_link(
        &self,
        calendar_id: &str,
        mut snapshot: Snapshot,
        progress: OnProgress<'_>,
    ) -> Created {
        let deadline = Instant::now() + self.limits.conference_wait;
        let mut delay = POLL_FIRST;
        let mut attempt = 0;
        while matches!(snapshot.link, Link::Pending) && Instant::now() + delay <= deadline {
            attempt += 1;
            progress(Progress::CreatingMeetLink { attempt });
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(POLL_MAX);
            let read = self.read(calendar_id, &snapshot.meeting.id).await;
            match read.and_then(|body| Snapshot::parse(calendar_id, &body)) {
                Ok(next) => snapshot = next,
                // The event exists; whoever shows it can read it again later.
                Err(e) => {
                    log::warn!("re-reading the event for its Meet link failed: {e}");
                    break;
                }
            }
        }
        let conference = match snapshot.link {
            Link::Ready(url) => Conference::Ready(url),
            Link::Pending => Conference::StillPending,
            Link::Failed => Conference::Failed(
                "Google Meet could not add a link to this event; the event is saved without \
                 one"
                .into(),
            ),
            Link::None => {
                Conference::Failed("Google Calendar saved the event without a Meet link".into())
            }
        };
        Created {
            meeting: snapshot.meeting,
            conference,
        }
    }
}

/// The conference of `event` (an event resource) copied for another event, or why it cannot
/// be: Google takes either a createRequest or "conferenceSolution and at least one
/// entryPoint" (Events reference, `conferenceData`); a conference still being made has only
/// the former, which is not copied.
pub fn usable_copy(event: &Value) -> Result<Value, &'static str> {
    let copy = copied_conference(&event["conferenceData"]);
    let usable = copy["conferenceSolution"].is_object()
        && copy["entryPoints"]
            .as_array()
            .is_some_and(|e| !e.is_empty());
    if usable {
        Ok(copy)
    } else if event["conferenceData"].is_object() {
        Err("has no finished video link yet: try again in a moment")
    } else {
        Err(
            "has no video conference to share (a link in its description or location is \
             not one): pick a meeting with a Meet link, or make a new link",
        )
    }
}

/// The `conferenceData` to give another event so both share one conference (room): all of it
/// (`conferenceSolution`, `conferenceId`, `entryPoints`, `notes`, `parameters`, `signature`)
/// except a `createRequest`, which would ask Google for a new one. Sent with
/// `conferenceDataVersion=1`. Used by "same link as…" and by the series split.
///
/// Google documents this: "Copy conference data from one event to another" (Google Workspace
/// Developers blog, "Hangouts Meet now available in the Google Calendar API", 2017-12-13), and
/// the Events reference says `conferenceData` needs "either conferenceSolution and at least one
/// entryPoint, or createRequest", persisted only with `conferenceDataVersion=1`. Since
/// 2026-02-17 the Calendar API release notes advise a new conference per event, as a shared
/// Meet code lets one meeting's guests into the other: the form says so when this is chosen.
pub fn copied_conference(conference_data: &Value) -> Value {
    let mut copy = conference_data.clone();
    if let Some(fields) = copy.as_object_mut() {
        fields.remove("createRequest");
    }
    copy
}

pub(super) fn create_request() -> Value {
    json!({ "requestId": request_id(), "conferenceSolutionKey": { "type": "hangoutsMeet" } })
}

/// The `events.insert` body, with `copied` (from [`CalendarClient::conference_to_copy`]) as
/// its conference when `ev` shares another event's. Times carry their zone's IANA name, so
/// recurrences follow the zone's daylight-saving changes.
fn insert_body(ev: &NewEvent, copied: Option<&Value>) -> Value {
    let at = |t: &DateTime<Tz>| {
        json!({
            "dateTime": t.to_rfc3339_opts(SecondsFormat::Secs, false),
            "timeZone": t.timezone().name(),
        })
    };
    let mut body = json!({
        "id": ev.id,
        "summary": ev.title,
        "description": ev.description,
        "start": at(&ev.start),
        "end": at(&ev.end),
    });
    if !ev.attendees.is_empty() {
        let attendees: Vec<Value> = ev.attendees.iter().map(|a| json!({ "email": a })).collect();
        body["attendees"] = json!(attendees);
    }
    if !ev.recurrence.is_empty() {
        body["recurrence"] = json!(ev.recurrence);
    }
    if !ev.private.is_empty() {
        body["extendedProperties"] = json!({ "private": ev.private });
    }
    if let Some(overrides) = &ev.reminders {
        body["reminders"] = json!({ "useDefault": false, "overrides": overrides });
    }
    match (&ev.conference, copied) {
        (NewConference::Meet, _) => {
            body["conferenceData"] = json!({ "createRequest": create_request() });
        }
        (NewConference::CopyFrom { .. }, Some(data)) => body["conferenceData"] = data.clone(),
        (NewConference::CopyFrom { .. } | NewConference::None, _) => {}
    }
    body
}

/// Google's answer to a Meet request on a calendar that does not allow Meet is a bare
/// "Invalid conference type value."; say what it means.
fn meet_refused(e: ApiError) -> ApiError {
    match e {
        ApiError::Google {
            code: 400,
            reason,
            message,
        } if message.contains("conference type") => ApiError::Google {
            code: 400,
            reason,
            message: format!(
                "this calendar does not allow Google Meet links ({message}): create the \
                 meeting without Meet, or on a calendar that allows it"
            ),
        },
        other => other,
    }
}
