//! When Google stops accepting the stored sign-in: the dialog that offers a new one, and
//! what the sign-in started from the TUI reports back.

use super::{App, Overlay};
use crate::action::Effect;
use crate::keymap::{Command, Mode};

/// What went wrong with the sign-in, and whether a new one is out in the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInDialog {
    pub message: String,
    pub waiting: bool,
    /// The consent URL, for when no browser opened (over SSH, say).
    pub url: Option<String>,
}

impl App {
    /// Google said the grant is gone: the dialog comes up over whatever was on screen, which
    /// stays as it was under it. A sign-in already out in the browser stays the one in
    /// progress.
    pub(super) fn needs_sign_in(&mut self, message: String) {
        if !self.sign_in.as_ref().is_some_and(|d| d.waiting) {
            self.sign_in = Some(SignInDialog {
                message,
                waiting: false,
                url: None,
            });
        }
        if !self.screen.has(Mode::SignIn) {
            self.screen.push(Overlay::SignIn);
        }
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
                // CONTRACT (h5): the account whose sign-in failed.
                vec![Effect::SignIn { account: 0 }]
            }
            Some(Command::Close) => {
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
                self.sign_in = None;
                self.needs_sign_in(message);
                Vec::new()
            }
        }
    }
}
