//! The one retry policy for every call to Google (Calendar and token endpoint alike):
//! exponential backoff with full jitter, `Retry-After` honoured, a bounded number of attempts.
//!
//! Only failures that say "try later" are retried: rate limits (429, 403 `rateLimitExceeded`
//! / `userRateLimitExceeded`), server errors (500/502/503/504), timeouts and dropped
//! connections. Everything else (400, 401, permission 403, 404, 409, 410, 412) has its own
//! handling where the call is made. Every request meetty sends is safe to repeat: reads,
//! deletes (a repeat answers 410, which counts as done), inserts carrying a client event id
//! (a repeat answers 409, which reads the stored event) and patches that either set a value
//! outright or are guarded by `If-Match` (a repeat answers 412, which reads again).

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

use super::error::ApiError;

tokio::task_local! {
    /// The `Retry-After` of the last failed attempt, inside [`keep_retry_after`].
    static LAST_RETRY_AFTER: Cell<Option<Duration>>;
}

/// Runs `work` and returns, beside its output, the `Retry-After` Google sent with the last
/// failed attempt of a call made in it: what the meetings API passes on with a final 429, so
/// its caller waits as long as Google asked. A task-local rather than a field of
/// [`ApiError::Google`], whose many constructors would all have to carry it.
pub async fn keep_retry_after<F: Future>(work: F) -> (F::Output, Option<Duration>) {
    LAST_RETRY_AFTER
        .scope(Cell::new(None), async {
            let output = work.await;
            (output, LAST_RETRY_AFTER.with(Cell::get))
        })
        .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The ceiling of the first wait; it doubles with each retry ...
    pub base: Duration,
    /// ... up to this.
    pub cap: Duration,
    /// A `Retry-After` longer than this is not waited out: the call fails and says so.
    pub longest_retry_after: Duration,
    pub jitter: Jitter,
}

/// How a wait is drawn below its ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Uniformly from zero to the ceiling, so clients that failed together do not retry
    /// together.
    Full,
    /// Exactly the ceiling: for tests that check the waits grow.
    Off,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            attempts: 5,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(32),
            longest_retry_after: Duration::from_secs(120),
            jitter: Jitter::Full,
        }
    }
}

/// Why a failed attempt is worth another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    RateLimited,
    ServerError,
    NoAnswer,
}

impl Cause {
    /// `None`: the failure would only repeat, or needs its own handling.
    pub fn of(error: &ApiError) -> Option<Cause> {
        match error {
            ApiError::Network(_) => Some(Cause::NoAnswer),
            ApiError::Google { code: 429, .. } => Some(Cause::RateLimited),
            ApiError::Google {
                code: 403, reason, ..
            } if reason == "rateLimitExceeded" || reason == "userRateLimitExceeded" => {
                Some(Cause::RateLimited)
            }
            ApiError::Google {
                code: 500 | 502 | 503 | 504,
                ..
            } => Some(Cause::ServerError),
            _ => None,
        }
    }

    /// For the status bar: "Google is rate limiting, retrying 2/5 in 4 s".
    pub fn describe(self) -> &'static str {
        match self {
            Cause::RateLimited => "Google is rate limiting",
            Cause::ServerError => "Google is having trouble",
            Cause::NoAnswer => "no answer from Google",
        }
    }
}

/// Said before each wait, so the user knows why nothing happens yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retrying {
    pub cause: Cause,
    /// The attempt about to be made (2 for the first retry).
    pub attempt: u32,
    pub of: u32,
    pub wait: Duration,
}

/// "Google is rate limiting, retrying 2/5": the status bar and the CLI add when.
impl std::fmt::Display for Retrying {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (cause, attempt, of) = (self.cause.describe(), self.attempt, self.of);
        write!(f, "{cause}, retrying {attempt}/{of}")
    }
}

/// Whoever wants to hear about retries (the TUI's status bar).
pub type OnRetry = std::sync::Arc<dyn Fn(Retrying) + Send + Sync>;

