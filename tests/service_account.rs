//! Service accounts end to end: the real `meetty` binary signs in with a service-account key
//! against the sandbox's JWT bearer grant over real HTTP, as a Workspace user through
//! domain-wide delegation (`sub`) or as the service account itself, and the calendar it then
//! reads is that user's. Google's refusals reach the user as fixes, a key file others can
//! read is refused, tokens are kept between commands and renewed with a newly signed
//! assertion, and no key, assertion or token reaches the log, stdout or stderr.
//!
//! One test uses the real Secret Service (run under `dbus-run-session` with an unlocked
//! gnome-keyring, as `.ci/test` does; see `tests/keyring_store.rs`).

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use meetty::auth::accounts::{Accounts, TokenStore};
use meetty::auth::client::SCOPES;
use meetty::auth::store::{service_account_key, SecretStore, StoreError};
use meetty::calendar::client::CalendarClient;
use meetty::sandbox::{RecordedRequest, Sandbox, Seed};
use meetty::session::{LazySession, Signed};
use serde_json::{json, Value};

mod common;

const BOT: &str = "booking-bot@meetty-tests.iam.gserviceaccount.com";
const BOT_ID: &str = "104729384756102938475";
/// Users of the sandbox's Workspace domain (`example.com`), which delegates to the bot.
const SAM: &str = "sam@example.com";
const KIM: &str = "kim@example.com";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

struct Env {
    sandbox: Sandbox,
    dir: PathBuf,
    key_file: PathBuf,
    /// The keyring service for this test (`MEETTY_KEYRING_SERVICE`).
    service: String,
}

