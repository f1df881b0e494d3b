//! `NetConfig`: the one place every network operation takes its settings from.
//!
//! Tests and `preflight demo` point the real engine at loopback servers by filling this in
//! (nameservers, an extra root certificate, connect-to overrides); production leaves it at the
//! defaults, which mean "the system's resolver and trust store". Nothing in the engine reads the
//! environment: the CLI and the desktop shell translate `PREFLIGHT_*` variables and flags into it.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

/// Deadlines for each kind of operation. Every network call in the engine has one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// One DNS query (the resolver tries twice within a check's deadline).
    pub dns: Duration,
    /// Establishing a TCP connection.
    pub connect: Duration,
    /// Completing a TLS handshake after the TCP connection is up.
    pub tls: Duration,
    /// Receiving a whole HTTP response (headers and bounded body).
    pub http: Duration,
    /// The outer deadline of one check, whatever it does inside.
    pub check: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            dns: Duration::from_secs(3),
            connect: Duration::from_secs(5),
            tls: Duration::from_secs(5),
            http: Duration::from_secs(10),
            check: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// Scales every deadline to fit an overall per-check budget (the CLI's `--timeout`). Each
    /// operation gets at most 80% of it, so an operation that times out still leaves its check the
    /// time to say so in its own words, instead of being cut off by the check's deadline.
    pub fn within(secs: u64) -> Self {
        let check = Duration::from_secs(secs.max(1));
        let part = |d: Duration| d.min(check.mul_f32(0.8));
        let base = Timeouts::default();
        Timeouts { dns: part(base.dns), connect: part(base.connect), tls: part(base.tls), http: part(base.http), check }
    }
}

/// Size bounds: a hostile server must not make us read without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of an HTTP body we read before stopping (the rest is discarded unread).
    pub body_bytes: usize,
    /// Bytes of HTTP response headers we accept.
    pub header_bytes: usize,
    /// Redirect hops followed before calling it a loop.
    pub redirects: usize,
    /// Connections open at once, across every check of every run sharing a `Net`.
    pub concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { body_bytes: 1 << 20, header_bytes: 64 << 10, redirects: 10, concurrency: 32 }
    }
}

/// curl's `--connect-to HOST:PORT:ADDR:PORT`: where a connection to HOST:PORT really goes.
///
/// An empty source host or port matches any; an empty target host keeps the original host (resolved
/// through DNS as usual) and an empty target port keeps the original port. The testbed uses
/// `:443::PORT`, so that names still resolve through its DNS server and only the port moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub to_host: Option<String>,
    pub to_port: Option<u16>,
}

/// Why a `--connect-to` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--connect-to wants HOST:PORT:ADDR:PORT (parts may be empty), got \"{0}\"")]
pub struct ConnectToError(String);

impl FromStr for ConnectTo {
    type Err = ConnectToError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ConnectToError(s.to_owned());
        let parts = split_connect_to(s).ok_or_else(bad)?;
        let host = |p: &str| (!p.is_empty()).then(|| p.trim_matches(['[', ']']).to_ascii_lowercase());
        let port = |p: &str| if p.is_empty() { Ok(None) } else { p.parse::<u16>().map(Some).map_err(|_| bad()) };
        Ok(ConnectTo { host: host(&parts[0]), port: port(&parts[1])?, to_host: host(&parts[2]), to_port: port(&parts[3])? })
    }
}

/// Splits on the three colons that are not inside `[...]` (IPv6 literals).
fn split_connect_to(s: &str) -> Option<[String; 4]> {
    let mut parts = Vec::with_capacity(4);
    let mut cur = String::new();
    let mut depth = 0u8;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    parts.try_into().ok()
}

impl ConnectTo {
    fn matches(&self, host: &str, port: u16) -> bool {
        self.host.as_deref().is_none_or(|h| h.eq_ignore_ascii_case(host)) && self.port.is_none_or(|p| p == port)
    }
}

