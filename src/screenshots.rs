//! `meetty screenshots`: the README's images, rendered from demo mode by the real UI code.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use crate::action::Action;
use crate::app::{App, Settings};
use crate::calendar::client::{CalendarClient, CalendarSelection};
use crate::calendar::error::ApiError;
use crate::calendar::model::{AccountState, Agenda};
use crate::config::Config;
use crate::sandbox::{Sandbox, Seed, ACCOUNT, PERSONAL_ACCOUNT};
use crate::ui;

/// Runs `ask` against a sandbox seeded with the demo week for `now`, through the real client.
async fn ask_demo<T>(
    now: DateTime<Utc>,
    tz: Tz,
    ask: impl AsyncFnOnce(&CalendarClient) -> Result<T, ApiError>,
) -> Result<T, String> {
    let sandbox = Sandbox::start(0, Seed::Demo { now, tz })
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token());
    let answer = ask(&client).await.map_err(|e| e.to_string());
    sandbox.shutdown().await;
    answer
}

/// The demo week as the app would fetch it: both demo accounts' agendas, merged in the
/// order `meetty --demo` uses, with their labels.
pub async fn demo_agenda(now: DateTime<Utc>, tz: Tz, days: u32) -> Result<Agenda, String> {
    let to = now + chrono::Duration::days(i64::from(days));
    let sandbox = Sandbox::start(0, Seed::Demo { now, tz })
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let emails = [ACCOUNT.to_string(), PERSONAL_ACCOUNT.to_string()];
    let labels = crate::auth::accounts::labels(&emails, &Default::default());
    let mut parts = Vec::new();
    for (email, label) in emails.into_iter().zip(labels) {
        let client = CalendarClient::new(&sandbox.root_url(), sandbox.access_token_for(&email));
        let agenda = client
            .agenda(&CalendarSelection::SelectedInGoogle, now, to)
            .await
            .map_err(|e| e.to_string())?;
        let state = AccountState {
            email,
            label,
            fetched_at: agenda.fetched_at,
            stale: None,
        };
        parts.push((state, Arc::new(agenda)));
    }
    sandbox.shutdown().await;
    Ok(Agenda::merge(parts))
}

/// The demo's settings with the default config, in zone `tz`.
pub fn demo_settings(tz: Tz) -> Settings {
    let config = Config::parse(None).expect("the embedded defaults are valid");
    Settings {
        label: "demo".into(),
        ..Settings::from_config(&config, tz, config.days, "demo".into())
    }
}

pub fn render(app: &App, width: u16, height: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    term.draw(|f| ui::draw(f, app)).expect("draw into memory");
    term.backend().buffer().clone()
}

