//! Sign-in end to end against the sandbox's OAuth endpoints over real HTTP: the login with
//! PKCE and state, token refresh on expiry and on 401, `invalid_grant` reaching the TUI's
//! dialog, logout revoking the grant, and no secret in the log file along the way.
//!
//! The "browser" is an in-test HTTP client that follows Google's redirect to the loopback
//! listener, as a real browser would after the user clicks Allow.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use meetty::action::{Action, Effect};
use meetty::app::{App, Mode};
use meetty::auth::accounts::{Accounts, TokenStore};
use meetty::auth::login::Finish;
use meetty::auth::pkce::challenge_for;
use meetty::auth::store::client_secret_key;
use meetty::calendar::client::CalendarClient;
use meetty::calendar::error::ApiError;
use meetty::config::Paths;
use meetty::sandbox::{RecordedRequest, Sandbox, Seed};
use meetty::session::sign_in::LoginOptions;
use meetty::session::Signed;
use ratatui::crossterm::event::KeyCode;

mod common;

/// One GET over a fresh connection; returns the status line's code and the Location header.
fn get(url: &str) -> (u16, Option<String>) {
    let u = url::Url::parse(url).unwrap();
    let mut s = TcpStream::connect((u.host_str().unwrap(), u.port().unwrap())).unwrap();
    let target = &url[url.find(u.path()).unwrap()..];
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        u.host_str().unwrap()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split_whitespace().nth(1).unwrap().parse().unwrap();
    let location = resp
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("location:"))
        .map(|l| l[9..].trim().to_string());
    (status, location)
}

/// The user's browser: opens the authorize URL and follows Google's 302 to the loopback.
/// Before the real callback, a forged one (another `state`, as a page in another tab could
/// send) is refused, and the login waits on for the real one.
fn browser(url: &str) -> Result<(), String> {
    let url = url.to_string();
    std::thread::spawn(move || {
        let (status, location) = get(&url);
        assert_eq!(status, 302, "the sandbox consents and redirects");
        let real = location.expect("a redirect");
        let mut forged = url::Url::parse(&real).unwrap();
        let pairs: Vec<(String, String)> = forged
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    "forged".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        forged.query_pairs_mut().clear().extend_pairs(pairs);
        let (status, _) = get(forged.as_str());
        assert_eq!(status, 400, "a callback with another state is refused");
        let (status, _) = get(&real);
        assert_eq!(
            status, 200,
            "the loopback listener accepted the real callback"
        );
    });
    Ok(())
}

/// The tests here point meetty at their own sandbox through the environment (as a user would
/// with `MEETTY_REVOKE_URI`); they take turns so that no test reads another's settings.
static ENV_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Env {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    sandbox: Sandbox,
    paths: Paths,
    dir: PathBuf,
    credentials: PathBuf,
}

async fn setup(name: &str) -> Env {
    let turn = ENV_LOCK.lock().await;
    let sandbox = common::sandbox(Seed::Demo {
        now: chrono::Utc::now(),
        tz: chrono_tz::UTC,
    })
    .await;
    let dir = std::env::temp_dir().join(format!("meetty-login-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let credentials = dir.join("client_secret_sandbox.json");
    std::fs::write(&credentials, sandbox.credentials_json()).unwrap();
    // The revoke endpoint is not in Google's credentials files; the env names the sandbox's.
    std::env::set_var("MEETTY_REVOKE_URI", sandbox.revoke_url());
    std::env::set_var(
        "MEETTY_KEYRING_SERVICE",
        format!("meetty-test-login-{name}-{}", std::process::id()),
    );
    let paths = Paths::under(&dir);
    Env {
        _turn: turn,
        sandbox,
        paths,
        dir,
        credentials,
    }
}

async fn login(env: &Env, store: TokenStore) -> Result<String, String> {
    login_with(env, Some(store), None, false).await
}

async fn login_with(
    env: &Env,
    store: Option<TokenStore>,
    account: Option<&str>,
    renew: bool,
) -> Result<String, String> {
    let opts = LoginOptions {
        credentials: Some(env.credentials.clone()),
        account: account.map(str::to_string),
        token_store: store,
        api_root: env.sandbox.root_url(),
        renew,
    };
    let mut out = Vec::new();
    meetty::session::sign_in::run(&env.paths, opts, Finish::Browser(&browser), &mut out).await
}

fn find<'a>(reqs: &'a [RecordedRequest], method: &str, path: &str) -> Vec<&'a RecordedRequest> {
    reqs.iter()
        .filter(|r| r.method == method && r.path.ends_with(path))
        .collect()
}

