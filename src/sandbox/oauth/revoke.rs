//! `POST /revoke` (`token` in the form or the query): signing out.
//!
//! Google: "The token can be an access token or a refresh token. If the token is an access
//! token and it has a corresponding refresh token, the refresh token will also be revoked."
//! Either way every access token of that grant stops working, and the next sign-in is a
//! first consent again (so it returns a refresh token).

use super::{oauth_error, param, OAuth};
use crate::sandbox::server::{RecordedRequest, Reply};

pub(crate) fn revoke(oauth: &mut OAuth, req: &RecordedRequest) -> Reply {
    let Some(token) = param(req, "token").filter(|t| !t.is_empty()) else {
        return oauth_error(400, "invalid_request", "Missing required parameter: token");
    };
    if !oauth.revoke(&token) {
        return oauth_error(400, "invalid_token", "Token expired or revoked");
    }
    oauth.revoked.push(token);
    Reply::json(200, serde_json::json!({}))
}

impl OAuth {
    /// False when `token` is neither a live refresh token nor a live access token.
    fn revoke(&mut self, token: &str) -> bool {
        let (user, refresh) = if let Some(grant) = self.refresh.remove(token) {
            (grant.user, Some(token.to_string()))
        } else if self.is_valid(token) {
            let Some(access) = self.access.remove(token) else {
                return false;
            };
            // A service account's token stands for no one's consent.
            if !access.consent {
                return true;
            }
            if let Some(refresh) = &access.refresh {
                self.refresh.remove(refresh);
            }
            (access.user, access.refresh)
        } else {
            return false;
        };
        if let Some(refresh) = refresh {
            self.access
                .retain(|_, t| t.refresh.as_deref() != Some(refresh.as_str()));
        }
        // Only this grant's user consents again; other users' grants stay.
        self.consented.remove(&user);
        true
    }
}
