//! The alerts engine as the watch and the TUI run it: agendas built from Google-shaped JSON
//! through the real model, real files for what was fired and what is marked, and a clock the
//! test drives (the engine takes `now` from its caller).

mod common;

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use common::meeting;
use meetty::alerts::{Alert, Engine, Files, Kind, Mark, Marks, Rules};
use meetty::calendar::model::{Agenda, Meeting};
use meetty::config::{AutoJoin, Paths};
use serde_json::json;

const ME: &str = "alex@example.com";
/// A second calendar the user owns (a group calendar they created).
const MINE_TOO: &str = "side@group.calendar.google.com";
/// A colleague's calendar the user subscribed to (`accessRole` `reader`).
const COLLEAGUE: &str = "maria@example.com";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn home(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("meetty-alerts-{name}-{}", std::process::id()))
}

/// A fresh private home per test: its fired and marks files.
fn files(name: &str) -> Files {
    let _ = std::fs::remove_dir_all(home(name));
    files_of(name)
}

/// The files of a test's home as they are.
fn files_of(name: &str) -> Files {
    let paths = Paths::under(&home(name));
    Files {
        fired: paths.fired_file(ME),
        marks: paths.marks_file(ME),
    }
}

fn rules(notify_before: &[u32], auto_join: AutoJoin) -> Rules {
    Rules {
        notify_before: notify_before.to_vec(),
        auto_join,
        authuser: None,
    }
}

/// A meeting the user organizes, with a Meet link; `extra` adds or replaces fields.
fn call(id: &str, start: &str, end: &str, extra: serde_json::Value) -> Meeting {
    let mut ev = json!({
        "id": id, "summary": format!("Meeting {id}"),
        "start": {"dateTime": start}, "end": {"dateTime": end},
        "organizer": {"email": ME, "self": true},
        "conferenceData": {
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
            "entryPoints": [{"entryPointType": "video", "uri": format!("https://meet.google.com/{id}")}]
        }
    });
    for (k, v) in extra.as_object().unwrap() {
        ev[k] = v.clone();
    }
    meeting(ME, ev)
}

/// The usual one: 10:00–10:30 UTC.
fn sync() -> Meeting {
    call(
        "sync1",
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:30:00Z",
        json!({}),
    )
}

fn agenda(meetings: Vec<Meeting>) -> Agenda {
    let mut a = Agenda {
        calendars: vec![
            common::calendar(ME, true, true),
            common::calendar(MINE_TOO, false, true),
            common::calendar(COLLEAGUE, false, false),
        ],
        meetings,
        fetched_at: at("2026-11-23T08:00:00Z"),
        accounts: Vec::new(),
    };
    a.sort();
    a
}

fn engine(name: &str, r: Rules, meetings: Vec<Meeting>) -> Engine {
    let mut e = Engine::new(r, files(name));
    e.set_agenda(&agenda(meetings));
    e
}

/// Drives the clock from `from` to `to` (inclusive) in 10-second steps, as the alert loop
/// would at its finest, and says what was handed out when: (time taken, event id, kind).
fn run(e: &mut Engine, from: &str, to: &str) -> Vec<(DateTime<Utc>, String, Kind)> {
    let (mut now, end) = (at(from), at(to));
    let mut out = Vec::new();
    while now <= end {
        for a in e.take_due(now) {
            out.push((now, a.meeting.id.clone(), a.kind));
        }
        now += TimeDelta::seconds(10);
    }
    out
}

fn taken(list: &[(&str, &str, Kind)]) -> Vec<(DateTime<Utc>, String, Kind)> {
    list.iter()
        .map(|(t, id, k)| (at(t), id.to_string(), *k))
        .collect()
}

fn fired_keys(files: &Files) -> Vec<String> {
    let bytes = std::fs::read(&files.fired).unwrap();
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
    map.keys().cloned().collect()
}

