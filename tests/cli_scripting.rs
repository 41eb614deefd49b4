//! The scripting commands, as a script runs them: the real binary against a sandbox over
//! HTTP, checking stdout, stderr, exit codes and what reached "Google".

mod common;

use std::process::{Command, Output};

use chrono::{DateTime, FixedOffset, NaiveTime, Utc};
use meetty::sandbox::{Sandbox, Seed, ACCOUNT, TEAM_CALENDAR, TEAM_GROUP};

struct Env {
    sandbox: Sandbox,
    dir: std::path::PathBuf,
}

async fn env(name: &str) -> Env {
    let now = Utc::now();
    let sandbox = Sandbox::start(
        0,
        Seed::Demo {
            now,
            tz: chrono_tz::Tz::Europe__Berlin,
        },
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("meetty-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Env { sandbox, dir }
}

impl Env {
    /// Runs `meetty ARGS` against the sandbox, off the async runtime's threads.
    async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = common::meetty_at(&self.sandbox, &self.dir);
        cmd.args(args);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    /// The `freebusy.query` requests received.
    fn free_busy_queries(&self) -> Vec<meetty::sandbox::RecordedRequest> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/freeBusy"))
            .collect()
    }

    fn posts(&self) -> Vec<meetty::sandbox::RecordedRequest> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/events"))
            .collect()
    }

    /// Every request that changes an event: inserts, patches, updates and deletes.
    fn writes(&self) -> Vec<meetty::sandbox::RecordedRequest> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    /// The first meeting titled `title` in the next week's agenda, as `agenda --json` has it.
    async fn meeting(&self, title: &str) -> serde_json::Value {
        let out = self
            .run(&["agenda", "--all", "--json", "--days", "7"])
            .await;
        assert!(out.status.success(), "{}", stderr(&out));
        let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let found = items
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["title"] == title);
        found
            .unwrap_or_else(|| panic!("no {title} in {items}"))
            .clone()
    }

    async fn id_of(&self, title: &str) -> String {
        self.meeting(title).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// A planned request as `--dry-run --json` prints it is the request the sandbox then
/// recorded: method, path, query and body, apart from the ids a real run makes afresh (the
/// event id and the conference requestId).
fn assert_sent_as_planned(printed: &serde_json::Value, sent: &meetty::sandbox::RecordedRequest) {
    assert_eq!(printed["method"], sent.method.as_str(), "{printed}");
    let url = url::Url::parse(printed["url"].as_str().unwrap()).unwrap();
    assert_eq!(meetty::percent::decode(url.path()), sent.path, "{printed}");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(query, sent.query, "{printed}");
    let fresh = |body: &serde_json::Value| {
        let mut body = body.clone();
        if let Some(fields) = body.as_object_mut() {
            fields.remove("id");
        }
        if let Some(create) = body.pointer_mut("/conferenceData/createRequest") {
            create["requestId"] = "fresh".into();
        }
        body
    };
    let sent_body = sent.body.clone().unwrap_or(serde_json::Value::Null);
    assert_eq!(fresh(&printed["body"]), fresh(&sent_body));
    let sent_guard = sent
        .headers
        .iter()
        .find(|(name, _)| name == "if-match")
        .map(|(_, etag)| serde_json::Value::from(etag.as_str()));
    assert_eq!(printed["if_match"], sent_guard.unwrap_or_default());
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_prints_the_link_then_the_id_and_the_meeting_exists() {
    let e = env("new").await;
    let out = e
        .run(&[
            "new",
            "--template",
            "quick-sync",
            "--title",
            "Scripted",
            "--start",
            "+2h",
            "--with",
            "kim@partner.org",
            "--notify",
            "external",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("https://meet.google.com/"), "{text}");
    let id = lines[1];

    let posts = e.posts();
    assert_eq!(posts.len(), 1);
    let insert = &posts[0];
    assert_eq!(insert.param("conferenceDataVersion"), Some("1"));
    assert_eq!(insert.param("sendUpdates"), Some("externalOnly"));
    let body = insert.body.clone().expect("a JSON body");
    assert_eq!(body["id"], id, "the client chose the event id");
    assert_eq!(body["summary"], "Scripted");
    assert_eq!(body["start"]["timeZone"], "Europe/Berlin");
    assert_eq!(
        body["conferenceData"]["createRequest"]["conferenceSolutionKey"]["type"],
        "hangoutsMeet"
    );

    // The agenda lists it, with the same link.
    let out = e.run(&["agenda", "--json", "--days", "2"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mine = items
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .expect("the new meeting in the agenda");
    assert_eq!(mine["title"], "Scripted");
    assert_eq!(mine["link"], lines[0]);
    assert_eq!(mine["all_day"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_json_is_one_object_with_the_documented_fields() {
    let e = env("json").await;
    let out = e
        .run(&[
            "new",
            "--title",
            "Json",
            "--start",
            "tomorrow 9",
            "--duration",
            "45m",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in [
        "id",
        "calendar_id",
        "title",
        "start",
        "end",
        "all_day",
        "link",
        "conference",
    ] {
        assert!(v.get(field).is_some(), "{field} missing: {v}");
    }
    assert_eq!(v["conference"], "ready");
    assert!(v["start"].as_str().unwrap().contains("T09:00:00+"), "{v}");

    // --end is a time of day: 17 is 17:00, not 17 minutes.
    let out = e
        .run(&[
            "new",
            "--title",
            "Until five",
            "--start",
            "tomorrow 16:00",
            "--end",
            "17",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["end"].as_str().unwrap().contains("T17:00:00+"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_on_stderr_with_nothing_sent() {
    let e = env("bad").await;
    let out = e
        .run(&[
            "new",
            "--title",
            "X",
            "--start",
            "tomorow 9",
            "--with",
            "bob@",
        ])
        .await;
    // A usage error, as the same input is for `meetty free`.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--start") && err.contains("tomorow 9"),
        "{err}"
    );
    assert!(err.contains("--with") && err.contains("bob@"), "{err}");
    assert!(err.lines().count() >= 2, "one line per problem: {err}");
    for line in err.lines() {
        assert!(line.starts_with("meetty: "), "every line says who: {err}");
    }
    assert!(stdout(&out).is_empty());

    let out = e
        .run(&["new", "--template", "client demo", "--start", "+1h"])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("client"), "{}", stderr(&out));

    let out = e
        .run(&["new", "--title", "X", "--start", "+1h", "--var", "nope"])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let out = e.run(&["new", "--template", "nope"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Quick Sync"),
        "names the templates: {}",
        stderr(&out)
    );
    assert!(e.posts().is_empty(), "nothing reached Google");
}

/// Issue 15 point 7: an escape sequence typed (or pasted) into a flag is not sent to Google,
/// where it would reach every guest's tools, and stderr says which flags lost something.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_sends_no_escape_sequences_and_says_what_it_removed() {
    let e = env("escapes").await;
    let out = e
        .run(&[
            "new",
            "--template",
            "client demo",
            "--title",
            "Ctl \x1b]52;c;Zm9v\x07 title for {client}",
            "--var",
            "client=Acme\u{200b}\x1b[2J",
            "--with",
            "kim@partner.org\x07",
            "--start",
            "+2h",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let posts = e.posts();
    assert_eq!(posts.len(), 1);
    let body = posts[0].body.clone().expect("a JSON body");
    let sent = body.to_string();
    for bad in ['\x1b', '\x07', '\u{200b}'] {
        assert!(!sent.contains(bad), "{bad:?} reached Google: {sent}");
    }
    assert_eq!(body["summary"], "Ctl title for Acme");
    assert!(
        body["description"].as_str().unwrap().contains("Acme on "),
        "{body}"
    );
    assert_eq!(body["attendees"][0]["email"], "kim@partner.org");
    // The JSON printed is what was stored.
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["title"], "Ctl title for Acme");
    let err = stderr(&out);
    for flag in ["--title", "--var client=", "--with"] {
        assert!(
            err.contains(&format!(
                "meetty: warning: {flag}: control and invisible characters removed"
            )),
            "{flag}: {err}"
        );
    }
    assert!(!err.contains("--start"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_deletes_with_the_chosen_notification() {
    let e = env("cancel").await;
    let out = e
        .run(&[
            "new",
            "--title",
            "Doomed",
            "--start",
            "+3h",
            "--with",
            "a@example.com",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).lines().nth(1).unwrap().to_string();
    e.sandbox.clear_requests();

    let out = e.run(&["cancel", &id]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let delete = e
        .sandbox
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .expect("a DELETE");
    assert!(delete.path.ends_with(&id));
    assert_eq!(
        delete.param("sendUpdates"),
        Some("all"),
        "a guest is told by default"
    );

    let out = e.run(&["cancel", &id]).await;
    assert!(!out.status.success(), "cancelling twice fails");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_prints_a_meet_link_and_leaves_no_event_behind() {
    let e = env("link").await;
    let out = e.run(&["link"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let link = stdout(&out).trim().to_string();
    assert!(link.starts_with("https://meet.google.com/"), "{link}");
    let reqs = e.sandbox.requests();
    let insert = reqs.iter().find(|r| r.method == "POST").unwrap();
    let delete = reqs
        .iter()
        .find(|r| r.method == "DELETE")
        .expect("the event is deleted");
    assert_eq!(delete.param("sendUpdates"), Some("none"));
    let body = insert.body.clone().expect("a JSON body");
    assert!(delete.path.ends_with(body["id"].as_str().unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_copy_puts_the_link_on_the_x_clipboard() {
    let _clipboard = common::x_clipboard_turn();
    if std::env::var_os("DISPLAY").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the tests under Xvfb"
        );
        return;
    }
    let e = env("copy").await;
    let out = e.run(&["link", "--copy"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let link = stdout(&out).trim().to_string();
    assert!(
        stderr(&out).contains("system clipboard"),
        "{}",
        stderr(&out)
    );
    // The detached server owns the selection after meetty exits.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let clip = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        if clip == link {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "clipboard holds {clip:?}, not {link}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_negative_duration_is_refused_in_meettys_words() {
    let e = env("negative").await;
    for args in [
        ["new", "--title", "X", "--duration", "-5m"].as_slice(),
        ["new", "--title", "X", "--duration=-5m"].as_slice(),
    ] {
        let out = e.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            !err.contains("unexpected argument"),
            "{args:?}: not clap's error: {err}"
        );
        assert!(
            err.contains("--duration: cannot read \"-5m\" as a duration")
                && err.contains("a negative duration is not allowed"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("as an end"),
            "{args:?}: it is a duration: {err}"
        );
    }
    assert!(e.posts().is_empty(), "nothing reached Google");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_start_is_one_error_without_a_follow_on_about_the_length() {
    let e = env("start").await;
    for length in [["--duration", "45m"], ["--end", "17:00"]] {
        let mut args = vec!["new", "--title", "X", "--start", "tomorow 9"];
        args.extend(length);
        let out = e.run(&args).await;
        assert!(!out.status.success());
        let err = stderr(&out);
        let errors: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(errors.len(), 1, "{length:?}: one error: {err}");
        assert!(errors[0].contains("--start"), "{err}");
    }
    // A bad duration is still named beside a bad start: it does not depend on it.
    let out = e
        .run(&[
            "new",
            "--title",
            "X",
            "--start",
            "tomorow 9",
            "--duration",
            "5x",
        ])
        .await;
    let err = stderr(&out);
    assert!(
        err.contains("--start") && err.contains("--duration"),
        "{err}"
    );
    assert!(e.posts().is_empty(), "nothing reached Google");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_an_unknown_id_gives_advice_for_the_command_line() {
    let e = env("unknown").await;
    let out = e.run(&["cancel", "nosuchevent123"]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("404"), "{err}");
    assert!(!err.contains("press r"), "no TUI keys in the CLI: {err}");
    assert!(
        err.contains("meetty agenda --json"),
        "says how to find the ids: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_exits_1_when_nobody_is_signed_in() {
    let e = env("status").await;
    let out = e.run(&["status"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("Not signed in"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn days_out_of_range_is_a_usage_error_for_either_flag() {
    let e = env("days").await;
    for args in [
        ["agenda", "--days", "0"].as_slice(),
        ["--days", "400", "agenda"].as_slice(),
    ] {
        let out = e.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("from 1 to 366"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = e.run(&["agenda", "--days", "366"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
}

const PRIYA: &str = "priya.natarajan@example.com";
const STRANGER: &str = "kim@partner.org";

/// `meetty free --json`'s slots, as instants with the offset they were written with.
fn json_slots(v: &serde_json::Value) -> Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let at = |t: &serde_json::Value| DateTime::parse_from_rfc3339(t.as_str().unwrap()).unwrap();
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (at(&s["start"]), at(&s["end"])))
        .collect()
}

/// A slot's first free minute depends on the clock; a test that compares two runs' first
/// slots starts them just after a quarter hour, so that both see the same one.
fn clear_of_a_quarter_hour() {
    let into = Utc::now().timestamp() % (15 * 60);
    if into > 15 * 60 - 20 {
        std::thread::sleep(std::time::Duration::from_secs((15 * 60 - into + 1) as u64));
    }
}

/// Issue 14 point 5: one query for you and every guest; the slots avoid a colleague's busy
/// time (Priya's daily focus time, 13:00-15:00 in Berlin), a group counts as its members,
/// and a guest Google will not show is named with Google's reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_asks_once_for_you_and_every_guest_and_avoids_their_busy_time() {
    let e = env("free").await;
    let with = format!("{PRIYA},{STRANGER},{TEAM_GROUP}");
    let out = e
        .run(&["free", "--with", &with, "--duration", "1h", "--limit", "3"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("The first 3 of ")
            && lines[0].ends_with(&format!(
                "free 1 h slots for you, {PRIYA}, {STRANGER} and {TEAM_GROUP} in the next 5 \
                 working days (Europe/Berlin):"
            )),
        "{text}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("  ")).count(),
        3,
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Chosen without {STRANGER}, whose calendar is unknown: not shared with you, or \
             outside your organisation (notFound)"
        )),
        "{text}"
    );
    assert!(!text.contains(&format!("without {TEAM_GROUP}")), "{text}");

    let queries = e.free_busy_queries();
    assert_eq!(queries.len(), 1, "one freebusy.query");
    let body = queries[0].body.clone().expect("a JSON body");
    let items: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let mut own = items[..2].to_vec();
    own.sort_unstable();
    assert_eq!(
        own,
        [ACCOUNT, TEAM_CALENDAR],
        "your selected calendars: {body}"
    );
    assert_eq!(items[2..], [PRIYA, STRANGER, TEAM_GROUP], "{body}");
    assert_eq!(body["timeZone"], "Europe/Berlin");
    for bound in ["timeMin", "timeMax"] {
        let t = body[bound].as_str().unwrap();
        assert!(
            t.ends_with("+01:00") || t.ends_with("+02:00"),
            "{bound}: {t}"
        );
    }

    let out = e
        .run(&[
            "free",
            "--with",
            &with,
            "--duration",
            "1h",
            "--limit",
            "500",
            "--json",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let slots = json_slots(&v);
    assert!(!slots.is_empty(), "{v}");
    let focus = (
        NaiveTime::from_hms_opt(13, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
    );
    let in_focus = |(start, end): &(DateTime<FixedOffset>, DateTime<FixedOffset>)| {
        start.time() < focus.1 && end.time() > focus.0
    };
    // Without Priya those hours have free slots: it is her calendar that takes them.
    let out = e
        .run(&[
            "free",
            "--with",
            STRANGER,
            "--duration",
            "1h",
            "--limit",
            "500",
            "--json",
        ])
        .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json_slots(&v).iter().any(in_focus), "{v}");
    for (start, end) in &slots {
        assert_eq!(*end - *start, chrono::Duration::hours(1));
        let (s, e) = (start.time(), end.time());
        assert!(
            !in_focus(&(*start, *end)),
            "{start}–{end} overlaps Priya's focus time"
        );
        assert!(
            s >= NaiveTime::from_hms_opt(9, 0, 0).unwrap()
                && e <= NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
            "{start}–{end} is outside working hours"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_json_has_the_documented_shape_and_says_who_was_left_out() {
    let e = env("free-json").await;
    let out = e
        .run(&[
            "free",
            "--with",
            &format!("{PRIYA},{STRANGER}"),
            "--duration",
            "30m",
            "--days",
            "2",
            "--from",
            "tomorrow 9",
            "--limit",
            "4",
            "--json",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort_unstable();
    assert_eq!(keys, ["slots", "split", "without"], "{v}");
    assert_eq!(v["split"], false);
    assert_eq!(
        v["without"],
        serde_json::json!([{
            "who": STRANGER,
            "reason": "not shared with you, or outside your organisation (notFound)"
        }])
    );
    let slots = v["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 4, "--limit: {v}");
    for slot in slots {
        let mut fields: Vec<&String> = slot.as_object().unwrap().keys().collect();
        fields.sort_unstable();
        assert_eq!(fields, ["end", "start"]);
        for t in [&slot["start"], &slot["end"]] {
            let t = t.as_str().unwrap();
            assert!(t.ends_with("+01:00") || t.ends_with("+02:00"), "{t}");
        }
    }
    // --from: nothing before tomorrow 09:00.
    let tomorrow = Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
        .succ_opt()
        .unwrap();
    for (start, _) in json_slots(&v) {
        assert!(start.date_naive() >= tomorrow, "{start}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_exits_1_when_nobody_can_meet_and_2_for_what_it_cannot_read() {
    let e = env("free-none").await;
    // Everyone is busy for the whole of one working day.
    let out = e
        .run(&[
            "free",
            "--with",
            PRIYA,
            "--duration",
            "8h30m",
            "--days",
            "1",
            "--from",
            "+1h",
        ])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "meetty: no 8 h 30 min slot when you and {PRIYA} are free in the next working day \
             (09:00–17:30, config working_hours): try more --days or a shorter --duration"
        )),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    e.sandbox.clear_requests();

    // Longer than the working day (09:00-17:30): refused before Google is asked, by `free`
    // and by `new --first-free` alike.
    let longer = |h: &str| {
        format!(
            "meetty: --duration: a {h} meeting is longer than your working hours 09:00–17:30 \
             (config working_hours)\n"
        )
    };
    let out = e.run(&["free", "--with", PRIYA, "--duration", "9h"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out), longer("9 h"));
    let out = e
        .run(&[
            "new",
            "--title",
            "X",
            "--with",
            PRIYA,
            "--duration",
            "10h",
            "--first-free",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out), longer("10 h"));
    assert!(
        !e.sandbox
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/freeBusy")),
        "free/busy was not asked"
    );
    e.sandbox.clear_requests();

    let out = e
        .run(&[
            "free",
            "--with",
            "bob@",
            "--duration",
            "-5m",
            "--from",
            "tomorow 9",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "--with: not an e-mail address: bob@",
        "--duration: cannot read \"-5m\" as a duration: a negative duration is not allowed; \
         give a length like 30m or 1h\n",
        "--from: cannot read \"tomorow 9\"",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    for args in [
        ["free", "--with", PRIYA, "--duration", "30m", "--limit", "0"].as_slice(),
        ["free", "--with", PRIYA, "--duration", "30m", "--days", "0"].as_slice(),
        ["free", "--with", "", "--duration", "30m"].as_slice(),
        ["free", "--with", PRIYA].as_slice(),
    ] {
        let out = e.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert!(
        e.sandbox.requests().is_empty(),
        "nothing was asked of Google"
    );
}

/// `new --first-free` books the first slot `free` prints, for the meeting's guests and length.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_first_free_books_the_first_free_slot() {
    let e = env("first-free").await;
    let with = format!("{PRIYA},{TEAM_GROUP}");
    clear_of_a_quarter_hour();
    let out = e
        .run(&["free", "--with", &with, "--duration", "45m", "--json"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = json_slots(&serde_json::from_slice(&out.stdout).unwrap())[0];
    e.sandbox.clear_requests();

    let out = e
        .run(&[
            "new",
            "--title",
            "Found a time",
            "--with",
            &with,
            "--duration",
            "45m",
            "--first-free",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let queries = e.free_busy_queries();
    assert_eq!(queries.len(), 1);
    let items = queries[0].body.clone().unwrap()["items"].to_string();
    assert!(
        items.contains(PRIYA) && items.contains(TEAM_GROUP),
        "{items}"
    );
    let posts = e.posts();
    assert_eq!(posts.len(), 1, "one insert");
    let body = posts[0].body.clone().unwrap();
    let at = |v: &serde_json::Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(at(&body["start"]["dateTime"]), first.0, "{body}");
    assert_eq!(at(&body["end"]["dateTime"]), first.1, "{body}");
    assert_eq!(body["summary"], "Found a time");

    // The meeting now takes that slot: the next search starts after it, or elsewhere.
    let out = e
        .run(&["free", "--with", &with, "--duration", "45m", "--json"])
        .await;
    let again = json_slots(&serde_json::from_slice(&out.stdout).unwrap());
    assert!(
        again.iter().all(|s| s.1 <= first.0 || s.0 >= first.1),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_first_free_dry_run_says_which_slot_and_books_nothing() {
    let e = env("dry-run").await;
    clear_of_a_quarter_hour();
    let out = e
        .run(&["free", "--with", PRIYA, "--duration", "30m", "--json"])
        .await;
    let first = json_slots(&serde_json::from_slice(&out.stdout).unwrap())[0];

    let out = e
        .run(&[
            "new",
            "--title",
            "Maybe",
            "--with",
            &format!("{PRIYA},{STRANGER}"),
            "--first-free",
            "--dry-run",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let when = format!(
        "{} {}–{}",
        first.0.format("%a %-d %b"),
        first.0.format("%H:%M"),
        first.1.format("%H:%M")
    );
    let text = stdout(&out);
    let (summary, request) = text
        .split_once("\n\n")
        .expect("a summary, then the request");
    assert_eq!(summary, format!("{when}  Maybe"));
    assert!(request.starts_with("POST http://"), "{text}");
    let err = stderr(&out);
    assert!(
        err.contains("meetty: dry run: nothing was created"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "meetty: warning: chosen without {STRANGER}, whose calendar is unknown"
        )),
        "{err}"
    );
    assert!(e.posts().is_empty(), "no insert: {:?}", e.posts());

    let out = e
        .run(&[
            "new",
            "--title",
            "Maybe",
            "--first-free",
            "--dry-run",
            "--json",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "Maybe");
    assert_eq!(v["guests"], serde_json::json!([]));
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["requests"][0]["body"]["summary"], "Maybe");
    assert!(e.posts().is_empty(), "no insert");

    // It chooses the start: with --start it is refused before anything is sent.
    e.sandbox.clear_requests();
    let out = e
        .run(&["new", "--title", "X", "--first-free", "--start", "10:00"])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--first-free"), "{}", stderr(&out));
    assert!(e.sandbox.requests().is_empty());
}

/// The demo's sandbox lives in the command's own process: every scripting command works
/// with `--demo`, as the "not signed in" message suggests.
#[test]
fn every_scripting_command_works_in_the_demo() {
    let dir = std::env::temp_dir().join(format!("meetty-cli-demo-{}", std::process::id()));
    let run = |args: &[&str]| {
        common::in_home(&mut Command::new(env!("CARGO_BIN_EXE_meetty")), &dir)
            .arg("--demo")
            .args(args)
            .env_remove("MEETTY_API_ROOT")
            .env_remove("MEETTY_ACCESS_TOKEN")
            .output()
            .unwrap()
    };
    let agenda = run(&["agenda", "--json"]);
    assert!(agenda.status.success(), "{}", stderr(&agenda));
    assert!(stdout(&agenda).contains("\"title\""), "{}", stdout(&agenda));
    let free = run(&[
        "free",
        "--with",
        "jordan.lee@example.com",
        "--duration",
        "30m",
    ]);
    assert!(free.status.success(), "{}", stderr(&free));
    assert!(
        stdout(&free).contains("free 30 min slots"),
        "{}",
        stdout(&free)
    );
    let link = run(&["link"]);
    assert!(link.status.success(), "{}", stderr(&link));
    assert!(
        stdout(&link).contains("https://meet.google.com/"),
        "{}",
        stdout(&link)
    );
}

/// Issue 11, scripting: `new --dry-run` prints the insert (method, URL, body) and sends no
/// write; the real run then sends that very request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_dry_run_prints_the_insert_a_real_run_then_sends() {
    let e = env("new-dry").await;
    let args = [
        "new",
        "--title",
        "Planned",
        "--start",
        "tomorrow 11:00",
        "--with",
        STRANGER,
        "--notify",
        "external",
    ];
    let out = e.run(&[&args[..], &["--dry-run", "--json"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(e.writes().is_empty(), "a dry run writes nothing");
    assert!(
        stderr(&out).contains("meetty: dry run: nothing was created"),
        "{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dry_run"], true);
    let requests = v["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{v}");
    let printed = requests[0].clone();

    // The text form is the same request: the request line, then the body.
    let out = e.run(&[&args[..], &["--dry-run"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let (_, request) = text.split_once("\n\n").unwrap();
    let (line, body) = request.split_once('\n').unwrap();
    assert_eq!(line, format!("POST {}", printed["url"].as_str().unwrap()));
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["summary"], printed["body"]["summary"]);
    assert_eq!(body["attendees"], printed["body"]["attendees"]);
    assert!(e.writes().is_empty(), "a dry run writes nothing");

    let out = e.run(&args).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let writes = e.writes();
    assert_eq!(writes.len(), 1, "one insert");
    assert_sent_as_planned(&printed, &writes[0]);
}

/// `cancel --dry-run` reads the meeting (to check you organize it) and prints the delete;
/// the real run sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_dry_run_prints_the_delete_a_real_run_then_sends() {
    let e = env("cancel-dry").await;
    let id = e.id_of("Customer call: Acme").await;
    e.sandbox.clear_requests();
    let out = e
        .run(&["cancel", &id, "--notify", "none", "--dry-run", "--json"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(e.writes().is_empty(), "a dry run writes nothing");
    assert!(
        stderr(&out).contains("meetty: dry run: nothing was sent"),
        "{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dry_run"], true);
    let printed = v["requests"][0].clone();
    assert_eq!(printed["method"], "DELETE");
    assert_eq!(printed["body"], serde_json::Value::Null);

    let out = e
        .run(&["cancel", &id, "--notify", "none", "--dry-run"])
        .await;
    assert_eq!(
        stdout(&out),
        format!("DELETE {}\n", printed["url"].as_str().unwrap())
    );

    let out = e.run(&["cancel", &id, "--notify", "none", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let writes = e.writes();
    assert_eq!(writes.len(), 1, "one delete");
    assert_sent_as_planned(&printed, &writes[0]);
    let cancelled: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cancelled["cancelled"], id.as_str());
    assert_eq!(cancelled["title"], "Customer call: Acme");
}

/// `rsvp` refuses, before anything is written, what cannot be answered: an unknown answer
/// word (exit 2), a meeting you organize, one you are not invited to, an entry that is no
/// invitation, and an unknown event id (exit 1), each saying what to do instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsvp_refuses_what_cannot_be_answered_and_sends_nothing() {
    let e = env("rsvp-refused").await;
    let out = e.run(&["rsvp", "someid", "perhaps"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("yes, maybe or no"),
        "{}",
        stderr(&out)
    );
    let long = "x".repeat(501);
    let out = e.run(&["rsvp", "someid", "yes", "--note", &long]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--note: the note to the organizer has 501 characters"),
        "{}",
        stderr(&out)
    );
    assert!(e.sandbox.requests().is_empty(), "nothing was asked");

    let mine = e.id_of("Customer call: Acme").await;
    let out = e.run(&["rsvp", &mine, "yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("You organize \u{201c}Customer call: Acme\u{201d}: there is no invitation")
            && stderr(&out).contains("meetty edit"),
        "{}",
        stderr(&out)
    );

    // Forwarded to you: on your calendar, but you are not on its guest list.
    let put = |entry: serde_json::Value| {
        e.sandbox.with_store(|s| {
            let stored = s.put_event(meetty::sandbox::ACCOUNT, entry).unwrap();
            stored["id"].as_str().unwrap().to_string()
        })
    };
    let forwarded = put(serde_json::json!({
        "summary": "Board meeting",
        "start": {"dateTime": "2030-01-07T14:00:00+01:00"},
        "end": {"dateTime": "2030-01-07T15:00:00+01:00"},
        "organizer": {"email": PRIYA},
        "attendees": [{"email": PRIYA, "responseStatus": "accepted"}]
    }));
    let out = e.run(&["rsvp", &forwarded, "no"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("You are not on the guest list of \u{201c}Board meeting\u{201d}"),
        "{}",
        stderr(&out)
    );

    let focus = put(serde_json::json!({
        "summary": "Deep work",
        "eventType": "focusTime",
        "start": {"dateTime": "2030-01-07T09:00:00+01:00"},
        "end": {"dateTime": "2030-01-07T11:00:00+01:00"},
        "organizer": {"email": PRIYA},
        "attendees": [{"email": meetty::sandbox::ACCOUNT, "responseStatus": "needsAction"}]
    }));
    let out = e.run(&["rsvp", &focus, "maybe"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("\u{201c}Deep work\u{201d} is focus time, not an invitation"),
        "{}",
        stderr(&out)
    );

    let out = e.run(&["rsvp", "nosuchevent123", "yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("404") && stderr(&out).contains("meetty agenda --json"),
        "{}",
        stderr(&out)
    );
    assert!(e.writes().is_empty(), "nothing was written");
}

/// `edit` refuses flags it cannot read before anything is sent, with exit status 2 and a
/// line per problem naming the flag and the fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_refuses_unreadable_flags_before_anything_is_sent() {
    let e = env("edit-usage").await;
    for (args, says) in [
        (
            ["edit", "someid", "--duration", "1h", "--end", "15:00"].as_slice(),
            "cannot be used with",
        ),
        (
            ["edit", "someid"].as_slice(),
            "nothing to change: give --title",
        ),
        (
            ["edit", "someid", "--add", "bob@,kim@partner.org"].as_slice(),
            "--add: not an e-mail address: bob@; give addresses like",
        ),
        (
            ["edit", "someid", "--duration", "-5m"].as_slice(),
            "a negative duration is not allowed",
        ),
        (
            ["edit", "someid", "--title", "X", "--scope", "some"].as_slice(),
            "--scope following",
        ),
        (
            ["edit", "someid", "--meet", "--no-meet"].as_slice(),
            "cannot be used with",
        ),
        (
            ["edit", "someid", "--title", " "].as_slice(),
            "--title: a meeting needs a title",
        ),
    ] {
        let out = e.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    assert!(e.sandbox.requests().is_empty(), "nothing was asked");
}

/// Issue 11 point 4 from a script: the PATCH carries `attendeesOmitted` and only your own
/// entry (with the note, cleaned); the dry run prints it and sends nothing, the real run
/// sends what it printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsvp_sends_only_your_own_answer_as_the_dry_run_printed_it() {
    let e = env("rsvp").await;
    let id = e.id_of("Sprint planning").await;
    e.sandbox.clear_requests();
    let args = ["rsvp", &id, "maybe", "--note", "Late \x1b[2Jby ten"];
    let out = e.run(&[&args[..], &["--dry-run", "--json"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(e.writes().is_empty(), "a dry run writes nothing");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dry_run"], true);
    let printed = v["requests"][0].clone();
    assert_eq!(printed["method"], "PATCH");
    let body = &printed["body"];
    assert_eq!(body["attendeesOmitted"], true, "{body}");
    let attendees = body["attendees"].as_array().unwrap();
    assert_eq!(attendees.len(), 1, "only your own entry: {body}");
    assert_eq!(attendees[0]["email"], meetty::sandbox::ACCOUNT);
    assert_eq!(attendees[0]["responseStatus"], "tentative");
    assert_eq!(attendees[0]["comment"], "Late by ten", "cleaned: {body}");

    let out = e.run(&[&args[..], &["--json"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let writes = e.writes();
    assert_eq!(writes.len(), 1, "one PATCH");
    assert_sent_as_planned(&printed, &writes[0]);
    assert_eq!(
        writes[0].param("sendUpdates"),
        Some("all"),
        "the organizer hears"
    );
    assert!(
        stderr(&out).contains("meetty: warning: --note: control and invisible characters removed"),
        "{}",
        stderr(&out)
    );
    let answered: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answered["id"], id.as_str());
    assert_eq!(answered["response"], "tentative");
    assert_eq!(e.meeting("Sprint planning").await["response"], "tentative");

    // Every occurrence: the series is answered, and nobody is e-mailed when asked so.
    let standup = e.meeting("Daily standup").await;
    e.sandbox.clear_requests();
    let occurrence = standup["id"].as_str().unwrap();
    let out = e
        .run(&["rsvp", occurrence, "no", "--all-occurrences", "--no-notify"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let writes = e.writes();
    assert_eq!(writes.len(), 1, "one PATCH");
    let series = standup["recurring_event_id"].as_str().unwrap();
    assert!(
        writes[0].path.ends_with(&format!("/events/{series}")),
        "{}",
        writes[0].path
    );
    assert_eq!(writes[0].param("sendUpdates"), Some("none"));
    assert_eq!(
        writes[0].body.clone().unwrap()["attendees"][0]["responseStatus"],
        "declined"
    );
}
/// Issue 11 point 6 from a script: only the fields the flags change are sent, guarded by
/// the etag; `--start +30m` moves the meeting from its own start and keeps its length; the
/// dry run prints that PATCH and sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_sends_only_the_changed_fields_with_if_match_as_the_dry_run_printed_them() {
    let e = env("edit").await;
    let before = e.meeting("Customer call: Acme").await;
    let id = before["id"].as_str().unwrap().to_string();
    e.sandbox.clear_requests();
    let args = ["edit", &id, "--start", "+30m", "--title", "Acme call"];
    let out = e.run(&[&args[..], &["--dry-run", "--json"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(e.writes().is_empty(), "a dry run writes nothing");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let requests = v["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{v}");
    let printed = requests[0].clone();
    assert_eq!(printed["method"], "PATCH");
    assert!(printed["if_match"].is_string(), "guarded: {printed}");
    let mut fields: Vec<&String> = printed["body"].as_object().unwrap().keys().collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["end", "start", "summary"],
        "only what changed: {printed}"
    );
    assert_eq!(printed["body"]["summary"], "Acme call");

    let out = e.run(&args).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), id, "prints the event id");
    let writes = e.writes();
    assert_eq!(writes.len(), 1, "one PATCH");
    assert_sent_as_planned(&printed, &writes[0]);
    assert_eq!(
        writes[0].param("sendUpdates"),
        Some("all"),
        "Jordan is told"
    );

    let after = e.meeting("Acme call").await;
    let at = |v: &serde_json::Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        at(&after["start"]) - at(&before["start"]),
        chrono::Duration::minutes(30)
    );
    assert_eq!(
        at(&after["end"]) - at(&before["end"]),
        chrono::Duration::minutes(30)
    );
}

/// An occurrence of a recurring meeting is changed only once `--scope` says which
/// occurrences; someone else's meeting, an unknown id and an unreadable start are refused;
/// none of these write anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_refuses_what_it_must_not_change_and_sends_nothing() {
    let e = env("edit-refused").await;
    let one_on_one = e.id_of("1:1 with Jordan").await;
    e.sandbox.clear_requests();
    let out = e.run(&["edit", &one_on_one, "--title", "Catch-up"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("one occurrence of a recurring meeting")
            && err.contains("--scope this")
            && err.contains("--scope following")
            && err.contains("--scope all"),
        "{err}"
    );

    let out = e
        .run(&[
            "edit",
            &one_on_one,
            "--start",
            "tomorow 9",
            "--scope",
            "this",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--start: cannot read \"tomorow 9\""),
        "{}",
        stderr(&out)
    );

    let out = e
        .run(&[
            "edit",
            &one_on_one,
            "--remove",
            "nobody@example.com",
            "--scope",
            "this",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--remove: not a guest"),
        "{}",
        stderr(&out)
    );

    let theirs = e.id_of("Sprint planning").await;
    let out = e.run(&["edit", &theirs, "--title", "Mine now"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "Only Priya Natarajan can change \u{201c}Sprint planning\u{201d}: you are a guest \
             (answer it with meetty rsvp"
        ),
        "{}",
        stderr(&out)
    );

    let out = e.run(&["edit", "nosuchevent123", "--title", "X"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("meetty agenda --json"),
        "{}",
        stderr(&out)
    );
    assert!(
        e.writes().is_empty(),
        "nothing was written: {:?}",
        e.writes()
    );

    // With the scope given, this occurrence alone is patched.
    let out = e
        .run(&[
            "edit",
            &one_on_one,
            "--title",
            "Catch-up",
            "--scope",
            "this",
            "--dry-run",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("PATCH ") && first.contains(&format!("/events/{one_on_one}?")),
        "{text}"
    );
    assert!(
        text.lines().nth(1).unwrap().starts_with("If-Match: "),
        "{text}"
    );

    // The series' own id changes every occurrence: no --scope needed, and no other allowed.
    let series = e.meeting("1:1 with Jordan").await["recurring_event_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = e
        .run(&["edit", &series, "--title", "Catch-up", "--dry-run"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("PATCH ") && stdout(&out).contains(&format!("/events/{series}?")),
        "{}",
        stdout(&out)
    );
    let out = e
        .run(&["edit", &series, "--title", "Catch-up", "--scope", "this"])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is the series"), "{}", stderr(&out));

    // Your own focus time is a status, not a meeting.
    let focus = e.sandbox.with_store(|s| {
        let entry = serde_json::json!({
            "summary": "Deep work",
            "eventType": "focusTime",
            "start": {"dateTime": "2030-01-07T09:00:00+01:00"},
            "end": {"dateTime": "2030-01-07T11:00:00+01:00"},
        });
        let stored = s.put_event(ACCOUNT, entry).unwrap();
        stored["id"].as_str().unwrap().to_string()
    });
    let out = e.run(&["edit", &focus, "--start", "+1h"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("\u{201c}Deep work\u{201d} is focus time: change it in Google Calendar"),
        "{}",
        stderr(&out)
    );
    assert!(
        e.writes().is_empty(),
        "nothing was written: {:?}",
        e.writes()
    );
}

/// Issue 11 point 6 from a script: a meeting changed elsewhere between meetty reading and
/// writing it (Google answers 412) is not overwritten: stderr says what differs and it exits
/// 1; `--force` applies the changes on top of the version Google has now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_reports_a_change_made_elsewhere_meanwhile_and_force_applies_on_top() {
    let e = env("edit-conflict").await;
    let id = e.id_of("Customer call: Acme").await;
    // Someone renames the meeting while meetty's PATCH is on its way.
    let rename_meanwhile = |title: &'static str| {
        e.sandbox.inject(
            meetty::sandbox::Fault::latency(std::time::Duration::from_millis(1500))
                .on("PATCH", &id),
        );
        let sandbox = &e.sandbox;
        let id = id.clone();
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !sandbox.requests().iter().any(|r| r.method == "PATCH") {
                assert!(std::time::Instant::now() < deadline, "no PATCH came");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            sandbox.with_store(|s| {
                let mut ev = s.event(meetty::sandbox::ACCOUNT, &id).unwrap();
                ev["summary"] = title.into();
                s.put_event(meetty::sandbox::ACCOUNT, ev).unwrap();
            });
        }
    };

    e.sandbox.clear_requests();
    let args = ["edit", &id, "--start", "+1h", "--json"];
    let (out, ()) = tokio::join!(e.run(&args), rename_meanwhile("Acme renewal"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("was changed elsewhere since meetty read it; nothing was saved")
            && err.contains("Customer call: Acme")
            && err.contains("Acme renewal")
            && err.contains("--force"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["conflict"], true, "{v}");
    assert_eq!(v["differences"][0]["field"], "title", "{v}");
    let refused = e.sandbox.requests();
    let patches: Vec<_> = refused.iter().filter(|r| r.method == "PATCH").collect();
    assert_eq!(patches.len(), 1, "sent once, refused, not re-sent");

    e.sandbox.clear_requests();
    let before = e.meeting("Acme renewal").await;
    let args = ["edit", &id, "--start", "+1h", "--force"];
    let (out, ()) = tokio::join!(e.run(&args), rename_meanwhile("Acme renewal 2"));
    assert!(out.status.success(), "{}", stderr(&out));
    let patches: Vec<_> = e
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(
        patches.len(),
        2,
        "refused, then sent on top of the new version"
    );
    let guard = |r: &meetty::sandbox::RecordedRequest| {
        r.headers
            .iter()
            .find(|(n, _)| n == "if-match")
            .map(|(_, v)| v.clone())
    };
    assert_ne!(
        guard(&patches[0]),
        guard(&patches[1]),
        "the new version's etag"
    );
    let after = e.meeting("Acme renewal 2").await;
    let at = |v: &serde_json::Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        at(&after["start"]) - at(&before["start"]),
        chrono::Duration::hours(1)
    );
}

/// Issue 11 point 8 from a script: `--scope following` is two requests, printed in order by
/// the dry run (the series ended before the occurrence, then a new series from it), and sent
/// as printed by the real run, which prints the new series' event id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_following_prints_and_sends_the_split_as_two_requests() {
    let e = env("edit-following").await;
    let out = e
        .run(&[
            "new",
            "--title",
            "Daily sync",
            "--start",
            "tomorrow 9",
            "--recur",
            "daily",
            "--no-meet",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    // Splitting at the first occurrence would change the whole series: take the second.
    let out = e.run(&["agenda", "--all", "--json", "--days", "7"]).await;
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let occurrence = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["title"] == "Daily sync")
        .nth(1)
        .expect("a second occurrence")
        .clone();
    let id = occurrence["id"].as_str().unwrap().to_string();
    let series = occurrence["recurring_event_id"]
        .as_str()
        .unwrap()
        .to_string();
    e.sandbox.clear_requests();
    let args = [
        "edit",
        &id,
        "--scope",
        "following",
        "--start",
        "+1h",
        "--notify",
        "none",
    ];
    let out = e.run(&[&args[..], &["--dry-run", "--json"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(e.writes().is_empty(), "a dry run writes nothing");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let printed = v["requests"].as_array().unwrap().clone();
    assert_eq!(printed.len(), 2, "{v}");
    assert_eq!(printed[0]["method"], "PATCH");
    assert!(
        printed[0]["url"]
            .as_str()
            .unwrap()
            .contains(&format!("/events/{series}?")),
        "the series is ended first: {v}"
    );
    assert!(
        printed[0]["body"]["recurrence"][0]
            .as_str()
            .unwrap()
            .contains("UNTIL="),
        "{v}"
    );
    assert_eq!(printed[1]["method"], "POST", "then the new series: {v}");

    let out = e.run(&args).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let writes = e.writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    for (planned, sent) in printed.iter().zip(&writes) {
        assert_sent_as_planned(planned, sent);
    }
    let new_id = stdout(&out).trim().to_string();
    assert_ne!(new_id, id, "the new series' occurrence");
    assert!(!new_id.is_empty());
}

/// Issue 11 point 9: `new --link-from ID` shares the meeting's conference (copied, no new
/// one requested) and prints its link; a meeting without a conference exits 1, making nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_link_from_shares_a_meetings_conference() {
    let e = env("link-from").await;
    let out = e.run(&["agenda", "--json", "--all", "--days", "7"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let on_primary = |m: &&serde_json::Value| m["calendar_id"] == ACCOUNT && m["all_day"] == false;
    let items = items.as_array().unwrap();
    let source = items
        .iter()
        .filter(on_primary)
        .find(|m| m["provider"] == "Google Meet")
        .expect("a Meet meeting in the demo");
    let bare = items
        .iter()
        .filter(on_primary)
        .find(|m| m["link"].is_null())
        .expect("a meeting without a link in the demo");

    let id = source["id"].as_str().unwrap();
    let out = e
        .run(&[
            "new",
            "--title",
            "Same room",
            "--start",
            "+3h",
            "--link-from",
            id,
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().next(), source["link"].as_str(), "{text}");
    let posts = e.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].param("conferenceDataVersion"), Some("1"));
    let conference = &posts[0].body.as_ref().unwrap()["conferenceData"];
    assert!(conference["createRequest"].is_null(), "{conference}");
    assert_eq!(conference["entryPoints"][0]["uri"], source["link"]);

    let bare_id = bare["id"].as_str().unwrap();
    let out = e
        .run(&[
            "new",
            "--title",
            "No room",
            "--start",
            "+3h",
            "--link-from",
            bare_id,
        ])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("has no video conference to share"),
        "{}",
        stderr(&out)
    );
    assert_eq!(e.posts().len(), 1, "nothing more was made");
}

/// `new --link-from --dry-run` reads the meeting whose conference it copies and prints the
/// insert with that conference (no new one requested); the real run sends the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_link_from_dry_run_prints_the_copied_conference_a_real_run_sends() {
    let e = env("link-from-dry").await;
    let source = e.id_of("Customer call: Acme").await;
    e.sandbox.clear_requests();
    let args = [
        "new",
        "--title",
        "Same room",
        "--start",
        "tomorrow 11:00",
        "--link-from",
        &source,
    ];
    let out = e.run(&[&args[..], &["--dry-run", "--json"]].concat()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(e.writes().is_empty(), "a dry run writes nothing");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let printed = v["requests"][0].clone();
    let conference = &printed["body"]["conferenceData"];
    assert!(conference["conferenceId"].is_string(), "{printed}");
    assert!(conference.get("createRequest").is_none(), "{printed}");

    let out = e.run(&args).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let writes = e.writes();
    assert_eq!(writes.len(), 1, "one insert");
    assert_sent_as_planned(&printed, &writes[0]);
}

/// Without `--calendar`, `edit`, `rsvp` and `cancel` find an event's calendar in the agenda
/// the TUI cached (here: a meeting on the team calendar), and fall back to the primary
/// calendar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cached_agenda_says_which_calendar_an_event_is_on() {
    use meetty::calendar::client::{CalendarClient, CalendarSelection};
    let e = env("cached-calendar").await;
    let platform = e.id_of("Platform sync").await;
    let data = e.dir.join("data/meetty");
    // `meetty agenda` cached what it read: without that cache, the primary calendar it is.
    std::fs::remove_file(data.join("agenda-sandbox.json")).unwrap();
    let edit = [
        "edit",
        &platform,
        "--title",
        "Platform sync (moved)",
        "--dry-run",
    ];
    let out = e.run(&edit).await;
    assert_eq!(out.status.code(), Some(1), "not on the primary calendar");

    let client = CalendarClient::new(&e.sandbox.root_url(), e.sandbox.access_token());
    let now = Utc::now();
    let agenda = client
        .agenda(
            &CalendarSelection::SelectedInGoogle,
            now,
            now + chrono::Duration::days(7),
        )
        .await
        .unwrap();
    let files = meetty::cache::CacheFiles {
        agenda: data.join("agenda-sandbox.json"),
        upcoming: data.join("upcoming-sandbox.jsonl"),
    };
    meetty::cache::save(&files, &agenda, None).unwrap();

    let team = format!(
        "/calendars/{}/events/{platform}?",
        meetty::percent::encode_segment(TEAM_CALENDAR)
    );
    let out = e.run(&edit).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&team), "{}", stdout(&out));
    let out = e.run(&["cancel", &platform, "--dry-run"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&team), "{}", stdout(&out));
    assert!(e.writes().is_empty(), "dry runs write nothing");
}

/// Issue 13: `agenda` lists every account the TUI merges. In the demo (two accounts) each
/// line names its account by its label; with one account (a fixed token here) lines and
/// JSON items are as before, with no account to name.
#[test]
fn the_agenda_names_accounts_only_when_there_are_several() {
    let dir = std::env::temp_dir().join(format!("meetty-cli-labels-{}", std::process::id()));
    let demo = common::in_home(&mut Command::new(env!("CARGO_BIN_EXE_meetty")), &dir)
        .args(["--demo", "agenda", "--days", "7"])
        .env_remove("MEETTY_API_ROOT")
        .env_remove("MEETTY_ACCESS_TOKEN")
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", stderr(&demo));
    let text = stdout(&demo);
    let line = |title: &str| {
        text.lines()
            .find(|l| l.contains(&format!("  {title}  ")))
            .unwrap_or_else(|| panic!("no {title} in:\n{text}"))
            .to_string()
    };
    assert!(
        line("Design review").contains("  A  Design review  https://"),
        "{text}"
    );
    assert!(
        line("Book club").contains("  G  Book club  https://"),
        "{text}"
    );
    let farewells = text.matches("Jamie's farewell call").count();
    assert_eq!(farewells, 1, "the shared invitation once:\n{text}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    // The binary's agenda starts at the real now.
    let seed = Seed::Demo {
        now: Utc::now(),
        tz: common::tz(),
    };
    let sandbox = rt.block_on(common::sandbox(seed));
    let one = common::meetty_at(&sandbox, &dir)
        .args(["agenda", "--json", "--days", "7"])
        .output()
        .unwrap();
    assert!(one.status.success(), "{}", stderr(&one));
    let items: serde_json::Value = serde_json::from_str(&stdout(&one)).unwrap();
    let items = items.as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert!(item.get("account").is_none(), "{item}");
        assert!(item.get("accounts").is_none(), "{item}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--account` narrows the demo to one of its two accounts, as it does a real session, and
/// an address the demo does not have is refused with the two it has.
#[test]
fn the_demo_narrows_to_one_account_with_account() {
    let dir = std::env::temp_dir().join(format!("meetty-cli-demo-one-{}", std::process::id()));
    let run = |account: &str| {
        common::in_home(&mut Command::new(env!("CARGO_BIN_EXE_meetty")), &dir)
            .args(["--demo", "--account", account, "agenda", "--days", "7"])
            .env_remove("MEETTY_API_ROOT")
            .env_remove("MEETTY_ACCESS_TOKEN")
            .output()
            .unwrap()
    };
    let personal = run("alex.rivera@gmail.com");
    assert!(personal.status.success(), "{}", stderr(&personal));
    let text = stdout(&personal);
    assert!(text.contains("  Book club  https://"), "{text}");
    assert!(
        !text.contains("Design review"),
        "the work account's meetings:\n{text}"
    );
    let unknown = run("nobody@example.org");
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains(
            "the demo has no account nobody@example.org: use --account alex@example.com or \
             --account alex.rivera@gmail.com"
        ),
        "{}",
        stderr(&unknown)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
