//! One HTTP request, one hop, with a deadline and a size bound on everything it reads.
//!
//! Redirects are not followed here: the redirect check needs every hop as evidence, and following
//! blindly is how a redirect loop turns into a hang. HTTP/1.1 only: every server speaks it, and the
//! checks care about what is answered, not how it is multiplexed.

use super::config::NetConfig;
use super::connect;
use super::error::{within, NetError};
use super::resolve::Resolver;
use super::tls;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::TokioIo;
use rustls::client::WebPkiServerVerifier;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use url::Url;

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
}

/// Where the time went, in milliseconds from the start of the request.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timings {
    pub connect_ms: u64,
    pub tls_ms: Option<u64>,
    pub first_byte_ms: u64,
    pub total_ms: u64,
}

/// A client for one audit: holds the strict TLS connector so it is built once.
#[derive(Clone)]
pub struct Client {
    cfg: NetConfig,
    resolver: Resolver,
    verifier: Arc<WebPkiServerVerifier>,
    tls: TlsConnector,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("cfg", &self.cfg).field("resolver", &self.resolver).finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(cfg: NetConfig, resolver: Resolver) -> Result<Client, NetError> {
        let verifier = tls::verifier(&cfg)?;
        let tls = tls::strict_connector(verifier.clone())?;
        Ok(Client { cfg, resolver, verifier, tls })
    }

    pub fn config(&self) -> &NetConfig {
        &self.cfg
    }

    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// The audit's browser-like certificate verifier (for inspecting handshakes).
    pub fn verifier(&self) -> Arc<WebPkiServerVerifier> {
        self.verifier.clone()
    }

    /// `GET url`, no redirect following, everything bounded.
    pub async fn get(&self, url: &Url) -> Result<Response, NetError> {
        let bad = |reason: &str| NetError::BadUrl { url: url.to_string(), reason: reason.to_owned() };
        let host = url.host_str().ok_or_else(|| bad("it has no host"))?.to_owned();
        let port = url.port_or_known_default().ok_or_else(|| bad("unknown port"))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(bad("only http and https addresses can be checked")),
        };
        let started = Instant::now();
        let total = self.cfg.timeouts.connect + self.cfg.timeouts.tls + self.cfg.timeouts.http;
        within(total, || format!("the request to {url}"), async {
            let (tcp, _) = connect::tcp(&self.cfg, &self.resolver, &host, port).await?;
            let connect_ms = started.elapsed().as_millis() as u64;
            if https {
                let stream = tls::handshake(&self.cfg, &self.tls, &host, tcp).await?;
                let tls_ms = Some(started.elapsed().as_millis() as u64);
                self.exchange(stream, url, &host, started, Timings { connect_ms, tls_ms, ..Timings::default() }).await
            } else {
                self.exchange(tcp, url, &host, started, Timings { connect_ms, ..Timings::default() }).await
            }
        })
        .await
    }

    async fn exchange<S>(&self, io: S, url: &Url, host: &str, started: Instant, mut timings: Timings) -> Result<Response, NetError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let protocol = |e: hyper::Error| NetError::Protocol { host: host.to_owned(), reason: e.to_string() };
        let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
            .max_buf_size(self.cfg.limits.header_bytes.max(8192))
            .handshake::<_, Empty<Bytes>>(TokioIo::new(io))
            .await
            .map_err(protocol)?;
        // The connection task lives no longer than this request's deadline, even if the server stalls.
        let deadline = self.cfg.timeouts.http;
        let driver = tokio::spawn(async move {
            let _ = tokio::time::timeout(deadline, conn).await;
        });
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        let request = Request::get(path)
            .header(hyper::header::HOST, authority)
            .header(hyper::header::USER_AGENT, concat!("Preflight/", env!("CARGO_PKG_VERSION"), " (launch readiness audit)"))
            .header(hyper::header::ACCEPT, "*/*")
            .body(Empty::<Bytes>::new())
            .map_err(|e| NetError::BadUrl { url: url.to_string(), reason: e.to_string() })?;
        let result = within(deadline, || format!("the answer from {host}"), async {
            let response = sender.send_request(request).await.map_err(protocol)?;
            timings.first_byte_ms = started.elapsed().as_millis() as u64;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let (body, truncated) = read_bounded(response.into_body(), self.cfg.limits.body_bytes).await.map_err(protocol)?;
            timings.total_ms = started.elapsed().as_millis() as u64;
            Ok(Response { url: url.to_string(), status, headers, body, truncated, timings })
        })
        .await;
        driver.abort();
        result
    }
}

/// Reads at most `limit` bytes of a body; the rest is left unread and the connection dropped.
async fn read_bounded(mut body: Incoming, limit: usize) -> Result<(Bytes, bool), hyper::Error> {
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            let room = limit - buf.len();
            if data.len() > room {
                buf.extend_from_slice(&data[..room]);
                return Ok((buf.into(), true));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok((buf.into(), false))
}
