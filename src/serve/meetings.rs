//! `/meetings`: create, list, read, change, cancel and answer meetings for a machine, through
//! the code the TUI and the CLI use (templates, [`compose::check`], [`WriteOp`],
//! `calendar::edit`, `calendar::answer`, the cache), so an API booking gets what a person
//! gets: a client-chosen event id (no twin on retry), a Meet link awaited, explicit zones,
//! `sendUpdates`, `If-Match` against lost updates, and Google's errors with their reason.
//!
//! Idempotency: an `Idempotency-Key` becomes the event id ([`input::keyed_event_id`], per
//! account and calendar), and a fingerprint of the request body is stored on the event as a
//! private extended property ([`FINGERPRINT`]). A keyed POST inserts at once (one request to
//! Google); only when Google answers 409 `duplicate` (the id is taken: an earlier request with
//! the key, from this process or another) is the stored event read and judged ([`existing`]):
//! the same fingerprint → the same answer again (`Idempotent-Replayed: true`); another
//! fingerprint → 409 `idempotency_conflict`; cancelled → 409 `cancelled`. The state is all at
//! Google, so it holds across restarts and between processes; two requests with one key at
//! once in one process take turns ([`InFlight`]). A keyed POST whose start has passed reads
//! first: a late retry still gets its first answer, a new booking is refused.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use chrono_tz::Tz;
use hyper::header::IF_MATCH;
use hyper::Method;
use serde_json::{json, Value};
use tokio::sync::OwnedMutexGuard;

use super::input::{self, invalid, Body, Ending};
use super::reply::{Problem, Reply};
use super::{Account, Api, Request};
use crate::auth::service_account::explain_calendar_error;
use crate::calendar::answer::{clean_note, Answer, Respond};
use crate::calendar::edit::{Changes, Edit, Edited, MeetChange, Scope};
use crate::calendar::error::ApiError;
use crate::calendar::links::Provider;
use crate::calendar::model::{Agenda, Meeting, Rsvp, When};
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::retry::keep_retry_after;
use crate::calendar::write::{self, Conference, Created, Creation};
use crate::compose::{self, Context, Draft, Field, MeetChoice};
use crate::{cache, sanitize, templates, timefmt};

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

const CREATE_ONLY: [&str; 5] = ["recurrence", "template", "vars", "calendar", "account"];

const PATCH_ONLY: [&str; 2] = ["scope", "etag"];

const RSVP_FIELDS: &[&str] = &["response", "comment", "notify"];

/// What the API keeps in memory between requests: the requests in flight per idempotency
/// key (per event id derived from it), so two with the same key run one after the other and
/// the second sees what the first made; and the accounts the API wrote for since their last
/// sync, whose next listing asks Google rather than the cache.
#[derive(Default)]
pub struct InFlight {
    keys: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    written: Mutex<HashSet<String>>,
}

/// The turn of one request with a key; the next one with it waits until this is dropped.
struct Turn<'a> {
    in_flight: &'a InFlight,
    key: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl InFlight {
    /// `account`'s calendar changed through the API: its next listing syncs.
    fn wrote(&self, account: &str) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.insert(account.to_string());
    }

    /// Whether `account` was written for since the last call (which forgets it).
    fn take_written(&self, account: &str) -> bool {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.remove(account)
    }

    async fn turn(&self, key: &str) -> Turn<'_> {
        let lock = {
            let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
            keys.entry(key.to_string()).or_default().clone()
        };
        Turn {
            in_flight: self,
            key: key.to_string(),
            guard: Some(lock.lock_owned().await),
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut keys = self
            .in_flight
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // The map's handle and this guard's: nobody else waits for this key.
        if let Some(guard) = &self.guard {
            if Arc::strong_count(OwnedMutexGuard::mutex(guard)) == 2 {
                keys.remove(&self.key);
            }
        }
        self.guard = None;
    }
}

