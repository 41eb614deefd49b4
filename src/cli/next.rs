//! `meetty next` and `meetty join`: the meeting in progress or the next one, for status bars
//! and window-manager hotkeys, answered from the upcoming lists on disk alone
//! ([`crate::upcoming`]): no network, no keyring, no Google call, no async runtime.
//!
//! Like the TUI they see every account it merges ([`lists`]): each account's list is read,
//! merged by start, an event on two accounts once (the copy you accepted, else the first
//! account's), and a Meet link carries its account's `authuser` (config `meet_authuser`).
//! `--account` narrows to one.
//!
//! Reading is split from showing: [`choose`] and [`join_candidates`] read the list,
//! [`render`] is a pure function of what was found, the clock and the zone, so every format
//! is tested at a fixed time. Titles come from other people: they are sanitized again here
//! (the file may have been written by anything) and escaped for each bar's markup.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::alerts;
use crate::auth::accounts::Accounts;
use crate::calendar::links;
use crate::config::{Config, Paths};
use crate::session::connect::demo_owners;
use crate::upcoming::{Entry, Reader};
use crate::{sanitize, timefmt};

/// `meetty next`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct NextArgs {
    /// plain, json, waybar, i3blocks, polybar or tmux.
    #[arg(long, default_value = "plain")]
    pub format: String,
    /// Your own line: {title} {countdown} {link} ... (see the README); with --format tmux
    /// or polybar, the values are escaped for that bar.
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Include meetings without a video link.
    #[arg(long)]
    pub all: bool,
}

/// `meetty join`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct JoinArgs {
    /// Print the link instead of opening it.
    #[arg(long)]
    pub print: bool,
}

/// Which cache to read: the demo's, the `MEETTY_ACCESS_TOKEN` session's, or an account's.
#[derive(Debug, Clone, Default)]
pub struct Whose {
    pub demo: bool,
    pub account: Option<String>,
}

/// A meeting starting within this is `soon` (waybar's class) and can be joined.
pub const SOON: TimeDelta = TimeDelta::minutes(10);

/// The cache owner, chosen as a session would connect: `--demo`, else a
/// `MEETTY_ACCESS_TOKEN` session ("sandbox"), else `--account`, else the default account.
pub fn owner(paths: &Paths, whose: &Whose) -> Result<String, String> {
    if whose.demo {
        Ok("demo".into())
    } else if std::env::var_os("MEETTY_ACCESS_TOKEN").is_some() {
        Ok("sandbox".into())
    } else if let Some(account) = &whose.account {
        Ok(account.clone())
    } else {
        Ok(Accounts::load(&paths.accounts_file())?.pick(None)?.0)
    }
}

/// What to tell a user who has no cache yet (`owner`: whose, or several, comma-separated).
pub fn no_cache(owner: &str) -> String {
    format!(
        "no cached agenda for {owner} yet: open meetty, or run meetty watch (which keeps it \
         current) or meetty agenda once"
    )
}

/// One account's upcoming list, as `next` and `join` read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// Whose list: an account, "demo", "sandbox" (what `no_cache` names).
    pub owner: String,
    pub path: PathBuf,
    /// The e-mail its Meet links carry as `authuser` (None: `meet_authuser = false`, or a
    /// session without an e-mail).
    pub authuser: Option<String>,
}

/// The lists to read, in the order the TUI merges its accounts: `--demo`'s two accounts,
/// a `MEETTY_ACCESS_TOKEN` session's, `--account`'s alone, else every account config
/// `accounts` names that is signed in, or with none named every signed-in account, the
/// default first.
pub fn lists(paths: &Paths, config: &Config, whose: &Whose) -> Result<Vec<List>, String> {
    let list = |owner: String, email: &str| List {
        path: paths.upcoming_file(&owner),
        authuser: alerts::authuser(config, email),
        owner,
    };
    if whose.demo {
        return Ok(demo_owners()
            .into_iter()
            .map(|(email, owner)| list(owner, &email))
            .collect());
    }
    if std::env::var_os("MEETTY_ACCESS_TOKEN").is_some() || whose.account.is_some() {
        let owner = owner(paths, whose)?;
        let email = owner.clone();
        return Ok(vec![list(owner, &email)]);
    }
    let signed_in = Accounts::load(&paths.accounts_file())?;
    let lists: Vec<List> = signed_in
        .merged(&config.accounts)
        .into_iter()
        .filter(|(_, not_signed_in)| not_signed_in.is_none())
        .map(|(email, _)| list(email.clone(), &email))
        .collect();
    if lists.is_empty() {
        // Says how to sign in.
        signed_in.pick(None)?;
    }
    Ok(lists)
}

