//! Snapshots of what the user sees, rendered into memory with the real UI code: the empty,
//! loading, loaded, offline, filtered, help and small-terminal states.

mod common;

use chrono::Duration;
use common::*;
use meetty::app::{App, Sync};
use meetty::calendar::error::ApiError;
use meetty::calendar::model::Agenda;
use meetty::screenshots::{demo_settings, render};

/// The screen as a terminal shows it: a wide character covers the cell after it.
fn text(app: &App, w: u16, h: u16) -> String {
    use unicode_width::UnicodeWidthStr;
    let buf = render(app, w, h);
    (0..h)
        .map(|y| {
            let mut row = String::new();
            let mut covered = 0;
            for x in 0..w {
                if covered > 0 {
                    covered -= 1;
                    continue;
                }
                let symbol = buf[(x, y)].symbol();
                covered = symbol.width().saturating_sub(1);
                row.push_str(symbol);
            }
            row.trim_end().to_string()
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

/// The agenda's lines with a line under each that has marked cells: `-` struck through
/// (declined, dimmed), `^` highlighted (awaiting your answer), `*` a status badge.
fn styled(app: &App, w: u16, h: u16) -> String {
    use ratatui::style::{Color, Modifier};
    let buf = render(app, w, h);
    let shown = text(app, w, h);
    let mut out = Vec::new();
    for (y, line) in shown.lines().enumerate() {
        out.push(line.to_string());
        let marks: String = (0..w)
            .map(|x| {
                let cell = &buf[(x, y as u16)];
                if cell.modifier.contains(Modifier::CROSSED_OUT) {
                    '-'
                } else if cell.fg == Color::Magenta {
                    '^'
                } else if cell.fg == Color::LightCyan {
                    '*'
                } else {
                    ' '
                }
            })
            .collect();
        if marks.contains(['-', '^', '*']) {
            out.push(marks.trim_end().to_string());
        }
    }
    out.join("\n")
}

#[test]
fn rows_show_your_answer_in_each_state() {
    use meetty::calendar::model::Rsvp;
    let mut agenda = agenda();
    answer(&mut agenda, "Design review", Rsvp::NeedsAction);
    answer(&mut agenda, "Offsite", Rsvp::Tentative);
    answer(&mut agenda, "Sprint retro", Rsvp::Declined);
    let app = App::new(demo_settings(tz()), Some(agenda), now());
    insta::assert_snapshot!(styled(&app, 110, 10));
}

#[test]
fn statuses_have_their_own_badge_among_all_events() {
    let mut agenda = agenda();
    let cal = "alex@example.com";
    let entries = [
        (
            "ooo1",
            "Out of office",
            "outOfOffice",
            "2026-11-24T08:00:00Z",
            "2026-11-24T11:00:00Z",
        ),
        (
            "focus1",
            "Focus time",
            "focusTime",
            "2026-11-23T13:00:00Z",
            "2026-11-23T15:00:00Z",
        ),
    ];
    for (id, summary, kind, start, end) in entries {
        agenda.meetings.push(meeting(
            cal,
            serde_json::json!({
                "id": id, "summary": summary, "eventType": kind,
                "start": {"dateTime": start}, "end": {"dateTime": end}
            }),
        ));
    }
    for (id, summary, kind) in [
        ("home1", "Home", "workingLocation"),
        ("bday1", "Priya's birthday", "birthday"),
    ] {
        agenda.meetings.push(meeting(
            cal,
            serde_json::json!({
                "id": id, "summary": summary, "eventType": kind,
                "start": {"date": "2026-11-23"}, "end": {"date": "2026-11-24"}
            }),
        ));
    }
    agenda.sort();
    let mut app = App::new(demo_settings(tz()), Some(agenda), now());
    press(&mut app, "a");
    while app.selected_meeting().unwrap().title != "Focus time" {
        press(&mut app, "j");
    }
    insta::assert_snapshot!(styled(&app, 110, 14));
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

/// A Meet meeting on Alex's calendar, from Google-shaped JSON.
fn meet_event(id: &str, title: &str, start: &str, end: &str) -> meetty::calendar::model::Meeting {
    let event = serde_json::json!({
        "id": id, "summary": title,
        "start": {"dateTime": start}, "end": {"dateTime": end},
        "conferenceData": {
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
            "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"}]
        }
    });
    let text = event.to_string();
    let event = serde_json::from_str(&text).unwrap();
    meetty::calendar::model::Meeting::from_event("alex@example.com", &event).unwrap()
}

fn app_with(extra: Vec<meetty::calendar::model::Meeting>) -> App {
    let mut agenda = agenda();
    agenda.meetings.extend(extra);
    agenda.sort();
    App::new(demo_settings(tz()), Some(agenda), now())
}

/// The rows between the borders of a one-pane screen, border characters checked.
fn inside_borders(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    // The box, then the status bar.
    lines[1..lines.len() - 2]
        .iter()
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            assert_eq!(chars.first(), Some(&'│'), "{screen}");
            assert_eq!(
                chars.last(),
                Some(&'│'),
                "a row ran into the border:\n{screen}"
            );
            chars[1..chars.len() - 1].iter().collect()
        })
        .collect()
}

