//! The bearer secret every request of the meetings API must present: generated on first
//! start, kept in the secret store (keyring, or the 0600 file store by choice), printed once,
//! and compared in constant time.

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

    /// The value, to print once when it is made.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Whether `presented` (the text after `Bearer `) is this secret, in time that does not
    /// depend on where they differ.
    pub fn matches(&self, presented: &str) -> bool {
        todo!("H3: constant-time comparison of {presented:?}")
    }
}