/// A key press; `\t` is Tab.
pub fn key(c: char) -> Action {
    let code = match c {
        '\t' => KeyCode::Tab,
        c => KeyCode::Char(c),
    };
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub async fn write_all(out: &Path) -> Result<(), String> {
    let tz = crate::timefmt::resolve_zone(None)?;
    let now = Utc::now();
    let agenda = demo_agenda(now, tz, 7).await?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let app = |keys: &str| {
        let mut app = App::new(demo_settings(tz), Some(agenda.clone()), now);
        for c in keys.chars() {
            app.update(key(c));
        }
        app
    };
    let mut offline = app("jj");
    offline.sync = crate::app::Sync::Failed {
        error: ApiError::Network("no route to host".into()),
    };
    if let Some(a) = offline.agenda.as_mut() {
        Arc::make_mut(a).fetched_at = now - chrono::Duration::minutes(3);
    }
    // Google rate limiting a refresh: the status bar counts down to the next attempt.
    let mut retrying = app("r");
    if let crate::app::Sync::Refreshing { req } = retrying.sync {
        retrying.update(crate::action::Action::Retrying {
            req,
            retry: crate::calendar::retry::Retrying {
                cause: crate::calendar::retry::Cause::RateLimited,
                attempt: 2,
                of: 5,
                wait: std::time::Duration::from_secs(4),
            },
        });
    }
    // The cancel dialog over the weekly 1:1 the demo user organizes.
    let mut cancel = app("");
    for _ in 0..20 {
        if cancel
            .selected_meeting()
            .is_some_and(|m| m.i_organize && m.series_id.is_some())
        {
            break;
        }
        cancel.update(key('j'));
    }
    cancel.update(key('d'));
    // Find a time for a Quick Sync with a colleague, answered by the demo's free/busy.
    let mut find = app("n1\t\t\t\tjordan.lee@example.com");
    for _ in 0..3 {
        find.update(Action::Key(KeyEvent::new(
            KeyCode::BackTab,
            KeyModifiers::NONE,
        )));
    }
    let ctrl_f = Action::Key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL));
    if let Some(crate::action::Effect::FreeBusy { req, query, .. }) = find.update(ctrl_f).pop() {
        let result = ask_demo(now, tz, async |client| client.free_busy(&query).await).await;
        find.update(Action::FreeBusy {
            req,
            result: result.map_err(ApiError::Unexpected),
        });
    }
    // The Meet field's "same link as…" picker over a new Quick Sync: eight Tabs from the
    // title reach the Meet field, and ← goes from "new link" round to "same link as…".
    let mut link_picker = app("n1");
    for _ in 0..8 {
        link_picker.update(Action::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    }
    link_picker.update(Action::Key(KeyEvent::new(
        KeyCode::Left,
        KeyModifiers::NONE,
    )));
    // The edit form over the weekly 1:1 the demo user organizes, moved by half an hour.
    let mut edit = app("");
    select_first(&mut edit, |m| m.i_organize && m.series_id.is_some());
    if let Some(crate::action::Effect::LoadEdit {
        req,
        calendar,
        event_id,
        ..
    }) = edit.update(key('e')).pop()
    {
        let result = ask_demo(now, tz, async |client| {
            client.load_edit(&calendar, &event_id).await
        })
        .await;
        edit.update(Action::EditLoaded {
            req,
            result: result.map(Box::new).map_err(ApiError::Unexpected),
        });
        for c in "\t+30m".chars() {
            edit.update(match c {
                '\t' => Action::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
                c => key(c),
            });
        }
    }
    // The selected meeting marked for a scheduled join (J) with auto_join = "marked": its
    // row's mark and the details' line.
    let mut agenda_shot = app("jj");
    agenda_shot.settings.auto_join = crate::config::AutoJoin::Marked;
    if let Some(m) = agenda_shot.selected_meeting().filter(|m| m.video.is_some()) {
        let mark = crate::alerts::Mark::Occurrence(m.id.clone());
        agenda_shot.marks.set(mark, true);
    }
    // J on an occurrence of a series with a link: join this one or every one by itself?
    let mut join_mark = app("");
    select_first(&mut join_mark, |m| {
        m.series_id.is_some() && m.video.is_some()
    });
    join_mark.update(key('J'));
    // L: every link, dial-in, meeting ID and passcode of a meeting with links besides its
    // primary one, else of one with a meeting ID or passcode, else with a dial-in.
    let mut links = app("");
    let wanted: [fn(&crate::calendar::model::Meeting) -> bool; 3] = [
        |m| !m.other_links.is_empty(),
        |m| m.access.is_some() && m.dial_in.is_empty(),
        |m| !m.dial_in.is_empty(),
    ];
    for want in wanted {
        links.update(key('g'));
        select_first(&mut links, want);
        if links.selected_meeting().is_some_and(want) {
            break;
        }
    }
    links.update(key('L'));
    // Two accounts: the invitation both got, listed once and named with both.
    let mut accounts = app("");
    for _ in 0..40 {
        if accounts.selected_meeting().is_some_and(|m| {
            accounts
                .agenda
                .as_ref()
                .is_some_and(|a| a.copies_of(m).any(|c| c.account != m.account))
        }) {
            break;
        }
        accounts.update(key('j'));
    }
    // The personal account's sign-in expired: its rows stale, the others fresh.
    let mut stale = app("");
    if let Some(a) = stale.agenda.as_mut() {
        if let Some(personal) = Arc::make_mut(a).accounts.get_mut(1) {
            personal.stale = Some(ApiError::SignIn(
                "the sign-in has expired or was revoked".into(),
            ));
        }
    }
    select_first(&mut stale, |m| m.account == 1);
    let scenes = [
        ("agenda.svg", agenda_shot, 110, 30),
        ("join-mark.svg", join_mark, 110, 30),
        ("templates.svg", app("n"), 110, 30),
        ("new-meeting.svg", app("n3\tAcme"), 110, 30),
        ("cancel.svg", cancel, 110, 30),
        ("find-a-time.svg", find, 110, 30),
        ("all-events.svg", app("a"), 110, 30),
        // The next invitation awaiting an answer (i), answered (R).
        ("answer.svg", app("iR"), 110, 30),
        ("link-picker.svg", link_picker, 110, 30),
        ("links.svg", links, 110, 30),
        ("accounts.svg", accounts, 110, 30),
        ("stale-account.svg", stale, 110, 30),
        ("edit.svg", edit, 110, 30),
        ("help.svg", app("?"), 110, 30),
        ("offline.svg", offline, 110, 30),
        ("retrying.svg", retrying, 110, 30),
        ("small.svg", app("j"), 40, 10),
    ];
    for (name, app, w, h) in scenes {
        let path = out.join(name);
        std::fs::write(&path, ui::svg::buffer_to_svg(&render(&app, w, h)))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Moves the selection down to the first meeting that `wanted` accepts.
fn select_first(app: &mut App, wanted: impl Fn(&crate::calendar::model::Meeting) -> bool) {
    // The demo week of two accounts lists about 30 meetings.
    for _ in 0..60 {
        if app.selected_meeting().is_some_and(&wanted) {
            return;
        }
        app.update(key('j'));
    }
}
