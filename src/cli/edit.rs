//! `meetty edit`: changing a meeting you organize from a script. Only the flags given become
//! [`Changes`], so only those fields are sent, guarded by the event's etag; which occurrences
//! of a recurring meeting change must be said (`--scope`), and a meeting changed elsewhere
//! meanwhile is reported, not overwritten, unless `--force` says to apply the changes on top.

use std::io::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::scripting::{
    duration_problem, parse_notify, print_requests, report_progress, write_json, Failure,
    JsonMeeting,
};
use super::Outcome;
use crate::calendar::client::CalendarClient;
use crate::calendar::edit::{Changes, Conflict, Edit, Editable, Edited, MeetChange, Scope};
use crate::calendar::error::{write_error, Surface};
use crate::calendar::model::{Change, EventType, SendUpdates, When};
use crate::calendar::ops::{WriteOp, Written};
use crate::{compose, sanitize, templates, timeparse};

#[derive(Debug, Clone, clap::Args)]
pub struct EditArgs {
    /// The event id (meetty agenda --json shows it).
    pub event_id: String,
    /// A new title.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// What meetty new --start takes ("14:30", "tomorrow 9", "mon 10:00"), or a shift from
    /// the meeting's current start: "+30m", "-1h", "tomorrow same time". The length stays
    /// unless --duration or --end changes it.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// A new length: "30m", "1h", "1h30m".
    #[arg(
        long,
        value_name = "LENGTH",
        conflicts_with = "end",
        allow_hyphen_values = true
    )]
    pub duration: Option<String>,
    /// A new end instead of a length: "15:00", "3pm".
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub end: Option<String>,
    /// Guests to invite, comma separated.
    #[arg(long, value_name = "EMAILS", value_delimiter = ',')]
    pub add: Vec<String>,
    /// Guests to take off the guest list, comma separated.
    #[arg(long, value_name = "EMAILS", value_delimiter = ',')]
    pub remove: Vec<String>,
    /// A new description ("" empties it).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub description: Option<String>,
    /// Add a Google Meet link.
    #[arg(long, conflicts_with = "no_meet")]
    pub meet: bool,
    /// Remove the video conference.
    #[arg(long)]
    pub no_meet: bool,
    /// For an occurrence of a recurring meeting (required there): this (only this one),
    /// following (this and every later one) or all (every occurrence).
    #[arg(long, value_name = "WHICH", value_parser = parse_scope)]
    pub scope: Option<Scope>,
    /// Who gets e-mail: all, external, none (default: all when there are guests).
    #[arg(long, value_name = "WHO", value_parser = parse_notify)]
    pub notify: Option<SendUpdates>,
    /// The calendar the event is on (default: the one the TUI last saw it on, else your
    /// primary calendar).
    #[arg(long, value_name = "ID")]
    pub calendar: Option<String>,
    /// When the meeting changed elsewhere since it was read, apply these changes on top
    /// instead of stopping.
    #[arg(long)]
    pub force: bool,
    /// Print the request(s) that would change it, without sending them (the meeting, and
    /// for an occurrence its series, are read to build them).
    #[arg(long)]
    pub dry_run: bool,
    /// Print the changed meeting (or the dry run) as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_scope(text: &str) -> Result<Scope, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "this" => Ok(Scope::This),
        "following" => Ok(Scope::Following),
        "all" => Ok(Scope::All),
        _ => Err(SCOPES.into()),
    }
}

const SCOPES: &str = "use --scope this (this occurrence), --scope following (this and the \
                      following ones) or --scope all (every occurrence)";

/// What the flags ask for that can be checked before the meeting is read: every text
/// cleaned as meetty cleans what it sends, every address and length readable.
pub struct Wanted {
    changes: Changes,
    /// The new length, when `--duration` gives one.
    duration: Option<chrono::Duration>,
}

impl Wanted {
    /// Usage errors (exit status 2), one line per flag.
    pub fn read(args: &EditArgs) -> Result<Wanted, Failure> {
        let mut errors = Vec::new();
        let title = args
            .title
            .as_deref()
            .map(|t| typed(sanitize::typed_line(t), "--title"));
        if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            errors.push(
                "--title: a meeting needs a title: give one, like --title \"Design review\"".into(),
            );
        }
        let description = args
            .description
            .as_deref()
            .map(|d| typed(sanitize::typed_block(d), "--description"));
        let add_guests = addresses(&args.add, "--add", &mut errors);
        let remove_guests = addresses(&args.remove, "--remove", &mut errors);
        let duration = match args.duration.as_deref() {
            Some(d) => match duration_problem(d, ", or an end time with --end") {
                Some(problem) => {
                    errors.push(problem);
                    None
                }
                None => timeparse::parse_duration(d).ok(),
            },
            None => None,
        };
        if !errors.is_empty() {
            return Err(Failure::Usage(errors.join("\n")));
        }
        let meet = match (args.meet, args.no_meet) {
            (true, _) => Some(MeetChange::Add),
            (_, true) => Some(MeetChange::Remove),
            _ => None,
        };
        let changes = Changes {
            title,
            add_guests,
            remove_guests,
            description,
            meet,
            ..Changes::default()
        };
        let moves = args.start.is_some() || args.duration.is_some() || args.end.is_some();
        if changes.is_empty() && !moves {
            return Err(Failure::Usage(
                "nothing to change: give --title, --start, --duration or --end, --add, \
                 --remove, --description, --meet or --no-meet"
                    .into(),
            ));
        }
        Ok(Wanted { changes, duration })
    }
}

