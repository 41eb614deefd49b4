//! The account subcommands: `login`, `logout`, `status`, `doctor`.

pub mod doctor;
pub mod login;
pub mod logout;
pub mod status;

use std::sync::Arc;

use crate::auth::accounts::{Accounts, StoreLocation, TokenStore};
use crate::auth::client::ClientInfo;
use crate::auth::session::{Session, StoredToken};
use crate::auth::store::{client_secret_key, token_key, SecretStore};
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
        let json = self
            .store
            .get(&token_key(&self.email))
            .map_err(|e| e.to_string())?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    pub async fn session(self) -> Result<Session, String> {
        let secret = self.secret()?;
        Session::open(self.client, secret, self.store, &self.email).await
    }
}
