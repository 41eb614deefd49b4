//! Writing meetings (create, Meet links, cancel, instant links) against the sandbox
//! over real HTTP, asserting on the requests it recorded.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use common::{now, sent};
use meetty::calendar::client::{Auth, AuthFuture, CalendarClient, Limits};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{Meeting, SendUpdates};
use meetty::calendar::write::{
    event_id, request_id, Conference, NewConference, NewEvent, Progress, Reminder,
};
use meetty::sandbox::{
    Calendar, ConferenceOutcome, ConferencePolicy, Fault, Sandbox, Seed, WriteOptions, ACCOUNT,
};
use serde_json::{json, Value};

mod common;

const BERLIN: Tz = Tz::Europe__Berlin;

fn policy(
    delay: Duration,
    after_reads: Option<u32>,
    outcome: ConferenceOutcome,
) -> ConferencePolicy {
    ConferencePolicy {
        delay,
        after_reads,
        outcome,
    }
}

/// Conferences finish at once unless a test says otherwise.
async fn start(seed: Seed) -> (Sandbox, CalendarClient) {
    let sandbox = common::sandbox(seed).await;
    sandbox.set_conference_policy(policy(Duration::ZERO, None, ConferenceOutcome::Success));
    let client = common::client(&sandbox);
    (sandbox, client)
}

async fn empty() -> (Sandbox, CalendarClient) {
    start(Seed::Empty).await
}

async fn demo() -> (Sandbox, CalendarClient) {
    start(common::demo_seed()).await
}

fn new_event(title: &str, meet: bool, send_updates: SendUpdates) -> NewEvent {
    let start = BERLIN.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    NewEvent {
        id: event_id(),
        title: title.into(),
        start,
        end: start + TimeDelta::minutes(30),
        attendees: vec!["jordan.lee@example.com".into()],
        description: "Agenda".into(),
        recurrence: Vec::new(),
        reminders: None,
        conference: if meet {
            NewConference::Meet
        } else {
            NewConference::None
        },
        send_updates,
        private: Default::default(),
    }
}

fn quiet(_: Progress) {}

fn is_uuid_v4(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

fn stored(sandbox: &Sandbox, event_id: &str) -> Value {
    sandbox
        .with_store(|s| s.event("primary", event_id))
        .unwrap()
}

/// The demo week's meeting with this title.
async fn titled(client: &CalendarClient, title: &str) -> Meeting {
    let meetings = listed(client, 7).await;
    meetings.into_iter().find(|m| m.title == title).unwrap()
}

async fn listed(client: &CalendarClient, days: i64) -> Vec<Meeting> {
    let from = now() - TimeDelta::hours(1);
    client
        .events("primary", from, from + TimeDelta::days(days))
        .await
        .unwrap()
}

#[test]
fn ids_are_valid_and_fresh() {
    let (a, b) = (event_id(), event_id());
    assert_eq!(a.len(), 32);
    assert!(
        a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'v')),
        "{a}"
    );
    assert_ne!(a, b);
    let r = request_id();
    assert!(is_uuid_v4(&r), "{r}");
    assert_ne!(r, request_id());
}

#[tokio::test]
async fn create_sends_conference_request_time_zones_recurrence_and_reminders() {
    let (sandbox, client) = empty().await;
    let mut ev = new_event("Weekly sync", true, SendUpdates::All);
    ev.recurrence = vec!["RRULE:FREQ=WEEKLY;COUNT=4".into()];
    ev.reminders = Some(vec![Reminder {
        method: "popup".into(),
        minutes: 5,
    }]);
    let created = client.create("primary", &ev, &quiet).await.unwrap();

    let posts = sent(&sandbox, "POST", "/events");
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(post.param("conferenceDataVersion"), Some("1"));
    assert_eq!(post.param("sendUpdates"), Some("all"));
    let body = post.body.as_ref().unwrap();
    assert_eq!(body["id"], json!(ev.id));
    assert_eq!(created.meeting.id, ev.id);
    let request = &body["conferenceData"]["createRequest"];
    assert_eq!(request["conferenceSolutionKey"]["type"], "hangoutsMeet");
    assert!(is_uuid_v4(request["requestId"].as_str().unwrap()));
    for end in ["start", "end"] {
        assert_eq!(body[end]["timeZone"], "Europe/Berlin");
    }
    assert_eq!(body["start"]["dateTime"], "2026-12-01T10:00:00+01:00");
    assert_eq!(body["recurrence"], json!(["RRULE:FREQ=WEEKLY;COUNT=4"]));
    assert_eq!(
        body["reminders"],
        json!({"useDefault": false, "overrides": [{"method": "popup", "minutes": 5}]})
    );
    assert_eq!(
        body["attendees"],
        json!([{"email": "jordan.lee@example.com"}])
    );

    let Conference::Ready(link) = &created.conference else {
        panic!("{:?}", created.conference)
    };
    assert!(link.starts_with("https://meet.google.com/"), "{link}");
    assert!(created.meeting.i_organize);
    assert_eq!(stored(&sandbox, &ev.id)["hangoutLink"], json!(link));

    let other = new_event("Another", true, SendUpdates::All);
    client.create("primary", &other, &quiet).await.unwrap();
    let ids: Vec<Value> = sent(&sandbox, "POST", "/events")
        .iter()
        .map(|p| p.body.as_ref().unwrap()["conferenceData"]["createRequest"]["requestId"].clone())
        .collect();
    assert_ne!(ids[0], ids[1], "a fresh requestId per meeting");
}