pub async fn handle(api: &Api, req: &Request) -> Reply {
    let path: Vec<&str> = req.path.iter().map(String::as_str).collect();
    let answer = match (&req.method, &path[..]) {
        (&Method::POST, ["meetings"]) => create(api, req).await,
        (&Method::GET, ["meetings"]) => list(api, req).await,
        (&Method::GET, ["meetings", id]) => read(api, req, id).await,
        (&Method::PATCH, ["meetings", id]) => change(api, req, id).await,
        (&Method::DELETE, ["meetings", id]) => cancel(api, req, id).await,
        (&Method::POST, ["meetings", id, "rsvp"]) => rsvp(api, req, id).await,
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

/// Runs a call to Google; its failure as the answer to give, `Retry-After` kept.
async fn google<T>(
    work: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, Problem> {
    let (result, retry_after) = keep_retry_after(work).await;
    result.map_err(|e| problem(e, retry_after.map(seconds)))
}

/// Whole seconds for `Retry-After`, rounded up: never sooner than Google asked.
fn seconds(wait: std::time::Duration) -> u64 {
    wait.as_secs_f64().ceil() as u64
}

/// How long a caller rate limited by a 403 (which carries no `Retry-After`) is told to wait.
const RATE_LIMIT_WAIT: u64 = 60;

/// What the caller is told when Google (or the way to it) failed.
pub fn problem(e: ApiError, retry_after: Option<u64>) -> Problem {
    let line = |m: &str| sanitize::line(m);
    let not_enabled = explain_calendar_error(&e, None);
    match e {
        ApiError::Google {
            code: 404 | 410,
            reason,
            message,
        } => Problem {
            reason: Some(line(&reason).into()),
            ..Problem::new(
                404,
                "not_found",
                format!("Google Calendar: {}", line(&message)),
            )
            .fix("GET /meetings lists the ids; ?calendar= names the calendar the event is on")
        },
        ApiError::Google { code: 401, .. } => sign_in_needed(
            "Google refused the account's access token after a fresh one was asked for",
        ),
        ApiError::Google {
            code,
            reason,
            message,
        } => {
            // Google's usage-limit errors: a 403 with a rate-limit reason is the same as a 429
            // (developers.google.com/calendar/api/guides/errors), and generic clients retry
            // only a 429.
            let rate_limited = code == 403
                && matches!(
                    reason.as_str(),
                    "rateLimitExceeded" | "userRateLimitExceeded"
                );
            let (status, retry_after) = match code {
                _ if rate_limited => (429, Some(retry_after.unwrap_or(RATE_LIMIT_WAIT))),
                400..=599 => (code, retry_after),
                _ => (502, retry_after),
            };
            let fix = match (status, reason.as_str()) {
                (429, _) => {
                    "Google is rate limiting: wait Retry-After seconds, then send it again".into()
                }
                (403, _) if not_enabled.is_some() => not_enabled.unwrap_or_default(),
                // Google's events.insert reference: "Service accounts cannot invite attendees
                // without Domain-Wide Delegation of Authority."
                (403, "forbiddenForServiceAccounts") => "a service account acting as itself \
                     cannot invite guests: sign in with meetty login --service-account \
                     KEY.json --subject user@your-domain (domain-wide delegation), or send the \
                     meeting without attendees"
                    .into(),
                (403, _) => "the account may not change this calendar or event".into(),
                (409 | 412, _) => "it changed meanwhile: read it again (GET), then retry".into(),
                (500.., _) => "Google had a problem: send it again (with the same \
                               Idempotency-Key for a POST)"
                    .into(),
                _ => "see Google's message".to_string(),
            };
            Problem {
                reason: Some(line(&reason).into()),
                retry_after,
                ..Problem::new(
                    status,
                    "google",
                    format!("Google Calendar: {}", line(&message)),
                )
                .fix(fix)
            }
        }
        ApiError::Network(m) => Problem::new(
            502,
            "google_unreachable",
            format!("cannot reach Google Calendar: {}", line(&m)),
        )
        .fix(
            "check this machine's connection to Google, then send it again (a POST with the \
             same Idempotency-Key cannot make a second meeting)",
        ),
        ApiError::SignIn(m) => sign_in_needed(&m),
        ApiError::Local(m) => Problem::new(503, "local", line(&m))
            .fix("fix what the message names on the machine running meetty serve"),
        ApiError::Refused(m) => Problem::new(422, "refused", line(&m)),
        ApiError::Unexpected(m) => Problem::new(
            502,
            "unexpected_answer",
            format!("unexpected answer from Google Calendar: {}", line(&m)),
        )
        .fix("send it again; if it persists, report it with meetty serve's log"),
    }
}

fn sign_in_needed(why: &str) -> Problem {
    Problem::new(
        503,
        "sign_in_needed",
        format!("sign-in needed: {}", sanitize::line(why)),
    )
    .fix(
        "run meetty login (or meetty login --service-account KEY.json --subject EMAIL) on \
         this machine, then restart meetty serve",
    )
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

// ---------------------------------------------------------------------------------------
// POST /meetings

/// The JSON name of a form field, for `field`.
fn field_name(f: &Field, end_given: bool) -> String {
    match f {
        Field::Title => "title".into(),
        Field::Var(name) => format!("vars.{name}"),
        Field::Start => "start".into(),
        Field::Length if end_given => "end".into(),
        Field::Length => "duration".into(),
        Field::Zone => "time_zone".into(),
        Field::Guests => "attendees".into(),
        Field::Calendar => "calendar".into(),
        Field::Notify => "send_updates".into(),
        Field::Recurrence => "recurrence".into(),
        Field::Meet => "meet".into(),
        Field::Description => "description".into(),
    }
}

/// A new meeting from a POST body, validated as the form validates it.
struct Booking {
    calendar: String,
    event: write::NewEvent,
    tz: Tz,
    /// Refused only when it is to be created: a repeat of a keyed booking whose start has
    /// passed since still gets the first answer.
    starts_in_past: bool,
}

fn booking(
    api: &Api,
    account: &Account,
    body: &Body,
    now: DateTime<Utc>,
) -> Result<Booking, Problem> {
    let tz = match body.text("time_zone")? {
        Some(name) => input::zone("time_zone", name)?,
        None => api.tz,
    };
    let start = match body.text("start")? {
        Some(text) => input::time("start", text, tz)?,
        None => {
            return Err(invalid(
                "start",
                "start is required",
                "send start as RFC 3339 (2026-12-01T15:00:00+01:00) or a local time \
                 (2026-12-01T15:00) with time_zone",
            ))
        }
    };
    let (end, length) = match input::ending(body, tz)? {
        Ending::At(end) => (Some(end), None),
        Ending::Lasting(length) => (None, Some(length)),
        Ending::Unsaid => (None, None),
    };
    let calendars = cached_agenda(api, account)
        .map(|c| c.agenda.calendars)
        .unwrap_or_default();
    let ctx = Context {
        now,
        tz,
        calendars: &calendars,
        account: Some(&account.email),
        meetings: &[],
        editing: None,
    };
    let name = body.text("template")?.unwrap_or("Blank");
    let template = templates::find(&api.config.templates, name).ok_or_else(|| {
        let names: Vec<&str> = api
            .config
            .templates
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        invalid(
            "template",
            format!("no template \u{201c}{name}\u{201d}"),
            format!("use one of: {}", names.join(", ")),
        )
    })?;
    let mut draft = Draft::from_template(template, &ctx);
    fill(&mut draft, body, start, end, length)?;
    let checked = compose::check(&draft, &ctx);
    let errors: Vec<(String, &str)> = checked
        .errors()
        .map(|(f, e)| (field_name(f, end.is_some()), e))
        .collect();
    if let Some((field, _)) = errors.first() {
        let all: Vec<String> = errors.iter().map(|(f, e)| format!("{f}: {e}")).collect();
        return Err(invalid(
            field,
            all.join("; "),
            "correct the field(s) named and send it again",
        ));
    }
    if let Some(name) = &checked.meet_unavailable {
        return Err(invalid(
            "meet",
            format!("\u{201c}{name}\u{201d} does not allow Google Meet links"),
            "send \"meet\": false, or another calendar",
        ));
    }
    let mut event = checked
        .event
        .ok_or_else(|| Problem::new(500, "internal", "the meeting was checked but not built"))?;
    // The draft holds minutes; the times asked for are exact.
    event.end = match (end, length) {
        (Some(end), _) => end,
        (None, Some(length)) => start + length,
        (None, None) => start + (event.end - event.start),
    };
    event.start = start;
    Ok(Booking {
        calendar: checked.calendar,
        event,
        tz,
        starts_in_past: checked.starts_in_past,
    })
}

/// Puts the body's fields into the template's draft, as `meetty new`'s flags do.
fn fill(
    d: &mut Draft,
    body: &Body,
    start: DateTime<Tz>,
    end: Option<DateTime<Tz>>,
    length: Option<Duration>,
) -> Result<(), Problem> {
    let minute = |t: DateTime<Tz>| t.format("%Y-%m-%d %H:%M").to_string();
    d.zone = start.timezone().name().to_string();
    d.start = minute(start);
    match (end, length) {
        (Some(end), _) => d.length = format!("until {}", minute(end)),
        (None, Some(length)) => d.length = compose::duration_text(length),
        (None, None) => {}
    }
    if let Some(title) = body.text("title")? {
        d.title = title.to_string();
    }
    if let Some(attendees) = body.texts("attendees")? {
        d.guests = attendees.join(",");
    }
    if let Some(description) = body.text("description")? {
        d.description = description.to_string();
    }
    if let Some(recurrence) = body.text("recurrence")? {
        d.recurrence = recurrence.to_string();
    }
    if let Some(calendar) = body.text("calendar")? {
        d.calendar = calendar.to_string();
    }
    if let Some(meet) = body.boolean("meet")? {
        d.meet = MeetChoice::from_setting(meet);
    }
    if let Some(send) = body.text("send_updates")? {
        d.notify = input::send_updates("send_updates", send)?;
    }
    for (name, value) in body.text_map("vars")? {
        match d.vars.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => {
                let known: Vec<&str> = d.vars.iter().map(|(n, _)| n.as_str()).collect();
                return Err(invalid(
                    &format!("vars.{name}"),
                    format!("the template has no {{{name}}}"),
                    format!("its placeholders are: {}", known.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

async fn create(api: &Api, req: &Request) -> Result<Reply, Problem> {
    let key = input::idempotency_key(req.headers.get("idempotency-key"))?;
    let body = Body::read(
        &req.body,
        &[MEETING_FIELDS.as_slice(), &CREATE_ONLY].concat(),
        false,
    )?;
    let named = match (body.text("account")?, req.param("account")) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => {
            return Err(invalid(
                "account",
                format!("the body names account {a}, the query {b}"),
                "name the account once (the body's account or ?account=), or the same in both",
            ))
        }
        (a, b) => a.or(b),
    };
    let account = api.account(named)?;
    let Booking {
        calendar,
        mut event,
        tz,
        starts_in_past,
    } = booking(api, account, &body, Utc::now())?;
    let past = |event: &write::NewEvent| {
        invalid(
            "start",
            format!("{} is in the past", event.start.to_rfc3339()),
            "give a start in the future",
        )
    };
    let client = account.client.with_conference_wait(api.meet_wait);
    let Some(key) = key else {
        if starts_in_past {
            return Err(past(&event));
        }
        event.id = write::event_id();
        let op = WriteOp::Create {
            calendar,
            event: Box::new(event),
        };
        let Written::Created(created) = google(op.run(&client, &|_| {})).await? else {
            return Err(Problem::new(
                500,
                "internal",
                "a create answered something else",
            ));
        };
        api.in_flight.wrote(&account.email);
        return Ok(created_reply(api, account, &created, tz, false));
    };
    event.id = input::keyed_event_id(&account.email, &calendar, key);
    let fingerprint = input::fingerprint(&body);
    event
        .private
        .insert(FINGERPRINT.into(), fingerprint.clone());
    let _turn = api.in_flight.turn(&event.id).await;
    let key_use = KeyUse {
        api,
        account,
        calendar: &calendar,
        fingerprint: &fingerprint,
        tz,
    };
    if starts_in_past {
        // A late retry of a booking made in time still gets its first answer.
        let (read, retry_after) =
            keep_retry_after(account.client.resource(&calendar, &event.id)).await;
        return match read {
            Err(ApiError::Google { code: 404, .. }) => Err(past(&event)),
            Err(e) => Err(problem(e, retry_after.map(seconds))),
            Ok(resource) => key_use.existing(&resource),
        };
    }
    match google(client.create_or_find(&calendar, &event, &|_| {})).await? {
        Creation::Made(created) => {
            api.in_flight.wrote(&account.email);
            Ok(created_reply(api, account, &created, tz, false))
        }
        Creation::Found(stored) => {
            let resource: Value = serde_json::from_slice(&stored)
                .map_err(|e| problem(ApiError::Unexpected(format!("event: {e}")), None))?;
            key_use.existing(&resource)
        }
    }
}

/// 201 with the meeting, or 202 while Google is still making its Meet link. `Location` names
/// the calendar, and the account when not the default, so a poll reads the same event.
fn created_reply(api: &Api, account: &Account, created: &Created, tz: Tz, replayed: bool) -> Reply {
    let status = match created.conference {
        Conference::StillPending => 202,
        _ => 201,
    };
    let mut location = format!(
        "/meetings/{}?calendar={}",
        crate::percent::encode_segment(&created.meeting.id),
        crate::percent::encode_segment(&created.meeting.calendar_id)
    );
    if api.accounts.first().map(|a| a.email.as_str()) != Some(account.email.as_str()) {
        location.push_str("&account=");
        location.push_str(&crate::percent::encode_segment(&account.email));
    }
    Reply {
        location: Some(location),
        replayed,
        ..meeting_reply(status, account, created, tz)
    }
}

/// A keyed booking: whose it is, where, and the fingerprint of its request.
struct KeyUse<'a> {
    api: &'a Api,
    account: &'a Account,
    calendar: &'a str,
    fingerprint: &'a str,
    tz: Tz,
}

impl KeyUse<'_> {
    /// The answer to a keyed POST whose event Google holds already (`resource`): the same
    /// answer again for the same request, a conflict for another one or a cancelled event.
    fn existing(&self, resource: &Value) -> Result<Reply, Problem> {
        if resource["status"] == "cancelled" {
            return Err(Problem::new(
                409,
                "cancelled",
                "the meeting booked with this Idempotency-Key was cancelled since",
            )
            .field("Idempotency-Key")
            .fix("to book it again, send the request with a new Idempotency-Key"));
        }
        if resource["extendedProperties"]["private"][FINGERPRINT] != self.fingerprint {
            return Err(Problem::new(
                409,
                "idempotency_conflict",
                "this Idempotency-Key was used for a different request",
            )
            .field("Idempotency-Key")
            .fix(
                "use a new key per booking; to repeat a request, send the same body with the \
                 same key",
            ));
        }
        let created = Created::of(self.calendar, resource).map_err(|e| problem(e, None))?;
        Ok(created_reply(
            self.api,
            self.account,
            &created,
            self.tz,
            true,
        ))
    }
}

// ---------------------------------------------------------------------------------------
// GET /meetings, GET /meetings/{id}

async fn list(api: &Api, req: &Request) -> Result<Reply, Problem> {
    let account = api.account(req.param("account"))?;
    let tz = api.tz;
    let now = Utc::now();
    let from = match req.param("from") {
        Some(text) => input::bound("from", text, tz)?,
        None => now,
    };
    let to = match req.param("to") {
        Some(text) => input::bound("to", text, tz)?,
        None => timefmt::agenda_window(from, tz, api.config.days).1,
    };
    input::window(from, to)?;
    let fresh = match req.param("fresh") {
        Some(text) => input::flag("fresh", text)?,
        None => false,
    };
    // The API's own writes since the last sync are not in the cache: sync first.
    let written = api.in_flight.take_written(&account.email);
    let oldest = now - cache_lifetime(&api.config);
    let cached = cached_agenda(api, account).filter(|c| {
        c.agenda.fetched_at >= oldest
            && c.sync
                .as_ref()
                .is_some_and(|s| s.window.0 <= from && to <= s.window.1)
    });
    let (agenda, source) = match cached {
        Some(cached) if !fresh && !written => (cached.agenda, "cache"),
        _ => {
            let sync = cache::synced_agenda(
                &account.client,
                &api.paths,
                &api.config.calendars,
                Some(&account.cache_owner),
                from,
                to,
            );
            let (agenda, unsaved) = google(sync).await.inspect_err(|_| {
                if written {
                    api.in_flight.wrote(&account.email);
                }
            })?;
            if let Some(e) = unsaved {
                log::warn!(
                    "cannot write the cache in {}: {e}",
                    api.paths.data_dir.display()
                );
            }
            (agenda, "google")
        }
    };
    let meetings: Vec<Value> = agenda
        .meetings
        .iter()
        .filter(|m| {
            let (start, end) = span(m, tz);
            start < to && from < end
        })
        .map(|m| meeting_json(&account.email, m, &listed_conference(m), tz))
        .collect();
    Ok(Reply::json(
        200,
        json!({
            "account": account.email,
            "from": rfc3339(from, tz),
            "to": rfc3339(to, tz),
            "source": source,
            "fetched_at": rfc3339(agenda.fetched_at, tz),
            "meetings": meetings,
        }),
    ))
}

/// How old a cached agenda a listing answers from may be: three background refreshes of
/// the TUI (`refresh_seconds`), or [`UNREFRESHED_CACHE_LIFETIME`] when those are off.
fn cache_lifetime(config: &crate::config::Config) -> Duration {
    let every = config
        .refresh_every
        .unwrap_or(UNREFRESHED_CACHE_LIFETIME / 3);
    Duration::from_std(every * 3).unwrap_or(Duration::MAX)
}

/// [`cache_lifetime`] when the TUI refreshes only on start-up.
const UNREFRESHED_CACHE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

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

async fn read(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let account = api.account(req.param("account"))?;
    let calendar = event_calendar(api, account, req, id);
    let created = current(account, &calendar, id).await?;
    Ok(meeting_reply(200, account, &created, api.tz))
}

/// The meeting as Google holds it now; a cancelled one is gone (404).
async fn current(account: &Account, calendar: &str, id: &str) -> Result<Created, Problem> {
    current_of(
        calendar,
        &google(account.client.resource(calendar, id)).await?,
    )
}

/// [`current`] of a resource read already.
fn current_of(calendar: &str, resource: &Value) -> Result<Created, Problem> {
    if resource["status"] == "cancelled" {
        return Err(Problem::new(404, "not_found", "the meeting was cancelled")
            .fix("GET /meetings lists the meetings there are"));
    }
    Created::of(calendar, resource).map_err(|e| problem(e, None))
}

/// Whether `account` organizes the event `resource` (Google marks its own entry `self`).
fn organized_by(resource: &Value, account: &str) -> bool {
    let organizer = &resource["organizer"];
    organizer["self"] == true
        || organizer["email"]
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case(account))
}

// ---------------------------------------------------------------------------------------
// PATCH /meetings/{id}

async fn change(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let body = Body::read(
        &req.body,
        &[MEETING_FIELDS.as_slice(), &PATCH_ONLY].concat(),
        false,
    )?;
    let etag = match (req.header(IF_MATCH.as_str()), body.text("etag")?) {
        (Some(etag), _) | (None, Some(etag)) => etag.to_string(),
        (None, None) => {
            return Err(Problem::new(
                428,
                "etag_required",
                "a change needs the etag of the version it was made against",
            )
            .field("If-Match")
            .fix(
                "GET the meeting, then send its etag as If-Match (or \"etag\" in the body): \
                 without it a change made meanwhile by someone else would be overwritten",
            ))
        }
    };
    let account = api.account(req.param("account"))?;
    let calendar = event_calendar(api, account, req, id);
    let target = google(account.client.load_edit(&calendar, id)).await?;
    // `If-Match: *` (RFC 9110): whatever version is there now.
    if etag != "*" && target.meeting.etag.as_deref() != Some(etag.as_str()) {
        let now = Created::of(&calendar, &target.source).map_err(|e| problem(e, None))?;
        return Ok(stale(account, &now, Vec::new(), api.tz));
    }
    let tz = match body.text("time_zone")? {
        Some(name) => input::zone("time_zone", name)?,
        None => target.zone,
    };
    let changes = changes(&body, &target.meeting, tz)?;
    let scope = match (body.text("scope")?, &target.meeting.series_id) {
        (Some("this"), _) => Scope::This,
        (Some("following"), _) => Scope::Following,
        (Some("all"), _) => Scope::All,
        (Some(other), _) => {
            return Err(invalid(
                "scope",
                format!("scope \u{201c}{other}\u{201d} is not this, following or all"),
                "use this, following or all",
            ))
        }
        (None, None) => Scope::This,
        (None, Some(_)) => {
            return Err(invalid(
                "scope",
                "this is an occurrence of a recurring meeting: say which occurrences change",
                "send scope: this (this one), following (this and later ones) or all",
            ))
        }
    };
    let send = match body.text("send_updates")? {
        Some(text) => input::send_updates("send_updates", text)?,
        None => target.meeting.default_notify(),
    };
    if changes.is_empty() {
        let now = Created::of(&calendar, &target.source).map_err(|e| problem(e, None))?;
        return Ok(meeting_reply(200, account, &now, tz));
    }
    let adds_meet = changes.meet == Some(MeetChange::Add);
    let edit = Edit {
        calendar,
        target,
        scope,
        changes,
        send,
    };
    let client = account.client.with_conference_wait(api.meet_wait);
    let op = WriteOp::Edit(Box::new(edit));
    let Written::Edited(edited) = google(op.run(&client, &|_| {})).await? else {
        return Err(Problem::new(
            500,
            "internal",
            "an edit answered something else",
        ));
    };
    match *edited {
        Edited::Done(meeting) => {
            api.in_flight.wrote(&account.email);
            let conference = match listed_conference(&meeting) {
                Conference::NotRequested if adds_meet => Conference::StillPending,
                other => other,
            };
            let created = Created {
                meeting: *meeting,
                conference,
            };
            Ok(meeting_reply(200, account, &created, tz))
        }
        Edited::Conflict(conflict) => {
            let now = Created::of(
                &conflict.current.meeting.calendar_id,
                &conflict.current.source,
            )
            .map_err(|e| problem(e, None))?;
            let differences = conflict
                .differences
                .iter()
                .map(|d| json!({ "field": d.field, "before": d.before, "now": d.now }))
                .collect();
            Ok(stale(account, &now, differences, tz))
        }
    }
}

/// 412: the meeting changed since the etag sent; its current version (and etag) and, when
/// Google's refusal showed them, the fields that changed.
fn stale(account: &Account, now: &Created, differences: Vec<Value>, tz: Tz) -> Reply {
    let mut reply: Reply = Problem::new(
        412,
        "etag_mismatch",
        "the meeting changed since the etag sent was read",
    )
    .field("If-Match")
    .fix("apply your change to the current version below and send it with its etag")
    .into();
    if let Some(Value::Object(body)) = reply.body.as_mut() {
        body.insert("etag".into(), json!(now.meeting.etag));
        body.insert(
            "current".into(),
            meeting_json(&account.email, &now.meeting, &now.conference, tz),
        );
        body.insert("differences".into(), Value::Array(differences));
    }
    Reply {
        etag: now.meeting.etag.clone(),
        ..reply
    }
}

/// The body's changes to `m`, cleaned as the CLI's `edit` cleans them. `attendees` is the
/// new full guest list: who is not on it is removed (the organizer's own entry stays), who
/// is new is invited.
fn changes(body: &Body, m: &Meeting, tz: Tz) -> Result<Changes, Problem> {
    let mut changes = Changes::default();
    if let Some(title) = body.text("title")? {
        let title = sanitize::typed_line(title).text.trim().to_string();
        if title.is_empty() {
            return Err(invalid(
                "title",
                "a meeting needs a title",
                "send a non-empty title",
            ));
        }
        changes.title = Some(title);
    }
    if let Some(description) = body.text("description")? {
        changes.description = Some(sanitize::typed_block(description).text);
    }
    if let Some(list) = body.texts("attendees")? {
        let wanted: Vec<String> = list
            .iter()
            .map(|a| sanitize::typed_line(a).text.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let bad: Vec<&str> = wanted
            .iter()
            .filter(|a| !templates::valid_email(a))
            .map(String::as_str)
            .collect();
        if !bad.is_empty() {
            return Err(invalid(
                "attendees",
                format!("not an e-mail address: {}", bad.join(", ")),
                "give addresses like kim@example.com",
            ));
        }
        let has = |list: &[String], email: &str| list.iter().any(|e| e.eq_ignore_ascii_case(email));
        let guests: Vec<String> = m
            .attendees
            .iter()
            .filter(|a| !a.organizer && !a.is_self)
            .map(|a| a.person.email.clone())
            .collect();
        let everyone: Vec<String> = m.attendees.iter().map(|a| a.person.email.clone()).collect();
        changes.add_guests = wanted
            .iter()
            .filter(|w| !has(&everyone, w))
            .cloned()
            .collect();
        changes.remove_guests = guests.into_iter().filter(|g| !has(&wanted, g)).collect();
    }
    if let Some(meet) = body.boolean("meet")? {
        changes.meet = match (meet, m.has_conference) {
            (true, false) => Some(MeetChange::Add),
            (false, true) => Some(MeetChange::Remove),
            _ => None,
        };
    }
    let (now_start, now_end) = span(m, tz);
    let start = match body.text("start")? {
        Some(text) => Some(input::time("start", text, tz)?),
        None => None,
    };
    let end = match input::ending(body, tz)? {
        Ending::At(end) => Some(end),
        Ending::Lasting(length) => {
            Some(start.unwrap_or_else(|| now_start.with_timezone(&tz)) + length)
        }
        // A moved meeting keeps its length.
        Ending::Unsaid => start.map(|s| s + (now_end - now_start)),
    };
    if start.is_some() || end.is_some() {
        let start = start.unwrap_or_else(|| now_start.with_timezone(&tz));
        let end = end.unwrap_or_else(|| now_end.with_timezone(&tz));
        if end <= start {
            return Err(invalid(
                if body.has("duration") {
                    "duration"
                } else {
                    "end"
                },
                "the meeting would end before it starts",
                "give an end after the start",
            ));
        }
        changes.start = Some(start);
        changes.end = Some(end);
    }
    Ok(changes)
}

// ---------------------------------------------------------------------------------------
// DELETE /meetings/{id}, POST /meetings/{id}/rsvp

async fn cancel(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let account = api.account(req.param("account"))?;
    let send = match req.param("send_updates") {
        Some(text) => Some(input::send_updates("send_updates", text)?),
        None => None,
    };
    let all = match req.param("all_occurrences") {
        Some(text) => input::flag("all_occurrences", text)?,
        None => false,
    };
    let calendar = event_calendar(api, account, req, id);
    let resource = google(account.client.resource(&calendar, id)).await?;
    if resource["status"] == "cancelled" && organized_by(&resource, &account.email) {
        // A cancel sent again after its answer was lost: it is done.
        return Ok(Reply::no_content());
    }
    let m = current_of(&calendar, &resource)?.meeting;
    if !m.i_organize {
        return Err(Problem::new(
            403,
            "not_organizer",
            format!(
                "only the organizer ({}) can cancel this meeting",
                m.organizer
                    .as_ref()
                    .map_or("someone else", |o| o.email.as_str())
            ),
        )
        .fix(format!("decline it instead: POST /meetings/{id}/rsvp")));
    }
    let target = match (&m.series_id, all) {
        (Some(series), true) => series.clone(),
        _ => m.id.clone(),
    };
    let op = WriteOp::Cancel {
        calendar,
        event_id: target,
        send: send.unwrap_or(m.default_notify()),
    };
    google(op.run(&account.client, &|_| {})).await?;
    api.in_flight.wrote(&account.email);
    Ok(Reply::no_content())
}

async fn rsvp(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let body = Body::read(&req.body, RSVP_FIELDS, false)?;
    let rsvp = match body.text("response")? {
        Some("accepted") => Rsvp::Accepted,
        Some("declined") => Rsvp::Declined,
        Some("tentative") => Rsvp::Tentative,
        other => {
            return Err(invalid(
                "response",
                match other {
                    Some(text) => format!("response \u{201c}{text}\u{201d} is no answer"),
                    None => "response is required".to_string(),
                },
                "send response: accepted, declined or tentative",
            ))
        }
    };
    let note = match body.text("comment")? {
        Some(text) => {
            Some(clean_note(text).map_err(|e| invalid("comment", e.to_string(), "shorten it"))?)
        }
        None => None,
    };
    let notify = body.boolean("notify")?.unwrap_or(true);
    let account = api.account(req.param("account"))?;
    let calendar = event_calendar(api, account, req, id);
    let m = current(account, &calendar, id).await?.meeting;
    let email = m
        .attendees
        .iter()
        .find(|a| a.is_self)
        .map(|a| a.person.email.clone())
        .ok_or_else(|| {
            Problem::new(
                409,
                "not_a_guest",
                format!("{} is not on this meeting's guest list", account.email),
            )
            .fix("only a guest can answer; the organizer edits the meeting with PATCH")
        })?;
    let op = WriteOp::Respond(Box::new(Respond {
        calendar,
        event_id: id.to_string(),
        email,
        answer: Answer { rsvp, note, notify },
    }));
    let Written::Responded(meeting) = google(op.run(&account.client, &|_| {})).await? else {
        return Err(Problem::new(
            500,
            "internal",
            "an answer answered something else",
        ));
    };
    api.in_flight.wrote(&account.email);
    let conference = listed_conference(&meeting);
    let answered = Created {
        meeting: *meeting,
        conference,
    };
    Ok(meeting_reply(200, account, &answered, api.tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_errors_keep_their_status_reason_and_retry_after() {
        let limited = problem(
            ApiError::Google {
                code: 429,
                reason: "rateLimitExceeded".into(),
                message: "Rate \u{1b}[31mLimit".into(),
            },
            Some(7),
        );
        assert_eq!((limited.status, limited.code), (429, "google"));
        assert_eq!(limited.reason.as_deref(), Some("rateLimitExceeded"));
        assert_eq!(limited.retry_after, Some(7));
        assert!(!limited.message.contains('\u{1b}'), "{}", limited.message);
        let gone = problem(
            ApiError::Google {
                code: 404,
                reason: "notFound".into(),
                message: "Not Found".into(),
            },
            None,
        );
        assert_eq!((gone.status, gone.code), (404, "not_found"));
        let offline = problem(ApiError::Network("connection refused".into()), None);
        assert_eq!((offline.status, offline.code), (502, "google_unreachable"));
        let signed_out = problem(ApiError::SignIn("invalid_grant".into()), None);
        assert_eq!(
            (signed_out.status, signed_out.code),
            (503, "sign_in_needed")
        );
    }

    #[tokio::test]
    async fn requests_with_one_key_take_turns_and_leave_nothing_behind() {
        let in_flight = InFlight::default();
        let first = in_flight.turn("k").await;
        let second =
            tokio::time::timeout(std::time::Duration::from_millis(50), in_flight.turn("k"));
        assert!(
            second.await.is_err(),
            "the second ran while the first held the key"
        );
        let other = in_flight.turn("other").await;
        drop((first, other));
        drop(in_flight.turn("k").await);
        assert!(in_flight.keys.lock().unwrap().is_empty());
    }
}
