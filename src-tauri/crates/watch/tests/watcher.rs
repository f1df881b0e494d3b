//! The whole watcher on a compressed clock against the testbed's real servers: a two-minute outage
//! is told exactly once each way, a flapping endpoint stays quiet, an offline laptop and a sleep
//! cause no DOWN, and the outage lands in the history.

mod common;

use common::{notices, until};
use preflight_core::monitor::{MonitorSpec, ProbeSpec};
use preflight_core::Net;
use preflight_store::{Store, WatchOp};
use preflight_testbed::{Answer, Product, Site, Switch, Testbed};
use preflight_watch::{Clock, Event, FastClock, Monitor, NoticeKind, Reference, Settings, State, Watcher};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// One real second is a minute of watcher time.
const SPEED: u64 = 60;
const DOMAIN: &str = "outage.test";

struct Bed {
    _bed: Testbed,
    net: Net,
    site: Switch,
    reference: Switch,
}

async fn bed() -> Bed {
    let (site, reference) = (Switch::new(), Switch::new());
    let product = Product::healthy(DOMAIN, &["", "ref"])
        .site(Site { https: site.around(Answer::secure("home")), ..Site::healthy(DOMAIN) })
        .site(Site { https: reference.around(Answer::ok("reference")), ..Site::healthy(&format!("ref.{DOMAIN}")) });
    let bed = Testbed::start(product).await.expect("testbed");
    let mut cfg = bed.net_config();
    // A hung reference must read as offline quickly.
    for t in [&mut cfg.timeouts.connect, &mut cfg.timeouts.tls, &mut cfg.timeouts.http] {
        *t = Duration::from_millis(400);
    }
    let net = Net::new(cfg).await.expect("net");
    Bed { _bed: bed, net, site, reference }
}

fn monitors(n: usize) -> Vec<Monitor> {
    (0..n)
        .map(|i| {
            Monitor::new(
                i as i64 + 1,
                DOMAIN,
                MonitorSpec { name: format!("Home {i}"), interval_secs: 10, probe: ProbeSpec::get(&format!("https://{DOMAIN}/")) },
            )
        })
        .collect()
}

fn settings() -> Settings {
    Settings::new(vec![Reference::parse(&format!("https://ref.{DOMAIN}/")).expect("reference")])
}

/// Collects for a while of watcher time (the clock is compressed, the wait is real).
async fn for_a_while(rx: &mut UnboundedReceiver<Event>, seen: &mut Vec<Event>, watcher_secs: u64) {
    let _ = until(rx, seen, 0, |_| false).await;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(watcher_secs * 1000 / SPEED);
    while let Ok(Some(e)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        seen.push(e);
    }
}

