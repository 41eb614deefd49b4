//! What several accounts cost a refresh (issue 13): two accounts with three calendars each on
//! one sandbox that answers every request after 100 ms (a far-away Google). An unchanged
//! refresh through the TUI's effect runner (every account's sync at once, merged) against
//! the same syncs awaited one account after another, and one calendar after another. Prints
//! the median wall time of each and the requests one refresh sends. Figures in BENCHMARKS.md.
//!
//! `cargo bench --bench accounts_refresh --profile dev` (latency dominates: a debug build is
//! enough)

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use meetty::action::{Action, Effect};
use meetty::calendar::client::{CalendarClient, CalendarSelection};
use meetty::calendar::sync::{SyncRequest, Synced};
use meetty::runtime::{AccountServices, EffectRunner};
use meetty::sandbox::{Calendar, Fault, ACCOUNT, HOLIDAY_CALENDAR, TEAM_CALENDAR};

/// Latency of every sandbox request.
const LATENCY: Duration = Duration::from_millis(100);
/// Refreshes measured per way; the median is printed.
const RUNS: usize = 9;
const KIM: &str = "kim@example.com";

/// The week every refresh asks for (the TUI's is day-aligned and the same all day).
fn ask() -> SyncRequest {
    static NOW: std::sync::OnceLock<chrono::DateTime<Utc>> = std::sync::OnceLock::new();
    let now = *NOW.get_or_init(Utc::now);
    SyncRequest {
        from: now,
        to: now + TimeDelta::days(7),
        reread_calendars: false,
    }
}

/// A full first sync of `selection`, to build unchanged refreshes on.
async fn first(client: &CalendarClient, selection: &CalendarSelection) -> Synced {
    client
        .sync(None, selection, ask())
        .await
        .expect("the sandbox answers")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn row(way: &str, times: Vec<Duration>, requests: usize) {
    println!(
        "| {way} | {:.0} ms | {requests} |",
        median(times).as_secs_f64() * 1000.0
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    sandbox.with_store(|s| s.calendar_mut(HOLIDAY_CALENDAR).unwrap().selected = true);
    let kim_token = sandbox.access_token_for(KIM);
    sandbox.with_user_store(KIM, |s| {
        for id in ["kim-team@example.com", "kim-family@example.com"] {
            s.add_calendar(Calendar::new(id, id, common::tz()));
        }
    });
    let clients = [
        CalendarClient::new(&sandbox.root_url(), sandbox.access_token()),
        CalendarClient::new(&sandbox.root_url(), kim_token),
    ];
    let everything = CalendarSelection::SelectedInGoogle;
    let mut synced = Vec::new();
    for client in &clients {
        synced.push(first(client, &everything).await);
    }
    let calendars = |s: &Synced| -> Vec<String> {
        s.agenda
            .calendars
            .iter()
            .filter(|c| c.selected)
            .map(|c| c.id.clone())
            .collect()
    };
    assert_eq!(
        calendars(&synced[0]).len(),
        3,
        "{:?}",
        calendars(&synced[0])
    );
    assert_eq!(
        calendars(&synced[1]).len(),
        3,
        "{:?}",
        calendars(&synced[1])
    );
    assert!(calendars(&synced[0]).iter().any(|c| c == TEAM_CALENDAR));
    sandbox.inject(Fault::latency(LATENCY).every(1));

    println!(
        "2 accounts x 3 calendars, {} ms per request, median of {RUNS} unchanged refreshes\n",
        LATENCY.as_millis()
    );
    println!("| refresh | wall time | requests |");
    println!("|---|---|---|");

    // The TUI's way: the runner syncs both accounts at once and merges them.
    let accounts = [ACCOUNT, KIM]
        .iter()
        .zip(&clients)
        .zip(&synced)
        .map(|((email, client), synced)| AccountServices {
            resume: Some(synced.clone()),
            ..AccountServices::new(email, &email[..1], client.clone())
        })
        .collect();
    let mut runner = EffectRunner::new(common::services_for(accounts));
    let mut times = Vec::new();
    let mut requests = 0;
    for req in 0..RUNS as u64 {
        sandbox.clear_requests();
        let started = Instant::now();
        let a = ask();
        let refresh = Effect::Refresh {
            req,
            from: a.from,
            to: a.to,
            reread_calendars: false,
            asked: true,
        };
        runner.run(vec![refresh], &mut Vec::new());
        loop {
            match runner.next().await {
                Some(Action::AgendaLoaded { req: r, result }) if r == req => {
                    let merged = result.expect("both accounts answer");
                    assert!(merged.accounts.iter().all(|a| a.stale.is_none()));
                    break;
                }
                Some(_) => {}
                None => panic!("the runner stopped"),
            }
        }
        times.push(started.elapsed());
        requests = sandbox.requests().len();
    }
    row("runner: both accounts at once (meetty)", times, requests);

    // One account after the other.
    let mut times = Vec::new();
    for _ in 0..RUNS {
        sandbox.clear_requests();
        let started = Instant::now();
        for (client, last) in clients.iter().zip(&synced) {
            client.sync(Some(last), &everything, ask()).await.unwrap();
        }
        times.push(started.elapsed());
        requests = sandbox.requests().len();
    }
    row("one account after the other", times, requests);

    // One calendar after the other: each calendar's own sync, awaited in turn.
    sandbox.clear_faults();
    let mut each = Vec::new();
    for (client, s) in clients.iter().zip(&synced) {
        for id in calendars(s) {
            let one = CalendarSelection::Ids(vec![id]);
            each.push((client, one.clone(), first(client, &one).await));
        }
    }
    sandbox.inject(Fault::latency(LATENCY).every(1));
    let mut times = Vec::new();
    for _ in 0..RUNS {
        sandbox.clear_requests();
        let started = Instant::now();
        for (client, one, last) in &each {
            client.sync(Some(last), one, ask()).await.unwrap();
        }
        times.push(started.elapsed());
        requests = sandbox.requests().len();
    }
    row("one calendar after the other", times, requests);
}
