//! `App::update` driven by keys and results, with no terminal: what each key does to the
//! state and which effects it asks for.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use meetty::action::{Action, Effect};
use meetty::app::{Mode, Pane, Sync};
use meetty::calendar::error::ApiError;
use ratatui::crossterm::event::KeyCode;

fn selected_title(app: &meetty::app::App) -> String {
    app.selected_meeting()
        .map(|m| m.title.clone())
        .unwrap_or_default()
}

#[test]
fn starts_on_the_first_meeting_and_moves_with_vim_keys_and_arrows() {
    let mut app = app();
    assert_eq!(selected_title(&app), "Platform standup");
    press(&mut app, "j");
    assert_eq!(selected_title(&app), "Design review");
    app.update(key(KeyCode::Down));
    assert_eq!(selected_title(&app), "Offsite", "day headings are skipped");
    press(&mut app, "G");
    assert_eq!(selected_title(&app), "Sprint retro");
    press(&mut app, "j");
    assert_eq!(selected_title(&app), "Sprint retro", "no wrap past the end");
    press(&mut app, "g");
    assert_eq!(selected_title(&app), "Platform standup");
    app.update(key(KeyCode::Up));
    assert_eq!(selected_title(&app), "Platform standup");
    app.update(key(KeyCode::PageDown));
    assert_eq!(selected_title(&app), "Sprint retro");
}

#[test]
fn y_copies_the_selected_meetings_video_link_and_capital_y_the_dial_in() {
    let mut app = app();
    assert_eq!(
        press(&mut app, "y"),
        vec![Effect::Copy {
            text: "https://meet.google.com/abc-defg-hij".into(),
            what: "Google Meet link".into()
        }]
    );
    assert_eq!(
        press(&mut app, "Y"),
        vec![Effect::Copy {
            text: "+49 30 5555 0143,,482913#".into(),
            what: "dial-in number and PIN".into()
        }]
    );
    press(&mut app, "j");
    match press(&mut app, "y").as_slice() {
        [Effect::Copy { text, .. }] => {
            assert_eq!(text, "https://us02web.zoom.us/j/85012345678?pwd=Q2xpZW50")
        }
        other => panic!("expected a copy, got {other:?}"),
    }
    // No dial-in: the meeting ID the Zoom link carries.
    assert_eq!(
        press(&mut app, "Y"),
        vec![Effect::Copy {
            text: "Meeting ID: 850 1234 5678".into(),
            what: "Zoom meeting ID".into()
        }]
    );
    app.update(Action::Copied {
        what: "Zoom link".into(),
        result: Ok("OSC 52".into()),
    });
    assert_eq!(app.toast.unwrap().text, "Copied Zoom link (OSC 52)");
}

#[test]
fn a_toggles_events_without_links_and_y_there_says_why_nothing_was_copied() {
    let mut app = app();
    press(&mut app, "a");
    assert!(app.show_all);
    press(&mut app, "jj");
    assert_eq!(selected_title(&app), "Lunch with Sam");
    assert!(press(&mut app, "y").is_empty());
    assert!(app
        .toast
        .as_ref()
        .unwrap()
        .text
        .contains("has no video link"));
    press(&mut app, "a");
    assert_ne!(selected_title(&app), "Lunch with Sam", "hidden again");
}

#[test]
fn filter_treats_every_key_as_text_and_esc_restores() {
    let mut app = app();
    press(&mut app, "/");
    assert_eq!(app.mode(), Mode::Filter);
    press(&mut app, "qretro");
    assert!(!app.quit, "q in the filter is text");
    assert_eq!(app.filter, "qretro");
    assert!(app.selected_meeting().is_none(), "nothing matches qretro");
    app.update(key(KeyCode::Backspace));
    for _ in 0..5 {
        app.update(key(KeyCode::Backspace));
    }
    press(&mut app, "retro");
    assert_eq!(selected_title(&app), "Sprint retro");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(app.filter, "retro");
    press(&mut app, "/");
    press(&mut app, "x");
    app.update(key(KeyCode::Esc));
    assert_eq!(
        app.filter, "retro",
        "Esc goes back to the filter before editing"
    );
    press(&mut app, "/");
    app.update(ctrl('u'));
    app.update(key(KeyCode::Enter));
    assert_eq!(
        selected_title(&app),
        "Sprint retro",
        "selection kept when the filter widens"
    );
}

