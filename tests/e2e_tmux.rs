//! End to end: the real binary in demo mode inside a real terminal (tmux). Keys go in with
//! `send-keys`, the screen comes back with `capture-pane`, the raw bytes the app wrote are
//! logged with `pipe-pane`, and the clipboard is read with `xclip` when an X server is there.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine;
use meetty::sandbox::{Fault, Sandbox, Seed};

mod common;

struct Tmux {
    socket: String,
    dir: PathBuf,
    /// Every TUI here may copy (`y`, or a new meeting's link): one at a time on the X
    /// clipboard.
    _clipboard: std::fs::File,
}

impl Tmux {
    /// A private tmux server running `command` in a 120×35 pane whose shell records the
    /// terminal settings (`stty -a`) after the app exits; `env` is exported to the app.
    fn start(name: &str, env: &[(&str, &str)], command: &str) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is missing: run the README's test command, which installs it"
        );
        let dir = std::env::temp_dir().join(format!("meetty-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("config")).unwrap();
        std::fs::write(dir.join("config/config.toml"), "clipboard = \"auto\"\n").unwrap();
        // A stand-in browser that records the URL it was asked to open.
        let browser = dir.join("browser");
        std::fs::write(
            &browser,
            format!("#!/bin/sh\necho \"$1\" > {}/opened\n", dir.display()),
        )
        .unwrap();
        let exec = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(&browser, exec).unwrap();
        let tmux = Tmux {
            socket: format!("meetty-{name}-{}", std::process::id()),
            dir,
            _clipboard: common::x_clipboard_turn(),
        };
        let bin = env!("CARGO_BIN_EXE_meetty");
        let d = tmux.dir.display();
        let env: String = env.iter().map(|(k, v)| format!(" {k}='{v}'")).collect();
        // The app starts only once pipe-pane records, so its first frame is in the log.
        let script = format!(
            "tmux wait-for go; export XDG_CONFIG_HOME={d}/xdg-config XDG_DATA_HOME={d}/xdg-data XDG_RUNTIME_DIR={d}/xdg-run TZ=Europe/Berlin \
             BROWSER='{d}/browser %s'{env}; \
             {bin} --config {d}/config/config.toml {command}; echo \"exit=$?\" > {d}/exit; \
             stty -a > {d}/stty; sleep 30"
        );
        tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "35",
            "sh",
            "-c",
            &script,
        ]);
        tmux.run(&["set-option", "-g", "set-clipboard", "on"]);
        tmux.run(&["pipe-pane", "-o", &format!("cat >> {d}/raw.log")]);
        tmux.run(&["wait-for", "-S", "go"]);
        tmux
    }

    /// The app in tmux against `sandbox` instead of its own demo.
    fn against(sandbox: &Sandbox, name: &str) -> Tmux {
        let (root, token) = (sandbox.root_url(), sandbox.access_token());
        Tmux::start(
            name,
            &[("MEETTY_API_ROOT", &root), ("MEETTY_ACCESS_TOKEN", &token)],
            "",
        )
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    fn keys(&self, keys: &str) {
        self.run(&["send-keys", keys]);
    }

    /// Waits until `pred` holds for the screen, or fails showing the last screen.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_file(&self, name: &str) -> String {
        let path = self.dir.join(name);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !path.exists() {
            assert!(
                Instant::now() < deadline,
                "{name} never appeared; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(200));
        std::fs::read_to_string(path).unwrap()
    }

    fn raw_log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(self.dir.join("raw.log")).unwrap_or_default())
            .into_owned()
    }

    /// Waits until the bytes the app wrote satisfy `pred` (pipe-pane writes them with a lag).
    fn wait_raw(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let raw = self.raw_log();
            if pred(&raw) {
                return raw;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} in the terminal output"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A sandbox seeded with the demo week around `now` (Berlin), and the multi-threaded runtime
/// that serves it while the test thread sleeps: keep both alive.
fn demo_sandbox(now: chrono::DateTime<chrono::Utc>) -> (tokio::runtime::Runtime, Sandbox) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tz = chrono_tz::Europe::Berlin;
    let sandbox = rt
        .block_on(Sandbox::start(0, Seed::Demo { now, tz }))
        .unwrap();
    (rt, sandbox)
}

