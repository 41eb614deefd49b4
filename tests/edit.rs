//! Editing and moving a meeting in the TUI (issue 11 points 5–8): `e` opens the form filled
//! from the meeting read fresh, the start takes shifts, only what changed is sent after the
//! e-mail and occurrence questions, a meeting changed meanwhile is asked about, and `m` asks
//! who gets e-mail. `update()` only: the engine's answers are fed in as actions.

mod common;

use chrono::TimeZone;
use common::*;
use meetty::action::{Action, Effect};
use meetty::app::{App, Confirm, Mode};
use meetty::calendar::edit::{
    Changes, Conflict, Difference, Edit, Editable, Edited, MeetChange, Scope, Series,
};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{Meeting, SendUpdates, When};
use meetty::calendar::ops::{WriteOp, Written};
use meetty::compose::{Field, Note};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

fn event(v: serde_json::Value) -> Meeting {
    Meeting::from_event(
        "alex@example.com",
        &serde_json::from_str(&v.to_string()).unwrap(),
    )
    .unwrap()
}

fn meet(code: &str) -> serde_json::Value {
    json!({
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
        "entryPoints": [{"entryPointType": "video", "uri": format!("https://meet.google.com/{code}")}]
    })
}

fn me() -> serde_json::Value {
    json!({"email": "alex@example.com", "self": true, "organizer": true, "responseStatus": "accepted"})
}

/// Tue 24 Nov 15:00–15:30 Berlin, organized by the user, with two guests and a Meet link.
fn review() -> Meeting {
    event(json!({
        "id": "review1", "summary": "Roadmap review", "etag": "\"1\"",
        "start": {"dateTime": "2026-11-24T14:00:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-11-24T14:30:00Z", "timeZone": "Europe/Berlin"},
        "conferenceData": meet("abc-defg-hij"),
        "organizer": {"email": "alex@example.com", "self": true},
        "attendees": [me(),
            {"email": "kim@partner.org", "responseStatus": "needsAction"},
            {"email": "lee@example.com", "responseStatus": "accepted"}],
        "description": "Mocks in the doc"
    }))
}

/// Wednesday's occurrence of a weekly 1:1, 11:00–11:30 Berlin.
fn one_on_one() -> Meeting {
    event(json!({
        "id": "weekly_20261125T100000Z", "recurringEventId": "weekly", "summary": "1:1 Kim",
        "etag": "\"7\"",
        "start": {"dateTime": "2026-11-25T10:00:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-11-25T10:30:00Z", "timeZone": "Europe/Berlin"},
        "conferenceData": meet("kim-kimk-kim"),
        "organizer": {"email": "alex@example.com", "self": true},
        "attendees": [me(), {"email": "kim@partner.org", "responseStatus": "accepted"}]
    }))
}

/// A meeting with nobody else and no link.
fn planning() -> Meeting {
    event(json!({
        "id": "plan1", "summary": "Planning",
        "start": {"dateTime": "2026-11-24T08:00:00Z"}, "end": {"dateTime": "2026-11-24T09:00:00Z"},
        "organizer": {"email": "alex@example.com", "self": true}
    }))
}

fn out_of_office() -> Meeting {
    event(json!({
        "id": "ooo1", "summary": "Dentist", "eventType": "outOfOffice",
        "start": {"dateTime": "2026-11-24T12:00:00Z"}, "end": {"dateTime": "2026-11-24T13:00:00Z"},
        "organizer": {"email": "alex@example.com", "self": true}
    }))
}

/// The common agenda (Maria's standup and others) plus the user's own meetings, all events
/// shown.
fn edit_app() -> App {
    let mut a = agenda();
    a.meetings
        .extend([review(), one_on_one(), planning(), out_of_office()]);
    a.sort();
    let mut app = App::new(meetty::screenshots::demo_settings(tz()), Some(a), now());
    press(&mut app, "a");
    app
}