impl Policy {
    /// The wait before retry number `retry` (1 for the first), or `Retry-After` when Google
    /// sent one.
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait;
        }
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self.base.saturating_mul(doubling).min(self.cap);
        match self.jitter {
            Jitter::Full => ceiling.mul_f64(unit_random()),
            Jitter::Off => ceiling,
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the attempts are used up;
    /// `on_retry` hears of each wait. `attempt` returns the error and any `Retry-After`.
    pub async fn run<T, F, Fut>(
        &self,
        on_retry: Option<&OnRetry>,
        mut attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, (ApiError, Option<Duration>)>>,
    {
        let mut made = 1;
        loop {
            let (error, retry_after) = match attempt().await {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            // Outside `keep_retry_after` nobody asks: nothing to keep.
            let _ = LAST_RETRY_AFTER.try_with(|last| last.set(retry_after));
            let Some(cause) = Cause::of(&error) else {
                return Err(error);
            };
            if made >= self.attempts {
                log::warn!("giving up after {made} attempts: {error}");
                return Err(error);
            }
            if retry_after.is_some_and(|w| w > self.longest_retry_after) {
                return Err(ApiError::Google {
                    code: 429,
                    reason: "retryAfterTooLong".into(),
                    message: format!(
                        "Google asks to wait {} s before trying again",
                        retry_after.unwrap_or_default().as_secs()
                    ),
                });
            }
            let wait = self.wait(made, retry_after);
            made += 1;
            log::info!(
                "{}: attempt {made}/{} in {:.1} s ({error})",
                cause.describe(),
                self.attempts,
                wait.as_secs_f32()
            );
            if let Some(tell) = on_retry {
                tell(Retrying {
                    cause,
                    attempt: made,
                    of: self.attempts,
                    wait,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }
}

/// A uniform draw from [0, 1): 53 random bits from the OS source.
fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    // Without randomness, waiting the whole ceiling is still a correct backoff.
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).is_err() {
        return 1.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After` in seconds (Google sends seconds, not HTTP dates).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn google(code: u16, reason: &str) -> ApiError {
        ApiError::Google {
            code,
            reason: reason.into(),
            message: String::new(),
        }
    }

    #[test]
    fn only_try_later_failures_are_retried() {
        let retried = [
            google(429, "rateLimitExceeded"),
            google(403, "rateLimitExceeded"),
            google(403, "userRateLimitExceeded"),
            google(500, "backendError"),
            google(502, ""),
            google(503, ""),
            google(504, ""),
            ApiError::Network("reset".into()),
        ];
        for e in retried {
            assert!(Cause::of(&e).is_some(), "{e:?} should be retried");
        }
        let final_ = [
            google(400, "badRequest"),
            google(401, "authError"),
            google(403, "forbidden"),
            google(403, "quotaExceeded"),
            google(404, "notFound"),
            google(409, "duplicate"),
            google(410, "fullSyncRequired"),
            google(412, "conditionNotMet"),
            google(501, ""),
            ApiError::SignIn("invalid_grant".into()),
            ApiError::Unexpected("junk".into()),
        ];
        for e in final_ {
            assert_eq!(Cause::of(&e), None, "{e:?} must not be retried blindly");
        }
    }

    #[test]
    fn ceilings_double_up_to_the_cap_and_full_jitter_stays_below_them() {
        let off = Policy {
            jitter: Jitter::Off,
            ..Policy::default()
        };
        let ceilings: Vec<u64> = (1..=8).map(|r| off.wait(r, None).as_secs()).collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 32, 32]);
        let full = Policy::default();
        let draws: Vec<Duration> = (0..2000).map(|_| full.wait(3, None)).collect();
        assert!(draws.iter().all(|d| *d < Duration::from_secs(4)));
        // Spread over the whole range, not bunched at one end.
        let low = draws
            .iter()
            .filter(|d| **d < Duration::from_secs(1))
            .count();
        let high = draws
            .iter()
            .filter(|d| **d >= Duration::from_secs(3))
            .count();
        assert!((300..700).contains(&low), "{low} of 2000 below 1 s");
        assert!((300..700).contains(&high), "{high} of 2000 at 3 s or more");
    }

    #[test]
    fn retry_after_wins_over_the_backoff() {
        let p = Policy::default();
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            parse_retry_after(Some(" 12 ")),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            None
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_last_attempt_and_says_each_wait() {
        let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&heard);
        let tell: OnRetry = std::sync::Arc::new(move |r| log.lock().unwrap().push(r));
        let policy = Policy {
            jitter: Jitter::Off,
            ..Policy::default()
        };
        let mut calls = 0;
        let result: Result<(), _> = policy
            .run(Some(&tell), || {
                calls += 1;
                async { Err((google(503, "backendError"), None)) }
            })
            .await;
        assert_eq!(result, Err(google(503, "backendError")));
        assert_eq!(calls, 5);
        let heard = heard.lock().unwrap();
        let attempts: Vec<(u32, u64)> = heard
            .iter()
            .map(|r| (r.attempt, r.wait.as_secs()))
            .collect();
        assert_eq!(attempts, [(2, 1), (3, 2), (4, 4), (5, 8)]);
        assert!(heard
            .iter()
            .all(|r| r.cause == Cause::ServerError && r.of == 5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_after_beyond_reason_is_not_waited_out() {
        let policy = Policy::default();
        let result: Result<(), _> = policy
            .run(None, || async {
                Err((
                    google(429, "rateLimitExceeded"),
                    Some(Duration::from_secs(3600)),
                ))
            })
            .await;
        let Err(ApiError::Google { message, .. }) = result else {
            panic!("expected a refusal");
        };
        assert!(message.contains("3600 s"), "{message}");
    }
}
