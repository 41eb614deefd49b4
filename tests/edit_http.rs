//! Editing meetings against the sandbox over real HTTP, asserting on the requests it recorded:
//! only changed fields with `If-Match`, guests changed without losing anyone's answer, a
//! meeting changed elsewhere as a conflict, and the three scopes of a recurring meeting, the
//! series split checked occurrence by occurrence against the rule across DST changes.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use common::sent;
use meetty::calendar::client::CalendarClient;
use meetty::calendar::edit::{Changes, Edit, Editable, Edited, MeetChange, Scope};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{Rsvp, SendUpdates};
use meetty::calendar::write::Progress;
use meetty::recurrence::{self, Start};
use meetty::sandbox::{Fault, Sandbox, Seed, WriteOptions, ACCOUNT};
use serde_json::{json, Value};

mod common;

const BERLIN: Tz = Tz::Europe__Berlin;
const NEW_YORK: Tz = Tz::America__New_York;

fn no_progress(_: Progress) {}

async fn start() -> (Sandbox, CalendarClient) {
    let sandbox = common::sandbox(Seed::Empty).await;
    let client = common::client(&sandbox);
    (sandbox, client)
}

fn local(tz: Tz, text: &str) -> DateTime<Tz> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).unwrap()
}

fn at(t: DateTime<Tz>) -> Value {
    json!({"dateTime": t.to_rfc3339(), "timeZone": t.timezone().name()})
}

/// A meeting the account organizes, with two guests who answered.
fn planning(start: DateTime<Tz>) -> Value {
    json!({
        "id": "planning01",
        "summary": "Planning",
        "description": "Agenda",
        "start": at(start),
        "end": at(start + chrono::TimeDelta::minutes(30)),
        "attendees": [
            {"email": ACCOUNT, "responseStatus": "accepted"},
            {"email": "bo@example.com", "responseStatus": "accepted", "comment": "gladly"},
            {"email": "cy@example.com", "responseStatus": "declined", "optional": true},
        ],
    })
}

fn put(sandbox: &Sandbox, event: Value) -> Value {
    sandbox
        .with_store(|s| s.put_event("primary", event))
        .unwrap()
}

fn stored(sandbox: &Sandbox, id: &str) -> Value {
    sandbox.with_store(|s| s.event("primary", id)).unwrap()
}

fn edit(target: Editable, scope: Scope, changes: Changes) -> Edit {
    Edit {
        calendar: ACCOUNT.into(),
        target,
        scope,
        changes,
        send: SendUpdates::None,
    }
}

async fn done(client: &CalendarClient, e: &Edit) {
    match client.edit(e, &no_progress).await.unwrap() {
        Edited::Done(_) => {}
        Edited::Conflict(c) => panic!("unexpected conflict: {:?}", c.differences),
    }
}

fn body(r: &meetty::sandbox::RecordedRequest) -> Value {
    r.body.clone().unwrap()
}

#[tokio::test]
async fn edits_send_only_changed_fields_guarded_by_the_etag() {
    let (sandbox, client) = start().await;
    put(&sandbox, planning(local(BERLIN, "2026-11-24 10:00")));
    let target = client.load_edit(ACCOUNT, "planning01").await.unwrap();
    assert_eq!(target.zone, BERLIN);
    let etag = target.meeting.etag.clone().unwrap();
    let changes = Changes {
        title: Some("Roadmap".into()),
        // As it is: not sent.
        description: Some("Agenda".into()),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::This, changes)).await;

    let patches = sent(&sandbox, "PATCH", "/events/planning01");
    assert_eq!(patches.len(), 1);
    assert_eq!(body(&patches[0]), json!({"summary": "Roadmap"}));
    assert_eq!(patches[0].header("if-match"), Some(etag.as_str()));
    assert_eq!(patches[0].param("sendUpdates"), Some("none"));
    assert_eq!(patches[0].param("conferenceDataVersion"), None);
    assert_eq!(stored(&sandbox, "planning01")["summary"], "Roadmap");
}

#[tokio::test]
async fn a_calendar_without_zoned_times_is_edited_in_the_calendars_zone() {
    let (sandbox, client) = start().await;
    let mut event = planning(local(BERLIN, "2026-11-24 10:00"));
    event["start"] = json!({"dateTime": "2026-11-24T09:00:00Z"});
    event["end"] = json!({"dateTime": "2026-11-24T09:30:00Z"});
    put(&sandbox, event);
    sandbox.with_store(|s| s.calendar_mut("primary").unwrap().time_zone = NEW_YORK);
    let target = client.load_edit(ACCOUNT, "planning01").await.unwrap();
    assert_eq!(target.zone, NEW_YORK);
    assert_eq!(sent(&sandbox, "GET", "/calendarList/").len(), 1);
}

