//! The sandbox over real HTTP, driven by the same google-calendar3 client the app uses.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use google_calendar3::api::{
    ConferenceData, ConferenceSolutionKey, CreateConferenceRequest, Event, EventDateTime,
};
use google_calendar3::{CalendarHub, Error};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use meetty::sandbox::{
    ConferencePolicy, Fault, RequestLog, Sandbox, Seed, HOLIDAY_CALENDAR, REQUEST_LOG,
    TEAM_CALENDAR,
};
use serde_json::{json, Value};

mod common;

type Hub = CalendarHub<HttpsConnector<HttpConnector>>;

fn hub(sandbox: &Sandbox, token: String) -> Hub {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .expect("native roots")
        .https_or_http()
        .enable_http1()
        .build();
    let client = Client::builder(TokioExecutor::new()).build(connector);
    let mut hub = CalendarHub::new(client, token);
    hub.root_url(sandbox.root_url());
    hub.base_url(sandbox.base_url());
    hub
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-03-08T14:12:40Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn demo() -> (Sandbox, Hub) {
    let tz = "America/New_York".parse().unwrap();
    let sandbox = common::sandbox(Seed::Demo { now: now(), tz }).await;
    let hub = hub(&sandbox, sandbox.access_token());
    (sandbox, hub)
}

/// A request outside google-calendar3, for what it cannot express (headers, `null` bodies).
async fn raw(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, hyper::HeaderMap, Value) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    headers.extend(bearer.as_deref().map(|b| ("Authorization", b)));
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let res = common::http(method, url, &headers, &body).await;
    (res.status, res.headers.clone(), res.json())
}

