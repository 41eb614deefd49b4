//! The secret store against a REAL Secret Service (or Keychain / Credential Manager).
//!
//! CI runs the suite inside `dbus-run-session` with `gnome-keyring-daemon --unlock
//! --components=secrets` started (see `.ci/test`). Locally:
//!
//! ```sh
//! dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets \
//!     >/dev/null; cargo test --test keyring_store'
//! ```
//!
//! `--unlock` opens (or creates) the login keyring in `$XDG_DATA_HOME/keyrings`; if one already
//! exists with another password the tests fail with `Locked`, so point `XDG_DATA_HOME` at a
//! temporary directory (or use that keyring's password).
//!
//! Without a reachable keyring these tests skip with a printed reason, except when `CI` is set:
//! there a missing keyring is a broken CI setup, and skipping would hide that the real store is
//! no longer covered.

use meetty::auth::store::{client_secret_key, token_key, SecretStore, StoreError};

/// A keyring store under a service name no other run (or a real user's "meetty") shares, which
/// deletes the keys it was given when dropped, even if the test panicked.
struct TestStore {
    store: SecretStore,
    keys: Vec<String>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        for key in &self.keys {
            let _ = self.store.delete(key);
        }
    }
}

/// The store for one test, or `None` (after printing why) when the keyring is unreachable
/// outside CI.
fn keyring(test: &str, keys: &[&str]) -> Option<TestStore> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let service = format!("meetty-test-{test}-{}-{nanos}", std::process::id());
    let store = SecretStore::keyring(&service);
    // A read of a key that does not exist touches the service without writing anything.
    match store.get("probe") {
        Ok(None) => {}
        Ok(Some(_)) => panic!("fresh service {service} already has a probe item"),
        Err(e @ StoreError::Unavailable(_)) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but the keyring is unreachable: {e}");
            }
            eprintln!("skipping {test}: no keyring reachable ({e})");
            return None;
        }
        Err(e) => panic!("keyring probe failed: {e}"),
    }
    Some(TestStore {
        store,
        keys: keys.iter().map(|k| k.to_string()).collect(),
    })
}

/// A realistic token set: about 1 kB of JSON, like the one yup-oauth2 serialises.
fn token_json(account: &str) -> String {
    format!(
        r#"{{"account":"{account}","access_token":"ya29.{}","refresh_token":"1//0g{}","expires_at":"2026-05-01T12:00:00Z","scopes":["https://www.googleapis.com/auth/calendar.events","https://www.googleapis.com/auth/calendar.calendarlist.readonly"],"id_token":"{}"}}"#,
        "a0B1c2D3e4".repeat(25),
        "Zy9Xw8Vu7".repeat(12),
        "eyJhbGciOi".repeat(45),
    )
}

#[test]
fn round_trip_set_get_delete() {
    let key = token_key("alex@example.com");
    let Some(t) = keyring("roundtrip", &[&key]) else {
        return;
    };
    assert_eq!(t.store.get(&key).unwrap(), None);
    t.store.delete(&key).unwrap(); // absent is fine

    let json = token_json("alex@example.com");
    assert!(json.len() > 900, "{}", json.len());
    t.store.set(&key, &json).unwrap(); // includes the read-back check
    assert_eq!(t.store.get(&key).unwrap().as_deref(), Some(json.as_str()));

    // A second handle on the same service sees it: it lives in the keyring, not in the handle.
    let again = t.store.clone();
    assert_eq!(again.get(&key).unwrap().as_deref(), Some(json.as_str()));

    t.store.delete(&key).unwrap();
    assert_eq!(t.store.get(&key).unwrap(), None);
    t.store.delete(&key).unwrap();
}

#[test]
fn two_accounts_and_client_secret_coexist() {
    let alex = token_key("alex@example.com");
    let sam = token_key("sam@example.org");
    let client = client_secret_key("1234-abcd.apps.googleusercontent.com");
    let Some(t) = keyring("accounts", &[&alex, &sam, &client]) else {
        return;
    };
    t.store.set(&alex, &token_json("alex@example.com")).unwrap();
    t.store.set(&sam, &token_json("sam@example.org")).unwrap();
    t.store.set(&client, "GOCSPX-client-secret").unwrap();

    assert_eq!(
        t.store.get(&alex).unwrap(),
        Some(token_json("alex@example.com"))
    );
    assert_eq!(
        t.store.get(&sam).unwrap(),
        Some(token_json("sam@example.org"))
    );
    assert_eq!(
        t.store.get(&client).unwrap().as_deref(),
        Some("GOCSPX-client-secret")
    );

    // Logging one account out leaves the other and the client secret alone.
    t.store.delete(&alex).unwrap();
    assert_eq!(t.store.get(&alex).unwrap(), None);
    assert_eq!(
        t.store.get(&sam).unwrap(),
        Some(token_json("sam@example.org"))
    );
    assert!(t.store.get(&client).unwrap().is_some());
}

#[test]
fn overwrite_replaces_instead_of_duplicating() {
    let key = token_key("alex@example.com");
    let Some(t) = keyring("overwrite", &[&key]) else {
        return;
    };
    t.store.set(&key, "first").unwrap();
    t.store.set(&key, "second").unwrap();
    t.store.set(&key, &token_json("alex@example.com")).unwrap();
    assert_eq!(
        t.store.get(&key).unwrap(),
        Some(token_json("alex@example.com"))
    );
    // A duplicate item would make this delete leave one behind (or fail as ambiguous).
    t.store.delete(&key).unwrap();
    assert_eq!(t.store.get(&key).unwrap(), None);
}

#[test]
fn unicode_and_long_values_survive() {
    let key = token_key("zoë+test@exämple.com");
    let Some(t) = keyring("unicode", &[&key]) else {
        return;
    };
    let unicode = r#"{"name":"Zoë Ångström","note":"会議 ✓ 🎉","quote":"\"x\"\n\ttab"}"#;
    t.store.set(&key, unicode).unwrap();
    assert_eq!(t.store.get(&key).unwrap().as_deref(), Some(unicode));

    let long = format!("{{\"blob\":\"{}\"}}", "ü€𝄞x".repeat(2000)); // ~22 kB
    t.store.set(&key, &long).unwrap();
    assert_eq!(t.store.get(&key).unwrap(), Some(long));

    t.store.set(&key, "").unwrap();
    assert_eq!(t.store.get(&key).unwrap().as_deref(), Some(""));
}
