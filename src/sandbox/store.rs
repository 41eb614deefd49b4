//! The emulated account: calendars, events and the change counter behind sync tokens.
//!
//! Tests reach it through [`Sandbox::with_store`](super::Sandbox::with_store) to change things
//! "elsewhere" (another device, another attendee) between two requests of the client under test.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use super::conference::{self, ConferencePolicy};
use super::errors::ApiError;
use super::freebusy::Directory;
use super::ids;
use super::recurrence;
use super::times::{self, parse_event_time, LocalTime};

/// A calendar in the user's calendar list.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub id: String,
    pub summary: String,
    pub summary_override: Option<String>,
    pub description: Option<String>,
    pub background_color: String,
    pub foreground_color: String,
    pub color_id: String,
    pub primary: bool,
    pub selected: bool,
    /// `owner`, `writer`, `reader` or `freeBusyReader`.
    pub access_role: String,
    pub time_zone: Tz,
    pub allowed_conference_types: Vec<String>,
}

impl Calendar {
    /// An owned, selected calendar that allows Google Meet.
    pub fn new(id: &str, summary: &str, time_zone: Tz) -> Self {
        Calendar {
            id: id.to_string(),
            summary: summary.to_string(),
            summary_override: None,
            description: None,
            background_color: "#9fe1e7".into(),
            foreground_color: "#000000".into(),
            color_id: "14".into(),
            primary: false,
            selected: true,
            access_role: "owner".into(),
            time_zone,
            allowed_conference_types: vec!["hangoutsMeet".into()],
        }
    }

    fn writable(&self) -> bool {
        matches!(self.access_role.as_str(), "owner" | "writer")
    }

    /// The `calendar#calendarListEntry` resource. Like Google, `primary` and `selected` are
    /// omitted rather than `false`.
    pub(crate) fn list_entry(&self) -> Value {
        let mut entry = json!({
            "kind": "calendar#calendarListEntry",
            "etag": format!("\"{}\"", ids::digest(&[&self.id, &self.summary]) % 10_000_000_000_000_000),
            "id": self.id,
            "summary": self.summary,
            "timeZone": self.time_zone.name(),
            "colorId": self.color_id,
            "backgroundColor": self.background_color,
            "foregroundColor": self.foreground_color,
            "accessRole": self.access_role,
            "defaultReminders": self.default_reminders(),
            "conferenceProperties": {
                "allowedConferenceSolutionTypes": self.allowed_conference_types,
            },
        });
        if let Some(o) = &self.summary_override {
            entry["summaryOverride"] = json!(o);
        }
        if let Some(d) = &self.description {
            entry["description"] = json!(d);
        }
        if self.selected {
            entry["selected"] = json!(true);
        }
        if self.primary {
            entry["primary"] = json!(true);
        }
        entry
    }

    pub(crate) fn default_reminders(&self) -> Value {
        if self.primary {
            json!([{ "method": "popup", "minutes": 10 }])
        } else {
            json!([])
        }
    }
}

/// Options of a write request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Conference changes only take effect with version 1, as with Google.
    pub conference_data_version: u8,
    /// `If-Match`: the write fails with 412 unless the event's etag matches.
    pub if_match: Option<String>,
}