fn loaded(m: Meeting) -> Editable {
    let series = m.series_id.clone().map(|id| Series {
        id,
        etag: Some("\"6\"".into()),
        recurrence: vec![
            "RRULE:FREQ=WEEKLY;BYDAY=WE".into(),
            "EXDATE;TZID=Europe/Berlin:20261209T110000".into(),
        ],
        start: tz().with_ymd_and_hms(2026, 11, 4, 11, 0, 0).unwrap(),
        source: serde_json::Value::Null,
    });
    Editable {
        meeting: m,
        zone: tz(),
        series,
        source: serde_json::Value::Null,
    }
}

/// `e` on `title`, and the meeting read fresh arrives: the edit form is open.
fn open_edit(app: &mut App, title: &str, m: Meeting) {
    select(app, title);
    let effects = press(app, "e");
    let [Effect::LoadEdit {
        req,
        calendar,
        event_id,
        ..
    }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (calendar.as_str(), event_id.as_str()),
        ("alex@example.com", m.id.as_str())
    );
    app.update(Action::EditLoaded {
        req: *req,
        result: Ok(Box::new(loaded(m))),
    });
    assert_eq!(app.mode(), Mode::Form);
}

fn value(app: &App, field: Field) -> Option<String> {
    let form = app.form()?;
    let f = form.fields.iter().find(|f| f.field == field)?;
    Some(f.value.as_str().to_string())
}

fn save(app: &mut App) -> Vec<Effect> {
    app.update(ctrl('s'))
}

fn edit_dialog(app: &App) -> meetty::app::EditAsk {
    match app.confirm() {
        Some(Confirm::Edit(ask)) => (**ask).clone(),
        other => panic!("expected the save dialog, got {other:?}"),
    }
}

fn sent_edit(effects: &[Effect]) -> (u64, Edit) {
    match effects {
        [Effect::Write {
            req,
            op: WriteOp::Edit(edit),
            ..
        }] => (*req, (**edit).clone()),
        other => panic!("expected one edit, got {other:?}"),
    }
}

fn berlin(d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono_tz::Tz> {
    tz().with_ymd_and_hms(2026, 11, d, h, mi, 0).unwrap()
}

#[test]
fn e_opens_the_form_filled_from_the_meeting_read_fresh() {
    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    let form = app.form().unwrap();
    assert!(form.editing.is_some(), "the form knows it edits");
    assert_eq!(value(&app, Field::Title).unwrap(), "Roadmap review");
    assert_eq!(value(&app, Field::Start).unwrap(), "2026-11-24 15:00");
    assert_eq!(value(&app, Field::Length).unwrap(), "30m");
    assert_eq!(value(&app, Field::Zone).unwrap(), "Europe/Berlin");
    assert_eq!(
        value(&app, Field::Guests).unwrap(),
        "kim@partner.org, lee@example.com"
    );
    // The Meet field's first choice keeps the link the meeting has (the note says so).
    assert_eq!(value(&app, Field::Meet).unwrap(), "new");
    assert_eq!(
        note(&app, Field::Meet),
        Some(Note::Hint("keeps its Google Meet link".into()))
    );
    assert_eq!(value(&app, Field::Recurrence).unwrap(), "");
    assert_eq!(value(&app, Field::Description).unwrap(), "Mocks in the doc");
    // A meeting stays in its calendar; e-mail is asked when saving.
    assert_eq!(value(&app, Field::Calendar), None);
    assert_eq!(value(&app, Field::Notify), None);
    assert!(form.checked.errors().next().is_none(), "{:?}", form.checked);
}

#[test]
fn a_recurring_meeting_opens_with_its_rule() {
    let mut app = edit_app();
    open_edit(&mut app, "1:1 Kim", one_on_one());
    assert_eq!(
        value(&app, Field::Recurrence).unwrap(),
        "FREQ=WEEKLY;BYDAY=WE"
    );
    assert_eq!(
        note(&app, Field::Recurrence),
        Some(Note::Hint("weekly on Wednesday".into()))
    );
}

#[test]
fn e_on_someone_elses_meeting_says_only_the_organizer_can_change_it() {
    let mut app = edit_app();
    select(&mut app, "Platform standup");
    assert!(press(&mut app, "e").is_empty());
    let toast = app.toast.clone().unwrap();
    assert!(toast.error, "{toast:?}");
    assert_eq!(
        toast.text,
        "Only Maria Chen can change \u{201c}Platform standup\u{201d}: you are a guest"
    );
    assert_eq!(app.mode(), Mode::Agenda);
}

#[test]
fn e_refuses_an_out_of_office_event_and_says_why() {
    let mut app = edit_app();
    select(&mut app, "Dentist");
    assert!(press(&mut app, "e").is_empty());
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.error
            && toast
                .text
                .contains("is an out-of-office status: change it in Google Calendar"),
        "{toast:?}"
    );
}

