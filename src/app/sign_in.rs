//! When Google stops accepting a stored sign-in: the dialog that offers a new one for that
//! account, what the sign-in started from the TUI reports back, and what the status bar says
//! about an account whose part of the agenda is stale while the others refresh on.

use super::{App, Overlay, Sync};
use crate::action::Effect;
use crate::calendar::error::ApiError;
use crate::calendar::model::Agenda;
use crate::keymap::{Command, Mode};

/// What went wrong with the sign-in, and whether a new one is out in the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInDialog {
    pub message: String,
    pub waiting: bool,
    /// The consent URL, for when no browser opened (over SSH, say).
    pub url: Option<String>,
    /// The account to sign in again: an index into `Agenda::accounts`.
    pub account: usize,
    /// Its e-mail, when known: the dialog names it.
    pub email: Option<String>,
    /// Every account failed (the refresh as a whole): refreshes stay off until it is done.
    /// Otherwise only this account's part is stale and the others refresh on.
    pub stops_refresh: bool,
    /// Put away with "not now" while the others refresh on: a timer refresh does not bring
    /// it back, a refresh the user asks for does.
    pub dismissed: bool,
}

impl App {
    /// Google said the grant is gone (for every account when `stops_refresh`, else for
    /// `account` alone): the dialog comes up over whatever was on screen, which stays as it
    /// was under it. A sign-in already out in the browser stays the one in progress.
    pub(super) fn needs_sign_in(&mut self, account: usize, message: String, stops_refresh: bool) {
        let email = self
            .agenda
            .as_ref()
            .and_then(|a| a.accounts.get(account))
            .map(|a| crate::sanitize::line(&a.email))
            .or_else(|| self.settings.account.clone());
        self.needs_sign_in_as(account, email, message, stops_refresh);
    }

    /// [`App::needs_sign_in`] for an account named by `email`.
    fn needs_sign_in_as(
        &mut self,
        account: usize,
        email: Option<String>,
        message: String,
        stops_refresh: bool,
    ) {
        if !self.sign_in.as_ref().is_some_and(|d| d.waiting) {
            self.sign_in = Some(SignInDialog {
                message,
                waiting: false,
                url: None,
                account,
                email,
                stops_refresh,
                dismissed: false,
            });
        }
        if !self.screen.has(Mode::SignIn) {
            self.screen.push(Overlay::SignIn);
        }
    }

    /// Every account of a merged agenda failed and none has a part to show: a failed
    /// refresh, as with one account (refreshes stop while a sign-in is needed), but each
    /// account's reason counts: the first one whose grant is gone gets the dialog, named,
    /// even when an earlier one is only offline.
    pub(super) fn every_account_failed(&mut self, agenda: &Agenda) {
        let expired = agenda
            .accounts
            .iter()
            .enumerate()
            .find_map(|(i, a)| match &a.stale {
                Some(ApiError::SignIn(message)) => Some((i, &a.email, message)),
                _ => None,
            });
        let error = match expired {
            Some((i, email, message)) => {
                let email = Some(crate::sanitize::line(email));
                self.needs_sign_in_as(i, email, message.clone(), true);
                ApiError::SignIn(message.clone())
            }
            None => agenda
                .accounts
                .iter()
                .find_map(|a| a.stale.clone())
                .unwrap_or_else(|| ApiError::Unexpected("no account answered".into())),
        };
        self.sync = Sync::Failed { error };
    }

    /// A merged agenda arrived: the first account whose part is stale for want of a sign-in
    /// gets the dialog, unless the user put it away; one that refreshed again needs none.
    pub(super) fn check_accounts(&mut self, agenda: &Agenda) {
        let expired = agenda
            .accounts
            .iter()
            .enumerate()
            .find_map(|(i, a)| match &a.stale {
                Some(ApiError::SignIn(message)) => Some((i, message.clone())),
                _ => None,
            });
        match (expired, &self.sign_in) {
            (Some((i, _)), Some(d)) if d.account == i && (d.dismissed || d.waiting) => {}
            (Some((i, message)), _) => self.needs_sign_in(i, message, false),
            // Signed in elsewhere (`meetty login`), or the whole refresh works again.
            (None, Some(d)) if !d.waiting => {
                self.sign_in = None;
                self.screen.remove(Mode::SignIn);
            }
            (None, _) => {}
        }
    }

