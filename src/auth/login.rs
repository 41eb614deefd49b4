//! `meetty login`: the installed-app authorization-code flow with PKCE and a checked `state`.
//!
//! The code exchange is done here, not by yup-oauth2: its installed flow sends neither PKCE
//! nor `state`, so a code intercepted on the loopback port (or a forged redirect) would be
//! accepted. Once the tokens are stored, `session.rs` refreshes them.

use std::io::{BufRead, Write};
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;
use yup_oauth2::storage::TokenInfo;

use super::client::{Credentials, Endpoints, SCOPES};
use super::loopback::{self, Callback, Loopback};
use super::pkce::{self, Pkce};

/// How long the browser has to come back before the login gives up.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// Everything the authorize URL carries.
pub struct AuthorizeRequest<'a> {
    pub endpoints: &'a Endpoints,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub challenge: &'a str,
    pub state: &'a str,
    pub login_hint: Option<&'a str>,
    /// `prompt=consent`: only when no refresh token exists, because Google sends a refresh
    /// token only on consent, and asking again each time is needless friction.
    pub consent: bool,
}

impl AuthorizeRequest<'_> {
    pub fn url(&self) -> String {
        let mut url = url::Url::parse(&self.endpoints.auth_uri)
            .unwrap_or_else(|_| url::Url::parse(super::client::GOOGLE_AUTH_URI).expect("valid"));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", self.client_id)
                .append_pair("redirect_uri", self.redirect_uri)
                .append_pair("response_type", "code")
                .append_pair("scope", &SCOPES.join(" "))
                .append_pair("code_challenge", self.challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("state", self.state)
                .append_pair("access_type", "offline");
            if self.consent {
                q.append_pair("prompt", "consent");
            }
            if let Some(hint) = self.login_hint {
                q.append_pair("login_hint", hint);
            }
        }
        url.into()
    }
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    error_description: Option<String>,
}

fn oauth_error(body: &[u8]) -> Option<OAuthError> {
    serde_json::from_slice(body).ok()
}

/// An OAuth endpoint's error, explained. Never includes tokens or codes.
pub fn explain_oauth_error(status: u16, body: &[u8]) -> String {
    let Some(e) = oauth_error(body) else {
        return format!("the token endpoint answered HTTP {status}");
    };
    let desc = crate::sanitize::line(e.error_description.as_deref().unwrap_or(""));
    let fix = match e.error.as_str() {
        "invalid_grant" => {
            "the sign-in is no longer valid: it was revoked, it expired (apps in \"Testing\" \
             publishing status get refresh tokens that last 7 days), or the client issued too \
             many tokens. Run meetty login again"
        }
        "invalid_client" => {
            "the client id or secret is wrong or the client was deleted: download the Desktop \
             client's JSON again and run meetty login --credentials FILE"
        }
        "redirect_uri_mismatch" => {
            "the OAuth client is not a \"Desktop app\" client: create one (Credentials > Create \
             credentials > OAuth client ID > Desktop app) and log in with its JSON"
        }
        "access_denied" => "access was denied on the consent screen",
        _ => "",
    };
    let mut msg = format!("Google said {}", e.error);
    if !desc.is_empty() {
        msg += &format!(" ({desc})");
    }
    if !fix.is_empty() {
        msg += &format!(": {fix}");
    }
    msg
}

/// The tokens in a token endpoint's answer (to a code exchange or a refresh).
pub(super) fn granted(body: &[u8]) -> Option<TokenInfo> {
    #[derive(Deserialize)]
    struct Granted {
        access_token: String,
        expires_in: Option<i64>,
        refresh_token: Option<String>,
    }
    let t: Granted = serde_json::from_slice(body).ok()?;
    Some(TokenInfo {
        access_token: Some(t.access_token),
        refresh_token: t.refresh_token,
        expires_at: t
            .expires_in
            .map(|s| time::OffsetDateTime::now_utc() + time::Duration::seconds(s)),
        id_token: None,
    })
}

/// Why a code exchange failed.
#[derive(Debug)]
enum ExchangeError {
    /// `invalid_grant`: this code is mistyped, used or expired; pasting the right one mends it.
    BadCode(String),
    Other(String),
}

impl From<ExchangeError> for String {
    fn from(e: ExchangeError) -> String {
        match e {
            ExchangeError::BadCode(why) | ExchangeError::Other(why) => why,
        }
    }
}

