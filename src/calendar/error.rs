//! What can go wrong when talking to Google Calendar ([`ApiError`]), read from Google's error
//! JSON, and the words a user reads about a failed change ([`write_error`]): the TUI and the
//! CLI share both, each with advice that can be followed where it is read ([`Surface`]).

use std::fmt;

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
    /// No answer yet after this many seconds while the other accounts answered: the
    /// account's last part is shown until its answer arrives (the next refresh takes it).
    StillRefreshing(u64),
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Network(_))
    }

    /// Reads Google's error JSON; the first `errors[].reason` is the machine-readable cause.
    pub fn from_google(v: &serde_json::Value) -> ApiError {
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
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The messages may quote what a server sent; they are shown in the terminal.
        use crate::sanitize::line;
        match self {
            ApiError::Network(m) => write!(f, "cannot reach Google Calendar ({})", line(m)),
            ApiError::Google {
                code,
                reason,
                message,
            } => write!(
                f,
                "Google Calendar said {code} {}: {}",
                line(reason),
                line(message)
            ),
            ApiError::Unexpected(m) => {
                write!(f, "unexpected answer from Google Calendar: {}", line(m))
            }
            ApiError::SignIn(m) => write!(f, "sign-in needed: {}", line(m)),
            ApiError::Local(m) | ApiError::Refused(m) => f.write_str(&line(m)),
            ApiError::StillRefreshing(seconds) => write!(
                f,
                "still refreshing: Google Calendar has not answered in {seconds} s; the last \
                 agenda is shown until it does"
            ),
        }
    }
}

/// Where the user reads an error: the advice must name what can be done there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface<'a> {
    /// The TUI: keys reload and retry; `refresh` is the key bound to refreshing.
    Tui { refresh: &'a str },
    /// A scripting command: other commands show what happened.
    Cli,
}

/// A failed change, with what to do about it.
pub fn write_error(e: &ApiError, surface: Surface) -> String {
    match advice(e, surface) {
        Some(advice) => format!("{e} ({advice})"),
        None => e.to_string(),
    }
}

fn advice(e: &ApiError, surface: Surface) -> Option<String> {
    const RATE_LIMITED: &str = "Google is rate limiting: wait a minute and try again";
    // What to do in the TUI, and what to do at the command line.
    let (tui, cli) = match e {
        // The TUI retries with the same event id, so a second try cannot make a twin; a
        // command run again picks a new id, so look before running it again.
        ApiError::Network(_) => (
            "offline? check the connection; trying again is safe: it cannot make a second \
             meeting or cancel twice",
            "offline? check the connection, then see with meetty agenda --json whether the \
             change was made before running the command again",
        ),
        ApiError::Google {
            code: 403, reason, ..
        } if reason.contains("RateLimit") || reason.contains("rateLimit") => {
            (RATE_LIMITED, RATE_LIMITED)
        }
        ApiError::Google {
            code: 403, reason, ..
        } if reason == "forbiddenForServiceAccounts" => {
            let delegate = "a service account signed in without --subject cannot invite \
                            guests: have a Workspace admin grant it domain-wide delegation, then \
                            run meetty login --service-account KEY.json --subject YOU@DOMAIN";
            (delegate, delegate)
        }
        ApiError::Google { code: 403, .. } => {
            let forbidden = "you may not change this calendar or event";
            (forbidden, forbidden)
        }
        ApiError::Google {
            code: 404 | 410, ..
        } => (
            "it may have been deleted elsewhere: press {refresh}",
            "no such event, or it was deleted: meetty agenda --json lists the event ids (and \
             --calendar picks another calendar)",
        ),
        ApiError::Google {
            code: 409 | 412, ..
        } => (
            "it was changed elsewhere meanwhile: press {refresh} and try again",
            "it was changed elsewhere meanwhile: try again",
        ),
        ApiError::Google { code: 429, .. } => (RATE_LIMITED, RATE_LIMITED),
        ApiError::Google { code, .. } if *code >= 500 => {
            let retry = "Google had a problem: try again";
            (retry, retry)
        }
        ApiError::SignIn(_) => ("run meetty login", "run meetty login"),
        _ => return None,
    };
    Some(match surface {
        Surface::Tui { refresh } => tui.replace("{refresh}", refresh),
        Surface::Cli => cli.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn google(code: u16) -> ApiError {
        ApiError::Google {
            code,
            reason: "notFound".into(),
            message: "Not Found".into(),
        }
    }

    #[test]
    fn a_service_account_inviting_guests_is_told_to_act_as_a_user() {
        let e = ApiError::Google {
            code: 403,
            reason: "forbiddenForServiceAccounts".into(),
            message: "Service accounts cannot invite attendees".into(),
        };
        let text = write_error(&e, Surface::Cli);
        assert!(text.contains("domain-wide delegation"), "{text}");
        assert!(text.contains("--subject"), "{text}");
    }

    #[test]
    fn a_missing_event_is_explained_with_advice_for_where_it_is_read() {
        let tui = write_error(&google(404), Surface::Tui { refresh: "r" });
        assert!(
            tui.ends_with("(it may have been deleted elsewhere: press r)"),
            "{tui}"
        );
        let rebound = write_error(&google(412), Surface::Tui { refresh: "F5" });
        assert!(rebound.contains("press F5 and try again"), "{rebound}");
        let cli = write_error(&google(404), Surface::Cli);
        assert!(cli.contains("meetty agenda --json"), "{cli}");
        assert!(!cli.contains("press"), "no TUI keys in the CLI: {cli}");
    }

    #[test]
    fn errors_without_advice_are_shown_as_they_are() {
        let e = ApiError::Refused("you are not a guest of this meeting".into());
        assert_eq!(write_error(&e, Surface::Cli), e.to_string());
    }
}
