//! HTTP plumbing: accept connections, record each request, apply faults, send replies.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::errors::ApiError;
#[cfg(feature = "test-controls")]
use super::faults::{self, Fault};
use super::fields::Selection;
use super::oauth::OAuth;
use super::routes;
use super::store::Store;

/// A request as the sandbox received it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    /// Percent-decoded path, e.g. `/calendar/v3/calendars/team@group.calendar.google.com/events`.
    pub path: String,
    /// Decoded query parameters in order (repeated names repeat).
    pub query: Vec<(String, String)>,
    /// JSON body, or the fields of a form-encoded body as a JSON object of strings.
    pub body: Option<Value>,
    pub authorization: Option<String>,
    /// Every header, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// When it arrived (before any injected latency), to check retry waits.
    pub received: Instant,
    /// The size of the response body once answered; `None` while pending or when the
    /// connection was dropped instead.
    pub response_bytes: Option<usize>,
    /// Arrival order, unique for the sandbox's lifetime.
    seq: u64,
}

/// How many requests [`Sandbox::start`](super::Sandbox::start) keeps: at a refresh a
/// minute, a `meetty --demo` fills it in about half a day, and then holds it steady.
pub const REQUEST_LOG: usize = 1000;

/// How many of the requests it received a sandbox keeps for
/// [`Sandbox::requests`](super::Sandbox::requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestLog {
    /// The last this many; older ones are forgotten as new ones arrive.
    Last(usize),
    /// Every one (tests that count requests over a long run).
    All,
}

/// The received requests, a ring of the last [`RequestLog::Last`] of them.
#[derive(Debug)]
pub(crate) struct Requests {
    kept: VecDeque<RecordedRequest>,
    limit: Option<usize>,
    next_seq: u64,
}

impl Requests {
    pub fn new(log: RequestLog) -> Requests {
        Requests {
            kept: VecDeque::new(),
            limit: match log {
                RequestLog::Last(n) => Some(n),
                RequestLog::All => None,
            },
            next_seq: 0,
        }
    }

    /// Numbers the request and keeps it, forgetting the oldest when full.
    fn record(&mut self, mut request: RecordedRequest) -> RecordedRequest {
        request.seq = self.next_seq;
        self.next_seq += 1;
        if self.limit == Some(0) {
            return request;
        }
        if self.limit.is_some_and(|limit| self.kept.len() >= limit) {
            self.kept.pop_front();
        }
        self.kept.push_back(request.clone());
        request
    }

    fn answered(&mut self, seq: u64, response_bytes: Option<usize>) {
        if let Some(r) = self.kept.iter_mut().rev().find(|r| r.seq == seq) {
            r.response_bytes = response_bytes;
        }
    }

    pub fn all(&self) -> Vec<RecordedRequest> {
        self.kept.iter().cloned().collect()
    }

    #[cfg(feature = "test-controls")]
    pub fn clear(&mut self) {
        self.kept.clear();
    }
}

impl RecordedRequest {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the handlers produce; turned into an HTTP response here.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub retry_after: Option<u64>,
    /// A page for a person rather than a program (the OAuth consent flow's error pages).
    pub html: Option<String>,
    /// Where a `302 Found` sends the browser.
    pub location: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            body: Some(body),
            ..Self::empty(status)
        }
    }

    pub fn no_content() -> Self {
        Self::empty(204)
    }

    pub fn html(status: u16, page: String) -> Self {
        Reply {
            html: Some(page),
            ..Self::empty(status)
        }
    }

    pub fn redirect(location: String) -> Self {
        Reply {
            location: Some(location),
            ..Self::empty(302)
        }
    }

    fn empty(status: u16) -> Self {
        Reply {
            status,
            body: None,
            retry_after: None,
            html: None,
            location: None,
        }
    }

    pub fn error(error: &ApiError) -> Self {
        Self::json(error.code, error.to_json())
    }
}

/// Everything the connection tasks and the [`Sandbox`](super::Sandbox) handle share.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The seeded account's calendars.
    pub store: Mutex<Store>,
    /// Every other user's, by lower-cased e-mail (see `users.rs`).
    pub users: Mutex<HashMap<String, Store>>,
    pub oauth: Mutex<OAuth>,
    #[cfg(feature = "test-controls")]
    pub faults: Mutex<Vec<Fault>>,
    pub requests: Mutex<Requests>,
}

