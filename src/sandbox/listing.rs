//! `events.list` and `calendarList.list`: filtering, recurring expansion, ordering, paging
//! and incremental sync.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::errors::ApiError;
use super::ids;
use super::store::{Calendar, Store, StoredEvent};
use super::times::{self, parse_rfc3339, LocalTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderBy {
    StartTime,
    Updated,
}

/// The query parameters of `events.list`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListParams {
    pub time_min: Option<DateTime<Utc>>,
    pub time_max: Option<DateTime<Utc>>,
    pub updated_min: Option<DateTime<Utc>>,
    pub single_events: bool,
    pub show_deleted: bool,
    pub order_by: Option<OrderBy>,
    pub max_results: usize,
    pub page_token: Option<String>,
    pub sync_token: Option<String>,
    pub q: Option<String>,
    pub i_cal_uid: Option<String>,
}

impl ListParams {
    pub(crate) fn parse<'a>(param: impl Fn(&str) -> Option<&'a str>) -> Result<Self, ApiError> {
        let time = |name: &str| param(name).map(|v| parse_rfc3339(name, v)).transpose();
        let p = ListParams {
            time_min: time("timeMin")?,
            time_max: time("timeMax")?,
            updated_min: time("updatedMin")?,
            single_events: parse_bool(&param, "singleEvents")?,
            show_deleted: parse_bool(&param, "showDeleted")?,
            order_by: match param("orderBy") {
                None => None,
                Some("startTime") => Some(OrderBy::StartTime),
                Some("updated") => Some(OrderBy::Updated),
                Some(_) => {
                    return Err(ApiError::invalid_param(
                        "orderBy",
                        "Invalid value for: orderBy",
                    ))
                }
            },
            max_results: parse_max_results(&param, 250, 2500)?,
            page_token: param("pageToken").map(str::to_string),
            sync_token: param("syncToken").map(str::to_string),
            q: param("q").map(str::to_lowercase),
            i_cal_uid: param("iCalUID").map(str::to_string),
        };
        if p.sync_token.is_some() {
            let conflicting = [
                "timeMin",
                "timeMax",
                "updatedMin",
                "orderBy",
                "q",
                "iCalUID",
            ]
            .into_iter()
            .chain(["privateExtendedProperty", "sharedExtendedProperty"])
            .find(|name| param(name).is_some());
            if let Some(name) = conflicting {
                return Err(ApiError::invalid_param(
                    name,
                    format!("Sync token cannot be combined with the {name} parameter."),
                ));
            }
        }
        if p.order_by == Some(OrderBy::StartTime) && !p.single_events {
            return Err(ApiError::invalid_param(
                "orderBy",
                "The requested ordering is not available for the particular query.",
            ));
        }
        if let (Some(min), Some(max)) = (p.time_min, p.time_max) {
            if max <= min {
                return Err(ApiError::new(
                    400,
                    "timeRangeEmpty",
                    "The specified time range is empty.",
                )
                .at("parameter", "timeMax"));
            }
        }
        Ok(p)
    }
}

fn parse_bool<'a>(param: &impl Fn(&str) -> Option<&'a str>, name: &str) -> Result<bool, ApiError> {
    match param(name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::invalid_param(
            name,
            format!("Invalid value for: {name}"),
        )),
    }
}

/// Google clamps an over-large page size to the maximum and rejects non-positive ones.
pub(crate) fn parse_max_results<'a>(
    param: &impl Fn(&str) -> Option<&'a str>,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match param("maxResults") {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n.min(max)),
            _ => Err(ApiError::invalid_param(
                "maxResults",
                "Invalid value for: maxResults",
            )),
        },
    }
}

/// Where a page starts, and the change counter when the listing began: the last page's
/// `nextSyncToken` covers exactly what the first page saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PageState {
    offset: usize,
    snapshot: u64,
    since: Option<u64>,
}

fn encode_page_token(state: PageState) -> String {
    let since = state.since.map_or("-".to_string(), |s| s.to_string());
    URL_SAFE_NO_PAD.encode(format!("p1|{}|{}|{since}", state.offset, state.snapshot))
}

