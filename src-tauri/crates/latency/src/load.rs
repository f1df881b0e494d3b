//! A bounded load test at a constant arrival rate, with coordinated-omission correction.
//!
//! Requests are scheduled at fixed times (`start + i / rate`) whatever happens to earlier ones, and
//! each one's latency is measured from its *scheduled* start, as oha's `--latency-correction` and
//! k6's arrival-rate executors do: when the server stalls, the requests that should have gone out
//! meanwhile are charged the wait a real user would have had, instead of quietly not existing.
//! [`Bounds::max_in_flight`] workers, each with its own kept-alive connection, take the slots in
//! turn, so the generator never waits on the server: a slow answer makes later slots wait (and
//! that wait is charged to them), a slot still waiting past the request deadline is dropped, and
//! one sent more than 10 ms after its time is counted as late. Nothing is hidden: both counts are
//! in the result, and the corrected latency counts every request a user would have made: one
//! that timed out or lost its connection at the deadline (at least), a dropped slot at the wait it
//! had when it was given up. So under overload the per-step p95 climbs to the deadline instead of
//! being measured on the few lucky answers. Workers keep their own tallies, merged at the end, so
//! nothing is locked per request.
//!
//! Every run is bounded before it starts: rate, duration, total requests, requests in flight and the
//! per-request deadline all have ceilings ([`Bounds::CEILING`]) that no caller can raise. A ramp
//! runs the same target rate in a few equal steps and reports the highest step whose p95 stays under
//! the target.

use crate::measure::Probe;
use crate::stats::{ms_words, Percentiles, Recorder};
use preflight_core::net::{Conn, Net};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Bounds {
    /// Requests per second at the top step.
    pub rate: f64,
    pub duration_secs: u32,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub max_requests: u64,
    pub max_in_flight: u32,
    pub request_timeout_ms: u32,
}

impl Bounds {
    /// What no run may exceed, whatever it asks.
    pub const CEILING: Bounds =
        Bounds { rate: 100_000.0, duration_secs: 300, max_requests: 1_000_000, max_in_flight: 512, request_timeout_ms: 30_000 };

    /// A run at `rate` for `duration_secs`, with the defaults for the rest.
    pub fn new(rate: f64, duration_secs: u32) -> Bounds {
        Bounds { rate, duration_secs, max_requests: 20_000, max_in_flight: 128, request_timeout_ms: 10_000 }.capped()
    }

    /// What a run started from the window may do: a founder checking a launch-day spike, not a
    /// stress test (the CLI's flags reach [`Bounds::CEILING`]).
    pub const WINDOW: Bounds =
        Bounds { rate: 200.0, duration_secs: 60, max_requests: 12_000, max_in_flight: 128, request_timeout_ms: 10_000 };

    /// These bounds, each cut to the ceiling (and to at least one request per second).
    pub fn capped(self) -> Bounds {
        self.capped_to(Bounds::CEILING)
    }

    /// These bounds, each cut to `c` (and to at least one request per second).
    pub fn capped_to(self, c: Bounds) -> Bounds {
        Bounds {
            rate: self.rate.clamp(1.0, c.rate),
            duration_secs: self.duration_secs.clamp(1, c.duration_secs),
            max_requests: self.max_requests.clamp(1, c.max_requests),
            max_in_flight: self.max_in_flight.clamp(1, c.max_in_flight),
            request_timeout_ms: self.request_timeout_ms.clamp(100, c.request_timeout_ms),
        }
    }

    /// The plan in words, said before anything is sent.
    pub fn explain(&self, probe: &Probe, steps: usize) -> String {
        let most = (self.rate * f64::from(self.duration_secs)).min(self.max_requests as f64).round();
        let ramp = if steps > 1 { format!(", ramping up in {steps} equal steps") } else { String::new() };
        format!(
            "This sends at most {most:.0} {} requests to {} over {} s, at up to {:.0} per second{ramp}, never more than {} at once, each given up after {} ms.",
            probe.method,
            probe.url,
            self.duration_secs,
            self.rate,
            self.max_in_flight,
            self.request_timeout_ms
        )
    }
}

