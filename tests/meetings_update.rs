//! Making, changing and cancelling meetings through `App::update`: the picker, the form's
//! validation, the confirm dialogs, the effects sent to Google, and what the agenda shows
//! when Google answers (or refuses).

mod common;

use chrono::{Duration, TimeZone};
use common::*;
use meetty::action::{Action, Effect};
use meetty::app::{App, Confirm, Mode};
use meetty::calendar::answer::{Answer, Respond};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{Agenda, CalendarInfo, Meeting, Rsvp, SendUpdates};
use meetty::calendar::ops::{WriteOp, Written};
use meetty::calendar::write::{Conference, Created, NewConference, NewEvent, Progress};
use meetty::compose::{Field, MeetChoice, Note};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

/// The common agenda plus a calendar without Meet, a read-only one, and a weekly series the
/// user organizes with a guest.
fn agenda_plus() -> Agenda {
    let mut a = agenda();
    a.calendars.push(CalendarInfo {
        id: "nomeet@group.calendar.google.com".into(),
        name: "Room bookings".into(),
        color: None,
        primary: false,
        selected: true,
        writable: true,
        meet_allowed: false,
        owned: true,
        account: 0,
    });
    a.calendars.push(CalendarInfo {
        id: "holidays".into(),
        name: "Holidays".into(),
        color: None,
        primary: false,
        selected: true,
        writable: false,
        meet_allowed: false,
        owned: false,
        account: 0,
    });
    for (id, day) in [
        ("weekly_20261123T130000Z", 23),
        ("weekly_20261124T130000Z", 24),
    ] {
        let ev = json!({
            "id": id, "summary": "1:1 Kim", "recurringEventId": "weekly",
            "start": {"dateTime": format!("2026-11-{day}T13:00:00Z")},
            "end": {"dateTime": format!("2026-11-{day}T13:30:00Z")},
            "organizer": {"email": "alex@example.com", "self": true},
            "attendees": [
                {"email": "alex@example.com", "organizer": true, "self": true, "responseStatus": "accepted"},
                {"email": "kim@partner.org", "responseStatus": "accepted"}
            ],
            "conferenceData": {"conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/kim-kimk-kim"}]}
        })
        .to_string();
        a.meetings.push(
            Meeting::from_event("alex@example.com", &serde_json::from_str(&ev).unwrap()).unwrap(),
        );
    }
    // Lunch is on the user's own calendar, without a link: theirs to add one to.
    for m in a.meetings.iter_mut().filter(|m| m.id == "lunch1") {
        m.i_organize = true;
    }
    a.sort();
    a
}

fn app_plus() -> App {
    App::new(
        meetty::screenshots::demo_settings(tz()),
        Some(agenda_plus()),
        now(),
    )
}

fn create_op(effects: &[Effect]) -> (u64, String, NewEvent) {
    match effects {
        [Effect::Write {
            req,
            op: WriteOp::Create { calendar, event },
            ..
        }] => (*req, calendar.clone(), (**event).clone()),
        other => panic!("expected one create, got {other:?}"),
    }
}

/// `n`, then the template with number `pick` (1-based), then a title.
fn open_form(app: &mut App, pick: char, title: &str) {
    press(app, "n");
    assert_eq!(app.mode(), Mode::Picker);
    app.update(ch(pick));
    assert_eq!(app.mode(), Mode::Form);
    type_text(app, title);
}

