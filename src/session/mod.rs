//! The services a session of meetty runs on, shared by the TUI and the command-line commands:
//! which Calendar API to talk to and as whom ([`connect`]; the TUI's several accounts at
//! once: [`connect::connect_all`]), the signed-in account's stored pieces ([`Signed`]: a
//! browser sign-in or a service-account key), its session opened on first use
//! ([`LazySession`]) and the sign-in flow ([`sign_in`]).

pub mod connect;
pub mod sign_in;

use std::path::PathBuf;
use std::sync::Arc;

use chrono_tz::Tz;

use crate::auth::accounts::{Accounts, StoreLocation, TokenStore};
use crate::auth::client::ClientInfo;
use crate::auth::service_account::{self, Key, ServiceSession};
use crate::auth::session::{Session, StoredToken};
use crate::auth::store::{client_secret_key, service_account_key, SecretStore};
use crate::calendar::client::{Auth, AuthFuture};
use crate::calendar::error::ApiError;
use crate::config::{Config, Paths};

/// What every command starts from: where meetty keeps its files, the log opened, the config
/// read.
pub struct Startup {
    pub paths: Paths,
    pub config: Config,
}

impl Startup {
    /// `config_file`: `--config`, else the default place.
    pub fn load(config_file: Option<PathBuf>) -> Result<Startup, String> {
        let paths = Paths::resolve(config_file)?;
        // A log that cannot be opened must not keep anyone from their agenda.
        let _ = crate::logging::init(&paths.log_file());
        let config = Config::load(&paths.config_file)?;
        crate::calendar::providers::install(&config.providers);
        Ok(Startup { paths, config })
    }

    /// The zone times are shown and typed in: the config's, else the system's.
    pub fn tz(&self) -> Result<Tz, String> {
        crate::timefmt::resolve_zone(self.config.timezone.as_deref())
    }

    /// How many days an agenda covers: `--days` when given (see [`parse_days`]), else the
    /// config's `days` (checked when the config is read).
    pub fn days(&self, flag: Option<u32>) -> u32 {
        flag.unwrap_or(self.config.days)
    }
}

/// Reads `--days N`: 1 to 366, as the config's `days`.
pub fn parse_days(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(days @ 1..=366) => Ok(days),
        _ => Err("give a whole number of days from 1 to 366, like 7".into()),
    }
}

/// How an account signs in.
#[derive(Debug, Clone)]
pub enum Via {
    /// In the browser, with the OAuth client in `client.json` (its secret in the store).
    Browser(ClientInfo),
    /// With the key of this service account (its client e-mail), kept in the store.
    ServiceAccount(String),
}

/// The signed-in account's pieces, read from the config dir and the secret store.
#[derive(Clone)]
pub struct Signed {
    pub email: String,
    pub kind: TokenStore,
    pub via: Via,
    pub store: Arc<SecretStore>,
}

impl Signed {
    pub fn load(paths: &Paths, account: Option<&str>) -> Result<Signed, String> {
        let accounts = Accounts::load(&paths.accounts_file())?;
        let (email, kind) = accounts.pick(account)?;
        let via = match accounts.service_account(&email) {
            Some(client_email) => Via::ServiceAccount(client_email.to_string()),
            None => Via::Browser(ClientInfo::load(&paths.client_file())?.ok_or(
                "no OAuth client is set up: run meetty login --credentials client_secret_XXX.json",
            )?),
        };
        let store = StoreLocation::new(&paths.data_dir).open(kind);
        Ok(Signed {
            email,
            kind,
            via,
            store,
        })
    }

    /// The account as `status` and `doctor` name it.
    pub fn describe(&self) -> String {
        match &self.via {
            Via::Browser(_) => self.email.clone(),
            Via::ServiceAccount(client_email) => {
                service_account::describe(&self.email, client_email)
            }
        }
    }

