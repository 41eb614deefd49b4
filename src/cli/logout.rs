//! `meetty logout`: revoke the grant at Google, then forget every secret of the account.

use std::io::Write;
use std::sync::Arc;

use crate::auth::accounts::Accounts;
use crate::auth::accounts::{StoreLocation, TokenStore};
use crate::auth::store::{client_secret_key, token_key};
use crate::config::Paths;
use crate::session::{blocking, Signed};

pub async fn run(
    paths: &Paths,
    account: Option<&str>,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    let signed = Signed::load(paths, account)?;
    let store = Arc::clone(&signed.store);
    let token = {
        let s = signed.clone();
        blocking(move || s.token()).await?
    };
    // Revoking the refresh token revokes the whole grant, access tokens included.
    let revoke_with = token.as_ref().and_then(|t| {
        t.token
            .refresh_token
            .clone()
            .or_else(|| t.token.access_token.clone())
    });
    match revoke_with {
        Some(t) => {
            match crate::http::post_form(&signed.client.endpoints().revoke_uri, &[("token", &t)])
                .await
            {
                Ok((200, _)) => {
                    let _ = writeln!(
                        out,
                        "Revoked meetty's access for {} at Google.",
                        signed.email
                    );
                }
                Ok((status, body)) => {
                    let why = crate::auth::login::explain_oauth_error(status, &body);
                    let _ = writeln!(out, "Google did not revoke the token ({why}); it may already be revoked. Check https://myaccount.google.com/permissions");
                }
                Err(e) => {
                    let _ = writeln!(out, "Could not reach Google to revoke the token ({e}). Remove meetty at https://myaccount.google.com/permissions to be sure.");
                }
            }
        }
        None => {
            let _ = writeln!(
                out,
                "No stored token for {}; nothing to revoke.",
                signed.email
            );
        }
    }
    log::info!("logout: deleting the stored secrets of {}", signed.email);
    let key = token_key(&signed.email);
    blocking(move || store.delete(&key))
        .await
        .map_err(|e| e.to_string())?;
    let mut accounts = Accounts::load(&paths.accounts_file())?;
    accounts.remove(&signed.email);
    accounts.save(&paths.accounts_file())?;
    // A token left in the other store (from a login with the other --token-store) goes too;
    // that store may not exist on this host, which is fine.
    let other = match signed.kind {
        TokenStore::Keyring => TokenStore::File,
        TokenStore::File => TokenStore::Keyring,
    };
    let other = StoreLocation::new(&paths.data_dir).open(other);
    let last = accounts.accounts.is_empty();
    let (store, email, client_id) = (
        Arc::clone(&signed.store),
        signed.email.clone(),
        signed.client.client_id.clone(),
    );
    blocking(move || {
        let _ = other.delete(&token_key(&email));
        // With no account left, nothing needs the client secret.
        if last {
            let _ = store.delete(&client_secret_key(&client_id));
            let _ = other.delete(&client_secret_key(&client_id));
        }
    })
    .await;
    if last {
        let _ = std::fs::remove_file(paths.client_file());
    }
    // The cached agenda is the account's calendar data: it goes too.
    let _ = std::fs::remove_file(paths.agenda_cache(&signed.email));
    let _ = writeln!(
        out,
        "Signed out {}: its tokens and cached agenda are deleted.",
        signed.email
    );
    Ok(())
}
