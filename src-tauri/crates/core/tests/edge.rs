//! Headers, edge, caching and delivery against the testbed: a well-kept name and a neglected one,
//! side by side on the same loopback servers, and each check must tell them apart.

mod support;

use preflight_core::{Finding, Report, Status};
use preflight_testbed::web::SECURITY_HEADERS;
use preflight_testbed::{Answer, Product, Serving, Site};

const HASHED: &str = "/assets/index-BxY7zQ1a.js";

/// A page big enough that compression matters, loading one hashed script and whatever `extra` says.
fn body(extra: &str) -> String {
    format!("<!doctype html><title>Acme</title><script src=\"{HASHED}\"></script>{extra}<p>{}</p>", "Launch ready. ".repeat(200))
}

/// `good.`: behind a CDN, hardened, compressed, long-cached assets, private cookies.
fn good(domain: &str) -> Site {
    let mut headers: Vec<(&str, &str)> = SECURITY_HEADERS.to_vec();
    headers.extend([
        ("content-type", "text/html; charset=utf-8"),
        ("strict-transport-security", "max-age=31536000; includeSubDomains"),
        ("cf-ray", "8a1b2c3d4e5f-AMS"),
        ("server", "cloudflare"),
        ("content-encoding", "gzip"),
        ("cache-control", "private, no-store"),
        ("set-cookie", "session=abc; Secure; HttpOnly; SameSite=Lax"),
    ]);
    let asset = Answer::page(&[("content-type", "text/javascript"), ("cache-control", "public, max-age=31536000, immutable")], "app()");
    let page = Answer::page(&headers, &body("")).with_path(HASHED, asset);
    Site::serving(&format!("good.{domain}"), Answer::Firewall { then: Box::new(page) })
}

/// `bad.`: no edge, no security headers, uncompressed, short-cached assets, a cookie on a public
/// page, a stylesheet over http.
fn bad(domain: &str) -> Site {
    let headers = [
        ("content-type", "text/html"),
        ("server", "nginx/1.25"),
        ("cache-control", "public, max-age=600"),
        ("set-cookie", "sessionid=abc"),
    ];
    let asset = Answer::page(&[("content-type", "text/javascript"), ("cache-control", "max-age=60")], "app()");
    let extra = r#"<link rel="stylesheet" href="http://cdn.edge-bad.example/s.css">"#;
    Site::serving(&format!("bad.{domain}"), Answer::page(&headers, &body(extra)).with_path(HASHED, asset))
}

async fn run(product: Product, labels: &[&str]) -> Report {
    support::audit_product(product, labels, &[]).await
}

fn find<'a>(r: &'a Report, id: &str, subject: &str) -> &'a Finding {
    r.findings.iter().find(|f| f.id == id && f.subject == subject).unwrap_or_else(|| panic!("no {id} for {subject}: {:#?}", r.findings))
}

async fn good_and_bad(http2: bool) -> Report {
    let d = "edge.test";
    // No edge for the product as a whole: `good.` brings Cloudflare's headers itself.
    let product =
        Product { serving: Serving { http2, edge: Vec::new(), ca: None, waf: false, starttls: true }, ..Product::healthy(d, &[""]) }
            .site(good(d))
            .site(bad(d));
    run(product, &["good", "bad"]).await
}

