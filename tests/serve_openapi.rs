//! The OpenAPI document `meetty serve` publishes at `GET /openapi.json` against what it
//! serves: every route documented, every documented operation served, and every answer's
//! JSON valid against the schema the document gives for its path, method and status.

mod common;
#[path = "common/openapi.rs"]
mod openapi;

use std::collections::BTreeSet;

use common::Response;
use meetty::sandbox::{ConferencePolicy, Sandbox, ACCOUNT};
use openapi::{Document, Served};
use serde_json::{json, Value};

/// What each answer of the API is held against, and what the run covered.
struct Checked {
    doc: Document,
    base: String,
    /// The API's files.
    dir: std::path::PathBuf,
    /// Mismatches between served answers and the document.
    errors: Vec<String>,
    /// (method, documented path, status) of every answer.
    covered: BTreeSet<(String, String, u16)>,
}

impl Checked {
    /// The API for a demo-seeded sandbox, its files in a fresh directory named after `name`
    /// (removed when the `Checked` is dropped), and the document it serves.
    async fn start(name: &str) -> (Sandbox, meetty::serve::server::Server, Checked) {
        let sandbox = common::sandbox(common::demo_seed()).await;
        let dir = std::env::temp_dir().join(format!(
            "meetty-serve-openapi-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let (server, base) = common::api_server(&sandbox, &dir).await;
        let auth = format!("Bearer {}", common::API_SECRET);
        let got = common::http(
            "GET",
            &format!("{base}openapi.json"),
            &[("authorization", &auth)],
            "",
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.text());
        let doc = Document::parse(got.json()).unwrap_or_else(|e| panic!("GET /openapi.json: {e}"));
        let mut checked = Checked {
            doc,
            base,
            dir,
            errors: Vec::new(),
            covered: BTreeSet::new(),
        };
        checked.record("GET", "/openapi.json", &got);
        (sandbox, server, checked)
    }

    /// Sends a request with the secret and checks the answer against the document.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let got = common::api_call(&self.base, method, path, headers, body).await;
        self.record(method, path.split('?').next().unwrap(), &got);
        got
    }

    /// `POST /meetings` with this `Idempotency-Key` (none when `None`).
    async fn post(&mut self, key: Option<&str>, body: &str) -> Response {
        let key: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        self.send("POST", "/meetings", &key, body).await
    }

    /// Sends exactly these headers.
    async fn send_raw(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let url = format!("{}{}", self.base, path.trim_start_matches('/'));
        let got = common::http(method, &url, headers, body).await;
        self.record(method, path.split('?').next().unwrap(), &got);
        got
    }

    fn record(&mut self, method: &str, path: &str, got: &Response) {
        let body = (!got.body.is_empty()).then(|| got.json());
        if got.body.is_empty() {
            // An empty body is none; a non-JSON one is a mismatch of its own.
        } else if body == Some(Value::Null) {
            self.errors.push(format!(
                "{method} {path} → {}: the body is not JSON: {}",
                got.status,
                got.text()
            ));
        }
        let served = Served {
            method,
            path,
            status: got.status,
            headers: got.headers.keys().map(|k| k.as_str().to_string()).collect(),
            body: body.as_ref(),
        };
        if let Err(errors) = self.doc.check(&served) {
            self.errors.extend(errors);
        }
        let template = self
            .doc
            .template_of(path)
            .unwrap_or_else(|| path.to_string());
        self.covered
            .insert((method.to_string(), template, got.status));
    }
}

/// The routes `meetty serve` answers (`serve::route` and `serve::meetings`).
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("POST", "/meetings"),
    ("GET", "/meetings"),
    ("GET", "/meetings/{id}"),
    ("PATCH", "/meetings/{id}"),
    ("DELETE", "/meetings/{id}"),
    ("POST", "/meetings/{id}/rsvp"),
];

