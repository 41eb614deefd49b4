//! From what was typed to a meeting Google can create: the form and `meetty new` both fill a
//! [`Draft`] and call [`check`], so both validate, clean and build the request the same way.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::calendar::client::resolve_primary;
use crate::calendar::model::{AccountState, CalendarInfo, Meeting, Rsvp, SendUpdates, When};
use crate::calendar::write::{NewConference, NewEvent, Reminder};
use crate::recurrence;
use crate::sanitize;
use crate::templates::{self, Template};
use crate::timeparse;

/// Meet ends calls of three or more people after this long on free Google accounts.
const FREE_MEET_LIMIT_MINUTES: i64 = 60;

/// Said of a field that lost escape sequences, control or invisible characters on the way out.
pub const REMOVED: &str = "control and invisible characters removed";

/// The fields of a new meeting, as the form shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    Title,
    /// A template's own placeholder, such as `{client}`.
    Var(String),
    Start,
    /// A duration ("30m") or an end ("15:00").
    Length,
    Zone,
    Guests,
    Calendar,
    Notify,
    Recurrence,
    Meet,
    Description,
}

/// A new meeting as typed: every value still text, nothing validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub template: String,
    pub title: String,
    /// Values for the template's placeholders, in the template's order.
    pub vars: Vec<(String, String)>,
    pub start: String,
    pub length: String,
    pub zone: String,
    pub guests: String,
    /// A calendar id.
    pub calendar: String,
    /// The account whose calendar it is: an index into [`Context::accounts`] (0 with one
    /// account).
    pub account: usize,
    pub notify: SendUpdates,
    pub recurrence: String,
    pub meet: MeetChoice,
    pub description: String,
    pub reminders: Option<Vec<Reminder>>,
    /// Editing a meeting: its current start, which "+30m" or "tomorrow same time" in the
    /// start field move (see [`timeparse::parse_shift`]).
    pub shift_from: Option<DateTime<Tz>>,
}

/// The Meet field: a new link, none, or the same link (room) as another meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetChoice {
    New,
    None,
    /// Shares the conference of the event `event_id` on `calendar_id`; `title` and `link`
    /// are shown in the field.
    SameAs {
        calendar_id: String,
        event_id: String,
        title: String,
        link: String,
    },
}

impl MeetChoice {
    /// A template's `meet` setting.
    pub fn from_setting(meet: bool) -> MeetChoice {
        if meet {
            MeetChoice::New
        } else {
            MeetChoice::None
        }
    }

    /// The conference a new meeting gets.
    pub fn conference(&self) -> NewConference {
        match self {
            MeetChoice::New => NewConference::Meet,
            MeetChoice::None => NewConference::None,
            MeetChoice::SameAs {
                calendar_id,
                event_id,
                ..
            } => NewConference::CopyFrom {
                calendar_id: calendar_id.clone(),
                event_id: event_id.clone(),
            },
        }
    }

    /// "new link", "none", "same link as “Design review” (meet.google.com/abc-defg-hij)".
    pub fn label(&self) -> String {
        match self {
            MeetChoice::New => "new link".into(),
            MeetChoice::None => "none".into(),
            MeetChoice::SameAs { title, link, .. } => {
                let bare = link
                    .trim_start_matches("https://")
                    .trim_start_matches("http://");
                format!("same link as \u{201c}{title}\u{201d} ({bare})")
            }
        }
    }
}

/// What validation needs to know besides the draft.
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    /// The user's zone: the default for new meetings.
    pub tz: Tz,
    /// The calendar list, when known; empty means "take the id as given". In a merged
    /// agenda, every account's ([`CalendarInfo::account`]).
    pub calendars: &'a [CalendarInfo],
    /// The signed-in account, for the free-account Meet warning, when the calendars are one
    /// account's (`accounts` is empty).
    pub account: Option<&'a str>,
    /// The accounts of a merged agenda, in its order; a draft's calendar is one of
    /// [`Draft::account`]'s, which the free-account Meet warning is about.
    pub accounts: &'a [AccountState],
    /// The agenda's meetings, for the overlap warning; empty when not known.
    pub meetings: &'a [Meeting],
    /// The meeting being edited, which never overlaps itself; `None` for a new one.
    pub editing: Option<&'a str>,
}

