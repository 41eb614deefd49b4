//! Issue 11 points 9–10: the form's Meet field (new link, none, same link as…), the picker
//! that chooses the meeting whose link is shared, the insert that copies its conference, and
//! the overlap warning as the form shows it.

mod common;

use std::time::Duration;

use chrono::TimeDelta;
use common::*;
use meetty::action::Effect;
use meetty::app::{App, Mode, Overlay};
use meetty::calendar::client::CalendarClient;
use meetty::calendar::error::ApiError;
use meetty::calendar::model::SendUpdates;
use meetty::calendar::ops::WriteOp;
use meetty::calendar::write::{
    copied_conference, event_id, Conference, NewConference, NewEvent, Progress,
};
use meetty::compose::{Field, MeetChoice};
use meetty::sandbox::{ConferenceOutcome, ConferencePolicy, Sandbox, Seed};
use ratatui::crossterm::event::KeyCode;
use serde_json::{json, Value};

/// `n`, Quick Sync (a new Meet link), a title, and the focus on the Meet field.
fn form_on_meet(app: &mut App) {
    press(app, "n1");
    type_text(app, "Follow-up");
    focus(app, Field::Meet);
}

fn meet(app: &App) -> MeetChoice {
    app.form().unwrap().draft().meet
}

fn picked(app: &App) -> Vec<String> {
    match app.screen.top() {
        Some(Overlay::LinkPicker(p)) => p.meetings.iter().map(|m| m.id.clone()).collect(),
        other => panic!("no link picker: {other:?}"),
    }
}

fn retro() -> MeetChoice {
    MeetChoice::SameAs {
        calendar_id: "team@group.calendar.google.com".into(),
        event_id: "retro1".into(),
        title: "Sprint retro".into(),
        link: "https://meet.google.com/xyz-abcd-efg".into(),
    }
}

#[test]
fn the_meet_field_cycles_and_same_link_as_opens_the_picker() {
    let mut app = app();
    form_on_meet(&mut app);
    assert_eq!(meet(&app), MeetChoice::New);
    app.update(key(KeyCode::Right));
    assert_eq!(meet(&app), MeetChoice::None);
    // The third place is chosen in the picker: only meetings with a conference of their own
    // (the Zoom link in a location and the Teams link in a description are not), in order.
    app.update(key(KeyCode::Right));
    assert_eq!(app.mode(), Mode::LinkPicker);
    assert_eq!(picked(&app), ["standup1", "retro1"]);
    // Esc goes back with the field as it was.
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(meet(&app), MeetChoice::None);
    // Left goes the other way round: none, new link, same link as….
    app.update(key(KeyCode::Left));
    assert_eq!(meet(&app), MeetChoice::New);
    app.update(key(KeyCode::Left));
    assert_eq!(app.mode(), Mode::LinkPicker);
    // Down/Up (j/k) wrap round the list.
    press(&mut app, "jjk");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(meet(&app), retro());
    // From "same link as…", the keys go on to the other two.
    app.update(key(KeyCode::Right));
    assert_eq!(meet(&app), MeetChoice::New);
}

#[test]
fn creating_with_same_link_as_sends_the_copy_request() {
    let mut app = app();
    form_on_meet(&mut app);
    app.update(key(KeyCode::Left));
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    let effects = app.update(ctrl('s'));
    let [Effect::Write {
        op: WriteOp::Create { event, .. },
        ..
    }] = effects.as_slice()
    else {
        panic!("expected one create, got {effects:?}")
    };
    assert_eq!(
        event.conference,
        NewConference::CopyFrom {
            calendar_id: "team@group.calendar.google.com".into(),
            event_id: "retro1".into()
        }
    );
}

