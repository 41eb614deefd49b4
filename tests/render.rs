//! Snapshots of what the user sees, rendered into memory with the real UI code: the empty,
//! loading, loaded, offline, filtered, help and small-terminal states.

mod common;

use chrono::Duration;
use common::*;
use meetty::app::{App, Sync};
use meetty::calendar::error::ApiError;
use meetty::screenshots::{demo_settings, render};

fn text(app: &App, w: u16, h: u16) -> String {
    let buf = render(app, w, h);
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn loading_before_anything_is_cached() {
    let mut app = App::new(demo_settings(tz()), None, now());
    app.start();
    insta::assert_snapshot!(text(&app, 100, 12));
}

#[test]
fn first_run_says_how_to_sign_in() {
    let mut settings = demo_settings(tz());
    settings.first_run = true;
    settings.label = "not signed in".into();
    let mut app = App::new(settings, None, now());
    assert!(app.start().is_empty(), "nothing to fetch before sign-in");
    insta::assert_snapshot!(text(&app, 100, 16));
}

#[test]
fn sign_in_dialog_over_the_agenda() {
    let mut app = app();
    let meetty::action::Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    let error =
        ApiError::SignIn("Google said invalid_grant (Token has been expired or revoked.)".into());
    app.update(meetty::action::Action::AgendaLoaded {
        req,
        result: Err(error),
    });
    insta::assert_snapshot!("sign_in_offered", text(&app, 100, 24));
    app.update(key(ratatui::crossterm::event::KeyCode::Enter));
    let said = "Opening your browser to sign in with Google. If it does not open, visit:\n\n  \
                https://accounts.google.com/o/oauth2/v2/auth?client_id=1.apps&state=x\n";
    app.update(meetty::action::Action::SignInProgress(said.into()));
    insta::assert_snapshot!("sign_in_waiting", text(&app, 100, 24));
}

#[test]
fn empty_week() {
    let mut agenda = agenda();
    agenda.meetings.clear();
    let app = App::new(demo_settings(tz()), Some(agenda), now());
    insta::assert_snapshot!(text(&app, 100, 12));
}

#[test]
fn loaded_agenda_with_countdowns_and_details() {
    let app = app();
    insta::assert_snapshot!(text(&app, 110, 30));
}

#[test]
fn all_events_with_zoom_selected() {
    let mut app = app();
    press(&mut app, "aj");
    insta::assert_snapshot!(text(&app, 110, 30));
}

#[test]
fn offline_keeps_the_cached_agenda_and_says_how_old_it_is() {
    let mut app = app();
    app.now = now() + Duration::minutes(3);
    app.sync = Sync::Failed {
        error: ApiError::Network("dns error".into()),
    };
    insta::assert_snapshot!(text(&app, 110, 14));
}

#[test]
fn filtered() {
    let mut app = app();
    press(&mut app, "/retro");
    insta::assert_snapshot!(text(&app, 110, 12));
}

#[test]
fn help_overlay_lists_the_key_table() {
    let mut app = app();
    press(&mut app, "?");
    insta::assert_snapshot!(text(&app, 100, 26));
}

#[test]
fn small_terminal_shows_one_pane_at_a_time() {
    let mut app = app();
    insta::assert_snapshot!("small_agenda", text(&app, 40, 10));
    app.update(key(ratatui::crossterm::event::KeyCode::Tab));
    insta::assert_snapshot!("small_details", text(&app, 40, 10));
}

#[test]
fn tiny_and_zero_sized_terminals_do_not_crash() {
    let mut app = app();
    press(&mut app, "?");
    for (w, h) in [(1, 1), (5, 2), (20, 3), (40, 10)] {
        let _ = render(&app, w, h);
    }
}

#[test]
fn long_descriptions_scroll_to_their_end_and_no_further() {
    use ratatui::crossterm::event::KeyCode;
    let mut agenda = agenda();
    let standup = agenda
        .meetings
        .iter_mut()
        .find(|m| m.title == "Platform standup")
        .unwrap();
    // One long paragraph: many wrapped rows from a single line of text.
    standup.description = format!("{}THE-END", "word ".repeat(300));
    let mut app = App::new(demo_settings(tz()), Some(agenda), now());
    app.update(key(KeyCode::Tab));
    let _ = render(&app, 60, 16); // the pane records how far it can scroll
    for _ in 0..200 {
        app.update(key(KeyCode::Down));
    }
    let screen = text(&app, 60, 16);
    assert!(screen.contains("THE-END"), "{screen}");
    let at_end = app.details_scroll;
    app.update(key(KeyCode::Up));
    assert_eq!(app.details_scroll, at_end - 1, "k scrolls back at once");
}

#[test]
fn the_form_beside_the_agenda_and_alone_when_narrow() {
    let mut app = app();
    press(&mut app, "n");
    insta::assert_snapshot!("template_picker", text(&app, 100, 20));
    press(&mut app, "3");
    app.update(key(ratatui::crossterm::event::KeyCode::Tab));
    press(&mut app, "Acme");
    insta::assert_snapshot!("client_demo_form", text(&app, 100, 30));
    // Typed errors show under their field; a small terminal scrolls to the focused one.
    app.update(key(ratatui::crossterm::event::KeyCode::Tab));
    press(&mut app, "someday");
    insta::assert_snapshot!("form_error_small", text(&app, 60, 12));
}

#[test]
fn d_on_an_invitation_offers_to_decline() {
    let mut app = app();
    // The standup is Maria's: declining is what the user can do.
    press(&mut app, "d");
    insta::assert_snapshot!("decline_offered", text(&app, 100, 20));
}

#[test]
fn the_status_bar_says_when_google_is_retried_and_counts_down() {
    use meetty::action::{Action, Effect};
    use meetty::calendar::retry::{Cause, Retrying};
    let mut app = app();
    let Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    let retry = |cause, attempt| Action::Retrying {
        req,
        retry: Retrying {
            cause,
            attempt,
            of: 5,
            wait: std::time::Duration::from_secs(4),
        },
    };
    app.update(retry(Cause::RateLimited, 2));
    let status = |app: &meetty::app::App| text(app, 110, 14).lines().last().unwrap().to_string();
    assert!(
        status(&app).contains("Google is rate limiting, retrying 2/5 in 4 s"),
        "{}",
        status(&app)
    );
    app.update(Action::Tick(app.now + Duration::milliseconds(1500)));
    assert!(
        status(&app).contains("retrying 2/5 in 3 s"),
        "{}",
        status(&app)
    );
    app.update(retry(Cause::NoAnswer, 3));
    assert!(
        status(&app).contains("offline")
            && status(&app).contains("no answer from Google, retrying 3/5"),
        "{}",
        status(&app)
    );
    app.update(Action::AgendaLoaded {
        req,
        result: Ok(agenda().into()),
    });
    assert!(status(&app).contains("updated"), "{}", status(&app));
}
