//! Issue 5, on the real binary in a pseudo-terminal against the in-process sandbox:
//!
//! 1. key → frame while a refresh hangs at "Google": every Calendar request waits 60 s, and
//!    keys whose effect shows (`j`/`k` move the selection, `?`/Esc open and close help) are
//!    timed from the write to the output that puts the effect on screen;
//! 2. `n`, Enter (Quick Sync), a title, Ctrl-S → the Meet link on screen, with 100 ms on
//!    every request and the link `pending` for two polls; with the requests it took.
//!
//! Figures are recorded in BENCHMARKS.md ("Under load"). Run both, or one:
//! `cargo bench --bench input_latency [-- keys | create]`.

#[path = "support/pty.rs"]
mod pty;

use std::time::{Duration, Instant};

use meetty::sandbox::{ConferenceOutcome, ConferencePolicy, Fault, RecordedRequest};
use pty::{ms, Google, Pauses, Screen, Seen, Stats, Term};

/// osc52: the copy after a create goes to the terminal, with no clipboard tool to wait on.
const CONFIG: &str = "clipboard = \"osc52\"\n";

fn main() {
    // `cargo bench` passes `--bench`; a further argument picks one measurement.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    println!(
        "machine: {} cores; meetty: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        env!("CARGO_BIN_EXE_meetty")
    );
    if wanted("keys") {
        keys_while_a_refresh_hangs();
    }
    if wanted("create") {
        create_to_meet_link();
    }
}

/// What every request waits in measurement 1.
const HANG: Duration = Duration::from_secs(60);
/// meetty reports a refresh as failed after 30 s (`REFRESH_TIMEOUT` in src/runtime.rs); the
/// keys are all sent well within that, so the spinner turns the whole time.
const WINDOW: Duration = Duration::from_secs(25);
const KEYS: usize = 200;

