//! The scripting commands, as a script runs them: the real binary against a sandbox over
//! HTTP, checking stdout, stderr, exit codes and what reached "Google".

use std::process::{Command, Output};

use chrono::Utc;
use meetty::sandbox::{Sandbox, Seed};

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
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_meetty"));
        cmd.args(args)
            .env("MEETTY_API_ROOT", self.sandbox.root_url())
            .env("MEETTY_ACCESS_TOKEN", self.sandbox.access_token())
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .env("TZ", "Europe/Berlin");
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    fn posts(&self) -> Vec<meetty::sandbox::RecordedRequest> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/events"))
            .collect()
    }
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
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("--start") && err.contains("tomorow 9"),
        "{err}"
    );
    assert!(err.contains("--with") && err.contains("bob@"), "{err}");
    assert!(stdout(&out).is_empty());

    let out = e
        .run(&["new", "--template", "client demo", "--start", "+1h"])
        .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("client"), "{}", stderr(&out));

    let out = e.run(&["new", "--template", "nope"]).await;
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
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
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
