//! Google's JSON error envelope: `{"error":{"code","message","errors":[{"domain","reason","message"}],"status"}}`.
//!
//! Clients branch on `code` and `errors[0].reason` (e.g. `rateLimitExceeded` is retryable, a 403
//! `forbidden` is not), so every failure the sandbox produces goes through here.

use serde_json::{json, Value};

/// One API error, as Google reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    pub domain: &'static str,
    pub reason: String,
    pub message: String,
    /// `(locationType, location)`, e.g. `("parameter", "timeMax")`.
    pub location: Option<(&'static str, String)>,
}

impl ApiError {
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            domain: domain_for(reason),
            reason: reason.to_string(),
            message: message.into(),
            location: None,
        }
    }

    /// The error Google sends for `code` when nothing more specific applies (used by faults).
    #[cfg(feature = "test-controls")]
    pub fn for_status(code: u16) -> Self {
        let (reason, message) = match code {
            400 => ("invalid", "Bad Request"),
            401 => return Self::unauthenticated(),
            403 => ("rateLimitExceeded", "Rate Limit Exceeded"),
            404 => ("notFound", "Not Found"),
            409 => ("duplicate", "The requested identifier already exists."),
            410 => return Self::full_sync_required(),
            412 => ("conditionNotMet", "Precondition Failed"),
            429 => ("rateLimitExceeded", "Rate Limit Exceeded"),
            503 => ("backendError", "The service is currently unavailable."),
            500..=599 => ("backendError", "Backend Error"),
            _ => ("unknown", "Error"),
        };
        Self::new(code, reason, message)
    }

    pub fn at(mut self, location_type: &'static str, location: &str) -> Self {
        self.location = Some((location_type, location.to_string()));
        self
    }

    pub fn unauthenticated() -> Self {
        Self::new(401, "authError", "Invalid Credentials").at("header", "Authorization")
    }

    /// A live token whose grant does not cover the call (least-privilege clients see this).
    pub fn insufficient_scopes() -> Self {
        Self::new(
            403,
            "insufficientPermissions",
            "Request had insufficient authentication scopes.",
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "invalid", message)
    }

    pub fn invalid_param(name: &str, message: impl Into<String>) -> Self {
        Self::invalid(message).at("parameter", name)
    }

    pub fn not_found() -> Self {
        Self::new(404, "notFound", "Not Found")
    }

    pub fn deleted() -> Self {
        Self::new(410, "deleted", "Resource has been deleted")
    }

    pub fn full_sync_required() -> Self {
        Self::new(
            410,
            "fullSyncRequired",
            "Sync token is no longer valid, a full sync is required.",
        )
    }

    pub fn duplicate() -> Self {
        Self::new(409, "duplicate", "The requested identifier already exists.")
    }

    pub fn forbidden_writer() -> Self {
        Self::new(
            403,
            "requiredAccessLevel",
            "You need to have writer access to this calendar.",
        )
    }

    /// A service account acting as itself (no domain-wide delegation) listed attendees.
    pub fn forbidden_for_service_accounts() -> Self {
        Self::new(
            403,
            "forbiddenForServiceAccounts",
            "Service accounts cannot invite attendees without Domain-Wide Delegation of Authority.",
        )
    }

    /// The top-level message; for 401 Google uses a longer sentence than `errors[0].message`.
    fn top_message(&self) -> &str {
        if self.code == 401 {
            "Request had invalid authentication credentials. Expected OAuth 2 access token, \
             login cookie or other valid authentication credential. \
             See https://developers.google.com/identity/sign-in/web/devconsole-project."
        } else {
            &self.message
        }
    }

    pub fn to_json(&self) -> Value {
        let mut detail = json!({
            "domain": self.domain,
            "reason": self.reason,
            "message": self.message,
        });
        if let Some((kind, location)) = &self.location {
            detail["locationType"] = json!(kind);
            detail["location"] = json!(location);
        }
        let mut error = json!({
            "code": self.code,
            "message": self.top_message(),
            "errors": [detail],
        });
        if let Some(status) = canonical_status(self.code) {
            error["status"] = json!(status);
        }
        json!({ "error": error })
    }
}

/// Quota errors live in `usageLimits`, calendar-specific ones in `calendar`, the rest in `global`.
fn domain_for(reason: &str) -> &'static str {
    match reason {
        "rateLimitExceeded" | "userRateLimitExceeded" | "quotaExceeded" | "dailyLimitExceeded" => {
            "usageLimits"
        }
        "timeRangeEmpty"
        | "requiredAccessLevel"
        | "forbiddenForNonOrganizer"
        | "forbiddenForServiceAccounts" => "calendar",
        _ => "global",
    }
}

fn canonical_status(code: u16) -> Option<&'static str> {
    Some(match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ALREADY_EXISTS",
        412 => "FAILED_PRECONDITION",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        503 => "UNAVAILABLE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthenticated_matches_google_shape() {
        let v = ApiError::unauthenticated().to_json();
        assert_eq!(v["error"]["code"], 401);
        assert_eq!(v["error"]["status"], "UNAUTHENTICATED");
        assert_eq!(v["error"]["errors"][0]["reason"], "authError");
        assert_eq!(v["error"]["errors"][0]["location"], "Authorization");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Request had invalid authentication credentials."));
    }

    #[test]
    fn rate_limits_are_in_usage_limits_domain() {
        let v = ApiError::for_status(429).to_json();
        assert_eq!(v["error"]["errors"][0]["domain"], "usageLimits");
        assert_eq!(v["error"]["errors"][0]["reason"], "rateLimitExceeded");
    }
}