fn decode_page_token(token: &str) -> Result<PageState, ApiError> {
    let bad = || ApiError::invalid_param("pageToken", "Invalid page token value.");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split('|').collect();
    match parts[..] {
        ["p1", offset, snapshot, since] => Ok(PageState {
            offset: offset.parse().map_err(|_| bad())?,
            snapshot: snapshot.parse().map_err(|_| bad())?,
            since: match since {
                "-" => None,
                s => Some(s.parse().map_err(|_| bad())?),
            },
        }),
        _ => Err(bad()),
    }
}

/// One listed item, before rendering: a stored event or one occurrence of a series.
struct Row {
    sort_start: DateTime<Utc>,
    changed: u64,
    id: String,
    source: String,
    occurrence: Option<LocalTime>,
}

impl Store {
    fn encode_sync_token(&self, calendar_id: &str, change: u64) -> String {
        URL_SAFE_NO_PAD.encode(format!("s1|{calendar_id}|{}|{change}", self.sync_epoch))
    }

    /// The change counter a sync token was issued at; 410 if it is not one of ours any more.
    fn decode_sync_token(&self, token: &str, calendar_id: &str) -> Result<u64, ApiError> {
        let text = URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        let parts: Vec<&str> = text.split('|').collect();
        match parts[..] {
            ["s1", cal, epoch, change]
                if cal == calendar_id && epoch == self.sync_epoch.to_string() =>
            {
                change
                    .parse()
                    .ok()
                    .filter(|&c| c <= self.change)
                    .ok_or_else(ApiError::full_sync_required)
            }
            _ => Err(ApiError::full_sync_required()),
        }
    }

    pub(crate) fn list_events(
        &mut self,
        calendar_id: &str,
        p: &ListParams,
    ) -> Result<Value, ApiError> {
        let calendar = self.calendar(calendar_id)?.clone();
        let state = match &p.page_token {
            Some(token) => decode_page_token(token)?,
            None => PageState {
                offset: 0,
                snapshot: self.change,
                since: p
                    .sync_token
                    .as_deref()
                    .map(|t| self.decode_sync_token(t, &calendar.id))
                    .transpose()?,
            },
        };
        let mut rows = self.rows(&calendar, p, state);
        match p.order_by {
            Some(OrderBy::StartTime) => {
                rows.sort_by(|a, b| (a.sort_start, &a.id).cmp(&(b.sort_start, &b.id)))
            }
            Some(OrderBy::Updated) => {
                rows.sort_by(|a, b| (a.changed, &a.id).cmp(&(b.changed, &b.id)))
            }
            // Google's order is unspecified then; rows are already in id order, series grouped.
            None => {}
        }
        let end = rows.len().min(state.offset + p.max_results);
        let page = rows.get(state.offset..end).unwrap_or_default();
        let ids: Vec<String> = page.iter().map(|r| r.source.clone()).collect();
        self.note_reads(&calendar.id, &ids);

        let events = &self.events[&calendar.id];
        let items: Vec<Value> = page
            .iter()
            .filter_map(|row| {
                let stored = events.get(&row.source)?;
                Some(match row.occurrence {
                    Some(o) => stored.instance(&calendar.id, o),
                    None if stored.is_cancelled() => cancelled_view(&stored.resource),
                    None => stored.resource.clone(),
                })
            })
            .collect();
        let updated = events
            .values()
            .filter_map(|e| e.resource["updated"].as_str())
            .max()
            .map(str::to_string)
            .unwrap_or_else(|| times::timestamp(DateTime::UNIX_EPOCH));
        let mut response = json!({
            "kind": "calendar#events",
            "etag": format!("\"{}\"", state.snapshot),
            "summary": calendar.summary,
            "updated": updated,
            "timeZone": calendar.time_zone.name(),
            "accessRole": calendar.access_role,
            "defaultReminders": calendar.default_reminders(),
            "items": items,
        });
        if let Some(d) = &calendar.description {
            response["description"] = json!(d);
        }
        if end < rows.len() {
            response["nextPageToken"] = json!(encode_page_token(PageState {
                offset: end,
                ..state
            }));
        } else {
            response["nextSyncToken"] = json!(self.encode_sync_token(&calendar.id, state.snapshot));
        }
        Ok(response)
    }