fn form<'a>(r: &'a RecordedRequest, key: &str) -> Option<&'a str> {
    r.body.as_ref()?.get(key)?.as_str()
}

#[tokio::test]
async fn login_refresh_401_invalid_grant_and_logout_with_a_clean_log() {
    let env = setup("flow").await;
    let log = env.paths.log_file();
    meetty::logging::init(&log).unwrap();
    // Access tokens that yup-oauth2 considers expired at once (it refreshes a minute early).
    env.sandbox
        .set_access_token_lifetime(std::time::Duration::from_secs(30));

    let email = login(&env, TokenStore::File).await.unwrap();
    assert_eq!(email, "alex@example.com");

    let reqs = env.sandbox.requests();
    let auth = find(&reqs, "GET", "/o/oauth2/v2/auth");
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0].param("code_challenge_method"), Some("S256"));
    assert_eq!(auth[0].param("access_type"), Some("offline"));
    assert_eq!(
        auth[0].param("prompt"),
        Some("consent"),
        "first login asks for consent"
    );
    assert!(auth[0].param("state").is_some_and(|s| s.len() >= 43));
    let token_reqs = find(&reqs, "POST", "/token");
    let exchange = token_reqs
        .iter()
        .find(|r| form(r, "grant_type") == Some("authorization_code"))
        .unwrap();
    let verifier =
        form(exchange, "code_verifier").expect("the token request carried code_verifier");
    assert_eq!(
        Some(challenge_for(verifier).as_str()),
        auth[0].param("code_challenge")
    );
    let code = form(exchange, "code").unwrap().to_string();
    let verifier = verifier.to_string();

    // What login stored, and nothing secret outside the token store.
    let accounts = Accounts::load(&env.paths.accounts_file()).unwrap();
    assert_eq!(accounts.default.as_deref(), Some("alex@example.com"));
    let client_json = std::fs::read_to_string(env.paths.client_file()).unwrap();
    assert!(!client_json.contains(&env.sandbox.client_secret()));
    let signed = Signed::load(&env.paths, None).unwrap();
    let first = signed.token().unwrap().expect("tokens stored");
    let first_access = first.token.access_token.clone().unwrap();
    let refresh = first.token.refresh_token.clone().expect("a refresh token");

    // Refresh on expiry: the stored token is (for yup-oauth2) expired, so the first call refreshes.
    let session = signed.clone().session().await.unwrap();
    let client = CalendarClient::new(&env.sandbox.root_url(), session);
    env.sandbox.clear_requests();
    let calendars = client.calendars().await.unwrap();
    assert!(calendars.iter().any(|c| c.primary));
    let reqs = env.sandbox.requests();
    assert!(
        find(&reqs, "POST", "/token")
            .iter()
            .any(|r| form(r, "grant_type") == Some("refresh_token")),
        "the expired access token was refreshed"
    );
    let second = signed.token().unwrap().unwrap();
    assert_ne!(
        second.token.access_token.as_deref(),
        Some(first_access.as_str()),
        "the refreshed token was stored"
    );

    // 401 → one refresh → one retry. Long-lived tokens so only the 401 can cause a refresh.
    env.sandbox
        .set_access_token_lifetime(std::time::Duration::from_secs(3600));
    let session = signed.clone().session().await.unwrap();
    session.refresh_now().await.unwrap();
    let client = CalendarClient::new(&env.sandbox.root_url(), session);
    env.sandbox.expire_access_tokens();
    env.sandbox.clear_requests();
    client.calendars().await.unwrap();
    let seq: Vec<String> = env
        .sandbox
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(seq.len(), 3, "{seq:?}");
    assert!(
        seq[0].ends_with("calendarList")
            && seq[1] == "POST /token"
            && seq[2].ends_with("calendarList"),
        "{seq:?}"
    );

    // The token endpoint has a bad moment: the refresh is retried like any other call.
    env.sandbox.inject(
        meetty::sandbox::Fault::status(503)
            .on("POST", "/token")
            .times(2),
    );
    env.sandbox.expire_access_tokens();
    env.sandbox.clear_requests();
    client.calendars().await.unwrap();
    let reqs = env.sandbox.requests();
    assert_eq!(
        find(&reqs, "POST", "/token").len(),
        3,
        "503, 503, then a token"
    );
    assert_eq!(
        find(&reqs, "GET", "calendarList").len(),
        2,
        "401, then the list"
    );

    // invalid_grant: the grant is revoked at Google; the next call says sign in again.
    env.sandbox.revoke_refresh_tokens();
    env.sandbox.expire_access_tokens();
    let err = client.calendars().await.unwrap_err();
    let ApiError::SignIn(message) = &err else {
        panic!("expected a sign-in error, got {err:?}")
    };
    assert!(
        message.contains("invalid_grant") && message.contains("7 days"),
        "{message}"
    );

    // …and the TUI shows the dialog over what was on screen, then signs in again.
    let mut app = App::new(
        meetty::screenshots::demo_settings(chrono_tz::UTC),
        None,
        chrono::Utc::now(),
    );
    let Effect::Refresh { req, .. } = app.start().remove(0) else {
        panic!()
    };
    app.update(Action::AgendaLoaded {
        req,
        result: Err(err.clone()),
    });
    assert_eq!(app.mode(), Mode::SignIn);
    assert_eq!(app.sign_in.as_ref().unwrap().message, *message);
    let effects = app.update(common::key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::SignIn { account: 0 }]);
    assert!(app.sign_in.as_ref().unwrap().waiting);
    let effects = app.update(Action::SignedIn(Ok("alex@example.com".into())));
    assert!(matches!(effects.as_slice(), [Effect::Refresh { .. }]));
    assert_eq!(app.mode(), Mode::Agenda);

    // The dialog's sign-in: consent is asked again, so Google issues a new refresh token,
    // which replaces the rejected one.
    env.sandbox.clear_requests();
    login_with(&env, Some(TokenStore::File), Some("alex@example.com"), true)
        .await
        .unwrap();
    let reqs = env.sandbox.requests();
    assert_eq!(
        find(&reqs, "GET", "/o/oauth2/v2/auth")[0].param("prompt"),
        Some("consent")
    );
    let signed = Signed::load(&env.paths, None).unwrap();
    let fresh = signed.token().unwrap().unwrap();
    let fresh_refresh = fresh.token.refresh_token.clone().unwrap();
    assert_ne!(fresh_refresh, refresh);
    assert!(env.sandbox.is_refresh_token_valid(&fresh_refresh));

    // A later plain `meetty login` (no flags) needs no consent, as a refresh token is
    // stored, and finds the account's tokens in the file store it chose before.
    env.sandbox.clear_requests();
    login_with(&env, None, None, false).await.unwrap();
    let reqs = env.sandbox.requests();
    assert_eq!(
        find(&reqs, "GET", "/o/oauth2/v2/auth")[0].param("prompt"),
        None
    );
    let kept = signed
        .token()
        .unwrap()
        .unwrap()
        .token
        .refresh_token
        .unwrap();
    assert_eq!(
        kept, fresh_refresh,
        "the stored refresh token is kept when Google sends none"
    );

    // Logout revokes at Google and forgets the account.
    let mut out = Vec::new();
    meetty::cli::logout::run(&env.paths, None, &mut out)
        .await
        .unwrap();
    assert!(
        env.sandbox.revoked_tokens().contains(&fresh_refresh),
        "logout revoked the refresh token"
    );
    assert!(!env.sandbox.is_refresh_token_valid(&fresh_refresh));
    assert!(
        signed.token().unwrap().is_none(),
        "the tokens are deleted from the store"
    );
    assert!(Accounts::load(&env.paths.accounts_file())
        .unwrap()
        .accounts
        .is_empty());
    let secret_key = client_secret_key(&env.sandbox.client_id());
    assert!(
        signed.store.get(&secret_key).unwrap().is_none(),
        "no account left: no client secret kept"
    );
    assert!(!env.paths.client_file().exists());

    // The log has the story and none of the secrets.
    log::logger().flush();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("login: tokens of alex@example.com stored"),
        "{text}"
    );
    assert!(text.contains("refreshed"), "{text}");
    let secrets = [
        first_access.as_str(),
        refresh.as_str(),
        second.token.access_token.as_deref().unwrap(),
        fresh_refresh.as_str(),
        code.as_str(),
        verifier.as_str(),
    ];
    let client_secret = env.sandbox.client_secret();
    for s in secrets.iter().chain([&client_secret.as_str()]) {
        assert!(!text.contains(s), "a secret reached the log: {text}");
    }
    let _ = std::fs::remove_dir_all(&env.dir);
}

