//! Measuring one endpoint: cold requests (each on a new connection: DNS, connect, TLS, then the
//! answer) and warm ones (one after the other on a kept-alive connection, as a browser or an app
//! reuses its connection), each phase timed in microseconds, and for a streamed answer the time to
//! its first piece (the first token).
//!
//! Requests go one at a time: this measures how fast one user is served, not how many users the
//! server can take (that is the load test's question). Every request runs under the network
//! configuration's deadlines and body bound, so a hung endpoint ends the measurement with an error
//! count, not a hang.

use crate::stats::{ms_words, Bar, Percentiles, Recorder, BARS};
use crate::Kind;
use preflight_core::net::{Conn, Net, NetError, Request, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use url::Url;

/// What to measure. Its `Debug` shows header names only: one may carry a credential.
#[derive(Clone)]
pub struct Probe {
    pub name: String,
    pub method: String,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub kind: Kind,
    pub target_ms: u32,
    /// The status a good answer has (any 2xx when None).
    pub expect_status: Option<u16>,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Probe")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &names)
            .field("kind", &self.kind)
            .field("target_ms", &self.target_ms)
            .finish_non_exhaustive()
    }
}

/// `url` as it may be stored or shown: without query, fragment or credentials, where a token
/// would sit. None when it is not an address.
pub use preflight_core::public::public_url;

impl Probe {
    /// A GET (or `method`) of `url`, of `kind` (guessed from the method when None), named by its
    /// public address (a token in the query must not end up in the name, the verdict or the history).
    pub fn new(url: Url, method: &str, kind: Option<Kind>) -> Probe {
        let kind = kind.unwrap_or_else(|| Kind::guess(method));
        Probe {
            name: public_url(url.as_str()).unwrap_or_default(),
            method: method.to_ascii_uppercase(),
            url,
            headers: Vec::new(),
            body: None,
            kind,
            target_ms: kind.target_ms(),
            expect_status: None,
        }
    }

    /// A key endpoint of the product's config; `credential`, when given, is the header and value
    /// the keychain gave (see `preflight_core::credential`), sent in this probe's requests only.
    pub fn from_endpoint(e: &preflight_core::target::Endpoint, credential: Option<(String, String)>) -> Result<Probe, url::ParseError> {
        let mut p = Probe::new(Url::parse(&e.url)?, &e.method, e.kind);
        p.name = e.name.clone();
        p.headers = e.headers.clone();
        if let Some(c) = credential {
            p.headers.push(c);
        }
        p.body = e.body.clone();
        p.expect_status = e.expect_status;
        if let Some(t) = e.latency_target_ms {
            p.target_ms = t;
        }
        Ok(p)
    }

    /// The requests of one run, the template (if any) checked once.
    pub(crate) fn requests(&self) -> Requests<'_> {
        let templated = self.body.as_deref().is_some_and(|b| PLACEHOLDERS.iter().any(|p| b.contains(p)));
        Requests { probe: self, fixed: (!templated).then(|| self.request_for(0)) }
    }

    /// Request number `n` of a run, its body template filled in (see [`fill`]).
    fn request_for(&self, n: u64) -> Request {
        let mut r = Request::new(&self.method, self.url.clone());
        for (k, v) in &self.headers {
            r = r.header(k, v.clone());
        }
        if let Some(b) = &self.body {
            r = r.body(fill(b, n).into_bytes());
        }
        r
    }
}

/// What one run sends: a request built once, or one per request when the body is a template.
pub(crate) struct Requests<'a> {
    probe: &'a Probe,
    fixed: Option<Request>,
}

impl Requests<'_> {
    /// The request to send as number `n`.
    pub(crate) fn nth(&self, n: u64) -> std::borrow::Cow<'_, Request> {
        match &self.fixed {
            Some(r) => std::borrow::Cow::Borrowed(r),
            None => std::borrow::Cow::Owned(self.probe.request_for(n)),
        }
    }
}

const PLACEHOLDERS: [&str; 3] = ["{{n}}", "{{random}}", "{{now_ms}}"];

/// A body template filled in for request `n`: `{{n}}` is the request's number in the run,
/// `{{random}}` 16 hex digits that differ every time, `{{now_ms}}` the time in milliseconds since
/// 1970. A chat endpoint then gets a new message each time, as it would from real people, instead
/// of one a cache or a duplicate check could answer without working.
pub fn fill(template: &str, n: u64) -> String {
    if !PLACEHOLDERS.iter().any(|p| template.contains(p)) {
        return template.to_owned();
    }
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let random = {
        use std::hash::{BuildHasher, Hasher};
        // Each RandomState is seeded afresh: enough to make messages differ, not for secrets.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u128(now_ms);
        format!("{:016x}", h.finish())
    };
    template.replace("{{n}}", &n.to_string()).replace("{{random}}", &random).replace("{{now_ms}}", &now_ms.to_string())
}

