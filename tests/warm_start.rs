//! Warm start: the sync tokens and the calendar list kept in the cache, so a start after a
//! restart (a new process, only the files on disk) asks Google for what changed, one small
//! request per calendar. `meetty agenda` is the real binary against the sandbox over HTTP;
//! the TUI's side is the app with its real effect runner, headless.

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use chrono::Utc;
use chrono_tz::Tz;
use meetty::app::Sync;
use meetty::cache::{self, CacheFiles};
use meetty::calendar::sync::Synced;
use meetty::runtime::{AccountServices, EffectRunner};
use meetty::sandbox::{
    Fault, RecordedRequest, Sandbox, Seed, WriteOptions, ACCOUNT, HOLIDAY_CALENDAR, TEAM_CALENDAR,
};
use meetty::screenshots::demo_settings;

const TZ: Tz = Tz::Europe__Berlin;

/// The demo week on three selected calendars (yours, the team's, the holidays), and a
/// private home for meetty's files.
struct Env {
    sandbox: Sandbox,
    dir: PathBuf,
}

async fn env(name: &str) -> Env {
    let now = Utc::now();
    let sandbox = Sandbox::start(0, Seed::Demo { now, tz: TZ }).await.unwrap();
    sandbox.with_store(|s| s.calendar_mut(HOLIDAY_CALENDAR).unwrap().selected = true);
    let dir = std::env::temp_dir().join(format!("meetty-warm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Env { sandbox, dir }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Env {
    /// `meetty ARGS` as a new process: all it knows of the last run is on disk.
    async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = common::meetty_at(&self.sandbox, &self.dir);
        cmd.args(args);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "meetty {args:?}: {err}");
        out
    }

    /// `meetty agenda --all --json`, after forgetting the requests so far: the titles it
    /// printed.
    async fn agenda(&self, args: &[&str]) -> Vec<String> {
        self.sandbox.clear_requests();
        let mut all = vec!["agenda", "--all", "--json"];
        all.extend_from_slice(args);
        let out = self.run(&all).await;
        let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let titles = items.as_array().unwrap().iter();
        titles
            .map(|m| m["title"].as_str().unwrap().into())
            .collect()
    }

    /// The cache of a `MEETTY_ACCESS_TOKEN` session, where the binary keeps it.
    fn cache_file(&self) -> PathBuf {
        CacheFiles::of(&common::home_paths(&self.dir), "sandbox").agenda
    }

    fn cache_json(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.cache_file()).unwrap()).unwrap()
    }

    fn write_cache_json(&self, json: &serde_json::Value) {
        std::fs::write(self.cache_file(), json.to_string()).unwrap();
    }
}

/// What reached "Google", by kind: calendar list reads, and per calendar its event
/// listings with a sync token and in full (with a window).
#[derive(Debug, Default, PartialEq)]
struct Asked {
    calendar_list: usize,
    incremental: Vec<String>,
    full: Vec<String>,
}

fn asked(requests: &[RecordedRequest]) -> Asked {
    let mut asked = Asked::default();
    for r in requests {
        assert_eq!(r.method, "GET", "a sync only reads: {r:?}");
        if r.path.ends_with("/users/me/calendarList") {
            asked.calendar_list += 1;
            continue;
        }
        let calendar = r
            .path
            .strip_prefix("/calendar/v3/calendars/")
            .and_then(|p| p.strip_suffix("/events"))
            .unwrap_or_else(|| panic!("an unexpected request: {}", r.path))
            .to_string();
        match (r.param("syncToken"), r.param("timeMin")) {
            (Some(_), None) => asked.incremental.push(calendar),
            (None, Some(_)) => asked.full.push(calendar),
            _ => panic!("neither incremental nor a full listing: {r:?}"),
        }
    }
    asked.incremental.sort();
    asked.full.sort();
    asked
}

fn three() -> Vec<String> {
    let mut all = [ACCOUNT, HOLIDAY_CALENDAR, TEAM_CALENDAR].map(String::from);
    all.sort();
    all.to_vec()
}

fn cold() -> Asked {
    Asked {
        calendar_list: 1,
        incremental: Vec::new(),
        full: three(),
    }
}

fn warm() -> Asked {
    Asked {
        calendar_list: 0,
        incremental: three(),
        full: Vec::new(),
    }
}

/// The window's end moved past the stored one (the day turned): per calendar its changes,
/// and the new days in full.
fn extended() -> Asked {
    Asked {
        calendar_list: 0,
        incremental: three(),
        full: three(),
    }
}

