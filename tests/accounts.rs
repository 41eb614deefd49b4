//! Two Google accounts in one sandbox, the work one ([`ACCOUNT`]) and the same person's personal
//! Gmail ([`PERSONAL_ACCOUNT`]): signing in as either through the browser flow (`login_hint`
//! picks the user, as Google's account chooser would), each token acting for its own user only,
//! one user's revocation leaving the other's grant working, and the real binary signing both in.

use common::{http, Response};
use meetty::sandbox::{Sandbox, ACCOUNT, CLIMBING_CALENDAR, FAMILY_CALENDAR, PERSONAL_ACCOUNT};
use serde_json::Value;

mod common;

const REDIRECT: &str = "http://127.0.0.1:53682/";
const CALENDAR_SCOPES: &str = "https://www.googleapis.com/auth/calendar.events \
                               https://www.googleapis.com/auth/calendar.calendarlist.readonly";

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The browser step: the authorize URL with `login_hint` (when given) and the code Google
/// redirects back with.
async fn authorize(sandbox: &Sandbox, login_hint: Option<&str>, scope: &str) -> String {
    let mut pairs = vec![
        ("client_id", sandbox.client_id()),
        ("redirect_uri", REDIRECT.to_string()),
        ("response_type", "code".into()),
        ("scope", scope.to_string()),
        ("access_type", "offline".into()),
    ];
    if let Some(hint) = login_hint {
        pairs.push(("login_hint", hint.to_string()));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = format!("{}?{}", sandbox.auth_url(), form(&pairs));
    let answer = http("GET", &url, &[], "").await;
    assert_eq!(answer.status, 302, "{}", answer.text());
    let location = answer.headers["location"].to_str().unwrap();
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {location}"))
}

async fn token(sandbox: &Sandbox, pairs: &[(&str, &str)]) -> Response {
    let secret = sandbox.client_secret();
    let id = sandbox.client_id();
    let mut all = vec![("client_id", id.as_str()), ("client_secret", secret.as_str())];
    all.extend_from_slice(pairs);
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    http("POST", &sandbox.token_url(), &headers, &form(&all)).await
}

/// Signs in at the browser as `login_hint`'s user (the seeded account without one) and
/// trades the code: the token endpoint's answer.
async fn sign_in(sandbox: &Sandbox, login_hint: Option<&str>, scope: &str) -> Value {
    let code = authorize(sandbox, login_hint, scope).await;
    let answer = token(
        sandbox,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

async fn refresh(sandbox: &Sandbox, refresh_token: &str) -> Response {
    let pairs = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    token(sandbox, &pairs).await
}

/// `calendarList.list` with `access_token`: the status and the calendar ids.
async fn calendars(sandbox: &Sandbox, access_token: &str) -> (u16, Vec<String>) {
    let url = format!("{}users/me/calendarList", sandbox.base_url());
    let bearer = format!("Bearer {access_token}");
    let answer = http("GET", &url, &[("authorization", &bearer)], "").await;
    let ids = answer.json()["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (answer.status, ids)
}

/// The claims of an ID token (the sandbox's signature is a placeholder; only the claims count).
fn claims(id_token: &str) -> Value {
    use base64::Engine;
    let part = id_token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn access(answer: &Value) -> String {
    answer["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn login_hint_signs_in_as_that_user_and_every_token_of_the_grant_acts_for_them() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    let scope = format!("openid email {CALENDAR_SCOPES}");

    let personal = sign_in(&sandbox, Some(PERSONAL_ACCOUNT), &scope).await;
    let id = claims(personal["id_token"].as_str().unwrap());
    assert_eq!(id["email"], PERSONAL_ACCOUNT);
    let (status, ids) = calendars(&sandbox, &access(&personal)).await;
    assert_eq!(status, 200);
    // meetty learns who signed in from the primary calendar, whose id is the address.
    assert_eq!(ids, [PERSONAL_ACCOUNT, FAMILY_CALENDAR, CLIMBING_CALENDAR]);
    let renewed = refresh(&sandbox, personal["refresh_token"].as_str().unwrap()).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text());
    let renewed = renewed.json();
    assert_eq!(
        sandbox.token_user(&access(&renewed)).as_deref(),
        Some(PERSONAL_ACCOUNT)
    );
    assert_eq!(
        claims(renewed["id_token"].as_str().unwrap())["email"],
        PERSONAL_ACCOUNT
    );

    // Without a hint the person at the browser is the seeded account; a hint's case does
    // not make another user.
    let work = sign_in(&sandbox, None, &scope).await;
    let work_id = claims(work["id_token"].as_str().unwrap());
    assert_eq!(work_id["email"], ACCOUNT);
    assert_ne!(work_id["sub"], id["sub"], "each user has their own Google id");
    assert_eq!(calendars(&sandbox, &access(&work)).await.1[0], ACCOUNT);
    let shouted = sign_in(&sandbox, Some("Alex.Rivera@Gmail.com"), &scope).await;
    assert_eq!(
        sandbox.token_user(&access(&shouted)).as_deref(),
        Some(PERSONAL_ACCOUNT)
    );
    assert!(
        shouted.get("refresh_token").is_none(),
        "the same user's second consent, unforced, gives no new refresh token"
    );
}

#[tokio::test]
async fn each_user_consents_and_revokes_on_their_own() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    // The work account's first consent gives a refresh token; the personal one's first
    // consent does too, though the work account consented before it.
    let work = sign_in(&sandbox, Some(ACCOUNT), CALENDAR_SCOPES).await;
    let personal = sign_in(&sandbox, Some(PERSONAL_ACCOUNT), CALENDAR_SCOPES).await;
    let work_refresh = work["refresh_token"].as_str().unwrap();
    let personal_refresh = personal["refresh_token"].as_str().unwrap();

    // The personal account signs out: its grant ends, the work one's goes on.
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let body = form(&[("token", personal_refresh)]);
    let revoked = http("POST", &sandbox.revoke_url(), &headers, &body).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    let refused = refresh(&sandbox, personal_refresh).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["error"], "invalid_grant");
    assert_eq!(calendars(&sandbox, &access(&personal)).await.0, 401);
    assert_eq!(calendars(&sandbox, &access(&work)).await.0, 200);
    assert_eq!(refresh(&sandbox, work_refresh).await.status, 200);

    // Signing in again is a first consent for the personal account only.
    let again = sign_in(&sandbox, Some(PERSONAL_ACCOUNT), CALENDAR_SCOPES).await;
    assert!(again["refresh_token"].is_string(), "{again}");
    let work_again = sign_in(&sandbox, Some(ACCOUNT), CALENDAR_SCOPES).await;
    assert!(work_again.get("refresh_token").is_none(), "{work_again}");
}

#[tokio::test]
async fn a_user_removing_the_apps_access_ends_only_their_tokens() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    let work = sandbox.access_token_for(ACCOUNT);
    let personal = sandbox.access_token_for(PERSONAL_ACCOUNT);
    assert_eq!(work, sandbox.access_token(), "the seeded account's token");
    assert_eq!(personal, sandbox.access_token_for(PERSONAL_ACCOUNT), "stable");
    let personal_refresh = sandbox.refresh_token_for(PERSONAL_ACCOUNT);

    sandbox.revoke_user(PERSONAL_ACCOUNT);
    assert_eq!(calendars(&sandbox, &personal).await.0, 401);
    assert_eq!(
        refresh(&sandbox, &personal_refresh).await.json()["error"],
        "invalid_grant"
    );
    assert_eq!(calendars(&sandbox, &work).await.0, 200);
    assert!(sandbox.is_refresh_token_valid(&sandbox.refresh_token()));
}

#[tokio::test]
async fn access_token_for_reaches_each_users_own_calendars_and_the_shared_event() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    let other = "someone.else@gmail.com";
    let (status, ids) = calendars(&sandbox, &sandbox.access_token_for(other)).await;
    assert_eq!((status, ids), (200, vec![other.to_string()]), "made on first use");

    // The one event both accounts are invited to: one iCalUID, a copy on each primary
    // calendar, each copy's own entry its account's.
    let uid = sandbox.with_store(|s| {
        s.events(ACCOUNT)
            .into_iter()
            .find(|e| e["summary"] == "Jamie's farewell call")
            .map(|e| e["iCalUID"].as_str().unwrap().to_string())
            .unwrap()
    });
    for (user, answer) in [(ACCOUNT, "accepted"), (PERSONAL_ACCOUNT, "tentative")] {
        let url = format!(
            "{}calendars/primary/events?{}",
            sandbox.base_url(),
            form(&[("iCalUID", &uid)])
        );
        let bearer = format!("Bearer {}", sandbox.access_token_for(user));
        let listed = http("GET", &url, &[("authorization", &bearer)], "").await;
        assert_eq!(listed.status, 200, "{}", listed.text());
        let items = listed.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{user}: {items:?}");
        let own: Vec<&Value> = items[0]["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["self"] == true)
            .collect();
        assert_eq!(own.len(), 1, "{user}");
        assert_eq!(own[0]["email"], user);
        assert_eq!(own[0]["responseStatus"], answer);
    }
}
