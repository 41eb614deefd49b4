//! Google and the network misbehaving, injected in the sandbox: each test checks what the
//! calendar holds afterwards (exactly the events that should exist, no twins) and the
//! requests meetty sent (how often, how far apart, with what).

mod common;

use std::time::Duration;

use chrono::TimeDelta;
use common::{demo, sent};
use meetty::calendar::client::{CalendarClient, CalendarSelection};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::SendUpdates;
use meetty::calendar::sync::{SyncRequest, Synced};
use meetty::calendar::write::{NewConference, NewEvent};
use meetty::sandbox::{
    Fault, RecordedRequest, Sandbox, WriteOptions, ACCOUNT, HOLIDAY_CALENDAR, TEAM_CALENDAR,
};
use serde_json::json;

/// The gaps between consecutive requests, in milliseconds.
fn gaps(requests: &[RecordedRequest]) -> Vec<u128> {
    requests
        .windows(2)
        .map(|w| (w[1].received - w[0].received).as_millis())
        .collect()
}

/// The agenda's window as the app asks for it: from the moment of the refresh to the end of
/// the week, so each refresh starts a little later than the one before.
fn week(minutes_later: i64) -> SyncRequest {
    let (from, to) = meetty::timefmt::agenda_window(
        common::now() + TimeDelta::minutes(minutes_later),
        common::tz(),
        7,
    );
    SyncRequest {
        from,
        to,
        reread_calendars: false,
    }
}

/// A refresh a minute after the last one (the first at `common::now()`).
async fn sync(client: &CalendarClient, last: Option<&Synced>) -> Synced {
    let minutes = if last.is_some() { 1 } else { 0 };
    client
        .sync(last, &CalendarSelection::SelectedInGoogle, week(minutes))
        .await
        .unwrap()
}

/// What the agenda shows of each meeting: enough to tell moved, new and gone apart.
fn shown(synced: &Synced) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = synced
        .agenda
        .meetings
        .iter()
        .map(|m| (m.calendar_id.clone(), m.id.clone(), format!("{:?}", m.when)))
        .collect();
    rows.sort();
    rows
}

fn new_event(title: &str) -> NewEvent {
    let start = (common::now() + TimeDelta::days(1)).with_timezone(&common::tz());
    NewEvent {
        id: meetty::calendar::write::event_id(),
        title: title.into(),
        start,
        end: start + TimeDelta::minutes(30),
        attendees: Vec::new(),
        description: String::new(),
        recurrence: Vec::new(),
        reminders: None,
        conference: NewConference::None,
        send_updates: SendUpdates::None,
        private: Default::default(),
    }
}

