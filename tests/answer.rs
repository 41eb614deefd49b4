//! Answering invitations: the request `respond` sends (only the user's own entry, with
//! `attendeesOmitted`) against the sandbox over real HTTP, and the answer dialog through
//! `App::update`: its keys, each choice, the row changing at once and going back on refusal.

mod common;

use chrono::TimeDelta;
use common::*;
use meetty::action::{Action, Effect};
use meetty::app::{AnswerRow, App, Confirm, Mode};
use meetty::calendar::answer::{Answer, Respond, NOTE_MAX_CHARS};
use meetty::calendar::client::CalendarClient;
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{Agenda, Meeting, Rsvp};
use meetty::calendar::ops::{WriteOp, Written};
use meetty::sandbox::{Fault, Sandbox, ACCOUNT};
use ratatui::crossterm::event::KeyCode;
use serde_json::{json, Value};

fn stored(sandbox: &Sandbox, event_id: &str) -> Value {
    sandbox
        .with_store(|s| s.event("primary", event_id))
        .unwrap()
}

async fn listed(client: &CalendarClient) -> Vec<Meeting> {
    let from = now() - TimeDelta::hours(1);
    client
        .events("primary", from, from + TimeDelta::days(7))
        .await
        .unwrap()
}

/// The demo week's meeting with this title.
async fn titled(client: &CalendarClient, title: &str) -> Meeting {
    listed(client)
        .await
        .into_iter()
        .find(|m| m.title == title)
        .unwrap()
}

fn respond(m: &Meeting, rsvp: Rsvp, note: Option<&str>, notify: bool) -> Respond {
    Respond {
        calendar: "primary".into(),
        event_id: m.id.clone(),
        email: ACCOUNT.into(),
        answer: Answer {
            rsvp,
            note: note.map(str::to_string),
            notify,
        },
    }
}

fn my_answer(m: &Meeting) -> Rsvp {
    m.attendees.iter().find(|a| a.is_self).unwrap().rsvp
}

#[tokio::test]
async fn an_answer_sends_only_my_entry_and_the_flag_and_the_other_guests_stay() {
    let (sandbox, client) = demo().await;
    let review = titled(&client, "Design review").await;
    assert!(!review.i_organize);
    let before = stored(&sandbox, &review.id);
    let r = respond(&review, Rsvp::Tentative, Some("Running late"), true);
    let planned = client.plan_respond(&r).unwrap();

    let answered = client.respond(&r).await.unwrap();
    assert_eq!(my_answer(&answered), Rsvp::Tentative);
    assert_eq!(answered.attendees.len(), review.attendees.len());

    let [patch] = sent(&sandbox, "PATCH", &review.id).try_into().unwrap();
    assert_eq!(patch.header("if-match"), None, "nothing is written back");
    assert_eq!(patch.param("sendUpdates"), Some("all"));
    let body = json!({
        "attendeesOmitted": true,
        "attendees": [{"email": ACCOUNT, "responseStatus": "tentative", "comment": "Running late"}],
    });
    assert_eq!(patch.body.as_ref(), Some(&body));
    // What --dry-run prints is what was sent.
    assert_eq!(planned.body.as_ref(), Some(&body));
    assert_eq!(planned.if_match, None);
    assert!(planned.url.contains(&format!("/events/{}?", review.id)));

    let mut expected = before["attendees"].clone();
    for a in expected.as_array_mut().unwrap() {
        if a["self"] == true {
            a["responseStatus"] = json!("tentative");
            a["comment"] = json!("Running late");
        }
    }
    let after = stored(&sandbox, &review.id);
    assert_eq!(after["attendees"], expected, "every other guest as before");
    for unchanged in ["summary", "start", "end", "conferenceData", "organizer"] {
        assert_eq!(after.get(unchanged), before.get(unchanged), "{unchanged}");
    }
    assert_eq!(after.get("attendeesOmitted"), None);
}