#[test]
fn a_series_is_offered_once_and_without_conferences_there_is_no_picker() {
    let mut agenda = agenda();
    let mut again = agenda.meetings[0].clone();
    again.id = "standup2".into();
    agenda.meetings.push(again);
    let mut app = App::new(
        meetty::screenshots::demo_settings(tz()),
        Some(agenda),
        now(),
    );
    form_on_meet(&mut app);
    app.update(key(KeyCode::Left));
    assert_eq!(
        picked(&app),
        ["standup1", "retro1"],
        "one link, offered once"
    );

    let mut bare = common::agenda();
    bare.meetings.retain(|m| !m.has_conference);
    let mut app = App::new(meetty::screenshots::demo_settings(tz()), Some(bare), now());
    form_on_meet(&mut app);
    app.update(key(KeyCode::Left));
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(meet(&app), MeetChoice::New);
    let toast = app.toast.as_ref().expect("a toast says why");
    assert!(
        toast.text.starts_with("No meeting in the agenda"),
        "{}",
        toast.text
    );
}

/// Issue 11 point 10, as the form shows it: recomputed as the start and length change.
#[test]
fn the_overlap_warning_follows_the_start_and_the_length() {
    let mut app = app();
    form_on_meet(&mut app);
    let warnings = |app: &App| app.form().unwrap().checked.warnings.clone();
    // Now is 10:00 in Berlin; the standup (accepted) runs 09:45–10:15, the design review (the
    // user's own event: no guest list) 10:04–10:30.
    set(&mut app, Field::Start, "10:30");
    assert!(
        warnings(&app).is_empty(),
        "touching is no overlap: {:?}",
        warnings(&app)
    );
    set(&mut app, Field::Start, "10:15");
    assert_eq!(
        warnings(&app),
        ["overlaps Design review 10:04\u{2013}10:30"]
    );
    set(&mut app, Field::Start, "10:00");
    assert_eq!(
        warnings(&app),
        ["overlaps Platform standup 09:45\u{2013}10:15 and 1 more"]
    );
    set(&mut app, Field::Start, "11:00");
    assert!(warnings(&app).is_empty());
    set(&mut app, Field::Start, "09:00");
    assert!(
        warnings(&app).is_empty(),
        "09:00–09:30 ends before the standup"
    );
    set(&mut app, Field::Length, "1h");
    assert_eq!(
        warnings(&app),
        ["overlaps Platform standup 09:45\u{2013}10:15"]
    );
    let form = app.form().unwrap();
    assert!(form.checked.event.is_some(), "a warning never blocks");
}

/// A conference as Google returns it for a Meet created by request: everything but the
/// createRequest is what another event must be given to share the room.
fn full_conference() -> Value {
    json!({
        "createRequest": {
            "requestId": "3f1d2c4e-0000-4000-8000-000000000001",
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "success"}
        },
        "entryPoints": [
            {"entryPointType": "video", "uri": "https://meet.google.com/shr-room-abc",
             "label": "meet.google.com/shr-room-abc"},
            {"entryPointType": "more", "uri": "https://tel.meet/shr-room-abc?pin=1701789652855",
             "pin": "1701789652855"},
            {"entryPointType": "phone", "uri": "tel:+49-30-5555-0143",
             "label": "+49 30 5555 0143", "pin": "482913", "regionCode": "DE"}
        ],
        "conferenceSolution": {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"
        },
        "conferenceId": "shr-room-abc",
        "notes": "Room for the <b>design</b> series",
        "signature": "AGirE/Jmi4pFHkq0kcqgRyOuAR2r"
    })
}

async fn sandbox_with(source: Value) -> (Sandbox, CalendarClient) {
    let sandbox = common::sandbox(Seed::Empty).await;
    sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::ZERO,
        after_reads: None,
        outcome: ConferenceOutcome::Success,
    });
    sandbox
        .with_store(|s| s.put_event("primary", source))
        .unwrap();
    let client = common::client(&sandbox);
    (sandbox, client)
}

fn source(extra: Value) -> Value {
    let mut ev = json!({
        "id": "designreview1", "summary": "Design review",
        "start": {"dateTime": "2026-11-30T10:00:00Z"}, "end": {"dateTime": "2026-11-30T10:30:00Z"},
        "organizer": {"email": "alex@example.com", "self": true},
    });
    for (k, v) in extra.as_object().unwrap() {
        ev[k] = v.clone();
    }
    ev
}

