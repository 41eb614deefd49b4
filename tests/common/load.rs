//! The booking-system load on `meetty serve` that the load test and the load benchmark both
//! run: N `POST /meetings` from C concurrent clients, each with its own `Idempotency-Key`,
//! retried by the client itself as a real client would (same key, after a 5xx, a 429 or a
//! dropped connection). Plain hyper over loopback, one connection pool for all clients.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};

/// How often one client sends its POST before giving up.
pub const ATTEMPTS: u32 = 6;

/// The body of the `i`-th booking: a 30-minute meeting with a guest and a Meet link, each at
/// its own quarter hour from 25 November 2026 in Berlin.
pub fn booking(i: usize) -> Value {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap()
        + chrono::TimeDelta::minutes(15 * i as i64);
    json!({
        "title": title(i),
        "start": start.format("%Y-%m-%dT%H:%M:%S").to_string(),
        "duration": "30m",
        "time_zone": "Europe/Berlin",
        "attendees": [format!("guest{i}@example.com")],
        "meet": true,
        "send_updates": "none",
    })
}

/// The title of the `i`-th booking, unique per booking.
pub fn title(i: usize) -> String {
    format!("Load booking {i:03}")
}

/// The `Idempotency-Key` of the `i`-th booking.
pub fn key(i: usize) -> String {
    format!("booking-{i:03}-load")
}

/// What one client finally got for its booking.
#[derive(Debug)]
pub struct Posted {
    pub index: usize,
    /// The last answer's status; 0 when every attempt lost its connection.
    pub status: u16,
    pub body: Value,
    pub attempts: u32,
    /// From the first attempt's request to the last one's answer, client waits included.
    pub elapsed: Duration,
}

/// Runs `op(0..n)` on `clients` concurrent tasks that each take the next index when done;
/// returns the results in index order and the wall time of the whole run.
pub async fn run<T, F, Fut>(n: usize, clients: usize, op: F) -> (Vec<T>, Duration)
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let op = Arc::new(op);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (next, op) = (next.clone(), op.clone());
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return done;
                    }
                    done.push((i, op(i).await));
                }
            })
        })
        .collect();
    let mut all = Vec::with_capacity(n);
    for task in tasks {
        all.extend(task.await.expect("a load client panicked"));
    }
    let wall = started.elapsed();
    all.sort_by_key(|(i, _)| *i);
    (all.into_iter().map(|(_, t)| t).collect(), wall)
}

type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

/// One pool of keep-alive connections for all the clients of a run.
pub fn http_client() -> Client {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// Books `booking(i)` at `base` (`http://127.0.0.1:PORT/`) with key `key(i)`, retrying
/// the same request after a 5xx, a 429 or a lost connection (waiting `Retry-After`, at
/// most half a second, else 50 ms more per attempt), up to [`ATTEMPTS`] times.
pub async fn book(client: &Client, base: &str, secret: &str, i: usize) -> Posted {
    let body = booking(i).to_string();
    let mut attempts = 0;
    let started = Instant::now();
    loop {
        attempts += 1;
        let request = hyper::Request::post(format!("{base}meetings"))
            .header("authorization", format!("Bearer {secret}"))
            .header("content-type", "application/json")
            .header("idempotency-key", key(i))
            .body(Full::new(Bytes::from(body.clone())))
            .unwrap();
        let answer = match client.request(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                match response.into_body().collect().await {
                    Ok(bytes) => Some((status, retry_after, bytes.to_bytes())),
                    Err(_) => None,
                }
            }
            Err(_) => None,
        };
        let (status, retry_after, bytes) = answer.unwrap_or((0, None, Bytes::new()));
        let retry = status == 0 || status == 429 || status >= 500;
        if !retry || attempts == ATTEMPTS {
            return Posted {
                index: i,
                status,
                body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                attempts,
                elapsed: started.elapsed(),
            };
        }
        let wait = retry_after
            .map(|s| Duration::from_secs(s).min(Duration::from_millis(500)))
            .unwrap_or(Duration::from_millis(50 * u64::from(attempts)));
        tokio::time::sleep(wait).await;
    }
}