fn reason(error: &Error) -> (i64, String) {
    match error {
        Error::BadRequest(v) => (
            v["error"]["code"].as_i64().unwrap_or_default(),
            v["error"]["errors"][0]["reason"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        other => panic!("expected a Google error, got {other:?}"),
    }
}

fn meeting(summary: &str, id: Option<&str>, request_id: Option<&str>) -> Event {
    let at = |t: DateTime<Utc>| EventDateTime {
        date_time: Some(t),
        time_zone: Some("America/New_York".into()),
        ..Default::default()
    };
    Event {
        id: id.map(Into::into),
        summary: Some(summary.into()),
        start: Some(at(now() + TimeDelta::hours(30))),
        end: Some(at(now() + TimeDelta::hours(31))),
        conference_data: request_id.map(|r| ConferenceData {
            create_request: Some(CreateConferenceRequest {
                request_id: Some(r.into()),
                conference_solution_key: Some(ConferenceSolutionKey {
                    type_: Some("hangoutsMeet".into()),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn status_code(event: &Event) -> Option<String> {
    event
        .conference_data
        .as_ref()?
        .create_request
        .as_ref()?
        .status
        .as_ref()?
        .status_code
        .clone()
}

#[tokio::test]
async fn paging_reaches_every_instance_in_start_order() {
    let (sandbox, hub) = demo().await;
    let (min, max) = (now() - TimeDelta::days(1), now() + TimeDelta::days(7));
    let mut items = Vec::new();
    let mut page_token: Option<String> = None;
    let mut pages = 0;
    let sync_token = loop {
        let mut call = hub
            .events()
            .list("primary")
            .single_events(true)
            .order_by("startTime")
            .time_min(min)
            .time_max(max)
            .max_results(4);
        if let Some(t) = &page_token {
            call = call.page_token(t);
        }
        let (_, page) = call.doit().await.unwrap();
        pages += 1;
        items.extend(page.items.unwrap_or_default());
        match page.next_page_token {
            Some(t) => page_token = Some(t),
            None => break page.next_sync_token,
        }
    };
    assert!(pages > 3, "{pages} pages");
    assert!(sync_token.is_some(), "the last page carries nextSyncToken");

    let (_, all) = hub
        .events()
        .list("primary")
        .single_events(true)
        .order_by("startTime")
        .time_min(min)
        .time_max(max)
        .max_results(2500)
        .doit()
        .await
        .unwrap();
    let ids = |events: &[Event]| {
        events
            .iter()
            .map(|e| e.id.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&items), ids(all.items.as_deref().unwrap()));

    let starts: Vec<DateTime<Utc>> = items
        .iter()
        .map(|e| {
            let s = e.start.as_ref().unwrap();
            s.date_time
                .or_else(|| s.date.map(|d| d.and_hms_opt(5, 0, 0).unwrap().and_utc()))
                .unwrap()
        })
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));

    // The weekday standup is expanded into instances named after their UTC start (timed
    // series only: the yearly birthday is all-day).
    let standups: Vec<&Event> = items
        .iter()
        .filter(|e| e.recurring_event_id.is_some())
        .filter(|e| e.start.as_ref().is_some_and(|s| s.date_time.is_some()))
        .collect();
    assert!(standups.len() >= 4);
    for s in &standups {
        let series = s.recurring_event_id.as_deref().unwrap();
        let id = s.id.as_deref().unwrap();
        let stamp = s.original_start_time.as_ref().unwrap().date_time.unwrap();
        assert_eq!(id, format!("{series}_{}", stamp.format("%Y%m%dT%H%M%SZ")));
        assert!(s.recurrence.is_none());
    }
    // After the DST change of 10 March the standup is still 09:30 local, now 13:30Z.
    // The demo cancels Monday's occurrence and moves Tuesday's to 10:00.
    let has = |suffix: &str| {
        standups
            .iter()
            .any(|s| s.id.as_deref().unwrap().ends_with(suffix))
    };
    assert!(has("_20240313T133000Z"));
    assert!(!has("_20240311T133000Z"));
    let moved = standups
        .iter()
        .find(|s| s.id.as_deref().unwrap().ends_with("_20240312T133000Z"));
    let moved_start = moved.unwrap().start.as_ref().unwrap().date_time.unwrap();
    assert_eq!(moved_start.to_rfc3339(), "2024-03-12T14:00:00+00:00");

    let (_, masters) = hub.events().list("primary").doit().await.unwrap();
    let masters = masters.items.unwrap();
    assert!(masters.iter().any(|e| e.recurrence.is_some()));
    // Exceptions come separately; the cancelled occurrence is a stub so clients can hide it.
    let stub = masters
        .iter()
        .find(|e| e.status.as_deref() == Some("cancelled"))
        .expect("cancelled occurrence listed with singleEvents=false");
    assert!(stub.recurring_event_id.is_some() && stub.summary.is_none());
    assert!(masters
        .iter()
        .any(|e| e.summary.as_deref() == Some("Daily standup (moved)")));

    let recorded = sandbox.requests();
    let first = &recorded[0];
    assert_eq!(first.path, "/calendar/v3/calendars/primary/events");
    assert_eq!(first.param("singleEvents"), Some("true"));
    assert!(first
        .authorization
        .as_deref()
        .unwrap()
        .starts_with("Bearer "));
}

#[tokio::test]
async fn calendar_list_and_encoded_calendar_ids() {
    let (sandbox, hub) = demo().await;
    let (_, list) = hub.calendar_list().list().doit().await.unwrap();
    let items = list.items.unwrap();
    assert_eq!(items.len(), 3);
    let primary = items.iter().find(|c| c.primary == Some(true)).unwrap();
    assert_eq!(primary.id.as_deref(), Some("alex@example.com"));
    let holidays = items
        .iter()
        .find(|c| c.id.as_deref() == Some(HOLIDAY_CALENDAR))
        .unwrap();
    assert_eq!(holidays.selected, None, "Google omits selected=false");
    assert_eq!(holidays.access_role.as_deref(), Some("reader"));

    // google-calendar3 does not escape path parameters; a caller must, or '#' starts a fragment.
    let (_, events) = hub
        .events()
        .list("en.usa%23holiday%40group.v.calendar.google.com")
        .doit()
        .await
        .unwrap();
    assert_eq!(events.items.unwrap().len(), 1);
    let (_, team) = hub.events().list(TEAM_CALENDAR).doit().await.unwrap();
    assert_eq!(team.summary.as_deref(), Some("Team Platform"));

    // A partial response carries only what was asked for.
    let (_, partial) = hub
        .events()
        .list(TEAM_CALENDAR)
        .param("fields", "nextSyncToken,items(id,summary)")
        .doit()
        .await
        .unwrap();
    assert!(partial.summary.is_none() && partial.next_sync_token.is_some());
    let first = &partial.items.unwrap()[0];
    assert!(first.id.is_some() && first.summary.is_some() && first.start.is_none());
    let paths: Vec<String> = sandbox.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.contains(&format!("/calendar/v3/calendars/{HOLIDAY_CALENDAR}/events")));
}

#[tokio::test]
async fn meet_link_is_pending_then_succeeds_on_reread() {
    let (sandbox, hub) = demo().await;
    sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::from_millis(150),
        ..Default::default()
    });
    let (_, created) = hub
        .events()
        .insert(meeting("New sync", None, Some("req-1")), "primary")
        .conference_data_version(1)
        .send_updates("none")
        .doit()
        .await
        .unwrap();
    assert_eq!(status_code(&created).as_deref(), Some("pending"));
    assert!(created.hangout_link.is_none());
    let id = created.id.unwrap();

    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, done) = hub.events().get("primary", &id).doit().await.unwrap();
    assert_eq!(status_code(&done).as_deref(), Some("success"));
    let data = done.conference_data.unwrap();
    let video = data
        .entry_points
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.entry_point_type.as_deref() == Some("video"))
        .unwrap();
    assert_eq!(video.uri, done.hangout_link);
    let phone = data
        .entry_points
        .unwrap()
        .into_iter()
        .find(|e| e.entry_point_type.as_deref() == Some("phone"))
        .unwrap();
    assert!(phone.pin.is_some());

    let insert = sandbox
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(insert.param("conferenceDataVersion"), Some("1"));
    assert_eq!(insert.param("sendUpdates"), Some("none"));
}

#[tokio::test]
async fn conference_is_silently_ignored_without_version_1() {
    let (sandbox, hub) = demo().await;
    let (_, created) = hub
        .events()
        .insert(meeting("No version", None, Some("req-2")), "primary")
        .doit()
        .await
        .unwrap();
    assert!(created.conference_data.is_none());
    assert!(created.hangout_link.is_none());
    // The client did send the request; Google (and the sandbox) just ignore it.
    let sent = sandbox.requests().pop().unwrap();
    assert!(sent.body.unwrap()["conferenceData"]["createRequest"].is_object());
}

#[tokio::test]
async fn null_patch_removes_the_meet_link_only_with_version_1() {
    let (sandbox, hub) = demo().await;
    sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::ZERO,
        ..Default::default()
    });
    let (_, created) = hub
        .events()
        .insert(meeting("Linked", None, Some("req-3")), "primary")
        .conference_data_version(1)
        .doit()
        .await
        .unwrap();
    assert!(created.hangout_link.is_some());
    let id = created.id.unwrap();
    let url = format!("{}calendars/primary/events/{id}", sandbox.base_url());
    let token = sandbox.access_token();
    let body = json!({ "conferenceData": null });

    let (status, _, ignored) = raw("PATCH", &url, Some(&token), Some(body.clone())).await;
    assert_eq!(status, 200);
    assert!(
        ignored["hangoutLink"].is_string(),
        "without version 1 nothing changes"
    );

    let with_version = format!("{url}?conferenceDataVersion=1");
    let (status, headers, cleared) = raw("PATCH", &with_version, Some(&token), Some(body)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json; charset=UTF-8");
    assert!(cleared.get("conferenceData").is_none() && cleared.get("hangoutLink").is_none());
    let (_, reread) = hub.events().get("primary", &id).doit().await.unwrap();
    assert!(reread.conference_data.is_none());
}

#[tokio::test]
async fn duplicate_client_id_is_409_and_lost_response_retry_finds_the_event() {
    let (sandbox, hub) = demo().await;
    let id = "meetup0123456789";
    sandbox.inject(Fault::drop_after_apply().on("POST", "/events"));
    let lost = hub
        .events()
        .insert(meeting("Retry me", Some(id), Some("req-4")), "primary")
        .conference_data_version(1)
        .doit()
        .await;
    assert!(matches!(lost, Err(Error::HttpError(_))), "{lost:?}");

    let retry = hub
        .events()
        .insert(meeting("Retry me", Some(id), Some("req-4")), "primary")
        .conference_data_version(1)
        .doit()
        .await
        .unwrap_err();
    assert_eq!(reason(&retry), (409, "duplicate".into()));
    let (_, existing) = hub.events().get("primary", id).doit().await.unwrap();
    assert_eq!(existing.summary.as_deref(), Some("Retry me"));

    let bad = hub
        .events()
        .insert(meeting("Bad id", Some("Not-Base32!"), None), "primary")
        .doit()
        .await
        .unwrap_err();
    assert_eq!(reason(&bad).0, 400);
}

#[tokio::test]
async fn sync_tokens_report_changes_made_elsewhere_and_410_when_stale() {
    let (sandbox, hub) = demo().await;
    let bad = hub
        .events()
        .list("primary")
        .sync_token("not-a-token")
        .doit()
        .await
        .unwrap_err();
    assert_eq!(reason(&bad), (410, "fullSyncRequired".into()));

    let (_, full) = hub
        .events()
        .list("primary")
        .max_results(2500)
        .doit()
        .await
        .unwrap();
    let token = full.next_sync_token.unwrap();
    let lunch = full
        .items
        .unwrap()
        .into_iter()
        .find(|e| e.summary.as_deref() == Some("Lunch with Sam"))
        .unwrap()
        .id
        .unwrap();
    let start = now() + TimeDelta::days(2);
    sandbox.with_store(|s| {
        s.move_event("primary", &lunch, start, start + TimeDelta::hours(1))
            .unwrap()
    });

    let (_, delta) = hub
        .events()
        .list("primary")
        .sync_token(&token)
        .doit()
        .await
        .unwrap();
    let changed = delta.items.unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].id.as_deref(), Some(lunch.as_str()));
    assert_eq!(changed[0].start.as_ref().unwrap().date_time, Some(start));

    let mixed = hub
        .events()
        .list("primary")
        .sync_token(delta.next_sync_token.as_deref().unwrap())
        .time_min(now())
        .doit()
        .await
        .unwrap_err();
    assert_eq!(reason(&mixed).0, 400);

    sandbox.with_store(|s| s.invalidate_sync_tokens());
    let stale = hub
        .events()
        .list("primary")
        .sync_token(&token)
        .doit()
        .await
        .unwrap_err();
    assert_eq!(reason(&stale), (410, "fullSyncRequired".into()));
}

