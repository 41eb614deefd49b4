//! The Calendar API client, pointed at Google or at the sandbox.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use google_calendar3::api::CalendarList;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderName, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use hyper::Method;

use super::error::ApiError;
use super::model::CalendarInfo;
use super::retry::{parse_retry_after, OnRetry, Policy};

use crate::http::Connector;

/// Google's API root; the sandbox replaces it in demo mode and tests.
pub const GOOGLE_API_ROOT: &str = "https://www.googleapis.com/";

const CALENDAR_FIELDS: &str = "nextPageToken,items(id,summary,summaryOverride,backgroundColor,\
primary,selected,accessRole,conferenceProperties/allowedConferenceSolutionTypes)";

/// Which calendars the agenda merges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CalendarSelection {
    /// Those the user shows in Google Calendar (calendarList `selected`).
    #[default]
    SelectedInGoogle,
    /// Exactly these ids (config `calendars`); `primary` is allowed.
    Ids(Vec<String>),
}

/// A failed try: what went wrong, and how long Google asked to wait (`Retry-After`).
type Failure = (ApiError, Option<Duration>);

pub type AuthFuture<'a> = Pin<Box<dyn Future<Output = Result<String, ApiError>> + Send + 'a>>;

/// Where access tokens come from: a signed-in session, or a fixed token (sandbox, tests).
pub trait Auth: Send + Sync {
    fn token(&self) -> AuthFuture<'_>;
    /// A token to use instead of `rejected`, which Google refused (401): a fresh one, or the
    /// one that already replaced it (requests in parallel share one refresh).
    fn refresh<'a>(&'a self, rejected: &'a str) -> AuthFuture<'a>;
}

/// A fixed access token: the sandbox's, or `MEETTY_ACCESS_TOKEN`. Refreshing returns it
/// unchanged, so a 401 surfaces after one retry.
impl Auth for String {
    fn token(&self) -> AuthFuture<'_> {
        Box::pin(async move { Ok(self.clone()) })
    }

    fn refresh<'a>(&'a self, _rejected: &'a str) -> AuthFuture<'a> {
        self.token()
    }
}

/// How long the client waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// For one HTTP exchange, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// For Google to finish a Meet link it reported `pending`.
    pub conference_wait: Duration,
    /// When and how often a failed call is tried again.
    pub retry: Policy,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(30),
            conference_wait: Duration::from_secs(20),
            retry: Policy::default(),
        }
    }
}

type Http = hyper_util::client::legacy::Client<Connector, Full<Bytes>>;

/// Requests are built here rather than through google-calendar3's hub: the hub cannot send a
/// `null` field or an `If-Match` header, hides `Retry-After`, and owns every field of every
/// listed event (see `wire.rs`); its resource types are still what calendar lists parse into.
#[derive(Clone)]
pub struct CalendarClient {
    http: Http,
    auth: Arc<dyn Auth>,
    /// `{root}calendar/v3/`.
    base_url: String,
    pub(super) limits: Limits,
    on_retry: Option<OnRetry>,
}

impl CalendarClient {
    /// A client for the API at `api_root` (ending in `/`), authenticating with `auth`.
    pub fn new(api_root: &str, auth: impl Auth + 'static) -> CalendarClient {
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(crate::http::connector());
        let root = api_root.trim_end_matches('/');
        CalendarClient {
            http,
            auth: Arc::new(auth),
            base_url: format!("{root}/calendar/v3/"),
            limits: Limits::default(),
            on_retry: None,
        }
    }

    /// The same client with other waiting limits (tests shorten them).
    pub fn with_limits(mut self, limits: Limits) -> CalendarClient {
        self.limits = limits;
        self
    }

    /// The same client, telling `on_retry` before each wait to retry (the status bar).
    pub fn observed(&self, on_retry: OnRetry) -> CalendarClient {
        CalendarClient {
            on_retry: Some(on_retry),
            ..self.clone()
        }
    }

    /// The user's calendar list, all pages.
    pub async fn calendars(&self) -> Result<Vec<CalendarInfo>, ApiError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut params = vec![("maxResults", "250"), ("fields", CALENDAR_FIELDS)];
            if let Some(p) = &page {
                params.push(("pageToken", p));
            }
            let url = self.url("users/me/calendarList", &params)?;
            let list: CalendarList = serde_json::from_slice(&self.get(&url).await?)
                .map_err(|e| ApiError::Unexpected(format!("calendarList.list: {e}")))?;
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

