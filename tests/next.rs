//! `meetty next`, `meetty join` and `meetty agenda --cached`: what a status bar and a hotkey
//! get. Every format is a snapshot of the pure render at a fixed clock; the choices are read
//! from a real list written by `cache::save`; the real binary runs with a private home
//! against a cache written the same way (its clock is the real one, so those meetings are
//! placed relative to it).

mod common;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::{Command, Output as Run};

use chrono::{DateTime, TimeDelta, Utc};
use common::{now, tz};
use meetty::cache::{self, CacheFiles};
use meetty::calendar::model::{Agenda, Meeting};
use meetty::cli::next::{choose, join_candidates, render, Format, Found, List, Output, Template};
use meetty::config::Paths;
use meetty::upcoming::Entry;
use serde_json::json;

const FRESH: TimeDelta = TimeDelta::minutes(10);

/// `n` minutes.
fn min(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

fn at(hhmm: &str) -> DateTime<Utc> {
    format!("2026-11-23T{hhmm}:00Z").parse().unwrap()
}

fn entry(title: &str, start: &str, end: &str, link: Option<(&str, &str)>) -> Entry<'static> {
    Entry {
        id: Cow::Owned(format!("id-{start}")),
        uid: None,
        series: None,
        title: Cow::Owned(title.into()),
        start: at(start),
        end: at(end),
        link: link.map(|(_, url)| Cow::Owned(url.into())),
        provider: link.map(|(p, _)| Cow::Owned(p.into())),
        answer: Cow::Borrowed("accepted"),
    }
}

const MEET: (&str, &str) = ("Google Meet", "https://meet.google.com/abc-defg-hij");

/// Each situation a bar shows, at 09:00 UTC (10:00 in Berlin).
fn situations() -> Vec<(&'static str, Found)> {
    let fresh = |meeting| Found {
        meeting,
        fetched_at: now() - min(1),
    };
    let mut invited = entry("Design review", "09:04", "09:30", Some(MEET));
    invited.answer = Cow::Borrowed("needsAction");
    vec![
        (
            "now",
            fresh(Some(entry(
                "Platform standup",
                "08:45",
                "09:15",
                Some(MEET),
            ))),
        ),
        ("soon, not answered", fresh(Some(invited))),
        (
            "later, no link (--all)",
            fresh(Some(entry("Lunch with Sam", "11:05", "12:30", None))),
        ),
        ("none", fresh(None)),
        (
            "stale",
            Found {
                meeting: Some(entry("Sprint retro", "14:00", "15:00", Some(MEET))),
                fetched_at: now() - min(125),
            },
        ),
        (
            "stale, none",
            Found {
                meeting: None,
                fetched_at: now() - TimeDelta::hours(3),
            },
        ),
    ]
}

fn all_situations(output: &Output) -> String {
    situations()
        .iter()
        .map(|(name, found)| {
            let text = render(found, output, now(), tz(), FRESH);
            format!("== {name} ==\n{text}")
        })
        .collect()
}

#[test]
fn every_format_in_every_situation() {
    for (name, format) in [
        ("plain", Format::Plain),
        ("json", Format::Json),
        ("waybar", Format::Waybar),
        ("i3blocks", Format::I3blocks),
        ("polybar", Format::Polybar),
        ("tmux", Format::Tmux),
    ] {
        insta::assert_snapshot!(
            format!("format_{name}"),
            all_situations(&Output::Format(format))
        );
    }
}

#[test]
fn templates_fill_every_placeholder() {
    let template = Template::parse(
        "{answer}[{class}] {title} {start}-{end} {countdown} {provider} {link} {offline} {{x}}",
    )
    .unwrap();
    insta::assert_snapshot!(all_situations(&Output::Template(Format::Plain, template)));
}

