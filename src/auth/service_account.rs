//! Signing in as a Google service account, for machines with no person at a browser: the
//! JSON key Google Cloud Console downloads, kept in the secret store, and a session that
//! exchanges a freshly signed assertion for each access token (Google's JWT bearer grant;
//! there is no refresh token). With a subject it acts as that Workspace user through
//! domain-wide delegation; without one, as the service account itself.
//!
//! The assertion's claims (`iss`, `scope`, `aud` = the key's `token_uri`, `iat`, `exp` at most
//! an hour later, `sub`) and its RS256 signature are yup-oauth2's `ServiceAccountAuthenticator`,
//! as Google's "Using OAuth 2.0 for Server to Server Applications" describes them. Google's
//! refusals are explained here in words a Workspace admin can act on.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use yup_oauth2::authenticator::Authenticator;
use yup_oauth2::error::AuthErrorCode;
use yup_oauth2::storage::{TokenInfo, TokenStorage, TokenStorageError};
use yup_oauth2::{CustomHyperClientBuilder, ServiceAccountAuthenticator, ServiceAccountKey};

use super::client::SCOPES;
use super::session::StoredToken;
use super::store::{token_key, SecretStore};
use crate::calendar::client::{Auth, AuthFuture};
use crate::calendar::error::ApiError;

/// How long one token request may take before it counts as a network failure.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// Where Google's Admin console grants domain-wide delegation (Google Workspace Admin Help,
/// "Control API access with domain-wide delegation").
const DELEGATION_PAGE: &str = "Admin console (admin.google.com) > Security > Access and data \
     control > API controls > Manage Domain Wide Delegation > Add new";

/// A service account's JSON key. `Debug` shows who it is, never the private key.
#[derive(Clone)]
pub struct Key {
    inner: ServiceAccountKey,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("client_email", &self.inner.client_email)
            .field("client_id", &self.client_id())
            .field("private_key_id", &self.inner.private_key_id)
            .finish_non_exhaustive()
    }
}

/// The fields meetty needs from the key file; the rest (cert URLs, universe) are ignored.
#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    project_id: Option<String>,
    private_key_id: Option<String>,
    private_key: Option<String>,
    client_email: Option<String>,
    client_id: Option<String>,
    token_uri: Option<String>,
}

impl Key {
    /// Reads the key file Cloud Console downloaded, refusing one that other users can read
    /// (as ssh refuses such private keys): the key is as powerful as its grant.
    pub fn read_file(path: &Path) -> Result<Key, String> {
        let shown = path.display();
        let mut file = std::fs::File::open(path)
            .map_err(|e| format!("cannot read the service-account key {shown}: {e}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file
                .metadata()
                .map_err(|e| format!("cannot read the service-account key {shown}: {e}"))?
                .permissions()
                .mode()
                & 0o777;
            if mode & 0o077 != 0 {
                let how = if mode & 0o044 != 0 { "read" } else { "changed" };
                return Err(format!(
                    "{shown} can be {how} by other users (mode {mode:04o}): run chmod 600 \
                     {shown} and try again"
                ));
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| format!("cannot read the service-account key {shown}: {e}"))?;
        Key::parse(&text).map_err(|e| format!("{shown}: {e}"))
    }

    /// A key as Cloud Console writes it (or as meetty stored it). Messages never quote the
    /// file's values.
    pub fn parse(text: &str) -> Result<Key, String> {
        const FIX: &str = "in Cloud Console, open IAM & Admin > Service accounts > the service \
             account > Keys > Add key > Create new key > JSON, and use the file it downloads";
        let file: KeyFile = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a Google service-account key (line {}, column {}): {FIX}",
                e.line(),
                e.column()
            )
        })?;
        match file.kind.as_deref() {
            Some("service_account") => {}
            Some("authorized_user") | None if text.contains("\"installed\"") => {
                return Err(format!(
                    "this is an OAuth client file, for meetty login --credentials; for a \
                     service account, {FIX}"
                ))
            }
            _ => return Err(format!("not a Google service-account key: {FIX}")),
        }
        let missing = |field: &str| format!("the key has no {field}: {FIX}");
        let (Some(private_key), Some(client_email), Some(client_id), Some(token_uri)) = (
            file.private_key,
            file.client_email,
            file.client_id,
            file.token_uri,
        ) else {
            return Err(missing("private_key, client_email, client_id or token_uri"));
        };
        if !private_key.contains("PRIVATE KEY-----") {
            return Err(missing("PEM private key"));
        }
        Ok(Key {
            inner: ServiceAccountKey {
                key_type: file.kind,
                project_id: file.project_id,
                private_key_id: file.private_key_id,
                private_key,
                client_email,
                client_id: Some(client_id),
                auth_uri: None,
                token_uri,
                auth_provider_x509_cert_url: None,
                client_x509_cert_url: None,
            },
        })
    }

    /// The key as kept in the secret store (and only there).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.inner).expect("a key serialises")
    }

    /// The service account's address, `bot@project.iam.gserviceaccount.com`.
    pub fn client_email(&self) -> &str {
        &self.inner.client_email
    }

    /// The numeric id the Admin console's domain-wide delegation names.
    pub fn client_id(&self) -> &str {
        self.inner.client_id.as_deref().unwrap_or("")
    }

    pub fn project_id(&self) -> Option<&str> {
        self.inner.project_id.as_deref()
    }
}