#[tokio::test]
async fn guest_changes_keep_everyone_elses_answers() {
    let (sandbox, client) = start().await;
    put(&sandbox, planning(local(BERLIN, "2026-11-24 10:00")));
    let target = client.load_edit(ACCOUNT, "planning01").await.unwrap();
    let changes = Changes {
        add_guests: vec!["dee@example.com".into(), "BO@example.com".into()],
        remove_guests: vec!["cy@example.com".into()],
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::This, changes)).await;

    let patch = &sent(&sandbox, "PATCH", "/events/planning01")[0];
    let attendees = body(patch)["attendees"].clone();
    let emails: Vec<&str> = attendees
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, [ACCOUNT, "bo@example.com", "dee@example.com"]);
    let after = stored(&sandbox, "planning01");
    let bo = &after["attendees"][1];
    assert_eq!(
        (bo["responseStatus"].as_str(), bo["comment"].as_str()),
        (Some("accepted"), Some("gladly"))
    );
    assert_eq!(after["attendees"][0]["responseStatus"], "accepted");
    assert_eq!(after["attendees"][2]["responseStatus"], "needsAction");
}

#[tokio::test]
async fn a_meeting_changed_meanwhile_is_a_conflict_and_saves_on_top_after() {
    let (sandbox, client) = start().await;
    put(&sandbox, planning(local(BERLIN, "2026-11-24 10:00")));
    let target = client.load_edit(ACCOUNT, "planning01").await.unwrap();
    // Someone moves the meeting and renames it in Google Calendar meanwhile.
    sandbox.with_store(|s| {
        let moved = json!({
            "summary": "Planning (moved)",
            "start": at(local(BERLIN, "2026-11-24 14:00")),
            "end": at(local(BERLIN, "2026-11-24 14:30")),
        });
        s.patch_event("primary", "planning01", moved, &WriteOptions::default())
            .unwrap();
    });
    let changes = Changes {
        description: Some("Agenda: Q1".into()),
        ..Changes::default()
    };
    let first = edit(target, Scope::This, changes.clone());
    let Edited::Conflict(conflict) = client.edit(&first, &no_progress).await.unwrap() else {
        panic!("a meeting changed meanwhile must be reported");
    };
    let fields: Vec<_> = conflict
        .differences
        .iter()
        .map(|d| (d.field, d.before.as_str(), d.now.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("title", "Planning", "Planning (moved)"),
            (
                "time",
                "Tue 24 Nov 2026 10:00\u{2013}10:30",
                "Tue 24 Nov 2026 14:00\u{2013}14:30"
            ),
        ]
    );
    // Only the refused request was sent.
    assert_eq!(sent(&sandbox, "PATCH", "").len(), 1);
    assert_eq!(stored(&sandbox, "planning01")["description"], "Agenda");

    let again = edit(conflict.current.clone(), Scope::This, changes);
    done(&client, &again).await;
    let after = stored(&sandbox, "planning01");
    assert_eq!(after["description"], "Agenda: Q1");
    assert_eq!(after["summary"], "Planning (moved)");
    let last = sent(&sandbox, "PATCH", "").pop().unwrap();
    assert_eq!(
        last.header("if-match"),
        conflict.current.meeting.etag.as_deref()
    );
}

/// A weekly series on the primary calendar, its first start at `first`.
fn weekly(sandbox: &Sandbox, id: &str, first: DateTime<Tz>, rules: &[&str]) {
    let mut event = planning(first);
    event["id"] = json!(id);
    event["summary"] = json!("Weekly");
    event["recurrence"] = json!(rules);
    event["conferenceData"] = json!({
        "conferenceId": "abc-defg-hij",
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
        "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"}],
        "signature": "sig-1",
    });
    put(sandbox, event);
}