/// Every list's entries from the start up to the first one `last` says ends the reading
/// (that one included: each list is sorted by start, so nothing after it can change the
/// answer), merged by start with an event on several accounts once, and the oldest
/// list's `fetched_at` (the merge is as stale as its stalest part). None: no list at all.
fn read_merged(lists: &[List], last: impl Fn(&Entry) -> bool) -> Result<Option<Merged>, String> {
    let mut read: Vec<Entry<'static>> = Vec::new();
    let mut fetched_at: Option<DateTime<Utc>> = None;
    for list in lists {
        let Some(mut reader) = Reader::open(&list.path)? else {
            continue;
        };
        fetched_at = Some(fetched_at.map_or(reader.fetched_at, |f| f.min(reader.fetched_at)));
        while let Some(e) = reader.next_entry(&list.path)? {
            let done = last(&e);
            let mut e = e.into_owned();
            if let (Some(email), Some(link)) = (&list.authuser, &e.link) {
                e.link = Some(Cow::Owned(links::with_authuser(link, email)));
            }
            read.push(e);
            if done {
                break;
            }
        }
    }
    let Some(fetched_at) = fetched_at else {
        return Ok(None);
    };
    // Stable: equal starts keep the accounts' order.
    read.sort_by_key(|e| e.start);
    // Of one event's copies, the one with the best answer (accepted, tentative, awaiting),
    // else the first account's, where the first copy was.
    let answered = |e: &Entry| match &*e.answer {
        "accepted" => 0,
        "tentative" => 1,
        _ => 2,
    };
    let mut merged: Vec<Entry<'static>> = Vec::with_capacity(read.len());
    let mut seen: HashMap<(String, DateTime<Utc>), usize> = HashMap::new();
    for e in read {
        let (id, start) = e.event_key();
        match seen.get(&(id.to_string(), start)) {
            Some(&i) if answered(&e) < answered(&merged[i]) => merged[i] = e,
            Some(_) => {}
            None => {
                seen.insert((id.to_string(), start), merged.len());
                merged.push(e);
            }
        }
    }
    Ok(Some(Merged {
        entries: merged,
        fetched_at,
    }))
}

/// What [`read_merged`] read.
struct Merged {
    /// In start order, each event once.
    entries: Vec<Entry<'static>>,
    /// The oldest list's.
    fetched_at: DateTime<Utc>,
}

/// What to say when none of `lists` was ever written.
fn none_cached(lists: &[List]) -> String {
    let owners: Vec<&str> = lists.iter().map(|l| l.owner.as_str()).collect();
    no_cache(&owners.join(", "))
}

/// How old the list may get before it is called stale: three refreshes (at least 10 min),
/// an hour when automatic refresh is off (`refresh_seconds = 0`).
pub fn stale_after(refresh: Option<Duration>) -> TimeDelta {
    match refresh {
        Some(every) => TimeDelta::from_std(every * 3)
            .unwrap_or(TimeDelta::MAX)
            .max(TimeDelta::minutes(10)),
        None => TimeDelta::hours(1),
    }
}

/// The meeting to show and how old the list is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The meeting in progress (several: the one that started last), else the next one.
    pub meeting: Option<Entry<'static>>,
    /// When the agenda the list was written from was fetched.
    pub fetched_at: DateTime<Utc>,
}

/// Reads the lists for `next`: the meeting in progress or the next one, with a video link
/// unless `all`. `Ok(None)`: there is no list.
pub fn choose(lists: &[List], now: DateTime<Utc>, all: bool) -> Result<Option<Found>, String> {
    let counts = |e: &Entry| all || e.link.is_some();
    let Some(Merged {
        entries,
        fetched_at,
    }) = read_merged(lists, |e| e.start > now && counts(e))?
    else {
        return Ok(None);
    };
    let mut running: Option<Entry<'static>> = None;
    let mut next = None;
    for e in entries.into_iter().filter(|e| counts(e)) {
        if e.start > now {
            // Sorted by start: nothing after this one can change the answer.
            if running.is_none() {
                next = Some(e);
            }
            break;
        }
        if e.end > now && running.as_ref().is_none_or(|r| e.start >= r.start) {
            running = Some(e);
        }
    }
    Ok(Some(Found {
        meeting: running.or(next),
        fetched_at,
    }))
}

