//! The domain model the UI draws: Google's `Event` reduced to what a meeting needs, with every
//! string from other people sanitized once, here, so no render path ever sees raw server text.

use chrono::{DateTime, NaiveDate, Utc};
use google_calendar3::api::CalendarListEntry;
use serde::{Deserialize, Serialize};

use super::access::{self, Access};
use super::error::ApiError;
use super::links::{self, Provider, VideoLink};
use super::text::description_to_text;
use super::wire::{WireAttendee, WireEvent, WirePerson, WireTime};
use crate::sanitize;

/// When a meeting happens. All-day ends are exclusive dates, as Google sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum When {
    Timed {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    AllDay {
        start: NaiveDate,
        end: NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rsvp {
    Accepted,
    Declined,
    Tentative,
    NeedsAction,
}

impl Rsvp {
    /// Unknown values (Google may add some) read as "not answered".
    fn parse(s: Option<&str>) -> Rsvp {
        match s {
            Some("accepted") => Rsvp::Accepted,
            Some("declined") => Rsvp::Declined,
            Some("tentative") => Rsvp::Tentative,
            _ => Rsvp::NeedsAction,
        }
    }
}

/// Google's `eventType`: what kind of entry this is. Only `Default` (and `FromGmail`) events are
/// meetings people answer and edit; the others are statuses or birthdays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    #[default]
    Default,
    Birthday,
    FocusTime,
    FromGmail,
    OutOfOffice,
    WorkingLocation,
    /// A type Google added after this was written.
    Other,
}

impl EventType {
    fn parse(s: Option<&str>) -> EventType {
        match s {
            None | Some("default") => EventType::Default,
            Some("birthday") => EventType::Birthday,
            Some("focusTime") => EventType::FocusTime,
            Some("fromGmail") => EventType::FromGmail,
            Some("outOfOffice") => EventType::OutOfOffice,
            Some("workingLocation") => EventType::WorkingLocation,
            Some(_) => EventType::Other,
        }
    }
}

impl EventType {
    /// A meeting people are invited to: `default`, and `fromGmail` (a booking Gmail found).
    /// The statuses and birthdays are not.
    pub fn is_meeting(self) -> bool {
        matches!(self, EventType::Default | EventType::FromGmail)
    }

    /// Statuses and birthdays never show among meetings; out of office and focus time (and
    /// types meetty does not know) show in the all-events view, with their own badge.
    pub fn listed_in_all_events_only(self) -> bool {
        matches!(
            self,
            EventType::OutOfOffice | EventType::FocusTime | EventType::Other
        )
    }

    /// Working locations and birthdays are never listed: they are not things to attend.
    pub fn never_listed(self) -> bool {
        matches!(self, EventType::WorkingLocation | EventType::Birthday)
    }

    /// The row's badge (five columns at most) and what the details pane calls the type.
    pub fn badge(self) -> Option<(&'static str, &'static str)> {
        match self {
            EventType::OutOfOffice => Some(("away", "out of office")),
            EventType::FocusTime => Some(("focus", "focus time")),
            EventType::Other => Some(("other", "not a meeting")),
            EventType::Birthday => Some(("bday", "birthday")),
            EventType::WorkingLocation => Some(("where", "working location")),
            EventType::Default | EventType::FromGmail => None,
        }
    }
}

/// What the user wants to do to an event, for [`Meeting::refuse_change`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Say yes, maybe or no to an invitation.
    Answer,
    /// Change title, time, guests, description, link or repeat.
    Edit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl Person {
    /// The display name when there is one, else the address.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.email
        } else {
            &self.name
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub person: Person,
    pub rsvp: Rsvp,
    pub organizer: bool,
    pub is_self: bool,
    pub optional: bool,
}

/// A dial-in number from the conference's `phone` entry points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialIn {
    pub number: String,
    pub pin: Option<String>,
    pub region: Option<String>,
}