/// How an account that a service account acts for is shown: "sam@company.com via service
/// account bot@…", or the service account alone.
pub fn describe(account: &str, client_email: &str) -> String {
    if account == client_email {
        format!("{account} (the service account itself, no domain-wide delegation)")
    } else {
        format!("{account} via service account {client_email}")
    }
}

/// What acting as the service account itself means, said at login.
pub fn acting_as_itself(client_email: &str) -> String {
    format!(
        "meetty acts as the service account {client_email} itself: it sees and changes the \
         service account's own calendar, which starts empty and which no person sees (only \
         calendars shared with {client_email} are visible besides). Google refuses meetings \
         with guests from a service account acting as itself. To act for a Workspace \
         user, grant domain-wide delegation and run meetty login --service-account KEY.json \
         --subject user@company.com"
    )
}

/// The Calendar API refused the service account's project; None for other errors.
pub fn explain_calendar_error(e: &ApiError, key_project: Option<&str>) -> Option<String> {
    match e {
        ApiError::Google {
            code: 403, reason, ..
        } if reason == "accessNotConfigured" || reason == "SERVICE_DISABLED" => {
            let project = key_project.map_or(String::new(), |p| format!("?project={p}"));
            Some(format!(
                "the Google Calendar API is not enabled in the service account's Cloud project \
                 ({}): enable it at \
                 https://console.cloud.google.com/apis/library/calendar-json.googleapis.com{project} \
                 and retry in a minute",
                key_project.unwrap_or("see project_id in the key file")
            ))
        }
        _ => None,
    }
}

type TokenSource = Authenticator<crate::http::Connector>;

/// Where a session keeps its access token between runs: the account's `token:` entry in the
/// secret store (as a browser sign-in's), read once and then held in memory, so a CLI
/// command needs no new assertion while the last one's token lasts. A store that refuses
/// costs only that: the next run signs for a new token.
struct Kept {
    store: Arc<SecretStore>,
    account: String,
    client_id: String,
    held: tokio::sync::Mutex<Option<TokenInfo>>,
}

#[async_trait::async_trait]
impl TokenStorage for Kept {
    async fn set(&self, _scopes: &[&str], token: TokenInfo) -> Result<(), TokenStorageError> {
        *self.held.lock().await = Some(token.clone());
        let stored = StoredToken {
            client_id: self.client_id.clone(),
            token,
        };
        let Ok(json) = serde_json::to_string(&stored) else {
            return Ok(());
        };
        let (store, key) = (Arc::clone(&self.store), token_key(&self.account));
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.set(&key, &json)).await {
            log::warn!(
                "the new access token of {} was not stored: {e}",
                self.account
            );
        }
        Ok(())
    }

    async fn get(&self, _scopes: &[&str]) -> Option<TokenInfo> {
        let mut held = self.held.lock().await;
        if held.is_none() {
            let stored = StoredToken::read_async(&self.store, &self.account).await;
            // A token of another service account (one acting for this user before) is no use.
            *held = stored
                .ok()
                .flatten()
                .filter(|t| t.client_id == self.client_id)
                .map(|t| t.token);
        }
        held.clone()
    }
}

/// A service account's session: access tokens signed for on demand, one token request at a
/// time (requests in parallel wait and share its token), used until a minute before they
/// expire.
pub struct ServiceSession {
    /// The account acted as: the subject, or the service account's e-mail.
    pub account: String,
    subject: Option<String>,
    client_email: String,
    client_id: String,
    tokens: TokenSource,
    turn: tokio::sync::Mutex<()>,
}

