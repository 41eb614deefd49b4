//! The `/meetings` endpoints of `meetty serve` over real HTTP against the sandbox: what a
//! booking system sends, what it gets back, and what reached Google (the sandbox's recorded
//! requests and store).

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{sent, Response};
use meetty::sandbox::{Calendar, ConferencePolicy, Fault, Sandbox, Seed, ACCOUNT};
use serde_json::{json, Value};

/// The sandbox, the API in front of it, and the directory its files are in.
struct Env {
    sandbox: Sandbox,
    base: String,
    server: meetty::serve::server::Server,
    dir: std::path::PathBuf,
}

async fn env(seed: Seed) -> Env {
    let sandbox = common::sandbox(seed).await;
    // A home of its own per test: the cache the API keeps is in it.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("meetty-serve-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (server, base) = common::api_server(&sandbox, &dir).await;
    Env {
        sandbox,
        base,
        server,
        dir,
    }
}

impl Env {
    /// Stops the API and starts a new one on the same sandbox: nothing kept in memory.
    async fn restart(&mut self) {
        let (server, base) = common::api_server(&self.sandbox, &self.dir).await;
        let old = std::mem::replace(&mut self.server, server);
        old.shutdown().await;
        self.base = base;
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        common::api_call(&self.base, method, path, headers, body).await
    }

    async fn post(&self, key: Option<&str>, body: &Value) -> Response {
        post_at(&self.base, key, body).await
    }

    /// Inserts that reached the sandbox.
    fn inserts(&self) -> Vec<meetty::sandbox::RecordedRequest> {
        sent(&self.sandbox, "POST", "/events")
            .into_iter()
            .filter(|r| r.path.ends_with("/events"))
            .collect()
    }

    /// The events titled `title` in the seeded account's primary calendar.
    fn titled(&self, title: &str) -> Vec<Value> {
        self.sandbox
            .with_store(|s| s.events(ACCOUNT))
            .into_iter()
            .filter(|ev| ev["summary"] == title)
            .collect()
    }

    /// The listing of the demo week, synced from the sandbox.
    async fn demo_week(&self) -> Value {
        let list = self
            .call(
                "GET",
                "/meetings?fresh=1&from=2026-11-16&to=2026-12-07",
                &[],
                "",
            )
            .await;
        assert_eq!(list.status, 200, "{}", list.text());
        list.json()
    }

    fn stored(&self, id: &str) -> Option<Value> {
        self.sandbox.with_store(|s| s.event(ACCOUNT, id).ok())
    }
}

/// Polls `location` (a 202's) as a client would, every half second for up to ten seconds,
/// until the Meet link is no longer pending; the last answer.
async fn poll_until_settled(base: &str, location: &str) -> Value {
    for _ in 0..20 {
        let again = common::api_call(base, "GET", location, &[], "").await;
        assert_eq!(again.status, 200, "{}", again.text());
        if again.json()["conference"] != "pending" {
            return again.json();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    common::api_call(base, "GET", location, &[], "")
        .await
        .json()
}

/// `POST /meetings` to the API at `base`, with an `Idempotency-Key` when given.
async fn post_at(base: &str, key: Option<&str>, body: &Value) -> Response {
    let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
    common::api_call(base, "POST", "/meetings", &headers, &body.to_string()).await
}

/// The meeting `m` starts and ends at these local times (the endings of its RFC 3339 times).
fn assert_span(m: &Value, start: &str, end: &str) {
    let at = |field: &str| m[field].as_str().unwrap_or_default().to_string();
    assert!(at("start").ends_with(start), "{m}");
    assert!(at("end").ends_with(end), "{m}");
}

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Tomorrow at 15:00 in Berlin, as a local time the API reads in `time_zone`.
fn tomorrow_at(hour: u32) -> String {
    let day = Utc::now().with_timezone(&common::tz()).date_naive() + chrono::Days::new(1);
    format!("{day}T{hour:02}:00")
}

fn booking(title: &str) -> Value {
    json!({
        "title": title,
        "start": tomorrow_at(15),
        "duration": "45m",
        "time_zone": "Europe/Berlin",
        "attendees": ["kim@example.com"],
        "description": "Booked online",
    })
}

/// An empty calendar whose Meet links Google finishes in the insert's own answer.
async fn instant_env() -> Env {
    let e = env(Seed::Empty).await;
    e.sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::ZERO,
        ..ConferencePolicy::default()
    });
    e
}

