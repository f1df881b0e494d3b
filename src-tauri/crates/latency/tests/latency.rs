//! Measured against testbed endpoints with injected, known delays: a fixed 80 ms, a uniform spread
//! of 40–139 ms (every value once per 100 requests), and a streamed answer whose first event comes
//! after 250 ms. The measured percentiles must match the injected ones within 5 % or 2 ms below,
//! and within that plus a scheduling allowance above (see [`STALL_MS`]).

use preflight_core::net::Net;
use preflight_latency::{measure, Kind, Plan, Probe, Verdict};
use preflight_testbed::web::{Delays, Inbox};
use preflight_testbed::{Answer, Product, Site, Testbed};
use url::Url;

const D: &str = "speed.test";

/// Room above the injected delay for a busy machine. A stall only ever adds: the server cannot
/// answer before its timer fires, so the figure is bounded from below by the injected delay (less
/// the timer's 1 ms and the histogram's rounding, inside the 5 % or 2 ms). Above, each request
/// waits on three wake-ups (the server's timer, its write, the client's read); with two CPU hogs on
/// two cores, each wake-up can wait a scheduler slice for a core (CFS: up to 12 ms on 2 CPUs), so a
/// figure may sit some 36 ms high at worst. Measured with `stress-ng --cpu 2` beside the suite: p95
/// +7 to +9 ms, p50 +5 to +7 ms. 25 ms keeps the test about the measurement (a doubled or missing
/// phase is off by 80 ms), not about how busy the machine is.
const STALL_MS: f64 = 25.0;

fn close(measured: f64, injected: f64, what: &str) {
    let tolerance = (injected * 0.05).max(2.0);
    // Shown with --nocapture: the figures the closing note quotes.
    eprintln!("{what}: measured {measured} ms, injected {injected} ms");
    assert!(
        measured >= injected - tolerance && measured <= injected + tolerance + STALL_MS,
        "{what}: measured {measured} ms, injected {injected} ms (at most {tolerance} ms below, {} ms above)",
        tolerance + STALL_MS
    );
}

async fn bed() -> (Testbed, Net) {
    bed_with(Inbox::new()).await
}

async fn bed_with(inbox: Inbox) -> (Testbed, Net) {
    let api = Answer::ok("{\"ok\":true}")
        .with_path("/messages", Answer::Inbox(inbox))
        .with_path("/fixed", Answer::Delayed { delays: Delays::new(vec![80]), then: Box::new(Answer::ok("{}")) })
        .with_path("/spread", Answer::Delayed { delays: Delays::new((40..140).collect()), then: Box::new(Answer::ok("{}")) })
        .with_path("/hung", Answer::Hang)
        .with_path("/chat", Answer::Stream { first_ms: 250, gap_ms: 20, events: (0..5).map(|i| format!("{{\"token\":{i}}}")).collect() });
    let site = Site::serving(&format!("api.{D}"), api);
    let bed = Testbed::start(Product::healthy(D, &[""]).site(site)).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    (bed, net)
}

