//! The load test against testbed endpoints: it keeps its arrival rate, measures from each
//! request's scheduled start, and stops at every bound (duration, total requests, requests in
//! flight, each request's deadline) without hanging on a server that never answers.

use preflight_core::net::Net;
use preflight_latency::load::run;
use preflight_latency::{Bounds, Probe};
use preflight_testbed::web::Delays;
use preflight_testbed::{Answer, Product, Site, Testbed};
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

const D: &str = "load.test";

async fn bed() -> (Testbed, Net) {
    let api = Answer::Delayed { delays: Delays::new(vec![20]), then: Box::new(Answer::ok("{}")) }.with_path("/hang", Answer::Hang);
    let site = Site::serving(&format!("api.{D}"), api);
    let bed = Testbed::start(Product::healthy(D, &[""]).site(site)).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    (bed, net)
}

fn probe(path: &str) -> Probe {
    Probe::new(Url::parse(&format!("https://api.{D}{path}")).expect("url"), "GET", None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_rate_is_kept_and_measured_from_the_schedule() {
    let (_bed, net) = bed().await;
    let r = run(&net, &probe("/"), Bounds::new(40.0, 2), 1, CancellationToken::new()).await;
    let s = &r.steps[0];
    assert_eq!(s.sent + s.dropped, 80, "40 requests a second for 2 seconds");
    assert_eq!((s.dropped, s.errors), (0, 0), "{s:?}");
    let (lat, svc) = (s.latency.as_ref().expect("latency"), s.service.as_ref().expect("service"));
    assert!(lat.p50_ms >= 20.0 && lat.p50_ms < 60.0, "about the injected 20 ms: {lat:?}");
    assert!(lat.p95_ms >= svc.p95_ms, "measured from the schedule, never shorter than from the send");
    assert!((30.0..=45.0).contains(&s.achieved_rate), "achieved {} per second", s.achieved_rate);
    assert_eq!(r.sustained_rate, Some(40.0));
    assert!(r.says.contains("up to 40 requests/s, the most this run asked for"), "{}", r.says);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_stops_at_the_request_budget() {
    let (_bed, net) = bed().await;
    let started = Instant::now();
    let bounds = Bounds { max_requests: 25, ..Bounds::new(50.0, 10) };
    let r = run(&net, &probe("/"), bounds, 1, CancellationToken::new()).await;
    assert_eq!(r.stopped_by, "max_requests");
    assert_eq!(r.steps[0].sent, 25);
    assert!(started.elapsed().as_secs_f64() < 3.0, "25 requests at 50/s end in about half a second, not 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_fills_the_in_flight_bound_and_the_run_still_ends() {
    let (_bed, net) = bed().await;
    let started = Instant::now();
    let bounds = Bounds { max_in_flight: 3, request_timeout_ms: 400, ..Bounds::new(20.0, 1) };
    let r = run(&net, &probe("/hang"), bounds, 1, CancellationToken::new()).await;
    let s = &r.steps[0];
    assert!(s.dropped > 0, "slots that came while 3 were waiting are counted, not hidden: {s:?}");
    assert_eq!(s.errors, s.sent, "every sent request hit its deadline");
    assert_eq!(s.sent + s.dropped, 20);
    assert!(started.elapsed().as_secs_f64() < 3.0, "one second of schedule plus one deadline");
    assert_eq!(r.sustained_rate, None);
    let lat = s.latency.as_ref().expect("requests with no answer are part of the corrected latency");
    assert_eq!(lat.samples, 20, "every slot counts, sent or dropped: {lat:?}");
    assert!(lat.p50_ms >= 400.0, "no answer counts as waiting out the 400 ms deadline, never as fast: {lat:?}");
    assert!(s.service.is_none(), "the uncorrected figure has no answers to measure: {:?}", s.service);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ramp_runs_its_steps_and_cancel_stops_it() {
    let (_bed, net) = bed().await;
    let r = run(&net, &probe("/"), Bounds::new(30.0, 3), 3, CancellationToken::new()).await;
    let rates: Vec<f64> = r.steps.iter().map(|s| s.rate).collect();
    assert_eq!(rates, [10.0, 20.0, 30.0]);
    let cancel = CancellationToken::new();
    cancel.cancel();
    let r = run(&net, &probe("/"), Bounds::new(30.0, 3), 3, cancel).await;
    assert_eq!((r.stopped_by.as_str(), r.steps[0].sent), ("cancelled", 0));
}

#[test]
fn no_caller_can_raise_the_ceilings() {
    let b = Bounds { rate: 1e9, duration_secs: 99_999, max_requests: u64::MAX, max_in_flight: 100_000, request_timeout_ms: 0 }.capped();
    assert_eq!(b, Bounds { rate: 100_000.0, duration_secs: 300, max_requests: 1_000_000, max_in_flight: 512, request_timeout_ms: 100 });
    let w = Bounds { request_timeout_ms: 60_000, ..b }.capped_to(Bounds::WINDOW);
    assert_eq!(w, Bounds::WINDOW, "the window's run is smaller still");
    let p = probe("/chat");
    assert!(Bounds::new(5.0, 10).explain(&p, 1).starts_with("This sends at most 50 GET requests to https://api.load.test/chat over 10 s"));
}