    /// A GET under the retry policy.
    pub(super) async fn get(&self, url: &str) -> Result<Bytes, ApiError> {
        self.request(Method::GET, url, None, &[]).await
    }

    /// A request with a JSON `body`, under the retry policy (see `retry.rs` for why every
    /// request meetty sends is safe to repeat).
    pub(super) async fn request(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        headers: &[(HeaderName, &str)],
    ) -> Result<Bytes, ApiError> {
        self.limits
            .retry
            .run(self.on_retry.as_ref(), || {
                self.attempt(method.clone(), url, body, headers)
            })
            .await
    }

    /// One try; a 401 (the access token expired early or was revoked) gets a fresh token
    /// and one more exchange.
    async fn attempt(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        headers: &[(HeaderName, &str)],
    ) -> Result<Bytes, Failure> {
        let mut sent = String::new();
        match self
            .exchange(method.clone(), url, body, headers, None, &mut sent)
            .await
        {
            Err((ApiError::Google { code: 401, .. }, _)) => {
                log::info!("Google answered 401: refreshing the access token, retrying once");
                let rejected = std::mem::take(&mut sent);
                self.exchange(method, url, body, headers, Some(&rejected), &mut sent)
                    .await
            }
            other => other,
        }
    }

    /// A token (token endpoint failures are retried like any other call's), then the
    /// exchange, both within the request timeout: a hung token refresh is no answer too.
    /// `rejected`: the token Google refused, to be replaced; `sent` is set to the one used.
    async fn exchange(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        headers: &[(HeaderName, &str)],
        rejected: Option<&str>,
        sent: &mut String,
    ) -> Result<Bytes, Failure> {
        let exchange = async {
            let token = match rejected {
                Some(rejected) => self.auth.refresh(rejected).await,
                None => self.auth.token().await,
            };
            *sent = token.map_err(|e| (e, None))?;
            self.request_once(method, url, body, headers, sent).await
        };
        match tokio::time::timeout(self.limits.request_timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err((
                ApiError::Network(format!(
                    "timed out after {} s waiting for an answer",
                    self.limits.request_timeout.as_secs_f32()
                )),
                None,
            )),
        }
    }

    async fn request_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        headers: &[(HeaderName, &str)],
        token: &str,
    ) -> Result<Bytes, Failure> {
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
        let body = Full::new(Bytes::from(body.unwrap_or_default().to_owned()));
        let req = req
            .body(body)
            .map_err(|e| (ApiError::Unexpected(e.to_string()), None))?;
        let no_answer = |e: &dyn fmt::Display| (ApiError::Network(e.to_string()), None);
        let resp = self.http.request(req).await.map_err(|e| no_answer(&e))?;
        let status = resp.status();
        let retry_after = parse_retry_after(
            resp.headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
        );
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| no_answer(&e))?
            .to_bytes();
        if status.is_success() {
            return Ok(body);
        }
        let error = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(v) if v.get("error").is_some() => ApiError::from_google(&v),
            _ => ApiError::Google {
                code: status.as_u16(),
                reason: String::new(),
                message: status.to_string(),
            },
        };
        Err((error, retry_after))
    }

    /// `{base}calendars/{calendar}/events[/{event}]?{params}`, ids percent-encoded.
    pub(super) fn events_url(
        &self,
        calendar_id: &str,
        event_id: Option<&str>,
        params: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let mut path = format!(
            "calendars/{}/events",
            crate::percent::encode_segment(calendar_id)
        );
        if let Some(id) = event_id {
            path = format!("{path}/{}", crate::percent::encode_segment(id));
        }
        self.url(&path, params)
    }

    /// `{base}{path}?{params}`; `path` is already percent-encoded. Google indents its JSON
    /// unless told not to (`prettyPrint` defaults to true), which costs bytes for nothing.
    pub(super) fn url(&self, path: &str, params: &[(&str, &str)]) -> Result<String, ApiError> {
        let mut url = url::Url::parse(&format!("{}{path}", self.base_url))
            .map_err(|e| ApiError::Unexpected(e.to_string()))?;
        url.query_pairs_mut()
            .extend_pairs(params)
            .append_pair("prettyPrint", "false");
        Ok(url.into())
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
