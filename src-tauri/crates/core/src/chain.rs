//! Where a URL leads: its redirect chain, followed by hand, hop by hop.
//!
//! Several checks read the same chain (does `http://www` end on HTTPS, with permanent redirects, in
//! few hops, on the canonical host?), so a chain is a fact of the run (`Facts::chain`), followed once.
//! Each hop goes through the strict client: a redirect onto a bad certificate is a broken redirect.
//! A repeated URL or more hops than `Limits::redirects` ends the chain as a loop instead of a hang.

use crate::facts::Facts;
use crate::net::NetError;
use serde::Serialize;
use url::Url;

/// One hop of a redirect chain, as shown in the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    pub url: String,
    pub status: Option<u16>,
    pub location: Option<String>,
    pub ms: u64,
    pub error: Option<String>,
}

impl Hop {
    /// "http://a/ → 301", for a finding's detail.
    pub fn line(&self) -> String {
        format!("{} → {}", self.url, self.status.map_or_else(|| "no answer".to_owned(), |s| s.to_string()))
    }
}

/// How a chain ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A non-redirect answer at this URL.
    Landed { url: Url, status: u16 },
    /// Seen this URL before, or too many hops.
    Loop,
    /// A hop failed.
    Broken { url: Url, error: NetError },
}

/// A followed chain.
#[derive(Debug, Clone)]
pub struct Chain {
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
}

impl Chain {
    /// The redirect statuses along the way (301, 302, 307, 308).
    pub fn redirects(&self) -> impl Iterator<Item = u16> + '_ {
        self.hops.iter().filter_map(|h| h.status).filter(|s| matches!(s, 301 | 302 | 303 | 307 | 308))
    }

    /// "http://a/ → 301", one line per hop, for a finding's detail.
    pub fn describe(&self) -> String {
        self.hops.iter().map(Hop::line).collect::<Vec<_>>().join("\n")
    }
}

/// Follows redirects from `start`, bounded by the config's redirect limit.
pub async fn follow(facts: &Facts, start: Url) -> Chain {
    let mut hops: Vec<Hop> = Vec::new();
    let mut url = start;
    loop {
        if hops.len() > facts.net().config().limits.redirects || hops.iter().any(|h| h.url == url.as_str()) {
            return Chain { hops, outcome: Outcome::Loop };
        }
        match facts.page(&url).await {
            Err(error) => {
                hops.push(Hop { url: url.to_string(), status: None, location: None, ms: 0, error: Some(error.to_string()) });
                return Chain { hops, outcome: Outcome::Broken { url, error } };
            }
            Ok(resp) => {
                let location = resp.header("location").map(str::to_owned);
                hops.push(Hop {
                    url: url.to_string(),
                    status: Some(resp.status),
                    location: location.clone(),
                    ms: resp.timings.total_ms,
                    error: None,
                });
                match location.filter(|_| resp.is_redirect()).and_then(|l| url.join(&l).ok()) {
                    Some(next) => url = next,
                    None => return Chain { hops, outcome: Outcome::Landed { url, status: resp.status } },
                }
            }
        }
    }
}
