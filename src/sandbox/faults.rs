//! Injected failures: the ways Google and the network misbehave that a client must survive.
//!
//! ```
//! use meetty::sandbox::Fault;
//! let f = Fault::status(503).retry_after(2).on("GET", "/events").times(2);
//! # let _ = f;
//! ```

use std::time::Duration;

use super::errors::ApiError;
use super::server::Reply;

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this error (Google's JSON) instead of handling the request.
    Status {
        error: ApiError,
        retry_after: Option<u64>,
    },
    /// Wait, then handle the request normally.
    Latency(Duration),
    /// Close the connection without any response; the request has no effect.
    DropConnection,
    /// Handle the request (a write takes effect), then close without a response.
    DropAfterApply,
}

/// A fault applies to the next `times` requests whose method and decoded path match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// `None` matches every method.
    pub method: Option<String>,
    /// Substring of the decoded path; `None` matches every path.
    pub path_contains: Option<String>,
    pub times: u32,
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            method: None,
            path_contains: None,
            times: 1,
        }
    }

    /// An error response with Google's usual reason for `code` (429 and 403 →
    /// `rateLimitExceeded`, 5xx → `backendError`, 410 → `fullSyncRequired`, ...).
    pub fn status(code: u16) -> Self {
        Self::new(FaultKind::Status {
            error: ApiError::for_status(code),
            retry_after: None,
        })
    }

    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultKind::Latency(delay))
    }

    pub fn drop_connection() -> Self {
        Self::new(FaultKind::DropConnection)
    }

    pub fn drop_after_apply() -> Self {
        Self::new(FaultKind::DropAfterApply)
    }

    /// Override the `errors[0].reason` (and its message) of a status fault,
    /// e.g. `Fault::status(403).reason("userRateLimitExceeded")`.
    pub fn reason(mut self, reason: &str) -> Self {
        if let FaultKind::Status { error, .. } = &mut self.kind {
            let code = error.code;
            *error = ApiError::new(code, reason, reason_message(reason, &error.message));
        }
        self
    }

    /// Add a `Retry-After: secs` header to a status fault.
    pub fn retry_after(mut self, secs: u64) -> Self {
        if let FaultKind::Status { retry_after, .. } = &mut self.kind {
            *retry_after = Some(secs);
        }
        self
    }

    /// Only requests with this method (case-insensitive) and a decoded path containing `path`.
    pub fn on(mut self, method: &str, path: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self.path_contains = Some(path.to_string());
        self
    }

    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

fn reason_message(reason: &str, fallback: &str) -> String {
    match reason {
        "rateLimitExceeded" => "Rate Limit Exceeded",
        "userRateLimitExceeded" => "User Rate Limit Exceeded",
        "quotaExceeded" => "Calendar usage limits exceeded.",
        "backendError" => "Backend Error",
        "fullSyncRequired" => "Sync token is no longer valid, a full sync is required.",
        "notFound" => "Not Found",
        _ => fallback,
    }
    .to_string()
}

/// Takes the first pending fault matching the request, consuming one of its uses.
pub(crate) fn take_matching(
    faults: &mut Vec<Fault>,
    method: &str,
    path: &str,
) -> Option<FaultKind> {
    let index = faults.iter().position(|f| f.matches(method, path))?;
    let fault = &mut faults[index];
    fault.times -= 1;
    let kind = fault.kind.clone();
    if fault.times == 0 {
        faults.remove(index);
    }
    Some(kind)
}

/// Returned to hyper to make it close the connection without writing a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

/// What a request that `kind` matched gets; `handle` answers it as if nothing were wrong.
pub(crate) async fn answer(
    kind: FaultKind,
    handle: impl FnOnce() -> Reply,
) -> Result<Reply, DropConnection> {
    match kind {
        FaultKind::DropConnection => Err(DropConnection),
        FaultKind::Status { error, retry_after } => Ok(Reply {
            retry_after,
            ..Reply::error(&error)
        }),
        FaultKind::Latency(delay) => {
            tokio::time::sleep(delay).await;
            Ok(handle())
        }
        FaultKind::DropAfterApply => {
            handle();
            Err(DropConnection)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_consume_themselves_and_match_method_and_path() {
        let mut faults = vec![Fault::status(503).on("get", "/events").times(2)];
        assert!(take_matching(&mut faults, "POST", "/calendar/v3/calendars/x/events").is_none());
        assert!(take_matching(&mut faults, "GET", "/calendar/v3/users/me/calendarList").is_none());
        assert!(take_matching(&mut faults, "GET", "/calendar/v3/calendars/x/events").is_some());
        assert!(take_matching(&mut faults, "GET", "/calendar/v3/calendars/x/events").is_some());
        assert!(take_matching(&mut faults, "GET", "/calendar/v3/calendars/x/events").is_none());
        assert!(faults.is_empty());
    }

    #[test]
    fn reason_override_keeps_code() {
        let f = Fault::status(403)
            .reason("userRateLimitExceeded")
            .retry_after(3);
        let FaultKind::Status { error, retry_after } = f.kind else {
            panic!("status fault expected")
        };
        assert_eq!(
            (error.code, error.reason.as_str()),
            (403, "userRateLimitExceeded")
        );
        assert_eq!(error.domain, "usageLimits");
        assert_eq!(retry_after, Some(3));
    }
}
