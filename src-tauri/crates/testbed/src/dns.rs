//! An authoritative DNS server on loopback (hickory-server), serving zones built in code.
//!
//! Zones are built from records rather than zone files: hickory's zone-file parser mishandles some
//! quoted TXT strings (PLATFORM-NOTES pitfall 7), and code keeps each test's records beside it.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::{A, AAAA, CAA, CNAME, MX, NS, SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record};
use hickory_server::authority::{Catalog, MessageResponseBuilder, ZoneType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryAuthority;
use hickory_server::ServerFuture;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};

/// A zone to serve: an origin and its records.
#[derive(Debug, Clone)]
pub struct Zone {
    origin: String,
    records: Vec<(String, RData)>,
    /// The TTL of every record, in seconds.
    ttl: u32,
    /// Signed with DNSSEC, and how its chain holds or breaks.
    signing: Option<crate::dnssec::Signing>,
}

/// Why the DNS server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// A name in a zone is not a valid DNS name.
    #[error("invalid DNS name {0:?}")]
    Name(String),
    /// The loopback sockets could not be bound.
    #[error("could not bind the DNS server: {0}")]
    Bind(#[from] std::io::Error),
    /// The zone could not be signed.
    #[error("could not sign the zone: {0}")]
    Signing(String),
}

impl Zone {
    pub fn new(origin: &str) -> Zone {
        Zone { origin: origin.trim_end_matches('.').to_owned(), records: Vec::new(), ttl: 60, signing: None }
    }

