//! The sandbox's JWT bearer grant for service accounts over real HTTP: assertions signed here
//! with the test-only RSA keys, exchanged at `/token`, refused with Google's codes and
//! descriptions, and the tokens' reach in the Calendar API (a delegated `sub`'s calendars, or
//! the service account's own empty one).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::{http as send, Response};
use meetty::sandbox::{Sandbox, Seed, ACCOUNT};
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Value};

mod common;

const SERVICE_ACCOUNT: &str = "meetty-bot@meetty-tests.iam.gserviceaccount.com";
const CLIENT_ID: &str = "104650279463529861234";
const EVENTS: &str = "https://www.googleapis.com/auth/calendar.events";
const CALENDAR_LIST: &str = "https://www.googleapis.com/auth/calendar.calendarlist.readonly";
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";

const BAD_TIMES: &str = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a \
                         reasonable timeframe. Check your iat and exp values in the JWT claim.";
const NOT_DELEGATED: &str = "Unauthorized client or scope in request.";
const SCOPE_NOT_DELEGATED: &str = "Client is unauthorized to retrieve access tokens using this \
                                   method, or client not authorized for any of the scopes \
                                   requested.";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A sandbox that knows the service account (test key 1) and has delegated it both scopes.
async fn sandbox() -> Sandbox {
    let sandbox = common::sandbox(Seed::Empty).await;
    sandbox.register_service_account(SERVICE_ACCOUNT, CLIENT_ID, &common::service_account_pem(1));
    sandbox.grant_delegation(CLIENT_ID, &[EVENTS, CALENDAR_LIST]);
    sandbox
}

/// The claims a client sends for `sub` (none when `None`), valid for an hour from now.
fn claims(sandbox: &Sandbox, sub: Option<&str>) -> Value {
    let now = now();
    let mut claims = json!({
        "iss": SERVICE_ACCOUNT,
        "scope": format!("{EVENTS} {CALENDAR_LIST}"),
        "aud": sandbox.token_url(),
        "iat": now,
        "exp": now + 3600,
    });
    if let Some(sub) = sub {
        claims["sub"] = json!(sub);
    }
    claims
}

/// The DER of test key 1 or 2, from its PEM.
fn private_key(key: u8) -> Vec<u8> {
    let pem = common::service_account_pem(key);
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// A compact JWS over `claims` signed with RS256 by test key `key`, as Google's guide builds it.
fn sign(claims: &Value, key: u8) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": format!("{key:040x}") });
    let signed = format!("{}.{}", part(&header), part(claims));
    let pair = RsaKeyPair::from_pkcs8(&private_key(key)).unwrap();
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signed.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

async fn exchange(sandbox: &Sandbox, pairs: &[(&str, &str)]) -> Response {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let content_type = [("Content-Type", "application/x-www-form-urlencoded")];
    send("POST", &sandbox.token_url(), &content_type, &form).await
}

async fn grant(sandbox: &Sandbox, assertion: &str) -> Response {
    exchange(
        sandbox,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ],
    )
    .await
}

/// The access token for `claims` signed with key 1; fails the test on a refusal.
async fn token(sandbox: &Sandbox, claims: &Value) -> String {
    let res = grant(sandbox, &sign(claims, 1)).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["access_token"].as_str().unwrap().to_string()
}