/// A panicking test must not wedge every later request on a poisoned lock.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Why hyper closes a connection without answering: only an injected fault makes it.
#[cfg(feature = "test-controls")]
type Unanswered = faults::DropConnection;
#[cfg(not(feature = "test-controls"))]
type Unanswered = std::convert::Infallible;

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    // Owning the connection tasks here means aborting this task aborts them all.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Unanswered> {
    let (parts, body) = req.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let raw_path = parts.uri.path().to_string();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let is_form = headers
        .iter()
        .any(|(k, v)| k == "content-type" && v.starts_with("application/x-www-form-urlencoded"));
    let (body, body_error) = parse_body(&bytes, is_form);
    let request = RecordedRequest {
        method: parts.method.as_str().to_string(),
        path: crate::percent::decode(&raw_path),
        query,
        body,
        authorization: parts
            .headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        headers,
        received: Instant::now(),
        response_bytes: None,
        seq: 0,
    };
    let request = lock(&shared.requests).record(request);
    let reply = answer(&shared, &request, &raw_path, body_error).await?;
    let response = to_response(reply, request.param("prettyPrint") != Some("false"));
    let size = hyper::body::Body::size_hint(response.body()).exact();
    lock(&shared.requests).answered(request.seq, size.map(|n| n as usize));
    Ok(response)
}

/// The reply, or an injected fault's instead.
async fn answer(
    shared: &Shared,
    request: &RecordedRequest,
    raw_path: &str,
    body_error: bool,
) -> Result<Reply, Unanswered> {
    let dispatch = || dispatch(shared, request, raw_path, body_error);
    #[cfg(feature = "test-controls")]
    {
        let fault =
            faults::take_matching(&mut lock(&shared.faults), &request.method, &request.path);
        if let Some(fault) = fault {
            return faults::answer(fault, dispatch).await;
        }
    }
    Ok(dispatch())
}

fn dispatch(shared: &Shared, request: &RecordedRequest, raw_path: &str, body_error: bool) -> Reply {
    if body_error {
        return Reply::error(&ApiError::new(400, "parseError", "Parse Error"));
    }
    let segments: Vec<String> = raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(crate::percent::decode)
        .collect();
    lock(&shared.store).settle_due_conferences(Instant::now());
    let reply = routes::route(shared, request, &segments);
    match (request.param("fields"), &reply.body) {
        (Some(fields), Some(body)) if reply.status == 200 => match Selection::parse(fields) {
            Ok(selection) => Reply::json(200, selection.apply(body)),
            Err(error) => Reply::error(&error),
        },
        _ => reply,
    }
}

/// `(body, unparseable)`: forms become a JSON object of their fields.
fn parse_body(bytes: &[u8], is_form: bool) -> (Option<Value>, bool) {
    if bytes.is_empty() {
        return (None, false);
    }
    if is_form {
        let fields: serde_json::Map<String, Value> = url::form_urlencoded::parse(bytes)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        return (Some(Value::Object(fields)), false);
    }
    match serde_json::from_slice(bytes) {
        Ok(v) => (Some(v), false),
        Err(_) => (None, true),
    }
}

fn to_response(reply: Reply, pretty: bool) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    if let Some(secs) = reply.retry_after {
        builder = builder.header("Retry-After", secs.to_string());
    }
    if reply.status == 401 {
        builder = builder.header(
            "WWW-Authenticate",
            "Bearer realm=\"https://accounts.google.com/\"",
        );
    }
    if let Some(location) = &reply.location {
        builder = builder.header("Location", location);
    }
    let body = match &reply.body {
        None => match reply.html {
            Some(page) => {
                builder = builder.header("Content-Type", "text/html; charset=utf-8");
                Bytes::from(page)
            }
            None => Bytes::new(),
        },
        Some(v) => {
            builder = builder.header("Content-Type", "application/json; charset=UTF-8");
            let text = if pretty {
                serde_json::to_vec_pretty(v)
            } else {
                serde_json::to_vec(v)
            };
            Bytes::from(text.unwrap_or_default())
        }
    };
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
