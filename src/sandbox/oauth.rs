//! A minimal Google OAuth 2.0 token endpoint (`POST /token`, form-encoded): opaque access
//! tokens with a lifetime, refresh tokens that can be revoked, one-time authorization codes.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::ids::digest;

pub const SCOPES: &str = "https://www.googleapis.com/auth/calendar.events \
                          https://www.googleapis.com/auth/calendar.calendarlist.readonly";

#[derive(Debug)]
pub struct OAuth {
    access: HashMap<String, Instant>,
    refresh: HashSet<String>,
    codes: HashSet<String>,
    lifetime: Duration,
    issued: u64,
    /// The pair a freshly seeded account is signed in with.
    pub(crate) initial_access: String,
    pub(crate) initial_refresh: String,
}

impl OAuth {
    pub fn new() -> Self {
        let mut oauth = OAuth {
            access: HashMap::new(),
            refresh: HashSet::new(),
            codes: HashSet::new(),
            // Google's access tokens last an hour; `expires_in` says 3599.
            lifetime: Duration::from_secs(3599),
            issued: 0,
            initial_access: String::new(),
            initial_refresh: String::new(),
        };
        oauth.initial_access = oauth.issue_access();
        oauth.initial_refresh = oauth.issue_refresh();
        oauth
    }

    fn next(&mut self, kind: &str) -> String {
        self.issued += 1;
        format!(
            "{:016x}{:04}",
            digest(&[kind, &self.issued.to_string()]),
            self.issued
        )
    }

    pub fn issue_access(&mut self) -> String {
        let token = format!("ya29.sandbox-{}", self.next("access"));
        self.access
            .insert(token.clone(), Instant::now() + self.lifetime);
        token
    }

    pub fn issue_refresh(&mut self) -> String {
        let token = format!("1//sandbox-{}", self.next("refresh"));
        self.refresh.insert(token.clone());
        token
    }

    pub fn issue_code(&mut self) -> String {
        let code = format!("4/sandbox-{}", self.next("code"));
        self.codes.insert(code.clone());
        code
    }

    /// Applies to tokens issued from now on.
    pub fn set_lifetime(&mut self, lifetime: Duration) {
        self.lifetime = lifetime;
    }

    pub fn is_valid(&self, access_token: &str) -> bool {
        self.access
            .get(access_token)
            .is_some_and(|expiry| Instant::now() < *expiry)
    }

    pub fn expire_access_tokens(&mut self) {
        self.access.clear();
    }

    /// As when the user revokes access or a testing-mode grant runs out after 7 days.
    pub fn revoke_refresh_tokens(&mut self) {
        self.refresh.clear();
    }

    /// Handles `POST /token`; returns the status and JSON body.
    pub fn token_request(&mut self, form: &[(String, String)]) -> (u16, Value) {
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let grant = |error: &str, description: &str| {
            (
                400,
                json!({ "error": error, "error_description": description }),
            )
        };
        let refresh_token = match field("grant_type") {
            Some("refresh_token") => {
                let token = field("refresh_token").unwrap_or_default();
                if !self.refresh.contains(token) {
                    return grant("invalid_grant", "Token has been expired or revoked.");
                }
                None
            }
            Some("authorization_code") => {
                let code = field("code").unwrap_or_default();
                if !self.codes.remove(code) {
                    return grant("invalid_grant", "Malformed auth code.");
                }
                Some(self.issue_refresh())
            }
            Some(other) => {
                return grant(
                    "unsupported_grant_type",
                    &format!("Invalid grant_type: {other}"),
                )
            }
            None => return grant("unsupported_grant_type", "Invalid grant_type: "),
        };
        let mut body = json!({
            "access_token": self.issue_access(),
            "expires_in": self.lifetime.as_secs(),
            "token_type": "Bearer",
            "scope": SCOPES,
        });
        if let Some(refresh) = refresh_token {
            body["refresh_token"] = json!(refresh);
        }
        (200, body)
    }
}

impl Default for OAuth {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn refresh_issues_working_tokens_until_revoked() {
        let mut o = OAuth::new();
        let refresh = o.initial_refresh.clone();
        let (status, body) = o.token_request(&form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
        ]));
        assert_eq!(status, 200);
        assert_eq!(body["expires_in"], 3599);
        assert!(o.is_valid(body["access_token"].as_str().unwrap()));
        o.revoke_refresh_tokens();
        let (status, body) = o.token_request(&form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
        ]));
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }

    #[test]
    fn codes_are_single_use_and_lifetime_applies() {
        let mut o = OAuth::new();
        o.set_lifetime(Duration::ZERO);
        let code = o.issue_code();
        let (status, body) = o.token_request(&form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
        ]));
        assert_eq!(status, 200);
        assert!(body["refresh_token"].is_string());
        assert!(!o.is_valid(body["access_token"].as_str().unwrap()));
        let (status, _) = o.token_request(&form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
        ]));
        assert_eq!(status, 400);
    }
}