fn berlin(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono_tz::Tz> {
    tz().with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

#[test]
fn n_offers_the_four_templates_and_standup_fills_the_form() {
    let mut app = app_plus();
    press(&mut app, "n");
    let names: Vec<&str> = app
        .settings
        .templates
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["Quick Sync", "Standup", "Client Demo", "Blank"]);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    let form = app.form().unwrap();
    assert_eq!(form.template, "Standup");
    let d = form.draft();
    assert_eq!(d.length, "30m");
    assert_eq!(d.recurrence, "weekdays");
    assert_eq!(d.meet, MeetChoice::New);
    assert_eq!(d.calendar, "alex@example.com", "primary resolves to its id");
    assert_eq!(d.zone, "Europe/Berlin");
    assert_eq!(d.start, "10:15", "the next quarter hour in Berlin");
}

#[test]
fn typing_q_in_the_title_is_text_and_ctrl_s_creates_with_everything_google_needs() {
    let mut app = app_plus();
    open_form(&mut app, '2', "quarterly sync");
    assert!(!app.quit);
    set(&mut app, Field::Start, "tomorrow 9");
    set(&mut app, Field::Guests, "kim@partner.org, sam@example.com");
    let (_, calendar, ev) = create_op(&app.update(ctrl('s')));
    assert_eq!(calendar, "alex@example.com");
    assert_eq!(ev.title, "quarterly sync");
    assert_eq!(ev.start, berlin(2026, 11, 24, 9, 0));
    assert_eq!(ev.end - ev.start, Duration::minutes(30));
    assert_eq!(ev.recurrence, ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]);
    assert_eq!(ev.attendees, ["kim@partner.org", "sam@example.com"]);
    assert_eq!(ev.conference, NewConference::Meet);
    assert_eq!(ev.send_updates, SendUpdates::All);
    assert!(ev.id.len() >= 5 && ev.id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='v')));
    let form = app.form().unwrap();
    assert!(form.submitting.is_some(), "the form waits for Google");
    assert!(
        !app.writes.is_empty(),
        "the status bar has something to show"
    );
}

#[test]
fn enter_moves_to_the_next_field_and_creates_only_on_the_last() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Sync");
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert_eq!(app.form().unwrap().focused().field, Field::Start);
    let last = app.form().unwrap().fields.len() - 1;
    app.form_mut().unwrap().focus = last;
    let (_, _, ev) = create_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        ev.end - ev.start,
        Duration::minutes(15),
        "Quick Sync is 15 min"
    );
}

#[test]
fn invalid_fields_say_what_is_wrong_and_nothing_is_sent() {
    let mut app = app_plus();
    open_form(&mut app, '4', "");
    set(&mut app, Field::Guests, "kim@partner.org bob@");
    set(&mut app, Field::Zone, "Mars/Olympus");
    set(&mut app, Field::Length, "13:00");
    set(&mut app, Field::Start, "14:00");
    assert!(app.update(ctrl('s')).is_empty());
    let form = app.form().unwrap();
    assert_eq!(
        form.focused().field,
        Field::Title,
        "focus goes to the first bad field"
    );
    assert!(form
        .error
        .as_deref()
        .unwrap()
        .contains("fields marked in red"));
    let err = |f| match note(&app, f) {
        Some(Note::Error(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(err(Field::Title).contains("title"));
    assert!(err(Field::Guests).contains("bob@"));
    assert!(err(Field::Zone).contains("Mars/Olympus"));
    assert!(
        err(Field::Length).contains("not after the start"),
        "{}",
        err(Field::Length)
    );
}

#[test]
fn the_start_shows_what_it_was_read_as_while_typing() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Sync");
    set(&mut app, Field::Start, "mon 10:00");
    match note(&app, Field::Start) {
        Some(Note::Hint(h)) => assert!(h.contains("Mon 30 Nov 10:00"), "{h}"),
        other => panic!("{other:?}"),
    }
    set(&mut app, Field::Start, "tomorow 9");
    assert!(matches!(note(&app, Field::Start), Some(Note::Error(_))));
}

#[test]
fn a_start_in_the_past_asks_first() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Late");
    set(&mut app, Field::Start, "08:00");
    assert!(app.update(ctrl('s')).is_empty());
    assert_eq!(app.confirm(), Some(&Confirm::PastStart));
    press(&mut app, "n");
    assert_eq!(app.mode(), Mode::Form, "no goes back to the form");
    app.update(ctrl('s'));
    let (_, _, ev) = create_op(&press(&mut app, "y"));
    assert_eq!(ev.start, berlin(2026, 11, 23, 8, 0));
}

#[test]
fn esc_asks_before_throwing_typed_text_away() {
    let mut app = app_plus();
    press(&mut app, "n");
    app.update(ch('1'));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Agenda, "an untouched form just closes");

    open_form(&mut app, '1', "Keep me");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.confirm(), Some(&Confirm::Discard));
    press(&mut app, "n");
    assert_eq!(app.form().unwrap().draft().title, "Keep me");
    app.update(key(KeyCode::Esc));
    press(&mut app, "y");
    assert!(app.form().is_none());
    assert_eq!(app.mode(), Mode::Agenda);
}

