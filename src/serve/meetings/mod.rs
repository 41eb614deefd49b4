//! `/meetings`: create, list, read, change, cancel and answer meetings for a machine, through
//! the code the TUI and the CLI use (templates, [`crate::compose::check`],
//! [`crate::calendar::ops::WriteOp`],
//! `calendar::edit`, `calendar::answer`, the cache), so an API booking gets what a person
//! gets: a client-chosen event id (no twin on retry), a Meet link awaited, explicit zones,
//! `sendUpdates`, `If-Match` against lost updates, and Google's errors with their reason.
//!
//! Idempotency: an `Idempotency-Key` becomes the event id ([`super::input::keyed_event_id`], per
//! account and calendar), and a fingerprint of the request body is stored on the event as a
//! private extended property ([`FINGERPRINT`]). A keyed POST inserts at once (one request to
//! Google); only when Google answers 409 `duplicate` (the id is taken: an earlier request with
//! the key, from this process or another) is the stored event read and judged (`create::KeyUse::existing`):
//! the same fingerprint → the same answer again (`Idempotent-Replayed: true`); another
//! fingerprint → 409 `idempotency_conflict`; cancelled → 409 `cancelled`. The state is all at
//! Google, so it holds across restarts and between processes; two requests with one key at
//! once in one process take turns ([`InFlight`]). A keyed POST whose start has passed reads
//! first: a late retry still gets its first answer, a new booking is refused.
//!
//! Layout: this module routes and shapes a meeting as JSON; `create` books, `read` lists
//! and reads, `change` patches, `answer` cancels and answers invitations, `errors`
//! turns Google's failures into answers.

mod answer;
mod change;
mod create;
mod errors;
mod read;

pub use create::InFlight;
pub use errors::problem;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use hyper::Method;
use serde_json::{json, Value};

use super::reply::{Problem, Reply};
use super::{Account, Api, Request};
use crate::calendar::links::Provider;
use crate::calendar::model::{Agenda, Meeting, When};
use crate::calendar::write::{Conference, Created};
use crate::{cache, timefmt};

/// The private extended property holding the fingerprint of the request that made an event.
pub const FINGERPRINT: &str = "meettyRequestSha256";

/// The fields a POST and a PATCH both take.
const MEETING_FIELDS: [&str; 9] = [
    "title",
    "start",
    "end",
    "duration",
    "time_zone",
    "attendees",
    "description",
    "meet",
    "send_updates",
];

pub async fn handle(api: &Api, req: &Request) -> Reply {
    let path: Vec<&str> = req.path.iter().map(String::as_str).collect();
    let answer = match (&req.method, &path[..]) {
        (&Method::POST, ["meetings"]) => create::create(api, req).await,
        (&Method::GET, ["meetings"]) => read::list(api, req).await,
        (&Method::GET, ["meetings", id]) => read::read(api, req, id).await,
        (&Method::PATCH, ["meetings", id]) => change::change(api, req, id).await,
        (&Method::DELETE, ["meetings", id]) => answer::cancel(api, req, id).await,
        (&Method::POST, ["meetings", id, "rsvp"]) => answer::rsvp(api, req, id).await,
        (_, ["meetings"]) => Err(not_allowed("GET, POST")),
        (_, ["meetings", _]) => Err(not_allowed("GET, PATCH, DELETE")),
        (_, ["meetings", _, "rsvp"]) => Err(not_allowed("POST")),
        _ => Err(Problem::new(404, "not_found", "no such endpoint")
            .fix("see GET /openapi.json for what is served")),
    };
    answer.unwrap_or_else(Reply::from)
}

fn not_allowed(allowed: &str) -> Problem {
    Problem::new(405, "method_not_allowed", "this method is not served here")
        .fix(format!("use {allowed}"))
}

/// The meeting as every endpoint answers it; times in `tz`.
fn meeting_json(account: &str, m: &Meeting, conference: &Conference, tz: Tz) -> Value {
    let (start, end) = match m.when {
        When::Timed { start, end } => (rfc3339(start, tz), rfc3339(end, tz)),
        When::AllDay { start, end } => (start.to_string(), end.to_string()),
    };
    let (state, link) = match conference {
        Conference::Ready(url) => ("ready", Some(url.clone())),
        Conference::StillPending => ("pending", None),
        Conference::Failed(_) => ("failed", None),
        Conference::NotRequested => ("none", None),
    };
    let attendees: Vec<Value> = m
        .attendees
        .iter()
        .map(|a| {
            json!({
                "email": a.person.email,
                "response": a.rsvp.as_response().unwrap_or("needsAction"),
                "organizer": a.organizer,
                "optional": a.optional,
            })
        })
        .collect();
    json!({
        "id": m.id,
        "calendar_id": m.calendar_id,
        "account": account,
        "title": m.title,
        "start": start,
        "end": end,
        "all_day": m.is_all_day(),
        "time_zone": tz.name(),
        "attendees": attendees,
        "meet_link": link,
        "html_link": m.html_link,
        "conference": state,
        "etag": m.etag,
        "recurring_event_id": m.series_id,
        "i_organize": m.i_organize,
    })
}

fn rfc3339(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The conference of a meeting as a listing knows it: a Meet conference Google holds is
/// ready; a pending one is not told apart from none (read the meeting for that).
fn listed_conference(m: &Meeting) -> Conference {
    match &m.video {
        Some(v) if m.has_conference && v.provider == Provider::Meet => {
            Conference::Ready(v.url.clone())
        }
        _ => Conference::NotRequested,
    }
}

/// 200 with the meeting and its `ETag`.
fn meeting_reply(status: u16, account: &Account, created: &Created, tz: Tz) -> Reply {
    let body = meeting_json(&account.email, &created.meeting, &created.conference, tz);
    Reply {
        etag: created.meeting.etag.clone(),
        ..Reply::json(status, body)
    }
}

fn cached_agenda(api: &Api, account: &Account) -> Option<cache::Cached> {
    cache::load(&api.paths.agenda_cache(&account.cache_owner))
}

/// The calendar event `id` is on: `?calendar=` when given, else the cached agenda's, else
/// primary.
fn event_calendar(api: &Api, account: &Account, req: &Request, id: &str) -> String {
    if let Some(calendar) = req.param("calendar") {
        return calendar.to_string();
    }
    let cached = cached_agenda(api, account).map(|c| c.agenda);
    let known = cached.as_ref().and_then(|a: &Agenda| {
        a.meetings
            .iter()
            .find(|m| m.id == id || m.series_id.as_deref() == Some(id))
            .map(|m| m.calendar_id.clone())
    });
    known.unwrap_or_else(|| "primary".into())
}

/// When a meeting starts and ends; an all-day one from midnight to midnight in `tz`.
fn span(m: &Meeting, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    match m.when {
        When::Timed { start, end } => (start, end),
        When::AllDay { start, end } => (
            timefmt::start_of_day(start, tz),
            timefmt::start_of_day(end, tz),
        ),
    }
}
