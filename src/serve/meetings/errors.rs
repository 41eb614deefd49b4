//! What a caller is told when Google, or the way to it, failed: Google's status and reason
//! kept, rate limits as 429 with `Retry-After`, and a `fix` for the refusals meetty knows how
//! to explain (sign-in, a disabled Calendar API, a service account inviting guests).

use super::super::reply::Problem;
use crate::auth::service_account::explain_calendar_error;
use crate::calendar::error::ApiError;
use crate::calendar::retry::keep_retry_after;
use crate::sanitize;

/// Runs a call to Google; its failure as the answer to give, `Retry-After` kept.
pub(super) async fn google<T>(
    work: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, Problem> {
    let (result, retry_after) = keep_retry_after(work).await;
    result.map_err(|e| problem(e, retry_after.map(seconds)))
}

/// Whole seconds for `Retry-After`, rounded up: never sooner than Google asked.
pub(super) fn seconds(wait: std::time::Duration) -> u64 {
    wait.as_secs_f64().ceil() as u64
}

/// How long a caller rate limited by a 403 (which carries no `Retry-After`) is told to wait.
const RATE_LIMIT_WAIT: u64 = 60;

/// What the caller is told when Google (or the way to it) failed.
pub fn problem(e: ApiError, retry_after: Option<u64>) -> Problem {
    let line = |m: &str| sanitize::line(m);
    let not_enabled = explain_calendar_error(&e, None);
    match e {
        ApiError::Google {
            code: 404 | 410,
            reason,
            message,
        } => Problem {
            reason: Some(line(&reason).into()),
            ..Problem::new(
                404,
                "not_found",
                format!("Google Calendar: {}", line(&message)),
            )
            .fix("GET /meetings lists the ids; ?calendar= names the calendar the event is on")
        },
        ApiError::Google { code: 401, .. } => sign_in_needed(
            "Google refused the account's access token after a fresh one was asked for",
        ),
        ApiError::Google {
            code,
            reason,
            message,
        } => {
            // Google's usage-limit errors: a 403 with a rate-limit reason is the same as a 429
            // (developers.google.com/calendar/api/guides/errors), and generic clients retry
            // only a 429.
            let rate_limited = code == 403
                && matches!(
                    reason.as_str(),
                    "rateLimitExceeded" | "userRateLimitExceeded"
                );
            let (status, retry_after) = match code {
                _ if rate_limited => (429, Some(retry_after.unwrap_or(RATE_LIMIT_WAIT))),
                400..=599 => (code, retry_after),
                _ => (502, retry_after),
            };
            let fix = match (status, reason.as_str()) {
                (429, _) => {
                    "Google is rate limiting: wait Retry-After seconds, then send it again".into()
                }
                (403, _) if not_enabled.is_some() => not_enabled.unwrap_or_default(),
                // Google's events.insert reference: "Service accounts cannot invite attendees
                // without Domain-Wide Delegation of Authority."
                (403, "forbiddenForServiceAccounts") => "a service account acting as itself \
                     cannot invite guests: sign in with meetty login --service-account \
                     KEY.json --subject user@your-domain (domain-wide delegation), or send the \
                     meeting without attendees"
                    .into(),
                (403, _) => "the account may not change this calendar or event".into(),
                (409 | 412, _) => "it changed meanwhile: read it again (GET), then retry".into(),
                (500.., _) => "Google had a problem: send it again (with the same \
                               Idempotency-Key for a POST)"
                    .into(),
                _ => "see Google's message".to_string(),
            };
            Problem {
                reason: Some(line(&reason).into()),
                retry_after,
                ..Problem::new(
                    status,
                    "google",
                    format!("Google Calendar: {}", line(&message)),
                )
                .fix(fix)
            }
        }
        ApiError::Network(m) => Problem::new(
            502,
            "google_unreachable",
            format!("cannot reach Google Calendar: {}", line(&m)),
        )
        .fix(
            "check this machine's connection to Google, then send it again (a POST with the \
             same Idempotency-Key cannot make a second meeting)",
        ),
        ApiError::SignIn(m) => sign_in_needed(&m),
        ApiError::Local(m) => Problem::new(503, "local", line(&m))
            .fix("fix what the message names on the machine running meetty serve"),
        ApiError::Refused(m) => Problem::new(422, "refused", line(&m)),
        e @ ApiError::StillRefreshing(_) => {
            Problem::new(504, "google_slow", e.to_string()).fix("send it again in a minute")
        }
        ApiError::Unexpected(m) => Problem::new(
            502,
            "unexpected_answer",
            format!("unexpected answer from Google Calendar: {}", line(&m)),
        )
        .fix("send it again; if it persists, report it with meetty serve's log"),
    }
}

pub(super) fn sign_in_needed(why: &str) -> Problem {
    Problem::new(
        503,
        "sign_in_needed",
        format!("sign-in needed: {}", sanitize::line(why)),
    )
    .fix(
        "run meetty login (or meetty login --service-account KEY.json --subject EMAIL) on \
         this machine, then restart meetty serve",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_errors_keep_their_status_reason_and_retry_after() {
        let limited = problem(
            ApiError::Google {
                code: 429,
                reason: "rateLimitExceeded".into(),
                message: "Rate \u{1b}[31mLimit".into(),
            },
            Some(7),
        );
        assert_eq!((limited.status, limited.code), (429, "google"));
        assert_eq!(limited.reason.as_deref(), Some("rateLimitExceeded"));
        assert_eq!(limited.retry_after, Some(7));
        assert!(!limited.message.contains('\u{1b}'), "{}", limited.message);
        let gone = problem(
            ApiError::Google {
                code: 404,
                reason: "notFound".into(),
                message: "Not Found".into(),
            },
            None,
        );
        assert_eq!((gone.status, gone.code), (404, "not_found"));
        let offline = problem(ApiError::Network("connection refused".into()), None);
        assert_eq!((offline.status, offline.code), (502, "google_unreachable"));
        let signed_out = problem(ApiError::SignIn("invalid_grant".into()), None);
        assert_eq!(
            (signed_out.status, signed_out.code),
            (503, "sign_in_needed")
        );
    }
}
