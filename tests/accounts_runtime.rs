//! Several Google accounts at run time (issue 13): the app and its effect runner, headless,
//! against one sandbox with two users, each account with its own token. The runner syncs
//! both at once and merges them (each meeting names its account), sends a change through
//! the account it names, keeps one account's trouble to that account, and writes one cache
//! per account that the next start reads back merged.

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use common::{Headless, Home, ACCOUNTS_BOT};
use meetty::action::{Action, Effect};
use meetty::app::{App, Sync};
use meetty::cache::{self, CacheFiles};
use meetty::calendar::client::CalendarClient;
use meetty::calendar::error::ApiError;
use meetty::calendar::model::{Agenda, SendUpdates};
use meetty::calendar::ops::WriteOp;
use meetty::config::Paths;
use meetty::runtime::AccountServices;
use meetty::sandbox::{Fault, Sandbox, Seed, WriteOptions, ACCOUNT, PERSONAL_ACCOUNT};
use meetty::screenshots::demo_settings;
use serde_json::json;

/// The second account, a user of the same sandbox with a store of its own.
const KIM: &str = "kim@example.com";

/// The demo week for Alex (account 0) and one meeting of Kim's (account 1) in an hour.
async fn two_users() -> (Sandbox, String) {
    let now = Utc::now();
    let sandbox = common::sandbox(Seed::Demo {
        now,
        tz: common::tz(),
    })
    .await;
    let kim_token = sandbox.access_token_for(KIM);
    add(&sandbox, KIM, "Kim's planning", now + Duration::hours(1));
    (sandbox, kim_token)
}

/// A meeting of `user`'s at `start`, made in the sandbox as if elsewhere.
fn add(sandbox: &Sandbox, user: &str, title: &str, start: chrono::DateTime<Utc>) -> String {
    let body = json!({
        "summary": title,
        "start": {"dateTime": start.to_rfc3339()},
        "end": {"dateTime": (start + Duration::minutes(30)).to_rfc3339()},
    });
    sandbox.with_user_store(user, |s| {
        let made = s
            .insert_event(user, body, &WriteOptions::default())
            .unwrap();
        made["id"].as_str().unwrap().to_string()
    })
}

/// Alex with the sandbox's token and Kim with hers, each with a cache under `paths` if given.
fn accounts(sandbox: &Sandbox, kim_token: &str, paths: Option<&Paths>) -> Vec<AccountServices> {
    let kim = CalendarClient::new(&sandbox.root_url(), kim_token.to_string());
    vec![
        AccountServices {
            cache: paths.map(|p| CacheFiles::of(p, ACCOUNT)),
            ..common::account(sandbox)
        },
        AccountServices {
            cache: paths.map(|p| CacheFiles::of(p, KIM)),
            ..AccountServices::new(KIM, "K", kim)
        },
    ]
}

fn start(sandbox: &Sandbox, kim_token: &str, paths: Option<&Paths>) -> Headless {
    let services = common::services_for(accounts(sandbox, kim_token, paths));
    Headless::start(
        App::new(demo_settings(common::tz()), None, Utc::now()),
        services,
    )
}

fn loaded(app: &App) -> bool {
    app.agenda.is_some() && app.sync == Sync::Idle
}

/// The account index of the meeting titled `title`, if the agenda shows it.
fn account_of(agenda: &Agenda, title: &str) -> Option<usize> {
    agenda
        .meetings
        .iter()
        .find(|m| m.title == title)
        .map(|m| m.account)
}

