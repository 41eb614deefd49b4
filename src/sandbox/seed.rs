//! Starting states: an empty account, a realistic demo week relative to "now" (with
//! colleagues whose availability it can see, and the same person's personal Google account
//! beside the work one), and a bulk calendar for benchmarks.

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::{json, Value};

use super::conference;
use super::ids;
use super::store::{Calendar, Store, WriteOptions};
use super::times::{resolve_local, rfc3339_in};

/// What the sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// The account and its primary calendar (UTC), no events.
    Empty,
    /// A week of meetings around `now`, in zone `tz`, on the work account and the personal
    /// one, [`PERSONAL_ACCOUNT`] (see [`demo_accounts`]).
    Demo { now: DateTime<Utc>, tz: Tz },
    /// `events` timed Meet meetings spread over the 7 days after `now` on the primary calendar.
    Bulk {
        now: DateTime<Utc>,
        tz: Tz,
        events: usize,
    },
}

pub const ACCOUNT: &str = "alex@example.com";
/// The demo's second account: the same person's personal Google account, with its own
/// calendars, invited to one of the work account's meetings too (see [`demo_accounts`]).
pub const PERSONAL_ACCOUNT: &str = "alex.rivera@gmail.com";
/// The personal account's own second calendar and a club's calendar shared with it read-only.
pub const FAMILY_CALENDAR: &str = "family.rivera.4f7c2a@group.calendar.google.com";
pub const CLIMBING_CALENDAR: &str = "climbing.club.berlin.9d1e@group.calendar.google.com";
pub const TEAM_CALENDAR: &str = "team-platform@group.calendar.google.com";
pub const HOLIDAY_CALENDAR: &str = "en.usa#holiday@group.v.calendar.google.com";
/// A group address in the demo that free/busy expands to the four colleagues.
pub const TEAM_GROUP: &str = "platform-team@example.com";

/// What a seed makes: the seeded account's store and other users' (the demo's personal
/// account), each user's made in full.
pub(crate) struct Seeded {
    pub account: Store,
    pub others: Vec<Store>,
}

pub(crate) fn build(seed: Seed) -> Seeded {
    let (account, others) = match seed {
        Seed::Empty => (account(chrono_tz::UTC), Vec::new()),
        Seed::Demo { now, tz } => {
            let (work, personal) = demo_accounts(now, tz);
            (work, vec![personal])
        }
        Seed::Bulk { now, tz, events } => (bulk(now, tz, events), Vec::new()),
    };
    Seeded { account, others }
}

fn account(tz: Tz) -> Store {
    let mut store = Store::new(ACCOUNT);
    let mut primary = Calendar::new(ACCOUNT, "Alex Rivera", tz);
    primary.primary = true;
    primary.background_color = "#4285f4".into();
    primary.foreground_color = "#ffffff".into();
    primary.color_id = "16".into();
    store.add_calendar(primary);
    store
}

/// Builds event resources relative to a fixed "now" in a zone.
struct Week {
    now: DateTime<Utc>,
    tz: Tz,
    next: u64,
}

impl Week {
    fn id(&mut self) -> String {
        self.next += 1;
        ids::event_id("demo", self.next)
    }

    /// Wall-clock `hh:mm` on the day `day` days from today.
    fn at(&self, day: i64, hour: u32, minute: u32) -> DateTime<Utc> {
        let date = self.now.with_timezone(&self.tz).date_naive() + TimeDelta::days(day);
        let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("valid seed time");
        resolve_local(date.and_time(time), self.tz)
    }

    /// `minutes` from now, on a whole minute.
    fn in_minutes(&self, minutes: i64) -> DateTime<Utc> {
        let t = self.now + TimeDelta::minutes(minutes);
        t - TimeDelta::seconds(t.second().into()) - TimeDelta::nanoseconds(t.nanosecond().into())
    }

    /// `hours` from now, rounded up to the next half hour.
    fn slot(&self, hours: i64) -> DateTime<Utc> {
        let t = self.in_minutes(hours * 60);
        let past_half = i64::from(t.minute() % 30);
        if past_half == 0 {
            t
        } else {
            t + TimeDelta::minutes(30 - past_half)
        }
    }

    fn time(&self, t: DateTime<Utc>) -> Value {
        json!({ "dateTime": rfc3339_in(t, self.tz), "timeZone": self.tz.name() })
    }

    fn date(&self, day: i64) -> Value {
        let date = self.now.with_timezone(&self.tz).date_naive() + TimeDelta::days(day);
        json!({ "date": date.format("%Y-%m-%d").to_string() })
    }

