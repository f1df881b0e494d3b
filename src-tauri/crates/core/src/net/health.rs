//! Is this computer's DNS telling the truth? Asked before any "does not exist" becomes a verdict.
//!
//! A missing record is a launch blocker only if the resolver can be believed. Offline, behind a
//! captive portal, or with a resolver that answers "no such name" for everything, every name looks
//! missing — and a founder would be told their site does not exist. So before an NXDOMAIN counts, the
//! resolver has to prove itself on the product's own zone:
//! 1. the SOA of the product's domain answers → working (this also holds for an authoritative-only
//!    server for the zone, as the testbed runs and as a founder checking records before delegation
//!    would point `--nameserver` at);
//! 2. "no such name" for the domain itself, vouched for by the SOA of a zone above it (`com`) → working:
//!    the domain really is not registered;
//! 3. "no such name" with no SOA → ask for the top-level domain's name servers: if even those "do not
//!    exist", the resolver is lying;
//! 4. no answer at all → not working.

use super::error::NetError;
use super::resolve::{Apex, Resolver};
use serde::Serialize;

/// The verdict on the resolver, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Health {
    Working { evidence: String },
    Broken { reason: String },
}

fn within(zone: &str, domain: &str) -> bool {
    let (zone, domain) = (zone.to_ascii_lowercase(), domain.to_ascii_lowercase());
    !zone.is_empty() && (domain == zone || domain.ends_with(&format!(".{zone}")))
}

/// Judges `resolver` on `domain`'s zone.
pub async fn check(resolver: &Resolver, domain: &str) -> Health {
    let servers = &resolver.servers;
    match resolver.apex(domain).await {
        Apex::Soa { zone } => Health::Working { evidence: format!("{servers} answered with the SOA of {zone}") },
        Apex::Exists => Health::Working { evidence: format!("{servers} answered for {domain}") },
        Apex::NoSuchName { zone: Some(zone) } if within(&zone, domain) => {
            Health::Working { evidence: format!("{servers} said {domain} does not exist, vouched for by the SOA of {zone}") }
        }
        Apex::NoSuchName { .. } => {
            let tld = domain.rsplit('.').next().unwrap_or(domain);
            match resolver.ns(tld).await {
                Ok(ns) if !ns.is_empty() => Health::Working {
                    evidence: format!("{servers} answered with the name servers of .{tld} and says {domain} does not exist"),
                },
                Ok(_) | Err(NetError::NoSuchName(_) | NetError::NoRecords(_)) => Health::Broken {
                    reason: format!("{servers} says that even .{tld} does not exist, so its \"no such name\" answers cannot be trusted"),
                },
                Err(e) => Health::Broken { reason: e.to_string() },
            }
        }
        Apex::Failed(e) => Health::Broken { reason: e.to_string() },
    }
}