/// Feeds results to the app until the runner answers the write `req`.
async fn wrote(h: &mut Headless, req: u64) -> Action {
    loop {
        let next = tokio::time::timeout(std::time::Duration::from_secs(20), h.runner.next())
            .await
            .expect("an answer in time")
            .expect("the runner is alive");
        match next {
            Action::Wrote { req: r, .. } if r == req => return next,
            other => h.handle(other),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_accounts_merge_and_a_change_goes_through_the_account_it_names() {
    let (sandbox, kim_token) = two_users().await;
    let mut h = start(&sandbox, &kim_token, None);
    h.until("the first refresh", loaded).await;
    let agenda = Arc::clone(h.app.agenda.as_ref().unwrap());
    let emails: Vec<&str> = agenda.accounts.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(emails, [ACCOUNT, KIM]);
    assert!(agenda.accounts.iter().all(|a| a.stale.is_none()));
    assert_eq!(account_of(&agenda, "Kim's planning"), Some(1));
    let (alexs, kims): (Vec<_>, Vec<_>) = agenda.meetings.iter().partition(|m| m.account == 0);
    assert!(alexs.len() > 5, "the demo week is Alex's");
    assert_eq!(kims.len(), 1, "only Kim's meeting is Kim's");
    let kims = kims[0];
    assert_eq!(
        agenda.calendar_of(kims).unwrap().id,
        KIM,
        "Kim's own calendar"
    );

    // Cancelling Kim's meeting goes to Google with Kim's token, not Alex's.
    sandbox.clear_requests();
    let cancel = |req, account| Effect::Write {
        req,
        account,
        op: WriteOp::Cancel {
            calendar: KIM.into(),
            event_id: kims.id.clone(),
            send: SendUpdates::None,
        },
    };
    h.runner.run(vec![cancel(9001, 1)], &mut Vec::new());
    let Action::Wrote { result, .. } = wrote(&mut h, 9001).await else {
        unreachable!()
    };
    assert!(result.is_ok(), "{result:?}");
    let deletes = common::sent(&sandbox, "DELETE", "/events/");
    assert_eq!(deletes.len(), 1);
    assert_eq!(
        deletes[0].authorization.as_deref(),
        Some(format!("Bearer {kim_token}").as_str())
    );
    let left = sandbox.with_user_store(KIM, |s| s.events(KIM));
    assert!(
        left.iter().all(|e| e["status"] == "cancelled"),
        "gone from Kim's calendar: {left:?}"
    );

    // An account the session does not have is an answer, not a panic.
    h.runner.run(vec![cancel(9002, 7)], &mut Vec::new());
    let Action::Wrote { result, .. } = wrote(&mut h, 9002).await else {
        unreachable!()
    };
    let e = result.unwrap_err().to_string();
    assert!(e.contains("no account number 8"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_account_goes_stale_while_the_other_keeps_refreshing() {
    let (sandbox, kim_token) = two_users().await;
    let mut h = start(&sandbox, &kim_token, None);
    h.until("the first refresh", loaded).await;

    let revoke = format!("{}?token={kim_token}", sandbox.revoke_url());
    assert_eq!(common::http("POST", &revoke, &[], "").await.status, 200);
    add(
        &sandbox,
        ACCOUNT,
        "Booked meanwhile",
        Utc::now() + Duration::hours(2),
    );
    h.handle(common::ch('r'));
    h.until("the refresh", loaded).await;

    let agenda = h.app.agenda.as_ref().unwrap();
    assert_eq!(
        account_of(agenda, "Booked meanwhile"),
        Some(0),
        "Alex refreshed"
    );
    assert!(agenda.accounts[0].stale.is_none());
    let why = agenda.accounts[1].stale.as_ref().expect("Kim is stale");
    assert!(
        matches!(
            why,
            meetty::calendar::error::ApiError::Google { code: 401, .. }
        ),
        "{why:?}"
    );
    assert_eq!(
        account_of(agenda, "Kim's planning"),
        Some(1),
        "Kim's last part is still shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_account_caches_its_own_part_and_the_next_start_merges_them() {
    let home = Home::new("accounts-caches");
    let paths = home.paths();
    let (sandbox, kim_token) = two_users().await;
    let mut h = start(&sandbox, &kim_token, Some(&paths));
    h.until("the first refresh", loaded).await;
    let shown = Arc::clone(h.app.agenda.as_ref().unwrap());

    let cached = |owner: &str| {
        let file = CacheFiles::of(&paths, owner).agenda;
        async move { common::eventually("a cache", || cache::load(&file)).await }
    };
    let (alex, kim) = (cached(ACCOUNT).await, cached(KIM).await);
    assert_eq!(alex.agenda, shown.part(0));
    assert_eq!(kim.agenda, shown.part(1));
    assert!(kim
        .agenda
        .meetings
        .iter()
        .all(|m| m.title == "Kim's planning"));
    assert!(
        alex.sync.is_some() && kim.sync.is_some(),
        "each with its sync state"
    );

    // The next start: both caches, merged.
    let (app, resumes) = meetty::runtime::from_caches(
        demo_settings(common::tz()),
        vec![
            (ACCOUNT.into(), "A".into(), Some(alex)),
            (KIM.into(), "K".into(), Some(kim)),
        ],
        Utc::now(),
    );
    sandbox.clear_requests();
    let again = app.agenda.as_ref().unwrap();
    assert_eq!(again.meetings, shown.meetings);
    assert_eq!(again.calendars, shown.calendars);
    assert!(
        resumes.iter().all(Option::is_some),
        "each account resumes its sync"
    );

    // Resumed, each account asks only for what changed since its own sync.
    let mut services = accounts(&sandbox, &kim_token, Some(&paths));
    for (account, resume) in services.iter_mut().zip(resumes) {
        account.resume = resume;
    }
    let mut h = Headless::start(app, common::services_for(services));
    h.until("the refresh after the start", loaded).await;
    let listings = common::sent(&sandbox, "GET", "/events");
    assert!(!listings.is_empty());
    assert!(
        listings
            .iter()
            .all(|r| r.query.iter().any(|(k, _)| k == "syncToken")),
        "every listing builds on its account's cached sync"
    );
}

/// Config `accounts` names Kim (signed in with a service account's key in the file store)
/// and someone never signed in: both are in the agenda, Kim's meetings arrive, and the
/// other's part is empty and stale with the command that fixes it. With nobody usable, the
/// start fails with that message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_the_config_names_but_nobody_signed_in_says_how_and_the_others_run() {
    use meetty::auth::accounts::{Accounts, StoreLocation, TokenStore};
    const GONE: &str = "gone@example.com";
    let home = Home::new("accounts-config-accounts");
    let paths = home.paths();
    let (sandbox, _) = two_users().await;
    let key = common::delegating_key(&sandbox);
    StoreLocation::new(&paths.data_dir)
        .open(TokenStore::File)
        .set(
            &meetty::auth::store::service_account_key(ACCOUNTS_BOT),
            &key,
        )
        .unwrap();
    let mut signed_in = Accounts::default();
    signed_in.add_service_account(KIM, TokenStore::File, ACCOUNTS_BOT);
    signed_in.save(&paths.accounts_file()).unwrap();
    let mut config = meetty::config::Config::parse(None).unwrap();
    config.api_root = sandbox.root_url();
    config.accounts = vec![GONE.into(), KIM.into()];
    let start = meetty::session::Startup { paths, config };
    let tz = common::tz();

    let conns = meetty::session::connect::connect_all(&start, false, None, Utc::now(), tz)
        .await
        .unwrap();
    assert_eq!(conns.label, "2 accounts");
    let services = conns
        .accounts
        .into_iter()
        .map(|c| AccountServices {
            sign_in: c.sign_in,
            cache: c.cache_owner.map(|o| CacheFiles::of(&start.paths, &o)),
            ..AccountServices::new(&c.email, &c.label, c.client)
        })
        .collect();
    let mut h = Headless::start(
        App::new(demo_settings(tz), None, Utc::now()),
        common::services_for(services),
    );
    h.until("the first refresh", loaded).await;
    let agenda = h.app.agenda.as_ref().unwrap();
    let labels: Vec<(&str, &str)> = agenda
        .accounts
        .iter()
        .map(|a| (a.email.as_str(), a.label.as_str()))
        .collect();
    assert_eq!(labels, [(GONE, "G"), (KIM, "K")], "the config's order");
    assert_eq!(account_of(agenda, "Kim's planning"), Some(1));
    assert!(agenda.meetings.iter().all(|m| m.account == 1));
    let why = agenda.accounts[0]
        .stale
        .as_ref()
        .expect("stale")
        .to_string();
    assert!(
        why.contains("meetty login --account gone@example.com"),
        "{why}"
    );
    // Kim's part is cached; nothing is cached for an account never fetched.
    let kims = CacheFiles::of(&start.paths, KIM).agenda;
    common::eventually("Kim's cache", || cache::load(&kims)).await;
    assert!(!CacheFiles::of(&start.paths, GONE).agenda.exists());

    let mut start = start;
    start.config.accounts = vec![GONE.into()];
    let refused = meetty::session::connect::connect_all(&start, false, None, Utc::now(), tz).await;
    let e = refused.err().expect("nobody to run as");
    assert!(e.contains("meetty login --account gone@example.com"), "{e}");
}

/// Kim's listing takes 8 s (Google slow for her alone): Alex's new part is shown after the
/// grace without waiting for it, Kim's last part stale as still refreshing; her answer,
/// when it comes, is the next refresh's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_account_does_not_hold_up_the_others() {
    let (sandbox, kim_token) = two_users().await;
    let mut h = start(&sandbox, &kim_token, None);
    h.until("the first refresh", loaded).await;
    sandbox.inject(
        Fault::latency(std::time::Duration::from_secs(8))
            .on("GET", &format!("/calendars/{KIM}/events")),
    );
    let soon = Utc::now() + Duration::hours(2);
    add(&sandbox, ACCOUNT, "Booked meanwhile", soon);
    add(&sandbox, KIM, "Kim's late one", soon);
    h.handle(common::ch('r'));
    h.until("the refresh", loaded).await;

    let agenda = h.app.agenda.as_ref().unwrap();
    assert_eq!(account_of(agenda, "Booked meanwhile"), Some(0));
    assert!(agenda.accounts[0].stale.is_none());
    assert!(
        matches!(agenda.accounts[1].stale, Some(ApiError::StillRefreshing(_))),
        "{:?}",
        agenda.accounts[1].stale
    );
    assert_eq!(
        account_of(agenda, "Kim's planning"),
        Some(1),
        "her last part"
    );
    assert_eq!(account_of(agenda, "Kim's late one"), None);
    assert!(h.app.sign_in.is_none(), "no sign-in for a slow answer");

    // Refreshing again until her answer is in: it shows, and she is no longer stale.
    let kim_stale = |app: &App| app.agenda.as_ref().unwrap().accounts[1].stale.is_some();
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        h.handle(common::ch('r'));
        h.until("a refresh", loaded).await;
        if !kim_stale(&h.app) {
            break;
        }
    }
    assert!(!kim_stale(&h.app), "Kim's answer never came");
    let agenda = h.app.agenda.as_ref().unwrap();
    assert_eq!(account_of(agenda, "Kim's late one"), Some(1));
}

/// Kim signed in as a person (a refresh token in the file store, not a fixed token): she
/// removes meetty's access in her Google Account, her next refresh gets `invalid_grant`,
/// and the TUI offers to sign in her account, not Alex's, while Alex's part refreshes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_grant_asks_to_sign_in_that_account() {
    use meetty::auth::accounts::{StoreLocation, TokenStore};
    use meetty::auth::client::ClientInfo;
    use meetty::auth::session::{Session, StoredToken};
    let home = Home::new("accounts-revoked-grant");
    let (sandbox, kim_token) = two_users().await;
    let store = StoreLocation::new(&home.paths().data_dir).open(TokenStore::File);
    let token = serde_json::from_value(json!({
        "access_token": kim_token,
        "refresh_token": sandbox.refresh_token_for(KIM),
        "expires_at": null,
        "id_token": null,
    }))
    .unwrap();
    let stored = StoredToken {
        client_id: sandbox.client_id(),
        token,
    };
    store
        .set(
            &meetty::auth::store::token_key(KIM),
            &serde_json::to_string(&stored).unwrap(),
        )
        .unwrap();
    let client = ClientInfo {
        client_id: sandbox.client_id(),
        auth_uri: Some(sandbox.auth_url()),
        token_uri: Some(sandbox.token_url()),
    };
    let session = Session::new(client, sandbox.client_secret(), store, KIM);
    let kim = CalendarClient::new(&sandbox.root_url(), session);
    let services = common::services_for(vec![
        common::account(&sandbox),
        AccountServices::new(KIM, "K", kim),
    ]);
    let mut h = Headless::start(
        App::new(demo_settings(common::tz()), None, Utc::now()),
        services,
    );
    h.until("the first refresh", loaded).await;
    assert!(h.app.agenda.as_ref().unwrap().accounts[1].stale.is_none());

    sandbox.revoke_user(KIM);
    h.handle(common::ch('r'));
    h.until("the refresh", loaded).await;
    let agenda = h.app.agenda.as_ref().unwrap();
    assert!(agenda.accounts[0].stale.is_none(), "Alex refreshed");
    let why = agenda.accounts[1].stale.as_ref().expect("Kim is stale");
    assert!(
        matches!(why, ApiError::SignIn(m) if m.contains("invalid_grant")),
        "{why:?}"
    );
    assert_eq!(h.app.mode(), meetty::app::Mode::SignIn);
    let dialog = h.app.sign_in.as_ref().unwrap();
    assert_eq!((dialog.account, dialog.email.as_deref()), (1, Some(KIM)));
    let effects = h
        .app
        .update(common::key(ratatui::crossterm::event::KeyCode::Enter));
    assert_eq!(effects, vec![Effect::SignIn { account: 1 }]);
}

/// The demo's two accounts through the runner: Jamie's farewell call is on both primary
/// calendars (accepted from work, tentative from home); it is one row, work's copy, and
/// the details find both copies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_shared_event_is_one_row_with_two_copies() {
    let sandbox = common::sandbox(Seed::Demo {
        now: Utc::now(),
        tz: common::tz(),
    })
    .await;
    let personal = CalendarClient::new(
        &sandbox.root_url(),
        sandbox.access_token_for(PERSONAL_ACCOUNT),
    );
    let services = common::services_for(vec![
        common::account(&sandbox),
        AccountServices::new(PERSONAL_ACCOUNT, "P", personal),
    ]);
    let mut h = Headless::start(
        App::new(demo_settings(common::tz()), None, Utc::now()),
        services,
    );
    h.until("the first refresh", loaded).await;
    let agenda = h.app.agenda.as_ref().unwrap();
    let rows: Vec<usize> = h
        .app
        .rows
        .iter()
        .filter_map(|r| match r {
            meetty::view::Row::Meeting(i)
                if agenda.meetings[*i].title == "Jamie's farewell call" =>
            {
                Some(*i)
            }
            _ => None,
        })
        .collect();
    assert_eq!(rows.len(), 1, "one row");
    let listed = &agenda.meetings[rows[0]];
    assert_eq!(listed.account, 0, "the accepted copy, work's");
    let copies: Vec<usize> = agenda.copies_of(listed).map(|m| m.account).collect();
    assert_eq!(copies, [0, 1]);
}
