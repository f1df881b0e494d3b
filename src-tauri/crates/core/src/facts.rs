//! What one audit run learns from the network, learned once and shared by its checks.
//!
//! Several checks need the same observation: the DNS, TLS and redirect checks of `www` all need its
//! addresses; later the header, CORS and caching checks all need the home page. [`Facts`] memoises
//! each observation per run: the first check to ask starts the lookup, the others await the same
//! answer. That is how a dependency between checks is expressed (TLS and HTTP run on the answer the
//! DNS check got) without serialising independent checks: `www`'s TLS check waits for `www`'s
//! addresses, never for `api`'s. A new run starts with empty facts, so a fix shows up at once
//! (the resolver's own cache still saves the queries, see `net::resolve`).

use crate::chain::{self, Chain};
use crate::net::health::{self, Health};
use crate::net::tls::TlsInspection;
use crate::net::{Addresses, Net, NetError, Request, Response, Route};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use url::Url;

/// The longest alias chain followed by hand before giving up.
pub const MAX_ALIAS_HOPS: usize = 16;

/// Where a name's aliases (CNAMEs) lead, followed one record at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasChain {
    /// The targets in order (empty when the name is not an alias).
    pub hops: Vec<String>,
    pub end: AliasEnd,
}

/// How an alias chain ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasEnd {
    /// On a name with addresses.
    Addresses(Addresses),
    /// On a name that does not exist (or has no address records).
    Missing(String),
    /// On a name already seen: the aliases go round in a circle.
    Loop(String),
    /// Still aliasing after [`MAX_ALIAS_HOPS`].
    TooLong,
}

/// One memoised observation per key.
struct Memo<V>(Mutex<HashMap<String, Arc<OnceCell<V>>>>);

impl<V: Clone> Memo<V> {
    fn new() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }

    async fn get_or_init<F, Fut>(&self, key: &str, init: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = match self.0.lock() {
            Ok(mut map) => map.entry(key.to_owned()).or_default().clone(),
            // A poisoned map only means another check panicked mid-insert: observe afresh.
            Err(_) => Arc::new(OnceCell::new()),
        };
        cell.get_or_init(init).await.clone()
    }
}

/// The shared observations of one audit run.
#[derive(Clone)]
pub struct Facts(Arc<Inner>);

struct Inner {
    net: Net,
    /// The product's root domain: the zone the resolver must prove itself on.
    domain: String,
    health: OnceCell<Health>,
    addresses: Memo<Result<Addresses, NetError>>,
    aliases: Memo<Result<Option<String>, NetError>>,
    tls: Memo<Result<TlsInspection, NetError>>,
    pages: Memo<Result<Response, NetError>>,
    chains: Memo<Chain>,
    caa: Memo<Result<Vec<String>, NetError>>,
    txt: Memo<Result<Vec<String>, NetError>>,
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts").field("net", &self.0.net).finish_non_exhaustive()
    }
}

impl Facts {
    /// Empty facts for an audit of `domain` over `net`.
    pub fn new(net: Net, domain: &str) -> Facts {
        Facts(Arc::new(Inner {
            net,
            domain: domain.to_owned(),
            health: OnceCell::new(),
            addresses: Memo::new(),
            aliases: Memo::new(),
            tls: Memo::new(),
            pages: Memo::new(),
            chains: Memo::new(),
            caa: Memo::new(),
            txt: Memo::new(),
        }))
    }

    /// Whether this computer's DNS can be believed, judged once per run (see `net::health`).
    pub async fn dns_health(&self) -> Health {
        self.0.health.get_or_init(|| health::check(self.0.net.resolver(), &self.0.domain)).await.clone()
    }

    pub fn net(&self) -> &Net {
        &self.0.net
    }

    /// The A/AAAA answer for `host`, looked up once per run. "No such name" is returned only when
    /// the resolver has proven it can be believed; otherwise it becomes an inconclusive failure, so
    /// no check turns a broken resolver into "your site does not exist". A resolver gives up on
    /// alias chains longer than it likes with a bare "no records": those are followed by hand, so a
    /// long chain that does end on addresses is still reached (`dns.cname.chain` says it is too long).
    pub async fn addresses(&self, host: &str) -> Result<Addresses, NetError> {
        let answer = self.resolved(host).await;
        match answer {
            Err(e) if e.is_missing_name() => match self.alias_chain(host).await {
                Ok(AliasChain { hops, end: AliasEnd::Addresses(a) }) if !hops.is_empty() => Ok(Addresses { cnames: hops, ..a }),
                _ => Err(e),
            },
            other => other,
        }
    }

    /// `answer` about `name`, with "no such name" believed only from a resolver that has proven it
    /// can be (see `net::health`): any other lookup (TXT, MX) goes through this, so a resolver that
    /// makes up "no such name" never reads as "you have no SPF record".
    pub async fn believe<T>(&self, name: &str, answer: Result<T, NetError>) -> Result<T, NetError> {
        match answer {
            Err(e) if e.is_missing_name() => match self.dns_health().await {
                Health::Working { .. } => Err(e),
                Health::Broken { reason } => Err(NetError::DnsFailed {
                    name: name.to_owned(),
                    reason: format!("DNS on this computer is not working ({reason}), so \"does not exist\" cannot be trusted"),
                }),
            },
            other => other,
        }
    }

