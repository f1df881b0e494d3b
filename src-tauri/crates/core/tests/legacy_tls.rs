//! What rustls will not serve, served by Debian's `openssl s_server`: TLS 1.0/1.1 still accepted,
//! and a certificate with a 1024-bit RSA key signed with SHA-1. The product's other names run on
//! the testbed's rustls servers, which refuse the old versions: both sides of each check.

use preflight_core::net::ConnectTo;
use preflight_core::{audit, AuditOptions, Domain, Finding, HostOrigin, Net, Report, Status, Target};
use preflight_testbed::openssl::{Legacy, OpensslServer};
use preflight_testbed::{Product, Testbed, Zone};
use std::net::Ipv4Addr;

/// A product whose `old.` name is served by `openssl s_server` set up as `legacy`.
async fn run(legacy: Legacy) -> Report {
    let d = "legacy.test";
    let old = format!("old.{d}");
    let server = OpensslServer::start(&old, legacy).await.expect("openssl s_server starts (is Debian's openssl installed?)");
    let zone = Zone::new(d).addr("old", Ipv4Addr::LOCALHOST.into());
    let bed = Testbed::start(Product { zone, ..Product::healthy(d, &[""]) }).await.expect("testbed");
    let mut cfg = bed.net_config();
    // `old.` goes to s_server; everything else on 443 to the testbed.
    cfg.connect_to.insert(0, ConnectTo { host: Some(old.clone()), port: Some(443), to_host: None, to_port: Some(server.addr.port()) });
    let mut target = Target::bare(Domain::parse(d).expect("valid"));
    target.add_host("old", HostOrigin::Configured, true);
    let net = Net::new(cfg).await.expect("net");
    let report = audit(&net, &target, AuditOptions { only: vec![preflight_core::Area::Tls], ..AuditOptions::default() }).await;
    drop(server);
    report
}

fn find<'a>(r: &'a Report, id: &str, subject: &str) -> &'a Finding {
    r.findings.iter().find(|f| f.id == id && f.subject == subject).unwrap_or_else(|| panic!("no {id} for {subject}: {:#?}", r.findings))
}

#[tokio::test]
async fn a_server_that_still_accepts_tls_1_0_and_1_1_is_reported() {
    let r = run(Legacy::OldProtocols).await;
    let old = find(&r, "tls.protocols", "old.legacy.test");
    assert_eq!(old.status, Status::Warn, "{old:#?}");
    assert!(old.title.contains("TLS 1.0 and TLS 1.1"), "{}", old.title);
    let modern = find(&r, "tls.protocols", "legacy.test");
    assert_eq!(modern.status, Status::Pass, "rustls refuses both: {modern:#?}");
    assert!(modern.detail.contains("TLS 1.0: refused"), "{}", modern.detail);
    assert_eq!(find(&r, "tls.cert.strength", "old.legacy.test").status, Status::Pass, "a P-256 key is strong");
}

#[tokio::test]
async fn a_weak_key_and_a_sha1_signature_are_one_problem_told_by_name() {
    let r = run(Legacy::WeakCertificate).await;
    let weak = find(&r, "tls.cert.strength", "old.legacy.test");
    assert_eq!(weak.status, Status::Fail, "{weak:#?}");
    assert!(weak.title.contains("SHA-1"), "{}", weak.title);
    assert!(weak.detail.contains("1024 bits"), "both weaknesses in the detail: {}", weak.detail);
    assert_eq!(find(&r, "tls.cert.trust", "old.legacy.test").status, Status::Skipped, "the refusal is the weak cryptography's, told once");
    assert!(!r.findings.iter().any(|f| f.id == "tls.handshake"), "the handshake itself completes: {:#?}", r.findings);
    assert_eq!(find(&r, "tls.cert.strength", "legacy.test").status, Status::Pass);
}
