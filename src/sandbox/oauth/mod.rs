//! Google's OAuth 2.0 endpoints for an installed app, as "OAuth 2.0 for Mobile & Desktop
//! Apps" documents them: authorization (`GET /o/oauth2/v2/auth`, auto-consenting as the
//! seeded account, or as the user a `login_hint` names), token (`POST /token`) and
//! revocation (`POST /revoke`), and the opaque tokens they hand out. The token endpoint also
//! takes service accounts' signed assertions ("Using OAuth 2.0 for Server to Server
//! Applications", `jwt.rs`), so every access token records the user it acts as. Each user
//! approves the client on their own: one user's consent, grant and revocation leave the
//! other users' alone.

mod authorize;
mod client;
mod jwt;
mod pkce;
mod revoke;
mod token;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

pub(crate) use authorize::authorize;
pub(crate) use client::{credentials_json, grants, CLIENT_ID, CLIENT_SECRET};
pub(crate) use revoke::revoke;
pub(crate) use token::token;

use super::ids::digest;
use super::seed::ACCOUNT;
use jwt::ServiceAccount;
use pkce::Challenge;

/// What the pre-issued tokens grant: meetty's least-privilege set.
pub const SCOPES: &str = "https://www.googleapis.com/auth/calendar.events \
                          https://www.googleapis.com/auth/calendar.calendarlist.readonly \
                          https://www.googleapis.com/auth/calendar.events.freebusy";

#[derive(Debug)]
struct AccessToken {
    expiry: Instant,
    scope: String,
    /// Whose calendars it reaches: the seeded account, a delegated `sub`, or a service
    /// account itself.
    user: String,
    /// The refresh token it came with or from: revoking either revokes both.
    refresh: Option<String>,
    /// Whether a user's consent at the browser stands behind it (not a service account's
    /// assertion): revoking it makes that user consent again.
    consent: bool,
}

/// A live refresh token: what it grants and for whom.
#[derive(Debug)]
struct RefreshGrant {
    scope: String,
    user: String,
}

/// An authorization code and what `/auth` was asked when it issued it.
#[derive(Debug)]
struct Code {
    /// Who signed in at the browser: every token of the grant acts as this user.
    user: String,
    /// The token request must repeat it exactly.
    redirect_uri: String,
    challenge: Option<Challenge>,
    scope: String,
    with_refresh: bool,
    expiry: Instant,
}

#[derive(Debug)]
pub struct OAuth {
    access: HashMap<String, AccessToken>,
    /// Live refresh tokens.
    refresh: HashMap<String, RefreshGrant>,
    codes: HashMap<String, Code>,
    /// Redeemed or expired codes: Google tells these apart from garbage.
    spent: HashSet<String>,
    /// The users who have approved the client: only a user's first approval (or a forced
    /// `prompt=consent`) returns a refresh token.
    consented: HashSet<String>,
    denies_consent: bool,
    /// Every token a client revoked through `/revoke`, in order.
    revoked: Vec<String>,
    lifetime: Duration,
    code_lifetime: Duration,
    issued: u64,
    /// Service accounts as Google Cloud holds them, by `client_email`.
    service_accounts: HashMap<String, ServiceAccount>,
    /// Domain-wide delegation as the Admin console grants it: client id → scope URLs.
    delegation: HashMap<String, BTreeSet<String>>,
    /// What the `aud` of an assertion may name besides Google's own token URI.
    token_uri: String,
    /// The pair each user is signed in with without a browser ([`OAuth::signed_in`]): the
    /// seeded account's from the start, another user's from its first use.
    signed_in: HashMap<String, (String, String)>,
}

impl OAuth {
    pub fn new() -> Self {
        let mut oauth = OAuth {
            access: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            spent: HashSet::new(),
            consented: HashSet::new(),
            denies_consent: false,
            revoked: Vec::new(),
            // Google's access tokens last an hour; `expires_in` says 3599.
            lifetime: Duration::from_secs(3599),
            // Google does not publish a figure; ten minutes is the usual bound (RFC 6749 §4.1.2).
            code_lifetime: Duration::from_secs(600),
            issued: 0,
            service_accounts: HashMap::new(),
            delegation: HashMap::new(),
            token_uri: String::new(),
            signed_in: HashMap::new(),
        };
        oauth.signed_in(ACCOUNT);
        oauth
    }

    /// The access and refresh tokens `user` is signed in with without a browser, granting
    /// [`SCOPES`]: the same pair on every call, made on the first (for the seeded account,
    /// when the sandbox starts). Addresses are case-insensitive, as Google's are.
    pub(crate) fn signed_in(&mut self, user: &str) -> (String, String) {
        let user = user.to_ascii_lowercase();
        if let Some(pair) = self.signed_in.get(&user) {
            return pair.clone();
        }
        let refresh = self.issue_refresh(SCOPES, &user);
        let access = self.issue_access(SCOPES, &user, Some(&refresh));
        let pair = (access, refresh);
        self.signed_in.insert(user, pair.clone());
        pair
    }

    /// The sandbox's own token endpoint, which assertions may name as their `aud`.
    pub fn set_token_uri(&mut self, token_uri: String) {
        self.token_uri = token_uri;
    }

