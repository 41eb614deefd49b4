//! The Calendar client against the sandbox over real HTTP, asserting on what it sent.

mod common;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use common::{demo, now};
use meetty::calendar::client::{CalendarClient, CalendarSelection};
use meetty::calendar::error::ApiError;
use meetty::calendar::links::Provider;
use meetty::sandbox::{Fault, RecordedRequest, Sandbox, Seed};

fn event_lists(sandbox: &Sandbox) -> Vec<RecordedRequest> {
    common::sent(sandbox, "GET", "/events")
}

#[tokio::test]
async fn agenda_lists_expanded_ordered_events_for_the_window_of_each_selected_calendar() {
    let (sandbox, client) = demo().await;
    let to = now() + Duration::days(7);
    let agenda = client
        .agenda(&CalendarSelection::SelectedInGoogle, now(), to)
        .await
        .unwrap();

    let lists = event_lists(&sandbox);
    let calendars: Vec<&str> = lists.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        lists.len(),
        2,
        "primary and Team Platform, not the unselected Holidays: {calendars:?}"
    );
    assert!(calendars
        .iter()
        .any(|p| p.contains("team-platform@group.calendar.google.com")));
    for r in &lists {
        assert_eq!(r.param("singleEvents"), Some("true"));
        // Google refuses orderBy beside a sync token, and the listing must match later
        // incremental ones: the agenda sorts by itself.
        assert_eq!(r.param("orderBy"), None);
        let min: DateTime<Utc> = r.param("timeMin").unwrap().parse().unwrap();
        let max: DateTime<Utc> = r.param("timeMax").unwrap().parse().unwrap();
        assert_eq!((min, max), (now(), to));
        assert!(r
            .param("fields")
            .is_some_and(|f| f.contains("conferenceData")));
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {}", sandbox.access_token()).as_str())
        );
    }
    assert!(sandbox
        .requests()
        .iter()
        .any(|r| r.path.ends_with("users/me/calendarList")));

    assert!(
        agenda
            .meetings
            .windows(2)
            .all(|w| w[0].start() <= w[1].start()),
        "merged by start time"
    );
    let standups: Vec<_> = agenda
        .meetings
        .iter()
        .filter(|m| m.series_id.is_some() && m.title.to_lowercase().contains("standup"))
        .collect();
    assert!(
        standups.len() >= 4,
        "the weekday standup is expanded into instances: {}",
        standups.len()
    );
    assert!(agenda
        .meetings
        .iter()
        .any(|m| m.calendar_id == "team-platform@group.calendar.google.com"));
    // The listing's partial response keeps `organizer.self`: invitations are told apart.
    let organizes = |title: &str| {
        let m = agenda.meetings.iter().find(|m| m.title == title).unwrap();
        m.i_organize
    };
    assert!(organizes("1:1 with Jordan") && !organizes("Design review"));
    let calendar = |id: &str| agenda.calendar(id).unwrap();
    let (primary, holidays) = (
        calendar("alex@example.com"),
        calendar("en.usa#holiday@group.v.calendar.google.com"),
    );
    assert!(primary.writable && primary.meet_allowed);
    assert!(!holidays.writable && !holidays.meet_allowed);
    assert!(agenda.meetings.iter().any(|m| m
        .video
        .as_ref()
        .is_some_and(|v| v.provider == Provider::Zoom)));
    assert!(agenda.meetings.iter().any(|m| m
        .video
        .as_ref()
        .is_some_and(|v| v.provider == Provider::Teams)));
    assert!(agenda
        .meetings
        .iter()
        .any(|m| !m.dial_in.is_empty() && m.dial_in[0].pin.is_some()));
    assert!(agenda.meetings.iter().any(|m| m.is_all_day()));
    assert!(
        agenda.meetings.iter().all(|m| !m.title.contains('\u{1b}')),
        "escapes stripped"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn listing_pages_through_to_the_end() {
    let sandbox = common::sandbox(Seed::Bulk {
        now: now(),
        tz: Tz::UTC,
        events: 6000,
    })
    .await;
    let client = common::client(&sandbox);
    let meetings = client
        .events("primary", now(), now() + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(meetings.len(), 6000);
    let lists = event_lists(&sandbox);
    assert_eq!(lists.len(), 3, "2500 + 2500 + 1000");
    assert!(lists[0].param("pageToken").is_none());
    assert!(lists[1].param("pageToken").is_some() && lists[2].param("pageToken").is_some());
    assert_ne!(lists[1].param("pageToken"), lists[2].param("pageToken"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn configured_calendar_ids_are_the_only_ones_listed() {
    let (sandbox, client) = demo().await;
    let sel = CalendarSelection::Ids(vec!["primary".into()]);
    let agenda = client
        .agenda(&sel, now(), now() + Duration::days(7))
        .await
        .unwrap();
    let lists = event_lists(&sandbox);
    assert_eq!(lists.len(), 1);
    assert!(
        lists[0].path.contains("alex@example.com"),
        "primary resolved to its id: {}",
        lists[0].path
    );
    assert!(agenda
        .meetings
        .iter()
        .all(|m| m.calendar_id == "alex@example.com"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn google_errors_and_dropped_connections_become_clear_errors() {
    let (sandbox, client) = demo().await;
    sandbox.inject(
        Fault::status(403)
            .reason("insufficientPermissions")
            .on("GET", "/events")
            .times(1),
    );
    let err = client
        .events("primary", now(), now() + Duration::days(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Google { code: 403, reason, .. } if reason == "insufficientPermissions"),
        "{err:?}"
    );

    sandbox.inject(Fault::drop_connection().on("GET", "/events").times(5));
    let err = client
        .events("primary", now(), now() + Duration::days(1))
        .await
        .unwrap_err();
    assert!(err.is_offline(), "{err:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_api_is_reported_as_offline() {
    // Bind and drop a listener so the port is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = CalendarClient::new(&format!("http://127.0.0.1:{port}/"), "token".to_string())
        .with_limits(common::quick_limits());
    let err = client.calendars().await.unwrap_err();
    assert!(err.is_offline(), "{err:?}");
    assert!(
        err.to_string().contains("cannot reach Google Calendar"),
        "{err}"
    );
}
