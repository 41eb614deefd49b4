//! The scripting commands: `agenda`, `free`, `new`, `cancel`, `link`, `rsvp`, `edit`. They
//! validate with the same [`compose::check`] and change Google through the same [`WriteOp`]s
//! as the TUI. `--dry-run` prints the very requests ([`Planned`]) a real run sends, and sends
//! none of them. `agenda` lists every account the TUI merges, as the TUI lists them (each
//! event once, named by its account); the other commands act as one account.
//!
//! `--json` output is stable: fields are only ever added (README, "Scripting").

use std::io::Write;
use std::sync::Arc;

use chrono::Utc;
use chrono_tz::Tz;
use futures_util::future::join_all;
use serde::Serialize;

use super::edit::{self, EditArgs};
use super::free::{self, FreeArgs, Search};
use super::next::{self, Whose};
use super::rsvp::{self, RsvpArgs};
use super::Outcome;
use crate::cache;
use crate::calendar::client::CalendarClient;
use crate::calendar::error::ApiError;
use crate::calendar::error::{write_error, Surface};
use crate::calendar::freebusy::own_calendars;
use crate::calendar::model::{AccountState, Agenda, CalendarInfo, Meeting, SendUpdates, When};
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::plan::Planned;
use crate::calendar::write::{Conference, Created, NewEvent, Progress};
use crate::clipboard::{Clipboard, ControllingTerminal};
use crate::compose::{self, Context, Draft, Field, MeetChoice};
use crate::config::{ClipboardMode, Config};
use crate::freetime::{slot_text, Interval, WORKING_DAYS_AHEAD};
use crate::session::connect::{connect, connect_all, Connection};
use crate::session::{parse_days, Startup};
use crate::view::{build_rows, Row, RowQuery};
use crate::{templates, timefmt, timeparse};

/// One meeting in `meetty agenda --json` and `meetty new --json`.
#[derive(Debug, Serialize)]
pub struct JsonMeeting {
    pub id: String,
    pub calendar_id: String,
    pub title: String,
    /// RFC 3339 for timed meetings, `YYYY-MM-DD` for all-day ones.
    pub start: String,
    /// Exclusive, as Google has it.
    pub end: String,
    pub all_day: bool,
    /// The video link (Meet or another provider), if any.
    pub link: Option<String>,
    /// "Google Meet", "Zoom"…
    pub provider: Option<String>,
    /// Set for an occurrence of a recurring series.
    pub recurring_event_id: Option<String>,
    pub organizer: Option<String>,
    pub html_link: Option<String>,
    /// Your answer as a guest, in Google's words (`accepted`, `tentative`, `declined`,
    /// `needsAction`); `null` when you are not on the guest list.
    pub response: Option<&'static str>,
    /// `agenda` only: the account (its e-mail) whose calendar this copy is on; omitted when
    /// the session has none (a fixed `MEETTY_ACCESS_TOKEN`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// `agenda` only: every account the event is on, in the agenda's order, when it is on
    /// several (it is listed once, as the copy [`build_rows`] keeps); omitted otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
}

impl JsonMeeting {
    pub fn new(m: &Meeting, tz: Tz) -> JsonMeeting {
        let (start, end) = match m.when {
            When::Timed { start, end } => (
                start.with_timezone(&tz).to_rfc3339(),
                end.with_timezone(&tz).to_rfc3339(),
            ),
            When::AllDay { start, end } => (start.to_string(), end.to_string()),
        };
        JsonMeeting {
            id: m.id.clone(),
            calendar_id: m.calendar_id.clone(),
            title: m.title.clone(),
            start,
            end,
            all_day: m.is_all_day(),
            link: m.video.as_ref().map(|v| v.url.clone()),
            provider: m.video.as_ref().map(|v| v.provider.name().to_string()),
            recurring_event_id: m.series_id.clone(),
            organizer: m.organizer.as_ref().map(|o| o.email.clone()),
            html_link: m.html_link.clone(),
            response: m
                .attendees
                .iter()
                .find(|a| a.is_self)
                .map(|a| a.rsvp.as_response().unwrap_or("needsAction")),
            account: None,
            accounts: Vec::new(),
        }
    }

    /// `m` as the agenda lists it: with its account, and the accounts of its copies.
    fn listed(agenda: &Agenda, m: &Meeting, tz: Tz) -> JsonMeeting {
        let email = |i: usize| {
            agenda
                .accounts
                .get(i)
                .map(|a| a.email.clone())
                .filter(|e| !e.is_empty())
        };
        let mut on: Vec<usize> = if agenda.accounts.len() > 1 {
            agenda.copies_of(m).map(|c| c.account).collect()
        } else {
            Vec::new()
        };
        on.sort_unstable();
        on.dedup();
        JsonMeeting {
            account: email(m.account),
            accounts: match on.len() {
                0 | 1 => Vec::new(),
                _ => on.into_iter().filter_map(email).collect(),
            },
            ..JsonMeeting::new(m, tz)
        }
    }
}

