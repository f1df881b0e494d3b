//! Typed DNS lookups beyond addresses: TXT, MX, CAA, NS, SOA and CNAME.
//!
//! The email, edge and takeover checks read these; each helper returns plain Rust values (the
//! evidence a finding shows) and the same classified [`NetError`] as address lookups, so "no such
//! record" and "the resolver did not answer" stay distinct everywhere.

use super::error::NetError;
use super::resolve::Resolver;
use hickory_resolver::proto::rr::{RData, RecordType};
use serde::Serialize;

/// A mail exchanger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mx {
    pub preference: u16,
    /// The exchange host, without the trailing dot (`.` for a null MX, RFC 7505).
    pub exchange: String,
}

/// The start of authority of a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Soa {
    pub mname: String,
    pub rname: String,
    pub serial: u32,
    /// The negative-caching TTL (RFC 2308).
    pub minimum: u32,
}

fn name(n: &hickory_resolver::proto::rr::Name) -> String {
    let s = n.to_ascii();
    if s == "." {
        s
    } else {
        s.trim_end_matches('.').to_owned()
    }
}

/// A name with no records of a type is an empty list here, not an error: "no SPF" is a finding.
fn none_is_empty<T>(r: Result<Vec<T>, NetError>) -> Result<Vec<T>, NetError> {
    match r {
        Err(NetError::NoRecords(_)) => Ok(Vec::new()),
        other => other,
    }
}

impl Resolver {
    /// TXT records, each with its character-strings joined (as SPF and DMARC are read).
    pub async fn txt(&self, host: &str) -> Result<Vec<String>, NetError> {
        let records = self.records(host, RecordType::TXT).await;
        none_is_empty(records.map(|rs| {
            rs.iter()
                .filter_map(|r| match r.data() {
                    RData::TXT(t) => Some(t.txt_data().iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<String>()),
                    _ => None,
                })
                .collect()
        }))
    }

    /// MX records, lowest preference first.
    pub async fn mx(&self, host: &str) -> Result<Vec<Mx>, NetError> {
        let records = self.records(host, RecordType::MX).await;
        let mut out: Vec<Mx> = none_is_empty(records.map(|rs| {
            rs.iter()
                .filter_map(|r| match r.data() {
                    RData::MX(m) => Some(Mx { preference: m.preference(), exchange: name(m.exchange()) }),
                    _ => None,
                })
                .collect()
        }))?;
        out.sort_by(|a, b| a.preference.cmp(&b.preference).then(a.exchange.cmp(&b.exchange)));
        Ok(out)
    }

    /// CAA records in presentation form (`0 issue "letsencrypt.org"`).
    pub async fn caa(&self, host: &str) -> Result<Vec<String>, NetError> {
        let records = self.records(host, RecordType::CAA).await;
        none_is_empty(records.map(|rs| {
            rs.iter()
                .filter_map(|r| match r.data() {
                    RData::CAA(c) => Some(c.to_string()),
                    _ => None,
                })
                .collect()
        }))
    }

    /// The zone's nameservers.
    pub async fn ns(&self, host: &str) -> Result<Vec<String>, NetError> {
        let records = self.records(host, RecordType::NS).await;
        none_is_empty(records.map(|rs| {
            rs.iter()
                .filter_map(|r| match r.data() {
                    RData::NS(n) => Some(name(&n.0)),
                    _ => None,
                })
                .collect()
        }))
    }

    /// The SOA at `host`, if `host` is a zone apex.
    pub async fn soa(&self, host: &str) -> Result<Option<Soa>, NetError> {
        let records = none_is_empty(self.records(host, RecordType::SOA).await)?;
        Ok(records.iter().find_map(|r| match r.data() {
            RData::SOA(s) => Some(Soa { mname: name(s.mname()), rname: name(s.rname()), serial: s.serial(), minimum: s.minimum() }),
            _ => None,
        }))
    }

    /// Where `host` is an alias to, if it is one.
    pub async fn cname(&self, host: &str) -> Result<Option<String>, NetError> {
        let records = none_is_empty(self.records(host, RecordType::CNAME).await)?;
        Ok(records.iter().find_map(|r| match r.data() {
            RData::CNAME(c) => Some(name(&c.0)),
            _ => None,
        }))
    }
}
