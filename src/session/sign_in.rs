//! Signing in: the browser (or a pasted URL) gives a code, the code gives tokens, the calendar
//! list says whose they are, and the tokens go to the account's store. `meetty login` and the
//! TUI's sign-in dialog (when the stored grant stopped working) both run [`run`].
//! `meetty login --service-account` runs [`service_account`]: the key, once it has been shown
//! to work, goes to the store.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use yup_oauth2::storage::TokenInfo;

use super::blocking;
use crate::auth::accounts::{Accounts, StoreLocation, TokenStore};
use crate::auth::client::{ClientInfo, Credentials};
use crate::auth::login::{authorize, Finish};
use crate::auth::service_account::{self, explain_calendar_error, Key, ServiceSession};
use crate::auth::session::StoredToken;
use crate::auth::store::{client_secret_key, service_account_key, token_key, SecretStore};
use crate::calendar::client::CalendarClient;
use crate::calendar::error::ApiError;
use crate::config::Paths;

/// How to sign the session's account in again from inside the TUI: the same account, the
/// same token store, the same API.
#[derive(Clone)]
pub struct SignInContext {
    pub paths: Paths,
    pub account: String,
    pub token_store: TokenStore,
    pub api_root: String,
    /// The service account acting as the account, whose key only `meetty login
    /// --service-account` can replace: no browser sign-in helps it.
    pub service_account: Option<String>,
}

/// The same login as `meetty login`, for the same account and store, with consent asked
/// again because the stored grant was rejected; what the login says (the URL to open among
/// it) goes to `out`.
pub async fn again(ctx: SignInContext, out: &mut (dyn Write + Send)) -> Result<String, String> {
    if let Some(client_email) = &ctx.service_account {
        let subject = if *client_email == ctx.account {
            String::new()
        } else {
            format!(" --subject {}", ctx.account)
        };
        return Err(format!(
            "{} signs in with the key of service account {client_email}, not in a browser: fix \
             what Google said, then run meetty login --service-account KEY.json{subject} in a \
             terminal and press r",
            ctx.account
        ));
    }
    let opts = LoginOptions {
        credentials: None,
        account: Some(ctx.account),
        token_store: Some(ctx.token_store),
        api_root: ctx.api_root,
        renew: true,
    };
    run(
        &ctx.paths,
        opts,
        Finish::Browser(&crate::browser::open),
        out,
    )
    .await
}

pub struct LoginOptions {
    pub credentials: Option<PathBuf>,
    pub account: Option<String>,
    /// None: where the account's tokens already are, else the keyring.
    pub token_store: Option<TokenStore>,
    pub api_root: String,
    /// The stored refresh token was rejected (the TUI's sign-in dialog): ask for consent so
    /// Google issues a new one, and accept only the same account.
    pub renew: bool,
}