/// The agenda's meetings in order, each once (a multi-day event is listed on its first day).
fn agenda_meetings<'a>(agenda: &'a Agenda, q: &RowQuery) -> Vec<&'a Meeting> {
    let mut seen = std::collections::HashSet::new();
    build_rows(agenda, q)
        .into_iter()
        .filter_map(|r| match r {
            Row::Meeting(i) if seen.insert(i) => Some(&agenda.meetings[i]),
            _ => None,
        })
        .collect()
}

fn print_agenda(
    agenda: &Agenda,
    q: &RowQuery,
    json: bool,
    out: &mut impl Write,
) -> Result<(), String> {
    let meetings = agenda_meetings(agenda, q);
    let io = |e: std::io::Error| e.to_string();
    if json {
        let items: Vec<JsonMeeting> = meetings
            .iter()
            .map(|m| JsonMeeting::listed(agenda, m, q.tz))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &items).map_err(|e| e.to_string())?;
        return writeln!(out).map_err(io);
    }
    // Several accounts: each line names its account by its label, as the TUI's rows do.
    let several = agenda.accounts.len() > 1;
    for m in meetings {
        let when = match m.when {
            When::Timed { start, .. } => start.with_timezone(&q.tz).format("%a %d %b %H:%M"),
            When::AllDay { start, .. } => start.format("%a %d %b all-day"),
        };
        let link = m.video.as_ref().map_or("", |v| v.url.as_str());
        match agenda.account_of(m).filter(|_| several) {
            Some(a) => writeln!(out, "{when}  {}  {}  {link}", a.label, m.title),
            None => writeln!(out, "{when}  {}  {link}", m.title),
        }
        .map_err(io)?;
    }
    Ok(())
}

/// What `agenda` lists: `days` from today, the meetings `args` and the config ask for.
fn agenda_query(
    config: &Config,
    args: &AgendaArgs,
    days: u32,
    now: chrono::DateTime<Utc>,
    tz: Tz,
) -> RowQuery<'static> {
    RowQuery {
        now,
        tz,
        days,
        show_all: args.all || config.show_all,
        filter: "",
        declined: config.show_declined,
    }
}