/// What a field's value means, shown next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Hint(String),
    Error(String),
}

/// The draft, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The request, when no field has an error. Its `id` is empty: the caller picks one.
    pub event: Option<NewEvent>,
    pub calendar: String,
    /// The account the calendar is in ([`Draft::account`]): the create goes through it.
    pub account: usize,
    pub notes: Vec<(Field, Note)>,
    /// Worth knowing, not blocking.
    pub warnings: Vec<String>,
    pub starts_in_past: bool,
    /// A Meet link was asked for on a calendar that does not allow one: its name.
    pub meet_unavailable: Option<String>,
    /// Fields whose value lost characters that are never sent ([`REMOVED`]); their notes
    /// say so too.
    pub cleaned: Vec<Field>,
}

impl Checked {
    pub fn note(&self, field: &Field) -> Option<&Note> {
        self.notes.iter().find(|(f, _)| f == field).map(|(_, n)| n)
    }

    pub fn errors(&self) -> impl Iterator<Item = (&Field, &str)> {
        self.notes.iter().filter_map(|(f, n)| match n {
            Note::Error(e) => Some((f, e.as_str())),
            Note::Hint(_) => None,
        })
    }
}

impl Draft {
    /// A fresh draft from `t`: starts at the next quarter hour in the user's zone.
    pub fn from_template(t: &Template, ctx: &Context) -> Draft {
        let calendar = t.calendar.as_deref().unwrap_or("primary");
        Draft {
            template: t.name.clone(),
            title: t.title.clone(),
            vars: templates::placeholders(t)
                .into_iter()
                .map(|name| (name, String::new()))
                .collect(),
            start: next_quarter_hour(ctx.now, ctx.tz),
            length: duration_text(t.duration),
            zone: ctx.tz.name().to_string(),
            guests: t.attendees.join(", "),
            calendar: resolve_in(calendar, 0, ctx.calendars),
            account: 0,
            notify: t.send_updates.unwrap_or(SendUpdates::All),
            recurrence: t.recurrence.clone(),
            meet: MeetChoice::from_setting(t.meet),
            description: t.description.clone(),
            reminders: t.reminders.clone(),
            shift_from: None,
        }
    }
}

/// `primary` as the id of `account`'s own calendar (see [`resolve_primary`]); other ids as
/// they are.
pub fn resolve_in(id: &str, account: usize, calendars: &[CalendarInfo]) -> String {
    resolve_primary(id, &of_account(calendars, account))
}

/// `account`'s calendars in a merged calendar list.
fn of_account(calendars: &[CalendarInfo], account: usize) -> Vec<CalendarInfo> {
    calendars
        .iter()
        .filter(|c| c.account == account)
        .cloned()
        .collect()
}

/// The calendars a meeting can be created in: those the user can write to.
pub fn writable(calendars: &[CalendarInfo]) -> impl Iterator<Item = &CalendarInfo> {
    calendars.iter().filter(|c| c.writable)
}

