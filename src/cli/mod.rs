//! The subcommands: accounts (`login`, `logout`, `status`, `doctor`) and scripting
//! (`agenda`, `new`, `cancel`, `link`).

pub mod connect;
pub mod doctor;
pub mod login;
pub mod logout;
pub mod scripting;
pub mod status;

use std::sync::Arc;

use crate::auth::accounts::{Accounts, StoreLocation, TokenStore};
use crate::auth::client::ClientInfo;
use crate::auth::session::{Session, StoredToken};
use crate::auth::store::{client_secret_key, SecretStore};
use crate::calendar::client::{ApiError, Auth, AuthFuture};
use crate::config::Paths;

/// The signed-in account's pieces, read from the config dir and the secret store.
#[derive(Clone)]
pub struct Signed {
    pub email: String,
    pub kind: TokenStore,
    pub client: ClientInfo,
    pub store: Arc<SecretStore>,
}

impl Signed {
    pub fn load(paths: &Paths, account: Option<&str>) -> Result<Signed, String> {
        let accounts = Accounts::load(&paths.accounts_file())?;
        let (email, kind) = accounts.pick(account)?;
        let client = ClientInfo::load(&paths.client_file())?.ok_or(
            "no OAuth client is set up: run meetty login --credentials client_secret_XXX.json",
        )?;
        let store = StoreLocation::new(&paths.data_dir).open(kind);
        Ok(Signed {
            email,
            kind,
            client,
            store,
        })
    }

    pub fn secret(&self) -> Result<String, String> {
        self.store
            .get(&client_secret_key(&self.client.client_id))
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                "the OAuth client secret is missing from the store: run meetty login \
                 --credentials client_secret_XXX.json"
                    .to_string()
            })
    }

    pub fn token(&self) -> Result<Option<StoredToken>, String> {
        StoredToken::read(&self.store, &self.email).map_err(|e| e.to_string())
    }

    pub async fn session(self) -> Result<Session, String> {
        let me = self.clone();
        let secret = blocking(move || me.secret()).await?;
        Ok(Session::new(self.client, secret, self.store, &self.email))
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
    session: tokio::sync::OnceCell<Session>,
}

impl LazySession {
    pub fn new(signed: Signed) -> LazySession {
        LazySession {
            signed,
            session: tokio::sync::OnceCell::new(),
        }
    }

    async fn session(&self) -> Result<&Session, ApiError> {
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
