//! `POST /token`: the `authorization_code` and `refresh_token` grants, with Google's error
//! codes and descriptions; the JWT bearer grant of service accounts is in `jwt.rs`.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::client::{credentials, CLIENT_ID};
use super::jwt::{self, JWT_BEARER};
use super::{oauth_error, param, OAuth};
use crate::sandbox::ids::digest;
use crate::sandbox::seed::ACCOUNT;
use crate::sandbox::server::{RecordedRequest, Reply};

pub(crate) fn token(oauth: &mut OAuth, req: &RecordedRequest) -> Reply {
    let field = |name: &str| param(req, name).filter(|v| !v.is_empty());
    let grant = field("grant_type");
    // A service account authenticates with its signature, not a client id and secret.
    if grant.as_deref() == Some(JWT_BEARER) {
        return jwt::grant(oauth, field("assertion"));
    }
    if !matches!(
        grant.as_deref(),
        Some("authorization_code" | "refresh_token")
    ) {
        let description = format!("Invalid grant_type: {}", grant.unwrap_or_default());
        return oauth_error(400, "unsupported_grant_type", &description);
    }
    if let Err((status, error, description)) = credentials(req, field).check() {
        return oauth_error(status, error, description);
    }
    let result = if grant.as_deref() == Some("refresh_token") {
        refresh(oauth, field("refresh_token"))
    } else {
        exchange(
            oauth,
            field("code"),
            field("redirect_uri"),
            field("code_verifier"),
        )
    };
    match result {
        Ok(body) => Reply::json(200, body),
        Err((error, description)) => oauth_error(400, error, description),
    }
}

type GrantError = (&'static str, &'static str);

fn exchange(
    oauth: &mut OAuth,
    code: Option<String>,
    redirect_uri: Option<String>,
    verifier: Option<String>,
) -> Result<Value, GrantError> {
    let code = code.ok_or(("invalid_request", "Missing required parameter: code"))?;
    let Some(issued) = oauth.codes.get(&code) else {
        return Err(if oauth.spent.contains(&code) {
            ("invalid_grant", "Bad Request")
        } else {
            ("invalid_grant", "Malformed auth code.")
        });
    };
    if Instant::now() >= issued.expiry {
        oauth.codes.remove(&code);
        oauth.spent.insert(code);
        return Err(("invalid_grant", "Bad Request"));
    }
    match redirect_uri {
        None => return Err(("invalid_request", "Missing parameter: redirect_uri")),
        Some(uri) if uri != issued.redirect_uri => {
            return Err(("redirect_uri_mismatch", "Bad Request"))
        }
        Some(_) => {}
    }
    if let Some(challenge) = &issued.challenge {
        match verifier {
            None => return Err(("invalid_grant", "Missing code verifier.")),
            Some(v) if !challenge.accepts(&v) => {
                return Err(("invalid_grant", "Invalid code verifier."))
            }
            Some(_) => {}
        }
    }
    // Only a successful exchange spends the code, so a client can retry a typo'd request.
    let issued = oauth.codes.remove(&code).expect("looked up above");
    oauth.spent.insert(code);
    let refresh = issued
        .with_refresh
        .then(|| oauth.issue_refresh(&issued.scope, &issued.user));
    let mut body = tokens(oauth, &issued.scope, &issued.user, refresh.as_deref());
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
    }
    Ok(body)
}

/// Google does not rotate refresh tokens: the answer has no new one.
fn refresh(oauth: &mut OAuth, refresh_token: Option<String>) -> Result<Value, GrantError> {
    let token = refresh_token.ok_or((
        "invalid_request",
        "Missing required parameter: refresh_token",
    ))?;
    let (scope, user) = oauth
        .refresh
        .get(&token)
        .map(|grant| (grant.scope.clone(), grant.user.clone()))
        .ok_or(("invalid_grant", "Token has been expired or revoked."))?;
    Ok(tokens(oauth, &scope, &user, Some(&token)))
}

/// The answer to a code exchange or a refresh: every token in it acts as `user`, the one who
/// signed in at the browser, including the ID token's `email` (meetty itself learns who signed
/// in from the primary calendar's id, which is that user's address too).
fn tokens(oauth: &mut OAuth, scope: &str, user: &str, refresh: Option<&str>) -> Value {
    let mut body = json!({
        "access_token": oauth.issue_access(scope, user, refresh),
        "expires_in": oauth.lifetime.as_secs(),
        "scope": scope,
        "token_type": "Bearer",
    });
    if scope.split(' ').any(|s| s == "openid") {
        body["id_token"] = json!(id_token(scope, user, oauth.lifetime.as_secs()));
    }
    body
}

/// A JWT with Google's claims for `user`, whose `sub` (Google's stable account id, digits)
/// is derived from the address. The signature is a placeholder: the sandbox publishes no
/// keys, so a client must not (and meetty does not) verify it.
fn id_token(scope: &str, user: &str, lifetime: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut claims = json!({
        "iss": "https://accounts.google.com",
        "azp": CLIENT_ID,
        "aud": CLIENT_ID,
        "sub": subject(user),
        "iat": now,
        "exp": now + lifetime,
    });
    if scope
        .split(' ')
        .any(|s| s == "email" || s.ends_with("userinfo.email"))
    {
        claims["email"] = json!(user);
        claims["email_verified"] = json!(true);
    }
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let header = json!({ "alg": "RS256", "kid": "sandbox", "typ": "JWT" });
    format!(
        "{}.{}.{}",
        part(&header),
        part(&claims),
        URL_SAFE_NO_PAD.encode("sandbox")
    )
}

/// Google's `sub` for a user: 21 digits, the seeded account's `100000000000000000001` as
/// before, any other user's derived from its address.
fn subject(user: &str) -> String {
    if user == ACCOUNT {
        return "100000000000000000001".into();
    }
    format!("1{:020}", digest(&["sub", user]) % 10u64.pow(19))
}
