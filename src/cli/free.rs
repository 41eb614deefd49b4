//! `meetty free`: when you and your guests can all meet, asked of Google's free/busy in one
//! query and searched inside your working hours; and the search `meetty new --first-free`
//! books from. Lanes and slots are found as the TUI's find a time finds them
//! ([`FreeBusy::lanes`](crate::calendar::freebusy::FreeBusy::lanes), [`free_slots`]), so both
//! agree on who is free when.
//!
//! `--json` output is stable: fields are only ever added (README, "Scripting").

use std::io::Write;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::scripting::{duration_problem, Failure};
use crate::calendar::client::CalendarClient;
use crate::calendar::freebusy::{BusyQuery, Lane, YOU};
use crate::freetime::{free_slots, slot_text, Slots, WorkingHours, STEP, WORKING_DAYS_AHEAD};
use crate::session::parse_days;
use crate::{sanitize, templates, timeparse};

/// Slots printed unless `--limit` says otherwise.
pub const LIMIT: usize = 10;

#[derive(Debug, Clone, clap::Args)]
pub struct FreeArgs {
    /// Guests' (or groups') e-mail addresses, comma separated.
    #[arg(long, value_name = "EMAILS", value_delimiter = ',', required = true)]
    pub with: Vec<String>,
    /// How long the meeting is: "30m", "1h", "1h30m".
    #[arg(long, value_name = "LENGTH", allow_hyphen_values = true)]
    pub duration: String,
    /// Working days to search (config working_days and working_hours).
    #[arg(long, value_name = "N", value_parser = parse_days, default_value_t = WORKING_DAYS_AHEAD)]
    pub days: u32,
    /// Search from then on, written as --start takes it: "tomorrow 9", "mon 10:00", "+2h"
    /// (default: now).
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// How many slots to print.
    #[arg(long, value_name = "N", value_parser = parse_limit, default_value_t = LIMIT)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

fn parse_limit(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("give a whole number of slots, 1 or more, like 10".into()),
    }
}

/// What to look for: a time when `guests` and you are free for `duration`, on the next
/// `days` working days from `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub guests: Vec<String>,
    pub duration: Duration,
    pub from: DateTime<Utc>,
    pub days: u32,
    /// Where working hours are read and slots are shown.
    pub tz: Tz,
}

impl Search {
    /// The command line's question, or what is wrong with it (before anything is asked of
    /// Google). A `--from` that has passed searches from `now`; a meeting longer than the
    /// working day is refused.
    pub fn read(
        args: &FreeArgs,
        now: DateTime<Utc>,
        tz: Tz,
        hours: &WorkingHours,
    ) -> Result<Search, Failure> {
        let mut problems = Vec::new();
        let typed = sanitize::typed_line(&args.with.join(","));
        if typed.removed {
            eprintln!("meetty: warning: --with: {}", crate::compose::REMOVED);
        }
        let guests = crate::compose::guest_list(&typed.text);
        let bad: Vec<&str> = guests
            .iter()
            .filter(|g| !templates::valid_email(g))
            .map(String::as_str)
            .collect();
        if guests.is_empty() {
            problems.push("--with: name at least one guest, like --with kim@example.com".into());
        } else if !bad.is_empty() {
            problems.push(format!("--with: not an e-mail address: {}", bad.join(", ")));
        }
        let duration = match duration_problem(&args.duration, "") {
            Some(problem) => {
                problems.push(problem);
                None
            }
            None => timeparse::parse_duration(&args.duration).ok(),
        };
        if let Some(Err(problem)) = duration.map(|d| hours.fits(d)) {
            problems.push(format!("--duration: {problem}"));
        }
        let from = match &args.from {
            Some(text) => match timeparse::parse_start(text, now, tz) {
                Ok(t) => Some(t.with_timezone(&Utc).max(now)),
                Err(e) => {
                    problems.push(format!("--from: {e}"));
                    None
                }
            },
            None => Some(now),
        };
        match (duration, from) {
            (Some(duration), Some(from)) if problems.is_empty() => Ok(Search {
                guests,
                duration,
                from,
                days: args.days,
                tz,
            }),
            _ => Err(Failure::Usage(problems.join("\n"))),
        }
    }

    /// "you, kim@example.com and team@example.com".
    fn people(&self) -> String {
        let mut names = vec![YOU];
        names.extend(self.guests.iter().map(String::as_str));
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }

    fn days_text(&self) -> String {
        match self.days {
            1 => "the next working day".into(),
            n => format!("the next {n} working days"),
        }
    }
}

/// What Google said and the slots it leaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// "you" first, then each guest (see `FreeBusy::lanes`).
    pub lanes: Vec<(String, Lane)>,
    pub slots: Slots,
    /// Google's limits made meetty ask in several queries.
    pub split: bool,
}

