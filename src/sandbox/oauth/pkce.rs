//! The server half of PKCE (RFC 7636): remembering a code's challenge and checking the
//! verifier at the token endpoint.
//!
//! Deliberately independent of `crate::auth::pkce`: the sandbox must catch a client that
//! computes the challenge wrongly, which sharing the client's function would hide.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Plain,
    S256,
}

/// What `/auth` received, kept with the code it issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub value: String,
    pub method: Method,
}

impl Challenge {
    /// `code_challenge` + `code_challenge_method` from the authorization request. Google
    /// defaults the method to `plain` and accepts only `plain` and `S256`.
    pub fn parse(value: Option<&str>, method: Option<&str>) -> Result<Option<Challenge>, String> {
        let method = match method {
            None | Some("plain") => Method::Plain,
            Some("S256") => Method::S256,
            Some(other) => return Err(format!("Invalid code_challenge_method: {other}")),
        };
        let Some(value) = value else {
            return match method {
                Method::Plain => Ok(None),
                Method::S256 => Err("Missing code_challenge.".to_string()),
            };
        };
        if !is_pkce_string(value) {
            return Err("Invalid code_challenge.".to_string());
        }
        Ok(Some(Challenge {
            value: value.to_string(),
            method,
        }))
    }

    pub fn accepts(&self, verifier: &str) -> bool {
        is_pkce_string(verifier)
            && match self.method {
                Method::Plain => verifier == self.value,
                Method::S256 => s256(verifier) == self.value,
            }
    }
}

/// `BASE64URL-NOPAD(SHA256(ASCII(verifier)))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// 43–128 characters of `[A-Za-z0-9-._~]`, the shape RFC 7636 gives verifiers (and so
/// plain challenges; an S256 challenge is always 43 characters of it).
fn is_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
    }

    #[test]
    fn s256_challenge_accepts_only_its_verifier() {
        let c = Challenge::parse(Some(CHALLENGE), Some("S256"))
            .unwrap()
            .unwrap();
        assert!(c.accepts(VERIFIER));
        assert!(!c.accepts(CHALLENGE));
        assert!(!c.accepts(&VERIFIER.replace('d', "e")));
    }

    #[test]
    fn method_defaults_to_plain_and_is_validated() {
        let c = Challenge::parse(Some(VERIFIER), None).unwrap().unwrap();
        assert_eq!(c.method, Method::Plain);
        assert!(c.accepts(VERIFIER));
        assert!(Challenge::parse(Some(CHALLENGE), Some("S512")).is_err());
        assert!(Challenge::parse(None, Some("S256")).is_err());
        assert!(Challenge::parse(Some("short"), Some("S256")).is_err());
        assert_eq!(Challenge::parse(None, None), Ok(None));
    }
}
