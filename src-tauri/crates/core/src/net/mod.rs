//! Everything that touches the network, behind one [`NetConfig`] and one long-lived [`Net`].
//!
//! Checks never open sockets themselves: they call [`Net`], which resolves through the configured
//! nameservers, honours connect-to overrides, tries every address of a name (Happy Eyeballs),
//! trusts the configured roots, bounds how many connections are open at once, and puts a deadline
//! and a size bound on every operation. That single seam is what lets every test run the real code
//! against loopback servers.
//!
//! A `Net` is built once (the trust store is read off the async threads, once per process) and
//! kept: by the CLI for its run, by the desktop app and the watcher for their lifetime. Its resolver
//! cache is therefore shared by the checks of a run and by the runs after it.

pub mod cert;
pub mod config;
pub mod connect;
pub mod dns_raw;
pub mod error;
pub mod health;
pub mod http;
pub mod legacy;
pub mod overrides;
pub mod records;
pub mod resolve;
pub mod smtp;
pub mod tls;
pub mod trust;

pub use config::{ConnectTo, Limits, NetConfig, Timeouts};
pub use connect::Route;
pub use error::NetError;
pub use http::{Conn, Precise, Request, Response, Timings};
pub use overrides::Overrides;
pub use resolve::{Addresses, Resolver};

use rustls::client::WebPkiServerVerifier;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsConnector;
use url::Url;

/// The network handle: cheap to clone, meant to be built once and shared.
#[derive(Clone)]
pub struct Net(Arc<Inner>);

struct Inner {
    cfg: NetConfig,
    resolver: Resolver,
    /// `None` when this computer has no trusted roots at all (and none were configured): DNS and
    /// plain-http checks still run, and everything that needs a certificate verdict says it could not
    /// check instead of failing the whole audit.
    trusted: Option<(Arc<WebPkiServerVerifier>, TlsConnector)>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Net").field("cfg", &self.0.cfg).field("resolver", &self.0.resolver).finish_non_exhaustive()
    }
}

impl Net {
    /// Builds the resolver and the trust store for `cfg`.
    pub async fn new(cfg: NetConfig) -> Result<Net, NetError> {
        let resolver = Resolver::new(&cfg)?;
        let trusted = match trust::verifier(&cfg).await {
            Ok(verifier) => Some((verifier.clone(), tls::strict_connector(verifier)?)),
            Err(e) => {
                tracing::warn!(error = %e, "no trusted root certificates: HTTPS cannot be judged");
                None
            }
        };
        let permits = Arc::new(Semaphore::new(cfg.limits.concurrency.max(1)));
        Ok(Net(Arc::new(Inner { cfg, resolver, trusted, permits })))
    }

    pub fn config(&self) -> &NetConfig {
        &self.0.cfg
    }

    pub fn resolver(&self) -> &Resolver {
        &self.0.resolver
    }

    /// The browser-like certificate verifier (for inspecting handshakes).
    pub fn verifier(&self) -> Result<Arc<WebPkiServerVerifier>, NetError> {
        self.0.trusted.as_ref().map(|(v, _)| v.clone()).ok_or(NetError::NoTrustStore)
    }

