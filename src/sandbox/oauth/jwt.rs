//! The JWT bearer grant (RFC 7523) of service accounts, as Google's "Using OAuth 2.0 for Server
//! to Server Applications" documents it: `POST /token` with
//! `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT`, the JWT signed with
//! RS256 by the service account's private key, and domain-wide delegation for a `sub`.
//!
//! Checked in this order, each refusal with Google's code and description:
//! - no `assertion`: `invalid_request` "Missing required parameter: assertion" (the wording of
//!   Google's other missing parameters; the guide does not list this one);
//! - not three base64url parts of JSON with `"alg":"RS256"`, or a signature that no key of the
//!   account verifies: `invalid_grant` "Invalid JWT Signature." (the guide's error table:
//!   "signed with a private key not associated with the service account … or … encoded
//!   incorrectly"). The guide asks for no padding, but Google accepts padded parts: yup-oauth2,
//!   which meetty signs with, pads them and works against Google, so the sandbox accepts both;
//! - an `iss` that is no registered service account: `invalid_grant` "Invalid grant: account not
//!   found" (Google's answer for a deleted or unknown service account, as client libraries'
//!   issue threads quote it);
//! - `aud` neither Google's token URI nor this sandbox's: `invalid_grant` "Invalid JWT: Failed
//!   audience check." (as captured from Google);
//! - `iat`/`exp` missing, `exp` more than an hour after `iat` ("a maximum of 1 hour after the
//!   issued time"), `iat` in the future or `exp` in the past beyond [`CLOCK_SKEW`]:
//!   `invalid_grant` "Invalid JWT: Token must be a short-lived token (60 minutes) and in a
//!   reasonable timeframe. Check your iat and exp values in the JWT claim." (the guide's table);
//! - no scope, or one Google does not know: `invalid_scope` "Invalid OAuth scope or ID token
//!   audience provided." (the guide's table);
//! - a `sub` that is no e-mail address: `invalid_grant` "Not a valid email." (the guide's
//!   table: "The user doesn't exist");
//! - a `sub` outside the Workspace domain, or a client id without delegation: HTTP 401
//!   `unauthorized_client` "Unauthorized client or scope in request." (the guide's table: "the
//!   service account is not authorized in the Admin console of the user's domain"; a free Gmail
//!   address has no Admin console to grant it);
//! - delegation that lacks a requested scope: HTTP 401 `unauthorized_client` "Client is
//!   unauthorized to retrieve access tokens using this method, or client not authorized for any
//!   of the scopes requested." (the guide's table, and what Google answers a scope mismatch).
//!
//! The answer is `{access_token, expires_in, token_type}`: no refresh token (a client signs a
//! new assertion) and, as Google's answers to this grant, no `scope`.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use ring::signature::{self, UnparsedPublicKey};
use serde_json::{json, Map, Value};

use super::client::is_known_scope;
use super::{oauth_error, OAuth};
use crate::sandbox::seed::ACCOUNT;
use crate::sandbox::server::Reply;

pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The `aud` Google's guide prescribes ("When making an access token request this value is
/// always https://oauth2.googleapis.com/token").
pub(crate) const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Google does not publish how far off a signer's clock may be; assertions issued up to five
/// minutes "in the future" are accepted by it, and the same margin applies to a past `exp`.
pub(crate) const CLOCK_SKEW: i64 = 300;

/// Base64url with or without padding (see the module's comment).
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// "`exp`: … This value has a maximum of 1 hour after the issued time."
const MAX_LIFETIME: i64 = 3600;

const BAD_SIGNATURE: &str = "Invalid JWT Signature.";
const UNKNOWN_ACCOUNT: &str = "Invalid grant: account not found";
const BAD_AUDIENCE: &str = "Invalid JWT: Failed audience check.";
const BAD_TIMES: &str = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a \
                         reasonable timeframe. Check your iat and exp values in the JWT claim.";
const BAD_SCOPE: &str = "Invalid OAuth scope or ID token audience provided.";
const NOT_AN_EMAIL: &str = "Not a valid email.";
const NOT_DELEGATED: &str = "Unauthorized client or scope in request.";
const SCOPE_NOT_DELEGATED: &str = "Client is unauthorized to retrieve access tokens using this \
                                   method, or client not authorized for any of the scopes \
                                   requested.";