impl ServiceSession {
    /// A session acting as `subject` (None: as the service account itself), keeping its
    /// tokens in `keep` (None: in memory only, as the login's check does, which stores
    /// nothing until it has succeeded). Fails only on a key whose private half cannot be
    /// read; nothing is sent yet.
    pub async fn new(
        key: &Key,
        subject: Option<&str>,
        keep: Option<Arc<SecretStore>>,
    ) -> Result<ServiceSession, String> {
        let account = subject.unwrap_or(key.client_email()).to_string();
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build::<_, String>(crate::http::connector());
        let mut builder = ServiceAccountAuthenticator::with_client(
            key.inner.clone(),
            CustomHyperClientBuilder::from(http),
        )
        .with_timeout(TOKEN_TIMEOUT);
        if let Some(subject) = subject {
            builder = builder.subject(subject);
        }
        if let Some(store) = keep {
            builder = builder.with_storage(Box::new(Kept {
                store,
                account: account.clone(),
                client_id: key.client_id().to_string(),
                held: tokio::sync::Mutex::new(None),
            }));
        }
        let tokens = builder.build().await.map_err(|_| {
            format!(
                "the private key of service account {} cannot be read: create a new JSON key \
                 in Cloud Console and run meetty login --service-account KEY.json again",
                key.client_email()
            )
        })?;
        Ok(ServiceSession {
            account,
            subject: subject.map(str::to_string),
            client_email: key.client_email().to_string(),
            client_id: key.client_id().to_string(),
            tokens,
            turn: tokio::sync::Mutex::new(()),
        })
    }

    /// A token just issued for a newly signed assertion (`meetty doctor`'s check).
    pub async fn refresh_now(&self) -> Result<String, ApiError> {
        let _turn = self.turn.lock().await;
        let fresh = self.tokens.force_refreshed_token(&SCOPES).await;
        self.access(fresh)
    }

    async fn current(&self) -> Result<String, ApiError> {
        let _turn = self.turn.lock().await;
        let token = self.tokens.token(&SCOPES).await;
        self.access(token)
    }

    async fn instead_of(&self, rejected: &str) -> Result<String, ApiError> {
        let _turn = self.turn.lock().await;
        let held = self.access(self.tokens.token(&SCOPES).await)?;
        if held != rejected {
            return Ok(held);
        }
        let fresh = self.tokens.force_refreshed_token(&SCOPES).await;
        self.access(fresh)
    }

    fn access(
        &self,
        token: Result<yup_oauth2::AccessToken, yup_oauth2::Error>,
    ) -> Result<String, ApiError> {
        let outcome = match token {
            Ok(t) => t.token().map(str::to_string).ok_or_else(|| {
                ApiError::Unexpected("the token endpoint sent no access token".into())
            }),
            Err(e) => Err(self.explain(e)),
        };
        if let Err(e) = &outcome {
            log::warn!("no access token for {}: {e}", self.account);
        }
        outcome
    }

