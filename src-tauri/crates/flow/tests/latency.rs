//! Latency through the flow, on a real SQLite file and a testbed product: each measurement is
//! stored under its public address next to the run before it, the app's cards are the product's
//! addresses only, and the launch checklist reads them as `performance.p95`, never failing an
//! address it could not reach.

use preflight_checklist::ItemState;
use preflight_core::{Domain, Status};
use preflight_flow::{Flow, Host};
use preflight_latency::{Plan, Probe, Verdict};
use preflight_testbed::web::{Delays, Switch};
use preflight_testbed::{Answer, Product, Site, Testbed};
use std::path::PathBuf;
use std::sync::Arc;
use url::Url;

struct Dir(PathBuf);

impl Host for Dir {
    fn data_dir(&self) -> Option<PathBuf> {
        Some(self.0.clone())
    }
}

fn probe(url: &str) -> Probe {
    Probe::new(Url::parse(url).expect("url"), "GET", None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measurements_are_kept_compared_and_read_by_the_checklist() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(Product::healthy("quick.test", &[""])).await.expect("testbed");
    let flow = Flow::new(Arc::new(Dir(dir.path().to_owned())), Ok(bed.net_config()));
    let net = flow.net().await.expect("net");
    let plan = Plan { cold: 2, warm: 10 };
    let domain = Domain::parse("quick.test").expect("valid");

    let first = flow.measure_endpoint(&net, &probe("https://quick.test/?token=s3cret"), plan, true).await;
    assert_eq!(first.latest.measurement.verdict, Verdict::FastEnough, "{}", first.latest.measurement.says);
    assert_eq!(first.latest.measurement.url, "https://quick.test/", "the query never leaves the request");
    assert!(!first.latest.measurement.says.contains("s3cret") && !first.latest.measurement.name.contains("s3cret"));
    assert!(first.previous.is_none() && first.not_saved.is_none());
    let second = flow.measure_endpoint(&net, &probe("https://quick.test/"), plan, true).await;
    assert_eq!(second.previous.map(|p| p.measurement.url).as_deref(), Some("https://quick.test/"), "the first run is \"before\"");
    let unsaved = flow.measure_endpoint(&net, &probe("https://quick.test/"), plan, false).await;
    assert!(unsaved.previous.is_some());
    let cards = flow.latency_cards(&domain).expect("cards");
    for file in ["preflight.sqlite3", "preflight.sqlite3-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains("s3cret"), "the token is not in {file}");
    }
    assert_eq!(cards.len(), 1, "one address, measured twice and saved twice");
    assert!(cards[0].previous.is_some());

    let list = flow.checklist(&domain).expect("checklist");
    let item = list.item("speed.p95").expect("item");
    assert_eq!(item.state, ItemState::Done, "{:?}", item.evidence);
    assert!(item.evidence.iter().all(|e| e.check == "performance.p95" && e.checked_at_ms.is_some()));

    // A name of the product that does not resolve: could not look, so the item cannot be done,
    // and it is never called too slow.
    let gone = flow.measure_endpoint(&net, &probe("https://gone.quick.test/"), plan, true).await;
    assert_eq!(gone.latest.measurement.verdict, Verdict::Unknown, "{}", gone.latest.measurement.says);
    assert_eq!(gone.latest.measurement.errors, 1, "a name that does not exist is asked about once, not sixty times");
    // An address of another product is not this one's evidence.
    flow.measure_endpoint(&net, &probe("https://other.test/"), Plan { cold: 1, warm: 1 }, true).await;
    assert_eq!(flow.latency_cards(&domain).expect("cards").len(), 2);
    let list = flow.checklist(&domain).expect("checklist");
    let item = list.item("speed.p95").expect("item");
    let statuses: Vec<Status> = item.evidence.iter().map(|e| e.status).collect();
    assert_eq!(statuses.len(), 2, "{:?}", item.evidence);
    assert!(statuses.contains(&Status::Error) && !statuses.contains(&Status::Fail), "{statuses:?}");
    assert_ne!(item.state, ItemState::Done);
    assert_ne!(item.state, ItemState::NotDone);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_check_measures_again_and_announces_a_slowdown_once() {
    let dir = tempfile::tempdir().expect("temp");
    let switch = Switch::new();
    let slow = Answer::Delayed { delays: Delays::new(vec![150]), then: Box::new(Answer::ok("<h1>Log in</h1>")) };
    let app = Site::serving("app.slow.test", switch.between(Answer::ok("<h1>Log in</h1>"), slow));
    let bed = Testbed::start(Product::healthy("slow.test", &[""]).site(app)).await.expect("testbed");
    let flow = Flow::new(Arc::new(Dir(dir.path().to_owned())), Ok(bed.net_config()));
    let net = flow.net().await.expect("net");
    let domain = Domain::parse("slow.test").expect("valid");
    let mut login = probe("https://app.slow.test/login");
    login.target_ms = 100;
    let first = flow.measure_endpoint(&net, &login, Plan { cold: 2, warm: 10 }, true).await;
    assert_eq!(first.latest.measurement.verdict, Verdict::FastEnough, "{}", first.latest.measurement.says);
    assert!(flow.speed_news(&domain).await.expect("news").is_empty(), "still fast: nothing to say");

    switch.alternate();
    let news = flow.speed_news(&domain).await.expect("news");
    assert_eq!(news.len(), 1, "{news:?}");
    let said = news[0].strip_prefix("https://app.slow.test/login has slowed down: p95 ").unwrap_or_else(|| panic!("{}", news[0]));
    let p95: f64 = said.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("a figure in ms: {}", news[0]));
    // The injected 150 ms bounds it from below; a loaded 2-core machine only adds (a wake-up that
    // waits out other tasks' time slices), so the room above is for stalls, not for a wrong figure.
    assert!((150.0..250.0).contains(&p95), "p95 {p95} ms for an injected 150 ms: {}", news[0]);
    assert!(news[0].ends_with("over its 100 ms target"), "the stored target is kept: {}", news[0]);
    assert!(flow.speed_news(&domain).await.expect("news").is_empty(), "said once, not every day");
    let cards = flow.latency_cards(&domain).expect("cards");
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].latest.measurement.verdict, Verdict::TooSlow, "the checklist sees the slowdown");
}
