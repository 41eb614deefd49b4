//! What the meetings API answers: a status, JSON, and the few headers that carry meaning
//! (`Retry-After`, `ETag`, `Location`, `Idempotent-Replayed`). Errors are [`Problem`]s, one JSON shape for all:
//! `{"error": {"status", "code", "message", "field"?, "fix"?, "reason"?}}`.

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    pub etag: Option<String>,
    pub location: Option<String>,
    /// `Idempotent-Replayed: true`: the answer to an earlier request with the same
    /// `Idempotency-Key`, nothing new was made.
    pub replayed: bool,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            retry_after: None,
            etag: None,
            location: None,
            replayed: false,
        }
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            retry_after: None,
            etag: None,
            location: None,
            replayed: false,
        }
    }
}

/// An error answer: what is wrong, which field, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: u16,
    /// Machine-readable: `invalid_json`, `invalid_field`, `unauthorized`, `too_large`,
    /// `idempotency_conflict`, `not_found`, `conflict`, `google`, …
    pub code: &'static str,
    pub message: String,
    /// Boxed `str`s keep a `Result<_, Problem>` small (clippy's `result_large_err`).
    pub field: Option<Box<str>>,
    pub fix: Option<Box<str>>,
    /// Google's own reason, when Google refused (`code` is then `google`).
    pub reason: Option<Box<str>>,
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            status,
            code,
            message: message.into(),
            field: None,
            fix: None,
            reason: None,
            retry_after: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into().into_boxed_str());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Problem {
        self.fix = Some(fix.into().into_boxed_str());
        self
    }
}

impl From<Problem> for Reply {
    fn from(p: Problem) -> Reply {
        let mut error = json!({ "status": p.status, "code": p.code, "message": p.message });
        for (name, value) in [("field", &p.field), ("fix", &p.fix), ("reason", &p.reason)] {
            if let Some(v) = value {
                error[name] = json!(v);
            }
        }
        Reply {
            retry_after: p.retry_after,
            ..Reply::json(p.status, json!({ "error": error }))
        }
    }
}
