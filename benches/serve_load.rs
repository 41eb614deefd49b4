//! What `meetty serve` costs a booking system (issue 16, "Tests and figures"): the load of
//! `tests/serve_load.rs` (200 bookings with Meet links from 20 concurrent clients) made
//! twice against a sandbox with a fixed latency on every request (a far-away Google):
//! directly with `CalendarClient::create`, and as `POST /meetings` through the API in
//! front. Then both again with 10% of Google's answers failing (`load::inject_google_faults`:
//! inserts answered 503 or applied with the answer lost, event reads answered 503). Prints throughput, the latency percentiles of one booking, the difference (what
//! the API adds), and how many requests reached the sandbox per booking. Figures in
//! BENCHMARKS.md.
//!
//! `cargo bench --bench serve_load --profile dev` (latency dominates: a debug build is enough)

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/load.rs"]
mod load;

use std::sync::Arc;
use std::time::{Duration, Instant};

use meetty::calendar::model::SendUpdates;
use meetty::calendar::write::{event_id, NewConference, NewEvent};
use meetty::sandbox::{ConferencePolicy, Fault, RequestLog, Sandbox, Seed};

const BOOKINGS: usize = 200;
const CLIENTS: usize = 20;
/// Latency of every sandbox request.
const LATENCY: Duration = Duration::from_millis(20);

/// One run's figures.
struct Figures {
    wall: Duration,
    /// Per booking, first request to final answer (client retries included).
    each: Vec<Duration>,
    /// Requests the sandbox received, all kinds.
    requests: usize,
    /// Requests a booking's own client sent again (a POST answered 5xx or lost).
    retries: u32,
    failed: usize,
}

/// How one booking went.
struct Booked {
    elapsed: Duration,
    ok: bool,
    retries: u32,
}

/// A sandbox as the run needs it: Meet links finished in the insert's own answer (so the
/// figures are the API's, not conference polling), optionally the 10% faults, and
/// the fixed latency on every request. Faults are taken in the order injected, so a failing
/// insert answers at once, without the latency.
async fn sandbox(faults: bool) -> Sandbox {
    let sandbox = Sandbox::start_with_log(0, Seed::Empty, RequestLog::All)
        .await
        .unwrap();
    sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::ZERO,
        ..ConferencePolicy::default()
    });
    if faults {
        load::inject_google_faults(&sandbox);
    }
    sandbox.inject(Fault::latency(LATENCY).every(1));
    sandbox
}

/// The `i`-th booking as meetty's own code makes it (the API's body, `load::booking`).
fn new_event(i: usize) -> NewEvent {
    let start = load::start(i)
        .and_local_timezone(chrono_tz::Europe::Berlin)
        .unwrap();
    NewEvent {
        id: event_id(),
        title: load::title(i),
        start,
        end: start + chrono::TimeDelta::minutes(30),
        attendees: vec![format!("guest{i}@example.com")],
        description: String::new(),
        recurrence: Vec::new(),
        reminders: None,
        conference: NewConference::Meet,
        send_updates: SendUpdates::None,
        private: Default::default(),
    }
}

async fn direct(faults: bool) -> Figures {
    let sandbox = sandbox(faults).await;
    let client = Arc::new(common::client(&sandbox));
    let (results, wall) = load::run(BOOKINGS, CLIENTS, move |i| {
        let client = client.clone();
        async move {
            let started = Instant::now();
            let created = client.create("primary", &new_event(i), &|_| {}).await;
            if let Err(e) = &created {
                eprintln!("booking {i} failed: {e}");
            }
            Booked {
                elapsed: started.elapsed(),
                ok: created.is_ok(),
                retries: 0,
            }
        }
    })
    .await;
    figures(&sandbox, results, wall)
}

async fn through_api(faults: bool, manners: load::Manners) -> Figures {
    let sandbox = sandbox(faults).await;
    let dir = std::env::temp_dir().join(format!("meetty-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (server, base) = common::api_server(&sandbox, &dir).await;
    let client = load::http_client();
    let (results, wall) = load::run(BOOKINGS, CLIENTS, move |i| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let posted = load::book(&client, &base, common::API_SECRET, i, manners).await;
            let ok = matches!(posted.status, 201 | 202);
            if !ok {
                eprintln!(
                    "booking {}: {} {}",
                    posted.index, posted.status, posted.body
                );
            }
            Booked {
                elapsed: posted.elapsed,
                ok,
                retries: posted.attempts - 1,
            }
        }
    })
    .await;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    figures(&sandbox, results, wall)
}

fn figures(sandbox: &Sandbox, results: Vec<Booked>, wall: Duration) -> Figures {
    Figures {
        wall,
        each: results.iter().map(|b| b.elapsed).collect(),
        requests: sandbox.requests().len(),
        retries: results.iter().map(|b| b.retries).sum(),
        failed: results.iter().filter(|b| !b.ok).count(),
    }
}

/// The `p`-th percentile (0–100) of `values`, nearest rank.
fn percentile(values: &[Duration], p: f64) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn row(label: &str, f: &Figures) {
    println!(
        "| {label} | {:.0}/s | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} | {} | {} |",
        BOOKINGS as f64 / f.wall.as_secs_f64(),
        ms(percentile(&f.each, 50.0)),
        ms(percentile(&f.each, 99.0)),
        ms(*f.each.iter().max().unwrap()),
        f.requests as f64 / BOOKINGS as f64,
        f.retries,
        f.failed,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "{BOOKINGS} bookings, {CLIENTS} concurrent clients, {} ms per sandbox request\n",
        LATENCY.as_millis()
    );
    println!(
        "| how | throughput | p50 | p99 | max | sandbox requests per booking | client retries | failed |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for faults in [false, true] {
        let suffix = if faults {
            ", 10% of Google's answers fail"
        } else {
            ""
        };
        let direct = direct(faults).await;
        row(&format!("CalendarClient::create{suffix}"), &direct);
        let api = through_api(faults, load::PATIENT).await;
        row(&format!("POST /meetings{suffix}"), &api);
        if !faults {
            // Without a key the API does not look for an earlier answer first.
            let unkeyed = load::Manners {
                keyed: false,
                ..load::PATIENT
            };
            row(
                "POST /meetings without Idempotency-Key",
                &through_api(faults, unkeyed).await,
            );
        }
        let added = |p| ms(percentile(&api.each, p)) - ms(percentile(&direct.each, p));
        println!(
            "| API adds{suffix} | | {:+.1} ms | {:+.1} ms | | | | |",
            added(50.0),
            added(99.0)
        );
    }
}
