//! The TUI beside `meetty watch` (issue 12 point 4): whoever holds the lock syncs and
//! notifies. With a watch holding it (this test, as `Role::Watch`), the TUI shows the agenda
//! the watch writes to the cache, with no request to Google; an automatic refresh takes the
//! watch's last write, and `r` or a change asks the watch to sync (SIGUSR1 to the holder's
//! pid, which is this process) and takes its next write; once the lock is free, the TUI
//! takes it and syncs with Google itself. Real parts: the sandbox over HTTP, real files and
//! flock, a real signal.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::{Headless, Home};
use meetty::action::Action;
use meetty::alerts::{Files, Rules};
use meetty::app::{App, Sync};
use meetty::cache::{self, CacheFiles};
use meetty::calendar::client::{CalendarClient, CalendarSelection};
use meetty::calendar::model::{Agenda, Meeting, When};
use meetty::config::{AutoJoin, ClipboardMode, Paths};
use meetty::lock::{self, Holder, Lock, Role};
use meetty::runtime::{AccountServices, AlertSetup, Lead};
use meetty::sandbox::{Sandbox, Seed};
use meetty::screenshots::demo_settings;
use tokio::signal::unix::{signal, SignalKind};

const OWNER: &str = "sandbox";

/// The app and its runner as the TUI has them for owner [`OWNER`], with no terminal.
fn headless(sandbox: &Sandbox, paths: &Paths) -> Headless {
    let tz = common::tz();
    let setup = AlertSetup {
        rules: Rules {
            notify_before: vec![3],
            auto_join: AutoJoin::Off,
            authuser: None,
        },
        files: Files {
            fired: paths.fired_file(OWNER),
            marks: paths.marks_file(OWNER),
        },
        tz,
        clipboard: ClipboardMode::Osc52,
    };
    let services = common::services_for(vec![AccountServices {
        cache: Some(CacheFiles::of(paths, OWNER)),
        lead: Some(Lead::start(
            paths.lock_file(OWNER),
            setup,
            Arc::default(),
            true,
        )),
        marks: Some(paths.marks_file(OWNER)),
        ..common::account(sandbox)
    }]);
    Headless::start(App::new(demo_settings(tz), None, Utc::now()), services)
}

fn titles(app: &App) -> Vec<String> {
    app.agenda
        .iter()
        .flat_map(|a| a.meetings.iter().map(|m| m.title.clone()))
        .collect()
}