    /// The zone's domain.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn fqdn(&self, label: &str) -> String {
        match label {
            "" | "@" => format!("{}.", self.origin),
            l => format!("{l}.{}.", self.origin),
        }
    }

    /// An address record for `label` (`""` or `"@"` is the origin); v4 or v6 by the address.
    pub fn addr(mut self, label: &str, ip: IpAddr) -> Zone {
        let data = match ip {
            IpAddr::V4(v4) => RData::A(A(v4)),
            IpAddr::V6(v6) => RData::AAAA(AAAA(v6)),
        };
        self.records.push((self.fqdn(label), data));
        self
    }

    /// An alias from `label` to `target` (a full name).
    pub fn cname(mut self, label: &str, target: &str) -> Zone {
        let name = self.fqdn(label);
        let target = Name::from_ascii(format!("{}.", target.trim_end_matches('.'))).unwrap_or_else(|_| Name::root());
        self.records.push((name, RData::CNAME(CNAME(target))));
        self
    }

    /// A TXT record; each string is one character-string of the record.
    pub fn txt(mut self, label: &str, strings: &[&str]) -> Zone {
        let name = self.fqdn(label);
        self.records.push((name, RData::TXT(TXT::new(strings.iter().map(|s| (*s).to_owned()).collect()))));
        self
    }

    /// Every record of the zone lives `secs` in caches.
    pub fn ttl(mut self, secs: u32) -> Zone {
        self.ttl = secs;
        self
    }

    /// A name server for `label` (`""` is the zone apex).
    pub fn ns(mut self, label: &str, server: &str) -> Zone {
        let name = self.fqdn(label);
        let server = Name::from_ascii(format!("{}.", server.trim_end_matches('.'))).unwrap_or_else(|_| Name::root());
        self.records.push((name, RData::NS(NS(server))));
        self
    }

    /// Whether the apex has name servers of its own.
    pub fn has_apex_ns(&self) -> bool {
        let apex = self.fqdn("");
        self.records.iter().any(|(n, d)| *n == apex && matches!(d, RData::NS(_)))
    }

    /// A CAA record for `label`: `tag` is `issue` or `issuewild`, `ca` the authority's domain
    /// (empty: no authority may issue).
    pub fn caa(mut self, label: &str, tag: &str, ca: &str) -> Zone {
        let name = self.fqdn(label);
        let ca = (!ca.is_empty()).then(|| Name::from_ascii(ca).ok()).flatten();
        let record = match tag {
            "issuewild" => CAA::new_issuewild(false, ca, Vec::new()),
            _ => CAA::new_issue(false, ca, Vec::new()),
        };
        self.records.push((name, RData::CAA(record)));
        self
    }

    /// Signs the zone with DNSSEC (a key minted for it, the DS its parent would hold, an RRSIG over
    /// every record set), as `how` says: a good chain or a broken one.
    pub fn signed(mut self, how: crate::dnssec::Signing) -> Zone {
        self.signing = Some(how);
        self
    }

    /// The mail records of a well-set-up sending domain: an MX host (with its address), SPF that
    /// allows it and ends in `-all`, DMARC at `p=reject` with reports to the domain itself, and a
    /// 2048-bit DKIM key at `google._domainkey` (split into two strings, as long TXT records are).
    pub fn mail_ready(self) -> Zone {
        let origin = self.origin.clone();
        let (head, tail) = DKIM_2048.split_at(200);
        self.mx("", 10, &format!("mx.{origin}"))
            .addr("mx", IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
            .txt("", &["v=spf1 mx -all"])
            .txt("_dmarc", &[&format!("v=DMARC1; p=reject; rua=mailto:dmarc@{origin}")])
            .txt("google._domainkey", &["v=DKIM1; k=rsa; p=", head, tail])
    }

    /// The mail hosts the zone's MX records name (a null MX excluded).
    pub fn mx_hosts(&self) -> Vec<String> {
        self.records
            .iter()
            .filter_map(|(_, d)| match d {
                RData::MX(m) if !m.exchange().is_root() => Some(m.exchange().to_ascii().trim_end_matches('.').to_owned()),
                _ => None,
            })
            .collect()
    }

    /// Whether `label` is an alias (then it may have no other records).
    pub fn is_alias(&self, label: &str) -> bool {
        let name = self.fqdn(label);
        self.records.iter().any(|(n, d)| *n == name && matches!(d, RData::CNAME(_)))
    }

    /// A mail exchanger for `label`.
    pub fn mx(mut self, label: &str, preference: u16, exchange: &str) -> Zone {
        let name = self.fqdn(label);
        let exchange = Name::from_ascii(format!("{}.", exchange.trim_end_matches('.'))).unwrap_or_else(|_| Name::root());
        self.records.push((name, RData::MX(MX::new(preference, exchange))));
        self
    }

    fn authority(&self) -> Result<InMemoryAuthority, DnsError> {
        let parse = |s: &str| Name::from_ascii(s).map_err(|_| DnsError::Name(s.to_owned()));
        let origin = parse(&format!("{}.", self.origin))?;
        let mut auth = InMemoryAuthority::empty(origin.clone(), ZoneType::Primary, false, None);
        let soa =
            SOA::new(parse(&format!("ns.{}.", self.origin))?, parse(&format!("hostmaster.{}.", self.origin))?, 1, 3600, 600, 86_400, 60);
        auth.upsert_mut(Record::from_rdata(origin.clone(), self.ttl, RData::SOA(soa)), 1);
        for (name, data) in &self.records {
            auth.upsert_mut(Record::from_rdata(parse(name)?, self.ttl, data.clone()), 1);
        }
        if let Some(how) = self.signing {
            crate::dnssec::sign(&mut auth, &origin, self.ttl, how)?;
        }
        Ok(auth)
    }
}

/// The catalog, counting every query it is asked: benchmarks and tests read how many queries an
/// audit really sent, measured where they arrive. A lying server answers "no such name" to
/// everything instead, with no SOA, as captive portals and broken resolvers do; a failing one
/// answers SERVFAIL to everything.
struct Counting {
    catalog: Catalog,
    /// The error every query gets instead of an answer, when the server is broken on purpose.
    lying: Option<ResponseCode>,
    /// Held before every answer: a slow network or a distant resolver, for benchmarks.
    delay: Duration,
    queries: Arc<AtomicU64>,
}

#[async_trait::async_trait]
impl RequestHandler for Counting {
    async fn handle_request<R: ResponseHandler>(&self, request: &Request, mut response_handle: R) -> ResponseInfo {
        self.queries.fetch_add(1, Ordering::Relaxed);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let Some(code) = self.lying else {
            return self.catalog.handle_request(request, response_handle).await;
        };
        let response = MessageResponseBuilder::from_message_request(request).error_msg(request.header(), code);
        match response_handle.send_response(response).await {
            Ok(info) => info,
            Err(_) => ResponseInfo::from(*request.header()),
        }
    }
}