#[test]
fn by_default_three_minutes_before_and_at_the_start() {
    let mut e = engine("default", rules(&[3], AutoJoin::Off), vec![sync()]);
    assert_eq!(e.next_at(), Some(at("2026-11-23T09:57:00Z")));
    let first = e.take_due(at("2026-11-23T09:57:00Z"));
    assert_eq!(first.len(), 1);
    let a: &Alert = &first[0];
    assert_eq!(a.key, "sync1@2026-11-23T10:00:00Z#before3");
    assert_eq!(a.kind, Kind::Before(3));
    assert_eq!(a.at, at("2026-11-23T09:57:00Z"));
    assert_eq!(a.meeting.title, "Meeting sync1");
    assert_eq!(a.meeting.link, "https://meet.google.com/sync1");
    assert_eq!(a.meeting.provider, "Google Meet");
    assert_eq!(a.meeting.calendar_id, ME);
    assert_eq!(e.next_at(), Some(at("2026-11-23T10:00:00Z")));
    assert_eq!(
        run(&mut e, "2026-11-23T09:57:00Z", "2026-11-23T11:00:00Z"),
        taken(&[("2026-11-23T10:00:00Z", "sync1", Kind::Start)])
    );
    assert_eq!(e.next_at(), None);
    assert_eq!(
        fired_keys(&files_of("default")),
        [
            "sync1@2026-11-23T10:00:00Z#before3",
            "sync1@2026-11-23T10:00:00Z#start"
        ]
    );
}

#[test]
fn each_reminder_at_its_own_time() {
    let mut e = engine("ten-one", rules(&[10, 1], AutoJoin::Off), vec![sync()]);
    assert_eq!(
        run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"),
        taken(&[
            ("2026-11-23T09:50:00Z", "sync1", Kind::Before(10)),
            ("2026-11-23T09:59:00Z", "sync1", Kind::Before(1)),
            ("2026-11-23T10:00:00Z", "sync1", Kind::Start),
        ])
    );
}

#[test]
fn zero_or_repeated_minutes_notify_once() {
    // 0 minutes before is the start notification; a minute listed twice is one reminder.
    let mut e = engine("zero", rules(&[0, 3, 3], AutoJoin::Off), vec![sync()]);
    assert_eq!(
        run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"),
        taken(&[
            ("2026-11-23T09:57:00Z", "sync1", Kind::Before(3)),
            ("2026-11-23T10:00:00Z", "sync1", Kind::Start),
        ])
    );
}

#[test]
fn no_notify_before_turns_every_notification_off_but_not_joins() {
    let mut e = engine("none", rules(&[], AutoJoin::Off), vec![sync()]);
    assert_eq!(e.next_at(), None);
    assert_eq!(
        run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"),
        []
    );
    let mut e = engine("none-join", rules(&[], AutoJoin::All), vec![sync()]);
    assert_eq!(
        run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"),
        taken(&[("2026-11-23T09:59:00Z", "sync1", Kind::Join)])
    );
}

#[test]
fn declined_all_day_linkless_and_status_events_get_nothing() {
    let declined = call(
        "declined1",
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:30:00Z",
        json!({
            "organizer": {"email": "maria@example.com"},
            "attendees": [
                {"email": "maria@example.com", "organizer": true, "responseStatus": "accepted"},
                {"email": ME, "self": true, "responseStatus": "declined"}
            ]
        }),
    );
    let all_day = meeting(
        ME,
        json!({
            "id": "offsite1", "summary": "Offsite",
            "start": {"date": "2026-11-23"}, "end": {"date": "2026-11-24"},
            "description": "https://meet.google.com/abc-defg-hij"
        }),
    );
    let linkless = meeting(
        ME,
        json!({
            "id": "lunch1", "summary": "Lunch",
            "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T11:00:00Z"},
            "location": "Cafe Mitte"
        }),
    );
    let focus = call(
        "focus1",
        "2026-11-23T10:00:00Z",
        "2026-11-23T12:00:00Z",
        json!({"eventType": "focusTime"}),
    );
    let mut e = engine(
        "nothing",
        rules(&[3], AutoJoin::All),
        vec![declined, all_day, linkless, focus],
    );
    assert_eq!(e.next_at(), None);
    assert_eq!(
        run(&mut e, "2026-11-22T23:00:00Z", "2026-11-23T13:00:00Z"),
        []
    );
}