#[test]
fn filter_matches_attendees_and_providers() {
    let mut app = app();
    press(&mut app, "/okafor");
    assert_eq!(selected_title(&app), "Platform standup");
    app.update(ctrl('u'));
    press(&mut app, "zoom");
    assert_eq!(selected_title(&app), "Design review");
}

#[test]
fn help_opens_on_question_mark_and_any_other_key_closes_it() {
    let mut app = app();
    press(&mut app, "?");
    assert_eq!(app.mode(), Mode::Help);
    press(&mut app, "y");
    assert_eq!(app.mode(), Mode::Agenda);
    assert!(!app.quit);
}

#[test]
fn q_and_ctrl_c_quit_even_from_the_filter() {
    let mut app = app();
    press(&mut app, "q");
    assert!(app.quit);
    let mut app = common::app();
    press(&mut app, "/ab");
    app.update(ctrl('c'));
    assert!(app.quit);
}

#[test]
fn tab_moves_focus_and_j_then_scrolls_details() {
    let mut app = app();
    app.update(key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Details);
    press(&mut app, "jjj");
    assert_eq!(app.details_scroll, 3);
    assert_eq!(selected_title(&app), "Platform standup");
    app.update(key(KeyCode::BackTab));
    assert_eq!(app.focus, Pane::Agenda);
    press(&mut app, "j");
    assert_eq!(
        app.details_scroll, 0,
        "a new meeting starts at the top of its details"
    );
}

#[test]
fn o_opens_the_video_link() {
    let mut app = app();
    assert_eq!(
        press(&mut app, "o"),
        vec![Effect::Open {
            url: "https://meet.google.com/abc-defg-hij".into()
        }]
    );
}

#[test]
fn refresh_asks_for_the_next_days_in_the_users_zone_and_drops_superseded_results() {
    let mut app = app();
    let first = press(&mut app, "r");
    let second = press(&mut app, "r");
    let (
        Effect::Refresh {
            req: r1,
            asked: true,
            ..
        },
        Effect::Refresh {
            req: r2, from, to, ..
        },
    ) = (&first[0], &second[0])
    else {
        panic!("expected refreshes: {first:?} {second:?}");
    };
    assert_ne!(r1, r2);
    assert_eq!(*from, now());
    // 7 days from Monday 23 Nov in Berlin: up to Monday 30 Nov 00:00 CET.
    assert_eq!(to.to_rfc3339(), "2026-11-29T23:00:00+00:00");

    let mut stale = agenda();
    stale.meetings.clear();
    assert!(app
        .update(Action::AgendaLoaded {
            req: *r1,
            result: Ok(stale.into())
        })
        .is_empty());
    assert_eq!(
        app.agenda.as_ref().unwrap().meetings.len(),
        5,
        "the superseded answer is ignored"
    );

    let mut fresh = agenda();
    fresh.meetings.retain(|m| m.title != "Design review");
    let effects = app.update(Action::AgendaLoaded {
        req: *r2,
        result: Ok(fresh.into()),
    });
    assert!(matches!(effects.as_slice(), [Effect::SaveCache(_)]));
    assert_eq!(app.sync, Sync::Idle);
    assert_eq!(app.agenda.as_ref().unwrap().meetings.len(), 4);
}

#[test]
fn refresh_keeps_the_selected_meeting_selected() {
    let mut app = app();
    press(&mut app, "G");
    let Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    let mut reordered = agenda();
    reordered.meetings.reverse();
    app.update(Action::AgendaLoaded {
        req,
        result: Ok(reordered.into()),
    });
    assert_eq!(selected_title(&app), "Sprint retro");
}

#[test]
fn a_failed_refresh_keeps_the_cached_agenda_and_says_offline() {
    let mut app = app();
    let Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    app.update(Action::AgendaLoaded {
        req,
        result: Err(ApiError::Network("connection refused".into())),
    });
    assert!(matches!(&app.sync, Sync::Failed { error } if error.is_offline()));
    assert_eq!(app.agenda.as_ref().unwrap().meetings.len(), 5);
    assert_eq!(selected_title(&app), "Platform standup");
}