/// One step of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Step {
    /// Requests per second asked.
    pub rate: f64,
    /// Requests per second answered (successfully or not) over the step.
    pub achieved_rate: f64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub sent: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub ok: u64,
    /// Answered with an error status, or not answered in time.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub errors: u64,
    /// Not sent: every one of the `max_in_flight` workers was busy until the slot was already
    /// older than the request deadline (a user would have given up).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub dropped: u64,
    /// Sent more than 10 ms after their scheduled time (the generator fell behind).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub late: u64,
    /// Measured from each request's scheduled start (corrected for coordinated omission), every
    /// request included: one with no answer counts at least the deadline, a dropped one its wait.
    pub latency: Option<Percentiles>,
    /// Measured from when each request was actually sent (what an uncorrected tool reports).
    pub service: Option<Percentiles>,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoadResult {
    pub url: String,
    pub bounds: Bounds,
    pub target_ms: u32,
    pub steps: Vec<Step>,
    /// The highest step rate whose p95 stayed under the target with under 1 % errors and nothing
    /// dropped; None when even the first step did not.
    pub sustained_rate: Option<f64>,
    pub says: String,
    /// Why the run ended: "duration", "max_requests" or "cancelled".
    pub stopped_by: String,
}

/// What one worker saw; merged at the end of a step (no lock on the hot path).
#[derive(Default)]
struct Tally {
    latency: Recorder,
    service: Recorder,
    sent: u64,
    ok: u64,
    errors: u64,
    dropped: u64,
    late: u64,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.latency.merge(&o.latency);
        self.service.merge(&o.service);
        self.sent += o.sent;
        self.ok += o.ok;
        self.errors += o.errors;
        self.dropped += o.dropped;
        self.late += o.late;
    }
}

/// How many equal steps a ramp climbs in.
pub const RAMP_STEPS: usize = 4;

/// The steps of a run: [`RAMP_STEPS`] with a ramp, else one.
pub fn steps(ramp: bool) -> usize {
    if ramp {
        RAMP_STEPS
    } else {
        1
    }
}

/// Runs `probe` at the bounds' rate (in `steps` equal steps when more than one).
pub async fn run(net: &Net, probe: &Probe, bounds: Bounds, steps: usize, cancel: CancellationToken) -> LoadResult {
    let bounds = bounds.capped();
    let steps = steps.clamp(1, 10);
    let step_secs = (f64::from(bounds.duration_secs) / steps as f64).max(0.5);
    let mut budget = bounds.max_requests;
    let mut out = Vec::new();
    let mut stopped_by = "duration".to_owned();
    for s in 1..=steps {
        let rate = bounds.rate * s as f64 / steps as f64;
        let (step, used, why) = step(net, probe, &bounds, rate, step_secs, budget, &cancel).await;
        budget = budget.saturating_sub(used);
        out.push(step);
        if let Some(why) = why {
            stopped_by = why.to_owned();
            break;
        }
    }
    let target = f64::from(probe.target_ms);
    let good = |st: &Step| st.dropped == 0 && st.errors * 100 <= st.sent && st.latency.as_ref().is_some_and(|p| p.p95_ms <= target);
    let sustained_rate = out.iter().take_while(|st| good(st)).last().map(|st| st.rate);
    let says = match sustained_rate {
        Some(r) if out.iter().all(good) => {
            format!("p95 stays under {} up to {r:.0} requests/s, the most this run asked for: the limit is higher.", ms_words(target))
        }
        Some(r) => format!("p95 stays under {} up to {r:.0} requests/s; above that it does not.", ms_words(target)),
        None => format!("p95 is over {} already at {:.0} requests/s.", ms_words(target), out.first().map_or(0.0, |st| st.rate)),
    };
    LoadResult { url: probe.url.to_string(), bounds, target_ms: probe.target_ms, steps: out, sustained_rate, says, stopped_by }
}

/// Waits until `at`, to within microseconds: the timer sleeps to about 2 ms before (it wakes up
/// to a millisecond late, which would be charged to the server), then the task yields until the
/// moment comes.
async fn wait_until(at: Instant) {
    let margin = Duration::from_millis(2);
    if let Some(early) = at.checked_sub(margin) {
        if Instant::now() < early {
            tokio::time::sleep_until(early.into()).await;
        }
    }
    while Instant::now() < at {
        tokio::task::yield_now().await;
    }
}

