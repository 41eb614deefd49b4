//! Find a time from the form: what is asked of Google (once per change of guests, not per
//! key), the slots where everyone can meet, moving between them, and taking one as the start.

mod common;

use common::*;
use meetty::action::{Action, Effect};
use meetty::app::{Answer, Mode, Overlay};
use meetty::calendar::freebusy::{FreeBusy, Interval, Lane};
use meetty::compose::{Field, Note};
use ratatui::crossterm::event::KeyCode;

fn view(app: &meetty::app::App) -> &meetty::app::FindTime {
    match app.screen.top() {
        Some(Overlay::FindTime(v)) => v,
        other => panic!("find a time is not open: {other:?}"),
    }
}

/// The test agenda's new-meeting form (Quick Sync) with `guests`.
fn form_with(guests: &str) -> meetty::app::App {
    let mut app = app();
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    set(&mut app, Field::Guests, guests);
    app
}

/// Ctrl-F: the request id of the free/busy query it sends.
fn ask(app: &mut meetty::app::App) -> u64 {
    match app.update(ctrl('f')).pop() {
        Some(Effect::FreeBusy { req, .. }) => req,
        other => panic!("Ctrl-F asks Google who is free: {other:?}"),
    }
}

fn answer(app: &mut meetty::app::App, req: u64, busy: FreeBusy) {
    app.update(Action::FreeBusy {
        req,
        result: Ok(busy),
    });
}

fn selected_start(app: &meetty::app::App) -> chrono::DateTime<chrono::Utc> {
    view(app).selected_slot().expect("a slot").start
}

#[test]
fn ctrl_f_asks_google_once_for_your_calendars_and_every_guest() {
    let mut app = form_with("kim@example.com, lee@example.com");
    let effects = app.update(ctrl('f'));
    let [Effect::FreeBusy { req, query, .. }] = effects.as_slice() else {
        panic!("one free/busy query: {effects:?}")
    };
    assert_eq!(
        query.ids,
        [
            "alex@example.com",
            "team@group.calendar.google.com",
            "kim@example.com",
            "lee@example.com"
        ],
        "your selected calendars, then every guest"
    );
    assert_eq!(
        query.from,
        at("2026-11-23T09:15:00Z"),
        "the next quarter hour"
    );
    assert_eq!(
        query.to,
        at("2026-11-27T16:30:00Z"),
        "to the end of the fifth working day, Friday 17:30 Berlin"
    );
    assert_eq!(query.tz, tz());
    assert_eq!(app.mode(), Mode::FindTime);
    assert_eq!(view(&app).answer, Answer::Asking { req: *req });
    assert!(
        press(&mut app, "ll][").is_empty(),
        "keys while asking ask nothing more"
    );
}

#[test]
fn slots_avoid_everyone_known_and_say_who_was_left_out() {
    let app = finding_a_time();
    let v = view(&app);
    // You are busy until 11:00 Berlin, kim until 11:30: a 30-minute slot fits at 11:30.
    assert_eq!(
        v.slots()[0],
        Interval::new(at("2026-11-23T10:30:00Z"), at("2026-11-23T11:00:00Z"))
    );
    let Answer::Ready { slots, lanes, .. } = &v.answer else {
        panic!("{:?}", v.answer)
    };
    assert_eq!(slots.without, ["lee@example.com"]);
    let names: Vec<&str> = lanes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["you", "kim@example.com", "lee@example.com"]);
    // The last slot of the day ends at 17:30 Berlin.
    let monday_last = v
        .slots()
        .iter()
        .rfind(|s| s.start < at("2026-11-24T00:00:00Z"))
        .unwrap();
    assert_eq!(monday_last.start, at("2026-11-23T16:00:00Z"));
}

#[test]
fn keys_move_by_slot_and_by_day_and_enter_takes_the_slot_into_start() {
    let mut app = finding_a_time();
    press(&mut app, "l");
    assert_eq!(selected_start(&app), at("2026-11-23T10:45:00Z"));
    press(&mut app, "h");
    press(&mut app, "h");
    assert_eq!(
        selected_start(&app),
        at("2026-11-23T10:30:00Z"),
        "no further back"
    );
    press(&mut app, "]");
    assert_eq!(
        selected_start(&app),
        at("2026-11-24T08:00:00Z"),
        "Tuesday 09:00 Berlin"
    );
    press(&mut app, "]");
    assert_eq!(selected_start(&app), at("2026-11-25T08:00:00Z"));
    press(&mut app, "[");
    assert_eq!(selected_start(&app), at("2026-11-24T08:00:00Z"));
    press(&mut app, "l");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::Form, "back to the form");
    let form = app.form().unwrap();
    assert_eq!(form.draft().start, "2026-11-24 09:15");
    assert_eq!(form.focused().field, Field::Start);
    match note(&app, Field::Start) {
        Some(Note::Hint(h)) => assert!(h.contains("Tue 24 Nov 09:15"), "{h}"),
        other => panic!("the start note says what was read: {other:?}"),
    }
}

#[test]
fn the_same_guests_ask_nothing_again_and_changed_guests_ask_again() {
    let mut app = finding_a_time();
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Form);
    assert!(app.update(ctrl('f')).is_empty(), "the answer is reused");
    assert!(matches!(view(&app).answer, Answer::Ready { .. }));
    app.update(key(KeyCode::Esc));
    // A longer meeting needs no new answer either: only the slots change.
    set(&mut app, Field::Length, "2h");
    assert!(app.update(ctrl('f')).is_empty());
    assert_eq!(view(&app).duration, chrono::Duration::hours(2));
    assert_eq!(selected_start(&app), at("2026-11-23T10:30:00Z"));
    app.update(key(KeyCode::Esc));
    set(&mut app, Field::Guests, "kim@example.com");
    let effects = app.update(ctrl('f'));
    let [Effect::FreeBusy { query, .. }] = effects.as_slice() else {
        panic!("a new guest list is a new question: {effects:?}")
    };
    assert_eq!(query.ids.last().unwrap(), "kim@example.com");
}

