//! What the app starts with ([`Settings`]), and the one mapping from the config file to it,
//! used by the TUI's start-up and by the screenshots alike.

use chrono_tz::Tz;

use crate::config::{AutoJoin, Config};
use crate::keymap::Keymap;
use crate::templates::Template;

/// What the app starts with; all of it comes from config and the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub tz: Tz,
    pub days: u32,
    pub show_all: bool,
    /// How declined meetings are listed.
    pub show_declined: crate::view::ShowDeclined,
    pub keymap: Keymap,
    /// Shown in the status bar: "demo" or the account.
    pub label: String,
    /// No account is signed in: show how to sign in instead of fetching.
    pub first_run: bool,
    /// The signed-in account's e-mail (None in the demo).
    pub account: Option<String>,
    /// What `n` offers, in picker order.
    pub templates: Vec<Template>,
    /// Copy a new meeting's Meet link as soon as it exists.
    pub copy_on_create: bool,
    /// Time between background refreshes (`None`: only on start-up and `r`).
    pub refresh_every: Option<std::time::Duration>,
    /// When find a time looks for slots.
    pub hours: crate::freetime::WorkingHours,
    /// Random base32hex chosen at start-up; new event ids are this plus a counter.
    pub id_salt: String,
    /// Which meetings are joined by themselves (the join mark's row and toast say so).
    pub auto_join: AutoJoin,
    /// The config file, named where a message asks for a change in it.
    pub config_file: String,
    /// Open and copy Meet links with `authuser=<the meeting's account>`.
    pub meet_authuser: bool,
    /// Where `n` books when the template names no calendar.
    pub default_calendar: Option<crate::config::DefaultCalendar>,
}

impl Settings {
    /// The config's settings for an agenda of `days` in zone `tz`, before anyone is signed
    /// in: the caller sets `label`, `account` and `first_run` for the session it opened.
    /// `id_salt` is random in a real session ([`crate::calendar::write::event_id`]).
    pub fn from_config(config: &Config, tz: Tz, days: u32, id_salt: String) -> Settings {
        Settings {
            tz,
            days,
            show_all: config.show_all,
            show_declined: config.show_declined,
            keymap: config.keymap.clone(),
            label: String::new(),
            first_run: false,
            account: None,
            templates: config.templates.clone(),
            copy_on_create: config.copy_on_create,
            refresh_every: config.refresh_every,
            hours: config.hours.clone(),
            id_salt,
            auto_join: config.auto_join,
            config_file: "config.toml".into(),
            meet_authuser: config.meet_authuser,
            default_calendar: config.default_calendar.clone(),
        }
    }
}
