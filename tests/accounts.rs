//! Two Google accounts in one sandbox, the work one ([`ACCOUNT`]) and the same person's personal
//! Gmail ([`PERSONAL_ACCOUNT`]): signing in as either through the browser flow (`login_hint`
//! picks the user, as Google's account chooser would), each token acting for its own user only,
//! one user's revocation leaving the other's grant working, and the real binary signing both in.

use common::{http, Response};
use meetty::sandbox::{Sandbox, ACCOUNT, CLIMBING_CALENDAR, FAMILY_CALENDAR, PERSONAL_ACCOUNT};
use serde_json::Value;

mod common;

const REDIRECT: &str = "http://127.0.0.1:53682/";
const CALENDAR_SCOPES: &str = "https://www.googleapis.com/auth/calendar.events \
                               https://www.googleapis.com/auth/calendar.calendarlist.readonly";

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The browser step: the authorize URL with `login_hint` (when given) and the code Google
/// redirects back with.
async fn authorize(sandbox: &Sandbox, login_hint: Option<&str>, scope: &str) -> String {
    let mut pairs = vec![
        ("client_id", sandbox.client_id()),
        ("redirect_uri", REDIRECT.to_string()),
        ("response_type", "code".into()),
        ("scope", scope.to_string()),
        ("access_type", "offline".into()),
    ];
    if let Some(hint) = login_hint {
        pairs.push(("login_hint", hint.to_string()));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = format!("{}?{}", sandbox.auth_url(), form(&pairs));
    let answer = http("GET", &url, &[], "").await;
    assert_eq!(answer.status, 302, "{}", answer.text());
    let location = answer.headers["location"].to_str().unwrap();
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {location}"))
}

async fn token(sandbox: &Sandbox, pairs: &[(&str, &str)]) -> Response {
    let secret = sandbox.client_secret();
    let id = sandbox.client_id();
    let mut all = vec![
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    all.extend_from_slice(pairs);
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    http("POST", &sandbox.token_url(), &headers, &form(&all)).await
}

/// Signs in at the browser as `login_hint`'s user (the seeded account without one) and
/// trades the code: the token endpoint's answer.
async fn sign_in(sandbox: &Sandbox, login_hint: Option<&str>, scope: &str) -> Value {
    let code = authorize(sandbox, login_hint, scope).await;
    let answer = token(
        sandbox,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

async fn refresh(sandbox: &Sandbox, refresh_token: &str) -> Response {
    let pairs = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    token(sandbox, &pairs).await
}

/// `calendarList.list` with `access_token`: the status and the calendar ids.
async fn calendars(sandbox: &Sandbox, access_token: &str) -> (u16, Vec<String>) {
    let url = format!("{}users/me/calendarList", sandbox.base_url());
    let bearer = format!("Bearer {access_token}");
    let answer = http("GET", &url, &[("authorization", &bearer)], "").await;
    let ids = answer.json()["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (answer.status, ids)
}

/// The claims of an ID token (the sandbox's signature is a placeholder; only the claims count).
fn claims(id_token: &str) -> Value {
    use base64::Engine;
    let part = id_token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn access(answer: &Value) -> String {
    answer["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn login_hint_signs_in_as_that_user_and_every_token_of_the_grant_acts_for_them() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    let scope = format!("openid email {CALENDAR_SCOPES}");

    let personal = sign_in(&sandbox, Some(PERSONAL_ACCOUNT), &scope).await;
    let id = claims(personal["id_token"].as_str().unwrap());
    assert_eq!(id["email"], PERSONAL_ACCOUNT);
    let (status, ids) = calendars(&sandbox, &access(&personal)).await;
    assert_eq!(status, 200);
    // meetty learns who signed in from the primary calendar, whose id is the address.
    assert_eq!(ids, [PERSONAL_ACCOUNT, FAMILY_CALENDAR, CLIMBING_CALENDAR]);
    let renewed = refresh(&sandbox, personal["refresh_token"].as_str().unwrap()).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text());
    let renewed = renewed.json();
    assert_eq!(
        sandbox.token_user(&access(&renewed)).as_deref(),
        Some(PERSONAL_ACCOUNT)
    );
    assert_eq!(
        claims(renewed["id_token"].as_str().unwrap())["email"],
        PERSONAL_ACCOUNT
    );

    // Without a hint the person at the browser is the seeded account; a hint's case does
    // not make another user.
    let work = sign_in(&sandbox, None, &scope).await;
    let work_id = claims(work["id_token"].as_str().unwrap());
    assert_eq!(work_id["email"], ACCOUNT);
    assert_ne!(
        work_id["sub"], id["sub"],
        "each user has their own Google id"
    );
    assert_eq!(calendars(&sandbox, &access(&work)).await.1[0], ACCOUNT);
    let shouted = sign_in(&sandbox, Some("Alex.Rivera@Gmail.com"), &scope).await;
    assert_eq!(
        sandbox.token_user(&access(&shouted)).as_deref(),
        Some(PERSONAL_ACCOUNT)
    );
    assert!(
        shouted.get("refresh_token").is_none(),
        "the same user's second consent, unforced, gives no new refresh token"
    );
}

#[tokio::test]
async fn each_user_consents_and_revokes_on_their_own() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    // The work account's first consent gives a refresh token; the personal one's first
    // consent does too, though the work account consented before it.
    let work = sign_in(&sandbox, Some(ACCOUNT), CALENDAR_SCOPES).await;
    let personal = sign_in(&sandbox, Some(PERSONAL_ACCOUNT), CALENDAR_SCOPES).await;
    let work_refresh = work["refresh_token"].as_str().unwrap();
    let personal_refresh = personal["refresh_token"].as_str().unwrap();

    // The personal account signs out: its grant ends, the work one's goes on.
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let body = form(&[("token", personal_refresh)]);
    let revoked = http("POST", &sandbox.revoke_url(), &headers, &body).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    let refused = refresh(&sandbox, personal_refresh).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["error"], "invalid_grant");
    assert_eq!(calendars(&sandbox, &access(&personal)).await.0, 401);
    assert_eq!(calendars(&sandbox, &access(&work)).await.0, 200);
    assert_eq!(refresh(&sandbox, work_refresh).await.status, 200);

    // Signing in again is a first consent for the personal account only.
    let again = sign_in(&sandbox, Some(PERSONAL_ACCOUNT), CALENDAR_SCOPES).await;
    assert!(again["refresh_token"].is_string(), "{again}");
    let work_again = sign_in(&sandbox, Some(ACCOUNT), CALENDAR_SCOPES).await;
    assert!(work_again.get("refresh_token").is_none(), "{work_again}");
}

#[tokio::test]
async fn a_user_removing_the_apps_access_ends_only_their_tokens() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    let work = sandbox.access_token_for(ACCOUNT);
    let personal = sandbox.access_token_for(PERSONAL_ACCOUNT);
    assert_eq!(work, sandbox.access_token(), "the seeded account's token");
    assert_eq!(
        personal,
        sandbox.access_token_for(PERSONAL_ACCOUNT),
        "stable"
    );
    let personal_refresh = sandbox.refresh_token_for(PERSONAL_ACCOUNT);

    sandbox.revoke_user(PERSONAL_ACCOUNT);
    assert_eq!(calendars(&sandbox, &personal).await.0, 401);
    assert_eq!(
        refresh(&sandbox, &personal_refresh).await.json()["error"],
        "invalid_grant"
    );
    assert_eq!(calendars(&sandbox, &work).await.0, 200);
    assert!(sandbox.is_refresh_token_valid(&sandbox.refresh_token()));
}

#[tokio::test]
async fn access_token_for_reaches_each_users_own_calendars_and_the_shared_event() {
    let sandbox = common::sandbox(common::demo_seed()).await;
    let other = "someone.else@gmail.com";
    let (status, ids) = calendars(&sandbox, &sandbox.access_token_for(other)).await;
    assert_eq!(
        (status, ids),
        (200, vec![other.to_string()]),
        "made on first use"
    );

    // The one event both accounts are invited to: one iCalUID, a copy on each primary
    // calendar, each copy's own entry its account's.
    let uid = sandbox.with_store(|s| {
        s.events(ACCOUNT)
            .into_iter()
            .find(|e| e["summary"] == "Jamie's farewell call")
            .map(|e| e["iCalUID"].as_str().unwrap().to_string())
            .unwrap()
    });
    for (user, answer) in [(ACCOUNT, "accepted"), (PERSONAL_ACCOUNT, "tentative")] {
        let url = format!(
            "{}calendars/primary/events?{}",
            sandbox.base_url(),
            form(&[("iCalUID", &uid)])
        );
        let bearer = format!("Bearer {}", sandbox.access_token_for(user));
        let listed = http("GET", &url, &[("authorization", &bearer)], "").await;
        assert_eq!(listed.status, 200, "{}", listed.text());
        let items = listed.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{user}: {items:?}");
        let own: Vec<&Value> = items[0]["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["self"] == true)
            .collect();
        assert_eq!(own.len(), 1, "{user}");
        assert_eq!(own[0]["email"], user);
        assert_eq!(own[0]["responseStatus"], answer);
    }
}

/// `meetty` as a new process against `sandbox` in the private home `dir`, with no token of
/// its own: it signs in, or uses the accounts it signed in before.
fn meetty_signed_out(sandbox: &Sandbox, dir: &std::path::Path) -> std::process::Command {
    let mut command = common::meetty_at(sandbox, dir);
    command.env_remove("MEETTY_ACCESS_TOKEN");
    command
}

/// `meetty --account EMAIL login --no-browser`, the user pasting back where the browser
/// landed after signing in as `email` (the sign-in URL carries `login_hint=EMAIL`).
async fn login_as(sandbox: &Sandbox, dir: &std::path::Path, email: &str) -> (bool, String) {
    use std::io::{BufRead, Read, Write};
    let credentials = dir.join("client_secret_sandbox.json");
    std::fs::write(&credentials, sandbox.credentials_json()).unwrap();
    let mut command = meetty_signed_out(sandbox, dir);
    command
        .args([
            "--account",
            email,
            "login",
            "--no-browser",
            "--token-store",
            "file",
        ])
        .arg("--credentials")
        .arg(&credentials)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let runtime = tokio::runtime::Handle::current();
    let email = email.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut said = String::new();
        let url = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("no sign-in URL in:\n{said}\n{err}");
            }
            said.push_str(&line);
            if line.contains("/o/oauth2/v2/auth?") {
                break line.trim().to_string();
            }
        };
        let hint = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "login_hint")
            .map(|(_, v)| v.into_owned());
        assert_eq!(hint.as_deref(), Some(email.as_str()), "{url}");
        let browser = runtime.block_on(http("GET", &url, &[], ""));
        assert_eq!(browser.status, 302, "{}", browser.text());
        let landed = browser.headers["location"].to_str().unwrap().to_string();
        writeln!(child.stdin.take().unwrap(), "{landed}").unwrap();
        stdout.read_to_string(&mut said).unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut said)
            .unwrap();
        (child.wait().unwrap().success(), said)
    })
    .await
    .unwrap()
}

