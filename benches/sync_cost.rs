//! What a refresh costs at Google: requests and response bytes of a first (full) refresh, of
//! a refresh when nothing changed, and of one after a single edit, for the demo week on three
//! calendars and for a 10,000-event calendar. Figures go to BENCHMARKS.md.
//!
//! `cargo bench --bench sync_cost`

use chrono::{TimeDelta, Utc};
use chrono_tz::Tz;
use meetty::calendar::client::{CalendarClient, CalendarSelection};
use meetty::calendar::sync::{SyncRequest, Synced};
use meetty::sandbox::{Sandbox, Seed, WriteOptions, ACCOUNT, HOLIDAY_CALENDAR};

struct Cost {
    requests: usize,
    total: usize,
    largest: usize,
    millis: f64,
}

async fn refresh(
    sandbox: &Sandbox,
    client: &CalendarClient,
    last: Option<&Synced>,
    now: chrono::DateTime<Utc>,
) -> (Synced, Cost) {
    sandbox.clear_requests();
    let started = std::time::Instant::now();
    let req = SyncRequest {
        from: now,
        to: now + TimeDelta::days(7),
        reread_calendars: false,
    };
    let synced = client
        .sync(last, &CalendarSelection::SelectedInGoogle, req)
        .await
        .expect("the sandbox answers");
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let sizes: Vec<usize> = sandbox
        .requests()
        .iter()
        .map(|r| r.response_bytes.unwrap_or(0))
        .collect();
    let cost = Cost {
        requests: sizes.len(),
        total: sizes.iter().sum(),
        largest: sizes.iter().copied().max().unwrap_or(0),
        millis,
    };
    (synced, cost)
}

fn row(case: &str, refresh: &str, c: &Cost) {
    println!(
        "| {case} | {refresh} | {} | {} B | {} B | {:.1} ms |",
        c.requests, c.total, c.largest, c.millis
    );
}

async fn measure(case: &str, seed: Seed, three_calendars: bool) {
    let now = Utc::now();
    let sandbox = Sandbox::start(0, seed).await.unwrap();
    if three_calendars {
        sandbox.with_store(|s| s.calendar_mut(HOLIDAY_CALENDAR).unwrap().selected = true);
    }
    let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token());
    let (first, cost) = refresh(&sandbox, &client, None, now).await;
    row(case, "first (full)", &cost);
    let (second, cost) = refresh(&sandbox, &client, Some(&first), now).await;
    row(case, "nothing changed", &cost);
    let id = first.agenda.meetings[0].id.clone();
    sandbox.with_store(|s| {
        let patch = serde_json::json!({"summary": "Renamed elsewhere"});
        // An occurrence of a series cannot be patched by its bare id here; any event will do.
        let target = s
            .events(ACCOUNT)
            .iter()
            .find(|e| e.get("recurrence").is_none() && e["status"] != "cancelled")
            .map(|e| e["id"].as_str().unwrap().to_string())
            .unwrap_or(id);
        s.patch_event(ACCOUNT, &target, patch, &WriteOptions::default())
            .unwrap();
    });
    let (_, cost) = refresh(&sandbox, &client, Some(&second), now).await;
    row(case, "one event edited", &cost);
}

#[tokio::main]
async fn main() {
    println!("| agenda | refresh | requests | response bytes | largest | time |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let now = Utc::now();
    let tz = Tz::Europe__Berlin;
    measure("demo week, 3 calendars", Seed::Demo { now, tz }, true).await;
    let bulk = Seed::Bulk {
        now,
        tz,
        events: 10_000,
    };
    measure("10,000 events, 1 calendar", bulk, false).await;
}
