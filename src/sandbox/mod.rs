//! An embedded Google Calendar v3 + OAuth emulator on 127.0.0.1, for `--demo`, `meetty
//! sandbox` and every test: no test or demo talks to Google.
//!
//! It follows Google's documented behaviour: error JSON and reasons, `primary` alias,
//! recurring expansion with instance ids, paging, sync tokens and 410, asynchronous Meet
//! creation (`pending` → `success`), silent ignore of conference changes without
//! `conferenceDataVersion=1`, `null` clears in PATCH, 409 on duplicate ids, `fields` partial
//! responses, `freebusy.query` over the account's calendars and its colleagues', and injected
//! faults. Its OAuth endpoints (authorization with a loopback
//! redirect and PKCE, token, revocation) sign in as the seeded account through the one
//! registered Desktop client, [`Sandbox::client_id`].
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use meetty::sandbox::{Fault, Sandbox, Seed};
//! let sandbox = Sandbox::start(0, Seed::Empty).await?;
//! sandbox.inject(Fault::status(429).retry_after(1).on("GET", "/events"));
//! let _base = sandbox.base_url(); // http://127.0.0.1:PORT/calendar/v3/
//! # Ok(()) }
//! ```

mod conference;
mod errors;
mod faults;
mod fields;
mod freebusy;
mod ids;
mod listing;
mod oauth;
mod recurrence;
mod routes;
mod seed;
mod server;
mod store;
mod times;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use conference::{ConferenceOutcome, ConferencePolicy};
pub use errors::ApiError;
pub use faults::{Fault, FaultKind};
pub use seed::{Seed, ACCOUNT, HOLIDAY_CALENDAR, TEAM_CALENDAR, TEAM_GROUP};
pub use server::RecordedRequest;
pub use store::{Calendar, Store, WriteOptions};

use server::{lock, Shared};

/// A running sandbox. Dropping it stops the server too; [`Sandbox::shutdown`] also waits.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds 127.0.0.1:`port` (0 = ephemeral) and serves on the current tokio runtime.
    pub async fn start(port: u16, seed: Seed) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            store: Mutex::new(seed::build(seed)),
            oauth: Mutex::new(oauth::OAuth::new()),
            faults: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            next_seq: Default::default(),
        });
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(Sandbox {
            addr,
            shared,
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`, what google-calendar3 calls `root_url`.
    pub fn root_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// `root_url() + "calendar/v3/"`.
    pub fn base_url(&self) -> String {
        format!("{}calendar/v3/", self.root_url())
    }

    /// The OAuth authorization endpoint (`GET`, opened in a browser), as Google's
    /// `https://accounts.google.com/o/oauth2/v2/auth`.
    pub fn auth_url(&self) -> String {
        format!("{}o/oauth2/v2/auth", self.root_url())
    }

    /// The OAuth token endpoint (`POST`, form-encoded).
    pub fn token_url(&self) -> String {
        format!("{}token", self.root_url())
    }

    /// The revocation endpoint (`POST`, `token` in the form or the query).
    pub fn revoke_url(&self) -> String {
        format!("{}revoke", self.root_url())
    }

    /// The one registered OAuth client, a "Desktop app" client.
    pub fn client_id(&self) -> String {
        oauth::CLIENT_ID.to_string()
    }

    pub fn client_secret(&self) -> String {
        oauth::CLIENT_SECRET.to_string()
    }

    /// The client's `client_secret_*.json` as Google Cloud Console downloads it for a
    /// Desktop app (`{"installed":{...}}`), with the endpoints pointing at this sandbox.
    pub fn credentials_json(&self) -> String {
        oauth::credentials_json(&self.root_url())
    }

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

    /// A valid bearer token for the seeded account, without signing in. It grants
    /// `calendar.events` and `calendar.calendarlist.readonly`.
    pub fn access_token(&self) -> String {
        lock(&self.shared.oauth).initial_access.clone()
    }

    /// A refresh token for the seeded account, accepted by [`Sandbox::token_url`].
    pub fn refresh_token(&self) -> String {
        lock(&self.shared.oauth).initial_refresh.clone()
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

    /// Everything received, in order, including requests answered by a fault.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

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
        let mut store = lock(&self.shared.store);
        store.settle_due_conferences(std::time::Instant::now());
        f(&mut store)
    }

    /// Stops accepting connections and drops open ones.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