/// Renames a single (not recurring) event on the team calendar "elsewhere"; its old title.
fn rename_elsewhere(sandbox: &Sandbox, new_title: &str) -> String {
    sandbox.with_store(|s| {
        let event = s
            .events(TEAM_CALENDAR)
            .into_iter()
            .find(|e| {
                e.get("recurrence").is_none()
                    && e["status"] != "cancelled"
                    && e["start"]["dateTime"]
                        .as_str()
                        .and_then(|t| t.parse::<chrono::DateTime<Utc>>().ok())
                        .is_some_and(|t| t > Utc::now() && t < Utc::now() + chrono::Days::new(5))
            })
            .expect("the demo week has a single meeting on the team calendar");
        let id = event["id"].as_str().unwrap();
        let patch = serde_json::json!({ "summary": new_title });
        s.patch_event(TEAM_CALENDAR, id, patch, &WriteOptions::default())
            .unwrap();
        event["summary"].as_str().unwrap().to_string()
    })
}

/// The cache once the runner's background write of the agenda fetched at `fetched_at` landed.
async fn saved(path: &std::path::Path, fetched_at: chrono::DateTime<Utc>) -> cache::Cached {
    let written = async {
        loop {
            match cache::load(path) {
                Some(c) if c.agenda.fetched_at == fetched_at => return c,
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), written)
        .await
        .expect("the agenda is saved")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agenda_after_a_restart_asks_each_calendar_only_for_its_changes() {
    let e = env("restart").await;
    let first = e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), cold(), "nothing cached yet");
    assert!(!first.is_empty());
    let sync = &e.cache_json()["sync"];
    assert_eq!(sync["tokens"].as_object().unwrap().len(), 3, "{sync}");

    let again = e.agenda(&[]).await;
    let requests = e.sandbox.requests();
    assert_eq!(
        asked(&requests),
        warm(),
        "one syncToken listing per calendar"
    );
    for r in &requests {
        let bytes = r.response_bytes.unwrap();
        assert!(
            bytes < 1024,
            "{bytes} B for an unchanged calendar: {}",
            r.path
        );
    }
    assert_eq!(
        again, first,
        "the same agenda, from the cache and no changes"
    );

    let old = rename_elsewhere(&e.sandbox, "Renamed elsewhere");
    let after = e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), warm());
    assert!(after.iter().any(|t| t == "Renamed elsewhere"), "{after:?}");
    assert!(!after.contains(&old), "{old} was renamed: {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_list_older_than_15_minutes_is_read_again() {
    let e = env("stale-list").await;
    e.agenda(&[]).await;
    let mut cache = e.cache_json();
    let read = Utc::now() - chrono::Duration::minutes(16);
    cache["sync"]["calendars_read"] = serde_json::json!(read);
    e.write_cache_json(&cache);

    e.agenda(&[]).await;
    let expected = Asked {
        calendar_list: 1,
        ..warm()
    };
    assert_eq!(asked(&e.sandbox.requests()), expected);

    // Read just now: trusted again for the next start.
    e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), warm());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_lists_that_calendar_in_full_and_only_that_one() {
    let e = env("gone").await;
    let first = e.agenda(&[]).await;
    let team_events = format!("/calendars/{TEAM_CALENDAR}/events");
    e.sandbox.inject(Fault::status(410).on("GET", &team_events));

    let again = e.agenda(&[]).await;
    let expected = Asked {
        full: vec![TEAM_CALENDAR.to_string()],
        ..warm()
    };
    assert_eq!(asked(&e.sandbox.requests()), expected);
    assert_eq!(again, first, "the team calendar's meetings are all there");

    // The full listing's new token is kept: the next start is warm again.
    e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), warm());
}

