//! Redirect hygiene of the front doors against the testbed: permanent, short, path kept, one address.

use preflight_core::{audit, AuditOptions, Domain, Finding, HostOrigin, Net, Report, Status, Target};
use preflight_testbed::{Answer, Product, Site, Testbed};

async fn run(product: Product, canonical: Option<&str>) -> Report {
    let domain = product.domain.clone();
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(&domain).expect("valid"));
    target.add_host("www", HostOrigin::Configured, true);
    target.canonical = canonical.map(str::to_owned);
    let net = Net::new(bed.net_config()).await.expect("net");
    audit(&net, &target, AuditOptions::default()).await
}

fn find<'a>(r: &'a Report, id: &str, subject: &str) -> &'a Finding {
    r.findings.iter().find(|f| f.id == id && f.subject == subject).unwrap_or_else(|| panic!("no {id} for {subject}: {:#?}", r.findings))
}

/// `www` redirects to the root, which serves the product: the usual good set-up (the testbed's
/// healthy product).
fn one_address(domain: &str) -> Product {
    Product::healthy(domain, &["", "www"])
}

#[tokio::test]
async fn a_well_set_up_product_passes_every_redirect_rule() {
    let r = run(one_address("tidy.test"), None).await;
    for id in ["redirects.permanent", "redirects.hops", "redirects.path"] {
        assert_eq!(find(&r, id, "www.tidy.test").status, Status::Pass, "{id}: {:#?}", find(&r, id, "www.tidy.test"));
    }
    let one = find(&r, "redirects.canonical", "tidy.test");
    assert_eq!(one.status, Status::Pass, "{one:#?}");
    assert!(one.title.contains("ends on tidy.test"), "{}", one.title);
}

#[tokio::test]
async fn temporary_long_and_path_dropping_redirects_are_told_apart() {
    let d = "messy.test";
    let product = Product::healthy(d, &["", "www"]).site(Site {
        // www → (302) http://messy.test → (301) https://messy.test/start, dropping the path.
        http: Answer::Redirect { status: 302, to: format!("http://{d}") },
        ..Site::healthy(&format!("www.{d}"))
    });
    // The root redirects to a fixed page, whatever was asked.
    let product = product.site(Site { http: Answer::RedirectHome { status: 301, to: format!("https://{d}/start") }, ..Site::healthy(d) });
    let r = run(product, None).await;
    let www = |id| find(&r, id, "www.messy.test").status;
    assert_eq!(www("redirects.permanent"), Status::Warn, "a 302 on the way is temporary");
    assert_eq!(www("redirects.path"), Status::Warn, "the marker path was dropped");
    assert_eq!(find(&r, "redirects.hops", "www.messy.test").status, Status::Pass, "two redirects are still fine");
    assert_eq!(find(&r, "redirects.permanent", "messy.test").status, Status::Pass, "the root's one redirect is a 301");
    assert!(find(&r, "redirects.path", "messy.test").title.contains("drop the page"), "the verdict says what is lost");
}

#[tokio::test]
async fn front_doors_on_two_addresses_or_off_the_chosen_one_need_attention() {
    // Root and www each serve their own copy.
    let r = run(Product::healthy("split.test", &["", "www"]).site(Site::healthy("www.split.test")), None).await;
    let two = find(&r, "redirects.canonical", "split.test");
    assert_eq!(two.status, Status::Warn, "{two:#?}");
    assert!(two.title.contains("two versions"), "{}", two.title);
    // The founder chose www, but everything ends on the root.
    let r = run(one_address("chosen.test"), Some("www.chosen.test")).await;
    let off = find(&r, "redirects.canonical", "chosen.test");
    assert_eq!(off.status, Status::Warn);
    assert!(off.title.contains("www.chosen.test, the address you chose"), "{}", off.title);
}

#[tokio::test]
async fn three_redirects_before_the_page_need_attention() {
    let d = "hops.test";
    // http://www → http://root → https://www → https://root: three round trips before anything shows.
    let product = Product::healthy(d, &["", "www"])
        .site(Site {
            http: Answer::redirect(&format!("http://{d}")),
            https: Answer::redirect(&format!("https://{d}")),
            ..Site::healthy(&format!("www.{d}"))
        })
        .site(Site { http: Answer::redirect(&format!("https://www.{d}")), ..Site::healthy(d) });
    let r = run(product, None).await;
    let hops = find(&r, "redirects.hops", "www.hops.test");
    assert_eq!(hops.status, Status::Warn, "{hops:#?}");
    assert!(hops.title.contains("3 redirects"), "{}", hops.title);
}

#[tokio::test]
async fn every_name_is_followed_and_a_step_back_to_http_is_a_problem() {
    let d = "downgrade.test";
    // api: http → https://api…, whose https answer sends to http://downgrade.test, then on to https.
    let api = Site {
        http: Answer::redirect(&format!("https://api.{d}")),
        https: Answer::Redirect { status: 301, to: format!("http://{d}") },
        ..Site::healthy(&format!("api.{d}"))
    };
    // old: a retired name that still forwards, temporarily.
    let old = Site {
        http: Answer::Redirect { status: 302, to: format!("https://{d}") },
        https: Answer::Redirect { status: 302, to: format!("https://{d}") },
        ..Site::healthy(&format!("old.{d}"))
    };
    let product = Product::healthy(d, &["", "www"]).site(api).site(old);
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(d).expect("valid"));
    for l in ["www", "api", "old"] {
        target.add_host(l, HostOrigin::Configured, true);
    }
    let net = Net::new(bed.net_config()).await.expect("net");
    let r = audit(&net, &target, AuditOptions::default()).await;
    let api = find(&r, "redirects.https", "api.downgrade.test");
    assert_eq!(api.status, Status::Fail, "{api:#?}");
    assert!(api.title.contains("drops back to plain http"), "{}", api.title);
    assert_eq!(find(&r, "redirects.https", "www.downgrade.test").status, Status::Pass);
    assert_eq!(find(&r, "redirects.permanent", "old.downgrade.test").status, Status::Warn, "an old name that forwards temporarily");
    assert_eq!(find(&r, "redirects.platform", "downgrade.test").status, Status::Pass, "stays on the product's domain");
}
