//! Fixtures shared by the integration tests: a small, fixed agenda built from Google-shaped
//! JSON through the real model code, helpers to drive `App`, and the sandbox with a client of
//! it, the requests it recorded, and plain HTTP to it. `dbus`: a private D-Bus session bus
//! with a notification server that records and clicks, and a `$BROWSER` that records.
#![allow(dead_code)]

#[cfg(target_os = "linux")]
pub mod dbus;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use meetty::action::Action;
use meetty::app::App;
use meetty::calendar::client::CalendarClient;
use meetty::calendar::model::{Agenda, CalendarInfo, Meeting};
use meetty::sandbox::{RecordedRequest, RequestLog, Sandbox, Seed};
use meetty::screenshots::demo_settings;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

pub const NOW: &str = "2026-11-23T09:00:00Z"; // a Monday, 10:00 in Berlin

pub fn now() -> DateTime<Utc> {
    NOW.parse().unwrap()
}

pub fn tz() -> Tz {
    Tz::Europe__Berlin
}

/// A meeting on calendar `cal` from Google's JSON, through the real model code.
pub fn meeting(cal: &str, v: serde_json::Value) -> Meeting {
    let text = v.to_string();
    Meeting::from_event(cal, &serde_json::from_str(&text).unwrap()).unwrap()
}

fn meet(code: &str) -> serde_json::Value {
    json!({
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
        "entryPoints": [
            {"entryPointType": "video", "uri": format!("https://meet.google.com/{code}")},
            {"entryPointType": "phone", "uri": "tel:+49-30-5555-0143", "label": "+49 30 5555 0143", "pin": "482913", "regionCode": "DE"}
        ]
    })
}

/// Five meetings on two days in Berlin time, one without a link.
/// A calendar from the calendar list: the user's `primary` one, another they `owned`
/// (`accessRole` `owner`), or someone else's they only read.
pub fn calendar(id: &str, primary: bool, owned: bool) -> CalendarInfo {
    CalendarInfo {
        id: id.into(),
        name: id.into(),
        color: None,
        primary,
        selected: true,
        writable: owned,
        meet_allowed: true,
        owned,
        account: 0,
    }
}

pub fn agenda() -> Agenda {
    let mut a = Agenda {
        calendars: vec![
            CalendarInfo {
                id: "alex@example.com".into(),
                name: "Alex Rivera".into(),
                color: Some("#4285f4".into()),
                primary: true,
                selected: true,
                writable: true,
                meet_allowed: true,
                owned: true,
                account: 0,
            },
            CalendarInfo {
                id: "team@group.calendar.google.com".into(),
                name: "Team Platform".into(),
                color: Some("#0b8043".into()),
                primary: false,
                selected: true,
                writable: true,
                meet_allowed: true,
                owned: true,
                account: 0,
            },
        ],
        meetings: vec![
            meeting(
                "alex@example.com",
                json!({
                    "id": "standup1", "summary": "Platform standup",
                    "start": {"dateTime": "2026-11-23T08:45:00Z"}, "end": {"dateTime": "2026-11-23T09:15:00Z"},
                    "conferenceData": meet("abc-defg-hij"),
                    "organizer": {"email": "maria@example.com", "displayName": "Maria Chen"},
                    "attendees": [
                        {"email": "maria@example.com", "displayName": "Maria Chen", "responseStatus": "accepted", "organizer": true},
                        {"email": "alex@example.com", "responseStatus": "accepted", "self": true},
                        {"email": "sam@example.com", "displayName": "Sam Okafor", "responseStatus": "declined"},
                        {"email": "kim@partner.org", "responseStatus": "tentative"},
                        {"email": "lee@example.com", "responseStatus": "needsAction"}
                    ],
                    "description": "<p>Yesterday / today / blockers.</p><p>Board: <a href=\"https://example.com/board\">link</a></p>"
                }),
            ),
            meeting(
                "alex@example.com",
                json!({
                    "id": "design1", "summary": "Design review",
                    "start": {"dateTime": "2026-11-23T09:04:00Z"}, "end": {"dateTime": "2026-11-23T09:30:00Z"},
                    "location": "https://us02web.zoom.us/j/85012345678?pwd=Q2xpZW50",
                }),
            ),
            meeting(
                "alex@example.com",
                json!({
                    "id": "lunch1", "summary": "Lunch with Sam",
                    "start": {"dateTime": "2026-11-23T11:30:00Z"}, "end": {"dateTime": "2026-11-23T12:30:00Z"},
                    "location": "Cafe Mitte"
                }),
            ),
            meeting(
                "team@group.calendar.google.com",
                json!({
                    "id": "retro1", "summary": "Sprint retro",
                    "start": {"dateTime": "2026-11-24T14:00:00Z"}, "end": {"dateTime": "2026-11-24T15:00:00Z"},
                    "conferenceData": meet("xyz-abcd-efg")
                }),
            ),
            meeting(
                "alex@example.com",
                json!({
                    "id": "offsite1", "summary": "Offsite",
                    "start": {"date": "2026-11-24"}, "end": {"date": "2026-11-25"},
                    "description": "Teams: https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Q%40thread.v2/0?context=%7b%22Tid%22%3a%22a%22%7d"
                }),
            ),
        ],
        fetched_at: now(),
        accounts: Vec::new(),
    };
    a.sort();
    a
}