/// The scripting commands, as `meetty` parses them.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Print the agenda (for scripts: --json is stable, see the README).
    Agenda(AgendaArgs),
    /// Print the first times when you and every guest are free, in your working hours (exits
    /// 1 when there is none).
    Free(FreeArgs),
    /// Create a meeting with a Google Meet link; prints the link, then the event id.
    New(NewOptions),
    /// Cancel a meeting you organize (guests are told unless --notify none).
    Cancel(CancelArgs),
    /// Make an instant Google Meet link (no meeting is left in your calendar).
    Link(LinkArgs),
    /// Answer an invitation: yes, maybe or no, with an optional note to the organizer.
    Rsvp(RsvpArgs),
    /// Change a meeting you organize: only the flags given are changed.
    Edit(EditArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct AgendaArgs {
    /// Days to cover, starting today.
    #[arg(long, value_name = "N", value_parser = parse_days)]
    pub days: Option<u32>,
    /// All events, not only those with a video link.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
    /// From the cache the TUI and meetty watch keep, without the network (what was known
    /// when it was last written).
    #[arg(long)]
    pub cached: bool,
}

/// What `meetty new` was asked for, besides the template's defaults. The time flags take
/// values that start with a hyphen, so `--duration -5m` is refused in meetty's words rather
/// than taken for an unknown flag.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct NewOptions {
    /// Template to start from (see the config): "Quick Sync", "Standup", "Client Demo",
    /// "Blank" (default).
    #[arg(long, short = 't', value_name = "NAME")]
    pub template: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// "14:30", "2:30pm", "tomorrow 9", "mon 10:00", "2026-12-01 15:00", "now", "+15m".
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// Start at the first time when you and every guest are free, in your working hours on
    /// the next 5 working days (as `meetty free` finds it), instead of --start.
    #[arg(long, conflicts_with_all = ["start", "end"])]
    pub first_free: bool,
    /// "30m", "1h", "1h30m" (default: the template's).
    #[arg(
        long,
        value_name = "LENGTH",
        conflicts_with = "end",
        allow_hyphen_values = true
    )]
    pub duration: Option<String>,
    /// An end time instead of a duration: "15:00", "3pm".
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub end: Option<String>,
    /// Guests' e-mail addresses, comma separated.
    #[arg(long, value_name = "EMAILS", value_delimiter = ',')]
    pub with: Vec<String>,
    /// Calendar id (default: the template's, else primary).
    #[arg(long, value_name = "ID")]
    pub calendar: Option<String>,
    /// Who gets e-mail: all, external, none (default: all).
    #[arg(long, value_name = "WHO", value_parser = parse_notify)]
    pub notify: Option<SendUpdates>,
    /// daily, weekdays, weekly, or an RRULE ("FREQ=WEEKLY;BYDAY=MO,TH").
    #[arg(long, value_name = "RULE")]
    pub recur: Option<String>,
    /// No Google Meet link.
    #[arg(long)]
    pub no_meet: bool,
    /// Share the video link (the conference, copied) of this event instead of making a new
    /// one; looked up in the cached agenda, else on --calendar or the primary calendar.
    #[arg(long, value_name = "EVENT_ID", conflicts_with = "no_meet")]
    pub link_from: Option<String>,
    /// A template placeholder's value, e.g. --var client=Acme (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Create it even if the start is in the past.
    #[arg(long)]
    pub past: bool,
    /// Copy the Meet link to the clipboard.
    #[arg(long)]
    pub copy: bool,
    /// Check everything and print the meeting's time and title and the request that would
    /// create it, without sending it (reads needed to build it, like --first-free's, are
    /// made).
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CancelArgs {
    /// The event id (meetty agenda --json shows it).
    pub event_id: String,
    /// all, external, none (default: all when there are guests).
    #[arg(long, value_name = "WHO", value_parser = parse_notify)]
    pub notify: Option<SendUpdates>,
    /// Cancel the whole series this occurrence belongs to.
    #[arg(long)]
    pub all_occurrences: bool,
    /// The calendar the event is on (default: the one the TUI last saw it on, else your
    /// primary calendar).
    #[arg(long, value_name = "ID")]
    pub calendar: Option<String>,
    /// Print the request that would cancel it, without sending it (the meeting is read to
    /// check that you organize it).
    #[arg(long)]
    pub dry_run: bool,
    /// Print the cancelled meeting (or the dry run) as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LinkArgs {
    /// Copy it to the clipboard too.
    #[arg(long)]
    pub copy: bool,
}

pub(super) fn parse_notify(s: &str) -> Result<SendUpdates, String> {
    SendUpdates::parse(s).ok_or_else(|| format!("{s:?}: use all, external or none"))
}

/// Where a command works: the command line's `--demo`, `--account` and `--days`.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub demo: bool,
    pub account: Option<String>,
    pub days: Option<u32>,
}

/// Why a scripting command failed; the exit status tells which (README, "Exit status").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// What the command line asks for cannot be read (exit status 2); nothing was sent.
    Usage(String),
    /// The command failed; the message says why and what to do (exit status 1).
    Failed(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Failed(message)
    }
}

/// The signed-in (or demo) session, with a client that says on stderr why it waits.
pub(super) async fn open(
    start: &Startup,
    scope: &Scope,
    now: chrono::DateTime<Utc>,
    tz: Tz,
) -> Result<(Connection, CalendarClient), String> {
    let conn = connect(start, scope.demo, scope.account.as_deref(), now, tz).await?;
    if conn.first_run {
        return Err(NOT_SIGNED_IN.into());
    }
    let client = observed(&conn.client, None);
    Ok((conn, client))
}

const NOT_SIGNED_IN: &str = "not signed in: run meetty login (or try meetty --demo …)";

/// `client` saying on stderr why it waits (naming `account` when given): scripts see why a
/// command is slow, and stdout stays the result.
fn observed(client: &CalendarClient, account: Option<String>) -> CalendarClient {
    client.observed(Arc::new(move |r| {
        let wait = r.wait.as_secs_f32().ceil();
        match &account {
            Some(a) => eprintln!("meetty: {a}: {r} in {wait:.0} s"),
            None => eprintln!("meetty: {r} in {wait:.0} s"),
        }
    }))
}

/// `owner`'s agenda for `[from, to)` through [`cache::synced_agenda`], with a warning on
/// stderr when the cache cannot be written.
async fn synced_agenda(
    start: &Startup,
    owner: Option<&str>,
    client: &CalendarClient,
    from: chrono::DateTime<Utc>,
    to: chrono::DateTime<Utc>,
) -> Result<Agenda, ApiError> {
    let selection = &start.config.calendars;
    let (agenda, unsaved) =
        cache::synced_agenda(client, &start.paths, selection, owner, from, to).await?;
    if let Some(e) = unsaved {
        eprintln!(
            "meetty: warning: cannot write the cache in {}: {e} (the next start lists everything again)",
            start.paths.data_dir.display()
        );
    }
    Ok(agenda)
}