/// Every network setting of the engine.
#[derive(Debug, Clone, Default)]
pub struct NetConfig {
    /// DNS servers to ask; empty means the operating system's.
    pub nameservers: Vec<SocketAddr>,
    /// Extra trusted roots (DER), on top of the operating system's trust store.
    pub extra_roots: Vec<Vec<u8>>,
    /// Skip the operating system's trust store (tests that must not depend on the machine).
    pub skip_system_roots: bool,
    pub connect_to: Vec<ConnectTo>,
    pub timeouts: Timeouts,
    pub limits: Limits,
    /// The RDAP server every registration question goes to; `None` asks the registry the bundled
    /// bootstrap file names for the domain's TLD.
    pub rdap: Option<url::Url>,
    /// Cloudflare's API base address (`--cloudflare-api`), when not Cloudflare's own: tests, a
    /// corporate proxy.
    pub cloudflare_api: Option<url::Url>,
    /// Vercel's API base address (`--vercel-api`), when not Vercel's own.
    pub vercel_api: Option<url::Url>,
}

impl NetConfig {
    /// Where a connection to `host:port` really goes: the first matching override, else unchanged.
    pub fn route(&self, host: &str, port: u16) -> (String, u16) {
        match self.connect_to.iter().find(|c| c.matches(host, port)) {
            Some(c) => (c.to_host.clone().unwrap_or_else(|| host.to_owned()), c.to_port.unwrap_or(port)),
            None => (host.to_owned(), port),
        }
    }

    /// Parses `IP` or `IP:PORT` (port 53 by default), as given to `--nameserver`.
    pub fn parse_nameserver(s: &str) -> Result<SocketAddr, String> {
        let s = s.trim();
        if let Ok(addr) = s.parse::<SocketAddr>() {
            return Ok(addr);
        }
        s.trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .map(|ip| SocketAddr::new(ip, 53))
            .map_err(|_| format!("--nameserver wants an IP address with an optional port, like 127.0.0.1:5353; got \"{s}\""))
    }

    /// Reads PEM certificates to trust in addition to the system's.
    pub fn add_ca_pem(&mut self, pem: &[u8]) -> Result<usize, String> {
        let mut reader = std::io::BufReader::new(pem);
        let mut n = 0;
        for cert in rustls_pemfile::certs(&mut reader) {
            let cert = cert.map_err(|e| format!("the CA file is not valid PEM: {e}"))?;
            self.extra_roots.push(cert.as_ref().to_vec());
            n += 1;
        }
        if n == 0 {
            return Err("the CA file holds no certificate (expected -----BEGIN CERTIFICATE-----)".into());
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_reads_curl_syntax_with_empty_parts() {
        let c: ConnectTo = ":443::8443".parse().expect("valid");
        assert_eq!(c, ConnectTo { host: None, port: Some(443), to_host: None, to_port: Some(8443) });
        let c: ConnectTo = "acme.test:80:[::1]:8080".parse().expect("valid with IPv6");
        assert_eq!(c.to_host.as_deref(), Some("::1"));
        assert!("a:b".parse::<ConnectTo>().is_err(), "too few parts must be refused");
        assert!("a:99999::1".parse::<ConnectTo>().is_err(), "a port above 65535 must be refused");
    }

    #[test]
    fn route_applies_the_first_matching_override() {
        let cfg = NetConfig {
            connect_to: vec!["www.acme.test:443:127.0.0.2:9443".parse().expect("valid"), ":443::8443".parse().expect("valid")],
            ..NetConfig::default()
        };
        assert_eq!(cfg.route("www.acme.test", 443), ("127.0.0.2".to_owned(), 9443));
        assert_eq!(cfg.route("acme.test", 443), ("acme.test".to_owned(), 8443));
        assert_eq!(cfg.route("acme.test", 80), ("acme.test".to_owned(), 80));
    }

    #[test]
    fn nameserver_defaults_to_port_53() {
        assert_eq!(NetConfig::parse_nameserver("127.0.0.1"), Ok("127.0.0.1:53".parse().expect("addr")));
        assert!(NetConfig::parse_nameserver("dns.example").is_err());
    }
}
