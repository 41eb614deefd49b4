//! `freebusy.query` (`POST /calendar/v3/freeBusy`) as Google's API reference documents it,
//! and the colleagues and groups whose availability the account may see.
//!
//! The answer has a `calendars` entry per calendar asked about (keyed as asked: `primary`
//! stays `primary`) with its `busy` blocks, or `errors: [{domain: "global", reason:
//! "notFound"}]` and no blocks when the account cannot see it. Groups expand to their
//! members in `groups` (and each member gets a `calendars` entry), unless a group has more
//! members than `groupExpansionMax` (≤ 100): then the group carries `groupTooBig`.
//! Calendars past `calendarExpansionMax` (≤ 50) carry `tooManyCalendarsRequested`: the
//! reference lists both reasons and the maxima but not where the cut falls, so the sandbox
//! answers the first ones and refuses the rest, and a client must not rely on either.
//!
//! A range longer than [`MAX_RANGE`] is refused with 400 `timeRangeTooLong` ("The requested
//! time range is too long."): the reference does not name the limit, but Google refuses long
//! ranges so, and clients (cal.com's, calcom/cal.com#11962) found it at 90 days.
//!
//! Busy blocks are the stored events overlapping the window, recurring series expanded
//! (modified and cancelled occurrences as stored), clipped to the window and merged.
//! Three kinds of event do not block time: cancelled ones, those marked free
//! (`transparency: transparent`, "Show me as: Available"), and those the calendar's owner
//! declined. Google puts an invitation on each guest's calendar, so a colleague is also busy
//! for the account's events that list them as a guest, unless they declined.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use super::errors::ApiError;
use super::ids;
use super::store::{Calendar, Store};
use super::times::{self, parse_rfc3339, rfc3339_in};

/// Google's maxima for a query's two limits, which are also their defaults here.
const GROUP_EXPANSION_MAX: u64 = 100;
const CALENDAR_EXPANSION_MAX: u64 = 50;
/// The longest range one query may cover (see the module's comment).
const MAX_RANGE: chrono::TimeDelta = chrono::TimeDelta::days(90);

/// The account's organisation, as far as free/busy sees it: colleagues' primary calendars
/// (not in the account's calendar list) and group addresses.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    people: BTreeMap<String, Calendar>,
    groups: BTreeMap<String, Vec<String>>,
}

/// Whose calendar, and whether only their invitations count on it.
struct Owner<'a> {
    email: &'a str,
    invited_only: bool,
}

impl Store {
    /// A colleague whose availability the account may see, as Google shows calendars
    /// within a Workspace organisation. Their calendar is not in the calendar list; its
    /// zone places their all-day events.
    pub fn add_person(&mut self, email: &str, time_zone: Tz) {
        self.events.entry(email.to_string()).or_default();
        self.directory
            .people
            .insert(email.to_string(), Calendar::new(email, email, time_zone));
    }

    /// An event on a colleague's own calendar ([`Store::add_person`] first); they are its
    /// organizer unless the resource says otherwise.
    pub fn put_person_event(
        &mut self,
        email: &str,
        mut resource: Value,
    ) -> Result<Value, ApiError> {
        let calendar = self
            .directory
            .people
            .get(email)
            .cloned()
            .ok_or_else(ApiError::not_found)?;
        let events = &self.events[email];
        let id = match resource["id"].as_str() {
            Some(id) => id.to_string(),
            None => ids::event_id(email, events.len() as u64 + 1),
        };
        resource["id"] = json!(id);
        for key in ["organizer", "creator"] {
            if resource.get(key).is_none() {
                resource[key] = json!({ "email": email });
            }
        }
        self.put(&calendar, resource)?;
        Ok(self.events[email][&id].resource.clone())
    }

    /// A group address (a Google Group) that free/busy expands to `members`.
    pub fn add_group(&mut self, email: &str, members: &[&str]) {
        let members = members.iter().map(|m| m.to_string()).collect();
        self.directory.groups.insert(email.to_string(), members);
    }

    /// `freebusy.query`.
    pub(crate) fn free_busy(&self, body: &Value) -> Result<Value, ApiError> {
        let query = Query::parse(body)?;
        let mut keys: Vec<&str> = Vec::new();
        let mut groups = Map::new();
        for id in &query.items {
            match self.directory.groups.get(*id) {
                Some(members) if members.len() as u64 > query.group_max => {
                    groups.insert(
                        id.to_string(),
                        json!({ "calendars": [], "errors": [error("groupTooBig")] }),
                    );
                }
                Some(members) => {
                    groups.insert(id.to_string(), json!({ "calendars": members }));
                    keys.extend(members.iter().map(String::as_str));
                }
                None => keys.push(id),
            }
        }
        let mut seen = std::collections::HashSet::new();
        keys.retain(|k| seen.insert(*k));

        let mut calendars = Map::new();
        for (n, key) in keys.into_iter().enumerate() {
            let entry = if n as u64 >= query.calendar_max {
                json!({ "errors": [error("tooManyCalendarsRequested")], "busy": [] })
            } else {
                match self.busy(key, query.min, query.max) {
                    Some(blocks) => {
                        let blocks: Vec<Value> = blocks
                            .into_iter()
                            .map(|(s, e)| {
                                json!({
                                    "start": rfc3339_in(s, query.tz),
                                    "end": rfc3339_in(e, query.tz),
                                })
                            })
                            .collect();
                        json!({ "busy": blocks })
                    }
                    None => json!({ "errors": [error("notFound")], "busy": [] }),
                }
            };
            calendars.insert(key.to_string(), entry);
        }
        let mut answer = json!({
            "kind": "calendar#freeBusy",
            "timeMin": times::timestamp(query.min),
            "timeMax": times::timestamp(query.max),
            "calendars": calendars,
        });
        if !groups.is_empty() {
            answer["groups"] = Value::Object(groups);
        }
        Ok(answer)
    }