    /// Where a connection to `host:port` goes: the connect-to override applied, then every address
    /// of the resulting name (an IP literal is used as is).
    pub async fn route(&self, host: &str, port: u16) -> Result<Route, NetError> {
        let (to_host, to_port) = self.0.cfg.route(host, port);
        let addrs = match to_host.trim_matches(['[', ']']).parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => self.0.resolver.addresses(&to_host).await?.all().collect(),
        };
        Ok(Route { addrs, port: to_port })
    }

    /// `route` with the addresses already known (from a run's shared lookups).
    pub fn route_with(&self, host: &str, port: u16, addrs: &Addresses) -> Option<Route> {
        let (to_host, to_port) = self.0.cfg.route(host, port);
        if to_host.eq_ignore_ascii_case(host) {
            return Some(Route { addrs: addrs.all().collect(), port: to_port });
        }
        to_host.trim_matches(['[', ']']).parse::<IpAddr>().ok().map(|ip| Route { addrs: vec![ip], port: to_port })
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit, NetError> {
        self.0
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| NetError::Unreachable { addr: "(any)".into(), reason: "the network handle was closed".into() })
    }

    /// A TCP connection to `host` along `route`, holding one of the concurrency slots.
    pub async fn connect(&self, host: &str, route: &Route) -> Result<(TcpStream, SocketAddr, OwnedSemaphorePermit), NetError> {
        let permit = self.permit().await?;
        let (tcp, addr) = connect::happy_eyeballs(host, route, self.0.cfg.timeouts.connect).await?;
        Ok((tcp, addr, permit))
    }

    /// Completes a handshake with `host` whatever its certificate and reports what it presented.
    pub async fn inspect_tls(&self, host: &str, route: &Route) -> Result<tls::TlsInspection, NetError> {
        let verifier = self.verifier()?;
        let (tcp, _, _permit) = self.connect(host, route).await?;
        tls::inspect(&self.0.cfg, verifier, host, tcp, tls::HTTP_ALPN).await
    }

    /// Asks `host` whether it still accepts an old TLS version (see `legacy`).
    pub async fn probe_legacy(&self, host: &str, route: &Route, version: legacy::Legacy) -> Result<legacy::Reply, NetError> {
        let (tcp, _, _permit) = self.connect(host, route).await?;
        legacy::probe(&self.0.cfg, tcp, host, version).await
    }

    /// Greets the mail server `host` along `route`, asks for STARTTLS and inspects its certificate
    /// (see `smtp`); a connection that cannot be made is reported at [`smtp::Stage::Connect`].
    pub async fn probe_smtp(&self, host: &str, route: &Route) -> Result<smtp::Probe, (smtp::Stage, NetError)> {
        let verifier = self.verifier().map_err(|e| (smtp::Stage::Connect, e))?;
        let (tcp, _, _permit) = self.connect(host, route).await.map_err(|e| (smtp::Stage::Connect, e))?;
        smtp::probe(&self.0.cfg, verifier, host, tcp).await
    }

    /// A TLS connection to `host:port` (after the connect-to override), its certificate held to a
    /// browser's rules: for protocols other than HTTP (a mailbox over IMAPS). It holds one of the
    /// concurrency slots while it lives.
    pub async fn open_tls(&self, host: &str, port: u16) -> Result<TlsConn, NetError> {
        // No ALPN: a mail server may refuse a handshake offering HTTP (exim does after STARTTLS).
        let connector = tls::strict_connector_offering(self.verifier()?, &[])?;
        let route = self.route(host, port).await?;
        let (tcp, _, permit) = self.connect(host, &route).await?;
        let stream = tls::handshake(&self.0.cfg, &connector, host, tcp).await?;
        Ok(TlsConn { stream, permit })
    }

    /// Opens a keep-alive connection to the origin of `url` along `route`.
    pub async fn open(&self, url: &Url, route: &Route) -> Result<Conn, NetError> {
        let bad = |reason: &str| NetError::bad_url(url.as_str(), reason.to_owned());
        let host = url.host_str().ok_or_else(|| bad("it has no host"))?.to_owned();
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(bad("only http and https addresses can be checked")),
        };
        // Without trusted roots nothing secure can be opened: say so before connecting.
        let strict = match (https, &self.0.trusted) {
            (true, None) => return Err(NetError::NoTrustStore),
            (true, Some((_, strict))) => Some(strict),
            (false, _) => None,
        };
        let started = Instant::now();
        let (tcp, remote, permit) = self.connect(&host, route).await?;
        let connect_ms = started.elapsed().as_millis() as u64;
        let precise = Precise { connect_us: started.elapsed().as_micros() as u64, ..Precise::default() };
        let cfg = &self.0.cfg;
        let mut conn = if let Some(strict) = strict {
            let stream = tls::handshake(cfg, strict, &host, tcp).await?;
            let precise = Precise { tls_us: Some(started.elapsed().as_micros() as u64), ..precise };
            let timings = Timings { connect_ms, tls_ms: Some(started.elapsed().as_millis() as u64), precise, ..Timings::default() };
            Conn::handshake(stream, url, remote, started, timings, cfg).await?
        } else {
            Conn::handshake(tcp, url, remote, started, Timings { connect_ms, precise, ..Timings::default() }, cfg).await?
        };
        conn.permit = Some(permit);
        Ok(conn)
    }

    /// Sends one request along `route` on a fresh connection.
    pub async fn send(&self, req: &Request, route: &Route) -> Result<Response, NetError> {
        self.open(&req.url, route).await?.send(req).await
    }

    /// [`Net::fetch`] with its own body bound.
    pub async fn fetch_bounded(&self, req: &Request, body_bytes: usize) -> Result<Response, NetError> {
        let bad = |reason: &str| NetError::bad_url(req.url.as_str(), reason.to_owned());
        let host = req.url.host_str().ok_or_else(|| bad("it has no host"))?;
        let port = req.url.port_or_known_default().ok_or_else(|| bad("unknown port"))?;
        let route = self.route(host, port).await?;
        let mut conn = self.open(&req.url, &route).await?;
        conn.limit_body(body_bytes);
        conn.send(req).await
    }

    /// Resolves the request's host and sends it on a fresh connection.
    pub async fn fetch(&self, req: &Request) -> Result<Response, NetError> {
        let bad = |reason: &str| NetError::bad_url(req.url.as_str(), reason.to_owned());
        let host = req.url.host_str().ok_or_else(|| bad("it has no host"))?;
        let port = req.url.port_or_known_default().ok_or_else(|| bad("unknown port"))?;
        let route = self.route(host, port).await?;
        self.send(req, &route).await
    }
}

/// A verified TLS connection from [`Net::open_tls`].
#[derive(Debug)]
pub struct TlsConn {
    stream: tokio_rustls::client::TlsStream<TcpStream>,
    permit: OwnedSemaphorePermit,
}

impl TlsConn {
    /// The stream, and the concurrency slot to keep for as long as it is used.
    pub fn into_parts(self) -> (tokio_rustls::client::TlsStream<TcpStream>, OwnedSemaphorePermit) {
        (self.stream, self.permit)
    }
}
