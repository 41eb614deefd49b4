//! Injected failures: the ways Google and the network misbehave that a client must survive.
//!
//! ```
//! use meetty::sandbox::Fault;
//! let f = Fault::status(503).retry_after(2).on("GET", "/events").times(2);
//! // A share of the traffic, until cleared: the 10th, 30th, 50th… insert answers 503, and
//! // the 20th, 40th, 60th… is applied and then its connection dropped (10% in all).
//! let failing = Fault::status(503).on("POST", "/events").every(20).starting_at(10);
//! let dropped = Fault::drop_after_apply().on("POST", "/events").every(20);
//! # let _ = (f, failing, dropped);
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

/// A fault applies to the next `times` requests whose method and decoded path match, or,
/// with [`Fault::every`], to a deterministic share of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// `None` matches every method.
    pub method: Option<String>,
    /// Substring of the decoded path; `None` matches every path.
    pub path_contains: Option<String>,
    /// How many more requests it applies to.
    pub times: u32,
    /// It applies to every `every`-th matching request (1: each one)…
    pub every: u32,
    /// …starting with the `first`-th (1-based).
    pub first: u32,
    /// Matching requests seen so far, whether this fault or an earlier one took them.
    seen: u32,
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            method: None,
            path_contains: None,
            times: 1,
            every: 1,
            first: 1,
            seen: 0,
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

    /// Apply to every `n`-th matching request (the `n`-th, `2n`-th, …; see
    /// [`Fault::starting_at`]) until the faults are cleared (`Sandbox::clear_faults`), so a
    /// share of the traffic fails: `every(10)` is 10%. The count is the fault's own and
    /// includes requests that an earlier fault took, so faults with the same `n` and
    /// different starts take disjoint requests. A later [`Fault::times`] bounds the uses.
    pub fn every(mut self, n: u32) -> Self {
        assert!(n > 0, "Fault::every(0) would never apply");
        self.every = n;
        self.first = n;
        self.times = u32::MAX;
        self
    }

    /// The first matching request an [`every`](Fault::every) fault applies to (1-based);
    /// later ones follow every `n`.
    pub fn starting_at(mut self, first: u32) -> Self {
        assert!(first > 0, "requests are counted from 1");
        self.first = first;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }

    /// Whether the request just counted in `seen` is one this fault takes.
    fn due(&self) -> bool {
        self.seen >= self.first && (self.seen - self.first).is_multiple_of(self.every)
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

/// Counts the request in every fault it matches, then takes the first of those whose turn
/// it is, consuming one of its uses.
pub(crate) fn take_matching(
    faults: &mut Vec<Fault>,
    method: &str,
    path: &str,
) -> Option<FaultKind> {
    let mut taken = None;
    for (index, fault) in faults.iter_mut().enumerate() {
        if fault.matches(method, path) {
            fault.seen = fault.seen.saturating_add(1);
            if taken.is_none() && fault.due() {
                taken = Some(index);
            }
        }
    }
    let index = taken?;
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

    /// Which of `n` matching requests each fault takes: `Some(i)` for the i-th fault.
    fn takers(faults: &mut Vec<Fault>, n: usize) -> Vec<Option<usize>> {
        let kinds: Vec<FaultKind> = faults.iter().map(|f| f.kind.clone()).collect();
        (0..n)
            .map(|_| {
                take_matching(faults, "POST", "/calendar/v3/calendars/x/events")
                    .map(|k| kinds.iter().position(|kind| *kind == k).unwrap())
            })
            .collect()
    }

    #[test]
    fn every_takes_a_share_that_stays_until_cleared() {
        let mut faults = vec![Fault::status(503).on("POST", "/events").every(4)];
        let taken = takers(&mut faults, 12);
        let at: Vec<usize> = (0..12)
            .filter(|&i| taken[i].is_some())
            .map(|i| i + 1)
            .collect();
        assert_eq!(at, [4, 8, 12]);
        assert_eq!(faults.len(), 1, "an `every` fault stays");
        assert!(take_matching(&mut faults, "GET", "/calendar/v3/calendars/x/events").is_none());
    }

    #[test]
    fn every_with_starts_splits_the_traffic_into_disjoint_shares() {
        let mut faults = vec![
            Fault::status(503)
                .on("POST", "/events")
                .every(10)
                .starting_at(5),
            Fault::drop_after_apply().on("POST", "/events").every(10),
        ];
        let taken = takers(&mut faults, 40);
        let of = |which| -> Vec<usize> {
            (0..40)
                .filter(|&i| taken[i] == Some(which))
                .map(|i| i + 1)
                .collect()
        };
        assert_eq!(of(0), [5, 15, 25, 35]);
        assert_eq!(of(1), [10, 20, 30, 40]);
    }

    #[test]
    fn a_next_n_fault_before_an_every_fault_still_counts_for_it() {
        let mut faults = vec![
            Fault::latency(Duration::from_millis(1))
                .on("POST", "/events")
                .times(2),
            Fault::status(503).on("POST", "/events").every(3),
            Fault::status(500).on("POST", "/events").every(3).times(1),
        ];
        let taken = takers(&mut faults, 9);
        // 1, 2: the latency fault; 3: the 503; 6: the 503 (the 500 was due at 3 and 6 too, but
        // the earlier fault took them); the 500 never fires until the 503 is gone.
        assert_eq!(
            taken,
            [
                Some(0),
                Some(0),
                Some(1),
                None,
                None,
                Some(1),
                None,
                None,
                Some(1)
            ]
        );
        assert_eq!(faults.len(), 2, "the latency fault used itself up");
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