/// Makes the meeting titled `title` an invitation the user (alex@example.com, not the
/// organizer) answered `rsvp`.
pub fn answer(agenda: &mut Agenda, title: &str, rsvp: meetty::calendar::model::Rsvp) {
    use meetty::calendar::model::{Attendee, Person};
    let m = agenda
        .meetings
        .iter_mut()
        .find(|m| m.title == title)
        .unwrap_or_else(|| panic!("no meeting {title:?}"));
    m.i_organize = false;
    m.attendees = vec![Attendee {
        person: Person {
            name: "Alex Rivera".into(),
            email: "alex@example.com".into(),
        },
        rsvp,
        organizer: false,
        is_self: true,
        optional: false,
    }];
}

pub fn app() -> App {
    App::new(demo_settings(tz()), Some(agenda()), now())
}

pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Sends each character of `keys` as a key press, returning every effect emitted.
pub fn press(app: &mut App, keys: &str) -> Vec<meetty::action::Effect> {
    keys.chars().flat_map(|c| app.update(ch(c))).collect()
}

/// Client limits for tests: the real retry policy with waits in milliseconds, so a test of
/// five attempts takes a moment, not a quarter of a minute. `Jitter::Off` makes every wait
/// its ceiling, so recorded gaps can be checked against the backoff.
pub fn quick_limits() -> meetty::calendar::client::Limits {
    use meetty::calendar::retry::{Jitter, Policy};
    meetty::calendar::client::Limits {
        retry: Policy {
            base: std::time::Duration::from_millis(20),
            cap: std::time::Duration::from_millis(200),
            jitter: Jitter::Off,
            ..Policy::default()
        },
        ..Default::default()
    }
}

/// A sandbox on an ephemeral port that keeps every request it receives.
pub async fn sandbox(seed: Seed) -> Sandbox {
    Sandbox::start_with_log(0, seed, RequestLog::All)
        .await
        .unwrap()
}

/// The demo week around [`NOW`], in Berlin.
pub fn demo_seed() -> Seed {
    Seed::Demo {
        now: now(),
        tz: tz(),
    }
}

/// A client of `sandbox` with its fixed token and [`quick_limits`].
pub fn client(sandbox: &Sandbox) -> CalendarClient {
    CalendarClient::new(&sandbox.root_url(), sandbox.access_token()).with_limits(quick_limits())
}

/// The demo sandbox and a client of it.
pub async fn demo() -> (Sandbox, CalendarClient) {
    let sandbox = sandbox(demo_seed()).await;
    let client = client(&sandbox);
    (sandbox, client)
}

/// What the TUI's runner needs to work against `sandbox`: one account with its fixed token
/// ([`account`]), the calendars selected in Google and OSC 52 copies (no X server); a test
/// sets what else it uses with `..services(&sandbox)`.
pub fn services(sandbox: &Sandbox) -> meetty::runtime::Services {
    services_for(vec![account(sandbox)])
}