/// One step at `rate` for `secs`: `max_in_flight` workers, each with its own kept-alive
/// connection, take the scheduled slots in turn. A worker that is ahead waits for its slot's time;
/// one that is behind sends at once, and the wait is charged to the request (measured from the
/// schedule). A slot picked up later than the request deadline is dropped, not sent: a user would
/// have given up.
async fn step(
    net: &Net,
    probe: &Probe,
    bounds: &Bounds,
    rate: f64,
    secs: f64,
    budget: u64,
    cancel: &CancellationToken,
) -> (Step, u64, Option<&'static str>) {
    let interval = Duration::from_secs_f64(1.0 / rate);
    let wanted = ((rate * secs).round() as u64).max(1);
    let planned = wanted.min(budget);
    let timeout = Duration::from_millis(u64::from(bounds.request_timeout_ms));
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now() + Duration::from_millis(5);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..bounds.max_in_flight.min(u32::try_from(planned).unwrap_or(u32::MAX)) {
        let (net, probe, url, next, cancel) = (net.clone(), probe.clone(), probe.url.clone(), next.clone(), cancel.clone());
        let expect = probe.expect_status;
        workers.spawn(async move {
            let requests = probe.requests();
            let mut t = Tally::default();
            let mut conn: Option<Conn> = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= planned || cancel.is_cancelled() {
                    break;
                }
                let scheduled = start + interval.mul_f64(i as f64);
                wait_until(scheduled).await;
                let behind = Instant::now().saturating_duration_since(scheduled);
                if behind > timeout {
                    t.dropped += 1;
                    t.latency.record_us(behind.as_micros() as u64);
                    continue;
                }
                if behind > Duration::from_millis(10) {
                    t.late += 1;
                }
                t.sent += 1;
                let sent_at = Instant::now();
                let attempt = async {
                    if conn.is_none() {
                        let host = url.host_str().unwrap_or_default();
                        let route = net.route(host, url.port_or_known_default().unwrap_or(443)).await?;
                        conn = Some(net.open(&url, &route).await?);
                    }
                    match conn.as_mut() {
                        Some(c) => c.send(&requests.nth(i)).await.map(|r| r.status),
                        None => Err(preflight_core::net::NetError::bad_url(url.as_str(), "no connection")),
                    }
                };
                match tokio::time::timeout(timeout, attempt).await {
                    Ok(Ok(status)) => {
                        let done = Instant::now();
                        t.latency.record_us(done.duration_since(scheduled).as_micros() as u64);
                        t.service.record_us(done.duration_since(sent_at).as_micros() as u64);
                        if expect.map_or((200..400).contains(&status), |e| e == status) {
                            t.ok += 1;
                        } else {
                            t.errors += 1;
                        }
                    }
                    // No answer in time, or a broken connection: the user got nothing, which counts as
                    // waiting out the deadline (never as a fast answer); the next slot opens a new one.
                    _ => {
                        let waited = Instant::now().duration_since(scheduled).max(sent_at.duration_since(scheduled) + timeout);
                        t.latency.record_us(waited.as_micros() as u64);
                        t.errors += 1;
                        conn = None;
                    }
                }
            }
            t
        });
    }
    let mut total = Tally::default();
    while let Some(done) = workers.join_next().await {
        if let Ok(t) = done {
            total.merge(t);
        }
    }
    let elapsed = start.elapsed().as_secs_f64().max(0.001);
    let why = if cancel.is_cancelled() {
        Some("cancelled")
    } else if planned < wanted {
        Some("max_requests")
    } else {
        None
    };
    // A cancelled run also "drops" the slots nobody took: they are not counted as sent.
    let step = Step {
        rate,
        achieved_rate: ((total.ok + total.errors) as f64 / elapsed * 10.0).round() / 10.0,
        sent: total.sent,
        ok: total.ok,
        errors: total.errors,
        dropped: total.dropped,
        late: total.late,
        latency: total.latency.percentiles(),
        service: total.service.percentiles(),
    };
    (step, total.sent + total.dropped, why)
}
