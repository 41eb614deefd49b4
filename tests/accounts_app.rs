//! The app over a merged agenda of two accounts (issue 13 points 1, 2 and 4, the app's
//! side), through `App::update` with hand-built agendas: each event listed once, every
//! write and read going through the account that owns the calendar, the form's calendars of
//! both accounts, `default_calendar`, and one account's sign-in trouble staying its own.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::*;
use meetty::action::{Action, Effect};
use meetty::app::{App, Mode};
use meetty::calendar::edit::{Editable, Edited};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{AccountState, Agenda, CalendarInfo, Meeting, Rsvp};
use meetty::calendar::ops::{WriteOp, Written};
use meetty::calendar::write::{Conference, Created};
use meetty::compose::Field;
use meetty::config::DefaultCalendar;
use meetty::form::Value;
use meetty::view::ShowDeclined;
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

const WORK: &str = "alex@work.example";
const HOME: &str = "alex@gmail.com";

fn account(email: &str, label: &str) -> AccountState {
    AccountState {
        email: email.into(),
        label: label.into(),
        fetched_at: now(),
        stale: None,
    }
}

fn own_calendar(id: &str, name: &str, account: usize) -> CalendarInfo {
    CalendarInfo {
        name: name.into(),
        account,
        ..calendar(id, id != "team@work.example", true)
    }
}

/// `ev` on calendar `cal` of account `account`, through the real model code.
fn copy(account: usize, cal: &str, ev: serde_json::Value) -> Meeting {
    Meeting {
        account,
        ..meeting(cal, ev)
    }
}

/// An event with a Meet link and iCalUID `uid` at 10:00 Berlin on Tuesday; `organizer` is
/// its organizer, and the user (`me`) is a guest awaiting an answer unless they organize.
fn event(id: &str, uid: &str, title: &str, organizer: &str, me: &str) -> serde_json::Value {
    let mut attendees =
        vec![json!({"email": organizer, "organizer": true, "responseStatus": "accepted"})];
    if organizer != me {
        attendees.push(json!({"email": me, "self": true, "responseStatus": "needsAction"}));
    }
    json!({
        "id": id, "iCalUID": uid, "summary": title,
        "start": {"dateTime": "2026-11-24T09:00:00Z"}, "end": {"dateTime": "2026-11-24T09:30:00Z"},
        "organizer": {"email": organizer, "self": organizer == me},
        "attendees": attendees,
        "conferenceData": {"conferenceSolution": {"key": {"type": "hangoutsMeet"}},
            "entryPoints": [{"entryPointType": "video", "uri": format!("https://meet.google.com/{id}-abcd-efg")}]}
    })
}

/// Work (account 0: its primary calendar and a team calendar) and home (account 1: its
/// primary calendar). "Partner sync" is on both primary calendars, organized by the user's
/// home address; "Vendor call" is on both, organized by someone else; "Gym" and "Family
/// call" are home's alone.
fn two_accounts() -> Agenda {
    let mut a = Agenda {
        calendars: vec![
            own_calendar(WORK, "Alex (work)", 0),
            own_calendar("team@work.example", "Team Platform", 0),
            own_calendar(HOME, "Alex (home)", 1),
        ],
        meetings: vec![
            copy(
                0,
                WORK,
                event("sync0", "sync@x", "Partner sync", HOME, WORK),
            ),
            copy(
                1,
                HOME,
                event("sync1", "sync@x", "Partner sync", HOME, HOME),
            ),
            copy(
                0,
                WORK,
                event(
                    "vendor0",
                    "vendor@x",
                    "Vendor call",
                    "v@vendor.example",
                    WORK,
                ),
            ),
            copy(
                1,
                HOME,
                event(
                    "vendor1",
                    "vendor@x",
                    "Vendor call",
                    "v@vendor.example",
                    HOME,
                ),
            ),
            copy(
                1,
                HOME,
                json!({
                    "id": "gym1", "iCalUID": "gym@x", "summary": "Gym",
                    "start": {"dateTime": "2026-11-24T16:00:00Z"}, "end": {"dateTime": "2026-11-24T17:00:00Z"},
                    "organizer": {"email": HOME, "self": true},
                    "attendees": [
                        {"email": HOME, "organizer": true, "self": true, "responseStatus": "accepted"},
                        {"email": "coach@example.com", "responseStatus": "accepted"}
                    ]
                }),
            ),
            copy(
                1,
                HOME,
                event(
                    "family1",
                    "family@x",
                    "Family call",
                    "mum@example.com",
                    HOME,
                ),
            ),
        ],
        fetched_at: now(),
        accounts: vec![account(WORK, "W"), account(HOME, "H")],
    };
    a.sort();
    a
}

