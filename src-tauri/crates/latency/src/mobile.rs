//! The mobile view: how many network round trips a first visit costs, and what that means on a
//! phone network where each one takes about 150 ms.
//!
//! A first visit pays, for each new host, a DNS lookup, a TCP connection and a TLS handshake (one
//! round trip each with TLS 1.3) before its request; every redirect is a full extra request, and a
//! redirect to another host pays all of that again. Each request the screen then makes one after
//! the other (a session check, the chat history) adds at least one more. The round trips are
//! counted from the real redirect chain and connections, the servers' own times are measured, and
//! the projection is their sum: `round trips × RTT + server time`. The advice names the round
//! trips that can go.

use crate::stats::ms_words;
use preflight_core::net::{Net, Request};
use serde::Serialize;
use std::collections::HashSet;
use url::Url;

/// A phone on a mobile network: the round-trip time the projection uses by default.
pub const MOBILE_RTT_MS: u32 = 150;

/// Redirects followed at most.
const MAX_HOPS: usize = 10;

/// One request of the visit and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Trip {
    pub url: String,
    /// DNS, TCP, TLS (for a new connection) and the request itself.
    pub round_trips: u32,
    /// What the round trips were for, in words.
    pub why: String,
    /// The server's own time before answering (measured), in milliseconds.
    pub server_ms: f64,
    /// Where it redirected to, if it did.
    pub redirect_to: Option<String>,
}

/// A first visit, counted and projected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MobileView {
    pub url: String,
    pub rtt_ms: u32,
    pub trips: Vec<Trip>,
    pub round_trips: u32,
    pub server_ms: f64,
    pub projected_ms: f64,
    /// Which round trips to remove, and what each saves.
    pub advice: Vec<String>,
    pub says: String,
}

struct Visit {
    resolved: HashSet<String>,
    /// The origin of the connection kept alive from the last request.
    open: Option<String>,
}

impl Visit {
    /// The round trips a request to `url` costs before its answer, and their names.
    fn cost(&mut self, url: &Url) -> (u32, String) {
        let host = url.host_str().unwrap_or_default().to_owned();
        let origin = url.origin().ascii_serialization();
        if self.open.as_deref() == Some(origin.as_str()) {
            return (1, "the request, on the open connection".into());
        }
        let mut n = 0;
        let mut parts = Vec::new();
        if self.resolved.insert(host) {
            n += 1;
            parts.push("DNS");
        }
        n += 1;
        parts.push("TCP");
        if url.scheme() == "https" {
            n += 1;
            parts.push("TLS");
        }
        n += 1;
        parts.push("the request");
        self.open = Some(origin);
        (n, format!("a new connection: {}", parts.join(", ")))
    }
}

/// Counts and projects a first visit of `url` (following its redirects), then each of `then` in
/// turn, as the screen would request them one after the other.
pub async fn first_visit(net: &Net, url: &Url, then: &[Url], rtt_ms: u32) -> MobileView {
    let mut visit = Visit { resolved: HashSet::new(), open: None };
    let mut trips = Vec::new();
    let mut at = url.clone();
    let mut queue: Vec<Url> = then.to_vec();
    queue.reverse();
    let mut hops = 0;
    loop {
        let (round_trips, why) = visit.cost(&at);
        let answer = net.fetch(&Request::get(at.clone())).await;
        let (server_ms, location) = match &answer {
            Ok(r) => {
                let p = r.timings.precise;
                let ready = p.tls_us.unwrap_or(p.connect_us);
                let location = r.is_redirect().then(|| r.header("location").and_then(|l| at.join(l).ok())).flatten();
                ((p.first_byte_us.saturating_sub(ready) as f64 / 100.0).round() / 10.0, location)
            }
            Err(_) => (0.0, None),
        };
        trips.push(Trip { url: at.to_string(), round_trips, why, server_ms, redirect_to: location.as_ref().map(Url::to_string) });
        match location {
            Some(next) if hops < MAX_HOPS => {
                hops += 1;
                at = next;
            }
            _ => match queue.pop() {
                Some(next) => at = next,
                None => break,
            },
        }
    }
    let round_trips: u32 = trips.iter().map(|t| t.round_trips).sum();
    let server_ms: f64 = trips.iter().map(|t| t.server_ms).sum();
    let projected_ms = f64::from(round_trips * rtt_ms) + server_ms;
    let mut advice = Vec::new();
    let rtt = f64::from(rtt_ms);
    for (i, t) in trips.iter().enumerate() {
        if let (Some(to), Some(next)) = (&t.redirect_to, trips.get(i + 1)) {
            let saved = t.round_trips + if next.why.starts_with("a new connection") { next.round_trips - 1 } else { 0 };
            advice.push(format!(
                "Link straight to {to}: the redirect from {} costs {saved} round trips (about {} on a phone).",
                t.url,
                ms_words(f64::from(saved) * rtt)
            ));
        }
    }
    let last_page = trips.iter().position(|t| then.iter().any(|u| u.as_str() == t.url)).unwrap_or(trips.len());
    let followups = &trips[last_page..];
    if followups.len() > 1 {
        advice.push(format!(
            "The screen's {} requests go one after the other: start them together, or answer them in one request (saves about {}).",
            followups.len(),
            ms_words((followups.len() - 1) as f64 * rtt)
        ));
    }
    for t in followups.iter().filter(|t| t.why.starts_with("a new connection")) {
        advice.push(format!(
            "{} needs a connection of its own ({} extra round trips): serve it from the page's own host, or add <link rel=\"preconnect\"> for it.",
            t.url,
            t.round_trips - 1
        ));
    }
    let says = format!(
        "A first visit to {url} takes {round_trips} round trips: about {} on a phone network ({rtt_ms} ms each), plus {} of server time.",
        ms_words(f64::from(round_trips * rtt_ms)),
        ms_words(server_ms)
    );
    MobileView { url: url.to_string(), rtt_ms, trips, round_trips, server_ms, projected_ms, advice, says }
}
