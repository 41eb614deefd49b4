//! The sandbox's test controls, built with the `test-controls` feature (the crate's own
//! tests and benchmarks turn it on): injected faults, direct access to the account's state,
//! and OAuth knobs. `meetty --demo` and `meetty sandbox` are built without them.

use std::time::Duration;

use super::server::lock;
use super::{ConferencePolicy, Fault, Sandbox, Store, ACCOUNT};

impl Sandbox {
    /// When true, the user "clicks Cancel": `/auth` redirects with `error=access_denied`.
    pub fn set_denies_consent(&self, denies: bool) {
        lock(&self.shared.oauth).set_denies_consent(denies);
    }

    /// Tokens clients revoked through [`Sandbox::revoke_url`], in order (e.g. at sign-out).
    pub fn revoked_tokens(&self) -> Vec<String> {
        lock(&self.shared.oauth).revoked()
    }

    /// Whether the token endpoint would still accept this refresh token.
    pub fn is_refresh_token_valid(&self, refresh_token: &str) -> bool {
        lock(&self.shared.oauth).is_refresh_valid(refresh_token)
    }

    /// Whether the Calendar API would still accept this access token.
    pub fn is_access_token_valid(&self, access_token: &str) -> bool {
        lock(&self.shared.oauth).is_valid(access_token)
    }

    /// A refresh token for the seeded account, accepted by [`Sandbox::token_url`].
    pub fn refresh_token(&self) -> String {
        self.refresh_token_for(ACCOUNT)
    }

    /// The refresh token that came with [`Sandbox::access_token_for`]`(email)`.
    pub fn refresh_token_for(&self, email: &str) -> String {
        lock(&self.shared.oauth).signed_in(email).1
    }

    /// As when `email` removes meetty's access in their Google Account: that user's refresh
    /// tokens answer `invalid_grant` and the access tokens of their grants 401, while other
    /// users' keep working. The next sign-in as `email` is a first consent again.
    pub fn revoke_user(&self, email: &str) {
        lock(&self.shared.oauth).revoke_user(email);
    }

    /// Lifetime of access tokens issued from now on (default 3599 s).
    pub fn set_access_token_lifetime(&self, lifetime: Duration) {
        lock(&self.shared.oauth).set_lifetime(lifetime);
    }

    /// Lifetime of authorization codes issued from now on (default 10 minutes).
    pub fn set_authorization_code_lifetime(&self, lifetime: Duration) {
        lock(&self.shared.oauth).set_code_lifetime(lifetime);
    }

    /// Every access token issued so far stops working (401) until refreshed.
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.oauth).expire_access_tokens();
    }

    /// Refreshing answers `invalid_grant` from now on, as after a revoked grant; the next
    /// sign-in counts as a first consent and returns a refresh token again.
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.shared.oauth).revoke_refresh_tokens();
    }

    /// When and how requested Meet conferences finish (default: `success` after 300 ms).
    pub fn set_conference_policy(&self, policy: ConferencePolicy) {
        lock(&self.shared.store).conference_policy = policy;
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Queues a fault; faults apply in the order injected and consume themselves.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Reads or changes the account's state directly, e.g. to move or cancel an event
    /// "elsewhere" between two client requests. Do not hold on to anything across an await.
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        self.shared.with_user_store(ACCOUNT, f)
    }

    /// Registers a service account as Google Cloud holds it: its e-mail, its numeric client
    /// id, and the public half of `private_key_pem` (PKCS#8, as in the key JSON), so the token
    /// endpoint can verify assertions it signs. Registering another key for the same e-mail
    /// adds it (a rotated key); both then verify.
    pub fn register_service_account(
        &self,
        client_email: &str,
        client_id: &str,
        private_key_pem: &str,
    ) {
        lock(&self.shared.oauth).register_service_account(client_email, client_id, private_key_pem);
    }

    /// Domain-wide delegation as the Admin console grants it: `client_id` may act as any user
    /// of the domain (`@example.com`) for these scopes (full URLs). Grants add up.
    pub fn grant_delegation(&self, client_id: &str, scopes: &[&str]) {
        lock(&self.shared.oauth).grant_delegation(client_id, scopes);
    }

    /// The user a live access token acts as: the seeded account, a delegated `sub`, or a
    /// service account itself.
    pub fn token_user(&self, access_token: &str) -> Option<String> {
        lock(&self.shared.oauth)
            .access_grant(access_token)
            .map(|(_, user)| user.to_string())
    }

    /// [`Sandbox::with_store`] for another user's calendars, made empty (a primary calendar
    /// only) on first use. The seeded account's is the same as `with_store`'s.
    pub fn with_user_store<R>(&self, user: &str, f: impl FnOnce(&mut Store) -> R) -> R {
        self.shared.with_user_store(user, f)
    }
}
