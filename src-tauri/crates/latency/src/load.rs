//! A bounded load test at a constant arrival rate, with coordinated-omission correction.
//!
//! Requests are scheduled at fixed times (`start + i / rate`) whatever happens to earlier ones, and
//! each one's latency is measured from its *scheduled* start, as oha's `--latency-correction` and
//! k6's arrival-rate executors do: when the server stalls, the requests that should have gone out
//! meanwhile are charged the wait a real user would have had, instead of quietly not existing.
//! A request whose slot comes when [`Bounds::max_in_flight`] requests are already waiting is not
//! sent and counted as dropped; one the generator itself sent more than 10 ms late is counted as
//! late. Nothing is hidden: both counts are in the result.
//!
//! Every run is bounded before it starts: rate, duration, total requests, requests in flight and the
//! per-request deadline all have ceilings ([`Bounds::CEILING`]) that no caller can raise. A ramp
//! runs the same target rate in a few equal steps and reports the highest step whose p95 stays under
//! the target.

use crate::measure::Probe;
use crate::stats::{ms_words, Percentiles, Recorder};
use preflight_core::net::{Conn, Net};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
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
        Bounds { rate: 1000.0, duration_secs: 300, max_requests: 100_000, max_in_flight: 512, request_timeout_ms: 30_000 };

    /// A run at `rate` for `duration_secs`, with the defaults for the rest.
    pub fn new(rate: f64, duration_secs: u32) -> Bounds {
        Bounds { rate, duration_secs, max_requests: 20_000, max_in_flight: 128, request_timeout_ms: 10_000 }.capped()
    }

    /// These bounds, each cut to the ceiling (and to at least one request per second).
    pub fn capped(self) -> Bounds {
        let c = Bounds::CEILING;
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
    /// Not sent: their slot came while the in-flight ceiling was reached.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub dropped: u64,
    /// Sent more than 10 ms after their scheduled time (the generator fell behind).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub late: u64,
    /// Measured from each request's scheduled start (corrected for coordinated omission).
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

#[derive(Default)]
struct Tally {
    latency: Recorder,
    service: Recorder,
    ok: u64,
    errors: u64,
}

/// Runs `probe` at the bounds' rate (in `steps` equal steps when more than one).
pub async fn run(net: &Net, probe: &Probe, bounds: Bounds, steps: usize, cancel: CancellationToken) -> LoadResult {
    let bounds = bounds.capped();
    let steps = steps.clamp(1, 10);
    let step_secs = (f64::from(bounds.duration_secs) / steps as f64).max(0.5);
    let mut budget = bounds.max_requests;
    let (pool_tx, pool_rx) = mpsc::unbounded_channel::<Conn>();
    let pool = Arc::new(tokio::sync::Mutex::new(pool_rx));
    let mut out = Vec::new();
    let mut stopped_by = "duration".to_owned();
    for s in 1..=steps {
        let rate = bounds.rate * s as f64 / steps as f64;
        let (step, used, why) = step(net, probe, &bounds, rate, step_secs, budget, &pool_tx, &pool, &cancel).await;
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

#[allow(clippy::too_many_arguments)]
async fn step(
    net: &Net,
    probe: &Probe,
    bounds: &Bounds,
    rate: f64,
    secs: f64,
    budget: u64,
    pool_tx: &mpsc::UnboundedSender<Conn>,
    pool: &Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Conn>>>,
    cancel: &CancellationToken,
) -> (Step, u64, Option<&'static str>) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let in_flight = Arc::new(tokio::sync::Semaphore::new(bounds.max_in_flight as usize));
    let interval = Duration::from_secs_f64(1.0 / rate);
    let planned = ((rate * secs).round() as u64).max(1);
    let (mut sent, mut dropped, mut late) = (0u64, 0u64, 0u64);
    let mut why = None;
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..planned {
        if cancel.is_cancelled() {
            why = Some("cancelled");
            break;
        }
        if sent + dropped >= budget {
            why = Some("max_requests");
            break;
        }
        let scheduled = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(scheduled.into()).await;
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            dropped += 1;
            continue;
        };
        if Instant::now().duration_since(scheduled) > Duration::from_millis(10) {
            late += 1;
        }
        sent += 1;
        let (net, req, url, tally, pool_tx, pool) =
            (net.clone(), probe.request(), probe.url.clone(), tally.clone(), pool_tx.clone(), pool.clone());
        let (timeout, expect) = (Duration::from_millis(u64::from(bounds.request_timeout_ms)), probe.expect_status);
        tasks.spawn(async move {
            let _permit = permit;
            let sent_at = Instant::now();
            let reused = pool.lock().await.try_recv().ok();
            let attempt = async {
                let mut conn = match reused {
                    Some(c) => c,
                    None => {
                        let host = url.host_str().unwrap_or_default();
                        let route = net.route(host, url.port_or_known_default().unwrap_or(443)).await?;
                        net.open(&url, &route).await?
                    }
                };
                let resp = conn.send(&req).await?;
                Ok::<_, preflight_core::net::NetError>((conn, resp.status))
            };
            let outcome = tokio::time::timeout(timeout, attempt).await;
            let done = Instant::now();
            let Ok(mut t) = tally.lock() else { return };
            match outcome {
                Ok(Ok((conn, status))) => {
                    let _ = pool_tx.send(conn);
                    t.latency.record_us(done.duration_since(scheduled).as_micros() as u64);
                    t.service.record_us(done.duration_since(sent_at).as_micros() as u64);
                    if expect.map_or((200..400).contains(&status), |e| e == status) {
                        t.ok += 1;
                    } else {
                        t.errors += 1;
                    }
                }
                _ => t.errors += 1,
            }
        });
    }
    // Whatever is still in flight gets its deadline, then the step ends.
    while tasks.join_next().await.is_some() {}
    let elapsed = start.elapsed().as_secs_f64().max(0.001);
    let t = tally.lock().map(|t| (t.latency.percentiles(), t.service.percentiles(), t.ok, t.errors)).unwrap_or((None, None, 0, 0));
    let step = Step {
        rate,
        achieved_rate: ((t.2 + t.3) as f64 / elapsed * 10.0).round() / 10.0,
        sent,
        ok: t.2,
        errors: t.3,
        dropped,
        late,
        latency: t.0,
        service: t.1,
    };
    (step, sent + dropped, why)
}