fn app_with(agenda: Agenda) -> App {
    let mut settings = meetty::screenshots::demo_settings(tz());
    settings.show_all = true;
    App::new(settings, Some(agenda), now())
}

/// The listed meetings as (title, account), in agenda order.
fn listed(app: &App) -> Vec<(String, usize)> {
    let a = app.agenda.as_ref().unwrap();
    app.rows
        .iter()
        .filter_map(|r| match r {
            meetty::view::Row::Meeting(i) => {
                Some((a.meetings[*i].title.clone(), a.meetings[*i].account))
            }
            meetty::view::Row::Day(_) => None,
        })
        .collect()
}

/// Selects the row of `title`.
fn select(app: &mut App, title: &str) {
    let row = app
        .rows
        .iter()
        .position(|r| {
            matches!(r, meetty::view::Row::Meeting(i)
            if app.agenda.as_ref().unwrap().meetings[*i].title == title)
        })
        .unwrap_or_else(|| panic!("{title} is not listed"));
    app.selected = Some(row);
}

fn write_account(effects: &[Effect]) -> (u64, usize, WriteOp) {
    match effects {
        [Effect::Write { req, account, op }] => (*req, *account, op.clone()),
        other => panic!("expected one write, got {other:?}"),
    }
}

#[test]
fn an_event_on_both_accounts_is_one_row_counted_once() {
    let app = app_with(two_accounts());
    let rows = listed(&app);
    let count = |t: &str| rows.iter().filter(|(title, _)| title == t).count();
    assert_eq!(count("Partner sync"), 1, "{rows:?}");
    assert_eq!(count("Vendor call"), 1, "{rows:?}");
    // The copy where the user organizes wins over the earlier account; else the earliest.
    assert!(rows.contains(&("Partner sync".into(), 1)), "{rows:?}");
    assert!(rows.contains(&("Vendor call".into(), 0)), "{rows:?}");
    assert!(rows.contains(&("Gym".into(), 1)) && rows.contains(&("Family call".into(), 1)));
    // Vendor call awaits an answer on both accounts, Family call on one: two invitations.
    let a = app.agenda.as_ref().unwrap();
    assert_eq!(meetty::view::awaiting(a, &app.rows), 2);
    // Now counts each event once: Family call, Partner sync and Vendor call are on.
    let at = "2026-11-24T09:10:00Z".parse().unwrap();
    let on = meetty::view::now_and_next(a, &app.rows, at);
    let mut on_now: Vec<&str> = on
        .now
        .iter()
        .map(|&i| a.meetings[i].title.as_str())
        .collect();
    on_now.sort_unstable();
    assert_eq!(on_now, ["Family call", "Partner sync", "Vendor call"]);
}

/// Sets the user's answer on copy `id`.
fn answer(a: &mut Agenda, id: &str, rsvp: Rsvp) {
    let m = a.meetings.iter_mut().find(|m| m.id == id).unwrap();
    m.attendees.iter_mut().find(|p| p.is_self).unwrap().rsvp = rsvp;
}

#[test]
fn the_copy_the_user_accepted_is_listed_over_one_they_declined() {
    // Declined with work, accepted with home: the meeting is home's, listed even when
    // declined meetings are hidden, and on now.
    let mut a = two_accounts();
    answer(&mut a, "vendor0", Rsvp::Declined);
    answer(&mut a, "vendor1", Rsvp::Accepted);
    let mut settings = meetty::screenshots::demo_settings(tz());
    settings.show_all = true;
    settings.show_declined = ShowDeclined::Hide;
    let app = App::new(settings, Some(a.clone()), now());
    let rows = listed(&app);
    let vendor: Vec<_> = rows.iter().filter(|(t, _)| t == "Vendor call").collect();
    assert_eq!(vendor, [&("Vendor call".to_string(), 1)], "{rows:?}");
    let agenda = app.agenda.as_ref().unwrap();
    let on = meetty::view::now_and_next(agenda, &app.rows, "2026-11-24T09:10:00Z".parse().unwrap());
    assert!(
        on.now.iter().any(|&i| agenda.meetings[i].id == "vendor1"),
        "{:?}",
        on.now
    );
    // Tentative on work beats awaiting on home; the answer comes before the account.
    answer(&mut a, "vendor0", Rsvp::Tentative);
    answer(&mut a, "vendor1", Rsvp::NeedsAction);
    assert!(listed(&app_with(a.clone())).contains(&("Vendor call".into(), 0)));
    answer(&mut a, "vendor0", Rsvp::NeedsAction);
    answer(&mut a, "vendor1", Rsvp::Tentative);
    assert!(listed(&app_with(a)).contains(&("Vendor call".into(), 1)));
}