    fn timed(&mut self, summary: &str, start: DateTime<Utc>, minutes: i64) -> Value {
        json!({
            "id": self.id(),
            "summary": summary,
            "start": self.time(start),
            "end": self.time(start + TimeDelta::minutes(minutes)),
        })
    }

    fn all_day(&mut self, summary: &str, first_day: i64, days: i64) -> Value {
        json!({
            "id": self.id(),
            "summary": summary,
            "start": self.date(first_day),
            "end": self.date(first_day + days),
            "transparency": "transparent",
        })
    }
}

/// Adds a Google Meet conference (with dial-in) to an event resource.
fn with_meet(mut event: Value) -> Value {
    let id = event["id"].as_str().unwrap_or_default().to_string();
    event["conferenceData"] = conference::meet(&conference::meeting_code(&id, "seed"));
    event
}

/// `(email, name, responseStatus)`; the first is the organizer.
fn with_people(event: Value, people: &[(&str, &str, &str)]) -> Value {
    with_people_of(ACCOUNT, event, people)
}

/// [`with_people`] on the calendar of `me` (whose entries are its own).
fn with_people_of(me: &str, mut event: Value, people: &[(&str, &str, &str)]) -> Value {
    let attendees: Vec<Value> = people
        .iter()
        .map(|(email, name, status)| json!({ "email": email, "displayName": name, "responseStatus": status }))
        .collect();
    if let Some((email, name, _)) = people.first() {
        let is_self = *email == me;
        event["organizer"] = json!({ "email": email, "displayName": name, "self": is_self });
        event["creator"] = json!({ "email": email, "displayName": name, "self": is_self });
    }
    event["attendees"] = json!(attendees);
    event
}

const TEAMS_DESCRIPTION: &str = "<p>Quarterly partner check-in.</p>\
<p>________________________________________________________________________________</p>\
<p><b>Microsoft Teams meeting</b></p>\
<p><b>Join on your computer, mobile app or room device</b></p>\
<p><a href=\"https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ1ZTk4ZGUtYjQ2Ni00YjFhLWI1ZjMtZDY3ZDk4ZjJhNzQz%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%223c4d5e6f-1a2b-4c3d-9e8f-0a1b2c3d4e5f%22%7d\">Click here to join the meeting</a></p>\
<p>Meeting ID: 245 812 339 557<br>Passcode: Xy7Qp3</p>";

const WEBEX_DESCRIPTION: &str = "Annual security awareness training.\n\n\
Join the Webex meeting:\nhttps://example.webex.com/example/j.php?MTID=m4f2a9c1e7b3d5f80a6c2e4b19d7f3a05\n\n\
Meeting number: 2634 118 9045\nPassword: Tr41n!ng";

const CLIENT_DEMO_DESCRIPTION: &str =
    "<p>Walkthrough of the <b>new scheduling flow</b> for Northwind.</p>\
<p>Agenda:</p><ul><li>Recap of the pilot (10 min)</li><li>Live demo (25 min)</li>\
<li>Pricing and next steps (15 min)</li></ul>\
<p>Please join five minutes early so we can check screen sharing. The staging environment is \
<a href=\"https://staging.example.com/demo\">staging.example.com/demo</a>; do not share that \
link outside the call.</p>\
<p>Notes from the last meeting are in the shared drive under <i>Northwind / 2024</i>.</p>";

const BOOK_CLUB_DESCRIPTION: &str = "This month: \"Piranesi\". Bring your favourite passage.\n\n\
Alex Rivera is inviting you to a scheduled Zoom meeting.\n\n\
Join Zoom Meeting\nhttps://us05web.zoom.us/j/86355501234?pwd=Ym9va2NsdWItZGVtby1wd2Q\n\n\
Meeting ID: 863 5550 1234\nPasscode: 9kL2mq";

const ESCALATION_DESCRIPTION: &str = "Weekly escalation review with Globex.\n\n\
Globex joins from Zoom; use it if Meet is blocked on their side:\n\
https://globex.zoom.us/j/91234567890?pwd=R2xvYmV4LWVzY2FsYXRpb24\n\
Meeting ID: 912 3456 7890\nPasscode: 271828";