fn copying(title: &str) -> NewEvent {
    let start = (now() + TimeDelta::days(1)).with_timezone(&tz());
    NewEvent {
        id: event_id(),
        title: title.into(),
        start,
        end: start + TimeDelta::minutes(30),
        attendees: vec!["kim@partner.org".into()],
        description: String::new(),
        recurrence: Vec::new(),
        reminders: None,
        conference: NewConference::CopyFrom {
            calendar_id: "primary".into(),
            event_id: "designreview1".into(),
        },
        send_updates: SendUpdates::All,
        private: Default::default(),
    }
}

fn quiet(_: Progress) {}

#[tokio::test]
async fn the_insert_carries_the_sources_conference_copied_and_both_share_one_room() {
    let (sandbox, client) =
        sandbox_with(source(json!({"conferenceData": full_conference()}))).await;
    let ev = copying("Design follow-up");
    let created = client.create("primary", &ev, &quiet).await.unwrap();

    let reads = sent(&sandbox, "GET", "/events/designreview1");
    assert_eq!(
        reads.len(),
        1,
        "the source is read for its whole conferenceData"
    );
    let posts = sent(&sandbox, "POST", "/events");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].param("conferenceDataVersion"), Some("1"));
    let body = posts[0].body.as_ref().unwrap();
    let mut expected = full_conference();
    expected.as_object_mut().unwrap().remove("createRequest");
    assert_eq!(
        body["conferenceData"], expected,
        "all of it but the createRequest"
    );
    assert_eq!(copied_conference(&full_conference()), expected);

    let link = "https://meet.google.com/shr-room-abc";
    assert_eq!(created.conference, Conference::Ready(link.into()));
    let copy = client.event("primary", &ev.id).await.unwrap();
    let original = client.event("primary", "designreview1").await.unwrap();
    assert_eq!(copy.video, original.video, "both show the same link");
    assert_eq!(copy.dial_in, original.dial_in);
    let stored = sandbox.with_store(|s| s.event("primary", &ev.id)).unwrap();
    assert_eq!(stored["conferenceData"]["conferenceId"], "shr-room-abc");
    assert_eq!(stored["hangoutLink"], link);
}

#[tokio::test]
async fn a_source_without_a_conference_is_refused_before_anything_is_made() {
    for (extra, why) in [
        (json!({}), "has no video conference to share"),
        (
            json!({"description": "Join: https://meet.google.com/txt-link-abc"}),
            "has no video conference to share",
        ),
        (
            json!({"conferenceData": {"createRequest": {
                "requestId": "r", "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": "pending"}}}}),
            "has no finished video link yet",
        ),
    ] {
        let (sandbox, client) = sandbox_with(source(extra)).await;
        let err = client
            .create("primary", &copying("Nope"), &quiet)
            .await
            .unwrap_err();
        let ApiError::Refused(message) = &err else {
            panic!("{err:?}")
        };
        assert!(
            message.starts_with("\u{201c}Design review\u{201d} ") && message.contains(why),
            "{message}"
        );
        assert!(sent(&sandbox, "POST", "/events").is_empty(), "nothing made");
    }
}

/// Google does not document what it does with a copied conference of a type the calendar
/// does not allow (`allowedConferenceSolutionTypes`), so the sandbox keeps it as given.
#[tokio::test]
async fn a_third_party_conference_is_copied_as_given() {
    let zoom = json!({
        "conferenceSolution": {"key": {"type": "addOn"}, "name": "Zoom Meeting"},
        "conferenceId": "85012345678",
        "entryPoints": [{"entryPointType": "video",
                         "uri": "https://us02web.zoom.us/j/85012345678?pwd=Q2xpZW50"}],
        "parameters": {"addOnParameters": {"parameters": {"meetingType": "2"}}}
    });
    let (sandbox, client) = sandbox_with(source(json!({"conferenceData": zoom.clone()}))).await;
    let ev = copying("Zoom follow-up");
    let created = client.create("primary", &ev, &quiet).await.unwrap();
    let posts = sent(&sandbox, "POST", "/events");
    assert_eq!(posts[0].body.as_ref().unwrap()["conferenceData"], zoom);
    assert_eq!(
        created.conference,
        Conference::Ready("https://us02web.zoom.us/j/85012345678?pwd=Q2xpZW50".into())
    );
}