/// Tokens another server issued (a restarted `meetty sandbox`; the demo, whose calendar is
/// new in every process) are refused with 410: every calendar is listed in full, and the
/// agenda is the new server's, not the cached one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_from_another_server_is_listed_in_full() {
    let mut e = env("other-server").await;
    e.agenda(&[]).await;
    // The same calendars with the same history, its week seeded 90 minutes later.
    let later = Utc::now() + chrono::Duration::minutes(90);
    e.sandbox = Sandbox::start(0, Seed::Demo { now: later, tz: TZ })
        .await
        .unwrap();
    e.sandbox
        .with_store(|s| s.calendar_mut(HOLIDAY_CALENDAR).unwrap().selected = true);
    let starts = |out: Output| -> Vec<String> {
        let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let items = items.as_array().unwrap().iter();
        items
            .map(|m| format!("{} {}", m["start"], m["title"]))
            .collect()
    };

    e.sandbox.clear_requests();
    let warm = starts(e.run(&["agenda", "--all", "--json"]).await);
    let expected = Asked {
        calendar_list: 0,
        incremental: three(),
        full: three(),
    };
    assert_eq!(
        asked(&e.sandbox.requests()),
        expected,
        "each token refused, then in full"
    );
    std::fs::remove_file(e.cache_file()).unwrap();
    let cold = starts(e.run(&["agenda", "--all", "--json"]).await);
    assert_eq!(warm, cold, "the new server's week");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_of_the_old_format_is_no_cache() {
    let e = env("old-format").await;
    let first = e.agenda(&[]).await;
    // Before the sync state was kept, the file held the bare agenda.
    let bare = e.cache_json()["agenda"].clone();
    e.write_cache_json(&bare);

    let again = e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), cold(), "listed in full");
    assert_eq!(again, first);
    assert!(
        e.cache_json()["sync"].is_object(),
        "written in the new format"
    );
    e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), warm());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shorter_agenda_is_served_warm_and_does_not_narrow_the_stored_window() {
    let e = env("shorter").await;
    e.agenda(&[]).await;
    let stored = e.cache_json()["sync"]["window"][1].clone();

    let today = e.agenda(&["--days", "1"]).await;
    assert_eq!(asked(&e.sandbox.requests()), warm());
    assert_eq!(e.cache_json()["sync"]["window"][1], stored, "kept");
    let week = e.agenda(&[]).await;
    assert_eq!(
        asked(&e.sandbox.requests()),
        warm(),
        "the week is warm still"
    );
    assert!(today.len() < week.len(), "one day of seven");

    // A longer window than the stored one is warm too: the changes, and the days past the
    // stored end in full beside them; kept: it covers the week, whose next start is warm.
    e.agenda(&["--days", "14"]).await;
    assert_eq!(asked(&e.sandbox.requests()), extended());
    e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), warm());
}

/// The TUI's start: the cached agenda drawn and the runner resumed from the cache's sync
/// state, as `runtime::start` does; its first refresh asks only for changes, and the cache
/// it writes after carries the new tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tuis_first_refresh_after_a_restart_uses_only_sync_tokens() {
    let e = env("tui").await;
    let settings = demo_settings(TZ);
    let days = settings.days.to_string();
    e.agenda(&["--days", &days]).await;
    let renamed = "Renamed while meetty was closed";
    rename_elsewhere(&e.sandbox, renamed);
    e.sandbox.clear_requests();

    let files = CacheFiles {
        agenda: e.cache_file(),
        upcoming: e.dir.join("upcoming.jsonl"),
    };
    let cached = cache::load(&files.agenda).expect("the cache agenda wrote");
    let tokens_before = cached.sync.clone().unwrap().tokens;
    let (app, mut resume) = meetty::runtime::from_caches(
        settings,
        vec![(ACCOUNT.into(), "A".into(), Some(cached))],
        Utc::now(),
    );
    assert!(resume[0].is_some(), "resumed from the cache");
    let services = common::services_for(vec![AccountServices {
        cache: Some(files.clone()),
        resume: resume.remove(0),
        ..common::account(&e.sandbox)
    }]);
    let mut h = common::Headless::start(app, services);
    h.until("the first refresh", |app| app.sync == Sync::Idle)
        .await;
    let app = h.app;

    assert_eq!(asked(&e.sandbox.requests()), warm());
    let agenda = app.agenda.as_ref().unwrap();
    assert!(agenda.meetings.iter().any(|m| m.title == renamed));
    // The cache written after the refresh holds its tokens: the next start builds on them.
    let saved = saved(&files.agenda, agenda.fetched_at).await;
    let tokens_after = saved.sync.expect("with its sync state").tokens;
    assert_eq!(tokens_after.len(), 3);
    assert_ne!(
        tokens_after[TEAM_CALENDAR], tokens_before[TEAM_CALENDAR],
        "the team calendar changed: its token moved on"
    );
}

