//! The Calendar API client: google-calendar3's hub, pointed at Google or at the sandbox.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use google_calendar3::api::Scope;
use google_calendar3::common::{self, GetToken};
use google_calendar3::{CalendarHub, Error as HubError};
use http_body_util::BodyExt;
use hyper::body::Bytes;
use hyper::header::{HeaderName, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper::Method;

use super::model::{Agenda, CalendarInfo, Meeting};
use super::wire::{EventPage, EVENT_PAGE_FIELDS};

use crate::http::Connector;

/// Google's API root; the sandbox replaces it in demo mode and tests.
pub const GOOGLE_API_ROOT: &str = "https://www.googleapis.com/";

const CALENDAR_FIELDS: &str = "nextPageToken,items(id,summary,summaryOverride,backgroundColor,\
primary,selected,accessRole,conferenceProperties/allowedConferenceSolutionTypes)";

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
    /// The stored sign-in cannot produce tokens any more (`invalid_grant`, or none stored):
    /// only signing in again helps.
    SignIn(String),
    /// Something on this machine is in the way (a locked keyring, an unreadable token
    /// file); the message names the fix.
    Local(String),
    /// Not sent: the request cannot do what was asked (declining a meeting the user is no
    /// guest of); the message says why.
    Refused(String),
}

impl std::error::Error for ApiError {}

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
            ApiError::SignIn(m) => write!(f, "sign-in needed: {m}"),
            ApiError::Local(m) | ApiError::Refused(m) => f.write_str(m),
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
            HubError::MissingToken(e) => match e.downcast::<ApiError>() {
                Ok(api) => *api,
                Err(e) => ApiError::SignIn(e.to_string()),
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

pub type AuthFuture<'a> = Pin<Box<dyn Future<Output = Result<String, ApiError>> + Send + 'a>>;

/// Where access tokens come from: a signed-in session, or a fixed token (sandbox, tests).
pub trait Auth: Send + Sync {
    fn token(&self) -> AuthFuture<'_>;
    /// A fresh token even if the current one looks valid: Google said 401.
    fn refresh(&self) -> AuthFuture<'_>;
}

/// A fixed access token: the sandbox's, or `MEETTY_ACCESS_TOKEN`. Refreshing returns it
/// unchanged, so a 401 surfaces after one retry.
impl Auth for String {
    fn token(&self) -> AuthFuture<'_> {
        Box::pin(async move { Ok(self.clone()) })
    }

    fn refresh(&self) -> AuthFuture<'_> {
        self.token()
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// google-calendar3's view of the same token source.
#[derive(Clone)]
struct HubAuth(Arc<dyn Auth>);

impl GetToken for HubAuth {
    #[allow(clippy::type_complexity)] // the trait's own (private) output type, spelled out
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&str],
    ) -> Pin<Box<dyn Future<Output = Result<Option<String>, BoxError>> + Send + 'a>> {
        Box::pin(async move {
            let token = self.0.token().await.map_err(|e| Box::new(e) as BoxError)?;
            Ok(Some(token))
        })
    }
}

/// How long the client waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// For one HTTP exchange, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// For Google to finish a Meet link it reported `pending`.
    pub conference_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(30),
            conference_wait: Duration::from_secs(20),
        }
    }
}

#[derive(Clone)]
pub struct CalendarClient {
    hub: CalendarHub<Connector>,
    auth: Arc<dyn Auth>,
    /// `{root}calendar/v3/`, for the requests meetty builds itself.
    base_url: String,
    pub(super) limits: Limits,
}

impl CalendarClient {
    /// A client for the API at `api_root` (ending in `/`), authenticating with `auth`.
    pub fn new(api_root: &str, auth: impl Auth + 'static) -> CalendarClient {
        let auth: Arc<dyn Auth> = Arc::new(auth);
        let connector = crate::http::connector();
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        let mut hub = CalendarHub::new(http, HubAuth(Arc::clone(&auth)));
        let root = if api_root.ends_with('/') {
            api_root.to_string()
        } else {
            format!("{api_root}/")
        };
        let base_url = format!("{root}calendar/v3/");
        hub.base_url(base_url.clone());
        hub.root_url(root);
        CalendarClient {
            hub,
            auth,
            base_url,
            limits: Limits::default(),
        }
    }