#[test]
fn a_calendar_without_meet_is_named_before_sending_and_can_go_without_a_link() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Room check");
    focus(&mut app, Field::Calendar);
    // Right cycles through writable calendars only: the read-only one never shows.
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(app.form().unwrap().draft().calendar);
        app.update(key(KeyCode::Right));
    }
    assert!(!seen.contains(&"holidays".to_string()), "{seen:?}");
    while app.form().unwrap().draft().calendar != "nomeet@group.calendar.google.com" {
        app.update(key(KeyCode::Right));
    }
    assert!(matches!(note(&app, Field::Meet), Some(Note::Hint(h)) if h.contains("does not allow")));
    assert!(app.update(ctrl('s')).is_empty());
    assert_eq!(
        app.confirm(),
        Some(&Confirm::NoMeet {
            calendar: "Room bookings".into()
        })
    );
    let (_, calendar, ev) = create_op(&press(&mut app, "y"));
    assert_eq!(calendar, "nomeet@group.calendar.google.com");
    assert_eq!(ev.conference, NewConference::None);
}

#[test]
fn a_refused_create_keeps_the_form_and_a_retry_uses_the_same_event_id() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Flaky wifi");
    let (req, _, first) = create_op(&app.update(ctrl('s')));
    app.update(Action::Wrote {
        req,
        result: Err(ApiError::Network("connection reset".into())),
    });
    let form = app.form().expect("the form stays");
    assert_eq!(form.draft().title, "Flaky wifi");
    assert!(form.submitting.is_none());
    let error = form.error.as_deref().unwrap();
    assert!(
        error.contains("cannot reach") && error.contains("trying again is safe"),
        "{error}"
    );
    let (_, _, second) = create_op(&app.update(ctrl('s')));
    assert_eq!(
        first.id, second.id,
        "a twin is impossible: Google answers 409"
    );
    app.update(ctrl('c'));
    assert!(app.quit, "Ctrl-C quits even while Google works");
    app.quit = false;

    // The next form gets a new id.
    let (req, ..) = (app.form().unwrap().submitting.as_ref().unwrap().req,);
    app.update(Action::Wrote {
        req,
        result: Err(ApiError::Network("still down".into())),
    });
    app.update(key(KeyCode::Esc));
    press(&mut app, "y");
    open_form(&mut app, '1', "Other");
    let (_, _, third) = create_op(&app.update(ctrl('s')));
    assert_ne!(third.id, first.id);
}

fn created(ev: &NewEvent, calendar: &str, link: &str) -> Written {
    let json = json!({
        "id": ev.id, "summary": ev.title,
        "start": {"dateTime": ev.start.to_rfc3339()}, "end": {"dateTime": ev.end.to_rfc3339()},
        "organizer": {"email": "alex@example.com", "self": true},
        "conferenceData": {"conferenceSolution": {"key": {"type": "hangoutsMeet"}},
            "entryPoints": [{"entryPointType": "video", "uri": link}]}
    })
    .to_string();
    let meeting = Meeting::from_event(calendar, &serde_json::from_str(&json).unwrap()).unwrap();
    Written::Created(Box::new(Created {
        meeting,
        conference: Conference::Ready(link.into()),
    }))
}

/// A meeting saved without its Meet link says why and names the key that adds one, as bound.
#[test]
fn a_meeting_saved_without_its_link_names_the_add_meet_key() {
    let mut settings = meetty::screenshots::demo_settings(tz());
    let config = "[keys.agenda]\nadd_meet = [\"M\"]\n";
    settings.keymap = meetty::config::Config::parse(Some(config)).unwrap().keymap;
    let mut app = App::new(settings, Some(agenda_plus()), now());
    open_form(&mut app, '1', "Fresh");
    set(&mut app, Field::Start, "16:00");
    let (req, calendar, ev) = create_op(&app.update(ctrl('s')));
    let Written::Created(mut c) = created(&ev, &calendar, "https://meet.google.com/x") else {
        unreachable!()
    };
    c.conference = Conference::Failed("Google Meet could not add a link".into());
    app.update(Action::Wrote {
        req,
        result: Ok(Written::Created(c)),
    });
    let toast = app.toast.as_ref().unwrap();
    assert!(toast.error, "{}", toast.text);
    assert!(
        toast.text.contains("could not add a link") && toast.text.contains("press M to try again"),
        "{}",
        toast.text
    );
}