/// The agenda of every account the TUI merges ([`connect_all`]: the same accounts, in the
/// same order; `--account` narrows to one), each synced through its own cache, all at once,
/// and merged as the TUI merges them. An account that fails is left out and named on stderr
/// with its fix, and the others are listed; an error only when every account failed.
async fn merged_agenda(
    start: &Startup,
    scope: &Scope,
    now: chrono::DateTime<Utc>,
    tz: Tz,
    (from, to): (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
) -> Result<Agenda, String> {
    // The connections own the demo sandbox: they live as long as the clients.
    let conns = connect_all(start, scope.demo, scope.account.as_deref(), now, tz).await?;
    if conns.first_run {
        return Err(NOT_SIGNED_IN.into());
    }
    let several = conns.accounts.len() > 1;
    let fetches = conns.accounts.iter().map(|a| async move {
        let client = observed(&a.client, several.then(|| a.email.clone()));
        synced_agenda(start, a.cache_owner.as_deref(), &client, from, to).await
    });
    let results = join_all(fetches).await;
    let mut parts = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    for (a, result) in conns.accounts.iter().zip(results) {
        match result {
            Ok(agenda) => {
                let state = AccountState {
                    email: a.email.clone(),
                    label: a.label.clone(),
                    fetched_at: agenda.fetched_at,
                    stale: None,
                };
                parts.push((state, Arc::new(agenda)));
            }
            // One account alone says what it always said.
            Err(e) if !several => return Err(e.to_string()),
            Err(e) => failed.push(account_trouble(&a.email, &e)),
        }
    }
    if parts.is_empty() {
        return Err(failed.join("\n"));
    }
    for trouble in failed {
        eprintln!("meetty: {trouble}");
    }
    Ok(Agenda::merge(parts))
}

/// Why `email`'s meetings are missing from a merged agenda, and what to do about it.
fn account_trouble(email: &str, e: &ApiError) -> String {
    let fix = match e {
        ApiError::SignIn(_) | ApiError::Google { code: 401, .. } => {
            format!("sign it in again with meetty login --account {email}")
        }
        ApiError::Network(_) => "check the connection and run it again".to_string(),
        _ => format!("meetty --account {email} agenda --cached lists what was last known"),
    };
    format!("{email}: {e}; its meetings are not listed ({fix})")
}

/// Runs a scripting command: results on `out`, progress and warnings on stderr.
pub async fn run(
    start: &Startup,
    scope: &Scope,
    cmd: &Command,
    out: &mut impl Write,
) -> Result<Outcome, Failure> {
    let tz = start.tz()?;
    let now = Utc::now();
    let config = &start.config;
    match cmd {
        Command::Agenda(args) if args.cached => {
            let whose = Whose {
                demo: scope.demo,
                account: scope.account.clone(),
            };
            let owner = next::owner(&start.paths, &whose)?;
            let cached = crate::cache::load(&start.paths.agenda_cache(&owner))
                .ok_or_else(|| next::no_cache(&owner))?;
            let days = start.days(args.days.or(scope.days));
            let q = agenda_query(config, args, days, now, tz);
            print_agenda(&cached.agenda, &q, args.json, out)?;
        }
        Command::Agenda(args) => {
            let days = start.days(args.days.or(scope.days));
            let window = timefmt::agenda_window(now, tz, days);
            let agenda = merged_agenda(start, scope, now, tz, window).await?;
            let q = agenda_query(config, args, days, now, tz);
            print_agenda(&agenda, &q, args.json, out)?;
        }
        Command::Free(args) => {
            // A question that cannot be read is refused before anything is sent.
            let search = Search::read(args, now, tz, &config.hours)?;
            // The connection owns the demo sandbox: it lives as long as the client.
            let (_conn, client) = open(start, scope, now, tz).await?;
            let calendars = client.calendars().await.map_err(|e| e.to_string())?;
            let own = own_calendars(&calendars);
            let found = free::search(&client, &own, &search, &config.hours).await?;
            if !free::print(&search, &found, args.limit, args.json, out)? {
                eprintln!(
                    "meetty: {}: try more --days or a shorter --duration",
                    free::nothing_free(&search, &config.hours)
                );
                return Ok(Outcome::NoFreeSlot);
            }
        }
        Command::New(opts) => {
            let (conn, client) = open(start, scope, now, tz).await?;
            let calendars = client.calendars().await.map_err(|e| e.to_string())?;
            let ctx = Context {
                now,
                tz,
                calendars: &calendars,
                account: conn.account.as_deref(),
                accounts: &[],
                meetings: &[],
                editing: None,
            };
            let mut draft = new_draft(config, opts, &ctx)?;
            if let Some(event_id) = &opts.link_from {
                draft.meet = link_source(start, &conn, opts, event_id);
            }
            if opts.first_free {
                // Everything else is checked before Google is asked who is free.
                let (_, probe, _) = check_draft(&draft, opts, &ctx)?;
                let length = probe.end - probe.start;
                if let Err(problem) = config.hours.fits(length) {
                    return Err(Failure::Usage(format!("--duration: {problem}")));
                }
                let slot = first_free(&client, &calendars, &probe, config, now).await?;
                draft.start = slot
                    .start
                    .with_timezone(&probe.start.timezone())
                    .format("%Y-%m-%d %H:%M")
                    .to_string();
            }
            let (calendar, mut event, warnings) = check_draft(&draft, opts, &ctx)?;
            for w in warnings {
                eprintln!("meetty: warning: {w}");
            }
            event.id = crate::calendar::write::event_id();
            if opts.dry_run {
                let insert = client
                    .plan_create(&calendar, &event)
                    .await
                    .map_err(|e| write_error(&e, Surface::Cli))?;
                print_new_dry_run(&calendar, &event, &insert, opts.json, out)?;
                eprintln!("meetty: dry run: nothing was created");
                return Ok(Outcome::Done);
            }
            let link = create(&client, calendar, event, tz, opts.json, out).await?;
            if let (true, Some(link)) = (opts.copy, link) {
                copy_and_say(&link, config.clipboard);
            }
        }
        Command::Cancel(args) => {
            // The connection owns the demo sandbox: it lives as long as the client.
            let (conn, client) = open(start, scope, now, tz).await?;
            let calendar = event_calendar(start, &conn, args.calendar.as_deref(), &args.event_id);
            cancel(&client, &calendar, args, tz, out).await?;
        }
        Command::Link(args) => {
            // The connection owns the demo sandbox: it lives as long as the client.
            let (_conn, client) = open(start, scope, now, tz).await?;
            let link = instant_link(&client, tz).await?;
            writeln!(out, "{link}").map_err(|e| e.to_string())?;
            if args.copy {
                copy_and_say(&link, config.clipboard);
            }
        }
        Command::Rsvp(args) => {
            let answer = rsvp::Answering::read(args)?;
            // The connection owns the demo sandbox: it lives as long as the client.
            let (conn, client) = open(start, scope, now, tz).await?;
            let calendar = event_calendar(start, &conn, args.calendar.as_deref(), &args.event_id);
            rsvp::run(&client, &calendar, args, answer, tz, out).await?;
        }
        Command::Edit(args) => {
            let wanted = edit::Wanted::read(args)?;
            // The connection owns the demo sandbox: it lives as long as the client.
            let (conn, client) = open(start, scope, now, tz).await?;
            let calendar = event_calendar(start, &conn, args.calendar.as_deref(), &args.event_id);
            return edit::run(&client, &calendar, args, wanted, now, tz, out).await;
        }
    }
    Ok(Outcome::Done)
}

/// `--json` output: one pretty-printed value and a line break.
pub(super) fn write_json(value: &impl Serialize, out: &mut impl Write) -> Result<(), String> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| e.to_string())?;
    writeln!(out).map_err(|e| e.to_string())
}

