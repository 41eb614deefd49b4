//! Which Google accounts are signed in, which ones the TUI merges (and in what order, with
//! what label), and where each one's tokens are kept. Stored as `accounts.json` in the
//! config dir; it holds no secrets.
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

    /// The accounts the TUI merges, in order: config `accounts` when it names any, else
    /// every signed-in account, the default one first. Beside each: why it cannot be used
    /// (config names it, but it is not signed in), saying how to sign it in.
    pub fn merged(&self, wanted: &[String]) -> Vec<(String, Option<String>)> {
        if wanted.is_empty() {
            let default = self
                .default
                .iter()
                .filter(|d| self.accounts.contains_key(*d));
            let others = self
                .accounts
                .keys()
                .filter(|a| Some(*a) != self.default.as_ref());
            return default.chain(others).map(|a| (a.clone(), None)).collect();
        }
        let mut order: Vec<(String, Option<String>)> = Vec::new();
        for email in wanted {
            let known = self.accounts.keys().find(|a| a.eq_ignore_ascii_case(email));
            let email = known.unwrap_or(email);
            if order.iter().any(|(a, _)| a.eq_ignore_ascii_case(email)) {
                continue;
            }
            let why = known.is_none().then(|| {
                format!(
                    "{email} (config accounts) is not signed in: run meetty login --account \
                     {email}, or take it out of accounts in the config"
                )
            });
            order.push((email.clone(), why));
        }
        order
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

/// The widest label an account gets on agenda rows, in columns.
pub const LABEL_COLUMNS: usize = 3;

/// Each account's label on agenda rows, in the order of `emails`: its `configured` one
/// (config `account_labels`, cut to [`LABEL_COLUMNS`]), else an initial no other account
/// has: the first letter of the part before the `@`, else of the domain, else a digit.
pub fn labels(emails: &[String], configured: &BTreeMap<String, String>) -> Vec<String> {
    let given: Vec<Option<String>> = emails
        .iter()
        .map(|e| {
            configured
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(e))
                .map(|(_, l)| {
                    crate::sanitize::fit(&crate::sanitize::line(l), LABEL_COLUMNS).to_string()
                })
        })
        .collect();
    let mut taken: Vec<String> = given.iter().flatten().map(|l| l.to_lowercase()).collect();
    emails
        .iter()
        .zip(given)
        .map(|(email, given)| {
            given.unwrap_or_else(|| {
                let (local, domain) = email.split_once('@').unwrap_or((email, ""));
                let initials = [local, domain]
                    .into_iter()
                    .filter_map(|part| part.chars().find(|c| c.is_alphanumeric()))
                    .map(|c| c.to_uppercase().to_string());
                let digits = (1..=emails.len() + 1).map(|n| n.to_string());
                let label = initials
                    .chain(digits)
                    .find(|l| !taken.contains(&l.to_lowercase()))
                    .unwrap_or_default();
                taken.push(label.to_lowercase());
                label
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_account_comes_first_unless_the_config_orders_them() {
        let mut a = Accounts::default();
        a.add("b@work.example", TokenStore::Keyring);
        a.add("a@home.example", TokenStore::File);
        a.add("c@work.example", TokenStore::Keyring);
        a.default = Some("b@work.example".into());
        let names = |list: Vec<(String, Option<String>)>| -> Vec<String> {
            list.into_iter().map(|(a, _)| a).collect()
        };
        let all = a.merged(&[]);
        assert!(all.iter().all(|(_, why)| why.is_none()));
        assert_eq!(
            names(all),
            ["b@work.example", "a@home.example", "c@work.example"]
        );
        let wanted = [
            "C@work.example",
            "gone@example.com",
            "a@home.example",
            "c@work.example",
        ]
        .map(String::from);
        let picked = a.merged(&wanted);
        let why = picked[1].1.as_deref().expect("not signed in");
        assert!(
            why.contains("meetty login --account gone@example.com"),
            "{why}"
        );
        assert_eq!(
            names(picked),
            ["c@work.example", "gone@example.com", "a@home.example"],
            "the config's order, each account once"
        );
    }

    #[test]
    fn labels_are_configured_or_unique_initials_of_at_most_three_columns() {
        let emails = [
            "alex@example.com",
            "alex.rivera@gmail.com",
            "ann@acme.example",
            "al@a.example",
            "kim@partner.org",
        ]
        .map(String::from);
        let configured = [("KIM@partner.org".to_string(), "Partner".to_string())].into();
        assert_eq!(
            labels(&emails, &configured),
            ["A", "G", "1", "2", "Par"],
            "initials never repeat (case aside); a configured label is cut to 3 columns"
        );
        let two = ["sam@example.com", "kim@example.com"].map(String::from);
        assert_eq!(labels(&two, &BTreeMap::new()), ["S", "K"]);
    }

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
