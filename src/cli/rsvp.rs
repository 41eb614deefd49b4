//! `meetty rsvp`: answering an invitation from a script. The meeting is read first, so a
//! meeting you organize, one you are not invited to, or an entry Google does not let anyone
//! answer (focus time, out of office…) is refused as the TUI refuses it
//! ([`Meeting::refuse_change`](crate::calendar::model::Meeting::refuse_change)) before
//! anything is sent; the answer itself is the same [`Respond`] the TUI's answer dialog sends.

use std::io::Write;

use chrono_tz::Tz;

use super::scripting::Failure;
use super::scripting::{print_requests, report_progress, write_json, JsonMeeting};
use crate::calendar::answer::{clean_note, Answer, Respond};
use crate::calendar::client::CalendarClient;
use crate::calendar::error::{write_error, Surface};
use crate::calendar::model::{Change, Rsvp};
use crate::calendar::ops::{WriteOp, Written};
use crate::{compose, sanitize};

#[derive(Debug, Clone, clap::Args)]
pub struct RsvpArgs {
    /// The event id (meetty agenda --json shows it).
    pub event_id: String,
    /// yes, maybe or no (Google's words accept, tentative and decline work too).
    #[arg(value_name = "ANSWER", value_parser = parse_answer)]
    pub answer: Rsvp,
    /// A note to the organizer, shown with your answer (--note "" removes an earlier one).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub note: Option<String>,
    /// E-mail the organizer your answer (the default).
    #[arg(long, overrides_with = "no_notify")]
    pub notify: bool,
    /// Tell nobody: the answer only shows in the organizer's calendar.
    #[arg(long, overrides_with = "notify")]
    pub no_notify: bool,
    /// Answer for every occurrence of a recurring meeting, not only this one.
    #[arg(long)]
    pub all_occurrences: bool,
    /// The calendar the event is on (default: the one the TUI last saw it on, else your
    /// primary calendar).
    #[arg(long, value_name = "ID")]
    pub calendar: Option<String>,
    /// Print the request that would answer, without sending it (the meeting is read to find
    /// your entry on it).
    #[arg(long)]
    pub dry_run: bool,
    /// Print the answered meeting (or the dry run) as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_answer(text: &str) -> Result<Rsvp, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "accept" | "accepted" => Ok(Rsvp::Accepted),
        "maybe" | "tentative" => Ok(Rsvp::Tentative),
        "no" | "decline" | "declined" => Ok(Rsvp::Declined),
        _ => Err("answer yes, maybe or no".into()),
    }
}

/// The answer as the command line gives it, checked before anything is read.
pub struct Answering(Answer);

impl Answering {
    /// The note is cleaned as every text meetty sends is (stderr says when it lost
    /// something); one too long is a usage error.
    pub fn read(args: &RsvpArgs) -> Result<Answering, Failure> {
        let note = match args.note.as_deref() {
            Some(n) => {
                if sanitize::typed_line(n).removed {
                    eprintln!("meetty: warning: --note: {}", compose::REMOVED);
                }
                Some(clean_note(n).map_err(|e| Failure::Usage(format!("--note: {e}")))?)
            }
            None => None,
        };
        Ok(Answering(Answer {
            rsvp: args.answer,
            note,
            notify: !args.no_notify,
        }))
    }
}

/// Reads the meeting, refuses what cannot be answered, and answers (or prints the request).
pub async fn run(
    client: &CalendarClient,
    calendar: &str,
    args: &RsvpArgs,
    answering: Answering,
    tz: Tz,
    out: &mut impl Write,
) -> Result<(), String> {
    let m = client
        .event(calendar, &args.event_id)
        .await
        .map_err(|e| write_error(&e, Surface::Cli))?;
    if let Some(why) = m.refuse_change(Change::Answer) {
        let hint = if m.i_organize {
            " (meetty edit changes it, meetty cancel cancels it)"
        } else {
            ""
        };
        return Err(why + hint);
    }
    // Google returns the user's own entry even when it leaves other guests out (Events
    // reference, `maxAttendees`: "only the participant is returned"); refuse_change checked
    // that there is one.
    let email = m
        .attendees
        .iter()
        .find(|a| a.is_self)
        .map(|a| a.person.email.clone())
        .unwrap_or_default();
    let event_id = match (&m.series_id, args.all_occurrences) {
        (Some(series), true) => series.clone(),
        _ => m.id.clone(),
    };
    let respond = Respond {
        calendar: calendar.to_string(),
        event_id,
        email,
        answer: answering.0,
    };
    if args.dry_run {
        let patch = client
            .plan_respond(&respond)
            .map_err(|e| write_error(&e, Surface::Cli))?;
        return print_requests(&[patch], args.json, out);
    }
    let rsvp = respond.answer.rsvp;
    let told = if respond.answer.notify {
        "the organizer is e-mailed"
    } else {
        "nobody is e-mailed"
    };
    let target = respond.event_id.clone();
    let answered = match WriteOp::Respond(Box::new(respond))
        .run(client, &report_progress)
        .await
    {
        Ok(Written::Responded(m)) => *m,
        Ok(_) => return Err("unexpected answer to an RSVP".into()),
        Err(e) => return Err(write_error(&e, Surface::Cli)),
    };
    if args.json {
        write_json(&JsonMeeting::new(&answered, tz), out)?;
    }
    let word = match rsvp {
        Rsvp::Accepted => "yes",
        Rsvp::Tentative => "maybe",
        Rsvp::Declined | Rsvp::NeedsAction => "no",
    };
    eprintln!(
        "answered {word} to \u{201c}{}\u{201d} ({target}); {told}",
        m.title
    );
    Ok(())
}
