//! The key a monitor names reaches only its own product, whatever the stored row says: a row that
//! aims it at another host (saved before the rule, or edited behind the engine's back) is probed
//! without it, and the product's own address gets it in the header the monitor names.

use preflight_core::monitor::{MonitorSpec, ProbeSpec};
use preflight_core::net::ConnectTo;
use preflight_core::Net;
use preflight_testbed::{Answer, Inbox, Product, Site, Testbed};
use preflight_watch::{Event, Monitor, Reference, Settings, SystemClock, Watcher};
use std::sync::Arc;
use std::time::Duration;

const DOMAIN: &str = "keyed.test";
const STRANGER: &str = "stranger.test";
const PLANTED: &str = "pl4nted-monitor-key-0042";

fn keyed(name: &str, url: &str, header: Option<&str>) -> MonitorSpec {
    let mut probe = ProbeSpec::get(url);
    if let ProbeSpec::Http { secret, secret_header, .. } = &mut probe {
        *secret = Some("api-token".into());
        *secret_header = header.map(str::to_owned);
    }
    MonitorSpec { name: name.into(), interval_secs: 1, probe }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_key_is_sent_to_its_product_only() {
    let (own, foreign, plain) = (Inbox::new(), Inbox::new(), Inbox::new());
    let product = Product::healthy(DOMAIN, &["", "api", "ref"])
        .site(Site::serving(&format!("api.{DOMAIN}"), Answer::Inbox(own.clone())))
        .site(Site { http: Answer::Inbox(plain.clone()), ..Site::healthy(&format!("ref.{DOMAIN}")) })
        .site(Site::serving(STRANGER, Answer::Inbox(foreign.clone())));
    let bed = Testbed::start(product).await.expect("testbed");
    // The stranger is not in the product's zone: route it to the same loopback listener, which
    // answers it with its own certificate.
    let mut cfg = bed.net_config();
    let https_port = cfg.route(DOMAIN, 443).1;
    cfg.connect_to.insert(
        0,
        ConnectTo { host: Some(STRANGER.into()), port: Some(443), to_host: Some(format!("api.{DOMAIN}")), to_port: Some(https_port) },
    );
    let net = Net::new(cfg).await.expect("net");
    let monitors = vec![
        Monitor::new(1, DOMAIN, keyed("own", &format!("https://api.{DOMAIN}/health"), Some("x-api-key"))),
        Monitor::new(2, DOMAIN, keyed("foreign", &format!("https://{STRANGER}/health"), None)),
        Monitor::new(3, DOMAIN, keyed("plain http", &format!("http://ref.{DOMAIN}/health"), None)),
    ];
    let mut settings = Settings::new(vec![Reference::parse(&format!("https://ref.{DOMAIN}/")).expect("reference")]);
    settings.secrets = Some(Arc::new(|product: &str, name: &str| (product == DOMAIN && name == "api-token").then(|| PLANTED.to_owned())));
    let (watcher, mut rx) = Watcher::start(net, Arc::new(SystemClock), monitors, settings);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while own.received().is_empty() || foreign.received().is_empty() || plain.received().is_empty() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Event::Sample { .. })) | Ok(Some(_)) => {}
            Ok(None) | Err(_) => panic!("every monitor should have probed within 20 s"),
        }
    }
    drop(watcher);
    let carries = |inbox: &Inbox| inbox.received().iter().any(|r| r.headers.iter().any(|(_, v)| v.contains(PLANTED)));
    let own_got = own.received();
    assert!(
        own_got.iter().all(|r| r.headers.iter().any(|(k, v)| k == "x-api-key" && v == PLANTED)),
        "the product's own address gets the key in the header it names, without a Bearer prefix: {own_got:?}"
    );
    assert!(!carries(&foreign), "another host never gets the key: {:?}", foreign.received());
    assert!(!carries(&plain), "plain http never carries the key: {:?}", plain.received());
}
