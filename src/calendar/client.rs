//! The Calendar API client: google-calendar3's hub, pointed at Google or at the sandbox.

use std::fmt;

use chrono::{DateTime, Utc};
use google_calendar3::api::Scope;
use google_calendar3::common::GetToken;
use google_calendar3::{CalendarHub, Error as HubError};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;

use super::model::{Agenda, CalendarInfo, Meeting};

pub type Connector = HttpsConnector<HttpConnector>;

/// Google's API root; the sandbox replaces it in demo mode and tests.
pub const GOOGLE_API_ROOT: &str = "https://www.googleapis.com/";

/// Partial response for listings: only what the UI draws (Google bills and ships less).
const EVENT_FIELDS: &str = "nextPageToken,nextSyncToken,items(id,status,summary,description,\
location,start,end,organizer(email,displayName,self),attendees(email,displayName,\
responseStatus,organizer,self,optional),hangoutLink,conferenceData(conferenceSolution,\
entryPoints,createRequest/status),recurringEventId,htmlLink)";
const CALENDAR_FIELDS: &str = "nextPageToken,items(id,summary,summaryOverride,backgroundColor,\
primary,selected,accessRole)";

/// What went wrong with a call, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: DNS, TCP, TLS, timeout. The user is offline or Google is unreachable.
    Network(String),
    /// Google answered with an error (`{"error":{"code","message","errors":[{"reason"}]}}`).
    Google {
        code: u16,
        reason: String,
        message: String,
    },
    /// Google answered something this client cannot read.
    Unexpected(String),
}

impl ApiError {
    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Network(_))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network(m) => write!(f, "cannot reach Google Calendar ({m})"),
            ApiError::Google {
                code,
                reason,
                message,
            } => write!(f, "Google Calendar said {code} {reason}: {message}"),
            ApiError::Unexpected(m) => write!(f, "unexpected answer from Google Calendar: {m}"),
        }
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::HttpError(e) => ApiError::Network(e.to_string()),
            HubError::Io(e) => ApiError::Network(e.to_string()),
            HubError::BadRequest(v) => google_error(&v),
            HubError::Failure(resp) => ApiError::Google {
                code: resp.status().as_u16(),
                reason: String::new(),
                message: resp.status().to_string(),
            },
            HubError::MissingToken(e) => ApiError::Google {
                code: 401,
                reason: "authError".into(),
                message: format!("no access token: {e}"),
            },
            other => ApiError::Unexpected(other.to_string()),
        }
    }
}

/// Reads Google's error JSON; the first `errors[].reason` is the machine-readable cause.
fn google_error(v: &serde_json::Value) -> ApiError {
    let err = &v["error"];
    ApiError::Google {
        code: err["code"].as_u64().unwrap_or(0) as u16,
        reason: err["errors"][0]["reason"]
            .as_str()
            .or(err["status"].as_str())
            .unwrap_or("")
            .to_string(),
        message: crate::sanitize::line(err["message"].as_str().unwrap_or("")),
    }
}

/// Which calendars the agenda merges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CalendarSelection {
    /// Those the user shows in Google Calendar (calendarList `selected`).
    #[default]
    SelectedInGoogle,
    /// Exactly these ids (config `calendars`); `primary` is allowed.
    Ids(Vec<String>),
}

#[derive(Clone)]
pub struct CalendarClient {
    hub: CalendarHub<Connector>,
}

impl CalendarClient {
    /// A client for the API at `api_root` (ending in `/`), authenticating with `auth`.
    pub fn new(api_root: &str, auth: impl GetToken + 'static) -> CalendarClient {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            // A host without a system CA store (a bare container) still reaches Google.
            .unwrap_or_else(|_| hyper_rustls::HttpsConnectorBuilder::new().with_webpki_roots())
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        let mut hub = CalendarHub::new(http, auth);
        let root = if api_root.ends_with('/') {
            api_root.to_string()
        } else {
            format!("{api_root}/")
        };
        hub.base_url(format!("{root}calendar/v3/"));
        hub.root_url(root);
        CalendarClient { hub }
    }

    /// The user's calendar list, all pages.
    pub async fn calendars(&self) -> Result<Vec<CalendarInfo>, ApiError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut call = self
                .hub
                .calendar_list()
                .list()
                .max_results(250)
                .param("fields", CALENDAR_FIELDS)
                .add_scope(Scope::CalendarlistReadonly);
            if let Some(p) = &page {
                call = call.page_token(p);
            }
            let (_, list) = call.doit().await?;
            out.extend(
                list.items
                    .iter()
                    .flatten()
                    .filter_map(CalendarInfo::from_entry),
            );
            match list.next_page_token {
                Some(p) => page = Some(p),
                None => return Ok(out),
            }
        }
    }

    /// Every event instance of one calendar overlapping `[from, to)`, recurring series
    /// expanded by Google (`singleEvents`), ordered by start, all pages.
    pub async fn events(
        &self,
        calendar_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Meeting>, ApiError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut call = self
                .hub
                .events()
                .list(&crate::percent::encode_segment(calendar_id))
                .single_events(true)
                .order_by("startTime")
                .time_min(from)
                .time_max(to)
                .max_results(2500)
                .param("fields", EVENT_FIELDS)
                .add_scope(Scope::Event);
            if let Some(p) = &page {
                call = call.page_token(p);
            }
            let (_, events) = call.doit().await?;
            out.extend(
                events
                    .items
                    .iter()
                    .flatten()
                    .filter_map(|e| Meeting::from_event(calendar_id, e)),
            );
            match events.next_page_token {
                Some(p) => page = Some(p),
                None => return Ok(out),
            }
        }
    }

    /// The merged agenda of the selected calendars for `[from, to)`; calendars are fetched
    /// concurrently.
    pub async fn agenda(
        &self,
        selection: &CalendarSelection,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Agenda, ApiError> {
        let calendars = self.calendars().await?;
        let ids: Vec<String> = match selection {
            CalendarSelection::SelectedInGoogle => calendars
                .iter()
                .filter(|c| c.selected)
                .map(|c| c.id.clone())
                .collect(),
            CalendarSelection::Ids(ids) => ids
                .iter()
                .map(|id| resolve_primary(id, &calendars))
                .collect(),
        };
        let fetches = ids.iter().map(|id| self.events(id, from, to));
        let mut meetings = Vec::new();
        for result in futures_util::future::join_all(fetches).await {
            meetings.extend(result?);
        }
        let account = calendars.iter().find(|c| c.primary).map(|c| c.id.clone());
        let mut agenda = Agenda {
            calendars,
            meetings,
            fetched_at: Utc::now(),
            account,
        };
        agenda.sort();
        Ok(agenda)
    }
}

/// `primary` in config means the primary calendar's real id, so colours and names match.
fn resolve_primary(id: &str, calendars: &[CalendarInfo]) -> String {
    if id == "primary" {
        if let Some(c) = calendars.iter().find(|c| c.primary) {
            return c.id.clone();
        }
    }
    id.to_string()
}