/// The same for several accounts, in the merged agenda's order.
pub fn services_for(accounts: Vec<meetty::runtime::AccountServices>) -> meetty::runtime::Services {
    meetty::runtime::Services {
        accounts,
        selection: meetty::calendar::client::CalendarSelection::SelectedInGoogle,
        clipboard: meetty::clipboard::Clipboard::new(meetty::config::ClipboardMode::Osc52),
    }
}

/// The sandbox's seeded account with its fixed token, and nothing else (no cache, lock,
/// marks or sign-in); a test sets the ones it uses with `..account(&sandbox)`.
pub fn account(sandbox: &Sandbox) -> meetty::runtime::AccountServices {
    let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token());
    meetty::runtime::AccountServices::new(meetty::sandbox::ACCOUNT, "A", client)
}

/// The app with its effect runner and no terminal, as the TUI's main loop drives them:
/// what the terminal would have received (OSC 52) is what the runner wrote to `terminal`.
pub struct Headless {
    pub app: App,
    pub runner: meetty::runtime::EffectRunner,
    pub terminal: Vec<u8>,
}

impl Headless {
    /// `app` with a runner of `services`, its start-up effects running.
    pub fn start(app: App, services: meetty::runtime::Services) -> Headless {
        let mut h = Headless {
            app,
            runner: meetty::runtime::EffectRunner::new(services),
            terminal: Vec::new(),
        };
        let effects = h.app.start();
        h.runner.run(effects, &mut h.terminal);
        h
    }

    /// What the main loop does with one input: update, then run what it asks for.
    pub fn handle(&mut self, action: Action) {
        let effects = self.app.update(action);
        self.runner.run(effects, &mut self.terminal);
    }

    /// Feeds effect results back into the app until `done` holds for it.
    pub async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        while !done(&self.app) {
            let next =
                tokio::time::timeout(std::time::Duration::from_secs(20), self.runner.next()).await;
            match next {
                Ok(Some(action)) => self.handle(action),
                _ => panic!("timed out waiting for {what}"),
            }
        }
    }
}

/// `command` (the meetty binary, or what runs it) with a private home under `dir`: `$HOME`
/// and the XDG config, data and runtime directories, in Berlin time. [`home_paths`] says
/// where meetty keeps its files there.
pub fn in_home<'a>(
    command: &'a mut std::process::Command,
    dir: &std::path::Path,
) -> &'a mut std::process::Command {
    command
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_RUNTIME_DIR", dir.join("run"))
        .env("TZ", "Europe/Berlin")
}

/// Where meetty keeps its files in the private home [`in_home`] gives it (as `directories`
/// resolves them from those XDG variables).
pub fn home_paths(dir: &std::path::Path) -> meetty::config::Paths {
    meetty::config::Paths {
        config_file: dir.join("config/meetty/config.toml"),
        config_dir: dir.join("config/meetty"),
        data_dir: dir.join("data/meetty"),
        runtime_dir: dir.join("run/meetty"),
    }
}

/// `meetty` as a new process against `sandbox` (its API root and token), in the private
/// home `dir` ([`in_home`]); the caller adds the arguments.
pub fn meetty_at(sandbox: &Sandbox, dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_meetty"));
    in_home(&mut command, dir)
        .env("MEETTY_API_ROOT", sandbox.root_url())
        .env("MEETTY_ACCESS_TOKEN", sandbox.access_token());
    command
}

/// The requests with this method (any when empty) whose decoded path contains `path`.
pub fn sent(sandbox: &Sandbox, method: &str, path: &str) -> Vec<RecordedRequest> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| (method.is_empty() || r.method == method) && r.path.contains(path))
        .collect()
}

/// An answer to [`http`].
pub struct Response {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: hyper::body::Bytes,
}

