//! The OAuth client meetty signs in with: the "Desktop app" client a user creates in Google
//! Cloud Console, and the endpoints it talks to.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub const GOOGLE_AUTH_URI: &str = "https://accounts.google.com/o/oauth2/v2/auth";
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
pub const GOOGLE_REVOKE_URI: &str = "https://oauth2.googleapis.com/revoke";

/// Least privilege: read and write events (to make and cancel meetings), read the list of
/// calendars (to merge them and show their colours), and see availability (find a time:
/// `freebusy.query` accepts none of the first two). No access to calendar settings, sharing,
/// or other calendars' metadata.
pub const SCOPES: [&str; 3] = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.events.freebusy",
];

/// Where the OAuth endpoints are: `MEETTY_*_URI` env, else the credentials file, else Google.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    pub auth_uri: String,
    pub token_uri: String,
    pub revoke_uri: String,
}

/// The non-secret half of the client, remembered in the config dir (`client.json`); the
/// secret lives in the keyring. The endpoints are kept as the credentials file gave them and
/// resolved at each use, so `MEETTY_*_URI` always wins and never sticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub client_id: String,
    pub auth_uri: Option<String>,
    pub token_uri: Option<String>,
}

/// Google's client_secret_*.json for a Desktop app (`installed`); a "Web application" client
/// (`web`) is refused with the fix, because its redirect URIs cannot be loopback ports.
#[derive(Deserialize)]
struct CredentialsFile {
    installed: Option<Installed>,
    web: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Installed {
    client_id: String,
    client_secret: String,
    auth_uri: Option<String>,
    token_uri: Option<String>,
}

/// A parsed credentials file: the client and its secret (kept apart so the secret is only
/// ever handed to the store and the token endpoint).
pub struct Credentials {
    pub client: ClientInfo,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    pub fn read(path: &Path) -> Result<Credentials, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read the credentials file {}: {e}. Download it from Google Cloud \
                 Console > APIs & Services > Credentials > your Desktop client > Download JSON",
                path.display()
            )
        })?;
        Credentials::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Credentials, String> {
        // serde_json's messages can quote values (the secret among them): report only where.
        let file: CredentialsFile = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a Google OAuth client file (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        let Some(inst) = file.installed else {
            return Err(if file.web.is_some() {
                "this is a \"Web application\" client; meetty needs a \"Desktop app\" client \
                 (Credentials > Create credentials > OAuth client ID > Desktop app)"
                    .into()
            } else {
                "no \"installed\" client in the file; download the JSON of a \"Desktop app\" \
                 OAuth client"
                    .into()
            });
        };
        Ok(Credentials {
            client: ClientInfo {
                client_id: inst.client_id,
                auth_uri: inst.auth_uri,
                token_uri: inst.token_uri,
            },
            secret: inst.client_secret,
        })
    }
}

impl Endpoints {
    /// Env first (tests and the sandbox), then what the credentials file says, then Google's.
    /// Google's files name the legacy `/o/oauth2/auth`; both it and v2 accept PKCE.
    pub fn resolve(file_auth: Option<&str>, file_token: Option<&str>) -> Endpoints {
        let pick = |env: &str, file: Option<&str>, default: &str| {
            std::env::var(env)
                .ok()
                .filter(|v| !v.is_empty())
                .or(file.map(str::to_string))
                .unwrap_or_else(|| default.to_string())
        };
        Endpoints {
            auth_uri: pick("MEETTY_AUTH_URI", file_auth, GOOGLE_AUTH_URI),
            token_uri: pick("MEETTY_TOKEN_URI", file_token, GOOGLE_TOKEN_URI),
            revoke_uri: pick("MEETTY_REVOKE_URI", None, GOOGLE_REVOKE_URI),
        }
    }
}

impl ClientInfo {
    pub fn endpoints(&self) -> Endpoints {
        Endpoints::resolve(self.auth_uri.as_deref(), self.token_uri.as_deref())
    }

    pub fn load(path: &Path) -> Result<Option<ClientInfo>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                format!(
                    "{} is damaged ({e}); run meetty login --credentials FILE",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESKTOP: &str = r#"{"installed":{"client_id":"123-abc.apps.googleusercontent.com",
        "project_id":"meetty-test","auth_uri":"https://accounts.google.com/o/oauth2/auth",
        "token_uri":"https://oauth2.googleapis.com/token","client_secret":"GOCSPX-s3cr3t",
        "redirect_uris":["http://localhost"]}}"#;

    #[test]
    fn reads_a_desktop_client_and_honours_its_endpoints() {
        let c = Credentials::parse(DESKTOP).unwrap();
        assert_eq!(c.client.client_id, "123-abc.apps.googleusercontent.com");
        assert_eq!(c.secret, "GOCSPX-s3cr3t");
        assert_eq!(
            c.client.endpoints().auth_uri,
            "https://accounts.google.com/o/oauth2/auth"
        );
        assert_eq!(
            c.client.endpoints().token_uri,
            "https://oauth2.googleapis.com/token"
        );
        assert!(
            !format!("{c:?}").contains("s3cr3t"),
            "the secret never reaches Debug output"
        );
    }

    #[test]
    fn refuses_web_clients_and_junk_with_the_fix() {
        let e = Credentials::parse(r#"{"web":{"client_id":"x","client_secret":"y"}}"#).unwrap_err();
        assert!(e.contains("Desktop app"), "{e}");
        let junk = [
            "GOCSPX-s3cr3t",
            r#"{"installed":"GOCSPX-s3cr3t"}"#,
            r#"{"installed":{"client_id":"x","client_secret":7,"z":"GOCSPX-s3cr3t"}}"#,
        ];
        for text in junk {
            let e = Credentials::parse(text).unwrap_err();
            assert!(
                e.contains("not a Google OAuth client file") && !e.contains("s3cr3t"),
                "{e}"
            );
        }
    }
}
