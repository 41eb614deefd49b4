//! Notifications and scheduled joins end to end, as the watch and the TUI run them: meetings
//! booked, moved and cancelled in the sandbox reach the engine through the real incremental
//! sync over HTTP, and what falls due is delivered by `watch::deliver` to the tests' own
//! notification server on a private D-Bus bus and their `$BROWSER` (tests/common/dbus.rs).
//! The clock is the test's: `take_due` is called at chosen moments.
#![cfg(target_os = "linux")]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use chrono_tz::Tz;
use common::dbus;
use std::sync::Arc;

use meetty::action::{Action, Effect};
use meetty::alerts::{Alert, Engine, Files, Kind, Mark, Marks, Rules};
use meetty::calendar::client::{CalendarClient, CalendarSelection};
use meetty::calendar::model::{AccountState, Agenda};
use meetty::calendar::sync::{SyncRequest, Synced};
use meetty::config::{AutoJoin, ClipboardMode};
use meetty::runtime::{lead, AccountServices, EffectRunner};
use meetty::sandbox::{Sandbox, Seed, WriteOptions, ACCOUNT};
use meetty::watch;

const TZ: Tz = chrono_tz::UTC;
const WAIT: Duration = Duration::from_secs(10);

/// One test's sandbox, client and files.
struct Rig {
    sandbox: Sandbox,
    client: CalendarClient,
    dir: PathBuf,
    last: Option<Synced>,
}