/// The demo's two accounts, the work one (see [`demo_work`]) and the personal one (see
/// [`demo_personal`]), plus what they share:
/// - day 2, 18:30 "Jamie's farewell call" (Meet), organized by a colleague who invited both
///   addresses: the same event (same `id` and `iCalUID`) is on both primary calendars, as
///   Google puts every guest's copy, accepted from work and tentative from home;
/// - and on the work account, day 5, 15:00 "Globex escalation review", Meet in the conference
///   data plus the customer's Zoom link (with its ID and passcode) in the description.
pub(crate) fn demo_accounts(now: DateTime<Utc>, tz: Tz) -> (Store, Store) {
    let mut w = Week { now, tz, next: 0 };
    let mut work = demo_work(&mut w);
    let mut personal = demo_personal(&mut w);

    let farewell = w.timed("Jamie's farewell call", w.at(2, 18, 30), 90);
    let people = [
        ("jamie.fox@example.com", "Jamie Fox", "accepted"),
        (ACCOUNT, "Alex Rivera", "accepted"),
        (PERSONAL_ACCOUNT, "Alex Rivera", "tentative"),
        ("priya.natarajan@example.com", "Priya Natarajan", "accepted"),
    ];
    let farewell = with_meet(farewell);
    for (store, me) in [(&mut work, ACCOUNT), (&mut personal, PERSONAL_ACCOUNT)] {
        store
            .put_event(me, with_people_of(me, farewell.clone(), &people))
            .expect("the shared event is valid");
    }

    let mut escalation = w.timed("Globex escalation review", w.at(5, 15, 0), 45);
    escalation["description"] = json!(ESCALATION_DESCRIPTION);
    let escalation = with_people(
        with_meet(escalation),
        &[
            (ACCOUNT, "Alex Rivera", "accepted"),
            ("kim@globex.example", "Kim Novak", "accepted"),
        ],
    );
    work.put_event(ACCOUNT, escalation)
        .expect("the escalation review is valid");
    (work, personal)
}

/// The personal account, [`PERSONAL_ACCOUNT`], a free Gmail account (no Workspace domain):
/// its primary calendar, "Family" (owned) and "Climbing club" (shared with it read-only), and
/// personal meetings on links from other services:
/// - today 19:00 "Video call with Mum" on Family (Jitsi link in the location);
/// - tomorrow 20:00 "Book club" (Zoom link with "Meeting ID / Passcode" in the description);
/// - day 2, 12:30 "Insurance claim call" (a `tel:` dial-in in the description, no video);
/// - day 3, 19:30 "Flat viewing (video)" (Microsoft Teams for personal use, `teams.live.com`);
/// - day 4, 18:00 "Route-setting meetup" on Climbing club (Discord invite in the description).
fn demo_personal(w: &mut Week) -> Store {
    let tz = w.tz;
    let mut store = Store::new(PERSONAL_ACCOUNT);
    let mut primary = Calendar::new(PERSONAL_ACCOUNT, PERSONAL_ACCOUNT, tz);
    primary.primary = true;
    primary.background_color = "#9fc6e7".into();
    primary.color_id = "15".into();
    store.add_calendar(primary);
    let mut family = Calendar::new(FAMILY_CALENDAR, "Family", tz);
    family.background_color = "#f691b2".into();
    family.color_id = "22".into();
    store.add_calendar(family);
    let mut club = Calendar::new(CLIMBING_CALENDAR, "Climbing club", tz);
    club.access_role = "reader".into();
    club.background_color = "#ffad46".into();
    club.color_id = "6".into();
    store.add_calendar(club);

    let mut mum = w.timed("Video call with Mum", w.at(0, 19, 0), 45);
    mum["location"] = json!("https://meet.jit.si/RiveraFamilySunday");
    let mut book = w.timed("Book club", w.at(1, 20, 0), 90);
    book["description"] = json!(BOOK_CLUB_DESCRIPTION);
    let mut insurance = w.timed("Insurance claim call", w.at(2, 12, 30), 30);
    insurance["description"] =
        json!("Claim 4471-2209. Dial in: tel:+1-555-0142,,739182# (PIN 739182)");
    let mut flat = w.timed("Flat viewing (video)", w.at(3, 19, 30), 30);
    flat["description"] = json!(
        "Microsoft Teams meeting\nJoin: https://teams.live.com/meet/9318476520193?p=hY3kQw7ZrT2mNb4s\n\
         Meeting ID: 931 847 652 019 3\nPasscode: Fl4tV1ew"
    );
    let flat = with_people_of(
        PERSONAL_ACCOUNT,
        flat,
        &[
            ("lettings@harbourhomes.example", "Harbour Homes", "accepted"),
            (PERSONAL_ACCOUNT, "Alex Rivera", "accepted"),
        ],
    );
    let mut meetup = w.timed("Route-setting meetup", w.at(4, 18, 0), 120);
    meetup["description"] =
        json!("New problems in the bouldering room. Voice chat: https://discord.gg/k7Qm3xRz");
    meetup["organizer"] = json!({ "email": CLIMBING_CALENDAR, "displayName": "Climbing club" });
    let events = [
        (FAMILY_CALENDAR, mum),
        (PERSONAL_ACCOUNT, book),
        (PERSONAL_ACCOUNT, insurance),
        (PERSONAL_ACCOUNT, flat),
        (CLIMBING_CALENDAR, meetup),
    ];
    for (calendar, event) in events {
        store
            .put_event(calendar, event)
            .expect("the personal events are valid");
    }
    store
}