async fn calendar(
    sandbox: &Sandbox,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Response {
    let auth = format!("Bearer {token}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    send(
        method,
        &format!("{}{path}", sandbox.base_url()),
        &headers,
        body,
    )
    .await
}

/// The summaries of the events on the token's primary calendar.
async fn titles(sandbox: &Sandbox, token: &str) -> Vec<String> {
    let res = calendar(sandbox, "GET", "calendars/primary/events", token, "").await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn insert(sandbox: &Sandbox, token: &str, title: &str) {
    let event = json!({
        "summary": title,
        "start": { "dateTime": "2030-03-04T10:00:00Z", "timeZone": "UTC" },
        "end": { "dateTime": "2030-03-04T10:30:00Z", "timeZone": "UTC" },
    });
    let res = calendar(
        sandbox,
        "POST",
        "calendars/primary/events",
        token,
        &event.to_string(),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn a_signed_assertion_gets_a_bearer_token_without_refresh_token() {
    let sandbox = sandbox().await;
    let res = grant(&sandbox, &sign(&claims(&sandbox, Some(BOB)), 1)).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    let mut fields: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["access_token", "expires_in", "token_type"]);
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().unwrap();
    assert!(sandbox.is_access_token_valid(access));
    assert_eq!(sandbox.token_user(access).as_deref(), Some(BOB));

    // Google's own token URI is an audience as good as the endpoint's address.
    let mut google_aud = claims(&sandbox, Some(BOB));
    google_aud["aud"] = json!(GOOGLE_TOKEN_URI);
    token(&sandbox, &google_aud).await;
}

/// yup-oauth2's service-account flow, which meetty signs in with, is what the sandbox must
/// accept as Google does (it pads its base64 and sends `"sub": null` without a subject).
async fn yup_token(sandbox: &Sandbox, subject: Option<&str>) -> String {
    let json = common::service_account_json(&sandbox.token_url(), SERVICE_ACCOUNT, CLIENT_ID, 1);
    let key: yup_oauth2::ServiceAccountKey = serde_json::from_str(&json).unwrap();
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<String>();
    let mut builder = yup_oauth2::ServiceAccountAuthenticator::with_client(
        key,
        yup_oauth2::CustomHyperClientBuilder::from(http),
    );
    if let Some(subject) = subject {
        builder = builder.subject(subject);
    }
    let auth = builder.build().await.unwrap();
    let token = auth.token(&[EVENTS, CALENDAR_LIST]).await.unwrap();
    token.token().unwrap().to_string()
}

#[tokio::test]
async fn yup_oauth2s_assertions_are_accepted() {
    let sandbox = sandbox().await;
    let bob = yup_token(&sandbox, Some(BOB)).await;
    assert_eq!(sandbox.token_user(&bob).as_deref(), Some(BOB));
    let own = yup_token(&sandbox, None).await;
    assert_eq!(sandbox.token_user(&own).as_deref(), Some(SERVICE_ACCOUNT));

    // What went over the wire: the grant type and an assertion with Google's claims.
    let sent = common::sent(&sandbox, "POST", "/token");
    let form = sent[0].body.as_ref().unwrap();
    assert_eq!(
        form["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    let assertion = form["assertion"].as_str().unwrap();
    let claims = assertion.split('.').nth(1).unwrap().trim_end_matches('=');
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["iss"], SERVICE_ACCOUNT);
    assert_eq!(claims["sub"], BOB);
    assert_eq!(claims["aud"], sandbox.token_url());
    assert_eq!(claims["scope"], format!("{EVENTS} {CALENDAR_LIST}"));
}

#[tokio::test]
async fn delegated_tokens_reach_only_their_subjects_calendars() {
    let sandbox = sandbox().await;
    let bob = token(&sandbox, &claims(&sandbox, Some(BOB))).await;
    let carol = token(&sandbox, &claims(&sandbox, Some(CAROL))).await;
    let alex = sandbox.access_token();

    insert(&sandbox, &bob, "Bob's booking").await;
    insert(&sandbox, &carol, "Carol's booking").await;
    insert(&sandbox, &alex, "Alex's standup").await;

    assert_eq!(titles(&sandbox, &bob).await, ["Bob's booking"]);
    assert_eq!(titles(&sandbox, &carol).await, ["Carol's booking"]);
    assert_eq!(titles(&sandbox, &alex).await, ["Alex's standup"]);

    // Bob's primary calendar is his own, named by his address.
    let list = calendar(&sandbox, "GET", "users/me/calendarList", &bob, "").await;
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["id"], BOB);
    assert_eq!(items[0]["primary"], true);
    assert_eq!(items[0]["accessRole"], "owner");
    let direct = sandbox.with_user_store(BOB, |store| store.events(BOB).len());
    assert_eq!(direct, 1);

    // An address is the same user in any case.
    let shouting = token(&sandbox, &claims(&sandbox, Some("Bob@Example.COM"))).await;
    assert_eq!(sandbox.token_user(&shouting).as_deref(), Some(BOB));
    assert_eq!(titles(&sandbox, &shouting).await, ["Bob's booking"]);

    // Carol's calendar is not Bob's to read, by id either.
    let res = calendar(
        &sandbox,
        "GET",
        &format!("calendars/{CAROL}/events"),
        &bob,
        "",
    )
    .await;
    assert_eq!(res.status, 404, "{}", res.text());

    // Delegation to the seeded account reaches the calendars every other flow uses.
    let as_alex = token(&sandbox, &claims(&sandbox, Some(ACCOUNT))).await;
    assert_eq!(sandbox.token_user(&as_alex).as_deref(), Some(ACCOUNT));
    assert_eq!(titles(&sandbox, &as_alex).await, ["Alex's standup"]);
}

#[tokio::test]
async fn without_sub_the_token_sees_the_service_accounts_own_empty_calendar() {
    let sandbox = common::sandbox(Seed::Empty).await;
    // No delegation: acting as itself needs none.
    sandbox.register_service_account(SERVICE_ACCOUNT, CLIENT_ID, &common::service_account_pem(1));
    let own = token(&sandbox, &claims(&sandbox, None)).await;
    assert_eq!(sandbox.token_user(&own).as_deref(), Some(SERVICE_ACCOUNT));

    let list = calendar(&sandbox, "GET", "users/me/calendarList", &own, "").await;
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["id"], SERVICE_ACCOUNT);
    assert_eq!(items[0]["summary"], SERVICE_ACCOUNT);
    assert_eq!(items[0]["primary"], true);

    insert(&sandbox, &sandbox.access_token(), "Alex's standup").await;
    assert!(titles(&sandbox, &own).await.is_empty());
    insert(&sandbox, &own, "Robot's own").await;
    assert_eq!(titles(&sandbox, &own).await, ["Robot's own"]);
    assert_eq!(
        titles(&sandbox, &sandbox.access_token()).await,
        ["Alex's standup"]
    );

    // `sub` naming the service account itself is the same as no `sub`.
    let itself = token(&sandbox, &claims(&sandbox, Some(SERVICE_ACCOUNT))).await;
    assert_eq!(titles(&sandbox, &itself).await, ["Robot's own"]);
}

/// `(status, error, error_description)` of a refusal, after checking it issued no token.
fn refusal(res: &Response) -> (u16, String, String) {
    let body = res.json();
    assert!(body.get("access_token").is_none(), "{body}");
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    (res.status, text("error"), text("error_description"))
}

fn expect(status: u16, error: &str, description: &str) -> (u16, String, String) {
    (status, error.to_string(), description.to_string())
}

#[tokio::test]
async fn bad_assertions_are_refused_with_googles_codes() {
    let sandbox = sandbox().await;
    let now = now();
    let with = |changes: Value| {
        let mut claims = claims(&sandbox, Some(BOB));
        for (k, v) in changes.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    };
    let signed = |changes: Value| sign(&with(changes), 1);
    let invalid_grant = |d: &str| expect(400, "invalid_grant", d);
    let header =
        |alg: &str| URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "typ": "JWT" }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(with(json!({})).to_string());
    let cases = [
        (
            "signed with key 2 while key 1 is registered",
            sign(&with(json!({})), 2),
            invalid_grant("Invalid JWT Signature."),
        ),
        (
            "expired",
            signed(json!({ "iat": now - 7200, "exp": now - 3600 })),
            invalid_grant(BAD_TIMES),
        ),
        (
            "living longer than an hour",
            signed(json!({ "iat": now, "exp": now + 3601 })),
            invalid_grant(BAD_TIMES),
        ),
        (
            "issued in the future",
            signed(json!({ "iat": now + 3600, "exp": now + 3700 })),
            invalid_grant(BAD_TIMES),
        ),
        (
            "without exp",
            signed(json!({ "exp": null })),
            invalid_grant(BAD_TIMES),
        ),
        (
            "for another audience",
            signed(json!({ "aud": "https://example.com/token" })),
            invalid_grant("Invalid JWT: Failed audience check."),
        ),
        (
            "from an unknown service account",
            signed(json!({ "iss": "stranger@meetty-tests.iam.gserviceaccount.com" })),
            invalid_grant("Invalid grant: account not found"),
        ),
        (
            "for a free Gmail user",
            signed(json!({ "sub": "someone@gmail.com" })),
            expect(401, "unauthorized_client", NOT_DELEGATED),
        ),
        (
            "for a user of another domain",
            signed(json!({ "sub": "dana@other-company.example" })),
            expect(401, "unauthorized_client", NOT_DELEGATED),
        ),
        (
            "for a sub that is no e-mail address",
            signed(json!({ "sub": "bob" })),
            invalid_grant("Not a valid email."),
        ),
        (
            "for a scope not delegated",
            signed(
                json!({ "scope": format!("{EVENTS} https://www.googleapis.com/auth/calendar") }),
            ),
            expect(401, "unauthorized_client", SCOPE_NOT_DELEGATED),
        ),
        (
            "for a scope Google does not know",
            signed(json!({ "scope": "https://www.googleapis.com/auth/drive.everything" })),
            expect(
                400,
                "invalid_scope",
                "Invalid OAuth scope or ID token audience provided.",
            ),
        ),
        (
            "for no scope",
            signed(json!({ "scope": "" })),
            expect(
                400,
                "invalid_scope",
                "Invalid OAuth scope or ID token audience provided.",
            ),
        ),
        (
            "malformed",
            "not-a-jwt".to_string(),
            invalid_grant("Invalid JWT Signature."),
        ),
        (
            "unsigned (alg none)",
            format!("{}.{payload}.", header("none")),
            invalid_grant("Invalid JWT Signature."),
        ),
    ];
    for (what, assertion, expected) in cases {
        let res = grant(&sandbox, &assertion).await;
        assert_eq!(refusal(&res), expected, "an assertion {what}");
    }

    let missing = exchange(
        &sandbox,
        &[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")],
    )
    .await;
    assert_eq!(
        refusal(&missing),
        expect(
            400,
            "invalid_request",
            "Missing required parameter: assertion"
        )
    );
}

#[tokio::test]
async fn a_client_without_delegation_cannot_act_as_a_user() {
    let sandbox = sandbox().await;
    let other = "other-bot@meetty-tests.iam.gserviceaccount.com";
    sandbox.register_service_account(
        other,
        "104650279463529869999",
        &common::service_account_pem(2),
    );
    let mut claims = claims(&sandbox, Some(BOB));
    claims["iss"] = json!(other);
    let res = grant(&sandbox, &sign(&claims, 2)).await;
    assert_eq!(
        refusal(&res),
        expect(401, "unauthorized_client", NOT_DELEGATED)
    );

    // Granting it the scopes is all it takes.
    sandbox.grant_delegation("104650279463529869999", &[EVENTS, CALENDAR_LIST]);
    let res = grant(&sandbox, &sign(&claims, 2)).await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn a_service_account_token_stops_working_when_it_expires() {
    let sandbox = sandbox().await;
    let res = grant(&sandbox, &sign(&claims(&sandbox, None), 1)).await;
    assert_eq!(res.json()["expires_in"], 3599);
    let first = res.json()["access_token"].as_str().unwrap().to_string();
    assert!(titles(&sandbox, &first).await.is_empty());

    sandbox.expire_access_tokens();
    let res = calendar(&sandbox, "GET", "calendars/primary/events", &first, "").await;
    assert_eq!(res.status, 401, "{}", res.text());
    assert_eq!(sandbox.token_user(&first), None);

    // There is no refresh token: a new assertion brings a new token.
    let second = token(&sandbox, &claims(&sandbox, None)).await;
    assert_ne!(second, first);
    assert!(titles(&sandbox, &second).await.is_empty());
}

/// The events.insert reference: "Service accounts need to use domain-wide delegation of
/// authority to populate the attendee list"; Google answers 403 `forbiddenForServiceAccounts`.
#[tokio::test]
async fn a_service_account_acting_as_itself_cannot_invite_attendees() {
    let sandbox = sandbox().await;
    let guests = json!([{ "email": BOB }]);
    let event = json!({
        "summary": "Robot's invite",
        "start": { "dateTime": "2030-03-04T10:00:00Z", "timeZone": "UTC" },
        "end": { "dateTime": "2030-03-04T10:30:00Z", "timeZone": "UTC" },
        "attendees": guests,
    });
    let own = token(&sandbox, &claims(&sandbox, None)).await;
    let path = "calendars/primary/events";
    let res = calendar(&sandbox, "POST", path, &own, &event.to_string()).await;
    assert_eq!(res.status, 403, "{}", res.text());
    let error = &res.json()["error"];
    assert_eq!(error["errors"][0]["reason"], "forbiddenForServiceAccounts");
    assert_eq!(error["errors"][0]["domain"], "calendar");
    assert_eq!(
        error["message"],
        "Service accounts cannot invite attendees without Domain-Wide Delegation of Authority."
    );
    assert!(titles(&sandbox, &own).await.is_empty(), "nothing was made");

    // Its own meeting without guests is fine; adding guests by patch is refused too.
    insert(&sandbox, &own, "Robot's own").await;
    let listed = calendar(&sandbox, "GET", path, &own, "").await.json();
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    let patch = json!({ "attendees": guests }).to_string();
    let res = calendar(&sandbox, "PATCH", &format!("{path}/{id}"), &own, &patch).await;
    assert_eq!(res.status, 403, "{}", res.text());
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "forbiddenForServiceAccounts"
    );
    let patch = json!({ "summary": "Robot's renamed" }).to_string();
    let res = calendar(&sandbox, "PATCH", &format!("{path}/{id}"), &own, &patch).await;
    assert_eq!(res.status, 200, "{}", res.text());

    // Acting for a user of the domain (delegation), the same invite is made.
    let as_carol = token(&sandbox, &claims(&sandbox, Some(CAROL))).await;
    let res = calendar(&sandbox, "POST", path, &as_carol, &event.to_string()).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(titles(&sandbox, &as_carol).await, ["Robot's invite"]);
}

#[tokio::test]
async fn a_revoked_service_account_token_stops_working() {
    let sandbox = sandbox().await;
    let bob = token(&sandbox, &claims(&sandbox, Some(BOB))).await;
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let res = send(
        "POST",
        &sandbox.revoke_url(),
        &form,
        &format!("token={bob}"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(sandbox.revoked_tokens(), std::slice::from_ref(&bob));
    let res = calendar(&sandbox, "GET", "calendars/primary/events", &bob, "").await;
    assert_eq!(res.status, 401, "{}", res.text());
    // The seeded account's sign-in is untouched.
    assert!(sandbox.is_access_token_valid(&sandbox.access_token()));
    assert!(sandbox.is_refresh_token_valid(&sandbox.refresh_token()));
}