#[tokio::test]
async fn create_sends_the_chosen_send_updates_and_no_conference_unless_asked() {
    let (sandbox, client) = empty().await;
    for send in [
        SendUpdates::All,
        SendUpdates::ExternalOnly,
        SendUpdates::None,
    ] {
        let created = client
            .create("primary", &new_event("Plain", false, send), &quiet)
            .await
            .unwrap();
        assert_eq!(created.conference, Conference::NotRequested);
        assert_eq!(created.meeting.video, None);
    }
    let posts = sent(&sandbox, "POST", "/events");
    let sends: Vec<_> = posts.iter().map(|p| p.param("sendUpdates")).collect();
    assert_eq!(sends, [Some("all"), Some("externalOnly"), Some("none")]);
    assert!(posts
        .iter()
        .all(|p| p.body.as_ref().unwrap().get("conferenceData").is_none()
            && p.body.as_ref().unwrap().get("reminders").is_none()));
}

#[tokio::test]
async fn a_pending_link_is_polled_with_backoff_until_ready() {
    let (sandbox, client) = empty().await;
    sandbox.set_conference_policy(policy(
        Duration::from_secs(3600),
        Some(3),
        ConferenceOutcome::Success,
    ));
    let seen = Mutex::new(Vec::new());
    let record = |p| seen.lock().unwrap().push(p);
    let ev = new_event("Pending", true, SendUpdates::None);
    let created = client.create("primary", &ev, &record).await.unwrap();

    assert!(
        matches!(&created.conference, Conference::Ready(l) if l.starts_with("https://meet.google.com/"))
    );
    assert_eq!(
        seen.into_inner().unwrap(),
        [
            Progress::Saving,
            Progress::CreatingMeetLink { attempt: 1 },
            Progress::CreatingMeetLink { attempt: 2 },
            Progress::CreatingMeetLink { attempt: 3 },
        ]
    );
    assert_eq!(
        sent(&sandbox, "GET", &ev.id).len(),
        3,
        "one read per report"
    );
    assert!(created.meeting.video.is_some());
}

#[tokio::test]
async fn polling_gives_up_within_the_limit() {
    let (sandbox, client) = empty().await;
    let client = client.with_limits(Limits {
        request_timeout: Duration::from_secs(5),
        conference_wait: Duration::from_secs(1),
        ..common::quick_limits()
    });
    sandbox.set_conference_policy(policy(
        Duration::from_secs(3600),
        None,
        ConferenceOutcome::Success,
    ));
    let ev = new_event("Slow", true, SendUpdates::None);
    let started = std::time::Instant::now();
    let created = client.create("primary", &ev, &quiet).await.unwrap();
    assert_eq!(created.conference, Conference::StillPending);
    assert!(started.elapsed() < Duration::from_secs(2));
    // 250 ms + 500 ms; the next wait (1 s) would pass the limit.
    assert_eq!(sent(&sandbox, "GET", &ev.id).len(), 2);
}