/// The demo week. Times are relative to `now` in `tz`:
/// - "Design review" in 4 min (30 min, Meet, mixed responses);
/// - "1:1 with Jordan" started 20 min ago (45 min, Meet), weekly, organized by the user;
/// - "Sprint planning" (+2 h), "Platform sync" on Team Platform (+3 h), "Customer call: Acme" (+5 h), all Meet;
/// - "Daily standup" weekdays 09:30 for 15 min, Meet, organized by Priya, from two weeks
///   ago; one occurrence this week cancelled and one moved to 10:00;
/// - yesterday 16:00 "Sprint retro" (Meet);
/// - tomorrow: 10:00 "Vendor sync" (Zoom link in location), 12:30 "Lunch with Sam" (no link),
///   15:00 "Partner check-in" (Teams link in HTML description), 16:30 "Hiring debrief"
///   (Meet, declined);
/// - day 2: all-day "Offsite prep", 13:00 "Security training" (Webex link in description);
/// - day 3: 10:00 "Client demo" (Meet, long HTML description), 15:00 a hostile
///   "\x1b]52;c;aGk=\x07Quarterly review" (Meet, from an outside organizer);
/// - day 4: 16:00 "Architecture office hours" (Team Platform, Meet); days 4–5 all-day "RustConf";
/// - day 5: 11:00 "Roadmap brainstorm" (Meet, tentative);
/// - Holidays (unselected, read-only): all-day "Founders' Day (observed)" on day 6;
/// - entries that are not meetings: see [`add_non_meetings`].
fn demo_work(w: &mut Week) -> Store {
    let (now, tz) = (w.now, w.tz);
    let mut store = account(tz);
    let mut team = Calendar::new(TEAM_CALENDAR, "Team Platform", tz);
    team.access_role = "writer".into();
    team.background_color = "#16a765".into();
    team.color_id = "8".into();
    team.description = Some("Platform team meetings and on-call handovers".into());
    store.add_calendar(team);
    let mut holidays = Calendar::new(HOLIDAY_CALENDAR, "Holidays in United States", tz);
    holidays.access_role = "reader".into();
    holidays.selected = false;
    holidays.background_color = "#f83a22".into();
    holidays.color_id = "4".into();
    holidays.allowed_conference_types = Vec::new();
    store.add_calendar(holidays);

    let team_people = [
        ("priya.natarajan@example.com", "Priya Natarajan", "accepted"),
        (ACCOUNT, "Alex Rivera", "accepted"),
        ("jordan.lee@example.com", "Jordan Lee", "tentative"),
        ("sam.okafor@example.com", "Sam Okafor", "declined"),
        ("chris.weber@example.com", "Chris Weber", "needsAction"),
    ];
    let mine = |status: &'static str| {
        [
            (ACCOUNT, "Alex Rivera", "accepted"),
            ("jordan.lee@example.com", "Jordan Lee", status),
        ]
    };

    let mut events: Vec<(&str, Value)> = Vec::new();
    let e = w.timed("Design review", w.in_minutes(4), 30);
    events.push((ACCOUNT, with_meet(with_people(e, &team_people))));
    let mut e = w.timed("1:1 with Jordan", w.in_minutes(-20), 45);
    e["recurrence"] = json!(["RRULE:FREQ=WEEKLY"]);
    events.push((ACCOUNT, with_meet(with_people(e, &mine("accepted")))));
    let e = w.timed("Sprint planning", w.slot(2), 60);
    events.push((ACCOUNT, with_meet(with_people(e, &team_people))));
    let e = w.timed("Platform sync", w.slot(3), 30);
    events.push((TEAM_CALENDAR, with_meet(e)));
    let mut e = w.timed("Customer call: Acme", w.slot(5), 45);
    e["location"] = json!("Google Meet");
    events.push((ACCOUNT, with_meet(with_people(e, &mine("needsAction")))));
    let e = w.timed("Sprint retro", w.at(-1, 16, 0), 60);
    events.push((ACCOUNT, with_meet(with_people(e, &team_people))));

    let mut e = w.timed("Vendor sync", w.at(1, 10, 0), 30);
    e["location"] = json!("https://us02web.zoom.us/j/85012345678?pwd=bWVldHR5LWRlbW8tcHdk");
    e["description"] = json!("Join Zoom Meeting\nMeeting ID: 850 1234 5678\nPasscode: 481516");
    events.push((
        ACCOUNT,
        with_people(
            e,
            &[
                ("dana@vendor.example", "Dana Kim", "accepted"),
                (ACCOUNT, "Alex Rivera", "accepted"),
            ],
        ),
    ));
    let mut e = w.timed("Lunch with Sam", w.at(1, 12, 30), 60);
    e["location"] = json!("Café Lumen, 12 Market St");
    events.push((ACCOUNT, e));
    let mut e = w.timed("Partner check-in", w.at(1, 15, 0), 30);
    e["description"] = json!(TEAMS_DESCRIPTION);
    events.push((
        ACCOUNT,
        with_people(
            e,
            &[
                ("morgan@partner.example", "Morgan Blake", "accepted"),
                (ACCOUNT, "Alex Rivera", "tentative"),
            ],
        ),
    ));
    let e = w.timed("Hiring debrief", w.at(1, 16, 30), 30);
    events.push((
        ACCOUNT,
        with_meet(with_people(
            e,
            &[
                ("priya.natarajan@example.com", "Priya Natarajan", "accepted"),
                (ACCOUNT, "Alex Rivera", "declined"),
            ],
        )),
    ));

    events.push((ACCOUNT, w.all_day("Offsite prep", 2, 1)));
    let mut e = w.timed("Security training", w.at(2, 13, 0), 60);
    e["description"] = json!(WEBEX_DESCRIPTION);
    events.push((ACCOUNT, e));
    let mut e = w.timed("Client demo", w.at(3, 10, 0), 60);
    e["description"] = json!(CLIENT_DEMO_DESCRIPTION);
    e["location"] = json!("Northwind HQ, Room 4.12 / Google Meet");
    events.push((
        ACCOUNT,
        with_meet(with_people(
            e,
            &[
                (ACCOUNT, "Alex Rivera", "accepted"),
                ("taylor@northwind.example", "Taylor Reyes", "accepted"),
                ("sam.okafor@example.com", "Sam Okafor", "needsAction"),
            ],
        )),
    ));
    // A deliberately hostile invite: an OSC 52 clipboard write hidden in the title.
    let e = w.timed("\u{1b}]52;c;aGk=\u{7}Quarterly review", w.at(3, 15, 0), 45);
    events.push((
        ACCOUNT,
        with_meet(with_people(
            e,
            &[
                (
                    "mallory@outside.example",
                    "Mallory \u{1b}[31mFinance\u{1b}[0m",
                    "accepted",
                ),
                (ACCOUNT, "Alex Rivera", "needsAction"),
            ],
        )),
    ));
    let e = w.timed("Architecture office hours", w.at(4, 16, 0), 60);
    events.push((TEAM_CALENDAR, with_meet(e)));
    events.push((ACCOUNT, w.all_day("RustConf", 4, 2)));
    let e = w.timed("Roadmap brainstorm", w.at(5, 11, 0), 60);
    events.push((
        ACCOUNT,
        with_meet(with_people(
            e,
            &[
                ("jordan.lee@example.com", "Jordan Lee", "accepted"),
                (ACCOUNT, "Alex Rivera", "tentative"),
            ],
        )),
    ));
    events.push((
        HOLIDAY_CALENDAR,
        w.all_day("Founders' Day (observed)", 6, 1),
    ));

    let mut standup = w.timed("Daily standup", w.at(-14, 9, 30), 15);
    standup["recurrence"] = json!(["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]);
    let standup_id = standup["id"].as_str().unwrap_or_default().to_string();
    events.push((ACCOUNT, with_meet(with_people(standup, &team_people))));

    for (n, (calendar, event)) in events.into_iter().enumerate() {
        let id = event["id"].as_str().unwrap_or_default().to_string();
        store
            .put_event(calendar, event)
            .expect("demo events are valid");
        let calendar_id = store
            .calendar(calendar)
            .map(|c| c.id.clone())
            .unwrap_or_default();
        let n = n as i64;
        store.set_timestamps(
            &calendar_id,
            &id,
            now - TimeDelta::days(9 + n % 5),
            now - TimeDelta::hours(2 + 3 * n),
        );
    }
    add_standup_exceptions(&mut store, w, &standup_id);
    add_colleagues(&mut store, w);
    add_non_meetings(&mut store, w);
    store
}

/// The entries on the account's primary calendar that are not meetings, one of each kind
/// meetty tells apart by `eventType` (Google's "Event types" and "Manage focus time, out of
/// office, and working location events" guides): today's working location (home), a
/// colleague's birthday tomorrow (all-day, yearly, private, free like Google's), focus time
/// on day 2, 14:00–16:00, and out of office on day 4, 09:00–12:00. The statuses keep
/// their time busy; the working location and the birthday leave it free
/// (`transparency: transparent`).
fn add_non_meetings(store: &mut Store, w: &mut Week) {
    let mut home = w.all_day("Home", 0, 1);
    home["eventType"] = json!("workingLocation");
    home["visibility"] = json!("public");
    home["workingLocationProperties"] = json!({ "type": "homeOffice", "homeOffice": {} });
    let mut birthday = w.all_day("Priya Natarajan's birthday", 1, 1);
    birthday["eventType"] = json!("birthday");
    birthday["visibility"] = json!("private");
    birthday["recurrence"] = json!(["RRULE:FREQ=YEARLY"]);
    birthday["birthdayProperties"] = json!({ "type": "birthday" });
    let mut focus = w.timed("Focus time", w.at(2, 14, 0), 120);
    focus["eventType"] = json!("focusTime");
    focus["focusTimeProperties"] = json!({
        "autoDeclineMode": "declineOnlyNewConflictingInvitations",
        "chatStatus": "doNotDisturb",
    });
    let mut away = w.timed("Out of office", w.at(4, 9, 0), 180);
    away["eventType"] = json!("outOfOffice");
    away["outOfOfficeProperties"] = json!({
        "autoDeclineMode": "declineOnlyNewConflictingInvitations",
        "declineMessage": "Away until noon",
    });
    for event in [home, birthday, focus, away] {
        store
            .put_event(ACCOUNT, event)
            .expect("the demo's statuses are valid");
    }
}

/// Colleagues whose availability the demo account can see, and their group: their own
/// events, plus the demo's meetings they are invited to (Sam declined the team's). The
/// outside guests (vendor, partner, client) are unknown to free/busy.
fn add_colleagues(store: &mut Store, w: &mut Week) {
    let people = [
        ("priya.natarajan@example.com", w.tz),
        ("jordan.lee@example.com", chrono_tz::America::New_York),
        ("sam.okafor@example.com", w.tz),
        ("chris.weber@example.com", w.tz),
    ];
    for (email, tz) in people {
        store.add_person(email, tz);
    }
    let emails: Vec<&str> = people.iter().map(|(email, _)| *email).collect();
    store.add_group(TEAM_GROUP, &emails);

    let mut focus = w.timed("Focus time", w.at(-7, 13, 0), 120);
    focus["recurrence"] = json!(["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]);
    let mut gym = w.timed("Gym", w.at(-7, 12, 0), 60);
    gym["recurrence"] = json!(["RRULE:FREQ=DAILY"]);
    gym["transparency"] = json!("transparent");
    let mut away = w.all_day("Out of office", 2, 1);
    away["transparency"] = json!("opaque");
    away["eventType"] = json!("outOfOffice");
    let own = [
        ("priya.natarajan@example.com", focus),
        (
            "priya.natarajan@example.com",
            w.timed("Interviews", w.at(2, 14, 0), 180),
        ),
        ("jordan.lee@example.com", gym),
        ("jordan.lee@example.com", away),
        (
            "sam.okafor@example.com",
            w.timed("Dentist", w.at(1, 9, 0), 90),
        ),
    ];
    for (email, event) in own {
        store
            .put_person_event(email, event)
            .expect("colleagues' events are valid");
    }
}

/// Cancels the first standup of the next weekdays and moves the second one to 10:00.
fn add_standup_exceptions(store: &mut Store, w: &Week, series: &str) {
    let weekdays: Vec<i64> = (2..7)
        .filter(|&d| {
            let date = w.now.with_timezone(&w.tz).date_naive() + TimeDelta::days(d);
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        })
        .collect();
    let instance = |day: i64| format!("{series}_{}", w.at(day, 9, 30).format("%Y%m%dT%H%M%SZ"));
    if let Some(&day) = weekdays.first() {
        let _ = store.delete_event(ACCOUNT, &instance(day));
    }
    if let Some(&day) = weekdays.get(1) {
        let patch = json!({
            "summary": "Daily standup (moved)",
            "start": w.time(w.at(day, 10, 0)),
            "end": w.time(w.at(day, 10, 15)),
        });
        let _ = store.patch_event(ACCOUNT, &instance(day), patch, &WriteOptions::default());
    }
}

fn bulk(now: DateTime<Utc>, tz: Tz, count: usize) -> Store {
    let mut store = account(tz);
    let mut w = Week { now, tz, next: 0 };
    let first = w.slot(0);
    let spacing = TimeDelta::minutes(7 * 24 * 60) / i32::try_from(count.max(1)).unwrap_or(i32::MAX);
    for i in 0..count {
        let start = first + spacing * i32::try_from(i).unwrap_or(i32::MAX);
        let start = start - TimeDelta::seconds(start.second().into());
        let event = with_meet(w.timed(&format!("Meeting {}", i + 1), start, 30));
        store
            .put_event(ACCOUNT, event)
            .expect("bulk events are valid");
    }
    store
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::listing::ListParams;

    fn list(store: &mut Store, calendar: &str, pairs: &[(&str, &str)]) -> Vec<Value> {
        let p =
            ListParams::parse(|n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)).unwrap();
        store.list_events(calendar, &p).unwrap()["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    #[test]
    fn demo_week_has_what_the_agenda_needs() {
        let now = DateTime::parse_from_rfc3339("2024-03-08T14:12:40Z")
            .unwrap()
            .with_timezone(&Utc);
        let tz: Tz = "America/New_York".parse().unwrap();
        let mut store = demo_accounts(now, tz).0;
        let min = (now - TimeDelta::days(1)).to_rfc3339();
        let max = (now + TimeDelta::days(7)).to_rfc3339();
        let q = [
            ("singleEvents", "true"),
            ("orderBy", "startTime"),
            ("timeMin", min.as_str()),
            ("timeMax", max.as_str()),
        ];
        let items = list(&mut store, "primary", &q);
        let team = list(&mut store, TEAM_CALENDAR, &q);
        // Meetings only: the statuses and the birthday are counted in their own test.
        let meetings = items.iter().filter(|e| e["eventType"] == "default").count();
        let total = meetings + team.len();
        assert!((15..=28).contains(&total), "{total} events");

        let soon = items
            .iter()
            .find(|e| e["summary"] == "Design review")
            .unwrap();
        assert_eq!(soon["start"]["dateTime"], "2024-03-08T09:16:00-05:00");
        assert!(soon["hangoutLink"]
            .as_str()
            .unwrap()
            .starts_with("https://meet.google.com/"));
        let statuses: Vec<&str> = soon["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["responseStatus"].as_str().unwrap())
            .collect();
        for s in ["accepted", "declined", "tentative", "needsAction"] {
            assert!(statuses.contains(&s));
        }
        let standups = items
            .iter()
            .filter(|e| e["recurringEventId"].is_string())
            .count();
        // Mon..Fri next week minus the cancelled one (the moved one still counts), plus today's.
        assert!(standups >= 4, "{standups} standups");
        assert!(items
            .iter()
            .any(|e| e["summary"] == "Daily standup (moved)"));
        assert!(items
            .iter()
            .any(|e| e["summary"].as_str().unwrap().contains('\u{1b}')));
        assert!(items.iter().any(|e| e["start"]["date"].is_string()));
        let organized_by_me = |e: &&Value| e["organizer"]["self"] == true;
        assert!(
            items
                .iter()
                .filter(organized_by_me)
                .any(|e| e["recurringEventId"].is_string()),
            "a series the user organizes"
        );
        assert!(
            items
                .iter()
                .filter(|e| !organized_by_me(e))
                .any(|e| e["attendees"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|a| a["self"] == true))),
            "an invitation from someone else"
        );
        for e in items.iter().chain(&team) {
            let id = e["recurringEventId"]
                .as_str()
                .unwrap_or(e["id"].as_str().unwrap());
            assert!(ids::is_valid_event_id(id), "{id}");
        }
    }

    #[test]
    fn the_personal_account_shares_one_event_with_the_work_account() {
        let now = DateTime::parse_from_rfc3339("2024-03-08T14:12:40Z")
            .unwrap()
            .with_timezone(&Utc);
        let (mut work, mut personal) = demo_accounts(now, chrono_tz::Europe::Berlin);
        assert_eq!(personal.account(), PERSONAL_ACCOUNT);
        let ids: Vec<(&str, &str, bool)> = personal
            .calendars()
            .iter()
            .map(|c| (c.id.as_str(), c.access_role.as_str(), c.primary))
            .collect();
        assert_eq!(
            ids,
            [
                (PERSONAL_ACCOUNT, "owner", true),
                (FAMILY_CALENDAR, "owner", false),
                (CLIMBING_CALENDAR, "reader", false),
            ]
        );
        let min = now.to_rfc3339();
        let max = (now + TimeDelta::days(7)).to_rfc3339();
        let q = [
            ("singleEvents", "true"),
            ("timeMin", min.as_str()),
            ("timeMax", max.as_str()),
        ];
        let mine: Vec<Value> = [PERSONAL_ACCOUNT, FAMILY_CALENDAR, CLIMBING_CALENDAR]
            .iter()
            .flat_map(|c| list(&mut personal, c, &q))
            .collect();
        let text = serde_json::to_string(&mine).unwrap();
        for link in [
            "zoom.us/j/86355501234",
            "Passcode: 9kL2mq",
            "teams.live.com/meet/",
            "discord.gg/",
            "meet.jit.si/",
            "tel:+1-555-0142",
        ] {
            assert!(text.contains(link), "{link}");
        }

        let work_items = list(&mut work, "primary", &q);
        let shared = |items: &[Value]| {
            items
                .iter()
                .find(|e| e["summary"] == "Jamie's farewell call")
                .cloned()
                .unwrap()
        };
        let (at_work, at_home) = (shared(&work_items), shared(&mine));
        assert_eq!(at_work["id"], at_home["id"]);
        assert_eq!(at_work["iCalUID"], at_home["iCalUID"]);
        assert_eq!(at_work["hangoutLink"], at_home["hangoutLink"]);
        let own = |e: &Value| {
            let me = e["attendees"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["self"] == true)
                .map(|a| (a["email"].clone(), a["responseStatus"].clone()))
                .collect::<Vec<_>>();
            assert_eq!(me.len(), 1, "one own entry: {e}");
            me[0].clone()
        };
        assert_eq!(own(&at_work), (json!(ACCOUNT), json!("accepted")));
        assert_eq!(own(&at_home), (json!(PERSONAL_ACCOUNT), json!("tentative")));
        // Only that one is on both.
        let work_ids: Vec<&Value> = work_items.iter().map(|e| &e["id"]).collect();
        let both = mine.iter().filter(|e| work_ids.contains(&&e["id"])).count();
        assert_eq!(both, 1);

        let escalation = work_items
            .iter()
            .find(|e| e["summary"] == "Globex escalation review")
            .unwrap();
        assert!(escalation["hangoutLink"].is_string());
        assert!(escalation["description"]
            .as_str()
            .unwrap()
            .contains("globex.zoom.us/j/91234567890"));
    }

    #[test]
    fn demo_has_one_entry_of_each_kind_that_is_not_a_meeting() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut store = demo_accounts(now, chrono_tz::Europe::Berlin).0;
        let min = now.to_rfc3339();
        let max = (now + TimeDelta::days(7)).to_rfc3339();
        let q = [
            ("singleEvents", "true"),
            ("timeMin", min.as_str()),
            ("timeMax", max.as_str()),
        ];
        let items = list(&mut store, "primary", &q);
        let of_type =
            |t: &str| -> Vec<&Value> { items.iter().filter(|e| e["eventType"] == t).collect() };
        for t in ["workingLocation", "birthday", "focusTime", "outOfOffice"] {
            assert_eq!(of_type(t).len(), 1, "{t}");
        }
        // Google's birthdays are all-day, yearly and free; a working location is free too.
        let birthday = of_type("birthday")[0];
        assert!(birthday["start"]["date"].is_string());
        assert!(birthday["recurringEventId"].is_string());
        for t in ["birthday", "workingLocation"] {
            assert_eq!(of_type(t)[0]["transparency"], "transparent", "{t}");
        }
        for t in ["focusTime", "outOfOffice"] {
            assert!(of_type(t)[0]["start"]["dateTime"].is_string(), "{t}");
            assert_ne!(of_type(t)[0]["transparency"], "transparent", "{t}");
        }
    }

    #[test]
    fn bulk_spreads_ten_thousand_meetings_over_a_week() {
        let now = Utc::now();
        let started = std::time::Instant::now();
        let mut store = bulk(now, chrono_tz::UTC, 10_000);
        let built = started.elapsed();
        let q = [
            ("singleEvents", "true"),
            ("orderBy", "startTime"),
            ("maxResults", "2500"),
        ];
        let p = ListParams::parse(|n| q.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)).unwrap();
        let mut page = store.list_events("primary", &p).unwrap();
        let mut starts = Vec::new();
        loop {
            for e in page["items"].as_array().unwrap() {
                let start = e["start"]["dateTime"].as_str().unwrap();
                starts.push(DateTime::parse_from_rfc3339(start).unwrap());
            }
            let Some(token) = page["nextPageToken"].as_str() else {
                break;
            };
            let next = ListParams {
                page_token: Some(token.to_string()),
                ..p.clone()
            };
            page = store.list_events("primary", &next).unwrap();
        }
        eprintln!(
            "bulk: built in {built:?}, listed in {:?}",
            started.elapsed() - built
        );
        assert_eq!(starts.len(), 10_000);
        assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        assert!(*starts.last().unwrap() < now + TimeDelta::days(7) + TimeDelta::hours(1));
    }
}