/// Trades the code for tokens, proving possession of the PKCE verifier.
async fn exchange_code(
    creds: &Credentials,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<TokenInfo, ExchangeError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", creds.client.client_id.as_str()),
        ("client_secret", creds.secret.as_str()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ];
    let (status, body) = crate::http::post_form(&creds.client.endpoints().token_uri, &form)
        .await
        .map_err(ExchangeError::Other)?;
    if let Some(e) = oauth_error(&body).filter(|e| status == 400 && e.error == "invalid_grant") {
        let said = crate::sanitize::line(e.error_description.as_deref().unwrap_or(&e.error));
        return Err(ExchangeError::BadCode(format!(
            "Google refused that code ({said}): it was mistyped, used already, or has expired"
        )));
    }
    if status != 200 {
        return Err(ExchangeError::Other(explain_oauth_error(status, &body)));
    }
    granted(&body).ok_or_else(|| {
        ExchangeError::Other("the token endpoint's answer was not a token response".into())
    })
}

/// How the user finishes the consent: the browser comes back to the loopback listener, or
/// (`--no-browser`) the user pastes the final URL or the code.
pub enum Finish<'a> {
    /// Opens the URL (the platform browser; tests pass an HTTP client that follows it).
    Browser(&'a (dyn Fn(&str) -> Result<(), String> + Sync)),
    Paste(&'a mut (dyn BufRead + Send)),
}

/// Runs the consent part of the flow and returns the tokens; printing goes to `out`.
pub async fn authorize(
    creds: &Credentials,
    login_hint: Option<&str>,
    consent: bool,
    finish: Finish<'_>,
    out: &mut (dyn Write + Send),
) -> Result<TokenInfo, String> {
    let loopback = Loopback::bind()
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1 for the browser's answer: {e}"))?;
    let pkce = Pkce::generate();
    let state = pkce::random_token();
    let endpoints = creds.client.endpoints();
    let url = AuthorizeRequest {
        endpoints: &endpoints,
        client_id: &creds.client.client_id,
        redirect_uri: loopback.redirect_uri(),
        challenge: &pkce.challenge,
        state: &state,
        login_hint,
        consent,
    }
    .url();
    let exchange = |code: String| {
        let (verifier, redirect_uri) = (&pkce.verifier, loopback.redirect_uri());
        async move { exchange_code(creds, &code, verifier, redirect_uri).await }
    };
    match finish {
        Finish::Browser(open) => {
            let _ = writeln!(out, "Opening your browser to sign in with Google. If it does not open, visit:\n\n  {url}\n");
            if let Err(e) = open(&url) {
                let _ = writeln!(out, "(could not open a browser: {e})");
            }
            let _ = writeln!(
                out,
                "Waiting for Google to send you back (up to {} min)…",
                LOGIN_TIMEOUT.as_secs() / 60
            );
            let (callback, tab) = loopback.wait(&state, LOGIN_TIMEOUT).await?;
            let result = match callback {
                Callback::Code(code) => exchange(code).await.map_err(String::from),
                Callback::Denied(e) => Err(denied(&e)),
            };
            tab.answer(result.as_ref().map(drop).map_err(String::as_str))
                .await;
            result
        }
        Finish::Paste(input) => {
            let _ = writeln!(
                out,
                "Open this URL in a browser on any machine and sign in:\n\n  {url}\n\n\
                 The browser then tries to load {} and may show an error: that is expected.\n\
                 Copy the whole address from its address bar and paste it here:",
                loopback.redirect_uri()
            );
            let deadline = Instant::now() + LOGIN_TIMEOUT;
            paste_until(input, out, &state, deadline, exchange).await
        }
    }
}

fn denied(error: &str) -> String {
    format!("sign-in cancelled: Google answered {error}")
}

/// Reads pasted answers until one is this sign-in's and its code is accepted. A paste that
/// cannot be (from another sign-in, no code, not a code at all, a code Google refuses) is
/// explained and asked for again; only after `deadline` does such a paste end the login.
async fn paste_until<F, Fut>(
    input: &mut (dyn BufRead + Send),
    out: &mut (dyn Write + Send),
    state: &str,
    deadline: Instant,
    mut exchange: F,
) -> Result<TokenInfo, String>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<TokenInfo, ExchangeError>>,
{
    loop {
        let _ = out.flush();
        let mut line = String::new();
        let read = input
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the pasted URL: {e}"))?;
        if read == 0 {
            return Err("the input ended before a sign-in address was pasted; run meetty login --no-browser again".into());
        }
        let why = match pasted(line.trim(), state) {
            Ok(Callback::Code(code)) => match exchange(code).await {
                Ok(token) => return Ok(token),
                Err(ExchangeError::BadCode(why)) => why,
                Err(ExchangeError::Other(e)) => return Err(e),
            },
            Ok(Callback::Denied(e)) => return Err(denied(&e)),
            Err(why) => why,
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "{why}; no sign-in within {} min: run meetty login --no-browser again",
                LOGIN_TIMEOUT.as_secs() / 60
            ));
        }
        let _ = writeln!(
            out,
            "{why}.\nPaste the whole address the browser ended on (or the code) again:"
        );
    }
}

