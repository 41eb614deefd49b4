//! Find a time against the sandbox over real HTTP: the sandbox's `freebusy.query` (what
//! blocks time, colleagues, groups, strangers, Google's limits) and the client's queries,
//! asserting on what it sent (one query, RFC 3339 bounds with the zone's offset, an item for
//! every id) and on how it splits and merges past Google's limits.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use meetty::calendar::client::CalendarClient;
use meetty::calendar::error::ApiError;
use meetty::calendar::freebusy::{BusyQuery, FreeBusy, Interval, Lane};
use meetty::freetime::{free_slots, WorkingHours};
use meetty::sandbox::{
    Fault, RecordedRequest, Sandbox, Seed, WriteOptions, ACCOUNT, TEAM_CALENDAR, TEAM_GROUP,
};
use serde_json::{json, Value};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn empty() -> Sandbox {
    Sandbox::start(0, Seed::Empty).await.unwrap()
}

fn client(sandbox: &Sandbox) -> CalendarClient {
    CalendarClient::new(&sandbox.root_url(), sandbox.access_token())
        .with_limits(common::quick_limits())
}

/// `POST /calendar/v3/freeBusy` with the account's token, outside meetty's client.
async fn post(sandbox: &Sandbox, body: Value) -> (u16, Value) {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let req = hyper::Request::post(format!("{}freeBusy", sandbox.base_url()))
        .header(
            "Authorization",
            format!("Bearer {}", sandbox.access_token()),
        )
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let res = client.request(req).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn queries(sandbox: &Sandbox) -> Vec<RecordedRequest> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/calendar/v3/freeBusy")
        .collect()
}

