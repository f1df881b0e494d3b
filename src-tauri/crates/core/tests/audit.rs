//! The engine against real servers on loopback: DNS, HTTPS with minted certificates, HTTP redirects.

use preflight_core::{audit, AuditOptions, Domain, Finding, Net, NetConfig, Report, Status, Target};
use preflight_testbed::{demo, Answer, CertKind, Product, Site, Testbed};
use std::time::Duration;

async fn run(bed: &Testbed, cfg: NetConfig) -> Report {
    let target = Target::with_defaults(Domain::parse(&bed.domain).expect("testbed domains are valid"));
    let net = Net::new(cfg).await.expect("the network handle builds");
    audit(&net, &target, AuditOptions::default()).await
}

fn find<'a>(report: &'a Report, id: &str, subject: &str) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| f.id == id && f.subject == subject)
        .unwrap_or_else(|| panic!("no {id} finding for {subject} in {:#?}", report.findings))
}

#[tokio::test]
async fn a_healthy_product_passes_every_check_it_has() {
    let bed = Testbed::start(Product::healthy("good.test", &["", "www", "app"])).await.expect("testbed starts");
    let report = run(&bed, bed.net_config()).await;
    assert_eq!(report.summary.fail, 0, "a healthy product must have no problems: {:#?}", report.findings);
    assert_eq!(report.summary.error, 0, "loopback servers always answer: {:#?}", report.findings);
    assert_eq!(find(&report, "dns.resolve", "www.good.test").status, Status::Pass);
    assert_eq!(find(&report, "tls.cert.trust", "good.test").status, Status::Pass);
    assert_eq!(find(&report, "redirects.https", "good.test").status, Status::Pass);
    assert_eq!(
        find(&report, "dns.resolve", "api.good.test").status,
        Status::Skipped,
        "an optional name with no record is not in use, not broken"
    );
    assert_eq!(find(&report, "tls.handshake", "api.good.test").status, Status::Skipped);
}

#[tokio::test]
async fn the_demo_product_shows_its_flaws() {
    let bed = Testbed::start(demo::product()).await.expect("testbed starts");
    let report = run(&bed, bed.net_config()).await;
    let d = demo::DOMAIN;
    assert_eq!(find(&report, "redirects.https", d).status, Status::Fail, "the root serves plain http");
    assert_eq!(find(&report, "tls.cert.expiry", &format!("www.{d}")).status, Status::Warn, "10 days left is a warning");
    let api = find(&report, "tls.cert.trust", &format!("api.{d}"));
    assert_eq!(api.status, Status::Fail, "a certificate for staging.* does not cover api.*");
    assert!(api.detail.contains(&format!("staging.{d}")), "the evidence names what the certificate covers: {}", api.detail);
    assert_eq!(find(&report, "dns.resolve", &format!("auth.{d}")).status, Status::Skipped);
    assert_eq!(report.findings[0].status, Status::Fail, "problems come first");
    assert!(report.findings.iter().all(|f| !f.title.is_empty()), "every finding has a verdict");
}

#[tokio::test]
async fn expired_and_untrusted_certificates_are_problems() {
    let product = Product::healthy("certs.test", &["", "www"])
        .site(Site { cert: Some(CertKind::ExpiresIn(-3)), ..Site::healthy("certs.test") })
        .site(Site { cert: Some(CertKind::SelfSigned), ..Site::healthy("www.certs.test") });
    let bed = Testbed::start(product).await.expect("testbed starts");
    let report = run(&bed, bed.net_config()).await;
    let expired = find(&report, "tls.cert.expiry", "certs.test");
    assert_eq!(expired.status, Status::Fail);
    assert!(expired.title.contains("expired 3 days ago"), "the verdict says how long ago: {}", expired.title);
    assert_eq!(find(&report, "tls.cert.trust", "certs.test").status, Status::Pass, "expired, but otherwise trusted");
    assert_eq!(find(&report, "tls.cert.trust", "www.certs.test").status, Status::Fail);
    let redirect = find(&report, "redirects.https", "certs.test");
    assert_eq!(redirect.status, Status::Skipped, "an expired certificate is one problem, reported once: {redirect:#?}");
    assert!(redirect.title.contains("see the certificate finding for certs.test"), "{}", redirect.title);
}

#[tokio::test]
async fn a_redirect_loop_ends_in_a_finding_not_a_hang() {
    let product = Product::healthy("loop.test", &["", "www"])
        .site(Site { http: Answer::redirect("http://www.loop.test"), ..Site::healthy("loop.test") });
    let product = product.site(Site { http: Answer::redirect("http://loop.test"), ..Site::healthy("www.loop.test") });
    let bed = Testbed::start(product).await.expect("testbed starts");
    let report = run(&bed, bed.net_config()).await;
    let f = find(&report, "redirects.https", "loop.test");
    assert_eq!(f.status, Status::Fail);
    assert!(f.title.contains("loop"), "{}", f.title);
}

