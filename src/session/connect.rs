//! Which Calendar API to talk to, and as whom: the demo sandbox, a fixed token (development
//! against `meetty sandbox`), or the signed-in account. The TUI and the scripting commands
//! share it, so they always act on the same calendar. The TUI merges several accounts
//! ([`connect_all`]): every signed-in one, or those config `accounts` names, in its order.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::sign_in::SignInContext;
use super::{LazySession, Signed, Startup, Via};
use crate::auth::accounts::{self, Accounts, TokenStore};
use crate::calendar::client::{Auth, AuthFuture, CalendarClient};
use crate::calendar::error::ApiError;
use crate::config::{Config, Paths};
use crate::sandbox::{Sandbox, Seed, ACCOUNT, PERSONAL_ACCOUNT};

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
        let (client, sign_in) = signed_client(paths, &api_root, signed);
        c.client = client;
        c.sign_in = Some(sign_in);
        c.label = email.clone();
        c.account = Some(email.clone());
        c.cache_owner = Some(email);
    }
    Ok(c)
}

/// The client of a signed-in account (its session opened on first use) and how to sign it
/// in again.
fn signed_client(paths: &Paths, api_root: &str, signed: Signed) -> (CalendarClient, SignInContext) {
    let sign_in = SignInContext {
        paths: paths.clone(),
        account: signed.email.clone(),
        token_store: signed.kind,
        api_root: api_root.to_string(),
        service_account: match &signed.via {
            Via::ServiceAccount(client_email) => Some(client_email.clone()),
            Via::Browser(_) => None,
        },
    };
    (
        CalendarClient::new(api_root, LazySession::new(signed)),
        sign_in,
    )
}

/// The client of `sign_in`'s account, built anew from what is stored now: after a sign-in
/// from the TUI, the account's session starts over from its new tokens (and an account the
/// config named before it was signed in starts to work).
pub fn reconnect(sign_in: &SignInContext) -> Result<CalendarClient, String> {
    let signed = Signed::load(&sign_in.paths, Some(&sign_in.account))?;
    Ok(signed_client(&sign_in.paths, &sign_in.api_root, signed).0)
}

/// One account of the TUI's merged agenda.
pub struct AccountConn {
    /// Its e-mail ("" before anyone signed in).
    pub email: String,
    /// Its label on agenda rows ([`accounts::labels`]).
    pub label: String,
    pub client: CalendarClient,
    /// Whose cache, lock and marks these are: the account, "demo" or "sandbox"; None before
    /// sign-in.
    pub cache_owner: Option<String>,
    /// How to sign it in again from the TUI (signed-in accounts only).
    pub sign_in: Option<SignInContext>,
}

/// What the TUI runs on: its accounts, in the order of the merged agenda's.
pub struct Connections {
    pub accounts: Vec<AccountConn>,
    /// For the status bar: "demo", the one account, "2 accounts", or where the token came
    /// from.
    pub label: String,
    /// The first account's e-mail (signed-in accounts only).
    pub account: Option<String>,
    /// Nobody is signed in yet.
    pub first_run: bool,
    /// The demo's calendars live in this process: keep this alive as long as the clients.
    pub sandbox: Option<Sandbox>,
}