#[test]
fn a_failed_read_says_so_and_opens_nothing() {
    let mut app = edit_app();
    select(&mut app, "Roadmap review");
    let [Effect::LoadEdit { req, .. }] = press(&mut app, "e")[..] else {
        panic!()
    };
    app.update(Action::EditLoaded {
        req,
        result: Err(ApiError::Google {
            code: 404,
            reason: "notFound".into(),
            message: "Not Found".into(),
        }),
    });
    assert_eq!(app.mode(), Mode::Agenda);
    assert!(app.toast.clone().unwrap().error);
}

#[test]
fn a_shift_moves_the_meeting_from_its_own_start_and_only_the_time_is_sent() {
    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    set(&mut app, Field::Start, "+30m");
    let Some(Note::Hint(hint)) = note(&app, Field::Start) else {
        panic!("{:?}", note(&app, Field::Start))
    };
    assert!(hint.starts_with("Tue 24 Nov 15:30 CET"), "{hint}");
    set(&mut app, Field::Start, "tomorrow same time");
    let Some(Note::Hint(hint)) = note(&app, Field::Start) else {
        panic!()
    };
    assert!(hint.starts_with("Wed 25 Nov 15:00 CET"), "{hint}");
    set(&mut app, Field::Start, "-1h");

    assert!(save(&mut app).is_empty(), "the dialog asks first");
    let ask = edit_dialog(&app);
    assert_eq!(
        ask.edit.changes,
        Changes {
            start: Some(berlin(24, 14, 0)),
            end: Some(berlin(24, 14, 30)),
            ..Changes::default()
        }
    );
    // Guests, a single meeting: e-mail is asked (all by default), occurrences are not.
    assert!(ask.choices.has_guests);
    assert_eq!(ask.choices.send(), SendUpdates::All);
    assert!(!ask.choices.asks_scope());
    let (_, edit) = sent_edit(&press(&mut app, "y"));
    assert_eq!(edit.scope, Scope::This);
    assert_eq!(edit.send, SendUpdates::All);
    assert_eq!(
        edit.target,
        loaded(review()),
        "guarded by the etag it was read with"
    );
    assert_eq!(edit.calendar, "alex@example.com");
    assert!(app.form().unwrap().submitting.is_some());
}

#[test]
fn nothing_changed_sends_nothing() {
    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    // Typed over with the same value.
    set(&mut app, Field::Title, "Roadmap review");
    assert!(save(&mut app).is_empty());
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(
        app.toast.clone().unwrap().text,
        "Nothing changed: nothing was sent"
    );
    assert!(app.writes.is_empty());
}

#[test]
fn only_the_fields_that_changed_are_sent() {
    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    set(&mut app, Field::Title, "Roadmap review v2");
    set(&mut app, Field::Guests, "lee@example.com, sam@example.com");
    focus(&mut app, Field::Meet);
    app.update(ch(' '));
    save(&mut app);
    assert_eq!(
        edit_dialog(&app).edit.changes,
        Changes {
            title: Some("Roadmap review v2".into()),
            add_guests: vec!["sam@example.com".into()],
            remove_guests: vec!["kim@partner.org".into()],
            meet: Some(MeetChange::Remove),
            ..Changes::default()
        }
    );
}