impl DialIn {
    /// What `Y` copies: a number a phone can dial, with the PIN after a pause (`,,`) and `#`.
    pub fn dial_string(&self) -> String {
        match &self.pin {
            Some(pin) => format!("{},,{}#", self.number, pin),
            None => self.number.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: String,
    pub calendar_id: String,
    pub title: String,
    pub when: When,
    pub location: String,
    pub description: String,
    pub organizer: Option<Person>,
    pub attendees: Vec<Attendee>,
    pub video: Option<VideoLink>,
    pub dial_in: Vec<DialIn>,
    /// The series this is an occurrence of (`recurringEventId`): cancelling "all occurrences"
    /// deletes the series, cancelling "this one" deletes [`Meeting::id`].
    #[serde(default)]
    pub series_id: Option<String>,
    /// This calendar's copy is the organizer's (`organizer.self`): only then may meetty
    /// cancel the meeting or change its link; a guest can only decline. Required in the
    /// cache, so a cache written before it existed is refetched instead of misread.
    pub i_organize: bool,
    pub html_link: Option<String>,
    /// The version Google holds (`etag`), for `If-Match` on edits.
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub event_type: EventType,
    /// The link is a conference Google holds (`conferenceData` with a video entry point), not
    /// one found in the text: only such a conference can be shared with another meeting.
    #[serde(default)]
    pub has_conference: bool,
    /// The account whose calendar this copy is on: an index into [`Agenda::accounts`] (0 in
    /// an agenda of one account).
    #[serde(default)]
    pub account: usize,
    /// `iCalUID`: the same on every guest's copy, so one event on two accounts' calendars
    /// is listed once. Empty in caches written before it was read.
    #[serde(default)]
    pub uid: String,
    /// Links to other meetings services besides [`Meeting::video`] (the primary one, by
    /// the ranking in [`links::rank`]), in ranking order.
    #[serde(default)]
    pub other_links: Vec<VideoLink>,
    /// The meeting ID and passcode, where the service gives them.
    #[serde(default)]
    pub access: Option<Access>,
}

impl Meeting {
    /// Builds a meeting from an API event; `None` for cancelled events and events without a
    /// usable start (Google sends both in sync responses).
    pub fn from_event(calendar_id: &str, ev: &WireEvent) -> Option<Meeting> {
        if ev.status.as_deref() == Some("cancelled") {
            return None;
        }
        let when = when_of(ev.start.as_ref()?, ev.end.as_ref())?;
        let location = sanitize::line(ev.location.as_deref().unwrap_or(""));
        let description = description_to_text(ev.description.as_deref().unwrap_or(""));
        let conference = conference_video(ev);
        let has_conference = conference.is_some();
        let hangout = ev
            .hangout_link
            .as_deref()
            .and_then(web_url)
            .map(|url| VideoLink {
                provider: Provider::Meet,
                url,
            });
        let (video, other_links) = links::rank(conference, hangout, &location, &description);
        let access = access::extract(video.as_ref(), ev, &location, &description);
        let title = match ev.summary.as_deref().map(sanitize::line) {
            Some(t) if !t.is_empty() => t,
            _ => "(no title)".to_string(),
        };
        Some(Meeting {
            id: ev.id.as_deref().unwrap_or_default().to_string(),
            calendar_id: calendar_id.to_string(),
            title,
            when,
            location,
            description,
            organizer: ev.organizer.as_ref().map(person),
            attendees: ev.attendees.iter().map(attendee).collect(),
            video,
            dial_in: dial_ins(ev),
            series_id: ev.recurring_event_id.as_deref().map(str::to_string),
            i_organize: ev
                .organizer
                .as_ref()
                .and_then(|o| o.is_self)
                .unwrap_or(false),
            // `o` opens this when there is no video link, so it gets the same web-only check.
            html_link: ev.html_link.as_deref().and_then(web_url),
            etag: ev.etag.as_deref().map(str::to_string),
            event_type: EventType::parse(ev.event_type.as_deref()),
            has_conference,
            account: 0,
            uid: ev
                .i_cal_uid
                .as_deref()
                .map(sanitize::line)
                .unwrap_or_default(),
            other_links,
            access,
        })
    }

    /// What every copy of this event (or occurrence) shares, on any calendar of any
    /// account: its `iCalUID` (else its id, in caches written before it was read) and start.
    pub fn event_key(&self) -> (&str, DateTime<Utc>) {
        let id = if self.uid.is_empty() {
            &self.id
        } else {
            &self.uid
        };
        (id.as_str(), self.start())
    }

    /// The passcode to show beside the dial-ins: none when it is a dial-in's PIN, which
    /// the dial-in already shows (Google Meet's phone PIN is the one passcode it has).
    pub fn passcode_not_dialled(&self) -> Option<&str> {
        let passcode = self.access.as_ref()?.passcode.as_deref()?;
        let pins = self.dial_in.iter().filter_map(|d| d.pin.as_deref());
        (!pins.into_iter().any(|p| p == passcode)).then_some(passcode)
    }

    /// Whether `other` is a copy of the same event (or occurrence) on another calendar:
    /// the same [`Meeting::event_key`].
    pub fn same_event(&self, other: &Meeting) -> bool {
        self.event_key() == other.event_key()
    }

    pub fn start(&self) -> DateTime<Utc> {
        match self.when {
            When::Timed { start, .. } => start,
            When::AllDay { start, .. } => start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        }
    }

    /// Anyone besides the user and the organizer.
    pub fn has_guests(&self) -> bool {
        self.attendees.iter().any(|a| !a.is_self && !a.organizer)
    }

    /// Who hears about a change unless the user says otherwise: the guests, when there are
    /// any (Google e-mails nobody without `sendUpdates`).
    pub fn default_notify(&self) -> SendUpdates {
        if self.has_guests() {
            SendUpdates::All
        } else {
            SendUpdates::None
        }
    }

    pub fn is_all_day(&self) -> bool {
        matches!(self.when, When::AllDay { .. })
    }

    /// The user's own answer: their `self` attendee's `responseStatus`. A meeting they
    /// organize, or one without an entry for them (an event on their calendar with no guest
    /// list, or one on a calendar they only look at), counts as accepted: nobody asks them.
    pub fn my_rsvp(&self) -> Rsvp {
        if self.i_organize {
            return Rsvp::Accepted;
        }
        self.attendees
            .iter()
            .find(|a| a.is_self)
            .map_or(Rsvp::Accepted, |a| a.rsvp)
    }

    /// An invitation the user has not answered yet.
    pub fn awaits_answer(&self) -> bool {
        self.my_rsvp() == Rsvp::NeedsAction
    }

    /// A meeting the user will be at: a meeting (not a status or a birthday) they did not
    /// decline. Only these are "now" and "next".
    pub fn attended(&self) -> bool {
        self.event_type.is_meeting() && self.my_rsvp() != Rsvp::Declined
    }

    /// Why the user may not `what` this event, said so they know what to do instead; `None`
    /// when they may. From Google's "Event types" guide
    /// (developers.google.com/calendar/api/guides/event-types: a type never changes, each
    /// type has its own restrictions, birthdays support a limited set of properties), the
    /// status events guide (…/guides/calendar-status: focus time, out of office and working
    /// location are statuses on the owner's primary calendar, set in Google Calendar), and
    /// the Events reference (only the organizer changes shared properties; a guest answers).
    pub fn refuse_change(&self, what: Change) -> Option<String> {
        let title = &self.title;
        let status = |kind: &str, settings: &str| match what {
            Change::Answer => {
                format!("\u{201c}{title}\u{201d} is {kind}, not an invitation: there is nothing to answer")
            }
            Change::Edit => format!(
                "\u{201c}{title}\u{201d} is {kind}: change it in Google Calendar, {settings}"
            ),
        };
        match (self.event_type, what) {
            (EventType::Birthday, Change::Answer) => Some(format!(
                "\u{201c}{title}\u{201d} is a birthday, not an invitation: there is nothing to answer"
            )),
            (EventType::Birthday, Change::Edit) => Some(format!(
                "\u{201c}{title}\u{201d} is a birthday: Google lets apps change only its title, \
                 colour and reminders; change the date in Google Contacts"
            )),
            (EventType::OutOfOffice, _) => Some(status(
                "an out-of-office status",
                "where its automatic declines and message are set",
            )),
            (EventType::FocusTime, _) => Some(status(
                "focus time",
                "where its automatic declines and chat status are set",
            )),
            (EventType::WorkingLocation, _) => Some(status(
                "a working location",
                "in the working location settings",
            )),
            (EventType::Other, _) => Some(format!(
                "\u{201c}{title}\u{201d} is a kind of Google Calendar entry meetty does not know: \
                 open it in Google Calendar to change it"
            )),
            // Workspace Updates, "The Calendar API now distinguishes events created from
            // Gmail": apps may change only their reminders, colour, visibility, status and
            // extended properties, so not an answer either.
            (EventType::FromGmail, _) => Some(format!(
                "\u{201c}{title}\u{201d} was added from Gmail (a booking, not an invitation): \
                 Google lets apps change only its colour, reminders and visibility; change it \
                 in Google Calendar"
            )),
            (EventType::Default, Change::Answer) if self.i_organize => {
                Some(format!(
                    "You organize \u{201c}{title}\u{201d}: there is no invitation to answer"
                ))
            }
            (EventType::Default, Change::Answer)
                if !self.attendees.iter().any(|a| a.is_self) =>
            {
                Some(format!(
                    "You are not on the guest list of \u{201c}{title}\u{201d}: there is no invitation to answer"
                ))
            }
            (EventType::Default, Change::Edit) if !self.i_organize => {
                let who = self.organizer.as_ref().map_or("its organizer", Person::label);
                Some(format!(
                    "Only {who} can change \u{201c}{title}\u{201d}: you are a guest"
                ))
            }
            _ => None,
        }
    }

    /// Lower-cased text the `/` filter matches against.
    /// Whether every word of the lower-cased filter is found somewhere in the meeting (title,
    /// place, organizer, guests, provider): `acme zoom` finds a Zoom call with Acme.
    pub fn matches(&self, filter_lower: &str) -> bool {
        let people = self
            .attendees
            .iter()
            .flat_map(|a| [a.person.email.as_str(), a.person.name.as_str()]);
        let hay: Vec<String> = [
            self.title.as_str(),
            self.location.as_str(),
            self.organizer.as_ref().map_or("", |o| o.email.as_str()),
            self.video.as_ref().map_or("", |v| v.provider.name()),
        ]
        .into_iter()
        .chain(people)
        .map(str::to_lowercase)
        .collect();
        filter_lower
            .split_whitespace()
            .all(|word| hay.iter().any(|h| h.contains(word)))
    }
}

fn when_of(start: &WireTime, end: Option<&WireTime>) -> Option<When> {
    let instant = |t: &WireTime| {
        let s = t.date_time.as_deref()?;
        Some(DateTime::parse_from_rfc3339(s).ok()?.to_utc())
    };
    let day = |t: &WireTime| t.date.as_deref()?.parse::<NaiveDate>().ok();
    if let Some(s) = instant(start) {
        // An event without end (possible in imported data) is drawn as a point in time.
        let e = end.and_then(instant).filter(|e| *e >= s).unwrap_or(s);
        return Some(When::Timed { start: s, end: e });
    }
    let s = day(start)?;
    let e = match end.and_then(day).filter(|e| *e > s) {
        Some(e) => e,
        // Checked: `s + Days` panics on the last date chrono knows ("+262142-12-31" parses),
        // and an event there has no next day to end on, so it is dropped like a bad start.
        None => s.checked_add_days(chrono::Days::new(1))?,
    };
    Some(When::AllDay { start: s, end: e })
}

fn person(p: &WirePerson) -> Person {
    Person {
        name: sanitize::line(p.display_name.as_deref().unwrap_or("")),
        email: sanitize::line(p.email.as_deref().unwrap_or("")),
    }
}

fn attendee(a: &WireAttendee) -> Attendee {
    Attendee {
        person: Person {
            name: sanitize::line(a.display_name.as_deref().unwrap_or("")),
            email: sanitize::line(a.email.as_deref().unwrap_or("")),
        },
        rsvp: Rsvp::parse(a.response_status.as_deref()),
        organizer: a.organizer.unwrap_or(false),
        is_self: a.is_self.unwrap_or(false),
        optional: a.optional.unwrap_or(false),
    }
}

/// The join link from `conferenceData.entryPoints` (type `video`), only once the conference
/// exists: a `pending` create request has no usable link yet.
pub(crate) fn conference_video(ev: &WireEvent) -> Option<VideoLink> {
    let cd = ev.conference_data.as_ref()?;
    let uri = cd
        .entry_points
        .iter()
        .find(|ep| ep.entry_point_type.as_deref() == Some("video"))?
        .uri
        .as_deref()?;
    let url = web_url(uri)?;
    let is_meet = cd
        .conference_solution
        .as_ref()
        .and_then(|s| s.key.as_ref())
        .and_then(|k| k.kind.as_deref())
        == Some("hangoutsMeet");
    let provider = if is_meet {
        Provider::Meet
    } else {
        links::provider_of(&url).unwrap_or(Provider::Other)
    };
    Some(VideoLink { provider, url })
}

/// A link `o` may hand to the browser and `y` may copy: http(s) only, so an event cannot
/// make the platform opener run a `file:` or custom-scheme URI.
fn web_url(raw: &str) -> Option<String> {
    let url = sanitize::line(raw);
    let lower = url.get(..8)?.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

fn dial_ins(ev: &WireEvent) -> Vec<DialIn> {
    let Some(cd) = &ev.conference_data else {
        return Vec::new();
    };
    cd.entry_points
        .iter()
        .filter(|ep| ep.entry_point_type.as_deref() == Some("phone"))
        .filter_map(|ep| {
            let raw = ep.label.as_deref().or(ep.uri.as_deref())?;
            let number = sanitize::line(raw.trim_start_matches("tel:"));
            let pin = ep.pin.as_deref().or(ep.access_code.as_deref());
            Some(DialIn {
                number,
                pin: pin.map(sanitize::line),
                region: ep.region_code.as_deref().map(sanitize::line),
            })
        })
        .collect()
}

/// A calendar from the user's calendar list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarInfo {
    pub id: String,
    pub name: String,
    /// `#rrggbb` as Google sends it.
    pub color: Option<String>,
    pub primary: bool,
    /// Whether the calendar is shown in Google Calendar's own UI.
    pub selected: bool,
    /// The user may create and change events here (`accessRole` `owner` or `writer`).
    /// Required in the cache, like [`Meeting::i_organize`].
    pub writable: bool,
    /// Google Meet links may be added here (`conferenceProperties.allowedConferenceSolutionTypes`
    /// has `hangoutsMeet`); Google refuses a Meet request on other calendars.
    #[serde(default)]
    pub meet_allowed: bool,
    /// The user owns this calendar (`accessRole` `owner`): its events are their own
    /// meetings, not copies on someone else's calendar they look at. Missing in caches
    /// written before it existed; [`CalendarInfo::is_own`] counts the primary calendar anyway.
    #[serde(default)]
    pub owned: bool,
    /// The account whose calendar list this came from: an index into [`Agenda::accounts`].
    /// One calendar shared with two accounts is listed once per account.
    #[serde(default)]
    pub account: usize,
}

impl CalendarInfo {
    pub fn from_entry(e: &CalendarListEntry) -> Option<CalendarInfo> {
        let name = e.summary_override.as_deref().or(e.summary.as_deref());
        Some(CalendarInfo {
            id: e.id.clone()?,
            name: sanitize::line(name.unwrap_or("")),
            color: e.background_color.clone(),
            primary: e.primary.unwrap_or(false),
            selected: e.selected.unwrap_or(false),
            writable: matches!(e.access_role.as_deref(), Some("owner" | "writer")),
            meet_allowed: e
                .conference_properties
                .as_ref()
                .and_then(|p| p.allowed_conference_solution_types.as_ref())
                .is_some_and(|types| types.iter().any(|t| t == "hangoutsMeet")),
            owned: e.access_role.as_deref() == Some("owner"),
            account: 0,
        })
    }

    /// The user's own calendar: their primary one, or one they own.
    pub fn is_own(&self) -> bool {
        self.primary || self.owned
    }
}

/// Everything the agenda shows, as fetched at one moment; also what the cache stores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agenda {
    pub calendars: Vec<CalendarInfo>,
    /// Sorted: by start, all-day first on their day (see [`Agenda::sort`]).
    pub meetings: Vec<Meeting>,
    pub fetched_at: DateTime<Utc>,
    /// The accounts merged into this agenda, in the config's order (empty: one account's
    /// own agenda, as its cache stores it).
    #[serde(default)]
    pub accounts: Vec<AccountState>,
}

/// One account's part of a merged agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountState {
    /// The account's e-mail ("demo" and the like outside sign-ins).
    pub email: String,
    /// Its label on agenda rows (config `account_labels`, else an initial).
    pub label: String,
    /// When its part was fetched.
    pub fetched_at: DateTime<Utc>,
    /// Why its part is stale: its last refresh failed (Google said so, or its keyring is
    /// locked). The others refresh on; never cached.
    #[serde(skip)]
    pub stale: Option<ApiError>,
}

