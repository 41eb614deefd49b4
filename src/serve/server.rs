//! The HTTP side of `meetty serve`: where it may listen, which accounts it acts for, the
//! bearer secret checked before anything else, the 64 kB body limit, one log line per
//! request, and a graceful stop on SIGTERM that lets the requests in flight finish (a
//! booking system's POST must get its meeting id, not a dropped connection).

use std::convert::Infallible;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use chrono_tz::Tz;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::reply::{Problem, Reply};
use super::secret::{self, Origin, Secret};
use super::{Account, Api, Request, ServeArgs, BODY_LIMIT};
use crate::auth::accounts::{Accounts, StoreLocation, TokenStore};
use crate::sandbox::Sandbox;
use crate::session::connect::connect;
use crate::session::{blocking, Startup};

/// How long a stop waits for the requests in flight (a create that waits for its Meet link
/// takes up to `--meet-wait`, plus Google's retries) before it gives up on them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// How long a client has to send a request's head (line and headers) once its connection is
/// open or idle: one that never finishes it cannot hold a connection (and a stop) forever.
/// hyper's own default, which it enforces only with a timer.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The log target of the request lines (meetty's logger keeps `meetty*` targets).
const LOG_TARGET: &str = "meetty::serve";

/// A running API server.
pub struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    accepting: JoinHandle<GracefulShutdown>,
}

impl Server {
    /// Serves `api` on `listener` until [`Server::shutdown`] (or until it is dropped, which
    /// stops accepting without waiting for anything).
    pub async fn start(api: Arc<Api>, listener: TcpListener) -> std::io::Result<Server> {
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let accepting = tokio::spawn(accept(api, listener, stopped));
        Ok(Server {
            addr,
            stop,
            accepting,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets the requests in flight finish (for up to [`SHUTDOWN_GRACE`]),
    /// then returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let Ok(connections) = self.accepting.await else {
            return;
        };
        if tokio::time::timeout(SHUTDOWN_GRACE, connections.shutdown())
            .await
            .is_err()
        {
            let message = format!(
                "requests still running after {} s were cut off",
                SHUTDOWN_GRACE.as_secs()
            );
            log::warn!(target: LOG_TARGET, "{message}");
            eprintln!("meetty serve: {message}");
        }
    }
}

/// Accepts connections until `stopped`, then closes the listening socket and hands back what
/// the connections (and their requests) are watched with.
async fn accept(
    api: Arc<Api>,
    listener: TcpListener,
    mut stopped: oneshot::Receiver<()>,
) -> GracefulShutdown {
    let connections = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait for some to close rather than spin.
                    log::warn!(target: LOG_TARGET, "cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let api = api.clone();
        // Every request's task holds this watcher too (see [`handle`]).
        let work = Arc::new(connections.watcher());
        let service = service_fn(move |req| handle(api.clone(), work.clone(), req));
        let connection = connections.watch(
            http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service),
        );
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    connections
}

/// One request: admitted (secret, size, type), routed, answered, logged. In a task of its
/// own, holding `work`: a client that hangs up mid-request must not cut a write to Google
/// short, half done, and a stop waits for it as for a connection.
async fn handle(
    api: Arc<Api>,
    work: Arc<Watcher>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let logged = (method.clone(), path.clone());
    let answered = tokio::spawn(async move {
        let _work = work;
        let reply = match admit(&api.secret, req).await {
            Ok(request) => super::route(&api, request).await,
            Err(refused) => refused,
        };
        log_request(&logged.0, &logged.1, reply.status, started.elapsed());
        reply
    });
    let reply = answered.await.unwrap_or_else(|_| {
        let reply: Reply = Problem::new(500, "internal", "meetty serve failed on this request")
            .fix("see meetty.log in meetty's data dir, and report it")
            .into();
        log_request(&method, &path, reply.status, started.elapsed());
        reply
    });
    Ok(to_response(reply))
}

/// `METHOD /path STATUS 12ms`: never the query, a header or a body, where secrets and
/// people's text would be. The path is as the client sent it, sanitized: hyper refuses
/// ASCII controls in it but lets UTF-8 through, C1 controls (a CSI) and bidi overrides too.
fn log_request(method: &Method, path: &str, status: u16, took: Duration) {
    let path = crate::sanitize::line(path);
    let line = format!("{method} {path} {status} {}ms", took.as_millis());
    log::info!(target: LOG_TARGET, "{line}");
    eprintln!("meetty serve: {line}");
}

/// The request as the handlers see it, or the refusal: the secret first (nothing else is
/// looked at without it), then the size (a declared length over the limit before a byte of
/// the body is read), then the body's type.
async fn admit(secret: &Secret, req: hyper::Request<Incoming>) -> Result<Request, Reply> {
    authorize(secret, req.headers())?;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
        Err(e) => {
            return Err(Problem::new(
                400,
                "unreadable_body",
                format!("the request body could not be read: {e}"),
            )
            .fix("send the whole body, with a Content-Length that matches it")
            .into())
        }
    };
    let writes = matches!(parts.method, Method::POST | Method::PATCH | Method::PUT);
    if writes && !body.is_empty() && !is_json(parts.headers.get(header::CONTENT_TYPE)) {
        return Err(Problem::new(
            415,
            "unsupported_media_type",
            "the request body must be JSON",
        )
        .fix(
            "send it with Content-Type: application/json (curl: --json '{…}', or -H \
             'Content-Type: application/json' with -d)",
        )
        .into());
    }
    let path = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(crate::percent::decode)
        .collect();
    let query = url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    Ok(Request {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body,
    })
}