#[test]
fn ticks_redraw_only_when_something_visible_changes() {
    let mut app = app();
    app.dirty = false;
    app.update(Action::Tick(now() + Duration::seconds(20)));
    assert!(!app.dirty, "same minute, nothing to redraw");
    app.update(Action::Tick(now() + Duration::seconds(61)));
    assert!(app.dirty, "countdowns change with the minute");

    app.dirty = false;
    app.update(Action::Copied {
        what: "Zoom link".into(),
        result: Ok("OSC 52".into()),
    });
    assert!(app.toast.is_some());
    app.dirty = false;
    app.update(Action::Tick(app.now + Duration::seconds(5)));
    assert!(
        app.toast.is_none() && app.dirty,
        "the toast expired and the frame shows it"
    );
}

#[test]
fn meetings_that_end_drop_off_as_time_passes() {
    let mut app = app();
    assert_eq!(selected_title(&app), "Platform standup");
    app.update(Action::Tick(now() + Duration::minutes(16)));
    assert_eq!(selected_title(&app), "Design review");
}

#[test]
fn the_agenda_refreshes_when_the_day_turns() {
    let mut app = app();
    // Only the day's turn refreshes here, not the periodic refresh.
    app.settings.refresh_every = None;
    // 23:59 and then 00:01 in Berlin (UTC+1), in one-minute ticks (a longer gap is a sleep).
    let before_midnight: DateTime<Utc> = "2026-11-23T22:59:00Z".parse().unwrap();
    let mut t = now();
    while t < before_midnight {
        t += Duration::minutes(1);
        assert!(app.update(Action::Tick(t)).is_empty(), "{t}");
    }
    let after_midnight = "2026-11-23T23:01:00Z".parse().unwrap();
    let effects = app.update(Action::Tick(after_midnight));
    assert!(
        matches!(effects.as_slice(), [Effect::Refresh { .. }]),
        "{effects:?}"
    );
}

#[test]
fn a_multi_day_event_keeps_its_day_when_rows_are_rebuilt() {
    use meetty::calendar::model::When;
    let mut agenda = agenda();
    let offsite = agenda
        .meetings
        .iter_mut()
        .find(|m| m.title == "Offsite")
        .unwrap();
    offsite.when = When::AllDay {
        start: "2026-11-24".parse().unwrap(),
        end: "2026-11-26".parse().unwrap(),
    };
    let mut app = meetty::app::App::new(
        meetty::screenshots::demo_settings(tz()),
        Some(agenda),
        now(),
    );
    press(&mut app, "G");
    assert_eq!(
        selected_title(&app),
        "Offsite",
        "its second day is the last row"
    );
    let on_second_day = app.selected;

    app.dirty = false;
    app.update(Action::Tick(now() + Duration::nanoseconds(500)));
    assert!(!app.dirty, "a tick within the same minute changes nothing");
    app.update(Action::Tick(now() + Duration::minutes(2)));
    assert_eq!(
        app.selected, on_second_day,
        "the rebuild kept the same day's row"
    );
    press(&mut app, "k");
    assert_eq!(selected_title(&app), "Sprint retro");
}

#[test]
fn a_sign_in_out_in_the_browser_is_not_started_twice_and_its_failure_is_shown() {
    let mut app = app();
    let sign_in_needed = || Err(ApiError::SignIn("Google said invalid_grant".into()));
    let Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    app.update(Action::AgendaLoaded {
        req,
        result: sign_in_needed(),
    });
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::SignIn { account: 0 }]
    );
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Agenda);

    let Effect::Refresh { req, .. } = press(&mut app, "r").remove(0) else {
        panic!()
    };
    app.update(Action::AgendaLoaded {
        req,
        result: sign_in_needed(),
    });
    assert_eq!(app.mode(), Mode::SignIn);
    assert!(
        app.update(key(KeyCode::Enter)).is_empty(),
        "the first sign-in is still out"
    );

    app.update(key(KeyCode::Esc));
    app.update(Action::SignedIn(Err(
        "sign-in cancelled: Google answered access_denied".into(),
    )));
    assert_eq!(
        app.mode(),
        Mode::SignIn,
        "the failure is shown even after Esc"
    );
    assert!(app
        .sign_in
        .as_ref()
        .unwrap()
        .message
        .contains("access_denied"));
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::SignIn { account: 0 }],
        "and can be retried"
    );
}

