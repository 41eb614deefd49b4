//! The one OAuth client registered with the sandbox, a "Desktop app" client as a user creates
//! in Google Cloud Console, and the rules Google applies to what it may ask for.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use crate::sandbox::server::RecordedRequest;

pub const CLIENT_ID: &str = "sandbox-client.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "sandbox-secret";
const PROJECT_ID: &str = "meetty-sandbox";

const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/";
const CALENDAR_SCOPES: [&str; 11] = [
    "calendar",
    "calendar.readonly",
    "calendar.events",
    "calendar.events.readonly",
    "calendar.events.owned",
    "calendar.events.freebusy",
    "calendar.freebusy",
    "calendar.calendarlist",
    "calendar.calendarlist.readonly",
    "calendar.settings.readonly",
    "calendar.app.created",
];
const SIGN_IN_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "profile",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
];

pub fn is_known_scope(scope: &str) -> bool {
    SIGN_IN_SCOPES.contains(&scope)
        || scope
            .strip_prefix(SCOPE_PREFIX)
            .is_some_and(|s| CALENDAR_SCOPES.contains(&s))
}

/// Whether a granted scope string includes any of `calendar.*` suffixes in `any_of`.
pub fn grants(scope: &str, any_of: &[&str]) -> bool {
    scope.split(' ').any(|s| {
        s.strip_prefix(SCOPE_PREFIX)
            .is_some_and(|s| any_of.contains(&s))
    })
}

/// Desktop clients may redirect to any port and path on a loopback address, since the app
/// listens on an ephemeral port (Google's loopback IP flow, RFC 8252 §7.3). Nothing else
/// is registered, and the out-of-band `urn:ietf:wg:oauth:2.0:oob` flow was retired in 2022.
pub fn is_allowed_redirect(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    url.scheme() == "http" && loopback && url.fragment().is_none() && url.username().is_empty()
}

/// Who the client says it is: `client_id`/`client_secret` in the form, or HTTP Basic
/// (RFC 6749 §2.3.1), both of which Google accepts.
pub fn credentials(req: &RecordedRequest, field: impl Fn(&str) -> Option<String>) -> Credentials {
    let basic = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            Some((crate::percent::decode(id), crate::percent::decode(secret)))
        });
    match basic {
        Some((id, secret)) => Credentials {
            id: Some(id),
            secret: Some(secret),
        },
        None => Credentials {
            id: field("client_id"),
            secret: field("client_secret"),
        },
    }
}

pub struct Credentials {
    pub id: Option<String>,
    pub secret: Option<String>,
}

impl Credentials {
    /// Google's answers, in the order it checks: which client, then its secret.
    pub fn check(&self) -> Result<(), (u16, &'static str, &'static str)> {
        match (self.id.as_deref(), self.secret.as_deref()) {
            (None | Some(""), _) => Err((
                400,
                "invalid_request",
                "Could not determine client ID from request.",
            )),
            (Some(id), _) if id != CLIENT_ID => {
                Err((401, "invalid_client", "The OAuth client was not found."))
            }
            (_, None | Some("")) => Err((400, "invalid_request", "client_secret is missing.")),
            (_, Some(secret)) if secret != CLIENT_SECRET => {
                Err((401, "invalid_client", "Unauthorized"))
            }
            _ => Ok(()),
        }
    }
}

/// Google's `client_secret_*.json` for a Desktop app, with the endpoints at `root`.
pub fn credentials_json(root: &str) -> String {
    let file = json!({
        "installed": {
            "client_id": CLIENT_ID,
            "project_id": PROJECT_ID,
            "auth_uri": format!("{root}o/oauth2/v2/auth"),
            "token_uri": format!("{root}token"),
            "auth_provider_x509_cert_url": format!("{root}oauth2/v1/certs"),
            "client_secret": CLIENT_SECRET,
            "redirect_uris": ["http://localhost"],
        }
    });
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_on_any_port_and_path_are_allowed() {
        for ok in [
            "http://127.0.0.1:53682/",
            "http://127.0.0.1:8080/callback",
            "http://localhost",
            "http://LOCALHOST:9000",
            "http://[::1]:4000/",
        ] {
            assert!(is_allowed_redirect(ok), "{ok}");
        }
        for bad in [
            "https://127.0.0.1:53682/",
            "http://example.com:8080/",
            "http://127.0.0.1.example.com/",
            "urn:ietf:wg:oauth:2.0:oob",
            "http://127.0.0.1:80/#frag",
            "127.0.0.1:80",
        ] {
            assert!(!is_allowed_redirect(bad), "{bad}");
        }
    }

    #[test]
    fn scopes_are_checked_by_name() {
        assert!(is_known_scope(
            "https://www.googleapis.com/auth/calendar.events"
        ));
        assert!(is_known_scope("openid"));
        assert!(!is_known_scope("https://www.googleapis.com/auth/drive"));
        assert!(!is_known_scope("calendar.events"));
        assert!(grants(super::super::SCOPES, &["calendar.events"]));
        assert!(!grants("openid email", &["calendar"]));
    }
}