/// A cleaned text, with a warning on stderr when it lost something.
fn typed(t: sanitize::Typed, flag: &str) -> String {
    if t.removed {
        eprintln!("meetty: warning: {flag}: {}", compose::REMOVED);
    }
    t.text
}

/// The addresses of `--add` or `--remove`, cleaned; those that are none are named in
/// `errors`.
fn addresses(list: &[String], flag: &str, errors: &mut Vec<String>) -> Vec<String> {
    let cleaned: Vec<String> = list
        .iter()
        .map(|a| typed(sanitize::typed_line(a), flag))
        .filter(|a| !a.is_empty())
        .collect();
    let bad: Vec<&str> = cleaned
        .iter()
        .filter(|a| !templates::valid_email(a))
        .map(String::as_str)
        .collect();
    if !bad.is_empty() {
        errors.push(format!(
            "{flag}: not an e-mail address: {}; give addresses like kim@example.com, comma \
             separated",
            bad.join(", ")
        ));
    }
    cleaned
}

/// Sets the meeting's new start and end from `--start`, `--duration` and `--end`, read in
/// the meeting's zone, when any of them is given.
fn set_times(
    args: &EditArgs,
    duration: Option<chrono::Duration>,
    target: &Editable,
    now: DateTime<Utc>,
    changes: &mut Changes,
) -> Result<(), Failure> {
    if args.start.is_none() && args.duration.is_none() && args.end.is_none() {
        return Ok(());
    }
    let m = &target.meeting;
    let When::Timed { start, end } = m.when else {
        return Err(Failure::Failed(format!(
            "\u{201c}{}\u{201d} is an all-day event: meetty edit moves meetings with a time; \
             change it in Google Calendar",
            m.title
        )));
    };
    let zone = target.zone;
    let (start, end) = (start.with_timezone(&zone), end.with_timezone(&zone));
    let new_start = match &args.start {
        Some(text) => start_from(text, start, now, zone)
            .map_err(|e| Failure::Usage(format!("--start: {e}")))?,
        None => start,
    };
    let new_end = match (&args.end, duration) {
        (Some(text), _) => timeparse::parse_end(text, new_start, now, zone)
            .map_err(|e| Failure::Usage(format!("--end: {e}")))?,
        (None, Some(length)) => new_start + length,
        (None, None) => new_start + (end - start),
    };
    changes.start = Some(new_start);
    changes.end = Some(new_end);
    Ok(())
}

/// A shift from the meeting's `current` start ("+30m", "tomorrow same time"), else a start
/// as `meetty new --start` reads it, in the meeting's zone.
fn start_from(
    text: &str,
    current: DateTime<Tz>,
    now: DateTime<Utc>,
    zone: Tz,
) -> Result<DateTime<Tz>, String> {
    match timeparse::parse_shift(text, current) {
        Some(start) => Ok(start),
        None => timeparse::parse_start(text, now, zone),
    }
}

/// Which occurrences change: `--scope`, required for an occurrence of a recurring meeting;
/// a series' own id changes every occurrence, and a meeting that does not repeat has only
/// itself.
fn scope_of(args: &EditArgs, target: &Editable) -> Result<Scope, Failure> {
    let title = &target.meeting.title;
    let is_series = target.series.is_some() && target.meeting.series_id.is_none();
    match (args.scope, &target.series) {
        (None | Some(Scope::All), Some(_)) if is_series => Ok(Scope::All),
        (Some(_), Some(_)) if is_series => Err(Failure::Usage(format!(
            "{} is the series \u{201c}{title}\u{201d} itself, so every occurrence changes: \
             give an occurrence's id for --scope this or following (meetty agenda --json \
             lists them)",
            args.event_id
        ))),
        (Some(scope), Some(_)) => Ok(scope),
        (None, Some(_)) => Err(Failure::Usage(format!(
            "\u{201c}{title}\u{201d} is one occurrence of a recurring meeting: say which to \
             change: {SCOPES}"
        ))),
        (None | Some(Scope::This), None) => Ok(Scope::This),
        (Some(_), None) => Err(Failure::Usage(format!(
            "\u{201c}{title}\u{201d} does not repeat: leave out --scope"
        ))),
    }
}

