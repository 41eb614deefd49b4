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
use super::store::{token_key, SecretStore};
use crate::calendar::client::{ApiError, Auth, AuthFuture};
use crate::http::Connector;

/// The tokens of one account, as kept in the secret store.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct StoredToken {
    pub client_id: String,
    pub token: TokenInfo,
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

    /// One token set covers both scopes, so the scope set is not part of the key.
    async fn get(&self, _scopes: &[&str]) -> Option<TokenInfo> {
        let (store, key) = (Arc::clone(&self.store), token_key(&self.account));
        let json = tokio::task::spawn_blocking(move || store.get(&key))
            .await
            .ok()?
            .ok()??;
        serde_json::from_str::<StoredToken>(&json)
            .ok()
            .map(|s| s.token)
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
        match result.ok().and_then(|t| t.token().map(str::to_string)) {
            Some(token) => Ok(token),
            None => {
                let error = self.diagnose().await;
                log::warn!("no access token for {}: {error}", self.account);
                Err(error)
            }
        }
    }

    /// Why a token could not be had: one refresh attempt made here, whose answer separates
    /// "offline" from "the grant is gone" (yup-oauth2 hides the reason behind its fallback).
    async fn diagnose(&self) -> ApiError {
        let (store, key) = (Arc::clone(&self.store), token_key(&self.account));
        let stored = tokio::task::spawn_blocking(move || store.get(&key)).await;
        let refresh = match stored {
            Ok(Ok(Some(json))) => serde_json::from_str::<StoredToken>(&json)
                .ok()
                .and_then(|s| s.token.refresh_token),
            Ok(Err(e)) => return ApiError::SignIn(e.to_string()),
            _ => None,
        };
        let Some(refresh) = refresh else {
            return ApiError::SignIn(format!(
                "no stored sign-in for {}: run meetty login",
                self.account
            ));
        };
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", self.client.client_id.as_str()),
            ("client_secret", self.secret.as_str()),
        ];
        match crate::http::post_form(&self.client.endpoints().token_uri, &form).await {
            Err(e) => ApiError::Network(e),
            Ok((400 | 401, body)) => ApiError::SignIn(explain_oauth_error(400, &body)),
            Ok((status, body)) => ApiError::Unexpected(explain_oauth_error(status, &body)),
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