/// `--dry-run --json`: `{"dry_run": true, "requests": [...]}`.
pub(super) fn dry_run_json(requests: &[Planned]) -> serde_json::Value {
    let requests: Vec<serde_json::Value> = requests.iter().map(Planned::to_json).collect();
    serde_json::json!({ "dry_run": true, "requests": requests })
}

/// `--dry-run`: the requests a real run sends, in order, a blank line between them (with
/// `--json`, [`dry_run_json`]), and on stderr that nothing was sent.
pub(super) fn print_requests(
    requests: &[Planned],
    json: bool,
    out: &mut impl Write,
) -> Result<(), String> {
    if json {
        write_json(&dry_run_json(requests), out)?;
    } else {
        write_requests(requests, out)?;
    }
    eprintln!("meetty: dry run: nothing was sent");
    Ok(())
}

fn write_requests(requests: &[Planned], out: &mut impl Write) -> Result<(), String> {
    let text: Vec<String> = requests.iter().map(Planned::to_string).collect();
    write!(out, "{}", text.join("\n")).map_err(|e| e.to_string())
}

/// `new --first-free`: the first slot when you and the meeting's guests are free for its
/// length, in its zone, as `meetty free` would print it first.
async fn first_free(
    client: &CalendarClient,
    calendars: &[CalendarInfo],
    probe: &NewEvent,
    config: &Config,
    now: chrono::DateTime<Utc>,
) -> Result<Interval, String> {
    let search = Search {
        guests: probe.attendees.clone(),
        duration: probe.end - probe.start,
        from: now,
        days: WORKING_DAYS_AHEAD,
        tz: probe.start.timezone(),
    };
    let found = free::search(client, &own_calendars(calendars), &search, &config.hours).await?;
    found.warn();
    found.slots.slots.first().copied().ok_or_else(|| {
        format!(
            "{}: look further with meetty free --days N, and pass the time you pick as --start",
            free::nothing_free(&search, &config.hours)
        )
    })
}