#[cfg(feature = "test-controls")]
impl WriteOptions {
    pub fn with_conferences() -> Self {
        WriteOptions {
            conference_data_version: 1,
            if_match: None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    pub(crate) resource: Value,
    pub(crate) start: LocalTime,
    pub(crate) end: LocalTime,
    /// Value of the change counter at this event's last change.
    pub(crate) changed: u64,
}

impl StoredEvent {
    pub(crate) fn id(&self) -> &str {
        self.resource["id"].as_str().unwrap_or_default()
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.resource["status"] == "cancelled"
    }

    pub(crate) fn recurrence(&self) -> Option<Vec<String>> {
        let lines = self.resource.get("recurrence")?.as_array()?;
        Some(
            lines
                .iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect(),
        )
    }

    pub(crate) fn duration(&self) -> TimeDelta {
        if self.start.all_day {
            self.end.local - self.start.local
        } else {
            self.end.utc() - self.start.utc()
        }
    }

    /// Occurrence starts before `bound`.
    pub(crate) fn occurrences(&self, bound: DateTime<Utc>) -> Vec<LocalTime> {
        match self.recurrence() {
            Some(rules) => {
                recurrence::expand(&rules, self.start, bound, 100_000).unwrap_or_default()
            }
            None => vec![self.start],
        }
    }

    /// The occurrence of this series that `instance_id` names, if its rule produces it.
    pub(crate) fn occurrence(&self, instance_id: &str) -> Option<LocalTime> {
        let bound = instance_bound(instance_id)?;
        self.occurrences(bound)
            .into_iter()
            .find(|o| ids::instance_id(self.id(), o) == instance_id)
    }

    /// The resource of one occurrence of this recurring event.
    pub(crate) fn instance(&self, calendar_id: &str, original_start: LocalTime) -> Value {
        let mut v = self.resource.clone();
        let id = ids::instance_id(self.id(), &original_start);
        if let Some(obj) = v.as_object_mut() {
            obj.remove("recurrence");
        }
        v["htmlLink"] = json!(ids::html_link(&id, calendar_id));
        v["recurringEventId"] = json!(self.id());
        v["id"] = json!(id);
        v["originalStartTime"] = original_start.to_json();
        v["start"] = original_start.to_json();
        v["end"] = original_start.plus(self.duration()).to_json();
        v
    }
}

/// A conference waiting to finish creation.
#[derive(Debug, Clone)]
struct Pending {
    calendar: String,
    event: String,
    ready_at: Instant,
    reads: u32,
}

/// Fields a client cannot set; Google ignores them in request bodies.
const READ_ONLY: &[&str] = &[
    "kind",
    "etag",
    "created",
    "updated",
    "htmlLink",
    "creator",
    "organizer",
    "hangoutLink",
    "iCalUID",
    "recurringEventId",
    "originalStartTime",
];

/// State of the emulated Google account.
#[derive(Debug)]
pub struct Store {
    account: String,
    calendars: Vec<Calendar>,
    pub(crate) events: HashMap<String, BTreeMap<String, StoredEvent>>,
    /// Bumped by every change to any event; sync tokens remember it.
    pub(crate) change: u64,
    /// Bumped to invalidate every sync token issued so far. Random at the start, so a token
    /// from another sandbox (a restarted `meetty sandbox`, the demo of another process) is
    /// refused with 410 as Google refuses any token it no longer honours ("Sometimes sync
    /// tokens are invalidated by the server… 410", developers.google.com/calendar/api/guides/sync).
    pub(crate) sync_epoch: u64,
    pending: Vec<Pending>,
    next_id: u64,
    pub conference_policy: ConferencePolicy,
    /// Colleagues and groups visible to free/busy only.
    pub(crate) directory: Directory,
}

impl Store {
    pub fn new(account: &str) -> Self {
        Store {
            account: account.to_string(),
            calendars: Vec::new(),
            events: HashMap::new(),
            change: 0,
            sync_epoch: std::hash::BuildHasher::hash_one(
                &std::collections::hash_map::RandomState::new(),
                account,
            ),
            pending: Vec::new(),
            next_id: 0,
            conference_policy: ConferencePolicy::default(),
            directory: Directory::default(),
        }
    }

    /// The account's email, also the id of its primary calendar.
    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn calendars(&self) -> &[Calendar] {
        &self.calendars
    }

    pub fn add_calendar(&mut self, calendar: Calendar) {
        self.events.entry(calendar.id.clone()).or_default();
        self.calendars.push(calendar);
    }

    /// Looks a calendar up by id; `primary` names the account's primary calendar.
    pub fn calendar(&self, id: &str) -> Result<&Calendar, ApiError> {
        self.calendars
            .iter()
            .find(|c| c.id == id || (id == "primary" && c.primary))
            .ok_or_else(ApiError::not_found)
    }

    fn writable_calendar(&self, id: &str) -> Result<Calendar, ApiError> {
        let calendar = self.calendar(id)?;
        if !calendar.writable() {
            return Err(ApiError::forbidden_writer());
        }
        Ok(calendar.clone())
    }

    /// One event or recurring instance, as `events.get` returns it (reading it here does not
    /// count towards [`ConferencePolicy::after_reads`]).
    pub fn event(&self, calendar_id: &str, event_id: &str) -> Result<Value, ApiError> {
        let calendar = self.calendar(calendar_id)?;
        let events = &self.events[&calendar.id];
        if let Some(event) = events.get(event_id) {
            return Ok(event.resource.clone());
        }
        // An unmodified instance of a recurring event exists only as a rule occurrence.
        let (series_id, _) = ids::split_instance_id(event_id).ok_or_else(ApiError::not_found)?;
        let master = events
            .get(series_id)
            .filter(|m| !m.is_cancelled() && m.recurrence().is_some())
            .ok_or_else(ApiError::not_found)?;
        master
            .occurrence(event_id)
            .map(|o| master.instance(&calendar.id, o))
            .ok_or_else(ApiError::not_found)
    }

    /// `events.insert`.
    pub fn insert_event(
        &mut self,
        calendar_id: &str,
        body: Value,
        options: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let calendar = self.writable_calendar(calendar_id)?;
        let Value::Object(mut fields) = body else {
            return Err(ApiError::invalid("Bad Request"));
        };
        let id = match fields.remove("id") {
            None | Some(Value::Null) => self.new_event_id(),
            Some(Value::String(id)) if ids::is_valid_event_id(&id) => id,
            Some(_) => return Err(ApiError::invalid("Invalid resource id value.")),
        };
        if self.events[&calendar.id].contains_key(&id) {
            return Err(ApiError::duplicate());
        }
        for key in READ_ONLY {
            fields.remove(*key);
        }
        let requested_conference = fields.remove("conferenceData");
        let mut resource = Value::Object(fields);
        resource["id"] = json!(id);
        let wants_conference =
            apply_conference(&calendar, &mut resource, requested_conference, options)?;
        self.put(&calendar, resource)?;
        if wants_conference {
            self.schedule_conference(&calendar.id, &id);
        }
        self.event(&calendar.id, &id)
    }

    /// `events.patch`: provided fields replace stored ones, `null` clears a field.
    pub fn patch_event(
        &mut self,
        calendar_id: &str,
        event_id: &str,
        patch: Value,
        options: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let calendar = self.writable_calendar(calendar_id)?;
        let mut resource = self.event(&calendar.id, event_id)?;
        if let Some(expected) = &options.if_match {
            if expected != "*" && resource["etag"].as_str() != Some(expected.as_str()) {
                return Err(ApiError::new(412, "conditionNotMet", "Precondition Failed")
                    .at("header", "If-Match"));
            }
        }
        let Value::Object(mut fields) = patch else {
            return Err(ApiError::invalid("Bad Request"));
        };
        for key in READ_ONLY.iter().chain(&["id"]) {
            fields.remove(*key);
        }
        check_event_type_patch(&resource, &fields)?;
        // `attendeesOmitted` says the request's `attendees` are not the whole list ("When
        // updating an event, this can be used to only update the participant's response",
        // Events reference): the entries given are merged into the stored list by address,
        // so the other guests stay. It describes a representation, not the event, so it is
        // not stored; reads set it only when they cut the list (`maxAttendees`, which the
        // sandbox accepts but does not apply), so they never set it here.
        if fields.remove("attendeesOmitted") == Some(json!(true)) {
            if let Some(given) = fields.remove("attendees") {
                fields.insert("attendees".into(), merged_attendees(&resource, given)?);
            }
        }
        let requested_conference = fields.remove("conferenceData");
        merge_patch(&mut resource, Value::Object(fields));
        let wants_conference =
            apply_conference(&calendar, &mut resource, requested_conference, options)?;
        let sequence = resource["sequence"].as_i64().unwrap_or(0);
        resource["sequence"] = json!(sequence + 1);
        self.put(&calendar, resource)?;
        if wants_conference {
            self.schedule_conference(&calendar.id, event_id);
        }
        self.event(&calendar.id, event_id)
    }

    /// Refuses what Google refuses a guest (the organizer is someone else and did not set
    /// `guestsCanModify`): changing properties all attendees share gives 403
    /// `forbiddenForNonOrganizer`. A guest's own answer in `attendees` and the per-attendee
    /// `reminders`, `colorId`, `transparency` and private extended properties stay theirs.
    /// Store methods called directly act as the organizer; the HTTP route checks this first.
    pub(crate) fn check_guest_patch(
        &self,
        calendar_id: &str,
        event_id: &str,
        patch: &Value,
    ) -> Result<(), ApiError> {
        let current = self.event(calendar_id, event_id)?;
        if current.pointer("/organizer/self") == Some(&json!(true))
            || current["guestsCanModify"] == true
        {
            return Ok(());
        }
        let Some(fields) = patch.as_object() else {
            return Ok(());
        };
        let omitted = fields.get("attendeesOmitted") == Some(&json!(true));
        let allowed = |key: &str, value: &Value| match key {
            "reminders" | "colorId" | "transparency" | "attendeesOmitted" => true,
            "extendedProperties" => value
                .as_object()
                .is_some_and(|o| o.keys().all(|k| k == "private")),
            "attendees" if omitted => only_own_entry_answered(&current, value),
            "attendees" => only_own_answer_changed(&current, value),
            _ => READ_ONLY.contains(&key) || key == "id" || current.get(key) == Some(value),
        };
        match fields.iter().find(|(k, v)| !allowed(k, v)) {
            None => Ok(()),
            Some(_) => Err(ApiError::new(
                403,
                "forbiddenForNonOrganizer",
                "Shared properties can only be changed by the organizer of the event.",
            )),
        }
    }

    /// `events.delete`: the event stays, `cancelled`, so sync tokens report the deletion.
    pub fn delete_event(&mut self, calendar_id: &str, event_id: &str) -> Result<(), ApiError> {
        let calendar = self.writable_calendar(calendar_id)?;
        let mut resource = self.event(&calendar.id, event_id)?;
        if resource["status"] == "cancelled" {
            return Err(ApiError::deleted());
        }
        let is_series = resource.get("recurrence").is_some();
        resource["status"] = json!("cancelled");
        self.put(&calendar, resource)?;
        if is_series {
            let exceptions: Vec<Value> = self.events[&calendar.id]
                .values()
                .filter(|e| e.resource["recurringEventId"] == event_id && !e.is_cancelled())
                .map(|e| e.resource.clone())
                .collect();
            for mut exception in exceptions {
                exception["status"] = json!("cancelled");
                self.put(&calendar, exception)?;
            }
        }
        Ok(())
    }

    /// Adds an event as given (id, organizer, creator, conference, `created` are kept; missing
    /// server fields are filled). For seeds and for tests that need an invite from someone else.
    pub fn put_event(&mut self, calendar_id: &str, mut resource: Value) -> Result<Value, ApiError> {
        let calendar = self.calendar(calendar_id)?.clone();
        if resource.get("id").and_then(Value::as_str).is_none() {
            resource["id"] = json!(self.new_event_id());
        }
        let id = resource["id"].as_str().unwrap_or_default().to_string();
        if let Some(link) = resource
            .get("conferenceData")
            .and_then(conference::hangout_link)
        {
            resource["hangoutLink"] = json!(link);
        }
        self.put(&calendar, resource)?;
        self.event(&calendar.id, &id)
    }

    /// Validates and stores `resource`, filling server-owned fields and recording the change.
    pub(crate) fn put(&mut self, calendar: &Calendar, mut resource: Value) -> Result<(), ApiError> {
        let (start, end) = validate_times(&resource, calendar)?;
        let now = Utc::now();
        self.change += 1;
        let id = resource["id"].as_str().unwrap_or_default().to_string();
        let organizer = if calendar.primary {
            json!({ "email": self.account, "self": true })
        } else {
            json!({ "email": calendar.id, "displayName": calendar.summary, "self": true })
        };
        let defaults = [
            ("kind", json!("calendar#event")),
            ("status", json!("confirmed")),
            ("created", json!(times::timestamp(now))),
            ("creator", json!({ "email": self.account, "self": true })),
            ("organizer", organizer),
            ("iCalUID", json!(format!("{id}@google.com"))),
            ("sequence", json!(0)),
            ("reminders", json!({ "useDefault": true })),
            ("eventType", json!("default")),
        ];
        let obj = resource.as_object_mut().expect("validated as an object");
        for (key, value) in defaults {
            obj.entry(key).or_insert(value);
        }
        obj.insert("updated".into(), json!(times::timestamp(now)));
        obj.insert("etag".into(), json!(ids::etag(now, self.change)));
        obj.insert("htmlLink".into(), json!(ids::html_link(&id, &calendar.id)));
        mark_attendees(obj, &self.account);
        let event = StoredEvent {
            resource,
            start,
            end,
            changed: self.change,
        };
        self.events
            .get_mut(&calendar.id)
            .expect("calendar has an event map")
            .insert(id, event);
        Ok(())
    }

    /// Backdates an event's timestamps (seeds want a plausible history).
    pub(crate) fn set_timestamps(
        &mut self,
        calendar_id: &str,
        event_id: &str,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) {
        if let Some(e) = self
            .events
            .get_mut(calendar_id)
            .and_then(|m| m.get_mut(event_id))
        {
            e.resource["created"] = json!(times::timestamp(created));
            e.resource["updated"] = json!(times::timestamp(updated));
        }
    }

    fn new_event_id(&mut self) -> String {
        self.next_id += 1;
        ids::event_id(&self.account, self.next_id)
    }

    fn schedule_conference(&mut self, calendar_id: &str, event_id: &str) {
        self.pending
            .retain(|p| !(p.calendar == calendar_id && p.event == event_id));
        self.pending.push(Pending {
            calendar: calendar_id.to_string(),
            event: event_id.to_string(),
            ready_at: Instant::now() + self.conference_policy.delay,
            reads: 0,
        });
        self.settle_due_conferences(Instant::now());
    }

    /// Finishes the conferences whose delay has passed.
    pub(crate) fn settle_due_conferences(&mut self, now: Instant) {
        let (due, waiting) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.ready_at <= now);
        self.pending = waiting;
        for p in due {
            self.settle(&p.calendar, &p.event);
        }
    }

    /// Counts a client read of these events; the `after_reads`-th read sees the conference done.
    pub(crate) fn note_reads(&mut self, calendar_id: &str, event_ids: &[String]) {
        let Some(limit) = self.conference_policy.after_reads else {
            return;
        };
        let mut due = Vec::new();
        self.pending.retain_mut(|p| {
            if p.calendar == calendar_id && event_ids.contains(&p.event) {
                p.reads += 1;
                if p.reads >= limit {
                    due.push(p.event.clone());
                    return false;
                }
            }
            true
        });
        for event in due {
            self.settle(calendar_id, &event);
        }
    }

    fn settle(&mut self, calendar_id: &str, event_id: &str) {
        let Ok(calendar) = self.calendar(calendar_id).cloned() else {
            return;
        };
        let Ok(mut resource) = self.event(calendar_id, event_id) else {
            return;
        };
        // The request may have been replaced or removed by a later patch.
        let Some(request) = resource
            .pointer("/conferenceData/createRequest")
            .filter(|r| r.pointer("/status/statusCode") == Some(&json!("pending")))
            .cloned()
        else {
            return;
        };
        let mut request = request;
        if let Some(obj) = request.as_object_mut() {
            obj.remove("status");
        }
        let data = conference::settled(&request, event_id, self.conference_policy.outcome);
        set_conference(&mut resource, data);
        let _ = self.put(&calendar, resource);
    }
}

/// What only tests do to the account, through `Sandbox::with_store`: changes made
/// "elsewhere" (by the organiser, on another device) and reads of what is stored.
#[cfg(feature = "test-controls")]
impl Store {
    pub fn calendar_mut(&mut self, id: &str) -> Result<&mut Calendar, ApiError> {
        self.calendars
            .iter_mut()
            .find(|c| c.id == id || (id == "primary" && c.primary))
            .ok_or_else(ApiError::not_found)
    }

