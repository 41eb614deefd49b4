//! Which Calendar API to talk to, and as whom: the demo sandbox, a fixed token (development
//! against `meetty sandbox`), or the signed-in account. The TUI and the scripting commands
//! share it, so they always act on the same calendar.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::sign_in::SignInContext;
use super::{LazySession, Signed, Startup, Via};
use crate::auth::accounts::Accounts;
use crate::calendar::client::CalendarClient;
use crate::config::Config;
use crate::sandbox::{Sandbox, Seed};

pub struct Connection {
    pub client: CalendarClient,
    /// For the status bar: "demo", the account, or where the token came from.
    pub label: String,
    /// The signed-in account's e-mail.
    pub account: Option<String>,
    /// Whose cache this is: an account, "demo" or "sandbox"; None before sign-in.
    pub cache_owner: Option<String>,
    /// How to sign in again from the TUI (accounts only).
    pub sign_in: Option<SignInContext>,
    /// Nobody is signed in yet.
    pub first_run: bool,
    /// The demo's calendar lives in this process: keep this alive as long as the client.
    pub sandbox: Option<Sandbox>,
}

/// The API root: `MEETTY_API_ROOT`, else the config's.
pub fn api_root(config: &Config) -> String {
    std::env::var("MEETTY_API_ROOT").unwrap_or_else(|_| config.api_root.clone())
}

pub async fn connect(
    start: &Startup,
    demo: bool,
    account: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Connection, String> {
    let (paths, config) = (&start.paths, &start.config);
    let api_root = api_root(config);
    let mut c = Connection {
        client: CalendarClient::new(&api_root, String::new()),
        label: "not signed in".into(),
        account: None,
        cache_owner: None,
        sign_in: None,
        first_run: false,
        sandbox: None,
    };
    if demo {
        let sandbox = Sandbox::start(0, Seed::Demo { now, tz })
            .await
            .map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
        c.client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token());
        c.sandbox = Some(sandbox);
        c.label = "demo".into();
        c.cache_owner = Some("demo".into());
    } else if let Ok(token) = std::env::var("MEETTY_ACCESS_TOKEN") {
        c.client = CalendarClient::new(&api_root, token);
        c.label = "MEETTY_ACCESS_TOKEN".into();
        c.cache_owner = Some("sandbox".into());
    } else if Accounts::load(&paths.accounts_file())?.accounts.is_empty() && account.is_none() {
        c.first_run = true;
    } else {
        let signed = Signed::load(paths, account)?;
        let email = signed.email.clone();
        c.sign_in = Some(SignInContext {
            paths: paths.clone(),
            account: email.clone(),
            token_store: signed.kind,
            api_root: api_root.clone(),
            service_account: match &signed.via {
                Via::ServiceAccount(client_email) => Some(client_email.clone()),
                Via::Browser(_) => None,
            },
        });
        c.client = CalendarClient::new(&api_root, LazySession::new(signed));
        c.label = email.clone();
        c.account = Some(email.clone());
        c.cache_owner = Some(email);
    }
    Ok(c)
}