fn went(seen: &[Event], to: State) -> usize {
    seen.iter().filter(|e| matches!(e, Event::Changed { to: t, .. } if *t == to)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_minute_outage_is_told_once_down_and_once_up_and_recorded() {
    let b = bed().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let spec = monitors(1).remove(0).spec;
    let id = store.watch(WatchOp::SaveMonitor { domain: DOMAIN.into(), spec: Box::new(spec.clone()) }).expect("saved");
    let clock = Arc::new(FastClock::new(1_700_000_000_000, SPEED));
    let mut s = settings();
    s.store = Some(store.clone());
    let (watcher, mut rx) = Watcher::start(b.net.clone(), clock.clone(), vec![Monitor::new(id, DOMAIN, spec)], s);
    let mut seen = Vec::new();
    assert!(until(&mut rx, &mut seen, 10, |s| s.iter().filter(|e| matches!(e, Event::Sample { ok: true, .. })).count() >= 2).await);

    b.site.fail();
    let failed_at = clock.now_ms();
    assert!(until(&mut rx, &mut seen, 20, |s| notices(s, NoticeKind::Down) == 1).await, "DOWN is told: {seen:#?}");
    let down_after = clock.now_ms() - failed_at;
    assert!(down_after <= 60_000, "confirmed within a minute of watcher time, by quick re-probes: {down_after} ms");
    // The rest of the two minutes.
    for_a_while(&mut rx, &mut seen, 120 - down_after / 1000).await;
    b.site.serve();
    assert!(until(&mut rx, &mut seen, 20, |s| notices(s, NoticeKind::Up) == 1).await, "recovery is told: {seen:#?}");
    for_a_while(&mut rx, &mut seen, 120).await;
    assert_eq!((notices(&seen, NoticeKind::Down), notices(&seen, NoticeKind::Up)), (1, 1), "exactly once each way: {seen:#?}");
    let up = seen.iter().find_map(|e| match e {
        Event::Notice(n) if n.kind == NoticeKind::Up => Some(n.body.clone()),
        _ => None,
    });
    assert!(up.is_some_and(|b| b.starts_with("It was down for 2 min")), "{seen:#?}");
    assert_eq!(watcher.states()[0].2, State::Up);
    drop(watcher);

    store.flush().expect("flushed");
    let incidents = store.incidents(Some(id), 10).expect("incidents");
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    let lasted = incidents[0].ended_at_ms.expect("closed") - incidents[0].started_at_ms;
    assert!((110_000..=150_000).contains(&lasted), "the incident lasted about two minutes: {lasted} ms");
    assert_eq!(incidents[0].cause, "answered with error 503");
    let window = store.window(&[id], 0, i64::MAX / 2).expect("window");
    assert!(window.failures >= 3 && window.probes > window.failures, "{window:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flapping_endpoint_does_not_flood() {
    let b = bed().await;
    let clock = Arc::new(FastClock::new(1_700_000_000_000, SPEED));
    let (watcher, mut rx) = Watcher::start(b.net.clone(), clock, monitors(3), settings());
    let flip = tokio::spawn({
        let site = b.site.clone();
        async move {
            // Up 15 s, down 15 s (watcher time), for five minutes: never three failures in a row.
            for i in 0..20 {
                if i % 2 == 0 {
                    site.fail()
                } else {
                    site.serve()
                }
                tokio::time::sleep(Duration::from_millis(15_000 / SPEED)).await;
            }
            site.serve();
        }
    });
    let mut seen = Vec::new();
    for_a_while(&mut rx, &mut seen, 300).await;
    let _ = flip.await;
    assert!(went(&seen, State::Pending) > 0, "the flapping was seen: {seen:#?}");
    assert_eq!(notices(&seen, NoticeKind::Down) + notices(&seen, NoticeKind::Up), 0, "no flood: {seen:#?}");
    drop(watcher);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_and_a_sleep_cause_no_down() {
    let b = bed().await;
    let clock = Arc::new(FastClock::new(1_700_000_000_000, SPEED));
    let (watcher, mut rx) = Watcher::start(b.net.clone(), clock.clone(), monitors(2), settings());
    let mut seen = Vec::new();
    assert!(until(&mut rx, &mut seen, 10, |s| s.iter().filter(|e| matches!(e, Event::Sample { .. })).count() >= 2).await);

    // Offline: the product and the reference both stop answering, for five minutes.
    b.site.hang();
    b.reference.hang();
    assert!(until(&mut rx, &mut seen, 20, |s| went(s, State::Paused) == 2).await, "paused: {seen:#?}");
    assert!(seen.iter().any(|e| matches!(e, Event::Network { online: false, .. })));
    for_a_while(&mut rx, &mut seen, 300).await;
    assert_eq!(watcher.overall(), preflight_watch::Overall::Paused);
    b.site.serve();
    b.reference.serve();
    assert!(until(&mut rx, &mut seen, 20, |s| went(s, State::Up) == 2).await, "back: {seen:#?}");

    // A sleep: the wall clock jumps an hour; the site fails for the first 40 s after waking (the
    // Wi-Fi reconnecting) while the reference already answers.
    clock.jump(3_600_000);
    b.site.fail();
    for_a_while(&mut rx, &mut seen, 40).await;
    b.site.serve();
    for_a_while(&mut rx, &mut seen, 120).await;
    assert_eq!(went(&seen, State::Down), 0, "never DOWN: {seen:#?}");
    assert_eq!(seen.iter().filter(|e| matches!(e, Event::Notice(_))).count(), 0, "nothing told: {seen:#?}");
    drop(watcher);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_build_going_live_is_noticed_as_one_deploy() {
    let build = Switch::new();
    let page = |asset: &str| Answer::ok(&format!("<h1>Acme</h1><script src=\"/assets/index-{asset}.js\"></script>"));
    let version = |v: &str| Answer::page(&[("content-type", "application/json")], &format!("{{\"status\":\"ok\",\"version\":\"{v}\"}}"));
    let product = Product::healthy(DOMAIN, &["", "ref", "api"])
        .site(Site { https: build.between(page("Ab12Cd34"), page("Zz98Yy76")), ..Site::healthy(DOMAIN) })
        .site(Site { https: build.between(version("1.0.0"), version("1.1.0")), ..Site::healthy(&format!("api.{DOMAIN}")) });
    let bed = Testbed::start(product).await.expect("testbed");
    let net = bed.net().await.expect("net");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let mut monitors = Vec::new();
    for (name, url) in [("Home page", format!("https://{DOMAIN}/")), ("API", format!("https://api.{DOMAIN}/version"))] {
        let spec = MonitorSpec { name: name.into(), interval_secs: 10, probe: ProbeSpec::get(&url) };
        let id = store.watch(WatchOp::SaveMonitor { domain: DOMAIN.into(), spec: Box::new(spec.clone()) }).expect("saved");
        monitors.push(Monitor::new(id, DOMAIN, spec));
    }
    let mut s = settings();
    s.store = Some(store.clone());
    // The paths run once per deploy; their words come back as a notice.
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = runs.clone();
    let after: preflight_watch::AfterDeploy = Arc::new(move |domain: String, _at: u64, version: String| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move { Some((format!("Deploy of {domain}: sign-in works"), format!("Sign in works after {version}."))) })
    });
    s.after_deploy = Some(after);
    let (watcher, mut rx) = Watcher::start(net, Arc::new(FastClock::new(1_700_000_000_000, SPEED)), monitors, s);
    let mut seen = Vec::new();
    assert!(until(&mut rx, &mut seen, 10, |s| s.iter().filter(|e| matches!(e, Event::Sample { ok: true, .. })).count() >= 4).await);
    assert!(!seen.iter().any(|e| matches!(e, Event::Deploy { .. })), "the first build seen is not a deploy");
    build.alternate();
    assert!(until(&mut rx, &mut seen, 10, |s| s.iter().any(|e| matches!(e, Event::Deploy { .. }))).await, "{seen:#?}");
    for_a_while(&mut rx, &mut seen, 60).await;
    let deploys: Vec<_> = seen.iter().filter(|e| matches!(e, Event::Deploy { .. })).collect();
    assert_eq!(deploys.len(), 1, "both monitors saw it; it is one deploy: {deploys:#?}");
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1, "the paths ran once for the one deploy");
    assert_eq!(notices(&seen, NoticeKind::Paths), 1, "their result is told: {seen:#?}");
    drop(watcher);
    store.flush().expect("flushed");
    let stored = store.deploys(DOMAIN, 5).expect("deploys");
    assert_eq!((stored.len(), stored[0].source.as_str()), (1, "detected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_breaks_goes_down_by_the_confirm_rules_with_its_step_and_one_that_cannot_run_says_nothing() {
    let b = bed().await;
    let walks = Arc::new(std::sync::Mutex::new(Vec::<(String, u64)>::new()));
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clock = Arc::new(FastClock::new(1_700_000_000_000, SPEED));
    let (seen_walks, is_broken, walk_clock) = (walks.clone(), broken.clone(), clock.clone());
    let walker: preflight_watch::Walker = Arc::new(move |_domain: String, name: String| {
        if let Ok(mut w) = seen_walks.lock() {
            w.push((name.clone(), walk_clock.now_ms()));
        }
        let walked = match (name.as_str(), is_broken.load(std::sync::atomic::Ordering::SeqCst)) {
            ("No keys", _) => preflight_watch::Walked::Unknown("the key `test-password` is not in this computer's keychain".into()),
            (_, true) => preflight_watch::Walked::Broke("Chat: step 2 (Send a message) answered with error 500".into()),
            (_, false) => preflight_watch::Walked::Works { ms: 420 },
        };
        Box::pin(async move { walked })
    });
    let mut s = settings();
    s.walker = Some(walker);
    let spec = |name: &str| MonitorSpec {
        name: name.into(),
        interval_secs: 60,
        probe: ProbeSpec::Flow { domain: DOMAIN.into(), flow: name.into() },
    };
    let monitors = vec![Monitor::new(1, DOMAIN, spec("Chat")), Monitor::new(2, DOMAIN, spec("No keys"))];
    let (watcher, mut rx) = Watcher::start(b.net.clone(), clock.clone(), monitors, s);
    let mut seen = Vec::new();
    assert!(
        until(&mut rx, &mut seen, 20, |s| s
            .iter()
            .any(|e| matches!(e, Event::Sample { monitor_id: 1, ok: true, latency_ms: Some(420), .. })))
        .await
    );
    broken.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(until(&mut rx, &mut seen, 30, |s| notices(s, NoticeKind::Down) == 1).await, "a broken path is DOWN: {seen:#?}");
    let cause = seen.iter().find_map(|e| match e {
        Event::Changed { monitor_id: 1, to: State::Down, cause, .. } => cause.clone(),
        _ => None,
    });
    assert!(cause.is_some_and(|c| c.contains("step 2 (Send a message)")), "the failing step is the cause: {seen:#?}");
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Sample { monitor_id: 2, .. } | Event::Changed { monitor_id: 2, .. })),
        "a path that cannot run says nothing"
    );
    drop(watcher);
    let times = walks.lock().expect("walks").clone();
    for name in ["Chat", "No keys"] {
        let at: Vec<u64> = times.iter().filter(|(n, _)| n == name).map(|(_, t)| *t).collect();
        assert!(at.len() >= 2, "{name} was walked: {times:?}");
        for w in at.windows(2) {
            assert!(w[1] - w[0] >= 59_000, "a path is walked at most every minute, even to confirm a failure: {name} {at:?}");
        }
    }
}