    fn next(&mut self, kind: &str) -> String {
        self.issued += 1;
        format!(
            "{:016x}{:04}",
            digest(&[kind, &self.issued.to_string()]),
            self.issued
        )
    }

    /// An access token of `user`'s consent to the client, from or with `refresh`.
    fn issue_access(&mut self, scope: &str, user: &str, refresh: Option<&str>) -> String {
        self.issue(scope, user, refresh, true)
    }

    /// An access token for a service account's assertion, acting as `user`.
    fn issue_assertion_access(&mut self, scope: &str, user: &str) -> String {
        self.issue(scope, user, None, false)
    }

    fn issue(&mut self, scope: &str, user: &str, refresh: Option<&str>, consent: bool) -> String {
        let token = format!("ya29.sandbox-{}", self.next("access"));
        let entry = AccessToken {
            expiry: Instant::now() + self.lifetime,
            scope: scope.to_string(),
            user: user.to_string(),
            refresh: refresh.map(str::to_string),
            consent,
        };
        self.access.insert(token.clone(), entry);
        token
    }

    fn issue_refresh(&mut self, scope: &str, user: &str) -> String {
        let token = format!("1//sandbox-{}", self.next("refresh"));
        let grant = RefreshGrant {
            scope: scope.to_string(),
            user: user.to_string(),
        };
        self.refresh.insert(token.clone(), grant);
        token
    }

    fn insert_code(&mut self, code: Code) -> String {
        let name = format!("4/sandbox-{}", self.next("code"));
        self.codes.insert(name.clone(), code);
        name
    }

    fn live(&self, access_token: &str) -> Option<&AccessToken> {
        self.access
            .get(access_token)
            .filter(|t| Instant::now() < t.expiry)
    }

    /// The scopes a live access token grants and the user it acts as.
    pub fn access_grant(&self, access_token: &str) -> Option<(&str, &str)> {
        self.live(access_token)
            .map(|t| (t.scope.as_str(), t.user.as_str()))
    }

    /// Whether `user` is a registered service account (a token without `sub` acts as one).
    pub fn is_service_account(&self, user: &str) -> bool {
        self.service_accounts
            .keys()
            .any(|email| email.eq_ignore_ascii_case(user))
    }

    pub fn is_valid(&self, access_token: &str) -> bool {
        self.live(access_token).is_some()
    }
}

/// The knobs of `Sandbox`'s test controls.
#[cfg(feature = "test-controls")]
impl OAuth {
    /// Applies to tokens issued from now on.
    pub fn set_lifetime(&mut self, lifetime: Duration) {
        self.lifetime = lifetime;
    }

    /// Applies to codes issued from now on.
    pub fn set_code_lifetime(&mut self, lifetime: Duration) {
        self.code_lifetime = lifetime;
    }

    pub fn set_denies_consent(&mut self, denies: bool) {
        self.denies_consent = denies;
    }

    pub fn is_refresh_valid(&self, refresh_token: &str) -> bool {
        self.refresh.contains_key(refresh_token)
    }

    pub fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for token in self.access.values_mut() {
            token.expiry = token.expiry.min(now);
        }
    }

    /// As when the user removes the app's access or a testing-mode grant runs out after 7
    /// days: refreshing fails and the next sign-in is a first consent again.
    pub fn revoke_refresh_tokens(&mut self) {
        self.refresh.clear();
        self.consented.clear();
    }

    /// As when `user` removes the app's access at myaccount.google.com: that user's refresh
    /// tokens and the access tokens they gave stop working, and the next sign-in as that user
    /// is a first consent again. Other users' grants are untouched.
    pub fn revoke_user(&mut self, user: &str) {
        let user = user.to_ascii_lowercase();
        self.refresh.retain(|_, grant| grant.user != user);
        // A service account's tokens stand for no one's consent.
        self.access.retain(|_, t| t.user != user || !t.consent);
        self.consented.remove(&user);
    }

    pub fn revoked(&self) -> Vec<String> {
        self.revoked.clone()
    }

    /// Panics (naming no key material) when the PEM is not a PKCS#8 RSA private key.
    pub fn register_service_account(&mut self, client_email: &str, client_id: &str, pem: &str) {
        let account = self
            .service_accounts
            .entry(client_email.to_string())
            .or_insert_with(|| ServiceAccount::new(client_id));
        account.add_key(pem);
    }

    pub fn grant_delegation(&mut self, client_id: &str, scopes: &[&str]) {
        self.delegation
            .entry(client_id.to_string())
            .or_default()
            .extend(scopes.iter().map(|s| s.to_string()));
    }
}

impl Default for OAuth {
    fn default() -> Self {
        Self::new()
    }
}

/// Google's token and revocation endpoints answer errors as `{"error", "error_description"}`.
fn oauth_error(status: u16, error: &str, description: &str) -> super::server::Reply {
    super::server::Reply::json(
        status,
        serde_json::json!({ "error": error, "error_description": description }),
    )
}

/// The fields of a form-encoded body, then the query string (Google reads both).
fn param(req: &super::server::RecordedRequest, name: &str) -> Option<String> {
    req.body
        .as_ref()
        .and_then(|b| b.get(name))
        .and_then(|v| v.as_str())
        .or_else(|| req.param(name))
        .map(str::to_string)
}
