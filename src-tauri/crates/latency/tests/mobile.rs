//! The mobile view against a testbed product whose address redirects twice (http to https, then
//! the root to www) before its page, and whose screen then calls an API on another host.

use preflight_core::net::Net;
use preflight_latency::{first_visit, MOBILE_RTT_MS};
use preflight_testbed::{Answer, CertKind, Product, Site, Testbed};
use url::Url;

const D: &str = "phone.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_and_a_second_host_are_counted_and_named() {
    let site = |host: &str, https: Answer| Site {
        host: host.to_owned(),
        cert: Some(CertKind::Valid),
        http: Answer::redirect(&format!("https://{host}")),
        https,
    };
    let product = Product::healthy(D, &[""])
        .site(site(D, Answer::redirect(&format!("https://www.{D}"))))
        .site(site(&format!("www.{D}"), Answer::ok("<h1>Chat</h1>")))
        .site(site(&format!("api.{D}"), Answer::ok("{\"session\":null}")));
    let bed = Testbed::start(product).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    let start = Url::parse(&format!("http://{D}/")).expect("url");
    let then = [Url::parse(&format!("https://api.{D}/session")).expect("url"), Url::parse(&format!("https://api.{D}/chats")).expect("url")];
    let v = first_visit(&net, &start, &then, MOBILE_RTT_MS).await;
    let costs: Vec<u32> = v.trips.iter().map(|t| t.round_trips).collect();
    // http://phone.test: DNS, TCP, request; https://phone.test: TCP, TLS, request (DNS known);
    // https://www.phone.test: DNS, TCP, TLS, request; api: DNS, TCP, TLS, request; then 1 more.
    assert_eq!(costs, [3, 3, 4, 4, 1], "{:#?}", v.trips);
    assert_eq!(v.round_trips, 15);
    assert!(v.projected_ms >= 2250.0, "15 × 150 ms plus the servers' time: {}", v.projected_ms);
    assert!(v.says.starts_with(&format!("A first visit to http://{D}/ takes 15 round trips: about 2250 ms")), "{}", v.says);
    assert!(v.advice.iter().any(|a| a.starts_with(&format!("Link straight to https://www.{D}/"))), "{:?}", v.advice);
    assert!(v.advice.iter().any(|a| a.contains("one after the other")), "{:?}", v.advice);
    assert!(v.advice.iter().any(|a| a.contains("preconnect")), "{:?}", v.advice);
}