/// The occurrences the sandbox lists between two dates: (start in UTC, series id, title).
async fn listed(sandbox: &Sandbox, from: &str, to: &str) -> Vec<(DateTime<Utc>, String, String)> {
    let url = format!(
        "{}calendars/{ACCOUNT}/events?singleEvents=true&orderBy=startTime&timeMin={from}&timeMax={to}",
        sandbox.base_url()
    );
    let auth = format!("Bearer {}", sandbox.access_token());
    let page = common::http("GET", &url, &[("authorization", &auth)], "")
        .await
        .json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let start = DateTime::parse_from_rfc3339(i["start"]["dateTime"].as_str().unwrap());
            (
                start.unwrap().with_timezone(&Utc),
                i["recurringEventId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                i["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The original rule's occurrences before `bound`, in UTC.
fn expected(rules: &[&str], first: DateTime<Tz>, bound: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let series = Start {
        local: first.naive_local(),
        tz: first.timezone(),
        all_day: false,
    };
    let lines: Vec<String> = rules.iter().map(|s| s.to_string()).collect();
    recurrence::expand(&lines, series, bound, 1000)
        .unwrap()
        .into_iter()
        .map(|l| series.instant(l))
        .collect()
}

fn instance(series: &str, t: DateTime<Tz>) -> String {
    format!(
        "{series}_{}",
        t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ")
    )
}

#[tokio::test]
async fn this_changes_one_occurrence_and_all_moves_the_series() {
    let (sandbox, client) = start().await;
    let first = local(BERLIN, "2026-11-02 10:00");
    weekly(&sandbox, "weekly01", first, &["RRULE:FREQ=WEEKLY"]);
    let third = local(BERLIN, "2026-11-16 10:00");
    let target = client
        .load_edit(ACCOUNT, &instance("weekly01", third))
        .await
        .unwrap();
    assert_eq!(target.series.as_ref().unwrap().start, first);
    let renamed = Changes {
        title: Some("Weekly (room 2)".into()),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::This, renamed)).await;
    let patch = sent(&sandbox, "PATCH", "").pop().unwrap();
    assert!(patch.path.ends_with(&instance("weekly01", third)));

    // Every occurrence an hour later: the series' own start moves by that hour.
    let fourth = local(BERLIN, "2026-11-23 10:00");
    let target = client
        .load_edit(ACCOUNT, &instance("weekly01", fourth))
        .await
        .unwrap();
    let series_etag = target.series.as_ref().unwrap().etag.clone();
    let later = Changes {
        start: Some(local(BERLIN, "2026-11-23 11:00")),
        end: Some(local(BERLIN, "2026-11-23 11:30")),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::All, later)).await;
    let patch = sent(&sandbox, "PATCH", "").pop().unwrap();
    assert!(patch.path.ends_with("/events/weekly01"));
    assert_eq!(patch.header("if-match"), series_etag.as_deref());
    assert_eq!(
        body(&patch),
        json!({
            "start": {"dateTime": "2026-11-02T11:00:00+01:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-11-02T11:30:00+01:00", "timeZone": "Europe/Berlin"},
        })
    );
    let starts: Vec<_> = listed(&sandbox, "2026-11-01T00:00:00Z", "2026-11-10T00:00:00Z")
        .await
        .into_iter()
        .map(|(t, ..)| t.with_timezone(&BERLIN).format("%d %H:%M").to_string())
        .collect();
    assert_eq!(starts, ["02 11:00", "09 11:00"]);
}

#[tokio::test]
async fn all_occurrences_move_in_wall_clock_time_across_a_dst_change() {
    let (sandbox, client) = start().await;
    // Berlin's clocks go back on Sunday 25 October 2026.
    weekly(
        &sandbox,
        "weekly01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY;BYDAY=MO,FR"],
    );
    let friday = local(BERLIN, "2026-10-23 10:00");
    let target = client
        .load_edit(ACCOUNT, &instance("weekly01", friday))
        .await
        .unwrap();
    // Friday's meeting to Monday, same time: the Monday series start moves to Thursday 10:00.
    let monday = Changes {
        start: Some(local(BERLIN, "2026-10-26 10:00")),
        end: Some(local(BERLIN, "2026-10-26 10:30")),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::All, monday)).await;
    let patch = sent(&sandbox, "PATCH", "/events/weekly01").pop().unwrap();
    assert_eq!(
        body(&patch),
        json!({
            "start": {"dateTime": "2026-10-08T10:00:00+02:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-10-08T10:30:00+02:00", "timeZone": "Europe/Berlin"},
        })
    );

    let mut holiday = planning(local(BERLIN, "2026-10-19 00:00"));
    holiday["id"] = json!("daily01");
    holiday["start"] = json!({"date": "2026-10-19"});
    holiday["end"] = json!({"date": "2026-10-20"});
    holiday["recurrence"] = json!(["RRULE:FREQ=WEEKLY"]);
    put(&sandbox, holiday);
    sandbox.with_store(|s| s.calendar_mut("primary").unwrap().time_zone = BERLIN);
    let target = client.load_edit(ACCOUNT, "daily01_20261026").await.unwrap();
    assert_eq!(target.zone, BERLIN);
    // Monday 26 October's day to the Friday before: the series starts three days earlier.
    let friday = Changes {
        start: Some(local(BERLIN, "2026-10-23 00:00")),
        end: Some(local(BERLIN, "2026-10-24 00:00")),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::All, friday)).await;
    let patch = sent(&sandbox, "PATCH", "/events/daily01").pop().unwrap();
    assert_eq!(
        body(&patch),
        json!({"start": {"date": "2026-10-16"}, "end": {"date": "2026-10-17"}})
    );
}