/// Reads the meeting, refuses what cannot be changed, and changes it (or prints the
/// requests). A meeting changed elsewhere meanwhile exits 1 with what differs.
pub async fn run(
    client: &CalendarClient,
    calendar: &str,
    args: &EditArgs,
    wanted: Wanted,
    now: DateTime<Utc>,
    tz: Tz,
    out: &mut impl Write,
) -> Result<Outcome, Failure> {
    let cli_error = |e| write_error(&e, Surface::Cli);
    let target = client
        .load_edit(calendar, &args.event_id)
        .await
        .map_err(cli_error)?;
    let m = &target.meeting;
    if let Some(why) = m.refuse_change(Change::Edit) {
        // A guest's way to change the meeting: their answer.
        let answer = (m.event_type == EventType::Default && !m.i_organize).then(|| {
            format!(
                " (answer it with meetty rsvp {} yes|maybe|no)",
                args.event_id
            )
        });
        return Err(Failure::Failed(why + &answer.unwrap_or_default()));
    }
    let Wanted {
        mut changes,
        duration,
    } = wanted;
    let unknown: Vec<&str> = changes
        .remove_guests
        .iter()
        .filter(|g| {
            !m.attendees
                .iter()
                .any(|a| a.person.email.eq_ignore_ascii_case(g))
        })
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(Failure::Usage(format!(
            "--remove: not a guest of \u{201c}{}\u{201d}: {}",
            m.title,
            unknown.join(", ")
        )));
    }
    let scope = scope_of(args, &target)?;
    set_times(args, duration, &target, now, &mut changes)?;
    let send = args.notify.unwrap_or(if changes.add_guests.is_empty() {
        m.default_notify()
    } else {
        SendUpdates::All
    });
    let mut edit = Edit {
        calendar: calendar.to_string(),
        target,
        scope,
        changes,
        send,
    };
    if args.dry_run {
        let requests = client.plan_edit(&edit).map_err(cli_error)?;
        print_requests(&requests, args.json, out)?;
        return Ok(Outcome::Done);
    }
    let mut forced = false;
    loop {
        let written = WriteOp::Edit(Box::new(edit.clone()))
            .run(client, &report_progress)
            .await
            .map_err(cli_error)?;
        let Written::Edited(edited) = written else {
            return Err(Failure::Failed("unexpected answer to an edit".into()));
        };
        match *edited {
            Edited::Done(meeting) => {
                if args.json {
                    write_json(&JsonMeeting::new(&meeting, tz), out)?;
                } else {
                    writeln!(out, "{}", meeting.id).map_err(|e| e.to_string())?;
                }
                eprintln!("changed \u{201c}{}\u{201d} ({})", meeting.title, meeting.id);
                return Ok(Outcome::Done);
            }
            Edited::Conflict(conflict) if args.force && !forced => {
                eprintln!(
                    "meetty: \u{201c}{}\u{201d} changed elsewhere meanwhile: applying your \
                     changes on top (--force)",
                    edit.target.meeting.title
                );
                forced = true;
                edit.target = conflict.current;
            }
            Edited::Conflict(conflict) => {
                if args.json {
                    write_json(&conflict_json(&conflict), out)?;
                }
                return Err(Failure::Failed(conflict_message(&edit, &conflict)));
            }
        }
    }
}

/// `{"conflict": true, "differences": [{"field", "before", "now"}…]}`.
fn conflict_json(c: &Conflict) -> serde_json::Value {
    let differences: Vec<serde_json::Value> = c
        .differences
        .iter()
        .map(|d| serde_json::json!({ "field": d.field, "before": d.before, "now": d.now }))
        .collect();
    serde_json::json!({ "conflict": true, "differences": differences })
}

/// What changed elsewhere, a line for each field, and what to do.
fn conflict_message(edit: &Edit, c: &Conflict) -> String {
    let mut lines = vec![format!(
        "\u{201c}{}\u{201d} was changed elsewhere since meetty read it; nothing was saved:",
        edit.target.meeting.title
    )];
    lines.extend(
        c.differences
            .iter()
            .map(|d| format!("  {}: {} \u{2192} {}", d.field, d.before, d.now)),
    );
    lines.push(
        "run the command again to apply your changes to the meeting as it is now, or add \
         --force to do so at once"
            .into(),
    );
    lines.join("\n")
}
