//! The links list (`L`): every way into the selected meeting in one place, so a Zoom link in
//! the description of a meeting whose primary link is Meet can still be copied or opened.
//! It lists the links (the primary one, then the others in ranking order), the dial-in
//! numbers, and the meeting ID and passcode; this module also holds what the agenda's `y`,
//! `o` and `Y` share with it: Meet links opened as the meeting's own Google account
//! (`authuser`), and what `Y` copies.

use super::picker::step;
use super::{App, Overlay};
use crate::action::Effect;
use crate::calendar::access::Access;
use crate::calendar::links::{self, Provider, VideoLink};
use crate::calendar::model::{DialIn, Meeting};
use crate::keymap::Command;

/// One line of the links list.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkEntry {
    /// What it is: the service's name, "Dial-in", "Meeting ID" or "Passcode".
    pub kind: String,
    /// What the list shows.
    pub shown: String,
    /// What `y` copies.
    pub copy: String,
    /// What the copy's toast calls it ("Zoom link").
    pub what: String,
    /// What `o` opens: web links only, so an event cannot make the platform opener run a
    /// `tel:`, `file:` or custom-scheme URI.
    pub open: Option<String>,
}

/// The links list of one meeting, as it was when the list opened; `selected` is the
/// highlighted entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LinksList {
    pub title: String,
    pub entries: Vec<LinkEntry>,
    pub selected: usize,
}

impl LinksList {
    /// `m`'s links, dial-ins, meeting ID and passcode; `join` turns a link into the URL to
    /// copy and open (Meet links as the meeting's account).
    fn of(m: &Meeting, join: impl Fn(&str) -> String) -> LinksList {
        let link = |v: &VideoLink| {
            // Shown as the event has it (as the details show it); copied and opened as
            // the meeting's account.
            let url = join(&v.url);
            LinkEntry {
                kind: v.provider.name().to_string(),
                shown: v.url.clone(),
                copy: url.clone(),
                what: format!("{} link", v.provider.name()),
                open: is_web(&url).then_some(url),
            }
        };
        let mut entries: Vec<LinkEntry> = m.video.iter().chain(&m.other_links).map(link).collect();
        entries.extend(m.dial_in.iter().map(|d| LinkEntry {
            kind: "Dial-in".into(),
            shown: dial_in_shown(d),
            copy: d.dial_string(),
            what: dial_in_what(d).into(),
            open: None,
        }));
        if let Some(a) = &m.access {
            let service = service_of(m);
            let fields = [
                ("Meeting ID", "meeting ID", a.meeting_id.as_deref()),
                ("Passcode", "passcode", m.passcode_not_dialled()),
            ];
            entries.extend(fields.into_iter().filter_map(|(kind, what, value)| {
                let value = value?.to_string();
                Some(LinkEntry {
                    kind: kind.into(),
                    shown: value.clone(),
                    copy: value,
                    what: format!("{service}{what}"),
                    open: None,
                })
            }));
        }
        LinksList {
            title: m.title.clone(),
            entries,
            selected: 0,
        }
    }
}

fn is_web(url: &str) -> bool {
    let head = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    head.starts_with("https://") || head.starts_with("http://")
}

/// A dial-in as the details and the list show it: "+49 30 5555 0143 (DE)  PIN 482913#".
pub fn dial_in_shown(d: &DialIn) -> String {
    let region = d
        .region
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let pin = d
        .pin
        .as_deref()
        .map(|p| format!("  PIN {p}#"))
        .unwrap_or_default();
    format!("{}{region}{pin}", d.number)
}

fn dial_in_what(d: &DialIn) -> &'static str {
    match d.pin {
        Some(_) => "dial-in number and PIN",
        None => "dial-in number",
    }
}

/// "Zoom " before "meeting ID" when the meeting's primary link names its service.
fn service_of(m: &Meeting) -> String {
    match &m.video {
        Some(v) if v.provider != Provider::Other => format!("{} ", v.provider.name()),
        _ => String::new(),
    }
}

