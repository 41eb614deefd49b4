//! The app with its effect runner and no terminal: `App::update` and the runner that makes
//! the Calendar calls, copies and caches, against the sandbox over HTTP. What the terminal
//! would have received (OSC 52) is what the runner wrote to a buffer.

mod common;

use std::time::Duration;

use base64::Engine;
use chrono::Utc;
use chrono_tz::Tz;
use meetty::app::{App, Sync};
use meetty::calendar::client::{CalendarClient, CalendarSelection};
use meetty::clipboard::Clipboard;
use meetty::config::ClipboardMode;
use meetty::runtime::{EffectRunner, Services};
use meetty::sandbox::{Sandbox, Seed};
use meetty::screenshots::demo_settings;

use common::{ch, ctrl, key};
use ratatui::crossterm::event::KeyCode;

const TZ: Tz = Tz::Europe__Berlin;

/// The app, its runner and what the runner wrote to the "terminal".
struct Headless {
    app: App,
    runner: EffectRunner,
    terminal: Vec<u8>,
    sandbox: Sandbox,
}

impl Headless {
    /// The demo week in a sandbox; the app starts empty, as on a first run with no cache,
    /// and copies with OSC 52 only, so no X server is involved.
    async fn start() -> Headless {
        let now = Utc::now();
        let sandbox = Sandbox::start(0, Seed::Demo { now, tz: TZ }).await.unwrap();
        let services = Services {
            client: CalendarClient::new(&sandbox.root_url(), sandbox.access_token()),
            selection: CalendarSelection::SelectedInGoogle,
            cache: None,
            clipboard: Clipboard::new(ClipboardMode::Osc52),
            sign_in: None,
            resume: None,
            lead: None,
            marks: Some(marks_file()),
        };
        let mut h = Headless {
            app: App::new(demo_settings(TZ), None, now),
            runner: EffectRunner::new(services),
            terminal: Vec::new(),
            sandbox,
        };
        let effects = h.app.start();
        h.runner.run(effects, &mut h.terminal);
        h
    }

    /// What the main loop does with one input: update, then run what it asks for.
    fn handle(&mut self, action: meetty::action::Action) {
        let effects = self.app.update(action);
        self.runner.run(effects, &mut self.terminal);
    }

    /// Feeds effect results back into the app until `done` holds for it.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        while !done(&self.app) {
            let next = tokio::time::timeout(Duration::from_secs(20), self.runner.next()).await;
            match next {
                Ok(Some(action)) => self.handle(action),
                _ => panic!("timed out waiting for {what}"),
            }
        }
    }

    fn osc52_of(&self, text: &str) -> bool {
        let b64 = base64::engine::general_purpose::STANDARD.encode(text);
        let osc = format!("\x1b]52;c;{b64}\x07");
        String::from_utf8_lossy(&self.terminal).contains(&osc)
    }
}

/// Where this test process's runners write the join marks.
fn marks_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("meetty-headless-{}/marks.json", std::process::id()))
}

fn loaded(app: &App) -> bool {
    app.agenda.is_some() && app.sync == Sync::Idle
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_and_refresh_load_the_agenda_from_the_sandbox() {
    let mut h = Headless::start().await;
    h.until("the first refresh", loaded).await;
    let first = h.app.agenda.as_ref().unwrap().meetings.len();
    assert!(first > 0, "the demo week has meetings");
    assert!(h.app.selected_meeting().is_some(), "one is selected");

    h.handle(ch('r'));
    assert!(matches!(h.app.sync, Sync::Refreshing { .. }));
    h.until("the refresh", loaded).await;
    assert_eq!(h.app.agenda.as_ref().unwrap().meetings.len(), first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn y_writes_the_selected_link_to_the_terminal_as_osc52() {
    let mut h = Headless::start().await;
    h.until("the first refresh", loaded).await;
    let link = h
        .app
        .selected_meeting()
        .and_then(|m| m.video.as_ref())
        .map(|v| v.url.clone())
        .expect("the selected meeting has a video link");
    assert!(!h.osc52_of(&link), "nothing copied yet");

    h.handle(ch('y'));
    h.until("the copy's toast", |app| {
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.starts_with("Copied"))
    })
    .await;
    assert!(h.osc52_of(&link), "the OSC 52 sequence of {link}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_enter_a_title_and_ctrl_s_create_a_meeting_at_the_sandbox() {
    let mut h = Headless::start().await;
    h.until("the first refresh", loaded).await;

    h.handle(ch('n'));
    h.handle(key(KeyCode::Enter));
    for c in "Headless planning".chars() {
        h.handle(ch(c));
    }
    h.handle(ctrl('s'));
    assert!(!h.app.writes.is_empty(), "the create is out at Google");
    h.until("the created meeting", |app| {
        app.writes.is_empty()
            && app
                .selected_meeting()
                .is_some_and(|m| m.title == "Headless planning")
    })
    .await;

    let created = h
        .app
        .selected_meeting()
        .expect("the new meeting is selected")
        .clone();
    let link = created.video.as_ref().expect("a Meet link").url.clone();
    assert!(link.starts_with("https://meet.google.com/"), "{link}");
    // The default config copies a new meeting's link at once.
    assert!(h.osc52_of(&link), "the new link copied with OSC 52");

    // The sandbox has it, as Google would: read back through a client of its own.
    let client = CalendarClient::new(&h.sandbox.root_url(), h.sandbox.access_token());
    let stored = client
        .event(&created.calendar_id, &created.id)
        .await
        .expect("the event exists at the sandbox");
    assert_eq!(stored.title, "Headless planning");
    assert_eq!(stored.video.map(|v| v.url), Some(link));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capital_j_writes_the_join_marks_file_the_alerts_engine_reads() {
    let mut h = Headless::start().await;
    h.until("the first refresh", loaded).await;
    let id = h.app.selected_meeting().expect("a meeting").id.clone();
    h.handle(ch('J'));
    if h.app.mode() == meetty::app::Mode::JoinMark {
        // An occurrence of a series: this one.
        h.handle(ch('t'));
    }
    let path = marks_file();
    h.until("the marks on disk", |_| {
        meetty::alerts::Marks::load(&path).is_marked(&id, None)
    })
    .await;
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