#[tokio::test]
async fn without_notify_nobody_is_emailed_and_without_a_note_the_old_one_stays() {
    let (sandbox, client) = demo().await;
    let review = titled(&client, "Design review").await;
    let with_note = respond(&review, Rsvp::Tentative, Some("Maybe"), true);
    client.respond(&with_note).await.unwrap();
    let answered = client
        .respond(&respond(&review, Rsvp::Accepted, None, false))
        .await
        .unwrap();
    assert_eq!(my_answer(&answered), Rsvp::Accepted);
    let patch = sent(&sandbox, "PATCH", &review.id).pop().unwrap();
    assert_eq!(patch.param("sendUpdates"), Some("none"));
    assert_eq!(
        patch.body.unwrap()["attendees"],
        json!([{"email": ACCOUNT, "responseStatus": "accepted"}])
    );
    let after = stored(&sandbox, &review.id);
    let mine = after["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["self"] == true)
        .unwrap();
    assert_eq!(mine["comment"], "Maybe");
}

#[tokio::test]
async fn all_occurrences_answers_the_series_and_one_occurrence_only_itself() {
    let (sandbox, client) = demo().await;
    let standups = |ms: Vec<Meeting>| -> Vec<Meeting> {
        ms.into_iter()
            .filter(|m| m.title == "Daily standup")
            .collect()
    };
    let first = standups(listed(&client).await);
    let series = first[0].series_id.clone().unwrap();

    client
        .respond(&respond(&first[0], Rsvp::Declined, None, true))
        .await
        .unwrap();
    let answers: Vec<Rsvp> = standups(listed(&client).await)
        .iter()
        .map(my_answer)
        .collect();
    assert_eq!(answers[0], Rsvp::Declined);
    assert!(
        answers[1..].iter().all(|r| *r == Rsvp::Accepted),
        "{answers:?}"
    );

    let mut all = respond(&first[1], Rsvp::Tentative, None, true);
    all.event_id = series.clone();
    client.respond(&all).await.unwrap();
    let patch = sent(&sandbox, "PATCH", "/events/").pop().unwrap();
    assert!(
        patch.path.ends_with(&format!("/events/{series}")),
        "{}",
        patch.path
    );
    let answers: Vec<Rsvp> = standups(listed(&client).await)
        .iter()
        .skip(1)
        .map(my_answer)
        .collect();
    assert!(answers.iter().all(|r| *r == Rsvp::Tentative), "{answers:?}");
}

#[tokio::test]
async fn the_note_is_cleaned_and_length_limited_and_bad_answers_are_not_sent() {
    let (sandbox, client) = demo().await;
    let review = titled(&client, "Design review").await;
    let hostile = "\u{1b}]52;c;aGk=\u{7}Late\u{202e}, sorry";
    client
        .respond(&respond(&review, Rsvp::Accepted, Some(hostile), true))
        .await
        .unwrap();
    let body = sent(&sandbox, "PATCH", &review.id).pop().unwrap().body;
    assert_eq!(body.unwrap()["attendees"][0]["comment"], "Late, sorry");

    let long = "a".repeat(NOTE_MAX_CHARS + 1);
    let err = client
        .respond(&respond(&review, Rsvp::Accepted, Some(&long), true))
        .await
        .unwrap_err();
    let ApiError::Refused(why) = err else {
        panic!("{err:?}")
    };
    assert!(why.contains(&format!("at most {NOTE_MAX_CHARS}")), "{why}");
    let unanswered = respond(&review, Rsvp::NeedsAction, None, true);
    assert!(matches!(
        client.respond(&unanswered).await,
        Err(ApiError::Refused(_))
    ));
    let mut nobody = respond(&review, Rsvp::Declined, None, true);
    nobody.email = String::new();
    assert!(matches!(
        client.respond(&nobody).await,
        Err(ApiError::Refused(_))
    ));
    assert_eq!(sent(&sandbox, "PATCH", &review.id).len(), 1, "none sent");
}

#[tokio::test]
async fn answering_for_another_guest_is_refused_by_google() {
    let (sandbox, client) = demo().await;
    let review = titled(&client, "Design review").await;
    let before = stored(&sandbox, &review.id);
    let mut theirs = respond(&review, Rsvp::Declined, None, true);
    theirs.email = "sam.okafor@example.com".into();
    let err = client.respond(&theirs).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Google { code: 403, reason, .. } if reason == "forbiddenForNonOrganizer"),
        "{err:?}"
    );
    assert_eq!(stored(&sandbox, &review.id), before);
}