/// `new --dry-run`: when and what, as the agenda prints a meeting, then the insert a real
/// run sends (with `--json`: `title`, `start`, `end`, `calendar_id`, `guests` beside
/// [`dry_run_json`]'s fields). A real run chooses another event id and conference
/// `requestId`: both are fresh for every meeting.
fn print_new_dry_run(
    calendar: &str,
    event: &NewEvent,
    insert: &Planned,
    json: bool,
    out: &mut impl Write,
) -> Result<(), String> {
    let requests = std::slice::from_ref(insert);
    if json {
        let mut o = dry_run_json(requests);
        o["title"] = event.title.clone().into();
        o["start"] = event.start.to_rfc3339().into();
        o["end"] = event.end.to_rfc3339().into();
        o["calendar_id"] = calendar.into();
        o["guests"] = serde_json::json!(event.attendees);
        return write_json(&o, out);
    }
    let start = event.start.with_timezone(&Utc);
    let when = slot_text(start, event.end - event.start, event.start.timezone());
    writeln!(out, "{when}  {}\n", event.title).map_err(|e| e.to_string())?;
    write_requests(requests, out)
}

/// The draft from the template and the flags.
/// What the flags ask for cannot be read: a usage error (exit status 2).
fn new_draft(config: &Config, opts: &NewOptions, ctx: &Context) -> Result<Draft, Failure> {
    let name = opts.template.as_deref().unwrap_or("Blank");
    let t = templates::find(&config.templates, name).ok_or_else(|| {
        let names: Vec<&str> = config.templates.iter().map(|t| t.name.as_str()).collect();
        Failure::Usage(format!(
            "--template: no template \u{201c}{name}\u{201d}: pick one of {}",
            names.join(", ")
        ))
    })?;
    let mut d = Draft::from_template(t, ctx);
    apply(&mut d, opts).map_err(Failure::Usage)?;
    Ok(d)
}

/// The agenda as the TUI's last refresh cached it for this account: it knows each event's
/// calendar.
fn cached_agenda(start: &Startup, conn: &Connection) -> Option<Agenda> {
    let owner = conn.cache_owner.as_deref()?;
    crate::cache::load(&start.paths.agenda_cache(owner)).map(|c| c.agenda)
}

/// The calendar event `event_id` (an event, an occurrence or a series) is on: `--calendar`
/// when given, else the one the cached agenda has it (or an occurrence of it) on, else the
/// primary calendar.
fn event_calendar(
    start: &Startup,
    conn: &Connection,
    given: Option<&str>,
    event_id: &str,
) -> String {
    if let Some(calendar) = given {
        return calendar.to_string();
    }
    let cached = cached_agenda(start, conn);
    let known = cached.as_ref().and_then(|a| {
        a.meetings
            .iter()
            .find(|m| m.id == event_id || m.series_id.as_deref() == Some(event_id))
    });
    known.map_or_else(|| "primary".into(), |m| m.calendar_id.clone())
}

/// `new --link-from ID`: the meeting whose conference the new one shares, found in the cached
/// agenda (which knows its calendar), else taken to be on --calendar or the primary calendar.
/// The conference itself is read from Google when the meeting is created; a source without
/// one fails then, before anything is made.
fn link_source(
    start: &Startup,
    conn: &Connection,
    opts: &NewOptions,
    event_id: &str,
) -> MeetChoice {
    let cached = cached_agenda(start, conn);
    let known = cached
        .as_ref()
        .and_then(|a| a.meetings.iter().find(|m| m.id == event_id));
    let given = || opts.calendar.clone().unwrap_or_else(|| "primary".into());
    MeetChoice::SameAs {
        calendar_id: known.map_or_else(given, |m| m.calendar_id.clone()),
        event_id: event_id.to_string(),
        title: known.map_or_else(|| event_id.to_string(), |m| m.title.clone()),
        link: known
            .and_then(|m| m.video.as_ref())
            .map_or_else(String::new, |v| v.url.clone()),
    }
}

