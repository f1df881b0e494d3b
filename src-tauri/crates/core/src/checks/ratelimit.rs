//! `edge.ratelimit` (opt-in): a short burst against each key endpoint is slowed down.
//!
//! A login route without rate limiting lets a script try passwords all night; a chat route without
//! one lets anyone spend the founder's model budget. The only way to know is to knock: [`Burst`]
//! sends up to `requests` copies of the endpoint's request from `preflight.toml` (without its
//! keychain secret), a few at a time, and stops at the first 429. It is off unless asked for
//! (`--probe-rate-limit`), because it is real traffic that shows in the product's logs and may trip
//! alerts; the CLI says what it will send before it starts. A limit the answers advertise
//! (`RateLimit-Limit`, `X-RateLimit-Limit`) counts even when the burst stays under it.

use super::{could_not_check, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::{NetError, Request, Response};
use crate::runner::PlannedCheck;
use crate::target::{Endpoint, Target};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use url::Url;

pub static RATE_LIMIT: CheckDef = CheckDef {
    id: "edge.ratelimit",
    area: Area::Edge,
    stage: Stage::Edge,
    impact: Impact::Cost,
    what: "whether a burst of requests to a key endpoint is slowed down (opt-in)",
};

/// Planned only by `audit` when the probe is asked for (see [`planned`]).
pub const FAMILY: Family = Family { name: "rate limit", checks: &[&RATE_LIMIT], plan: |_, _| Vec::new() };

/// How hard to knock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Burst {
    /// Requests per endpoint, at most.
    pub requests: u32,
    /// Requests in flight at once.
    pub parallel: u32,
}

impl Default for Burst {
    fn default() -> Self {
        Burst { requests: 30, parallel: 5 }
    }
}

impl Burst {
    /// What the probe will do, said before it runs.
    pub fn explain(&self, target: &Target) -> String {
        let names: Vec<&str> = target.endpoints.iter().map(|e| e.name.as_str()).collect();
        format!(
            "Rate-limit probe: up to {} requests ({} at a time) to each of {} endpoint(s) ({}), stopping at the first 429. They are real requests (without your keychain secrets): they will show in your logs and may trigger alerts.",
            self.requests,
            self.parallel,
            names.len(),
            if names.is_empty() { "none listed".to_owned() } else { names.join(", ") }
        )
    }
}

/// One planned burst per endpoint, or one finding saying there is nothing to knock on.
pub fn planned(target: &Target, facts: &Facts, burst: Burst) -> Vec<PlannedCheck> {
    if target.endpoints.is_empty() {
        let root = target.domain.to_string();
        return vec![PlannedCheck::new(&RATE_LIMIT, &root.clone(), "Looking for endpoints to probe".into(), async move {
            vec![Finding::new(&RATE_LIMIT, &root, Status::Skipped)
                .title("Rate limiting was not probed: no endpoints are listed in preflight.toml.")
                .fix([
                    "List your login and chat routes under [[endpoints]] in preflight.toml, then run the audit with --probe-rate-limit.",
                ])]
        })];
    }
    target
        .endpoints
        .iter()
        .map(|e| {
            let (facts, e2) = (facts.clone(), e.clone());
            let subject = format!("{} ({})", e.name, e.url);
            PlannedCheck::new(&RATE_LIMIT, &subject, format!("Sending a short burst to {}", e.name), async move {
                vec![check(&facts, &e2, burst).await]
            })
            .deadline(Duration::from_secs(60))
        })
        .collect()
}

/// What the burst saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Seen {
    pub sent: u32,
    /// Answers by status.
    pub statuses: BTreeMap<u16, u32>,
    /// The request number of the first 429, if any.
    pub limited_at: Option<u32>,
    /// A limit the answers advertise.
    pub advertised: Option<String>,
    pub failures: u32,
    pub ms: u64,
}

