//! The connectivity guard: before any monitor may go DOWN, this machine proves its own network
//! works by reaching something outside the product.
//!
//! A reference is a web address (its name is looked up through the same resolver the monitors
//! use, so a dead resolver counts as offline) or a `host:port` that must accept a connection. Any
//! one reference answering proves the network; all are asked at once and the first answer settles
//! it. An `https://` reference also defeats captive portals: a hotel login page cannot present its
//! certificate. The answer is remembered for a few seconds so twenty failing monitors cost one
//! round of asks, and concurrent askers wait for the same round instead of starting their own.

use crate::clock::Clock;
use crate::state::Network;
use preflight_core::net::Request;
use preflight_core::Net;
use std::sync::Arc;
use tokio::sync::Mutex;
use url::Url;

/// Something outside the product whose answer proves this machine is online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Web(Url),
    Tcp { host: String, port: u16 },
}

impl Reference {
    /// Reads `https://…`/`http://…` or `host:port`.
    pub fn parse(s: &str) -> Result<Reference, String> {
        let s = s.trim();
        if s.contains("://") {
            let u = Url::parse(s).map_err(|e| format!("\"{s}\" is not a web address ({e})"))?;
            if !matches!(u.scheme(), "http" | "https") {
                return Err(format!("\"{s}\": only http:// and https:// references can be asked"));
            }
            return Ok(Reference::Web(u));
        }
        let (host, port) = s.rsplit_once(':').ok_or_else(|| format!("\"{s}\" is neither a web address nor HOST:PORT"))?;
        let port = port.parse().map_err(|_| format!("\"{s}\": \"{port}\" is not a port"))?;
        Ok(Reference::Tcp { host: host.trim_matches(['[', ']']).to_owned(), port })
    }

    async fn answers(&self, net: &Net) -> Result<(), String> {
        match self {
            Reference::Web(u) => net.fetch(&Request::get(u.clone())).await.map(|_| ()).map_err(|e| e.to_string()),
            Reference::Tcp { host, port } => {
                let route = net.route(host, *port).await.map_err(|e| e.to_string())?;
                net.connect(host, &route).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }
}

/// Public references used when the founder names none: large, independent networks that answer
/// HTTPS on a certificate for their own name.
pub const DEFAULT_REFERENCES: [&str; 3] =
    ["https://one.one.one.one/", "https://dns.google/", "https://www.apple.com/library/test/success.html"];

/// The references a front end was given as a comma-separated list (`PREFLIGHT_WATCH_REFERENCES`),
/// or [`DEFAULT_REFERENCES`] when none; an entry that cannot be read is logged and left out.
pub fn references_from(configured: Option<&str>) -> Vec<Reference> {
    let listed: Vec<&str> = match configured.filter(|v| !v.trim().is_empty()) {
        Some(v) => v.split(',').map(str::trim).filter(|s| !s.is_empty()).collect(),
        None => DEFAULT_REFERENCES.to_vec(),
    };
    listed
        .into_iter()
        .filter_map(|r| match Reference::parse(r) {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::error!(reference = %r, error = %e, "watch reference refused");
                None
            }
        })
        .collect()
}

/// How long one verdict is reused.
const REUSE_MS: u64 = 5_000;

/// The guard, shared by every monitor of a watcher.
#[derive(Debug)]
pub struct Guard {
    net: Net,
    clock: Arc<dyn Clock>,
    references: Vec<Reference>,
    last: Mutex<Option<(u64, Network)>>,
}

impl Guard {
    pub fn new(net: Net, clock: Arc<dyn Clock>, references: Vec<Reference>) -> Guard {
        Guard { net, clock, references, last: Mutex::new(None) }
    }

    /// Whether this machine is online now (or a few seconds ago).
    pub async fn check(&self) -> Network {
        let mut last = self.last.lock().await;
        let now = self.clock.now_ms();
        if let Some((at, verdict)) = *last {
            if now.saturating_sub(at) < REUSE_MS && now >= at {
                return verdict;
            }
        }
        let verdict = ask(&self.net, &self.references).await;
        *last = Some((self.clock.now_ms(), verdict));
        if verdict == Network::Offline {
            tracing::info!("no reference answered: this machine looks offline, monitors are paused");
        }
        verdict
    }
}

/// Asks every reference at once; the first answer settles it (a dead reference never holds it up).
pub async fn ask(net: &Net, references: &[Reference]) -> Network {
    if references.is_empty() {
        return Network::Offline;
    }
    let asks = references.iter().map(|r| Box::pin(r.answers(net)));
    match futures::future::select_ok(asks).await {
        Ok(_) => Network::Online,
        Err(_) => Network::Offline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_web_addresses_or_host_and_port() {
        assert_eq!(Reference::parse("127.0.0.1:53"), Ok(Reference::Tcp { host: "127.0.0.1".into(), port: 53 }));
        assert_eq!(Reference::parse("[::1]:443"), Ok(Reference::Tcp { host: "::1".into(), port: 443 }));
        assert!(matches!(Reference::parse("https://ref.example/"), Ok(Reference::Web(_))));
        assert!(Reference::parse("ftp://ref.example/").is_err());
        assert!(Reference::parse("ref.example").is_err());
        assert!(Reference::parse("ref.example:http").is_err());
        assert!(DEFAULT_REFERENCES.iter().all(|r| Reference::parse(r).is_ok()));
        assert_eq!(references_from(None).len(), DEFAULT_REFERENCES.len());
        assert_eq!(references_from(Some(" 127.0.0.1:53, nonsense ,")), vec![Reference::Tcp { host: "127.0.0.1".into(), port: 53 }]);
    }
}