/// Adds `event` to the demo account's calendar behind the app's back, as a phone would.
fn book(sandbox: &Sandbox, event: serde_json::Value) {
    sandbox.with_store(|s| {
        s.insert_event(
            meetty::sandbox::ACCOUNT,
            event,
            &meetty::sandbox::WriteOptions::default(),
        )
        .unwrap();
    });
}

/// The details pane's first line: the selected meeting's title (the pane is right of the
/// agenda, so its text starts after the third vertical border on the line).
fn details_title(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.contains(" Details "))
        .expect("a details pane");
    let line = lines[header + 1];
    let (i, _) = line
        .match_indices('│')
        .nth(2)
        .expect("agenda and details borders");
    line[i + '│'.len_utf8()..]
        .trim_end_matches(['│', ' '])
        .trim()
        .to_string()
}

/// True when the alternate screen was left after it was last entered.
fn left_alternate_screen(raw: &str) -> bool {
    match (raw.rfind("\x1b[?1049h"), raw.rfind("\x1b[?1049l")) {
        (Some(enter), Some(leave)) => leave > enter,
        _ => false,
    }
}

fn stty_is_sane(stty: &str) -> bool {
    // Raw mode clears icanon and echo; a restored terminal has both back.
    stty.split_whitespace().any(|w| w == "icanon") && stty.split_whitespace().any(|w| w == "echo")
}

fn meet_link_in(screen: &str) -> String {
    let start = screen
        .find("https://meet.google.com/")
        .expect("a Meet link on screen");
    screen[start..]
        .split(|c: char| c.is_whitespace() || c == '│')
        .next()
        .unwrap()
        .to_string()
}

fn xclip_clipboard() -> Option<String> {
    std::env::var_os("DISPLAY")?;
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn demo_starts_moves_copies_and_quits_cleanly() {
    let t = Tmux::start("copy", &[], "--demo");
    let first = t.wait_for("the demo agenda", |s| {
        s.contains("Today") && s.contains("Meet")
    });
    let title = details_title(&first);
    t.keys("j");
    let moved = t.wait_for("the selection to move", |s| details_title(s) != title);
    assert_ne!(details_title(&moved), title);

    // Back to the first Meet meeting, then copy its link.
    t.keys("g");
    let screen = t.wait_for("the first meeting", |s| details_title(s) == title);
    // A Meet link is copied with the demo account it belongs to (meet_authuser, on by
    // default), so the browser joins as that Google account.
    let link = format!("{}?authuser=alex%40example.com", meet_link_in(&screen));
    t.keys("y");
    t.wait_for("the copy toast", |s| s.contains("Copied Google Meet link"));

    let b64 = base64::engine::general_purpose::STANDARD.encode(&link);
    let osc = format!("\x1b]52;c;{b64}\x07");
    t.wait_raw(&format!("the OSC 52 sequence for {link}"), |raw| {
        raw.contains(&osc)
    });
    assert_eq!(
        t.run(&["show-buffer"]),
        link,
        "tmux took the OSC 52 copy into its buffer"
    );
    if let Some(clip) = xclip_clipboard() {
        assert_eq!(clip, link, "the X clipboard holds the link");
    } else {
        // The README's test command runs under Xvfb; only a bare `cargo test` may skip this.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the tests under an X server (.ci/test)"
        );
        eprintln!(
            "no DISPLAY: X clipboard not checked (the README's test command runs under Xvfb)"
        );
    }

    t.keys("o");
    assert_eq!(
        t.wait_file("opened").trim(),
        link,
        "o opened the link through $BROWSER"
    );

    // Shrink to 40×10 and back: one pane at a time, no crash, the agenda still there.
    t.run(&["resize-window", "-x", "40", "-y", "10"]);
    t.wait_for("the small layout", |s| {
        s.contains("Agenda") && !s.contains("Details")
    });
    t.run(&["resize-window", "-x", "120", "-y", "35"]);
    t.wait_for("the wide layout", |s| {
        s.contains("Agenda") && s.contains("Details")
    });

    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
    let stty = t.wait_file("stty");
    assert!(stty_is_sane(&stty), "terminal left in raw mode:\n{stty}");
    t.wait_raw("leaving the alternate screen", left_alternate_screen);
    let after = t.screen();
    assert!(
        !after.contains("Details"),
        "the TUI is gone from the screen:\n{after}"
    );
}

