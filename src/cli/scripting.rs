//! The scripting commands: `agenda`, `new`, `cancel`, `link`. They validate with the same
//! [`compose::check`] and change Google through the same [`WriteOp`]s as the TUI.
//!
//! `--json` output is stable: fields are only ever added (README, "Scripting").

use std::io::Write;

use chrono_tz::Tz;
use serde::Serialize;

use crate::action::{WriteOp, Written};
use crate::calendar::client::CalendarClient;
use crate::calendar::model::{Agenda, Meeting, When};
use crate::calendar::write::{Conference, Created, Progress, SendUpdates};
use crate::compose::{self, Context, Draft};
use crate::config::{ClipboardMode, Config};
use crate::templates;
use crate::view::{build_rows, Row, RowQuery};

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
        }
    }
}

/// The agenda's meetings in order, each once (a multi-day event is listed on its first day).
pub fn agenda_meetings<'a>(agenda: &'a Agenda, q: &RowQuery) -> Vec<&'a Meeting> {
    let mut seen = std::collections::HashSet::new();
    build_rows(agenda, q)
        .into_iter()
        .filter_map(|r| match r {
            Row::Meeting(i) if seen.insert(i) => Some(&agenda.meetings[i]),
            _ => None,
        })
        .collect()
}

pub fn print_agenda(
    agenda: &Agenda,
    q: &RowQuery,
    json: bool,
    out: &mut impl Write,
) -> Result<(), String> {
    let meetings = agenda_meetings(agenda, q);
    let io = |e: std::io::Error| e.to_string();
    if json {
        let items: Vec<JsonMeeting> = meetings.iter().map(|m| JsonMeeting::new(m, q.tz)).collect();
        serde_json::to_writer_pretty(&mut *out, &items).map_err(|e| e.to_string())?;
        return writeln!(out).map_err(io);
    }
    for m in meetings {
        let when = match m.when {
            When::Timed { start, .. } => start.with_timezone(&q.tz).format("%a %d %b %H:%M"),
            When::AllDay { start, .. } => start.format("%a %d %b all-day"),
        };
        let link = m.video.as_ref().map_or("", |v| v.url.as_str());
        writeln!(out, "{when}  {}  {link}", m.title).map_err(io)?;
    }
    Ok(())
}

/// What `meetty new` was asked for, besides the template's defaults.
#[derive(Debug, Default, Clone)]
pub struct NewOptions {
    pub template: Option<String>,
    pub title: Option<String>,
    pub start: Option<String>,
    pub duration: Option<String>,
    pub end: Option<String>,
    pub with: Vec<String>,
    pub calendar: Option<String>,
    pub notify: Option<SendUpdates>,
    pub recur: Option<String>,
    pub no_meet: bool,
    /// `name=value` for the template's placeholders.
    pub vars: Vec<String>,
    /// Create even if the start is in the past.
    pub past: bool,
}

