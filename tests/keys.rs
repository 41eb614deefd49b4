//! Every screen's keys come from its own table: a key rebound in the config works on that
//! screen, the hints on screen name the new key, and help lists the keys of the screen it was
//! opened from.

mod common;

use common::*;
use meetty::action::{Action, Effect};
use meetty::app::{App, Mode};
use meetty::calendar::error::ApiError;
use meetty::config::Config;
use meetty::screenshots::{demo_settings, render};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The test agenda with the default keys and the config's `[keys.*]` on top.
fn app_with(config: &str) -> App {
    let mut settings = demo_settings(tz());
    settings.keymap = Config::parse(Some(config)).unwrap().keymap;
    App::new(settings, Some(agenda()), now())
}

fn screen(app: &App) -> String {
    // Tall enough for the agenda help and the lines under its key table.
    let (w, h) = (120, 34);
    let buf = render(app, w, h);
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn with(code: KeyCode, mods: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, mods))
}

#[test]
fn agenda_clear_filter_rebound_and_named_in_the_empty_agenda() {
    let mut app = app_with("[keys.agenda]\nclear_filter = [\"c\"]\nhelp = [\"h\"]\n");
    press(&mut app, "/zzz");
    app.update(key(KeyCode::Enter));
    assert!(app.rows.is_empty());
    let s = screen(&app);
    assert!(s.contains("Press c to clear the filter"), "{s}");
    assert!(
        s.contains("h help"),
        "the status bar names the help key: {s}"
    );
    app.update(key(KeyCode::Esc));
    assert_eq!(app.filter, "zzz", "Esc is no longer bound in the agenda");
    press(&mut app, "c");
    assert_eq!(app.filter, "");
    assert!(!app.rows.is_empty());
    press(&mut app, "h");
    assert_eq!(app.mode(), Mode::Help);
}

#[test]
fn filter_keys_rebound_and_named_in_the_status_bar_and_help() {
    let mut app = app_with("[keys.filter]\nkeep = [\"Tab\"]\ncancel = [\"Ctrl-g\"]\n");
    press(&mut app, "/retro");
    let s = screen(&app);
    assert!(s.contains("Tab keep · Ctrl-G back"), "{s}");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::Filter, "Enter is not bound any more");
    app.update(key(KeyCode::Tab));
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(app.filter, "retro");
    press(&mut app, "/x");
    app.update(ctrl('g'));
    assert_eq!(app.filter, "retro", "Ctrl-G puts back the filter as it was");
    press(&mut app, "?");
    let s = screen(&app);
    assert!(s.contains("Tab keeps, Ctrl-G goes back"), "{s}");
}

#[test]
fn help_keys_rebound_and_named_in_the_help() {
    let mut app = app_with("[keys.help]\ndown = [\"J\"]\n");
    press(&mut app, "?");
    press(&mut app, "j");
    assert_eq!(
        app.mode(),
        Mode::Agenda,
        "j is not a help key any more: it closes"
    );
    press(&mut app, "?J");
    assert_eq!(app.help_scroll(), 1);
    assert_eq!(app.mode(), Mode::Help);
    let s = screen(&app);
    assert!(s.contains("J/k scroll"), "{s}");
}

#[test]
fn sign_in_key_rebound_and_named_in_the_dialog() {
    let mut app = app_with("[keys.sign_in]\nsign_in = [\"s\"]\n");
    let Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!("r refreshes")
    };
    app.update(Action::AgendaLoaded {
        req,
        result: Err(ApiError::SignIn("invalid_grant".into())),
    });
    assert_eq!(app.mode(), Mode::SignIn);
    let s = screen(&app);
    assert!(s.contains("s    sign in again"), "{s}");
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert_eq!(press(&mut app, "s"), vec![Effect::SignIn { account: 0 }]);
}

