//! A write request as data ([`Planned`]): what meetty would send, so `--dry-run` prints exactly
//! the request(s) a real run sends, and the writers build their requests once, here, and send
//! them with [`CalendarClient::send`].

use std::fmt;

use hyper::body::Bytes;
use hyper::header::IF_MATCH;
use hyper::Method;
use serde_json::{json, Value};

use super::client::CalendarClient;
use super::error::ApiError;

/// One request to Google Calendar, built but not sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub method: Method,
    /// The whole URL, query included.
    pub url: String,
    /// `If-Match`: the write only happens if the event still has this etag.
    pub if_match: Option<String>,
    /// The JSON body, for inserts and patches.
    pub body: Option<Value>,
}

impl Planned {
    /// The `--dry-run --json` form: `{"method", "url", "if_match", "body"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "method": self.method.as_str(),
            "url": self.url,
            "if_match": self.if_match,
            "body": self.body,
        })
    }
}

impl fmt::Display for Planned {
    /// The `--dry-run` form: the request line, the guard, and the body pretty-printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        if let Some(etag) = &self.if_match {
            writeln!(f, "If-Match: {etag}")?;
        }
        if let Some(body) = &self.body {
            let text = serde_json::to_string_pretty(body).map_err(|_| fmt::Error)?;
            writeln!(f, "{text}")?;
        }
        Ok(())
    }
}

impl CalendarClient {
    /// Sends a planned request under the retry policy; the answer's body.
    pub async fn send(&self, p: &Planned) -> Result<Bytes, ApiError> {
        let body = p.body.as_ref().map(Value::to_string);
        let guard: Vec<_> = p.if_match.iter().map(|e| (IF_MATCH, e.as_str())).collect();
        self.request(p.method.clone(), &p.url, body.as_deref(), &guard)
            .await
    }
}
