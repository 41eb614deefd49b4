//! Where meetty keeps its secrets: OAuth token sets, the OAuth client secret and service-account
//! keys.
//!
//! The default is the OS keyring through the `keyring` crate (Secret Service over D-Bus on Linux,
//! Keychain on macOS, Credential Manager on Windows). Hosts without a Secret Service can opt in to
//! 0600 files, one per key, in a 0700 directory. Either way every write is read back and compared,
//! because some Secret Service setups accept a write and silently drop it, which would otherwise
//! surface days later as a mysterious logout.
//!
//! Every call may block (D-Bus round trips, an unlock prompt): callers run them on a blocking
//! thread. No secret value ever reaches an error message or a `Debug` output: errors carry only
//! key names, paths and the platform's own description of what failed.
//!
//! keyring's `v1` API connects to the platform store once per process, on first use, and keeps
//! the outcome: a keyring that was unreachable then stays unreachable for this process (the
//! error says so plainly; restarting meetty after unlocking/installing it is the fix).

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// A handle on the secret store. Holds no secrets itself, so `Debug` and `Clone` are safe.
#[derive(Debug, Clone)]
pub struct SecretStore {
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    /// Keyring items are (service, user = key), so they show up as e.g. "meetty" /
    /// "token:alex@example.com" in Seahorse or Keychain Access.
    Keyring {
        service: String,
    },
    File {
        dir: PathBuf,
    },
}

/// Key under which an account's token set is stored, e.g. `token:alex@example.com`.
pub fn token_key(account: &str) -> String {
    format!("token:{account}")
}

/// Key under which an OAuth client's secret is stored, e.g. `client-secret:<id>`.
pub fn client_secret_key(client_id: &str) -> String {
    format!("client-secret:{client_id}")
}

/// Key under which a service account's JSON key is stored, one per service account (every
/// Workspace user it acts for shares it), e.g.
/// `service-account-key:bot@proj.iam.gserviceaccount.com`.
pub fn service_account_key(client_email: &str) -> String {
    format!("service-account-key:{client_email}")
}

/// What went wrong; every message names the fix. Never contains a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No Secret Service / no D-Bus session (or no OS keyring at all). Detail from the platform.
    Unavailable(String),
    /// The keyring is locked, or the unlock prompt was dismissed. Detail from the platform.
    Locked(String),
    /// The keyring (or file) accepted a write but reading it back gave something else.
    VerifyFailed,
    /// The file backend could not read or write; the detail names the path.
    Io(String),
    /// A secret file is readable or writable by other users. We refuse to use it (as ssh does
    /// with private keys) rather than quietly trusting or "fixing" a secret that may have leaked.
    InsecurePermissions { path: PathBuf, mode: u32 },
    /// Any other keyring failure (platform error, duplicate items, undecodable data).
    Keyring(String),
}

/// Said by every sign-in (`meetty login`, with or without `--service-account`), so it names
/// the flag rather than one command line.
const FILE_STORE_HINT: &str =
    "or run the same `meetty login` again with `--token-store file` to keep them in a 0600 \
     file instead";

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(detail) if cfg!(target_os = "linux") => write!(
                f,
                "no Secret Service on this session's D-Bus ({detail}): install and unlock \
                 gnome-keyring (or KeePassXC with Secret Service), {FILE_STORE_HINT}"
            ),
            StoreError::Unavailable(detail) => write!(
                f,
                "the OS keyring is not available ({detail}): check that you are logged in to a \
                 desktop session, {FILE_STORE_HINT}"
            ),
            StoreError::Locked(detail) => write!(
                f,
                "the keyring is locked ({detail}): unlock it (e.g. log in to the desktop, or \
                 `gnome-keyring-daemon --unlock`) and try again"
            ),
            StoreError::VerifyFailed => write!(
                f,
                "the secret store accepted a secret but did not return it when read back, so it \
                 would be lost: check that the keyring's default collection exists and is \
                 unlocked (e.g. in Seahorse), {FILE_STORE_HINT}"
            ),
            StoreError::Io(detail) => write!(
                f,
                "cannot use the token file store: {detail}: check that the directory is yours \
                 and writable, or use the OS keyring (`meetty login` without `--token-store file`)"
            ),
            StoreError::InsecurePermissions { path, mode } => write!(
                f,
                "refusing to read {}: it is accessible by other users (mode {mode:04o}); if \
                 nobody else could have read it, run `chmod 600 {}`, otherwise run `meetty \
                 logout` and sign in again",
                path.display(),
                path.display()
            ),
            StoreError::Keyring(detail) => write!(
                f,
                "the OS keyring failed: {detail}: try again, and run `meetty doctor` if it \
                 persists"
            ),
        }
    }
}

