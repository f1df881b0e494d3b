//! The long-lived `Net` against the testbed: one trust-store load per process, lookups shared
//! within a run and cached across runs, any method and headers, kept connections, typed records.

use preflight_core::net::{trust, Request};
use preflight_core::{audit, Area, AuditOptions, Domain, Net, Target};
use preflight_testbed::{demo, Answer, Product, Site, Testbed, Zone};
use url::Url;

fn demo_target() -> Target {
    Target::with_defaults(Domain::parse(demo::DOMAIN).expect("valid"))
}

#[tokio::test]
async fn repeated_audits_share_the_trust_store_and_the_dns_cache() {
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let mut cfg = bed.net_config();
    cfg.skip_system_roots = false; // make the system store part of the measurement
    let net = Net::new(cfg).await.expect("net");
    let target = demo_target();
    let first = audit(&net, &target, AuditOptions::default()).await;
    let after_first = bed.dns.queries();
    assert!(after_first > 0, "the first audit asks the DNS server");
    let second = audit(&net, &target, AuditOptions::default()).await;
    assert_eq!(first.summary, second.summary, "the same product gives the same verdicts");
    assert_eq!(bed.dns.queries(), after_first, "a second audit in the same process repeats no cached lookup");
    // Another Net in the same process still reads the system store no second time.
    let _again = Net::new(bed.net_config()).await.expect("net");
    assert!(trust::loads() <= 1, "the system trust store is read at most once per process, read {} times", trust::loads());
}

#[tokio::test]
async fn one_run_asks_each_name_once_however_many_checks_need_it() {
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let net = bed.net().await.expect("net");
    // Every area but email, whose DKIM selectors are many lookups by design (see tests/email.rs).
    let only = Area::ALL.iter().copied().filter(|a| *a != Area::Email).collect();
    audit(&net, &demo_target(), AuditOptions { only, ..AuditOptions::default() }).await;
    // 5 names × (A + AAAA + CAA; the root's CAA asked once however many names climb to it), the SOA
    // that proves the resolver, the zone's NS, one CNAME query for the one missing name (auth), and
    // the domain's DS (DNSSEC), and the registry's address (A + AAAA, for the RDAP question): the DNS,
    // takeover, TLS, CAA and redirect checks of a name share its lookups.
    assert!(bed.dns.queries() <= 21, "expected at most 21 queries for 5 names, the server saw {}", bed.dns.queries());
}

#[tokio::test]
async fn any_method_and_headers_go_out_and_a_connection_can_be_kept() {
    let site = Site {
        https: Answer::Page { status: 204, headers: vec![("access-control-allow-origin".into(), "*".into())], body: String::new() },
        ..Site::healthy("api.methods.test")
    };
    let bed = Testbed::start(Product::healthy("methods.test", &[""]).site(site)).await.expect("testbed");
    let net = bed.net().await.expect("net");
    let url = Url::parse("https://api.methods.test/v1/chat").expect("url");
    let preflight =
        Request::new("options", url.clone()).header("origin", "https://evil.example").header("access-control-request-method", "POST");
    let resp = net.fetch(&preflight).await.expect("an OPTIONS request is answered");
    assert_eq!(resp.status, 204);
    assert_eq!(resp.header("Access-Control-Allow-Origin"), Some("*"));
    assert!(
        format!("{preflight:?}").contains("origin") && !format!("{preflight:?}").contains("evil.example"),
        "Debug shows header names only"
    );

    let route = net.route("api.methods.test", 443).await.expect("route");
    let mut conn = net.open(&url, &route).await.expect("open");
    let cold = conn.send(&Request::get(url.clone())).await.expect("first");
    let warm = conn.send(&Request::new("POST", url).body("{}")).await.expect("second on the same connection");
    assert!(cold.timings.tls_ms.is_some(), "the first request pays for the handshake");
    assert_eq!(warm.timings.tls_ms, None, "a reused connection has no handshake of its own");
    assert_eq!(cold.remote, warm.remote);
}

#[tokio::test]
async fn typed_lookups_read_txt_mx_and_aliases_and_tell_none_from_failure() {
    let zone = Zone::new("records.test")
        .txt("", &["v=spf1 include:_spf.mail.example ", "-all"])
        .mx("", 20, "backup.mail.example")
        .mx("", 10, "mx.mail.example")
        .cname("docs", "hosted.docs.example");
    let product = Product { zone, ..Product::healthy("records.test", &[""]) };
    let bed = Testbed::start(product).await.expect("testbed");
    let net = bed.net().await.expect("net");
    let r = net.resolver();
    assert_eq!(r.txt("records.test").await.expect("txt"), vec!["v=spf1 include:_spf.mail.example -all"], "strings are joined");
    let mx = r.mx("records.test").await.expect("mx");
    assert_eq!(mx.iter().map(|m| m.exchange.as_str()).collect::<Vec<_>>(), vec!["mx.mail.example", "backup.mail.example"]);
    assert_eq!(r.cname("docs.records.test").await.expect("cname").as_deref(), Some("hosted.docs.example"));
    assert!(r.txt("www.records.test").await.is_err_and(|e| e.is_missing_name()), "a name that does not exist is missing, not empty");
    assert_eq!(r.caa("records.test").await.expect("no CAA is an empty list"), Vec::<String>::new());
    assert_eq!(r.soa("records.test").await.expect("soa").map(|s| s.mname), Some("ns.records.test".to_owned()));
}

#[tokio::test]
async fn a_computer_without_trusted_roots_still_audits_and_never_fails_a_certificate() {
    let bed = Testbed::start(Product::healthy("roots.test", &["", "www"])).await.expect("testbed");
    let mut cfg = bed.net_config();
    cfg.extra_roots.clear(); // and skip_system_roots is set: nothing to trust at all
    let net = Net::new(cfg).await.expect("the network handle builds without a trust store");
    let report = audit(&net, &Target::with_defaults(Domain::parse("roots.test").expect("valid")), AuditOptions::default()).await;
    let status = |id: &str| report.findings.iter().find(|f| f.id == id && f.subject == "roots.test").map(|f| f.status);
    assert_eq!(status("dns.resolve"), Some(preflight_core::Status::Pass), "DNS does not need certificates");
    assert_eq!(status("tls.handshake"), Some(preflight_core::Status::Error), "no roots: couldn't check, not a broken certificate");
    assert_eq!(report.summary.fail, 0, "nothing is blamed on the product: {:#?}", report.findings);
    let tls = report.findings.iter().find(|f| f.id == "tls.handshake").expect("finding");
    assert!(tls.detail.contains("no trusted root certificates"), "the reason is named: {}", tls.detail);
}