/// Titles are other people's text: no escape sequence or control character reaches a bar,
/// and each bar's markup in them is shown, not obeyed.
#[test]
fn hostile_titles_are_cleaned_and_escaped() {
    let hostile = "\x1b]0;pwned\x07\x1b[31m<b>Pay</b> & #[fg=red]#(rm) 100%{F#f00}\u{202e}x\r\ny";
    let found = Found {
        meeting: Some(entry(hostile, "09:04", "09:30", Some(MEET))),
        fetched_at: now(),
    };
    let show = |output: Output| render(&found, &output, now(), tz(), FRESH);
    for format in [
        Format::Plain,
        Format::Json,
        Format::Waybar,
        Format::I3blocks,
        Format::Polybar,
        Format::Tmux,
    ] {
        let text = show(Output::Format(format));
        let body = text.trim_end_matches('\n');
        assert!(
            !body
                .chars()
                .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
            "{format:?}: {text:?}"
        );
        assert!(!text.contains("pwned"), "{format:?}: {text:?}");
    }
    let waybar: serde_json::Value =
        serde_json::from_str(&show(Output::Format(Format::Waybar))).unwrap();
    let text = waybar["text"].as_str().unwrap();
    assert!(
        text.starts_with("&lt;b&gt;Pay&lt;/b&gt; &amp; #[fg=red]"),
        "{text}"
    );
    assert!(!waybar["tooltip"].as_str().unwrap().contains("<b>"));
    let tmux = show(Output::Format(Format::Tmux));
    assert!(
        tmux.starts_with("<b>Pay</b> & ##[fg=red]##(rm) 100%{F##f00}"),
        "{tmux}"
    );
    let polybar = show(Output::Format(Format::Polybar));
    assert!(
        polybar.starts_with("<b>Pay</b> & #[fg=red]#(rm) 100%%{F#f00}"),
        "{polybar}"
    );
    let template = Template::parse("{title}").unwrap();
    let tmux_template = show(Output::Template(Format::Tmux, template));
    assert!(tmux_template.contains("##[fg=red]"), "{tmux_template}");
}

/// A private home for one test: the list is written by `cache::save`, as the TUI and the
/// watch write it.
struct Home {
    dir: PathBuf,
    paths: Paths,
}

impl Home {
    fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("meetty-next-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let paths = common::home_paths(&dir);
        Home { dir, paths }
    }

    /// Writes `owner`'s cache (and so its upcoming list) with these meetings, fetched at
    /// `fetched_at`.
    fn save(&self, owner: &str, fetched_at: DateTime<Utc>, meetings: Vec<Meeting>) {
        let agenda = Agenda {
            meetings,
            fetched_at,
            accounts: Vec::new(),
            ..Agenda::default()
        };
        self.save_agenda(owner, agenda);
    }

    /// Writes `owner`'s cache with this agenda (its calendars included).
    fn save_agenda(&self, owner: &str, mut agenda: Agenda) {
        agenda.sort();
        cache::save(&CacheFiles::of(&self.paths, owner), &agenda, None).unwrap();
    }

    fn upcoming(&self, owner: &str) -> PathBuf {
        self.paths.upcoming_file(owner)
    }