#[test]
fn a_created_meeting_is_selected_its_link_copied_and_announced() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Fresh");
    set(&mut app, Field::Start, "16:00");
    let (req, calendar, ev) = create_op(&app.update(ctrl('s')));
    app.update(Action::WriteProgress {
        req,
        progress: Progress::CreatingMeetLink { attempt: 1 },
    });
    let status = &app.form().unwrap().submitting.as_ref().unwrap().status;
    assert!(status.contains("Meet link"), "{status}");

    let link = "https://meet.google.com/new-mtng-abc";
    let effects = app.update(Action::Wrote {
        req,
        result: Ok(created(&ev, &calendar, link)),
    });
    assert!(app.form().is_none());
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(app.selected_meeting().unwrap().title, "Fresh");
    assert!(effects.contains(&Effect::Copy {
        text: link.into(),
        what: "the Meet link of \u{201c}Fresh\u{201d}".into()
    }));
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveCache(_))));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Refresh { .. })),
        "Google's view follows, superseding any older refresh"
    );
    assert!(app.toast.as_ref().unwrap().text.contains(link));
    assert!(app.writes.is_empty());
}

#[test]
fn copy_on_create_off_shows_the_link_without_copying() {
    let mut app = app_plus();
    app.settings.copy_on_create = false;
    open_form(&mut app, '1', "No copy");
    let (req, calendar, ev) = create_op(&app.update(ctrl('s')));
    let effects = app.update(Action::Wrote {
        req,
        result: Ok(created(
            &ev,
            &calendar,
            "https://meet.google.com/aaa-bbbb-ccc",
        )),
    });
    assert!(!effects.iter().any(|e| matches!(e, Effect::Copy { .. })));
    assert!(app.toast.as_ref().unwrap().text.contains("aaa-bbbb-ccc"));
}

#[test]
fn client_demo_asks_for_the_client_and_fills_title_and_description() {
    let mut app = app_plus();
    press(&mut app, "n");
    app.update(ch('3'));
    assert!(app
        .form()
        .unwrap()
        .fields
        .iter()
        .any(|f| f.field == Field::Var("client".into())));
    assert!(
        app.update(ctrl('s')).is_empty(),
        "{{client}} must be filled"
    );
    set(&mut app, Field::Var("client".into()), "Acme");
    set(&mut app, Field::Start, "2026-12-01 15:00");
    let (_, _, ev) = create_op(&app.update(ctrl('s')));
    assert!(
        ev.title.contains("Acme") && !ev.title.contains('{'),
        "{}",
        ev.title
    );
    assert!(ev.description.contains("Acme"), "{}", ev.description);
    assert!(ev.description.contains("2026-12-01"), "{}", ev.description);
    assert_eq!(ev.end - ev.start, Duration::minutes(60));
}

#[test]
fn free_accounts_are_warned_about_long_group_calls_without_being_blocked() {
    let mut app = app_plus();
    app.settings.account = Some("alex@gmail.com".into());
    open_form(&mut app, '1', "Long one");
    set(&mut app, Field::Length, "90m");
    set(&mut app, Field::Guests, "a@example.com b@example.com");
    let warnings = app.form().unwrap().checked.warnings.clone();
    assert!(
        warnings.iter().any(|w| w.contains("60 minutes")),
        "{warnings:?}"
    );
    assert_eq!(create_op(&app.update(ctrl('s'))).2.title, "Long one");

    let mut app = app_plus();
    app.settings.account = Some("alex@company.com".into());
    open_form(&mut app, '1', "Long one");
    set(&mut app, Field::Length, "90m");
    set(&mut app, Field::Guests, "a@example.com b@example.com");
    // (The time may overlap a meeting in the agenda: that warning is not the account's.)
    let warnings = &app.form().unwrap().checked.warnings;
    assert!(
        !warnings.iter().any(|w| w.contains("60 minutes")),
        "{warnings:?}"
    );
}

#[test]
fn pasted_guests_land_in_the_field() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Paste");
    focus(&mut app, Field::Guests);
    app.update(Action::Paste("kim@partner.org,\nlee@example.com".into()));
    let (_, _, ev) = create_op(&app.update(ctrl('s')));
    assert_eq!(ev.attendees, ["kim@partner.org", "lee@example.com"]);
}

fn titles(app: &App) -> Vec<String> {
    app.agenda
        .as_ref()
        .unwrap()
        .meetings
        .iter()
        .map(|m| m.title.clone())
        .collect()
}