#[test]
fn a_recurring_meeting_asks_which_occurrences_and_who_gets_email() {
    let mut app = edit_app();
    open_edit(&mut app, "1:1 Kim", one_on_one());
    set(&mut app, Field::Start, "+1h");
    save(&mut app);
    let ask = edit_dialog(&app);
    assert_eq!(
        ask.choices.scopes,
        [Scope::This, Scope::Following, Scope::All]
    );
    assert_eq!(
        ask.choices.scope(),
        Scope::This,
        "this occurrence by default"
    );
    assert_eq!(ask.choices.send(), SendUpdates::All);
    assert_eq!(ask.choices.why, None);
    // Row 0 e-mail: all → external only; row 1 occurrences: this → this and following.
    app.update(key(KeyCode::Right));
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Right));
    let (_, edit) = sent_edit(&app.update(key(KeyCode::Enter)));
    assert_eq!(edit.scope, Scope::Following);
    assert_eq!(edit.send, SendUpdates::ExternalOnly);
    assert_eq!(edit.changes.start, Some(berlin(25, 12, 0)));
}

#[test]
fn a_repeat_change_offers_this_and_following_or_all_and_says_why() {
    let mut app = edit_app();
    open_edit(&mut app, "1:1 Kim", one_on_one());
    set(&mut app, Field::Recurrence, "weekdays");
    save(&mut app);
    let ask = edit_dialog(&app);
    assert_eq!(ask.choices.scopes, [Scope::Following, Scope::All]);
    assert!(ask.choices.why.unwrap().contains("not to this one alone"));
    assert_eq!(
        ask.edit.changes.recurrence,
        Some(vec![
            "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into(),
            "EXDATE;TZID=Europe/Berlin:20261209T110000".into(),
        ]),
        "the new rule, the cancelled occurrences kept"
    );
    let s = render_confirm(&app);
    assert!(s.contains("this and following"), "{s}");
}

fn render_confirm(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| meetty::ui::draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    buffer
        .content
        .chunks(80)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sends a one-hour move of the design review; returns the request id.
fn send_move(app: &mut App) -> u64 {
    set(app, Field::Start, "+1h");
    save(app);
    sent_edit(&press(app, "y")).0
}

fn conflict() -> Conflict {
    let mut now = review();
    now.etag = Some("\"2\"".into());
    now.title = "Roadmap review (moved)".into();
    Conflict {
        current: loaded(now),
        differences: vec![Difference {
            field: "title",
            before: "Roadmap review".into(),
            now: "Roadmap review (moved)".into(),
        }],
    }
}

#[test]
fn a_meeting_changed_meanwhile_asks_yes_applies_on_top_no_keeps_the_form() {
    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    let req = send_move(&mut app);
    app.update(Action::Wrote {
        req,
        result: Ok(Written::Edited(Box::new(Edited::Conflict(Box::new(
            conflict(),
        ))))),
    });
    assert!(matches!(app.confirm(), Some(Confirm::Conflict(_))));
    let s = render_confirm(&app);
    assert!(
        s.contains("title: Roadmap review → Roadmap review (moved)"),
        "{s}"
    );

    // No: back to the form, everything typed kept.
    press(&mut app, "n");
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(value(&app, Field::Start).unwrap(), "+1h");
    assert!(app.form().unwrap().submitting.is_none());

    // Again, and yes: the same changes with the meeting as it is now as the target.
    save(&mut app);
    let (req, first) = sent_edit(&press(&mut app, "y"));
    app.update(Action::Wrote {
        req,
        result: Ok(Written::Edited(Box::new(Edited::Conflict(Box::new(
            conflict(),
        ))))),
    });
    let (_, again) = sent_edit(&press(&mut app, "y"));
    assert_eq!(again.target, conflict().current);
    assert_eq!(again.changes, first.changes);
    assert_eq!((again.scope, again.send), (first.scope, first.send));
}

#[test]
fn a_saved_edit_shows_in_the_agenda_and_a_refusal_keeps_what_was_typed() {
    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    let req = send_move(&mut app);
    app.update(Action::Wrote {
        req,
        result: Err(ApiError::Google {
            code: 403,
            reason: "forbidden".into(),
            message: "Forbidden".into(),
        }),
    });
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(value(&app, Field::Start).unwrap(), "+1h");
    assert!(app.form().unwrap().error.is_some());

    save(&mut app);
    let (req, _) = sent_edit(&press(&mut app, "y"));
    let mut moved = review();
    moved.when = When::Timed {
        start: at("2026-11-24T15:00:00Z"),
        end: at("2026-11-24T15:30:00Z"),
    };
    let effects = app.update(Action::Wrote {
        req,
        result: Ok(Written::Edited(Box::new(Edited::Done(Box::new(
            moved.clone(),
        ))))),
    });
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(app.selected_meeting(), Some(&moved));
    assert_eq!(
        app.toast.clone().unwrap().text,
        "Saved \u{201c}Roadmap review\u{201d}"
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::Refresh { .. })));
}