/// Splits `rules` at `split` (renaming the following occurrences) and checks the listing
/// against the original rule: every occurrence once, the old series before the split, the
/// new one from it.
async fn split_keeps_every_occurrence(
    rules: &[&str],
    first: DateTime<Tz>,
    split: DateTime<Tz>,
    to: &str,
) -> (Sandbox, Vec<Value>) {
    let (sandbox, client) = start().await;
    weekly(&sandbox, "series01", first, rules);
    let target = client
        .load_edit(ACCOUNT, &instance("series01", split))
        .await
        .unwrap();
    let changes = Changes {
        title: Some("Weekly, new format".into()),
        ..Changes::default()
    };
    let e = edit(target, Scope::Following, changes);
    let Edited::Done(meeting) = client.edit(&e, &no_progress).await.unwrap() else {
        panic!("no conflict expected");
    };
    assert_eq!(meeting.title, "Weekly, new format");
    let bound = DateTime::parse_from_rfc3339(to)
        .unwrap()
        .with_timezone(&Utc);
    let want = expected(rules, first, bound);
    let got = listed(&sandbox, "2026-01-01T00:00:00Z", to).await;
    let starts: Vec<DateTime<Utc>> = got.iter().map(|(t, ..)| *t).collect();
    assert_eq!(starts, want, "every original occurrence once");
    let insert = body(&sent(&sandbox, "POST", "/events")[0]);
    let new_id = insert["id"].as_str().unwrap();
    // What comes back is the new series' first occurrence, as the agenda lists it.
    assert_eq!(meeting.series_id.as_deref(), Some(new_id));
    assert_eq!(meeting.start(), split);
    for (t, series, title) in &got {
        if *t < split {
            assert_eq!((series.as_str(), title.as_str()), ("series01", "Weekly"));
        } else {
            assert_eq!(
                (series.as_str(), title.as_str()),
                (new_id, "Weekly, new format")
            );
        }
    }
    let requests = sent(&sandbox, "", "/events")
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| body(&r))
        .collect();
    (sandbox, requests)
}

#[tokio::test]
async fn this_and_following_in_berlin_across_the_autumn_change() {
    // Clocks go back on Sunday 25 October 2026; the split is the week after.
    let rules = ["RRULE:FREQ=WEEKLY;BYDAY=MO"];
    let split = local(BERLIN, "2026-11-02 10:00");
    let (_, requests) = split_keeps_every_occurrence(
        &rules,
        local(BERLIN, "2026-10-05 10:00"),
        split,
        "2026-12-31T00:00:00Z",
    )
    .await;
    // 2 November 10:00 in Berlin is 09:00 UTC: the old series ends a second before.
    assert_eq!(
        requests[0],
        json!({"recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261102T085959Z"]})
    );
    assert_eq!(
        requests[1]["recurrence"],
        json!(["RRULE:FREQ=WEEKLY;BYDAY=MO"])
    );
    assert_eq!(
        requests[1]["start"]["dateTime"],
        "2026-11-02T10:00:00+01:00"
    );
}

#[tokio::test]
async fn a_counted_new_york_series_split_before_the_change_keeps_its_count() {
    // Clocks go back on Sunday 1 November 2026 in New York; one date is excluded after the split.
    let rules = [
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12",
        "EXDATE;TZID=America/New_York:20261023T093000,20261104T093000",
    ];
    let split = local(NEW_YORK, "2026-10-28 09:30");
    let (sandbox, requests) = split_keeps_every_occurrence(
        &rules,
        local(NEW_YORK, "2026-10-19 09:30"),
        split,
        "2026-12-31T00:00:00Z",
    )
    .await;
    assert_eq!(
        requests[0],
        json!({"recurrence": [
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261028T132959Z",
            "EXDATE;TZID=America/New_York:20261023T093000",
        ]})
    );
    // 19, 21, 23 (excluded, still counted) and 26 October came before: 8 are left.
    assert_eq!(
        requests[1]["recurrence"],
        json!([
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=8",
            "EXDATE;TZID=America/New_York:20261104T093000",
        ])
    );
    // The new series shares the room: the conference is copied, no new one is asked for.
    let new_id = requests[1]["id"].as_str().unwrap().to_string();
    let copy = &requests[1]["conferenceData"];
    assert!(copy.get("createRequest").is_none());
    let new_series = stored(&sandbox, &new_id);
    let old_series = stored(&sandbox, "series01");
    for field in ["conferenceId", "entryPoints", "signature"] {
        assert_eq!(
            new_series["conferenceData"][field],
            old_series["conferenceData"][field]
        );
    }
    // Same guests, answers kept.
    assert_eq!(new_series["attendees"][1]["responseStatus"], "accepted");
}