impl Agenda {
    /// Orders meetings by start time; all-day events sort at midnight UTC of their date, which
    /// the agenda view re-buckets into the user's day, putting them first.
    pub fn sort(&mut self) {
        self.meetings.sort_by(|a, b| {
            (a.start(), !a.is_all_day(), &a.title).cmp(&(b.start(), !b.is_all_day(), &b.title))
        });
    }

    pub fn calendar(&self, id: &str) -> Option<&CalendarInfo> {
        self.calendars.iter().find(|c| c.id == id)
    }

    /// The calendar `m` is on, in the calendar list of `m`'s account (one calendar shared
    /// with two accounts is in both lists, with each account's access).
    pub fn calendar_of(&self, m: &Meeting) -> Option<&CalendarInfo> {
        self.calendars
            .iter()
            .find(|c| c.id == m.calendar_id && c.account == m.account)
    }

    /// A merged agenda in which every account failed before any was ever fetched: it has
    /// each account's reason and nothing to show.
    pub fn never_fetched(&self) -> bool {
        !self.accounts.is_empty()
            && self
                .accounts
                .iter()
                .all(|a| a.stale.is_some() && a.fetched_at == DateTime::<Utc>::default())
    }

    /// The account `m` belongs to; None in an agenda of one account's own (a cache).
    pub fn account_of(&self, m: &Meeting) -> Option<&AccountState> {
        self.accounts.get(m.account)
    }