#[test]
fn m_without_guests_adds_the_link_at_once_and_emails_nobody() {
    let mut app = edit_app();
    select(&mut app, "Planning");
    let effects = press(&mut app, "m");
    let [Effect::Write { op, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        op,
        &WriteOp::AddMeet {
            calendar: "alex@example.com".into(),
            event_id: "plan1".into(),
            send: SendUpdates::None,
        }
    );
}

#[test]
fn m_on_a_meeting_with_guests_asks_first() {
    let mut a = agenda();
    let mut m = review();
    m.video = None;
    a.meetings.push(m);
    a.sort();
    let mut app = App::new(meetty::screenshots::demo_settings(tz()), Some(a), now());
    press(&mut app, "a");
    select(&mut app, "Roadmap review");
    assert!(press(&mut app, "m").is_empty(), "asks before sending");
    let Some(Confirm::AddMeet(c)) = app.confirm() else {
        panic!("{:?}", app.confirm())
    };
    assert_eq!(c.send(), SendUpdates::All, "all guests by default");
    let s = render_confirm(&app);
    assert!(s.contains("E-mail") && s.contains("all guests"), "{s}");
    app.update(key(KeyCode::Left)); // all → nobody
    let effects = press(&mut app, "y");
    let [Effect::Write {
        op: WriteOp::AddMeet { event_id, send, .. },
        ..
    }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!((event_id.as_str(), *send), ("review1", SendUpdates::None));
}

/// A description Google holds as HTML is shown as text; left alone, it is not sent back.
#[test]
fn an_untouched_html_description_is_not_sent() {
    let mut app = edit_app();
    let mut m = review();
    m = event(json!({
        "id": m.id, "summary": "Roadmap review", "etag": "\"1\"",
        "start": {"dateTime": "2026-11-24T14:00:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-11-24T14:30:00Z", "timeZone": "Europe/Berlin"},
        "conferenceData": meet("abc-defg-hij"),
        "organizer": {"email": "alex@example.com", "self": true},
        "attendees": [me(), {"email": "kim@partner.org"}],
        "description": "<p>Yesterday / today / blockers.</p><p>Board: <a href=\"https://example.com/board\">link</a></p>"
    }));
    open_edit(&mut app, "Roadmap review", m);
    set(&mut app, Field::Title, "Roadmap");
    save(&mut app);
    assert_eq!(
        edit_dialog(&app).edit.changes,
        Changes {
            title: Some("Roadmap".into()),
            ..Changes::default()
        }
    );
}

/// "This and following" saved: the old series' later occurrences leave the agenda at once
/// (Google's listing of the truncated series no longer has them, and nothing else would say
/// they are gone); the earlier ones stay.
#[test]
fn a_split_takes_the_old_series_later_occurrences_off_the_agenda() {
    let mut a = agenda();
    let week = |d: u32| {
        let mut m = one_on_one();
        m.id = format!("weekly_202612{d:02}T100000Z");
        m.when = When::Timed {
            start: at(&format!("2026-12-{d:02}T10:00:00Z")),
            end: at(&format!("2026-12-{d:02}T10:30:00Z")),
        };
        m
    };
    a.meetings.extend([one_on_one(), week(2), week(9)]);
    a.sort();
    let mut app = App::new(meetty::screenshots::demo_settings(tz()), Some(a), now());
    press(&mut app, "a");
    open_edit(&mut app, "1:1 Kim", one_on_one());
    set(&mut app, Field::Title, "1:1 Kim, new format");
    save(&mut app);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Right));
    let (req, edit) = sent_edit(&app.update(key(KeyCode::Enter)));
    assert_eq!(edit.scope, Scope::Following);
    let mut renamed = one_on_one();
    renamed.id = "newseries_20261125T100000Z".into();
    renamed.series_id = Some("newseries".into());
    renamed.title = "1:1 Kim, new format".into();
    let effects = app.update(Action::Wrote {
        req,
        result: Ok(Written::Edited(Box::new(Edited::Done(Box::new(renamed))))),
    });
    // The refresh builds on the last one: it forgets them too, before listing again.
    let forget = effects
        .iter()
        .position(|e| matches!(e, Effect::ForgetSeries { series_id, .. } if series_id == "weekly"));
    let refresh = effects
        .iter()
        .position(|e| matches!(e, Effect::Refresh { .. }));
    assert!(forget.is_some() && forget < refresh, "{effects:?}");
    let titles: Vec<(String, String)> = app
        .agenda
        .as_ref()
        .unwrap()
        .meetings
        .iter()
        .filter(|m| m.title.starts_with("1:1 Kim"))
        .map(|m| (m.id.clone(), m.title.clone()))
        .collect();
    assert_eq!(
        titles,
        [(
            "newseries_20261125T100000Z".to_string(),
            "1:1 Kim, new format".to_string()
        )]
    );
}