/// `Authorization: Bearer <secret>` (the scheme in any case, as RFC 7235 allows).
fn authorize(secret: &Secret, headers: &HeaderMap) -> Result<(), Reply> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let message = match presented {
        Some(token) if secret.matches(token) => return Ok(()),
        Some(_) => "the bearer secret is not the one meetty serve was started with",
        None => "the request has no Authorization: Bearer header",
    };
    Err(Problem::new(401, "unauthorized", message)
        .fix(
            "send Authorization: Bearer <secret> with the secret meetty serve printed when it \
             made it; if it is lost, restart with meetty serve --new-secret to make a new one",
        )
        .into())
}

fn too_large() -> Reply {
    Problem::new(
        413,
        "too_large",
        format!("the request body is over {} kB", BODY_LIMIT / 1024),
    )
    .fix("send a smaller body: a meeting's description and guests fit well within the limit")
    .into()
}

/// `application/json`, or a `+json` type (`application/merge-patch+json`), any parameters.
fn is_json(content_type: Option<&HeaderValue>) -> bool {
    let Some(essence) = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return false;
    };
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    if let Some(secs) = reply.retry_after {
        builder = builder.header(header::RETRY_AFTER, secs);
    }
    if let Some(etag) = &reply.etag {
        builder = builder.header(header::ETAG, etag);
    }
    if let Some(location) = &reply.location {
        builder = builder.header(header::LOCATION, location);
    }
    if reply.replayed {
        builder = builder.header("idempotent-replayed", "true");
    }
    if reply.status == 401 {
        builder = builder.header(header::WWW_AUTHENTICATE, "Bearer realm=\"meetty serve\"");
    }
    let body = match &reply.body {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Bytes::from(serde_json::to_vec(json).unwrap_or_default())
        }
        None => Bytes::new(),
    };
    builder.body(Full::new(body)).unwrap_or_else(|_| {
        // Only a header value a handler made could be refused (an etag with a newline, say).
        let mut response = Response::new(Full::new(Bytes::from_static(
            br#"{"error":{"status":500,"code":"internal","message":"meetty serve made an invalid header"}}"#,
        )));
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        response
    })
}