#[tokio::test]
async fn the_file_store_is_0600_and_only_by_choice() {
    use std::os::unix::fs::PermissionsExt;
    let env = setup("file").await;
    login(&env, TokenStore::File).await.unwrap();
    let dir = env.paths.data_dir.join("tokens");
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for entry in std::fs::read_dir(&dir).unwrap() {
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let _ = std::fs::remove_dir_all(&env.dir);
}

/// The real OS keyring (Secret Service): CI runs the tests in a D-Bus session with an
/// unlocked gnome-keyring. Without one, the test fails under CI and skips elsewhere.
#[tokio::test]
async fn login_stores_tokens_in_the_real_keyring() {
    let env = setup("keyring").await;
    match login(&env, TokenStore::Keyring).await {
        Ok(email) => assert_eq!(email, "alex@example.com"),
        Err(e)
            if std::env::var_os("CI").is_none()
                && (e.contains("Secret Service") || e.contains("locked")) =>
        {
            eprintln!("skipped: {e}");
            return;
        }
        Err(e) => panic!("login into the keyring failed: {e}"),
    }
    let signed = Signed::load(&env.paths, None).unwrap();
    assert_eq!(signed.kind, TokenStore::Keyring);
    // Keyring calls block on D-Bus: off the async thread, as meetty itself does.
    let s = signed.clone();
    let stored = tokio::task::spawn_blocking(move || s.token())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.unwrap().token.refresh_token.is_some());
    assert!(
        !env.paths.data_dir.join("tokens").exists(),
        "nothing written to files"
    );
    let mut out = Vec::new();
    meetty::cli::logout::run(&env.paths, None, &mut out)
        .await
        .unwrap();
    let s = signed.clone();
    let key = client_secret_key(&env.sandbox.client_id());
    let (token, secret) =
        tokio::task::spawn_blocking(move || (s.token().unwrap(), s.store.get(&key).unwrap()))
            .await
            .unwrap();
    assert!(
        token.is_none(),
        "logout deleted the tokens from the keyring"
    );
    assert!(
        secret.is_none(),
        "the last logout deleted the client secret too"
    );
    let _ = std::fs::remove_dir_all(&env.dir);
}

