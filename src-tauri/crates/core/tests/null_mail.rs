//! `email.null` against the testbed: the product's old and parked domains (its previews' domains),
//! served by the same DNS server: one left open, one locked down, one that contradicts itself, and
//! a platform's own address, which is not the founder's to lock.

use preflight_core::{audit, Area, AuditOptions, Domain, Net, Status, Target};
use preflight_testbed::{Product, Testbed, Zone};

#[tokio::test]
async fn parked_domains_are_told_to_lock_down_and_contradictions_are_named() {
    let d = "nullmail.test";
    let product = Product {
        other_zones: vec![
            Zone::new("parked.test"),
            Zone::new("locked.test").mx("", 0, ".").txt("", &["v=spf1 -all"]).txt("_dmarc", &["v=DMARC1; p=reject;"]),
            Zone::new("contra.test").mx("", 0, ".").txt("", &["v=spf1 include:_spf.google.com ~all"]),
        ],
        ..Product::healthy(d, &[""])
    };
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(d).expect("valid"));
    target.previews =
        ["https://parked.test/", "https://www.locked.test", "https://contra.test", "https://acme.vercel.app"].map(String::from).to_vec();
    let net = Net::new(bed.net_config()).await.expect("net");
    let r = audit(&net, &target, AuditOptions { only: vec![Area::Email], ..AuditOptions::default() }).await;
    let of = |s: &str| r.findings.iter().find(|f| f.id == "email.null" && f.subject == s);
    let parked = of("parked.test").expect("parked.test judged");
    assert_eq!(parked.status, Status::Warn, "{parked:#?}");
    assert!(parked.title.contains("Anyone can send mail that claims to come from parked.test"), "{}", parked.title);
    assert!(parked.fix.iter().any(|f| f.contains("v=spf1 -all")) && parked.fix.iter().any(|f| f.contains("p=reject")), "{:?}", parked.fix);
    let locked = of("locked.test").expect("the registrable domain of www.locked.test");
    assert_eq!(locked.status, Status::Pass, "{locked:#?}");
    let contra = of("contra.test").expect("contra.test judged");
    assert_eq!(contra.status, Status::Warn, "{contra:#?}");
    assert!(contra.title.contains("contradicts itself"), "{}", contra.title);
    assert!(of("vercel.app").is_none() && of("acme.vercel.app").is_none(), "a platform's address is not the founder's");
    assert!(of(d).is_none(), "the sending domain receives mail: the other mail checks judge it");
}