#[tokio::test]
async fn a_failed_conference_is_reported_and_the_event_kept() {
    let (sandbox, client) = empty().await;
    sandbox.set_conference_policy(policy(Duration::ZERO, None, ConferenceOutcome::Failure));
    let ev = new_event("No link", true, SendUpdates::None);
    let created = client.create("primary", &ev, &quiet).await.unwrap();
    let Conference::Failed(why) = &created.conference else {
        panic!("{:?}", created.conference)
    };
    // The cause only: each surface adds the advice that works there (a key, a command).
    assert!(
        why.contains("saved without") && !why.contains("press"),
        "{why}"
    );
    assert_eq!(client.event("primary", &ev.id).await.unwrap().id, ev.id);
    assert_eq!(stored(&sandbox, &ev.id)["status"], "confirmed");
}

#[tokio::test]
async fn a_calendar_without_meet_refuses_the_link_clearly() {
    let (sandbox, client) = empty().await;
    let no_meet = "rooms@group.calendar.google.com";
    sandbox.with_store(|s| {
        let mut c = Calendar::new(no_meet, "Rooms", BERLIN);
        c.allowed_conference_types = Vec::new();
        s.add_calendar(c);
    });
    let calendars = client.calendars().await.unwrap();
    let info = |id: &str| calendars.iter().find(|c| c.id == id).unwrap().clone();
    assert!(info(no_meet).writable && !info(no_meet).meet_allowed);
    assert!(info(ACCOUNT).writable && info(ACCOUNT).meet_allowed);

    let ev = new_event("Nope", true, SendUpdates::None);
    let err = client.create(no_meet, &ev, &quiet).await.unwrap_err();
    assert!(matches!(err, ApiError::Google { code: 400, .. }), "{err:?}");
    assert!(
        err.to_string().contains("does not allow Google Meet"),
        "{err}"
    );
    assert!(sandbox.with_store(|s| s.events(no_meet)).is_empty());
    // Without Meet the same calendar takes the meeting.
    let plain = new_event("Fine", false, SendUpdates::None);
    client.create(no_meet, &plain, &quiet).await.unwrap();
}

#[tokio::test]
async fn a_lost_insert_answer_is_retried_without_making_a_twin() {
    let (sandbox, client) = empty().await;
    sandbox.inject(Fault::drop_after_apply().on("POST", "/events"));
    let ev = new_event("Once", true, SendUpdates::All);
    let created = client.create("primary", &ev, &quiet).await.unwrap();
    assert_eq!(created.meeting.id, ev.id);
    assert!(matches!(created.conference, Conference::Ready(_)));

    let posts = sent(&sandbox, "POST", "/events");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].body, posts[1].body, "same id, same requestId");
    let twins = listed(&client, 14)
        .await
        .into_iter()
        .filter(|m| m.id == ev.id)
        .count();
    assert_eq!(twins, 1);
}

#[tokio::test]
async fn a_timed_out_insert_is_retried_and_a_slow_read_times_out() {
    let (sandbox, client) = empty().await;
    let client = client.with_limits(Limits {
        request_timeout: Duration::from_millis(300),
        conference_wait: Duration::from_secs(5),
        ..common::quick_limits()
    });
    sandbox.inject(Fault::latency(Duration::from_millis(800)).on("POST", "/events"));
    let ev = new_event("Slow network", false, SendUpdates::None);
    client.create("primary", &ev, &quiet).await.unwrap();
    assert_eq!(sent(&sandbox, "POST", "/events").len(), 2);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sandbox.with_store(|s| s.events("primary")).len(), 1);

    sandbox.inject(
        Fault::latency(Duration::from_secs(2))
            .on("GET", &ev.id)
            .times(5),
    );
    let err = client.event("primary", &ev.id).await.unwrap_err();
    assert_eq!(
        sent(&sandbox, "GET", &ev.id).len(),
        5,
        "every attempt timed out"
    );
    assert!(
        matches!(&err, ApiError::Network(m) if m.contains("timed out")),
        "{err:?}"
    );
}