/// The meetings `join` may open, and how old the list is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidates {
    /// The one to join first.
    pub meetings: Vec<Entry<'static>>,
    /// When the agenda the list was written from was fetched.
    pub fetched_at: DateTime<Utc>,
}

/// Reads the lists for `join`: the meetings with a video link in progress or starting
/// within [`SOON`], the one to join first (the one in progress that started last, else the
/// one starting first). `Ok(None)`: there is no list.
pub fn join_candidates(lists: &[List], now: DateTime<Utc>) -> Result<Option<Candidates>, String> {
    let Some(Merged {
        entries,
        fetched_at,
    }) = read_merged(lists, |e| e.start > now + SOON)?
    else {
        return Ok(None);
    };
    let mut running = Vec::new();
    let mut soon = Vec::new();
    for e in entries {
        if e.start > now + SOON {
            break;
        }
        if e.link.is_none() || e.end <= now {
            continue;
        }
        if e.start <= now {
            running.push(e);
        } else {
            soon.push(e);
        }
    }
    // Latest start first; equal starts keep the list's order.
    running.sort_by_key(|e| std::cmp::Reverse(e.start));
    running.extend(soon);
    Ok(Some(Candidates {
        meetings: running,
        fetched_at,
    }))
}

/// A status bar's output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Json,
    Waybar,
    I3blocks,
    Polybar,
    Tmux,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format, String> {
        Ok(match name {
            "plain" => Format::Plain,
            "json" => Format::Json,
            "waybar" => Format::Waybar,
            "i3blocks" => Format::I3blocks,
            "polybar" => Format::Polybar,
            "tmux" => Format::Tmux,
            other => {
                return Err(format!(
                    "--format {other}: use plain, json, waybar, i3blocks, polybar or tmux"
                ))
            }
        })
    }

    /// A value as this bar shows it literally: tmux reads `#` as the start of a format,
    /// polybar `%` as the start of a tag.
    fn escape(self, s: &str) -> Cow<'_, str> {
        match self {
            Format::Tmux if s.contains('#') => Cow::Owned(s.replace('#', "##")),
            Format::Polybar if s.contains('%') => Cow::Owned(s.replace('%', "%%")),
            _ => Cow::Borrowed(s),
        }
    }
}

/// The styling class (waybar's `class`, `{class}` in a template).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// In progress.
    Now,
    /// Starts within 10 minutes.
    Soon,
    Later,
    /// Nothing to show.
    None,
    /// The list is older than it should be: the numbers may be wrong.
    Stale,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Now => "now",
            Class::Soon => "soon",
            Class::Later => "later",
            Class::None => "none",
            Class::Stale => "stale",
        }
    }
}

/// A `--template`: text with `{placeholder}`s, `{{` and `}}` for literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Start,
    End,
    Countdown,
    Link,
    Provider,
    Class,
    Answer,
    Offline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
}

const FIELDS: &[(&str, Field)] = &[
    ("title", Field::Title),
    ("start", Field::Start),
    ("end", Field::End),
    ("countdown", Field::Countdown),
    ("link", Field::Link),
    ("provider", Field::Provider),
    ("class", Field::Class),
    ("answer", Field::Answer),
    ("offline", Field::Offline),
];

impl Template {
    /// Reads a template; an unknown placeholder or a lone brace says which ones exist.
    pub fn parse(text: &str) -> Result<Template, String> {
        let known = || {
            let names: Vec<String> = FIELDS.iter().map(|(n, _)| format!("{{{n}}}")).collect();
            names.join(" ")
        };
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            let tail = &rest[i..];
            if let Some(after) = tail.strip_prefix("{{").or(tail.strip_prefix("}}")) {
                literal.push_str(&tail[..1]);
                rest = after;
                continue;
            }
            let close = match (tail.starts_with('{'), tail.find('}')) {
                (true, Some(close)) => close,
                _ => {
                    return Err(format!(
                        "--template: a lone brace at {:?}: write {{{{ or }}}} for a brace, \
                         and use {}",
                        sanitize::line(tail),
                        known()
                    ))
                }
            };
            let name = &tail[1..close];
            let Some(&(_, field)) = FIELDS.iter().find(|(n, _)| *n == name) else {
                return Err(format!(
                    "--template: there is no {{{}}}: use {}",
                    sanitize::line(name),
                    known()
                ));
            };
            if !literal.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Field(field));
            rest = &tail[close + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template(pieces))
    }
}