/// Completes the refresh among `effects` with the fixture agenda at the app's current time.
fn finish_refresh(app: &mut meetty::app::App, effects: Vec<Effect>) {
    let Some(Effect::Refresh { req, .. }) = effects
        .into_iter()
        .find(|e| matches!(e, Effect::Refresh { .. }))
    else {
        panic!("no refresh");
    };
    app.update(Action::AgendaLoaded {
        req,
        result: Ok(agenda().into()),
    });
    assert_eq!(app.sync, Sync::Idle);
}

#[test]
fn the_agenda_refreshes_every_minute_by_itself_but_never_twice_at_once() {
    let mut app = app();
    let start = app.start();
    finish_refresh(&mut app, start);
    assert!(app.next_tick_in() <= std::time::Duration::from_secs(61));
    assert!(app
        .update(Action::Tick(now() + Duration::seconds(30)))
        .is_empty());
    let due = app.update(Action::Tick(now() + Duration::seconds(61)));
    assert!(
        matches!(
            due.as_slice(),
            [Effect::Refresh {
                reread_calendars: false,
                asked: false,
                ..
            }]
        ),
        "{due:?}"
    );
    // Still out at Google a minute later: no second one is queued behind it.
    assert!(app
        .update(Action::Tick(now() + Duration::seconds(122)))
        .is_empty());
    finish_refresh(&mut app, due);
    assert!(app
        .update(Action::Tick(now() + Duration::seconds(150)))
        .is_empty());

    app.settings.refresh_every = None;
    assert!(app
        .update(Action::Tick(now() + Duration::seconds(200)))
        .is_empty());
}