#[tokio::test]
async fn add_and_remove_meet_send_conference_data_version_and_verify() {
    let (sandbox, client) = empty().await;
    let ev = new_event("Later link", false, SendUpdates::None);
    client.create("primary", &ev, &quiet).await.unwrap();

    let added = client
        .add_meet("primary", &ev.id, SendUpdates::All, &quiet)
        .await
        .unwrap();
    assert!(
        matches!(&added.conference, Conference::Ready(l) if l.starts_with("https://meet.google.com/"))
    );
    let patch = sent(&sandbox, "PATCH", &ev.id).pop().unwrap();
    assert_eq!(patch.param("conferenceDataVersion"), Some("1"));
    assert_eq!(patch.param("sendUpdates"), Some("all"));
    let request = &patch.body.as_ref().unwrap()["conferenceData"]["createRequest"];
    assert_eq!(request["conferenceSolutionKey"]["type"], "hangoutsMeet");
    assert!(is_uuid_v4(request["requestId"].as_str().unwrap()));

    sandbox.clear_requests();
    let removed = client
        .remove_meet("primary", &ev.id, SendUpdates::None)
        .await
        .unwrap();
    assert_eq!(removed.video, None);
    let on_event = sent(&sandbox, "", &ev.id);
    assert_eq!(
        on_event
            .iter()
            .map(|r| r.method.as_str())
            .collect::<Vec<_>>(),
        ["PATCH", "GET"]
    );
    assert_eq!(on_event[0].body, Some(json!({"conferenceData": null})));
    assert_eq!(on_event[0].param("conferenceDataVersion"), Some("1"));
    assert_eq!(on_event[0].param("sendUpdates"), Some("none"));
    assert!(stored(&sandbox, &ev.id).get("conferenceData").is_none());
}

#[tokio::test]
async fn a_link_that_is_still_there_after_removal_is_an_error() {
    let (sandbox, client) = empty().await;
    let ev = new_event("Sticky", true, SendUpdates::None);
    client.create("primary", &ev, &quiet).await.unwrap();
    // The verifying read is held back while "another device" adds a link again.
    sandbox.inject(Fault::latency(Duration::from_millis(500)).on("GET", &ev.id));
    let meddle = async {
        while sent(&sandbox, "GET", &ev.id).is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let again = json!({"conferenceData": {"createRequest": {
            "requestId": request_id(), "conferenceSolutionKey": {"type": "hangoutsMeet"}}}});
        sandbox
            .with_store(|s| {
                s.patch_event("primary", &ev.id, again, &WriteOptions::with_conferences())
            })
            .unwrap();
    };
    let (result, ()) = tokio::join!(
        client.remove_meet("primary", &ev.id, SendUpdates::None),
        meddle
    );
    let err = result.unwrap_err();
    assert!(err.to_string().contains("still on the event"), "{err}");
}

#[tokio::test]
async fn cancel_deletes_an_occurrence_or_the_whole_series() {
    let (sandbox, client) = demo().await;
    let one_on_ones = |meetings: Vec<Meeting>| -> Vec<Meeting> {
        meetings
            .into_iter()
            .filter(|m| m.title == "1:1 with Jordan")
            .collect()
    };
    let before = one_on_ones(listed(&client, 15).await);
    assert_eq!(before.len(), 3, "today and the next two weeks");
    assert!(before.iter().all(|m| m.i_organize));
    let series = before[0]
        .series_id
        .clone()
        .expect("an occurrence of a series");

    client
        .cancel("primary", &before[1].id, SendUpdates::None)
        .await
        .unwrap();
    let after = one_on_ones(listed(&client, 15).await);
    let ids: Vec<&str> = after.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, [before[0].id.as_str(), before[2].id.as_str()]);

    client
        .cancel("primary", &series, SendUpdates::All)
        .await
        .unwrap();
    assert!(one_on_ones(listed(&client, 15).await).is_empty());

    let deletes = sent(&sandbox, "DELETE", "/events/");
    let paths: Vec<(&str, Option<&str>)> = deletes
        .iter()
        .map(|d| (d.path.rsplit('/').next().unwrap(), d.param("sendUpdates")))
        .collect();
    assert_eq!(
        paths,
        [
            (before[1].id.as_str(), Some("none")),
            (series.as_str(), Some("all"))
        ]
    );
    // Cancelling what is already gone (410) is not an error.
    client
        .cancel("primary", &series, SendUpdates::All)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_guest_cannot_add_a_link_to_someone_elses_meeting() {
    let (_sandbox, client) = demo().await;
    let vendor = titled(&client, "Vendor sync").await;
    let err = client
        .add_meet("primary", &vendor.id, SendUpdates::All, &quiet)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Google { code: 403, reason, .. } if reason == "forbiddenForNonOrganizer"),
        "{err:?}"
    );
}