impl Response {
    /// The body as JSON, `Null` when it is none.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request over plain HTTP, outside meetty's client: for what it would never send.
pub async fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Response {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let mut req = hyper::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = client
        .request(req.body(Full::new(Bytes::from(body.to_string()))).unwrap())
        .await
        .expect("the sandbox answers");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Response {
        status,
        headers,
        body,
    }
}
/// Lays `text` out as tmux 3.3a does, code point by code point: each code point takes its own
/// width (unicode-width's, which is glibc's for the characters the tests use), except that a
/// zero-width one and the one right after a ZERO WIDTH JOINER join the cell before them.
/// Each code point with the column the cursor is at when it arrives and the columns it adds.
pub fn tmux_layout(text: &str) -> Vec<(char, usize, usize)> {
    use unicode_width::UnicodeWidthChar;
    let (mut column, mut after_zwj) = (0, false);
    text.chars()
        .map(|c| {
            let width = if std::mem::replace(&mut after_zwj, c == '\u{200d}') {
                0
            } else {
                c.width().unwrap_or(0)
            };
            column += width;
            (c, column - width, width)
        })
        .collect()
}

/// Types `text` into whatever has the keys, a key per character.
/// Selects the agenda row of the meeting titled `title`, from the top.
pub fn select(app: &mut App, title: &str) {
    press(app, "g");
    for _ in 0..30 {
        if app.selected_meeting().is_some_and(|m| m.title == title) {
            return;
        }
        press(app, "j");
    }
    panic!("no meeting {title}");
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c));
    }
}

pub fn focus(app: &mut App, field: meetty::compose::Field) {
    let form = app.form_mut().expect("form open");
    form.focus_on(&field);
}

/// Clears the form's text field and types `text` into it.
pub fn set(app: &mut App, field: meetty::compose::Field, text: &str) {
    focus(app, field);
    app.update(ctrl('e'));
    app.update(ctrl('u'));
    type_text(app, text);
}

/// What the form says under `field`.
pub fn note(app: &App, field: meetty::compose::Field) -> Option<meetty::compose::Note> {
    app.form()?.checked.note(&field).cloned()
}

/// `2026-11-23T10:30:00Z` as a time.
pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Google's free/busy answer for the find-a-time tests (now is Mon 23 Nov, 10:00 Berlin):
/// you are busy 10:15–11:00 Berlin, kim 11:00–11:30, the team calendar is empty, lee's
/// calendar is not shared.
pub fn free_busy() -> meetty::calendar::freebusy::FreeBusy {
    use meetty::calendar::freebusy::{FreeBusy, Interval, Lane};
    let busy = |from: &str, to: &str| Interval::new(at(from), at(to));
    FreeBusy {
        lanes: [
            (
                "alex@example.com",
                Lane::Busy(vec![busy("2026-11-23T09:15:00Z", "2026-11-23T10:00:00Z")]),
            ),
            ("team@group.calendar.google.com", Lane::Busy(vec![])),
            (
                "kim@example.com",
                Lane::Busy(vec![busy("2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z")]),
            ),
            (
                "lee@example.com",
                Lane::Unknown {
                    reason: "not shared with you (notFound)".into(),
                },
            ),
        ]
        .into_iter()
        .map(|(id, lane)| (id.to_string(), lane))
        .collect(),
        ..FreeBusy::default()
    }
}

/// The test agenda with a 30-minute form for kim and lee, find a time open and answered.
pub fn finding_a_time() -> App {
    use meetty::compose::Field;
    let mut app = app();
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    set(&mut app, Field::Length, "30m");
    set(&mut app, Field::Guests, "kim@example.com, lee@example.com");
    let Some(meetty::action::Effect::FreeBusy { req, .. }) = app.update(ctrl('f')).pop() else {
        panic!("Ctrl-F asks Google who is free")
    };
    app.update(Action::FreeBusy {
        req,
        result: Ok(free_busy()),
    });
    app
}