/// A day a week from now: bookings in the past are refused.
impl Drop for Checked {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn next_week() -> String {
    days_ahead(7)
}

fn days_ahead(days: i64) -> String {
    (chrono::Utc::now() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn booking(title: &str) -> String {
    json!({
        "title": title,
        "start": format!("{}T10:00:00", next_week()),
        "duration": "30m",
        "time_zone": "Europe/Berlin",
        "attendees": ["maria@example.com"],
        "send_updates": "none",
    })
    .to_string()
}

/// The id of a seeded meeting on the primary calendar that the account is invited to.
fn invitation(sandbox: &Sandbox) -> String {
    let events = sandbox.with_store(|s| s.events(ACCOUNT));
    let invited = events.iter().find(|e| {
        e["attendees"].as_array().is_some_and(|a| {
            a.iter()
                .any(|p| p["self"] == true && p["organizer"] != true)
        }) && e["recurrence"].is_null()
    });
    invited.expect("the demo week has an invitation")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3_and_documents_exactly_the_served_routes() {
    let (_sandbox, server, checked) = Checked::start("doc").await;
    let root = checked.doc.root();
    assert_eq!(
        root["components"]["securitySchemes"]["bearerAuth"]["type"],
        "http"
    );
    assert_eq!(
        root["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    assert!(
        root["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearerAuth").is_some())),
        "every operation needs the bearer secret: {}",
        root["security"]
    );
    let documented: BTreeSet<(String, String)> = checked.doc.operations().into_iter().collect();
    let served: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, served);
    server.shutdown().await;
}

/// A request per documented operation and per answer the API gives (success, every
/// refusal, Google's errors passed through), each held against the document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_answer_matches_its_documented_schema() {
    let (sandbox, server, mut api) = Checked::start("all").await;

    api.send("GET", "/healthz", &[], "").await;
    // Every operation refuses a request without the secret, or with a wrong one.
    for (method, template) in api.doc.operations() {
        let path = template.replace("{id}", "someid00001");
        let wrong = format!("Bearer {}x", common::API_SECRET);
        for headers in [vec![], vec![("authorization", wrong.as_str())]] {
            let got = api.send_raw(&method, &path, &headers, "").await;
            assert_eq!(got.status, 401, "{method} {path}: {}", got.text());
        }
    }

    // Creating: 201 with the link ready, then the refusals.
    let made = api.post(Some("openapi-1"), &booking("Contract")).await;
    assert_eq!(made.status, 201, "{}", made.text());
    let id = made.json()["id"].as_str().unwrap().to_string();
    let replayed = api.post(Some("openapi-1"), &booking("Contract")).await;
    assert_eq!(replayed.status, 201, "{}", replayed.text());
    let conflict = api.post(Some("openapi-1"), &booking("Other")).await;
    assert_eq!(conflict.status, 409, "{}", conflict.text());
    let broken = api.post(None, "{\"title\": ").await;
    assert_eq!(broken.status, 400, "{}", broken.text());
    let bad_key = api.post(Some(""), &booking("Key")).await;
    assert_eq!(bad_key.status, 400, "{}", bad_key.text());
    let unknown = api.post(None, &json!({"title": "x", "start": format!("{}T10:00:00", next_week()), "duration": "30m", "colour": "red"}).to_string()).await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    let field = api
        .post(
            None,
            r#"{"title": "x", "start": "tomorrow-ish", "duration": "30m"}"#,
        )
        .await;
    assert_eq!(field.status, 422, "{}", field.text());
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(70 * 1024));
    let too_large = api.post(None, &huge).await;
    assert_eq!(too_large.status, 413, "{}", too_large.text());
    let text = api
        .send(
            "POST",
            "/meetings",
            &[("content-type", "text/plain")],
            "title=x",
        )
        .await;
    assert_eq!(text.status, 415, "{}", text.text());

    // A Meet link Google is slow to finish: 202 pending, then ready on a later GET.
    sandbox.set_conference_policy(ConferencePolicy {
        delay: std::time::Duration::from_secs(6),
        ..ConferencePolicy::default()
    });
    let pending = api.post(Some("openapi-2"), &booking("Slow link")).await;
    assert_eq!(pending.status, 202, "{}", pending.text());
    sandbox.set_conference_policy(ConferencePolicy::default());

    // Reading.
    api.send("GET", "/meetings", &[], "").await;
    let week = format!(
        "/meetings?fresh=1&from={}&to={}",
        next_week(),
        days_ahead(8)
    );
    let listed = api.send("GET", &week, &[], "").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let titles = listed.json().to_string();
    assert!(
        titles.contains("Contract") && titles.contains("Slow link"),
        "{titles}"
    );
    let bad_range = api.send("GET", "/meetings?from=someday", &[], "").await;
    assert!(
        bad_range.status == 400 || bad_range.status == 422,
        "{}",
        bad_range.text()
    );
    let one = api.send("GET", &format!("/meetings/{id}"), &[], "").await;
    assert_eq!(one.status, 200, "{}", one.text());
    let etag = one.json()["etag"].as_str().unwrap().to_string();
    let missing = api.send("GET", "/meetings/nosuchmeeting00", &[], "").await;
    assert_eq!(missing.status, 404, "{}", missing.text());

