//! Maps method + path to the Calendar v3 and OAuth operations, and checks the bearer token's
//! scopes for the Calendar ones, which act on the calendars of the user the token acts as.

use serde_json::json;

use super::errors::ApiError;
use super::listing::ListParams;
use super::oauth::{self, OAuth};
use super::server::{lock, RecordedRequest, Reply, Shared};
use super::store::{Store, WriteOptions};

pub(crate) fn route(shared: &Shared, req: &RecordedRequest, segments: &[String]) -> Reply {
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let oauth_endpoint: Option<OAuthHandler> = match (req.method.as_str(), &segments[..]) {
        ("GET", ["o", "oauth2", "v2", "auth"]) => Some(oauth::authorize),
        ("POST", ["token"]) => Some(oauth::token),
        // Google still honours the older `GET ...revoke?token=`.
        ("POST" | "GET", ["revoke"]) => Some(oauth::revoke),
        _ => None,
    };
    if let Some(handler) = oauth_endpoint {
        return handler(&mut lock(&shared.oauth), req);
    }
    let ["calendar", "v3", rest @ ..] = &segments[..] else {
        return Reply::error(&ApiError::not_found());
    };
    let Some(Grant {
        scope,
        user,
        service_account,
    }) = grant(shared, req)
    else {
        return Reply::error(&ApiError::unauthenticated());
    };
    if !oauth::grants(&scope, required_scopes(&req.method, rest)) {
        return Reply::error(&ApiError::insufficient_scopes());
    }
    if service_account && invites_attendees(req, rest) {
        return Reply::error(&ApiError::forbidden_for_service_accounts());
    }
    let result = shared.with_user_store(&user, |store| calendar_api(store, req, rest));
    match result {
        Ok(reply) => reply,
        Err(error) => Reply::error(&error),
    }
}

fn calendar_api(
    store: &mut Store,
    req: &RecordedRequest,
    path: &[&str],
) -> Result<Reply, ApiError> {
    let param = |name: &str| req.param(name);
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
        ("GET", ["calendars", calendar, "events", event, "instances"]) => {
            let params = ListParams::parse(param)?;
            store.list_instances(calendar, event, &params)?
        }
        ("PATCH", ["calendars", calendar, "events", event]) => {
            let options = write_options(req)?;
            store.check_guest_patch(calendar, event, &body())?;
            store.patch_event(calendar, event, body(), &options)?
        }
        ("POST", ["freeBusy"]) => store.free_busy(&body())?,
        ("DELETE", ["calendars", calendar, "events", event]) => {
            write_options(req)?;
            store.delete_event(calendar, event)?;
            return Ok(Reply::no_content());
        }
        _ => return Err(ApiError::not_found()),
    };
    Ok(Reply::json(200, value))
}

type OAuthHandler = fn(&mut OAuth, &RecordedRequest) -> Reply;

/// What a live bearer token allows: its scopes, the user it acts as, and whether that user is
/// a service account acting as itself (no `sub`).
struct Grant {
    scope: String,
    user: String,
    service_account: bool,
}

fn grant(shared: &Shared, req: &RecordedRequest) -> Option<Grant> {
    let token = req
        .authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "))?;
    let oauth = lock(&shared.oauth);
    let (scope, user) = oauth.access_grant(token.trim())?;
    Some(Grant {
        scope: scope.to_string(),
        user: user.to_string(),
        service_account: oauth.is_service_account(user),
    })
}

/// An insert or patch whose body lists attendees. The events.insert reference: "Service
/// accounts need to use domain-wide delegation of authority to populate the attendee list";
/// without it Google answers 403 `forbiddenForServiceAccounts`.
fn invites_attendees(req: &RecordedRequest, path: &[&str]) -> bool {
    let write = matches!(
        (req.method.as_str(), path),
        ("POST", ["calendars", _, "events"]) | ("PATCH", ["calendars", _, "events", _])
    );
    write
        && req
            .body
            .as_ref()
            .and_then(|b| b.get("attendees"))
            .and_then(|a| a.as_array())
            .is_some_and(|a| !a.is_empty())
}

/// Any one of these `calendar.*` scopes allows the call, as the API reference lists them.
fn required_scopes(method: &str, path: &[&str]) -> &'static [&'static str] {
    match (method, path) {
        ("GET", ["users", "me", "calendarList", ..]) => &[
            "calendar",
            "calendar.readonly",
            "calendar.calendarlist",
            "calendar.calendarlist.readonly",
        ],
        ("POST", ["freeBusy"]) => &[
            "calendar",
            "calendar.readonly",
            "calendar.freebusy",
            "calendar.events.freebusy",
        ],
        ("GET", _) => &[
            "calendar",
            "calendar.readonly",
            "calendar.events",
            "calendar.events.readonly",
            "calendar.events.owned",
        ],
        _ => &["calendar", "calendar.events", "calendar.events.owned"],
    }
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
