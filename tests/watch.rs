//! `meetty watch` as a systemd unit runs it: the real binary against a sandbox over HTTP,
//! in a private home, driven by signals; what it wrote is read from the real files, what it
//! asked from the sandbox's recorded requests, what it showed and opened from the tests' own
//! notification server and `$BROWSER` (tests/common/dbus.rs).
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::dbus;
use meetty::cache::{self, CacheFiles};
use meetty::config::Paths;
use meetty::lock::{self, Lock, Role};
use meetty::sandbox::{Fault, RecordedRequest, Sandbox, Seed, WriteOptions, ACCOUNT};

/// A sandbox and a private home for one test.
struct Env {
    sandbox: Sandbox,
    dir: PathBuf,
}

async fn env(name: &str, config: &str) -> Env {
    let sandbox = Sandbox::start(
        0,
        Seed::Demo {
            now: Utc::now(),
            tz: chrono_tz::Tz::Europe__Berlin,
        },
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("meetty-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("config/meetty")).unwrap();
    std::fs::write(dir.join("config/meetty/config.toml"), config).unwrap();
    Env { sandbox, dir }
}

/// No notifications: these tests are about syncing, and run without a D-Bus session.
const QUIET: &str = "refresh_seconds = 3600\nnotify_before = []\n";

impl Env {
    /// Where the watch keeps its files, as it resolves them from the XDG variables.
    fn paths(&self) -> Paths {
        common::home_paths(&self.dir)
    }

    fn files(&self) -> CacheFiles {
        CacheFiles::of(&self.paths(), "sandbox")
    }

    fn lock_file(&self) -> PathBuf {
        self.paths().lock_file("sandbox")
    }

    /// `meetty watch` in the background, signed in with `token`. It inherits this process's
    /// environment: once a test took the [`dbus::server`], its bus and `$BROWSER`.
    fn watch_with(&self, token: &str) -> Watch {
        self.start(Command::new(env!("CARGO_BIN_EXE_meetty")), token)
    }

    /// `meetty watch` as `nohup meetty watch` starts it.
    fn watch_under_nohup(&self) -> Watch {
        let mut nohup = Command::new("nohup");
        nohup.arg(env!("CARGO_BIN_EXE_meetty"));
        self.start(nohup, &self.sandbox.access_token())
    }

    /// `command` (meetty, or what runs it) with `watch` and this test's environment.
    fn start(&self, mut command: Command, token: &str) -> Watch {
        let mut child = common::in_home(&mut command, &self.dir)
            .arg("watch")
            .env("MEETTY_API_ROOT", self.sandbox.root_url())
            .env("MEETTY_ACCESS_TOKEN", token)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { return };
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        Watch { child, stderr }
    }

    fn watch(&self) -> Watch {
        self.watch_with(&self.sandbox.access_token())
    }

    /// Adds a meeting two hours from now behind meetty's back; its id.
    fn book(&self, title: &str) -> String {
        self.book_at(title, Utc::now() + chrono::Duration::hours(2), None)
    }

    /// Adds a half-hour meeting starting at `start`, with `link` as its location.
    fn book_at(&self, title: &str, start: DateTime<Utc>, link: Option<&str>) -> String {
        let end = start + chrono::Duration::minutes(30);
        let event = serde_json::json!({
            "summary": title,
            "location": link.unwrap_or(""),
            "start": {"dateTime": start.to_rfc3339()},
            "end": {"dateTime": end.to_rfc3339()},
        });
        self.sandbox.with_store(|s| {
            let stored = s
                .insert_event(ACCOUNT, event, &WriteOptions::default())
                .unwrap();
            stored["id"].as_str().unwrap().to_string()
        })
    }

    fn retitle(&self, id: &str, title: &str) {
        let patch = serde_json::json!({ "summary": title });
        self.sandbox.with_store(|s| {
            s.patch_event(ACCOUNT, id, patch, &WriteOptions::default())
                .unwrap();
        });
    }

    fn cached_titles(&self) -> Vec<String> {
        cache::load(&self.files().agenda)
            .map(|c| c.agenda.meetings.iter().map(|m| m.title.clone()).collect())
            .unwrap_or_default()
    }

    /// The event listings the sandbox received.
    fn listings(&self) -> Vec<RecordedRequest> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/events"))
            .collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A running `meetty watch` and what it has said on stderr so far.
struct Watch {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Watch {
    fn said(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill only sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// SIGTERM, then the exit status.
    async fn stop(mut self) -> Option<i32> {
        self.signal(libc::SIGTERM);
        let status = tokio::task::spawn_blocking(move || self.child.wait().unwrap())
            .await
            .unwrap();
        status.code()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // A failed assertion must not leave the process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `done` for up to 20 s (the binary starts, connects and syncs in between).
async fn eventually(what: &str, watch: &Watch, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen; the watch said:\n{}", watch.said());
}

/// The upcoming list `meetty next` reads.
fn upcoming(e: &Env) -> String {
    std::fs::read_to_string(e.files().upcoming).unwrap_or_default()
}

fn lock_is_free(path: &Path) -> bool {
    lock::holder(path).is_none() && Lock::try_acquire(path, Role::Tui).unwrap().is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_keeps_the_cache_current_syncs_on_sigusr1_and_ends_on_sigterm() {
    let e = env("sync", QUIET).await;
    let id = e.book("Watch probe");
    let watch = e.watch();
    eventually("the first cache write", &watch, || {
        e.cached_titles().contains(&"Watch probe".to_string())
    })
    .await;
    let cached = cache::load(&e.files().agenda).unwrap();
    assert!(
        cached.sync.is_some(),
        "the sync state is kept for the next start"
    );
    // Written right after the agenda file, so it may land a moment later.
    eventually("meetty next's list written too", &watch, || {
        upcoming(&e).contains("Watch probe")
    })
    .await;
    eventually("the start line", &watch, || {
        watch.said().contains("watching")
    })
    .await;
    let said = watch.said();
    assert!(
        said.contains("meetty: watching sandbox: ")
            && said.contains(" calendars, refresh every 3600 s, no notifications"),
        "{said}"
    );
    assert_eq!(
        lock::holder(&e.lock_file()).map(|h| h.role),
        Some(Role::Watch)
    );

    // Changed elsewhere: the hour-long period is not over, SIGUSR1 asks for the change.
    e.sandbox.clear_requests();
    e.retitle(&id, "Watch probe, moved to room 2");
    watch.signal(libc::SIGUSR1);
    eventually("the change in the cache", &watch, || {
        e.cached_titles()
            .contains(&"Watch probe, moved to room 2".to_string())
    })
    .await;
    assert!(upcoming(&e).contains("Watch probe, moved to room 2"));
    let listings = e.listings();
    assert!(!listings.is_empty());
    for listing in &listings {
        assert!(
            listing.query.iter().any(|(k, _)| k == "syncToken"),
            "only what changed is asked for: {listing:?}"
        );
    }

    assert_eq!(watch.stop().await, Some(0));
    assert!(lock_is_free(&e.lock_file()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_watch_asks_only_for_changes() {
    let e = env("restart", QUIET).await;
    let watch = e.watch();
    eventually("the first cache write", &watch, || {
        cache::load(&e.files().agenda).is_some()
    })
    .await;
    assert_eq!(watch.stop().await, Some(0));

    e.sandbox.clear_requests();
    let again = e.watch();
    eventually("the start line", &again, || {
        again.said().contains("watching")
    })
    .await;
    let requests = e.sandbox.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        assert!(
            request.path.ends_with("/events")
                && request.query.iter().any(|(k, _)| k == "syncToken"),
            "a warm start asks for changes only (the calendar list is fresh): {request:?}"
        );
    }
    assert_eq!(again.stop().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_tui_holds_the_lock_the_watch_waits_then_takes_over() {
    let e = env("follow", QUIET).await;
    let tui = Lock::try_acquire(&e.lock_file(), Role::Tui)
        .unwrap()
        .unwrap();
    let watch = e.watch();
    eventually("the waiting line", &watch, || {
        watch.said().contains("the TUI for sandbox")
    })
    .await;
    let said = watch.said();
    assert!(
        said.contains(&format!(
            "meetty: the TUI for sandbox (pid {}) is syncing and notifying; this watch takes \
             over when it closes",
            std::process::id()
        )),
        "{said}"
    );
    // Longer than the watch's look at the lock: it looked again and still kept off.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        e.sandbox.requests().is_empty(),
        "{:?}",
        e.sandbox.requests()
    );
    assert!(!e.files().agenda.exists());
    assert_eq!(
        watch.said().matches("is syncing and notifying").count(),
        1,
        "said once"
    );

    drop(tui);
    eventually("the takeover", &watch, || {
        cache::load(&e.files().agenda).is_some()
    })
    .await;
    assert_eq!(
        lock::holder(&e.lock_file()).map(|h| h.role),
        Some(Role::Watch)
    );

    // A second watch for the same account waits as well, and a SIGTERM ends its wait.
    let second = e.watch();
    eventually("the second's waiting line", &second, || {
        second.said().contains("another meetty watch")
    })
    .await;
    assert!(
        second.said().contains(&format!(
            "meetty: another meetty watch for sandbox (pid {}) is syncing and notifying; \
             this one takes over if it ends",
            watch.child.id()
        )),
        "{}",
        second.said()
    );
    assert_eq!(second.stop().await, Some(0));
    assert_eq!(watch.stop().await, Some(0));
    assert!(lock_is_free(&e.lock_file()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_failing_is_said_once_and_the_watch_keeps_going() {
    let e = env("failing", QUIET).await;
    let watch = e.watch();
    eventually("the start line", &watch, || {
        watch.said().contains("watching")
    })
    .await;
    // Every try of one sync (the client's own retries included) fails.
    let primary = format!("/calendars/{ACCOUNT}/events");
    e.sandbox
        .inject(Fault::status(503).on("GET", &primary).times(5));
    watch.signal(libc::SIGUSR1);
    eventually("the problem line", &watch, || {
        watch.said().contains("cannot sync")
    })
    .await;
    let said = watch.said();
    assert!(
        said.contains("meetty: cannot sync: Google Calendar said 503 backendError")
            && said.contains("(trying again every 3600 s)"),
        "{said}"
    );

    e.book("After the outage");
    watch.signal(libc::SIGUSR1);
    eventually("the recovery", &watch, || {
        e.cached_titles().contains(&"After the outage".to_string())
    })
    .await;
    eventually("the recovery line", &watch, || {
        watch.said().contains("syncing works again")
    })
    .await;
    assert_eq!(watch.said().matches("cannot sync").count(), 1);
    assert_eq!(watch.stop().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_in_is_said_once_and_not_retried_in_a_loop() {
    let e = env("refused", "refresh_seconds = 10\nnotify_before = []\n").await;
    let watch = e.watch_with("not-a-token");
    eventually("the problem line", &watch, || {
        watch.said().contains("cannot sync")
    })
    .await;
    let first = e.sandbox.requests().len();
    // Past the 10 s refresh: a refused sign-in waits far longer than that.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let said = watch.said();
    assert_eq!(said.matches("cannot sync").count(), 1, "{said}");
    assert!(
        said.contains("401") && said.contains("run meetty login"),
        "{said}"
    );
    let log = std::fs::read_to_string(e.paths().log_file()).unwrap();
    assert!(log.contains("cannot sync"), "{log}");
    assert!(
        !said.contains("not-a-token") && !log.contains("not-a-token"),
        "the token is never said nor logged"
    );
    assert_eq!(e.sandbox.requests().len(), first, "no retry within 5 min");
    assert_eq!(watch.stop().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_account_the_watch_says_how_to_sign_in() {
    let e = env("nobody", QUIET).await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_meetty"));
    common::in_home(&mut cmd, &e.dir)
        .arg("watch")
        .env_remove("MEETTY_ACCESS_TOKEN");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "meetty: nobody is signed in: run meetty login\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_notifies_before_a_meeting_booked_in_the_calendar() {
    let server = dbus::server().await;
    let e = env("notify", "refresh_seconds = 3600\nnotify_before = [3]\n").await;
    // Its three-minutes-before moment comes a few seconds after the watch starts.
    let start = Utc::now() + chrono::Duration::seconds(188);
    e.book_at(
        "Stand-up",
        start,
        Some("https://meet.google.com/sss-tttt-uuu"),
    );
    let watch = e.watch();
    // The demo's own "Design review" starts 3 to 4 minutes from now (whole minutes), so its
    // notification may come first: the booked meeting's is looked for by its title.
    let stand_ups = || -> Vec<_> {
        (server.recorded().into_iter())
            .filter(|n| n.summary == "Stand-up")
            .collect()
    };
    let shown = dbus::poll(Duration::from_secs(30), || {
        Some(stand_ups()).filter(|s| !s.is_empty())
    })
    .await
    .unwrap_or_else(|| panic!("no Stand-up notification in {:#?}", server.recorded()));
    assert!(shown[0].body.contains("Google Meet"), "{:#?}", shown);
    assert_eq!(shown[0].actions, ["join", "Join", "copy", "Copy link"]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(stand_ups().len(), 1, "shown once");
    assert_eq!(watch.stop().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_another_process_holds_the_lock_the_watch_joins_nothing() {
    let server = dbus::server().await;
    let e = env(
        "gate",
        "refresh_seconds = 3600\nnotify_before = []\nauto_join = \"all\"\n",
    )
    .await;
    let now = Utc::now();
    // Scheduled joins open the link a minute before the start: the first falls due while
    // the lock is held, the second after the watch took over.
    let early = "https://meet.google.com/aaa-bbbb-ccc";
    let late = "https://meet.google.com/ddd-eeee-fff";
    e.book_at("Early", now + chrono::Duration::seconds(66), Some(early));
    e.book_at("Late", now + chrono::Duration::seconds(80), Some(late));
    let other = Lock::try_acquire(&e.lock_file(), Role::Tui)
        .unwrap()
        .unwrap();
    let watch = e.watch();
    tokio::time::sleep(Duration::from_secs(9)).await;
    assert!(server.opened().is_empty(), "{:?}", server.opened());
    assert!(e.sandbox.requests().is_empty());

    drop(other);
    let mut opened = server.wait_for_opened(2, Duration::from_secs(25)).await;
    // The early one's meeting has not started: joining it late is still worth it.
    opened.sort();
    assert_eq!(opened, [early, late], "each link once");
    assert!(
        server.recorded().is_empty(),
        "notify_before = [] shows nothing"
    );
    assert_eq!(watch.stop().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_nohup_a_sighup_does_not_end_the_watch() {
    let e = env("nohup", QUIET).await;
    let watch = e.watch_under_nohup();
    eventually("the start line", &watch, || {
        watch.said().contains("watching")
    })
    .await;
    watch.signal(libc::SIGHUP);
    // Still watching: SIGUSR1 gets a change into the cache.
    e.book("After the hangup");
    watch.signal(libc::SIGUSR1);
    eventually("the change in the cache", &watch, || {
        e.cached_titles().contains(&"After the hangup".to_string())
    })
    .await;
    assert_eq!(watch.stop().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_syncs_again_every_refresh_seconds() {
    let e = env("period", "refresh_seconds = 10\nnotify_before = []\n").await;
    let watch = e.watch();
    eventually("the start line", &watch, || {
        watch.said().contains("watching")
    })
    .await;
    assert!(
        watch.said().contains("refresh every 10 s"),
        "{}",
        watch.said()
    );
    e.book("Booked meanwhile");
    // No signal: the next refresh, 10 s after the first, brings it.
    eventually("the next refresh", &watch, || {
        e.cached_titles().contains(&"Booked meanwhile".to_string())
    })
    .await;
    assert_eq!(watch.stop().await, Some(0));
}