/// How `next` prints: a format, or a template (escaped for plain, tmux or polybar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Format(Format),
    Template(Format, Template),
}

impl Output {
    /// The output the options ask for.
    pub fn of(args: &NextArgs) -> Result<Output, String> {
        let format = Format::parse(&args.format)?;
        match &args.template {
            None => Ok(Output::Format(format)),
            Some(text) => match format {
                Format::Plain | Format::Tmux | Format::Polybar => {
                    Ok(Output::Template(format, Template::parse(text)?))
                }
                _ => Err(format!(
                    "--template makes its own line: use it with --format plain, tmux or \
                     polybar, not {}",
                    args.format
                )),
            },
        }
    }
}

/// The meeting's values, sanitized (not yet escaped).
struct Shown {
    title: String,
    start: String,
    end: String,
    countdown: String,
    link: String,
    provider: String,
    /// "?" awaiting your answer, "maybe" tentative, "" accepted.
    answer: &'static str,
    /// "offline 2 h" when the list is stale, else "".
    offline: String,
    class: Class,
    /// The class without staleness: now, soon, later or none.
    timing: Class,
}

impl Shown {
    fn new(found: &Found, now: DateTime<Utc>, tz: Tz, stale_after: TimeDelta) -> Shown {
        let age = now - found.fetched_at;
        let offline = if age > stale_after {
            // Rounded down, as "3 min ago" is.
            format!("offline {}", timefmt::span(age - TimeDelta::seconds(59)))
        } else {
            String::new()
        };
        let m = found.meeting.as_ref();
        let timing = match m {
            None => Class::None,
            Some(m) if m.start <= now => Class::Now,
            Some(m) if m.start - now <= SOON => Class::Soon,
            Some(_) => Class::Later,
        };
        let text = |s: Option<&str>| s.map(sanitize::line).unwrap_or_default();
        Shown {
            title: text(m.map(|m| &*m.title)),
            start: m.map(|m| timefmt::clock(m.start, tz)).unwrap_or_default(),
            end: m.map(|m| timefmt::clock(m.end, tz)).unwrap_or_default(),
            countdown: m
                .and_then(|m| timefmt::countdown(now, m.start, m.end))
                .unwrap_or_default(),
            link: text(m.and_then(|m| m.link.as_deref())),
            provider: text(m.and_then(|m| m.provider.as_deref())),
            answer: match m.map(|m| &*m.answer) {
                Some("needsAction") => "?",
                Some("tentative") => "maybe",
                _ => "",
            },
            class: if offline.is_empty() {
                timing
            } else {
                Class::Stale
            },
            offline,
            timing,
        }
    }

    fn field(&self, f: Field) -> &str {
        match f {
            Field::Title => &self.title,
            Field::Start => &self.start,
            Field::End => &self.end,
            Field::Countdown => &self.countdown,
            Field::Link => &self.link,
            Field::Provider => &self.provider,
            Field::Class => self.class.name(),
            Field::Answer => self.answer,
            Field::Offline => &self.offline,
        }
    }

    /// "? Design review in 12 min": the bars' short line ("?" when you have not answered),
    /// "" without a meeting.
    fn line(&self) -> String {
        if self.timing == Class::None {
            return String::new();
        }
        match self.answer {
            "?" => format!("? {} {}", self.title, self.countdown),
            _ => format!("{} {}", self.title, self.countdown),
        }
    }

    /// The line with the staleness after it: "… (offline 2 h)", or "offline 2 h" alone.
    fn line_with_offline(&self, line: &str) -> String {
        match (line.is_empty(), self.offline.is_empty()) {
            (_, true) => line.to_string(),
            (true, false) => self.offline.clone(),
            (false, false) => format!("{line} ({})", self.offline),
        }
    }
}

/// `--format json`: one object, every field always present (null without a meeting).
#[derive(Serialize)]
struct Json<'a> {
    class: Class,
    title: Option<&'a str>,
    start: Option<String>,
    end: Option<String>,
    countdown: Option<&'a str>,
    link: Option<&'a str>,
    provider: Option<&'a str>,
    /// Google's words: accepted, tentative, needsAction.
    answer: Option<&'a str>,
    id: Option<&'a str>,
    recurring_event_id: Option<&'a str>,
    /// When the calendar was last read from Google.
    fetched_at: DateTime<Utc>,
    stale: bool,
}

