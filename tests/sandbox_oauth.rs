//! The sandbox's Google OAuth endpoints over real HTTP: authorization with a loopback
//! redirect and PKCE, the token grants, revocation, and what the Calendar API then accepts.

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::{http as send, Response};
use meetty::sandbox::{Sandbox, Seed};
use serde_json::Value;
use url::Url;

mod common;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://127.0.0.1:53682/";
const STATE: &str = "xyz ABC/+=&%";
const SCOPES: &str = "https://www.googleapis.com/auth/calendar.events \
                      https://www.googleapis.com/auth/calendar.calendarlist.readonly \
                      https://www.googleapis.com/auth/calendar.events.freebusy";

/// A query or form parameter.
type Param<'a> = (&'a str, &'a str);

/// What the OAuth endpoints answer, read as a client would.
trait OAuthAnswer {
    /// The query of the redirect, as the app's loopback listener would read it.
    fn redirect(&self) -> Vec<(String, String)>;
    fn error(&self) -> (u16, String, String);
}

impl OAuthAnswer for Response {
    fn redirect(&self) -> Vec<(String, String)> {
        assert_eq!(self.status, 302, "{}", self.text());
        let location = self.headers["location"].to_str().unwrap();
        assert!(location.starts_with(REDIRECT), "{location}");
        Url::parse(location)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    fn error(&self) -> (u16, String, String) {
        let v = self.json();
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        (self.status, text("error"), text("error_description"))
    }
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn encode(pairs: &[Param<'_>]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post_form(url: &str, pairs: &[Param<'_>]) -> Response {
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    send("POST", url, &form, &encode(pairs)).await
}

async fn sandbox() -> Sandbox {
    common::sandbox(Seed::Empty).await
}

/// What meetty sends: offline access, PKCE S256, a state; `changes` replace or add (an empty
/// value removes the parameter).
async fn authorize(sandbox: &Sandbox, changes: &[Param<'_>]) -> Response {
    let client_id = sandbox.client_id();
    let mut pairs = vec![
        ("client_id", client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", SCOPES),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("state", STATE),
        ("access_type", "offline"),
    ];
    for (name, value) in changes {
        pairs.retain(|(k, _)| k != name);
        if !value.is_empty() {
            pairs.push((name, value));
        }
    }
    let url = format!("{}?{}", sandbox.auth_url(), encode(&pairs));
    send("GET", &url, &[], "").await
}

async fn code(sandbox: &Sandbox, changes: &[Param<'_>]) -> String {
    let query = authorize(sandbox, changes).await.redirect();
    get(&query, "code").expect("a code").to_string()
}

/// The authorization-code exchange; `changes` as for [`authorize`].
async fn exchange(sandbox: &Sandbox, code: &str, changes: &[Param<'_>]) -> Response {
    let (id, secret) = (sandbox.client_id(), sandbox.client_secret());
    let mut pairs = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    for (name, value) in changes {
        pairs.retain(|(k, _)| k != name);
        if !value.is_empty() {
            pairs.push((name, value));
        }
    }
    post_form(&sandbox.token_url(), &pairs).await
}

async fn refresh(sandbox: &Sandbox, refresh_token: &str) -> Response {
    let (id, secret) = (sandbox.client_id(), sandbox.client_secret());
    let pairs = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    post_form(&sandbox.token_url(), &pairs).await
}

/// The full sign-in: returns the token response.
async fn sign_in(sandbox: &Sandbox, changes: &[Param<'_>]) -> Value {
    let code = code(sandbox, changes).await;
    let res = exchange(sandbox, &code, &[]).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

async fn calendar_status(sandbox: &Sandbox, path: &str, token: &str) -> u16 {
    let url = format!("{}{path}", sandbox.base_url());
    let bearer = format!("Bearer {token}");
    send("GET", &url, &[("Authorization", &bearer)], "")
        .await
        .status
}

async fn free_busy(sandbox: &Sandbox, token: &str) -> Response {
    let url = format!("{}freeBusy", sandbox.base_url());
    let bearer = format!("Bearer {token}");
    let body = r#"{"timeMin":"2026-11-24T00:00:00Z","timeMax":"2026-11-25T00:00:00Z"}"#;
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "application/json"),
    ];
    send("POST", &url, &headers, body).await
}

async fn calendar_list_status(sandbox: &Sandbox, token: &str) -> u16 {
    calendar_status(sandbox, "users/me/calendarList", token).await
}

#[tokio::test]
async fn authorization_code_with_pkce_signs_in_and_calls_the_calendar_api() {
    let sandbox = sandbox().await;
    let query = authorize(&sandbox, &[("login_hint", "alex@example.com")])
        .await
        .redirect();
    assert_eq!(get(&query, "state"), Some(STATE), "state is echoed exactly");
    assert_eq!(get(&query, "scope"), Some(SCOPES));
    let code = get(&query, "code").unwrap();

    let sent = sandbox
        .requests()
        .into_iter()
        .find(|r| r.path == "/o/oauth2/v2/auth")
        .unwrap();
    assert_eq!(sent.param("code_challenge_method"), Some("S256"));
    assert_eq!(sent.param("code_challenge"), Some(CHALLENGE));
    assert_eq!(sent.param("state"), Some(STATE));

    let res = exchange(&sandbox, code, &[]).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let tokens = res.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3599);
    assert_eq!(tokens["scope"], SCOPES);
    assert!(tokens.get("id_token").is_none(), "no openid scope asked");
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    assert!(sandbox.is_refresh_token_valid(refresh_token));
    assert!(sandbox.is_access_token_valid(access));
    assert_eq!(calendar_list_status(&sandbox, access).await, 200);
}

#[tokio::test]
async fn state_is_omitted_when_absent_and_plain_challenges_work() {
    let sandbox = sandbox().await;
    let query = authorize(
        &sandbox,
        &[
            ("state", ""),
            ("code_challenge_method", ""),
            ("code_challenge", VERIFIER),
        ],
    )
    .await
    .redirect();
    assert_eq!(get(&query, "state"), None);
    let res = exchange(&sandbox, get(&query, "code").unwrap(), &[]).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn the_verifier_must_match_and_codes_are_single_use() {
    let sandbox = sandbox().await;
    let code = code(&sandbox, &[]).await;
    let wrong = exchange(&sandbox, &code, &[("code_verifier", &"A".repeat(43))]).await;
    assert_eq!(
        wrong.error(),
        (400, "invalid_grant".into(), "Invalid code verifier.".into())
    );
    let missing = exchange(&sandbox, &code, &[("code_verifier", "")]).await;
    assert_eq!(
        missing.error(),
        (400, "invalid_grant".into(), "Missing code verifier.".into())
    );
    // A failed attempt does not spend the code; a successful one does.
    assert_eq!(exchange(&sandbox, &code, &[]).await.status, 200);
    let reused = exchange(&sandbox, &code, &[]).await;
    assert_eq!(
        (reused.status, reused.error().1.as_str()),
        (400, "invalid_grant")
    );
    let garbage = exchange(&sandbox, "4/not-a-code", &[]).await;
    assert_eq!(
        garbage.error(),
        (400, "invalid_grant".into(), "Malformed auth code.".into())
    );
}

#[tokio::test]
async fn codes_expire() {
    let sandbox = sandbox().await;
    sandbox.set_authorization_code_lifetime(Duration::ZERO);
    let code = code(&sandbox, &[]).await;
    let res = exchange(&sandbox, &code, &[]).await;
    assert_eq!((res.status, res.error().1.as_str()), (400, "invalid_grant"));
}

#[tokio::test]
async fn redirect_uris_must_be_loopback_and_match_at_the_token_endpoint() {
    let sandbox = sandbox().await;
    for bad in ["https://evil.example.com/cb", "urn:ietf:wg:oauth:2.0:oob"] {
        let res = authorize(&sandbox, &[("redirect_uri", bad)]).await;
        assert_eq!(res.status, 400);
        assert!(
            res.headers.get("location").is_none(),
            "never redirect to {bad}"
        );
        assert!(
            res.text().contains("redirect_uri_mismatch"),
            "{}",
            res.text()
        );
    }
    for ok in ["http://localhost:8080", "http://127.0.0.1:1/callback"] {
        let res = authorize(&sandbox, &[("redirect_uri", ok)]).await;
        assert_eq!(res.status, 302, "{ok}: {}", res.text());
    }

    let code = code(&sandbox, &[]).await;
    let other_port = exchange(&sandbox, &code, &[("redirect_uri", "http://127.0.0.1:1/")]).await;
    assert_eq!(
        (other_port.status, other_port.error().1.as_str()),
        (400, "redirect_uri_mismatch")
    );
}

#[tokio::test]
async fn bad_authorization_requests_get_googles_error_pages() {
    let sandbox = sandbox().await;
    let cases: [(&[Param], u16, &str); 5] = [
        (
            &[("client_id", "someone-else.apps.googleusercontent.com")],
            401,
            "invalid_client",
        ),
        (&[("response_type", "")], 400, "invalid_request"),
        (&[("scope", "")], 400, "invalid_request"),
        (
            &[("scope", "https://www.googleapis.com/auth/drive openid")],
            400,
            "invalid_scope",
        ),
        (&[("code_challenge_method", "S512")], 400, "invalid_request"),
    ];
    for (changes, status, error) in cases {
        let res = authorize(&sandbox, changes).await;
        assert_eq!(res.status, status, "{changes:?}");
        assert!(res.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(res.text().contains(error), "{changes:?}: {}", res.text());
    }
}

#[tokio::test]
async fn the_token_endpoint_authenticates_the_client() {
    let sandbox = sandbox().await;
    let code = code(&sandbox, &[]).await;
    let wrong = exchange(&sandbox, &code, &[("client_secret", "guess")]).await;
    assert_eq!(
        wrong.error(),
        (401, "invalid_client".into(), "Unauthorized".into())
    );
    let unknown = exchange(
        &sandbox,
        &code,
        &[("client_id", "x.apps.googleusercontent.com")],
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.error().1.as_str()),
        (401, "invalid_client")
    );

    // HTTP Basic instead of form fields (RFC 6749 §2.3.1) is accepted too.
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{}:{}",
            sandbox.client_id(),
            sandbox.client_secret()
        ))
    );
    let form = encode(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]);
    let headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Authorization", basic.as_str()),
    ];
    let res = send("POST", &sandbox.token_url(), &headers, &form).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn refresh_grants_new_access_tokens_until_the_grant_is_revoked() {
    let sandbox = sandbox().await;
    let tokens = sign_in(&sandbox, &[]).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    sandbox.expire_access_tokens();
    assert_eq!(
        calendar_list_status(&sandbox, tokens["access_token"].as_str().unwrap()).await,
        401
    );

    let res = refresh(&sandbox, refresh_token).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let fresh = res.json();
    assert!(
        fresh.get("refresh_token").is_none(),
        "Google does not rotate"
    );
    assert_eq!(fresh["scope"], SCOPES);
    let access = fresh["access_token"].as_str().unwrap();
    assert_eq!(calendar_list_status(&sandbox, access).await, 200);

    // The pre-issued pair refreshes the same way.
    assert_eq!(
        refresh(&sandbox, &sandbox.refresh_token()).await.status,
        200
    );

    sandbox.revoke_refresh_tokens();
    assert!(!sandbox.is_refresh_token_valid(refresh_token));
    assert_eq!(
        refresh(&sandbox, refresh_token).await.error(),
        (
            400,
            "invalid_grant".into(),
            "Token has been expired or revoked.".into()
        )
    );
}

#[tokio::test]
async fn access_tokens_expire_by_time() {
    let sandbox = sandbox().await;
    sandbox.set_access_token_lifetime(Duration::ZERO);
    let tokens = sign_in(&sandbox, &[]).await;
    assert_eq!(tokens["expires_in"], 0);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(calendar_list_status(&sandbox, access).await, 401);
}

#[tokio::test]
async fn revoking_an_access_token_revokes_its_refresh_token_too() {
    let sandbox = sandbox().await;
    let tokens = sign_in(&sandbox, &[]).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();

    let res = post_form(&sandbox.revoke_url(), &[("token", access)]).await;
    assert_eq!((res.status, res.json()), (200, serde_json::json!({})));
    assert_eq!(sandbox.revoked_tokens(), vec![access.to_string()]);
    assert_eq!(calendar_list_status(&sandbox, access).await, 401);
    assert!(!sandbox.is_refresh_token_valid(refresh_token));
    assert_eq!(refresh(&sandbox, refresh_token).await.status, 400);

    let again = post_form(&sandbox.revoke_url(), &[("token", access)]).await;
    assert_eq!(
        again.error(),
        (
            400,
            "invalid_token".into(),
            "Token expired or revoked".into()
        )
    );
    // The still-valid pre-issued token belongs to another grant.
    assert_eq!(
        calendar_list_status(&sandbox, &sandbox.access_token()).await,
        200
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_in_the_query_ends_its_access_tokens() {
    let sandbox = sandbox().await;
    let tokens = sign_in(&sandbox, &[]).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let refreshed = refresh(&sandbox, refresh_token).await.json();
    let url = format!(
        "{}?{}",
        sandbox.revoke_url(),
        encode(&[("token", refresh_token)])
    );
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    assert_eq!(send("POST", &url, &headers, "").await.status, 200);
    for access in [&tokens["access_token"], &refreshed["access_token"]] {
        assert_eq!(
            calendar_list_status(&sandbox, access.as_str().unwrap()).await,
            401
        );
    }
    assert_eq!(sandbox.revoked_tokens(), vec![refresh_token.to_string()]);
}

#[tokio::test]
async fn a_refresh_token_comes_only_with_the_first_consent_or_prompt_consent() {
    let sandbox = sandbox().await;
    let first = sign_in(&sandbox, &[]).await;
    assert!(first["refresh_token"].is_string());

    let again = authorize(&sandbox, &[]).await.redirect();
    assert_eq!(get(&again, "prompt"), Some("none"), "no consent screen");
    let second = exchange(&sandbox, get(&again, "code").unwrap(), &[]).await;
    assert!(second.json().get("refresh_token").is_none());

    let forced = sign_in(&sandbox, &[("prompt", "consent")]).await;
    assert!(forced["refresh_token"].is_string());
    assert_ne!(forced["refresh_token"], first["refresh_token"]);
    assert!(sandbox.is_refresh_token_valid(first["refresh_token"].as_str().unwrap()));

    let online = sign_in(
        &sandbox,
        &[("prompt", "consent"), ("access_type", "online")],
    )
    .await;
    assert!(online.get("refresh_token").is_none());

    // After the user removes access, signing in is a first consent again.
    sandbox.revoke_refresh_tokens();
    assert!(sign_in(&sandbox, &[]).await["refresh_token"].is_string());
}

#[tokio::test]
async fn a_user_who_cancels_is_redirected_with_access_denied() {
    let sandbox = sandbox().await;
    sandbox.set_denies_consent(true);
    let query = authorize(&sandbox, &[]).await.redirect();
    assert_eq!(get(&query, "error"), Some("access_denied"));
    assert_eq!(get(&query, "state"), Some(STATE));
    assert_eq!(get(&query, "code"), None);

    sandbox.set_denies_consent(false);
    let query = authorize(&sandbox, &[]).await.redirect();
    assert!(get(&query, "code").is_some());
}

#[tokio::test]
async fn tokens_only_reach_what_their_scopes_grant() {
    let sandbox = sandbox().await;
    let list_only = "https://www.googleapis.com/auth/calendar.calendarlist.readonly";
    let tokens = sign_in(&sandbox, &[("scope", list_only)]).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(calendar_list_status(&sandbox, access).await, 200);
    let url = format!("{}calendars/primary/events", sandbox.base_url());
    let bearer = format!("Bearer {access}");
    let res = send("GET", &url, &[("Authorization", &bearer)], "").await;
    assert_eq!(res.status, 403);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );

    // freebusy.query takes an availability scope (or a whole-calendar one), not
    // `calendar.events`: a sign-in from before find a time cannot ask it.
    let before = "https://www.googleapis.com/auth/calendar.events \
                  https://www.googleapis.com/auth/calendar.calendarlist.readonly";
    let old = sign_in(&sandbox, &[("scope", before)]).await;
    let res = free_busy(&sandbox, old["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status, 403);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );
    let now = sign_in(&sandbox, &[]).await;
    let res = free_busy(&sandbox, now["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn openid_scopes_add_an_id_token_for_the_seeded_account() {
    let sandbox = sandbox().await;
    let scope = format!("openid email {SCOPES}");
    let tokens = sign_in(&sandbox, &[("scope", &scope)]).await;
    let jwt = tokens["id_token"].as_str().unwrap();
    let claims = jwt.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["email"], "alex@example.com");
    assert_eq!(claims["aud"], sandbox.client_id());
}

#[tokio::test]
async fn credentials_json_is_a_desktop_client_pointing_at_the_sandbox() {
    let sandbox = sandbox().await;
    let file: Value = serde_json::from_str(&sandbox.credentials_json()).unwrap();
    let installed = &file["installed"];
    assert_eq!(installed["client_id"], sandbox.client_id());
    assert_eq!(installed["client_secret"], sandbox.client_secret());
    assert_eq!(installed["auth_uri"], sandbox.auth_url());
    assert_eq!(installed["token_uri"], sandbox.token_url());
    assert_eq!(installed["redirect_uris"][0], "http://localhost");
    assert!(installed["project_id"].is_string());
    assert!(installed["auth_provider_x509_cert_url"].is_string());
}