impl std::error::Error for StoreError {}

impl SecretStore {
    /// The OS keyring under service name `service` ("meetty" in production; tests use a unique
    /// name).
    pub fn keyring(service: &str) -> SecretStore {
        SecretStore {
            inner: Inner::Keyring {
                service: service.to_string(),
            },
        }
    }

    /// 0600 files under `dir` (created 0700 on first write if missing), one file per key,
    /// written atomically (temp file + rename).
    pub fn file(dir: &Path) -> SecretStore {
        SecretStore {
            inner: Inner::File {
                dir: dir.to_path_buf(),
            },
        }
    }

    /// Human description for `meetty status`.
    pub fn describe(&self) -> String {
        match &self.inner {
            Inner::Keyring { .. } => KEYRING_NAME.to_string(),
            Inner::File { dir } => format!("file {} (0600)", dir.display()),
        }
    }

    /// Stores `value` under `key`, then reads it back and compares.
    pub fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        match &self.inner {
            Inner::Keyring { service } => {
                let entry = keyring_entry(service, key)?;
                entry.set_password(value).map_err(map_keyring_error)?;
                check_read_back(value, entry.get_password())
            }
            Inner::File { dir } => {
                file::write(dir, key, value)?;
                match file::read(dir, key)? {
                    Some(read) if read == value => Ok(()),
                    _ => Err(StoreError::VerifyFailed),
                }
            }
        }
    }

    /// The value stored under `key`, or `Ok(None)` when there is none.
    pub fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match &self.inner {
            Inner::Keyring { service } => match keyring_entry(service, key)?.get_password() {
                Ok(value) => Ok(Some(value)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(map_keyring_error(e)),
            },
            Inner::File { dir } => file::read(dir, key),
        }
    }

    /// Removes `key`; a key that is not there is not an error.
    pub fn delete(&self, key: &str) -> Result<(), StoreError> {
        match &self.inner {
            Inner::Keyring { service } => match keyring_entry(service, key)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                // Duplicates (e.g. written by another tool): logout must remove them all.
                Err(keyring::Error::Ambiguous(entries)) => {
                    for entry in entries {
                        match entry.delete_credential() {
                            Ok(()) | Err(keyring::Error::NoEntry) => {}
                            Err(e) => return Err(map_keyring_error(e)),
                        }
                    }
                    Ok(())
                }
                Err(e) => Err(map_keyring_error(e)),
            },
            Inner::File { dir } => file::remove(dir, key),
        }
    }
}

#[cfg(target_os = "macos")]
const KEYRING_NAME: &str = "OS keyring (macOS Keychain)";
#[cfg(target_os = "windows")]
const KEYRING_NAME: &str = "OS keyring (Windows Credential Manager)";
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
const KEYRING_NAME: &str = "OS keyring (Secret Service)";

fn keyring_entry(service: &str, key: &str) -> Result<keyring::Entry, StoreError> {
    keyring::Entry::new(service, key).map_err(|e| match e {
        // keyring's v1 API connects to the platform store once per process and then only says
        // "no default store"; the real reason (no D-Bus session, no Secret Service) is kept in
        // store_status().
        keyring::Error::NoDefaultStore => match keyring::Entry::store_status() {
            Err(cause) => StoreError::Unavailable(cause.to_string()),
            Ok(()) => StoreError::Unavailable(e.to_string()),
        },
        e => map_keyring_error(e),
    })
}

/// The read-back after a write: anything but the exact value is a failed write.
fn check_read_back(value: &str, read: keyring::Result<String>) -> Result<(), StoreError> {
    match read {
        Ok(read) if read == value => Ok(()),
        Ok(_) | Err(keyring::Error::NoEntry) => Err(StoreError::VerifyFailed),
        Err(e) => Err(map_keyring_error(e)),
    }
}