/// Builds the draft from the template and the flags, and validates it like the form does.
pub fn new_event(
    config: &Config,
    opts: &NewOptions,
    ctx: &Context,
) -> Result<(String, crate::calendar::write::NewEvent, Vec<String>), String> {
    let name = opts.template.as_deref().unwrap_or("Blank");
    let t = templates::find(&config.templates, name).ok_or_else(|| {
        let names: Vec<&str> = config.templates.iter().map(|t| t.name.as_str()).collect();
        format!(
            "no template \u{201c}{name}\u{201d}: pick one of {}",
            names.join(", ")
        )
    })?;
    let mut d = Draft::from_template(t, ctx);
    apply(&mut d, opts)?;
    let checked = compose::check(&d, ctx);
    let errors: Vec<String> = checked
        .errors()
        .map(|(f, e)| format!("{}: {e}", field_flag(f)))
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    if let Some(cal) = &checked.meet_unavailable {
        return Err(format!(
            "\u{201c}{cal}\u{201d} does not allow Google Meet links: pass --no-meet, or pick \
             another --calendar"
        ));
    }
    if checked.starts_in_past && !opts.past {
        return Err("the start is in the past: pass --past to create it anyway".into());
    }
    let event = checked.event.ok_or("the meeting is not valid")?;
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
        d.meet = false;
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

/// The flag that sets a field, for error messages.
fn field_flag(f: &compose::Field) -> String {
    use compose::Field::*;
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
pub fn report_progress(p: Progress) {
    if let Progress::CreatingMeetLink { attempt: 1 } = p {
        eprintln!("creating Meet link…");
    }
}

/// Creates the meeting and prints the link (first line, when there is one) and the event id.
pub async fn create(
    client: &CalendarClient,
    calendar: String,
    event: crate::calendar::write::NewEvent,
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
        .map_err(|e| crate::app::write_error(&e))?
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
        Conference::Failed(why) => {
            Err(format!("created {} without a Meet link: {why}", meeting.id))
        }
        Conference::StillPending => Err(format!(
            "created {}, but Google is still making the Meet link: run meetty agenda in a \
             moment",
            meeting.id
        )),
        _ => Ok(link),
    }
}

/// Cancels one occurrence (or with `all`, the whole series). Without `--notify`, guests are
/// told when there are any.
pub async fn cancel(
    client: &CalendarClient,
    calendar: &str,
    event_id: &str,
    notify: Option<SendUpdates>,
    all: bool,
) -> Result<String, String> {
    let m = client
        .event(calendar, event_id)
        .await
        .map_err(|e| crate::app::write_error(&e))?;
    if !m.i_organize {
        return Err(format!(
            "\u{201c}{}\u{201d} is organized by {}: only the organizer can cancel it (decline \
             it in the TUI with d)",
            m.title,
            m.organizer
                .as_ref()
                .map_or("someone else", |o| o.email.as_str())
        ));
    }
    let target = match (&m.series_id, all) {
        (Some(series), true) => series.clone(),
        _ => m.id.clone(),
    };
    let send = notify.unwrap_or(m.default_notify());
    let op = WriteOp::Cancel {
        calendar: calendar.to_string(),
        event_id: target.clone(),
        send,
    };
    op.run(client, &report_progress)
        .await
        .map_err(|e| crate::app::write_error(&e))?;
    Ok(format!("cancelled \u{201c}{}\u{201d} ({target})", m.title))
}

pub async fn instant_link(client: &CalendarClient, tz: Tz) -> Result<String, String> {
    let op = WriteOp::InstantLink {
        calendar: "primary".into(),
        tz,
    };
    match op.run(client, &report_progress).await {
        Ok(Written::InstantLink(url)) => Ok(url),
        Ok(_) => Err("unexpected answer to an instant link".into()),
        Err(e) => Err(crate::app::write_error(&e)),
    }
}

/// Copies and says how on stderr. A failed copy is only a warning: the meeting exists and its
/// link is on stdout, so a script must not retry (and make a second meeting).
pub fn copy_and_say(text: &str, mode: ClipboardMode) {
    match copy(text, mode) {
        Ok(via) => eprintln!("copied the Meet link ({via})"),
        Err(e) => eprintln!("meetty: warning: could not copy the link: {e}"),
    }
}

/// Copies for a command that exits right away: the system clipboard is served by a detached
/// copy of meetty (X11 and Wayland drop a selection when its owner exits), and OSC 52 goes to
/// the controlling terminal, never to stdout.
fn copy(text: &str, mode: ClipboardMode) -> Result<String, String> {
    let mut used = Vec::new();
    let mut errors = Vec::new();
    if mode != ClipboardMode::Osc52 {
        match crate::clipboard::serve_detached(text) {
            Ok(()) => used.push("system clipboard"),
            Err(e) => errors.push(format!("no system clipboard ({e})")),
        }
    }
    if mode != ClipboardMode::Native {
        match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
            Ok(mut tty) => {
                let in_tmux = std::env::var_os("TMUX").is_some();
                match tty.write_all(crate::clipboard::osc52(text, in_tmux).as_bytes()) {
                    Ok(()) => used.push("OSC 52"),
                    Err(e) => errors.push(format!("cannot write to the terminal ({e})")),
                }
            }
            Err(e) => errors.push(format!("no terminal for OSC 52 ({e})")),
        }
    }
    if used.is_empty() {
        return Err(errors.join("; "));
    }
    Ok(used.join(" + "))
}