/// Waybar's JSON (`return-type: json`): `text` and `tooltip` are Pango markup.
#[derive(Serialize)]
struct Waybar<'a> {
    text: &'a str,
    tooltip: &'a str,
    class: Class,
}

/// Pango markup's special characters as entities.
fn pango(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// i3blocks' colors by class (its third output line); `later` and `none` keep the bar's.
fn i3blocks_color(class: Class) -> Option<&'static str> {
    match class {
        Class::Now => Some("#FF5555"),
        Class::Soon => Some("#FFB86C"),
        Class::Stale => Some("#888888"),
        Class::Later | Class::None => None,
    }
}

/// What `next` prints for `found` at `now` in `tz`, each line ending in a newline (plain,
/// tmux and polybar print an empty line when there is nothing to show, so the bar clears).
pub fn render(
    found: &Found,
    output: &Output,
    now: DateTime<Utc>,
    tz: Tz,
    stale_after: TimeDelta,
) -> String {
    let s = Shown::new(found, now, tz, stale_after);
    let m = found.meeting.as_ref();
    let mut out = match output {
        Output::Template(format, template) => template
            .0
            .iter()
            .map(|p| match p {
                Piece::Text(t) => Cow::Borrowed(t.as_str()),
                Piece::Field(f) => format.escape(s.field(*f)),
            })
            .collect(),
        Output::Format(Format::Plain) => {
            let line = match s.link.as_str() {
                "" => s.line(),
                link => format!("{} {link}", s.line()),
            };
            s.line_with_offline(&line)
        }
        Output::Format(format @ (Format::Tmux | Format::Polybar)) => {
            format.escape(&s.line_with_offline(&s.line())).into_owned()
        }
        Output::Format(Format::Json) => {
            let iso = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
            let json = Json {
                class: s.class,
                title: m.map(|_| s.title.as_str()),
                start: m.map(|m| iso(m.start)),
                end: m.map(|m| iso(m.end)),
                countdown: m.map(|_| s.countdown.as_str()),
                link: m.and(Some(s.link.as_str()).filter(|l| !l.is_empty())),
                provider: m.and(Some(s.provider.as_str()).filter(|p| !p.is_empty())),
                answer: m.map(|m| &*m.answer),
                id: m.map(|m| &*m.id),
                recurring_event_id: m.and_then(|m| m.series.as_deref()),
                fetched_at: found.fetched_at,
                stale: s.class == Class::Stale,
            };
            serde_json::to_string(&json).unwrap_or_default()
        }
        Output::Format(Format::Waybar) => {
            let text = pango(&s.line_with_offline(&s.line())).into_owned();
            let mut tooltip = String::new();
            if let Some(m) = m {
                let _ = write!(
                    tooltip,
                    "{}\n{} {}",
                    pango(&s.title),
                    timefmt::clock_range(m.start, m.end, tz),
                    pango(&s.countdown)
                );
                if !s.provider.is_empty() {
                    let _ = write!(tooltip, "\n{}: {}", pango(&s.provider), pango(&s.link));
                }
            } else {
                tooltip.push_str("No meeting ahead");
            }
            if !s.offline.is_empty() {
                let age = timefmt::ago(now, found.fetched_at);
                let _ = write!(
                    tooltip,
                    "\nOffline: the calendar was last read {age}; is meetty watch running?"
                );
            }
            let json = Waybar {
                text: &text,
                tooltip: &tooltip,
                class: s.class,
            };
            serde_json::to_string(&json).unwrap_or_default()
        }
        Output::Format(Format::I3blocks) => {
            let full = s.line_with_offline(&s.line());
            let short = s.line_with_offline(&s.countdown);
            match i3blocks_color(s.class) {
                Some(color) => format!("{full}\n{short}\n{color}"),
                None => format!("{full}\n{short}"),
            }
        }
    };
    out.push('\n');
    out
}

/// What `next` prints for a waybar when there is no list at all: a valid line that says
/// what is wrong (other formats print nothing; the message goes to stderr).
fn render_missing(output: &Output, message: &str) -> Option<String> {
    match output {
        // Shown, not hidden like "no meeting": the bar is where the user learns that meetty
        // has nothing to read yet.
        Output::Format(Format::Waybar) => {
            let json = Waybar {
                text: "no agenda",
                tooltip: &pango(message),
                class: Class::Stale,
            };
            serde_json::to_string(&json).ok().map(|l| l + "\n")
        }
        _ => None,
    }
}

