//! `meetty serve`: a small JSON API on loopback for booking systems, CRMs and bots, so they
//! make, move and cancel meetings through the same code as the TUI and the CLI (client-chosen
//! event ids so a retry never makes a twin, pending Meet links awaited, `sendUpdates`,
//! explicit zones, backoff) instead of rewriting it against the Calendar API.
//!
//! Layout: [`server`] accepts connections, enforces the bearer secret and the body limit,
//! logs one line per request and shuts down gracefully; [`route`] picks the handler;
//! [`meetings`] answers `/meetings` with [`input`] reading request bodies; [`reply`] is the
//! JSON every handler answers with; [`secret`] keeps the bearer secret.

pub mod input;
pub mod meetings;
pub mod reply;
pub mod secret;
pub mod server;

use std::net::SocketAddr;
use std::time::Duration;

use chrono_tz::Tz;
use hyper::body::Bytes;
use hyper::{HeaderMap, Method};

use crate::auth::accounts::TokenStore;
use crate::calendar::client::CalendarClient;
use crate::config::{Config, Paths};
use reply::{Problem, Reply};
use secret::Secret;

/// The OpenAPI 3 document of this API, served at `GET /openapi.json`.
pub const OPENAPI: &str = include_str!("../../assets/openapi.json");

/// Bodies larger than this are refused with 413 before they are read to the end.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The default listening address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8765";

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback also needs --insecure-listen.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Listen on a non-loopback address over plain HTTP: only with TLS terminated in front
    /// (a reverse proxy) or on a network you trust.
    #[arg(long)]
    pub insecure_listen: bool,
    /// Longest wait for Google to finish a Meet link before answering 202 `pending`.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub meet_wait: u64,
    /// Where the bearer secret is kept (default: the keyring).
    #[arg(long, value_enum)]
    pub token_store: Option<TokenStore>,
    /// Make a new bearer secret (the old one stops working) and print it.
    #[arg(long)]
    pub new_secret: bool,
}

/// One account the API acts for: its client and whose cache files it reads.
pub struct Account {
    /// The account's e-mail ("demo" in demo mode): `?account=` and the `account` field name it.
    pub email: String,
    pub client: CalendarClient,
    /// Owner of the cache files ([`crate::cache::CacheFiles::of`]).
    pub cache_owner: String,
}

/// Everything a request is answered from. Shared by every connection (`Arc<Api>`).
pub struct Api {
    /// The first one is the default for requests that name none.
    pub accounts: Vec<Account>,
    pub config: Config,
    pub paths: Paths,
    pub tz: Tz,
    pub secret: Secret,
    /// Longest wait for a pending Meet link before answering 202.
    pub meet_wait: Duration,
    /// Requests in flight per idempotency key (see [`meetings`]).
    pub in_flight: meetings::InFlight,
}

impl Api {
    /// The account a request names (`?account=` or the body's `account`, in any case, as
    /// e-mail addresses are), else the default.
    pub fn account(&self, name: Option<&str>) -> Result<&Account, Problem> {
        match name {
            None => self.accounts.first().ok_or_else(|| {
                Problem::new(503, "not_signed_in", "no account is signed in")
                    .fix("run meetty login, then restart meetty serve")
            }),
            Some(name) => self
                .accounts
                .iter()
                .find(|a| a.email.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    let known: Vec<&str> = self.accounts.iter().map(|a| a.email.as_str()).collect();
                    Problem::new(404, "unknown_account", format!("{name} is not served here"))
                        .field("account")
                        .fix(format!("use one of: {}", known.join(", ")))
                }),
        }
    }
}

/// A request as the handlers see it: already authorized, body read in full (≤ [`BODY_LIMIT`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The path's segments, percent-decoded: `/meetings/abc` is `["meetings", "abc"]`.
    pub path: Vec<String>,
    /// The query's pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Picks the handler for an authorized request.
pub async fn route(api: &Api, req: Request) -> Reply {
    let path: Vec<&str> = req.path.iter().map(String::as_str).collect();
    match (&req.method, &path[..]) {
        (&Method::GET, ["healthz"]) => {
            let accounts: Vec<&str> = api.accounts.iter().map(|a| a.email.as_str()).collect();
            Reply::json(200, serde_json::json!({ "ok": true, "accounts": accounts }))
        }
        (&Method::GET, ["openapi.json"]) => match serde_json::from_str(OPENAPI) {
            Ok(doc) => Reply::json(200, doc),
            Err(e) => Problem::new(500, "internal", format!("openapi.json: {e}")).into(),
        },
        (_, ["meetings", ..]) => meetings::handle(api, &req).await,
        _ => Problem::new(404, "not_found", "no such endpoint")
            .fix("see GET /openapi.json for what is served")
            .into(),
    }
}

/// `meetty serve`: the accounts signed in (or `--account`'s, or the demo's), the secret,
/// then [`server::Server`] until SIGTERM or Ctrl-C.
pub async fn run(
    start: &crate::session::Startup,
    demo: bool,
    account: Option<&str>,
    args: &ServeArgs,
) -> Result<(), String> {
    server::run(start, demo, account, args).await
}