/// A running DNS server; stops when dropped.
pub struct DnsServer {
    pub addr: SocketAddr,
    server: ServerFuture<Counting>,
    queries: Arc<AtomicU64>,
}

impl DnsServer {
    /// Serves `zones` over UDP and TCP on the same loopback port.
    pub async fn start(zones: &[Zone]) -> Result<DnsServer, DnsError> {
        DnsServer::serve(zones, None, Duration::ZERO).await
    }

    /// Serves `zones`, holding every answer for `delay` (answers still go out concurrently).
    pub async fn start_delayed(zones: &[Zone], delay: Duration) -> Result<DnsServer, DnsError> {
        DnsServer::serve(zones, None, delay).await
    }

    /// Serves `zones` at a chosen address (a benchmark puts it on port 53, where tools that cannot
    /// be told a port look), holding every answer for `delay`.
    pub async fn start_at(addr: SocketAddr, zones: &[Zone], delay: Duration) -> Result<DnsServer, DnsError> {
        DnsServer::serve_at(Some(addr), zones, None, delay).await
    }

    /// A resolver gone wrong: "no such name" for every query, whatever the name.
    pub async fn start_lying() -> Result<DnsServer, DnsError> {
        DnsServer::serve(&[], Some(ResponseCode::NXDomain), Duration::ZERO).await
    }

    /// A resolver that is down: SERVFAIL for every query.
    pub async fn start_failing() -> Result<DnsServer, DnsError> {
        DnsServer::serve(&[], Some(ResponseCode::ServFail), Duration::ZERO).await
    }

    async fn serve(zones: &[Zone], lying: Option<ResponseCode>, delay: Duration) -> Result<DnsServer, DnsError> {
        DnsServer::serve_at(None, zones, lying, delay).await
    }

    async fn serve_at(at: Option<SocketAddr>, zones: &[Zone], lying: Option<ResponseCode>, delay: Duration) -> Result<DnsServer, DnsError> {
        let mut catalog = Catalog::new();
        for zone in zones {
            let auth = zone.authority()?;
            let origin = LowerName::new(&Name::from_ascii(format!("{}.", zone.origin)).map_err(|_| DnsError::Name(zone.origin.clone()))?);
            catalog.upsert(origin, vec![Arc::new(auth)]);
        }
        // UDP first, then TCP on the same port; another process may take that port in between, so retry.
        let mut last = None;
        for _ in 0..20 {
            let udp = match at {
                Some(a) => UdpSocket::bind(a).await?,
                None => UdpSocket::bind("127.0.0.1:0").await?,
            };
            let addr = udp.local_addr()?;
            match TcpListener::bind(addr).await {
                Ok(tcp) => {
                    let queries = Arc::new(AtomicU64::new(0));
                    let mut server = ServerFuture::new(Counting { catalog, lying, delay, queries: queries.clone() });
                    server.register_socket(udp);
                    server.register_listener(tcp, Duration::from_secs(5));
                    return Ok(DnsServer { addr, server, queries });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(DnsError::Bind(last.unwrap_or_else(|| std::io::Error::other("no free port"))))
    }
}

impl DnsServer {
    /// How many queries this server has answered so far.
    pub fn queries(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for DnsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.server.shutdown_token().cancel();
    }
}

/// A 2048-bit RSA public key (SubjectPublicKeyInfo, base64) for test DKIM records. Public by
/// nature; its private half was never kept.
pub const DKIM_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwZijaRrzxsapL5F7K1A2GJRiysGWdipNqBY46AueIqQIbTKkaaOqaikw1b1fiZ08d+qxbELN4uowxfbM6qHXENfx0/v0Hm488lDOmBq2MV0u61MgHyvltuVk2dpyTJT0T46tXyzxyv+cvWKKXEaqwz6LoVQs8aPEPYTyNYL05YomGr0+g35Gc5A5NiPXYK7idVt8eLDgnmxLyioBJmqaZlXNl+nb5cQOOZdvr0Eah31H8MX7/hz97O7bQMyuBozXtyvR0h6Pk2w8HnRvdn0jSc+QKAt5q1ADkz6rlh2xe7PHKYtYzSInfa7iH2KsIXsbAfAnSekgNZ3pUcwgmwetywIDAQAB";