#[test]
fn d_on_my_recurring_meeting_cancels_this_or_all_occurrences_and_rolls_back_on_refusal() {
    let mut app = app_plus();
    select(&mut app, "1:1 Kim");
    press(&mut app, "d");
    let Some(Confirm::Cancel(dialog)) = app.confirm().cloned() else {
        panic!("{:?}", app.confirm())
    };
    assert!(dialog.has_guests);
    assert_eq!(dialog.series_id.as_deref(), Some("weekly"));
    // Row 0: e-mail (default all); row 1: which occurrences.
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Right));
    let effects = press(&mut app, "y");
    let [Effect::Write { req, op, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        op,
        &WriteOp::Cancel {
            calendar: "alex@example.com".into(),
            event_id: "weekly".into(),
            send: SendUpdates::All
        }
    );
    assert!(
        !titles(&app).contains(&"1:1 Kim".to_string()),
        "gone at once"
    );
    app.update(Action::Wrote {
        req: *req,
        result: Err(ApiError::Google {
            code: 403,
            reason: "forbidden".into(),
            message: "Forbidden".into(),
        }),
    });
    assert_eq!(
        titles(&app).iter().filter(|t| *t == "1:1 Kim").count(),
        2,
        "back again"
    );
    let toast = app.toast.as_ref().unwrap();
    assert!(toast.error && toast.text.contains("403"), "{toast:?}");
}