/// `meetty serve`: checks where it may listen, opens the accounts, binds, gets the secret,
/// serves until SIGTERM or Ctrl-C, then stops gracefully.
pub async fn run(
    start: &Startup,
    demo: bool,
    account: Option<&str>,
    args: &ServeArgs,
) -> Result<(), String> {
    let addr = args.listen;
    if !addr.ip().is_loopback() && !args.insecure_listen {
        return Err(format!(
            "meetty serve listens on loopback only; put a TLS-terminating proxy in front and \
             pass --insecure-listen to listen on {addr}"
        ));
    }
    // Set up first: a SIGTERM while the accounts open still ends meetty serve cleanly.
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    let mut int =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
    let tz = start.tz()?;
    let (accounts, _demo) = open_accounts(start, demo, account, tz).await?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| cannot_listen(addr, &e))?;
    let local = listener.local_addr().map_err(|e| cannot_listen(addr, &e))?;
    if !local.ip().is_loopback() {
        eprintln!(
            "meetty serve: listening on {local} over plain HTTP (--insecure-listen): only with \
             TLS terminated in front of it, or on a network you trust"
        );
    }
    let secret = the_secret(start, demo, args, local).await?;
    let names: Vec<&str> = accounts.iter().map(|a| a.email.as_str()).collect();
    let names = names.join(", ");
    let api = Api {
        accounts,
        config: start.config.clone(),
        paths: start.paths.clone(),
        tz,
        secret,
        meet_wait: Duration::from_secs(args.meet_wait),
        in_flight: Default::default(),
    };
    let server = Server::start(Arc::new(api), listener)
        .await
        .map_err(|e| cannot_listen(addr, &e))?;
    log::info!(target: LOG_TARGET, "listening on http://{local} for {names}");
    println!("meetty serve: listening on http://{local} for {names}; SIGTERM or Ctrl-C stops it");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    eprintln!(
        "meetty serve: stopping: no new connections; the requests in flight get up to {} s to \
         finish",
        SHUTDOWN_GRACE.as_secs()
    );
    server.shutdown().await;
    log::info!(target: LOG_TARGET, "stopped");
    Ok(())
}

fn cannot_listen(addr: SocketAddr, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        format!(
            "cannot listen on {addr}: the port is in use (another meetty serve?); stop that, \
             or pick another port with --listen {}:PORT",
            addr.ip()
        )
    } else {
        format!("cannot listen on {addr}: {e}; pick another address with --listen")
    }
}