#[tokio::test]
async fn an_answer_whose_reply_was_lost_is_sent_again_and_applied_once() {
    let (sandbox, client) = demo().await;
    let review = titled(&client, "Design review").await;
    sandbox.inject(Fault::drop_after_apply().on("PATCH", &review.id));
    let declined = client
        .respond(&respond(&review, Rsvp::Declined, None, true))
        .await
        .unwrap();
    assert_eq!(my_answer(&declined), Rsvp::Declined);
    assert_eq!(declined.attendees.len(), review.attendees.len());
    let patches = sent(&sandbox, "PATCH", &review.id);
    assert_eq!(patches.len(), 2, "applied but unanswered, then again");
    assert!(patches.iter().all(|p| p.header("if-match").is_none()));
}

// ---- The answer dialog ----

fn event(v: Value) -> Meeting {
    Meeting::from_event(
        "alex@example.com",
        &serde_json::from_str(&v.to_string()).unwrap(),
    )
    .unwrap()
}

/// The common agenda (its "Platform standup" is Maria's invitation) plus a weekly series Maria
/// invited the user to, a meeting the user organizes, a focus-time block and a flight Gmail
/// added.
fn agenda_with_invitations() -> Agenda {
    let mut a = agenda();
    let meet = json!({"conferenceSolution": {"key": {"type": "hangoutsMeet"}},
        "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/wee-kkly-abc"}]});
    let people = json!([
        {"email": "maria@example.com", "organizer": true, "responseStatus": "accepted"},
        {"email": "alex@example.com", "self": true, "responseStatus": "needsAction"}
    ]);
    for (id, day) in [("sync_20261123T140000Z", 23), ("sync_20261124T140000Z", 24)] {
        a.meetings.push(event(json!({
            "id": id, "summary": "Weekly sync", "recurringEventId": "sync",
            "start": {"dateTime": format!("2026-11-{day}T14:00:00Z")},
            "end": {"dateTime": format!("2026-11-{day}T14:30:00Z")},
            "organizer": {"email": "maria@example.com"},
            "attendees": people, "conferenceData": meet,
        })));
    }
    a.meetings.push(event(json!({
        "id": "mine1", "summary": "My planning",
        "start": {"dateTime": "2026-11-23T15:00:00Z"}, "end": {"dateTime": "2026-11-23T15:30:00Z"},
        "organizer": {"email": "alex@example.com", "self": true},
        "attendees": [{"email": "alex@example.com", "self": true, "organizer": true, "responseStatus": "accepted"}],
        "conferenceData": meet,
    })));
    a.meetings.push(event(json!({
        "id": "gmail1", "summary": "Flight to Lisbon", "eventType": "fromGmail",
        "start": {"dateTime": "2026-11-23T18:00:00Z"}, "end": {"dateTime": "2026-11-23T20:00:00Z"},
        "organizer": {"email": "alex@example.com"},
        "attendees": [{"email": "alex@example.com", "self": true, "responseStatus": "accepted"}],
    })));
    a.meetings.push(event(json!({
        "id": "focus1", "summary": "Deep work", "eventType": "focusTime",
        "start": {"dateTime": "2026-11-23T16:00:00Z"}, "end": {"dateTime": "2026-11-23T17:00:00Z"},
        "organizer": {"email": "alex@example.com", "self": true},
        "conferenceData": meet,
    })));
    a.sort();
    a
}

fn answer_app() -> App {
    App::new(
        meetty::screenshots::demo_settings(tz()),
        Some(agenda_with_invitations()),
        now(),
    )
}

fn answers(app: &App, title: &str) -> Vec<Rsvp> {
    app.agenda
        .as_ref()
        .unwrap()
        .meetings
        .iter()
        .filter(|m| m.title == title)
        .map(my_answer)
        .collect()
}

fn respond_op(effects: &[Effect]) -> (u64, Respond) {
    match effects {
        [Effect::Write {
            req,
            op: WriteOp::Respond(r),
            ..
        }] => (*req, (**r).clone()),
        other => panic!("expected one answer, got {other:?}"),
    }
}