/// How many requests of each sort.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub cold: u32,
    pub warm: u32,
}

impl Default for Plan {
    fn default() -> Self {
        Plan { cold: 10, warm: 50 }
    }
}

/// Median time of each phase of a cold request, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Phases {
    pub dns_ms: f64,
    pub connect_ms: f64,
    pub tls_ms: f64,
    /// From the request sent to the answer's headers: the server's own time, plus one round trip.
    pub ttfb_ms: f64,
    pub transfer_ms: f64,
}

/// The measurement of one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Measurement {
    pub name: String,
    pub url: String,
    pub method: String,
    pub kind: Kind,
    pub target_ms: u32,
    /// On a kept-alive connection: what the judged figure is read from.
    pub warm: Option<Percentiles>,
    /// Each request on a new connection (DNS, connect and TLS included).
    pub cold: Option<Percentiles>,
    pub phases: Phases,
    /// Time to the first piece of a streamed answer (the first token), warm.
    pub first_token: Option<Percentiles>,
    /// The judged requests (the first tokens of a stream, else the kept-alive requests) in
    /// equal-width bars, for a histogram; empty in measurements stored before it existed.
    #[serde(default)]
    pub histogram: Vec<Bar>,
    /// Answers by status code.
    pub statuses: BTreeMap<u16, u32>,
    /// Requests that got no answer (timeout, refused), with the first reason.
    pub errors: u32,
    pub first_error: Option<String>,
    /// Fast enough, too slow, or could not tell.
    pub verdict: Verdict,
    /// The verdict in plain words.
    pub says: String,
}

impl Measurement {
    /// The figure the verdict is read from: a stream's first token, else the kept-alive requests.
    pub fn judged(&self) -> Option<&Percentiles> {
        match (&self.first_token, &self.warm) {
            (Some(f), _) if self.kind == Kind::StreamingChat => Some(f),
            (_, w) => w.as_ref(),
        }
    }
}

/// The judgement against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    FastEnough,
    TooSlow,
    /// Wrong answers or no answers: speed does not matter until it works.
    Failing,
    /// Nothing was measured.
    Unknown,
}