    /// The OAuth client's secret (browser sign-ins). Blocks on the keyring.
    pub fn secret(&self) -> Result<String, String> {
        let Via::Browser(client) = &self.via else {
            return Err(format!(
                "{} signs in with a service-account key, not an OAuth client",
                self.email
            ));
        };
        self.store
            .get(&client_secret_key(&client.client_id))
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                "the OAuth client secret is missing from the store: run meetty login \
                 --credentials client_secret_XXX.json"
                    .to_string()
            })
    }

    /// The service account's key (service-account sign-ins). Blocks on the keyring.
    pub fn key(&self) -> Result<Key, String> {
        let Via::ServiceAccount(client_email) = &self.via else {
            return Err(format!(
                "{} signs in in the browser, with no key",
                self.email
            ));
        };
        let again = || {
            format!(
                "the key of service account {client_email} is not usable in {}: run meetty login \
                 --service-account KEY.json{}",
                self.store.describe(),
                if self.email == *client_email {
                    String::new()
                } else {
                    format!(" --subject {}", self.email)
                }
            )
        };
        let json = self
            .store
            .get(&service_account_key(client_email))
            .map_err(|e| e.to_string())?
            .ok_or_else(again)?;
        Key::parse(&json).map_err(|_| again())
    }

    pub fn token(&self) -> Result<Option<StoredToken>, String> {
        StoredToken::read(&self.store, &self.email).map_err(|e| e.to_string())
    }

    pub async fn session(self) -> Result<AccountSession, String> {
        let me = self.clone();
        match &self.via {
            Via::Browser(client) => {
                let secret = blocking(move || me.secret()).await?;
                Ok(AccountSession::Browser(Box::new(Session::new(
                    client.clone(),
                    secret,
                    self.store,
                    &self.email,
                ))))
            }
            Via::ServiceAccount(client_email) => {
                let key = blocking(move || me.key()).await?;
                let subject = (self.email != *client_email).then_some(self.email.as_str());
                Ok(AccountSession::ServiceAccount(
                    ServiceSession::new(&key, subject, Some(Arc::clone(&self.store))).await?,
                ))
            }
        }
    }
}

/// An account's session, whichever way it signs in.
pub enum AccountSession {
    /// Boxed: it holds its token state, many times the size of the other.
    Browser(Box<Session>),
    ServiceAccount(ServiceSession),
}

impl AccountSession {
    /// A token just issued by the token endpoint: `meetty doctor` checks that this works.
    pub async fn refresh_now(&self) -> Result<String, ApiError> {
        match self {
            AccountSession::Browser(s) => s.refresh_now().await,
            AccountSession::ServiceAccount(s) => s.refresh_now().await,
        }
    }
}

impl Auth for AccountSession {
    fn token(&self) -> AuthFuture<'_> {
        match self {
            AccountSession::Browser(s) => s.token(),
            AccountSession::ServiceAccount(s) => s.token(),
        }
    }

    fn refresh<'a>(&'a self, rejected: &'a str) -> AuthFuture<'a> {
        match self {
            AccountSession::Browser(s) => s.refresh(rejected),
            AccountSession::ServiceAccount(s) => s.refresh(rejected),
        }
    }
}

/// Runs `f` on a blocking thread: keyring calls block on D-Bus.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("blocking task panicked")
}

/// The account's session, opened on first use and tried again after a failure: a keyring
/// that is locked when the TUI starts must not keep the cached agenda off the screen, and
/// once it is unlocked, `r` works without a restart.
pub struct LazySession {
    signed: Signed,
    session: tokio::sync::OnceCell<AccountSession>,
}

impl LazySession {
    pub fn new(signed: Signed) -> LazySession {
        LazySession {
            signed,
            session: tokio::sync::OnceCell::new(),
        }
    }

    async fn session(&self) -> Result<&AccountSession, ApiError> {
        self.session
            .get_or_try_init(|| self.signed.clone().session())
            .await
            .map_err(ApiError::Local)
    }
}

impl Auth for LazySession {
    fn token(&self) -> AuthFuture<'_> {
        Box::pin(async move { self.session().await?.token().await })
    }

    fn refresh<'a>(&'a self, rejected: &'a str) -> AuthFuture<'a> {
        Box::pin(async move { self.session().await?.refresh(rejected).await })
    }
}