/// Maps keyring errors without ever formatting the variants that carry secret bytes
/// (`BadEncoding`, `BadDataFormat`).
fn map_keyring_error(e: keyring::Error) -> StoreError {
    use keyring::Error as K;
    match e {
        // The Secret Service store reports Locked, a dismissed unlock prompt and "no result"
        // (a locked collection hides its items) as NoStorageAccess.
        K::NoStorageAccess(cause) => StoreError::Locked(cause.to_string()),
        K::PlatformFailure(cause) => {
            let detail = cause.to_string();
            if looks_unavailable(&detail) {
                StoreError::Unavailable(detail)
            } else {
                StoreError::Keyring(detail)
            }
        }
        K::NoDefaultStore => StoreError::Unavailable(K::NoDefaultStore.to_string()),
        K::BadEncoding(_) => StoreError::Keyring("the stored value is not UTF-8 text".into()),
        K::BadDataFormat(_, _) => {
            StoreError::Keyring("the stored value is malformed (cannot be decoded)".into())
        }
        K::Ambiguous(entries) => StoreError::Keyring(format!(
            "{} keyring items match this key: delete the duplicates (e.g. in Seahorse)",
            entries.len()
        )),
        // The rest (NoEntry where it is unexpected, TooLong, Invalid, BadStoreFormat,
        // NotSupportedByStore, future variants) carry no secret and describe themselves.
        other => StoreError::Keyring(other.to_string()),
    }
}

/// D-Bus is up but nothing owns org.freedesktop.secrets (and it cannot be activated), or there
/// is no session bus at all. The zbus errors arrive boxed, so we recognise them by their text.
fn looks_unavailable(detail: &str) -> bool {
    [
        "ServiceUnknown",
        "NameHasNoOwner",
        "no secret service provider",
        "not provided by any .service files",
    ]
    .iter()
    .any(|needle| detail.contains(needle))
}

/// The opt-in file backend: one file per key, named after the key.
mod file {
    use super::*;

    /// Keys become file names: ASCII letters, digits, `@ . _ -` stay, everything else
    /// (`:` `/` and so on) is %XX-escaped, and a leading `.` is escaped too so no key can name
    /// `..`, a hidden file or one of our temp files.
    pub(super) fn path_for(dir: &Path, key: &str) -> PathBuf {
        let mut name = String::with_capacity(key.len());
        for (i, b) in key.bytes().enumerate() {
            let keep = b.is_ascii_alphanumeric() || matches!(b, b'@' | b'_' | b'-' | b'.');
            if keep && !(i == 0 && b == b'.') {
                name.push(b as char);
            } else {
                name.push_str(&format!("%{b:02X}"));
            }
        }
        if name.is_empty() {
            name.push_str("%00");
        }
        dir.join(name)
    }

    fn io_err(what: &str, path: &Path, e: io::Error) -> StoreError {
        StoreError::Io(format!("{what} {}: {e}", path.display()))
    }