    /// `events.instances`: "Returns instances of the specified recurring event" (Events
    /// reference), so only the occurrences its rule produces, each as its stored exception
    /// when there is one; cancelled ones only with `showDeleted`. `timeMin` bounds their end
    /// and `timeMax` their start, as for `events.list`.
    pub(crate) fn list_instances(
        &mut self,
        calendar_id: &str,
        event_id: &str,
        p: &ListParams,
    ) -> Result<Value, ApiError> {
        let calendar = self.calendar(calendar_id)?.clone();
        let events = &self.events[&calendar.id];
        let master = events
            .get(event_id)
            .filter(|m| !m.is_cancelled())
            .ok_or_else(ApiError::not_found)?;
        let overlaps = |start: DateTime<Utc>, end: DateTime<Utc>| {
            p.time_min.is_none_or(|min| end > min) && p.time_max.is_none_or(|max| start < max)
        };
        let mut items = Vec::new();
        let bound = p.time_max.unwrap_or_else(|| default_horizon(master));
        for occurrence in master.occurrences(bound) {
            let id = ids::instance_id(master.id(), &occurrence);
            let slot = (occurrence.utc(), occurrence.plus(master.duration()).utc());
            let (item, (start, end)) = match events.get(&id) {
                Some(e) if e.is_cancelled() && !p.show_deleted => continue,
                Some(e) if e.is_cancelled() => (cancelled_view(&e.resource), slot),
                Some(e) => (e.resource.clone(), (e.start.utc(), e.end.utc())),
                None => (master.instance(&calendar.id, occurrence), slot),
            };
            if overlaps(start, end) {
                items.push(item);
            }
        }
        let offset = match &p.page_token {
            Some(token) => decode_page_token(token)?.offset,
            None => 0,
        };
        let end = items.len().min(offset + p.max_results);
        let mut response = json!({
            "kind": "calendar#events",
            "summary": calendar.summary,
            "timeZone": calendar.time_zone.name(),
            "accessRole": calendar.access_role,
            "items": items.get(offset..end).unwrap_or_default(),
        });
        if end < items.len() {
            let state = PageState {
                offset: end,
                snapshot: self.change,
                since: None,
            };
            response["nextPageToken"] = json!(encode_page_token(state));
        }
        Ok(response)
    }

    fn rows(&self, calendar: &Calendar, p: &ListParams, state: PageState) -> Vec<Row> {
        let events = &self.events[&calendar.id];
        let syncing = state.since.is_some();
        let changed_in_window = |changed: u64| {
            state
                .since
                .is_none_or(|s| changed > s && changed <= state.snapshot)
        };
        let overlaps = |start: DateTime<Utc>, end: DateTime<Utc>| {
            p.time_min.is_none_or(|min| end > min) && p.time_max.is_none_or(|max| start < max)
        };
        let mut rows = Vec::new();
        for event in events.values() {
            if !changed_in_window(event.changed) || !self.matches_text(event, p) {
                continue;
            }
            // An exception whose slot its live series no longer produces (the series was
            // shortened or its rule changed) is not one of its instances any more.
            let orphaned = event.resource["recurringEventId"]
                .as_str()
                .and_then(|m| events.get(m))
                .filter(|m| !m.is_cancelled() && m.recurrence().is_some())
                .is_some_and(|m| m.occurrence(event.id()).is_none());
            if orphaned && !syncing {
                continue;
            }
            let cancelled = event.is_cancelled();
            let series = event.recurrence().is_some();
            if series && p.single_events && !cancelled {
                let bound = p.time_max.unwrap_or_else(|| default_horizon(event));
                for occurrence in event.occurrences(bound) {
                    let id = ids::instance_id(event.id(), &occurrence);
                    let start = occurrence.utc();
                    // A modified or cancelled occurrence is listed as its own stored exception.
                    if events.contains_key(&id)
                        || !overlaps(start, occurrence.plus(event.duration()).utc())
                    {
                        continue;
                    }
                    rows.push(Row {
                        sort_start: start,
                        changed: event.changed,
                        id,
                        source: event.id().to_string(),
                        occurrence: Some(occurrence),
                    });
                }
                continue;
            }
            // Google lists cancelled occurrences of a live series when `singleEvents` and
            // `showDeleted` are both false, so clients can hide them from the series.
            let cancelled_occurrence = !p.single_events
                && event.resource["recurringEventId"]
                    .as_str()
                    .and_then(|m| events.get(m))
                    .is_some_and(|m| !m.is_cancelled());
            if cancelled && !(p.show_deleted || syncing || cancelled_occurrence) {
                continue;
            }
            let in_range = if series && !cancelled {
                let bound = p.time_max.unwrap_or_else(|| default_horizon(event));
                event
                    .occurrences(bound)
                    .iter()
                    .any(|o| overlaps(o.utc(), o.plus(event.duration()).utc()))
            } else {
                overlaps(event.start.utc(), event.end.utc())
            };
            if in_range || syncing {
                rows.push(Row {
                    sort_start: event.start.utc(),
                    changed: event.changed,
                    id: event.id().to_string(),
                    source: event.id().to_string(),
                    occurrence: None,
                });
            }
        }
        rows
    }

