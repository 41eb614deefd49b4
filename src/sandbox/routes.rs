//! Maps method + path to the Calendar v3 and OAuth operations.

use serde_json::{json, Value};

use super::errors::ApiError;
use super::listing::ListParams;
use super::server::{lock, RecordedRequest, Reply, Shared};
use super::store::WriteOptions;

pub(crate) fn route(shared: &Shared, req: &RecordedRequest, segments: &[String]) -> Reply {
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if segments == ["token"] {
        return match req.method.as_str() {
            "POST" => token(shared, req),
            _ => Reply::error(&ApiError::not_found()),
        };
    }
    let ["calendar", "v3", rest @ ..] = &segments[..] else {
        return Reply::error(&ApiError::not_found());
    };
    if !authorized(shared, req) {
        return Reply::error(&ApiError::unauthenticated());
    }
    match calendar_api(shared, req, rest) {
        Ok(reply) => reply,
        Err(error) => Reply::error(&error),
    }
}

fn calendar_api(shared: &Shared, req: &RecordedRequest, path: &[&str]) -> Result<Reply, ApiError> {
    let param = |name: &str| req.param(name);
    let mut store = lock(&shared.store);
    let body = || req.body.clone().unwrap_or_else(|| json!({}));
    let value = match (req.method.as_str(), path) {
        ("GET", ["users", "me", "calendarList"]) => store.list_calendars(param)?,
        ("GET", ["users", "me", "calendarList", calendar]) => {
            store.calendar(calendar)?.list_entry()
        }
        ("GET", ["calendars", calendar, "events"]) => {
            let params = ListParams::parse(param)?;
            store.list_events(calendar, &params)?
        }
        ("POST", ["calendars", calendar, "events"]) => {
            store.insert_event(calendar, body(), &write_options(req)?)?
        }
        ("GET", ["calendars", calendar, "events", event]) => {
            let calendar_id = store.calendar(calendar)?.id.clone();
            store.note_reads(&calendar_id, &[event.to_string()]);
            store.event(calendar, event)?
        }
        ("PATCH", ["calendars", calendar, "events", event]) => {
            store.patch_event(calendar, event, body(), &write_options(req)?)?
        }
        ("DELETE", ["calendars", calendar, "events", event]) => {
            write_options(req)?;
            store.delete_event(calendar, event)?;
            return Ok(Reply::no_content());
        }
        _ => return Err(ApiError::not_found()),
    };
    Ok(Reply::json(200, value))
}

fn authorized(shared: &Shared, req: &RecordedRequest) -> bool {
    let token = req
        .authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "));
    token.is_some_and(|t| lock(&shared.oauth).is_valid(t.trim()))
}

/// Validates the write parameters; only `conferenceDataVersion` and `If-Match` change behaviour
/// (the sandbox sends no email, and `maxAttendees` is accepted but not applied).
fn write_options(req: &RecordedRequest) -> Result<WriteOptions, ApiError> {
    let conference_data_version = match req.param("conferenceDataVersion") {
        None | Some("0") => 0,
        Some("1") => 1,
        Some(_) => {
            return Err(ApiError::invalid_param(
                "conferenceDataVersion",
                "Invalid value for: conferenceDataVersion",
            ))
        }
    };
    if let Some(value) = req.param("sendUpdates") {
        if !matches!(value, "all" | "externalOnly" | "none") {
            return Err(ApiError::invalid_param(
                "sendUpdates",
                "Invalid value for: sendUpdates",
            ));
        }
    }
    if let Some(value) = req.param("maxAttendees") {
        if value.parse::<u32>().map_or(true, |n| n == 0) {
            return Err(ApiError::invalid_param(
                "maxAttendees",
                "Invalid value for: maxAttendees",
            ));
        }
    }
    Ok(WriteOptions {
        conference_data_version,
        if_match: req.header("if-match").map(str::to_string),
    })
}

fn token(shared: &Shared, req: &RecordedRequest) -> Reply {
    let form: Vec<(String, String)> = match &req.body {
        Some(Value::Object(fields)) => fields
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        _ => Vec::new(),
    };
    let (status, body) = lock(&shared.oauth).token_request(&form);
    Reply::json(status, body)
}