#[test]
fn a_copy_on_a_colleagues_calendar_in_one_account_is_listed_as_before() {
    let mut a = two_accounts();
    a.calendars.push(CalendarInfo {
        account: 0,
        ..calendar("kim@work.example", false, false)
    });
    a.meetings.push(copy(
        0,
        "kim@work.example",
        event(
            "vendor0",
            "vendor@x",
            "Vendor call",
            "v@vendor.example",
            "kim@work.example",
        ),
    ));
    a.sort();
    let rows = listed(&app_with(a));
    let vendor: Vec<usize> = rows
        .iter()
        .filter(|(t, _)| t == "Vendor call")
        .map(|(_, acc)| *acc)
        .collect();
    assert_eq!(vendor, [0, 0], "work's own copy and Kim's: {rows:?}");
}

#[test]
fn cancel_answer_edit_and_meet_on_the_second_accounts_meeting_go_through_it() {
    let mut app = app_with(two_accounts());

    // d on a meeting the user organizes at home: cancelled through home.
    select(&mut app, "Gym");
    press(&mut app, "d");
    let (req, acc, op) = write_account(&app.update(key(KeyCode::Enter)));
    assert_eq!(acc, 1);
    assert!(
        matches!(&op, WriteOp::Cancel { calendar, event_id, .. } if calendar == HOME && event_id == "gym1")
    );
    // Refused: it comes back as home's copy.
    app.update(Action::Wrote {
        req,
        result: Err(ApiError::Google {
            code: 500,
            reason: "backendError".into(),
            message: "try later".into(),
        }),
    });
    assert!(listed(&app).contains(&("Gym".into(), 1)));

    // R on home's invitation: the answer goes through home and changes home's copy only.
    select(&mut app, "Family call");
    press(&mut app, "R");
    assert_eq!(app.mode(), Mode::Answer);
    let (req, acc, op) = write_account(&app.update(key(KeyCode::Enter)));
    assert_eq!(acc, 1);
    let WriteOp::Respond(respond) = &op else {
        panic!("{op:?}")
    };
    assert_eq!(
        (respond.calendar.as_str(), respond.email.as_str()),
        (HOME, HOME)
    );
    // Google's answer comes from a client that knows no account index: it stays home's.
    let mut answered = app.selected_meeting().unwrap().clone();
    answered.account = 0;
    answered.title = "Family call (answered)".into();
    app.update(Action::Wrote {
        req,
        result: Ok(Written::Responded(Box::new(answered))),
    });
    assert!(listed(&app).contains(&("Family call (answered)".into(), 1)));

    // m on a meeting without a link the user organizes at home: through home.
    let mut a = (**app.agenda.as_ref().unwrap()).clone();
    for m in a.meetings.iter_mut().filter(|m| m.id == "gym1") {
        m.video = None;
    }
    app.agenda = Some(Arc::new(a));
    select(&mut app, "Gym");
    press(&mut app, "m");
    assert_eq!(app.mode(), Mode::Confirm, "{:?}", app.toast);
    let (_, acc, op) = write_account(&app.update(key(KeyCode::Enter)));
    assert_eq!(acc, 1);
    assert!(matches!(op, WriteOp::AddMeet { calendar, .. } if calendar == HOME));

    // e reads home's copy through home, and the save goes through home.
    select(&mut app, "Partner sync");
    let effects = press(&mut app, "e");
    let [Effect::LoadEdit {
        req,
        account,
        calendar,
        event_id,
    }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (*account, calendar.as_str(), event_id.as_str()),
        (1, HOME, "sync1")
    );
    let mut read = app.selected_meeting().unwrap().clone();
    read.account = 0; // as the client reads it
    let loaded = Editable {
        meeting: read,
        zone: tz(),
        series: None,
        source: serde_json::Value::Null,
    };
    app.update(Action::EditLoaded {
        req: *req,
        result: Ok(Box::new(loaded)),
    });
    assert_eq!(app.mode(), Mode::Form);
    set(&mut app, Field::Title, "Partner sync (moved)");
    let mut effects = app.update(ctrl('s'));
    if app.mode() == Mode::Confirm {
        effects = app.update(key(KeyCode::Enter));
    }
    let (req, acc, op) = write_account(&effects);
    assert_eq!(acc, 1);
    let WriteOp::Edit(edit) = op else { panic!() };
    let mut saved = edit.target.meeting.clone();
    saved.account = 0;
    saved.title = "Partner sync (moved)".into();
    app.update(Action::Wrote {
        req,
        result: Ok(Written::Edited(Box::new(Edited::Done(Box::new(saved))))),
    });
    assert!(listed(&app).contains(&("Partner sync (moved)".into(), 1)));
}