/// A sandbox that knows the service account (its public key 1), a private home, and the key
/// file (signed with key `signing_key`) saved 0600 in it. With `delegate`, the Admin console
/// has granted domain-wide delegation for meetty's scopes.
async fn env(name: &str, signing_key: u8, delegate: bool) -> Env {
    let sandbox = common::sandbox(Seed::Empty).await;
    sandbox.register_service_account(BOT, BOT_ID, &common::service_account_pem(1));
    if delegate {
        sandbox.grant_delegation(BOT_ID, &SCOPES);
    }
    let dir = std::env::temp_dir().join(format!("meetty-sa-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("booking-bot-key.json");
    write_private(
        &key_file,
        &common::service_account_json(&sandbox.token_url(), BOT, BOT_ID, signing_key),
    );
    let service = format!("meetty-test-sa-{name}-{}", std::process::id());
    Env {
        sandbox,
        dir,
        key_file,
        service,
    }
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

impl Env {
    /// `meetty ARGS` as a new process in the private home, against the sandbox, with no
    /// fixed token: only the sign-in gives it access.
    async fn run(&self, args: &[&str]) -> Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_meetty"));
        common::in_home(&mut command, &self.dir)
            .env("MEETTY_API_ROOT", self.sandbox.root_url())
            .env("MEETTY_KEYRING_SERVICE", &self.service)
            .env_remove("MEETTY_ACCESS_TOKEN")
            .args(args);
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    }

    async fn login(&self, extra: &[&str]) -> Output {
        let key = self.key_file.to_str().unwrap();
        let mut args = vec!["login", "--service-account", key];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    fn paths(&self) -> meetty::config::Paths {
        common::home_paths(&self.dir)
    }

    fn accounts(&self) -> Accounts {
        Accounts::load(&self.paths().accounts_file()).unwrap()
    }

    /// The titles of `account`'s agenda for the next two days, as `agenda --json` has it.
    async fn titles(&self, account: &str) -> Vec<String> {
        let out = self
            .run(&[
                "--account",
                account,
                "agenda",
                "--all",
                "--json",
                "--days",
                "2",
            ])
            .await;
        assert!(out.status.success(), "{}", text(&out));
        let items: Value = serde_json::from_slice(&out.stdout).unwrap();
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap().to_string())
            .collect()
    }

    fn token_requests(&self) -> Vec<RecordedRequest> {
        common::sent(&self.sandbox, "POST", "/token")
    }

    /// Nothing secret in the log: not the private key, no assertion, no access token.
    fn assert_no_secret_in(&self, outputs: &[&Output]) {
        let log = std::fs::read_to_string(self.paths().log_file()).unwrap_or_default();
        let mut texts: Vec<String> = outputs.iter().map(|o| text(o)).collect();
        texts.push(log);
        let mut secrets: Vec<String> = Vec::new();
        for key in [1, 2] {
            let pem = common::service_account_pem(key);
            secrets.extend(
                pem.lines()
                    .filter(|l| !l.starts_with("-----"))
                    .map(str::to_string),
            );
        }
        for r in self.token_requests() {
            if let Some(a) = r.body.as_ref().and_then(|b| b["assertion"].as_str()) {
                secrets.push(a.to_string());
                // Each part alone, the signature above all.
                secrets.extend(a.split('.').map(str::to_string));
            }
        }
        for r in self.sandbox.requests() {
            if let Some(token) = r
                .authorization
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer "))
            {
                secrets.push(token.to_string());
            }
        }
        for secret in secrets.iter().filter(|s| s.len() > 16) {
            for t in &texts {
                assert!(!t.contains(secret.as_str()), "a secret leaked into: {t}");
            }
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The claims of a JWT assertion (base64url, with or without padding).
fn claims(assertion: &str) -> Value {
    let part = assertion.split('.').nth(1).unwrap().trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn assertion(r: &RecordedRequest) -> String {
    let body = r.body.as_ref().expect("a form body");
    assert_eq!(body["grant_type"], JWT_BEARER, "{body}");
    body["assertion"].as_str().unwrap().to_string()
}

/// A meeting tomorrow at 10:00 Berlin time in `user`'s primary calendar.
fn meeting_for(sandbox: &Sandbox, user: &str, title: &str) {
    let day = (chrono::Utc::now() + chrono::TimeDelta::days(1))
        .format("%Y-%m-%d")
        .to_string();
    sandbox
        .with_user_store(user, |s| {
            s.put_event(
                "primary",
                json!({
                    "summary": title,
                    "start": {"dateTime": format!("{day}T10:00:00+01:00"), "timeZone": "Europe/Berlin"},
                    "end": {"dateTime": format!("{day}T10:30:00+01:00"), "timeZone": "Europe/Berlin"},
                }),
            )
        })
        .unwrap();
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subjects_sign_in_side_by_side_and_each_sees_their_own_calendar() {
    let e = env("subjects", 1, true).await;
    meeting_for(&e.sandbox, SAM, "Sam's standup");
    meeting_for(&e.sandbox, KIM, "Kim's review");

    let sam = e.login(&["--subject", SAM, "--token-store", "file"]).await;
    assert!(sam.status.success(), "{}", text(&sam));
    let said = String::from_utf8_lossy(&sam.stdout);
    assert!(
        said.contains(&format!("{SAM} via service account {BOT}")),
        "{said}"
    );
    let tokens = e.paths().data_dir.join("tokens");
    assert_eq!(
        files_in(&tokens),
        [format!("service-account-key%3A{BOT}")],
        "only the key is stored, in the file store"
    );

    // The assertion on the wire: Google's claims, acting as Sam.
    let reqs = e.token_requests();
    assert_eq!(reqs.len(), 1, "one token for the login's check");
    let c = claims(&assertion(&reqs[0]));
    assert_eq!(c["iss"], BOT);
    assert_eq!(c["sub"], SAM);
    assert_eq!(c["aud"], e.sandbox.token_url().as_str());
    assert_eq!(c["scope"], SCOPES.join(" ").as_str());
    let lifetime = c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap();
    assert!((1..=3600).contains(&lifetime), "{c}");

    // The global --account names the subject too; both are signed in side by side.
    let kim = e
        .run(&[
            "--account",
            KIM,
            "login",
            "--service-account",
            e.key_file.to_str().unwrap(),
            "--token-store",
            "file",
        ])
        .await;
    assert!(kim.status.success(), "{}", text(&kim));
    let accounts = e.accounts();
    assert_eq!(accounts.service_account(SAM), Some(BOT));
    assert_eq!(accounts.service_account(KIM), Some(BOT));
    assert_eq!(accounts.accounts.get(SAM), Some(&TokenStore::File));

    // Each account reads its own calendar: the token acts as its subject.
    e.sandbox.clear_requests();
    assert_eq!(e.titles(SAM).await, ["Sam's standup"]);
    let used = common::sent(&e.sandbox, "GET", "/calendar/v3/");
    let token = used[0].authorization.as_deref().unwrap();
    let token = token.strip_prefix("Bearer ").unwrap();
    assert_eq!(e.sandbox.token_user(token).as_deref(), Some(SAM));
    assert_eq!(e.titles(KIM).await, ["Kim's review"]);

    let status = e.run(&["--account", SAM, "status"]).await;
    assert!(status.status.success(), "{}", text(&status));
    let shown = String::from_utf8_lossy(&status.stdout);
    assert!(
        shown.contains(&format!("{SAM} via service account {BOT}")),
        "{shown}"
    );
    assert!(shown.contains(&format!("client ID {BOT_ID}")), "{shown}");
    let doctor = e.run(&["--account", KIM, "doctor"]).await;
    assert!(doctor.status.success(), "{}", text(&doctor));

    // Signing Sam out leaves Kim working with the same key; signing Kim out deletes it.
    let out = e.run(&["--account", SAM, "logout"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(e.titles(KIM).await, ["Kim's review"]);
    assert!(files_in(&tokens)
        .iter()
        .any(|f| f.contains("service-account-key")));
    let last = e.run(&["--account", KIM, "logout"]).await;
    assert!(last.status.success(), "{}", text(&last));
    assert!(
        !files_in(&tokens)
            .iter()
            .any(|f| f.contains("service-account-key")),
        "{:?}",
        files_in(&tokens)
    );
    assert!(e.accounts().accounts.is_empty());

    e.assert_no_secret_in(&[&sam, &kim, &status, &doctor, &out, &last]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_subject_it_acts_as_the_service_account_and_says_what_that_means() {
    let e = env("itself", 1, false).await;
    let out = e.login(&["--token-store", "file"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("service account itself"), "{said}");
    assert!(
        said.contains("no person sees") && said.contains("--subject"),
        "{said}"
    );
    let c = claims(&assertion(&e.token_requests()[0]));
    assert_eq!(c["iss"], BOT);
    assert!(c.get("sub").is_none_or(Value::is_null), "no sub: {c}");
    assert_eq!(e.accounts().service_account(BOT), Some(BOT));
    assert!(e.titles(BOT).await.is_empty(), "its own calendar is empty");
    assert!(
        said.contains("guests"),
        "the login says it cannot invite: {said}"
    );

    // Google refuses guests from a service account acting as itself; meetty says what to do.
    let invite = e
        .run(&["new", "--title", "Invite", "--start", "+2h", "--with", SAM])
        .await;
    assert!(!invite.status.success(), "{}", text(&invite));
    let err = String::from_utf8_lossy(&invite.stderr);
    assert!(err.contains("forbiddenForServiceAccounts"), "{err}");
    assert!(
        err.contains("domain-wide delegation") && err.contains("--subject"),
        "{err}"
    );
    assert!(e.titles(BOT).await.is_empty(), "nothing was made");
    e.assert_no_secret_in(&[&out, &invite]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_delegation_is_explained_for_the_admin_and_nothing_is_stored() {
    let e = env("no-delegation", 1, false).await;
    let out = e.login(&["--subject", SAM, "--token-store", "file"]).await;
    assert!(!out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("unauthorized_client"), "{said}");
    assert!(said.contains("domain-wide delegation"), "{said}");
    assert!(
        said.contains("Security > Access and data control > API controls"),
        "{said}"
    );
    assert!(said.contains(&format!("client ID {BOT_ID}")), "{said}");
    for scope in SCOPES {
        assert!(said.contains(scope), "names {scope}: {said}");
    }
    assert!(!e.paths().accounts_file().exists());
    assert!(files_in(&e.paths().data_dir.join("tokens")).is_empty());
    e.assert_no_secret_in(&[&out]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_google_does_not_know_is_explained_and_nothing_is_stored() {
    // Signed with key 2 while Cloud Console holds key 1: the signature does not verify.
    let e = env("bad-signature", 2, true).await;
    let out = e.login(&["--subject", SAM, "--token-store", "file"]).await;
    assert!(!out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("invalid_grant"), "{said}");
    assert!(said.contains("Keys") && said.contains("`date`"), "{said}");
    assert!(said.contains("Nothing was stored"), "{said}");
    assert!(!e.paths().accounts_file().exists());
    assert!(files_in(&e.paths().data_dir.join("tokens")).is_empty());
    e.assert_no_secret_in(&[&out]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subject_outside_the_domain_is_explained_and_nothing_is_stored() {
    let e = env("outsider", 1, true).await;
    let out = e
        .login(&["--subject", "sam@gmail.com", "--token-store", "file"])
        .await;
    assert!(!out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("unauthorized_client"), "{said}");
    assert!(
        said.contains("sam@gmail.com is not a user of the Workspace domain"),
        "{said}"
    );
    assert!(!e.paths().accounts_file().exists());
    e.assert_no_secret_in(&[&out]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_api_not_enabled_names_the_service_accounts_project() {
    let e = env("api-off", 1, true).await;
    e.sandbox.inject(
        meetty::sandbox::Fault::status(403)
            .reason("accessNotConfigured")
            .on("GET", "calendarList"),
    );
    let out = e.login(&["--subject", SAM, "--token-store", "file"]).await;
    assert!(!out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("not enabled in the service account's Cloud project (meetty-tests)")
            && said.contains("calendar-json.googleapis.com?project=meetty-tests"),
        "{said}"
    );
    assert!(!e.paths().accounts_file().exists());
    assert!(files_in(&e.paths().data_dir.join("tokens")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_file_others_can_read_is_refused_before_anything_is_sent() {
    use std::os::unix::fs::PermissionsExt;
    let e = env("mode", 1, true).await;
    std::fs::set_permissions(&e.key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = e.login(&["--subject", SAM, "--token-store", "file"]).await;
    assert!(!out.status.success(), "{}", text(&out));
    let key = e.key_file.display();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "{key} can be read by other users (mode 0644): run chmod 600 {key} and try again"
        )),
        "{}",
        text(&out)
    );
    assert!(e.token_requests().is_empty());
    assert!(!e.paths().accounts_file().exists());
    assert!(files_in(&e.paths().data_dir.join("tokens")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_replaced_by_signing_a_new_assertion() {
    let e = env("renew", 1, true).await;
    meeting_for(&e.sandbox, SAM, "Sam's standup");
    let out = e.login(&["--subject", SAM, "--token-store", "file"]).await;
    assert!(out.status.success(), "{}", text(&out));
    e.sandbox.clear_requests();

    // A long-lived session (the TUI, watch, serve): the account as meetty loads it.
    let signed = Signed::load(&e.paths(), Some(SAM)).unwrap();
    let client = CalendarClient::new(&e.sandbox.root_url(), LazySession::new(signed));
    client.calendars().await.unwrap();
    client.calendars().await.unwrap();
    let first = e.token_requests();
    assert_eq!(first.len(), 1, "the token is reused until it expires");
    let first = assertion(&first[0]);
    // It is kept in the account's store: the next command needs no new assertion.
    assert_eq!(e.titles(SAM).await, ["Sam's standup"]);
    assert_eq!(e.token_requests().len(), 1, "the stored token was used");

    // Assertions carry `iat` in seconds: a new one differs once a second has passed.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    e.sandbox.expire_access_tokens();
    let calendars = client.calendars().await.unwrap();
    assert!(calendars.iter().any(|c| c.primary && c.id == SAM));
    let all = e.token_requests();
    assert_eq!(all.len(), 2, "one new token for the refused one");
    let second = assertion(&all[1]);
    assert_ne!(second, first, "a newly signed assertion");
    assert!(claims(&second)["iat"].as_i64() > claims(&first)["iat"].as_i64());
    assert_eq!(claims(&second)["sub"], SAM);
    assert!(all[1].body.as_ref().unwrap().get("refresh_token").is_none());
    e.assert_no_secret_in(&[&out]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_sign_in_dialog_points_to_the_login_command() {
    let ctx = meetty::session::sign_in::SignInContext {
        paths: common::home_paths(Path::new("/nonexistent")),
        account: SAM.into(),
        token_store: TokenStore::File,
        api_root: "http://127.0.0.1:9/".into(),
        service_account: Some(BOT.into()),
    };
    let mut said = Vec::new();
    let e = meetty::session::sign_in::again(ctx, &mut said)
        .await
        .unwrap_err();
    assert!(
        e.contains(&format!(
            "meetty login --service-account KEY.json --subject {SAM}"
        )),
        "{e}"
    );
    assert!(said.is_empty(), "no browser sign-in started");
}

/// The key in the real Secret Service: stored there, not in a file, and gone after logout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_kept_in_the_os_keyring_by_default() {
    let e = env("keyring", 1, true).await;
    let keyring = SecretStore::keyring(&e.service);
    let probe = keyring.clone();
    match tokio::task::spawn_blocking(move || probe.get("probe"))
        .await
        .unwrap()
    {
        Ok(_) => {}
        Err(err @ StoreError::Unavailable(_)) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but the keyring is unreachable: {err}");
            }
            eprintln!("skipping: no keyring reachable ({err})");
            return;
        }
        Err(err) => panic!("keyring probe failed: {err}"),
    }
    // Deletes the key even when an assertion below fails.
    let _forget = common::Forget::new(&keyring, &service_account_key(BOT));
    meeting_for(&e.sandbox, SAM, "Sam's standup");
    let out = e.login(&["--subject", SAM]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("OS keyring"));
    assert_eq!(e.accounts().accounts.get(SAM), Some(&TokenStore::Keyring));
    assert!(files_in(&e.paths().data_dir.join("tokens")).is_empty());
    let (k, name) = (keyring.clone(), service_account_key(BOT));
    let stored = tokio::task::spawn_blocking(move || k.get(&name))
        .await
        .unwrap()
        .unwrap()
        .expect("the key is in the keyring");
    assert!(stored.contains(BOT) && stored.contains("PRIVATE KEY"));
    assert_eq!(e.titles(SAM).await, ["Sam's standup"]);

    let gone = e.run(&["logout"]).await;
    assert!(gone.status.success(), "{}", text(&gone));
    let (k, name) = (keyring, service_account_key(BOT));
    let left = tokio::task::spawn_blocking(move || k.get(&name))
        .await
        .unwrap();
    assert_eq!(left, Ok(None));
    e.assert_no_secret_in(&[&out, &gone]);
}