/// "14:45" today, or the full date when the next quarter hour is tomorrow.
fn next_quarter_hour(now: DateTime<Utc>, tz: Tz) -> String {
    let step = 15 * 60;
    let next = DateTime::from_timestamp((now.timestamp() / step + 1) * step, 0).unwrap_or(now);
    let (local, today) = (next.with_timezone(&tz), now.with_timezone(&tz).date_naive());
    if local.date_naive() == today {
        local.format("%H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// A duration as the length field takes it: "15m", "1h", "1h30m".
pub fn duration_text(d: Duration) -> String {
    let (h, m) = (d.num_minutes() / 60, d.num_minutes() % 60);
    match (h, m) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// Splits the guests field on commas, semicolons and spaces; duplicates count once.
pub fn guest_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in text
        .split([',', ';', ' ', '\t', '\n'])
        .filter(|g| !g.is_empty())
    {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(g)) {
            out.push(g.to_string());
        }
    }
    out
}

/// The draft as it may be sent: escape sequences, controls and invisible characters removed
/// from every field (line breaks and tabs stay in the description), and the fields that lost
/// something. What the user typed is sent to Google and on to every guest's tools, so it is
/// held to the same rule as what meetty shows.
fn cleaned(d: &Draft) -> (Draft, Vec<Field>) {
    let mut lost = Vec::new();
    let mut line = |field: Field, value: &str| {
        let t = sanitize::typed_line(value);
        if t.removed {
            lost.push(field);
        }
        t.text
    };
    let title = line(Field::Title, &d.title);
    let vars = d
        .vars
        .iter()
        .map(|(name, v)| (name.clone(), line(Field::Var(name.clone()), v)))
        .collect();
    let start = line(Field::Start, &d.start);
    let length = line(Field::Length, &d.length);
    let zone = line(Field::Zone, &d.zone);
    let guests = line(Field::Guests, &d.guests);
    let calendar = line(Field::Calendar, &d.calendar);
    let recurrence = line(Field::Recurrence, &d.recurrence);
    let description = sanitize::typed_block(&d.description);
    if description.removed {
        lost.push(Field::Description);
    }
    let clean = Draft {
        title,
        vars,
        start,
        length,
        zone,
        guests,
        calendar,
        recurrence,
        description: description.text,
        ..d.clone()
    };
    (clean, lost)
}

/// Validates every field and, when all are fine, builds the request from the cleaned values.
pub fn check(d: &Draft, ctx: &Context) -> Checked {
    let (d, cleaned) = cleaned(d);
    let d = &d;
    let mut notes = Vec::new();
    let mut note = |field: Field, r: Result<String, String>| {
        let n = match r {
            Ok(hint) => Note::Hint(hint),
            Err(e) => Note::Error(e),
        };
        notes.push((field, n));
    };

    let zone = crate::timefmt::parse_zone(d.zone.trim()).map_err(|_| {
        format!(
            "unknown time zone \u{201c}{}\u{201d}: use an IANA name like Europe/Berlin",
            d.zone.trim()
        )
    });
    note(
        Field::Zone,
        zone.as_ref().map(|_| String::new()).map_err(Clone::clone),
    );
    let tz = zone.unwrap_or(ctx.tz);

    let shifted = d
        .shift_from
        .and_then(|current| timeparse::parse_shift(&d.start, current.with_timezone(&tz)));
    let start = match shifted {
        Some(s) => Ok(s),
        None => timeparse::parse_start(&d.start, ctx.now, tz),
    };
    let starts_in_past = start
        .as_ref()
        .is_ok_and(|s| *s < ctx.now - Duration::minutes(1));
    note(
        Field::Start,
        start
            .as_ref()
            .map(|s| start_hint(*s, ctx, starts_in_past))
            .map_err(Clone::clone),
    );

    let end = match &start {
        Ok(s) => length_end(&d.length, *s, ctx.now, tz),
        Err(_) => Err("needs a valid start".to_string()),
    };
    note(
        Field::Length,
        match (&start, &end) {
            (Ok(s), Ok(e)) => Ok(format!(
                "until {} ({})",
                e.format("%H:%M"),
                timeparse::format_duration(*e - *s)
            )),
            (_, Err(e)) => Err(e.clone()),
            (Err(e), Ok(_)) => Err(e.clone()),
        },
    );

    let value = |name: &str| -> Option<String> {
        if let Some((_, v)) = d.vars.iter().find(|(n, _)| n == name) {
            return (!v.trim().is_empty()).then(|| v.trim().to_string());
        }
        let (s, e) = (start.as_ref().ok()?, end.as_ref().ok()?);
        templates::builtin(name, *s, *e - *s)
    };
    for (name, v) in &d.vars {
        let r = if v.trim().is_empty() {
            Err(format!("fill in {{{name}}}: the template uses it"))
        } else {
            Ok(String::new())
        };
        note(Field::Var(name.clone()), r);
    }
    let title = templates::fill(d.title.trim(), &value);
    note(
        Field::Title,
        if title.is_empty() {
            Err("a title is needed".into())
        } else if title != d.title.trim() {
            Ok(title.clone())
        } else {
            Ok(String::new())
        },
    );

    let guests = guest_list(&d.guests);
    let bad: Vec<&str> = guests
        .iter()
        .filter(|g| !templates::valid_email(g))
        .map(String::as_str)
        .collect();
    note(
        Field::Guests,
        if !bad.is_empty() {
            Err(format!("not an e-mail address: {}", bad.join(", ")))
        } else {
            Ok(match guests.len() {
                0 => "just you".to_string(),
                1 => "1 guest".to_string(),
                n => format!("{n} guests"),
            })
        },
    );

    // `primary` is Google's name for the account's own calendar, typed or sent as often as
    // its address.
    let calendars = of_account(ctx.calendars, d.account);
    let calendar_id = resolve_primary(&d.calendar, &calendars);
    let calendar = calendars.iter().find(|c| c.id == calendar_id);
    note(
        Field::Calendar,
        match calendar {
            Some(c) if !c.writable => Err(format!(
                "\u{201c}{}\u{201d} is read-only: pick a calendar you can write to",
                c.name
            )),
            None if !ctx.calendars.is_empty() => Err(format!(
                "no calendar \u{201c}{}\u{201d} in your calendar list",
                d.calendar
            )),
            _ => Ok(String::new()),
        },
    );
    note(
        Field::Notify,
        Ok(if guests.is_empty() {
            "no guests to notify".into()
        } else {
            notify_hint(d.notify).into()
        }),
    );

    let recurrence = match &start {
        Ok(s) => timeparse::parse_recurrence(&d.recurrence, *s).and_then(|rule| {
            repeat_check(rule.as_deref(), *s, &d.recurrence)?;
            Ok(rule)
        }),
        Err(_) => Ok(None),
    };
    note(
        Field::Recurrence,
        recurrence
            .as_ref()
            .map(|r| {
                r.as_deref()
                    .map_or("once".into(), timeparse::describe_recurrence)
            })
            .map_err(Clone::clone),
    );
    // A copied conference is not checked against the calendar's allowed types: Google does
    // not document what it does with one of a type the calendar does not allow.
    let new_meet = d.meet == MeetChoice::New;
    let meet_unavailable = calendar
        .filter(|c| new_meet && !c.meet_allowed)
        .map(|c| c.name.clone());
    note(
        Field::Meet,
        match (&meet_unavailable, &d.meet) {
            (Some(name), _) => Ok(format!("\u{201c}{name}\u{201d} does not allow Google Meet")),
            (None, MeetChoice::New) => Ok("a Google Meet link is made".into()),
            (None, MeetChoice::None) => Ok("no video link".into()),
            // Google advises a conference per event (Calendar API release notes, 2026-02-17).
            (None, MeetChoice::SameAs { title, .. }) => Ok(format!(
                "one room with \u{201c}{title}\u{201d}: the guests of either can join both"
            )),
        },
    );
    let description = templates::fill(&d.description, &value);

    let mut warnings = Vec::new();
    if let (Ok(s), Ok(e)) = (&start, &end) {
        let long = (*e - *s).num_minutes() > FREE_MEET_LIMIT_MINUTES;
        let account = match ctx.accounts.get(d.account) {
            Some(a) => Some(a.email.as_str()),
            None => ctx.account,
        };
        if new_meet && long && is_free_account(account) && guests.len() + 1 >= 3 {
            warnings.push(format!(
                "Free Google accounts end Meet calls of 3 or more people after \
                 {FREE_MEET_LIMIT_MINUTES} minutes"
            ));
        }
        let utc = |t: &DateTime<Tz>| t.with_timezone(&Utc);
        warnings.extend(overlap_warning(utc(s), utc(e), ctx));
    }

    for field in &cleaned {
        match notes.iter_mut().find(|(f, _)| f == field) {
            Some((_, Note::Hint(h))) if h.is_empty() => *h = REMOVED.to_string(),
            Some((_, Note::Hint(h))) => *h = format!("{h} · {REMOVED}"),
            Some((_, Note::Error(_))) => {}
            None => notes.push((field.clone(), Note::Hint(REMOVED.to_string()))),
        }
    }

    let ok = notes.iter().all(|(_, n)| matches!(n, Note::Hint(_)));
    let event = match (ok, start, end, recurrence) {
        (true, Ok(start), Ok(end), Ok(recurrence)) => Some(NewEvent {
            id: String::new(),
            title,
            start,
            end,
            attendees: guests,
            description,
            recurrence: recurrence.into_iter().collect(),
            reminders: d.reminders.clone(),
            conference: d.meet.conference(),
            send_updates: d.notify,
            private: Default::default(),
        }),
        _ => None,
    };
    Checked {
        event,
        calendar: d.calendar.clone(),
        account: d.account,
        notes,
        warnings,
        starts_in_past,
        meet_unavailable,
        cleaned,
    }
}

/// "overlaps Design review 10:00–10:30" (times in the user's zone), "… and 2 more" when there
/// are several: the meetings the user attends that share time with `start..end`. Meetings
/// that only touch it do not overlap; declined meetings, all-day events and the meeting being
/// edited never count.
fn overlap_warning(start: DateTime<Utc>, end: DateTime<Utc>, ctx: &Context) -> Option<String> {
    let mut hits: Vec<(&Meeting, DateTime<Utc>, DateTime<Utc>)> = ctx
        .meetings
        .iter()
        .filter(|m| ctx.editing != Some(m.id.as_str()) && attends(m))
        .filter_map(|m| match m.when {
            When::Timed { start: s, end: e } if s < end && start < e => Some((m, s, e)),
            _ => None,
        })
        .collect();
    hits.sort_by_key(|h| h.1);
    // An event on two accounts' calendars is one meeting.
    let mut seen: Vec<&Meeting> = Vec::new();
    hits.retain(|h| {
        let new = !seen.iter().any(|m| m.same_event(h.0));
        seen.push(h.0);
        new
    });
    let (first, s, e) = hits.first()?;
    let when = crate::timefmt::clock_range(*s, *e, ctx.tz);
    let mut warning = format!("overlaps {} {when}", first.title);
    if hits.len() > 1 {
        warning.push_str(&format!(" and {} more", hits.len() - 1));
    }
    Some(warning)
}

/// Whether the user will be at `m`: a meeting (not a status such as focus time) they accepted,
/// organize, or that is on their calendar without a guest entry for them (their own event),
/// as the agenda's answer mark reads it ([`Meeting::my_rsvp`]).
fn attends(m: &Meeting) -> bool {
    m.event_type.is_meeting() && m.my_rsvp() == Rsvp::Accepted
}

/// "Mon 23 Nov 14:30 CET", plus how far away it is.
/// A rule that reads well can still be impossible (an `UNTIL` before the start, a date no
/// month has): the `rrule` crate, which the sandbox and the series split use too, checks it
/// against the meeting's start.
fn repeat_check(rule: Option<&str>, start: DateTime<Tz>, typed: &str) -> Result<(), String> {
    let Some(rule) = rule else {
        return Ok(());
    };
    let series = recurrence::Start {
        local: start.naive_local(),
        tz: start.timezone(),
        all_day: false,
    };
    recurrence::check(&[rule.to_string()], series)
        .map_err(|e| format!("\u{201c}{}\u{201d} cannot repeat: {e}", typed.trim()))
}

fn start_hint(start: DateTime<Tz>, ctx: &Context, past: bool) -> String {
    let when = start.format("%a %-d %b %H:%M %Z").to_string();
    if past {
        format!("{when} (in the past)")
    } else {
        let away = crate::timefmt::span(start.with_timezone(&Utc) - ctx.now);
        format!("{when} (in {away})")
    }
}

/// The length field: a duration first ("30", "1h"), else an end ("15:00", "3pm").
fn length_end(
    text: &str,
    start: DateTime<Tz>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<DateTime<Tz>, String> {
    // "until 17" is always an end (a bare 17 would be minutes).
    if let Some(end) = text.trim().strip_prefix("until ") {
        return timeparse::parse_end(end, start, now, tz);
    }
    match timeparse::parse_duration(text) {
        Ok(d) => Ok(start + d),
        Err(duration_error) => timeparse::parse_end(text, start, now, tz).map_err(|end_error| {
            if text.chars().any(|c| c == ':' || c.is_alphabetic()) {
                end_error
            } else {
                duration_error
            }
        }),
    }
}

fn notify_hint(n: SendUpdates) -> &'static str {
    match n {
        SendUpdates::All => "every guest gets an e-mail",
        SendUpdates::ExternalOnly => "only guests outside your organisation get an e-mail",
        SendUpdates::None => "nobody gets an e-mail",
    }
}

/// Consumer Google accounts (not Workspace) have Meet's 60-minute group limit.
fn is_free_account(account: Option<&str>) -> bool {
    account.is_some_and(|a| {
        let a = a.to_ascii_lowercase();
        a.ends_with("@gmail.com") || a.ends_with("@googlemail.com")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(title: &str, client: &str, guests: &str, description: &str) -> Draft {
        Draft {
            template: "Client Demo".into(),
            title: title.into(),
            vars: vec![("client".into(), client.into())],
            start: "2026-12-01 15:00".into(),
            length: "30m".into(),
            zone: "Europe/Berlin".into(),
            guests: guests.into(),
            calendar: "primary".into(),
            account: 0,
            notify: SendUpdates::All,
            recurrence: String::new(),
            meet: MeetChoice::New,
            description: description.into(),
            reminders: None,
            shift_from: None,
        }
    }

    fn ctx() -> Context<'static> {
        Context {
            now: "2026-12-01T09:00:00Z".parse().unwrap(),
            tz: chrono_tz::Europe::Berlin,
            calendars: &[],
            account: None,
            accounts: &[],
            meetings: &[],
            editing: None,
        }
    }

    #[test]
    fn primary_is_the_own_calendar_whether_named_or_not() {
        let calendar = |id: &str, primary: bool, meet_allowed: bool| CalendarInfo {
            id: id.into(),
            name: id.into(),
            color: None,
            primary,
            selected: true,
            writable: true,
            meet_allowed,
            owned: true,
            account: 0,
        };
        let calendars = [
            calendar("alex@example.com", true, false),
            calendar("team@group.calendar.google.com", false, true),
        ];
        let ctx = Context {
            calendars: &calendars,
            ..ctx()
        };
        let checked = check(&draft("Demo", "Acme", "", ""), &ctx);
        assert!(
            !checked.errors().any(|(f, _)| *f == Field::Calendar),
            "primary was refused although the list has a primary calendar"
        );
        // Read as the primary calendar: its own settings apply (here: no Meet).
        assert_eq!(
            checked.meet_unavailable.as_deref(),
            Some("alex@example.com")
        );
        let mut unknown = draft("Demo", "Acme", "", "");
        unknown.calendar = "nope@example.com".into();
        assert!(check(&unknown, &ctx)
            .errors()
            .any(|(f, _)| *f == Field::Calendar));
    }

    /// A meeting from Google's JSON: `me` is the user's answer (`None`: they organize it,
    /// with no attendee list).
    fn busy(id: &str, from: &str, to: &str, me: Option<&str>) -> Meeting {
        let mut ev = serde_json::json!({
            "id": id, "summary": format!("Meeting {id}"),
            "start": {"dateTime": from}, "end": {"dateTime": to},
            "organizer": {"email": "boss@example.com"},
        });
        match me {
            Some(answer) => {
                ev["attendees"] = serde_json::json!([
                    {"email": "me@example.com", "self": true, "responseStatus": answer}
                ]);
            }
            None => ev["organizer"]["self"] = true.into(),
        }
        let text = ev.to_string();
        Meeting::from_event("primary", &serde_json::from_str(&text).unwrap()).unwrap()
    }

    /// The warnings for a meeting at 15:00–15:30 Berlin (14:00–14:30 UTC) on 1 Dec.
    fn overlaps(meetings: &[Meeting], editing: Option<&str>) -> Vec<String> {
        let ctx = Context {
            meetings,
            editing,
            ..ctx()
        };
        check(&draft("Plan", "x", "", ""), &ctx).warnings
    }

    /// Issue 11 point 10: the warning names the meeting and its time in the user's zone.
    #[test]
    fn a_meeting_you_accepted_at_the_same_time_is_named() {
        let m = [busy(
            "a",
            "2026-12-01T14:15:00Z",
            "2026-12-01T15:00:00Z",
            Some("accepted"),
        )];
        assert_eq!(
            overlaps(&m, None),
            ["overlaps Meeting a 15:15\u{2013}16:00"]
        );
        // Meetings the user organizes count too.
        let m = [busy(
            "o",
            "2026-12-01T13:30:00Z",
            "2026-12-01T14:01:00Z",
            None,
        )];
        assert_eq!(
            overlaps(&m, None),
            ["overlaps Meeting o 14:30\u{2013}15:01"]
        );
    }

    #[test]
    fn meetings_that_only_touch_do_not_overlap() {
        let m = [
            busy(
                "before",
                "2026-12-01T13:00:00Z",
                "2026-12-01T14:00:00Z",
                Some("accepted"),
            ),
            busy(
                "after",
                "2026-12-01T14:30:00Z",
                "2026-12-01T15:00:00Z",
                Some("accepted"),
            ),
        ];
        assert!(overlaps(&m, None).is_empty());
    }

    #[test]
    fn declined_unanswered_all_day_and_the_edited_meeting_never_count() {
        let (from, to) = ("2026-12-01T14:00:00Z", "2026-12-01T14:30:00Z");
        let mut all_day = busy("day", from, to, Some("accepted"));
        all_day.when = When::AllDay {
            start: "2026-12-01".parse().unwrap(),
            end: "2026-12-02".parse().unwrap(),
        };
        let m = [
            busy("no", from, to, Some("declined")),
            busy("unanswered", from, to, Some("needsAction")),
            all_day,
            busy("me", from, to, None),
        ];
        assert!(overlaps(&m, Some("me")).is_empty());
        assert_eq!(
            overlaps(&m, None),
            ["overlaps Meeting me 15:00\u{2013}15:30"]
        );
    }

    #[test]
    fn several_overlaps_name_the_first_and_count_the_rest() {
        let m = [
            busy(
                "late",
                "2026-12-01T14:20:00Z",
                "2026-12-01T15:00:00Z",
                Some("accepted"),
            ),
            busy(
                "early",
                "2026-12-01T13:45:00Z",
                "2026-12-01T14:15:00Z",
                Some("accepted"),
            ),
            busy("mine", "2026-12-01T14:00:00Z", "2026-12-01T14:30:00Z", None),
        ];
        assert_eq!(
            overlaps(&m, None),
            ["overlaps Meeting early 14:45\u{2013}15:15 and 2 more"]
        );
    }

    /// Issue 11 point 9: the field's three values and what each sends.
    #[test]
    fn the_meet_choice_says_what_is_sent() {
        let same = MeetChoice::SameAs {
            calendar_id: "team".into(),
            event_id: "ev1".into(),
            title: "Design review".into(),
            link: "https://meet.google.com/abc-defg-hij".into(),
        };
        assert_eq!(
            same.label(),
            "same link as \u{201c}Design review\u{201d} (meet.google.com/abc-defg-hij)"
        );
        let copy = NewConference::CopyFrom {
            calendar_id: "team".into(),
            event_id: "ev1".into(),
        };
        assert_eq!(same.conference(), copy);
        let mut d = draft("Plan", "x", "", "");
        d.meet = same;
        let checked = check(&d, &ctx());
        assert_eq!(checked.event.as_ref().unwrap().conference, copy);
        assert!(matches!(
            checked.note(&Field::Meet),
            Some(Note::Hint(h)) if h.contains("one room with \u{201c}Design review\u{201d}")
        ));
    }

    /// Issue 15 point 7: what the user types is cleaned on the way out, and each field that
    /// lost something says so.
    #[test]
    fn escapes_and_invisible_characters_are_not_sent() {
        let d = draft(
            "Ctl \x1b]52;c;Zm9v\x07 title for {client}",
            "Acme\u{200b}\u{202e}",
            "kim@partner.org\x1b[31m, lee@example.com",
            "Agenda for {client}:\n\t1. demo\x07\r\n\t2. \x1b[2Jquestions",
        );
        let checked = check(&d, &ctx());
        let event = checked.event.clone().expect("a valid meeting");
        assert_eq!(event.title, "Ctl title for Acme");
        assert_eq!(event.attendees, ["kim@partner.org", "lee@example.com"]);
        assert_eq!(
            event.description,
            "Agenda for Acme:\n\t1. demo\n\t2. questions"
        );
        let var = Field::Var("client".into());
        assert_eq!(
            checked.cleaned,
            [Field::Title, var.clone(), Field::Guests, Field::Description]
        );
        let hint = |f: &Field| match checked.note(f) {
            Some(Note::Hint(h)) => h.clone(),
            other => panic!("{f:?}: {other:?}"),
        };
        assert_eq!(
            hint(&Field::Title),
            format!("Ctl title for Acme · {REMOVED}")
        );
        assert_eq!(hint(&var), REMOVED);
        assert_eq!(hint(&Field::Guests), format!("2 guests · {REMOVED}"));
        assert_eq!(hint(&Field::Description), REMOVED);
    }

    #[test]
    fn clean_text_is_sent_as_typed_without_a_note() {
        let description = "Line one\n\tindented\n\n\n\nfar below  ";
        let d = draft(
            "Caf\u{e9} \u{1f469}\u{1f3fd}\u{200d}\u{1f4bb} {client}",
            "\u{4f1a}\u{8b70}",
            "",
            description,
        );
        let checked = check(&d, &ctx());
        let event = checked.event.expect("a valid meeting");
        assert_eq!(
            event.title,
            "Caf\u{e9} \u{1f469}\u{1f3fd}\u{200d}\u{1f4bb} \u{4f1a}\u{8b70}"
        );
        assert_eq!(event.description, description);
        assert!(checked.cleaned.is_empty());
        assert!(checked
            .notes
            .iter()
            .all(|(_, n)| !matches!(n, Note::Hint(h) if h.contains(REMOVED))));
    }

    #[test]
    fn a_field_with_an_error_keeps_its_error() {
        let d = draft("\x1b[31m", "x", "not-an-address\x07", "");
        let checked = check(&d, &ctx());
        assert_eq!(
            checked.note(&Field::Title),
            Some(&Note::Error("a title is needed".into()))
        );
        assert_eq!(
            checked.note(&Field::Guests),
            Some(&Note::Error("not an e-mail address: not-an-address".into()))
        );
        assert!(checked.event.is_none());
    }

    #[test]
    fn a_repeat_that_cannot_happen_is_explained() {
        let mut d = draft("Demo", "Acme", "", "");
        d.recurrence = "FREQ=WEEKLY;UNTIL=20261124".into();
        let checked = check(&d, &ctx());
        assert_eq!(
            checked.note(&Field::Recurrence),
            Some(&Note::Error(
                "\u{201c}FREQ=WEEKLY;UNTIL=20261124\u{201d} cannot repeat: the repeat ends \
                 (UNTIL) before the first meeting: give a later UNTIL"
                    .into()
            ))
        );
        assert!(checked.event.is_none());
        d.recurrence = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30".into();
        let checked = check(&d, &ctx());
        assert!(matches!(
            checked.note(&Field::Recurrence),
            Some(Note::Error(e)) if e.ends_with("the rule gives no date at all: check its days and months")
        ));
        d.recurrence = "FREQ=WEEKLY;UNTIL=20261231".into();
        let event = check(&d, &ctx()).event.expect("a valid meeting");
        assert_eq!(event.recurrence, ["RRULE:FREQ=WEEKLY;UNTIL=20261231"]);
    }
}