#[test]
fn an_invitation_not_answered_yet_or_tentative_is_still_notified() {
    let invited = |id: &str, answer: &str| {
        call(
            id,
            "2026-11-23T10:00:00Z",
            "2026-11-23T10:30:00Z",
            json!({
                "organizer": {"email": "maria@example.com"},
                "attendees": [{"email": ME, "self": true, "responseStatus": answer}]
            }),
        )
    };
    let mut e = engine(
        "invited",
        rules(&[3], AutoJoin::Off),
        vec![
            invited("maybe1", "tentative"),
            invited("open1", "needsAction"),
        ],
    );
    let due = e.take_due(at("2026-11-23T09:57:00Z"));
    let ids: Vec<&str> = due.iter().map(|a| a.meeting.id.as_str()).collect();
    assert_eq!(ids, ["maybe1", "open1"]);
}

#[test]
fn a_restart_repeats_nothing() {
    let mut e = engine("restart", rules(&[3], AutoJoin::All), vec![sync()]);
    assert_eq!(e.take_due(at("2026-11-23T09:57:10Z")).len(), 1);
    drop(e);
    let mut again = Engine::new(rules(&[3], AutoJoin::All), files_of("restart"));
    again.set_agenda(&agenda(vec![sync()]));
    assert_eq!(again.next_at(), Some(at("2026-11-23T09:59:00Z")));
    assert_eq!(
        run(&mut again, "2026-11-23T09:57:20Z", "2026-11-23T10:10:00Z"),
        taken(&[
            ("2026-11-23T09:59:00Z", "sync1", Kind::Join),
            ("2026-11-23T10:00:00Z", "sync1", Kind::Start),
        ])
    );
    drop(again);
    let mut third = Engine::new(rules(&[3], AutoJoin::All), files_of("restart"));
    third.set_agenda(&agenda(vec![sync()]));
    assert_eq!(
        run(&mut third, "2026-11-23T09:57:00Z", "2026-11-23T10:10:00Z"),
        []
    );
}

#[test]
fn what_the_other_process_fired_is_not_repeated_after_a_handover() {
    // The TUI's engine exists (following) while the watch's fires; then the watch stops and
    // the TUI leads: it must not show again what the watch showed.
    let mut watch = engine("handover", rules(&[3], AutoJoin::Off), vec![sync()]);
    let mut tui = Engine::new(rules(&[3], AutoJoin::Off), files_of("handover"));
    tui.set_agenda(&agenda(vec![sync()]));
    assert_eq!(watch.take_due(at("2026-11-23T09:57:00Z")).len(), 1);
    drop(watch);
    assert_eq!(
        run(&mut tui, "2026-11-23T09:57:10Z", "2026-11-23T10:10:00Z"),
        taken(&[("2026-11-23T10:00:00Z", "sync1", Kind::Start)])
    );
}

