//! A signed-in account at run time: its access token, refreshed when it expires or Google
//! refuses it, with every refreshed token written back to the secret store.
//!
//! Every request of a session asks here (the agenda's calendars listed in parallel, the
//! CLI's calls, later watchers), so a refresh is single flight: one `POST /token` at a time,
//! and the requests that waited for it share its outcome, a token or the reason there is
//! none. A grant Google rejected is not tried again until a new sign-in stores another.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use yup_oauth2::storage::TokenInfo;

use super::client::ClientInfo;
use super::login::{explain_oauth_error, granted};
use super::store::{token_key, SecretStore, StoreError};
use crate::calendar::client::{Auth, AuthFuture};
use crate::calendar::error::ApiError;

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

/// What a caller needs.
#[derive(Clone, Copy)]
enum Need<'a> {
    /// A token that has not expired.
    Valid,
    /// A token other than this one, which Google refused (401).
    InsteadOf(&'a str),
    /// A token from the token endpoint, whatever is at hand (`meetty doctor`'s check).
    Fresh,
}

/// What the session holds between requests; one request at a time reads or changes it.
#[derive(Default)]
struct Tokens {
    /// The tokens in use, once read from the store or refreshed.
    current: Option<TokenInfo>,
    /// The outcome of the last refresh, for the requests that waited for it.
    last: Option<Result<String, ApiError>>,
    /// An access token Google refused (401): not handed out again, even before it expires.
    refused: Option<String>,
    /// A refresh token Google rejected, and what it said then.
    rejected: Option<(String, ApiError)>,
}

impl Tokens {
    fn usable(&self, need: Need<'_>) -> Option<String> {
        let current = self.current.as_ref()?;
        let access = current.access_token.as_deref()?;
        // Expiry is checked with a minute to spare, as yup-oauth2 and Google's own
        // libraries do: a token must not expire on the way.
        let usable = !matches!(need, Need::Fresh)
            && !current.is_expired()
            && self.refused.as_deref() != Some(access);
        usable.then(|| access.to_string())
    }
}

pub struct Session {
    pub account: String,
    client: ClientInfo,
    secret: String,
    store: Arc<SecretStore>,
    /// Held by the one request that reads, refreshes or stores tokens; the others wait.
    tokens: tokio::sync::Mutex<Tokens>,
    /// Refreshes finished so far: a request that sees it move while it waited shares the
    /// outcome of the refresh it waited for instead of starting another.
    refreshes: AtomicU64,
}

impl Session {
    /// The account's session; its tokens are read from `store` on first use.
    pub fn new(
        client: ClientInfo,
        secret: String,
        store: Arc<SecretStore>,
        account: &str,
    ) -> Session {
        Session {
            account: account.to_string(),
            client,
            secret,
            store,
            tokens: tokio::sync::Mutex::new(Tokens::default()),
            refreshes: AtomicU64::new(0),
        }
    }

    /// A token just issued by the token endpoint: `meetty doctor` checks that refreshing
    /// works.
    pub async fn refresh_now(&self) -> Result<String, ApiError> {
        self.access_token(Need::Fresh).await
    }

    async fn access_token(&self, need: Need<'_>) -> Result<String, ApiError> {
        let seen = self.refreshes.load(Ordering::Acquire);
        let mut tokens = self.tokens.lock().await;
        if self.refreshes.load(Ordering::Acquire) != seen {
            if let Some(outcome) = &tokens.last {
                return outcome.clone();
            }
        }
        if let Need::InsteadOf(rejected) = need {
            tokens.refused = Some(rejected.to_string());
        }
        if let Some(token) = tokens.usable(need) {
            return Ok(token);
        }
        // Another meetty (or a new sign-in) may have stored newer tokens.
        let stored = StoredToken::read_async(&self.store, &self.account)
            .await
            .map_err(|e| ApiError::Local(e.to_string()))?;
        let Some(stored) = stored else {
            return Err(self.signed_out());
        };
        tokens.current = Some(stored.token);
        if let Some(token) = tokens.usable(need) {
            return Ok(token);
        }
        let Some(refresh) = tokens
            .current
            .as_ref()
            .and_then(|t| t.refresh_token.clone())
        else {
            return Err(self.signed_out());
        };
        if let Some((_, said)) = tokens.rejected.as_ref().filter(|(r, _)| *r == refresh) {
            return Err(said.clone());
        }
        let outcome = match self.refresh(&refresh).await {
            Ok(token) => {
                let access = token.access_token.clone().unwrap_or_default();
                self.keep(&token).await;
                tokens.current = Some(token);
                Ok(access)
            }
            Err(error) => {
                log::warn!("no access token for {}: {error}", self.account);
                if matches!(error, ApiError::SignIn(_)) {
                    tokens.rejected = Some((refresh, error.clone()));
                }
                Err(error)
            }
        };
        tokens.last = Some(outcome.clone());
        self.refreshes.fetch_add(1, Ordering::Release);
        outcome
    }

    fn signed_out(&self) -> ApiError {
        ApiError::SignIn(format!(
            "no stored sign-in for {}: run meetty login",
            self.account
        ))
    }

    /// One `refresh_token` grant; Google's refusal explained (sign in again, the network,
    /// or a status the retry policy treats like any other call's).
    async fn refresh(&self, refresh_token: &str) -> Result<TokenInfo, ApiError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", self.client.client_id.as_str()),
            ("client_secret", self.secret.as_str()),
        ];
        match crate::http::post_form(&self.client.endpoints().token_uri, &form).await {
            Err(e) => Err(ApiError::Network(e)),
            // Google sends no new refresh token on a refresh: the one used stays.
            Ok((200, body)) => granted(&body)
                .map(|t| TokenInfo {
                    refresh_token: t.refresh_token.or(Some(refresh_token.to_string())),
                    ..t
                })
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

    /// Writes refreshed tokens back, so a restart needs no refresh. A store that refuses
    /// costs only that: the session goes on with the token it holds.
    async fn keep(&self, token: &TokenInfo) {
        log::info!("access token of {} refreshed; storing it", self.account);
        let stored = StoredToken {
            client_id: self.client.client_id.clone(),
            token: token.clone(),
        };
        let Ok(json) = serde_json::to_string(&stored) else {
            return;
        };
        let (store, key) = (Arc::clone(&self.store), token_key(&self.account));
        let written = tokio::task::spawn_blocking(move || store.set(&key, &json)).await;
        if let Ok(Err(e)) = written {
            log::warn!(
                "the refreshed token of {} was not stored: {e}",
                self.account
            );
        }
    }
}

impl Auth for Session {
    fn token(&self) -> AuthFuture<'_> {
        Box::pin(self.access_token(Need::Valid))
    }

    fn refresh<'a>(&'a self, rejected: &'a str) -> AuthFuture<'a> {
        Box::pin(self.access_token(Need::InsteadOf(rejected)))
    }
}
