//! The Calendar API client: google-calendar3's hub, pointed at Google or at the sandbox.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use google_calendar3::api::Scope;
use google_calendar3::common::{self, GetToken};
use google_calendar3::{CalendarHub, Error as HubError};
use http_body_util::BodyExt;
use hyper::header::{AUTHORIZATION, USER_AGENT};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;

use super::model::{Agenda, CalendarInfo, Meeting};
use super::wire::{EventPage, EVENT_PAGE_FIELDS};

pub type Connector = HttpsConnector<HttpConnector>;

/// Google's API root; the sandbox replaces it in demo mode and tests.
pub const GOOGLE_API_ROOT: &str = "https://www.googleapis.com/";

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
    /// `{root}calendar/v3/`, for the requests meetty builds itself.
    base_url: String,
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
        let base_url = format!("{root}calendar/v3/");
        hub.base_url(base_url.clone());
        hub.root_url(root);
        CalendarClient { hub, base_url }
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
        let path = format!(
            "{}calendars/{}/events",
            self.base_url,
            crate::percent::encode_segment(calendar_id)
        );
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut url =
                url::Url::parse(&path).map_err(|e| ApiError::Unexpected(e.to_string()))?;
            url.query_pairs_mut()
                .append_pair("singleEvents", "true")
                .append_pair("orderBy", "startTime")
                .append_pair("timeMin", &from.to_rfc3339_opts(SecondsFormat::Secs, true))
                .append_pair("timeMax", &to.to_rfc3339_opts(SecondsFormat::Secs, true))
                .append_pair("maxResults", "2500")
                .append_pair("fields", EVENT_PAGE_FIELDS);
            if let Some(p) = &page {
                url.query_pairs_mut().append_pair("pageToken", p);
            }
            let body = self.get(url.as_str(), Scope::Event).await?;
            // Validating UTF-8 once up front is faster than serde_json doing it per string.
            let text = std::str::from_utf8(&body)
                .map_err(|e| ApiError::Unexpected(format!("events.list: {e}")))?;
            let events: EventPage = serde_json::from_str(text)
                .map_err(|e| ApiError::Unexpected(format!("events.list: {e}")))?;
            out.extend(
                events
                    .items
                    .iter()
                    .filter_map(|e| Meeting::from_event(calendar_id, e)),
            );
            match events.next_page_token {
                Some(p) => page = Some(p.into_owned()),
                None => return Ok(out),
            }
        }
    }

    /// A GET through the hub's own HTTP client and authenticator, for responses meetty
    /// parses itself (see `wire.rs` for why).
    async fn get(&self, url: &str, scope: Scope) -> Result<hyper::body::Bytes, ApiError> {
        let scope: &str = scope.as_ref();
        let token = self
            .hub
            .auth
            .get_token(&[scope])
            .await
            .map_err(|e| ApiError::Google {
                code: 401,
                reason: "authError".into(),
                message: format!("no access token: {e}"),
            })?;
        let mut req = hyper::Request::get(url)
            .header(USER_AGENT, concat!("meetty/", env!("CARGO_PKG_VERSION")));
        if let Some(token) = token {
            req = req.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = req
            .body(common::to_body::<String>(None))
            .map_err(|e| ApiError::Unexpected(e.to_string()))?;
        let resp = self
            .hub
            .client
            .request(req)
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?
            .to_bytes();
        if status.is_success() {
            return Ok(body);
        }
        Err(match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(v) if v.get("error").is_some() => google_error(&v),
            _ => ApiError::Google {
                code: status.as_u16(),
                reason: String::new(),
                message: status.to_string(),
            },
        })
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
