//! The app with its effect runner and no terminal: `App::update` and the runner that makes
//! the Calendar calls, copies and caches, against the sandbox over HTTP. What the terminal
//! would have received (OSC 52) is what the runner wrote to a buffer.

mod common;

use base64::Engine;
use chrono::Utc;
use chrono_tz::Tz;
use meetty::app::{App, Sync};
use meetty::calendar::client::CalendarClient;
use meetty::runtime::AccountServices;
use meetty::sandbox::{Sandbox, Seed};
use meetty::screenshots::demo_settings;

use common::{ch, ctrl, key, Headless};
use ratatui::crossterm::event::KeyCode;

const TZ: Tz = Tz::Europe__Berlin;

/// The demo week in a sandbox; the app starts empty, as on a first run with no cache,
/// and copies with OSC 52 only, so no X server is involved.
async fn start() -> (Headless, Sandbox) {
    let now = Utc::now();
    let sandbox = Sandbox::start(0, Seed::Demo { now, tz: TZ }).await.unwrap();
    let services = common::services_for(vec![AccountServices {
        marks: Some(marks_file()),
        ..common::account(&sandbox)
    }]);
    let h = Headless::start(App::new(demo_settings(TZ), None, now), services);
    (h, sandbox)
}

/// Whether the runner wrote the OSC 52 sequence that copies `text`.
fn osc52_of(h: &Headless, text: &str) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    let osc = format!("\x1b]52;c;{b64}\x07");
    String::from_utf8_lossy(&h.terminal).contains(&osc)
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
    let (mut h, _sandbox) = start().await;
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
    let (mut h, _sandbox) = start().await;
    h.until("the first refresh", loaded).await;
    let link = h
        .app
        .selected_meeting()
        .and_then(|m| m.video.as_ref())
        .map(|v| v.url.clone())
        .expect("the selected meeting has a video link");
    // A Meet link is copied with the account it belongs to (meet_authuser, on by default).
    let link = meetty::calendar::links::with_authuser(&link, meetty::sandbox::ACCOUNT);
    assert!(link.ends_with("?authuser=alex%40example.com"), "{link}");
    assert!(!osc52_of(&h, &link), "nothing copied yet");

    h.handle(ch('y'));
    h.until("the copy's toast", |app| {
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.starts_with("Copied"))
    })
    .await;
    assert!(osc52_of(&h, &link), "the OSC 52 sequence of {link}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_enter_a_title_and_ctrl_s_create_a_meeting_at_the_sandbox() {
    let (mut h, sandbox) = start().await;
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
    // The default config copies a new meeting's link at once, as `y` would: with the
    // account that made it (meet_authuser, on by default).
    let copied = meetty::calendar::links::with_authuser(&link, meetty::sandbox::ACCOUNT);
    assert!(copied.ends_with("?authuser=alex%40example.com"), "{copied}");
    assert!(osc52_of(&h, &copied), "the new link copied with OSC 52");

    // The sandbox has it, as Google would: read back through a client of its own.
    let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token());
    let stored = client
        .event(&created.calendar_id, &created.id)
        .await
        .expect("the event exists at the sandbox");
    assert_eq!(stored.title, "Headless planning");
    assert_eq!(stored.video.map(|v| v.url), Some(link));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capital_j_writes_the_join_marks_file_the_alerts_engine_reads() {
    let (mut h, _sandbox) = start().await;
    h.until("the first refresh", loaded).await;
    // An occurrence of a series the engine may join: J asks this one or every one.
    let agenda = h.app.agenda.clone().unwrap_or_default();
    let joinable = |m: &meetty::calendar::model::Meeting| {
        m.series_id.is_some() && meetty::alerts::may_join(&agenda, m)
    };
    for _ in 0..100 {
        if h.app.selected_meeting().is_some_and(joinable) {
            break;
        }
        h.handle(ch('j'));
    }
    let m = h.app.selected_meeting().expect("a meeting").clone();
    assert!(
        joinable(&m),
        "the demo week has a joinable series occurrence"
    );
    h.handle(ch('J'));
    assert_eq!(h.app.mode(), meetty::app::Mode::JoinMark, "asked which");
    h.handle(ch('t'));
    let path = marks_file();
    let this_one = meetty::alerts::Marks {
        occurrences: [m.id.clone()].into(),
        series: Default::default(),
    };
    h.until("the marks on disk", |_| {
        meetty::alerts::Marks::load(&path) == this_one
    })
    .await;
    let engine_reads = meetty::alerts::Marks::load(&path);
    assert!(engine_reads.is_marked(&m.id, m.series_id.as_deref()));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