#[tokio::test]
async fn injected_status_latency_and_dropped_connections() {
    let (sandbox, hub) = demo().await;
    let url = format!("{}calendars/primary/events", sandbox.base_url());
    let token = sandbox.access_token();

    sandbox.inject(Fault::status(503).retry_after(7).on("GET", "/events"));
    let (status, headers, body) = raw("GET", &url, Some(&token), None).await;
    assert_eq!(status, 503);
    assert_eq!(headers["retry-after"], "7");
    assert_eq!(body["error"]["errors"][0]["reason"], "backendError");
    let (status, _, _) = raw("GET", &url, Some(&token), None).await;
    assert_eq!(status, 200, "the fault consumed itself");

    sandbox.inject(Fault::status(403).reason("userRateLimitExceeded").times(2));
    for _ in 0..2 {
        let err = hub.events().list("primary").doit().await.unwrap_err();
        assert_eq!(reason(&err), (403, "userRateLimitExceeded".into()));
    }

    sandbox.inject(Fault::drop_connection().on("GET", "/calendarList"));
    let dropped = hub.calendar_list().list().doit().await;
    assert!(matches!(dropped, Err(Error::HttpError(_))), "{dropped:?}");
    assert!(hub.calendar_list().list().doit().await.is_ok());

    sandbox.inject(Fault::latency(Duration::from_millis(150)));
    let started = std::time::Instant::now();
    hub.events().list("primary").doit().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn requests_without_valid_token_get_401_until_refreshed() {
    let (sandbox, _) = demo().await;
    let url = format!("{}users/me/calendarList", sandbox.base_url());
    let (status, headers, body) = raw("GET", &url, None, None).await;
    assert_eq!(status, 401);
    assert!(headers.contains_key("www-authenticate"));
    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(body["error"]["errors"][0]["reason"], "authError");

    let forged = hub(&sandbox, "ya29.forged".into());
    let err = forged.calendar_list().list().doit().await.unwrap_err();
    assert_eq!(reason(&err).0, 401);

    sandbox.expire_access_tokens();
    let (status, _, _) = raw("GET", &url, Some(&sandbox.access_token()), None).await;
    assert_eq!(status, 401);

    let form = format!(
        "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        sandbox.client_id(),
        sandbox.client_secret(),
        sandbox.refresh_token()
    );
    let form_type = [("Content-Type", "application/x-www-form-urlencoded")];
    let res = common::http("POST", &sandbox.token_url(), &form_type, &form).await;
    assert_eq!(res.status, 200);
    let token = res.json();
    assert_eq!(token["token_type"], "Bearer");
    let fresh = hub(&sandbox, token["access_token"].as_str().unwrap().into());
    assert!(fresh.calendar_list().list().doit().await.is_ok());
}

/// Issue 10: the request log is a ring. `meetty --demo` refreshing every minute for days
/// keeps the last `REQUEST_LOG` requests, not every one; tests can keep more, or all.
#[tokio::test]
async fn the_request_log_keeps_only_the_last_requests() {
    async fn list(sandbox: &Sandbox, n: usize) {
        let url = format!("{}users/me/calendarList?n={n}", sandbox.base_url());
        let bearer = format!("Bearer {}", sandbox.access_token());
        let res = common::http("GET", &url, &[("Authorization", &bearer)], "").await;
        assert_eq!(res.status, 200);
    }
    let numbers = |sandbox: &Sandbox| -> Vec<usize> {
        let kept = sandbox.requests();
        assert!(
            kept.iter().all(|r| r.response_bytes.is_some()),
            "answers recorded"
        );
        kept.iter()
            .map(|r| r.param("n").unwrap().parse().unwrap())
            .collect()
    };

    let demo = Sandbox::start(0, Seed::Empty).await.unwrap();
    for n in 0..REQUEST_LOG + 5 {
        list(&demo, n).await;
    }
    assert_eq!(numbers(&demo), (5..REQUEST_LOG + 5).collect::<Vec<_>>());

    let three = Sandbox::start_with_log(0, Seed::Empty, RequestLog::Last(3))
        .await
        .unwrap();
    for n in 0..5 {
        list(&three, n).await;
    }
    assert_eq!(numbers(&three), [2, 3, 4]);
}