impl Rig {
    async fn new(name: &str) -> Rig {
        let sandbox = common::sandbox(Seed::Empty).await;
        let client = common::client(&sandbox);
        let dir = std::env::temp_dir().join(format!("meetty-alerts-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Rig {
            sandbox,
            client,
            dir,
            last: None,
        }
    }

    fn files(&self) -> Files {
        Files {
            fired: self.dir.join("fired.json"),
            marks: self.dir.join("marks.json"),
        }
    }

    /// A new engine on this rig's files (a start of the watch or of the TUI).
    fn engine(&self, notify_before: &[u32], auto_join: AutoJoin) -> Engine {
        let rules = Rules {
            notify_before: notify_before.to_vec(),
            auto_join,
            authuser: None,
        };
        Engine::new(rules, self.files())
    }

    /// Books a half-hour meeting at `start` with a Meet link, behind meetty's back.
    fn book(&self, title: &str, start: DateTime<Utc>, link: &str) -> String {
        let event = serde_json::json!({
            "summary": title,
            "location": link,
            "start": {"dateTime": start.to_rfc3339()},
            "end": {"dateTime": (start + TimeDelta::minutes(30)).to_rfc3339()},
        });
        self.sandbox.with_store(|s| {
            let stored = s
                .insert_event(ACCOUNT, event, &WriteOptions::default())
                .unwrap();
            stored["id"].as_str().unwrap().to_string()
        })
    }

    fn move_to(&self, id: &str, start: DateTime<Utc>) {
        let patch = serde_json::json!({
            "start": {"dateTime": start.to_rfc3339()},
            "end": {"dateTime": (start + TimeDelta::minutes(30)).to_rfc3339()},
        });
        self.sandbox.with_store(|s| {
            s.patch_event(ACCOUNT, id, patch, &WriteOptions::default())
                .unwrap();
        });
    }

    fn cancel(&self, id: &str) {
        self.sandbox
            .with_store(|s| s.delete_event(ACCOUNT, id))
            .unwrap();
    }

    /// Syncs as the watch does (incrementally after the first time); the new agenda.
    async fn sync(&mut self) -> Agenda {
        let (from, to) = meetty::timefmt::agenda_window(Utc::now(), TZ, 7);
        let req = SyncRequest {
            from,
            to,
            reread_calendars: false,
        };
        let synced = self
            .client
            .sync(
                self.last.as_ref(),
                &CalendarSelection::SelectedInGoogle,
                req,
            )
            .await
            .unwrap();
        let agenda = Agenda::clone(&synced.agenda);
        self.last = Some(synced);
        agenda
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A meeting time in the near future, on a whole minute (as people book them).
fn soon(minutes: i64) -> DateTime<Utc> {
    (Utc::now() + TimeDelta::minutes(minutes))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap()
}

/// What is due at `now`, delivered as the watch delivers it; as (kind, title, start).
async fn due(engine: &mut Engine, now: DateTime<Utc>) -> Vec<(Kind, String, DateTime<Utc>)> {
    let alerts = engine.take_due(now);
    deliver_all(&alerts).await;
    alerts
        .into_iter()
        .map(|a| (a.kind, a.meeting.title, a.meeting.start))
        .collect()
}

async fn deliver_all(alerts: &[Alert]) {
    for alert in alerts {
        watch::deliver(alert, TZ, ClipboardMode::Osc52).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_join_opens_the_link_with_the_browser_a_minute_before() {
    let server = dbus::server().await;
    let mut rig = Rig::new("join").await;
    let start = soon(30);
    let link = "https://meet.google.com/jjj-kkkk-lll";
    rig.book("Planning", start, link);
    let mut engine = rig.engine(&[], AutoJoin::All);
    engine.set_agenda(&rig.sync().await);

    assert!(engine.take_due(start - TimeDelta::seconds(61)).is_empty());
    let alerts = engine.take_due(start - TimeDelta::minutes(1));
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, Kind::Join);
    deliver_all(&alerts).await;
    assert_eq!(server.wait_for_opened(1, WAIT).await, [link]);
    assert!(engine.take_due(start).is_empty(), "joined once");
    assert!(server.recorded().is_empty(), "a join is no notification");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_come_at_their_times_and_not_again_after_a_restart() {
    let server = dbus::server().await;
    let mut rig = Rig::new("times").await;
    let start = soon(30);
    rig.book(
        "Design review",
        start,
        "https://meet.google.com/aaa-bbbb-ccc",
    );
    let agenda = rig.sync().await;
    let mut engine = rig.engine(&[10, 3], AutoJoin::Off);
    engine.set_agenda(&agenda);
    let title = "Design review".to_string();

    assert_eq!(due(&mut engine, start - TimeDelta::seconds(601)).await, []);
    assert_eq!(
        due(&mut engine, start - TimeDelta::minutes(10)).await,
        [(Kind::Before(10), title.clone(), start)]
    );
    assert_eq!(due(&mut engine, start - TimeDelta::minutes(9)).await, []);
    assert_eq!(
        due(&mut engine, start - TimeDelta::minutes(3)).await,
        [(Kind::Before(3), title.clone(), start)]
    );
    let shown = server.wait_for(2, WAIT).await;
    assert!(
        shown.iter().all(|n| n.summary == "Design review"),
        "{shown:#?}"
    );

    // Restarted (a new engine on the same files) a little later: nothing repeats.
    drop(engine);
    let mut engine = rig.engine(&[10, 3], AutoJoin::Off);
    engine.set_agenda(&rig.sync().await);
    assert_eq!(due(&mut engine, start - TimeDelta::minutes(2)).await, []);
    assert_eq!(
        due(&mut engine, start).await,
        [(Kind::Start, title.clone(), start)]
    );
    assert_eq!(engine.next_at(), None);
    assert_eq!(server.wait_for(3, WAIT).await.len(), 3, "nothing repeated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_moved_in_the_calendar_is_notified_at_its_new_time_only() {
    let server = dbus::server().await;
    let mut rig = Rig::new("moved").await;
    let start = soon(30);
    let id = rig.book("Retro", start, "https://meet.google.com/ddd-eeee-fff");
    let mut engine = rig.engine(&[10, 3], AutoJoin::Off);
    engine.set_agenda(&rig.sync().await);
    let title = "Retro".to_string();
    assert_eq!(
        due(&mut engine, start - TimeDelta::minutes(10)).await,
        [(Kind::Before(10), title.clone(), start)]
    );

    let later = start + TimeDelta::hours(1);
    rig.move_to(&id, later);
    engine.set_agenda(&rig.sync().await);
    assert_eq!(due(&mut engine, start - TimeDelta::minutes(3)).await, []);
    assert_eq!(due(&mut engine, start).await, []);
    assert_eq!(engine.next_at(), Some(later - TimeDelta::minutes(10)));
    assert_eq!(
        due(&mut engine, later - TimeDelta::minutes(10)).await,
        [(Kind::Before(10), title.clone(), later)]
    );
    assert_eq!(
        due(&mut engine, later - TimeDelta::minutes(3)).await,
        [(Kind::Before(3), title.clone(), later)]
    );
    let shown = server.wait_for(3, WAIT).await;
    let new_time = later.format("%H:%M").to_string();
    assert!(!shown[0].body.contains(&new_time), "{shown:#?}");
    assert!(
        shown[1..].iter().all(|n| n.body.contains(&new_time)),
        "{shown:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_cancelled_in_the_calendar_loses_its_notifications_and_join() {
    let server = dbus::server().await;
    let mut rig = Rig::new("cancelled").await;
    let start = soon(30);
    let id = rig.book("Vendor call", start, "https://meet.google.com/ggg-hhhh-iii");
    let mut engine = rig.engine(&[3], AutoJoin::All);
    engine.set_agenda(&rig.sync().await);
    assert!(engine.next_at().is_some());

    rig.cancel(&id);
    engine.set_agenda(&rig.sync().await);
    assert_eq!(engine.next_at(), None);
    assert_eq!(due(&mut engine, start - TimeDelta::minutes(3)).await, []);
    assert_eq!(due(&mut engine, start - TimeDelta::minutes(1)).await, []);
    assert_eq!(due(&mut engine, start).await, []);
    assert!(server.recorded().is_empty() && server.opened().is_empty());
}

/// An event on the calendars of two accounts (both invited) is notified once and, marked,
/// joined once, as the account whose copy the agenda shows (its `authuser`): each account's
/// engine plans from its part without the copies shown under the other account (what the
/// TUI hands each account it leads), and the runner saves the mark to that account's file
/// only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_on_two_accounts_is_notified_and_joined_once() {
    const WORK: &str = "alex@example.com";
    const PERSONAL: &str = "alex.home@example.org";
    let server = dbus::server().await;
    let rig = Rig::new("two-accounts").await;
    let start = soon(30);
    let link = "https://meet.google.com/fam-call-xyz";
    let emails = [WORK, PERSONAL];
    let fetched_at = Utc::now();
    let parts = emails
        .iter()
        .map(|&email| {
            let copy = common::meeting(
                email,
                serde_json::json!({
                    "id": "family1", "iCalUID": "family1@google.com", "summary": "Family call",
                    "start": {"dateTime": start.to_rfc3339()},
                    "end": {"dateTime": (start + TimeDelta::minutes(30)).to_rfc3339()},
                    "hangoutLink": link,
                    "attendees": [
                        {"email": WORK, "self": email == WORK, "responseStatus": "accepted"},
                        {"email": PERSONAL, "self": email == PERSONAL, "responseStatus": "accepted"}
                    ],
                }),
            );
            let part = Agenda {
                calendars: vec![common::calendar(email, true, true)],
                meetings: vec![copy],
                fetched_at,
                accounts: Vec::new(),
            };
            let state = AccountState {
                email: email.into(),
                label: email[..1].into(),
                fetched_at,
                stale: None,
            };
            (state, Arc::new(part))
        })
        .collect();
    let merged = Agenda::merge(parts);
    let kept = meetty::view::kept_copies(&merged);
    let shown = merged
        .meetings
        .iter()
        .zip(kept.as_deref().unwrap())
        .find_map(|(m, &k)| k.then_some(m))
        .unwrap();

    // `J` on its row: the runner puts the mark in the shown account's file alone.
    let marks_file = |i: usize| rig.dir.join(format!("marks-{i}.json"));
    let accounts = emails
        .iter()
        .enumerate()
        .map(|(i, email)| AccountServices {
            marks: Some(marks_file(i)),
            ..AccountServices::new(email, &email[..1], common::client(&rig.sandbox))
        })
        .collect();
    let mut runner = EffectRunner::new(common::services_for(accounts));
    let save = |marks: Marks| Effect::SaveMarks {
        marks,
        account: shown.account,
    };
    let mut marks = Marks::default();
    marks.set(Mark::Occurrence(shown.id.clone()), true);
    runner.run(vec![save(marks.clone())], &mut std::io::sink());
    let saved = tokio::time::timeout(WAIT, runner.next()).await.unwrap();
    assert!(
        matches!(saved, Some(Action::MarksSaved(Ok(())))),
        "{saved:?}"
    );
    let in_file = |i| Marks::load(&marks_file(i));
    assert_eq!(in_file(shown.account), marks);
    assert_eq!(in_file(1 - shown.account), Marks::default());

    let mut alerts = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let rules = Rules {
            notify_before: vec![3],
            auto_join: AutoJoin::Marked,
            authuser: Some(email.to_string()),
        };
        let files = Files {
            fired: rig.dir.join(format!("fired-{i}.json")),
            marks: marks_file(i),
        };
        let mut engine = Engine::new(rules, files);
        engine.set_agenda(&lead::alert_part(&merged, kept.as_deref(), i));
        alerts.extend(engine.take_due(start - TimeDelta::minutes(1)));
    }
    let kinds: Vec<Kind> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [Kind::Before(3), Kind::Join],
        "once each: {alerts:#?}"
    );
    deliver_all(&alerts).await;
    let as_shown = format!("{link}?authuser={}", shown_email(&merged, shown.account));
    assert_eq!(server.wait_for_opened(1, WAIT).await, [as_shown]);
    let notified = server.wait_for(1, WAIT).await;
    assert_eq!(notified.len(), 1, "{notified:#?}");
    assert_eq!(notified[0].summary, "Family call");

    // Unmarked: the mark leaves every file.
    runner.run(vec![save(Marks::default())], &mut std::io::sink());
    let saved = tokio::time::timeout(WAIT, runner.next()).await.unwrap();
    assert!(
        matches!(saved, Some(Action::MarksSaved(Ok(())))),
        "{saved:?}"
    );
    assert_eq!(in_file(0), Marks::default());
    assert_eq!(in_file(1), Marks::default());
}

/// Account `i`'s e-mail as `authuser` carries it.
fn shown_email(agenda: &Agenda, i: usize) -> String {
    agenda.accounts[i].email.replace('@', "%40")
}
