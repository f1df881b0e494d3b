//! Turning the network into observations: one HTTP(S) probe of a monitor, and the connectivity
//! guard that says whether this machine is online at all.
//!
//! Both go through the engine's `Net` (its resolver, trust store, deadlines and size bounds), so a
//! monitor sees a site exactly as the audit does. A failure keeps its cause (DNS, TLS, timeout,
//! refused connection, status, missing keyword, too slow), which the incident records. The guard
//! asks references outside the product; if none answers, the machine is offline and every monitor
//! is paused instead of marked down.

use crate::state::{Cause, Network, Probe};
use preflight_core::net::{NetError, Request};
use preflight_core::Net;
use url::Url;

/// An HTTP(S) monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpMonitor {
    pub name: String,
    pub url: Url,
    /// The status a healthy answer has; any 2xx or 3xx when absent.
    pub expect_status: Option<u16>,
    /// Text the answer's body must contain.
    pub keyword: Option<String>,
    /// Slower than this is a failure.
    pub max_latency_ms: Option<u64>,
}

/// The cause a network error stands for.
pub fn cause_of(e: &NetError) -> Cause {
    match e {
        NetError::NoSuchName(_) | NetError::NoRecords(_) | NetError::DnsFailed { .. } => Cause::Dns,
        NetError::Tls { .. } => Cause::Tls,
        NetError::Timeout { .. } => Cause::Timeout,
        _ => Cause::Connect,
    }
}

/// Probes `m` once; returns the outcome and, when it answered, how long it took.
pub async fn http(net: &Net, m: &HttpMonitor) -> (Probe, Option<u64>) {
    match net.fetch(&Request::get(m.url.clone())).await {
        Err(e) => (Probe::Failed(cause_of(&e)), None),
        Ok(resp) => {
            let ms = resp.timings.total_ms;
            let status_ok = match m.expect_status {
                Some(want) => resp.status == want,
                None => (200..400).contains(&resp.status),
            };
            let probe = if !status_ok {
                Probe::Failed(Cause::Status { code: resp.status })
            } else if m.keyword.as_ref().is_some_and(|k| !String::from_utf8_lossy(&resp.body).contains(k.as_str())) {
                Probe::Failed(Cause::Keyword)
            } else if m.max_latency_ms.is_some_and(|max| ms > max) {
                Probe::Failed(Cause::Slow { ms })
            } else {
                Probe::Ok
            };
            (probe, Some(ms))
        }
    }
}

/// Whether this machine is online: any of `references` answering at all (any status) proves it.
/// All are asked at once, and the first answer settles it (a dead reference never holds it up).
pub async fn guard(net: &Net, references: &[Url]) -> Network {
    if references.is_empty() {
        return Network::Offline;
    }
    let asks = references.iter().map(|u| Box::pin(async move { net.fetch(&Request::get(u.clone())).await }));
    match futures::future::select_ok(asks).await {
        Ok(_) => Network::Online,
        Err(_) => Network::Offline,
    }
}