#[test]
fn r_answers_maybe_with_a_note_without_email_and_shows_it_at_once() {
    let mut app = answer_app();
    select(&mut app, "Platform standup");
    press(&mut app, "R");
    assert_eq!(app.mode(), Mode::Answer);
    let d = app.answer_dialog().unwrap();
    assert_eq!(d.rsvp, Rsvp::Accepted, "the answer given before");
    assert!(d.notify, "the organizer is e-mailed unless told otherwise");
    assert_eq!(d.rows().len(), 3, "no occurrences choice: not a series");
    press(&mut app, "m");
    assert_eq!(app.answer_dialog().unwrap().rsvp, Rsvp::Tentative);
    app.update(key(KeyCode::Tab));
    assert_eq!(app.answer_dialog().unwrap().row, AnswerRow::Note);
    // In the note, the answer keys (y, m, n) and Space are text.
    type_text(&mut app, "Late? yes, maybe ten min");
    app.update(key(KeyCode::Backspace));
    assert_eq!(app.answer_dialog().unwrap().note, "Late? yes, maybe ten mi");
    assert_eq!(app.answer_dialog().unwrap().rsvp, Rsvp::Tentative);
    app.update(key(KeyCode::Tab));
    press(&mut app, " ");
    assert!(!app.answer_dialog().unwrap().notify);
    let (req, r) = respond_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        r,
        Respond {
            calendar: "alex@example.com".into(),
            event_id: "standup1".into(),
            email: "alex@example.com".into(),
            answer: Answer {
                rsvp: Rsvp::Tentative,
                note: Some("Late? yes, maybe ten mi".into()),
                notify: false,
            },
        }
    );
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(
        answers(&app, "Platform standup"),
        [Rsvp::Tentative],
        "at once"
    );
    assert!(app.writes[&req].label.contains("Platform standup"));

    let mut back = app.agenda.as_ref().unwrap().meetings[0].clone();
    assert_eq!(back.id, "standup1");
    back.title = "Platform standup (renamed)".into();
    app.update(Action::Wrote {
        req,
        result: Ok(Written::Responded(Box::new(back))),
    });
    let toast = &app.toast.as_ref().unwrap().text;
    assert!(
        toast.contains("maybe") && toast.contains("renamed"),
        "{toast}"
    );
    assert_eq!(
        answers(&app, "Platform standup (renamed)"),
        [Rsvp::Tentative]
    );
}

#[test]
fn a_refused_answer_puts_every_row_back_and_says_why() {
    let mut app = answer_app();
    select(&mut app, "Weekly sync");
    press(&mut app, "R");
    let d = app.answer_dialog().unwrap();
    assert_eq!(d.rsvp, Rsvp::Accepted, "not answered yet: yes first");
    assert_eq!(d.rows().last(), Some(&AnswerRow::Occurrences));
    press(&mut app, "n");
    // Up from the answer wraps to the occurrences choice.
    app.update(key(KeyCode::Up));
    app.update(key(KeyCode::Right));
    assert!(app.answer_dialog().unwrap().all_occurrences);
    let (req, r) = respond_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(r.event_id, "sync", "the series");
    assert_eq!(r.answer.rsvp, Rsvp::Declined);
    assert!(r.answer.notify);
    assert_eq!(r.answer.note, None);
    assert_eq!(
        answers(&app, "Weekly sync"),
        [Rsvp::Declined, Rsvp::Declined]
    );
    app.update(Action::Wrote {
        req,
        result: Err(ApiError::Google {
            code: 403,
            reason: "forbiddenForNonOrganizer".into(),
            message: "Shared properties can only be changed by the organizer of the event.".into(),
        }),
    });
    assert_eq!(
        answers(&app, "Weekly sync"),
        [Rsvp::NeedsAction, Rsvp::NeedsAction],
        "rolled back"
    );
    assert!(app.toast.as_ref().unwrap().error);
    assert!(app.writes.is_empty());
}