    /// Google's refusal of an assertion, in words an admin can act on. Never quotes the
    /// assertion or a token.
    fn explain(&self, e: yup_oauth2::Error) -> ApiError {
        use yup_oauth2::Error as E;
        let who = match &self.subject {
            Some(s) => format!("service account {} acting as {s}", self.client_email),
            None => format!("service account {}", self.client_email),
        };
        match e {
            E::AuthError(refusal) => {
                let said =
                    crate::sanitize::line(refusal.error_description.as_deref().unwrap_or(""));
                let said = format!(
                    "{}{}{said}",
                    refusal.error.as_str(),
                    if said.is_empty() { "" } else { ": " }
                );
                let again = format!(
                    "meetty login --service-account KEY.json{}",
                    self.subject
                        .as_deref()
                        .map_or(String::new(), |s| format!(" --subject {s}"))
                );
                ApiError::SignIn(match refusal.error {
                    // Google says this both when the delegation (or one of its scopes) is
                    // missing and when the subject is outside the domain that granted it.
                    AuthErrorCode::UnauthorizedClient | AuthErrorCode::AccessDenied => format!(
                        "Google refused the {who} ({said}): domain-wide delegation is not granted \
                         for the scopes meetty needs{}. A Workspace super admin grants it in the \
                         {DELEGATION_PAGE}: client ID {}, OAuth scopes {}. Then run {again}",
                        self.subject.as_deref().map_or(String::new(), |s| format!(
                            ", or {s} is not a user of the Workspace domain that granted it (a \
                             free Gmail address never is)"
                        )),
                        self.client_id,
                        SCOPES.join(",")
                    ),
                    AuthErrorCode::InvalidGrant if said.contains("account not found") => format!(
                        "Google refused the {who} ({said}): the service account no longer \
                         exists (deleted in Cloud Console?). Create one and a JSON key, grant \
                         its new client ID the delegation, and run {again}"
                    ),
                    AuthErrorCode::InvalidGrant
                        if said.contains("email") || said.contains("User ID") =>
                    {
                        format!(
                            "Google refused the {who} ({said}): {} is not a user of the \
                             Workspace domain that granted the delegation. Check the address \
                             and run {again}",
                            self.subject.as_deref().unwrap_or(&self.client_email)
                        )
                    }
                    AuthErrorCode::InvalidGrant => format!(
                        "Google refused the {who} ({said}): the key may have been deleted or \
                         replaced in Cloud Console (IAM & Admin > Service accounts > {} > Keys), \
                         or this machine's clock is off (compare `date` with the real time and \
                         turn on time sync). With a new key, run {again}",
                        self.client_email
                    ),
                    // The codes below as "Using OAuth 2.0 for Web Server Applications"
                    // (Authorization errors) describes them.
                    // admin_policy_enforced: the Workspace admin's policies keep the account
                    // from authorizing one or more of the scopes.
                    AuthErrorCode::Other(ref code) if code == "admin_policy_enforced" => {
                        format!(
                            "Google refused the {who} ({said}): a policy of the Workspace \
                             administrator blocks this client or its scopes. A super admin \
                             allows it in the Admin console (Security > Access and data control \
                             > API controls > Manage third-party app access: trust client ID \
                             {}, and check that Google Calendar is not restricted). Then run \
                             {again}",
                            self.client_id
                        )
                    }
                    // disabled_client: the OAuth client, here the service account, is disabled.
                    AuthErrorCode::Other(ref code) if code == "disabled_client" => format!(
                        "Google refused the {who} ({said}): the service account is disabled. \
                         Enable it in Cloud Console (IAM & Admin > Service accounts > {} > \
                         Enable), or use another one, then run {again}",
                        self.client_email
                    ),
                    // org_internal: the client's project only lets in accounts of its own
                    // Google Cloud organization.
                    AuthErrorCode::Other(ref code) if code == "org_internal" => format!(
                        "Google refused the {who} ({said}): its project admits only accounts \
                         of its own Google Cloud organization, and {} is not one. Act for a \
                         user of that organization, or use a service account of a project in \
                         the user's organization, then run {again}",
                        self.subject.as_deref().unwrap_or(&self.client_email)
                    ),
                    _ => format!(
                        "Google refused the {who} ({said}): check the service account in Cloud \
                         Console (IAM & Admin > Service accounts) and run {again}"
                    ),
                })
            }
            E::HttpError(e) => ApiError::Network(format!("token request failed: {e}")),
            E::HttpClientError(e) => ApiError::Network(format!("token request failed: {e}")),
            E::JSONError(e) => ApiError::Unexpected(format!(
                "the token endpoint answered neither a token nor an OAuth error (line {}, \
                 column {})",
                e.line(),
                e.column()
            )),
            E::LowLevelError(e) => ApiError::Local(format!(
                "cannot sign the assertion for the {who} ({e}): create a new JSON key and run \
                 meetty login --service-account KEY.json again"
            )),
            other => ApiError::Unexpected(format!("no access token for the {who}: {other}")),
        }
    }
}