/// The X clipboard is one per display, and the tests share one Xvfb across test processes
/// (nextest runs each test in its own): a test that writes the clipboard holds this lock
/// (an `flock` on a file in the temp dir) while it writes and reads it back.
pub fn x_clipboard_turn() -> std::fs::File {
    let path = std::env::temp_dir().join("meetty-tests-x-clipboard.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap();
    file.lock().unwrap();
    file
}

/// A service-account key file as Google Cloud Console downloads it, for the sandbox at
/// `token_uri`. `key` 1 or 2 picks one of the two test-only RSA keys in `tests/fixtures`
/// (made for these tests with `openssl genpkey`, used nowhere else): register one with the
/// sandbox and sign with the other to get a bad signature.
pub fn service_account_json(
    token_uri: &str,
    client_email: &str,
    client_id: &str,
    key: u8,
) -> String {
    let pem = service_account_pem(key);
    serde_json::json!({
        "type": "service_account",
        "project_id": "meetty-tests",
        "private_key_id": format!("{:040x}", u128::from(key)),
        "private_key": pem,
        "client_email": client_email,
        "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": format!(
            "https://www.googleapis.com/robot/v1/metadata/x509/{}",
            client_email.replace('@', "%40")
        ),
        "universe_domain": "googleapis.com"
    })
    .to_string()
}

/// The PEM of test key 1 or 2 (see [`service_account_json`]).
pub fn service_account_pem(key: u8) -> String {
    let path = format!(
        "{}/tests/fixtures/service-account-test-{key}.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A request to the meetings API at `base` as a client sends it: with the bearer secret,
/// `Content-Type: application/json` when there is a body and `headers` name no type, then
/// `headers`.
pub async fn api_call(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let auth = format!("Bearer {API_SECRET}");
    let mut all = vec![("authorization", auth.as_str())];
    if !body.is_empty()
        && !headers
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case("content-type"))
    {
        all.push(("content-type", "application/json"));
    }
    all.extend_from_slice(headers);
    let url = format!("{}{}", base, path.trim_start_matches('/'));
    http(method, &url, &all, body).await
}

/// The bearer secret [`api_server`] serves with.
pub const API_SECRET: &str = "test-api-secret-0123456789";

/// A meetings API ([`meetty::serve`]) on an ephemeral loopback port, acting for the sandbox's
/// seeded account through its fixed token, with files in `dir` ([`home_paths`]). Returns the
/// server and its base URL (`http://127.0.0.1:PORT/`); requests need
/// `Authorization: Bearer` [`API_SECRET`].
pub async fn api_server(
    sandbox: &Sandbox,
    dir: &std::path::Path,
) -> (meetty::serve::server::Server, String) {
    let seeded = meetty::serve::Account {
        email: meetty::sandbox::ACCOUNT.to_string(),
        client: client(sandbox),
        cache_owner: meetty::sandbox::ACCOUNT.to_string(),
    };
    api_server_for(dir, vec![seeded]).await
}

/// [`api_server`] acting for `accounts` (the first is the default).
pub async fn api_server_for(
    dir: &std::path::Path,
    accounts: Vec<meetty::serve::Account>,
) -> (meetty::serve::server::Server, String) {
    let api = meetty::serve::Api {
        accounts,
        config: meetty::config::Config::parse(None).unwrap(),
        paths: home_paths(dir),
        tz: tz(),
        secret: meetty::serve::secret::Secret::new(API_SECRET),
        meet_wait: std::time::Duration::from_secs(5),
        in_flight: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = meetty::serve::server::Server::start(std::sync::Arc::new(api), listener)
        .await
        .unwrap();
    let base = format!("http://{}/", server.addr());
    (server, base)
}

/// Deletes `key` from a secret store when dropped: a failed assertion must not leave a key or
/// secret behind in the real keyring.
pub struct Forget {
    store: meetty::auth::store::SecretStore,
    key: String,
}

impl Forget {
    pub fn new(store: &meetty::auth::store::SecretStore, key: &str) -> Forget {
        Forget {
            store: store.clone(),
            key: key.to_string(),
        }
    }
}

impl Drop for Forget {
    fn drop(&mut self) {
        let _ = self.store.delete(&self.key);
    }
}

/// h3: the test agenda merged from two accounts, built by hand: Alex's work account
/// (label W) and a personal one (label P) whose last refresh failed. Platform standup
/// (Meet, work) also has a Zoom and a Teams link; Design review (Zoom) has its meeting ID
/// and passcode; Sprint retro is on both accounts' calendars, declined on the personal
/// one; a dentist's appointment (Meet, no dial-in) is on the personal calendar only.
pub fn merged_agenda() -> Agenda {
    use meetty::calendar::access::Access;
    use meetty::calendar::error::ApiError;
    use meetty::calendar::links::{Provider, VideoLink};
    use meetty::calendar::model::{AccountState, Rsvp};
    let mut a = agenda();
    a.accounts = vec![
        AccountState {
            email: "alex@example.com".into(),
            label: "W".into(),
            fetched_at: now(),
            stale: None,
        },
        AccountState {
            email: "alex@gmail.com".into(),
            label: "P".into(),
            fetched_at: now() - chrono::Duration::minutes(20),
            stale: Some(ApiError::SignIn(
                "Google said invalid_grant (Token has been expired or revoked.)".into(),
            )),
        },
    ];
    let personal = CalendarInfo {
        account: 1,
        ..calendar("alex@gmail.com", true, true)
    };
    a.calendars.push(personal);
    for m in &mut a.meetings {
        m.access = None;
        m.other_links = Vec::new();
        match m.title.as_str() {
            "Platform standup" => {
                m.other_links = vec![
                VideoLink {
                    provider: Provider::Zoom,
                    url: "https://us02web.zoom.us/j/85012345678?pwd=Q2xpZW50".into(),
                },
                VideoLink {
                    provider: Provider::Teams,
                    url: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Q%40thread.v2/0"
                        .into(),
                },
            ]
            }
            "Design review" => {
                m.access = Some(Access {
                    meeting_id: Some("850 1234 5678".into()),
                    passcode: Some("4Xy9".into()),
                })
            }
            _ => {}
        }
    }
    let mut copy = a
        .meetings
        .iter()
        .find(|m| m.title == "Sprint retro")
        .cloned()
        .expect("the retro");
    copy.account = 1;
    copy.calendar_id = "alex@gmail.com".into();
    copy.uid = "retro1@google.com".into();
    a.meetings
        .iter_mut()
        .filter(|m| m.title == "Sprint retro")
        .for_each(|m| m.uid = "retro1@google.com".into());
    a.meetings.push(copy);
    let mut dentist = meeting(
        "alex@gmail.com",
        json!({
            "id": "dentist1", "summary": "Dentist",
            "start": {"dateTime": "2026-11-23T15:00:00Z"}, "end": {"dateTime": "2026-11-23T15:30:00Z"},
            "hangoutLink": "https://meet.google.com/pqr-stuv-wxy"
        }),
    );
    dentist.account = 1;
    a.meetings.push(dentist);
    a.sort();
    let declined = a
        .meetings
        .iter_mut()
        .find(|m| m.title == "Sprint retro" && m.account == 1)
        .expect("the copy");
    declined.i_organize = false;
    declined.attendees = vec![meetty::calendar::model::Attendee {
        person: meetty::calendar::model::Person {
            name: String::new(),
            email: "alex@gmail.com".into(),
        },
        rsvp: Rsvp::Declined,
        organizer: false,
        is_self: true,
        optional: false,
    }];
    a
}

/// The service account [`delegating_key`] registers, and its client id.
pub const ACCOUNTS_BOT: &str = "accounts-bot@meetty-tests.iam.gserviceaccount.com";
pub const ACCOUNTS_BOT_ID: &str = "104729384756102938476";

/// The key of [`ACCOUNTS_BOT`], a service account of `sandbox` with domain-wide delegation
/// (registered here): `meetty login --service-account KEY --subject USER` signs in as any
/// user with it.
pub fn delegating_key(sandbox: &Sandbox) -> String {
    sandbox.register_service_account(ACCOUNTS_BOT, ACCOUNTS_BOT_ID, &service_account_pem(1));
    sandbox.grant_delegation(ACCOUNTS_BOT_ID, &meetty::auth::client::SCOPES);
    service_account_json(&sandbox.token_url(), ACCOUNTS_BOT, ACCOUNTS_BOT_ID, 1)
}

/// A private home for one test (under the temp directory, named after this process and
/// `name`), removed when dropped.
pub struct Home(pub std::path::PathBuf);

impl Home {
    pub fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("meetty-home-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Home(dir)
    }

    pub fn paths(&self) -> meetty::config::Paths {
        meetty::config::Paths::under(&self.0)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What `found` finds, asked again until it does, for as long as [`Headless::until`] waits
/// for an answer (a file another task writes, say).
pub async fn eventually<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
