//! Which Google accounts are signed in, which one the TUI uses, and where each one's tokens
//! are kept. Stored as `accounts.json` in the config dir; it holds no secrets.
//!
//! An account signed in with a service-account key (`meetty login --service-account`) is an
//! account like any other, plus an entry in `service_accounts` naming the service account
//! that acts for it. Files written before service accounts existed have no such entry and
//! read as before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::store::SecretStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum TokenStore {
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// A 0600 file in the data dir, for hosts with no keyring; only by explicit choice.
    File,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounts {
    /// The account the TUI opens with when `--account` is not given.
    pub default: Option<String>,
    pub accounts: BTreeMap<String, TokenStore>,
    /// Accounts signed in with a service-account key: the account (the Workspace user acted
    /// for, or the service account itself) → the service account's client e-mail.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub service_accounts: BTreeMap<String, String>,
}

/// Where a store's secrets go: the keyring service name (tests use their own) or the dir.
#[derive(Debug, Clone)]
pub struct StoreLocation {
    pub keyring_service: String,
    pub file_dir: PathBuf,
}

impl StoreLocation {
    pub fn new(data_dir: &Path) -> StoreLocation {
        StoreLocation {
            keyring_service: std::env::var("MEETTY_KEYRING_SERVICE")
                .unwrap_or_else(|_| "meetty".into()),
            file_dir: data_dir.join("tokens"),
        }
    }

    pub fn open(&self, kind: TokenStore) -> Arc<SecretStore> {
        Arc::new(match kind {
            TokenStore::Keyring => SecretStore::keyring(&self.keyring_service),
            TokenStore::File => SecretStore::file(&self.file_dir),
        })
    }
}

impl Accounts {
    pub fn load(path: &Path) -> Result<Accounts, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is damaged ({e}); delete it and run meetty login",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Accounts::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The requested account, else the default one; an error says how to fix it.
    pub fn pick(&self, requested: Option<&str>) -> Result<(String, TokenStore), String> {
        let email = match requested.or(self.default.as_deref()) {
            Some(e) => e.to_string(),
            None => return Err("not signed in: run meetty login (or try meetty --demo)".into()),
        };
        match self.accounts.get(&email) {
            Some(store) => Ok((email, *store)),
            None => {
                let known: Vec<&str> = self.accounts.keys().map(String::as_str).collect();
                Err(if known.is_empty() {
                    format!("{email} is not signed in: run meetty login --account {email}")
                } else {
                    format!("{email} is not signed in (signed in: {}); run meetty login --account {email}", known.join(", "))
                })
            }
        }
    }

    /// A browser sign-in: the account's tokens are in `store`.
    pub fn add(&mut self, email: &str, store: TokenStore) {
        self.accounts.insert(email.to_string(), store);
        self.service_accounts.remove(email);
        self.default = Some(email.to_string());
    }

    /// A service-account sign-in: `client_email`'s key, in `store`, acts as `email`.
    pub fn add_service_account(&mut self, email: &str, store: TokenStore, client_email: &str) {
        self.add(email, store);
        self.service_accounts
            .insert(email.to_string(), client_email.to_string());
    }

    /// The client e-mail of the service account that acts as `email`, if one does.
    pub fn service_account(&self, email: &str) -> Option<&str> {
        self.service_accounts.get(email).map(String::as_str)
    }

    /// Whether any account still signs in with `client_email`'s key kept in `store`.
    pub fn uses_key(&self, client_email: &str, store: TokenStore) -> bool {
        self.service_accounts
            .iter()
            .any(|(a, c)| c == client_email && self.accounts.get(a) == Some(&store))
    }

    pub fn remove(&mut self, email: &str) {
        self.accounts.remove(email);
        self.service_accounts.remove(email);
        if self.default.as_deref() == Some(email) {
            self.default = self.accounts.keys().next().cloned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_accounts_coexist_and_the_last_login_is_the_default() {
        let mut a = Accounts::default();
        assert!(a.pick(None).unwrap_err().contains("meetty login"));
        a.add("alex@example.com", TokenStore::Keyring);
        a.add("alex@work.example", TokenStore::File);
        assert_eq!(
            a.pick(None).unwrap(),
            ("alex@work.example".into(), TokenStore::File)
        );
        assert_eq!(
            a.pick(Some("alex@example.com")).unwrap().1,
            TokenStore::Keyring
        );
        let e = a.pick(Some("sam@example.com")).unwrap_err();
        assert!(
            e.contains("signed in: alex@example.com, alex@work.example"),
            "{e}"
        );
        a.remove("alex@work.example");
        assert_eq!(a.default.as_deref(), Some("alex@example.com"));
    }

    #[test]
    fn service_account_subjects_are_recorded_and_old_files_still_read() {
        let old = r#"{"default":"alex@example.com","accounts":{"alex@example.com":"keyring"}}"#;
        let mut a: Accounts = serde_json::from_str(old).unwrap();
        assert_eq!(a.service_account("alex@example.com"), None);
        let bot = "bot@proj.iam.gserviceaccount.com";
        a.add_service_account("sam@company.com", TokenStore::File, bot);
        a.add_service_account("kim@company.com", TokenStore::File, bot);
        let back: Accounts = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.service_account("sam@company.com"), Some(bot));
        assert_eq!(back.pick(None).unwrap().0, "kim@company.com");
        a.remove("kim@company.com");
        assert!(a.uses_key(bot, TokenStore::File), "sam still uses the key");
        assert!(!a.uses_key(bot, TokenStore::Keyring));
        a.remove("sam@company.com");
        assert!(!a.uses_key(bot, TokenStore::File));
        // A browser sign-in of the same address is no longer a service account's.
        a.add_service_account("sam@company.com", TokenStore::File, bot);
        a.add("sam@company.com", TokenStore::Keyring);
        assert_eq!(a.service_account("sam@company.com"), None);
        // Written without the new field while no service account is signed in.
        a.remove("sam@company.com");
        assert!(!serde_json::to_string(&a)
            .unwrap()
            .contains("service_accounts"));
    }
}