fn titled(sandbox: &Sandbox, calendar: &str, title: &str) -> usize {
    sandbox
        .with_store(|s| s.events(calendar))
        .iter()
        .filter(|e| e["summary"] == title && e["status"] != "cancelled")
        .count()
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_waits_until_an_answer() {
    let (sandbox, client) = demo().await;
    sandbox.inject(Fault::status(503).on("GET", "/events").times(3));
    let meetings = client
        .events(ACCOUNT, common::now(), common::now() + TimeDelta::days(7))
        .await
        .unwrap();
    assert!(!meetings.is_empty());
    let lists = sent(&sandbox, "GET", "/events");
    assert_eq!(lists.len(), 4, "three 503s, then the answer");
    // Without jitter the waits are the backoff's ceilings: 20, 40, 80 ms.
    let waits = gaps(&lists);
    assert!(waits.windows(2).all(|w| w[1] > w[0]), "{waits:?}");
    for (wait, ceiling) in waits.iter().zip([20, 40, 80]) {
        assert!(*wait >= ceiling, "{waits:?}");
    }
}

#[tokio::test]
async fn retry_after_is_waited_out_before_the_next_attempt() {
    let (sandbox, client) = demo().await;
    sandbox.inject(
        Fault::status(429)
            .retry_after(1)
            .on("GET", "calendarList")
            .times(1),
    );
    client.calendars().await.unwrap();
    let lists = sent(&sandbox, "GET", "calendarList");
    assert_eq!(lists.len(), 2);
    assert!(gaps(&lists)[0] >= 1000, "{:?}", gaps(&lists));
}

#[tokio::test]
async fn rate_limit_403s_are_retried_but_other_refusals_are_sent_once() {
    let (sandbox, client) = demo().await;
    let list = || client.events(ACCOUNT, common::now(), common::now() + TimeDelta::days(1));

    sandbox.inject(
        Fault::status(403)
            .reason("userRateLimitExceeded")
            .on("GET", "/events"),
    );
    list().await.unwrap();
    assert_eq!(sent(&sandbox, "GET", "/events").len(), 2);

    for (code, reason) in [
        (400, "badRequest"),
        (403, "forbidden"),
        (403, "quotaExceeded"),
        (404, "notFound"),
    ] {
        sandbox.clear_requests();
        sandbox.inject(
            Fault::status(code)
                .reason(reason)
                .on("GET", "/events")
                .times(5),
        );
        let err = list().await.unwrap_err();
        assert!(
            matches!(&err, ApiError::Google { code: c, .. } if *c == code),
            "{err:?}"
        );
        assert_eq!(
            sent(&sandbox, "GET", "/events").len(),
            1,
            "{code} {reason} must not be retried blindly"
        );
        sandbox.clear_faults();
    }
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_reported() {
    let (sandbox, client) = demo().await;
    sandbox.inject(Fault::status(500).on("GET", "calendarList").times(50));
    let err = client.calendars().await.unwrap_err();
    assert!(matches!(err, ApiError::Google { code: 500, .. }), "{err:?}");
    assert_eq!(sent(&sandbox, "GET", "calendarList").len(), 5);
}

#[tokio::test]
async fn an_insert_retried_after_server_errors_and_a_lost_answer_makes_one_event() {
    let (sandbox, client) = demo().await;
    sandbox.inject(Fault::status(503).on("POST", "/events").times(2));
    sandbox.inject(Fault::drop_after_apply().on("POST", "/events"));
    let ev = new_event("Retried planning");
    let quiet = |_| {};
    let created = client.create(ACCOUNT, &ev, &quiet).await.unwrap();
    assert_eq!(created.meeting.id, ev.id);
    assert_eq!(titled(&sandbox, ACCOUNT, "Retried planning"), 1, "no twins");
    let posts = sent(&sandbox, "POST", "/events");
    assert_eq!(posts.len(), 4, "503, 503, stored but unanswered, 409");
    assert!(posts
        .iter()
        .all(|p| p.body.as_ref().unwrap()["id"] == ev.id.as_str()));
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_is_retried_and_counts_as_done() {
    let (sandbox, client) = demo().await;
    let ev = new_event("To cancel");
    client.create(ACCOUNT, &ev, &|_| {}).await.unwrap();
    sandbox.inject(Fault::status(502).on("DELETE", &ev.id));
    sandbox.inject(Fault::drop_after_apply().on("DELETE", &ev.id));
    client
        .cancel(ACCOUNT, &ev.id, SendUpdates::None)
        .await
        .unwrap();
    assert_eq!(titled(&sandbox, ACCOUNT, "To cancel"), 0);
    assert_eq!(
        sent(&sandbox, "DELETE", &ev.id).len(),
        3,
        "502, deleted but unanswered, 410 (already gone)"
    );
}

#[tokio::test]
async fn a_request_that_never_answers_times_out_on_every_attempt() {
    let (sandbox, client) = demo().await;
    let client = client.with_limits(meetty::calendar::client::Limits {
        request_timeout: Duration::from_millis(200),
        ..common::quick_limits()
    });
    sandbox.inject(
        Fault::latency(Duration::from_secs(3))
            .on("GET", "calendarList")
            .times(5),
    );
    let started = std::time::Instant::now();
    let err = client.calendars().await.unwrap_err();
    assert!(err.is_offline(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(sent(&sandbox, "GET", "calendarList").len(), 5);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "no attempt waited for the answer"
    );
}

#[tokio::test]
async fn edits_made_elsewhere_appear_after_one_incremental_refresh() {
    let (sandbox, client) = demo().await;
    let first = sync(&client, None).await;
    let events = sandbox.with_store(|s| s.events(ACCOUNT));
    let by_title = |t: &str| {
        events
            .iter()
            .find(|e| e["summary"] == t)
            .unwrap_or_else(|| panic!("{t} in the demo"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (moved, gone, series) = (
        by_title("Design review"),
        by_title("Sprint planning"),
        by_title("1:1 with Jordan"),
    );
    let later = |h| (common::now() + TimeDelta::hours(h)).to_rfc3339();
    sandbox.with_store(|s| {
        let options = WriteOptions::default();
        let patch = json!({"start": {"dateTime": later(30)}, "end": {"dateTime": later(31)}});
        s.patch_event(ACCOUNT, &moved, patch, &options).unwrap();
        s.delete_event(ACCOUNT, &gone).unwrap();
        s.delete_event(ACCOUNT, &series).unwrap();
        let new = json!({
            "summary": "Booked from the phone",
            "start": {"dateTime": later(50)},
            "end": {"dateTime": later(51)},
        });
        s.insert_event(TEAM_CALENDAR, new, &options).unwrap();
    });
    sandbox.clear_requests();

    let second = sync(&client, Some(&first)).await;
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 2, "one per calendar: {requests:#?}");
    for r in &requests {
        assert!(r.path.ends_with("/events"), "{}", r.path);
        assert!(r.param("syncToken").is_some() && r.param("timeMin").is_none());
    }
    // Exactly what a listing from scratch shows, for the same window.
    let fresh = client
        .sync(None, &CalendarSelection::SelectedInGoogle, week(1))
        .await
        .unwrap();
    assert_eq!(shown(&second), shown(&fresh));
    let titles: Vec<&str> = second
        .agenda
        .meetings
        .iter()
        .map(|m| m.title.as_str())
        .collect();
    assert!(titles.contains(&"Booked from the phone"), "{titles:?}");
    assert!(!titles.contains(&"Sprint planning") && !titles.contains(&"1:1 with Jordan"));
    let design = second
        .agenda
        .meetings
        .iter()
        .find(|m| m.id == moved)
        .unwrap();
    assert_eq!(design.start(), common::now() + TimeDelta::hours(30));
}

#[tokio::test]
async fn an_expired_sync_token_costs_exactly_one_full_listing_per_calendar() {
    let (sandbox, client) = demo().await;
    let first = sync(&client, None).await;
    sandbox.with_store(|s| s.invalidate_sync_tokens());
    sandbox.clear_requests();
    let second = sync(&client, Some(&first)).await;
    let lists = sent(&sandbox, "GET", "/events");
    assert_eq!(lists.len(), 4, "{lists:#?}");
    for calendar in [ACCOUNT, TEAM_CALENDAR] {
        let mine: Vec<_> = lists.iter().filter(|r| r.path.contains(calendar)).collect();
        assert!(mine[0].param("syncToken").is_some(), "410 first");
        assert!(mine[1].param("timeMin").is_some() && mine[1].param("syncToken").is_none());
    }
    assert_eq!(shown(&second), shown(&first));
    // The new tokens work: the next refresh is incremental again.
    sandbox.clear_requests();
    sync(&client, Some(&second)).await;
    assert!(sandbox
        .requests()
        .iter()
        .all(|r| r.param("syncToken").is_some()));
}

#[tokio::test]
async fn an_unchanged_week_on_three_calendars_costs_three_small_requests() {
    let (sandbox, client) = demo().await;
    sandbox.with_store(|s| s.calendar_mut(HOLIDAY_CALENDAR).unwrap().selected = true);
    let first = sync(&client, None).await;
    sandbox.clear_requests();
    let second = sync(&client, Some(&first)).await;
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    for r in &requests {
        assert!(r.param("syncToken").is_some());
        let bytes = r.response_bytes.unwrap();
        assert!(bytes < 1024, "{bytes} bytes from {}", r.path);
    }
    assert_eq!(shown(&second), shown(&first));
}

#[tokio::test]
async fn the_next_day_lists_only_its_new_day_in_full_beside_the_changes() {
    let (sandbox, client) = demo().await;
    let first = sync(&client, None).await;
    sandbox.clear_requests();
    let today = week(0);
    let tomorrow = week(24 * 60);
    let next = client
        .sync(Some(&first), &CalendarSelection::SelectedInGoogle, tomorrow)
        .await
        .unwrap();
    let lists = sent(&sandbox, "GET", "/events");
    // Per calendar (two selected): its changes with its token, and the new day in full.
    assert_eq!(lists.len(), 4, "{lists:?}");
    let incremental = lists.iter().filter(|r| r.param("syncToken").is_some());
    assert_eq!(incremental.count(), 2, "{lists:?}");
    let (min, max) = (rfc3339(today.to), rfc3339(tomorrow.to));
    for r in lists.iter().filter(|r| r.param("syncToken").is_none()) {
        assert_eq!(r.param("timeMin"), Some(min.as_str()), "{r:?}");
        assert_eq!(r.param("timeMax"), Some(max.as_str()), "{r:?}");
    }
    assert!(sent(&sandbox, "GET", "/calendarList").is_empty());
    assert!(next.agenda.meetings.iter().all(|m| m.start() < tomorrow.to));
    // What a full listing of tomorrow's window gives, the new day's meetings with it. (Kept
    // all-day events may reach a day further: the agenda places dates in the user's zone.)
    let full = client
        .sync(None, &CalendarSelection::SelectedInGoogle, tomorrow)
        .await
        .unwrap();
    let on_new_day = next.agenda.meetings.iter().any(|m| m.start() >= today.to);
    assert!(on_new_day, "the new day's meetings are listed");
    let (next, full) = (shown(&next), shown(&full));
    let timed = |rows: &[(String, String, String)]| -> Vec<(String, String, String)> {
        rows.iter()
            .filter(|r| r.2.starts_with("Timed"))
            .cloned()
            .collect()
    };
    assert_eq!(timed(&next), timed(&full));
    assert!(full.iter().all(|r| next.contains(r)), "{full:?}");
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