async fn check(facts: &Facts, e: &Endpoint, burst: Burst) -> Finding {
    let subject = format!("{} ({})", e.name, e.url);
    let Ok(url) = Url::parse(&e.url) else {
        return Finding::new(&RATE_LIMIT, &subject, Status::Error).title(format!("{} is not a web address.", e.url));
    };
    let mut req = Request::new(&e.method, url);
    for (k, v) in &e.headers {
        req = req.header(k, v.clone());
    }
    if let Some(body) = &e.body {
        req = req.body(body.clone().into_bytes());
    }
    let started = Instant::now();
    let mut seen = Seen::default();
    let mut last_error: Option<NetError> = None;
    'burst: while seen.sent < burst.requests {
        let wave = burst.parallel.min(burst.requests - seen.sent).max(1);
        let answers = futures::future::join_all((0..wave).map(|_| facts.send(&req))).await;
        for answer in answers {
            seen.sent += 1;
            match answer {
                Ok(resp) => {
                    record(&mut seen, &resp);
                    if resp.status == 429 {
                        seen.limited_at.get_or_insert(seen.sent);
                    }
                }
                Err(err) => {
                    seen.failures += 1;
                    last_error = Some(err);
                }
            }
        }
        if seen.limited_at.is_some() {
            break 'burst;
        }
    }
    seen.ms = started.elapsed().as_millis() as u64;
    match last_error {
        Some(err) if seen.failures == seen.sent && err.is_inconclusive() => {
            could_not_check(Finding::new(&RATE_LIMIT, &subject, Status::Error), &format!("rate limiting on {}", e.url), &err)
        }
        _ => judge(&subject, &seen),
    }
}

fn record(seen: &mut Seen, resp: &Response) {
    *seen.statuses.entry(resp.status).or_default() += 1;
    if seen.advertised.is_none() {
        seen.advertised =
            ["ratelimit-limit", "x-ratelimit-limit", "ratelimit-policy"].iter().find_map(|h| resp.header(h).map(|v| format!("{h}: {v}")));
    }
}

/// The verdict (pure).
pub fn judge(subject: &str, seen: &Seen) -> Finding {
    let statuses = seen.statuses.iter().map(|(s, n)| format!("{n}× {s}")).collect::<Vec<_>>().join(", ");
    let detail = format!(
        "{} requests in {} ms: {statuses}{}.",
        seen.sent,
        seen.ms,
        if seen.failures > 0 { format!(", {} without an answer", seen.failures) } else { String::new() }
    );
    let base = |status| Finding::new(&RATE_LIMIT, subject, status).detail(detail.clone()).evidence(json!(seen));
    if let Some(n) = seen.limited_at {
        return base(Status::Pass).title(format!("{subject} slows a burst down: request {n} was refused with 429 Too Many Requests."));
    }
    if let Some(limit) = &seen.advertised {
        return base(Status::Pass)
            .title(format!("{subject} advertises a rate limit ({limit}); the {}-request burst stayed under it.", seen.sent));
    }
    base(Status::Warn)
        .title(format!("{subject} answered all {} requests of a burst: nothing slows down a script hammering it.", seen.sent))
        .why("Without a limit, anyone can guess passwords on your login all night or run up your AI bill through your chat endpoint.")
        .fix([
            "Add a rate limit at the edge: Cloudflare → Security → WAF → Rate limiting rules (e.g. 10 requests per minute per IP on /login, 30 on /api/chat).",
            "Or in the app: a per-user and per-IP limiter (express-rate-limit, Upstash Ratelimit, Django's ratelimit) on these routes.",
            "Run this audit again with --probe-rate-limit to confirm.",
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_or_an_advertised_limit_passes_a_burst_that_gets_through_warns() {
        let mut seen = Seen { sent: 30, ..Seen::default() };
        seen.statuses.insert(200, 30);
        assert_eq!(judge("login", &seen).status, Status::Warn);
        seen.advertised = Some("ratelimit-limit: 100".into());
        assert_eq!(judge("login", &seen).status, Status::Pass);
        let seen = Seen { sent: 12, limited_at: Some(11), ..Seen::default() };
        let f = judge("login", &seen);
        assert_eq!(f.status, Status::Pass);
        assert!(f.title.contains("request 11"), "{}", f.title);
    }
}