#[tokio::test]
async fn instant_link_creates_waits_and_deletes_quietly() {
    let (sandbox, client) = empty().await;
    sandbox.set_conference_policy(policy(
        Duration::from_secs(3600),
        Some(1),
        ConferenceOutcome::Success,
    ));
    let link = client
        .instant_link("primary", BERLIN, &quiet)
        .await
        .unwrap();
    assert!(link.starts_with("https://meet.google.com/"), "{link}");

    let post = sent(&sandbox, "POST", "/events").pop().unwrap();
    let body = post.body.clone().unwrap();
    let id = body["id"].as_str().unwrap();
    assert_eq!(post.param("sendUpdates"), Some("none"));
    assert_eq!(post.param("conferenceDataVersion"), Some("1"));
    assert_eq!(body["summary"], "meetty instant meeting");
    assert!(body.get("attendees").is_none());
    let start: DateTime<Utc> = body["start"]["dateTime"].as_str().unwrap().parse().unwrap();
    let end: DateTime<Utc> = body["end"]["dateTime"].as_str().unwrap().parse().unwrap();
    assert_eq!(end - start, TimeDelta::minutes(15));
    assert!((Utc::now() - start).abs() < TimeDelta::minutes(1));

    let delete = sent(&sandbox, "DELETE", id).pop().unwrap();
    assert_eq!(delete.param("sendUpdates"), Some("none"));
    assert_eq!(stored(&sandbox, id)["status"], "cancelled");
}

#[tokio::test]
async fn instant_link_that_fails_still_deletes_its_event() {
    let (sandbox, client) = empty().await;
    sandbox.set_conference_policy(policy(Duration::ZERO, None, ConferenceOutcome::Failure));
    let err = client
        .instant_link("primary", BERLIN, &quiet)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("could not create a link"), "{err}");
    let id = sent(&sandbox, "POST", "/events")
        .pop()
        .unwrap()
        .body
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sent(&sandbox, "DELETE", &id).len(), 1);
    assert_eq!(stored(&sandbox, &id)["status"], "cancelled");
}

/// A token that goes stale on demand; refreshing makes it good again.
#[derive(Clone)]
struct Rotating {
    stale: Arc<AtomicBool>,
    refreshes: Arc<AtomicU32>,
    good: String,
}

impl Auth for Rotating {
    fn token(&self) -> AuthFuture<'_> {
        let token = if self.stale.load(Ordering::SeqCst) {
            "stale-token".to_string()
        } else {
            self.good.clone()
        };
        Box::pin(async move { Ok(token) })
    }

    fn refresh<'a>(&'a self, rejected: &'a str) -> AuthFuture<'a> {
        assert_eq!(
            rejected, "stale-token",
            "the token Google refused is the one replaced"
        );
        self.stale.store(false, Ordering::SeqCst);
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        self.token()
    }
}

#[tokio::test]
async fn writes_refresh_a_rejected_token_once_and_retry() {
    let sandbox = common::sandbox(Seed::Empty).await;
    sandbox.set_conference_policy(policy(Duration::ZERO, None, ConferenceOutcome::Success));
    let auth = Rotating {
        stale: Arc::new(AtomicBool::new(true)),
        refreshes: Arc::new(AtomicU32::new(0)),
        good: sandbox.access_token(),
    };
    let client = CalendarClient::new(&sandbox.root_url(), auth.clone());
    let ev = new_event("After refresh", true, SendUpdates::None);
    let created = client.create("primary", &ev, &quiet).await.unwrap();
    assert!(matches!(created.conference, Conference::Ready(_)));

    auth.stale.store(true, Ordering::SeqCst);
    client
        .remove_meet("primary", &ev.id, SendUpdates::None)
        .await
        .unwrap();
    auth.stale.store(true, Ordering::SeqCst);
    client
        .cancel("primary", &ev.id, SendUpdates::None)
        .await
        .unwrap();

    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 3);
    let methods: Vec<(String, bool)> = sandbox
        .requests()
        .iter()
        .map(|r| {
            let stale = r.authorization.as_deref() == Some("Bearer stale-token");
            (r.method.clone(), stale)
        })
        .collect();
    let expected = [
        ("POST", true),
        ("POST", false),
        ("PATCH", true),
        ("PATCH", false),
        ("GET", false),
        ("DELETE", true),
        ("DELETE", false),
    ];
    let expected: Vec<(String, bool)> = expected.iter().map(|(m, s)| (m.to_string(), *s)).collect();
    assert_eq!(methods, expected);
    assert_eq!(stored(&sandbox, &ev.id)["status"], "cancelled");
}
