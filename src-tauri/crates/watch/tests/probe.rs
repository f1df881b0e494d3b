//! Each kind of probe and the connectivity guard against the testbed's servers.

use preflight_core::monitor::ProbeSpec;
use preflight_testbed::{Answer, HostileServer, Misbehaviour, Product, Site, Testbed};
use preflight_watch::guard::{ask, Reference};
use preflight_watch::probe::{run, Note};
use preflight_watch::state::{Cause, Network, Probe};

#[tokio::test]
async fn each_failure_keeps_its_cause() {
    let d = "watch.test";
    let broken = Answer::Page { status: 503, headers: vec![], body: "maintenance".into() };
    let health = Answer::page(&[("content-type", "application/json")], r#"{"status":"degraded"}"#);
    let product = Product::healthy(d, &["", "api"])
        .site(Site { https: broken, ..Site::healthy(&format!("api.{d}")) })
        .site(Site { https: Answer::secure("home").with_path("/health", health), ..Site::healthy(d) });
    let bed = Testbed::start(product).await.expect("testbed");
    let net = bed.net().await.expect("net");
    let probe = |spec: ProbeSpec| {
        let net = net.clone();
        async move { run(&net, &spec, None, &[]).await }
    };

    let ok = probe(ProbeSpec::get("https://watch.test/")).await;
    assert_eq!(ok.probe, Probe::Ok);
    assert!(ok.latency_ms.is_some());
    assert_eq!(probe(ProbeSpec::get("https://api.watch.test/")).await.probe, Probe::Failed(Cause::Status { code: 503 }));
    let mut keyword = ProbeSpec::get("https://watch.test/");
    if let ProbeSpec::Http { keyword: k, .. } = &mut keyword {
        *k = Some("Welcome".into());
    }
    assert_eq!(probe(keyword).await.probe, Probe::Failed(Cause::Keyword));
    let mut json = ProbeSpec::get("https://watch.test/health");
    if let ProbeSpec::Http { json_field, json_equals, .. } = &mut json {
        *json_field = Some("status".into());
        *json_equals = Some("ok".into());
    }
    assert_eq!(probe(json).await.probe, Probe::Failed(Cause::Json));
    assert_eq!(probe(ProbeSpec::get("https://nowhere.watch.test/")).await.probe, Probe::Failed(Cause::Dns));

    let cert = probe(ProbeSpec::Cert { host: d.into(), port: 443 }).await;
    assert_eq!(cert.probe, Probe::Ok);
    assert!(matches!(cert.note, Some(Note::CertDays(days)) if days > 21), "{:?}", cert.note);

    let records = probe(ProbeSpec::Dns { name: format!("api.{d}"), record: "A".into(), expect: vec!["127.0.0.1".into()] }).await;
    assert_eq!(records.probe, Probe::Ok);
    let drifted = probe(ProbeSpec::Dns { name: format!("api.{d}"), record: "A".into(), expect: vec!["192.0.2.7".into()] }).await;
    assert_eq!(drifted.probe, Probe::Failed(Cause::Drift));
    assert_eq!(drifted.note, Some(Note::Records(vec!["127.0.0.1".into()])));
}

#[tokio::test]
async fn a_domain_monitor_notes_days_left_goes_down_once_lapsed_and_never_on_a_silent_registry() {
    use preflight_testbed::rdap::{self, Registration};
    let probe_with = |registration: Option<Registration>| async move {
        let d = "domainwatch.test";
        let mut product = Product::healthy(d, &[""]);
        match registration {
            Some(r) => product = product.site(rdap::serving(d, &r)),
            None => product = product.site(rdap::site(d, Answer::Page { status: 503, headers: vec![], body: "down".into() })),
        }
        let bed = Testbed::start(product).await.expect("testbed");
        let net = bed.net().await.expect("net");
        run(&net, &ProbeSpec::Domain { domain: d.into() }, None, &[]).await
    };
    let soon = probe_with(Some(Registration::expiring(12, &["client transfer prohibited"]))).await;
    assert_eq!(soon.probe, Probe::Ok);
    assert_eq!(soon.note, Some(Note::DomainDays(12)));
    let renewing = probe_with(Some(Registration::expiring(12, &["auto renew period"]))).await;
    assert_eq!(renewing.note, None, "a domain that renews on its own is not counted down");
    let lapsed = probe_with(Some(Registration::expiring(-3, &["redemption period"]))).await;
    assert_eq!(lapsed.probe, Probe::Failed(Cause::Lapsed { state: "redemption period".into() }));
    let silent = probe_with(None).await;
    assert_eq!((silent.probe, silent.note), (Probe::Ok, None), "the registry's silence is not the product's downtime");
}

#[tokio::test]
async fn the_guard_says_offline_only_when_no_reference_answers() {
    let bed = Testbed::start(Product::healthy("ref.test", &[""])).await.expect("testbed");
    let net = bed.net().await.expect("net");
    let up = Reference::parse("https://ref.test/").expect("reference");
    let silent = HostileServer::start(Misbehaviour::Silent).await.expect("silent");
    let mut cfg = bed.net_config();
    cfg.timeouts.http = std::time::Duration::from_millis(300);
    cfg.timeouts.tls = std::time::Duration::from_millis(300);
    let quick = preflight_core::Net::new(cfg).await.expect("net");
    let dead = Reference::parse(&format!("http://127.0.0.1:{}/", silent.addr.port())).expect("reference");
    let closed = Reference::parse("127.0.0.1:1").expect("reference");
    assert_eq!(ask(&net, &[up.clone(), dead.clone()]).await, Network::Online, "one answering reference is enough");
    assert_eq!(ask(&quick, &[dead, closed]).await, Network::Offline);
    assert_eq!(ask(&quick, &[]).await, Network::Offline, "no reference proves nothing");
    let dns = Reference::parse(&format!("{}", bed.web.https_addr)).expect("reference");
    assert_eq!(ask(&net, &[dns]).await, Network::Online, "a port that accepts is enough");
}