#[test]
fn a_moved_meeting_gets_new_alerts_and_the_old_ones_never_fire() {
    let mut e = engine("moved", rules(&[3], AutoJoin::All), vec![sync()]);
    assert_eq!(e.take_due(at("2026-11-23T09:57:00Z")).len(), 1);
    let moved = call(
        "sync1",
        "2026-11-23T11:00:00Z",
        "2026-11-23T11:30:00Z",
        json!({}),
    );
    e.set_agenda(&agenda(vec![moved]));
    assert_eq!(e.next_at(), Some(at("2026-11-23T10:57:00Z")));
    let got = run(&mut e, "2026-11-23T09:58:00Z", "2026-11-23T12:00:00Z");
    assert_eq!(
        got,
        taken(&[
            ("2026-11-23T10:57:00Z", "sync1", Kind::Before(3)),
            ("2026-11-23T10:59:00Z", "sync1", Kind::Join),
            ("2026-11-23T11:00:00Z", "sync1", Kind::Start),
        ])
    );
    assert!(fired_keys(&files_of("moved")).contains(&"sync1@2026-11-23T11:00:00Z#join".into()));
}

#[test]
fn a_cancelled_or_declined_meeting_loses_its_alerts() {
    let mut e = engine("cancelled", rules(&[3], AutoJoin::All), vec![sync()]);
    assert_eq!(e.take_due(at("2026-11-23T09:57:00Z")).len(), 1);
    e.set_agenda(&agenda(Vec::new()));
    assert_eq!(e.next_at(), None);
    assert_eq!(
        run(&mut e, "2026-11-23T09:57:10Z", "2026-11-23T11:00:00Z"),
        []
    );

    let mut e = engine("declined", rules(&[3], AutoJoin::All), vec![sync()]);
    assert_eq!(e.take_due(at("2026-11-23T09:57:00Z")).len(), 1);
    let declined = call(
        "sync1",
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:30:00Z",
        json!({
            "organizer": {"email": "maria@example.com"},
            "attendees": [{"email": ME, "self": true, "responseStatus": "declined"}]
        }),
    );
    e.set_agenda(&agenda(vec![declined]));
    assert_eq!(
        run(&mut e, "2026-11-23T09:57:10Z", "2026-11-23T11:00:00Z"),
        []
    );
}

fn weekly(day: &str) -> Meeting {
    call(
        &format!("weekly1_202611{day}T100000Z"),
        &format!("2026-11-{day}T10:00:00Z"),
        &format!("2026-11-{day}T10:30:00Z"),
        json!({"recurringEventId": "weekly1"}),
    )
}

#[test]
fn a_series_occurrence_entering_the_window_gets_its_alerts() {
    let mut e = engine("series", rules(&[3], AutoJoin::Off), vec![weekly("23")]);
    assert_eq!(
        run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T12:00:00Z").len(),
        2
    );
    // The next day's sync brings the following occurrence into the window.
    e.set_agenda(&agenda(vec![weekly("23"), weekly("24")]));
    assert_eq!(e.next_at(), Some(at("2026-11-24T09:57:00Z")));
    assert_eq!(
        run(&mut e, "2026-11-24T09:00:00Z", "2026-11-24T12:00:00Z"),
        taken(&[
            (
                "2026-11-24T09:57:00Z",
                "weekly1_20261124T100000Z",
                Kind::Before(3)
            ),
            (
                "2026-11-24T10:00:00Z",
                "weekly1_20261124T100000Z",
                Kind::Start
            ),
        ])
    );
}

fn joins(e: &mut Engine, from: &str, to: &str) -> Vec<String> {
    run(e, from, to)
        .into_iter()
        .filter(|(_, _, k)| *k == Kind::Join)
        .map(|(t, id, _)| format!("{} {id}", t.format("%d %H:%M")))
        .collect()
}

#[test]
fn auto_join_off_never_joins_and_all_joins_every_meeting_a_minute_before() {
    let other = call(
        "plan1",
        "2026-11-23T14:00:00Z",
        "2026-11-23T15:00:00Z",
        json!({}),
    );
    let meetings = vec![sync(), other];
    let mut off = engine("join-off", rules(&[3], AutoJoin::Off), meetings.clone());
    assert_eq!(
        joins(&mut off, "2026-11-23T09:00:00Z", "2026-11-23T16:00:00Z"),
        Vec::<String>::new()
    );
    let mut all = engine("join-all", rules(&[3], AutoJoin::All), meetings);
    assert_eq!(
        joins(&mut all, "2026-11-23T09:00:00Z", "2026-11-23T16:00:00Z"),
        ["23 09:59 sync1", "23 13:59 plan1"]
    );
}