    /// The copies of `m`'s event in this agenda, `m` among them: the same event on the
    /// calendars of two accounts (both invited) is one meeting with two copies, each with
    /// its account's answer.
    pub fn copies_of<'a>(&'a self, m: &'a Meeting) -> impl Iterator<Item = &'a Meeting> + 'a {
        self.meetings.iter().filter(move |k| k.same_event(m))
    }

    /// One agenda of several accounts' parts, in the order given: each part's meetings and
    /// calendars tagged with its index, sorted as [`Agenda::sort`] does. It is as old as
    /// its oldest part (a part never fetched, an account with no cache whose refresh failed,
    /// does not count), so "as of" never claims more than every account can back.
    pub fn merge(parts: Vec<(AccountState, std::sync::Arc<Agenda>)>) -> Agenda {
        let mut merged = Agenda {
            fetched_at: parts
                .iter()
                .map(|(_, part)| part.fetched_at)
                .filter(|at| *at != DateTime::<Utc>::default())
                .min()
                .unwrap_or_default(),
            ..Agenda::default()
        };
        for (index, (state, part)) in parts.into_iter().enumerate() {
            let part = std::sync::Arc::unwrap_or_clone(part);
            merged
                .calendars
                .extend(part.calendars.into_iter().map(|c| CalendarInfo {
                    account: index,
                    ..c
                }));
            merged
                .meetings
                .extend(part.meetings.into_iter().map(|m| Meeting {
                    account: index,
                    ..m
                }));
            merged.accounts.push(state);
        }
        merged.sort();
        merged
    }

    /// Account `account`'s own part of a merged agenda, as its cache stores it (indices 0,
    /// no `accounts`, its own `fetched_at`). An agenda of one account's own is its part 0.
    pub fn part(&self, account: usize) -> Agenda {
        Agenda {
            calendars: self
                .calendars
                .iter()
                .filter(|c| c.account == account)
                .map(|c| CalendarInfo {
                    account: 0,
                    ..c.clone()
                })
                .collect(),
            meetings: self
                .meetings
                .iter()
                .filter(|m| m.account == account)
                .map(|m| Meeting {
                    account: 0,
                    ..m.clone()
                })
                .collect(),
            fetched_at: self
                .accounts
                .get(account)
                .map_or(self.fetched_at, |a| a.fetched_at),
            accounts: Vec::new(),
        }
    }

    /// Whether `m` is the copy on one of the user's own calendars ([`CalendarInfo::is_own`]).
    /// Only there does the `self` attendee stand for the user: Google's Events reference says
    /// `attendees[].self` marks "the entry representing the calendar on which this copy of
    /// the event appears" (developers.google.com/calendar/api/v3/reference/events), so on a
    /// colleague's calendar it is the colleague's answer, and an event there without a guest
    /// list is the colleague's own. A calendar missing from the list is someone else's,
    /// except in an agenda without a calendar list at all (built by hand, not from Google),
    /// which has nothing to tell them apart by.
    pub fn is_own(&self, m: &Meeting) -> bool {
        match self.calendar_of(m) {
            Some(c) => c.is_own(),
            None => m.calendar_id == "primary" || self.calendars.is_empty(),
        }
    }

    /// Whether the user will be at `m`: it is on their own calendar ([`Agenda::is_own`]) and
    /// they attend it ([`Meeting::attended`]). Only these are now and next, in `meetty next`
    /// and `join`, notified and joined by themselves.
    pub fn attends(&self, m: &Meeting) -> bool {
        self.is_own(m) && m.attended()
    }

    /// The meetings the user will be at ([`Agenda::attends`]), in agenda order, each event
    /// once ([`Meeting::event_key`]) even when it is on two of their calendars or two
    /// accounts' (the first copy counts).
    pub fn attended(&self) -> impl Iterator<Item = &Meeting> {
        let mut seen = std::collections::HashSet::new();
        self.meetings
            .iter()
            .filter(move |m| self.attends(m) && seen.insert(m.event_key()))
    }

    /// Drops the occurrences of series `series_id` on `calendar` that start at `from` or
    /// later: what a series change (split, move) replaced.
    pub fn forget_series(&mut self, calendar: &str, series_id: &str, from: DateTime<Utc>) {
        self.meetings.retain(|m| {
            m.calendar_id != calendar
                || m.series_id.as_deref() != Some(series_id)
                || m.start() < from
        });
    }
}