#[tokio::test]
async fn a_split_keeps_occurrences_deleted_after_it_deleted() {
    let (sandbox, client) = start().await;
    let first = local(BERLIN, "2026-10-05 10:00");
    weekly(&sandbox, "series01", first, &["RRULE:FREQ=WEEKLY"]);
    // Google keeps a deleted occurrence as a cancelled instance, not as an EXDATE.
    sandbox.with_store(|s| {
        let deleted = instance("series01", local(BERLIN, "2026-11-09 10:00"));
        s.delete_event("primary", &deleted).unwrap();
        // Changed before the split: it stays with the old series and does not stop the split.
        let renamed = instance("series01", local(BERLIN, "2026-10-19 10:00"));
        let patch = json!({"summary": "Weekly (short)"});
        s.patch_event("primary", &renamed, patch, &WriteOptions::default())
            .unwrap();
    });
    let split = local(BERLIN, "2026-11-02 10:00");
    let target = client
        .load_edit(ACCOUNT, &instance("series01", split))
        .await
        .unwrap();
    // The new series an hour later: the excluded date moves with it.
    let changes = Changes {
        start: Some(local(BERLIN, "2026-11-02 11:00")),
        end: Some(local(BERLIN, "2026-11-02 11:30")),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::Following, changes)).await;
    let reads = sent(&sandbox, "GET", "/events/series01/instances");
    assert_eq!(reads[0].param("showDeleted"), Some("true"));
    assert_eq!(reads[0].param("timeMin"), Some("2026-11-02T09:00:00Z"));
    let insert = body(&sent(&sandbox, "POST", "/events")[0]);
    assert_eq!(
        insert["recurrence"],
        json!([
            "RRULE:FREQ=WEEKLY",
            "EXDATE;TZID=Europe/Berlin:20261109T110000"
        ])
    );
    let got: Vec<String> = listed(&sandbox, "2026-10-01T00:00:00Z", "2026-11-24T00:00:00Z")
        .await
        .into_iter()
        .map(|(t, _, title)| format!("{} {title}", t.with_timezone(&BERLIN).format("%d %H:%M")))
        .collect();
    assert_eq!(
        got,
        [
            "05 10:00 Weekly",
            "12 10:00 Weekly",
            "19 10:00 Weekly (short)",
            "26 10:00 Weekly",
            "02 11:00 Weekly",
            "16 11:00 Weekly",
            "23 11:00 Weekly",
        ]
    );
}

#[tokio::test]
async fn a_split_over_an_occurrence_changed_on_its_own_is_refused_before_any_write() {
    let (sandbox, client) = start().await;
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY"],
    );
    sandbox.with_store(|s| {
        let renamed = instance("series01", local(BERLIN, "2026-11-16 10:00"));
        let patch = json!({"summary": "Weekly with the board"});
        s.patch_event("primary", &renamed, patch, &WriteOptions::default())
            .unwrap();
    });
    let target = client
        .load_edit(
            ACCOUNT,
            &instance("series01", local(BERLIN, "2026-11-02 10:00")),
        )
        .await
        .unwrap();
    let changes = Changes {
        title: Some("Weekly, new format".into()),
        ..Changes::default()
    };
    let result = client
        .edit(&edit(target, Scope::Following, changes), &no_progress)
        .await;
    let Err(ApiError::Refused(message)) = result else {
        panic!("the split must be refused, got {result:?}");
    };
    assert!(message.starts_with(
        "the occurrence of Mon 16 Nov 2026 was changed on its own, and a new series cannot \
         carry that change over: change only this occurrence or all of them"
    ));
    assert!(sent(&sandbox, "PATCH", "").is_empty());
    assert!(sent(&sandbox, "POST", "").is_empty());
}