#[tokio::test]
async fn primary_and_a_calendar_made_since_the_last_sync_are_booked_on() {
    let e = instant_env().await;
    // The calendar list is cached by a listing; the booking is checked against it.
    let list = e.call("GET", "/meetings?fresh=1", &[], "").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let mut on_primary = booking("On primary");
    on_primary["calendar"] = json!("primary");
    let r = e.post(None, &on_primary).await;
    assert_eq!(
        r.status,
        201,
        "Google's name for the own calendar: {}",
        r.text()
    );
    assert_eq!(e.titled("On primary").len(), 1);

    let made_since = "side-project@group.calendar.google.com";
    e.sandbox
        .with_store(|s| s.add_calendar(Calendar::new(made_since, "Side project", common::tz())));
    let mut on_new = booking("On the new calendar");
    on_new["calendar"] = json!(made_since);
    let r = e.post(None, &on_new).await;
    assert_eq!(
        r.status,
        201,
        "a calendar the cache does not know yet: {}",
        r.text()
    );
    assert_eq!(e.sandbox.with_store(|s| s.events(made_since)).len(), 1);

    let mut nowhere = booking("Nowhere");
    nowhere["calendar"] = json!("nope@group.calendar.google.com");
    let r = e.post(None, &nowhere).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["error"]["field"], "calendar");
}

#[tokio::test]
async fn a_booking_gets_a_meeting_with_a_ready_meet_link_in_its_zone() {
    let e = instant_env().await;
    let r = e.post(None, &booking("Intro call")).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let m = r.json();
    assert_eq!(m["conference"], "ready");
    assert!(m["meet_link"]
        .as_str()
        .unwrap()
        .starts_with("https://meet.google.com/"));
    assert_eq!(m["title"], "Intro call");
    assert_eq!(m["time_zone"], "Europe/Berlin");
    assert_span(&m, "T15:00:00+01:00", "T15:45:00+01:00");
    let id = m["id"].as_str().unwrap();
    let calendar = m["calendar_id"].as_str().unwrap().replace('@', "%40");
    assert_eq!(
        header(&r, "location"),
        Some(format!("/meetings/{id}?calendar={calendar}").as_str())
    );
    assert_eq!(header(&r, "etag"), m["etag"].as_str());
    let insert = &e.inserts()[0];
    let q = |name: &str| {
        insert
            .query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(q("conferenceDataVersion").as_deref(), Some("1"));
    // A guest is told, as the CLI does by default.
    assert_eq!(q("sendUpdates").as_deref(), Some("all"));
    let body = insert.body.as_ref().unwrap();
    assert_eq!(body["start"]["timeZone"], "Europe/Berlin");
    assert_eq!(body["attendees"][0]["email"], "kim@example.com");
}

#[tokio::test]
async fn a_meet_link_still_pending_is_a_202_and_ready_when_read_later() {
    let e = env(Seed::Empty).await;
    // Longer than the API's wait (5 s in common::api_server).
    e.sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::from_secs(7),
        ..ConferencePolicy::default()
    });
    let r = e.post(None, &booking("Slow link")).await;
    assert_eq!(r.status, 202, "{}", r.text());
    let m = r.json();
    assert_eq!(m["conference"], "pending");
    assert_eq!(m["meet_link"], Value::Null);
    // The caller polls the Location until Google has finished the link.
    let location = header(&r, "location").unwrap().to_string();
    let ready = poll_until_settled(&e.base, &location).await;
    assert_eq!(ready["conference"], "ready");
    assert_eq!(ready["id"], m["id"]);
    assert!(ready["meet_link"]
        .as_str()
        .unwrap()
        .starts_with("https://meet.google.com/"));
}