#[test]
fn marked_joins_follow_occurrence_and_series_marks() {
    let f = files("marked");
    let mut marks = Marks::default();
    marks.set(Mark::Occurrence("sync1".into()), true);
    marks.set(Mark::Series("weekly1".into()), true);
    marks.save(&f.marks).unwrap();
    let unmarked = call(
        "plan1",
        "2026-11-23T14:00:00Z",
        "2026-11-23T15:00:00Z",
        json!({}),
    );
    let mut e = Engine::new(rules(&[3], AutoJoin::Marked), f);
    e.set_agenda(&agenda(vec![
        sync(),
        unmarked,
        call(
            "weekly1_20261123T120000Z",
            "2026-11-23T12:00:00Z",
            "2026-11-23T12:30:00Z",
            json!({"recurringEventId": "weekly1"}),
        ),
        weekly("24"),
    ]));
    assert_eq!(
        joins(&mut e, "2026-11-23T09:00:00Z", "2026-11-24T16:00:00Z"),
        [
            "23 09:59 sync1",
            "23 11:59 weekly1_20261123T120000Z",
            "24 09:59 weekly1_20261124T100000Z"
        ]
    );
}

#[test]
fn marks_changed_while_running_are_followed() {
    let f = files("marks-live");
    let marks_file = f.marks.clone();
    let later = call(
        "plan1",
        "2026-11-23T14:00:00Z",
        "2026-11-23T15:00:00Z",
        json!({}),
    );
    let mut e = Engine::new(rules(&[3], AutoJoin::Marked), f);
    e.set_agenda(&agenda(vec![sync(), later]));
    assert_eq!(
        joins(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T09:58:00Z"),
        Vec::<String>::new()
    );
    // The TUI marks both meetings while the engine runs, then unmarks the later one.
    let mut marks = Marks::default();
    marks.set(Mark::Occurrence("sync1".into()), true);
    marks.set(Mark::Occurrence("plan1".into()), true);
    marks.save(&marks_file).unwrap();
    assert_eq!(
        joins(&mut e, "2026-11-23T09:58:10Z", "2026-11-23T12:00:00Z"),
        ["23 09:59 sync1"]
    );
    marks.set(Mark::Occurrence("plan1".into()), false);
    marks.save(&marks_file).unwrap();
    assert_eq!(
        joins(&mut e, "2026-11-23T12:00:10Z", "2026-11-23T16:00:00Z"),
        Vec::<String>::new()
    );
}

#[test]
fn a_missed_moment_is_not_shown_late() {
    // Asleep from 9:50 to 10:06: the reminder and the start are gone, nothing shows late.
    let mut e = engine("missed", rules(&[3], AutoJoin::All), vec![sync()]);
    assert_eq!(e.take_due(at("2026-11-23T10:06:00Z")), []);
    assert_eq!(e.next_at(), None);
    // Woken at 10:04: the start notification and the join are still worth it.
    let mut e = engine("late-start", rules(&[3], AutoJoin::All), vec![sync()]);
    let kinds: Vec<Kind> = e
        .take_due(at("2026-11-23T10:04:00Z"))
        .iter()
        .map(|a| a.kind)
        .collect();
    assert_eq!(kinds, [Kind::Join, Kind::Start]);
    // Never after the end, even within the 5 minutes.
    let short = call(
        "short1",
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:02:00Z",
        json!({}),
    );
    let mut e = engine("after-end", rules(&[3], AutoJoin::All), vec![short]);
    assert_eq!(e.take_due(at("2026-11-23T10:03:00Z")), []);
}

#[test]
fn woken_just_before_the_start_only_the_latest_notification_shows() {
    let mut e = engine("woken", rules(&[10, 3], AutoJoin::Off), vec![sync()]);
    let due = e.take_due(at("2026-11-23T09:58:00Z"));
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].kind, Kind::Before(3));
    // The 10-minute one is recorded too: it never shows later.
    assert_eq!(
        fired_keys(&files_of("woken")),
        [
            "sync1@2026-11-23T10:00:00Z#before10",
            "sync1@2026-11-23T10:00:00Z#before3"
        ]
    );
    assert_eq!(
        run(&mut e, "2026-11-23T09:58:10Z", "2026-11-23T11:00:00Z"),
        taken(&[("2026-11-23T10:00:00Z", "sync1", Kind::Start)])
    );
    // Another meeting's notification due at the same time is its own.
    let other = call(
        "other1",
        "2026-11-23T10:05:00Z",
        "2026-11-23T10:30:00Z",
        json!({}),
    );
    let mut e = engine(
        "woken-two",
        rules(&[10, 3], AutoJoin::Off),
        vec![sync(), other],
    );
    let due: Vec<(String, Kind)> = e
        .take_due(at("2026-11-23T09:58:00Z"))
        .into_iter()
        .map(|a| (a.meeting.id, a.kind))
        .collect();
    assert_eq!(
        due,
        [
            ("other1".to_string(), Kind::Before(10)),
            ("sync1".to_string(), Kind::Before(3))
        ]
    );
}

