//! `meetty logout`: revoke the grant at Google, then forget every secret of the account.

use std::io::Write;
use std::sync::Arc;

use super::login::blocking;
use super::Signed;
use crate::auth::accounts::Accounts;
use crate::auth::store::token_key;
use crate::config::Paths;

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
    log::info!("logout: deleting the stored tokens of {}", signed.email);
    let key = token_key(&signed.email);
    blocking(move || store.delete(&key))
        .await
        .map_err(|e| e.to_string())?;
    let mut accounts = Accounts::load(&paths.accounts_file())?;
    accounts.remove(&signed.email);
    accounts.save(&paths.accounts_file())?;
    // The cached agenda is the account's calendar data: it goes too.
    let _ = std::fs::remove_file(paths.agenda_cache(false));
    let _ = writeln!(
        out,
        "Signed out {}: its tokens and cached agenda are deleted.",
        signed.email
    );
    Ok(())
}