fn ms(us: u64) -> f64 {
    (us as f64 / 100.0).round() / 10.0
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

struct Tally {
    statuses: BTreeMap<u16, u32>,
    errors: u32,
    first_error: Option<String>,
    /// The name could not be looked up: every other request needs the same lookup.
    unresolved: bool,
}

/// The first this many requests all went unanswered (or the first one's name could not be looked
/// up): the endpoint is down or unreachable, and waiting out every remaining request's deadline
/// would only delay the verdict.
const GIVE_UP_AFTER: u32 = 3;

impl Tally {
    fn hopeless(&self) -> bool {
        self.statuses.is_empty() && (self.errors >= GIVE_UP_AFTER || self.unresolved)
    }

    fn note(&mut self, r: &Result<Response, NetError>) {
        match r {
            Ok(resp) => *self.statuses.entry(resp.status).or_insert(0) += 1,
            Err(e) => {
                self.errors += 1;
                self.unresolved |= matches!(e, NetError::NoSuchName(_) | NetError::NoRecords(_) | NetError::DnsFailed { .. });
                self.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// Measures `probe` through `net`.
pub async fn measure(net: &Net, probe: &Probe, plan: Plan) -> Measurement {
    let requests = probe.requests();
    let host = probe.url.host_str().unwrap_or_default().to_owned();
    let port = probe.url.port_or_known_default().unwrap_or(443);
    let mut tally = Tally { statuses: BTreeMap::new(), errors: 0, first_error: None, unresolved: false };
    let (mut cold, mut warm, mut first) = (Recorder::default(), Recorder::default(), Recorder::default());
    let (mut dns, mut connect, mut tls, mut ttfb, mut transfer) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());

    // Each request's number in the run, for a body template's {{n}}.
    let mut sent: u64 = 0;
    for _ in 0..plan.cold {
        if tally.hopeless() {
            break;
        }
        let t = Instant::now();
        let route = match net.route(&host, port).await {
            Ok(r) => r,
            Err(e) => {
                tally.note(&Err(e));
                continue;
            }
        };
        let dns_us = t.elapsed().as_micros() as u64;
        sent += 1;
        let answer = match net.open(&probe.url, &route).await {
            Ok(mut conn) => conn.send(&requests.nth(sent)).await,
            Err(e) => Err(e),
        };
        tally.note(&answer);
        if let Ok(resp) = answer {
            let p = resp.timings.precise;
            let secured = p.tls_us.unwrap_or(p.connect_us);
            cold.record_us(dns_us + p.total_us);
            dns.push(dns_us);
            connect.push(p.connect_us);
            tls.push(secured - p.connect_us);
            ttfb.push(p.first_byte_us.saturating_sub(secured));
            transfer.push(p.total_us.saturating_sub(p.first_byte_us));
        }
    }

    let mut conn: Option<Conn> = None;
    for _ in 0..plan.warm {
        if tally.hopeless() {
            break;
        }
        if conn.is_none() {
            // The connection itself is not timed here: a warm request is one on an open connection.
            conn = match net.route(&host, port).await {
                Ok(route) => match net.open(&probe.url, &route).await {
                    Ok(c) => Some(c),
                    Err(e) => {
                        tally.note(&Err(e));
                        None
                    }
                },
                Err(e) => {
                    tally.note(&Err(e));
                    None
                }
            };
            // Open the connection with one untimed request, so set-up is not charged to a sample.
            if let Some(c) = conn.as_mut() {
                sent += 1;
                if c.send(&requests.nth(sent)).await.is_err() {
                    conn = None;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        sent += 1;
        let answer = c.send(&requests.nth(sent)).await;
        tally.note(&answer);
        match answer {
            Ok(resp) => {
                let p = resp.timings.precise;
                warm.record_us(p.total_us);
                if probe.kind == Kind::StreamingChat {
                    if let Some(f) = p.first_body_us {
                        first.record_us(f);
                    }
                }
            }
            // The server closed the connection: open a new one for the next request.
            Err(_) => conn = None,
        }
    }

    let phases = Phases {
        dns_ms: ms(median(&mut dns)),
        connect_ms: ms(median(&mut connect)),
        tls_ms: ms(median(&mut tls)),
        ttfb_ms: ms(median(&mut ttfb)),
        transfer_ms: ms(median(&mut transfer)),
    };
    let histogram = if probe.kind == Kind::StreamingChat && !first.is_empty() { first.bars(BARS) } else { warm.bars(BARS) };
    let mut m = Measurement {
        name: probe.name.clone(),
        url: probe.url.to_string(),
        method: probe.method.clone(),
        kind: probe.kind,
        target_ms: probe.target_ms,
        warm: warm.percentiles(),
        cold: cold.percentiles(),
        phases,
        first_token: first.percentiles(),
        histogram,
        statuses: tally.statuses,
        errors: tally.errors,
        first_error: tally.first_error,
        verdict: Verdict::Unknown,
        says: String::new(),
    };
    (m.verdict, m.says) = judge(&m, probe.expect_status);
    m
}

/// The verdict and its words (pure).
pub fn judge(m: &Measurement, expect: Option<u16>) -> (Verdict, String) {
    let good = |s: u16| expect.map_or((200..300).contains(&s), |e| e == s);
    let bad: u32 = m.statuses.iter().filter(|(s, _)| !good(**s)).map(|(_, n)| n).sum();
    let total: u32 = m.statuses.values().sum::<u32>() + m.errors;
    if total == 0 {
        return (Verdict::Unknown, format!("{} was not measured.", m.name));
    }
    // Not one answer: from here, a server that is down and a computer that is offline look alike,
    // so this is "could not measure", never "failing".
    if m.statuses.is_empty() {
        let why = m.first_error.as_deref().unwrap_or("no answer");
        return (
            Verdict::Unknown,
            format!(
                "{} could not be measured: no request got an answer ({why}). Check that this computer is online and the address is right.",
                m.name
            ),
        );
    }
    if m.errors * 10 > total || bad * 10 > total {
        let why = match &m.first_error {
            Some(e) if m.errors > 0 => format!("{} of {total} requests got no answer ({e})", m.errors),
            _ => format!(
                "{bad} of {total} requests got a wrong answer (status {})",
                m.statuses.keys().find(|s| !good(**s)).map_or(0, |s| *s)
            ),
        };
        return (Verdict::Failing, format!("{} is failing: {why}. Fix that first: speed does not matter until it works.", m.name));
    }
    let Some(figure) = m.judged() else { return (Verdict::Unknown, format!("{} was not measured.", m.name)) };
    let what = if m.kind == Kind::StreamingChat && m.first_token.is_some() { "its first token" } else { "it" };
    let target = f64::from(m.target_ms);
    if figure.p95_ms <= target {
        (
            Verdict::FastEnough,
            format!(
                "{} is fast enough: 95 of every 100 requests get {what} within {} (target {} for {}).",
                m.name,
                ms_words(figure.p95_ms),
                ms_words(target),
                m.kind.label()
            ),
        )
    } else {
        let because = if m.phases.ttfb_ms >= m.phases.connect_ms + m.phases.tls_ms + m.phases.dns_ms {
            "the server itself takes the time (before the first byte of the answer)".to_owned()
        } else {
            "setting up connections (DNS, connect and TLS) takes most of the time".to_owned()
        };
        (
            Verdict::TooSlow,
            format!(
                "{} is too slow because {because}: p95 {} against a target of {} for {}.",
                m.name,
                ms_words(figure.p95_ms),
                ms_words(target),
                m.kind.label()
            ),
        )
    }
}
