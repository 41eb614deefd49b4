//! The hot paths: drawing an agenda frame and turning an `events.list` page into the model.
//! Figures are recorded in BENCHMARKS.md.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use criterion::{criterion_group, criterion_main, Criterion};
use meetty::app::App;
use meetty::calendar::model::{Agenda, CalendarInfo, Meeting};
use meetty::calendar::wire::EventPage;
use meetty::screenshots::demo_settings;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-11-23T09:00:00Z".parse().unwrap()
}

/// One `events.list` page of `n` events with Meet, guests and HTML text, shaped as Google
/// answers meetty's request (its `fields=` selection leaves out `kind`, `etag` and the rest).
fn page(n: usize) -> Vec<u8> {
    let items: Vec<_> = (0..n)
        .map(|i| {
            let start = now() + Duration::minutes(4 + 4 * i as i64);
            json!({
                "id": format!("ev{i:06}"), "status": "confirmed",
                "summary": format!("Meeting number {i} about the roadmap"),
                "description": "<p>Agenda:</p><ul><li>status</li><li>risks</li></ul><br>Notes: <a href=\"https://docs.example.com/d/1\">doc</a>",
                "location": "Room 4.01",
                "start": {"dateTime": start.to_rfc3339(), "timeZone": "Europe/Berlin"},
                "end": {"dateTime": (start + Duration::minutes(30)).to_rfc3339(), "timeZone": "Europe/Berlin"},
                "organizer": {"email": "maria@example.com", "displayName": "Maria Chen"},
                "attendees": [
                    {"email": "maria@example.com", "displayName": "Maria Chen", "responseStatus": "accepted", "organizer": true},
                    {"email": "alex@example.com", "responseStatus": "needsAction", "self": true},
                    {"email": "sam@example.com", "responseStatus": "tentative"}
                ],
                "hangoutLink": "https://meet.google.com/abc-defg-hij",
                "conferenceData": {
                    "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                    "entryPoints": [
                        {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij", "label": "meet.google.com/abc-defg-hij"},
                        {"entryPointType": "phone", "uri": "tel:+1-302-555-0143", "label": "+1 302-555-0143", "pin": "123456789", "regionCode": "US"}
                    ]
                }
            })
        })
        .collect();
    serde_json::to_vec(&json!({"items": items, "nextSyncToken": "CKDv2"})).unwrap()
}

/// What `CalendarClient::events` does with each page it receives.
fn parse(bytes: &[u8]) -> Vec<Meeting> {
    let page: EventPage = serde_json::from_str(std::str::from_utf8(bytes).unwrap()).unwrap();
    page.items
        .iter()
        .filter_map(|e| Meeting::from_event("primary", e))
        .collect()
}

fn bench_parse(c: &mut Criterion) {
    let bytes = page(2500);
    c.bench_function("parse 2,500-event events.list page into the model", |b| {
        b.iter_with_large_drop(|| parse(std::hint::black_box(&bytes)))
    });
}

fn bench_render(c: &mut Criterion) {
    let mut agenda = Agenda {
        calendars: vec![CalendarInfo {
            id: "primary".into(),
            name: "Alex".into(),
            color: Some("#4285f4".into()),
            primary: true,
            selected: true,
            writable: true,
            meet_allowed: true,
            owned: true,
            account: 0,
        }],
        meetings: (0..4).flat_map(|_| parse(&page(2500))).collect(),
        fetched_at: now(),
        accounts: Vec::new(),
    };
    agenda.sort();
    let mut settings = demo_settings(Tz::Europe__Berlin);
    settings.days = 366;
    let app = App::new(settings, Some(agenda), now());
    assert_eq!(app.agenda.as_ref().unwrap().meetings.len(), 10_000);
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("render agenda frame, 10,000 events, 200x60", |b| {
        b.iter(|| {
            term.draw(|f| meetty::ui::draw(f, &app)).unwrap();
        })
    });
}

criterion_group!(benches, bench_parse, bench_render);
criterion_main!(benches);
