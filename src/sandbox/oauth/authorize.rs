//! `GET /o/oauth2/v2/auth`: the page a browser opens to sign in. The sandbox plays the
//! user, approving (or denying, when told to) and redirecting back. It signs in as the
//! seeded account, or as the user a `login_hint` e-mail names: Google's OpenID Connect page
//! (developers.google.com/identity/openid-connect/openid-connect#authenticationuriparameters)
//! says that when an app knows which user it is trying to authenticate, passing the hint
//! "suppresses the account chooser and either pre-fills the email box on the sign-in form,
//! or selects the proper session (if the user is using multiple sign-in)"; the value is an
//! e-mail address or the `sub` string. A person with two Google accounts in the browser
//! thus lands in the hinted one, which the sandbox plays as any address it is given. A hint
//! that is no e-mail (a `sub`) names no one the sandbox knows, so the person picks the
//! seeded account, as the chooser would show it.
//!
//! Like Google, it never redirects to a client or URI it cannot trust: those errors are a
//! page for the person at the browser. Once the redirect is trusted, the user's answer
//! (`access_denied`, `consent_required`) goes back to the app in the redirect.

use std::time::Instant;

use super::client::{is_allowed_redirect, is_known_scope, CLIENT_ID};
use super::pkce::Challenge;
use super::{Code, OAuth};
use crate::sandbox::seed::ACCOUNT;
use crate::sandbox::server::{RecordedRequest, Reply};

pub(crate) fn authorize(oauth: &mut OAuth, req: &RecordedRequest) -> Reply {
    match consent(oauth, req) {
        Ok(reply) => reply,
        Err((status, error, detail)) => Reply::html(status, error_page(status, error, &detail)),
    }
}

type PageError = (u16, &'static str, String);

fn consent(oauth: &mut OAuth, req: &RecordedRequest) -> Result<Reply, PageError> {
    let param = |name: &str| req.param(name).filter(|v| !v.is_empty());
    let invalid = |detail: String| (400, "invalid_request", detail);
    let missing = |name: &str| invalid(format!("Missing required parameter: {name}"));

    let client_id = param("client_id").ok_or_else(|| missing("client_id"))?;
    if client_id != CLIENT_ID {
        return Err((
            401,
            "invalid_client",
            "The OAuth client was not found.".into(),
        ));
    }
    let redirect_uri = param("redirect_uri").ok_or_else(|| missing("redirect_uri"))?;
    if !is_allowed_redirect(redirect_uri) {
        return Err((
            400,
            "redirect_uri_mismatch",
            format!("redirect_uri: {redirect_uri}"),
        ));
    }
    match param("response_type") {
        Some("code") => {}
        Some(other) => return Err(invalid(format!("Invalid response_type: {other}"))),
        None => return Err(missing("response_type")),
    }
    let scope = param("scope").ok_or_else(|| missing("scope"))?;
    let unknown: Vec<&str> = scope
        .split(' ')
        .filter(|s| !s.is_empty() && !is_known_scope(s))
        .collect();
    if !unknown.is_empty() {
        return Err((
            400,
            "invalid_scope",
            format!(
                "Some requested scopes were invalid. {{invalid=[{}]}}",
                unknown.join(", ")
            ),
        ));
    }
    let challenge = Challenge::parse(param("code_challenge"), param("code_challenge_method"))
        .map_err(invalid)?;
    let offline = match param("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(other) => return Err(invalid(format!("Invalid access_type: {other}"))),
    };
    let prompts: Vec<&str> = param("prompt").unwrap_or_default().split(' ').collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return Err(invalid("prompt=none cannot be combined".into()));
    }

    let redirect = Redirect {
        uri: redirect_uri,
        state: req.param("state"),
    };
    let user = param("login_hint")
        .filter(|hint| hint.contains('@'))
        .map_or_else(|| ACCOUNT.to_string(), str::to_ascii_lowercase);
    if prompts.contains(&"none") && !oauth.consented.contains(&user) {
        return Ok(redirect.error("consent_required"));
    }
    if oauth.denies_consent {
        return Ok(redirect.error("access_denied"));
    }
    // Google shows the consent screen on the first approval or when forced, and only then
    // hands out a refresh token for offline access.
    let asks = !oauth.consented.contains(&user) || prompts.contains(&"consent");
    oauth.consented.insert(user.clone());
    let scope = scope.split_whitespace().collect::<Vec<_>>().join(" ");
    let code = oauth.insert_code(Code {
        user,
        redirect_uri: redirect_uri.to_string(),
        challenge,
        scope: scope.clone(),
        with_refresh: offline && asks,
        expiry: Instant::now() + oauth.code_lifetime,
    });
    let prompt = if asks { "consent" } else { "none" };
    Ok(redirect.to(&[
        ("code", &code),
        ("scope", &scope),
        ("authuser", "0"),
        ("prompt", prompt),
    ]))
}

struct Redirect<'a> {
    uri: &'a str,
    state: Option<&'a str>,
}

impl Redirect<'_> {
    fn error(&self, error: &str) -> Reply {
        self.to(&[("error", error)])
    }

    /// `state` first, as Google sends it, echoed exactly and only when it was given.
    fn to(&self, pairs: &[(&str, &str)]) -> Reply {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(state) = self.state {
            query.append_pair("state", state);
        }
        query.extend_pairs(pairs);
        let separator = if self.uri.contains('?') { '&' } else { '?' };
        Reply::redirect(format!("{}{separator}{}", self.uri, query.finish()))
    }
}

/// Google's "Access blocked: Authorization Error" page, with the error code a developer
/// searches for.
fn error_page(status: u16, error: &str, detail: &str) -> String {
    let detail = detail
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
         <title>Sign in - Google Accounts</title></head>\n<body>\
         <h1>Access blocked: Authorization Error</h1>\n\
         <p>Error {status}: {error}</p>\n<p>{detail}</p>\n</body></html>\n"
    )
}