fn keys_while_a_refresh_hangs() {
    let google = Google::demo();
    let mut term = Term::start("keys", &google, CONFIG);
    term.wait("the agenda", |s| s.status().contains("updated "));
    let first_title = details_title(&term.screen);

    // From here on nothing Google is asked answers for 60 s.
    google.sandbox.inject(Fault::latency(HANG).times(1_000));
    let hung_from = Instant::now();
    let before = google.sandbox.requests().len();
    term.type_bytes(b"r");
    term.wait("the refresh", |s| s.status().contains("refreshing…"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while google.sandbox.requests().len() == before {
        assert!(
            Instant::now() < deadline,
            "the refresh never reached Google"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let in_flight = google.sandbox.requests()[before..].to_vec();

    // The second meeting's title, to alternate between the two (j from the first, k back).
    term.type_bytes(b"j");
    term.wait("the selection to move", |s| details_title(s) != first_title);
    let second_title = details_title(&term.screen);

    let mut pauses = Pauses::new(5);
    let moves = time_keys(
        &mut term,
        &mut pauses,
        [
            (b"k", "the first meeting selected", &|s| {
                details_title(s) == first_title
            }),
            (b"j", "the second meeting selected", &|s| {
                details_title(s) == second_title
            }),
        ],
    );
    let help = time_keys(
        &mut term,
        &mut pauses,
        [
            (b"?", "the help overlay", &|s| s.contains(HELP_LAST_LINE)),
            (b"\x1b", "the help closed", &|s| !s.contains(HELP_LAST_LINE)),
        ],
    );

    // Still out: the app says so, nothing else was asked, and the answer cannot have come.
    let elapsed = hung_from.elapsed();
    term.catch_up();
    assert!(
        term.screen.status().contains("refreshing…"),
        "the refresh ended during the measurement; screen:\n{}",
        term.screen.text()
    );
    assert!(
        elapsed < WINDOW,
        "the keys took {elapsed:?}, longer than {WINDOW:?}"
    );
    let asked = google.sandbox.requests()[before..].to_vec();
    assert_eq!(
        asked, in_flight,
        "requests were made during the measurement"
    );

    println!();
    println!(
        "## key → frame, with {} in flight ({} s after it was sent; no answer before {} s)",
        describe(&in_flight),
        elapsed.as_secs(),
        HANG.as_secs()
    );
    println!("| keys | n | median | p90 | p99 | max | first output after the key, median |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, seen) in [
        ("`j`/`k`: selection moves", &moves),
        ("`?`/Esc: help opens, closes", &help),
    ] {
        let effect = Stats::new(seen.iter().map(|s| s.effect).collect());
        let first = Stats::new(seen.iter().map(|s| s.first_byte).collect());
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            effect.len(),
            ms(effect.median()),
            ms(effect.percentile(90)),
            ms(effect.percentile(99)),
            ms(effect.max()),
            ms(first.median()),
        );
    }
}

/// A key of the pair `keys` alternately, [`KEYS`] times, each once the last one's effect
/// showed and a pause later.
type TimedKey<'a> = (&'a [u8; 1], &'a str, &'a dyn Fn(&Screen) -> bool);

fn time_keys(term: &mut Term, pauses: &mut Pauses, keys: [TimedKey; 2]) -> Vec<Seen> {
    (0..KEYS)
        .map(|i| {
            let (key, what, done) = keys[i % 2];
            let seen = term.key(key, what, done);
            // Off the spinner's 100 ms beat, so keys land at every point of it.
            std::thread::sleep(pauses.next(5, 30));
            seen
        })
        .collect()
}

/// The help overlay's last line.
const HELP_LAST_LINE: &str = "any other key closes this help.";

/// The details pane's first line, the selected meeting's title (the pane is right of the
/// agenda: its text starts after the third vertical border on the line).
fn details_title(screen: &Screen) -> String {
    let text = screen.text();
    let lines: Vec<&str> = text.lines().collect();
    let Some(header) = lines.iter().position(|l| l.contains(" Details ")) else {
        return String::new();
    };
    let line = lines.get(header + 1).copied().unwrap_or_default();
    match line.match_indices('│').nth(2) {
        Some((i, _)) => line[i + '│'.len_utf8()..]
            .trim_end_matches(['│', ' '])
            .trim()
            .to_string(),
        None => String::new(),
    }
}

const RUNS: usize = 10;
const LATENCY: Duration = Duration::from_millis(100);
/// The link is `pending` on the insert's answer and the first two re-reads; the third
/// re-read finds it made.
const READS_TO_LINK: u32 = 3;

fn create_to_meet_link() {
    let google = Google::demo();
    google.sandbox.set_conference_policy(ConferencePolicy {
        delay: Duration::from_secs(3600),
        after_reads: Some(READS_TO_LINK),
        outcome: ConferenceOutcome::Success,
    });
    google
        .sandbox
        .inject(Fault::latency(LATENCY).times(u32::MAX));
    let mut term = Term::start("create", &google, CONFIG);
    term.wait("the agenda", |s| s.status().contains("updated "));

    let mut times = Vec::new();
    let mut trips = Vec::new();
    let mut early_refresh = 0;
    for run in 0..RUNS {
        let title = format!("Bench meeting {run:02}");
        term.type_bytes(b"n");
        term.wait("the template picker", |s| s.contains("New meeting from"));
        term.type_bytes(b"\r");
        term.wait("the Quick Sync form", |s| {
            s.contains("New meeting · Quick Sync")
        });
        term.type_bytes(title.as_bytes());
        term.wait("the typed title", |s| s.contains(&title));

        let before = google.sandbox.requests().len();
        // Ctrl-S: the toast names the link once it exists, then says it was copied.
        let quoted = format!("\u{201c}{title}\u{201d}");
        let seen = term.key(b"\x13", "the Meet link", |s| {
            let status = s.status();
            status.contains(&format!("{quoted}: https://meet.google.com/"))
                || status.contains(&format!("Copied the Meet link of {quoted}"))
        });
        let asked = google.sandbox.requests()[before..].to_vec();

        // What was made is what is shown.
        let insert = asked
            .iter()
            .find(|r| r.method == "POST")
            .expect("an events.insert");
        let id = insert.body.as_ref().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let link = google.sandbox.with_store(|s| {
            s.event("primary", &id).unwrap()["hangoutLink"]
                .as_str()
                .expect("the sandbox made the link")
                .to_string()
        });
        term.wait("the link in the details", |s| {
            s.contains(link.trim_start_matches("https://"))
        });
        let (create, after): (Vec<_>, Vec<_>) = asked
            .into_iter()
            .partition(|r| r.method == "POST" || r.path.ends_with(&format!("/events/{id}")));
        assert_eq!(
            create.len(),
            1 + READS_TO_LINK as usize,
            "one insert and {READS_TO_LINK} re-reads: {}",
            describe(&create)
        );
        // Anything else is the refresh the create starts with the link on screen.
        assert!(
            after.iter().all(|r| r.method == "GET"
                && (r.path.ends_with("/calendarList") || r.path.ends_with("/events"))),
            "only the agenda refresh besides the create: {}",
            describe(&after)
        );
        times.push(seen.effect);
        trips.push(create);
        early_refresh += usize::from(!after.is_empty());
        // Let that refresh land before the next run.
        std::thread::sleep(Duration::from_millis(800));
    }

    let stats = Stats::new(times.clone());
    println!();
    println!(
        "## n → Quick Sync → Ctrl-S → Meet link on screen; {} ms per request, the link pending \
         for {} re-reads",
        LATENCY.as_millis(),
        READS_TO_LINK - 1
    );
    println!("| runs | median | p90 | max | min |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| {} | {} | {} | {} | {} |",
        stats.len(),
        ms(stats.median()),
        ms(stats.percentile(90)),
        ms(stats.max()),
        ms(stats.percentile(0)),
    );
    println!(
        "every run: {}",
        times
            .iter()
            .map(|t| format!("{:.0}", t.as_secs_f64() * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "requests between Ctrl-S and the link (run 1): {}",
        describe(&trips[0])
    );
    println!(
        "every run: 1 insert + {READS_TO_LINK} re-reads, nothing else; in {early_refresh} of \
         {RUNS} runs the first request of the agenda refresh that the create starts along with \
         the link had reached the sandbox by the time its log was read, just after the link showed"
    );
}

/// "GET /calendar/v3/users/me/calendarList, POST …".
fn describe(requests: &[RecordedRequest]) -> String {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect::<Vec<_>>()
        .join(", ")
}