/// `meetty ARGS` off the runtime's threads: success and stdout, or the failure with stderr.
async fn run(mut command: std::process::Command, args: &[&str]) -> String {
    command.args(args);
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The titles `agenda --json` lists.
fn titles(json: &str) -> Vec<String> {
    let items: Value = serde_json::from_str(json).unwrap();
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_signs_in_both_accounts_and_each_reads_its_own_calendars() {
    // The binary's agenda starts at the real now.
    let now = chrono::Utc::now();
    let sandbox = common::sandbox(meetty::sandbox::Seed::Demo {
        now,
        tz: common::tz(),
    })
    .await;
    let dir = std::env::temp_dir().join(format!("meetty-accounts-login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    for email in [ACCOUNT, PERSONAL_ACCOUNT] {
        let (ok, said) = login_as(&sandbox, &dir, email).await;
        assert!(ok, "{email}: {said}");
        assert!(said.contains(&format!("Signed in as {email}")), "{said}");
    }
    // Each sign-in's code was traded for tokens of its own user.
    let tokens: Vec<String> = sandbox
        .requests()
        .iter()
        .filter(|r| r.path.contains("calendarList"))
        .filter_map(|r| r.authorization.clone())
        .filter_map(|a| sandbox.token_user(a.trim_start_matches("Bearer ")))
        .collect();
    assert!(tokens.contains(&ACCOUNT.to_string()), "{tokens:?}");
    assert!(tokens.contains(&PERSONAL_ACCOUNT.to_string()), "{tokens:?}");

    let agenda = |email: &str| {
        let command = meetty_signed_out(&sandbox, &dir);
        let args = [
            "--account",
            email,
            "agenda",
            "--all",
            "--json",
            "--days",
            "7",
        ];
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            titles(&run(command, &args).await)
        }
    };
    let personal = agenda(PERSONAL_ACCOUNT).await;
    for title in ["Book club", "Flat viewing (video)", "Jamie's farewell call"] {
        assert!(personal.contains(&title.to_string()), "{personal:?}");
    }
    assert!(
        !personal.contains(&"Design review".to_string()),
        "{personal:?}"
    );
    let work = agenda(ACCOUNT).await;
    assert!(work.contains(&"Design review".to_string()), "{work:?}");
    assert!(!work.contains(&"Book club".to_string()), "{work:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_demo_accounts_links_and_passcodes_come_out_of_the_model() {
    use meetty::calendar::client::{CalendarClient, CalendarSelection};
    use meetty::calendar::links::Provider;
    let sandbox = common::sandbox(common::demo_seed()).await;
    let agenda_of = |user: &str| {
        let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token_for(user));
        async move {
            let (from, to) = (common::now(), common::now() + chrono::Duration::days(7));
            client
                .agenda(&CalendarSelection::SelectedInGoogle, from, to)
                .await
                .unwrap()
        }
    };
    let personal = agenda_of(PERSONAL_ACCOUNT).await;
    let find = |agenda: &meetty::calendar::model::Agenda, title: &str| {
        agenda
            .meetings
            .iter()
            .find(|m| m.title == title)
            .unwrap_or_else(|| panic!("no {title}"))
            .clone()
    };
    let book = find(&personal, "Book club");
    assert_eq!(book.video.as_ref().unwrap().provider, Provider::Zoom);
    let access = book.access.expect("the Zoom text's ID and passcode");
    assert_eq!(access.passcode.as_deref(), Some("9kL2mq"));
    let flat = find(&personal, "Flat viewing (video)");
    assert!(flat.video.unwrap().url.contains("teams.live.com/meet/"));
    let mum = find(&personal, "Video call with Mum");
    assert_eq!(mum.video.unwrap().provider, Provider::Jitsi);
    let insurance = find(&personal, "Insurance claim call");
    let dial_in: Vec<_> = insurance
        .video
        .iter()
        .chain(&insurance.other_links)
        .collect();
    assert!(dial_in.iter().any(|l| l.is_phone()), "{dial_in:?}");

    let work = agenda_of(ACCOUNT).await;
    let escalation = find(&work, "Globex escalation review");
    assert_eq!(escalation.video.unwrap().provider, Provider::Meet);
    assert!(
        escalation
            .other_links
            .iter()
            .any(|l| l.provider == Provider::Zoom),
        "{:?}",
        escalation.other_links
    );
}

/// A sandbox with the demo week around the real now (the binary's agenda starts there), and
/// a private home where the binary signed in both users, the personal one last (so the
/// default).
async fn both_signed_in(name: &str) -> (Sandbox, std::path::PathBuf) {
    let sandbox = common::sandbox(meetty::sandbox::Seed::Demo {
        now: chrono::Utc::now(),
        tz: common::tz(),
    })
    .await;
    let dir = std::env::temp_dir().join(format!("meetty-accounts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for email in [ACCOUNT, PERSONAL_ACCOUNT] {
        let (ok, said) = login_as(&sandbox, &dir, email).await;
        assert!(ok, "{email}: {said}");
    }
    (sandbox, dir)
}

/// `meetty ARGS` off the runtime's threads, however it ends.
async fn attempt(mut command: std::process::Command, args: &[&str]) -> std::process::Output {
    command.args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// `agenda --all --json` for the next week, as `meetty` (with `--account`, that account's
/// alone) lists it.
async fn week(sandbox: &Sandbox, dir: &std::path::Path, account: Option<&str>) -> Vec<Value> {
    let mut args = vec!["agenda", "--all", "--json", "--days", "7"];
    if let Some(account) = account {
        args.splice(0..0, ["--account", account]);
    }
    let json = run(meetty_signed_out(sandbox, dir), &args).await;
    serde_json::from_str::<Value>(&json)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// An event's identity in `agenda --json`: its id and start (a copy of an invitation on
/// another account's calendar has the same id, as Google gives every guest's copy).
fn key(item: &Value) -> (String, String) {
    (
        item["id"].as_str().unwrap().to_string(),
        item["start"].as_str().unwrap().to_string(),
    )
}

fn titled<'a>(items: &'a [Value], title: &str) -> Vec<&'a Value> {
    items.iter().filter(|m| m["title"] == title).collect()
}

/// An invitation from `organizer` to both users, `days` from now at 17:00 UTC, with the same
/// id and iCalUID on each user's primary calendar, as Google gives every guest's copy.
fn invite_both(sandbox: &Sandbox, id: &str, title: &str, days: i64) {
    let start = (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(17, 0, 0)
        .unwrap()
        .and_utc();
    let event = serde_json::json!({
        "id": id,
        "iCalUID": format!("{id}@example.com"),
        "summary": title,
        "location": "https://example.zoom.us/j/81234567890",
        "start": {"dateTime": start.to_rfc3339(), "timeZone": "UTC"},
        "end": {"dateTime": (start + chrono::Duration::hours(1)).to_rfc3339(), "timeZone": "UTC"},
        "organizer": {"email": "dana.white@example.org"},
        "attendees": [
            {"email": "dana.white@example.org", "organizer": true, "responseStatus": "accepted"},
            {"email": ACCOUNT, "responseStatus": "needsAction"},
            {"email": PERSONAL_ACCOUNT, "responseStatus": "needsAction"},
        ],
    });
    for user in [ACCOUNT, PERSONAL_ACCOUNT] {
        sandbox.with_user_store(user, |s| s.put_event(user, event.clone()).unwrap());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_merged_agenda_is_both_accounts_events_with_each_shared_one_once() {
    let (sandbox, dir) = both_signed_in("merged").await;
    invite_both(&sandbox, "offsite2026shared", "Cross-team offsite", 1);

    let work = week(&sandbox, &dir, Some(ACCOUNT)).await;
    let personal = week(&sandbox, &dir, Some(PERSONAL_ACCOUNT)).await;
    let merged = week(&sandbox, &dir, None).await;

    let union: std::collections::BTreeSet<_> = work.iter().chain(&personal).map(key).collect();
    assert!(
        union.len() < work.len() + personal.len(),
        "the accounts share events: {union:?}"
    );
    let listed: Vec<_> = merged.iter().map(key).collect();
    let distinct: std::collections::BTreeSet<_> = listed.iter().cloned().collect();
    assert_eq!(listed.len(), distinct.len(), "each event once: {listed:?}");
    assert_eq!(distinct, union);

    // Each item names the account whose calendar it is on.
    for (title, account) in [("Design review", ACCOUNT), ("Book club", PERSONAL_ACCOUNT)] {
        let found = titled(&merged, title);
        assert!(!found.is_empty(), "no {title}");
        assert!(found.iter().all(|m| m["account"] == account), "{found:?}");
        assert!(
            found.iter().all(|m| m.get("accounts").is_none()),
            "{found:?}"
        );
    }
    // The shared ones name both.
    for title in ["Cross-team offsite", "Jamie's farewell call"] {
        let found = titled(&merged, title);
        assert_eq!(found.len(), 1, "{title}: {found:?}");
        let mut on: Vec<&str> = found[0]["accounts"]
            .as_array()
            .unwrap_or_else(|| panic!("{title} names no accounts: {}", found[0]))
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        on.sort_unstable();
        assert_eq!(on, [PERSONAL_ACCOUNT, ACCOUNT], "{title}");
    }
    // With one account (`--account`), the item names that account and no others.
    let alone = titled(&work, "Cross-team offsite");
    assert_eq!(alone.len(), 1);
    assert_eq!(alone[0]["account"], ACCOUNT);
    assert!(alone[0].get("accounts").is_none(), "{}", alone[0]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_account_is_named_and_the_other_one_still_refreshes() {
    let (sandbox, dir) = both_signed_in("revoked").await;
    // Both accounts' parts are cached.
    let before = week(&sandbox, &dir, None).await;
    assert!(!titled(&before, "Book club").is_empty(), "{before:?}");

    sandbox.revoke_user(PERSONAL_ACCOUNT);
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    sandbox.with_user_store(ACCOUNT, |s| {
        let event = serde_json::json!({
            "summary": "Fresh escalation",
            "location": "https://meet.google.com/abc-mnop-xyz",
            "start": {"dateTime": start.to_rfc3339(), "timeZone": "UTC"},
            "end": {"dateTime": (start + chrono::Duration::minutes(30)).to_rfc3339(), "timeZone": "UTC"},
        });
        s.put_event(ACCOUNT, event).unwrap()
    });

    let args = ["agenda", "--all", "--json", "--days", "7"];
    let out = attempt(meetty_signed_out(&sandbox, &dir), &args).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "one account still works: {stderr}");
    let listed = titles(&stdout);
    assert!(listed.contains(&"Fresh escalation".into()), "{listed:?}");
    assert!(listed.contains(&"Design review".into()), "{listed:?}");
    assert!(!listed.contains(&"Book club".into()), "{listed:?}");
    assert!(
        stderr.contains(&format!("{PERSONAL_ACCOUNT}: sign-in needed"))
            && stderr.contains(&format!("meetty login --account {PERSONAL_ACCOUNT}")),
        "{stderr}"
    );
    assert!(!stderr.contains(&format!("{ACCOUNT}:")), "{stderr}");

    // Both revoked: nothing to list, and the exit status says so.
    sandbox.revoke_user(ACCOUNT);
    let out = attempt(meetty_signed_out(&sandbox, &dir), &args).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for account in [ACCOUNT, PERSONAL_ACCOUNT] {
        assert!(
            stderr.contains(&format!("meetty login --account {account}")),
            "{stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The user whose token authorized each request to `method` on a path with `path` in it.
fn senders(sandbox: &Sandbox, method: &str, path: &str) -> Vec<Option<String>> {
    common::sent(sandbox, method, path)
        .iter()
        .map(|r| {
            let bearer = r.authorization.as_deref()?;
            sandbox.token_user(bearer.trim_start_matches("Bearer "))
        })
        .collect()
}

/// A script acts on a merged agenda's meeting through the account its `account` names:
/// each change reaches Google with that account's token.
#[tokio::test(flavor = "multi_thread")]
async fn each_change_goes_out_with_the_token_of_the_account_the_agenda_names() {
    let (sandbox, dir) = both_signed_in("writes").await;
    invite_both(&sandbox, "retro2026shared", "Joint retro", 2);
    let merged = week(&sandbox, &dir, None).await;

    for account in [ACCOUNT, PERSONAL_ACCOUNT] {
        let mine = merged
            .iter()
            .find(|m| m["account"] == account && m["organizer"] == account)
            .unwrap_or_else(|| panic!("{account} organizes nothing: {merged:?}"));
        let id = mine["id"].as_str().unwrap();
        sandbox.clear_requests();
        let args = ["--account", account, "cancel", id, "--notify", "none"];
        run(meetty_signed_out(&sandbox, &dir), &args).await;
        let deleted = senders(&sandbox, "DELETE", &format!("/events/{id}"));
        assert_eq!(deleted, [Some(account.to_string())], "{}", mine["title"]);
    }

    // The shared invitation, answered from home: only the personal copy's answer changes.
    let retro = titled(&merged, "Joint retro");
    assert_eq!(retro.len(), 1, "{retro:?}");
    let id = retro[0]["id"].as_str().unwrap();
    sandbox.clear_requests();
    let args = [
        "--account",
        PERSONAL_ACCOUNT,
        "rsvp",
        id,
        "maybe",
        "--no-notify",
    ];
    run(meetty_signed_out(&sandbox, &dir), &args).await;
    let patched = senders(&sandbox, "PATCH", &format!("/events/{id}"));
    assert_eq!(patched, [Some(PERSONAL_ACCOUNT.to_string())]);
    let answer = |user: &str| {
        sandbox.with_user_store(user, |s| {
            let event = s.event(user, id).unwrap();
            event["attendees"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["email"] == user)
                .map(|a| a["responseStatus"].clone())
                .unwrap()
        })
    };
    assert_eq!(answer(PERSONAL_ACCOUNT), "tentative");
    assert_eq!(answer(ACCOUNT), "needsAction");
    let _ = std::fs::remove_dir_all(&dir);
}