/// What `Y` copies, and what to call it: the first dial-in (number,,PIN#), else the meeting
/// ID and passcode in a form people paste ([`Access::paste_text`]).
pub(super) fn dial_in_or_access(m: &Meeting) -> Option<(String, String)> {
    if let Some(d) = m.dial_in.first() {
        return Some((d.dial_string(), dial_in_what(d).into()));
    }
    let a: &Access = m.access.as_ref()?;
    let what = match (&a.meeting_id, &a.passcode) {
        (Some(_), Some(_)) => "meeting ID and passcode",
        (Some(_), None) => "meeting ID",
        (None, Some(_)) => "passcode",
        (None, None) => return None,
    };
    Some((a.paste_text(), format!("{}{what}", service_of(m))))
}

impl App {
    /// The e-mail of account `account` (an index into the merged agenda's accounts), else
    /// of the signed-in account when the agenda names none; none outside sign-ins.
    fn account_email(&self, account: usize) -> Option<&str> {
        let email = match self.agenda.as_ref().map(|a| &a.accounts) {
            Some(accounts) if !accounts.is_empty() => {
                accounts.get(account).map(|a| a.email.as_str())
            }
            _ => self.settings.account.as_deref(),
        };
        email.filter(|e| e.contains('@'))
    }

    /// The URL to copy or open for `url`, a link of `m`: see [`App::account_url`].
    pub(super) fn join_url(&self, m: &Meeting, url: &str) -> String {
        self.account_url(m.account, url)
    }

    /// `url` as account `account` opens it: a Meet link carries `authuser=<its e-mail>`
    /// while `meet_authuser` is on, so the browser joins as that Google account; anything
    /// else as it is.
    pub(super) fn account_url(&self, account: usize, url: &str) -> String {
        match self.account_email(account) {
            Some(email) if self.settings.meet_authuser => links::with_authuser(url, email),
            _ => url.to_string(),
        }
    }

    /// Opens the links list of the selected meeting, or says it has nothing to list.
    pub(super) fn open_links(&mut self) -> Vec<Effect> {
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        let list = LinksList::of(m, |url| self.join_url(m, url));
        if list.entries.is_empty() {
            let msg = format!(
                "\u{201c}{}\u{201d} has no link, dial-in, meeting ID or passcode",
                m.title
            );
            self.toast(msg, true);
        } else {
            self.screen.push(Overlay::Links(list));
        }
        Vec::new()
    }

    /// The links list while it has the keys.
    pub fn links_list(&self) -> Option<&LinksList> {
        match self.screen.top()? {
            Overlay::Links(list) => Some(list),
            _ => None,
        }
    }

    /// Down/Up choose; copy copies the highlighted entry (the list stays, for the passcode
    /// after the ID); open hands a link to the browser and closes the list; close goes back.
    pub(super) fn links_key(&mut self, cmd: Option<Command>) -> Vec<Effect> {
        let Some(Overlay::Links(list)) = self.screen.top_mut() else {
            return Vec::new();
        };
        if step(&mut list.selected, list.entries.len(), cmd) {
            return Vec::new();
        }
        if cmd == Some(Command::Close) {
            self.screen.pop();
            return Vec::new();
        }
        let Some(entry) = list.entries.get(list.selected).cloned() else {
            return Vec::new();
        };
        match cmd {
            Some(Command::CopyLink) => {
                return vec![Effect::Copy {
                    text: entry.copy,
                    what: entry.what,
                }]
            }
            Some(Command::OpenLink) => match entry.open {
                Some(url) => {
                    self.screen.pop();
                    self.toast(format!("Opening {url}"), false);
                    return vec![Effect::Open { url }];
                }
                None => {
                    let copy = self.hint(crate::keymap::Mode::Links, Command::CopyLink);
                    let msg = format!("The {} cannot be opened: {copy} copies it", entry.what);
                    self.toast(msg, true);
                }
            },
            _ => {}
        }
        Vec::new()
    }
}