    fn create_dir(dir: &Path) -> Result<(), StoreError> {
        if dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, e))?;
        }
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(dir) {
            Ok(()) => Ok(()),
            // Another process won the race; fine.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
            Err(e) => Err(io_err("cannot create", dir, e)),
        }
    }

    pub(super) fn write(dir: &Path, key: &str, value: &str) -> Result<(), StoreError> {
        create_dir(dir)?;
        let path = path_for(dir, key);
        // Same directory, so the rename is atomic; a unique name, so concurrent writers never
        // share a temp file. Readers see the old value or the new one, never half a token.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let tmp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));

        let result = (|| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            // Created 0600 from the first byte: never a moment where the secret is readable.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options
                .open(&tmp)
                .map_err(|e| io_err("cannot create", &tmp, e))?;
            f.write_all(value.as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| io_err("cannot write", &tmp, e))?;
            std::fs::rename(&tmp, &path).map_err(|e| io_err("cannot replace", &path, e))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result?;
        // Make the rename itself durable; best effort (not every platform can fsync a dir).
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    pub(super) fn read(dir: &Path, key: &str) -> Result<Option<String>, StoreError> {
        let path = path_for(dir, key);
        let mut f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("cannot open", &path, e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Checked on the open handle, so the file we judge is the file we read.
            let meta = f.metadata().map_err(|e| io_err("cannot stat", &path, e))?;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(StoreError::InsecurePermissions { path, mode });
            }
        }
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)
            .map_err(|e| io_err("cannot read", &path, e))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| StoreError::Io(format!("{} is not UTF-8 text", path.display())))
    }

    pub(super) fn remove(dir: &Path, key: &str) -> Result<(), StoreError> {
        let path = path_for(dir, key);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err("cannot delete", &path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "1//0gSECRET-refresh-token-value";

    fn temp_dir(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        std::env::temp_dir().join(format!(
            "meetty-store-{name}-{}-{nanos}",
            std::process::id()
        ))
    }

    /// Removes the test directory even when an assertion fails.
    struct Cleanup(PathBuf);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn key_names() {
        assert_eq!(token_key("alex@example.com"), "token:alex@example.com");
        assert_eq!(
            client_secret_key("123-abc.apps.googleusercontent.com"),
            "client-secret:123-abc.apps.googleusercontent.com"
        );
    }

    #[test]
    fn file_names_are_safe() {
        let dir = Path::new("/d");
        assert_eq!(
            file::path_for(dir, "token:alex@example.com"),
            Path::new("/d/token%3Aalex@example.com")
        );
        assert_eq!(file::path_for(dir, "../x/y"), Path::new("/d/%2E.%2Fx%2Fy"));
        assert_eq!(file::path_for(dir, ".."), Path::new("/d/%2E."));
        assert_eq!(file::path_for(dir, ""), Path::new("/d/%00"));
        // Distinct keys never share a file.
        assert_ne!(file::path_for(dir, "a:b"), file::path_for(dir, "a%3Ab"));
    }

    #[test]
    fn file_round_trip_overwrite_delete_absent() {
        let dir = temp_dir("roundtrip");
        let _cleanup = Cleanup(dir.clone());
        let store = SecretStore::file(&dir.join("secrets"));
        let key = token_key("alex@example.com");

        assert_eq!(store.get(&key).unwrap(), None);
        store.delete(&key).unwrap(); // absent is fine

        let json = format!(r#"{{"refresh_token":"{SECRET}","note":"ünïcödé ✓"}}"#);
        store.set(&key, &json).unwrap();
        assert_eq!(store.get(&key).unwrap().as_deref(), Some(json.as_str()));

        store.set(&key, "second").unwrap();
        assert_eq!(store.get(&key).unwrap().as_deref(), Some("second"));

        let other = token_key("sam@example.com");
        store.set(&other, "other").unwrap();
        assert_eq!(store.get(&key).unwrap().as_deref(), Some("second"));

        store.delete(&key).unwrap();
        assert_eq!(store.get(&key).unwrap(), None);
        assert_eq!(store.get(&other).unwrap().as_deref(), Some("other"));

        // No temp files left behind.
        let names: Vec<_> = std::fs::read_dir(dir.join("secrets"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["token%3Asam@example.com".to_string()]);
    }

    #[cfg(unix)]
    #[test]
    fn file_modes_and_refusal_of_readable_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("modes");
        let _cleanup = Cleanup(dir.clone());
        let secrets = dir.join("nested").join("secrets");
        let store = SecretStore::file(&secrets);
        let key = token_key("alex@example.com");
        store.set(&key, SECRET).unwrap();

        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let path = file::path_for(&secrets, &key);
        assert_eq!(mode(&secrets), 0o700);
        assert_eq!(mode(&path), 0o600);

        // Overwriting keeps 0600 (the temp file is created 0600, then renamed over).
        store.set(&key, "again").unwrap();
        assert_eq!(mode(&path), 0o600);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = store.get(&key).unwrap_err();
        assert_eq!(
            err,
            StoreError::InsecurePermissions {
                path: path.clone(),
                mode: 0o644
            }
        );
        assert!(err.to_string().contains("chmod 600"), "{err}");

        // A rewrite replaces the loose file with a fresh 0600 one.
        store.set(&key, "fresh").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(store.get(&key).unwrap().as_deref(), Some("fresh"));
    }

    #[test]
    fn file_io_errors_name_the_path() {
        let dir = temp_dir("io");
        let _cleanup = Cleanup(dir.clone());
        // The "directory" is a regular file, so nothing can be written under it.
        std::fs::write(&dir, b"not a dir").unwrap();
        let store = SecretStore::file(&dir);
        let err = store.set("k", SECRET).unwrap_err();
        assert!(matches!(err, StoreError::Io(_)), "{err:?}");
        assert!(
            err.to_string().contains(&dir.display().to_string()),
            "{err}"
        );
        assert!(!err.to_string().contains(SECRET));
        std::fs::remove_file(&dir).unwrap();
    }

    #[test]
    fn describe_names_the_backend() {
        let k = SecretStore::keyring("meetty");
        assert!(k.describe().starts_with("OS keyring ("), "{}", k.describe());
        let f = SecretStore::file(Path::new("/home/a/.local/share/meetty"));
        assert_eq!(f.describe(), "file /home/a/.local/share/meetty (0600)");
    }

    #[test]
    fn read_back_mismatch_is_verify_failed() {
        assert_eq!(check_read_back("v", Ok("v".into())), Ok(()));
        // A keyring that dropped the write, or kept an older value.
        assert_eq!(
            check_read_back("v", Err(keyring::Error::NoEntry)),
            Err(StoreError::VerifyFailed)
        );
        assert_eq!(
            check_read_back("v", Ok("old".into())),
            Err(StoreError::VerifyFailed)
        );
        // A read-back that fails for another reason reports that reason.
        let locked = keyring::Error::NoStorageAccess(Box::new(io::Error::other("object locked")));
        assert!(matches!(
            check_read_back("v", Err(locked)),
            Err(StoreError::Locked(_))
        ));
    }

    #[test]
    fn keyring_errors_map_to_the_right_variant() {
        let boxed = |s: &str| -> Box<dyn std::error::Error + Send + Sync> {
            Box::new(io::Error::other(s.to_string()))
        };
        let unavailable = [
            "zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable",
            "no secret service provider or dbus session found",
        ];
        for text in unavailable {
            assert!(
                matches!(
                    map_keyring_error(keyring::Error::PlatformFailure(boxed(text))),
                    StoreError::Unavailable(_)
                ),
                "{text}"
            );
        }
        assert!(matches!(
            map_keyring_error(keyring::Error::PlatformFailure(boxed("I/O error"))),
            StoreError::Keyring(_)
        ));
        assert!(matches!(
            map_keyring_error(keyring::Error::NoStorageAccess(boxed(
                "SS Error: object locked"
            ))),
            StoreError::Locked(_)
        ));
        assert!(matches!(
            map_keyring_error(keyring::Error::NoDefaultStore),
            StoreError::Unavailable(_)
        ));
    }

    /// No secret in any error text, any Debug output or the store's Debug, including errors
    /// built from keyring variants that carry the secret's bytes.
    #[test]
    fn secrets_never_appear_in_messages() {
        let dir = temp_dir("leak");
        let _cleanup = Cleanup(dir.clone());
        let bytes = SECRET.as_bytes().to_vec();
        let mut errors = vec![
            StoreError::Unavailable("no session".into()),
            StoreError::Locked("locked".into()),
            StoreError::VerifyFailed,
            StoreError::Io("cannot write /x".into()),
            StoreError::InsecurePermissions {
                path: "/x".into(),
                mode: 0o644,
            },
            StoreError::Keyring("failed".into()),
            map_keyring_error(keyring::Error::BadEncoding(bytes.clone())),
            map_keyring_error(keyring::Error::BadDataFormat(
                bytes.clone(),
                Box::new(io::Error::other("bad")),
            )),
            map_keyring_error(keyring::Error::Ambiguous(Vec::new())),
            check_read_back(SECRET, Ok(format!("{SECRET}-different"))).unwrap_err(),
        ];
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let store = SecretStore::file(&dir);
            store.set("k", SECRET).unwrap();
            let path = file::path_for(&dir, "k");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
            errors.push(store.get("k").unwrap_err());
        }
        let stores = [SecretStore::keyring("meetty"), SecretStore::file(&dir)];
        let mut texts: Vec<String> = stores.iter().map(|s| format!("{s:?}")).collect();
        for e in &errors {
            texts.push(e.to_string());
            texts.push(format!("{e:?}"));
            // Every message names a fix, and every fix is something to run.
            assert!(e.to_string().contains('`'), "names a fix: {e}");
        }
        for text in texts {
            assert!(!text.contains(SECRET), "secret leaked into: {text}");
            // Debug of a byte vector would show the bytes as numbers.
            assert!(!text.contains(&format!("{:?}", &bytes[..4])), "{text}");
        }
    }
}
