//! Your answer, visible everywhere (issue 11, points 1–3): the mark on each row, the
//! awaiting count and the key that jumps to the next invitation, `show_declined`, "now" and
//! "next" for meetings you attend, and events that are not meetings kept out of the way, from
//! the sandbox's demo week through the real client.

mod common;

use chrono::Duration;
use common::*;
use meetty::app::App;
use meetty::calendar::client::CalendarSelection;
use meetty::calendar::freebusy::{BusyQuery, Lane};
use meetty::calendar::model::{Agenda, EventType, Rsvp};
use meetty::screenshots::{demo_settings, render};
use meetty::view::{build_rows, now_and_next, Row, RowQuery, ShowDeclined};
use ratatui::style::Modifier;

fn app_with(agenda: Agenda, declined: ShowDeclined) -> App {
    let mut settings = demo_settings(tz());
    settings.show_declined = declined;
    App::new(settings, Some(agenda), now())
}

fn selected_title(app: &App) -> String {
    app.selected_meeting().unwrap().title.clone()
}

fn listed(app: &App) -> Vec<String> {
    let agenda = app.agenda.as_ref().unwrap();
    app.rows
        .iter()
        .filter_map(|r| match r {
            Row::Meeting(i) => Some(agenda.meetings[*i].title.clone()),
            Row::Day(_) => None,
        })
        .collect()
}

/// Line `y` of the screen as text.
fn line(app: &App, y: u16) -> String {
    let buf = render(app, 100, 16);
    (0..100).map(|x| buf[(x, y)].symbol()).collect::<String>()
}

/// The screen's line that shows `text`, as text and with the cells' modifiers.
fn row_of(app: &App, text: &str) -> (String, Vec<Modifier>) {
    let buf = render(app, 100, 16);
    (0..16)
        .map(|y| {
            let cells: Vec<_> = (0..60).map(|x| &buf[(x, y)]).collect();
            let s: String = cells.iter().map(|c| c.symbol()).collect();
            (s, cells.iter().map(|c| c.modifier).collect())
        })
        .find(|(s, _)| s.contains(text))
        .unwrap_or_else(|| {
            let all: Vec<String> = (0..16)
                .map(|y| (0..100).map(|x| buf[(x, y)].symbol()).collect())
                .collect();
            panic!("{text} is not on screen:\n{}", all.join("\n"))
        })
}

#[test]
fn the_status_bar_counts_awaiting_invitations_and_i_jumps_to_each_in_turn() {
    let mut agenda = agenda();
    answer(&mut agenda, "Design review", Rsvp::NeedsAction);
    answer(&mut agenda, "Sprint retro", Rsvp::NeedsAction);
    answer(&mut agenda, "Platform standup", Rsvp::Accepted);
    let mut app = app_with(agenda, ShowDeclined::Dim);
    assert!(
        line(&app, 15).contains("2 awaiting answer (i: next)"),
        "{}",
        line(&app, 15)
    );
    assert_eq!(selected_title(&app), "Platform standup");
    press(&mut app, "i");
    assert_eq!(selected_title(&app), "Design review");
    press(&mut app, "i");
    assert_eq!(selected_title(&app), "Sprint retro");
    press(&mut app, "i");
    assert_eq!(selected_title(&app), "Design review", "wraps to the top");
    assert!(app.toast.is_none());

    // From the details pane the jump selects in the agenda, which takes the focus back.
    press(&mut app, "\t");
    press(&mut app, "i");
    assert_eq!(selected_title(&app), "Sprint retro");
    assert_eq!(app.focus, meetty::app::Pane::Agenda);
}

#[test]
fn with_nothing_awaiting_the_jump_says_so_and_the_count_is_gone() {
    let mut app = app();
    let before = app.selected;
    press(&mut app, "i");
    assert_eq!(app.selected, before);
    let toast = app.toast.as_ref().expect("a toast");
    assert_eq!(toast.text, "No invitation is awaiting your answer");
    app.toast = None;
    assert!(!line(&app, 15).contains("awaiting"), "{}", line(&app, 15));
}

#[test]
fn the_jump_key_is_rebindable_and_its_hint_follows() {
    let config =
        meetty::config::Config::parse(Some("[keys.agenda]\nnext_awaiting = [\"!\"]\n")).unwrap();
    let mut settings = demo_settings(tz());
    settings.keymap = config.keymap;
    let mut agenda = agenda();
    answer(&mut agenda, "Sprint retro", Rsvp::NeedsAction);
    let mut app = App::new(settings, Some(agenda), now());
    assert!(line(&app, 15).contains("1 awaiting answer (!: next)"));
    press(&mut app, "!");
    assert_eq!(selected_title(&app), "Sprint retro");
}

#[test]
fn declined_meetings_are_dimmed_and_struck_hidden_or_shown_as_configured() {
    let mut agenda = agenda();
    answer(&mut agenda, "Design review", Rsvp::Declined);

    let dim = app_with(agenda.clone(), ShowDeclined::Dim);
    assert!(listed(&dim).contains(&"Design review".to_string()));
    let (text, mods) = row_of(&dim, "Design review");
    let at = text.chars().position(|c| c == 'D').unwrap();
    assert!(text.contains("✗"), "{text}");
    assert!(mods[at].contains(Modifier::CROSSED_OUT), "{text}");

    let show = app_with(agenda.clone(), ShowDeclined::Show);
    let (text, mods) = row_of(&show, "Design review");
    assert!(text.contains("✗"), "still marked: {text}");
    assert!(mods.iter().all(|m| !m.contains(Modifier::CROSSED_OUT)));

    let hide = app_with(agenda, ShowDeclined::Hide);
    assert!(!listed(&hide).contains(&"Design review".to_string()));
    assert!(listed(&hide).contains(&"Platform standup".to_string()));
}