/// Who Google e-mails about a change (`sendUpdates` on insert, patch and delete). Omitting the
/// parameter means nobody, so meetty always sends one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SendUpdates {
    All,
    ExternalOnly,
    None,
}

impl SendUpdates {
    /// The query parameter's value.
    pub fn as_param(self) -> &'static str {
        match self {
            SendUpdates::All => "all",
            SendUpdates::ExternalOnly => "externalOnly",
            SendUpdates::None => "none",
        }
    }

    /// Accepts what people type: `all`, `external`/`externalOnly`, `none`.
    pub fn parse(s: &str) -> Option<SendUpdates> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Some(SendUpdates::All),
            "external" | "externalonly" | "external_only" | "external-only" => {
                Some(SendUpdates::ExternalOnly)
            }
            "none" => Some(SendUpdates::None),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and converts like a listing does: borrowed from the response text.
    fn meeting(json: serde_json::Value) -> Option<Meeting> {
        let text = json.to_string();
        Meeting::from_event("primary", &serde_json::from_str(&text).unwrap())
    }

    #[test]
    fn conference_video_entry_point_wins_over_text_links() {
        let m = meeting(serde_json::json!({
            "id": "abc", "summary": "Sync",
            "start": {"dateTime": "2026-11-21T10:00:00Z"}, "end": {"dateTime": "2026-11-21T10:30:00Z"},
            "location": "https://zoom.us/j/123456789",
            "conferenceData": {
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
                "entryPoints": [
                    {"entryPointType": "phone", "uri": "tel:+1-302-555-0143", "label": "+1 302-555-0143", "pin": "123456789"},
                    {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"}
                ]
            }
        }))
        .unwrap();
        let v = m.video.unwrap();
        assert_eq!(v.provider, Provider::Meet);
        assert_eq!(v.url, "https://meet.google.com/abc-defg-hij");
        assert_eq!(m.dial_in[0].dial_string(), "+1 302-555-0143,,123456789#");
    }

    #[test]
    fn every_link_is_kept_the_conference_first_and_each_meeting_once() {
        let m = meeting(serde_json::json!({
            "id": "abc", "summary": "Sync",
            "start": {"dateTime": "2026-11-21T10:00:00Z"}, "end": {"dateTime": "2026-11-21T10:30:00Z"},
            "hangoutLink": "https://meet.google.com/abc-defg-hij",
            "location": "Room 4, https://meet.google.com/abc-defg-hij?authuser=0",
            "description": "If Meet fails: <a href=\"https://us02web.zoom.us/j/81234567890?pwd=QWxl\">Zoom</a><br>\
                Dial in: tel:+16469313860,,81234567890#<br>Meet again: https://meet.google.com/abc-defg-hij/",
            "conferenceData": {
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                "entryPoints": [
                    {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"},
                    {"entryPointType": "phone", "uri": "tel:+1-302-555-0143", "pin": "123456789"}
                ]
            }
        }))
        .unwrap();
        let video = m.video.unwrap();
        assert_eq!(
            (video.provider, video.url.as_str()),
            (Provider::Meet, "https://meet.google.com/abc-defg-hij")
        );
        let others: Vec<&str> = m.other_links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            others,
            [
                "https://us02web.zoom.us/j/81234567890?pwd=QWxl",
                "tel:+16469313860,,81234567890#"
            ]
        );
        assert_eq!(m.other_links[0].provider, Provider::Zoom);
        // The Meet room's own code and PIN, not the Zoom invitation's.
        let access = m.access.unwrap();
        assert_eq!(
            (access.meeting_id.as_deref(), access.passcode.as_deref()),
            (Some("abc-defg-hij"), Some("123456789"))
        );
    }

    #[test]
    fn a_passcode_that_is_the_dial_in_pin_is_not_shown_twice() {
        let meet = meeting(serde_json::json!({
            "id": "abc", "summary": "Sync",
            "start": {"dateTime": "2026-11-21T10:00:00Z"}, "end": {"dateTime": "2026-11-21T10:30:00Z"},
            "conferenceData": {
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                "entryPoints": [
                    {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"},
                    {"entryPointType": "phone", "uri": "tel:+1-302-555-0143", "pin": "123456789"}
                ]
            }
        }))
        .unwrap();
        assert_eq!(
            meet.access.as_ref().and_then(|a| a.passcode.as_deref()),
            Some("123456789")
        );
        assert_eq!(meet.passcode_not_dialled(), None);
        let zoom = meeting(serde_json::json!({
            "id": "z", "summary": "Vendor sync",
            "start": {"dateTime": "2026-11-21T10:00:00Z"}, "end": {"dateTime": "2026-11-21T10:30:00Z"},
            "description": "Join Zoom Meeting\nhttps://zoom.us/j/85012345678\nMeeting ID: 850 1234 5678\nPasscode: 481516"
        }))
        .unwrap();
        assert_eq!(zoom.passcode_not_dialled(), Some("481516"));
    }

    #[test]
    fn pending_conference_falls_back_to_text_links() {
        let m = meeting(serde_json::json!({
            "id": "abc", "summary": "Sync",
            "start": {"dateTime": "2026-11-21T10:00:00Z"}, "end": {"dateTime": "2026-11-21T10:30:00Z"},
            "description": "Join: https://us02web.zoom.us/j/85012345678?pwd=abc",
            "conferenceData": {"createRequest": {"requestId": "r1", "status": {"statusCode": "pending"}}}
        }))
        .unwrap();
        assert_eq!(m.video.unwrap().provider, Provider::Zoom);
    }

    #[test]
    fn hostile_title_is_sanitized_and_cancelled_events_dropped() {
        let m = meeting(serde_json::json!({
            "id": "x", "summary": "\u{1b}]52;c;aGk=\u{7}Quarterly review",
            "start": {"date": "2026-11-21"}, "end": {"date": "2026-11-23"}
        }))
        .unwrap();
        assert_eq!(m.title, "Quarterly review");
        assert!(m.is_all_day());
        let cancelled = serde_json::json!({
            "id": "x", "status": "cancelled", "start": {"date": "2026-11-21"}
        });
        assert!(meeting(cancelled).is_none());
    }

    #[test]
    fn event_without_end_is_a_point_in_time() {
        let m = meeting(serde_json::json!({
            "id": "x", "summary": "Reminder", "start": {"dateTime": "2026-11-21T10:00:00Z"}
        }))
        .unwrap();
        assert!(matches!(m.when, When::Timed { start, end } if start == end));
    }

    #[test]
    fn only_web_links_are_offered_to_open_or_copy() {
        let m = meeting(serde_json::json!({
            "id": "x", "summary": "Trap",
            "start": {"dateTime": "2026-11-21T10:00:00Z"}, "end": {"dateTime": "2026-11-21T10:30:00Z"},
            "hangoutLink": "file:///etc/passwd",
            "conferenceData": {"entryPoints": [{"entryPointType": "video", "uri": "javascript:alert(1)"}]}
        }))
        .unwrap();
        assert_eq!(m.video, None);
    }

    fn invitation(me: serde_json::Value, event_type: &str) -> Meeting {
        meeting(serde_json::json!({
            "id": "x", "summary": "Sync", "eventType": event_type,
            "start": {"dateTime": "2026-11-21T10:00:00Z"}, "end": {"dateTime": "2026-11-21T10:30:00Z"},
            "organizer": {"email": "maria@example.com", "displayName": "Maria Chen"},
            "attendees": [
                {"email": "maria@example.com", "organizer": true, "responseStatus": "accepted"},
                me
            ]
        }))
        .unwrap()
    }

    #[test]
    fn my_answer_is_my_own_entrys_and_organizing_or_no_entry_is_accepted() {
        let me = |status: &str| serde_json::json!({"email": "me@example.com", "self": true, "responseStatus": status});
        let answers = [
            ("accepted", Rsvp::Accepted),
            ("tentative", Rsvp::Tentative),
            ("declined", Rsvp::Declined),
            ("needsAction", Rsvp::NeedsAction),
        ];
        for (status, rsvp) in answers {
            let m = invitation(me(status), "default");
            assert_eq!(m.my_rsvp(), rsvp, "{status}");
            assert_eq!(m.awaits_answer(), rsvp == Rsvp::NeedsAction);
        }
        // Someone else's answer is not mine: with no entry of my own nobody asks me.
        let other =
            serde_json::json!({"email": "sam@example.com", "responseStatus": "needsAction"});
        assert_eq!(invitation(other, "default").my_rsvp(), Rsvp::Accepted);
        let mut mine = invitation(me("needsAction"), "default");
        mine.i_organize = true;
        assert_eq!(mine.my_rsvp(), Rsvp::Accepted);
    }

    #[test]
    fn owned_calendars_are_the_users_and_an_older_cache_still_knows_its_primary() {
        let entry = |role: &str| -> CalendarListEntry {
            serde_json::from_value(serde_json::json!({"id": "c", "accessRole": role})).unwrap()
        };
        let own = |role| CalendarInfo::from_entry(&entry(role)).unwrap().is_own();
        assert!(own("owner"));
        assert!(!own("writer") && !own("reader") && !own("freeBusyReader"));
        // Written before `owned` existed.
        let old = serde_json::json!({
            "id": "alex@example.com", "name": "Alex", "color": null, "primary": true,
            "selected": true, "writable": true,
        });
        let old: CalendarInfo = serde_json::from_value(old).unwrap();
        assert!(old.is_own());
    }

    #[test]
    fn changes_google_does_not_allow_are_refused_with_the_reason() {
        let me = serde_json::json!({"email": "me@example.com", "self": true, "responseStatus": "needsAction"});
        let guest = invitation(me.clone(), "default");
        assert_eq!(guest.refuse_change(Change::Answer), None);
        let edit = guest.refuse_change(Change::Edit).unwrap();
        assert!(edit.contains("Only Maria Chen can change"), "{edit}");
        let mut mine = guest.clone();
        mine.i_organize = true;
        assert_eq!(mine.refuse_change(Change::Edit), None);
        assert!(mine
            .refuse_change(Change::Answer)
            .unwrap()
            .contains("You organize"));

        let refused = |t: &str, what| invitation(me.clone(), t).refuse_change(what).unwrap();
        assert!(refused("birthday", Change::Edit).contains("only its title, colour and reminders"));
        assert!(refused("birthday", Change::Answer).contains("nothing to answer"));
        for (t, kind) in [
            ("outOfOffice", "out-of-office"),
            ("focusTime", "focus time"),
            ("workingLocation", "working location"),
        ] {
            let edit = refused(t, Change::Edit);
            assert!(
                edit.contains(kind) && edit.contains("change it in Google Calendar"),
                "{edit}"
            );
            assert!(
                refused(t, Change::Answer).contains("not an invitation"),
                "{t}"
            );
        }
        assert!(refused("fromGmail", Change::Edit).contains("added from Gmail"));
        // A booking Gmail added takes no answer either: only reminders, colour, visibility.
        assert!(invitation(me.clone(), "fromGmail")
            .refuse_change(Change::Answer)
            .is_some_and(|why| why.contains("not an invitation")));
        assert!(refused("somethingNew", Change::Edit).contains("does not know"));
    }

    fn part_of(cal: &str, ids: &[(&str, &str)], fetched: &str) -> Agenda {
        let mut calendar = CalendarInfo::from_entry(&CalendarListEntry {
            id: Some(cal.into()),
            primary: Some(true),
            access_role: Some("owner".into()),
            ..CalendarListEntry::default()
        })
        .unwrap();
        calendar.account = 0;
        Agenda {
            calendars: vec![calendar],
            meetings: ids
                .iter()
                .map(|(id, start)| {
                    meeting(serde_json::json!({
                        "id": id, "summary": id,
                        "start": {"dateTime": start}, "end": {"dateTime": start},
                    }))
                    .map(|m| Meeting {
                        calendar_id: cal.into(),
                        ..m
                    })
                    .unwrap()
                })
                .collect(),
            fetched_at: fetched.parse().unwrap(),
            accounts: Vec::new(),
        }
    }

    fn state(email: &str, label: &str, part: &Agenda) -> AccountState {
        AccountState {
            email: email.into(),
            label: label.into(),
            fetched_at: part.fetched_at,
            stale: None,
        }
    }

    /// Two accounts' parts interleave by start, each meeting and calendar names its
    /// account, the merged agenda is as old as its oldest part, and each part comes back
    /// out unchanged (what each account's cache stores).
    #[test]
    fn merged_parts_interleave_by_start_and_split_back_unchanged() {
        use std::sync::Arc;
        let work = part_of(
            "alex@work.example",
            &[
                ("w1", "2026-11-23T09:00:00Z"),
                ("w2", "2026-11-23T11:00:00Z"),
            ],
            "2026-11-23T08:00:00Z",
        );
        let home = part_of(
            "alex@home.example",
            &[("h1", "2026-11-23T10:00:00Z")],
            "2026-11-23T07:30:00Z",
        );
        let merged = Agenda::merge(vec![
            (
                state("alex@work.example", "W", &work),
                Arc::new(work.clone()),
            ),
            (
                state("alex@home.example", "H", &home),
                Arc::new(home.clone()),
            ),
        ]);
        let order: Vec<(&str, usize)> = merged
            .meetings
            .iter()
            .map(|m| (m.id.as_str(), m.account))
            .collect();
        assert_eq!(order, [("w1", 0), ("h1", 1), ("w2", 0)]);
        assert_eq!(
            merged
                .calendars
                .iter()
                .map(|c| c.account)
                .collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(merged.fetched_at, home.fetched_at, "the oldest part's");
        assert_eq!(merged.accounts[1].label, "H");
        let h1 = &merged.meetings[1];
        assert_eq!(merged.calendar_of(h1).unwrap().id, "alex@home.example");
        assert_eq!(merged.account_of(h1).unwrap().email, "alex@home.example");
        assert_eq!(merged.part(0), work);
        assert_eq!(merged.part(1), home);
        // One account's own agenda is its part 0.
        assert_eq!(work.part(0), work);
    }

    /// An account with nothing to show yet (no cache, its refresh failed) does not make
    /// the merged agenda look decades old.
    #[test]
    fn a_part_never_fetched_does_not_age_the_merged_agenda() {
        use std::sync::Arc;
        let work = part_of("w@example.com", &[], "2026-11-23T08:00:00Z");
        let never = Agenda::default();
        let merged = Agenda::merge(vec![
            (state("w@example.com", "w", &work), Arc::new(work.clone())),
            (state("h@example.com", "h", &never), Arc::new(never)),
        ]);
        assert_eq!(merged.fetched_at, work.fetched_at);
        assert_eq!(merged.accounts.len(), 2);
    }
}
