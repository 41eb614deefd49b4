//! `meetty serve`'s HTTP side over real HTTP: the bearer secret checked before anything
//! else, the 64 kB body limit, JSON bodies only, `/healthz`, JSON 404s (against the API in
//! this process, acting for a sandbox), and with the real binary: one log line per request,
//! a SIGTERM that lets the request in flight finish, the listen rules, the accounts (one that
//! cannot open left out), and the secret made once and kept (0600 file store; the real
//! keyring under `dbus-run-session` as in `tests/keyring_store.rs`), never printed to a pipe.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{api_server, http, meetty_at, sent, API_SECRET};
use meetty::sandbox::{Fault, Sandbox};
use meetty::serve::server::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "meetty-serve-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes a test's directory even when an assertion fails.
struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The API in this process for a demo-seeded sandbox, its files in a fresh directory that is
/// removed with the returned guard: the guard, the sandbox, the server and its base URL.
async fn in_process(name: &str) -> (Cleanup, Sandbox, Server, String) {
    let dir = temp_dir(name);
    let sandbox = common::sandbox(common::demo_seed()).await;
    let (server, base) = api_server(&sandbox, &dir).await;
    (Cleanup(dir), sandbox, server, base)
}

/// The API secret `meetty serve` keeps in the file store of the home under `dir`.
fn kept_secret(dir: &std::path::Path) -> String {
    let kept = common::home_paths(dir)
        .data_dir
        .join("tokens/serve-api-secret");
    std::fs::read_to_string(&kept).unwrap_or_else(|e| panic!("{}: {e}", kept.display()))
}

fn bearer(secret: &str) -> String {
    format!("Bearer {secret}")
}