    /// Every event, recurring exception and master on a calendar, as stored (not expanded).
    pub fn events(&self, calendar_id: &str) -> Vec<Value> {
        self.calendar(calendar_id)
            .ok()
            .and_then(|c| self.events.get(&c.id))
            .map(|events| events.values().map(|e| e.resource.clone()).collect())
            .unwrap_or_default()
    }

    /// Reschedules an event, keeping its time zone: "the organiser moved it".
    pub fn move_event(
        &mut self,
        calendar_id: &str,
        event_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Value, ApiError> {
        let event = self.event(calendar_id, event_id)?;
        let tz = event
            .pointer("/start/timeZone")
            .and_then(Value::as_str)
            .and_then(times::parse_tz)
            .unwrap_or(self.calendar(calendar_id)?.time_zone);
        let at =
            |t: DateTime<Utc>| json!({"dateTime": times::rfc3339_in(t, tz), "timeZone": tz.name()});
        let patch = json!({ "start": at(start), "end": at(end) });
        self.patch_event(calendar_id, event_id, patch, &WriteOptions::default())
    }

    /// Makes every sync token issued so far answer 410 `fullSyncRequired`.
    pub fn invalidate_sync_tokens(&mut self) {
        self.sync_epoch = self.sync_epoch.wrapping_add(1);
    }
}

/// What an attendee may change of their own entry: their answer.
const ANSWER_FIELDS: &[&str] = &["responseStatus", "comment", "additionalGuests"];
/// Attendee fields Google sets; requests may echo them back.
const ATTENDEE_READ_ONLY: &[&str] = &["self", "organizer", "id"];

/// With `attendeesOmitted`: whether the entries given are only the user's own, changing only
/// their answer.
fn only_own_entry_answered(current: &Value, given: &Value) -> bool {
    let own = current["attendees"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["self"] == true));
    let (Some(given), Some(own)) = (given.as_array(), own) else {
        return false;
    };
    given.iter().all(|entry| {
        same_address(entry, own)
            && entry.as_object().is_some_and(|fields| {
                fields.iter().all(|(k, v)| {
                    ANSWER_FIELDS.contains(&k.as_str())
                        || ATTENDEE_READ_ONLY.contains(&k.as_str())
                        || own.get(k) == Some(v)
                })
            })
    })
}

/// Addresses compare without regard to ASCII case, as e-mail domains do.
fn same_address(a: &Value, b: &Value) -> bool {
    match (a["email"].as_str(), b["email"].as_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// The stored attendee list with `given` merged in by address: a known guest's entry takes the
/// fields given, a new address is added.
fn merged_attendees(current: &Value, given: Value) -> Result<Value, ApiError> {
    let Value::Array(given) = given else {
        return Err(ApiError::invalid("Bad Request"));
    };
    let mut list = current["attendees"].as_array().cloned().unwrap_or_default();
    for entry in given {
        if entry["email"].as_str().is_none_or(str::is_empty) {
            return Err(ApiError::invalid("Missing attendee email."));
        }
        match list.iter_mut().find(|a| same_address(a, &entry)) {
            Some(stored) => {
                let mut fields = entry;
                // The address stays as stored, however the request spelled it.
                if let Some(f) = fields.as_object_mut() {
                    f.remove("email");
                }
                merge_patch(stored, fields);
            }
            None => list.push(entry),
        }
    }
    Ok(Value::Array(list))
}

/// What Google lets a patch change by the event's type. The Event types guide: "Event type
/// cannot be changed after an event is created. Different event types have different
/// restrictions". For events Gmail added, Workspace Updates ("The Calendar API now
/// distinguishes events created from Gmail", 2024) names the only properties apps may change:
/// reminders, colour, visibility, status and extended properties. The other types' limits
/// are not listed property by property, so they are not enforced here.
fn check_event_type_patch(current: &Value, patch: &Map<String, Value>) -> Result<(), ApiError> {
    let kind = current["eventType"].as_str().unwrap_or("default");
    if let Some(asked) = patch.get("eventType") {
        if asked.as_str() != Some(kind) {
            return Err(ApiError::invalid(
                "Event type cannot be changed after an event is created.",
            ));
        }
    }
    const FROM_GMAIL: &[&str] = &[
        "reminders",
        "colorId",
        "visibility",
        "status",
        "extendedProperties",
        "eventType",
    ];
    match patch.keys().find(|k| !FROM_GMAIL.contains(&k.as_str())) {
        Some(key) if kind == "fromGmail" => Err(ApiError::invalid(format!(
            "The {key} property of an event created from Gmail cannot be changed."
        ))),
        _ => Ok(()),
    }
}

/// Whether `new` is the event's attendee list with at most the user's own answer changed.
fn only_own_answer_changed(current: &Value, new: &Value) -> bool {
    let Some(new) = new.as_array() else {
        return false;
    };
    let old = current["attendees"].as_array().cloned().unwrap_or_default();
    // Requests do not carry `self`: the user's entry is found by address.
    let own_email = old
        .iter()
        .find(|a| a["self"] == true)
        .map(|a| a["email"].clone());
    // Read-only flags may be echoed back; the user's own entry may change its answer.
    let comparable = |a: &Value| {
        let own = own_email.is_some() && a.get("email") == own_email.as_ref();
        let mut a = a.clone();
        if let Some(fields) = a.as_object_mut() {
            fields.retain(|k, _| {
                let read_only = ATTENDEE_READ_ONLY.contains(&k.as_str());
                let answer = ANSWER_FIELDS.contains(&k.as_str());
                !(read_only || (own && answer))
            });
        }
        a
    };
    new.iter().map(comparable).eq(old.iter().map(comparable))
}

/// RFC 7396 merge patch, which is how Google applies `events.patch`: arrays are replaced.
fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = json!({});
            }
            let obj = target.as_object_mut().expect("just made an object");
            for (key, value) in fields {
                if value.is_null() {
                    obj.remove(&key);
                } else {
                    merge_patch(obj.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        other => *target = other,
    }
}

/// Applies a requested `conferenceData` change; returns whether a new conference must be
/// created. Without `conferenceDataVersion=1` Google ignores conference changes silently.
fn apply_conference(
    calendar: &Calendar,
    resource: &mut Value,
    requested: Option<Value>,
    options: &WriteOptions,
) -> Result<bool, ApiError> {
    if options.conference_data_version != 1 {
        return Ok(false);
    }
    match requested {
        None => Ok(false),
        Some(Value::Null) => {
            if let Some(obj) = resource.as_object_mut() {
                obj.remove("conferenceData");
                obj.remove("hangoutLink");
            }
            Ok(false)
        }
        Some(data) => match data.get("createRequest") {
            Some(request) => {
                conference::validate_create_request(request, &calendar.allowed_conference_types)?;
                let current = resource
                    .get("conferenceData")
                    .and_then(conference::request_id);
                if current.is_some() && current == conference::request_id(&data) {
                    // A retried request: the conference it asked for already exists.
                    return Ok(false);
                }
                set_conference(resource, conference::pending(request));
                Ok(true)
            }
            // A conference copied from another event, or a third-party one: kept as given.
            // Google does not document what it does with a copied conference of a type the
            // calendar does not allow (`allowedConferenceSolutionTypes`), so it is kept too.
            None => {
                set_conference(resource, data);
                Ok(false)
            }
        },
    }
}

fn set_conference(resource: &mut Value, data: Value) {
    let link = conference::hangout_link(&data);
    resource["conferenceData"] = data;
    match link {
        Some(link) => resource["hangoutLink"] = json!(link),
        None => {
            if let Some(obj) = resource.as_object_mut() {
                obj.remove("hangoutLink");
            }
        }
    }
}

fn validate_times(
    resource: &Value,
    calendar: &Calendar,
) -> Result<(LocalTime, LocalTime), ApiError> {
    if !resource.is_object() {
        return Err(ApiError::invalid("Bad Request"));
    }
    let start = parse_event_time(resource, "start", calendar.time_zone)?;
    let end = parse_event_time(resource, "end", calendar.time_zone)?;
    if start.all_day != end.all_day {
        return Err(ApiError::invalid(
            "Start and end times must either both be date or both be dateTime.",
        ));
    }
    let (from, to) = (start.utc(), end.utc());
    if to < from || (start.all_day && to == from) {
        return Err(ApiError::new(
            400,
            "timeRangeEmpty",
            "The specified time range is empty.",
        ));
    }
    if let Some(lines) = resource.get("recurrence") {
        let lines: Vec<String> = lines
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect()
            })
            .ok_or_else(|| ApiError::invalid("Invalid recurrence rule."))?;
        if !start.all_day && resource.pointer("/start/timeZone").is_none() {
            return Err(ApiError::invalid(
                "Missing time zone definition for start time.",
            ));
        }
        recurrence::expand(&lines, start, from + TimeDelta::days(1), 1)
            .map_err(|_| ApiError::invalid("Invalid recurrence rule."))?;
    }
    Ok((start, end))
}

/// Google fills `responseStatus` and flags the user's own and the organizer's attendee entries.
fn mark_attendees(event: &mut Map<String, Value>, account: &str) {
    let organizer = event
        .get("organizer")
        .and_then(|o| o["email"].as_str())
        .map(str::to_string);
    let Some(attendees) = event.get_mut("attendees").and_then(Value::as_array_mut) else {
        return;
    };
    for attendee in attendees.iter_mut().filter_map(Value::as_object_mut) {
        attendee
            .entry("responseStatus")
            .or_insert(json!("needsAction"));
        let email = attendee
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_string);
        if email.as_deref() == Some(account) {
            attendee.insert("self".into(), json!(true));
        }
        if email.is_some() && email == organizer {
            attendee.insert("organizer".into(), json!(true));
        }
    }
}