/// A guest answering one later occurrence does not change the meeting: the split goes ahead.
#[tokio::test]
async fn a_guests_answer_to_a_later_occurrence_does_not_stop_a_split() {
    let (sandbox, client) = start().await;
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY"],
    );
    sandbox.with_store(|s| {
        let answered = instance("series01", local(BERLIN, "2026-11-16 10:00"));
        let mut attendees = planning(local(BERLIN, "2026-10-05 10:00"))["attendees"].clone();
        attendees[1]["responseStatus"] = json!("declined");
        attendees[1]["comment"] = json!("away that week");
        let patch = json!({ "attendees": attendees });
        s.patch_event("primary", &answered, patch, &WriteOptions::default())
            .unwrap();
    });
    let target = client
        .load_edit(
            ACCOUNT,
            &instance("series01", local(BERLIN, "2026-11-02 10:00")),
        )
        .await
        .unwrap();
    let changes = Changes {
        title: Some("Weekly, new format".into()),
        ..Changes::default()
    };
    let result = client
        .edit(&edit(target, Scope::Following, changes), &no_progress)
        .await;
    assert!(matches!(result, Ok(Edited::Done(_))), "{result:?}");
    assert_eq!(sent(&sandbox, "POST", "").len(), 1, "the new series");
}

/// The answers in an attendee list, by address.
fn answers(attendees: &Value) -> Vec<(String, String)> {
    attendees
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let get = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            (get("email"), get("responseStatus"))
        })
        .collect()
}

#[tokio::test]
async fn guests_of_more_than_one_occurrence_keep_the_series_answers() {
    let (sandbox, client) = start().await;
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY"],
    );
    // Bo cannot come on 2 November only.
    let week = instance("series01", local(BERLIN, "2026-11-02 10:00"));
    sandbox.with_store(|s| {
        let mut attendees = s.event("primary", "series01").unwrap()["attendees"].clone();
        attendees[1]["responseStatus"] = json!("declined");
        let patch = json!({ "attendees": attendees });
        s.patch_event("primary", &week, patch, &WriteOptions::default())
            .unwrap();
    });
    let series_answers = answers(&stored(&sandbox, "series01")["attendees"]);
    let mut with_dee = series_answers.clone();
    // Sent without an answer; Google then stores it as needsAction.
    with_dee.push(("dee@example.com".into(), String::new()));
    let add_dee = Changes {
        add_guests: vec!["dee@example.com".into()],
        ..Changes::default()
    };
    for scope in [Scope::All, Scope::Following] {
        let target = client.load_edit(ACCOUNT, &week).await.unwrap();
        assert_eq!(target.meeting.attendees[1].rsvp, Rsvp::Declined);
        done(&client, &edit(target, scope, add_dee.clone())).await;
    }
    let all = sent(&sandbox, "PATCH", "/events/series01")[0].clone();
    assert_eq!(answers(&body(&all)["attendees"]), with_dee);
    with_dee[3].1 = "needsAction".into();
    // The split's new series (made after the first change) has the series' answers too.
    let insert = body(&sent(&sandbox, "POST", "/events")[0]);
    assert_eq!(answers(&insert["attendees"]), with_dee);
    assert_eq!(
        answers(&stored(&sandbox, "series01")["attendees"]),
        with_dee
    );
}

#[tokio::test]
async fn a_failed_insert_puts_the_series_back() {
    let (sandbox, client) = start().await;
    let rules = ["RRULE:FREQ=WEEKLY;COUNT=10"];
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &rules,
    );
    let target = client
        .load_edit(
            ACCOUNT,
            &instance("series01", local(BERLIN, "2026-10-19 10:00")),
        )
        .await
        .unwrap();
    // Every insert is refused.
    sandbox.with_store(|s| {
        s.calendar_mut("primary")
            .unwrap()
            .allowed_conference_types
            .clear()
    });
    let changes = Changes {
        meet: Some(MeetChange::Add),
        ..Changes::default()
    };
    let result = client
        .edit(&edit(target, Scope::Following, changes), &no_progress)
        .await;
    // The insert's own error, not the undo's: the series is as it was.
    let Err(ApiError::Google {
        code: 400, message, ..
    }) = result
    else {
        panic!("the insert's refusal expected, got {result:?}");
    };
    assert!(message.starts_with("this calendar does not allow Google Meet links"));
    // Truncated, the insert refused, the recurrence put back.
    assert_eq!(sent(&sandbox, "POST", "/events").len(), 1);
    assert_eq!(sent(&sandbox, "PATCH", "/events/series01").len(), 2);
    assert_eq!(stored(&sandbox, "series01")["recurrence"], json!(rules));
    assert_eq!(sandbox.with_store(|s| s.events("primary")).len(), 1);
}