#[tokio::test]
async fn doctor_passes_when_all_is_well_and_names_the_fix_when_the_api_is_off() {
    let env = setup("doctor").await;
    let root = env.sandbox.root_url();
    let mut out = Vec::new();
    let before = meetty::cli::doctor::run(&env.paths, None, &root, &mut out).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(
        before.is_err() && text.contains("FAIL  account: not signed in: run meetty login"),
        "{text}"
    );

    login(&env, TokenStore::File).await.unwrap();
    let mut out = Vec::new();
    let healthy = meetty::cli::doctor::run(&env.paths, None, &root, &mut out).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(healthy.is_ok(), "{text}");
    for check in [
        "config",
        "account",
        "token store",
        "client secret",
        "clock",
        "token refresh",
        "Calendar API",
    ] {
        assert!(
            text.contains(&format!("ok    {check}:")),
            "{check} missing from:\n{text}"
        );
    }

    env.sandbox.inject(
        meetty::sandbox::Fault::status(403)
            .reason("accessNotConfigured")
            .on("GET", "calendarList"),
    );
    let mut out = Vec::new();
    let broken = meetty::cli::doctor::run(&env.paths, None, &root, &mut out).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(broken.is_err());
    assert!(
        text.contains("FAIL  Calendar API: the Google Calendar API is not enabled")
            && text.contains("calendar-json.googleapis.com"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&env.dir);
}

/// The `POST /token` refresh grants the sandbox received.
fn refreshes(sandbox: &Sandbox) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.path == "/token" && form(r, "grant_type") == Some("refresh_token"))
        .count()
}