/// A service account: its numeric client id (what the Admin console delegates to) and the
/// public halves of its keys (an account may have several, like a rotated one). Only the test
/// controls register one; without them every assertion is refused as from an unknown account.
#[derive(Debug)]
#[cfg_attr(not(feature = "test-controls"), allow(dead_code))]
pub(crate) struct ServiceAccount {
    client_id: String,
    public_keys: Vec<Vec<u8>>,
}

impl ServiceAccount {
    #[cfg(feature = "test-controls")]
    pub fn new(client_id: &str) -> Self {
        ServiceAccount {
            client_id: client_id.to_string(),
            public_keys: Vec::new(),
        }
    }

    /// Keeps the public half of a PKCS#8 PEM private key, as Google Cloud keeps it.
    #[cfg(feature = "test-controls")]
    pub fn add_key(&mut self, pem: &str) {
        let der = pem_body(pem).expect("the service account key is not a PEM private key");
        let pair = ring::signature::RsaKeyPair::from_pkcs8(&der)
            .expect("the service account key is not an RSA key in PKCS#8");
        self.public_keys.push(pair.public().as_ref().to_vec());
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.public_keys.iter().any(|key| {
            UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, key)
                .verify(message, signature)
                .is_ok()
        })
    }
}

/// The base64 between a PEM's BEGIN and END lines.
#[cfg(feature = "test-controls")]
fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN "))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END "))
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

/// Google's refusal: status, `error`, `error_description`.
type Refusal = (u16, &'static str, &'static str);

fn invalid_grant(description: &'static str) -> Refusal {
    (400, "invalid_grant", description)
}

pub(crate) fn grant(oauth: &mut OAuth, assertion: Option<String>) -> Reply {
    let Some(assertion) = assertion else {
        return oauth_error(
            400,
            "invalid_request",
            "Missing required parameter: assertion",
        );
    };
    match check(oauth, &assertion) {
        Ok(Grant { user, scope }) => Reply::json(
            200,
            json!({
                "access_token": oauth.issue_assertion_access(&scope, &user),
                "expires_in": oauth.lifetime.as_secs(),
                "token_type": "Bearer",
            }),
        ),
        Err((status, error, description)) => oauth_error(status, error, description),
    }
}

/// Who an accepted assertion's token acts as, and with which scopes.
struct Grant {
    user: String,
    scope: String,
}

fn check(oauth: &OAuth, assertion: &str) -> Result<Grant, Refusal> {
    let (signed, claims, signature) = parse(assertion).ok_or(invalid_grant(BAD_SIGNATURE))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let issuer = text("iss").unwrap_or_default();
    let account = oauth
        .service_accounts
        .get(issuer)
        .ok_or(invalid_grant(UNKNOWN_ACCOUNT))?;
    if !account.verifies(signed.as_bytes(), &signature) {
        return Err(invalid_grant(BAD_SIGNATURE));
    }
    match text("aud") {
        Some(aud) if aud == GOOGLE_TOKEN_URI || aud == oauth.token_uri => {}
        _ => return Err(invalid_grant(BAD_AUDIENCE)),
    }
    check_times(&claims, now())?;
    let scope = text("scope").unwrap_or_default();
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if scopes.is_empty() || !scopes.iter().all(|s| is_known_scope(s)) {
        return Err((400, "invalid_scope", BAD_SCOPE));
    }
    let user = match text("sub").filter(|sub| *sub != issuer) {
        None => issuer,
        Some(sub) => {
            check_delegation(oauth, &account.client_id, sub, &scopes)?;
            sub
        }
    };
    Ok(Grant {
        // Addresses are case-insensitive; calendar ids are lower-case.
        user: user.to_ascii_lowercase(),
        scope: scopes.join(" "),
    })
}