impl Found {
    /// Those the slots were chosen without ([`Slots::without`]), each with Google's reason
    /// from their lane.
    pub fn without(&self) -> impl Iterator<Item = (&str, &str)> {
        self.slots.without.iter().map(|who| {
            let reason = self.lanes.iter().find_map(|(name, lane)| match lane {
                Lane::Unknown { reason } if name == who => Some(reason.as_str()),
                _ => None,
            });
            (who.as_str(), reason.unwrap_or_default())
        })
    }

    /// Says on stderr what the slots could not take into account.
    pub fn warn(&self) {
        for (who, reason) in self.without() {
            eprintln!("meetty: warning: chosen without {who}, whose calendar is unknown: {reason}");
        }
        if self.split {
            eprintln!("meetty: warning: {SPLIT}");
        }
    }
}

const SPLIT: &str = "more people than Google answers for at once: meetty asked in several queries";

/// One free/busy query for `own` (your calendars, merged into one lane) and every guest, over
/// the working hours searched; then the slots where everyone Google answered for is free.
pub async fn search(
    client: &CalendarClient,
    own: &[String],
    s: &Search,
    hours: &WorkingHours,
) -> Result<Found, String> {
    let Some(window) = hours.window(s.from, s.days, s.tz) else {
        return Ok(Found {
            lanes: Vec::new(),
            slots: Slots::default(),
            split: false,
        });
    };
    let query = BusyQuery {
        from: window.start,
        to: window.end,
        tz: s.tz,
        ids: own.iter().chain(&s.guests).cloned().collect(),
    };
    let busy = client
        .free_busy(&query)
        .await
        .map_err(|e| format!("could not ask Google who is free: {e}"))?;
    let lanes = busy.lanes(own, &s.guests);
    let slots = free_slots(&lanes, s.from, s.days, s.duration, hours, s.tz, STEP);
    Ok(Found {
        lanes,
        slots,
        split: busy.split,
    })
}

/// Why there is no slot (the caller adds what to try).
pub fn nothing_free(s: &Search, hours: &WorkingHours) -> String {
    format!(
        "no {} slot when {} are free in {} ({}–{}, config working_hours)",
        timeparse::format_duration(s.duration),
        s.people(),
        s.days_text(),
        hours.start.format("%H:%M"),
        hours.end.format("%H:%M"),
    )
}

/// `meetty free --json`.
#[derive(Serialize)]
struct Json<'a> {
    slots: Vec<JsonSlot>,
    without: Vec<JsonWithout<'a>>,
    split: bool,
}

#[derive(Serialize)]
struct JsonSlot {
    /// RFC 3339 with the user's zone's offset.
    start: String,
    end: String,
}

#[derive(Serialize)]
struct JsonWithout<'a> {
    who: &'a str,
    reason: &'a str,
}

/// Prints the first slots (at most `limit`) and whose calendars were unknown; `Ok(false)`
/// when there is no slot at all.
pub fn print(
    s: &Search,
    found: &Found,
    limit: usize,
    json: bool,
    out: &mut impl Write,
) -> Result<bool, String> {
    let io = |e: std::io::Error| e.to_string();
    let all = &found.slots.slots;
    let shown = &all[..all.len().min(limit)];
    if json {
        let at = |t: DateTime<Utc>| t.with_timezone(&s.tz).to_rfc3339();
        let o = Json {
            slots: shown
                .iter()
                .map(|i| JsonSlot {
                    start: at(i.start),
                    end: at(i.end),
                })
                .collect(),
            without: found
                .without()
                .map(|(who, reason)| JsonWithout { who, reason })
                .collect(),
            split: found.split,
        };
        serde_json::to_writer_pretty(&mut *out, &o).map_err(|e| e.to_string())?;
        writeln!(out).map_err(io)?;
        return Ok(!all.is_empty());
    }
    if !all.is_empty() {
        let count = if all.len() > shown.len() {
            format!("The first {} of {}", shown.len(), all.len())
        } else {
            all.len().to_string()
        };
        let plural = if all.len() == 1 { "" } else { "s" };
        writeln!(
            out,
            "{count} free {} slot{plural} for {} in {} ({}):",
            timeparse::format_duration(s.duration),
            s.people(),
            s.days_text(),
            s.tz.name(),
        )
        .map_err(io)?;
        for slot in shown {
            writeln!(out, "  {}", slot_text(slot.start, s.duration, s.tz)).map_err(io)?;
        }
        if all.len() > shown.len() {
            writeln!(out, "(--limit {} shows more)", all.len()).map_err(io)?;
        }
    }
    for (who, reason) in found.without() {
        writeln!(
            out,
            "Chosen without {who}, whose calendar is unknown: {reason}"
        )
        .map_err(io)?;
    }
    if found.split {
        writeln!(out, "Note: {SPLIT}").map_err(io)?;
    }
    Ok(!all.is_empty())
}