/// The accounts to act for, the default first: the demo's, `MEETTY_ACCESS_TOKEN`'s,
/// `--account`'s, else every signed-in one. Opened as the TUI opens its one
/// ([`connect`]); the demo's in-process sandbox comes back to be kept alive. An account that
/// cannot open is named on stderr with the reason and left out; only when none opens does
/// the start fail.
async fn open_accounts(
    start: &Startup,
    demo: bool,
    account: Option<&str>,
    tz: Tz,
) -> Result<(Vec<Account>, Vec<Sandbox>), String> {
    let names: Vec<Option<String>> =
        if demo || account.is_some() || std::env::var_os("MEETTY_ACCESS_TOKEN").is_some() {
            vec![account.map(str::to_string)]
        } else {
            let signed_in = Accounts::load(&start.paths.accounts_file())?;
            let (default, others): (Vec<String>, Vec<String>) = signed_in
                .accounts
                .into_keys()
                .partition(|name| signed_in.default.as_deref() == Some(name));
            default.into_iter().chain(others).map(Some).collect()
        };
    let several = names.len() > 1;
    let (mut accounts, mut sandboxes, mut failed) = (Vec::new(), Vec::new(), 0);
    for name in names {
        let conn = match connect(start, demo, name.as_deref(), Utc::now(), tz).await {
            Ok(conn) => conn,
            // One account that cannot open does not keep the others from being served.
            Err(e) if several => {
                let who = name.as_deref().unwrap_or("an account");
                eprintln!("meetty serve: not serving {who}: {e}");
                log::warn!(target: LOG_TARGET, "not serving {who}: {e}");
                failed += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        // None only on a first run, with nobody signed in: refused below.
        let Some(owner) = conn.cache_owner else {
            continue;
        };
        sandboxes.extend(conn.sandbox);
        accounts.push(Account {
            email: conn.account.unwrap_or_else(|| owner.clone()),
            client: conn.client,
            cache_owner: owner,
        });
    }
    if accounts.is_empty() {
        return Err(if failed > 0 {
            format!(
                "none of the {failed} signed-in accounts could be opened: each is named above \
                 with its fix"
            )
        } else {
            "no account is signed in: run meetty login first (or try meetty --demo serve)".into()
        });
    }
    Ok((accounts, sandboxes))
}

/// The bearer secret: the demo's is fresh each start and never stored; otherwise the stored
/// one, made on first start or with `--new-secret` (and shown then, on a terminal only).
async fn the_secret(
    start: &Startup,
    demo: bool,
    args: &ServeArgs,
    addr: SocketAddr,
) -> Result<Secret, String> {
    if demo {
        let secret = Secret::generate();
        println!(
            "meetty serve: the API secret for this demo run (never stored):\n  {}\n{}",
            secret.reveal(),
            usage(&secret, addr)
        );
        return Ok(secret);
    }
    let store = StoreLocation::new(&start.paths.data_dir)
        .open(args.token_store.unwrap_or(TokenStore::Keyring));
    let kept_in = store.describe();
    let renew = args.new_secret;
    let (secret, origin) = blocking(move || secret::load_or_create(&store, renew)).await?;
    let on_terminal = std::io::stdout().is_terminal();
    match notice(origin, on_terminal, &kept_in, &secret, addr) {
        Notice::Stdout(text) => println!("{text}"),
        Notice::Stderr(text) => eprintln!("{text}"),
    }
    Ok(secret)
}

fn usage(secret: &Secret, addr: SocketAddr) -> String {
    format!(
        "Send it with every request, e.g.\n  curl -H \"Authorization: Bearer {}\" \
         http://{addr}/healthz",
        secret.reveal()
    )
}

/// What `meetty serve` says about its stored secret, and where.
#[derive(Debug, PartialEq, Eq)]
enum Notice {
    Stdout(String),
    Stderr(String),
}

/// A new secret is shown only when stdout is a terminal: run as a service, stdout goes to a
/// journal or a log file, where the secret must never land. Then it is only kept, and the
/// notice says how to see one.
fn notice(
    origin: Origin,
    on_terminal: bool,
    kept_in: &str,
    secret: &Secret,
    addr: SocketAddr,
) -> Notice {
    let key = secret::SECRET_KEY;
    match (origin, on_terminal) {
        (Origin::Made, true) => Notice::Stdout(format!(
            "meetty serve: made a new API secret, kept in {kept_in} as {key}; this is the only \
             time it is shown:\n  {}\n{}",
            secret.reveal(),
            usage(secret, addr),
        )),
        (Origin::Made, false) => Notice::Stderr(format!(
            "meetty serve: made a new API secret, kept in {kept_in} as {key}; it is not shown \
             because stdout is not a terminal (it would end up in a log). To get one you can \
             see: stop this meetty serve, run meetty serve --new-secret in a terminal, note the \
             secret it shows, stop it with Ctrl-C and start this one again"
        )),
        (Origin::Stored, _) => Notice::Stdout(format!(
            "meetty serve: using the API secret made on its first start, kept in {kept_in} as \
             {key}; meetty serve --new-secret in a terminal replaces it (the old one stops \
             working)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_secret_is_shown_on_a_terminal_only() {
        let secret = Secret::new("made-secret-0123456789abcdef");
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let shown = notice(Origin::Made, true, "OS keyring", &secret, addr);
        let Notice::Stdout(text) = shown else {
            panic!("{shown:?}")
        };
        assert!(text.contains(secret.reveal()), "{text}");

        let kept = notice(Origin::Made, false, "OS keyring", &secret, addr);
        let Notice::Stderr(text) = kept else {
            panic!("{kept:?}")
        };
        assert!(!text.contains(secret.reveal()), "{text}");
        assert!(
            text.contains("run meetty serve --new-secret in a terminal"),
            "{text}"
        );

        for on_terminal in [true, false] {
            let found = notice(Origin::Stored, on_terminal, "OS keyring", &secret, addr);
            let Notice::Stdout(text) = found else {
                panic!("{found:?}")
            };
            assert!(!text.contains(secret.reveal()), "{text}");
        }
    }
}