    /// The same client with other waiting limits (tests shorten them).
    pub fn with_limits(mut self, limits: Limits) -> CalendarClient {
        self.limits = limits;
        self
    }

    /// The user's calendar list, all pages.
    pub async fn calendars(&self) -> Result<Vec<CalendarInfo>, ApiError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let list = self
                .with_fresh_token(|| async {
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
                    Ok(call.doit().await?.1)
                })
                .await?;
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
        let (min, max) = (
            from.to_rfc3339_opts(SecondsFormat::Secs, true),
            to.to_rfc3339_opts(SecondsFormat::Secs, true),
        );
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut params = vec![
                ("singleEvents", "true"),
                ("orderBy", "startTime"),
                ("timeMin", min.as_str()),
                ("timeMax", max.as_str()),
                ("maxResults", "2500"),
                ("fields", EVENT_PAGE_FIELDS),
            ];
            if let Some(p) = &page {
                params.push(("pageToken", p));
            }
            let url = self.events_url(calendar_id, None, &params)?;
            let body = self.get(&url).await?;
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

    /// A GET through the hub's own HTTP client and token source, for responses meetty parses
    /// itself (see `wire.rs` for why).
    pub(super) async fn get(&self, url: &str) -> Result<Bytes, ApiError> {
        self.request(Method::GET, url, None, &[]).await
    }

    /// A request meetty builds itself (google-calendar3 cannot send a `null` field or an
    /// `If-Match` header), with a JSON `body`. A 401 gets one token refresh and one retry.
    pub(super) async fn request(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        headers: &[(HeaderName, &str)],
    ) -> Result<Bytes, ApiError> {
        self.with_fresh_token(|| async {
            let token = self.auth.token().await?;
            let exchange = self.request_once(method.clone(), url, body, headers, &token);
            match tokio::time::timeout(self.limits.request_timeout, exchange).await {
                Ok(result) => result,
                Err(_) => Err(ApiError::Network(format!(
                    "timed out after {} s waiting for an answer",
                    self.limits.request_timeout.as_secs_f32()
                ))),
            }
        })
        .await
    }

    /// Runs `call`; on 401 (the access token expired early or was revoked) refreshes the
    /// token once and runs it once more.
    async fn with_fresh_token<T, F, Fut>(&self, call: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        match call().await {
            Err(ApiError::Google { code: 401, .. }) => {
                log::info!("Google answered 401: refreshing the access token, retrying once");
                self.auth.refresh().await?;
                call().await
            }
            other => other,
        }
    }

    async fn request_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        headers: &[(HeaderName, &str)],
        token: &str,
    ) -> Result<Bytes, ApiError> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(url)
            .header(USER_AGENT, concat!("meetty/", env!("CARGO_PKG_VERSION")))
            .header(AUTHORIZATION, format!("Bearer {token}"));
        if body.is_some() {
            req = req.header(CONTENT_TYPE, "application/json");
        }
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        let req = req
            .body(common::to_body(body.map(str::to_string)))
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

    /// `{base}calendars/{calendar}/events[/{event}]?{params}`, ids percent-encoded.
    pub(super) fn events_url(
        &self,
        calendar_id: &str,
        event_id: Option<&str>,
        params: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let mut path = format!(
            "{}calendars/{}/events",
            self.base_url,
            crate::percent::encode_segment(calendar_id)
        );
        if let Some(id) = event_id {
            path = format!("{path}/{}", crate::percent::encode_segment(id));
        }
        let mut url = url::Url::parse(&path).map_err(|e| ApiError::Unexpected(e.to_string()))?;
        if !params.is_empty() {
            url.query_pairs_mut().extend_pairs(params);
        }
        Ok(url.into())
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
        let mut agenda = Agenda {
            calendars,
            meetings,
            fetched_at: Utc::now(),
        };
        agenda.sort();
        Ok(agenda)
    }
}

/// `primary` in config means the primary calendar's real id, so colours and names match.
pub fn resolve_primary(id: &str, calendars: &[CalendarInfo]) -> String {
    if id == "primary" {
        if let Some(c) = calendars.iter().find(|c| c.primary) {
            return c.id.clone();
        }
    }
    id.to_string()
}
