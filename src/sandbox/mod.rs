//! An embedded Google Calendar v3 + OAuth emulator on 127.0.0.1, for `--demo`, `meetty
//! sandbox` and every test: no test or demo talks to Google.
//!
//! It follows Google's documented behaviour: error JSON and reasons, `primary` alias,
//! recurring expansion with instance ids, paging, sync tokens and 410, asynchronous Meet
//! creation (`pending` → `success`), silent ignore of conference changes without
//! `conferenceDataVersion=1`, `null` clears in PATCH, 409 on duplicate ids, `fields` partial
//! responses, `freebusy.query` over the account's calendars and its colleagues', and injected
//! faults. Its OAuth endpoints (authorization with a loopback
//! redirect and PKCE, token, revocation) sign in as the seeded account, or as the user a
//! `login_hint` names, through the one registered Desktop client, [`Sandbox::client_id`]. The token endpoint also takes service
//! accounts' signed assertions (the JWT bearer grant, domain-wide delegation for
//! `@example.com`); a token acts as a user, and each user has calendars of its own.
//!
//! It keeps the last [`REQUEST_LOG`] requests it received ([`Sandbox::requests`]), so a
//! `meetty --demo` left running for days holds no more than that. Tests ask for every one
//! with [`Sandbox::start_with_log`]. What only tests need (injected faults, direct access to
//! the store, OAuth knobs) is in `controls.rs`, built with the `test-controls` feature that
//! the crate's own tests and benchmarks turn on; meetty as users build it has none of it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use meetty::sandbox::{Sandbox, Seed};
//! let sandbox = Sandbox::start(0, Seed::Empty).await?;
//! let _base = sandbox.base_url(); // http://127.0.0.1:PORT/calendar/v3/
//! # Ok(()) }
//! ```

mod conference;
#[cfg(feature = "test-controls")]
mod controls;
mod errors;
#[cfg(feature = "test-controls")]
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
mod users;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[cfg(feature = "test-controls")]
pub use conference::{ConferenceOutcome, ConferencePolicy};
#[cfg(feature = "test-controls")]
pub use errors::ApiError;
#[cfg(feature = "test-controls")]
pub use faults::{Fault, FaultKind};
pub use seed::{
    Seed, ACCOUNT, CLIMBING_CALENDAR, FAMILY_CALENDAR, HOLIDAY_CALENDAR, PERSONAL_ACCOUNT,
    TEAM_CALENDAR, TEAM_GROUP,
};
pub use server::{RecordedRequest, RequestLog, REQUEST_LOG};
#[cfg(feature = "test-controls")]
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
    /// Binds 127.0.0.1:`port` (0 = ephemeral) and serves on the current tokio runtime,
    /// keeping the last [`REQUEST_LOG`] requests.
    pub async fn start(port: u16, seed: Seed) -> std::io::Result<Sandbox> {
        Sandbox::start_with_log(port, seed, RequestLog::Last(REQUEST_LOG)).await
    }

    /// [`Sandbox::start`] keeping as many requests as `log` says.
    pub async fn start_with_log(
        port: u16,
        seed: Seed,
        log: RequestLog,
    ) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let mut oauth = oauth::OAuth::new();
        oauth.set_token_uri(format!("http://{addr}/token"));
        let seeded = seed::build(seed);
        let users = seeded
            .others
            .into_iter()
            .map(|store| (store.account().to_string(), store))
            .collect();
        let shared = Arc::new(Shared {
            store: Mutex::new(seeded.account),
            users: Mutex::new(users),
            oauth: Mutex::new(oauth),
            #[cfg(feature = "test-controls")]
            faults: Mutex::new(Vec::new()),
            requests: Mutex::new(server::Requests::new(log)),
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

    /// The OAuth token endpoint (`POST`, form-encoded), also a service account's `token_uri`
    /// (assertions may name it or Google's `https://oauth2.googleapis.com/token` as `aud`).
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

    /// A valid bearer token for the seeded account, without signing in. It grants
    /// `calendar.events` and `calendar.calendarlist.readonly`.
    pub fn access_token(&self) -> String {
        self.access_token_for(ACCOUNT)
    }

    /// A valid bearer token acting as `email` (the seeded account, or any other user, whose
    /// store is made on first use), without signing in; same grants as [`Sandbox::access_token`].
    /// Each user's is the same token on every call, until that user's grant is revoked.
    pub fn access_token_for(&self, email: &str) -> String {
        lock(&self.shared.oauth).signed_in(email).0
    }

    /// The requests received, oldest first (only the last ones: see [`RequestLog`]),
    /// including those answered by an injected fault.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).all()
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