/// Signs in; `finish` is how the browser's answer comes back (the caller chooses between
/// the platform browser and a pasted URL). Returns the account's email.
pub async fn run(
    paths: &Paths,
    opts: LoginOptions,
    finish: Finish<'_>,
    out: &mut (dyn Write + Send),
) -> Result<String, String> {
    let accounts = Accounts::load(&paths.accounts_file())?;
    // The account this login is most likely for: the one named, else the default.
    let hint = opts.account.clone().or(accounts.default.clone());
    let (kind, store) = open_store(
        paths,
        &accounts,
        opts.token_store,
        hint.as_deref(),
        "tokens",
        out,
    );
    let creds = credentials(paths, &opts, &store).await?;
    refuse_client_switch(paths, &accounts, &creds, opts.account.as_deref())?;
    // A store that cannot be used fails now, not after the browser sign-in (whose refresh
    // token would be lost, and Google limits how many a client may hold).
    let (probe, key) = (
        Arc::clone(&store),
        client_secret_key(&creds.client.client_id),
    );
    blocking(move || probe.get(&key))
        .await
        .map_err(|e| e.to_string())?;
    let previous = match &hint {
        Some(email) => stored_token(&store, email).await,
        None => None,
    };
    // Google sends a refresh token only with consent; ask only when none is stored.
    let consent = opts.renew || previous.and_then(|t| t.refresh_token).is_none();
    log::info!(
        "login started (consent prompt: {consent}, store: {})",
        store.describe()
    );
    let mut token = authorize(&creds, hint.as_deref(), consent, finish, out).await?;
    let email = account_of(&opts.api_root, &token).await?;
    log::info!("login: code exchanged for tokens of {email}");
    if let Some(wanted) = opts
        .account
        .as_deref()
        .filter(|a| !a.eq_ignore_ascii_case(&email))
    {
        if opts.renew {
            return Err(format!(
                "you signed in as {email}, but this session is {wanted}: sign in as {wanted} \
                 (or quit and run meetty --account {email})"
            ));
        }
        let _ = writeln!(out, "Note: Google signed you in as {email}, not {wanted}.");
    }
    if token.refresh_token.is_none() && !opts.renew {
        token.refresh_token = stored_token(&store, &email)
            .await
            .and_then(|t| t.refresh_token);
    }
    if token.refresh_token.is_none() {
        return Err(format!(
            "Google sent no refresh token for {email}: run meetty login --account {email} \
             to be asked for consent again"
        ));
    }
    save(paths, &store, &creds, &email, token, kind).await?;
    log::info!("login: tokens of {email} stored in {}", store.describe());
    let _ = writeln!(
        out,
        "Signed in as {email}. Tokens are in {}.",
        store.describe()
    );
    Ok(email)
}

/// One OAuth client serves every account (its id is in `client.json`): logging in with
/// another client while other accounts use the current one would break their refresh.
fn refuse_client_switch(
    paths: &Paths,
    accounts: &Accounts,
    creds: &Credentials,
    account: Option<&str>,
) -> Result<(), String> {
    let Some(current) = ClientInfo::load(&paths.client_file())? else {
        return Ok(());
    };
    let others: Vec<&str> = accounts
        .accounts
        .keys()
        .map(String::as_str)
        .filter(|a| Some(*a) != account)
        .collect();
    if current.client_id == creds.client.client_id || others.is_empty() {
        return Ok(());
    }
    Err(format!(
        "other accounts ({}) use OAuth client {}: sign in with that client's JSON, or run \
         meetty logout --account EMAIL for each of them first",
        others.join(", "),
        current.client_id
    ))
}

/// The client from `--credentials`, else the one remembered from the last login.
async fn credentials(
    paths: &Paths,
    opts: &LoginOptions,
    store: &Arc<SecretStore>,
) -> Result<Credentials, String> {
    if let Some(path) = &opts.credentials {
        return Credentials::read(path);
    }
    let client = ClientInfo::load(&paths.client_file())?.ok_or(
        "no OAuth client yet: run meetty login --credentials client_secret_XXX.json \
         (README: \"Set up Google sign-in\" shows how to get that file)",
    )?;
    let (store, key) = (Arc::clone(store), client_secret_key(&client.client_id));
    let secret = blocking(move || store.get(&key))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the OAuth client secret is not in this token store: run meetty login --credentials client_secret_XXX.json")?;
    Ok(Credentials { client, secret })
}

async fn stored_token(store: &Arc<SecretStore>, email: &str) -> Option<TokenInfo> {
    let stored = StoredToken::read_async(store, email).await.ok()??;
    Some(stored.token)
}

/// The signed-in account's address: the primary calendar's id is the account's email.
async fn account_of(api_root: &str, token: &TokenInfo) -> Result<String, String> {
    let access = token
        .access_token
        .clone()
        .ok_or("Google sent no access token")?;
    let calendars = CalendarClient::new(api_root, access)
        .calendars()
        .await
        .map_err(|e| format!("signed in, but cannot read the calendar list: {e}"))?;
    calendars
        .into_iter()
        .find(|c| c.primary)
        .map(|c| c.id)
        .ok_or_else(|| "signed in, but the account has no primary calendar".into())
}