/// The zone to show times in and how old the list may get, from the config.
fn settings(config: &Config) -> Result<(Tz, TimeDelta), String> {
    let tz = timefmt::resolve_zone(config.timezone.as_deref())?;
    Ok((tz, stale_after(config.refresh_every)))
}

/// Runs `meetty next`, writing to `out`; the exit status is 0 with a meeting, 1 without, 2
/// when the options cannot be read.
pub fn next(
    paths: &Paths,
    whose: &Whose,
    args: &NextArgs,
    out: &mut impl std::io::Write,
) -> Result<ExitCode, String> {
    let output = match Output::of(args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("meetty: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let io = |e: std::io::Error| format!("cannot write the answer: {e}");
    let now = Utc::now();
    let config = Config::load(&paths.config_file)?;
    let found = lists(paths, &config, whose)
        .and_then(|lists| choose(&lists, now, args.all)?.ok_or_else(|| none_cached(&lists)));
    let found = match found {
        Ok(found) => found,
        Err(message) => {
            if let Some(line) = render_missing(&output, &message) {
                out.write_all(line.as_bytes()).map_err(io)?;
            }
            return Err(message);
        }
    };
    let (tz, stale_after) = settings(&config)?;
    out.write_all(render(&found, &output, now, tz, stale_after).as_bytes())
        .map_err(io)?;
    Ok(match found.meeting {
        Some(_) => ExitCode::SUCCESS,
        None => ExitCode::FAILURE,
    })
}

/// "Design review (now, 20 min left)".
fn describe(e: &Entry, now: DateTime<Utc>) -> String {
    let when = timefmt::countdown(now, e.start, e.end).unwrap_or_default();
    format!("{} ({when})", sanitize::line(&e.title))
}

/// Runs `meetty join`: opens (or with `--print` prints) the link of the meeting in
/// progress that started last, else of the first one starting within 10 minutes, and says
/// which, naming the other candidates.
pub fn join(
    paths: &Paths,
    whose: &Whose,
    args: &JoinArgs,
    out: &mut impl std::io::Write,
) -> Result<ExitCode, String> {
    let now = Utc::now();
    let config = Config::load(&paths.config_file)?;
    let lists = lists(paths, &config, whose)?;
    let Candidates {
        meetings,
        fetched_at,
    } = join_candidates(&lists, now)?.ok_or_else(|| none_cached(&lists))?;
    let (_, stale_after) = settings(&config)?;
    let Some((chosen, others)) = meetings.split_first() else {
        return Err(
            "no meeting with a video link is in progress or starts within 10 minutes \
             (meetty next --all shows what comes next)"
                .into(),
        );
    };
    let link = sanitize::line(chosen.link.as_deref().unwrap_or_default());
    let mut said = vec![format!("Joining {}", describe(chosen, now))];
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|e| describe(e, now)).collect();
        said.push(format!("Also now or soon: {}", names.join(", ")));
    }
    if now - fetched_at > stale_after {
        said.push(format!(
            "The calendar was last read {}: this may have changed",
            timefmt::ago(now, fetched_at)
        ));
    }
    let io = |e: std::io::Error| format!("cannot write the answer: {e}");
    if args.print {
        // The link alone on stdout, for scripts; which meeting on stderr.
        writeln!(out, "{link}").map_err(io)?;
        for line in said {
            eprintln!("meetty: {line}");
        }
    } else {
        crate::browser::open(&link)?;
        for line in said {
            writeln!(out, "{line}").map_err(io)?;
        }
        writeln!(out, "{link}").map_err(io)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_placeholders_and_refuse_unknown_ones() {
        let t = Template::parse("{{{title}}} {countdown}").unwrap();
        assert_eq!(
            t.0,
            [
                Piece::Text("{".into()),
                Piece::Field(Field::Title),
                Piece::Text("} ".into()),
                Piece::Field(Field::Countdown)
            ]
        );
        let err = Template::parse("{titel}").unwrap_err();
        assert!(
            err.contains("no {titel}") && err.contains("{title}"),
            "{err}"
        );
        let err = Template::parse("{title").unwrap_err();
        assert!(err.contains("lone brace"), "{err}");
        assert!(Template::parse("a } b").is_err());
    }

    #[test]
    fn stale_after_three_refreshes_at_least_ten_minutes() {
        assert_eq!(stale_after(None), TimeDelta::hours(1));
        let s = |secs| stale_after(Some(Duration::from_secs(secs)));
        assert_eq!(s(60), TimeDelta::minutes(10));
        assert_eq!(s(600), TimeDelta::minutes(30));
    }
}
