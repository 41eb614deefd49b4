//! A signed-in account at run time: yup-oauth2 owns the token lifecycle (refresh before
//! expiry, storage of refreshed tokens) with the secret store as its storage.

use std::sync::Arc;

use yup_oauth2::authenticator::Authenticator;
use yup_oauth2::authenticator_delegate::InstalledFlowDelegate;
use yup_oauth2::storage::{TokenInfo, TokenStorage, TokenStorageError};
use yup_oauth2::{
    ApplicationSecret, CustomHyperClientBuilder, InstalledFlowAuthenticator,
    InstalledFlowReturnMethod,
};

use super::client::{ClientInfo, SCOPES};
use super::login::explain_oauth_error;
use super::store::{token_key, SecretStore, StoreError};
use crate::calendar::client::{ApiError, Auth, AuthFuture};
use crate::http::Connector;

/// The tokens of one account, as kept in the secret store.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct StoredToken {
    pub client_id: String,
    pub token: TokenInfo,
}

impl StoredToken {
    /// The account's stored tokens; unreadable JSON counts as none (a new login fixes it).
    /// Blocks on the keyring: call it off the async threads.
    pub fn read(store: &SecretStore, account: &str) -> Result<Option<StoredToken>, StoreError> {
        let json = store.get(&token_key(account))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// [`StoredToken::read`] on a blocking thread.
    pub async fn read_async(
        store: &Arc<SecretStore>,
        account: &str,
    ) -> Result<Option<StoredToken>, StoreError> {
        let (store, account) = (Arc::clone(store), account.to_string());
        tokio::task::spawn_blocking(move || StoredToken::read(&store, &account))
            .await
            .map_err(|e| StoreError::Io(e.to_string()))?
    }
}

/// yup-oauth2's storage backed by the keyring (or the opted-in file): every refreshed token
/// is written back, so a restart never needs a new sign-in.
struct SecretTokenStorage {
    store: Arc<SecretStore>,
    account: String,
    client_id: String,
}

#[async_trait::async_trait]
impl TokenStorage for SecretTokenStorage {
    async fn set(&self, _scopes: &[&str], token: TokenInfo) -> Result<(), TokenStorageError> {
        let stored = StoredToken {
            client_id: self.client_id.clone(),
            token,
        };
        let json = serde_json::to_string(&stored)
            .map_err(|e| TokenStorageError::Other(e.to_string().into()))?;
        log::info!("access token of {} refreshed; storing it", self.account);
        let (store, key) = (Arc::clone(&self.store), token_key(&self.account));
        tokio::task::spawn_blocking(move || store.set(&key, &json))
            .await
            .map_err(|e| TokenStorageError::Other(e.to_string().into()))?
            .map_err(|e| TokenStorageError::Other(e.to_string().into()))
    }

    /// One token set covers every scope meetty asks for, so the scope set is not part of the key.
    async fn get(&self, _scopes: &[&str]) -> Option<TokenInfo> {
        // A store error reads as "no token"; `diagnose` then reports it as what it is.
        let stored = StoredToken::read_async(&self.store, &self.account).await;
        stored.ok().flatten().map(|s| s.token)
    }
}

/// yup-oauth2 falls back to an interactive flow when a refresh fails; inside the TUI that
/// must not print to the terminal or wait for input, so it is refused here and the failure
/// is explained by [`Session::diagnose`]. (The `Interactive` return method is used because
/// only it passes the delegate's refusal on; the redirect method ignores it and waits.)
struct NoInteractiveFlow;

impl InstalledFlowDelegate for NoInteractiveFlow {
    fn present_user_url<'a>(
        &'a self,
        _url: &'a str,
        _need_code: bool,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, String>> + Send + 'a>>
    {
        Box::pin(async { Err("sign-in needed".to_string()) })
    }
}

pub struct Session {
    pub account: String,
    client: ClientInfo,
    secret: String,
    store: Arc<SecretStore>,
    auth: Authenticator<Connector>,
}

impl Session {
    pub async fn open(
        client: ClientInfo,
        secret: String,
        store: Arc<SecretStore>,
        account: &str,
    ) -> Result<Session, String> {
        let app = ApplicationSecret {
            client_id: client.client_id.clone(),
            client_secret: secret.clone(),
            token_uri: client.endpoints().token_uri,
            auth_uri: client.endpoints().auth_uri,
            redirect_uris: vec!["http://127.0.0.1".into()],
            ..Default::default()
        };
        let http: hyper_util::client::legacy::Client<Connector, String> =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(crate::http::connector());
        let storage = SecretTokenStorage {
            store: Arc::clone(&store),
            account: account.to_string(),
            client_id: client.client_id.clone(),
        };
        let auth = InstalledFlowAuthenticator::with_client(
            app,
            InstalledFlowReturnMethod::Interactive,
            CustomHyperClientBuilder::from(http),
        )
        .with_storage(Box::new(storage))
        .flow_delegate(Box::new(NoInteractiveFlow))
        .build()
        .await
        .map_err(|e| format!("cannot set up sign-in: {e}"))?;
        Ok(Session {
            account: account.to_string(),
            client,
            secret,
            store,
            auth,
        })
    }

    async fn access_token(&self, force: bool) -> Result<String, ApiError> {
        let result = if force {
            self.auth.force_refreshed_token(&SCOPES).await
        } else {
            self.auth.token(&SCOPES).await
        };
        if let Some(token) = result.ok().and_then(|t| t.token().map(str::to_string)) {
            return Ok(token);
        }
        let diagnosed = self.diagnose().await;
        if let Err(error) = &diagnosed {
            log::warn!("no access token for {}: {error}", self.account);
        }
        diagnosed
    }

    /// Why yup-oauth2 could not produce a token (it hides the reason behind its interactive
    /// fallback): one refresh attempt made here tells a rejected grant (sign in again) from
    /// a network problem or a keyring problem. If it succeeds, its token is used.
    async fn diagnose(&self) -> Result<String, ApiError> {
        let stored = StoredToken::read_async(&self.store, &self.account)
            .await
            .map_err(|e| ApiError::Local(e.to_string()))?;
        let Some(refresh) = stored.and_then(|s| s.token.refresh_token) else {
            return Err(ApiError::SignIn(format!(
                "no stored sign-in for {}: run meetty login",
                self.account
            )));
        };
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", self.client.client_id.as_str()),
            ("client_secret", self.secret.as_str()),
        ];
        match crate::http::post_form(&self.client.endpoints().token_uri, &form).await {
            Err(e) => Err(ApiError::Network(e)),
            Ok((200, body)) => serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["access_token"].as_str().map(str::to_string))
                .ok_or_else(|| {
                    ApiError::Unexpected("the token endpoint sent no access token".into())
                }),
            Ok((400 | 401, body)) => Err(ApiError::SignIn(explain_oauth_error(400, &body))),
            // Said as Google's status, so the retry policy treats the token endpoint's 429
            // and 5xx like any other call's.
            Ok((status @ (429 | 500..), body)) => Err(ApiError::Google {
                code: status,
                reason: String::new(),
                message: explain_oauth_error(status, &body),
            }),
            Ok((status, body)) => Err(ApiError::Unexpected(explain_oauth_error(status, &body))),
        }
    }
}

impl Auth for Session {
    fn token(&self) -> AuthFuture<'_> {
        Box::pin(self.access_token(false))
    }

    fn refresh(&self) -> AuthFuture<'_> {
        Box::pin(self.access_token(true))
    }
}