    /// The merged busy blocks of calendar `id` within `[min, max)`; `None` when the
    /// account cannot see it.
    fn busy(
        &self,
        id: &str,
        min: DateTime<Utc>,
        max: DateTime<Utc>,
    ) -> Option<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let mut blocks = Vec::new();
        if let Ok(calendar) = self.calendar(id) {
            let owner = Owner {
                email: &calendar.id,
                invited_only: false,
            };
            self.blocks(&calendar.id, &owner, max, &mut blocks);
        } else {
            let person = self.directory.people.get(id)?;
            let own = Owner {
                email: &person.id,
                invited_only: false,
            };
            self.blocks(&person.id, &own, max, &mut blocks);
            let invited = Owner {
                email: &person.id,
                invited_only: true,
            };
            for calendar in self.calendars() {
                self.blocks(&calendar.id, &invited, max, &mut blocks);
            }
        }
        let mut blocks: Vec<_> = blocks
            .into_iter()
            .map(|(s, e): (DateTime<Utc>, DateTime<Utc>)| (s.max(min), e.min(max)))
            .filter(|(s, e)| s < e)
            .collect();
        blocks.sort_unstable();
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for (s, e) in blocks {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Some(merged)
    }

    /// Adds the spans of the events on `calendar_id` that block `owner`'s time and start
    /// before `max` (unclipped: the caller clips).
    fn blocks(
        &self,
        calendar_id: &str,
        owner: &Owner,
        max: DateTime<Utc>,
        out: &mut Vec<(DateTime<Utc>, DateTime<Utc>)>,
    ) {
        let Some(events) = self.events.get(calendar_id) else {
            return;
        };
        for event in events.values() {
            let answer = answer_of(&event.resource, owner.email);
            if event.is_cancelled()
                || event.resource["transparency"] == "transparent"
                || answer == Some("declined")
                || (owner.invited_only && answer.is_none())
            {
                continue;
            }
            match event.recurrence() {
                Some(_) => {
                    for start in event.occurrences(max) {
                        // Modified and cancelled occurrences are stored events of their own.
                        if !events.contains_key(&ids::instance_id(event.id(), &start)) {
                            out.push((start.utc(), start.plus(event.duration()).utc()));
                        }
                    }
                }
                None => out.push((event.start.utc(), event.end.utc())),
            }
        }
    }
}

/// The `responseStatus` of `email` among the event's attendees, if they are one.
fn answer_of<'a>(event: &'a Value, email: &str) -> Option<&'a str> {
    event["attendees"]
        .as_array()?
        .iter()
        .find(|a| {
            a["email"]
                .as_str()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .map(|a| a["responseStatus"].as_str().unwrap_or("needsAction"))
}

fn error(reason: &str) -> Value {
    json!({ "domain": "global", "reason": reason })
}

/// The request body.
struct Query<'a> {
    min: DateTime<Utc>,
    max: DateTime<Utc>,
    tz: Tz,
    group_max: u64,
    calendar_max: u64,
    items: Vec<&'a str>,
}

impl<'a> Query<'a> {
    fn parse(body: &'a Value) -> Result<Query<'a>, ApiError> {
        let fields = body
            .as_object()
            .ok_or_else(|| ApiError::invalid("Bad Request"))?;
        let time = |name: &str| match fields.get(name) {
            None | Some(Value::Null) => {
                Err(ApiError::new(400, "required", "Required").at("body", name))
            }
            Some(Value::String(s)) => parse_rfc3339(name, s),
            Some(_) => Err(ApiError::invalid_param(
                name,
                format!("Invalid value for: {name}"),
            )),
        };
        let (min, max) = (time("timeMin")?, time("timeMax")?);
        if max <= min {
            return Err(
                ApiError::new(400, "timeRangeEmpty", "The specified time range is empty.")
                    .at("parameter", "timeMax"),
            );
        }
        if max - min > MAX_RANGE {
            return Err(ApiError::new(
                400,
                "timeRangeTooLong",
                "The requested time range is too long.",
            )
            .at("parameter", "timeMax"));
        }
        let tz = match fields.get("timeZone") {
            None | Some(Value::Null) => chrono_tz::UTC,
            Some(v) => v.as_str().and_then(times::parse_tz).ok_or_else(|| {
                ApiError::invalid_param("timeZone", "Invalid value for: timeZone")
            })?,
        };
        // The reference gives the maxima; a value outside them is refused as other
        // out-of-range parameters are.
        let limit = |name: &str, max: u64| match fields.get(name) {
            None | Some(Value::Null) => Ok(max),
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| ApiError::invalid_param(name, format!("Invalid value for: {name}"))),
        };
        let items = match fields.get("items") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item["id"].as_str().ok_or_else(|| {
                        ApiError::new(400, "required", "Required").at("body", "items.id")
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(ApiError::invalid_param("items", "Invalid value for: items")),
        };
        Ok(Query {
            min,
            max,
            tz,
            group_max: limit("groupExpansionMax", GROUP_EXPANSION_MAX)?,
            calendar_max: limit("calendarExpansionMax", CALENDAR_EXPANSION_MAX)?,
            items,
        })
    }
}