fn item_ids(request: &RecordedRequest) -> Vec<String> {
    request.body.as_ref().unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn busy(answer: &FreeBusy, id: &str) -> Vec<Interval> {
    match &answer.lanes[id] {
        Lane::Busy(blocks) => blocks.clone(),
        Lane::Unknown { reason } => panic!("{id} is unknown: {reason}"),
    }
}

fn overlaps(blocks: &[Interval], start: &str, end: &str) -> bool {
    let (start, end) = (utc(start), utc(end));
    blocks.iter().any(|b| b.start < end && start < b.end)
}

fn covers(blocks: &[Interval], start: &str, end: &str) -> bool {
    let (start, end) = (utc(start), utc(end));
    blocks.iter().any(|b| b.start <= start && end <= b.end)
}

fn timed(summary: &str, start: &str, end: &str) -> Value {
    json!({
        "summary": summary,
        "start": {"dateTime": start, "timeZone": "Europe/Berlin"},
        "end": {"dateTime": end, "timeZone": "Europe/Berlin"},
    })
}

/// An event at UTC wall-clock times.
fn timed_utc(summary: &str, start: &str, end: &str) -> Value {
    let mut event = timed(summary, start, end);
    for key in ["start", "end"] {
        event[key]["timeZone"] = json!("UTC");
    }
    event
}

/// The busy blocks of one `calendars` entry, as `start – end` strings.
fn blocks(answer: &Value, id: &str) -> Vec<String> {
    answer["calendars"][id]["busy"]
        .as_array()
        .unwrap_or_else(|| panic!("no busy list for {id}: {answer}"))
        .iter()
        .map(|b| {
            format!(
                "{} – {}",
                b["start"].as_str().unwrap(),
                b["end"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn busy_blocks_skip_free_cancelled_and_declined_events_and_expand_series() {
    let sandbox = empty().await;
    sandbox.with_store(|s| {
        let none = WriteOptions::default();
        let mut insert = |body: Value| {
            let e = s.insert_event("primary", body, &none).unwrap();
            e["id"].as_str().unwrap().to_string()
        };
        insert(timed("late", "2026-11-23T23:30:00", "2026-11-24T01:00:00"));
        insert(timed(
            "opaque",
            "2026-11-24T09:00:00",
            "2026-11-24T10:00:00",
        ));
        let mut free = timed("free", "2026-11-24T10:00:00", "2026-11-24T11:00:00");
        free["transparency"] = json!("transparent");
        insert(free);
        let cancelled = insert(timed(
            "cancelled",
            "2026-11-24T11:00:00",
            "2026-11-24T12:00:00",
        ));
        insert(timed(
            "overlap",
            "2026-11-24T13:30:00",
            "2026-11-24T15:00:00",
        ));
        let mut series = timed("series", "2026-11-23T16:00:00", "2026-11-23T16:30:00");
        series["recurrence"] = json!(["RRULE:FREQ=DAILY;COUNT=4"]);
        let series = insert(series);
        let mut all_day = json!({"summary": "all day", "start": {"date": "2026-11-27"},
                                 "end": {"date": "2026-11-28"}});
        all_day["transparency"] = json!("opaque");
        insert(all_day);
        s.delete_event("primary", &cancelled).unwrap();
        // Tuesday's occurrence cancelled, Wednesday's moved an hour later.
        s.delete_event("primary", &format!("{series}_20261124T150000Z"))
            .unwrap();
        let moved = timed("series", "2026-11-25T17:00:00", "2026-11-25T17:30:00");
        s.patch_event(
            "primary",
            &format!("{series}_20261125T150000Z"),
            moved,
            &none,
        )
        .unwrap();
        let people = |me: &str| {
            json!([
                {"email": "priya@example.com", "responseStatus": "accepted"},
                {"email": ACCOUNT, "responseStatus": me},
            ])
        };
        for (summary, start, end, me) in [
            (
                "declined",
                "2026-11-24T12:00:00",
                "2026-11-24T13:00:00",
                "declined",
            ),
            (
                "unanswered",
                "2026-11-24T13:00:00",
                "2026-11-24T14:00:00",
                "needsAction",
            ),
        ] {
            let mut invite = timed(summary, start, end);
            invite["organizer"] = json!({"email": "priya@example.com"});
            invite["attendees"] = people(me);
            s.put_event("primary", invite).unwrap();
        }
    });

    let (status, answer) = post(
        &sandbox,
        json!({
            "timeMin": "2026-11-24T00:00:00+01:00",
            "timeMax": "2026-11-28T00:00:00+01:00",
            "timeZone": "Europe/Berlin",
            "items": [{"id": "primary"}],
        }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["kind"], "calendar#freeBusy");
    assert_eq!(answer["timeMin"], "2026-11-23T23:00:00.000Z");
    assert_eq!(answer["timeMax"], "2026-11-27T23:00:00.000Z");
    assert_eq!(
        blocks(&answer, "primary"),
        [
            // Clipped to the window, in the requested zone, overlapping blocks merged.
            "2026-11-24T00:00:00+01:00 – 2026-11-24T01:00:00+01:00",
            "2026-11-24T09:00:00+01:00 – 2026-11-24T10:00:00+01:00",
            "2026-11-24T13:00:00+01:00 – 2026-11-24T15:00:00+01:00",
            "2026-11-25T17:00:00+01:00 – 2026-11-25T17:30:00+01:00",
            "2026-11-26T16:00:00+01:00 – 2026-11-26T16:30:00+01:00",
            // The all-day event is a UTC day: the calendar's zone.
            "2026-11-27T01:00:00+01:00 – 2026-11-28T00:00:00+01:00",
        ]
    );
    assert!(answer.get("groups").is_none());
    // What google-calendar3 (an independent reading of Google's schema) makes of it.
    let parsed: google_calendar3::api::FreeBusyResponse =
        serde_json::from_value(answer.clone()).unwrap();
    assert_eq!(
        parsed.calendars.unwrap()["primary"]
            .busy
            .as_ref()
            .unwrap()
            .len(),
        6
    );
}

#[tokio::test]
async fn colleagues_are_busy_for_their_events_and_invitations_groups_expand_strangers_are_not_found(
) {
    let sandbox = empty().await;
    sandbox.with_store(|s| {
        s.add_person("kim@example.com", Tz::Europe__Berlin);
        s.add_person("lee@example.com", Tz::America__New_York);
        s.add_group("team@example.com", &["kim@example.com", "lee@example.com"]);
        s.put_person_event(
            "kim@example.com",
            timed("Kim's own", "2026-11-24T10:00:00", "2026-11-24T11:00:00"),
        )
        .unwrap();
        let mut invite = timed("Review", "2026-11-24T14:00:00", "2026-11-24T15:00:00");
        invite["attendees"] = json!([
            {"email": ACCOUNT, "responseStatus": "accepted"},
            {"email": "kim@example.com", "responseStatus": "needsAction"},
            {"email": "lee@example.com", "responseStatus": "declined"},
        ]);
        s.insert_event("primary", invite, &WriteOptions::default())
            .unwrap();
    });
    let (status, answer) = post(
        &sandbox,
        json!({
            "timeMin": "2026-11-24T00:00:00Z",
            "timeMax": "2026-11-25T00:00:00Z",
            "items": [{"id": "team@example.com"}, {"id": "stranger@outside.example"}],
        }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["groups"],
        json!({"team@example.com": {"calendars": ["kim@example.com", "lee@example.com"]}})
    );
    // Without `timeZone` the answer is in UTC.
    assert_eq!(
        blocks(&answer, "kim@example.com"),
        [
            "2026-11-24T09:00:00Z – 2026-11-24T10:00:00Z",
            "2026-11-24T13:00:00Z – 2026-11-24T14:00:00Z",
        ]
    );
    assert!(
        blocks(&answer, "lee@example.com").is_empty(),
        "Lee declined"
    );
    assert_eq!(
        answer["calendars"]["stranger@outside.example"],
        json!({"errors": [{"domain": "global", "reason": "notFound"}], "busy": []})
    );
    assert!(answer["calendars"].get("team@example.com").is_none());
    let parsed: google_calendar3::api::FreeBusyResponse = serde_json::from_value(answer).unwrap();
    assert_eq!(parsed.groups.unwrap().len(), 1);
}

#[tokio::test]
async fn google_limits_and_refusals() {
    let sandbox = empty().await;
    let big: Vec<String> = (0..101).map(|i| format!("p{i}@example.com")).collect();
    sandbox.with_store(|s| {
        for email in &big {
            s.add_person(email, Tz::UTC);
        }
        let members: Vec<&str> = big.iter().map(String::as_str).collect();
        s.add_group("all@example.com", &members);
        s.add_group("three@example.com", &members[..3]);
    });
    let query = |extra: Value| {
        let mut body = json!({
            "timeMin": "2026-11-24T00:00:00Z",
            "timeMax": "2026-11-25T00:00:00Z",
        });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };

    // A group larger than groupExpansionMax (100 when not given) is not expanded.
    let (_, answer) = post(
        &sandbox,
        query(json!({"items": [{"id": "all@example.com"}]})),
    )
    .await;
    assert_eq!(
        answer["groups"]["all@example.com"]["errors"],
        json!([{"domain": "global", "reason": "groupTooBig"}])
    );
    assert!(answer["calendars"].as_object().unwrap().is_empty());
    let (_, answer) = post(
        &sandbox,
        query(json!({"groupExpansionMax": 2, "items": [{"id": "three@example.com"}]})),
    )
    .await;
    assert_eq!(
        answer["groups"]["three@example.com"]["errors"][0]["reason"],
        "groupTooBig"
    );

    // Calendars past calendarExpansionMax are refused one by one.
    let (_, answer) = post(
        &sandbox,
        query(json!({"calendarExpansionMax": 2, "items": [{"id": "three@example.com"}]})),
    )
    .await;
    let reasons: Vec<Value> = ["p0", "p1", "p2"]
        .iter()
        .map(|p| answer["calendars"][format!("{p}@example.com")]["errors"][0]["reason"].clone())
        .collect();
    assert_eq!(
        reasons,
        [Value::Null, Value::Null, json!("tooManyCalendarsRequested")]
    );

    for (body, reason) in [
        (query(json!({"calendarExpansionMax": 51})), "invalid"),
        (query(json!({"groupExpansionMax": 0})), "invalid"),
        (
            json!({"timeMin": "2026-11-24T00:00:00Z", "timeMax": "2026-11-24T00:00:00Z"}),
            "timeRangeEmpty",
        ),
        (json!({"timeMax": "2026-11-24T00:00:00Z"}), "required"),
        (query(json!({"timeZone": "Mars/Olympus"})), "invalid"),
        (
            json!({"timeMin": "2026-11-24T00:00:00Z", "timeMax": "2027-02-22T00:00:01Z"}),
            "timeRangeTooLong",
        ),
    ] {
        let (status, answer) = post(&sandbox, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["errors"][0]["reason"], reason, "{body}");
    }
    // 90 days is within the limit.
    let (status, answer) = post(
        &sandbox,
        json!({"timeMin": "2026-11-24T00:00:00Z", "timeMax": "2027-02-22T00:00:00Z"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn a_range_longer_than_google_answers_is_asked_in_consecutive_parts_and_merged() {
    let sandbox = empty().await;
    sandbox.with_store(|s| {
        s.add_person("kim@example.com", Tz::UTC);
        for day in ["2026-11-24", "2027-03-01", "2027-06-01"] {
            let (start, end) = (format!("{day}T09:00:00"), format!("{day}T10:00:00"));
            s.put_person_event("kim@example.com", timed_utc("busy", &start, &end))
                .unwrap();
        }
    });
    let q = BusyQuery {
        from: utc("2026-11-23T00:00:00Z"),
        to: utc("2026-11-23T00:00:00Z") + TimeDelta::days(200),
        tz: Tz::UTC,
        ids: vec!["kim@example.com".into()],
    };
    let answer = client(&sandbox).free_busy(&q).await.unwrap();
    let bounds: Vec<(String, String)> = queries(&sandbox)
        .iter()
        .map(|r| {
            let body = r.body.as_ref().unwrap();
            (body["timeMin"].to_string(), body["timeMax"].to_string())
        })
        .collect();
    let at = |t: &str| format!("\"{t}T00:00:00Z\"");
    assert_eq!(
        bounds,
        [
            (at("2026-11-23"), at("2027-02-21")),
            (at("2027-02-21"), at("2027-05-22")),
            (at("2027-05-22"), at("2027-06-11")),
        ],
        "consecutive parts of at most 90 days, none refused"
    );
    let kim = busy(&answer, "kim@example.com");
    assert_eq!(kim.len(), 3, "every part's blocks: {kim:?}");
    for day in ["2026-11-24", "2027-03-01", "2027-06-01"] {
        assert!(
            covers(
                &kim,
                &format!("{day}T09:00:00Z"),
                &format!("{day}T10:00:00Z")
            ),
            "{day}: {kim:?}"
        );
    }
}

#[tokio::test]
async fn one_query_for_you_and_every_guest_with_offset_bounds() {
    let now = common::now();
    let sandbox = Sandbox::start(
        0,
        Seed::Demo {
            now,
            tz: common::tz(),
        },
    )
    .await
    .unwrap();
    let ids = [
        "primary",
        TEAM_CALENDAR,
        "jordan.lee@example.com",
        "sam.okafor@example.com",
        "mallory@outside.example",
        TEAM_GROUP,
        "jordan.lee@example.com",
    ];
    let q = BusyQuery {
        from: utc("2026-11-22T23:00:00Z"),
        to: utc("2026-11-27T23:00:00Z"),
        tz: common::tz(),
        ids: ids.iter().map(|s| s.to_string()).collect(),
    };
    let answer = client(&sandbox).free_busy(&q).await.unwrap();

    let sent = queries(&sandbox);
    assert_eq!(sent.len(), 1, "one query for the whole form");
    let body = sent[0].body.as_ref().unwrap();
    assert_eq!(body["timeMin"], "2026-11-23T00:00:00+01:00");
    assert_eq!(body["timeMax"], "2026-11-28T00:00:00+01:00");
    assert_eq!(body["timeZone"], "Europe/Berlin");
    assert_eq!(
        item_ids(&sent[0]),
        ids[..6],
        "you, your calendars and every guest, once each"
    );
    assert_eq!(
        sent[0].authorization.as_deref(),
        Some(format!("Bearer {}", sandbox.access_token()).as_str())
    );
    assert!(!answer.split);

    let mine = busy(&answer, "primary");
    assert!(
        covers(&mine, "2026-11-23T09:04:00Z", "2026-11-23T09:34:00Z"),
        "Design review"
    );
    assert!(
        !overlaps(&mine, "2026-11-24T15:30:00Z", "2026-11-24T16:00:00Z"),
        "the declined Hiring debrief leaves the time free"
    );
    assert!(
        !overlaps(&mine, "2026-11-24T23:00:00Z", "2026-11-25T08:00:00Z"),
        "the all-day Offsite prep is marked free"
    );
    assert!(!busy(&answer, TEAM_CALENDAR).is_empty());
    let jordan = busy(&answer, "jordan.lee@example.com");
    assert!(
        covers(&jordan, "2026-11-25T05:00:00Z", "2026-11-26T05:00:00Z"),
        "Jordan's all-day out of office is a New York day: {jordan:?}"
    );
    assert!(
        !overlaps(&jordan, "2026-11-24T11:00:00Z", "2026-11-24T12:00:00Z"),
        "Jordan's gym hour is marked free"
    );
    let sam = busy(&answer, "sam.okafor@example.com");
    assert!(
        covers(&sam, "2026-11-24T08:00:00Z", "2026-11-24T09:30:00Z"),
        "Dentist"
    );
    assert!(
        covers(&sam, "2026-11-26T09:00:00Z", "2026-11-26T10:00:00Z"),
        "the Client demo Sam has not answered"
    );
    assert!(
        !overlaps(&sam, "2026-11-23T09:04:00Z", "2026-11-23T09:34:00Z"),
        "Sam declined the Design review"
    );
    match &answer.lanes["mallory@outside.example"] {
        Lane::Unknown { reason } => assert!(reason.ends_with("(notFound)"), "{reason}"),
        lane => panic!("an outside guest is unknown: {lane:?}"),
    }
    assert_eq!(
        answer.groups[TEAM_GROUP],
        [
            "priya.natarajan@example.com",
            "jordan.lee@example.com",
            "sam.okafor@example.com",
            "chris.weber@example.com"
        ]
    );
    assert!(matches!(
        answer.lanes["chris.weber@example.com"],
        Lane::Busy(_)
    ));
}

#[tokio::test]
async fn over_fifty_ids_are_asked_in_two_queries_and_merged() {
    let sandbox = empty().await;
    let people: Vec<String> = (0..60).map(|i| format!("p{i:02}@example.com")).collect();
    sandbox.with_store(|s| {
        for (i, email) in people.iter().enumerate() {
            s.add_person(email, Tz::UTC);
            let start = format!("2026-11-24T{:02}:00:00", 8 + i % 8);
            let end = format!("2026-11-24T{:02}:30:00", 8 + i % 8);
            s.put_person_event(email, timed("busy", &start, &end))
                .unwrap();
        }
    });
    let q = BusyQuery {
        from: utc("2026-11-24T00:00:00Z"),
        to: utc("2026-11-25T00:00:00Z"),
        tz: Tz::UTC,
        ids: people.clone(),
    };
    let answer = client(&sandbox).free_busy(&q).await.unwrap();
    let sent = queries(&sandbox);
    let sizes: Vec<usize> = sent.iter().map(|r| item_ids(r).len()).collect();
    assert_eq!(sizes, [50, 10]);
    assert!(answer.split, "the UI says the query was split");
    assert_eq!(answer.lanes.len(), 60);
    for email in &people {
        assert_eq!(busy(&answer, email).len(), 1, "{email}");
    }
}

#[tokio::test]
async fn a_group_that_overflows_the_query_is_asked_again_and_what_cannot_be_answered_says_why() {
    let sandbox = empty().await;
    let members: Vec<String> = (0..60).map(|i| format!("m{i:02}@example.com")).collect();
    let singles: Vec<String> = (0..20).map(|i| format!("s{i:02}@example.com")).collect();
    sandbox.with_store(|s| {
        for email in members.iter().chain(&singles) {
            s.add_person(email, Tz::UTC);
        }
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        s.add_group("forty@example.com", &refs[..40]);
        s.add_group("sixty@example.com", &refs);
        let too_big: Vec<String> = (0..101).map(|i| format!("x{i}@example.com")).collect();
        let too_big: Vec<&str> = too_big.iter().map(String::as_str).collect();
        s.add_group("huge@example.com", &too_big);
    });
    let q = |ids: Vec<String>| BusyQuery {
        from: utc("2026-11-24T00:00:00Z"),
        to: utc("2026-11-25T00:00:00Z"),
        tz: Tz::UTC,
        ids,
    };

    // 40 members and 20 guests are 60 calendars: the guests past 50 are asked again.
    let mut ids = vec!["forty@example.com".to_string()];
    ids.extend(singles.iter().cloned());
    let answer = client(&sandbox).free_busy(&q(ids)).await.unwrap();
    let sent = queries(&sandbox);
    assert_eq!(sent.len(), 2);
    assert_eq!(item_ids(&sent[1]), singles[10..]);
    assert!(answer.split);
    assert_eq!(answer.groups["forty@example.com"].len(), 40);
    assert!(answer.lanes.values().all(|l| matches!(l, Lane::Busy(_))));
    assert_eq!(answer.lanes.len(), 60);

    // A group of 60 alone: Google answers for 50 of its members, and the other 10 are
    // asked on their own. One of 101 is not expanded at all.
    sandbox.clear_requests();
    let ids = vec!["sixty@example.com".into(), "huge@example.com".into()];
    let answer = client(&sandbox).free_busy(&q(ids)).await.unwrap();
    assert!(answer.split);
    let sent = queries(&sandbox);
    assert_eq!(sent.len(), 2, "asking again stops when it has the answer");
    assert_eq!(
        item_ids(&sent[1]),
        members[50..],
        "the refused members, alone"
    );
    let unknown: Vec<(&String, &String)> = answer
        .lanes
        .iter()
        .filter_map(|(id, lane)| match lane {
            Lane::Unknown { reason } => Some((id, reason)),
            Lane::Busy(_) => None,
        })
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].0, "huge@example.com");
    assert!(unknown[0].1.ends_with("(groupTooBig)"), "{}", unknown[0].1);
    let answered = answer.groups["sixty@example.com"]
        .iter()
        .filter(|m| matches!(answer.lanes[*m], Lane::Busy(_)))
        .count();
    assert_eq!(answered, 60, "every member is answered for");
}

#[tokio::test]
async fn group_members_google_will_not_show_are_named_in_the_slots() {
    let sandbox = empty().await;
    sandbox.with_store(|s| {
        s.add_person("ann@example.com", Tz::UTC);
        s.put_person_event(
            "ann@example.com",
            timed_utc("busy", "2026-11-24T10:00:00", "2026-11-24T11:00:00"),
        )
        .unwrap();
        // A member outside the organisation: Google answers notFound for them.
        s.add_group(
            "mixed@example.com",
            &["ann@example.com", "ext@other.example"],
        );
    });
    let q = BusyQuery {
        from: utc("2026-11-24T08:00:00Z"),
        to: utc("2026-11-24T12:00:00Z"),
        tz: Tz::UTC,
        ids: vec!["primary".into(), "mixed@example.com".into()],
    };
    let answer = client(&sandbox).free_busy(&q).await.unwrap();
    let guests = ["mixed@example.com".to_string()];
    let lanes = answer.lanes(&["primary".into()], &guests);
    let hours = WorkingHours::parse("08:00-12:00", &["tue"]).unwrap();
    let slots = free_slots(
        &lanes,
        q.from,
        1,
        TimeDelta::hours(1),
        &hours,
        Tz::UTC,
        TimeDelta::hours(1),
    );
    let starts: Vec<String> = slots
        .slots
        .iter()
        .map(|s| s.start.format("%H:%M").to_string())
        .collect();
    assert_eq!(starts, ["08:00", "09:00", "11:00"], "Ann's meeting counts");
    assert_eq!(slots.without, ["mixed@example.com: 1 of 2 members unknown"]);
    let (_, lane) = lanes
        .iter()
        .find(|(who, _)| who == &slots.without[0])
        .unwrap();
    assert_eq!(
        lane,
        &Lane::Unknown {
            reason: "ext@other.example: not shared with you, or outside your organisation \
                     (notFound)"
                .into()
        }
    );
}

#[tokio::test]
async fn free_busy_goes_through_the_retry_policy_and_a_missing_scope_asks_to_sign_in_again() {
    let sandbox = empty().await;
    let q = BusyQuery {
        from: utc("2026-11-24T00:00:00Z"),
        to: utc("2026-11-24T00:00:00Z") + TimeDelta::days(1),
        tz: Tz::UTC,
        ids: vec!["primary".into()],
    };
    sandbox.inject(Fault::status(503).on("POST", "/freeBusy"));
    let answer = client(&sandbox).free_busy(&q).await.unwrap();
    assert_eq!(answer.lanes["primary"], Lane::Busy(vec![]));
    assert_eq!(queries(&sandbox).len(), 2, "the 503 was retried");

    sandbox.inject(
        Fault::status(403)
            .reason("insufficientPermissions")
            .on("POST", "/freeBusy"),
    );
    match client(&sandbox).free_busy(&q).await {
        Err(ApiError::SignIn(message)) => {
            assert!(message.contains("meetty login"), "{message}")
        }
        other => panic!("a sign-in without the availability scope: {other:?}"),
    }
}

#[tokio::test]
async fn member_addresses_from_google_reach_the_lanes_without_control_characters() {
    let sandbox = empty().await;
    let hostile = "eve\u{1b}]52;c;aGk=\u{7}@example.com";
    sandbox.with_store(|s| s.add_group("odd@example.com", &[hostile]));
    let q = BusyQuery {
        from: utc("2026-11-24T00:00:00Z"),
        to: utc("2026-11-25T00:00:00Z"),
        tz: Tz::UTC,
        ids: vec!["odd@example.com".into()],
    };
    let answer = client(&sandbox).free_busy(&q).await.unwrap();
    let names: Vec<&String> = answer
        .lanes
        .keys()
        .chain(&answer.groups["odd@example.com"])
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names.iter().all(|n| !n.chars().any(char::is_control)),
        "{names:?}"
    );
}