#[tokio::test]
async fn the_same_idempotency_key_books_once_and_answers_the_same() {
    let mut e = instant_env().await;
    let first = e.post(Some("order-1001"), &booking("Booking 1001")).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(header(&first, "idempotent-replayed"), None);
    let again = e.post(Some("order-1001"), &booking("Booking 1001")).await;
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(header(&again, "idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.json()["meet_link"], first.json()["meet_link"]);
    assert_eq!(e.titled("Booking 1001").len(), 1);
    let id = first.json()["id"].as_str().unwrap().to_string();
    let stored = e.stored(&id).unwrap();
    assert_eq!(
        stored["extendedProperties"]["private"]["meettyRequestSha256"]
            .as_str()
            .map(str::len),
        Some(64)
    );

    // After a restart too: what the key made is at Google, not in meetty's memory.
    e.restart().await;
    let restarted = e.post(Some("order-1001"), &booking("Booking 1001")).await;
    assert_eq!(restarted.status, 201, "{}", restarted.text());
    assert_eq!(header(&restarted, "idempotent-replayed"), Some("true"));
    assert_eq!(restarted.json()["id"], first.json()["id"]);
    assert_eq!(e.titled("Booking 1001").len(), 1);

    let other = e
        .post(Some("order-1001"), &booking("Another booking"))
        .await;
    assert_eq!(other.status, 409, "{}", other.text());
    assert_eq!(other.json()["error"]["code"], "idempotency_conflict");
    assert!(other.json()["error"]["fix"]
        .as_str()
        .unwrap()
        .contains("new key"));
    assert!(e.titled("Another booking").is_empty());
    assert_eq!(e.titled("Booking 1001").len(), 1);
}

#[tokio::test]
async fn two_requests_with_one_key_at_once_take_turns() {
    let e = instant_env().await;
    // The first insert is slow, so the second request arrives while it is in flight.
    e.sandbox
        .inject(Fault::latency(Duration::from_millis(500)).on("POST", "/events"));
    let body = booking("Booked twice at once");
    let (a, b) = tokio::join!(
        e.post(Some("order-3003"), &body),
        e.post(Some("order-3003"), &body)
    );
    assert_eq!(
        (a.status, b.status),
        (201, 201),
        "{} / {}",
        a.text(),
        b.text()
    );
    assert_eq!(a.json()["id"], b.json()["id"]);
    let replayed = [&a, &b]
        .iter()
        .filter(|r| header(r, "idempotent-replayed") == Some("true"))
        .count();
    assert_eq!(replayed, 1);
    assert_eq!(e.titled("Booked twice at once").len(), 1);
}

#[tokio::test]
async fn an_insert_whose_answer_is_lost_still_makes_one_meeting() {
    let e = instant_env().await;
    e.sandbox
        .inject(Fault::drop_after_apply().on("POST", "/events"));
    let r = e.post(Some("order-2002"), &booking("Lost answer")).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        e.inserts().len(),
        2,
        "the insert was sent again after the lost answer"
    );
    let titles = e.titled("Lost answer");
    assert_eq!(titles.len(), 1);
    assert_eq!(titles[0]["id"], id.as_str());

    // Cancelled since: the key is spent, and the caller is told so.
    let gone = e.call("DELETE", &format!("/meetings/{id}"), &[], "").await;
    assert_eq!(gone.status, 204, "{}", gone.text());
    let late = e.post(Some("order-2002"), &booking("Lost answer")).await;
    assert_eq!(late.status, 409, "{}", late.text());
    assert_eq!(late.json()["error"]["code"], "cancelled");
}

#[tokio::test]
async fn bad_input_names_the_field_and_sends_nothing() {
    let e = env(Seed::Empty).await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"title": "x", "start": tomorrow_at(9), "colour": "red"}),
            "colour",
        ),
        (json!({"title": "x", "start": "tomorrow at nine"}), "start"),
        (json!({"title": "x"}), "start"),
        (
            json!({"title": "x", "start": tomorrow_at(9), "duration": "forever"}),
            "duration",
        ),
        (
            json!({"title": "x", "start": tomorrow_at(9), "end": tomorrow_at(8)}),
            "end",
        ),
        (
            json!({"title": "x", "start": tomorrow_at(9), "time_zone": "Mars/Olympus"}),
            "time_zone",
        ),
        (
            json!({"title": "x", "start": tomorrow_at(9), "attendees": ["kim"]}),
            "attendees",
        ),
        (
            json!({"title": "x", "start": tomorrow_at(9), "attendees": "kim@example.com"}),
            "attendees",
        ),
        (
            json!({"title": "x", "start": tomorrow_at(9), "send_updates": "everyone"}),
            "send_updates",
        ),
        (
            json!({"title": "x", "start": tomorrow_at(9), "meet": "yes"}),
            "meet",
        ),
        (
            json!({"title": "x", "start": tomorrow_at(9), "template": "Nope"}),
            "template",
        ),
        (
            json!({"title": "x", "start": "2020-01-01T10:00:00Z"}),
            "start",
        ),
        (json!({"title": "", "start": tomorrow_at(9)}), "title"),
    ];
    for (body, field) in cases {
        let r = e.post(None, &body).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text());
        let error = &r.json()["error"];
        assert_eq!(error["code"], "invalid_field", "{body}");
        assert_eq!(error["field"], field, "{body}: {error}");
        assert!(error["fix"].is_string(), "{body}: no fix in {error}");
    }
    let broken = e
        .call("POST", "/meetings", &[], "{\"title\": \"x\",\n")
        .await;
    assert_eq!(broken.status, 400, "{}", broken.text());
    assert_eq!(broken.json()["error"]["code"], "invalid_json");
    assert!(broken.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("line 2"));
    let key = e
        .call(
            "POST",
            "/meetings",
            &[("idempotency-key", "two words")],
            &booking("x").to_string(),
        )
        .await;
    assert_eq!(key.status, 400, "{}", key.text());
    assert!(
        e.sandbox.requests().is_empty(),
        "sent: {:?}",
        e.sandbox.requests()
    );
}