#[test]
fn a_declined_meeting_is_never_next_and_overlapping_meetings_are_each_now() {
    // 09:10: the standup (08:45–09:15) and the Design review (09:04–09:30) are both on.
    let mut app = app();
    app.now = now() + Duration::minutes(10);
    let agenda = app.agenda.clone().unwrap();
    let on = now_and_next(&agenda, &app.rows, app.now);
    let titles: Vec<&str> = on
        .now
        .iter()
        .map(|&i| agenda.meetings[i].title.as_str())
        .collect();
    assert_eq!(titles, ["Platform standup", "Design review"]);
    for title in titles {
        // Narrow: the title is cut so the countdown fits.
        let (text, _) = row_of(&app, &title[..12]);
        assert!(text.contains("now,"), "{text}");
    }

    // 09:00, the Design review declined: not next (the retro tomorrow is), and not now later.
    let mut agenda = agenda.as_ref().clone();
    answer(&mut agenda, "Design review", Rsvp::Declined);
    let app = app_with(agenda.clone(), ShowDeclined::Show);
    let on = now_and_next(&agenda, &app.rows, now());
    assert_eq!(agenda.meetings[on.next.unwrap()].title, "Sprint retro");
    let (text, _) = row_of(&app, "Design review");
    assert!(!text.contains("in 4 min"), "{text}");
    let on = now_and_next(&agenda, &app.rows, now() + Duration::minutes(10));
    let titles: Vec<&str> = on
        .now
        .iter()
        .map(|&i| agenda.meetings[i].title.as_str())
        .collect();
    assert_eq!(titles, ["Platform standup"]);
}

#[test]
fn the_details_pane_names_your_answer() {
    let mut agenda = agenda();
    answer(&mut agenda, "Platform standup", Rsvp::Tentative);
    let app = app_with(agenda, ShowDeclined::Dim);
    let buf = render(&app, 100, 24);
    let screen: String = (0..24)
        .map(|y| (0..100).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect();
    assert!(screen.contains("You       ~ maybe"), "{screen}");
}

/// The demo week through the real client: what the agenda lists, and what free/busy counts.
#[tokio::test]
async fn working_locations_and_birthdays_are_never_meetings_and_statuses_only_among_all() {
    let (sandbox, client) = demo().await;
    let agenda = client
        .agenda(
            &CalendarSelection::SelectedInGoogle,
            now(),
            now() + Duration::days(7),
        )
        .await
        .unwrap();
    let type_of = |title: &str| {
        agenda
            .meetings
            .iter()
            .find(|m| m.title == title)
            .unwrap_or_else(|| panic!("{title} not fetched"))
            .event_type
    };
    // The listing asks for eventType (a partial response carries only the fields asked for).
    assert_eq!(type_of("Home"), EventType::WorkingLocation);
    assert_eq!(type_of("Priya Natarajan's birthday"), EventType::Birthday);
    assert_eq!(type_of("Focus time"), EventType::FocusTime);
    assert_eq!(type_of("Out of office"), EventType::OutOfOffice);
    assert_eq!(type_of("Design review"), EventType::Default);

    let rows = |show_all| {
        let q = RowQuery {
            now: now(),
            tz: tz(),
            days: 7,
            show_all,
            filter: "",
            declined: ShowDeclined::Dim,
        };
        let rows = build_rows(&agenda, &q);
        rows.iter()
            .filter_map(|r| match r {
                Row::Meeting(i) => Some(agenda.meetings[*i].title.clone()),
                Row::Day(_) => None,
            })
            .collect::<Vec<_>>()
    };
    let (meetings, all) = (rows(false), rows(true));
    for t in [
        "Home",
        "Priya Natarajan's birthday",
        "Focus time",
        "Out of office",
    ] {
        assert!(!meetings.contains(&t.to_string()), "{t} among meetings");
    }
    for t in ["Focus time", "Out of office"] {
        assert!(all.contains(&t.to_string()), "{t} missing from all events");
    }
    for t in ["Home", "Priya Natarajan's birthday"] {
        assert!(!all.contains(&t.to_string()), "{t} among all events");
    }

    // Free/busy (your lane in find a time): statuses keep the time, the others leave it free.
    let q = BusyQuery {
        from: now(),
        to: now() + Duration::days(7),
        tz: tz(),
        ids: vec!["primary".into()],
    };
    let answer = client.free_busy(&q).await.unwrap();
    let Lane::Busy(blocks) = &answer.lanes["primary"] else {
        panic!("your calendar is known")
    };
    let busy = |s: &str, e: &str| {
        let (s, e) = (at(s), at(e));
        blocks.iter().any(|b| b.start < e && s < b.end)
    };
    assert!(
        busy("2026-11-25T13:00:00Z", "2026-11-25T15:00:00Z"),
        "focus time"
    );
    assert!(
        busy("2026-11-27T08:00:00Z", "2026-11-27T11:00:00Z"),
        "out of office"
    );
    // Early on the birthday and the working-location day, nothing else is on.
    assert!(
        !busy("2026-11-24T05:00:00Z", "2026-11-24T06:00:00Z"),
        "birthday"
    );
    assert!(
        !busy("2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z"),
        "home"
    );
    drop(sandbox);
}