#[test]
fn picker_key_rebound_and_named_in_its_footer() {
    let mut app = app_with("[keys.picker]\npick = [\"p\"]\n");
    press(&mut app, "n");
    assert_eq!(app.mode(), Mode::Picker);
    let s = screen(&app);
    assert!(s.contains("p or 1–9 pick"), "{s}");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::Picker, "Enter is not bound any more");
    press(&mut app, "p");
    assert_eq!(app.mode(), Mode::Form);
}

#[test]
fn form_create_rebound_to_ctrl_enter_and_named_in_the_footer() {
    let mut app = app_with("[keys.form]\ncreate = [\"Ctrl-Enter\"]\n");
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    let s = screen(&app);
    assert!(s.contains("Ctrl-Enter create"), "{s}");
    assert!(!s.contains("Ctrl-S create"), "{s}");
    press(&mut app, "Title");
    assert!(
        app.update(ctrl('s')).is_empty(),
        "Ctrl-S is not bound any more"
    );
    let effects = app.update(with(KeyCode::Enter, KeyModifiers::CONTROL));
    assert!(
        matches!(effects.as_slice(), [Effect::Write { .. }]),
        "{effects:?}"
    );
}

#[test]
fn help_opened_in_the_form_lists_the_form_keys() {
    let mut app = app();
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    press(&mut app, "?");
    assert_eq!(app.mode(), Mode::Form, "? is text in the form");
    app.update(key(KeyCode::F(1)));
    assert_eq!(app.mode(), Mode::Help);
    let s = screen(&app);
    assert!(s.contains("Keys: new meeting"), "{s}");
    assert!(s.contains("create the meeting"), "{s}");
    assert!(s.contains("Ctrl-S"), "{s}");
    assert!(!s.contains("copy the video link"), "{s}");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Form, "closing help goes back to the form");
    assert!(app.form().unwrap().draft().title.ends_with('?'));
}

#[test]
fn confirm_yes_rebound_and_named_in_the_question() {
    let mut app = app_with("[keys.confirm]\nyes = [\"Y\"]\n");
    // The first meeting is someone else's standup: d offers to decline it.
    press(&mut app, "d");
    assert_eq!(app.mode(), Mode::Confirm);
    let s = screen(&app);
    assert!(s.contains("Y decline"), "{s}");
    assert!(press(&mut app, "y").is_empty(), "y is not bound any more");
    let effects = press(&mut app, "Y");
    assert!(
        matches!(effects.as_slice(), [Effect::Write { .. }]),
        "{effects:?}"
    );
}

#[test]
fn a_key_bound_twice_in_one_mode_is_refused_with_where() {
    let e = Config::parse(Some(
        "[keys.form]\ncreate = [\"Ctrl-s\"]\nnewline = [\"Ctrl-s\"]\n",
    ))
    .unwrap_err();
    assert!(e.contains("bound to both"), "{e}");
    assert!(e.contains("keys.form"), "{e}");
    let e = Config::parse(Some("[keys.form]\ncreate = [\"s\"]\n")).unwrap_err();
    assert!(e.contains("typed as text"), "{e}");
}

#[test]
fn find_time_take_rebound_and_named_in_its_footer() {
    let mut app =
        app_with("[keys.find_time]\ntake = [\"t\"]\n[keys.form]\nfind_time = [\"Ctrl-t\"]\n");
    press(&mut app, "n");
    app.update(key(KeyCode::Enter));
    focus(&mut app, meetty::compose::Field::Start);
    assert!(screen(&app).contains("Ctrl-T find a time"));
    assert!(
        app.update(ctrl('f')).is_empty(),
        "Ctrl-F is not bound any more"
    );
    let Some(Effect::FreeBusy { req, .. }) = app.update(ctrl('t')).pop() else {
        panic!("Ctrl-T opens find a time")
    };
    app.update(Action::FreeBusy {
        req,
        result: Ok(free_busy()),
    });
    assert_eq!(app.mode(), Mode::FindTime);
    let s = screen(&app);
    assert!(s.contains("t take"), "{s}");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::FindTime, "Enter is not bound any more");
    press(&mut app, "t");
    assert_eq!(app.mode(), Mode::Form);
    // You are busy until 11:00 Berlin; no guests.
    assert_eq!(app.form().unwrap().draft().start, "2026-11-23 11:00");
}