#[tokio::test]
async fn a_split_insert_stored_with_its_answer_lost_is_not_undone() {
    let (sandbox, client) = start().await;
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY"],
    );
    let split = local(BERLIN, "2026-10-19 10:00");
    let target = client
        .load_edit(ACCOUNT, &instance("series01", split))
        .await
        .unwrap();
    // Every attempt of the insert is applied, its answer lost.
    sandbox.inject(Fault::drop_after_apply().on("POST", "/events").times(20));
    let changes = Changes {
        title: Some("Weekly, new format".into()),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::Following, changes)).await;
    // Only the truncation: no undo.
    assert_eq!(sent(&sandbox, "PATCH", "/events/series01").len(), 1);
    let got = listed(&sandbox, "2026-10-01T00:00:00Z", "2026-11-03T00:00:00Z").await;
    let titles: Vec<&str> = got.iter().map(|(_, _, t)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Weekly",
            "Weekly",
            "Weekly, new format",
            "Weekly, new format",
            "Weekly, new format"
        ]
    );
}

/// The new series of a split keeps the meeting's files: Google drops attachments from a
/// request without `supportsAttachments=true` (Events reference, `attachments`).
#[tokio::test]
async fn a_split_keeps_the_meetings_attachments() {
    let (sandbox, client) = start().await;
    let mut event = planning(local(BERLIN, "2026-10-05 10:00"));
    event["id"] = json!("series01");
    event["recurrence"] = json!(["RRULE:FREQ=WEEKLY"]);
    let files = json!([{"fileUrl": "https://drive.google.com/file/d/abc", "title": "Notes"}]);
    event["attachments"] = files.clone();
    put(&sandbox, event);
    let target = client
        .load_edit(
            ACCOUNT,
            &instance("series01", local(BERLIN, "2026-10-19 10:00")),
        )
        .await
        .unwrap();
    let changes = Changes {
        title: Some("Planning, new format".into()),
        ..Changes::default()
    };
    let plan = client
        .plan_edit(&edit(target, Scope::Following, changes))
        .unwrap();
    assert!(
        plan[1].url.contains("supportsAttachments=true"),
        "{}",
        plan[1].url
    );
    assert_eq!(plan[1].body.as_ref().unwrap()["attachments"], files);
}

#[tokio::test]
async fn plan_edit_shows_the_requests_without_sending() {
    let (sandbox, client) = start().await;
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY;COUNT=10"],
    );
    let target = client
        .load_edit(
            ACCOUNT,
            &instance("series01", local(BERLIN, "2026-10-19 10:00")),
        )
        .await
        .unwrap();
    sandbox.clear_requests();
    let changes = Changes {
        start: Some(local(BERLIN, "2026-10-19 11:00")),
        end: Some(local(BERLIN, "2026-10-19 12:00")),
        meet: Some(MeetChange::Remove),
        ..Changes::default()
    };
    let plan = client
        .plan_edit(&edit(target.clone(), Scope::Following, changes.clone()))
        .unwrap();
    assert!(sandbox.requests().is_empty());
    assert_eq!(plan.len(), 2);
    assert_eq!(plan[0].method, "PATCH");
    assert_eq!(plan[0].if_match, target.series.as_ref().unwrap().etag);
    assert_eq!(
        plan[0].body,
        Some(json!({"recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20261019T075959Z"]}))
    );
    let insert = plan[1].body.clone().unwrap();
    assert_eq!(plan[1].method, "POST");
    assert!(plan[1].url.contains("conferenceDataVersion=1"));
    assert!(
        !plan[1].url.contains("supportsAttachments"),
        "no files to keep"
    );
    assert_eq!(insert["recurrence"], json!(["RRULE:FREQ=WEEKLY;COUNT=8"]));
    assert_eq!(insert["start"]["dateTime"], "2026-10-19T11:00:00+02:00");
    assert_eq!(insert["end"]["dateTime"], "2026-10-19T12:00:00+02:00");
    assert!(insert.get("conferenceData").is_none());
    assert_eq!(insert["summary"], "Weekly");

    // The repeat rule sent back as it was: the new series keeps the rest of the count.
    let same_rule = Changes {
        recurrence: Some(vec!["RRULE:FREQ=WEEKLY;COUNT=10".into()]),
        ..changes.clone()
    };
    let plan = client
        .plan_edit(&edit(target.clone(), Scope::Following, same_rule))
        .unwrap();
    let insert = plan[1].body.clone().unwrap();
    assert_eq!(insert["recurrence"], json!(["RRULE:FREQ=WEEKLY;COUNT=8"]));

    // One occurrence: only its own id, only what changed.
    let plan = client
        .plan_edit(&edit(target, Scope::This, changes))
        .unwrap();
    assert_eq!(plan.len(), 1);
    assert!(plan[0].url.contains("conferenceDataVersion=1"));
    assert_eq!(
        plan[0].body,
        Some(json!({
            "conferenceData": null,
            "start": {"dateTime": "2026-10-19T11:00:00+02:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-10-19T12:00:00+02:00", "timeZone": "Europe/Berlin"},
        }))
    );
}