/// Editing a meeting already in progress (its start is in the past) does not ask about a
/// past start; moving it into the past still does.
#[test]
fn a_meeting_in_progress_is_saved_without_the_past_start_question() {
    let mut running = review();
    running.when = When::Timed {
        start: at("2026-11-23T08:45:00Z"),
        end: at("2026-11-23T09:30:00Z"),
    };
    let mut a = agenda();
    a.meetings.push(running.clone());
    a.sort();
    let mut app = App::new(meetty::screenshots::demo_settings(tz()), Some(a), now());
    press(&mut app, "a");
    open_edit(&mut app, "Roadmap review", running);
    set(&mut app, Field::Title, "Roadmap review (extended)");
    save(&mut app);
    assert!(
        matches!(app.confirm(), Some(Confirm::Edit(_))),
        "straight to whom to e-mail: {:?}",
        app.confirm()
    );
    app.update(key(KeyCode::Esc));
    set(&mut app, Field::Start, "-1h");
    save(&mut app);
    assert!(
        matches!(app.confirm(), Some(Confirm::PastStart)),
        "{:?}",
        app.confirm()
    );
}

/// The Meet field in the edit form: "same link as…" another meeting is sent as a copy of that
/// meeting's conference, "none" removes the link, "keep its link" sends nothing.
#[test]
fn the_meet_field_of_an_edit_maps_to_the_conference_change() {
    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    focus(&mut app, Field::Meet);
    app.update(key(KeyCode::Right));
    assert_eq!(value(&app, Field::Meet).unwrap(), "none");
    save(&mut app);
    let (_, edit) = sent_edit(&app.update(key(KeyCode::Enter)));
    assert_eq!(edit.changes.meet, Some(MeetChange::Remove));

    let mut app = edit_app();
    open_edit(&mut app, "Roadmap review", review());
    focus(&mut app, Field::Meet);
    app.update(key(KeyCode::Left));
    assert_eq!(app.mode(), Mode::LinkPicker);
    app.update(key(KeyCode::Enter));
    save(&mut app);
    let effects = app.update(key(KeyCode::Enter));
    let (_, edit) = sent_edit(&effects);
    assert!(
        matches!(edit.changes.meet, Some(MeetChange::CopyFrom { .. })),
        "{:?}",
        edit.changes.meet
    );
}
