//! Hostile peers never hang or crash an audit: each ends as `error` or `fail` within its deadline,
//! reading a bounded amount. One name of a healthy product is sent to a misbehaving server.

use preflight_core::net::{ConnectTo, Request};
use preflight_core::{audit, AuditOptions, Domain, HostOrigin, Net, NetConfig, Report, Status, Target};
use preflight_testbed::{HostileServer, Misbehaviour, Product, Testbed};
use std::time::{Duration, Instant};

/// A healthy `h.test` whose `www` on `port` is served by a server that misbehaves as `kind`.
async fn setup(kind: Misbehaviour, port: u16) -> (Testbed, HostileServer, NetConfig) {
    let bed = Testbed::start(Product::healthy("h.test", &["", "www"])).await.expect("testbed");
    let hostile = HostileServer::start(kind).await.expect("hostile server");
    let mut cfg = bed.net_config();
    let to = ConnectTo {
        host: Some("www.h.test".into()),
        port: Some(port),
        to_host: Some("127.0.0.1".into()),
        to_port: Some(hostile.addr.port()),
    };
    cfg.connect_to.insert(0, to);
    cfg.timeouts.tls = Duration::from_millis(500);
    cfg.timeouts.http = Duration::from_millis(500);
    cfg.timeouts.check = Duration::from_secs(3);
    (bed, hostile, cfg)
}

async fn audit_www(cfg: NetConfig) -> (Report, Duration) {
    let mut target = Target::bare(Domain::parse("h.test").expect("valid"));
    target.add_host("www", HostOrigin::Configured, true);
    let net = Net::new(cfg).await.expect("net");
    let started = Instant::now();
    let report = audit(&net, &target, AuditOptions::default()).await;
    (report, started.elapsed())
}

fn status(r: &Report, id: &str) -> Status {
    r.findings.iter().find(|f| f.id == id && f.subject == "www.h.test").map(|f| f.status).unwrap_or(Status::Pass)
}

fn ended_in_time(r: &Report, took: Duration, id: &str) {
    let s = status(r, id);
    assert!(matches!(s, Status::Error | Status::Fail), "{id} must be error or fail, was {s:?}: {:#?}", r.findings);
    assert!(took < Duration::from_secs(4), "the audit must end within its deadlines, took {took:?}");
    assert_eq!(
        r.findings.iter().find(|f| f.subject == "h.test" && f.id == "tls.cert.trust").map(|f| f.status),
        Some(Status::Pass),
        "the healthy name is unaffected"
    );
}

#[tokio::test]
async fn a_tls_handshake_that_never_completes_is_couldnt_check() {
    let (_bed, _h, cfg) = setup(Misbehaviour::Silent, 443).await;
    let (report, took) = audit_www(cfg).await;
    ended_in_time(&report, took, "tls.handshake");
    assert_eq!(status(&report, "tls.handshake"), Status::Error, "silence says nothing about the product");
}

#[tokio::test]
async fn garbage_instead_of_tls_is_a_broken_https() {
    let (_bed, _h, cfg) = setup(Misbehaviour::Garbage, 443).await;
    let (report, took) = audit_www(cfg).await;
    ended_in_time(&report, took, "tls.handshake");
    assert_eq!(status(&report, "tls.handshake"), Status::Fail, "a server that answers noise on 443 is broken");
}

#[tokio::test]
async fn garbage_instead_of_http_ends_the_redirect_check() {
    let (_bed, _h, cfg) = setup(Misbehaviour::Garbage, 80).await;
    let (report, took) = audit_www(cfg).await;
    ended_in_time(&report, took, "redirects.https");
}

#[tokio::test]
async fn a_one_byte_a_second_trickle_is_cut_at_the_deadline() {
    let (_bed, _h, cfg) = setup(Misbehaviour::Trickle, 80).await;
    let (report, took) = audit_www(cfg).await;
    ended_in_time(&report, took, "redirects.https");
    assert_eq!(status(&report, "redirects.https"), Status::Error, "too slow to tell is couldn't check");
}

#[tokio::test]
async fn ten_megabytes_of_headers_are_refused_not_buffered() {
    let (_bed, _h, cfg) = setup(Misbehaviour::HugeHeaders, 80).await;
    let limit = cfg.limits.header_bytes;
    let net = Net::new(cfg.clone()).await.expect("net");
    let err = net.fetch(&Request::get("http://www.h.test/".parse().expect("url"))).await.expect_err("oversized headers are an error");
    assert!(err.to_string().contains("www.h.test"), "the error names the host: {err}");
    assert!(limit <= 64 << 10, "headers are read up to {limit} bytes, not 10 MB");
    let (report, took) = audit_www(cfg).await;
    ended_in_time(&report, took, "redirects.https");
}

#[tokio::test]
async fn a_gzip_bomb_is_never_inflated() {
    let (_bed, _h, cfg) = setup(Misbehaviour::GzipBomb, 80).await;
    let limit = cfg.limits.body_bytes;
    let net = Net::new(cfg).await.expect("net");
    let resp = net.fetch(&Request::get("http://www.h.test/".parse().expect("url"))).await.expect("the bomb is fetched as bytes");
    assert_eq!(resp.header("content-encoding"), Some("gzip"));
    assert!(resp.body.len() <= limit, "at most the body bound is read");
    assert!(resp.body.len() < 1 << 20, "the compressed bytes, {} of them, not the 64 MiB they would inflate to", resp.body.len());
    assert_eq!(resp.body.get(..2), Some(&[0x1f, 0x8b][..]), "still gzip: nothing decompressed it");
}