/// Expanding a series up to just past the instance's stamp is enough to find it.
fn instance_bound(instance_id: &str) -> Option<DateTime<Utc>> {
    let (_, stamp) = ids::split_instance_id(instance_id)?;
    let day = chrono::NaiveDate::parse_from_str(&stamp[..8], "%Y%m%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc() + TimeDelta::days(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let mut s = Store::new("alex@example.com");
        let mut primary = Calendar::new(
            "alex@example.com",
            "Alex",
            "America/New_York".parse().unwrap(),
        );
        primary.primary = true;
        s.add_calendar(primary);
        s.conference_policy.delay = std::time::Duration::from_secs(3600);
        s
    }

    fn meeting() -> Value {
        json!({
            "summary": "Sync",
            "start": {"dateTime": "2024-05-01T10:00:00-04:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2024-05-01T10:30:00-04:00", "timeZone": "America/New_York"},
        })
    }

    fn with_meet(mut body: Value, request_id: &str) -> Value {
        body["conferenceData"] = json!({"createRequest": {
            "requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}});
        body
    }

    #[test]
    fn insert_fills_server_fields_and_rejects_duplicates() {
        let mut s = store();
        let mut body = meeting();
        body["id"] = json!("meetup0001");
        let e = s
            .insert_event("primary", body.clone(), &WriteOptions::default())
            .unwrap();
        assert_eq!(e["status"], "confirmed");
        assert_eq!(e["organizer"]["self"], true);
        assert_eq!(e["iCalUID"], "meetup0001@google.com");
        let err = s
            .insert_event("primary", body, &WriteOptions::default())
            .unwrap_err();
        assert_eq!((err.code, err.reason.as_str()), (409, "duplicate"));
        let mut bad = meeting();
        bad["id"] = json!("Not_Base32");
        assert_eq!(
            s.insert_event("primary", bad, &WriteOptions::default())
                .unwrap_err()
                .code,
            400
        );
    }

    #[test]
    fn conference_needs_version_one_and_settles_once_per_request_id() {
        let mut s = store();
        let ignored = s
            .insert_event(
                "primary",
                with_meet(meeting(), "r1"),
                &WriteOptions::default(),
            )
            .unwrap();
        assert!(ignored.get("conferenceData").is_none());

        let e = s
            .insert_event(
                "primary",
                with_meet(meeting(), "r1"),
                &WriteOptions::with_conferences(),
            )
            .unwrap();
        let id = e["id"].as_str().unwrap().to_string();
        assert_eq!(
            e["conferenceData"]["createRequest"]["status"]["statusCode"],
            "pending"
        );
        assert!(e.get("hangoutLink").is_none());
        s.settle_due_conferences(Instant::now() + std::time::Duration::from_secs(7200));
        let done = s.event("primary", &id).unwrap();
        assert_eq!(
            done["conferenceData"]["createRequest"]["status"]["statusCode"],
            "success"
        );
        let link = done["hangoutLink"].as_str().unwrap().to_string();

        // Removing and re-requesting with the same requestId yields the same meeting.
        let opts = WriteOptions::with_conferences();
        let cleared = s
            .patch_event("primary", &id, json!({"conferenceData": null}), &opts)
            .unwrap();
        assert!(cleared.get("conferenceData").is_none() && cleared.get("hangoutLink").is_none());
        s.conference_policy.delay = std::time::Duration::ZERO;
        let again = s
            .patch_event("primary", &id, with_meet(json!({}), "r1"), &opts)
            .unwrap();
        assert_eq!(again["hangoutLink"], json!(link));
    }

    #[test]
    fn after_reads_settles_on_the_nth_read() {
        let mut s = store();
        s.conference_policy.after_reads = Some(2);
        let e = s
            .insert_event(
                "primary",
                with_meet(meeting(), "r"),
                &WriteOptions::with_conferences(),
            )
            .unwrap();
        let id = vec![e["id"].as_str().unwrap().to_string()];
        s.note_reads("alex@example.com", &id);
        assert!(s
            .event("primary", &id[0])
            .unwrap()
            .get("hangoutLink")
            .is_none());
        s.note_reads("alex@example.com", &id);
        assert!(s
            .event("primary", &id[0])
            .unwrap()
            .get("hangoutLink")
            .is_some());
    }

    #[test]
    fn the_type_stays_and_gmail_events_take_only_their_few_changes() {
        let mut s = store();
        let e = s
            .insert_event("primary", meeting(), &WriteOptions::default())
            .unwrap();
        let id = e["id"].as_str().unwrap().to_string();
        let patch = |s: &mut Store, id: &str, body: Value| {
            s.patch_event("primary", id, body, &WriteOptions::default())
        };
        let e = patch(&mut s, &id, json!({"eventType": "focusTime"})).unwrap_err();
        assert_eq!(
            (e.code, e.message.contains("cannot be changed")),
            (400, true)
        );
        assert!(patch(&mut s, &id, json!({"eventType": "default", "summary": "x"})).is_ok());

        let mut booking = meeting();
        booking["id"] = json!("flight001");
        booking["eventType"] = json!("fromGmail");
        s.put_event("primary", booking).unwrap();
        assert!(patch(&mut s, "flight001", json!({"colorId": "5"})).is_ok());
        for body in [json!({"summary": "x"}), json!({"attendees": []})] {
            assert_eq!(patch(&mut s, "flight001", body).unwrap_err().code, 400);
        }
    }

    #[test]
    fn patch_merges_clears_and_checks_etag() {
        let mut s = store();
        let mut body = meeting();
        body["location"] = json!("Room 1");
        body["description"] = json!("agenda");
        let e = s
            .insert_event("primary", body, &WriteOptions::default())
            .unwrap();
        let id = e["id"].as_str().unwrap();
        let stale = WriteOptions {
            if_match: Some("\"0\"".into()),
            ..Default::default()
        };
        assert_eq!(
            s.patch_event("primary", id, json!({}), &stale)
                .unwrap_err()
                .code,
            412
        );
        let fresh = WriteOptions {
            if_match: e["etag"].as_str().map(Into::into),
            ..Default::default()
        };
        let p = s
            .patch_event(
                "primary",
                id,
                json!({"location": null, "summary": "Renamed"}),
                &fresh,
            )
            .unwrap();
        assert_eq!(p["summary"], "Renamed");
        assert_eq!(p["description"], "agenda");
        assert!(p.get("location").is_none());
        assert_eq!(p["sequence"], 1);
        assert_ne!(p["etag"], e["etag"]);
    }

    #[test]
    fn instances_can_be_read_modified_and_deleted() {
        let mut s = store();
        let series = json!({
            "summary": "Standup",
            "start": {"dateTime": "2024-03-08T09:30:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2024-03-08T09:45:00", "timeZone": "America/New_York"},
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"],
        });
        let m = s
            .insert_event("primary", series, &WriteOptions::default())
            .unwrap();
        let master = m["id"].as_str().unwrap();
        // Monday after the DST change: 09:30 EDT is 13:30Z.
        let monday = format!("{master}_20240311T133000Z");
        let inst = s.event("primary", &monday).unwrap();
        assert_eq!(inst["start"]["dateTime"], "2024-03-11T09:30:00-04:00");
        assert_eq!(inst["recurringEventId"], json!(master));
        assert!(s
            .event("primary", &format!("{master}_20240311T143000Z"))
            .is_err());

        s.delete_event("primary", &monday).unwrap();
        assert_eq!(s.event("primary", &monday).unwrap()["status"], "cancelled");
        assert_eq!(s.delete_event("primary", &monday).unwrap_err().code, 410);
        assert_eq!(
            s.delete_event("primary", "nosuchevent").unwrap_err().code,
            404
        );
    }

    #[test]
    fn guests_may_only_answer_for_themselves() {
        let mut s = store();
        let mut invite = meeting();
        invite["id"] = json!("invite001");
        invite["organizer"] = json!({"email": "priya@example.com", "self": false});
        invite["attendees"] =
            json!([{"email": "priya@example.com"}, {"email": "alex@example.com"}]);
        let e = s.put_event("primary", invite).unwrap();
        let attendees = |mine: &str, hers: &str| {
            let mut a = e["attendees"].clone();
            a[0]["responseStatus"] = json!(hers);
            a[1]["responseStatus"] = json!(mine);
            json!({ "attendees": a })
        };
        let check = |patch: Value| s.check_guest_patch("primary", "invite001", &patch);
        assert!(check(attendees("declined", "needsAction")).is_ok());
        assert!(check(json!({"reminders": {"useDefault": false}, "etag": "x"})).is_ok());
        for refused in [
            attendees("declined", "declined"),
            json!({"summary": "Mine now"}),
            json!({"attendees": [{"email": "alex@example.com", "responseStatus": "declined"}]}),
        ] {
            let err = check(refused).unwrap_err();
            assert_eq!(
                (err.code, err.reason.as_str()),
                (403, "forbiddenForNonOrganizer")
            );
        }
        let own = s
            .insert_event("primary", meeting(), &WriteOptions::default())
            .unwrap();
        let own_id = own["id"].as_str().unwrap();
        assert!(s
            .check_guest_patch("primary", own_id, &json!({"summary": "Renamed"}))
            .is_ok());
    }

    /// An invitation from Priya to Alex (the account) and Sam.
    fn invitation(s: &mut Store) -> Value {
        let mut invite = meeting();
        invite["id"] = json!("invite002");
        invite["organizer"] = json!({"email": "priya@example.com", "self": false});
        invite["attendees"] = json!([
            {"email": "priya@example.com", "responseStatus": "accepted"},
            {"email": "alex@example.com", "displayName": "Alex"},
            {"email": "sam@example.com", "responseStatus": "declined", "comment": "away"},
        ]);
        s.put_event("primary", invite).unwrap()
    }

    fn own_answer(entry: Value) -> Value {
        json!({"attendeesOmitted": true, "attendees": [entry]})
    }

    #[test]
    fn attendees_omitted_merges_the_entries_given_by_address_and_is_not_stored() {
        let mut s = store();
        let before = invitation(&mut s);
        let patch = own_answer(
            json!({"email": "Alex@example.com", "responseStatus": "tentative", "comment": "late"}),
        );
        let after = s
            .patch_event("primary", "invite002", patch, &WriteOptions::default())
            .unwrap();
        let mut expected = before["attendees"].clone();
        expected[1]["responseStatus"] = json!("tentative");
        expected[1]["comment"] = json!("late");
        assert_eq!(
            after["attendees"], expected,
            "the other guests stay as they were"
        );
        assert_eq!(after.get("attendeesOmitted"), None, "not stored");
        assert_eq!(s.event("primary", "invite002").unwrap(), after);
        // Without the flag the list given is the whole list (PATCH replaces arrays).
        let only_me = json!({"attendees": [{"email": "alex@example.com"}]});
        let replaced = s
            .patch_event("primary", "invite002", only_me, &WriteOptions::default())
            .unwrap();
        assert_eq!(replaced["attendees"].as_array().unwrap().len(), 1);
        let nameless = own_answer(json!({"responseStatus": "accepted"}));
        let err = s
            .patch_event("primary", "invite002", nameless, &WriteOptions::default())
            .unwrap_err();
        assert_eq!(err.code, 400);
    }

    #[test]
    fn with_attendees_omitted_a_guest_may_change_only_their_own_answer() {
        let mut s = store();
        invitation(&mut s);
        let check = |patch: Value| s.check_guest_patch("primary", "invite002", &patch);
        for mine in [
            json!({"email": "alex@example.com", "responseStatus": "declined"}),
            json!({"email": "alex@example.com", "responseStatus": "accepted", "comment": "ok"}),
            json!({"email": "alex@example.com", "displayName": "Alex", "self": true}),
        ] {
            assert!(check(own_answer(mine.clone())).is_ok(), "{mine}");
        }
        let mut with_title = own_answer(json!({"email": "alex@example.com"}));
        with_title["summary"] = json!("Mine now");
        for refused in [
            own_answer(json!({"email": "sam@example.com", "responseStatus": "accepted"})),
            own_answer(json!({"email": "alex@example.com", "optional": true})),
            own_answer(json!({"email": "alex@example.com", "displayName": "The boss"})),
            own_answer(json!({"email": "new@example.com"})),
            with_title,
        ] {
            let err = check(refused.clone()).unwrap_err();
            assert_eq!(
                (err.code, err.reason.as_str()),
                (403, "forbiddenForNonOrganizer"),
                "{refused}"
            );
        }
    }

    #[test]
    fn reader_calendars_refuse_writes() {
        let mut s = store();
        let mut holidays =
            Calendar::new("h@group.v.calendar.google.com", "Holidays", chrono_tz::UTC);
        holidays.access_role = "reader".into();
        s.add_calendar(holidays);
        let err = s
            .insert_event(
                "h@group.v.calendar.google.com",
                meeting(),
                &WriteOptions::default(),
            )
            .unwrap_err();
        assert_eq!(
            (err.code, err.reason.as_str()),
            (403, "requiredAccessLevel")
        );
    }
}