/// Sends `signal` (`TERM`, `HUP`) to the meetty running under the pane's shell, and checks
/// that it put the terminal back and exited with `status`.
fn signal_restores_the_terminal(name: &str, signal: &str, status: u8) {
    let t = Tmux::start(name, &[], "--demo");
    t.wait_for("the demo agenda", |s| s.contains("Today"));
    let pid = t.run(&["display-message", "-p", "#{pane_pid}"]);
    // The pane runs sh, whose child is meetty.
    let out = Command::new("pkill")
        .args([&format!("-{signal}"), "-P", pid.trim(), "meetty"])
        .status()
        .expect("pkill");
    assert!(out.success(), "meetty was running under the pane's shell");
    assert_eq!(
        t.wait_file("exit").trim(),
        format!("exit={status}"),
        "128 + SIG{signal}, as shells expect"
    );
    assert!(
        stty_is_sane(&t.wait_file("stty")),
        "terminal left in raw mode after SIG{signal}"
    );
    t.wait_raw("leaving the alternate screen", left_alternate_screen);
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    signal_restores_the_terminal("term", "TERM", 143);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    signal_restores_the_terminal("hup", "HUP", 129);
}

#[test]
fn hostile_titles_never_reach_the_terminal() {
    let t = Tmux::start("hostile", &[], "--demo");
    // The seed has an invite titled "ESC ]52;c;aGk= BEL Quarterly review": an OSC 52 write.
    t.wait_for("the hostile invite", |s| s.contains("Quarterly review"));
    let raw = t.wait_raw("the hostile title drawn", |raw| raw.contains("Quarterly"));
    assert!(
        !raw.contains("\x1b]52"),
        "an OSC 52 from event text reached the terminal"
    );
    assert!(
        !raw.contains("aGk="),
        "the escape's payload was stripped with it"
    );
}