    /// What the resolver itself answers for `host` (memoised), with "no such name" believed only
    /// from a working resolver.
    async fn resolved(&self, host: &str) -> Result<Addresses, NetError> {
        let key = host.trim_end_matches('.').to_ascii_lowercase();
        let answer = self.0.addresses.get_or_init(&key, || async { self.0.net.resolver().addresses(&key).await }).await;
        match answer {
            Err(e) if e.is_missing_name() => match self.dns_health().await {
                Health::Working { .. } => Err(e),
                Health::Broken { reason } => Err(NetError::DnsFailed {
                    name: key,
                    reason: format!("DNS on this computer is not working ({reason}), so \"does not exist\" cannot be trusted"),
                }),
            },
            other => other,
        }
    }

    /// The TXT records at `name`, asked once per run however many email checks read them, with
    /// "no such name" believed only from a working resolver (see [`Facts::believe`]).
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, NetError> {
        let key = name.trim_end_matches('.').to_ascii_lowercase();
        let answer = self.0.txt.get_or_init(&key, || async { self.0.net.resolver().txt(&key).await }).await;
        self.believe(&key, answer).await
    }

    /// The CAA records at `name`, asked once per run (every name below the domain climbs to it).
    pub async fn caa(&self, name: &str) -> Result<Vec<String>, NetError> {
        let key = name.trim_end_matches('.').to_ascii_lowercase();
        self.0.caa.get_or_init(&key, || async { self.0.net.resolver().caa(&key).await }).await
    }

    /// The CNAME target of `host`, if it is an alias, asked once per run.
    pub async fn alias(&self, host: &str) -> Result<Option<String>, NetError> {
        let key = host.trim_end_matches('.').to_ascii_lowercase();
        self.0.aliases.get_or_init(&key, || async { self.0.net.resolver().cname(&key).await }).await
    }

    /// Follows `host`'s CNAMEs one record at a time. A resolver gives up on long chains and loops
    /// with a bare "no records", which must not read as "the target is gone": this says which it is.
    pub async fn alias_chain(&self, host: &str) -> Result<AliasChain, NetError> {
        let mut current = host.trim_end_matches('.').to_ascii_lowercase();
        let mut hops: Vec<String> = Vec::new();
        loop {
            match self.alias(&current).await {
                Ok(Some(target)) => {
                    let target = target.to_ascii_lowercase();
                    if target == host || hops.contains(&target) {
                        return Ok(AliasChain { hops, end: AliasEnd::Loop(target) });
                    }
                    hops.push(target.clone());
                    if hops.len() > MAX_ALIAS_HOPS {
                        return Ok(AliasChain { hops, end: AliasEnd::TooLong });
                    }
                    current = target;
                }
                Ok(None) => {
                    let end = match self.resolved(&current).await {
                        Ok(addrs) => AliasEnd::Addresses(addrs),
                        Err(e) if e.is_missing_name() => AliasEnd::Missing(current),
                        Err(e) => return Err(e),
                    };
                    return Ok(AliasChain { hops, end });
                }
                Err(e) if e.is_missing_name() => {
                    // Believed only when the resolver has proven itself (as addresses() does).
                    if let Health::Broken { reason } = self.dns_health().await {
                        return Err(NetError::DnsFailed { name: current, reason });
                    }
                    return Ok(AliasChain { hops, end: AliasEnd::Missing(current) });
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Where a connection to `host:port` goes, reusing this run's answer for `host`.
    pub async fn route(&self, host: &str, port: u16) -> Result<Route, NetError> {
        let addrs = self.addresses(host).await;
        match addrs.as_ref().ok().and_then(|a| self.0.net.route_with(host, port, a)) {
            Some(route) => Ok(route),
            // A connect-to override sends this host elsewhere: resolve where it really goes.
            None if self.0.net.config().route(host, port).0 != host => self.0.net.route(host, port).await,
            None => Err(addrs.err().unwrap_or_else(|| NetError::NoRecords(host.to_owned()))),
        }
    }

    /// The certificate `host` presents on port 443, inspected once per run.
    pub async fn tls(&self, host: &str) -> Result<TlsInspection, NetError> {
        self.0
            .tls
            .get_or_init(host, || async {
                let route = self.route(host, 443).await?;
                self.0.net.inspect_tls(host, &route).await
            })
            .await
    }

    /// Sends `req` on a fresh connection along this run's route for its host (not memoised).
    pub async fn send(&self, req: &Request) -> Result<Response, NetError> {
        let bad = |reason: &str| NetError::bad_url(req.url.as_str(), reason.to_owned());
        let host = req.url.host_str().ok_or_else(|| bad("it has no host"))?.to_owned();
        let port = req.url.port_or_known_default().ok_or_else(|| bad("unknown port"))?;
        let route = self.route(&host, port).await?;
        self.0.net.send(req, &route).await
    }

    /// [`Facts::send`] reading at most `body_bytes` of the body: a probe that needs only the first
    /// bytes of what may be a 2 GB archive.
    pub async fn send_bounded(&self, req: &Request, body_bytes: usize) -> Result<Response, NetError> {
        let bad = |reason: &str| NetError::bad_url(req.url.as_str(), reason.to_owned());
        let host = req.url.host_str().ok_or_else(|| bad("it has no host"))?.to_owned();
        let port = req.url.port_or_known_default().ok_or_else(|| bad("unknown port"))?;
        let route = self.route(&host, port).await?;
        let mut conn = self.0.net.open(&req.url, &route).await?;
        conn.limit_body(body_bytes);
        conn.send(req).await
    }

    /// Where `url` leads, redirect by redirect, followed once per run.
    pub async fn chain(&self, url: &Url) -> Chain {
        self.0.chains.get_or_init(url.as_str(), || chain::follow(self, url.clone())).await
    }

    /// `GET url`, fetched once per run however many checks read the answer.
    pub async fn page(&self, url: &Url) -> Result<Response, NetError> {
        self.0.pages.get_or_init(url.as_str(), || async { self.send(&Request::get(url.clone())).await }).await
    }
}