/// The calendar field's options as (account, id, label).
fn calendar_options(app: &App) -> (Vec<(usize, String, String)>, usize) {
    let form = app.form().expect("the form is open");
    let field = form
        .fields
        .iter()
        .find(|f| f.field == Field::Calendar)
        .unwrap();
    match &field.value {
        Value::Calendar { options, index } => (
            options
                .iter()
                .map(|o| (o.account, o.id.clone(), o.label.clone()))
                .collect(),
            *index,
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_form_lists_both_accounts_calendars_and_creates_through_the_chosen_one() {
    let mut app = app_with(two_accounts());
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::Form);
    let (options, index) = calendar_options(&app);
    assert_eq!(
        options,
        [
            (0, WORK.into(), format!("{WORK} \u{b7} Alex (work)")),
            (
                0,
                "team@work.example".into(),
                format!("{WORK} \u{b7} Team Platform")
            ),
            (1, HOME.into(), format!("{HOME} \u{b7} Alex (home)")),
        ]
    );
    assert_eq!(index, 0, "the first account's primary calendar by default");

    focus(&mut app, Field::Calendar);
    app.update(key(KeyCode::Left)); // wraps to home's calendar
    assert_eq!(app.form().unwrap().account(), 1);
    let effects = app.update(ctrl('s'));
    let (req, acc, op) = write_account(&effects);
    assert_eq!(acc, 1);
    let WriteOp::Create { calendar, event } = op else {
        panic!()
    };
    assert_eq!(calendar, HOME);

    // Google's answer: shown at once as home's, before any refresh.
    let mut made = meeting(
        HOME,
        json!({
            "id": event.id, "summary": event.title,
            "start": {"dateTime": "2026-11-23T09:15:00Z"}, "end": {"dateTime": "2026-11-23T09:45:00Z"},
        }),
    );
    made.account = 0;
    app.update(Action::Wrote {
        req,
        result: Ok(Written::Created(Box::new(Created {
            meeting: made,
            conference: Conference::NotRequested,
        }))),
    });
    let shown = app.selected_meeting().expect("the new meeting is selected");
    assert_eq!((shown.id.as_str(), shown.account), (event.id.as_str(), 1));
}

/// The form opened with `n` when `default_calendar` is home's primary calendar.
fn form_on_homes_default_calendar() -> App {
    let mut app = app_with(two_accounts());
    app.settings.default_calendar = Some(DefaultCalendar {
        account: HOME.into(),
        calendar: "primary".into(),
    });
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    app
}

#[test]
fn n_starts_on_the_default_calendar_and_says_when_its_account_is_not_signed_in() {
    let app = form_on_homes_default_calendar();
    let (options, index) = calendar_options(&app);
    assert_eq!((options[index].0, options[index].1.as_str()), (1, HOME));
    assert_eq!(app.form().unwrap().notice, None);
    assert_eq!(app.form().unwrap().draft().account, 1);

    let mut app = app_with(two_accounts());
    app.settings.default_calendar = Some(DefaultCalendar {
        account: "alex@old.example".into(),
        calendar: "primary".into(),
    });
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    let (options, index) = calendar_options(&app);
    assert_eq!((options[index].0, options[index].1.as_str()), (0, WORK));
    let notice = app.form().unwrap().notice.clone().unwrap();
    assert!(
        notice.contains("alex@old.example") && notice.contains(WORK) && notice.contains(HOME),
        "{notice}"
    );
}

#[test]
fn find_time_asks_as_the_forms_account_about_its_calendars() {
    let mut app = form_on_homes_default_calendar();
    set(&mut app, Field::Guests, "kim@partner.org");
    focus(&mut app, Field::Start);
    let effects = app.update(ctrl('f'));
    let [Effect::FreeBusy { account, query, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(*account, 1);
    assert_eq!(query.ids, [HOME, "kim@partner.org"]);
}

/// An agenda answer with home's part stale for `why`.
fn loaded_with_home_stale(app: &mut App, req: u64, why: ApiError) -> Vec<Effect> {
    let mut a = two_accounts();
    a.accounts[1].stale = Some(why);
    app.update(Action::AgendaLoaded {
        req,
        result: Ok(Arc::new(a)),
    })
}

fn refresh_req(effects: &[Effect]) -> u64 {
    match effects {
        [Effect::Refresh { req, .. }] => *req,
        other => panic!("expected a refresh, got {other:?}"),
    }
}

#[test]
fn a_stale_account_asks_to_sign_in_that_account_while_the_others_refresh_on() {
    let mut app = app_with(two_accounts());
    let req = refresh_req(&press(&mut app, "r"));
    loaded_with_home_stale(
        &mut app,
        req,
        ApiError::SignIn("Google said invalid_grant".into()),
    );
    assert_eq!(app.mode(), Mode::SignIn);
    let dialog = app.sign_in.clone().unwrap();
    assert_eq!((dialog.account, dialog.email.as_deref()), (1, Some(HOME)));
    let trouble = app.account_trouble().unwrap();
    assert!(
        trouble.starts_with(&format!("{HOME}: sign-in expired")),
        "{trouble}"
    );

    // Not now: the timer keeps refreshing (work's part), and its answers do not bring the
    // dialog back.
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Agenda);
    let later = now() + Duration::minutes(10);
    let req = refresh_req(&app.update(Action::Tick(later)));
    loaded_with_home_stale(
        &mut app,
        req,
        ApiError::SignIn("Google said invalid_grant".into()),
    );
    assert_eq!(app.mode(), Mode::Agenda);
    assert!(
        listed(&app).contains(&("Gym".into(), 1)),
        "home's last part stays"
    );

    // r brings it back; sign in signs in home.
    refresh_req(&press(&mut app, "r"));
    assert_eq!(app.mode(), Mode::SignIn);
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::SignIn { account: 1 }]
    );
    // Signed in: the next answer has nothing stale, and the status says nothing of it.
    app.update(Action::SignedIn(Ok(HOME.into())));
    assert_eq!(app.mode(), Mode::Agenda);
    let req = match app.sync {
        meetty::app::Sync::Refreshing { req } => req,
        ref other => panic!("{other:?}"),
    };
    app.update(Action::AgendaLoaded {
        req,
        result: Ok(Arc::new(two_accounts())),
    });
    assert_eq!(app.account_trouble(), None);
}

#[test]
fn a_locked_keyring_on_one_account_is_said_in_short_without_a_dialog() {
    let mut app = app_with(two_accounts());
    let req = refresh_req(&press(&mut app, "r"));
    let locked = ApiError::Local(
        "the keyring is locked (object locked): unlock it (e.g. log in to the desktop)".into(),
    );
    loaded_with_home_stale(&mut app, req, locked);
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(
        app.account_trouble().as_deref(),
        Some("alex@gmail.com: the keyring is locked")
    );
    let later = now() + Duration::minutes(10);
    refresh_req(&app.update(Action::Tick(later)));
}

#[test]
fn every_account_failing_stops_the_timer_as_before() {
    let mut app = app_with(two_accounts());
    let req = refresh_req(&press(&mut app, "r"));
    app.update(Action::AgendaLoaded {
        req,
        result: Err(ApiError::SignIn("Google said invalid_grant".into())),
    });
    assert_eq!(app.mode(), Mode::SignIn);
    app.update(key(KeyCode::Esc));
    let later = now() + Duration::minutes(10);
    assert_eq!(app.update(Action::Tick(later)), vec![]);
}

#[test]
fn every_account_failing_for_its_own_reason_offers_the_sign_in_to_the_one_revoked() {
    // Work offline, home's grant revoked, nothing fetched before: a failed refresh, and the
    // sign-in is home's, not "offline" alone.
    let mut app = App::new(meetty::screenshots::demo_settings(tz()), None, now());
    let req = refresh_req(&press(&mut app, "r"));
    let mut a = Agenda {
        accounts: vec![account(WORK, "W"), account(HOME, "H")],
        ..Agenda::default()
    };
    for state in &mut a.accounts {
        state.fetched_at = Default::default();
    }
    a.accounts[0].stale = Some(ApiError::Network("no route to host".into()));
    a.accounts[1].stale = Some(ApiError::SignIn("Google said invalid_grant".into()));
    app.update(Action::AgendaLoaded {
        req,
        result: Ok(Arc::new(a)),
    });
    assert_eq!(app.mode(), Mode::SignIn);
    let dialog = app.sign_in.clone().unwrap();
    assert_eq!((dialog.account, dialog.email.as_deref()), (1, Some(HOME)));
    assert!(
        matches!(app.sync, meetty::app::Sync::Failed { .. }),
        "{:?}",
        app.sync
    );
    assert!(app.agenda.is_none());
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::SignIn { account: 1 }]
    );
}
