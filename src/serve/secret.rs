//! The bearer secret every request of the meetings API must present: generated on first
//! start, kept in the secret store (keyring, or the 0600 file store by choice), printed once,
//! and compared in constant time.

use crate::auth::pkce;
use crate::auth::store::{SecretStore, StoreError};

/// The key the secret is kept under, next to the accounts' tokens.
pub const SECRET_KEY: &str = "serve-api-secret";

/// A bearer secret. Never printed by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// A fresh secret: 32 bytes from the OS's secure random source, as base64url (43
    /// characters, safe in a header without quoting).
    pub fn generate() -> Secret {
        Secret(pkce::random_token())
    }

    /// The value, to print once when it is made.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Whether `presented` (the text after `Bearer `) is this secret, in time that does not
    /// depend on where they differ: both sides are hashed first (SHA-256), so even the
    /// length of the secret does not show, and the digests are compared by folding their
    /// XOR ([`pkce::same`]).
    pub fn matches(&self, presented: &str) -> bool {
        pkce::same(
            &pkce::challenge_for(&self.0),
            &pkce::challenge_for(presented),
        )
    }
}

/// Whether [`load_or_create`] made the secret (so it must be printed) or found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Made,
    Stored,
}

/// The secret kept in `store`, made and stored first when there is none or when `renew`
/// (`--new-secret`) asks for a new one. Blocks (keyring calls go over D-Bus).
pub fn load_or_create(store: &SecretStore, renew: bool) -> Result<(Secret, Origin), String> {
    if !renew {
        if let Some(value) = store.get(SECRET_KEY).map_err(explain)? {
            return Ok((Secret(value), Origin::Stored));
        }
    }
    let secret = Secret::generate();
    store.set(SECRET_KEY, &secret.0).map_err(explain)?;
    Ok((secret, Origin::Made))
}

const FILE_STORE: &str =
    "or run `meetty serve --token-store file` to keep it in a 0600 file instead";

/// The store's own messages name `meetty login`; here the fix is a `meetty serve` flag.
fn explain(e: StoreError) -> String {
    match e {
        StoreError::Unavailable(detail) => format!(
            "no OS keyring to keep the meetty serve secret in ({detail}): start a Secret \
             Service (gnome-keyring, or KeePassXC with Secret Service), {FILE_STORE}"
        ),
        StoreError::Locked(detail) => format!(
            "the keyring is locked, so the meetty serve secret cannot be kept in it ({detail}): \
             unlock it (e.g. log in to the desktop, or `gnome-keyring-daemon --unlock`), \
             {FILE_STORE}"
        ),
        other => format!("cannot keep the meetty serve secret: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_secret_matches() {
        let secret = Secret::new("s3cret-value-0123456789");
        assert!(secret.matches("s3cret-value-0123456789"));
        assert!(!secret.matches("s3cret-value-012345678A"));
        assert!(!secret.matches("s3cret-value-012345678"));
        assert!(!secret.matches("s3cret-value-01234567890"));
        assert!(!secret.matches(""));
    }

    #[test]
    fn generated_secrets_are_fresh_and_header_safe() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_ne!(a.reveal(), b.reveal());
        assert_eq!(a.reveal().len(), 43);
        assert!(a
            .reveal()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert!(!format!("{a:?}").contains(a.reveal()));
    }

    #[test]
    fn stored_once_then_found_and_renewed_on_request() {
        let dir = std::env::temp_dir().join(format!(
            "meetty-serve-secret-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        let store = SecretStore::file(&dir);
        let (first, origin) = load_or_create(&store, false).unwrap();
        assert_eq!(origin, Origin::Made);
        let (again, origin) = load_or_create(&store, false).unwrap();
        assert_eq!((again.reveal(), origin), (first.reveal(), Origin::Stored));
        let (renewed, origin) = load_or_create(&store, true).unwrap();
        assert_eq!(origin, Origin::Made);
        assert!(!renewed.matches(first.reveal()));
        assert_eq!(
            store.get(SECRET_KEY).unwrap().as_deref(),
            Some(renewed.reveal())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