fn loaded(app: &App) -> bool {
    app.agenda.is_some() && app.sync == Sync::Idle
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_watch_holding_the_lock_the_tui_follows_and_takes_over_when_it_goes() {
    // This process stands in for the watch: it must survive the signal it is sent.
    let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
    let home = Home::new("follow-takeover");
    let paths = home.paths();
    let watch = Lock::try_acquire(&paths.lock_file(OWNER), Role::Watch)
        .unwrap()
        .expect("the lock is free at first");
    let now = Utc::now();
    let sandbox = common::sandbox(Seed::Demo {
        now,
        tz: common::tz(),
    })
    .await;

    let mut h = headless(&sandbox, &paths);
    h.until("following", |app| app.following).await;
    assert!(
        matches!(h.app.sync, Sync::Refreshing { .. }),
        "waiting for the watch's first write"
    );

    // The watch writes the cache: that is the refresh's answer.
    let written = |title: &str| {
        let mut agenda = Agenda {
            meetings: vec![common::agenda().meetings[0].clone()],
            fetched_at: now,
            accounts: Vec::new(),
            ..Agenda::default()
        };
        agenda.meetings[0].title = title.into();
        cache::save(&CacheFiles::of(&paths, OWNER), &agenda, None).unwrap();
    };
    written("Written by the watch");
    h.until("the watch's agenda", loaded).await;
    assert_eq!(titles(&h.app), ["Written by the watch"]);

    // The watch syncs on its own timer and writes again; the TUI's timer refresh takes
    // that write and asks the watch nothing (Google is called once per period, not twice).
    written("The watch's timer");
    h.app.settings.refresh_every = Some(Duration::from_secs(60));
    let due = h.app.now + chrono::Duration::seconds(61);
    h.handle(Action::Tick(due));
    assert!(matches!(h.app.sync, Sync::Refreshing { .. }), "due");
    h.until("the timer's refresh", loaded).await;
    assert_eq!(titles(&h.app), ["The watch's timer"]);
    assert!(
        tokio::time::timeout(Duration::from_millis(500), usr1.recv())
            .await
            .is_err(),
        "neither the start-up nor the timer's refresh signals the watch"
    );
    assert!(
        sandbox.requests().is_empty(),
        "a follower never calls Google: {:?}",
        sandbox.requests()
    );
    assert!(h.app.following);

    // Changes still go to Google from the TUI, and then the watch is asked to sync. The
    // watch writes the demo week first, for a meeting to cancel.
    let week = CalendarClient::new(&sandbox.root_url(), sandbox.access_token())
        .agenda(
            &CalendarSelection::SelectedInGoogle,
            now - chrono::Duration::hours(1),
            now + chrono::Duration::days(7),
        )
        .await
        .unwrap();
    h.handle(common::ch('r'));
    tokio::time::timeout(Duration::from_secs(10), usr1.recv())
        .await
        .expect("r asks the watch to sync");
    cache::save(&CacheFiles::of(&paths, OWNER), &week, None).unwrap();
    h.until("the watch's second write", |app| {
        loaded(app) && titles(app).len() > 1
    })
    .await;
    let mine = |m: &Meeting| {
        m.i_organize
            && m.series_id.is_none()
            && matches!(m.when, When::Timed { start, .. } if start > now)
    };
    for _ in 0..100 {
        if h.app.selected_meeting().is_some_and(mine) {
            break;
        }
        h.handle(common::ch('j'));
    }
    assert!(
        h.app.selected_meeting().is_some_and(mine),
        "a meeting to cancel"
    );
    let before = sandbox.requests().len();
    h.handle(common::ch('d'));
    h.handle(common::ch('y'));
    h.until("the cancel at Google", |app| {
        app.writes.is_empty() && matches!(app.sync, Sync::Refreshing { .. })
    })
    .await;
    let after = sandbox.requests().split_off(before);
    assert!(
        after.iter().any(|r| r.method == "DELETE"),
        "the cancel went to Google: {after:?}"
    );
    assert!(
        !after
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with("/events")),
        "the refresh after it is the watch's, not a listing: {after:?}"
    );
    tokio::time::timeout(Duration::from_secs(10), usr1.recv())
        .await
        .expect("the change makes the TUI ask the watch to sync");

    // The watch stops: the next refresh takes the lock and asks Google itself.
    drop(watch);
    h.handle(common::ch('r'));
    h.until("Google's agenda", |app| {
        !app.following && loaded(app) && titles(app).len() > 1
    })
    .await;
    assert!(
        !common::sent(&sandbox, "GET", "/events").is_empty(),
        "the TUI lists events at Google now"
    );
    assert_eq!(
        lock::holder(&paths.lock_file(OWNER)),
        Some(Holder {
            pid: std::process::id(),
            role: Role::Tui
        }),
        "the TUI holds the lock, so a watch started now follows it"
    );
    // Leading, the TUI writes the cache for `meetty next` and a later watch.
    // The account's own part: the cache holds no account list.
    let google = Arc::new(h.app.agenda.as_ref().unwrap().part(0));
    common::eventually("the TUI's write of Google's agenda", || {
        cache::load(&paths.agenda_cache(OWNER)).filter(|c| c.agenda == *google)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_lock_free_the_tui_leads_from_the_start() {
    let home = Home::new("follow-leads");
    let paths = home.paths();
    let sandbox = common::sandbox(Seed::Demo {
        now: Utc::now(),
        tz: common::tz(),
    })
    .await;
    let mut h = headless(&sandbox, &paths);
    h.until("the first refresh", loaded).await;
    assert!(!h.app.following);
    assert!(!common::sent(&sandbox, "GET", "/events").is_empty());
    assert_eq!(
        lock::holder(&paths.lock_file(OWNER)).map(|h| h.role),
        Some(Role::Tui)
    );
    // A watch started now finds the lock taken.
    assert!(Lock::try_acquire(&paths.lock_file(OWNER), Role::Watch)
        .unwrap()
        .is_none());
}