    fn matches_text(&self, event: &StoredEvent, p: &ListParams) -> bool {
        let r = &event.resource;
        if let Some(uid) = &p.i_cal_uid {
            if r["iCalUID"].as_str() != Some(uid) {
                return false;
            }
        }
        if let Some(min) = p.updated_min {
            let updated = r["updated"]
                .as_str()
                .and_then(|u| DateTime::parse_from_rfc3339(u).ok());
            if updated.is_some_and(|u| u < min) {
                return false;
            }
        }
        let Some(q) = &p.q else { return true };
        let mut haystack: Vec<&str> = ["summary", "description", "location"]
            .iter()
            .filter_map(|k| r[*k].as_str())
            .collect();
        for attendee in r["attendees"].as_array().into_iter().flatten() {
            haystack.extend(
                ["displayName", "email"]
                    .iter()
                    .filter_map(|k| attendee[*k].as_str()),
            );
        }
        q.split_whitespace()
            .all(|word| haystack.iter().any(|h| h.to_lowercase().contains(word)))
    }

    pub(crate) fn list_calendars<'a>(
        &self,
        param: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Value, ApiError> {
        let max_results = parse_max_results(&param, 100, 250)?;
        let offset = match param("pageToken") {
            Some(token) => decode_page_token(token)?.offset,
            None => 0,
        };
        let rank = |role: &str| {
            ["freeBusyReader", "reader", "writer", "owner"]
                .iter()
                .position(|r| *r == role)
        };
        let min_rank = match param("minAccessRole") {
            None => None,
            Some(role) => Some(rank(role).ok_or_else(|| {
                ApiError::invalid_param("minAccessRole", "Invalid value for: minAccessRole")
            })?),
        };
        let entries: Vec<Value> = self
            .calendars()
            .iter()
            .filter(|c| min_rank.is_none_or(|m| rank(&c.access_role) >= Some(m)))
            .map(Calendar::list_entry)
            .collect();
        let end = entries.len().min(offset + max_results);
        let mut response = json!({
            "kind": "calendar#calendarList",
            "etag": format!("\"{}\"", ids::digest(&[self.account()]) % 10_000_000_000_000),
            "items": entries.get(offset..end).unwrap_or_default(),
        });
        if end < entries.len() {
            let state = PageState {
                offset: end,
                snapshot: 0,
                since: None,
            };
            response["nextPageToken"] = json!(encode_page_token(state));
        }
        Ok(response)
    }
}

/// Without `timeMax`, open-ended series are expanded about a year past today (or their start).
fn default_horizon(event: &StoredEvent) -> DateTime<Utc> {
    Utc::now().max(event.start.utc()) + TimeDelta::days(366)
}