async fn save(
    paths: &Paths,
    store: &Arc<SecretStore>,
    creds: &Credentials,
    email: &str,
    token: TokenInfo,
    kind: TokenStore,
) -> Result<(), String> {
    let stored = StoredToken {
        client_id: creds.client.client_id.clone(),
        token,
    };
    let json = serde_json::to_string(&stored).map_err(|e| e.to_string())?;
    let secret = creds.secret.clone();
    let (s, email_owned, client_id) = (
        Arc::clone(store),
        email.to_string(),
        creds.client.client_id.clone(),
    );
    blocking(move || {
        s.set(&client_secret_key(&client_id), &secret)?;
        s.set(&token_key(&email_owned), &json)
    })
    .await
    .map_err(|e| e.to_string())?;
    creds.client.save(&paths.client_file())?;
    let mut accounts = Accounts::load(&paths.accounts_file())?;
    accounts.add(email, kind);
    accounts.save(&paths.accounts_file())
}

/// The store a sign-in keeps `what` in: `--token-store` when given, else the one `account`
/// already uses, else the OS keyring. A file store comes with a warning on `out`.
fn open_store(
    paths: &Paths,
    accounts: &Accounts,
    requested: Option<TokenStore>,
    account: Option<&str>,
    what: &str,
    out: &mut (dyn Write + Send),
) -> (TokenStore, Arc<SecretStore>) {
    let kind = requested
        .or_else(|| account.and_then(|a| accounts.accounts.get(a).copied()))
        .unwrap_or(TokenStore::Keyring);
    let location = StoreLocation::new(&paths.data_dir);
    if kind == TokenStore::File {
        let _ = writeln!(
            out,
            "Warning: {what} will be kept in a file ({}), readable by anyone who can read your \
             files as you. Use the OS keyring when you can.",
            location.file_dir.display()
        );
    }
    (kind, location.open(kind))
}

/// `meetty login --service-account KEY.json [--subject EMAIL]`: the key is read (and refused
/// when other users can read it), a token is signed for and the calendar list read with it,
/// and only then are the key and the account stored. Returns the account's e-mail.
pub async fn service_account(
    paths: &Paths,
    key_file: &std::path::Path,
    subject: Option<&str>,
    token_store: Option<TokenStore>,
    api_root: &str,
    out: &mut (dyn Write + Send),
) -> Result<String, String> {
    let key = Key::read_file(key_file)?;
    let client_email = key.client_email().to_string();
    let account = subject.unwrap_or(&client_email).to_string();
    let accounts = Accounts::load(&paths.accounts_file())?;
    let (kind, store) = open_store(
        paths,
        &accounts,
        token_store,
        Some(&account),
        "the service account's key",
        out,
    );
    // A store that cannot be used fails now, before anything is asked of Google.
    let (probe, name) = (Arc::clone(&store), service_account_key(&client_email));
    blocking(move || probe.get(&name))
        .await
        .map_err(|e| e.to_string())?;
    log::info!(
        "login: service account {client_email} for {account} (store: {})",
        store.describe()
    );
    let session = ServiceSession::new(&key, subject, None).await?;
    let client = CalendarClient::new(api_root, session);
    let refused = |e: &ApiError| {
        let why = explain_calendar_error(e, key.project_id()).unwrap_or_else(|| e.to_string());
        format!("cannot sign in as {account} with service account {client_email}: {why}. Nothing was stored")
    };
    let calendars = client.calendars().await.map_err(|e| refused(&e))?;
    let (json, s, name) = (
        key.to_json(),
        Arc::clone(&store),
        service_account_key(&client_email),
    );
    blocking(move || s.set(&name, &json))
        .await
        .map_err(|e| e.to_string())?;
    let mut accounts = Accounts::load(&paths.accounts_file())?;
    accounts.add_service_account(&account, kind, &client_email);
    accounts.save(&paths.accounts_file())?;
    log::info!("login: {account} signed in via service account {client_email}");
    let _ = writeln!(
        out,
        "Signed in as {}: {} calendar(s) readable. The key is in {}; meetty --account {account} \
         uses it.",
        service_account::describe(&account, &client_email),
        calendars.len(),
        store.describe()
    );
    if subject.is_none() {
        let _ = writeln!(
            out,
            "Note: {}.",
            service_account::acting_as_itself(&client_email)
        );
    }
    Ok(account)
}