/// Issue 15: the agenda lists its calendars in parallel; when the access token runs out, by
/// the clock or by Google's 401, they share one refresh, and a revoked grant costs one
/// `invalid_grant`, not one per request, nor one per later refresh until a new sign-in.
#[tokio::test]
async fn parallel_requests_share_one_token_refresh_and_one_invalid_grant() {
    use meetty::calendar::client::CalendarSelection;
    use meetty::calendar::sync::SyncRequest;
    let env = setup("single-flight").await;
    login(&env, TokenStore::File).await.unwrap();
    let session = Signed::load(&env.paths, None)
        .unwrap()
        .session()
        .await
        .unwrap();
    let client = CalendarClient::new(&env.sandbox.root_url(), session);
    let now = chrono::Utc::now();
    let week = SyncRequest {
        from: now,
        to: now + chrono::TimeDelta::days(7),
        reread_calendars: false,
    };
    let all = CalendarSelection::SelectedInGoogle;
    let listings = |sandbox: &Sandbox| {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/events"))
            .count()
    };
    env.sandbox.clear_requests();
    let mut synced = client.sync(None, &all, week).await.unwrap();
    assert_eq!(listings(&env.sandbox), 2, "two calendars are listed");

    // Google refuses the token (401) on both listings at once: one refresh, both retried.
    env.sandbox
        .set_access_token_lifetime(std::time::Duration::from_secs(30));
    env.sandbox.expire_access_tokens();
    env.sandbox.clear_requests();
    synced = client.sync(Some(&synced), &all, week).await.unwrap();
    assert_eq!(refreshes(&env.sandbox), 1, "{:#?}", env.sandbox.requests());
    assert_eq!(listings(&env.sandbox), 4, "two 401s, two retries");

    // The new token lives 30 s, so the client sees it as expired by the clock: one refresh.
    env.sandbox.clear_requests();
    synced = client.sync(Some(&synced), &all, week).await.unwrap();
    assert_eq!(refreshes(&env.sandbox), 1, "{:#?}", env.sandbox.requests());
    assert_eq!(listings(&env.sandbox), 2);

    // The grant is revoked: one invalid_grant for both listings, and none on the next refresh.
    env.sandbox.revoke_refresh_tokens();
    env.sandbox.clear_requests();
    for _ in 0..2 {
        let err = client.sync(Some(&synced), &all, week).await.unwrap_err();
        assert!(
            matches!(&err, ApiError::SignIn(m) if m.contains("invalid_grant")),
            "{err:?}"
        );
    }
    let token_posts = find(&env.sandbox.requests(), "POST", "/token").len();
    assert_eq!(token_posts, 1, "{:#?}", env.sandbox.requests());
    assert_eq!(listings(&env.sandbox), 0);

    // A new sign-in stores a new grant: the same session (the TUI keeps it) works again.
    login_with(&env, Some(TokenStore::File), Some("alex@example.com"), true)
        .await
        .unwrap();
    client.sync(Some(&synced), &all, week).await.unwrap();
    let _ = std::fs::remove_dir_all(&env.dir);
}

