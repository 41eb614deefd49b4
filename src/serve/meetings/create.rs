//! `POST /meetings`: a booking read and checked as the form checks it, created with a
//! client-chosen event id, and the idempotency of keyed bookings (see the module above).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use tokio::sync::OwnedMutexGuard;

use super::errors::{google, problem, seconds};
use super::{cached_agenda, meeting_reply, FINGERPRINT, MEETING_FIELDS};
use crate::calendar::client::resolve_primary;
use crate::calendar::error::ApiError;
use crate::calendar::model::CalendarInfo;
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::retry::keep_retry_after;
use crate::calendar::write::{self, Conference, Created, Creation};
use crate::compose::{self, Context, Draft, Field, MeetChoice};
use crate::serve::input::{self, invalid, Body, Ending};
use crate::serve::reply::{Problem, Reply};
use crate::serve::{Account, Api, Request};
use crate::templates;

const CREATE_ONLY: [&str; 5] = ["recurrence", "template", "vars", "calendar", "account"];

/// What the API keeps in memory between requests: the requests in flight per idempotency
/// key (per event id derived from it), so two with the same key run one after the other and
/// the second sees what the first made; the accounts the API wrote for since their last
/// sync, whose next listing asks Google rather than the cache; and each account's calendar
/// list, so a booking is checked without parsing the whole cached agenda.
#[derive(Default)]
pub struct InFlight {
    keys: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    written: Mutex<HashSet<String>>,
    calendars: Mutex<HashMap<String, Vec<CalendarInfo>>>,
}

/// The turn of one request with a key; the next one with it waits until this is dropped.
struct Turn<'a> {
    in_flight: &'a InFlight,
    key: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl InFlight {
    /// `account`'s calendar changed through the API: its next listing syncs.
    pub(super) fn wrote(&self, account: &str) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.insert(account.to_string());
    }

    /// Whether `account` was written for since the last call (which forgets it).
    pub(super) fn take_written(&self, account: &str) -> bool {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.remove(account)
    }

    /// `account`'s calendar list as last read, if one was.
    fn calendars_of(&self, account: &str) -> Option<Vec<CalendarInfo>> {
        let calendars = self.calendars.lock().unwrap_or_else(|e| e.into_inner());
        calendars.get(account).cloned()
    }

    /// Keeps `account`'s calendar list as just read; an empty one (no cache yet) is not kept,
    /// so the next booking looks again.
    pub(super) fn keep_calendars(&self, account: &str, list: &[CalendarInfo]) {
        if list.is_empty() {
            return;
        }
        let mut calendars = self.calendars.lock().unwrap_or_else(|e| e.into_inner());
        calendars.insert(account.to_string(), list.to_vec());
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
    calendars: &[CalendarInfo],
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
    let ctx = Context {
        now,
        tz,
        calendars,
        account: Some(&account.email),
        accounts: &[],
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

/// The account's calendars to check a booking against: the list kept from the last listing
/// (else the cache's, read once rather than per booking), read again from Google when the
/// body names a calendar it does not have (one made since the last sync).
async fn calendars(
    account: &Account,
    api: &Api,
    body: &Body,
) -> Result<Vec<CalendarInfo>, Problem> {
    let known = match api.in_flight.calendars_of(&account.email) {
        Some(known) => known,
        None => {
            let cached = cached_agenda(api, account)
                .map(|c| c.agenda.calendars)
                .unwrap_or_default();
            api.in_flight.keep_calendars(&account.email, &cached);
            cached
        }
    };
    let Some(named) = body.text("calendar")? else {
        return Ok(known);
    };
    let id = resolve_primary(named, &known);
    if known.is_empty() || known.iter().any(|c| c.id == id) {
        return Ok(known);
    }
    let fresh = google(account.client.calendars()).await?;
    api.in_flight.keep_calendars(&account.email, &fresh);
    Ok(fresh)
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

pub(super) async fn create(api: &Api, req: &Request) -> Result<Reply, Problem> {
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
    } = booking(
        api,
        account,
        &calendars(account, api, &body).await?,
        &body,
        Utc::now(),
    )?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