/// The stored tokens must never be newer than the stored agenda (the changes in between would
/// be lost): an agenda the runner's last sync did not make (a refresh's answer the app
/// dropped left the runner a newer one) is saved without a sync state; the sync's own agenda,
/// local changes made to it included, is saved with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_state_is_saved_only_beside_the_agenda_that_sync_made() {
    let e = env("pairing").await;
    e.agenda(&[]).await;
    let files = CacheFiles {
        agenda: e.cache_file(),
        upcoming: e.dir.join("upcoming.jsonl"),
    };
    let cached = cache::load(&files.agenda).unwrap();
    let state = cached.sync.clone().unwrap();
    let synced = std::sync::Arc::new(cached.agenda.clone());
    let mut runner = EffectRunner::new(common::services_for(vec![AccountServices {
        cache: Some(files.clone()),
        resume: Some(Synced::resume(
            std::sync::Arc::clone(&synced),
            state.clone(),
        )),
        ..common::account(&e.sandbox)
    }]));
    let save = |runner: &mut EffectRunner, agenda: meetty::calendar::model::Agenda| {
        let effect = meetty::action::Effect::SaveCache(std::sync::Arc::new(agenda));
        runner.run(vec![effect], &mut Vec::new());
    };
    let mut older = cached.agenda.clone();
    older.fetched_at -= chrono::Duration::minutes(1);
    save(&mut runner, older.clone());
    assert_eq!(saved(&files.agenda, older.fetched_at).await.sync, None);

    let mut edited = cached.agenda.clone();
    edited.meetings.pop();
    save(&mut runner, edited.clone());
    let written = saved(&files.agenda, edited.fetched_at).await;
    assert_eq!(written.agenda, edited);
    assert_eq!(written.sync, Some(state));
}

/// The first start after midnight: the stored window ends where yesterday's agenda ended,
/// a day short of today's. Each calendar's changes come with its token, the new day alone
/// in full beside; a meeting that was already there on the new day (so in no change since
/// the token) shows up, and so does a change in the old window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_after_midnight_lists_only_the_new_day_in_full() {
    let e = env("midnight").await;
    e.agenda(&[]).await;
    let window = |cache: &serde_json::Value, i: usize| {
        let t = cache["sync"]["window"][i].as_str().unwrap();
        t.parse::<chrono::DateTime<Utc>>().unwrap()
    };
    let cache = e.cache_json();
    let yesterdays_end = window(&cache, 1) - chrono::Days::new(1);
    let at = |h| (yesterdays_end + chrono::Duration::hours(h)).to_rfc3339();
    e.sandbox.with_store(|s| {
        let new = serde_json::json!({
            "summary": "Booked for the new day",
            "start": {"dateTime": at(11)},
            "end": {"dateTime": at(12)},
        });
        s.insert_event(ACCOUNT, new, &WriteOptions::default())
            .unwrap();
    });
    // Yesterday's cache: its window (and so its agenda) ended a day earlier, and the tokens
    // were issued before the meeting above was booked.
    e.agenda(&[]).await;
    let mut cache = e.cache_json();
    let start = window(&cache, 0) - chrono::Days::new(1);
    cache["sync"]["window"] = serde_json::json!([start, yesterdays_end]);
    let meetings = cache["agenda"]["meetings"].as_array_mut().unwrap();
    meetings.retain(|m| m["title"] != "Booked for the new day");
    e.write_cache_json(&cache);
    let old = rename_elsewhere(&e.sandbox, "Renamed overnight");

    let titles = e.agenda(&[]).await;
    let requests = e.sandbox.requests();
    assert_eq!(asked(&requests), extended());
    for r in requests.iter().filter(|r| r.param("timeMin").is_some()) {
        let param = |name| {
            r.param(name)
                .unwrap()
                .parse::<chrono::DateTime<Utc>>()
                .unwrap()
        };
        assert_eq!(param("timeMin"), yesterdays_end, "only the new day: {r:?}");
        assert_eq!(
            param("timeMax"),
            yesterdays_end + chrono::Days::new(1),
            "{r:?}"
        );
    }
    assert!(
        titles.iter().any(|t| t == "Booked for the new day"),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t == "Renamed overnight"),
        "{titles:?}"
    );
    assert!(!titles.contains(&old), "{old} was renamed: {titles:?}");
    let cache = e.cache_json();
    assert_eq!(window(&cache, 1), yesterdays_end + chrono::Days::new(1));
    assert_eq!(cache["sync"]["tokens"].as_object().unwrap().len(), 3);
    // And the next start is warm again.
    e.agenda(&[]).await;
    assert_eq!(asked(&e.sandbox.requests()), warm());
}