/// A pasted redirect URL (checked against `state`) or a bare code (nothing to check: the
/// user copied it from the same page, and PKCE still binds it to this login).
fn pasted(text: &str, state: &str) -> Result<Callback, String> {
    if text.is_empty() {
        return Err("nothing was pasted".into());
    }
    if text.contains("code=") || text.contains("error=") {
        let target = text.find('?').map_or(text, |i| &text[i..]);
        return loopback::parse_target(target, state);
    }
    if text.contains("://") {
        return Err(
            "that URL carries no code: paste the whole address the browser ended on".into(),
        );
    }
    // Google's codes are URL-safe text such as "4/0AeaYSHB…".
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.~+".contains(c))
    {
        return Err("that is neither the address the browser ended on nor a code".into());
    }
    Ok(Callback::Code(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints() -> Endpoints {
        Endpoints {
            auth_uri: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token_uri: "https://oauth2.googleapis.com/token".into(),
            revoke_uri: "https://oauth2.googleapis.com/revoke".into(),
        }
    }

    #[test]
    fn authorize_url_carries_pkce_state_offline_and_least_scopes() {
        let ep = endpoints();
        let req = AuthorizeRequest {
            endpoints: &ep,
            client_id: "id.apps.googleusercontent.com",
            redirect_uri: "http://127.0.0.1:4567/",
            challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            state: "st4te",
            login_hint: Some("alex@example.com"),
            consent: false,
        };
        let url = url::Url::parse(&req.url()).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(
            q["code_challenge"],
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(q["state"], "st4te");
        assert_eq!(q["access_type"], "offline");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:4567/");
        assert_eq!(
            q["scope"],
            "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events.freebusy"
        );
        assert!(
            !q.contains_key("prompt"),
            "no consent prompt when a refresh token exists"
        );
        let consent = AuthorizeRequest {
            consent: true,
            ..req
        };
        assert!(consent.url().contains("prompt=consent"));
    }

    #[test]
    fn pasted_urls_are_checked_and_bare_codes_accepted() {
        let url = "http://127.0.0.1:4567/?state=s1&code=4/0Abc&scope=x";
        assert_eq!(pasted(url, "s1").unwrap(), Callback::Code("4/0Abc".into()));
        assert!(pasted(url, "s2").unwrap_err().contains("another sign-in"));
        assert_eq!(
            pasted("4/0Abc", "s1").unwrap(),
            Callback::Code("4/0Abc".into())
        );
        assert!(pasted("", "s1").unwrap_err().contains("nothing"));
        assert!(pasted("http://127.0.0.1:4567/", "s1")
            .unwrap_err()
            .contains("no code"));
        assert!(pasted("I clicked Allow", "s1")
            .unwrap_err()
            .contains("neither"));
    }

    fn token() -> TokenInfo {
        TokenInfo {
            access_token: Some("ya29.a".into()),
            refresh_token: None,
            expires_at: None,
            id_token: None,
        }
    }

    /// After the deadline a wrong paste ends the login (with how to start again), and so does
    /// input that ends; a right paste is still taken.
    #[tokio::test]
    async fn after_the_deadline_a_wrong_paste_ends_the_login() {
        let past = Instant::now();
        let accept = |_: String| async { Ok(token()) };
        let mut out = Vec::new();
        let e = paste_until(
            &mut "I clicked Allow\n".as_bytes(),
            &mut out,
            "s1",
            past,
            accept,
        )
        .await
        .unwrap_err();
        assert!(
            e.contains("neither") && e.contains("run meetty login --no-browser again"),
            "{e}"
        );
        let later = past + Duration::from_secs(60);
        let e = paste_until(&mut "\n".as_bytes(), &mut out, "s1", later, accept)
            .await
            .unwrap_err();
        assert!(e.contains("input ended"), "{e}");
        let right = "http://127.0.0.1:4567/?state=s1&code=4/0Abc\n";
        assert!(
            paste_until(&mut right.as_bytes(), &mut out, "s1", past, accept)
                .await
                .is_ok()
        );
    }

    #[test]
    fn oauth_errors_say_what_to_do() {
        let e = explain_oauth_error(400, br#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#);
        assert!(
            e.contains("invalid_grant") && e.contains("7 days") && e.contains("meetty login"),
            "{e}"
        );
        let e = explain_oauth_error(502, b"<html>");
        assert_eq!(e, "the token endpoint answered HTTP 502");
    }
}
