//! The loopback redirect of the installed-app flow: a one-shot HTTP listener on 127.0.0.1 at
//! an ephemeral port that waits for the browser to come back with the authorization code.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::pkce;

/// What the browser brought back, once the `state` matched.
#[derive(PartialEq, Eq)]
pub enum Callback {
    Code(String),
    /// Google's `error` parameter, e.g. `access_denied` when the user clicked Cancel.
    Denied(String),
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Callback::Code(_) => f.write_str("Code(..)"),
            Callback::Denied(e) => write!(f, "Denied({e})"),
        }
    }
}

pub struct Loopback {
    listener: TcpListener,
    redirect_uri: String,
}

impl Loopback {
    /// Binds 127.0.0.1 (not `localhost`, which may resolve to ::1 where nothing listens).
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/"),
        })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves requests until one carries the expected `state`. Requests without it (a
    /// favicon, a forged callback from a page in another tab) get an error page and do not
    /// end the wait: only the real redirect can.
    /// The browser's tab is kept waiting for its page until [`Tab::answer`] tells it how the
    /// sign-in ended, so it never says "signed in" for a code the exchange then refused.
    pub async fn wait(&self, state: &str, timeout: Duration) -> Result<(Callback, Tab), String> {
        tokio::time::timeout(timeout, self.serve(state))
            .await
            .map_err(|_| {
                format!(
                    "no answer from the browser within {} s; run the login again \
                 (or use --no-browser and paste the final URL)",
                    timeout.as_secs()
                )
            })?
    }

    async fn serve(&self, state: &str) -> Result<(Callback, Tab), String> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| format!("the login listener failed: {e}"))?;
            let Some(target) = read_request_target(&mut stream).await else {
                continue;
            };
            match parse_callback(&target, state) {
                Ok(cb) => return Ok((cb, Tab(stream))),
                Err(Refusal::NotACallback) => respond(&mut stream, "404 Not Found", "").await,
                Err(Refusal::BadState) => {
                    let text = "This sign-in response was not started by this meetty login (its state does not match), so it was refused.";
                    respond(
                        &mut stream,
                        "400 Bad Request",
                        &page("Sign-in refused", text),
                    )
                    .await;
                }
            }
        }
    }
}

/// The browser tab that brought the callback, waiting for its page.
#[derive(Debug)]
pub struct Tab(TcpStream);

impl Tab {
    /// Shows how the sign-in ended: signed in, or the error (the same text the terminal shows).
    pub async fn answer(mut self, outcome: Result<(), &str>) {
        let body = match outcome {
            Ok(()) => page(
                "Signed in",
                "meetty is signed in to Google Calendar. You can close this tab and return to the terminal.",
            ),
            Err(e) => page(
                "Sign-in failed",
                &format!("{}. Return to the terminal to try again.", html_escape(e)),
            ),
        };
        respond(&mut self.0, "200 OK", &body).await;
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// No code and no error: a stray request such as /favicon.ico.
    NotACallback,
    /// A missing or different `state`: possibly forged.
    BadState,
}

/// Reads the request line of one HTTP request and returns its target ("/?code=…").
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split_whitespace();
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_string)
}

/// Parses a redirect target ("/?code=4/0A…&scope=…&state=…", or any path: Google redirects to
/// exactly the registered URI) against the expected state.
pub fn parse_target(target: &str, state: &str) -> Result<Callback, String> {
    parse_callback(target, state).map_err(|r| match r {
        Refusal::NotACallback => {
            "that URL carries no code: paste the whole address the browser ended on".into()
        }
        Refusal::BadState => {
            "that URL is from another sign-in (its state does not match this one)".into()
        }
    })
}

fn parse_callback(target: &str, state: &str) -> Result<Callback, Refusal> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let mut code = None;
    let mut error = None;
    let mut got_state = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "state" => got_state = Some(v.into_owned()),
            _ => {}
        }
    }
    if code.is_none() && error.is_none() {
        return Err(Refusal::NotACallback);
    }
    if !got_state.is_some_and(|s| pkce::same(&s, state)) {
        return Err(Refusal::BadState);
    }
    Ok(match (code, error) {
        (Some(code), None) => Callback::Code(code),
        (_, Some(error)) => Callback::Denied(crate::sanitize::line(&error)),
        (None, None) => unreachable!("checked above"),
    })
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>meetty: {title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:36em;margin:4em auto\">\
         <h1>{title}</h1><p>{text}</p></body></html>"
    )
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_matching_state() {
        assert_eq!(
            parse_callback("/?state=s1&code=4%2F0Aabc&scope=x", "s1"),
            Ok(Callback::Code("4/0Aabc".into()))
        );
        assert_eq!(
            parse_callback("/?code=c&state=s2", "s1"),
            Err(Refusal::BadState)
        );
        assert_eq!(parse_callback("/?code=c", "s1"), Err(Refusal::BadState));
        assert_eq!(
            parse_callback("/favicon.ico", "s1"),
            Err(Refusal::NotACallback)
        );
        assert_eq!(
            parse_callback("/?error=access_denied&state=s1", "s1"),
            Ok(Callback::Denied("access_denied".into()))
        );
        assert!(!format!("{:?}", Callback::Code("secret-code".into())).contains("secret-code"));
    }

    /// A minimal browser: one GET, the whole answer back.
    async fn get(base: &str, path: &str) -> String {
        let addr = base.trim_start_matches("http://").trim_end_matches('/');
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn a_forged_callback_is_refused_and_the_real_one_still_lands() {
        let lb = Loopback::bind().await.unwrap();
        let uri = lb.redirect_uri().to_string();
        let browser = tokio::spawn(async move {
            let favicon = get(&uri, "/favicon.ico").await;
            let forged = get(&uri, "/?code=evil&state=other").await;
            let real = get(&uri, "/?code=good&state=expected").await;
            (favicon, forged, real)
        });
        let (cb, tab) = lb.wait("expected", Duration::from_secs(10)).await.unwrap();
        assert_eq!(cb, Callback::Code("good".into()));
        tab.answer(Ok(())).await;
        let (favicon, forged, real) = browser.await.unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"));
        assert!(forged.starts_with("HTTP/1.1 400") && forged.contains("refused"));
        assert!(real.starts_with("HTTP/1.1 200") && real.contains("Signed in"));
    }

    #[tokio::test]
    async fn gives_up_with_a_clear_message() {
        let lb = Loopback::bind().await.unwrap();
        let e = lb.wait("s", Duration::from_millis(50)).await.unwrap_err();
        assert!(e.contains("no answer from the browser"), "{e}");
    }
}