/// What the login prints, readable by the user pasting into it.
#[derive(Clone, Default)]
struct Screen(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Screen {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The user at `meetty login --no-browser`: opens the printed URL in a browser, and pastes
/// the address of another sign-in, then text that is no address, then a mistyped code, and
/// only then the address the browser ended on.
struct PastingUser {
    screen: Screen,
    pastes: std::collections::VecDeque<fn(&str) -> String>,
    line: std::io::Cursor<Vec<u8>>,
}

impl Read for PastingUser {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.line.position() as usize == self.line.get_ref().len() {
            let Some(paste) = self.pastes.pop_front() else {
                return Ok(0);
            };
            let text = self.screen.text();
            let url = text
                .split_whitespace()
                .find(|w| w.contains("/o/oauth2/v2/auth?"))
                .expect("the login printed the URL to open");
            let (status, location) = get(url);
            assert_eq!(status, 302, "the sandbox consents and redirects");
            self.line = std::io::Cursor::new(format!("{}\n", paste(&location.unwrap())).into());
        }
        self.line.read(buf)
    }
}

/// Issue 15: one wrong paste does not end `meetty login --no-browser`: each is explained and
/// the login asks again, and the right address then signs in.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_pastes_are_explained_and_the_login_asks_again() {
    let env = setup("paste").await;
    let screen = Screen::default();
    let other_sign_in: fn(&str) -> String = |real| {
        let mut url = url::Url::parse(real).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| match &*k {
                "state" => (k.into_owned(), "another-sign-in".to_string()),
                _ => (k.into_owned(), v.into_owned()),
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url.into()
    };
    let mut user = std::io::BufReader::new(PastingUser {
        screen: screen.clone(),
        pastes: [
            other_sign_in,
            |_| "I clicked Allow".to_string(),
            |_| "4/0Ab-mistyped".to_string(),
            |real| real.to_string(),
        ]
        .into(),
        line: Default::default(),
    });
    let opts = LoginOptions {
        credentials: Some(env.credentials.clone()),
        account: None,
        token_store: Some(TokenStore::File),
        api_root: env.sandbox.root_url(),
        renew: false,
    };
    let email = meetty::session::sign_in::run(
        &env.paths,
        opts,
        Finish::Paste(&mut user),
        &mut screen.clone(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", screen.text()));
    assert_eq!(email, "alex@example.com");
    let text = screen.text();
    for why in [
        "that URL is from another sign-in",
        "that is neither the address the browser ended on nor a code",
        "Google refused that code (Malformed auth code.)",
    ] {
        assert!(text.contains(why), "{why:?} missing from:\n{text}");
    }
    assert_eq!(text.matches("again:").count(), 3, "{text}");
    let requests = env.sandbox.requests();
    let exchanged: Vec<&str> = requests
        .iter()
        .filter(|r| form(r, "grant_type") == Some("authorization_code"))
        .filter_map(|r| form(r, "code"))
        .collect();
    assert_eq!(exchanged.len(), 2, "the mistyped code, then the real one");
    assert_eq!(exchanged[0], "4/0Ab-mistyped");
    let _ = std::fs::remove_dir_all(&env.dir);
}
