//! `meetty next` as a status bar runs it (issue 12, point 3: ≤ 5 ms wall, ≤ 10 MB RSS with
//! a 10,000-event cache): the real binary, process start to exit, N times in a row against
//! a cache written by `cache::save` in a private home. Reports the median, p95 and max wall
//! time, and the largest peak RSS of any run (`getrusage(RUSAGE_CHILDREN)`'s `ru_maxrss`).
//! Figures in BENCHMARKS.md.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use meetty::cache::{self, CacheFiles};
use meetty::calendar::model::{Agenda, Meeting};
use meetty::config::Paths;
use serde_json::json;

const EVENTS: usize = 10_000;
const RUNS: usize = 300;

/// 10,000 meetings with Meet links, guests and descriptions, one every 15 minutes from an
/// hour ago (so a few are over or in progress, as in a real day).
fn agenda() -> Agenda {
    let now = Utc::now();
    let meetings = (0..EVENTS)
        .map(|i| {
            let start = now - TimeDelta::hours(1) + TimeDelta::minutes(15 * i as i64);
            let v = json!({
                "id": format!("ev{i:06}"), "summary": format!("Meeting number {i} about the roadmap"),
                "description": "Agenda: status, risks. Notes: https://docs.example.com/d/1",
                "start": {"dateTime": start.to_rfc3339()},
                "end": {"dateTime": (start + TimeDelta::minutes(30)).to_rfc3339()},
                "attendees": [
                    {"email": "maria@example.com", "responseStatus": "accepted", "organizer": true},
                    {"email": "alex@example.com", "responseStatus": "accepted", "self": true}
                ],
                "hangoutLink": format!("https://meet.google.com/abc-{i:04}-hij"),
            });
            let text = v.to_string();
            Meeting::from_event("primary", &serde_json::from_str(&text).unwrap()).unwrap()
        })
        .collect();
    Agenda {
        meetings,
        fetched_at: now,
        accounts: Vec::new(),
        ..Agenda::default()
    }
}

/// One run: wall time from fork to reaped.
fn run(dir: &Path, args: &[&str]) -> Duration {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_meetty"));
    // A plain fork rather than a spawn that shares this process's memory until `exec`: the
    // kernel counts the memory a child had at `exec` in its peak RSS, and this bench is as
    // big as meetty. A forked child's own copy holds only the few pages it copied.
    // SAFETY: the hook runs nothing between fork and exec.
    unsafe { cmd.pre_exec(|| Ok(())) };
    let started = Instant::now();
    let status = cmd
        .args(args)
        .env_clear()
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_RUNTIME_DIR", dir.join("run"))
        .env("TZ", "Europe/Berlin")
        .env("MEETTY_ACCESS_TOKEN", "unused")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("start meetty");
    let took = started.elapsed();
    assert!(status.success(), "meetty {args:?} failed: {status}");
    took
}

/// The largest peak RSS of any child reaped so far, in MiB (`getrusage(RUSAGE_CHILDREN)`).
fn children_peak_rss() -> f64 {
    // SAFETY: a zeroed rusage is a valid value for getrusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_CHILDREN with a valid pointer.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    usage.ru_maxrss as f64 / 1024.0
}

fn measure(dir: &Path, args: &[&str]) {
    // Warm the page cache and the binary first, as a status bar's second run finds them.
    for _ in 0..10 {
        run(dir, args);
    }
    let mut walls: Vec<Duration> = (0..RUNS).map(|_| run(dir, args)).collect();
    walls.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "meetty {:<28} median {:.2} ms  p95 {:.2} ms  max {:.2} ms  ({RUNS} runs)",
        args.join(" "),
        ms(walls[RUNS / 2]),
        ms(walls[RUNS * 95 / 100]),
        ms(walls[RUNS - 1]),
    );
}

fn main() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("meetty-bench-next-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let paths = Paths {
        config_file: dir.join("config/meetty/config.toml"),
        config_dir: dir.join("config/meetty"),
        data_dir: dir.join("data/meetty"),
        runtime_dir: dir.join("run/meetty"),
    };
    let files = CacheFiles::of(&paths, "sandbox");
    cache::save(&files, &agenda(), None).expect("write the cache");
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len() / 1024).unwrap_or(0);
    println!(
        "{EVENTS} events: agenda cache {} KiB, upcoming list {} KiB",
        size(&files.agenda),
        size(&files.upcoming)
    );
    measure(&dir, &["next"]);
    measure(&dir, &["next", "--format", "waybar"]);
    measure(&dir, &["join", "--print"]);
    // A config file of the user's own: read on every run.
    std::fs::create_dir_all(&paths.config_dir).unwrap();
    std::fs::write(
        &paths.config_file,
        "timezone = \"Europe/Berlin\"\nrefresh_seconds = 120\n",
    )
    .unwrap();
    measure(&dir, &["next", "--format", "tmux"]);
    println!("peak RSS of any meetty run: {:.1} MB", children_peak_rss());
    // The baseline: a process that does nothing.
    let started = Instant::now();
    for _ in 0..RUNS {
        Command::new("true").status().unwrap();
    }
    println!(
        "true (process start and exit alone)  mean {:.2} ms",
        started.elapsed().as_secs_f64() * 1000.0 / RUNS as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