impl Auth for ServiceSession {
    fn token(&self) -> AuthFuture<'_> {
        Box::pin(self.current())
    }

    fn refresh<'a>(&'a self, rejected: &'a str) -> AuthFuture<'a> {
        Box::pin(self.instead_of(rejected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIsecretbits\n-----END PRIVATE KEY-----\n";

    fn key_json(kind: &str) -> String {
        serde_json::json!({
            "type": kind, "project_id": "proj", "private_key_id": "abc123",
            "private_key": PEM, "client_email": "bot@proj.iam.gserviceaccount.com",
            "client_id": "1234567890", "token_uri": "https://oauth2.googleapis.com/token"
        })
        .to_string()
    }

    #[test]
    fn reads_a_key_and_never_shows_the_private_key() {
        let key = Key::parse(&key_json("service_account")).unwrap();
        assert_eq!(key.client_email(), "bot@proj.iam.gserviceaccount.com");
        assert_eq!(key.client_id(), "1234567890");
        assert_eq!(key.project_id(), Some("proj"));
        let shown = format!("{key:?}");
        assert!(
            shown.contains("bot@proj") && !shown.contains("secretbits"),
            "{shown}"
        );
        // What the store keeps reads back as the same key.
        let back = Key::parse(&key.to_json()).unwrap();
        assert_eq!(back.to_json(), key.to_json());
    }

    #[test]
    fn refuses_other_files_with_the_fix_and_without_their_values() {
        let client = r#"{"installed":{"client_id":"x","client_secret":"GOCSPX-secretbits"}}"#;
        let e = Key::parse(client).unwrap_err();
        assert!(e.contains("meetty login --credentials"), "{e}");
        for text in [
            key_json("authorized_user"),
            r#"{"type":"service_account","private_key":"secretbits"}"#.to_string(),
            "secretbits".to_string(),
        ] {
            let e = Key::parse(&text).unwrap_err();
            assert!(
                e.contains("Create new key") && !e.contains("secretbits"),
                "{e}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused_with_the_chmod() {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!("meetty-sa-{}.json", std::process::id()));
        std::fs::write(&path, key_json("service_account")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Key::read_file(&path).unwrap_err();
        let p = path.display();
        assert_eq!(
            e,
            format!("{p} can be read by other users (mode 0644): run chmod 600 {p} and try again")
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Key::read_file(&path).is_ok());
        std::fs::remove_file(&path).unwrap();
    }

    /// Google's refusals of an assertion, as the token endpoint words them, each explained
    /// with what to do about it.
    #[tokio::test]
    async fn refusals_name_what_to_fix() {
        let mut file: serde_json::Value =
            serde_json::from_str(&key_json("service_account")).unwrap();
        file["private_key"] =
            include_str!("../../tests/fixtures/service-account-test-1.pem").into();
        let key = Key::parse(&file.to_string()).unwrap();
        let session = ServiceSession::new(&key, Some("sam@company.com"), None)
            .await
            .unwrap();
        let refusal = |code: &str, description: &str| {
            let body = serde_json::json!({"error": code, "error_description": description});
            let error = serde_json::from_value(body).unwrap();
            match session.explain(yup_oauth2::Error::AuthError(error)) {
                ApiError::SignIn(said) => said,
                other => panic!("not a sign-in error: {other:?}"),
            }
        };
        let said = refusal("unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.");
        for needed in [
            "domain-wide delegation",
            "Security > Access and data control > API controls",
            "client ID 1234567890",
            &SCOPES.join(","),
            "--subject sam@company.com",
        ] {
            assert!(said.contains(needed), "{needed}: {said}");
        }
        let said = refusal("invalid_grant", "Invalid JWT Signature.");
        assert!(
            said.contains("Invalid JWT Signature") && said.contains("Keys"),
            "{said}"
        );
        assert!(said.contains("`date`"), "{said}");
        let said = refusal(
            "unauthorized_client",
            "Unauthorized client or scope in request.",
        );
        assert!(said.contains("or sam@company.com is not a user"), "{said}");
        let said = refusal("invalid_grant", "Not a valid email.");
        assert!(said.contains("sam@company.com is not a user"), "{said}");
        let said = refusal("invalid_grant", "Invalid grant: account not found");
        assert!(said.contains("no longer exists"), "{said}");
        let said = refusal("admin_policy_enforced", "");
        assert!(
            said.contains("Manage third-party app access") && said.contains("1234567890"),
            "{said}"
        );
        let said = refusal("disabled_client", "The OAuth client was disabled.");
        assert!(
            said.contains("service account is disabled") && said.contains("Enable"),
            "{said}"
        );
        let said = refusal("org_internal", "");
        assert!(
            said.contains("own Google Cloud organization") && said.contains("sam@company.com"),
            "{said}"
        );
        for said in [&said, &refusal("other_code", "")] {
            assert!(said.contains("--subject sam@company.com"), "{said}");
        }
        // Text from the server is sanitized before it reaches a terminal.
        let said = refusal("invalid_grant", "bad\u{1b}[2J");
        assert!(!said.contains('\u{1b}'), "{said}");
    }

    #[test]
    fn a_disabled_calendar_api_names_the_project() {
        let e = ApiError::Google {
            code: 403,
            reason: "accessNotConfigured".into(),
            message: String::new(),
        };
        let said = explain_calendar_error(&e, Some("proj")).unwrap();
        assert!(
            said.contains("calendar-json.googleapis.com?project=proj"),
            "{said}"
        );
        assert!(explain_calendar_error(&ApiError::Network("x".into()), None).is_none());
    }
}