#[tokio::test]
async fn a_series_changed_meanwhile_stops_the_split_before_anything_is_created() {
    let (sandbox, client) = start().await;
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY"],
    );
    let target = client
        .load_edit(
            ACCOUNT,
            &instance("series01", local(BERLIN, "2026-10-19 10:00")),
        )
        .await
        .unwrap();
    sandbox.with_store(|s| {
        let shorter = json!({"recurrence": ["RRULE:FREQ=WEEKLY;COUNT=5"]});
        s.patch_event("primary", "series01", shorter, &WriteOptions::default())
            .unwrap();
    });
    let changes = Changes {
        title: Some("Weekly, new format".into()),
        ..Changes::default()
    };
    let e = edit(target, Scope::Following, changes);
    let Edited::Conflict(conflict) = client.edit(&e, &no_progress).await.unwrap() else {
        panic!("a series changed meanwhile must be reported");
    };
    let fields: Vec<_> = conflict
        .differences
        .iter()
        .map(|d| (d.field, d.before.as_str(), d.now.as_str()))
        .collect();
    assert_eq!(
        fields,
        [("repeat", "RRULE:FREQ=WEEKLY", "RRULE:FREQ=WEEKLY;COUNT=5")]
    );
    assert!(sent(&sandbox, "POST", "").is_empty());
    assert_eq!(sandbox.with_store(|s| s.events("primary")).len(), 1);
}

#[tokio::test]
async fn same_link_as_another_meeting_copies_its_conference() {
    let (sandbox, client) = start().await;
    weekly(
        &sandbox,
        "series01",
        local(BERLIN, "2026-10-05 10:00"),
        &["RRULE:FREQ=WEEKLY"],
    );
    put(&sandbox, planning(local(BERLIN, "2026-11-24 10:00")));
    let target = client.load_edit(ACCOUNT, "planning01").await.unwrap();
    let changes = Changes {
        meet: Some(MeetChange::CopyFrom {
            calendar_id: ACCOUNT.into(),
            event_id: "series01".into(),
        }),
        ..Changes::default()
    };
    done(&client, &edit(target, Scope::This, changes)).await;
    let patch = sent(&sandbox, "PATCH", "/events/planning01").pop().unwrap();
    assert_eq!(patch.param("conferenceDataVersion"), Some("1"));
    let source = stored(&sandbox, "series01")["conferenceData"].clone();
    assert_eq!(body(&patch), json!({ "conferenceData": source }));
    let after = stored(&sandbox, "planning01");
    assert_eq!(after["conferenceData"]["conferenceId"], "abc-defg-hij");
    assert_eq!(after["hangoutLink"], "https://meet.google.com/abc-defg-hij");
}

#[tokio::test]
async fn a_new_meet_link_is_asked_for_and_awaited() {
    let (sandbox, client) = start().await;
    sandbox.set_conference_policy(meetty::sandbox::ConferencePolicy {
        delay: std::time::Duration::ZERO,
        after_reads: Some(1),
        outcome: meetty::sandbox::ConferenceOutcome::Success,
    });
    put(&sandbox, planning(local(BERLIN, "2026-11-24 10:00")));
    let target = client.load_edit(ACCOUNT, "planning01").await.unwrap();
    let changes = Changes {
        meet: Some(MeetChange::Add),
        ..Changes::default()
    };
    let Edited::Done(meeting) = client
        .edit(&edit(target, Scope::This, changes), &no_progress)
        .await
        .unwrap()
    else {
        panic!("no conflict expected");
    };
    assert!(meeting.video.is_some(), "the pending link was awaited");
    let patch = sent(&sandbox, "PATCH", "/events/planning01").pop().unwrap();
    assert_eq!(patch.param("conferenceDataVersion"), Some("1"));
    let request = &body(&patch)["conferenceData"]["createRequest"];
    assert_eq!(request["conferenceSolutionKey"]["type"], "hangoutsMeet");
}