#[test]
fn a_standup_is_created_copied_and_cancelled_from_the_keyboard() {
    let t = Tmux::start("create", &[], "--demo");
    t.wait_for("the demo agenda", |s| s.contains("Today"));
    t.keys("n");
    t.wait_for("the template picker", |s| {
        s.contains("Standup") && s.contains("Client Demo")
    });
    t.keys("2");
    t.wait_for("the Standup form", |s| s.contains("New meeting · Standup"));
    // `q` and `d` are text here, not quit and cancel.
    t.run(&["send-keys", "-l", "E2E quick demo"]);
    t.wait_for("the typed title", |s| s.contains("E2E quick demo"));
    t.keys("C-s");
    // Selected, shown, and copied at once (copy_on_create).
    let screen = t.wait_for("the created meeting, selected and copied", |s| {
        s.contains(" Details ")
            && details_title(s) == "E2E quick demo"
            && s.contains("Copied the Meet link of")
    });
    // Copied as `y` copies it: with the demo account that made it (meet_authuser).
    let link = format!("{}?authuser=alex%40example.com", meet_link_in(&screen));
    t.wait_raw("the new link copied with OSC 52", |raw| {
        raw.contains(&base64::engine::general_purpose::STANDARD.encode(&link))
    });
    t.keys("y");
    t.wait_for("the copy toast", |s| s.contains("Copied Google Meet link"));
    if let Some(clip) = xclip_clipboard() {
        assert_eq!(clip, link, "the X clipboard holds the new link");
    }

    // A weekday series: once Google's occurrences are in, cancel all of them.
    t.wait_for("the series' occurrences", |s| {
        s.matches("E2E quick demo").count() >= 3
    });
    t.keys("d");
    t.wait_for("the cancel dialog", |s| {
        s.contains("Cancel \u{201c}E2E quick demo\u{201d}?")
    });
    t.keys("Right");
    t.wait_for("all occurrences chosen", |s| s.contains("all occurrences"));
    t.keys("y");
    t.wait_for("the meeting gone", |s| {
        s.contains("Cancelled") && !s.contains("E2E quick demo")
    });
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

#[test]
fn an_invitation_is_answered_maybe_from_the_keyboard() {
    let t = Tmux::start("answer", &[], "--demo");
    t.wait_for("the demo agenda", |s| s.contains("Design review"));
    // Priya's design review, found with the filter.
    t.keys("/");
    t.run(&["send-keys", "-l", "Design review"]);
    t.keys("Enter");
    t.wait_for("the review selected", |s| {
        details_title(s) == "Design review"
    });
    let row = |s: &str, mark: &str| {
        s.lines()
            .any(|l| l.contains("Design review") && l.contains(&format!("\u{258c}{mark} ")))
    };
    assert!(
        row(&t.screen(), "\u{2713}"),
        "accepted before:\n{}",
        t.screen()
    );
    t.keys("R");
    t.wait_for("the answer dialog", |s| {
        s.contains(" Answer the invitation ")
    });
    t.keys("m");
    t.wait_for("maybe chosen", |s| s.contains("[maybe]"));
    t.keys("Enter");
    let screen = t.wait_for("the answer shown", |s| {
        s.contains("Answered maybe to \u{201c}Design review\u{201d}")
    });
    assert!(!screen.contains(" Answer the invitation "), "{screen}");
    // The details pane names the user's answer (Jordan was already a maybe).
    t.wait_for("the answer in the details", |s| {
        s.contains("~ Alex Rivera") && s.contains("2 maybe")
    });
    // The row's answer mark changed from accepted to maybe.
    t.wait_for("the row marked maybe", |s| row(s, "~"));
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

/// Issue 5: the first refresh hangs at "Google" for 10 s, and keys sent meanwhile are handled
/// at once: help opens and closes, the filter prompt takes text, `a` toggles with a toast,
/// all while the agenda is still loading and the sandbox has not answered.
#[test]
fn keys_are_handled_while_the_first_refresh_hangs() {
    const HANG: Duration = Duration::from_secs(10);
    let (_rt, sandbox) = demo_sandbox(chrono::Utc::now());
    // Every calendar's listing (the refresh fetches them side by side) hangs.
    sandbox.inject(Fault::latency(HANG).on("GET", "/events").times(10));
    let started = Instant::now();
    let t = Tmux::against(&sandbox, "hang");

    // The sandbox records a request when it arrives, before the fault's sleep: the answer
    // cannot come before HANG after the last look that did not see the listing yet.
    let listings = || {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/events"))
            .count()
    };
    let mut not_arrived = started;
    loop {
        let before = Instant::now();
        if listings() > 0 {
            break;
        }
        not_arrived = before;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the listing never reached the sandbox; screen:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let earliest_answer = not_arrived + HANG;
    // Each effect must be on screen while the listing is still out: the agenda still says
    // it is loading, and the sandbox cannot have answered yet.
    let handled = |what: &str, pred: &dyn Fn(&str) -> bool| {
        let screen = t.wait_for(what, |s| pred(s));
        let left = earliest_answer.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "{what} showed only after the listing could have answered; screen:\n{screen}"
        );
        assert!(
            screen.contains("Loading your agenda…"),
            "{what}: the agenda is not loading any more; screen:\n{screen}"
        );
        eprintln!(
            "{what}: on screen {} ms after start; the listing is out for {} ms more at least",
            started.elapsed().as_millis(),
            left.as_millis()
        );
        screen
    };

    handled("the refresh spinner", &|s| s.contains("refreshing…"));
    t.keys("?");
    handled("the help overlay", &|s| {
        s.contains(" Keys: agenda ") && s.contains("any other key closes this help.")
    });
    t.keys("Escape");
    handled("help closed", &|s| {
        !s.contains("any other key closes this help.") && s.contains("refreshing…")
    });
    t.keys("/");
    t.run(&["send-keys", "-l", "standup"]);
    handled("the filter prompt with text", &|s| s.contains("/standup▏"));
    t.keys("Escape");
    handled("the filter cancelled", &|s| {
        !s.contains("/standup") && s.contains("refreshing…")
    });
    t.keys("a");
    handled("the toggle's toast", &|s| s.contains("Showing all events"));

    // Then the listing lands and the agenda shows the demo's meetings.
    let screen = t.wait_for("the agenda", |s| {
        !s.contains("Loading your agenda…") && s.contains("Today") && s.contains("Meet")
    });
    assert!(
        Instant::now() >= earliest_answer,
        "the agenda landed before the hang could have ended:\n{screen}"
    );
    assert!(
        screen.contains("Platform standup") || screen.contains("Design review"),
        "the demo's meetings are listed:\n{screen}"
    );
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

#[test]
fn a_meeting_booked_elsewhere_appears_after_one_incremental_refresh() {
    let now = chrono::Utc::now();
    let (_rt, sandbox) = demo_sandbox(now);
    let t = Tmux::against(&sandbox, "sync");
    t.wait_for("the agenda", |s| {
        s.contains("Design review") && s.contains("updated")
    });
    let start = (now + chrono::Duration::hours(2)).to_rfc3339();
    let end = (now + chrono::Duration::hours(3)).to_rfc3339();
    book(
        &sandbox,
        serde_json::json!({
            "summary": "Booked from the phone",
            "start": {"dateTime": start},
            "end": {"dateTime": end},
        }),
    );
    sandbox.clear_requests();
    // It has no video link: show all events.
    t.keys("a");
    t.keys("r");
    t.wait_for("the new meeting", |s| s.contains("Booked from the phone"));
    let sent = sandbox.requests();
    assert!(!sent.is_empty());
    assert!(
        sent.iter()
            .all(|r| r.path.ends_with("/events") && r.param("syncToken").is_some()),
        "only incremental listings: {:#?}",
        sent.iter().map(|r| (&r.path, &r.query)).collect::<Vec<_>>()
    );
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

/// Titles that once shifted tmux's columns (issue 15): ZWNJ + ZWJ at the end of a word (tmux
/// then joins the next non-ASCII code point it draws, a border or a dash, to that cell), emoji
/// sequences whole and broken, skin tones, VS15/VS16 after the wrong base, a flag with tags,
/// fillers glibc counts as wide, combining marks at the start and after spaces.
const SHIFTY_TITLES: [&str; 8] = [
    "Word\u{200c}\u{200d} family sync",
    "\u{301}Combining caf\u{e9}\u{301} e\u{301}\u{302} \u{301}marks",
    "Pairing \u{1f469}\u{200d}\u{1f4bb} pride \u{1f3f3}\u{fe0f}\u{200d}\u{1f308} thanks \u{2764}\u{fe0f}",
    "Skin \u{1f44d}\u{1f3fd} tone \u{1f469}\u{1f3fd}\u{200d}\u{1f4bb} dev\u{200d}",
    "Selectors a\u{fe0f} watch \u{231a}\u{fe0e} keycap 1\u{fe0f}\u{20e3} end\u{fe0f}",
    "Flag \u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} tag\u{e0067} \u{4f1a}\u{8b70}",
    "Fillers\u{3164}hangul\u{ffa0} soft\u{ad}hyphen \u{ff76}\u{ff9e}",
    "Joined \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} \u{a9}\u{200d}\u{a9} \u{1f3f3}\u{200d}\u{1f308}\u{200d}",
];

/// The columns of every `│` on each row of the panes, as tmux laid the row out, and the
/// agenda's meeting rows whose time or title do not start where they belong.
fn misplaced(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    // The top border: `┌ Agenda ─…┐┌ Details ─…┐`; its corners are where every `│` belongs.
    let corners: Vec<usize> = common::tmux_layout(lines[0])
        .into_iter()
        .filter(|&(c, ..)| matches!(c, '┌' | '┐'))
        .map(|(_, column, _)| column)
        .collect();
    let mut wrong = Vec::new();
    for (row, line) in lines.iter().enumerate().skip(1) {
        if !line.starts_with('│') {
            continue;
        }
        let layout = common::tmux_layout(line);
        let bars: Vec<usize> = layout
            .iter()
            .filter(|&&(c, ..)| c == '│')
            .map(|&(_, column, _)| column)
            .collect();
        if bars != corners {
            wrong.push(format!(
                "row {row}: borders at {bars:?}, not {corners:?}: {line}"
            ));
        }
        // A meeting row: `│▌✓ HH:MM–HH:MM Badge  Title` (the mark is the user's answer),
        // the title at column 24 (the badge column is 7 wide).
        if line.starts_with("│▌") {
            let text_at = |from: usize, to: usize| -> String {
                (layout.iter())
                    .filter(|&&(_, column, _)| (from..to).contains(&column))
                    .map(|&(c, ..)| c)
                    .collect()
            };
            let time = text_at(4, 15);
            let shape_ok = time == "all day    "
                || time.chars().enumerate().all(|(i, c)| match i {
                    2 | 8 => c == ':',
                    5 => c == '–',
                    _ => c.is_ascii_digit(),
                }) && time.chars().count() == 11;
            let title_starts = layout
                .iter()
                .any(|&(c, column, w)| column == 24 && w > 0 && !c.is_whitespace());
            if !shape_ok || !title_starts {
                wrong.push(format!(
                    "row {row}: time {time:?} or title off column: {line}"
                ));
            }
        }
    }
    wrong
}

/// Issue 15 point 2, on a real terminal: meetings whose titles carry ZWJ, ZWNJ, VS16, skin
/// tones and combining marks in every position leave every border and the time and title
/// columns where they belong on every row, on the first frame and after moving the selection
/// (so redraws write only what changed, over what the terminal already shows).
#[test]
fn zero_width_characters_keep_every_column_in_place() {
    let now = chrono::Utc::now();
    let (_rt, sandbox) = demo_sandbox(now);
    for (i, title) in SHIFTY_TITLES.iter().enumerate() {
        // The first has run for a while (its row gets a countdown and is cut for it).
        let start = now + chrono::Duration::minutes(15 * i as i64 - 40);
        book(
            &sandbox,
            serde_json::json!({
                "summary": title,
                "location": title,
                "description": format!("{title}\nJoin: https://zoom.us/j/85012345678"),
                "start": {"dateTime": start.to_rfc3339()},
                "end": {"dateTime": (start + chrono::Duration::minutes(45)).to_rfc3339()},
            }),
        );
    }
    let t = Tmux::against(&sandbox, "columns");
    let words = [
        "family sync",
        "Combining",
        "Pairing",
        "Skin",
        "Selectors",
        "Flag",
        "Fillers",
        "Joined",
    ];
    // A frame reaches tmux in pieces; a moment after it starts to show, it is all there.
    let settled = || {
        std::thread::sleep(Duration::from_millis(200));
        t.screen()
    };
    t.wait_for("the agenda with every odd title", |s| {
        words.iter().all(|w| s.contains(w))
    });
    let mut frames = vec![("first frame".to_string(), settled())];
    // Down through the odd titles and back up: the details pane shows each in turn.
    for (i, key) in ["j"; 10].into_iter().chain(["k"; 10]).enumerate() {
        let before = t.screen();
        t.keys(key);
        t.wait_for(&format!("the selection to move ({key} #{i})"), |s| {
            s != before
        });
        frames.push((format!("after {key} #{i}"), settled()));
    }
    for (when, screen) in &frames {
        let wrong = misplaced(screen);
        assert!(
            wrong.is_empty(),
            "{when}:\n{}\n\n{screen}",
            wrong.join("\n")
        );
    }
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

/// Issue 14: in demo mode, `n`, a guest, find a time from the Start field, take the first
/// slot, create: the meeting lands at that slot.
#[test]
fn a_meeting_is_booked_at_the_first_slot_find_a_time_offers() {
    let t = Tmux::start("findtime", &[], "--demo");
    t.wait_for("the demo agenda", |s| s.contains("Today"));
    t.keys("n");
    t.wait_for("the template picker", |s| s.contains("Quick Sync"));
    t.keys("1");
    t.wait_for("the Quick Sync form", |s| {
        s.contains("New meeting · Quick Sync")
    });
    t.run(&["send-keys", "-l", "E2E found time"]);
    for _ in 0..4 {
        t.keys("Tab");
    }
    t.run(&["send-keys", "-l", "jordan.lee@example.com"]);
    t.wait_for("the guest typed", |s| s.contains("jordan.lee@example.com"));
    for _ in 0..3 {
        t.keys("BTab");
    }
    t.wait_for("the Start field's hint", |s| {
        s.contains("Ctrl-F find a time")
    });
    t.keys("C-f");
    let screen = t.wait_for("the free slots", |s| {
        s.contains("Find a time") && s.contains("→ ") && s.contains("jordan.lee@example.com ")
    });
    // "→ Tue 1 Dec 16:30–16:45  (slot 1 of 120)"
    let chosen = screen
        .lines()
        .find_map(|l| l.split("→ ").nth(1))
        .and_then(|rest| rest.split("  (").next())
        .expect("the chosen slot")
        .trim()
        .to_string();
    let (day, times) = chosen.rsplit_once(' ').expect("a day and a time span");
    let (start, end) = times.split_once('–').expect("start–end");
    t.keys("Enter");
    t.wait_for("the slot in the form", |s| {
        s.contains("New meeting · Quick Sync") && s.contains(start) && !s.contains("Find a time")
    });
    t.keys("C-s");
    let screen = t.wait_for("the meeting at the slot in the agenda", |s| {
        s.lines()
            .any(|l| l.contains("E2E found time") && l.contains(&format!("{start}–{end}")))
    });
    let details = details_title(&screen);
    assert_eq!(details, "E2E found time", "{screen}");
    let day_words: Vec<&str> = day.split_whitespace().collect();
    assert!(
        screen.contains(&format!("{} {}", day_words[1], day_words[2])),
        "the details name the slot's day {day}:\n{screen}"
    );
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

/// The start of the first agenda row that names `title` ("HH:MM–HH:MM" before it), as
/// minutes since midnight.
fn row_start(screen: &str, title: &str) -> Option<u32> {
    screen
        .lines()
        .filter(|l| l.contains(title))
        .find_map(|line| {
            let at = line.find('\u{2013}')?;
            let clock = line.get(at.checked_sub(5)?..at)?;
            let (h, m) = clock.split_once(':')?;
            Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
        })
}

/// Issue 11 point 5: `e` on the user's own 1:1, the start moved with "+30m", and the row
/// moves by half an hour.
#[test]
fn e_moves_a_meeting_half_an_hour_later() {
    let t = Tmux::start("edit-move", &[], "--demo");
    t.wait_for("the demo agenda", |s| s.contains("1:1 with Jordan"));
    t.keys("/");
    t.run(&["send-keys", "-l", "1:1 with Jordan"]);
    t.keys("Enter");
    let before = t.wait_for("the 1:1 selected", |s| {
        details_title(s) == "1:1 with Jordan"
    });
    let start = row_start(&before, "1:1 with Jordan").expect("a timed row");
    t.keys("e");
    t.wait_for("the edit form", |s| {
        s.contains("Edit \u{201c}1:1 with Jordan\u{201d}")
    });
    t.keys("Tab");
    t.run(&["send-keys", "-l", "+30m"]);
    t.wait_for("the shifted start read", |s| s.contains("+30m"));
    t.keys("C-s");
    t.wait_for("the save dialog", |s| s.contains("Save your changes"));
    t.keys("y");
    t.wait_for("the meeting moved", |s| {
        s.contains("Saved") && row_start(s, "1:1 with Jordan") == Some(start + 30)
    });
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

/// Issue 11 point 8: a weekday standup made from the template, renamed from its second
/// occurrence on ("this and following"): the first keeps its name, the later ones take the
/// new one.
#[test]
fn a_standup_is_renamed_from_its_second_occurrence_on() {
    let t = Tmux::start("edit-following", &[], "--demo");
    t.wait_for("the demo agenda", |s| s.contains("Today"));
    t.keys("n");
    t.wait_for("the template picker", |s| s.contains("Standup"));
    t.keys("2");
    t.wait_for("the Standup form", |s| s.contains("New meeting · Standup"));
    t.run(&["send-keys", "-l", "E2E series"]);
    t.keys("C-s");
    t.wait_for("the series' occurrences", |s| {
        s.matches("E2E series").count() >= 3
    });
    t.keys("/");
    t.run(&["send-keys", "-l", "E2E series"]);
    t.keys("Enter");
    t.keys("g");
    t.keys("j");
    t.keys("e");
    t.wait_for("the edit form", |s| {
        s.contains("Edit \u{201c}E2E series\u{201d}")
    });
    // The title is selected: typing replaces it.
    t.run(&["send-keys", "-l", "E2E renamed"]);
    t.keys("C-s");
    t.wait_for("the occurrence choice", |s| s.contains("this occurrence"));
    // The e-mail choice first when there are guests; the occurrences last either way.
    t.keys("BTab");
    t.keys("Right");
    t.wait_for("this and following chosen", |s| {
        s.contains("\u{2039} this and following \u{203a}")
    });
    t.keys("y");
    t.wait_for("the save toast", |s| s.contains("Saved"));
    t.keys("Escape");
    t.wait_for("the split series", |s| {
        // The first occurrence keeps its name (its row, and the details if selected).
        (1..=2).contains(&s.matches("E2E series").count()) && s.matches("E2E renamed").count() >= 2
    });
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}

/// Issue 12: the TUI takes the lock (so a `meetty watch` started now follows it), and `J`
/// marks the selected meeting for a scheduled join: its row shows the mark and the marks
/// file the notifier reads is written.
#[test]
fn the_tui_takes_the_lock_and_j_marks_a_meeting_for_a_scheduled_join() {
    let t = Tmux::start("join-mark", &[], "--demo");
    let first = t.wait_for("the demo agenda", |s| {
        s.contains("Today") && s.contains("Meet")
    });
    assert!(!first.contains('⏵'), "nothing marked yet:\n{first}");
    let lock = t.dir.join("xdg-run/meetty/watch-demo.lock");
    assert_eq!(
        meetty::lock::holder(&lock).map(|h| h.role),
        Some(meetty::lock::Role::Tui),
        "the TUI holds {}",
        lock.display()
    );

    t.keys("J");
    let asked = t.wait_for("the mark or the series question", |s| {
        s.contains('⏵') || s.contains("Scheduled join")
    });
    if asked.contains("Scheduled join") {
        t.keys("t");
    }
    let marked = t.wait_for("the row's mark", |s| {
        s.contains("▌✓⏵") && s.contains("by itself 1 min before")
    });
    assert!(
        marked.contains("auto_join = \"marked\""),
        "the toast says marks act only with auto_join = \"marked\":\n{marked}"
    );
    let marks = t.wait_file("xdg-data/meetty/marks-demo.json");
    let marks: meetty::alerts::Marks = serde_json::from_str(&marks).unwrap();
    assert_eq!(marks.occurrences.len(), 1, "{marks:?}");
}

/// The account labels on the agenda rows (not the details pane) of meetings titled `title`.
fn labels_of(screen: &str, title: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|line| {
            let before = line[..line.find(title)?].strip_suffix(' ')?;
            let label = before.trim_end().rsplit(' ').next()?;
            (!label.is_empty() && label.chars().count() <= 3 && !before.ends_with('│'))
                .then(|| label.to_string())
        })
        .collect()
}

/// Issue 13 in the demo: both accounts' meetings in one agenda, each row with its account's
/// label, the invitation both accounts got listed once, and `L` listing every link of a
/// meeting that has two.
#[test]
fn the_demo_merges_both_accounts_and_lists_every_link() {
    let t = Tmux::start("accounts", &[], "--demo");
    t.wait_for("the demo agenda", |s| {
        s.contains("Today") && s.contains("updated")
    });
    // The filter (`/`, erased with Ctrl-u, kept with Enter) brings each meeting on screen.
    let filtered = |text: &str, title: &str| {
        t.keys("/");
        t.keys("C-u");
        t.run(&["send-keys", "-l", text]);
        t.keys("Enter");
        t.wait_for(title, |s| {
            details_title(s) == title && s.contains(&format!("filter \u{201c}{text}\u{201d}"))
        })
    };
    // The work account is "A" (alex@…), the personal one "G" (gmail.com: "a" is taken).
    let work = filtered("Design review", "Design review");
    assert!(
        labels_of(&work, "Design review").contains(&"A".into()),
        "{work}"
    );
    let personal = filtered("Book club", "Book club");
    assert_eq!(labels_of(&personal, "Book club"), ["G"], "{personal}");
    // The invitation both accounts got: once, its label marked as on another account too.
    let shared = filtered("farewell", "Jamie's farewell call");
    assert_eq!(
        labels_of(&shared, "Jamie's farewell call"),
        ["A+"],
        "{shared}"
    );
    assert!(
        shared.contains("Also on   alex.rivera@gmail.com"),
        "{shared}"
    );

    filtered("Globex", "Globex escalation review");
    t.keys("L");
    let links = t.wait_for("the links list", |s| s.contains("Links · Globex"));
    assert!(
        links.contains("Google Meet  ") && links.contains("https://meet.google.com/"),
        "{links}"
    );
    assert!(
        links.contains("Zoom  ") && links.contains("globex.zoom.us/j/91234567890"),
        "{links}"
    );
    t.keys("Escape");
    t.keys("q");
    assert_eq!(t.wait_file("exit").trim(), "exit=0");
}