#[test]
fn the_cancel_dialog_names_its_choice_keys_from_the_table() {
    use meetty::app::{Choices, Confirm, Overlay};
    use meetty::calendar::edit::Scope;
    let mut app = app_with("[keys.confirm]\nnext_value = [\"Ctrl-n\"]\n");
    let mut standup = app.selected_meeting().unwrap().clone();
    standup.series_id = Some("standup".into());
    app.screen
        .push(Overlay::Confirm(Confirm::Cancel(Choices::new(
            &standup,
            vec![Scope::This, Scope::All],
        ))));
    let s = screen(&app);
    assert!(s.contains("k/j choose · h/Ctrl-N change"), "{s}");
    app.update(ctrl('n'));
    let Some(Confirm::Cancel(d)) = app.confirm() else {
        panic!()
    };
    assert_eq!(d.notify, 1, "Ctrl-N changes the e-mail choice");
}

#[test]
fn link_picker_key_rebound_and_named_in_its_footer() {
    let mut app = app_with("[keys.link_picker]\npick = [\"p\"]\ndown = [\"n\"]\n");
    press(&mut app, "n1");
    focus(&mut app, meetty::compose::Field::Meet);
    app.update(key(KeyCode::Left));
    assert_eq!(app.mode(), Mode::LinkPicker);
    let s = screen(&app);
    assert!(
        s.contains("k/n choose · p share its link · Esc back"),
        "{s}"
    );
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::LinkPicker, "Enter is not bound any more");
    press(&mut app, "np");
    assert_eq!(app.mode(), Mode::Form);
    let meet = app.form().unwrap().draft().meet;
    assert!(
        matches!(&meet, meetty::compose::MeetChoice::SameAs { event_id, .. } if event_id == "retro1"),
        "{meet:?}"
    );
}

#[test]
fn edit_rebound_and_named_in_the_help() {
    let mut app = app_with("[keys.agenda]\nedit = [\"E\"]\n");
    assert!(press(&mut app, "e").is_empty());
    assert_eq!(app.toast, None, "e is not bound any more");
    // The standup is Maria's: the rebound key reaches the edit command, which says so.
    press(&mut app, "E");
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.text.starts_with("Only Maria Chen can change"),
        "{toast:?}"
    );
    press(&mut app, "?");
    let s = screen(&app);
    assert!(s.contains("E              edit or move the meeting"), "{s}");
}

#[test]
fn links_keys_rebound_and_named_in_its_footer_and_help() {
    let mut app = app_with(
        "[keys.agenda]\nlinks = [\"F3\"]\n[keys.links]\ncopy = [\"c\"]\nclose = [\"x\"]\n",
    );
    press(&mut app, "L");
    assert_eq!(app.mode(), Mode::Agenda, "L is not bound any more");
    app.update(key(KeyCode::F(3)));
    assert_eq!(app.mode(), Mode::Links);
    let s = screen(&app);
    assert!(s.contains("k/j choose · c copy · o open · x back"), "{s}");
    assert!(press(&mut app, "y").is_empty(), "y is not bound any more");
    assert!(matches!(
        press(&mut app, "c").as_slice(),
        [Effect::Copy { .. }]
    ));
    press(&mut app, "?");
    let s = screen(&app);
    assert!(s.contains("Keys: links"), "{s}");
    assert!(
        s.contains("│c               copy the highlighted one"),
        "{s}"
    );
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Links, "Esc closes the help, not the list");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Links, "Esc is not bound any more");
    press(&mut app, "x");
    assert_eq!(app.mode(), Mode::Agenda);
}
