//! Find a time's hot path: the free slots for the user and 10 guests over 5 working days,
//! recomputed whenever the form's guests or duration change. Figures are recorded in
//! BENCHMARKS.md.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use criterion::{criterion_group, criterion_main, Criterion};
use meetty::freetime::{free_slots, Interval, Lane, WorkingHours};

fn monday() -> DateTime<Utc> {
    "2026-11-23T07:00:00Z".parse().unwrap() // 08:00 in Berlin
}

/// A busy week for the user and 10 guests: five meetings a day each, 30 or 60 minutes at
/// staggered half hours, overlapping across people, leaving a few half hours free for all;
/// one guest away all Wednesday (in UTC, so it spills into Thursday's first hour in
/// Berlin), and one guest Google would not show.
fn lanes() -> Vec<(String, Lane)> {
    // Half hours after 09:00; 3, 7, 11 and 15 (10:30, 12:30, 14:30, 16:30) stay free.
    const TAKEN: [i64; 12] = [0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14];
    let mut lanes: Vec<(String, Lane)> = (0..11)
        .map(|person: i64| {
            let mut blocks = Vec::new();
            for day in 0..5 {
                let nine = monday() + TimeDelta::days(day) + TimeDelta::hours(1);
                for meeting in 0..5 {
                    let slot = (person * 5 + meeting * 2 + day) % 12;
                    let start = nine + TimeDelta::minutes(30 * TAKEN[slot as usize]);
                    let long = TAKEN.contains(&(TAKEN[slot as usize] + 1)) && meeting == 0;
                    let length = TimeDelta::minutes(if long { 60 } else { 30 });
                    blocks.push(Interval::new(start, start + length));
                }
            }
            if person == 3 {
                let wednesday = monday() + TimeDelta::days(2) - TimeDelta::hours(7);
                blocks.push(Interval::new(wednesday, wednesday + TimeDelta::days(1)));
            }
            let name = match person {
                0 => "you".to_string(),
                n => format!("guest{n}@example.com"),
            };
            (name, Lane::Busy(blocks))
        })
        .collect();
    lanes[10].1 = Lane::Unknown {
        reason: "not shared with you, or outside your organisation (notFound)".into(),
    };
    lanes
}

fn bench_free_slots(c: &mut Criterion) {
    let lanes = lanes();
    let hours = WorkingHours::parse("09:00-17:30", &["mon", "tue", "wed", "thu", "fri"]).unwrap();
    let find = || {
        free_slots(
            &lanes,
            monday(),
            5,
            TimeDelta::minutes(30),
            &hours,
            Tz::Europe__Berlin,
            TimeDelta::minutes(15),
        )
    };
    let found = find();
    // 10:30, 12:30, 14:30 and 16:30–17:30 on the four days nobody is away.
    assert_eq!((found.slots.len(), found.without.len()), (24, 1));
    c.bench_function("free slots, you + 10 guests x 5 working days", |b| {
        b.iter(|| std::hint::black_box(find()))
    });
}

/// The find-a-time grid for the same week, drawn into a 120×35 buffer by the real UI code
/// (the slots recomputed as part of the answer landing are not in this figure).
fn bench_grid(c: &mut Criterion) {
    use meetty::action::{Action, Effect};
    use meetty::app::App;
    use meetty::calendar::freebusy::FreeBusy;
    use meetty::compose::Field;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    let key = |code, mods| Action::Key(KeyEvent::new(code, mods));
    let mut app = App::new(
        meetty::screenshots::demo_settings(Tz::Europe__Berlin),
        None,
        monday(),
    );
    app.update(key(KeyCode::Char('n'), KeyModifiers::NONE));
    app.update(key(KeyCode::Enter, KeyModifiers::NONE));
    let guests: Vec<String> = (1..11).map(|n| format!("guest{n}@example.com")).collect();
    let ctx = meetty::compose::Context {
        now: monday(),
        tz: Tz::Europe__Berlin,
        calendars: &[],
        account: None,
        accounts: &[],
        meetings: &[],
        editing: None,
    };
    let form = app.form_mut().expect("the form is open");
    form.set_text(&Field::Guests, &guests.join(", "), &ctx);
    form.set_text(&Field::Length, "30m", &ctx);
    let Some(Effect::FreeBusy { req, .. }) = app
        .update(key(KeyCode::Char('f'), KeyModifiers::CONTROL))
        .pop()
    else {
        panic!("Ctrl-F asks who is free")
    };
    // Your calendar ("primary" without a calendar list) and the ten guests.
    let lanes = lanes()
        .into_iter()
        .map(|(who, lane)| match who.as_str() {
            "you" => ("primary".to_string(), lane),
            _ => (who, lane),
        })
        .collect();
    let busy = FreeBusy {
        lanes,
        ..FreeBusy::default()
    };
    app.update(Action::FreeBusy {
        req,
        result: Ok(busy),
    });
    let text: String = {
        let buf = meetty::screenshots::render(&app, 120, 35);
        buf.content().iter().map(|c| c.symbol()).collect()
    };
    assert!(text.contains("slot 1 of 24"), "the grid is up: {text}");
    c.bench_function("find a time grid drawn at 120x35", |b| {
        b.iter(|| std::hint::black_box(meetty::screenshots::render(&app, 120, 35)))
    });
}

criterion_group!(benches, bench_free_slots, bench_grid);
criterion_main!(benches);