#[tokio::test]
async fn the_list_is_read_from_the_cache_and_synced_when_fresh_is_asked() {
    let e = env(common::demo_seed()).await;
    let fresh = e.demo_week().await;
    assert_eq!(fresh["source"], "google");
    assert!(!sent(&e.sandbox, "GET", "/events").is_empty());
    e.sandbox.clear_requests();
    let cached = e
        .call("GET", "/meetings?from=2026-11-16&to=2026-12-07", &[], "")
        .await;
    assert_eq!(cached.status, 200, "{}", cached.text());
    assert_eq!(cached.json()["source"], "cache");
    assert!(
        e.sandbox.requests().is_empty(),
        "sent: {:?}",
        e.sandbox.requests()
    );
    assert_eq!(cached.json()["meetings"], fresh["meetings"]);
    let narrow = e
        .call(
            "GET",
            "/meetings?from=2026-11-16T00:00:00Z&to=2026-11-16T00:01:00Z",
            &[],
            "",
        )
        .await;
    assert_eq!(narrow.json()["meetings"], json!([]));
    let bad = e.call("GET", "/meetings?from=soon", &[], "").await;
    assert_eq!(
        (bad.status, bad.json()["error"]["field"].clone()),
        (422, json!("from"))
    );
}

async fn booked(e: &Env, title: &str) -> (String, String) {
    let r = e
        .post(
            None,
            &json!({"title": title, "start": tomorrow_at(11), "meet": false}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let m = r.json();
    (
        m["id"].as_str().unwrap().into(),
        m["etag"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn a_change_needs_the_current_etag() {
    let e = env(Seed::Empty).await;
    let (id, etag) = booked(&e, "Planning").await;
    let path = format!("/meetings/{id}");

    let none = e
        .call(
            "PATCH",
            &path,
            &[],
            &json!({"title": "Planning v2"}).to_string(),
        )
        .await;
    assert_eq!(none.status, 428, "{}", none.text());
    assert!(none.json()["error"]["fix"]
        .as_str()
        .unwrap()
        .contains("If-Match"));

    let moved =
        json!({"title": "Planning v2", "start": tomorrow_at(13), "attendees": ["kim@example.com"]});
    let ok = e
        .call("PATCH", &path, &[("if-match", &etag)], &moved.to_string())
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let m = ok.json();
    assert_eq!(m["title"], "Planning v2");
    // The length stays: 30 minutes, the Blank template's.
    assert_span(&m, "T13:00:00+01:00", "T13:30:00+01:00");
    assert_ne!(m["etag"], etag.as_str());
    let patch = sent(&e.sandbox, "PATCH", &id);
    assert_eq!(patch.len(), 1);
    assert!(patch[0]
        .headers
        .iter()
        .any(|(k, v)| k == "if-match" && *v == etag));

    let stale = e
        .call(
            "PATCH",
            &path,
            &[("if-match", &etag)],
            &json!({"title": "Old view"}).to_string(),
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text());
    assert_eq!(stale.json()["etag"], m["etag"]);
    assert_eq!(stale.json()["current"]["title"], "Planning v2");
    assert_eq!(
        sent(&e.sandbox, "PATCH", &id).len(),
        1,
        "a stale change was sent"
    );
    let in_body = json!({"title": "Planning v3", "etag": m["etag"]});
    let ok = e.call("PATCH", &path, &[], &in_body.to_string()).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[tokio::test]
async fn a_meet_link_is_added_and_removed_by_a_change() {
    let e = instant_env().await;
    let (id, etag) = booked(&e, "Call").await;
    let path = format!("/meetings/{id}");
    let on = json!({"meet": true, "etag": etag});
    let r = e.call("PATCH", &path, &[], &on.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["conference"], "ready");
    let patch = &sent(&e.sandbox, "PATCH", &id)[0];
    assert!(patch
        .query
        .contains(&("conferenceDataVersion".into(), "1".into())));
    let off = json!({"meet": false, "etag": r.json()["etag"]});
    let r = e.call("PATCH", &path, &[], &off.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["conference"], "none");
    assert_eq!(r.json()["meet_link"], Value::Null);
}

#[tokio::test]
async fn an_occurrence_is_changed_only_when_the_scope_is_said() {
    let e = env(common::demo_seed()).await;
    let meetings = e.demo_week().await["meetings"].as_array().unwrap().clone();
    let occurrence = meetings
        .iter()
        .find(|m| m["i_organize"] == true && m["recurring_event_id"].is_string())
        .expect("the demo has a recurring meeting the user organizes");
    let id = occurrence["id"].as_str().unwrap();
    let path = format!("/meetings/{id}");
    let read = e.call("GET", &path, &[], "").await;
    let etag = read.json()["etag"].as_str().unwrap().to_string();
    let renamed = json!({"title": "Standup (moved room)"});
    let r = e
        .call("PATCH", &path, &[("if-match", &etag)], &renamed.to_string())
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["error"]["field"], "scope");
    assert!(sent(&e.sandbox, "PATCH", "").is_empty());
    let this_one = json!({"title": "Standup (moved room)", "scope": "this"});
    let r = e
        .call(
            "PATCH",
            &path,
            &[("if-match", &etag)],
            &this_one.to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["title"], "Standup (moved room)");
    assert_eq!(r.json()["id"], id);
}

#[tokio::test]
async fn a_cancel_tells_whom_it_is_asked_to_and_the_meeting_is_gone() {
    let e = env(Seed::Empty).await;
    let (id, _) = booked(&e, "Retro").await;
    let path = format!("/meetings/{id}");
    let bad = e
        .call("DELETE", &format!("{path}?send_updates=some"), &[], "")
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let r = e
        .call("DELETE", &format!("{path}?send_updates=none"), &[], "")
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let delete = sent(&e.sandbox, "DELETE", &id);
    assert_eq!(delete.len(), 1);
    assert!(delete[0]
        .query
        .contains(&("sendUpdates".into(), "none".into())));
    assert_eq!(e.stored(&id).unwrap()["status"], "cancelled");
    let read = e.call("GET", &path, &[], "").await;
    assert_eq!(read.status, 404, "{}", read.text());
}

#[tokio::test]
async fn an_invitation_is_answered_with_only_the_own_entry() {
    let e = env(common::demo_seed()).await;
    let meetings = e.demo_week().await["meetings"].as_array().unwrap().clone();
    let invited = meetings
        .iter()
        .find(|m| {
            m["i_organize"] == false
                && m["attendees"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["email"] == ACCOUNT)
        })
        .expect("the demo has an invitation");
    let id = invited["id"].as_str().unwrap();
    let body = json!({"response": "declined", "comment": "Out that day"});
    let r = e
        .call(
            "POST",
            &format!("/meetings/{id}/rsvp"),
            &[],
            &body.to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let me = r.json()["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == ACCOUNT)
        .cloned()
        .unwrap();
    assert_eq!(me["response"], "declined");
    let patch = &sent(&e.sandbox, "PATCH", id)[0];
    let sent_body = patch.body.as_ref().unwrap();
    assert_eq!(sent_body["attendeesOmitted"], true);
    assert_eq!(sent_body["attendees"].as_array().unwrap().len(), 1);
    assert_eq!(sent_body["attendees"][0]["comment"], "Out that day");
    let wrong = e
        .call(
            "POST",
            &format!("/meetings/{id}/rsvp"),
            &[],
            &json!({"response": "maybe"}).to_string(),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.json()["error"]["field"].clone()),
        (422, json!("response"))
    );
}

#[tokio::test]
async fn google_refusals_pass_through_with_status_reason_and_retry_after() {
    let e = env(Seed::Empty).await;
    e.sandbox.inject(
        Fault::status(403)
            .reason("forbiddenForNonOrganizer")
            .on("POST", "/events"),
    );
    let forbidden = e.post(None, &booking("Not mine")).await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.text());
    assert_eq!(forbidden.json()["error"]["code"], "google");
    assert_eq!(
        forbidden.json()["error"]["reason"],
        "forbiddenForNonOrganizer"
    );

    let missing = e.call("GET", "/meetings/nosuchevent0", &[], "").await;
    assert_eq!(missing.status, 404, "{}", missing.text());
    assert_eq!(missing.json()["error"]["code"], "not_found");

    // Rate limited on every attempt the client makes: the last Retry-After is passed on.
    let (id, _) = booked(&e, "Busy day").await;
    e.sandbox
        .inject(Fault::status(429).retry_after(1).on("GET", &id).times(5));
    let limited = e.call("GET", &format!("/meetings/{id}"), &[], "").await;
    assert_eq!(limited.status, 429, "{}", limited.text());
    assert_eq!(header(&limited, "retry-after"), Some("1"));
    assert_eq!(limited.json()["error"]["reason"], "rateLimitExceeded");
    assert_eq!(sent(&e.sandbox, "GET", &id).len(), 5);
}

#[tokio::test]
async fn one_key_in_two_serve_processes_books_once_and_refuses_another_body() {
    let e = instant_env().await;
    e.sandbox
        .with_store(|s| s.add_calendar(Calendar::new(TEAM, "Team", common::tz())));
    // Another meetty serve on the same account: it shares nothing with the first but Google.
    let (second, second_base) = common::api_server(&e.sandbox, &e.dir.join("second")).await;
    let first = e.post(Some("order-7007"), &booking("First body")).await;
    assert_eq!(first.status, 201, "{}", first.text());
    // A new keyed booking is one request to Google: the insert, nothing read before it.
    assert_eq!(e.sandbox.requests().len(), 1, "{:?}", e.sandbox.requests());

    let other = post_at(&second_base, Some("order-7007"), &booking("Second body")).await;
    assert_eq!(other.status, 409, "{}", other.text());
    assert_eq!(other.json()["error"]["code"], "idempotency_conflict");
    assert!(e.titled("Second body").is_empty());
    let same = post_at(&second_base, Some("order-7007"), &booking("First body")).await;
    assert_eq!(same.status, 201, "{}", same.text());
    assert_eq!(header(&same, "idempotent-replayed"), Some("true"));
    assert_eq!(same.json()["id"], first.json()["id"]);
    assert_eq!(e.titled("First body").len(), 1);

    // A key is per account and calendar (event ids are unique per calendar at Google): the
    // same key on another calendar books there, under another id.
    let mut elsewhere = booking("First body");
    elsewhere["calendar"] = json!(TEAM);
    let team = e.post(Some("order-7007"), &elsewhere).await;
    assert_eq!(team.status, 201, "{}", team.text());
    assert_ne!(team.json()["id"], first.json()["id"]);
    let on_team = e.sandbox.with_store(|s| s.events(TEAM));
    assert_eq!(on_team.len(), 1);

    // At once from both processes, with different bodies: neither saw the other's booking
    // before sending its own, and still only one is made; the other is told.
    e.sandbox
        .inject(Fault::latency(Duration::from_millis(300)).on("POST", "/events"));
    let (raced_a, raced_b) = (booking("Raced A"), booking("Raced B"));
    let (a, b) = tokio::join!(
        e.post(Some("order-8008"), &raced_a),
        post_at(&second_base, Some("order-8008"), &raced_b)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", a.text(), b.text());
    let refused = if a.status == 409 { &a } else { &b };
    assert_eq!(refused.json()["error"]["code"], "idempotency_conflict");
    assert_eq!(e.titled("Raced A").len() + e.titled("Raced B").len(), 1);
    second.shutdown().await;
}

const TEAM: &str = "team-berlin@group.calendar.google.com";

#[tokio::test]
async fn a_pending_booking_for_another_account_and_calendar_is_polled_at_its_location() {
    const BOT: &str = "booking-bot@meetty-tests.iam.gserviceaccount.com";
    const BOT_ID: &str = "104729384756102938475";
    const KIM: &str = "kim@example.com";
    let e = env(Seed::Empty).await;
    // Longer than the API's wait (5 s in common::api_server_for); set before Kim's calendars
    // are made, which take the policy then in force.
    e.sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::from_secs(7),
        ..ConferencePolicy::default()
    });
    e.sandbox
        .register_service_account(BOT, BOT_ID, &common::service_account_pem(1));
    e.sandbox
        .grant_delegation(BOT_ID, &meetty::auth::client::SCOPES);
    e.sandbox.with_user_store(KIM, |s| {
        s.add_calendar(Calendar::new(TEAM, "Team", common::tz()))
    });
    let key = meetty::auth::service_account::Key::parse(&common::service_account_json(
        &e.sandbox.token_url(),
        BOT,
        BOT_ID,
        1,
    ))
    .unwrap();
    let session = meetty::auth::service_account::ServiceSession::new(&key, Some(KIM), None)
        .await
        .unwrap();
    let kim = meetty::serve::Account {
        email: KIM.into(),
        client: meetty::calendar::client::CalendarClient::new(&e.sandbox.root_url(), session)
            .with_limits(common::quick_limits()),
        cache_owner: KIM.into(),
    };
    let alex = meetty::serve::Account {
        email: ACCOUNT.into(),
        client: common::client(&e.sandbox),
        cache_owner: ACCOUNT.into(),
    };
    let (server, base) = common::api_server_for(&e.dir.join("two"), vec![alex, kim]).await;
    let mut body = booking("Kim's team call");
    body["account"] = json!(KIM);
    body["calendar"] = json!(TEAM);
    let r = post_at(&base, Some("kim-1"), &body).await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let location = header(&r, "location").unwrap().to_string();
    assert_eq!(
        location,
        format!(
            "/meetings/{id}?calendar=team-berlin%40group.calendar.google.com\
             &account=kim%40example.com"
        )
    );
    let ready = poll_until_settled(&base, &location).await;
    assert_eq!(ready["conference"], "ready");
    assert_eq!(ready["account"], KIM);
    assert_eq!(ready["id"], id.as_str());
    assert_eq!(e.sandbox.with_user_store(KIM, |s| s.events(TEAM)).len(), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn google_limits_and_refusals_say_what_to_do() {
    let e = env(Seed::Empty).await;
    // A 403 rate limit is a 429 for the caller, with a wait (Google sent none).
    e.sandbox.inject(
        Fault::status(403)
            .reason("userRateLimitExceeded")
            .on("POST", "/events")
            .times(20),
    );
    let limited = e.post(None, &booking("Too fast")).await;
    assert_eq!(limited.status, 429, "{}", limited.text());
    assert_eq!(limited.json()["error"]["reason"], "userRateLimitExceeded");
    assert_eq!(header(&limited, "retry-after"), Some("60"));
    e.sandbox.clear_faults();

    e.sandbox.inject(
        Fault::status(403)
            .reason("accessNotConfigured")
            .on("POST", "/events"),
    );
    let disabled = e.post(None, &booking("API off")).await;
    assert_eq!(disabled.status, 403, "{}", disabled.text());
    let fix = disabled.json()["error"]["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fix.contains("not enabled"), "{fix}");
    assert!(fix.contains("calendar-json.googleapis.com"), "{fix}");

    e.sandbox.inject(
        Fault::status(403)
            .reason("forbiddenForServiceAccounts")
            .on("POST", "/events"),
    );
    let bot = e.post(None, &booking("Bot invites")).await;
    assert_eq!(bot.status, 403, "{}", bot.text());
    let fix = bot.json()["error"]["fix"].as_str().unwrap().to_string();
    assert!(fix.contains("--subject"), "{fix}");
    assert!(fix.contains("without attendees"), "{fix}");
}

#[tokio::test]
async fn the_list_after_a_write_through_the_api_shows_it() {
    let e = env(Seed::Empty).await;
    let first = e.call("GET", "/meetings?fresh=1", &[], "").await;
    assert_eq!(first.json()["source"], "google", "{}", first.text());
    let (id, _) = booked(&e, "Just booked").await;
    let after = e.call("GET", "/meetings", &[], "").await;
    assert_eq!(after.json()["source"], "google", "{}", after.text());
    let ids: Vec<Value> = after.json()["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert!(ids.contains(&json!(id)), "{ids:?}");
    let again = e.call("GET", "/meetings", &[], "").await;
    assert_eq!(again.json()["source"], "cache");

    let gone = e.call("DELETE", &format!("/meetings/{id}"), &[], "").await;
    assert_eq!(gone.status, 204, "{}", gone.text());
    let after = e.call("GET", "/meetings", &[], "").await;
    assert_eq!(after.json()["source"], "google");
    assert_eq!(after.json()["meetings"], json!([]));
}

#[tokio::test]
async fn a_cancel_sent_again_after_its_answer_was_lost_is_done() {
    let e = env(Seed::Empty).await;
    let (id, _) = booked(&e, "Cancelled twice").await;
    // Every answer to Google's delete is lost, so the API cannot tell the caller.
    e.sandbox
        .inject(Fault::drop_after_apply().on("DELETE", &id).times(20));
    let lost = e.call("DELETE", &format!("/meetings/{id}"), &[], "").await;
    assert_eq!(lost.status, 502, "{}", lost.text());
    e.sandbox.clear_faults();
    assert_eq!(e.stored(&id).unwrap()["status"], "cancelled");
    let again = e.call("DELETE", &format!("/meetings/{id}"), &[], "").await;
    assert_eq!(again.status, 204, "{}", again.text());
}

#[tokio::test]
async fn accounts_etags_and_windows_are_read_as_documented() {
    let e = env(Seed::Empty).await;
    let (id, _) = booked(&e, "Loose ends").await;
    let upper = e
        .call(
            "GET",
            &format!("/meetings/{id}?account=ALEX@Example.com"),
            &[],
            "",
        )
        .await;
    assert_eq!(upper.status, 200, "{}", upper.text());

    let mut body = booking("Two accounts");
    body["account"] = json!(ACCOUNT);
    let both = e
        .call(
            "POST",
            "/meetings?account=kim@example.com",
            &[],
            &body.to_string(),
        )
        .await;
    assert_eq!(both.status, 422, "{}", both.text());
    assert_eq!(both.json()["error"]["field"], "account");

    let any = e
        .call(
            "PATCH",
            &format!("/meetings/{id}"),
            &[("if-match", "*")],
            &json!({"title": "Whatever is there"}).to_string(),
        )
        .await;
    assert_eq!(any.status, 200, "{}", any.text());
    assert_eq!(any.json()["title"], "Whatever is there");

    let long = e
        .call("GET", "/meetings?from=2026-01-01&to=2027-06-01", &[], "")
        .await;
    assert_eq!(long.status, 422, "{}", long.text());
    assert_eq!(long.json()["error"]["field"], "to");
}

#[tokio::test]
async fn a_cache_older_than_three_refreshes_is_synced_before_it_is_listed() {
    let e = env(common::demo_seed()).await;
    e.demo_week().await;
    // The cache as the TUI left it an hour ago (refresh_seconds is 60 by default: three
    // refreshes are three minutes).
    let paths = common::home_paths(&e.dir);
    let files = meetty::cache::CacheFiles::of(&paths, ACCOUNT);
    let mut cached = meetty::cache::load(&paths.agenda_cache(ACCOUNT)).unwrap();
    cached.agenda.fetched_at -= chrono::Duration::hours(1);
    meetty::cache::save(&files, &cached.agenda, cached.sync.as_ref()).unwrap();
    let old = e
        .call("GET", "/meetings?from=2026-11-16&to=2026-12-07", &[], "")
        .await;
    assert_eq!(old.status, 200, "{}", old.text());
    assert_eq!(old.json()["source"], "google");
    let current = e
        .call("GET", "/meetings?from=2026-11-16&to=2026-12-07", &[], "")
        .await;
    assert_eq!(current.json()["source"], "cache");
}
