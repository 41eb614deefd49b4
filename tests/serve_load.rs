//! `meetty serve` under a booking system's load, bounded and on loopback only: 200
//! `POST /meetings` from 20 concurrent clients with distinct `Idempotency-Key`s while one
//! in ten of Google's event inserts fails (503) or is applied and then loses its answer,
//! one in ten reads of an event fails (503), and a few clients hang up on their first attempt and send it again (a client timeout).
//! Every booking must end with one meeting: no client left without its 201/202, no twin
//! in the calendar, none missing. Speed figures are in the `serve_load` benchmark.

mod common;
#[path = "common/load.rs"]
mod load;

use std::collections::{BTreeMap, BTreeSet};

use meetty::sandbox::ACCOUNT;

const BOOKINGS: usize = 200;
const CLIENTS: usize = 20;
/// Every this many bookings, the client times out on the first attempt…
const IMPATIENT_EVERY: usize = 25;
/// …after this long, well before a booking with a Meet link can be done (the sandbox takes
/// 300 ms to finish a link).
const PATIENCE: std::time::Duration = std::time::Duration::from_millis(50);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_bookings_with_failing_google_answers_make_exactly_two_hundred_meetings(
) {
    let sandbox = common::sandbox(meetty::sandbox::Seed::Empty).await;
    let dir = std::env::temp_dir().join(format!("meetty-serve-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (server, base) = common::api_server(&sandbox, &dir).await;
    load::inject_google_faults(&sandbox);

    let client = load::http_client();
    let (posted, wall) = load::run(BOOKINGS, CLIENTS, move |i| {
        let (client, base) = (client.clone(), base.clone());
        let manners = load::Manners {
            impatient: (i % IMPATIENT_EVERY == 7).then_some(PATIENCE),
            ..load::PATIENT
        };
        async move { load::book(&client, &base, common::API_SECRET, i, manners).await }
    })
    .await;

    let unfinished: Vec<String> = posted
        .iter()
        .filter(|p| p.status != 201 && p.status != 202)
        .map(|p| {
            format!(
                "booking {}: {} after {} attempts: {}",
                p.index, p.status, p.attempts, p.body
            )
        })
        .collect();
    assert!(unfinished.is_empty(), "{}", unfinished.join("\n"));

    // The calendar holds exactly one meeting per booking, with the id its client was given.
    let stored = sandbox.with_store(|s| s.events(ACCOUNT));
    let mut by_title: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for event in stored.iter().filter(|e| e["status"] != "cancelled") {
        let title = event["summary"].as_str().unwrap_or_default().to_string();
        by_title
            .entry(title)
            .or_default()
            .push(event["id"].as_str().unwrap().to_string());
    }
    let expected: BTreeSet<String> = (0..BOOKINGS).map(load::title).collect();
    let found: BTreeSet<String> = by_title.keys().cloned().collect();
    assert_eq!(
        found, expected,
        "the calendar's meetings are not the bookings"
    );
    for p in &posted {
        let ids = &by_title[&load::title(p.index)];
        assert_eq!(
            ids.len(),
            1,
            "booking {} is in the calendar {} times",
            p.index,
            ids.len()
        );
        assert_eq!(
            p.body["id"].as_str(),
            Some(ids[0].as_str()),
            "booking {}",
            p.index
        );
    }
    let ids: BTreeSet<&Vec<String>> = by_title.values().collect();
    assert_eq!(ids.len(), BOOKINGS);

    // The faults did fire: some inserts were refused or lost and sent again.
    let inserts = common::sent(&sandbox, "POST", "/events").len();
    assert!(
        inserts >= BOOKINGS + BOOKINGS / 10,
        "only {inserts} inserts reached the sandbox"
    );
    let reads = common::sent(&sandbox, "GET", "/events/").len();
    assert!(reads >= 10, "only {reads} event reads: no read fault fired");
    let retried = posted.iter().filter(|p| p.attempts > 1).count();
    let slowest = posted.iter().map(|p| p.elapsed).max().unwrap();
    eprintln!(
        "{BOOKINGS} bookings in {wall:.2?}: {inserts} inserts and {reads} event reads sent, {retried} bookings retried by their client, slowest booking {slowest:.2?}"
    );
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
