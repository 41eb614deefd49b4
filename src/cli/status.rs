//! `meetty status`: who is signed in, until when, and where the tokens are; the exit status
//! says whether an account can be used. An account a service account acts for is shown as
//! such, with its key.

use std::io::Write;

use crate::auth::accounts::Accounts;
use crate::config::Paths;
use crate::session::{blocking, Signed, Via};

use super::Outcome;

pub async fn run(
    paths: &Paths,
    account: Option<&str>,
    out: &mut (dyn Write + Send),
) -> Result<Outcome, String> {
    let accounts = Accounts::load(&paths.accounts_file())?;
    if accounts.accounts.is_empty() {
        let _ = writeln!(out, "Not signed in. Run meetty login --credentials client_secret_XXX.json (or try meetty --demo).");
        return Ok(Outcome::NoUsableSignIn);
    }
    let signed = Signed::load(paths, account)?;
    let _ = writeln!(
        out,
        "Account:      {}{}",
        signed.describe(),
        if accounts.default.as_deref() == Some(&signed.email) {
            " (default)"
        } else {
            ""
        }
    );
    let others: Vec<&str> = accounts
        .accounts
        .keys()
        .map(String::as_str)
        .filter(|a| *a != signed.email)
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "Also signed in: {}", others.join(", "));
    }
    let _ = writeln!(out, "Token store:  {}", signed.store.describe());
    let s = signed.clone();
    let token = blocking(move || s.token()).await;
    let client = match &signed.via {
        Via::Browser(client) => client,
        Via::ServiceAccount(_) => {
            let s = signed.clone();
            let key = blocking(move || s.key()).await;
            let usable = key.is_ok();
            let _ = match &key {
                Ok(key) => writeln!(
                    out,
                    "Key:          stored (client ID {}); access tokens are signed for with \
                     it (no refresh token)",
                    key.client_id()
                ),
                Err(e) => writeln!(out, "Key:          {e}"),
            };
            let expiry = match token {
                Ok(Some(t)) => expiry(&t.token, "a new one is signed for"),
                _ => "none yet (one is signed for on first use)".to_string(),
            };
            let _ = writeln!(out, "Access token: {expiry}");
            return Ok(if usable {
                Outcome::Done
            } else {
                Outcome::NoUsableSignIn
            });
        }
    };
    let _ = writeln!(out, "OAuth client: {}", client.client_id);
    let _ = writeln!(out, "Token URI:    {}", client.endpoints().token_uri);
    let usable = matches!(&token, Ok(Some(t)) if t.token.refresh_token.is_some());
    match token {
        Ok(Some(t)) => {
            let expiry = expiry(&t.token, "refreshed automatically");
            let _ = writeln!(out, "Access token: {expiry}");
            let refresh = if t.token.refresh_token.is_some() {
                "stored"
            } else {
                "missing: run meetty login"
            };
            let _ = writeln!(out, "Refresh token: {refresh}");
        }
        Ok(None) => {
            let _ = writeln!(
                out,
                "Tokens:       none stored: run meetty login --account {}",
                signed.email
            );
        }
        Err(e) => {
            let _ = writeln!(out, "Tokens:       cannot read them: {e}");
        }
    }
    Ok(if usable {
        Outcome::Done
    } else {
        Outcome::NoUsableSignIn
    })
}

/// When an access token expires, and what happens then (`renewal`).
fn expiry(token: &yup_oauth2::storage::TokenInfo, renewal: &str) -> String {
    token
        .expires_at
        .map_or("expires: unknown".to_string(), |at| {
            let left = at - time::OffsetDateTime::now_utc();
            if left.is_negative() {
                format!(
                    "expired {} min ago ({renewal} on next use)",
                    -left.whole_minutes()
                )
            } else {
                format!("expires in {} min ({renewal})", left.whole_minutes())
            }
        })
}