    /// `meetty ARGS` in this home, as the "sandbox" owner unless `env` says otherwise.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_meetty"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        common::in_home(&mut cmd, &self.dir)
            .env("MEETTY_ACCESS_TOKEN", "unused")
            // Nothing may be reached: an API call would fail here.
            .env("MEETTY_API_ROOT", "http://127.0.0.1:9");
        for (k, v) in env {
            if v.is_empty() {
                cmd.env_remove(k);
            } else {
                cmd.env(k, v);
            }
        }
        cmd.output().unwrap()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn meeting(id: &str, title: &str, start: DateTime<Utc>, mins: i64, link: bool) -> Meeting {
    let mut v = json!({
        "id": id, "summary": title,
        "start": {"dateTime": start.to_rfc3339()},
        "end": {"dateTime": (start + min(mins)).to_rfc3339()},
    });
    if link {
        v["hangoutLink"] = json!(format!("https://meet.google.com/{id}"));
    }
    common::meeting("alex@example.com", v)
}

fn declined(mut m: Meeting) -> Meeting {
    m.attendees = vec![meetty::calendar::model::Attendee {
        person: meetty::calendar::model::Person {
            name: String::new(),
            email: "alex@example.com".into(),
        },
        rsvp: meetty::calendar::model::Rsvp::Declined,
        organizer: false,
        is_self: true,
        optional: false,
    }];
    m
}

/// One list of no account (a fixed token's): links as written.
fn one(path: &Path) -> Vec<List> {
    vec![List {
        owner: "me".into(),
        path: path.to_path_buf(),
        authuser: None,
    }]
}

fn title(found: &Option<Found>) -> Option<String> {
    let m = found.as_ref().unwrap().meeting.as_ref()?;
    Some(m.title.to_string())
}

#[test]
fn next_is_the_meeting_in_progress_that_started_last_else_the_next_one() {
    let home = Home::new("choose");
    let t = now();
    home.save(
        "me",
        t,
        vec![
            meeting("long", "All-hands", t - min(30), 120, true),
            meeting("short", "Standup", t - min(5), 15, true),
            declined(meeting("declined", "Declined", t - min(1), 30, true)),
            meeting("nolink", "Coffee", t - min(2), 30, false),
            meeting("next", "Retro", t + min(100), 30, true),
        ],
    );
    let path = home.upcoming("me");
    assert_eq!(
        title(&choose(&one(&path), t, false).unwrap()).unwrap(),
        "Standup"
    );
    // --all counts the meeting without a link, which started after the standup.
    assert_eq!(
        title(&choose(&one(&path), t, true).unwrap()).unwrap(),
        "Coffee"
    );
    // Once the standup is over, the all-hands is the one in progress.
    let later = t + min(12);
    assert_eq!(
        title(&choose(&one(&path), later, false).unwrap()).unwrap(),
        "All-hands"
    );
    // After the all-hands: the retro, then nothing.
    let between = t + min(95);
    assert_eq!(
        title(&choose(&one(&path), between, false).unwrap()).unwrap(),
        "Retro"
    );
    let after = t + min(131);
    assert_eq!(title(&choose(&one(&path), after, false).unwrap()), None);
    // Never written: no list at all.
    assert_eq!(
        choose(&one(&home.upcoming("other")), t, false).unwrap(),
        None
    );
}

#[test]
fn all_day_and_declined_meetings_never_count() {
    let home = Home::new("never");
    let t = now();
    let offsite = common::meeting(
        "alex@example.com",
        json!({
            "id": "offsite", "summary": "Offsite",
            "start": {"date": "2026-11-23"}, "end": {"date": "2026-11-24"},
            "hangoutLink": "https://meet.google.com/offsite",
        }),
    );
    home.save(
        "me",
        t,
        vec![
            offsite,
            declined(meeting("declined", "Declined", t + min(5), 30, true)),
        ],
    );
    let found = choose(&one(&home.upcoming("me")), t, true).unwrap();
    assert_eq!(title(&found), None);
}

#[test]
fn join_prefers_the_meeting_in_progress_that_started_last_then_the_first_within_ten_minutes() {
    let home = Home::new("join-choices");
    let t = now();
    home.save(
        "me",
        t,
        vec![
            meeting("long", "All-hands", t - min(30), 120, true),
            meeting("short", "Standup", t - min(5), 15, true),
            meeting("nolink", "Coffee", t - min(2), 30, false),
            meeting("soon", "Design review", t + min(8), 30, true),
            meeting("later", "Retro", t + min(11), 30, true),
        ],
    );
    let path = home.upcoming("me");
    let titles = |at: DateTime<Utc>| -> Vec<String> {
        let found = join_candidates(&one(&path), at).unwrap().unwrap();
        found.meetings.iter().map(|e| e.title.to_string()).collect()
    };
    // In progress, latest start first, then those starting within 10 minutes; not the
    // retro in 11 minutes, nor the meeting without a link.
    assert_eq!(titles(t), ["Standup", "All-hands", "Design review"]);
    assert_eq!(titles(t - min(29)), ["All-hands"]);
    // Nothing in progress: the one starting within 10 minutes.
    assert_eq!(titles(t - min(35)), ["All-hands"]);
    assert!(titles(t - min(41)).is_empty());
    assert!(titles(t + min(91)).is_empty());
}

fn stdout(run: &Run) -> String {
    String::from_utf8_lossy(&run.stdout).into_owned()
}

fn stderr(run: &Run) -> String {
    String::from_utf8_lossy(&run.stderr).into_owned()
}

/// Now, to the second: the binary's countdowns, rounded up to the minute, then read the
/// same for the whole run.
fn real_now() -> DateTime<Utc> {
    let t = Utc::now();
    t - TimeDelta::nanoseconds(i64::from(t.timestamp_subsec_nanos()))
}

#[test]
fn the_binary_prints_the_next_meeting_in_each_format() {
    let home = Home::new("binary");
    let t = real_now();
    home.save(
        "sandbox",
        t,
        vec![
            meeting("nolink", "Coffee", t + min(5), 10, false),
            meeting("standup", "Standup #42", t + min(12), 15, true),
        ],
    );
    let plain = home.run(&["next"], &[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert_eq!(
        stdout(&plain),
        "Standup #42 in 12 min https://meet.google.com/standup\n"
    );
    assert_eq!(stderr(&plain), "");
    let all = home.run(&["next", "--all"], &[]);
    assert_eq!(stdout(&all), "Coffee in 5 min\n");
    let tmux = home.run(&["next", "--format", "tmux"], &[]);
    assert_eq!(stdout(&tmux), "Standup ##42 in 12 min\n");
    let waybar = home.run(&["next", "--format", "waybar"], &[]);
    let json: serde_json::Value = serde_json::from_slice(&waybar.stdout).unwrap();
    assert_eq!(json["class"], "later");
    assert_eq!(json["text"], "Standup #42 in 12 min");
    let template = home.run(&["next", "--template", "{start} {title} ({provider})"], &[]);
    let start = meetty::timefmt::clock(t + min(12), chrono_tz::Europe::Berlin);
    assert_eq!(
        stdout(&template),
        format!("{start} Standup #42 (Google Meet)\n")
    );
    let wrong = home.run(&["next", "--format", "xml"], &[]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("use plain, json, waybar"),
        "{}",
        stderr(&wrong)
    );
    let wrong = home.run(&["next", "--format", "json", "--template", "{title}"], &[]);
    assert_eq!(wrong.status.code(), Some(2));
}

#[test]
fn the_binary_says_offline_when_the_cache_is_stale() {
    let home = Home::new("stale");
    let t = real_now();
    home.save(
        "sandbox",
        t - TimeDelta::hours(2),
        vec![meeting("retro", "Retro", t + min(30), 30, true)],
    );
    let plain = home.run(&["next"], &[]);
    assert_eq!(plain.status.code(), Some(0));
    assert_eq!(
        stdout(&plain),
        "Retro in 30 min https://meet.google.com/retro (offline 2 h)\n"
    );
    let waybar = home.run(&["next", "--format", "waybar"], &[]);
    let json: serde_json::Value = serde_json::from_slice(&waybar.stdout).unwrap();
    assert_eq!(json["class"], "stale");
    // With automatic refresh off, two hours is stale too; one 30-minute-old list is not.
    std::fs::create_dir_all(&home.paths.config_dir).unwrap();
    std::fs::write(&home.paths.config_file, "refresh_seconds = 0\n").unwrap();
    let off = home.run(&["next"], &[]);
    assert!(
        stdout(&off).ends_with("(offline 2 h)\n"),
        "{}",
        stdout(&off)
    );
    home.save(
        "sandbox",
        t - min(30),
        vec![meeting("retro", "Retro", t + min(30), 30, true)],
    );
    let fresh = home.run(&["next"], &[]);
    assert_eq!(
        stdout(&fresh),
        "Retro in 30 min https://meet.google.com/retro\n"
    );
}

#[test]
fn the_binary_exits_1_on_an_empty_cache_and_on_no_cache() {
    let home = Home::new("empty");
    home.save("sandbox", real_now(), vec![]);
    let empty = home.run(&["next"], &[]);
    assert_eq!(empty.status.code(), Some(1));
    assert_eq!(stdout(&empty), "\n");
    assert_eq!(stderr(&empty), "");
    let waybar = home.run(&["next", "--format", "waybar"], &[]);
    assert_eq!(waybar.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&waybar.stdout).unwrap();
    assert_eq!(json["class"], "none");

    // The default account's cache, which nobody wrote yet.
    let accounts =
        json!({"default": "alex@example.com", "accounts": {"alex@example.com": "keyring"}});
    std::fs::create_dir_all(&home.paths.config_dir).unwrap();
    std::fs::write(home.paths.accounts_file(), accounts.to_string()).unwrap();
    let signed_in = [("MEETTY_ACCESS_TOKEN", "")];
    let none = home.run(&["next"], &signed_in);
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(stdout(&none), "");
    assert!(
        stderr(&none).contains(
            "no cached agenda for alex@example.com yet: open meetty, or run meetty watch"
        ),
        "{}",
        stderr(&none)
    );
    let waybar = home.run(&["next", "--format", "waybar"], &signed_in);
    assert_eq!(waybar.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&waybar.stdout).unwrap();
    assert_eq!(json["class"], "stale");
    assert_eq!(json["text"], "no agenda");
    assert!(json["tooltip"].as_str().unwrap().contains("open meetty"));
    // Once the account's cache is written, it is the one read.
    let t = real_now();
    home.save(
        "alex@example.com",
        t,
        vec![meeting("a", "Planning", t + min(3), 30, true)],
    );
    let found = home.run(&["next", "--format", "tmux"], &signed_in);
    assert_eq!(stdout(&found), "Planning in 3 min\n");
    // Nobody signed in: say how to sign in.
    std::fs::remove_file(home.paths.accounts_file()).unwrap();
    let nobody = home.run(&["next"], &signed_in);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(
        stderr(&nobody).contains("meetty login"),
        "{}",
        stderr(&nobody)
    );
}

/// A `$BROWSER` that appends the URL it is given to a file.
fn recording_browser(home: &Home) -> (String, PathBuf) {
    let log = home.dir.join("opened");
    let script = home.dir.join("browser.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", log.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (script.display().to_string(), log)
}

fn wait_for(path: &Path) -> String {
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} was never written", path.display());
}

#[test]
fn join_opens_the_meeting_in_progress_that_started_last_and_names_the_others() {
    let home = Home::new("join");
    let t = real_now();
    home.save(
        "sandbox",
        t,
        vec![
            meeting("allhands", "All-hands", t - min(30), 120, true),
            meeting("standup", "Standup", t - min(5), 25, true),
            meeting("review", "Design review", t + min(8), 30, true),
        ],
    );
    let (browser, opened) = recording_browser(&home);
    let run = home.run(&["join"], &[("BROWSER", &browser)]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(wait_for(&opened), "https://meet.google.com/standup\n");
    assert_eq!(
        stdout(&run),
        "Joining Standup (now, 20 min left)\n\
         Also now or soon: All-hands (now, 1 h 30 min left), Design review (in 8 min)\n\
         https://meet.google.com/standup\n"
    );
    let print = home.run(&["join", "--print"], &[]);
    assert_eq!(stdout(&print), "https://meet.google.com/standup\n");
    assert!(
        stderr(&print).starts_with("meetty: Joining Standup"),
        "{}",
        stderr(&print)
    );
}

#[test]
fn join_takes_the_meeting_starting_within_ten_minutes_and_nothing_later() {
    let home = Home::new("join-soon");
    let t = real_now();
    home.save(
        "sandbox",
        t,
        vec![
            meeting("review", "Design review", t + min(8), 30, true),
            meeting("retro", "Retro", t + min(9), 30, true),
        ],
    );
    let print = home.run(&["join", "--print"], &[]);
    assert_eq!(print.status.code(), Some(0));
    assert_eq!(stdout(&print), "https://meet.google.com/review\n");
    home.save(
        "sandbox",
        t,
        vec![meeting("retro", "Retro", t + min(11), 30, true)],
    );
    let none = home.run(&["join", "--print"], &[]);
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(stdout(&none), "");
    assert!(
        stderr(&none)
            .contains("no meeting with a video link is in progress or starts within 10 minutes"),
        "{}",
        stderr(&none)
    );
}

#[test]
fn agenda_cached_answers_from_the_cache_without_the_network() {
    let home = Home::new("agenda-cached");
    let none = home.run(&["agenda", "--cached"], &[]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("no cached agenda for sandbox yet"),
        "{}",
        stderr(&none)
    );
    let t = real_now();
    home.save(
        "sandbox",
        t,
        vec![meeting("retro", "Retro", t + min(30), 30, true)],
    );
    let json = home.run(&["agenda", "--cached", "--json"], &[]);
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let items: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(items[0]["title"], "Retro");
    assert_eq!(items[0]["link"], "https://meet.google.com/retro");
    let plain = home.run(&["agenda", "--cached"], &[]);
    assert!(
        stdout(&plain).contains("Retro  https://meet.google.com/retro"),
        "{}",
        stdout(&plain)
    );
}

/// An agenda from Google's calendar list: the user's primary calendar, a second one they
/// own, and a colleague's they subscribed to (`accessRole` `reader`).
fn with_calendars(fetched_at: DateTime<Utc>, meetings: Vec<Meeting>) -> Agenda {
    Agenda {
        calendars: vec![
            common::calendar("alex@example.com", true, true),
            common::calendar("side@group.calendar.google.com", false, true),
            common::calendar("maria@example.com", false, false),
        ],
        meetings,
        fetched_at,
        accounts: Vec::new(),
    }
}

fn on(calendar: &str, mut m: Meeting) -> Meeting {
    m.calendar_id = calendar.into();
    m
}

#[test]
fn a_meeting_on_a_colleagues_calendar_is_not_next() {
    let home = Home::new("colleague");
    let t = now();
    // Accepted, as the colleague's calendar says (its `self` entry is the colleague).
    let theirs = on(
        "maria@example.com",
        meeting("theirs", "Their 1:1", t + TimeDelta::minutes(5), 30, true),
    );
    let mine = meeting("mine", "Retro", t + TimeDelta::minutes(60), 30, true);
    home.save_agenda("me", with_calendars(t, vec![theirs.clone(), mine]));
    let path = home.upcoming("me");
    assert_eq!(
        title(&choose(&one(&path), t, false).unwrap()).unwrap(),
        "Retro"
    );
    home.save_agenda("me", with_calendars(t, vec![theirs]));
    assert_eq!(title(&choose(&one(&path), t, true).unwrap()), None);
}

#[test]
fn an_event_on_two_of_my_calendars_is_listed_once() {
    let home = Home::new("twice");
    let t = now();
    let m = meeting("both", "Planning", t + TimeDelta::minutes(5), 30, true);
    let copy = on("side@group.calendar.google.com", m.clone());
    home.save_agenda("me", with_calendars(t, vec![m, copy]));
    let list = std::fs::read_to_string(home.upcoming("me")).unwrap();
    // The header, then the meeting once.
    assert_eq!(list.lines().count(), 2, "{list}");
    assert_eq!(list.matches("\"both\"").count(), 1, "{list}");
}

const WORK: &str = "alex@example.com";
const PERSONAL: &str = "sam@example.org";

/// A meeting on `account`'s primary calendar with a Meet link, its iCalUID `uid` and the
/// user's answer `answer`.
fn meeting_of(
    account: &str,
    id: &str,
    uid: &str,
    title: &str,
    start: DateTime<Utc>,
    answer: &str,
) -> Meeting {
    common::meeting(
        account,
        json!({
            "id": id, "iCalUID": uid, "summary": title,
            "start": {"dateTime": start.to_rfc3339()},
            "end": {"dateTime": (start + min(30)).to_rfc3339()},
            "hangoutLink": format!("https://meet.google.com/{id}"),
            "attendees": [{"email": account, "self": true, "responseStatus": answer}],
        }),
    )
}

/// Signs both accounts in (work the default) in `home`, as `meetty login` records them.
fn sign_in_both(home: &Home) {
    let accounts = json!({
        "default": WORK,
        "accounts": {WORK: "keyring", PERSONAL: "keyring"},
    });
    std::fs::create_dir_all(&home.paths.config_dir).unwrap();
    std::fs::write(home.paths.accounts_file(), accounts.to_string()).unwrap();
}

/// Work has a review in 30 min; personal a dentist's call in 5 min; both have the same
/// family call (one iCalUID, each account's own event id) in 8 min, accepted on personal
/// only.
fn two_accounts(home: &Home, t: DateTime<Utc>) {
    home.save(
        WORK,
        t,
        vec![
            meeting_of(
                WORK,
                "rvw-wxyz-abc",
                "review@google.com",
                "Design review",
                t + min(30),
                "accepted",
            ),
            meeting_of(
                WORK,
                "fam-work-abc",
                "family@google.com",
                "Family call",
                t + min(8),
                "needsAction",
            ),
        ],
    );
    home.save(
        PERSONAL,
        t,
        vec![
            meeting_of(
                PERSONAL,
                "dnt-ssss-abc",
                "dentist@google.com",
                "Dentist",
                t + min(5),
                "accepted",
            ),
            meeting_of(
                PERSONAL,
                "fam-home-abc",
                "family@google.com",
                "Family call",
                t + min(8),
                "accepted",
            ),
        ],
    );
}

fn list(home: &Home, owner: &str, authuser: bool) -> List {
    List {
        owner: owner.into(),
        path: home.upcoming(owner),
        authuser: authuser.then(|| owner.to_string()),
    }
}

/// Every account's list is read and merged by start: the personal meeting in 5 minutes is
/// next though the work account comes first; an event on both accounts is one candidate,
/// the copy accepted; each link carries its own account's `authuser`.
#[test]
fn next_and_join_merge_every_accounts_list_each_event_once() {
    let home = Home::new("two-accounts");
    let t = now();
    two_accounts(&home, t);
    let both = [list(&home, WORK, true), list(&home, PERSONAL, true)];
    let found = choose(&both, t, false).unwrap().unwrap();
    let next = found.meeting.unwrap();
    assert_eq!(next.title, "Dentist");
    assert_eq!(
        next.link.as_deref(),
        Some("https://meet.google.com/dnt-ssss-abc?authuser=sam%40example.org")
    );
    let joins = join_candidates(&both, t + min(4))
        .unwrap()
        .unwrap()
        .meetings;
    let shown: Vec<(&str, &str, Option<&str>)> = joins
        .iter()
        .map(|e| (&*e.title, &*e.answer, e.link.as_deref()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "Dentist",
                "accepted",
                Some("https://meet.google.com/dnt-ssss-abc?authuser=sam%40example.org")
            ),
            (
                "Family call",
                "accepted",
                Some("https://meet.google.com/fam-home-abc?authuser=sam%40example.org")
            ),
        ]
    );
    // Without authuser (meet_authuser = false), links are as written; the work list alone
    // has the family call awaiting an answer, then the review.
    let work = [list(&home, WORK, false)];
    let found = choose(&work, t, false).unwrap().unwrap().meeting.unwrap();
    assert_eq!(found.title, "Family call");
    assert!(found.awaits_answer());
    assert_eq!(
        found.link.as_deref(),
        Some("https://meet.google.com/fam-work-abc")
    );
    // An account whose list was never written does not hide the others'.
    let with_missing = [
        list(&home, "kim@example.net", true),
        list(&home, PERSONAL, true),
    ];
    let found = choose(&with_missing, t, false).unwrap().unwrap();
    assert_eq!(found.meeting.unwrap().title, "Dentist");
}

/// A list written before the iCalUID was kept (no `uid` on its lines) still reads, its
/// events told apart by id.
#[test]
fn a_list_without_uids_still_reads() {
    let home = Home::new("old-list");
    let t = now();
    let path = home.upcoming("me");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let line = |id: &str, start: DateTime<Utc>| {
        json!({
            "id": id, "series": null, "title": format!("Old {id}"),
            "start": start, "end": start + min(30),
            "link": format!("https://meet.google.com/{id}"), "provider": "Google Meet",
            "answer": "accepted",
        })
        .to_string()
    };
    let header = json!({"v": 1, "fetched_at": t}).to_string();
    let text = format!(
        "{header}\n{}\n{}\n",
        line("a", t + min(3)),
        line("b", t + min(3))
    );
    std::fs::write(&path, text).unwrap();
    let joins = join_candidates(&one(&path), t).unwrap().unwrap().meetings;
    let titles: Vec<&str> = joins.iter().map(|e| &*e.title).collect();
    assert_eq!(titles, ["Old a", "Old b"]);
}

/// The binary reads every signed-in account's list without `--account` (so a bar shows the
/// personal meeting in 5 minutes), `--account` narrows to one, config `accounts` picks
/// which, and `meet_authuser = false` leaves links as written.
#[test]
fn the_binary_reads_every_accounts_list() {
    let home = Home::new("binary-accounts");
    let t = real_now();
    two_accounts(&home, t);
    sign_in_both(&home);
    let signed_in = [("MEETTY_ACCESS_TOKEN", "")];
    let merged = home.run(&["next"], &signed_in);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_eq!(
        stdout(&merged),
        "Dentist in 5 min https://meet.google.com/dnt-ssss-abc?authuser=sam%40example.org\n"
    );
    let work = home.run(&["--account", WORK, "next"], &signed_in);
    assert_eq!(
        stdout(&work),
        "? Family call in 8 min https://meet.google.com/fam-work-abc?authuser=alex%40example.com\n"
    );
    let print = home.run(&["join", "--print"], &signed_in);
    assert_eq!(
        stdout(&print),
        "https://meet.google.com/dnt-ssss-abc?authuser=sam%40example.org\n",
        "{}",
        stderr(&print)
    );
    assert!(
        stderr(&print).contains("Also now or soon: Family call (in 8 min)\n"),
        "the family call once: {}",
        stderr(&print)
    );
    std::fs::write(
        &home.paths.config_file,
        format!("accounts = [\"{WORK}\"]\nmeet_authuser = false\n"),
    )
    .unwrap();
    let configured = home.run(&["next"], &signed_in);
    assert_eq!(
        stdout(&configured),
        "? Family call in 8 min https://meet.google.com/fam-work-abc\n",
        "{}",
        stderr(&configured)
    );
}