#[test]
fn waking_from_sleep_refreshes_and_rereads_the_calendar_list() {
    let mut app = app();
    let start = app.start();
    finish_refresh(&mut app, start);
    // The laptop lid was shut for two hours: the next tick comes that much later.
    let effects = app.update(Action::Tick(now() + Duration::hours(2)));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Refresh {
                reread_calendars: true,
                asked: false,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn offline_the_cache_still_serves_links_and_the_next_refresh_recovers_by_itself() {
    let mut app = app();
    let Some(Effect::Refresh { req, .. }) = app.start().pop() else {
        panic!()
    };
    app.update(Action::AgendaLoaded {
        req,
        result: Err(ApiError::Network("dns error".into())),
    });
    assert!(matches!(&app.sync, Sync::Failed { error } if error.is_offline()));
    let copy = press(&mut app, "y");
    assert!(
        matches!(copy.as_slice(), [Effect::Copy { text, .. }] if text.starts_with("https://meet.google.com/")),
        "{copy:?}"
    );
    // Nobody pressed r: the periodic refresh tries again, and succeeds.
    let retry = app.update(Action::Tick(now() + Duration::seconds(61)));
    finish_refresh(&mut app, retry);
}

#[test]
fn filter_matches_every_word_anywhere_in_the_meeting() {
    let mut app = app();
    press(&mut app, "/review zoom");
    assert_eq!(selected_title(&app), "Design review");
    assert_eq!(
        app.rows
            .iter()
            .filter(|r| matches!(r, meetty::view::Row::Meeting(_)))
            .count(),
        1
    );
    app.update(ctrl('u'));
    press(&mut app, "okafor  standup");
    assert_eq!(selected_title(&app), "Platform standup");
    app.update(ctrl('u'));
    press(&mut app, "review meet");
    assert!(app.selected_meeting().is_none(), "every word must match");
}

#[test]
fn esc_in_the_agenda_clears_a_kept_filter() {
    let mut app = app();
    press(&mut app, "/zzz");
    app.update(key(KeyCode::Enter));
    assert!(app.rows.is_empty(), "nothing matches zzz");
    press(&mut app, "/");
    app.update(key(KeyCode::Esc));
    assert_eq!(
        app.filter, "zzz",
        "Esc in the filter puts back what was kept"
    );
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(app.filter, "", "Esc in the agenda clears the filter");
    assert!(!app.rows.is_empty());
    assert!(app.selected_meeting().is_some());
}

// Scheduled joins (issue 12 point 7): the join-mark key marks the selected meeting, an
// occurrence of a series asks which occurrences, and the marks go out as an effect.

/// The fixture agenda with "Sprint retro" an occurrence of series "retro".
fn app_with_a_series(auto_join: meetty::config::AutoJoin) -> meetty::app::App {
    let mut a = agenda();
    let retro = a.meetings.iter_mut().find(|m| m.title == "Sprint retro");
    retro.unwrap().series_id = Some("retro".into());
    let mut settings = meetty::screenshots::demo_settings(tz());
    settings.auto_join = auto_join;
    meetty::app::App::new(settings, Some(a), now())
}

fn marks(occurrences: &[&str], series: &[&str]) -> meetty::alerts::Marks {
    meetty::alerts::Marks {
        occurrences: occurrences.iter().map(|s| s.to_string()).collect(),
        series: series.iter().map(|s| s.to_string()).collect(),
    }
}

fn toast(app: &meetty::app::App) -> String {
    app.toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

#[test]
fn capital_j_marks_a_meeting_for_a_scheduled_join_and_again_unmarks_it() {
    use meetty::app::Joins;
    let mut app = app_with_a_series(meetty::config::AutoJoin::Marked);
    assert_eq!(selected_title(&app), "Platform standup");
    assert_eq!(
        press(&mut app, "J"),
        vec![Effect::SaveMarks {
            marks: marks(&["standup1"], &[]),
            account: 0
        }]
    );
    let standup = app.selected_meeting().unwrap().clone();
    assert_eq!(app.joins(&standup), Some(Joins::Occurrence));
    assert!(toast(&app).contains("will be joined by itself 1 min before"));

    assert_eq!(
        press(&mut app, "J"),
        vec![Effect::SaveMarks {
            marks: marks(&[], &[]),
            account: 0
        }]
    );
    assert_eq!(app.joins(&standup), None);
    assert_eq!(toast(&app), "Unmarked \u{201c}Platform standup\u{201d}");
}

#[test]
fn capital_j_on_an_occurrence_asks_this_one_or_every_one_and_esc_marks_nothing() {
    use meetty::app::Joins;
    let mut app = app_with_a_series(meetty::config::AutoJoin::Marked);
    select(&mut app, "Sprint retro");
    assert!(
        press(&mut app, "J").is_empty(),
        "nothing saved before the answer"
    );
    assert_eq!(app.mode(), Mode::JoinMark);
    assert!(app.update(key(KeyCode::Esc)).is_empty());
    assert_eq!(app.mode(), Mode::Agenda);
    assert_eq!(app.marks, marks(&[], &[]));

    press(&mut app, "J");
    assert_eq!(
        press(&mut app, "e"),
        vec![Effect::SaveMarks {
            marks: marks(&[], &["retro"]),
            account: 0
        }]
    );
    assert_eq!(app.mode(), Mode::Agenda);
    let retro = app.selected_meeting().unwrap().clone();
    assert_eq!(app.joins(&retro), Some(Joins::Series));
    assert!(
        toast(&app).contains("(every occurrence)"),
        "{}",
        toast(&app)
    );

    // Unmarking an occurrence of a marked series unmarks the series, and says so.
    assert_eq!(
        press(&mut app, "J"),
        vec![Effect::SaveMarks {
            marks: marks(&[], &[]),
            account: 0
        }]
    );
    assert!(
        toast(&app).contains("Unmarked every occurrence"),
        "{}",
        toast(&app)
    );

    press(&mut app, "J");
    assert_eq!(
        press(&mut app, "t"),
        vec![Effect::SaveMarks {
            marks: marks(&["retro1"], &[]),
            account: 0
        }]
    );
    assert_eq!(app.joins(&retro), Some(Joins::Occurrence));
}

#[test]
fn capital_j_refuses_a_meeting_without_a_video_link_and_says_why() {
    let mut app = app_with_a_series(meetty::config::AutoJoin::Marked);
    press(&mut app, "a");
    select(&mut app, "Lunch with Sam");
    assert!(press(&mut app, "J").is_empty());
    let t = app.toast.clone().unwrap();
    assert!(t.error && t.text.contains("has no video link"), "{t:?}");
    assert_eq!(app.marks, marks(&[], &[]));
}

#[test]
fn with_auto_join_off_a_mark_is_kept_and_the_toast_names_the_setting_and_file() {
    let mut app = app_with_a_series(meetty::config::AutoJoin::Off);
    app.settings.config_file = "/home/alex/.config/meetty/config.toml".into();
    assert_eq!(
        press(&mut app, "J"),
        vec![Effect::SaveMarks {
            marks: marks(&["standup1"], &[]),
            account: 0
        }]
    );
    let t = toast(&app);
    assert!(
        t.contains("auto_join = \"marked\" in /home/alex/.config/meetty/config.toml"),
        "{t}"
    );
}

#[test]
fn with_auto_join_all_every_meeting_with_a_link_joins_unmarked() {
    use meetty::app::Joins;
    let app = app_with_a_series(meetty::config::AutoJoin::All);
    let a = app.agenda.clone().unwrap();
    let joins = |title: &str| app.joins(a.meetings.iter().find(|m| m.title == title).unwrap());
    assert_eq!(joins("Platform standup"), Some(Joins::All));
    assert_eq!(joins("Sprint retro"), Some(Joins::All));
    assert_eq!(joins("Lunch with Sam"), None, "no link, nothing to join");
}

#[test]
fn with_auto_join_all_a_declined_or_all_day_meeting_shows_no_join_as_the_engine_joins_none() {
    use meetty::calendar::model::Rsvp;
    let mut a = agenda();
    answer(&mut a, "Design review", Rsvp::Declined);
    let mut settings = meetty::screenshots::demo_settings(tz());
    settings.auto_join = meetty::config::AutoJoin::All;
    let mut app = meetty::app::App::new(settings, Some(a.clone()), now());
    let find = |title: &str| a.meetings.iter().find(|m| m.title == title).unwrap();
    assert!(
        find("Offsite").video.is_some(),
        "all day, with a Teams link"
    );
    assert_eq!(
        app.joins(find("Offsite")),
        None,
        "all day: no start to join at"
    );
    assert!(find("Design review").video.is_some());
    assert_eq!(app.joins(find("Design review")), None, "declined");
    for m in &a.meetings {
        assert_eq!(
            app.joins(m).is_some(),
            meetty::alerts::may_join(&a, m),
            "the row and the engine agree on {:?}",
            m.title
        );
    }
    // J on the declined meeting says why instead of marking what will never be joined.
    select(&mut app, "Design review");
    assert!(press(&mut app, "J").is_empty());
    assert!(toast(&app).contains("declined"), "{}", toast(&app));
}

/// h3: the merged test agenda in an app, its accounts' e-mails known.
fn merged_app(meet_authuser: bool) -> meetty::app::App {
    let mut settings = meetty::screenshots::demo_settings(tz());
    settings.meet_authuser = meet_authuser;
    meetty::app::App::new(settings, Some(merged_agenda()), now())
}

#[test]
fn capital_l_lists_every_link_and_copies_or_opens_the_highlighted_one() {
    let mut app = merged_app(false);
    assert_eq!(selected_title(&app), "Platform standup");
    assert!(press(&mut app, "L").is_empty());
    assert_eq!(app.mode(), Mode::Links);
    let list = app.links_list().unwrap();
    let kinds: Vec<&str> = list.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["Google Meet", "Zoom", "Microsoft Teams", "Dial-in"],
        "the primary link, the others in ranking order, then the dial-in"
    );
    press(&mut app, "j");
    assert_eq!(
        press(&mut app, "y"),
        vec![Effect::Copy {
            text: "https://us02web.zoom.us/j/85012345678?pwd=Q2xpZW50".into(),
            what: "Zoom link".into()
        }]
    );
    assert_eq!(app.mode(), Mode::Links, "the list stays after a copy");
    press(&mut app, "jj");
    assert_eq!(
        press(&mut app, "y"),
        vec![Effect::Copy {
            text: "+49 30 5555 0143,,482913#".into(),
            what: "dial-in number and PIN".into()
        }]
    );
    assert!(
        press(&mut app, "o").is_empty(),
        "a phone number is not opened"
    );
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.error && toast.text.contains("y copies it"),
        "{toast:?}"
    );
    press(&mut app, "k");
    assert_eq!(
        press(&mut app, "o"),
        vec![Effect::Open {
            url: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Q%40thread.v2/0".into()
        }]
    );
    assert_eq!(app.mode(), Mode::Agenda, "opening closes the list");
    press(&mut app, "L");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode(), Mode::Agenda, "Enter opens the Meet link");
    press(&mut app, "L");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode(), Mode::Agenda);
    press(&mut app, "Lq");
    assert_eq!(app.mode(), Mode::Agenda, "q closes the list");
    assert!(!app.quit, "and does not quit");
}