    // Changing: 428 without an etag, 200 with it, 412 with the old one afterwards.
    let rename = r#"{"title": "Contract, renamed"}"#;
    let path = format!("/meetings/{id}");
    let no_etag = api.send("PATCH", &path, &[], rename).await;
    assert_eq!(no_etag.status, 428, "{}", no_etag.text());
    let patched = api
        .send("PATCH", &path, &[("if-match", &etag)], rename)
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    // With the etag the rename made stale; then a field no meeting has.
    for (body, status) in [
        (r#"{"title": "Again"}"#, 412),
        (r#"{"colour": "red"}"#, 422),
    ] {
        let got = api.send("PATCH", &path, &[("if-match", &etag)], body).await;
        assert_eq!(got.status, status, "{body}: {}", got.text());
    }

    // Answering an invitation.
    let invited = invitation(&sandbox);
    let rsvp = api
        .send(
            "POST",
            &format!("/meetings/{invited}/rsvp"),
            &[],
            r#"{"response": "tentative", "comment": "maybe"}"#,
        )
        .await;
    assert_eq!(rsvp.status, 200, "{}", rsvp.text());
    let bad_rsvp = api
        .send(
            "POST",
            &format!("/meetings/{invited}/rsvp"),
            &[],
            r#"{"response": "perhaps"}"#,
        )
        .await;
    assert_eq!(bad_rsvp.status, 422, "{}", bad_rsvp.text());

    // Google's refusals passed through: 429 with Retry-After, 403.
    sandbox.inject(
        meetty::sandbox::Fault::status(429)
            .retry_after(1)
            .on("GET", &format!("/events/{id}"))
            .times(50),
    );
    let limited = api.send("GET", &path, &[], "").await;
    assert_eq!(limited.status, 429, "{}", limited.text());
    assert!(limited.headers.contains_key("retry-after"));
    sandbox.clear_faults();
    sandbox.inject(
        meetty::sandbox::Fault::status(403)
            .reason("forbiddenForNonOrganizer")
            .on("DELETE", "/events/")
            .times(1),
    );
    let refused = api.send("DELETE", &path, &[], "").await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    sandbox.clear_faults();

    // Cancelling.
    let deleted = api
        .send("DELETE", &format!("{path}?send_updates=none"), &[], "")
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());

    // Every documented operation was reached and none fell through to the router's 404.
    for (method, template) in api.doc.operations() {
        let answers: Vec<u16> = api
            .covered
            .iter()
            .filter(|(m, t, _)| *m == method && *t == template)
            .map(|(_, _, s)| *s)
            .collect();
        assert!(
            !answers.is_empty(),
            "{method} {template} was never requested"
        );
        assert!(
            answers.iter().any(|s| (200..300).contains(s)),
            "{method} {template} never succeeded: {answers:?}"
        );
    }
    let statuses: BTreeSet<u16> = api.covered.iter().map(|(_, _, s)| *s).collect();
    for status in [
        200, 201, 202, 204, 400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429,
    ] {
        assert!(
            statuses.contains(&status),
            "no answer with status {status} was checked: {statuses:?}"
        );
    }
    assert!(
        api.errors.is_empty(),
        "answers that break the document:\n{}",
        api.errors.join("\n")
    );
    server.shutdown().await;
}

/// A method the document does not give a path is not served there either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undocumented_methods_and_paths_are_not_served() {
    let (sandbox, server, mut api) = Checked::start("405").await;
    let paths: BTreeSet<String> = api.doc.operations().into_iter().map(|(_, p)| p).collect();
    let before = sandbox.requests().len();
    for template in paths {
        let path = template.replace("{id}", "someid00001");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if api.doc.root()["paths"][&template]
                .get(method.to_lowercase())
                .is_some()
            {
                continue;
            }
            let got = api
                .send(
                    method,
                    &path,
                    &[],
                    if method == "GET" || method == "DELETE" {
                        ""
                    } else {
                        "{}"
                    },
                )
                .await;
            assert!(
                got.status == 404 || got.status == 405,
                "{method} {path} is served ({}) but not documented",
                got.status
            );
        }
    }
    let nothing = api.send("GET", "/calendars", &[], "").await;
    assert_eq!(nothing.status, 404);
    let mut errors = Vec::new();
    let error_schema = json!({"$ref": "#/components/schemas/Error"});
    api.doc
        .validate(&error_schema, &nothing.json(), "$", &mut errors);
    assert!(errors.is_empty(), "the 404 is not an Error: {errors:?}");
    assert_eq!(
        sandbox.requests().len(),
        before,
        "an unserved request reached Google"
    );
    server.shutdown().await;
}