/// Deleted events are only guaranteed to carry their id (Google's words), so that is what the
/// sandbox sends, plus what identifies a cancelled occurrence.
fn cancelled_view(resource: &Value) -> Value {
    let mut view = json!({});
    for key in [
        "kind",
        "etag",
        "id",
        "status",
        "updated",
        "recurringEventId",
        "originalStartTime",
    ] {
        if let Some(v) = resource.get(key) {
            view[key] = v.clone();
        }
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::store::WriteOptions;

    fn store() -> Store {
        let mut s = Store::new("alex@example.com");
        let mut primary =
            Calendar::new("alex@example.com", "Alex", "Europe/Berlin".parse().unwrap());
        primary.primary = true;
        s.add_calendar(primary);
        s
    }

    fn add(s: &mut Store, summary: &str, day: u32) -> String {
        let body = json!({
            "summary": summary,
            "start": {"dateTime": format!("2024-05-{day:02}T10:00:00+02:00")},
            "end": {"dateTime": format!("2024-05-{day:02}T11:00:00+02:00")},
        });
        let e = s
            .insert_event("primary", body, &WriteOptions::default())
            .unwrap();
        e["id"].as_str().unwrap().to_string()
    }

    fn params(pairs: &[(&str, &str)]) -> Result<ListParams, ApiError> {
        ListParams::parse(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v))
    }

    fn list(s: &mut Store, pairs: &[(&str, &str)]) -> Value {
        s.list_events("primary", &params(pairs).unwrap()).unwrap()
    }

    fn summaries(v: &Value) -> Vec<&str> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["summary"].as_str().unwrap_or(""))
            .collect()
    }

    #[test]
    fn pages_through_everything_and_sync_token_is_on_last_page_only() {
        let mut s = store();
        for day in 1..=7 {
            add(&mut s, &format!("m{day}"), day);
        }
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut q = vec![
                ("singleEvents", "true"),
                ("orderBy", "startTime"),
                ("maxResults", "3"),
            ];
            if let Some(t) = &token {
                q.push(("pageToken", t));
            }
            let page = list(&mut s, &q);
            seen.extend(summaries(&page).into_iter().map(str::to_string));
            match page["nextPageToken"].as_str() {
                Some(t) => {
                    assert!(page.get("nextSyncToken").is_none());
                    token = Some(t.to_string());
                }
                None => {
                    assert!(page["nextSyncToken"].is_string());
                    break;
                }
            }
        }
        assert_eq!(seen, ["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    }

    #[test]
    fn sync_token_returns_changes_including_deletions_then_410_when_invalidated() {
        let mut s = store();
        let a = add(&mut s, "a", 1);
        let b = add(&mut s, "b", 2);
        let full = list(&mut s, &[]);
        let token = full["nextSyncToken"].as_str().unwrap().to_string();

        let nothing = list(&mut s, &[("syncToken", &token)]);
        assert!(nothing["items"].as_array().unwrap().is_empty());

        s.patch_event(
            "primary",
            &a,
            json!({"summary": "a2"}),
            &WriteOptions::default(),
        )
        .unwrap();
        s.delete_event("primary", &b).unwrap();
        let changes = list(&mut s, &[("syncToken", &token)]);
        let items = changes["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let deleted = items.iter().find(|i| i["id"] == json!(b)).unwrap();
        assert_eq!(deleted["status"], "cancelled");
        assert!(items.iter().any(|i| i["summary"] == "a2"));
        // The deletion is hidden from a plain listing.
        assert_eq!(summaries(&list(&mut s, &[])), ["a2"]);

        let err =
            params(&[("syncToken", &token), ("timeMin", "2024-05-01T00:00:00Z")]).unwrap_err();
        assert_eq!(err.code, 400);
        s.invalidate_sync_tokens();
        let err = s
            .list_events("primary", &params(&[("syncToken", &token)]).unwrap())
            .unwrap_err();
        assert_eq!((err.code, err.reason.as_str()), (410, "fullSyncRequired"));
        let err = s
            .list_events("primary", &params(&[("syncToken", "garbage")]).unwrap())
            .unwrap_err();
        assert_eq!(err.code, 410);
    }

    #[test]
    fn time_window_is_half_open_overlap_and_order_by_requires_single_events() {
        let mut s = store();
        add(&mut s, "early", 1);
        add(&mut s, "late", 2);
        // Ends exactly at timeMin: excluded; starts exactly at timeMax: excluded.
        let v = list(
            &mut s,
            &[
                ("timeMin", "2024-05-01T11:00:00+02:00"),
                ("timeMax", "2024-05-02T10:00:00+02:00"),
            ],
        );
        assert!(summaries(&v).is_empty());
        let v = list(
            &mut s,
            &[("timeMin", "2024-05-01T10:59:00+02:00"), ("q", "EARLY")],
        );
        assert_eq!(summaries(&v), ["early"]);
        assert_eq!(params(&[("orderBy", "startTime")]).unwrap_err().code, 400);
        let err = params(&[
            ("timeMin", "2024-05-02T00:00:00Z"),
            ("timeMax", "2024-05-01T00:00:00Z"),
        ])
        .unwrap_err();
        assert_eq!(err.reason, "timeRangeEmpty");
    }

    #[test]
    fn series_expand_with_exceptions_only_when_single_events() {
        let mut s = store();
        let series = json!({
            "summary": "Standup",
            "start": {"dateTime": "2024-03-29T09:30:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2024-03-29T09:45:00", "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=4"],
        });
        let m = s
            .insert_event("primary", series, &WriteOptions::default())
            .unwrap();
        let master = m["id"].as_str().unwrap().to_string();
        // Tuesday 2 April, after Berlin's DST change: 09:30 CEST is 07:30Z.
        s.delete_event("primary", &format!("{master}_20240402T073000Z"))
            .unwrap();
        s.patch_event(
            "primary",
            &format!("{master}_20240403T073000Z"),
            json!({"summary": "Planning"}),
            &WriteOptions::default(),
        )
        .unwrap();

        let expanded = list(
            &mut s,
            &[("singleEvents", "true"), ("orderBy", "startTime")],
        );
        assert_eq!(summaries(&expanded), ["Standup", "Standup", "Planning"]);
        let starts: Vec<&str> = expanded["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["start"]["dateTime"].as_str().unwrap())
            .collect();
        assert_eq!(
            starts,
            [
                "2024-03-29T09:30:00+01:00",
                "2024-04-01T09:30:00+02:00",
                "2024-04-03T09:30:00+02:00"
            ]
        );
        assert_eq!(
            expanded["items"][1]["id"],
            json!(format!("{master}_20240401T073000Z"))
        );
        assert_eq!(expanded["items"][1]["recurringEventId"], json!(master));

        // Masters plus their exceptions; the cancelled occurrence shows as a cancelled stub.
        let masters = list(&mut s, &[]);
        let items = masters["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert!(items.iter().any(|i| i["recurrence"].is_array()));
        let stub = items.iter().find(|i| i["status"] == "cancelled").unwrap();
        assert!(stub.get("summary").is_none() && stub["originalStartTime"].is_object());
    }

    #[test]
    fn an_exception_its_series_no_longer_produces_is_not_an_instance() {
        let mut s = store();
        let series = json!({
            "summary": "Standup",
            "start": {"dateTime": "2024-04-01T09:30:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2024-04-01T09:45:00", "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=DAILY"],
        });
        let m = s
            .insert_event("primary", series, &WriteOptions::default())
            .unwrap();
        let master = m["id"].as_str().unwrap().to_string();
        let third = format!("{master}_20240403T073000Z");
        let opts = WriteOptions::default();
        s.patch_event("primary", &third, json!({"summary": "Demo"}), &opts)
            .unwrap();
        s.delete_event("primary", &format!("{master}_20240404T073000Z"))
            .unwrap();
        let window = [
            ("singleEvents", "true"),
            ("orderBy", "startTime"),
            ("timeMin", "2024-04-01T00:00:00Z"),
            ("timeMax", "2024-04-06T00:00:00Z"),
        ];
        let instances = |s: &mut Store, extra: &[(&str, &str)]| {
            let p = params(extra).unwrap();
            s.list_instances("primary", &master, &p).unwrap()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["summary"].as_str().unwrap_or("-").to_string())
                .collect::<Vec<_>>()
        };
        let min = ("timeMin", "2024-04-02T08:00:00Z");
        let max = ("timeMax", "2024-04-06T00:00:00Z");
        assert_eq!(instances(&mut s, &[min, max]), ["Demo", "Standup"]);
        assert_eq!(
            instances(&mut s, &[min, max, ("showDeleted", "true")]),
            ["Demo", "-", "Standup"]
        );
        assert_eq!(
            summaries(&list(&mut s, &window)),
            ["Standup", "Standup", "Demo", "Standup"]
        );

        // The series now ends after its second day: the changed third day went with it.
        let shorter = json!({"recurrence": ["RRULE:FREQ=DAILY;COUNT=2"]});
        s.patch_event("primary", &master, shorter, &opts).unwrap();
        assert_eq!(summaries(&list(&mut s, &window)), ["Standup", "Standup"]);
        assert_eq!(summaries(&list(&mut s, &[])), ["Standup"]);
        assert!(instances(&mut s, &[min, ("showDeleted", "true")]).is_empty());
    }
}