#[test]
fn cut_titles_end_in_an_ellipsis_and_keep_time_and_countdown_whole() {
    let app = app_with(vec![
        meet_event(
            "quick1",
            "Quick sync with 東京オフィス about the rollout",
            "2026-11-23T09:03:00Z",
            "2026-11-23T09:20:00Z",
        ),
        meet_event(
            "weekly1",
            "週次ミーティング：東京オフィスとの定例会議",
            "2026-11-23T12:00:00Z",
            "2026-11-23T13:00:00Z",
        ),
    ]);
    let screen = text(&app, 40, 10);
    let rows = inside_borders(&screen);
    let row = |start: &str| {
        rows.iter()
            .find(|r| r.starts_with(start))
            .unwrap_or_else(|| panic!("no {start} row:\n{screen}"))
            .trim_end()
            .to_string()
    };
    assert_eq!(row("▌✓ 10:03"), "▌✓ 10:03 Meet  Quick sync wi… in 3 min");
    assert_eq!(row("▌✓ 13:00"), "▌✓ 13:00 Meet  週次ミーティング：東…");
    // The now-running standup keeps its countdown too.
    assert!(row("▌✓ 09:45").ends_with("… now, 15 min left"), "{screen}");
    insta::assert_snapshot!("small_agenda_cut_titles", screen);
}

#[test]
fn the_day_stays_named_at_the_top_when_scrolled_into_a_long_day() {
    // Twelve interviews today from 12:00, eight tomorrow from 09:00 (Berlin).
    let interviews = |day: i64, from: i64, count: i64| {
        (0..count).map(move |i| {
            let start =
                now() + Duration::days(day) + Duration::hours(from) + Duration::minutes(20 * i);
            meet_event(
                &format!("interview{day}x{i}"),
                &format!("Interview {}", i + 1),
                &start.to_rfc3339(),
                &(start + Duration::minutes(15)).to_rfc3339(),
            )
        })
    };
    let mut app = app_with(interviews(0, 2, 12).chain(interviews(1, -1, 8)).collect());
    let mut tops = Vec::new();
    for _ in 0..24 {
        press(&mut app, "j");
        let screen = text(&app, 40, 10);
        let rows = inside_borders(&screen);
        assert!(
            rows[0].starts_with("Today · Mon 23 Nov")
                || rows[0].starts_with("Tomorrow · Tue 24 Nov"),
            "{screen}"
        );
        let title = &app.selected_meeting().unwrap().title;
        assert!(screen.contains(title.as_str()), "{title}:\n{screen}");
        tops.push(rows[0].clone());
        if tops.len() == 10 {
            insta::assert_snapshot!("small_agenda_day_pinned", screen);
        }
    }
    assert!(tops.last().unwrap().starts_with("Tomorrow"), "{tops:?}");
}

