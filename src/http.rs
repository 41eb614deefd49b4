//! The one HTTPS stack meetty uses for Google (and plain HTTP for the sandbox).

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;

/// OAuth and probe calls give up after this: a network that drops packets must not leave a
/// login, logout or doctor hanging.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn client() -> Client<Connector, Full<Bytes>> {
    Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector())
}

/// Sends `req` and reads the whole answer, within [`TIMEOUT`].
async fn send(
    url: &str,
    req: hyper::Request<Full<Bytes>>,
) -> Result<(hyper::http::response::Parts, Bytes), String> {
    let exchange = async {
        let resp = client()
            .request(req)
            .await
            .map_err(|e| format!("cannot reach {}: {e}", host_of(url)))?;
        let (parts, body) = resp.into_parts();
        let bytes = body
            .collect()
            .await
            .map_err(|e| format!("connection to {} broke: {e}", host_of(url)))?
            .to_bytes();
        Ok((parts, bytes))
    };
    tokio::time::timeout(TIMEOUT, exchange).await.map_err(|_| {
        format!(
            "{} did not answer within {} s",
            host_of(url),
            TIMEOUT.as_secs()
        )
    })?
}

pub type Connector = HttpsConnector<HttpConnector>;

pub fn connector() -> Connector {
    hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        // A host without a system CA store (a bare container) still reaches Google.
        .unwrap_or_else(|_| hyper_rustls::HttpsConnectorBuilder::new().with_webpki_roots())
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build()
}

/// POSTs an `application/x-www-form-urlencoded` body; returns the status and the body.
/// Used for the OAuth token and revoke endpoints.
pub async fn post_form(url: &str, form: &[(&str, &str)]) -> Result<(u16, Bytes), String> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let req = hyper::Request::post(url)
        .header(
            hyper::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("bad URL {url}: {e}"))?;
    let (parts, bytes) = send(url, req).await?;
    Ok((parts.status.as_u16(), bytes))
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

/// The server's clock, from the `Date` header of any answer from `url`.
pub async fn server_date(url: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let req = hyper::Request::get(url)
        .body(Full::new(Bytes::new()))
        .map_err(|e| format!("bad URL {url}: {e}"))?;
    let (resp, _) = send(url, req).await?;
    let date = resp
        .headers
        .get(hyper::header::DATE)
        .and_then(|d| d.to_str().ok())
        .ok_or_else(|| format!("{} sent no Date header", host_of(url)))?;
    chrono::DateTime::parse_from_rfc2822(date)
        .map(|d| d.to_utc())
        .map_err(|_| format!("{} sent an unreadable Date header", host_of(url)))
}