/// Sends `request` as written (what `common::http` would not: a chunked body, a body in
/// two halves around `between`) and reads the answer until the server closes.
async fn raw(
    addr: &str,
    request: &[u8],
    between: impl std::future::Future<Output = ()>,
    rest: &[u8],
) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    between.await;
    stream.write_all(rest).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn requests_without_the_right_secret_are_refused_before_anything_runs() {
    let (_cleanup, sandbox, server, base) = in_process("auth").await;
    let last_changed = format!("{}X", &API_SECRET[..API_SECRET.len() - 1]);
    let refused: [&[(&str, &str)]; 5] = [
        &[],
        &[("Authorization", "Bearer wrong-secret")],
        &[("Authorization", &format!("Bearer {last_changed}"))],
        &[("Authorization", &format!("Bearer {API_SECRET}x"))],
        &[("Authorization", &format!("Basic {API_SECRET}"))],
    ];
    let body = r#"{"title":"Sync","start":"2026-11-24T10:00:00","duration":"30m","time_zone":"Europe/Berlin"}"#;
    for headers in refused {
        let mut headers = headers.to_vec();
        headers.push(("Content-Type", "application/json"));
        for (method, path) in [
            ("POST", "meetings"),
            ("GET", "meetings"),
            ("GET", "healthz"),
        ] {
            let res = http(method, &format!("{base}{path}"), &headers, body).await;
            assert_eq!(res.status, 401, "{method} /{path} with {headers:?}");
            let error = &res.json()["error"];
            assert_eq!(error["code"], "unauthorized", "{}", res.text());
            assert!(
                error["fix"].as_str().unwrap().contains("--new-secret"),
                "{error}"
            );
            assert!(
                res.headers["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .starts_with("Bearer"),
                "{:?}",
                res.headers
            );
            assert!(!res.text().contains(API_SECRET), "{}", res.text());
        }
    }
    assert_eq!(sandbox.requests(), vec![], "nothing reached Google");

    // The scheme is case-insensitive (RFC 7235); the secret is not.
    let res = http(
        "GET",
        &format!("{base}healthz"),
        &[("Authorization", &format!("bearer {API_SECRET}"))],
        "",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    server.shutdown().await;
}

#[tokio::test]
async fn healthz_names_the_accounts_and_unknown_paths_get_a_json_404() {
    let (_cleanup, _sandbox, server, base) = in_process("healthz").await;
    let auth = bearer(API_SECRET);
    let res = http(
        "GET",
        &format!("{base}healthz"),
        &[("Authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json(),
        serde_json::json!({ "ok": true, "accounts": [meetty::sandbox::ACCOUNT] })
    );
    assert_eq!(res.headers["content-type"], "application/json");
    // Path segments are percent-decoded before routing.
    let res = http(
        "GET",
        &format!("{base}%68ealthz"),
        &[("Authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());

    for path in ["nothing-here", "healthz/more", "meetings%2Fx/../../etc"] {
        let res = http(
            "GET",
            &format!("{base}{path}"),
            &[("Authorization", &auth)],
            "",
        )
        .await;
        assert_eq!(res.status, 404, "/{path}: {}", res.text());
        assert_eq!(res.json()["error"]["code"], "not_found", "{}", res.text());
        assert!(res.json()["error"]["fix"].is_string());
    }
    server.shutdown().await;
}

#[tokio::test]
async fn bodies_over_64_kb_are_refused_and_nothing_is_created() {
    let (_cleanup, sandbox, server, base) = in_process("limit").await;
    let auth = bearer(API_SECRET);
    // A meeting whose description makes the body 65 kB: valid JSON, only too big.
    let big = serde_json::json!({
        "title": "Sync", "start": "2026-11-24T10:00:00", "duration": "30m",
        "time_zone": "Europe/Berlin", "description": "d".repeat(65 * 1024),
    })
    .to_string();
    let json = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];

    // Declared by Content-Length: refused before the body is read.
    let res = http("POST", &format!("{base}meetings"), &json, &big).await;
    assert_eq!(res.status, 413, "{}", res.text());
    assert_eq!(res.json()["error"]["code"], "too_large");
    assert!(res.json()["error"]["fix"].is_string());

    // Chunked, with no length given: refused once the limit is passed.
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let head = format!(
        "POST /meetings HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let chunks: String = big
        .as_bytes()
        .chunks(4096)
        .map(|c| format!("{:x}\r\n{}\r\n", c.len(), String::from_utf8_lossy(c)))
        .collect();
    let answer = raw(
        addr,
        head.as_bytes(),
        async {},
        format!("{chunks}0\r\n\r\n").as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"too_large""#), "{answer}");

    assert_eq!(sent(&sandbox, "POST", "/events"), vec![], "nothing created");
    assert_eq!(sandbox.requests(), vec![], "nothing reached Google");

    // Exactly 64 kB is within the limit: refused for its type, not its size.
    let at_limit = "x".repeat(64 * 1024);
    let res = http(
        "POST",
        &format!("{base}meetings"),
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        &at_limit,
    )
    .await;
    assert_eq!(res.status, 415, "{}", res.text());
    server.shutdown().await;
}

#[tokio::test]
async fn bodies_that_are_not_json_are_refused_with_the_fix() {
    let (_cleanup, sandbox, server, base) = in_process("type").await;
    let auth = bearer(API_SECRET);
    for (method, path) in [("POST", "meetings"), ("PATCH", "meetings/abc")] {
        for content_type in [
            Some("application/x-www-form-urlencoded"),
            Some("text/plain"),
            Some("application/jsonx"),
            None,
        ] {
            let mut headers = vec![("Authorization", auth.as_str())];
            headers.extend(content_type.map(|t| ("Content-Type", t)));
            let res = http(
                method,
                &format!("{base}{path}"),
                &headers,
                r#"{"title":"x"}"#,
            )
            .await;
            assert_eq!(res.status, 415, "{method} {content_type:?}: {}", res.text());
            let error = &res.json()["error"];
            assert_eq!(error["code"], "unsupported_media_type");
            assert!(
                error["fix"]
                    .as_str()
                    .unwrap()
                    .contains("Content-Type: application/json"),
                "{error}"
            );
        }
    }
    // JSON with parameters, and `+json` types, are admitted (and routed: no such endpoint).
    for content_type in [
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ] {
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", content_type),
        ];
        let res = http(
            "POST",
            &format!("{base}nowhere"),
            &headers,
            r#"{"title":"x"}"#,
        )
        .await;
        assert_eq!(res.status, 404, "{content_type}: {}", res.text());
    }
    assert_eq!(sandbox.requests(), vec![], "nothing reached Google");
    server.shutdown().await;
}

/// A running `meetty serve` and what it has said so far.
struct Serve {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    /// The threads reading stdout and stderr: done once the process has ended.
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Serve {
    /// Starts `command` (`meetty … serve …`) and reads both of its outputs as they come.
    fn spawn(command: &mut Command) -> Serve {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut readers = Vec::new();
        let mut collect = |pipe: Box<dyn std::io::Read + Send>| {
            let text = Arc::new(Mutex::new(String::new()));
            let sink = text.clone();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let mut text = sink.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            }));
            text
        };
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        Serve {
            child,
            stdout,
            stderr,
            readers,
        }
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The address it listens on, once it says so.
    async fn addr(&mut self) -> String {
        for _ in 0..300 {
            if let Some(rest) = self.stdout().split("listening on http://").nth(1) {
                return rest.split_whitespace().next().unwrap().to_string();
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("meetty serve ended ({status}): {}", self.stderr());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "meetty serve did not start: {}{}",
            self.stdout(),
            self.stderr()
        );
    }

    /// The secret it printed: the line after the one that announces it.
    fn printed_secret(&self) -> Option<String> {
        let stdout = self.stdout();
        let mut lines = stdout.lines();
        lines.find(|l| l.contains("API secret") && l.ends_with(':'))?;
        lines.next().map(|l| l.trim().to_string())
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill only sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// The exit status once it has ended by itself (or after a signal).
    async fn status(mut self) -> (Option<i32>, String) {
        let status = tokio::task::spawn_blocking(move || {
            let status = self.child.wait().unwrap();
            for reader in self.readers.drain(..) {
                reader.join().unwrap();
            }
            (status.code(), self.stdout(), self.stderr())
        })
        .await
        .unwrap();
        (status.0, format!("{}{}", status.1, status.2))
    }

    async fn stop(self) -> (Option<i32>, String) {
        self.signal(libc::SIGTERM);
        self.status().await
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        // A failed assertion must not leave the process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `meetty` in a private home under `dir`, with no account and no sandbox token.
fn meetty_in(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meetty"));
    common::in_home(&mut command, dir)
        .env_remove("MEETTY_ACCESS_TOKEN")
        .env_remove("MEETTY_API_ROOT");
    command
}

#[tokio::test]
async fn each_request_logs_one_line_without_secret_query_or_body() {
    let dir = temp_dir("log");
    let _cleanup = Cleanup(dir.clone());
    let mut serve =
        Serve::spawn(meetty_in(&dir).args(["--demo", "serve", "--listen", "127.0.0.1:0"]));
    let addr = serve.addr().await;
    let secret = serve.printed_secret().expect("the demo prints its secret");
    let auth = bearer(&secret);
    let res = http(
        "GET",
        &format!("http://{addr}/healthz?token=QUERYSECRET"),
        &[("Authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(res.status, 200);
    let res = http(
        "POST",
        &format!("http://{addr}/nowhere"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        r#"{"description":"BODYTEXT"}"#,
    )
    .await;
    assert_eq!(res.status, 404);
    let res = http(
        "GET",
        &format!("http://{addr}/healthz"),
        &[("Authorization", "Bearer WRONGSECRET")],
        "",
    )
    .await;
    assert_eq!(res.status, 401);
    // A path with a C1 control sequence (CSI clear screen) and a bidi override, as raw
    // UTF-8 on the request line (HTTP clients would percent-encode them).
    let evil = format!(
        "GET /evil\u{9b}2J\u{202e}path HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\n\
         Connection: close\r\n\r\n"
    );
    let answer = raw(&addr, evil.as_bytes(), async {}, b"").await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    let (status, _) = serve.stop().await;
    assert_eq!(status, Some(0));

    let log = std::fs::read_to_string(common::home_paths(&dir).log_file()).unwrap();
    let stderr = {
        let mut serve =
            Serve::spawn(meetty_in(&dir).args(["--demo", "serve", "--listen", "127.0.0.1:0"]));
        // The same lines go to stderr: check them on a second run with one request.
        let addr = serve.addr().await;
        let secret = serve.printed_secret().unwrap();
        http(
            "GET",
            &format!("http://{addr}/healthz?x=1"),
            &[("Authorization", &bearer(&secret))],
            "",
        )
        .await;
        let (_, output) = serve.stop().await;
        output
    };
    let expect = [
        ("GET /healthz 200 ", &log),
        ("POST /nowhere 404 ", &log),
        ("GET /healthz 401 ", &log),
        ("GET /healthz 200 ", &stderr),
    ];
    for (start, text) in expect {
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(start)).collect();
        assert_eq!(lines.len(), 1, "one line for {start:?} in:\n{text}");
        let tail = lines[0].split(start).nth(1).unwrap();
        let ms = tail
            .strip_suffix("ms")
            .unwrap_or_else(|| panic!("{}", lines[0]));
        assert!(ms.parse::<u64>().is_ok(), "a duration in ms: {}", lines[0]);
    }
    assert!(
        log.contains("INFO meetty::serve: GET /healthz 200 "),
        "{log}"
    );
    assert!(log.contains("GET /evilpath 404 "), "sanitized: {log}");
    assert!(
        !log.contains('\u{9b}') && !log.contains('\u{202e}'),
        "{log}"
    );
    for text in [&log, &stderr] {
        for leak in [
            secret.as_str(),
            "QUERYSECRET",
            "BODYTEXT",
            "WRONGSECRET",
            "token=",
            "x=1",
        ] {
            assert!(!text.contains(leak), "{leak} in:\n{text}");
        }
    }
}

#[tokio::test]
async fn sigterm_stops_accepting_and_the_request_in_flight_gets_its_full_answer() {
    let dir = temp_dir("sigterm");
    let _cleanup = Cleanup(dir.clone());
    let sandbox = common::sandbox(common::demo_seed()).await;
    let mut command = meetty_at(&sandbox, &dir);
    command.args(["serve", "--listen", "127.0.0.1:0", "--token-store", "file"]);
    let mut serve = Serve::spawn(&mut command);
    let addr = serve.addr().await;
    let secret = kept_secret(&dir);
    // Google takes its time with the listing, so the request is in flight at the SIGTERM.
    sandbox.clear_requests();
    sandbox.inject(Fault::latency(Duration::from_secs(3)).on("GET", "/events"));
    let head = format!(
        "GET /meetings?fresh=true HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {secret}\r\n\
         Connection: close\r\n\r\n"
    );
    let (serve_ref, sandbox_ref) = (&serve, &sandbox);
    let between = async {
        // The SIGTERM comes once the request has reached Google (the sandbox saw it).
        let mut reached = false;
        for _ in 0..300 {
            if !sent(sandbox_ref, "GET", "/events").is_empty() {
                reached = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(reached, "the request never reached Google");
        serve_ref.signal(libc::SIGTERM);
        // No new connections while it finishes.
        let mut refused = false;
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(&addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(refused, "still accepting after SIGTERM");
    };
    let answer = raw(&addr, head.as_bytes(), between, b"").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""meetings":"#), "{answer}");
    let (status, output) = serve.status().await;
    assert_eq!(status, Some(0), "{output}");
    assert!(output.contains("stopping"), "{output}");
    assert!(output.contains("GET /meetings 200 "), "{output}");
}

#[tokio::test]
async fn listening_beyond_loopback_needs_insecure_listen_and_a_busy_port_is_named() {
    let dir = temp_dir("listen");
    let _cleanup = Cleanup(dir.clone());
    let serve = Serve::spawn(meetty_in(&dir).args(["--demo", "serve", "--listen", "0.0.0.0:0"]));
    let (status, output) = serve.status().await;
    assert_eq!(status, Some(1), "{output}");
    assert!(output.contains("loopback only"), "{output}");
    assert!(output.contains("TLS-terminating proxy"), "{output}");
    assert!(
        output.contains("--insecure-listen to listen on 0.0.0.0:0"),
        "{output}"
    );
    assert!(!output.contains("listening on"), "{output}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().to_string();
    let serve = Serve::spawn(meetty_in(&dir).args(["--demo", "serve", "--listen", &port]));
    let (status, output) = serve.status().await;
    assert_eq!(status, Some(1), "{output}");
    assert!(
        output.contains(&format!("cannot listen on {port}: the port is in use")),
        "{output}"
    );
    assert!(output.contains("--listen 127.0.0.1:PORT"), "{output}");
    assert!(
        !output.contains("API secret"),
        "no secret made for a server that never ran: {output}"
    );
}

#[tokio::test]
async fn with_nobody_signed_in_it_says_to_run_meetty_login() {
    let dir = temp_dir("nobody");
    let _cleanup = Cleanup(dir.clone());
    let serve = Serve::spawn(meetty_in(&dir).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--token-store",
        "file",
    ]));
    let (status, output) = serve.status().await;
    assert_eq!(status, Some(1), "{output}");
    assert!(
        output.contains("no account is signed in: run meetty login"),
        "{output}"
    );
    assert!(!output.contains("API secret"), "{output}");
}

/// Starts `meetty serve` with `args` for `sandbox` in `dir` (stdout a pipe, as under a
/// service manager), asks `/healthz` with each of `secrets`, then with the secret it keeps
/// (read by `kept` once it listens), and stops it: what it said (stdout, stderr) and the
/// statuses.
async fn serve_once(
    sandbox: &Sandbox,
    dir: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
    secrets: &[&str],
    kept: impl Fn() -> String,
) -> (String, String, Vec<u16>) {
    let mut command = meetty_at(sandbox, dir);
    command
        .envs(env.iter().copied())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args);
    let mut serve = Serve::spawn(&mut command);
    let addr = serve.addr().await;
    let kept = kept();
    let mut statuses = Vec::new();
    for secret in secrets.iter().copied().chain([kept.as_str()]) {
        let res = http(
            "GET",
            &format!("http://{addr}/healthz"),
            &[("Authorization", &bearer(secret))],
            "",
        )
        .await;
        if res.status == 200 {
            assert_eq!(res.json()["accounts"], serde_json::json!(["sandbox"]));
        }
        statuses.push(res.status);
    }
    let (stdout, stderr) = (serve.stdout(), serve.stderr());
    let (status, output) = serve.stop().await;
    assert_eq!(status, Some(0), "{output}");
    (stdout, stderr, statuses)
}

/// Run with stdout not a terminal (a service's goes to the journal), the secret is made and
/// kept but never printed; stderr says how to get one shown. (On a terminal it is printed
/// once: `server::tests::a_new_secret_is_shown_on_a_terminal_only`.)
#[tokio::test]
async fn the_secret_is_made_on_first_start_kept_in_the_file_store_and_not_printed_to_a_pipe() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("file-secret");
    let _cleanup = Cleanup(dir.clone());
    let sandbox = common::sandbox(common::demo_seed()).await;
    let file = ["--token-store", "file"];
    let kept = || kept_secret(&dir);

    let (stdout, stderr, statuses) = serve_once(&sandbox, &dir, &[], &file, &[], kept).await;
    let first = kept_secret(&dir);
    assert_eq!(statuses, vec![200]);
    assert!(
        !stdout.contains(&first) && !stderr.contains(&first),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("made a new API secret"), "{stderr}");
    assert!(stderr.contains("not a terminal"), "{stderr}");
    assert!(
        stderr.contains("run meetty serve --new-secret in a terminal"),
        "{stderr}"
    );
    let path = common::home_paths(&dir)
        .data_dir
        .join("tokens/serve-api-secret");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let (stdout, stderr, statuses) = serve_once(&sandbox, &dir, &[], &file, &[&first], kept).await;
    assert!(
        !stdout.contains(&first) && !stderr.contains(&first),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("--new-secret"), "{stdout}");
    assert_eq!(statuses, vec![200, 200], "the kept secret still works");
    assert_eq!(kept_secret(&dir), first);

    let renew = ["--token-store", "file", "--new-secret"];
    let (stdout, stderr, statuses) = serve_once(&sandbox, &dir, &[], &renew, &[&first], kept).await;
    let new = kept_secret(&dir);
    assert_ne!(new, first);
    assert!(
        !stdout.contains(&new) && !stderr.contains(&new),
        "{stdout}{stderr}"
    );
    assert_eq!(
        statuses,
        vec![401, 200],
        "the old secret fails, the new one works"
    );
    assert_eq!(sandbox.requests(), vec![], "healthz asks nothing of Google");
}

#[tokio::test]
async fn the_secret_is_kept_in_the_real_keyring() {
    let dir = temp_dir("keyring-secret");
    let _cleanup = Cleanup(dir.clone());
    let service = dir.file_name().unwrap().to_string_lossy().into_owned();
    let store = meetty::auth::store::SecretStore::keyring(&service);
    match store.get("probe") {
        Ok(None) => {}
        Ok(Some(_)) => panic!("fresh service {service} already has a probe item"),
        Err(e @ meetty::auth::store::StoreError::Unavailable(_)) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but the keyring is unreachable: {e}");
            }
            eprintln!("skipping: no keyring reachable ({e})");
            return;
        }
        Err(e) => panic!("keyring probe failed: {e}"),
    }
    let _forget = common::Forget::new(&store, meetty::serve::secret::SECRET_KEY);
    let sandbox = common::sandbox(common::demo_seed()).await;
    let env = [("MEETTY_KEYRING_SERVICE", service.as_str())];
    let kept = || {
        store
            .get(meetty::serve::secret::SECRET_KEY)
            .unwrap()
            .expect("the secret is in the keyring")
    };

    let (_, stderr, statuses) = serve_once(&sandbox, &dir, &env, &[], &[], kept).await;
    let first = kept();
    assert!(stderr.contains("kept in OS keyring"), "{stderr}");
    assert!(!stderr.contains(&first), "{stderr}");
    assert_eq!(statuses, vec![200]);
    assert!(
        !common::home_paths(&dir).data_dir.join("tokens").exists(),
        "no file"
    );

    let (stdout, _, statuses) = serve_once(&sandbox, &dir, &env, &[], &[&first], kept).await;
    assert!(!stdout.contains(&first), "{stdout}");
    assert!(stdout.contains("kept in OS keyring"), "{stdout}");
    assert_eq!(statuses, vec![200, 200]);
}

#[tokio::test]
async fn without_a_keyring_it_names_the_file_store() {
    let dir = temp_dir("no-keyring");
    let _cleanup = Cleanup(dir.clone());
    let sandbox = common::sandbox(common::demo_seed()).await;
    let mut command = meetty_at(&sandbox, &dir);
    command
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.join("no-bus").display()),
        )
        .args(["serve", "--listen", "127.0.0.1:0"]);
    let (status, output) = Serve::spawn(&mut command).status().await;
    assert_eq!(status, Some(1), "{output}");
    assert!(output.contains("no OS keyring"), "{output}");
    assert!(
        output.contains("meetty serve --token-store file"),
        "{output}"
    );
    assert!(!output.contains("listening on"), "{output}");
}

#[tokio::test]
async fn it_serves_every_signed_in_account_default_first_or_only_the_one_named() {
    use meetty::auth::accounts::{Accounts, TokenStore};
    let dir = temp_dir("accounts");
    let _cleanup = Cleanup(dir.clone());
    let paths = common::home_paths(&dir);
    let mut accounts = Accounts::default();
    accounts.add("alex@example.com", TokenStore::File);
    accounts.add("sam@example.com", TokenStore::File); // the default: the last signed in
    accounts.save(&paths.accounts_file()).unwrap();
    let client = meetty::auth::client::ClientInfo {
        client_id: "meetty-tests.apps.googleusercontent.com".into(),
        auth_uri: None,
        token_uri: None,
    };
    client.save(&paths.client_file()).unwrap();

    let served = |account: Option<&'static str>| {
        let dir = dir.clone();
        async move {
            let mut command = meetty_in(&dir);
            command.args(account.map(|a| ["--account", a]).into_iter().flatten());
            command.args(["serve", "--listen", "127.0.0.1:0", "--token-store", "file"]);
            let mut serve = Serve::spawn(&mut command);
            let addr = serve.addr().await;
            let secret = kept_secret(&dir);
            let res = http(
                "GET",
                &format!("http://{addr}/healthz"),
                &[("Authorization", &bearer(&secret))],
                "",
            )
            .await;
            let (status, output) = serve.stop().await;
            assert_eq!(status, Some(0), "{output}");
            res.json()["accounts"].clone()
        }
    };
    assert_eq!(
        served(None).await,
        serde_json::json!(["sam@example.com", "alex@example.com"])
    );
    assert_eq!(
        served(Some("alex@example.com")).await,
        serde_json::json!(["alex@example.com"])
    );

    let mut command = meetty_in(&dir);
    command.args([
        "--account",
        "kim@example.com",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--token-store",
        "file",
    ]);
    let (status, output) = Serve::spawn(&mut command).status().await;
    assert_eq!(status, Some(1), "{output}");
    assert!(
        output.contains("kim@example.com is not signed in"),
        "{output}"
    );
    assert!(
        output.contains("meetty login --account kim@example.com"),
        "{output}"
    );
}

/// An account that cannot be opened (here a browser sign-in whose OAuth client file is gone)
/// is named with its fix on stderr and left out; the others are served. Only when none
/// opens does it refuse to start.
#[tokio::test]
async fn an_account_that_cannot_open_is_named_and_the_others_are_served() {
    use meetty::auth::accounts::{Accounts, TokenStore};
    let dir = temp_dir("bad-account");
    let _cleanup = Cleanup(dir.clone());
    let paths = common::home_paths(&dir);
    let mut accounts = Accounts::default();
    accounts.add("alex@example.com", TokenStore::File);
    accounts.add_service_account(
        "sam@example.com",
        TokenStore::File,
        "bot@meetty-tests.iam.gserviceaccount.com",
    );
    accounts.save(&paths.accounts_file()).unwrap();
    let serve_args = ["serve", "--listen", "127.0.0.1:0", "--token-store", "file"];

    let mut serve = Serve::spawn(meetty_in(&dir).args(serve_args));
    let addr = serve.addr().await;
    let res = http(
        "GET",
        &format!("http://{addr}/healthz"),
        &[("Authorization", &bearer(&kept_secret(&dir)))],
        "",
    )
    .await;
    assert_eq!(
        res.json()["accounts"],
        serde_json::json!(["sam@example.com"])
    );
    let (status, output) = serve.stop().await;
    assert_eq!(status, Some(0), "{output}");
    assert!(
        output.contains("not serving alex@example.com: no OAuth client is set up"),
        "{output}"
    );
    assert!(output.contains("meetty login --credentials"), "{output}");

    // None opens: it does not start.
    accounts.add("kim@example.com", TokenStore::File);
    accounts.remove("sam@example.com");
    accounts.save(&paths.accounts_file()).unwrap();
    let (status, output) = Serve::spawn(meetty_in(&dir).args(serve_args))
        .status()
        .await;
    assert_eq!(status, Some(1), "{output}");
    for who in ["alex@example.com", "kim@example.com"] {
        assert!(
            output.contains(&format!("not serving {who}: no OAuth client is set up")),
            "{output}"
        );
    }
    assert!(
        output.contains("none of the 2 signed-in accounts could be opened"),
        "{output}"
    );
    assert!(!output.contains("listening on"), "{output}");
}

#[tokio::test]
async fn ctrl_c_stops_it_with_status_0() {
    let dir = temp_dir("sigint");
    let _cleanup = Cleanup(dir.clone());
    let mut serve =
        Serve::spawn(meetty_in(&dir).args(["--demo", "serve", "--listen", "127.0.0.1:0"]));
    let addr = serve.addr().await;
    serve.signal(libc::SIGINT);
    let (status, output) = serve.status().await;
    assert_eq!(status, Some(0), "{output}");
    assert!(output.contains("stopping"), "{output}");
    assert!(
        tokio::net::TcpStream::connect(&addr).await.is_err(),
        "nothing listens on {addr} once it has ended"
    );
}

/// A client that keeps its connection open between requests (a pool) does not hold a stop
/// up: the idle connection is closed at once, while a request in flight still finishes.
#[tokio::test]
async fn shutdown_closes_idle_connections_and_finishes_the_busy_one() {
    let (_cleanup, sandbox, server, base) = in_process("shutdown").await;
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    // One answered request on a kept-alive connection, which then sits idle.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    let healthz = format!(
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {API_SECRET}\r\n\r\n"
    );
    idle.write_all(healthz.as_bytes()).await.unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    // Another that is waiting for Google when the stop begins.
    sandbox.clear_requests();
    sandbox.inject(Fault::latency(Duration::from_secs(5)).on("GET", "/events"));
    let mut busy = tokio::net::TcpStream::connect(addr).await.unwrap();
    let listing = format!(
        "GET /meetings?fresh=true HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {API_SECRET}\r\n\
         Connection: close\r\n\r\n"
    );
    busy.write_all(listing.as_bytes()).await.unwrap();
    for _ in 0..300 {
        if !sent(&sandbox, "GET", "/events").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !sent(&sandbox, "GET", "/events").is_empty(),
        "never reached Google"
    );

    let stopping = tokio::spawn(server.shutdown());
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), idle.read_to_end(&mut rest))
        .await
        .expect("the idle connection is closed well before the 30 s grace")
        .unwrap();
    assert!(!stopping.is_finished(), "the busy request holds the stop");
    let mut answer = Vec::new();
    busy.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""meetings":"#), "{answer}");
    tokio::time::timeout(Duration::from_secs(20), stopping)
        .await
        .expect("the stop ends once the busy request is answered")
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