fn probe(path: &str, kind: Option<Kind>) -> Probe {
    Probe::new(Url::parse(&format!("https://api.{D}{path}")).expect("url"), "GET", kind)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_delay_is_measured_within_five_percent_cold_and_warm() {
    let (_bed, net) = bed().await;
    let m = measure(&net, &probe("/fixed", None), Plan { cold: 5, warm: 30 }).await;
    let warm = m.warm.as_ref().expect("warm samples");
    assert_eq!(warm.samples, 30);
    close(warm.p50_ms, 80.0, "warm p50");
    close(warm.p95_ms, 80.0, "warm p95");
    let cold = m.cold.as_ref().expect("cold samples");
    assert!(cold.p50_ms >= warm.p50_ms, "a new connection costs more than a reused one");
    close(m.phases.ttfb_ms, 80.0, "time to first byte");
    assert_eq!(m.verdict, Verdict::FastEnough, "{}", m.says);
    assert!(m.says.contains("(target 400 ms"), "{}", m.says);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_distribution_gives_its_percentiles() {
    let (_bed, net) = bed().await;
    // 100 warm requests see each delay of 40..=139 ms exactly once (the untimed opener takes one
    // turn, so the cycle is shifted by one, which does not change the set).
    let m = measure(&net, &probe("/spread", None), Plan { cold: 0, warm: 100 }).await;
    let w = m.warm.as_ref().expect("warm");
    close(w.p50_ms, 89.0, "p50 of 40..139");
    close(w.p95_ms, 134.0, "p95 of 40..139");
    close(w.max_ms, 139.0, "max");
    assert!(w.warnings.is_empty(), "100 samples are enough for p99: {:?}", w.warnings);
    assert_eq!(m.histogram.iter().map(|b| b.count).sum::<u32>(), 100, "each request in one bar: {:?}", m.histogram);
    let first = m.histogram.first().map_or(0.0, |b| b.from_ms);
    // The fastest request is the 40 ms delay plus this machine's own time for one request.
    assert!((40.0..47.0).contains(&first), "the first bar starts at the fastest request: {first} ms");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_never_answers_is_given_up_on_quickly() {
    let (bed, _) = bed().await;
    let mut config = bed.net_config();
    config.timeouts.http = std::time::Duration::from_millis(300);
    let net = Net::new(config).await.expect("net");
    let started = std::time::Instant::now();
    let m = measure(&net, &probe("/hung", None), Plan { cold: 10, warm: 50 }).await;
    assert_eq!(m.verdict, Verdict::Unknown, "no answer at all is not a verdict on the server: {}", m.says);
    assert_eq!(m.errors, 3, "three unanswered requests are enough to tell: {}", m.says);
    assert!(m.says.contains("could not be measured"), "{}", m.says);
    assert!(started.elapsed().as_secs_f64() < 5.0, "not 60 deadlines: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_answer_is_judged_on_its_first_token() {
    let (_bed, net) = bed().await;
    let m = measure(&net, &probe("/chat", Some(Kind::StreamingChat)), Plan { cold: 0, warm: 10 }).await;
    let first = m.first_token.as_ref().expect("first token");
    close(first.p50_ms, 250.0, "first token");
    let whole = m.warm.as_ref().expect("whole answer");
    close(whole.p50_ms, 330.0, "the whole stream: 250 + 4 × 20");
    assert!(m.says.contains("its first token"), "{}", m.says);
    assert!(first.warnings.iter().any(|w| w.contains("p95 from 10 requests")), "a small sample is said to be one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_answers_are_failing_not_fast() {
    let (_bed, net) = bed().await;
    let mut p = probe("/fixed", None);
    p.expect_status = Some(201);
    let m = measure(&net, &p, Plan { cold: 1, warm: 5 }).await;
    assert_eq!(m.verdict, Verdict::Failing, "{}", m.says);
    assert!(m.says.contains("wrong answer (status 200)"), "{}", m.says);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_template_sends_a_new_message_each_time() {
    let inbox = Inbox::new();
    let (_bed, net) = bed_with(inbox.clone()).await;
    let mut p = Probe::new(Url::parse(&format!("https://api.{D}/messages")).expect("url"), "POST", Some(Kind::ChatSend));
    p.body = Some("{\"text\":\"hello {{n}}\",\"id\":\"{{random}}\"}".into());
    let m = measure(&net, &p, Plan { cold: 2, warm: 5 }).await;
    assert_eq!(m.verdict, Verdict::FastEnough, "{}", m.says);
    let bodies: Vec<String> = inbox.received().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 8, "2 cold, the untimed opener and 5 warm: {bodies:?}");
    assert!(bodies[0].starts_with("{\"text\":\"hello 1\",\"id\":\""), "{}", bodies[0]);
    let distinct: std::collections::HashSet<&String> = bodies.iter().collect();
    assert_eq!(distinct.len(), bodies.len(), "no two messages alike: {bodies:?}");
    assert!(bodies.iter().all(|b| !b.contains("{{")), "every placeholder filled: {bodies:?}");
}