/// Validates the draft like the form does: the calendar, the request, and warnings. A field
/// that cannot be read is a usage error (exit status 2), as for `meetty free`.
fn check_draft(
    d: &Draft,
    opts: &NewOptions,
    ctx: &Context,
) -> Result<(String, NewEvent, Vec<String>), Failure> {
    let checked = compose::check(d, ctx);
    // The form's length field takes a duration or an end; `--duration` is only a duration,
    // and says so when it cannot be read as one.
    let mut duration_error = opts
        .duration
        .as_deref()
        .and_then(|d| duration_problem(d, ", or an end time with --end"));
    let start_failed = checked.errors().any(|(f, _)| *f == Field::Start);
    let mut errors = Vec::new();
    for (f, e) in checked.errors() {
        match f {
            Field::Length => match duration_error.take() {
                Some(e) => errors.push(e),
                // The length is read from the start: a bad start has said it all.
                None if start_failed => {}
                None => errors.push(format!("{}: {e}", field_flag(f))),
            },
            _ => errors.push(format!("{}: {e}", field_flag(f))),
        }
    }
    errors.extend(duration_error);
    if !errors.is_empty() {
        return Err(Failure::Usage(errors.join("\n")));
    }
    if let Some(cal) = &checked.meet_unavailable {
        return Err(Failure::Failed(format!(
            "\u{201c}{cal}\u{201d} does not allow Google Meet links: pass --no-meet, or pick \
             another --calendar"
        )));
    }
    if checked.starts_in_past && !opts.past {
        return Err("the start is in the past: pass --past to create it anyway"
            .to_string()
            .into());
    }
    let event = checked
        .event
        .ok_or_else(|| Failure::Failed("the meeting is not valid".into()))?;
    let mut warnings: Vec<String> = checked
        .cleaned
        .iter()
        .map(|f| format!("{}: {}", field_flag(f), compose::REMOVED))
        .collect();
    warnings.extend(checked.warnings);
    Ok((checked.calendar, event, warnings))
}

fn apply(d: &mut Draft, o: &NewOptions) -> Result<(), String> {
    let set = |field: &mut String, v: &Option<String>| {
        if let Some(v) = v {
            *field = v.clone();
        }
    };
    set(&mut d.title, &o.title);
    set(&mut d.start, &o.start);
    set(&mut d.length, &o.duration);
    if let Some(end) = &o.end {
        d.length = format!("until {end}");
    }
    set(&mut d.calendar, &o.calendar);
    set(&mut d.recurrence, &o.recur);
    if !o.with.is_empty() {
        d.guests = o.with.join(",");
    }
    if let Some(n) = o.notify {
        d.notify = n;
    }
    if o.no_meet {
        d.meet = MeetChoice::None;
    }
    for v in &o.vars {
        let (name, value) = v
            .split_once('=')
            .ok_or_else(|| format!("--var {v}: write it as name=value"))?;
        match d.vars.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => {
                let known: Vec<&str> = d.vars.iter().map(|(n, _)| n.as_str()).collect();
                return Err(format!(
                    "--var {name}: the template has no {{{name}}} (it has: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
            }
        }
    }
    Ok(())
}

/// Why `--duration TEXT` is no duration, if it is not one; `or` ends the advice (", or an
/// end time with --end" where there is one).
pub(super) fn duration_problem(text: &str, or: &str) -> Option<String> {
    if text.trim_start().starts_with('-') {
        return Some(format!(
            "--duration: cannot read \"{}\" as a duration: a negative duration is not allowed; \
             give a length like 30m or 1h{or}",
            text.trim()
        ));
    }
    let error = timeparse::parse_duration(text).err()?;
    Some(format!("--duration: {error}"))
}

/// The flag that sets a field, for error messages.
fn field_flag(f: &Field) -> String {
    use Field::*;
    match f {
        Title => "--title".into(),
        Var(name) => format!("--var {name}="),
        Start => "--start".into(),
        Length => "--duration/--end".into(),
        Zone => "timezone".into(),
        Guests => "--with".into(),
        Calendar => "--calendar".into(),
        Notify => "--notify".into(),
        Recurrence => "--recur".into(),
        Meet => "--no-meet".into(),
        Description => "description".into(),
    }
}

/// Progress goes to stderr, so stdout carries only the result.
pub(super) fn report_progress(p: Progress) {
    if let Progress::CreatingMeetLink { attempt: 1 } = p {
        eprintln!("creating Meet link…");
    }
}

/// Creates the meeting and prints the link (first line, when there is one) and the event id.
async fn create(
    client: &CalendarClient,
    calendar: String,
    event: NewEvent,
    tz: Tz,
    json: bool,
    out: &mut impl Write,
) -> Result<Option<String>, String> {
    let op = WriteOp::Create {
        calendar,
        event: Box::new(event),
    };
    let Written::Created(created) = op
        .run(client, &report_progress)
        .await
        .map_err(|e| write_error(&e, Surface::Cli))?
    else {
        return Err("unexpected answer to a create".into());
    };
    let Created {
        meeting,
        conference,
    } = *created;
    let io = |e: std::io::Error| e.to_string();
    let link = match &conference {
        Conference::Ready(url) => Some(url.clone()),
        _ => None,
    };
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            meeting: JsonMeeting,
            /// "ready", "none", "failed", "pending".
            conference: &'a str,
        }
        let conference_name = match conference {
            Conference::Ready(_) => "ready",
            Conference::NotRequested => "none",
            Conference::Failed(_) => "failed",
            Conference::StillPending => "pending",
        };
        let mut m = JsonMeeting::new(&meeting, tz);
        m.link = link.clone().or(m.link);
        let o = Out {
            meeting: m,
            conference: conference_name,
        };
        serde_json::to_writer_pretty(&mut *out, &o).map_err(|e| e.to_string())?;
        writeln!(out).map_err(io)?;
    } else {
        if let Some(l) = &link {
            writeln!(out, "{l}").map_err(io)?;
        }
        writeln!(out, "{}", meeting.id).map_err(io)?;
    }
    match conference {
        Conference::Failed(why) => Err(format!(
            "created {} without a Meet link ({why}): add one in Google Calendar",
            meeting.id
        )),
        Conference::StillPending => Err(format!(
            "created {}, but Google is still making the Meet link: run meetty agenda in a \
             moment",
            meeting.id
        )),
        _ => Ok(link),
    }
}