#[test]
fn a_superseded_answer_is_dropped() {
    let mut app = form_with("lee@example.com");
    let Some(Effect::FreeBusy { req: old, .. }) = app.update(ctrl('f')).pop() else {
        panic!()
    };
    app.update(key(KeyCode::Esc));
    set(&mut app, Field::Guests, "kim@example.com");
    let Some(Effect::FreeBusy { req: new, .. }) = app.update(ctrl('f')).pop() else {
        panic!()
    };
    app.update(Action::FreeBusy {
        req: old,
        result: Ok(FreeBusy::default()),
    });
    assert_eq!(view(&app).answer, Answer::Asking { req: new });
    app.update(Action::FreeBusy {
        req: new,
        result: Err(meetty::calendar::error::ApiError::Network(
            "timed out".into(),
        )),
    });
    let Answer::Failed(why) = &view(&app).answer else {
        panic!()
    };
    assert!(why.contains("Could not ask Google who is free"), "{why}");
    assert!(press(&mut app, "l").is_empty());
    app.update(key(KeyCode::Enter));
    assert!(app.toast.as_ref().unwrap().text.contains("No free slot"));
}

#[test]
fn a_group_is_busy_when_its_members_are() {
    let mut app = form_with("team@example.com");
    set(&mut app, Field::Length, "30m");
    let req = ask(&mut app);
    let mut busy = free_busy();
    busy.groups.insert(
        "team@example.com".into(),
        vec!["kim@example.com".into(), "lee@example.com".into()],
    );
    answer(&mut app, req, busy);
    // kim (a member) is busy until 11:30: the group is too.
    assert_eq!(selected_start(&app), at("2026-11-23T10:30:00Z"));
    let Answer::Ready { lanes, .. } = &view(&app).answer else {
        panic!()
    };
    assert!(
        matches!(&lanes[1], (who, Lane::Busy(b)) if who == "team@example.com" && !b.is_empty())
    );
}

#[test]
fn an_answer_that_arrives_under_help_is_kept() {
    let mut app = form_with("kim@example.com");
    let req = ask(&mut app);
    press(&mut app, "?");
    assert_eq!(app.mode(), Mode::Help);
    answer(&mut app, req, free_busy());
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::FindTime);
    assert!(
        matches!(view(&app).answer, Answer::Ready { .. }),
        "{:?}",
        view(&app).answer
    );
    app.update(key(KeyCode::Esc));
    assert!(
        app.update(ctrl('f')).is_empty(),
        "and remembered for next time"
    );
}

#[test]
fn closing_while_google_is_asked_stops_the_query() {
    let mut app = app();
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    let Some(Effect::FreeBusy { .. }) = app.update(ctrl('f')).pop() else {
        panic!()
    };
    assert_eq!(app.update(key(KeyCode::Esc)), vec![Effect::CancelFreeBusy]);
    assert_eq!(app.mode(), Mode::Form);
}

#[test]
fn taking_a_slot_when_the_length_is_an_end_time_keeps_the_meeting_as_long() {
    let mut app = app();
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    set(&mut app, Field::Start, "14:00");
    set(&mut app, Field::Length, "15:00");
    set(&mut app, Field::Guests, "kim@example.com");
    let req = ask(&mut app);
    assert_eq!(view(&app).duration, chrono::Duration::hours(1));
    answer(&mut app, req, free_busy());
    app.update(key(KeyCode::Enter));
    let draft = app.form().unwrap().draft();
    assert_eq!(draft.start, "2026-11-23 11:30");
    assert_eq!(draft.length, "1 h", "the end time became the slot's length");
    match note(&app, Field::Length) {
        Some(Note::Hint(h)) => assert!(h.contains("12:30"), "{h}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_day_nobody_can_meet_is_still_listed() {
    let mut app = form_with("kim@example.com");
    let req = ask(&mut app);
    let mut busy = free_busy();
    busy.lanes.insert(
        "kim@example.com".into(),
        Lane::Busy(vec![Interval::new(
            at("2026-11-24T00:00:00Z"),
            at("2026-11-25T00:00:00Z"),
        )]),
    );
    answer(&mut app, req, busy);
    let v = view(&app);
    assert_eq!(v.days.len(), 5);
    assert!(!v
        .slots()
        .iter()
        .any(|s| s.start.date_naive().to_string() == "2026-11-24"));
    let screen = {
        let buf = meetty::screenshots::render(&app, 120, 35);
        (0..35)
            .map(|y| (0..120).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(screen.contains("Tue 24 (0)"), "{screen}");
}

#[test]
fn a_meeting_longer_than_the_working_day_asks_google_nothing_and_says_why() {
    let mut app = app();
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    set(&mut app, Field::Length, "9h");
    assert!(app.update(ctrl('f')).is_empty(), "nothing to ask");
    let Answer::Failed(why) = &view(&app).answer else {
        panic!("{:?}", view(&app).answer)
    };
    assert!(
        why.contains("longer than your working hours 09:00–17:30"),
        "{why}"
    );
}