#[test]
fn help_wraps_and_scrolls_to_its_last_row_in_a_small_terminal() {
    let mut app = app();
    press(&mut app, "?");
    let first = text(&app, 40, 10);
    assert!(first.contains("↓"), "says there is more below:\n{first}");
    let mut seen = String::new();
    for _ in 0..80 {
        seen.push_str(&text(&app, 40, 10));
        seen.push('\n');
        press(&mut app, "j");
    }
    let last = text(&app, 40, 10);
    let flat = last
        .replace(['│', '\n'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("any other key closes this help."), "{last}");
    assert!(!last.contains("↓"), "nothing more below:\n{last}");
    // Every description is there in full, wrapped under itself.
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let shown = words(&seen.replace('│', " "));
    let rows = app.settings.keymap.help_rows(meetty::app::Mode::Agenda);
    for (_, desc) in rows {
        let desc = words(desc);
        assert!(
            shown.windows(desc.len()).any(|w| w == desc.as_slice()),
            "{desc:?} not shown whole:\n{seen}"
        );
    }
}

#[test]
fn an_event_that_ends_when_it_starts_shows_one_time() {
    let mut app = app_with(vec![meet_event(
        "deadline1",
        "Release cut-off",
        "2026-11-23T17:10:00Z",
        "2026-11-23T17:10:00Z",
    )]);
    while app.selected_meeting().unwrap().id != "deadline1" {
        press(&mut app, "j");
    }
    let screen = text(&app, 110, 30);
    assert!(!screen.contains("18:10–18:10"), "{screen}");
    assert!(
        screen.contains("│▌✓ 18:10       Meet    Release cut-off"),
        "{screen}"
    );
    assert!(
        screen.contains("When      Mon 23 Nov 18:10 (Europe/Berlin)"),
        "{screen}"
    );
}

/// A create refused with Google's 403, the form still open.
fn refused_form() -> App {
    use meetty::action::{Action, Effect};
    let mut app = app();
    press(&mut app, "n1");
    press(&mut app, "Flaky wifi");
    let effects = app.update(ctrl('s'));
    let [Effect::Write { req, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    app.update(Action::Wrote {
        req: *req,
        result: Err(ApiError::Google {
            code: 403,
            reason: "requiredAccessLevel".into(),
            message: "You need to have writer access to this calendar.".into(),
        }),
    });
    app
}

/// The words of the form pane, right of column `from`, in reading order.
fn form_words(screen: &str, from: usize) -> String {
    screen
        .lines()
        .map(|l| l.chars().skip(from).collect::<String>().replace('│', " "))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn googles_refusal_shows_whole_under_the_form() {
    let app = refused_form();
    let refusal = "Google Calendar said 403 requiredAccessLevel: You need to have writer access \
                   to this calendar. (you may not change this calendar or event)";
    let screen = text(&app, 120, 35);
    assert!(form_words(&screen, 66).contains(refusal), "{screen}");
    assert!(
        screen.contains("Ctrl-S create"),
        "the keys stay below it:\n{screen}"
    );
    insta::assert_snapshot!("form_refused", screen);
}

#[test]
fn a_refusal_too_long_for_the_screen_scrolls_to_its_end_and_no_further() {
    let mut app = refused_form();
    let screen = text(&app, 40, 12);
    assert!(screen.contains("↓"), "says there is more:\n{screen}");
    assert!(!screen.contains("event)"), "{screen}");
    let form = || app.form().unwrap();
    let max = form().error_max.get();
    assert!(max > 0);
    for _ in 0..max {
        app.form_mut().unwrap().scroll_error(1);
    }
    let screen = text(&app, 40, 12);
    assert!(screen.contains("event)"), "{screen}");
    assert!(screen.contains("↑") && !screen.contains("↓"), "{screen}");
    insta::assert_snapshot!("form_refused_small_scrolled", screen);
    app.form_mut().unwrap().scroll_error(5);
    assert_eq!(
        app.form().unwrap().error_scroll,
        max,
        "no further than the end"
    );
    app.form_mut().unwrap().scroll_error(-100);
    assert_eq!(app.form().unwrap().error_scroll, 0);
    // Typing clears the refusal, and with it the scroll.
    app.form_mut().unwrap().scroll_error(1);
    press(&mut app, "x");
    let form = app.form().unwrap();
    assert_eq!((form.error.as_deref(), form.error_scroll), (None, 0));
}

#[test]
fn a_fields_long_note_scrolls_when_taller_than_the_form() {
    let mut app = app();
    press(&mut app, "n1");
    app.update(key(ratatui::crossterm::event::KeyCode::Tab));
    press(&mut app, "someday");
    let screen = text(&app, 40, 8);
    assert!(screen.contains("✗ cannot read"), "{screen}");
    assert!(!screen.contains("+15m"), "{screen}");
    for _ in 0..20 {
        app.form_mut().unwrap().scroll_error(1);
    }
    let screen = text(&app, 40, 8);
    assert!(screen.contains("+15m"), "the note's end:\n{screen}");
}

#[test]
fn find_a_time_grid_and_list() {
    let mut app = finding_a_time();
    insta::assert_snapshot!("find_time_grid_120x35", text(&app, 120, 35));
    insta::assert_snapshot!("find_time_grid_80x24", text(&app, 80, 24));
    press(&mut app, "ll");
    insta::assert_snapshot!("find_time_list_60x20", text(&app, 60, 20));
    let grid = text(&app, 80, 24);
    for lane in ["you", "kim@example.com", "lee@example.com", "free"] {
        assert!(grid.contains(lane), "{lane} has a lane:\n{grid}");
    }
    assert!(
        grid.contains("unknown: not shared with you (notFound)"),
        "{grid}"
    );
    assert!(grid.contains("Chosen without lee@example.com"), "{grid}");
    assert!(grid.contains("→ Mon 23 Nov 12:00–12:30"), "{grid}");
}

#[test]
fn the_start_field_names_the_find_a_time_key() {
    let mut app = app();
    press(&mut app, "n");
    app.update(key(ratatui::crossterm::event::KeyCode::Enter));
    focus(&mut app, meetty::compose::Field::Start);
    let screen = text(&app, 120, 35);
    assert!(screen.contains("Ctrl-F find a time"), "{screen}");
}

#[test]
fn help_over_find_a_time_leaves_the_grid_under_it() {
    let mut app = finding_a_time();
    press(&mut app, "?");
    let screen = text(&app, 120, 35);
    assert!(screen.contains("Keys: find a time"), "{screen}");
    assert!(
        screen.contains("Find a time · 30 min"),
        "the grid is still drawn:\n{screen}"
    );
    assert!(screen.contains("kim@example.com"), "{screen}");
}

#[test]
fn find_a_time_fits_a_long_working_day_and_many_guests() {
    use meetty::compose::Field;
    // A 15-hour day does not fit in quarter hours at 80 columns: half hours do, uncut.
    let mut app = finding_a_time();
    app.settings.hours =
        meetty::freetime::WorkingHours::parse("06:00-21:00", &["mon", "tue"]).unwrap();
    app.update(key(ratatui::crossterm::event::KeyCode::Esc));
    set(
        &mut app,
        Field::Guests,
        "kim@example.com, lee@example.com, ann@example.com",
    );
    let Some(meetty::action::Effect::FreeBusy { req, .. }) = app.update(ctrl('f')).pop() else {
        panic!()
    };
    app.update(meetty::action::Action::FreeBusy {
        req,
        result: Ok(free_busy()),
    });
    let grid = text(&app, 80, 24);
    let you = grid.lines().find(|l| l.starts_with("│you")).expect(&grid);
    assert!(you.ends_with('│') && !you.contains('…'), "{grid}");
    assert!(grid.contains("06") && grid.contains("20"), "{grid}");
    // More guests than rows: the list of slots instead of a grid cut off at the bottom.
    let many: Vec<String> = (0..20).map(|n| format!("g{n}@example.com")).collect();
    app.update(key(ratatui::crossterm::event::KeyCode::Esc));
    set(&mut app, Field::Guests, &many.join(", "));
    let Some(meetty::action::Effect::FreeBusy { req, .. }) = app.update(ctrl('f')).pop() else {
        panic!()
    };
    app.update(meetty::action::Action::FreeBusy {
        req,
        result: Ok(free_busy()),
    });
    let list = text(&app, 80, 24);
    assert!(!list.contains("│free"), "{list}");
    assert!(
        list.contains("Enter take"),
        "the keys stay on screen:\n{list}"
    );
}

/// Issue 11 points 9–10: the link picker, then the form sharing the retro's link at a time
/// that overlaps the standup.
#[test]
fn same_link_as_and_the_overlap_warning() {
    use meetty::compose::Field;
    use ratatui::crossterm::event::KeyCode;
    let mut app = app();
    press(&mut app, "n1");
    type_text(&mut app, "Follow-up");
    set(&mut app, Field::Start, "10:00");
    focus(&mut app, Field::Meet);
    app.update(key(KeyCode::Left));
    insta::assert_snapshot!("link_picker", text(&app, 100, 20));
    press(&mut app, "j");
    app.update(key(KeyCode::Enter));
    insta::assert_snapshot!("form_same_link_overlap", text(&app, 100, 30));
}

#[test]
fn the_answer_dialog_with_a_note_being_typed() {
    let mut app = app();
    // The standup is Maria's invitation: R answers it.
    press(&mut app, "Rm");
    app.update(key(ratatui::crossterm::event::KeyCode::Tab));
    type_text(&mut app, "Ten minutes late");
    insta::assert_snapshot!("answer_dialog", text(&app, 100, 20));
}

/// Issue 11 point 5: the edit form, filled from the meeting, says it edits and what a shift
/// of the start resolves to; saving asks who gets e-mail.
#[test]
fn edit_form_and_its_save_dialog() {
    use meetty::calendar::edit::Editable;
    use meetty::compose::{Context, Field};
    use meetty::form::Form;
    let mut app = app();
    let meeting = app.selected_meeting().unwrap().clone();
    let calendars = app.agenda.as_ref().unwrap().calendars.clone();
    let ctx = Context {
        now: now(),
        tz: tz(),
        calendars: &calendars,
        account: None,
        accounts: &[],
        meetings: &[],
        editing: None,
    };
    let loaded = Editable {
        meeting,
        zone: tz(),
        series: None,
        source: serde_json::Value::Null,
    };
    app.screen.open_form(Form::editing(loaded, &ctx).unwrap());
    set(&mut app, Field::Start, "+30m");
    insta::assert_snapshot!("edit_form", text(&app, 100, 30));
    app.update(ctrl('s'));
    insta::assert_snapshot!("edit_save_dialog", text(&app, 100, 30));
}

#[test]
fn a_meeting_marked_for_a_scheduled_join_while_a_watch_syncs() {
    let mut settings = demo_settings(tz());
    settings.auto_join = meetty::config::AutoJoin::Marked;
    let mut app = App::new(settings, Some(agenda()), now());
    press(&mut app, "J");
    app.update(meetty::action::Action::Tick(now() + Duration::seconds(5)));
    app.update(meetty::action::Action::Following(true));
    insta::assert_snapshot!(text(&app, 100, 16));
}

#[test]
fn the_join_mark_dialog_for_an_occurrence_of_a_series() {
    let mut a = agenda();
    let retro = a.meetings.iter_mut().find(|m| m.title == "Sprint retro");
    retro.unwrap().series_id = Some("retro".into());
    let mut app = App::new(demo_settings(tz()), Some(a), now());
    select(&mut app, "Sprint retro");
    press(&mut app, "J");
    insta::assert_snapshot!(text(&app, 100, 16));
}

/// h3: the merged agenda without the retro's second copy (how a copy shows is
/// `a_meeting_on_two_accounts_calendars_names_both`).
fn merged_without_copies() -> App {
    let mut agenda = merged_agenda();
    agenda
        .meetings
        .retain(|m| m.account == 0 || m.title != "Sprint retro");
    App::new(demo_settings(tz()), Some(agenda), now())
}

#[test]
fn a_merged_agenda_labels_rows_with_their_account_and_marks_the_stale_one() {
    let mut app = merged_without_copies();
    select(&mut app, "Dentist");
    insta::assert_snapshot!("merged_agenda", text(&app, 110, 30));
    insta::assert_snapshot!("merged_agenda_narrow", text(&app, 48, 12));
    // The stale account's row is dimmed: its title is drawn unlike a fresh row's.
    press(&mut app, "k");
    let buf = render(&app, 110, 30);
    let screen = text(&app, 110, 30);
    let cell_of = |title: &str| {
        let y = screen.lines().position(|l| l.contains(title)).unwrap();
        let x = screen.lines().nth(y).unwrap().find(title).unwrap();
        let x = screen.lines().nth(y).unwrap()[..x].chars().count();
        buf[(x as u16, y as u16)].style()
    };
    assert_ne!(cell_of("Dentist"), cell_of("Platform standup"));
    // One account: no column (the other snapshots keep their layout).
    let one = text(
        &App::new(demo_settings(tz()), Some(agenda()), now()),
        110,
        30,
    );
    assert!(
        one.contains("│▌✓ 09:45–10:15 Meet    Platform standup"),
        "{one}"
    );
}

/// A merged agenda of one account (`--account`, or one signed in) looks as an agenda of
/// one account always did: no label column and no "Account" line in the details.
#[test]
fn one_account_merged_shows_as_one_account() {
    let mut one = agenda();
    one.accounts = merged_agenda().accounts[..1].to_vec();
    let draw = |a: Agenda| {
        let mut app = App::new(demo_settings(tz()), Some(a), now());
        select(&mut app, "Platform standup");
        text(&app, 110, 30)
    };
    let screen = draw(one);
    assert!(!screen.contains("Account"), "{screen}");
    assert_eq!(screen, draw(agenda()));
}

/// Config `accounts` and `account_labels` can hold any text: the details show it clean.
#[test]
fn account_emails_and_labels_are_sanitized_in_the_details() {
    let mut a = merged_agenda();
    a.accounts[0].email = "alex@example.com\x1b]52;c;aGk=\x07\u{202e}".into();
    a.accounts[0].label = "W\x1b[2J".into();
    let mut app = App::new(demo_settings(tz()), Some(a), now());
    select(&mut app, "Sprint retro");
    app.update(key(ratatui::crossterm::event::KeyCode::Tab));
    let screen = text(&app, 110, 30);
    assert!(screen.contains("alex@example.com"), "{screen}");
    // The terminal drops lone controls; what an escape sequence carries must go too.
    assert!(
        !screen.contains(['\x1b', '\x07', '\u{202e}'])
            && !screen.contains("]52;")
            && !screen.contains("[2J"),
        "{screen:?}"
    );
}

#[test]
fn a_meeting_on_two_accounts_calendars_names_both() {
    let mut app = App::new(demo_settings(tz()), Some(merged_agenda()), now());
    select(&mut app, "Sprint retro");
    let screen = text(&app, 110, 30);
    // The work account's row, marked as on another account's calendar too.
    assert!(
        screen.contains("│▌✓ 15:00–16:00 Meet    W+ Sprint retro"),
        "{screen}"
    );
    // The details alone (a narrow terminal, Tab to the details).
    app.update(key(ratatui::crossterm::event::KeyCode::Tab));
    insta::assert_snapshot!("merged_details_of_a_copy", text(&app, 70, 14));
}

#[test]
fn the_links_list_over_the_agenda() {
    let mut app = merged_without_copies();
    press(&mut app, "Lj");
    insta::assert_snapshot!("links_list", text(&app, 110, 30));
    // Narrow: every URL cut to the box, none wraps into the next line.
    insta::assert_snapshot!("links_list_narrow", text(&app, 44, 14));
}

#[test]
fn details_show_the_meeting_id_and_passcode() {
    let mut app = merged_without_copies();
    select(&mut app, "Design review");
    insta::assert_snapshot!("details_with_id_and_passcode", text(&app, 110, 16));
}