/// Cancels one occurrence (or with `--all-occurrences`, the whole series); with `--dry-run`
/// prints the delete instead. Without `--notify`, guests are told when there are any.
async fn cancel(
    client: &CalendarClient,
    calendar: &str,
    args: &CancelArgs,
    tz: Tz,
    out: &mut impl Write,
) -> Result<(), String> {
    let m = client
        .event(calendar, &args.event_id)
        .await
        .map_err(|e| write_error(&e, Surface::Cli))?;
    if !m.i_organize {
        return Err(format!(
            "\u{201c}{}\u{201d} is organized by {}: only the organizer can cancel it (decline \
             it with meetty rsvp {} no)",
            m.title,
            m.organizer
                .as_ref()
                .map_or("someone else", |o| o.email.as_str()),
            args.event_id
        ));
    }
    let target = match (&m.series_id, args.all_occurrences) {
        (Some(series), true) => series.clone(),
        _ => m.id.clone(),
    };
    let send = args.notify.unwrap_or(m.default_notify());
    if args.dry_run {
        let delete = client
            .plan_cancel(calendar, &target, send)
            .map_err(|e| write_error(&e, Surface::Cli))?;
        return print_requests(&[delete], args.json, out);
    }
    let op = WriteOp::Cancel {
        calendar: calendar.to_string(),
        event_id: target.clone(),
        send,
    };
    op.run(client, &report_progress)
        .await
        .map_err(|e| write_error(&e, Surface::Cli))?;
    if args.json {
        #[derive(Serialize)]
        struct Out {
            #[serde(flatten)]
            meeting: JsonMeeting,
            /// The id deleted: the occurrence's, or the series'.
            cancelled: String,
        }
        let o = Out {
            meeting: JsonMeeting::new(&m, tz),
            cancelled: target.clone(),
        };
        write_json(&o, out)?;
    }
    eprintln!("cancelled \u{201c}{}\u{201d} ({target})", m.title);
    Ok(())
}

async fn instant_link(client: &CalendarClient, tz: Tz) -> Result<String, String> {
    let op = WriteOp::InstantLink {
        calendar: "primary".into(),
        tz,
    };
    match op.run(client, &report_progress).await {
        Ok(Written::InstantLink(url)) => Ok(url),
        Ok(_) => Err("unexpected answer to an instant link".into()),
        Err(e) => Err(write_error(&e, Surface::Cli)),
    }
}

/// Copies and says how on stderr. A failed copy is only a warning: the meeting exists and its
/// link is on stdout, so a script must not retry (and make a second meeting).
fn copy_and_say(text: &str, mode: ClipboardMode) {
    let mut clipboard = Clipboard::for_command(mode);
    match clipboard.copy(text, &mut ControllingTerminal::default()) {
        Ok(via) => eprintln!("copied the Meet link ({via})"),
        Err(e) => eprintln!("meetty: warning: could not copy the link: {e}"),
    }
}