#[tokio::test]
async fn a_server_that_never_answers_is_couldnt_check_within_the_deadline() {
    let product = Product::healthy("slow.test", &["", "www"]).site(Site { http: Answer::Hang, ..Site::healthy("slow.test") });
    let bed = Testbed::start(product).await.expect("testbed starts");
    let mut cfg = bed.net_config();
    cfg.timeouts.http = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let report = run(&bed, cfg).await;
    assert!(started.elapsed() < Duration::from_secs(5), "a hung server must not hold up the audit");
    assert_eq!(find(&report, "redirects.https", "slow.test").status, Status::Error, "a timeout is not a verdict on the product");
}

#[tokio::test]
async fn an_unreachable_nameserver_reads_as_couldnt_check_never_as_missing() {
    let bed = Testbed::start(Product::healthy("dark.test", &["", "www"])).await.expect("testbed starts");
    // A UDP port with nothing behind it: queries go unanswered.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let mut cfg = bed.net_config();
    cfg.nameservers = vec![silent.local_addr().expect("addr")];
    cfg.timeouts.dns = Duration::from_millis(200);
    let report = run(&bed, cfg).await;
    let f = find(&report, "dns.resolve", "dark.test");
    assert_eq!(f.status, Status::Error, "a silent DNS server must not read as a missing record");
    assert_eq!(report.summary.fail, 0, "nothing can be a problem when nothing could be checked: {:#?}", report.findings);
}

#[tokio::test]
async fn an_endless_body_is_read_only_up_to_the_bound() {
    let product = Product::healthy("big.test", &[""]).site(Site { https: Answer::Endless, ..Site::healthy("big.test") });
    let bed = Testbed::start(product).await.expect("testbed starts");
    let mut cfg = bed.net_config();
    cfg.limits.body_bytes = 256 * 1024;
    let net = Net::new(cfg).await.expect("net");
    let started = std::time::Instant::now();
    let req = preflight_core::net::Request::get(url::Url::parse("https://big.test/").expect("url"));
    let resp = net.fetch(&req).await.expect("a bounded read succeeds");
    assert!(resp.truncated, "the body was longer than the bound");
    assert_eq!(resp.body.len(), 256 * 1024, "exactly the bound is kept, nothing more");
    assert!(started.elapsed() < Duration::from_secs(5), "reading stops at the bound instead of draining the stream");
}

#[tokio::test]
async fn hsts_is_required_on_the_canonical_host_and_graded_elsewhere() {
    let short = Answer::Page {
        status: 200,
        headers: vec![("strict-transport-security".into(), "max-age=3600".into())],
        body: "<h1>api</h1>".into(),
    };
    let product = Product::healthy("hsts.test", &["", "www", "api"])
        .site(Site { https: Answer::ok("<h1>no hsts</h1>"), ..Site::healthy("hsts.test") })
        .site(Site { https: short, ..Site::healthy("api.hsts.test") });
    let bed = Testbed::start(product).await.expect("testbed");
    let report = run(&bed, bed.net_config()).await;
    let root = find(&report, "headers.hsts", "hsts.test");
    assert_eq!(root.status, Status::Fail, "no HSTS where every visitor ends: {root:#?}");
    assert_eq!(root.area, preflight_core::Area::Headers);
    assert_eq!(find(&report, "headers.hsts", "api.hsts.test").status, Status::Warn, "an hour is too short");
    let www = find(&report, "headers.hsts", "www.hsts.test");
    assert_eq!(www.status, Status::Pass);
    assert!(www.title.contains("365 days"), "{}", www.title);
    assert_eq!(find(&report, "headers.hsts", "auth.hsts.test").status, Status::Skipped, "no name, nothing to read");
}

#[tokio::test]
async fn each_cause_of_an_untrusted_certificate_gets_its_own_words() {
    let product = Product::healthy("chains.test", &["", "www", "app", "api"])
        .site(Site { cert: Some(CertKind::SelfSigned), ..Site::healthy("www.chains.test") })
        .site(Site { cert: Some(CertKind::MissingIntermediate), ..Site::healthy("app.chains.test") })
        .site(Site { cert: Some(CertKind::PrivateCa), ..Site::healthy("api.chains.test") });
    let bed = Testbed::start(product).await.expect("testbed starts");
    let report = run(&bed, bed.net_config()).await;
    let title = |s: &str| find(&report, "tls.cert.trust", s).title.clone();
    assert_eq!(find(&report, "tls.cert.trust", "chains.test").status, Status::Pass, "the root's chain is complete");
    assert!(title("www.chains.test").contains("self-signed"), "{}", title("www.chains.test"));
    assert!(title("app.chains.test").contains("without the intermediate"), "{}", title("app.chains.test"));
    assert!(title("api.chains.test").contains("authority browsers do not trust (Private Office CA)"), "{}", title("api.chains.test"));
    for s in ["www.chains.test", "app.chains.test", "api.chains.test"] {
        assert_eq!(find(&report, "tls.cert.trust", s).status, Status::Fail, "{s}");
        assert_eq!(find(&report, "tls.cert.expiry", s).status, Status::Pass, "{s}: one cause, reported once");
    }
}