#[test]
fn capital_l_lists_a_single_link_too_and_a_meeting_without_any_says_so() {
    let mut app = merged_app(false);
    select(&mut app, "Design review");
    press(&mut app, "L");
    let kinds: Vec<String> = app
        .links_list()
        .unwrap()
        .entries
        .iter()
        .map(|e| format!("{} {}", e.kind, e.shown))
        .collect();
    assert_eq!(
        kinds,
        [
            "Zoom https://us02web.zoom.us/j/85012345678?pwd=Q2xpZW50",
            "Meeting ID 850 1234 5678",
            "Passcode 4Xy9"
        ]
    );
    press(&mut app, "j");
    assert_eq!(
        press(&mut app, "y"),
        vec![Effect::Copy {
            text: "850 1234 5678".into(),
            what: "Zoom meeting ID".into()
        }]
    );
    app.update(key(KeyCode::Esc));
    press(&mut app, "a");
    select(&mut app, "Lunch with Sam");
    assert!(press(&mut app, "L").is_empty());
    assert_eq!(app.mode(), Mode::Agenda);
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.error
            && toast
                .text
                .contains("has no link, dial-in, meeting ID or passcode"),
        "{toast:?}"
    );
}

#[test]
fn capital_y_copies_the_dial_in_else_the_meeting_id_and_passcode_else_says_what_is_missing() {
    let mut app = merged_app(false);
    assert_eq!(
        press(&mut app, "Y"),
        vec![Effect::Copy {
            text: "+49 30 5555 0143,,482913#".into(),
            what: "dial-in number and PIN".into()
        }],
        "a dial-in wins"
    );
    select(&mut app, "Design review");
    let access = app.selected_meeting().unwrap().access.clone().unwrap();
    assert_eq!(
        press(&mut app, "Y"),
        vec![Effect::Copy {
            text: access.paste_text(),
            what: "Zoom meeting ID and passcode".into()
        }]
    );
    app.update(Action::Copied {
        what: "Zoom meeting ID and passcode".into(),
        result: Ok("OSC 52".into()),
    });
    assert_eq!(
        app.toast.clone().unwrap().text,
        "Copied Zoom meeting ID and passcode (OSC 52)"
    );
    press(&mut app, "a");
    select(&mut app, "Lunch with Sam");
    assert!(press(&mut app, "Y").is_empty());
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.error
            && toast.text.contains(
                "\u{201c}Lunch with Sam\u{201d} has no dial-in number, meeting ID or passcode"
            ),
        "{toast:?}"
    );
}