/// The TUI's accounts: `--account` alone when given (as [`connect`]), the demo's two, one
/// for a fixed token, else every signed-in account (the default first) or the ones config
/// `accounts` names, in its order. An account named there but not signed in is kept, with a
/// client that says how to sign it in (its part of the agenda shows that), so the others
/// still run and the TUI's sign-in dialog can sign it in.
pub async fn connect_all(
    start: &Startup,
    demo: bool,
    account: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Connections, String> {
    let (paths, config) = (&start.paths, &start.config);
    if demo {
        let sandbox = Sandbox::start(0, Seed::Demo { now, tz })
            .await
            .map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
        let root = sandbox.root_url();
        let (emails, owners): (Vec<String>, Vec<String>) = demo_owners().into_iter().unzip();
        let labels = accounts::labels(&emails, &config.account_labels);
        // `--account` narrows the demo to one of its two accounts, as it does a real session.
        if let Some(wanted) = account.filter(|a| !emails.iter().any(|e| e.eq_ignore_ascii_case(a)))
        {
            return Err(format!(
                "the demo has no account {}: use --account {} or --account {}",
                crate::sanitize::line(wanted),
                emails[0],
                emails[1]
            ));
        }
        let accounts = emails
            .into_iter()
            .zip(labels)
            .zip(owners)
            .filter(|((email, _), _)| account.is_none_or(|a| a.eq_ignore_ascii_case(email)))
            .map(|((email, label), owner)| AccountConn {
                client: CalendarClient::new(&root, sandbox.access_token_for(&email)),
                email,
                label,
                cache_owner: Some(owner),
                sign_in: None,
            })
            .collect();
        return Ok(Connections {
            accounts,
            label: "demo".into(),
            account: None,
            first_run: false,
            sandbox: Some(sandbox),
        });
    }
    let signed_in = Accounts::load(&paths.accounts_file())?;
    let fixed = std::env::var("MEETTY_ACCESS_TOKEN").is_ok();
    if fixed || account.is_some() || signed_in.accounts.is_empty() {
        let c = connect(start, false, account, now, tz).await?;
        let email = c.account.clone().unwrap_or_default();
        return Ok(Connections {
            label: c.label,
            account: c.account,
            first_run: c.first_run,
            sandbox: c.sandbox,
            accounts: vec![AccountConn {
                label: accounts::labels(std::slice::from_ref(&email), &config.account_labels)
                    .remove(0),
                email,
                client: c.client,
                cache_owner: c.cache_owner,
                sign_in: c.sign_in,
            }],
        });
    }
    let api_root = api_root(config);
    let picked = signed_in.merged(&config.accounts);
    let emails: Vec<String> = picked.iter().map(|(email, _)| email.clone()).collect();
    let labels = accounts::labels(&emails, &config.account_labels);
    let mut conns = Vec::new();
    let mut missing = Vec::new();
    for ((email, not_signed_in), label) in picked.into_iter().zip(labels) {
        let (client, sign_in) = match not_signed_in {
            Some(why) => {
                log::warn!("{why}");
                let sign_in = SignInContext {
                    paths: paths.clone(),
                    account: email.clone(),
                    token_store: TokenStore::Keyring,
                    api_root: api_root.clone(),
                    service_account: None,
                };
                missing.push(why.clone());
                (CalendarClient::new(&api_root, NotSignedIn(why)), sign_in)
            }
            None => match Signed::load(paths, Some(&email)) {
                Ok(signed) => signed_client(paths, &api_root, signed),
                Err(why) => return Err(format!("{email}: {why}")),
            },
        };
        conns.push(AccountConn {
            cache_owner: Some(email.clone()),
            email,
            label,
            client,
            sign_in: Some(sign_in),
        });
    }
    if conns.len() == missing.len() {
        return Err(missing.join("\n"));
    }
    Ok(Connections {
        label: match conns.as_slice() {
            [one] => one.email.clone(),
            all => format!("{} accounts", all.len()),
        },
        account: conns.first().map(|c| c.email.clone()),
        first_run: false,
        sandbox: None,
        accounts: conns,
    })
}

/// The demo's two accounts, in order, each with the owner of its cache, lock and marks:
/// the work account keeps the cache the demo always had.
pub fn demo_owners() -> [(String, String); 2] {
    [
        (ACCOUNT.to_string(), "demo".to_string()),
        (
            PERSONAL_ACCOUNT.to_string(),
            format!("demo-{PERSONAL_ACCOUNT}"),
        ),
    ]
}

/// The session of an account config `accounts` names but nobody signed in: every call
/// says how to sign it in.
struct NotSignedIn(String);

impl Auth for NotSignedIn {
    fn token(&self) -> AuthFuture<'_> {
        Box::pin(async move { Err(ApiError::SignIn(self.0.clone())) })
    }

    fn refresh<'a>(&'a self, _rejected: &'a str) -> AuthFuture<'a> {
        self.token()
    }
}