#[test]
fn d_cancels_one_occurrence_quietly_when_asked() {
    let mut app = app_plus();
    select(&mut app, "1:1 Kim");
    press(&mut app, "d");
    app.update(key(KeyCode::Left)); // all → nobody
    let effects = app.update(key(KeyCode::Enter));
    let [Effect::Write { req, op, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        op,
        &WriteOp::Cancel {
            calendar: "alex@example.com".into(),
            event_id: "weekly_20261123T130000Z".into(),
            send: SendUpdates::None
        }
    );
    assert_eq!(titles(&app).iter().filter(|t| *t == "1:1 Kim").count(), 1);
    app.update(Action::Wrote {
        req: *req,
        result: Ok(Written::Cancelled),
    });
    assert_eq!(titles(&app).iter().filter(|t| *t == "1:1 Kim").count(), 1);
}

#[test]
fn d_on_someone_elses_meeting_declines_only_my_answer() {
    let mut app = app_plus();
    select(&mut app, "Platform standup");
    press(&mut app, "d");
    assert!(matches!(app.confirm(), Some(Confirm::Decline(_))));
    let effects = press(&mut app, "y");
    let [Effect::Write { req, op, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    // Through the answer path: only the user's own entry, the organizer told.
    assert_eq!(
        op,
        &WriteOp::Respond(Box::new(Respond {
            calendar: "alex@example.com".into(),
            event_id: "standup1".into(),
            email: "alex@example.com".into(),
            answer: Answer {
                rsvp: Rsvp::Declined,
                note: None,
                notify: true,
            },
        }))
    );
    let me = |app: &App| {
        let m = app
            .agenda
            .as_ref()
            .unwrap()
            .meetings
            .iter()
            .find(|m| m.id == "standup1")
            .unwrap()
            .clone();
        m.attendees.iter().find(|a| a.is_self).unwrap().rsvp
    };
    assert_eq!(me(&app), Rsvp::Declined, "shown at once");
    app.update(Action::Wrote {
        req: *req,
        result: Err(ApiError::Network("offline".into())),
    });
    assert_eq!(me(&app), Rsvp::Accepted, "rolled back");
}

#[test]
fn m_adds_a_meet_link_only_where_there_is_no_video_link() {
    let mut app = app_plus();
    select(&mut app, "Design review");
    assert!(press(&mut app, "m").is_empty(), "it has a Zoom link");
    assert!(app.toast.as_ref().unwrap().text.contains("Zoom"));
    press(&mut app, "a"); // events without a video link show too
    select(&mut app, "Lunch with Sam");
    let effects = press(&mut app, "m");
    assert_eq!(
        effects,
        [Effect::Write {
            req: match &effects[0] {
                Effect::Write { req, .. } => *req,
                _ => unreachable!(),
            },
            account: 0,
            op: WriteOp::AddMeet {
                calendar: "alex@example.com".into(),
                event_id: "lunch1".into(),
                send: SendUpdates::None
            }
        }]
    );
}

#[test]
fn x_asks_then_removes_the_meet_link_telling_guests() {
    let mut app = app_plus();
    select(&mut app, "Platform standup");
    assert!(press(&mut app, "x").is_empty());
    assert_eq!(
        app.confirm(),
        None,
        "Maria's meeting: only she changes its link"
    );
    assert!(app
        .toast
        .as_ref()
        .unwrap()
        .text
        .contains("Only the organizer"));
    select(&mut app, "1:1 Kim");
    assert!(press(&mut app, "x").is_empty());
    assert!(matches!(app.confirm(), Some(Confirm::RemoveMeet(_))));
    let effects = press(&mut app, "y");
    assert!(matches!(
        effects.as_slice(),
        [Effect::Write {
            op: WriteOp::RemoveMeet { event_id, send: SendUpdates::All, .. },
            ..
        }] if event_id == "weekly_20261123T130000Z"
    ));
}

#[test]
fn capital_n_makes_an_instant_link_and_copies_it() {
    let mut app = app_plus();
    let effects = press(&mut app, "N");
    let [Effect::Write { req, op, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(matches!(op, WriteOp::InstantLink { calendar, .. } if calendar == "primary"));
    let url = "https://meet.google.com/ins-tant-lnk";
    let effects = app.update(Action::Wrote {
        req: *req,
        result: Ok(Written::InstantLink(url.into())),
    });
    assert_eq!(
        effects,
        [Effect::Copy {
            text: url.into(),
            what: format!("instant Meet link {url}")
        }]
    );
}

/// A Meet link the TUI makes is copied as `y` copies one: with `authuser=<the account that
/// made it>` (config `meet_authuser`), for `N` through the default calendar's account and
/// for a new meeting through the account whose calendar it is on.
#[test]
fn new_meet_links_are_copied_with_the_authuser_of_the_account_that_made_them() {
    use meetty::calendar::model::AccountState;
    use std::sync::Arc;
    let personal = "sam@example.org";
    let state = |email: &str| AccountState {
        email: email.into(),
        label: email[..1].into(),
        fetched_at: now(),
        stale: None,
    };
    let home = Agenda {
        calendars: vec![common::calendar(personal, true, true)],
        fetched_at: now(),
        ..Agenda::default()
    };
    let merged = Agenda::merge(vec![
        (state("alex@example.com"), Arc::new(agenda_plus())),
        (state(personal), Arc::new(home)),
    ]);
    let url = "https://meet.google.com/ins-tant-lnk";
    let copied = |meet_authuser: bool| {
        let mut settings = meetty::screenshots::demo_settings(tz());
        settings.meet_authuser = meet_authuser;
        settings.default_calendar = Some(meetty::config::DefaultCalendar {
            account: personal.into(),
            calendar: "primary".into(),
        });
        let mut app = App::new(settings, Some(merged.clone()), now());
        let effects = press(&mut app, "N");
        let [Effect::Write { req, account, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(
            *account, 1,
            "N books through the default calendar's account"
        );
        let effects = app.update(Action::Wrote {
            req: *req,
            result: Ok(Written::InstantLink(url.into())),
        });
        match effects.as_slice() {
            [Effect::Copy { text, .. }] => text.clone(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(copied(true), format!("{url}?authuser=sam%40example.org"));
    assert_eq!(copied(false), url);

    // A meeting created on the work account's calendar: its account's authuser.
    let mut app = App::new(
        meetty::screenshots::demo_settings(tz()),
        Some(merged.clone()),
        now(),
    );
    open_form(&mut app, '1', "Fresh");
    set(&mut app, Field::Start, "16:00");
    let (req, calendar, ev) = create_op(&app.update(ctrl('s')));
    let link = "https://meet.google.com/new-mtng-abc";
    let effects = app.update(Action::Wrote {
        req,
        result: Ok(created(&ev, &calendar, link)),
    });
    assert!(
        effects.contains(&Effect::Copy {
            text: format!("{link}?authuser=alex%40example.com"),
            what: "the Meet link of \u{201c}Fresh\u{201d}".into()
        }),
        "{effects:?}"
    );
}

#[test]
fn the_keys_that_change_meetings_are_in_the_help() {
    let app = app_plus();
    let help: Vec<String> = app
        .settings
        .keymap
        .help_rows(Mode::Agenda)
        .iter()
        .map(|(k, d)| format!("{k} {d}"))
        .collect();
    for k in [
        "n new meeting",
        "N instant",
        "m add a Meet",
        "x remove",
        "d cancel",
    ] {
        assert!(
            help.iter().any(|h| h.starts_with(k)),
            "{k} missing from {help:?}"
        );
    }
}

#[test]
fn a_new_series_stays_selected_when_its_occurrences_arrive() {
    let mut app = app_plus();
    open_form(&mut app, '2', "Series");
    set(&mut app, Field::Start, "tomorrow 9");
    let (req, calendar, ev) = create_op(&app.update(ctrl('s')));
    let effects = app.update(Action::Wrote {
        req,
        result: Ok(created(
            &ev,
            &calendar,
            "https://meet.google.com/ser-iess-abc",
        )),
    });
    let Some(Effect::Refresh { req, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Refresh { .. }))
        .cloned()
    else {
        panic!("{effects:?}")
    };
    // Google lists the series as occurrences with ids of their own.
    let mut agenda = agenda_plus();
    for day in [24, 25] {
        let json = json!({
            "id": format!("{}_202611{day}T080000Z", ev.id), "recurringEventId": ev.id,
            "summary": "Series",
            "start": {"dateTime": format!("2026-11-{day}T08:00:00Z")},
            "end": {"dateTime": format!("2026-11-{day}T08:30:00Z")},
            "organizer": {"email": "alex@example.com", "self": true},
            "conferenceData": {"conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/ser-iess-abc"}]}
        })
        .to_string();
        agenda
            .meetings
            .push(Meeting::from_event(&calendar, &serde_json::from_str(&json).unwrap()).unwrap());
    }
    agenda.sort();
    app.update(Action::AgendaLoaded {
        req,
        result: Ok(agenda.into()),
    });
    let m = app.selected_meeting().unwrap();
    assert_eq!(m.series_id.as_deref(), Some(ev.id.as_str()));
    assert_eq!(
        m.id,
        format!("{}_20261124T080000Z", ev.id),
        "the first occurrence"
    );
}

#[test]
fn a_refused_cancel_puts_back_only_what_a_refresh_did_not() {
    let mut app = app_plus();
    let Effect::Refresh { req: refresh, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    select(&mut app, "Sprint retro");
    let agenda = std::sync::Arc::make_mut(app.agenda.as_mut().unwrap());
    for m in agenda.meetings.iter_mut().filter(|m| m.id == "retro1") {
        m.i_organize = true;
    }
    press(&mut app, "d");
    let effects = press(&mut app, "y");
    let [Effect::Write { req, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    // A refresh from before the cancel lands, with the retro still in it.
    app.update(Action::AgendaLoaded {
        req: refresh,
        result: Ok(agenda_plus().into()),
    });
    app.update(Action::Wrote {
        req: *req,
        result: Err(ApiError::Network("reset".into())),
    });
    assert_eq!(
        titles(&app).iter().filter(|t| *t == "Sprint retro").count(),
        1
    );
}

#[test]
fn a_sign_in_prompt_over_the_form_goes_back_to_the_form() {
    let mut app = app_plus();
    let Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    open_form(&mut app, '1', "Half typed");
    app.update(Action::AgendaLoaded {
        req,
        result: Err(ApiError::SignIn("invalid_grant".into())),
    });
    assert_eq!(app.mode(), Mode::SignIn);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(app.form().unwrap().draft().title, "Half typed");
}

#[test]
fn a_form_being_saved_can_be_put_away_and_comes_back_if_google_refuses() {
    let mut app = app_plus();
    open_form(&mut app, '1', "Slow wifi");
    let (req, ..) = create_op(&app.update(ctrl('s')));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Agenda);
    assert!(
        app.visible_form().is_none(),
        "the agenda is usable meanwhile"
    );
    let before = app.selected;
    press(&mut app, "j");
    assert_ne!(app.selected, before, "keys work while Google is slow");
    app.update(Action::Wrote {
        req,
        result: Err(ApiError::Network("timed out".into())),
    });
    assert_eq!(app.mode(), Mode::Form, "the refused form is back");
    let form = app.visible_form().unwrap();
    assert_eq!(form.draft().title, "Slow wifi");
    assert!(form.error.as_deref().unwrap().contains("offline?"));

    // Put away again, then `n` shows it instead of starting another.
    let (req, ..) = create_op(&app.update(ctrl('s')));
    app.update(key(KeyCode::Esc));
    press(&mut app, "n");
    assert_eq!(app.mode(), Mode::Form);
    app.update(key(KeyCode::Esc));
    app.update(Action::Wrote {
        req,
        result: Err(ApiError::Network("reset".into())),
    });
    assert_eq!(app.mode(), Mode::Form);
}