#[test]
fn meet_links_are_copied_and_opened_as_the_meetings_account_while_meet_authuser_is_on() {
    use meetty::calendar::links::with_authuser;
    let meet = "https://meet.google.com/abc-defg-hij";
    let as_work = with_authuser(meet, "alex@example.com");
    assert!(as_work.contains("authuser="), "{as_work}");
    for on in [true, false] {
        let mut app = merged_app(on);
        let want = if on {
            as_work.clone()
        } else {
            meet.to_string()
        };
        let copied = press(&mut app, "y");
        assert_eq!(
            copied,
            vec![Effect::Copy {
                text: want.clone(),
                what: "Google Meet link".into()
            }],
            "meet_authuser = {on}"
        );
        assert_eq!(
            press(&mut app, "o"),
            vec![Effect::Open { url: want.clone() }]
        );
        press(&mut app, "L");
        assert_eq!(app.links_list().unwrap().entries[0].copy, want);
        assert_eq!(press(&mut app, "y"), copied, "the list copies the same");
        // A meeting on the personal calendar joins as the personal account.
        app.update(key(KeyCode::Esc));
        select(&mut app, "Dentist");
        let dentist = "https://meet.google.com/pqr-stuv-wxy";
        let want = match on {
            true => with_authuser(dentist, "alex@gmail.com"),
            false => dentist.to_string(),
        };
        assert_eq!(press(&mut app, "o"), vec![Effect::Open { url: want }]);
    }
    // One account's own agenda: the signed-in account.
    let mut settings = meetty::screenshots::demo_settings(tz());
    settings.account = Some("alex@example.com".into());
    let mut app = meetty::app::App::new(settings, Some(agenda()), now());
    assert_eq!(
        press(&mut app, "y"),
        vec![Effect::Copy {
            text: as_work,
            what: "Google Meet link".into()
        }]
    );
}
