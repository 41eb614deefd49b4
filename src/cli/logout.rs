//! `meetty logout`: revoke the grant at Google, then forget every secret of the account. An
//! account a service account acts for has no grant to revoke: its key is forgotten once no
//! other account signs in with it.

use std::io::Write;
use std::sync::Arc;

use crate::auth::accounts::Accounts;
use crate::auth::accounts::{StoreLocation, TokenStore};
use crate::auth::store::{client_secret_key, service_account_key, token_key};
use crate::config::Paths;
use crate::session::{blocking, Signed, Via};

pub async fn run(
    paths: &Paths,
    account: Option<&str>,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    let signed = Signed::load(paths, account)?;
    if let Via::Browser(client) = &signed.via {
        revoke(&signed, client, out).await?;
    }
    log::info!("logout: deleting the stored secrets of {}", signed.email);
    let store = Arc::clone(&signed.store);
    let key = token_key(&signed.email);
    blocking(move || store.delete(&key))
        .await
        .map_err(|e| e.to_string())?;
    let mut accounts = Accounts::load(&paths.accounts_file())?;
    accounts.remove(&signed.email);
    accounts.save(&paths.accounts_file())?;
    // A token left in the other store (from a login with the other --token-store) goes too;
    // that store may not exist on this host, which is fine.
    let other_kind = match signed.kind {
        TokenStore::Keyring => TokenStore::File,
        TokenStore::File => TokenStore::Keyring,
    };
    let other = StoreLocation::new(&paths.data_dir).open(other_kind);
    // A secret nobody needs any more goes: the OAuth client's once no browser sign-in is
    // left, a service account's key once no account it acts for is left in that store.
    let unused = match &signed.via {
        Via::Browser(client) => accounts
            .accounts
            .keys()
            .all(|a| accounts.service_account(a).is_some())
            .then(|| (client_secret_key(&client.client_id), true)),
        Via::ServiceAccount(client_email) => {
            let _ = writeln!(
                out,
                "Service-account access tokens cannot be revoked one by one; they expire within \
                 the hour. To cut {client_email} off, delete its key in Cloud Console or its \
                 domain-wide delegation in the Admin console."
            );
            (!accounts.uses_key(client_email, signed.kind)).then(|| {
                (
                    service_account_key(client_email),
                    !accounts.uses_key(client_email, other_kind),
                )
            })
        }
    };
    let (store, email) = (Arc::clone(&signed.store), signed.email.clone());
    let forgets_secret = unused.is_some();
    blocking(move || {
        let _ = other.delete(&token_key(&email));
        if let Some((key, in_other_too)) = unused {
            let _ = store.delete(&key);
            if in_other_too {
                let _ = other.delete(&key);
            }
        }
    })
    .await;
    if forgets_secret && matches!(signed.via, Via::Browser(_)) {
        let _ = std::fs::remove_file(paths.client_file());
    }
    // The cached agenda is the account's calendar data: it goes too.
    let _ = std::fs::remove_file(paths.agenda_cache(&signed.email));
    let _ = writeln!(
        out,
        "Signed out {}: its tokens and cached agenda are deleted{}.",
        signed.email,
        match (&signed.via, forgets_secret) {
            (Via::ServiceAccount(_), true) => ", and the service account's key",
            (Via::ServiceAccount(_), false) =>
                " (the key stays for the other accounts it acts for)",
            (Via::Browser(_), _) => "",
        }
    );
    Ok(())
}

/// Revokes a browser sign-in's grant at Google, saying how that went.
async fn revoke(
    signed: &Signed,
    client: &crate::auth::client::ClientInfo,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
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
            match crate::http::post_form(&client.endpoints().revoke_uri, &[("token", &t)]).await {
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
    Ok(())
}