    /// `r` with a sign-in put away: the dialog comes back at once.
    pub(super) fn ask_sign_in_again(&mut self) {
        if let Some(d) = self.sign_in.as_mut().filter(|d| d.dismissed) {
            d.dismissed = false;
            if !self.screen.has(Mode::SignIn) {
                self.screen.push(Overlay::SignIn);
            }
        }
    }

    /// Whether a sign-in problem keeps the timer's refreshes off (every account failed).
    pub(super) fn refresh_stopped(&self) -> bool {
        self.sign_in.as_ref().is_some_and(|d| d.stops_refresh)
    }

    /// Sign in starts a new sign-in in the browser; not now keeps working with what is on
    /// screen.
    pub(super) fn sign_in_key(&mut self, cmd: Option<Command>) -> Vec<Effect> {
        let Some(dialog) = self.sign_in.as_mut() else {
            self.screen.pop();
            return Vec::new();
        };
        match cmd {
            Some(Command::SignIn) if !dialog.waiting => {
                dialog.waiting = true;
                vec![Effect::SignIn {
                    account: dialog.account,
                }]
            }
            Some(Command::Close) => {
                dialog.dismissed = !dialog.waiting;
                self.screen.pop();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn on_sign_in_progress(&mut self, text: &str) {
        let url = text
            .split_whitespace()
            .find(|w| w.starts_with("https://") || w.starts_with("http://"));
        if let (Some(dialog), Some(url)) = (self.sign_in.as_mut(), url) {
            dialog.url = Some(crate::sanitize::line(url));
        }
    }

    pub(super) fn on_signed_in(&mut self, result: Result<String, String>) -> Vec<Effect> {
        match result {
            Ok(account) => {
                self.sign_in = None;
                self.screen.remove(Mode::SignIn);
                self.toast(format!("Signed in as {account}"), false);
                vec![self.refresh()]
            }
            Err(message) => {
                // Shown even if the dialog was put away while the browser was out.
                let (account, stops) = self
                    .sign_in
                    .take()
                    .map_or((0, true), |d| (d.account, d.stops_refresh));
                self.needs_sign_in(account, message, stops);
                Vec::new()
            }
        }
    }

    /// What the status bar says about accounts whose part of the agenda is stale, the first
    /// one in short ("alex@gmail.com: sign-in expired, press r to sign in"; "…: the keyring
    /// is locked"); `None` when every account is up to date.
    pub fn account_trouble(&self) -> Option<String> {
        let agenda = self.agenda.as_ref()?;
        let mut stale = agenda
            .accounts
            .iter()
            .filter_map(|a| Some((a, a.stale.as_ref()?)));
        let (first, error) = stale.next()?;
        let why = match error {
            ApiError::SignIn(_) => format!(
                "sign-in expired, press {} to sign in",
                self.hint(Mode::Agenda, Command::Refresh)
            ),
            ApiError::Network(_) => "offline".into(),
            ApiError::Google { code, reason, .. } => {
                format!("Google said {code} {}", crate::sanitize::line(reason))
            }
            ApiError::Unexpected(_) => "unexpected answer from Google".into(),
            ApiError::StillRefreshing(_) => "still refreshing".into(),
            // The message names the fix at length; its first clause says what is wrong.
            ApiError::Local(m) | ApiError::Refused(m) => {
                let end = m.find([':', '(', ';']).unwrap_or(m.len());
                crate::sanitize::line(m[..end].trim())
            }
        };
        let email = crate::sanitize::line(&first.email);
        Some(match stale.count() {
            0 => format!("{email}: {why}"),
            n => format!("{email}: {why} (+{n} more stale)"),
        })
    }
}