#[tokio::test]
async fn a_well_kept_name_and_a_neglected_one_are_told_apart() {
    let r = good_and_bad(true).await;
    let (g, b) = ("good.edge.test", "bad.edge.test");
    let cases = [
        ("headers.grade", Status::Pass, Status::Fail),
        ("edge.cdn", Status::Pass, Status::Warn),
        ("edge.compression", Status::Pass, Status::Warn),
        ("edge.cache.assets", Status::Pass, Status::Warn),
        ("edge.cache.session", Status::Pass, Status::Fail),
        ("edge.mixed_content", Status::Pass, Status::Fail),
        ("edge.http2", Status::Pass, Status::Pass),
        ("edge.waf", Status::Pass, Status::Warn),
    ];
    for (id, want_good, want_bad) in cases {
        assert_eq!(find(&r, id, g).status, want_good, "{id} on {g}: {:#?}", find(&r, id, g));
        assert_eq!(find(&r, id, b).status, want_bad, "{id} on {b}: {:#?}", find(&r, id, b));
    }
    let grade = find(&r, "headers.grade", g);
    assert!(grade.title.contains("A+"), "{}", grade.title);
    let grade = find(&r, "headers.grade", b);
    assert!(grade.detail.contains("cookies-session-without-secure-flag"), "every deduction is explained: {}", grade.detail);
    assert!(find(&r, "edge.cdn", g).title.starts_with("Cloudflare"));
    assert!(find(&r, "edge.mixed_content", b).detail.contains("http://cdn.edge-bad.example/s.css"));
    assert!(find(&r, "edge.cache.assets", b).detail.contains(HASHED));
    assert_eq!(r.summary.error, 0, "{:#?}", r.findings.iter().filter(|f| f.status == Status::Error).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_server_without_http2_is_reported() {
    let r = good_and_bad(false).await;
    let f = find(&r, "edge.http2", "good.edge.test");
    assert_eq!(f.status, Status::Warn, "{f:#?}");
    assert!(f.title.contains("HTTP/1.1"), "{}", f.title);
}

#[tokio::test]
async fn two_front_doors_serving_different_builds_are_reported() {
    let d = "versions.test";
    let build = |hash: &str| Answer::secure(&format!(r#"<script src="/assets/index-{hash}.js"></script>"#));
    let split = Product::healthy(d, &["", "www"])
        .site(Site::serving(d, build("BxY7zQ1a")))
        .site(Site::serving(&format!("www.{d}"), build("Qq81kLmz")));
    let r = run(split, &["www"]).await;
    let f = find(&r, "edge.versions", d);
    assert_eq!(f.status, Status::Warn, "{f:#?}");
    assert!(f.title.contains("different builds"), "{}", f.title);

    let one = Product::healthy(d, &["", "www"]);
    let r = run(one, &["www"]).await;
    assert_eq!(find(&r, "edge.versions", d).status, Status::Pass, "www forwards to the root: one version");
    assert_eq!(find(&r, "headers.grade", &format!("www.{d}")).status, Status::Skipped, "graded where it lands");
    assert_eq!(
        find(&r, "headers.grade", d).status,
        Status::Pass,
        "the testbed's secure page earns an A: {:#?}",
        find(&r, "headers.grade", d)
    );
}

#[tokio::test]
async fn the_attack_shaped_probe_goes_to_the_products_own_names_only() {
    use preflight_core::{audit, Area, AuditOptions, Domain, HostOrigin, Net, Target};
    use preflight_testbed::{Inbox, Testbed};
    let d = "probe.test";
    let (found, listed) = (Inbox::new(), Inbox::new());
    let mut product = Product::healthy(d, &["", "status", "app"])
        .site(Site::serving(&format!("status.{d}"), Answer::Inbox(found.clone())))
        .site(Site::serving(&format!("app.{d}"), Answer::Inbox(listed.clone())));
    // No firewall in front: every request the audit sends reaches the inboxes.
    product.serving.waf = false;
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(d).expect("valid"));
    target.add_host("app", HostOrigin::Configured, true);
    // A name discovery found: maybe the founder's, maybe a status page on another company's servers.
    target.add_host("status", HostOrigin::Discovered, false);
    let net = Net::new(bed.net_config()).await.expect("net");
    let r = audit(&net, &target, AuditOptions { only: vec![Area::Edge], ..AuditOptions::default() }).await;
    let probed = |inbox: &Inbox| inbox.received().iter().any(|q| q.query.contains("preflight-waf-probe"));
    assert!(probed(&listed), "a listed name is tested: {:?}", listed.received());
    assert!(!probed(&found), "a found name never gets the attack-shaped request: {:?}", found.received());
    let f = find(&r, "edge.waf", &format!("status.{d}"));
    assert_eq!(f.status, Status::Skipped, "{f:#?}");
    assert!(f.fix.iter().any(|s| s.contains("Keep")), "the founder is told how to include it: {f:#?}");
}
