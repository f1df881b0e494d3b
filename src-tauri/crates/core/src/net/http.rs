//! HTTP/1.1 requests over our own connections, with a deadline and a size bound on everything read.
//!
//! Any method, headers and body (CORS preflights, `Authorization` for APIs, webhook posts). Redirects
//! are never followed here: the redirect check needs every hop as evidence, and following blindly is
//! how a redirect loop turns into a hang. A [`Conn`] can carry several requests in turn (keep-alive),
//! so latency work can tell a cold request from a warm one. HTTP/1.1 only: every server speaks it,
//! and the checks care about what is answered, not how it is multiplexed.

use super::config::NetConfig;
use super::error::{within, NetError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use url::Url;

/// The `User-Agent` every request sends.
pub const USER_AGENT: &str = concat!("Preflight/", env!("CARGO_PKG_VERSION"), " (launch readiness audit)");

/// A request to send. Its `Debug` shows header names only: a header may carry a secret.
#[derive(Clone)]
pub struct Request {
    /// Upper-case method (`GET`, `OPTIONS`, `POST`…).
    pub method: String,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Request {
    pub fn get(url: Url) -> Request {
        Request { method: "GET".into(), url, headers: Vec::new(), body: Bytes::new() }
    }
    pub fn new(method: &str, url: Url) -> Request {
        Request { method: method.to_ascii_uppercase(), url, headers: Vec::new(), body: Bytes::new() }
    }
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
    pub fn body(mut self, body: impl Into<Bytes>) -> Request {
        self.body = body.into();
        self
    }
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &names)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// The answer to one request.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub url: String,
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// Up to `Limits::body_bytes` of the body.
    #[serde(skip)]
    pub body: Bytes,
    /// True when the body was longer than the bound and the rest was not read.
    pub truncated: bool,
    /// The address that answered.
    pub remote: Option<SocketAddr>,
    pub timings: Timings,
}

impl Response {
    /// The first value of a header (names are matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308)
    }

    /// A 200 with these headers and a body of `body_len` bytes, for the checks' pure tests.
    #[cfg(test)]
    pub(crate) fn canned(headers: &[(&str, &str)], body_len: usize) -> Response {
        Response {
            url: "https://a.test/".into(),
            status: 200,
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            body: Bytes::from(vec![b'x'; body_len]),
            truncated: false,
            remote: None,
            timings: Timings::default(),
        }
    }
}

/// Where the time went, in milliseconds from the start of the request (connection set-up
/// included for the first request on a connection; zero for a reused one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Timings {
    pub connect_ms: u64,
    pub tls_ms: Option<u64>,
    pub first_byte_ms: u64,
    pub total_ms: u64,
    /// The same moments in microseconds, for latency measurement (not serialized: the reports'
    /// JSON keeps its millisecond fields).
    #[serde(skip)]
    pub precise: Precise,
}

/// Moments of one request in microseconds from its start (connection set-up included when the
/// request opened the connection).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Precise {
    pub connect_us: u64,
    /// When the TLS handshake ended (None for plain http or a reused connection).
    pub tls_us: Option<u64>,
    /// When the response headers arrived.
    pub first_byte_us: u64,
    /// When the first piece of the body arrived: the first token of a streaming answer.
    pub first_body_us: Option<u64>,
    pub total_us: u64,
}

/// An open HTTP/1.1 connection to one origin; requests go one after the other.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    driver: tokio::task::JoinHandle<()>,
    host: String,
    authority: String,
    remote: SocketAddr,
    /// Set-up timings, charged to the first request only.
    setup: Option<(Instant, Timings)>,
    limits: (usize, Duration),
    /// The slot this connection takes in `Limits::concurrency`, freed when it closes.
    pub(crate) permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").field("authority", &self.authority).field("remote", &self.remote).finish_non_exhaustive()
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Conn {
    /// Runs the HTTP/1.1 handshake over an established (and, for https, secured) stream.
    pub(crate) async fn handshake<S>(
        io: S,
        url: &Url,
        remote: SocketAddr,
        started: Instant,
        timings: Timings,
        cfg: &NetConfig,
    ) -> Result<Conn, NetError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let host = url.host_str().unwrap_or_default().to_owned();
        let protocol = |e: hyper::Error| NetError::Protocol { host: host.clone(), reason: e.to_string() };
        let (sender, conn) = hyper::client::conn::http1::Builder::new()
            .max_buf_size(cfg.limits.header_bytes.max(8192))
            .handshake::<_, Full<Bytes>>(TokioIo::new(io))
            .await
            .map_err(protocol)?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let limits = (cfg.limits.body_bytes, cfg.timeouts.http);
        Ok(Conn { sender, driver, host, authority, remote, setup: Some((started, timings)), limits, permit: None })
    }

    /// Reads up to `bytes` of each body on this connection instead of the configured bound: a
    /// script bundle or a source map is larger than a page, and still bounded.
    pub fn limit_body(&mut self, bytes: usize) {
        self.limits.0 = bytes;
    }

    /// The address this connection talks to.
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// Sends `req` (whose URL must be of this connection's origin) and reads the bounded answer.
    pub async fn send(&mut self, req: &Request) -> Result<Response, NetError> {
        let (started, mut timings) = self.setup.take().unwrap_or((Instant::now(), Timings::default()));
        let host = self.host.clone();
        let protocol = |e: hyper::Error| NetError::Protocol { host: host.clone(), reason: e.to_string() };
        let bad = |reason: String| NetError::bad_url(req.url.as_str(), reason);
        let path = match req.url.query() {
            Some(q) => format!("{}?{q}", req.url.path()),
            None => req.url.path().to_owned(),
        };
        let method = hyper::Method::from_bytes(req.method.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.authority.as_str())
            .header(hyper::header::USER_AGENT, USER_AGENT)
            .header(hyper::header::ACCEPT, "*/*");
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder.body(Full::new(req.body.clone())).map_err(|e| bad(e.to_string()))?;
        let (limit, deadline) = self.limits;
        within(deadline, || format!("the answer from {}", self.host), async {
            self.sender.ready().await.map_err(protocol)?;
            let response = self.sender.send_request(request).await.map_err(protocol)?;
            timings.first_byte_ms = started.elapsed().as_millis() as u64;
            timings.precise.first_byte_us = started.elapsed().as_micros() as u64;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let (body, truncated, first_body) = read_bounded(response.into_body(), limit).await.map_err(protocol)?;
            timings.total_ms = started.elapsed().as_millis() as u64;
            timings.precise.total_us = started.elapsed().as_micros() as u64;
            timings.precise.first_body_us = first_body.map(|t| t.duration_since(started).as_micros() as u64);
            Ok(Response { url: req.url.to_string(), status, headers, body, truncated, remote: Some(self.remote), timings })
        })
        .await
    }
}

/// Reads at most `limit` bytes of a body; the rest is left unread and the connection dropped.
/// Also says when the first non-empty piece of the body arrived.
async fn read_bounded(mut body: Incoming, limit: usize) -> Result<(Bytes, bool, Option<Instant>), hyper::Error> {
    let mut buf = Vec::new();
    let mut first = None;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            if first.is_none() && !data.is_empty() {
                first = Some(Instant::now());
            }
            let room = limit - buf.len();
            if data.len() > room {
                buf.extend_from_slice(&data[..room]);
                return Ok((buf.into(), true, first));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok((buf.into(), false, first))
}