#[test]
fn the_value_keys_cycle_the_answer_and_esc_sends_nothing() {
    let mut app = answer_app();
    select(&mut app, "Weekly sync");
    press(&mut app, "R");
    let rsvp = |app: &App| app.answer_dialog().unwrap().rsvp;
    app.update(key(KeyCode::Right));
    assert_eq!(rsvp(&app), Rsvp::Tentative);
    app.update(key(KeyCode::Right));
    assert_eq!(rsvp(&app), Rsvp::Declined);
    app.update(key(KeyCode::Right));
    assert_eq!(rsvp(&app), Rsvp::Accepted);
    app.update(key(KeyCode::Left));
    assert_eq!(rsvp(&app), Rsvp::Declined);
    press(&mut app, "y");
    assert_eq!(rsvp(&app), Rsvp::Accepted);
    // Help lists this dialog's keys, and goes back to it.
    app.update(key(KeyCode::F(1)));
    assert_eq!(app.mode(), Mode::Help);
    assert_eq!(app.screen.help_for(), Mode::Answer);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Answer);
    assert!(app.update(key(KeyCode::Esc)).is_empty());
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(
        answers(&app, "Weekly sync"),
        [Rsvp::NeedsAction, Rsvp::NeedsAction]
    );
}

#[test]
fn a_note_too_long_stays_in_the_dialog_with_the_reason() {
    let mut app = answer_app();
    select(&mut app, "Platform standup");
    press(&mut app, "R");
    app.update(key(KeyCode::Tab));
    type_text(&mut app, &"x".repeat(NOTE_MAX_CHARS + 1));
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    let d = app.answer_dialog().unwrap();
    assert!(
        d.error.as_ref().unwrap().contains("at most"),
        "{:?}",
        d.error
    );
    app.update(key(KeyCode::Backspace));
    assert_eq!(app.answer_dialog().unwrap().error, None);
    respond_op(&app.update(key(KeyCode::Enter)));
}

#[test]
fn r_on_my_own_meeting_a_status_or_a_non_invitation_explains_instead() {
    let mut app = answer_app();
    press(&mut app, "a"); // all events, also those without a link
    for (title, says) in [
        ("My planning", "You organize"),
        ("Deep work", "not an invitation"),
        ("Flight to Lisbon", "added from Gmail"),
        ("Lunch with Sam", "not on the guest list"),
    ] {
        select(&mut app, title);
        assert!(press(&mut app, "R").is_empty());
        assert_eq!(app.mode(), Mode::Agenda, "{title}");
        let toast = app.toast.as_ref().unwrap();
        assert!(toast.error && toast.text.contains(says), "{}", toast.text);
    }
}

#[test]
fn d_still_asks_before_declining_and_sends_it_as_an_answer() {
    let mut app = answer_app();
    select(&mut app, "Weekly sync");
    press(&mut app, "d");
    assert!(matches!(app.confirm(), Some(Confirm::Decline(_))));
    let (_, r) = respond_op(&press(&mut app, "y"));
    assert_eq!(r.event_id, "sync_20261123T140000Z", "only this occurrence");
    assert_eq!(r.answer.rsvp, Rsvp::Declined);
    assert_eq!(
        answers(&app, "Weekly sync"),
        [Rsvp::Declined, Rsvp::NeedsAction]
    );
}

#[test]
fn the_answer_keys_come_from_the_config() {
    let mut settings = meetty::screenshots::demo_settings(tz());
    let config = "[keys.answer]\nsend = [\"Ctrl-s\"]\nmaybe = [\"t\"]\n\
                  [keys.agenda]\nanswer = [\"A\"]\ntoggle_all = []\n";
    settings.keymap = meetty::config::Config::parse(Some(config)).unwrap().keymap;
    let mut app = App::new(settings, Some(agenda_with_invitations()), now());
    select(&mut app, "Platform standup");
    press(&mut app, "A");
    assert_eq!(app.mode(), Mode::Answer);
    press(&mut app, "t");
    assert!(app.update(key(KeyCode::Enter)).is_empty(), "Enter unbound");
    let (_, r) = respond_op(&app.update(ctrl('s')));
    assert_eq!(r.answer.rsvp, Rsvp::Tentative);
}
