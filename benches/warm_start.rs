//! Warm against cold start of `meetty agenda`: the real binary, a new process per run, against
//! the sandbox with 100 ms of latency on every request (a far-away Google), the demo week on
//! three calendars. Cold: no cache, so the calendar list, then a full listing per calendar (two
//! round trips). Warm: the cache of the run before, so one `syncToken` listing per calendar,
//! concurrently (one round trip). Figures go to BENCHMARKS.md.
//!
//! `cargo bench --bench warm_start --profile dev` (latency dominates: a debug build is enough)

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use chrono_tz::Tz;
use meetty::sandbox::{Fault, Sandbox, Seed, HOLIDAY_CALENDAR};

const RUNS: usize = 21;

/// One `meetty agenda` as a new process: its wall time and the requests the sandbox got.
fn agenda(sandbox: &Sandbox, home: &Path) -> (Duration, usize) {
    sandbox.clear_requests();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_meetty"))
        .args(["agenda", "--all"])
        .env("MEETTY_API_ROOT", sandbox.root_url())
        .env("MEETTY_ACCESS_TOKEN", sandbox.access_token())
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("TZ", "Europe/Berlin")
        .output()
        .expect("meetty runs");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (took, sandbox.requests().len())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, min and max of `RUNS` runs; `prepare` runs before each (untimed).
fn measure(label: &str, latency: &str, sandbox: &Sandbox, home: &Path, prepare: impl Fn()) -> f64 {
    let mut times = Vec::new();
    let mut requests = 0;
    for _ in 0..RUNS {
        prepare();
        let (took, n) = agenda(sandbox, home);
        times.push(ms(took));
        requests = n;
    }
    times.sort_by(f64::total_cmp);
    let median = times[RUNS / 2];
    println!(
        "| {label} | {latency} | {requests} | **{median:.0} ms** | {:.0}–{:.0} ms |",
        times[0],
        times[RUNS - 1]
    );
    median
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let now = Utc::now();
    let sandbox = rt
        .block_on(Sandbox::start(
            0,
            Seed::Demo {
                now,
                tz: Tz::Europe__Berlin,
            },
        ))
        .unwrap();
    sandbox.with_store(|s| s.calendar_mut(HOLIDAY_CALENDAR).unwrap().selected = true);
    let home = std::env::temp_dir().join(format!("meetty-bench-warm-{}", std::process::id()));
    let forget = || {
        let _ = std::fs::remove_dir_all(&home);
    };

    println!("| start | latency per request | requests | median wall | min–max |");
    println!("| --- | --- | --- | --- | --- |");
    for latency in [Duration::ZERO, Duration::from_millis(100)] {
        let label = format!("{} ms", latency.as_millis());
        if !latency.is_zero() {
            sandbox.inject(Fault::latency(latency).times(u32::MAX));
        }
        let cold = measure("cold (no cache)", &label, &sandbox, &home, forget);
        // The cold runs left the cache the warm ones start from.
        let warm = measure(
            "warm (cache of the run before)",
            &label,
            &sandbox,
            &home,
            || {},
        );
        println!("| warm saves | {label} | | {:.0} ms | |", cold - warm);
        sandbox.clear_faults();
    }
    forget();
}
