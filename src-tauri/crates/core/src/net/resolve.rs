//! DNS through hickory, configured from [`NetConfig`].
//!
//! One resolver per [`super::Net`], which lives as long as the app or the watcher: its cache is
//! shared by every check of a run and by the runs after it, honouring each record's TTL. Negative
//! answers are cached for at most [`NEGATIVE_TTL_CAP`], so a record the founder just added shows up
//! on the next audit within seconds rather than after the zone's SOA minimum. The CNAME chain is
//! kept because a dangling CNAME is itself a finding.

use super::config::NetConfig;
use super::error::NetError;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::{ResolveError, TokioResolver};
use serde::Serialize;
use std::net::IpAddr;
use std::time::Duration;

/// The longest a "no such name" answer is trusted from the cache.
pub const NEGATIVE_TTL_CAP: Duration = Duration::from_secs(30);

/// Addresses of one name, with the aliases followed to reach them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Addresses {
    pub cnames: Vec<String>,
    pub v4: Vec<IpAddr>,
    pub v6: Vec<IpAddr>,
    /// Smallest TTL seen, in seconds.
    pub ttl: Option<u32>,
}

impl Addresses {
    /// Every address, IPv6 first (RFC 8305 starts with IPv6, as browsers do; `connect` then
    /// alternates the families).
    pub fn all(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.v6.iter().chain(self.v4.iter()).copied()
    }
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
}

/// The answer to an SOA query, as [`Resolver::apex`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Apex {
    /// The name is a zone apex; `zone` is the owner of the SOA.
    Soa { zone: String },
    /// The name exists (NOERROR) but is not a zone apex.
    Exists,
    /// NXDOMAIN, with the zone whose SOA vouched for it, if any.
    NoSuchName { zone: Option<String> },
    /// No usable answer.
    Failed(NetError),
}

/// The engine's resolver.
#[derive(Debug, Clone)]
pub struct Resolver {
    inner: TokioResolver,
    /// Described in findings so an engineer knows which server answered.
    pub servers: String,
}

impl Resolver {
    /// Builds from the config's nameservers, or the operating system's when there are none.
    pub fn new(cfg: &NetConfig) -> Result<Resolver, NetError> {
        let failed = |e: ResolveError| NetError::DnsFailed { name: "(resolver setup)".into(), reason: e.to_string() };
        let mut builder = if cfg.nameservers.is_empty() {
            TokioResolver::builder_tokio().map_err(failed)?
        } else {
            let mut rc = ResolverConfig::new();
            for ns in &cfg.nameservers {
                rc.add_name_server(NameServerConfig::new(*ns, Protocol::Udp));
                rc.add_name_server(NameServerConfig::new(*ns, Protocol::Tcp));
            }
            TokioResolver::builder_with_config(rc, TokioConnectionProvider::default())
        };
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.timeout = cfg.timeouts.dns;
        opts.attempts = 2;
        opts.preserve_intermediates = true;
        // EDNS lets an answer of up to 1232 bytes (a 2048-bit DKIM key, a long SPF record) come over
        // UDP in one go; larger ones are retried over TCP.
        opts.edns0 = true;
        opts.ndots = 0;
        opts.cache_size = 1024;
        opts.negative_max_ttl = Some(NEGATIVE_TTL_CAP);
        let servers = if cfg.nameservers.is_empty() {
            "the system resolver".to_owned()
        } else {
            cfg.nameservers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        };
        Ok(Resolver { inner: builder.build(), servers })
    }

    /// A and AAAA records of `host`, following CNAMEs. Missing v6 alone is not an error.
    pub async fn addresses(&self, host: &str) -> Result<Addresses, NetError> {
        let fqdn = format!("{}.", host.trim_end_matches('.'));
        let (v4, v6) = tokio::join!(self.inner.lookup(fqdn.as_str(), RecordType::A), self.inner.lookup(fqdn.as_str(), RecordType::AAAA));
        let mut out = Addresses::default();
        let mut first_err = None;
        for result in [v4, v6] {
            match result {
                Ok(lookup) => {
                    for record in lookup.record_iter() {
                        out.ttl = Some(out.ttl.map_or(record.ttl(), |t| t.min(record.ttl())));
                        match record.data() {
                            RData::A(a) => out.v4.push(IpAddr::V4(a.0)),
                            RData::AAAA(a) => out.v6.push(IpAddr::V6(a.0)),
                            RData::CNAME(c) => {
                                let name = c.0.to_ascii().trim_end_matches('.').to_owned();
                                if !out.cnames.contains(&name) {
                                    out.cnames.push(name);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Err(e) => {
                    if first_err.is_none() {
                        first_err = Some(e);
                    }
                }
            }
        }
        if !out.is_empty() {
            return Ok(out);
        }
        Err(match first_err {
            Some(e) => classify(host, &e),
            None => NetError::NoRecords(host.to_owned()),
        })
    }

    /// Every record of `rtype` at `name` (CNAMEs followed; the chain's records included).
    pub async fn records(&self, name: &str, rtype: RecordType) -> Result<Vec<hickory_resolver::proto::rr::Record>, NetError> {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.inner.lookup(fqdn.as_str(), rtype).await {
            Ok(lookup) => Ok(lookup.record_iter().cloned().collect()),
            Err(e) => Err(classify(name, &e)),
        }
    }

    /// What the resolver says about `host`'s SOA, keeping what a plain lookup loses: the zone whose
    /// SOA came with a "no such name" answer. That is what tells a real NXDOMAIN from a resolver that
    /// makes them up (see `net::health`).
    pub async fn apex(&self, host: &str) -> Apex {
        let fqdn = format!("{}.", host.trim_end_matches('.'));
        match self.inner.lookup(fqdn.as_str(), RecordType::SOA).await {
            Ok(lookup) => match lookup.record_iter().find_map(|r| match r.data() {
                RData::SOA(_) => Some(r.name().to_ascii().trim_end_matches('.').to_owned()),
                _ => None,
            }) {
                Some(zone) => Apex::Soa { zone },
                None => Apex::Exists,
            },
            Err(e) if e.is_nx_domain() || e.is_no_records_found() => {
                let nx = e.is_nx_domain();
                let zone = e.into_soa().map(|soa| soa.name().to_ascii().trim_end_matches('.').to_owned());
                if nx {
                    Apex::NoSuchName { zone }
                } else {
                    Apex::Exists
                }
            }
            Err(e) => Apex::Failed(classify(host, &e)),
        }
    }

    /// Drops every cached answer (the founder asked to look again now).
    pub fn clear_cache(&self) {
        self.inner.clear_cache();
    }
}

fn classify(host: &str, e: &ResolveError) -> NetError {
    if e.is_nx_domain() {
        return NetError::NoSuchName(host.to_owned());
    }
    // A server that failed (SERVFAIL, REFUSED) said nothing about the name: that is "couldn't
    // look", never "no records" (which would read as "you have no SPF record").
    if let Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) = e.proto().map(|p| p.kind()) {
        if !matches!(*response_code, ResponseCode::NoError | ResponseCode::NXDomain) {
            return NetError::DnsFailed { name: host.to_owned(), reason: format!("the DNS server answered {response_code}") };
        }
    }
    if e.is_no_records_found() {
        return NetError::NoRecords(host.to_owned());
    }
    let reason = match e.proto().map(|p| p.kind()) {
        Some(ProtoErrorKind::Timeout) => "no DNS server answered in time".to_owned(),
        _ => e.to_string(),
    };
    NetError::DnsFailed { name: host.to_owned(), reason }
}