#[test]
fn the_same_event_on_two_calendars_alerts_once() {
    let mut shared = sync();
    shared.calendar_id = MINE_TOO.into();
    let mut e = engine("twice", rules(&[3], AutoJoin::All), vec![sync(), shared]);
    assert_eq!(
        run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z").len(),
        3
    );
}

#[test]
fn fired_keys_of_long_past_meetings_are_pruned() {
    let f = files_of("prune");
    let mut e = engine("prune", rules(&[3], AutoJoin::Off), vec![sync()]);
    run(&mut e, "2026-11-23T09:57:00Z", "2026-11-23T10:00:00Z");
    assert_eq!(fired_keys(&f).len(), 2);
    // A day later the keys are still kept (nothing is lost early)…
    e.set_agenda(&agenda(Vec::new()));
    e.take_due(at("2026-11-24T09:59:00Z"));
    assert_eq!(fired_keys(&f).len(), 2);
    // …and once the meeting started more than a day ago they go.
    e.take_due(at("2026-11-24T10:01:00Z"));
    assert_eq!(fired_keys(&f), Vec::<String>::new());
}

#[test]
fn a_damaged_fired_file_is_read_as_empty_and_rewritten() {
    let f = files("damaged");
    std::fs::create_dir_all(f.fired.parent().unwrap()).unwrap();
    std::fs::write(
        &f.fired,
        b"{\"sync1@2026-11-23T10:00:00Z#before3\": \"not a ti",
    )
    .unwrap();
    let mut e = Engine::new(rules(&[3], AutoJoin::Off), f.clone());
    e.set_agenda(&agenda(vec![sync()]));
    assert_eq!(e.take_due(at("2026-11-23T09:57:00Z")).len(), 1);
    assert_eq!(fired_keys(&f), ["sync1@2026-11-23T10:00:00Z#before3"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f.fired).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// The same event as the colleague's calendar shows it: their answer, not the user's.
fn on_colleagues_calendar(id: &str, their_answer: &str) -> Meeting {
    let ev = json!({
        "id": id, "summary": "Their meeting",
        "start": {"dateTime": "2026-11-23T10:00:00Z"}, "end": {"dateTime": "2026-11-23T10:30:00Z"},
        "organizer": {"email": "boss@example.com"},
        "hangoutLink": format!("https://meet.google.com/{id}"),
        "attendees": [
            {"email": "boss@example.com", "organizer": true, "responseStatus": "accepted"},
            {"email": COLLEAGUE, "self": true, "responseStatus": their_answer},
            {"email": ME, "responseStatus": "declined"},
        ]
    });
    meeting(COLLEAGUE, ev)
}

#[test]
fn a_meeting_on_a_colleagues_calendar_is_neither_notified_nor_joined() {
    let theirs = on_colleagues_calendar("theirs1", "accepted");
    // Nor one there without a guest list: it is the colleague's own.
    let mut private = on_colleagues_calendar("focus1", "accepted");
    private.attendees.clear();
    let mut e = engine(
        "colleague",
        rules(&[3], AutoJoin::All),
        vec![theirs, private],
    );
    assert_eq!(e.next_at(), None);
    assert_eq!(
        run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"),
        []
    );
}

#[test]
fn declined_on_my_calendar_stays_unnotified_whatever_the_colleagues_copy_says() {
    let mine = call(
        "shared1",
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:30:00Z",
        json!({
            "organizer": {"email": "boss@example.com"},
            "attendees": [
                {"email": COLLEAGUE, "responseStatus": "accepted"},
                {"email": ME, "self": true, "responseStatus": "declined"},
            ]
        }),
    );
    let theirs = on_colleagues_calendar("shared1", "accepted");
    // Whichever copy comes first in the agenda.
    for (name, meetings) in [
        ("declined-mine-first", vec![mine.clone(), theirs.clone()]),
        ("declined-theirs-first", vec![theirs, mine]),
    ] {
        let mut e = engine(name, rules(&[3], AutoJoin::All), meetings);
        assert_eq!(
            run(&mut e, "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"),
            [],
            "{name}"
        );
    }
}

/// A Meet link's notification buttons and scheduled join carry the account's `authuser`
/// (config `meet_authuser`, on by default), so the browser joins as the account the meeting
/// is on; `meet_authuser = false`, a session without an e-mail, or another service's link
/// leave the link as written.
#[test]
fn alerts_carry_the_accounts_authuser_on_meet_links() {
    let on = meetty::config::Config::parse(None).unwrap();
    let off = meetty::config::Config::parse(Some("meet_authuser = false\n")).unwrap();
    assert_eq!(Rules::of(&on, ME).authuser.as_deref(), Some(ME));
    assert_eq!(Rules::of(&off, ME).authuser, None);
    assert_eq!(Rules::of(&on, "sandbox").authuser, None, "no e-mail");
    let meet = call(
        "abc-defg-hij",
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:30:00Z",
        json!({}),
    );
    let zoom = call(
        "zoom1",
        "2026-11-23T11:00:00Z",
        "2026-11-23T11:30:00Z",
        json!({"conferenceData": null, "location": "https://acme.zoom.us/j/123456789"}),
    );
    let links = |config: &meetty::config::Config| -> Vec<(Kind, String)> {
        let r = Rules {
            auto_join: AutoJoin::All,
            ..Rules::of(config, ME)
        };
        let mut e = engine("authuser", r, vec![meet.clone(), zoom.clone()]);
        let mut due = e.take_due(at("2026-11-23T09:59:00Z"));
        due.extend(e.take_due(at("2026-11-23T10:59:00Z")));
        due.into_iter().map(|a| (a.kind, a.meeting.link)).collect()
    };
    let meet_as_me = "https://meet.google.com/abc-defg-hij?authuser=alex%40example.com";
    let zoom_link = "https://acme.zoom.us/j/123456789";
    let expect = |meet_link: &str| {
        [
            (Kind::Before(3), meet_link.to_string()),
            (Kind::Join, meet_link.to_string()),
            (Kind::Before(3), zoom_link.to_string()),
            (Kind::Join, zoom_link.to_string()),
        ]
    };
    assert_eq!(links(&on), expect(meet_as_me));
    assert_eq!(links(&off), expect("https://meet.google.com/abc-defg-hij"));
}
