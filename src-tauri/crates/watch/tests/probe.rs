//! The HTTP probe and the connectivity guard against the testbed's servers.

use preflight_testbed::{Answer, HostileServer, Misbehaviour, Product, Site, Testbed};
use preflight_watch::probe::{guard, http, HttpMonitor};
use preflight_watch::state::{Cause, Network, Probe};
use url::Url;

fn monitor(url: &str) -> HttpMonitor {
    HttpMonitor { name: "home".into(), url: Url::parse(url).expect("url"), expect_status: None, keyword: None, max_latency_ms: None }
}

#[tokio::test]
async fn each_failure_keeps_its_cause() {
    let d = "watch.test";
    let broken = Answer::Page { status: 503, headers: vec![], body: "maintenance".into() };
    let product = Product::healthy(d, &["", "api"]).site(Site { https: broken, ..Site::healthy(&format!("api.{d}")) });
    let bed = Testbed::start(product).await.expect("testbed");
    let net = bed.net().await.expect("net");

    let (ok, ms) = http(&net, &monitor("https://watch.test/")).await;
    assert_eq!(ok, Probe::Ok);
    assert!(ms.is_some());
    assert_eq!(http(&net, &monitor("https://api.watch.test/")).await.0, Probe::Failed(Cause::Status { code: 503 }));
    let keyword = HttpMonitor { keyword: Some("Welcome".into()), ..monitor("https://watch.test/") };
    assert_eq!(http(&net, &keyword).await.0, Probe::Failed(Cause::Keyword));
    assert_eq!(http(&net, &monitor("https://nowhere.watch.test/")).await.0, Probe::Failed(Cause::Dns));
}

#[tokio::test]
async fn the_guard_says_offline_only_when_no_reference_answers() {
    let bed = Testbed::start(Product::healthy("ref.test", &[""])).await.expect("testbed");
    let net = bed.net().await.expect("net");
    let up = Url::parse("https://ref.test/").expect("url");
    let silent = HostileServer::start(Misbehaviour::Silent).await.expect("silent");
    let mut cfg = bed.net_config();
    cfg.timeouts.http = std::time::Duration::from_millis(300);
    cfg.timeouts.tls = std::time::Duration::from_millis(300);
    let quick = preflight_core::Net::new(cfg).await.expect("net");
    let dead = Url::parse(&format!("http://127.0.0.1:{}/", silent.addr.port())).expect("url");
    assert_eq!(guard(&net, &[up.clone(), dead.clone()]).await, Network::Online, "one answering reference is enough");
    assert_eq!(guard(&quick, &[dead]).await, Network::Offline);
    assert_eq!(guard(&quick, &[]).await, Network::Offline, "no reference proves nothing");
}