/// `(header.claims, claims, signature)` of a compact JWS whose header asks for RS256.
fn parse(assertion: &str) -> Option<(&str, Map<String, Value>, Vec<u8>)> {
    let (signed, signature) = assertion.rsplit_once('.')?;
    let (header, claims) = signed.split_once('.')?;
    let decode = |part: &str| BASE64URL.decode(part).ok();
    let object = |part: &str| match serde_json::from_slice(&decode(part)?) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let header = object(header)?;
    let typ_ok = header.get("typ").is_none_or(|t| t == "JWT");
    if header.get("alg").and_then(Value::as_str) != Some("RS256") || !typ_ok {
        return None;
    }
    Some((signed, object(claims)?, decode(signature)?))
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn check_times(claims: &Map<String, Value>, now: i64) -> Result<(), Refusal> {
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    let (Some(iat), Some(exp)) = (time("iat"), time("exp")) else {
        return Err(invalid_grant(BAD_TIMES));
    };
    let short_lived = iat < exp && exp - iat <= MAX_LIFETIME;
    let timely = iat <= now + CLOCK_SKEW && exp > now - CLOCK_SKEW;
    if short_lived && timely {
        Ok(())
    } else {
        Err(invalid_grant(BAD_TIMES))
    }
}

/// The sandbox's Workspace domain is the seeded account's: every address `@example.com` is one
/// of its users (the seeded `alex@example.com` and any other), and nothing else is.
fn workspace_domain() -> &'static str {
    ACCOUNT
        .rsplit_once('@')
        .map_or(ACCOUNT, |(_, domain)| domain)
}

fn check_delegation(
    oauth: &OAuth,
    client_id: &str,
    sub: &str,
    scopes: &[&str],
) -> Result<(), Refusal> {
    let Some((local, domain)) = sub.rsplit_once('@') else {
        return Err(invalid_grant(NOT_AN_EMAIL));
    };
    if local.is_empty() || domain.is_empty() {
        return Err(invalid_grant(NOT_AN_EMAIL));
    }
    let granted = oauth
        .delegation
        .get(client_id)
        .filter(|_| domain.eq_ignore_ascii_case(workspace_domain()))
        .ok_or((401, "unauthorized_client", NOT_DELEGATED))?;
    if scopes.iter().all(|s| granted.contains(*s)) {
        Ok(())
    } else {
        Err((401, "unauthorized_client", SCOPE_NOT_DELEGATED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(iat: i64, exp: i64) -> Map<String, Value> {
        let Value::Object(map) = json!({ "iat": iat, "exp": exp }) else {
            unreachable!()
        };
        map
    }

    #[test]
    fn assertions_live_at_most_an_hour_within_the_clock_skew() {
        let now = 1_800_000_000;
        for (iat, exp) in [
            (now, now + 3600),
            (now + CLOCK_SKEW, now + CLOCK_SKEW + 60),
            (now - 3600, now),
            (now - 3600 - CLOCK_SKEW + 1, now - CLOCK_SKEW + 1),
        ] {
            assert_eq!(check_times(&claims(iat, exp), now), Ok(()), "{iat} {exp}");
        }
        for (iat, exp) in [
            (now, now + 3601),
            (now + CLOCK_SKEW + 1, now + CLOCK_SKEW + 60),
            (now - 7200, now - 3600),
            (now, now),
            (now, now - 1),
        ] {
            assert_eq!(
                check_times(&claims(iat, exp), now),
                Err(invalid_grant(BAD_TIMES)),
                "{iat} {exp}"
            );
        }
        assert!(check_times(&Map::new(), now).is_err());
    }

    #[test]
    fn only_compact_rs256_jws_parses() {
        use base64::engine::general_purpose::{URL_SAFE as PADDED, URL_SAFE_NO_PAD};
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let claims = part(json!({ "iss": "a" }));
        let sig = URL_SAFE_NO_PAD.encode("sig");
        let rs256 = part(json!({ "alg": "RS256", "typ": "JWT", "kid": "k" }));
        assert!(parse(&format!("{rs256}.{claims}.{sig}")).is_some());
        let padded = |v: Value| PADDED.encode(v.to_string());
        let yup_header = padded(json!({ "alg": "RS256", "typ": "JWT" }));
        let yup = format!(
            "{yup_header}.{}.{}",
            padded(json!({})),
            PADDED.encode("sig!")
        );
        assert_eq!(yup.matches('=').count(), 3, "{yup}");
        assert!(parse(&yup).is_some(), "{yup}");
        for bad in [
            format!("{}.{claims}.{sig}", part(json!({ "alg": "HS256" }))),
            format!("{}.{claims}.{sig}", part(json!({ "alg": "none" }))),
            format!("{rs256}.{claims}"),
            format!("{rs256}.{claims}.{sig}.{sig}"),
            format!("{rs256}.{}.{sig}", part(json!(["not", "an", "object"]))),
            "garbage".to_string(),
        ] {
            assert!(parse(&bad).is_none(), "{bad}");
        }
    }
}
