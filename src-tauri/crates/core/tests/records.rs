//! CAA, DNSSEC and IPv6 against the testbed: records read from the product's own DNS server (CAA
//! climbing from a name to the domain, matched against the issuer each name really serves).

use preflight_core::{audit, AuditOptions, Domain, Finding, HostOrigin, Net, Report, Status, Target};
use preflight_testbed::dnssec::Signing;
use preflight_testbed::{Product, Serving, Testbed, Zone, VERCEL_EDGE};

/// A product whose certificates come from a CA that calls itself `ca`, with `zone`'s records.
async fn run(d: &str, zone: Zone, ca: Option<&'static str>) -> Report {
    let serving = Serving { http2: true, edge: VERCEL_EDGE.to_vec(), ca, waf: true, starttls: true };
    let bed = Testbed::start(Product { zone, serving, ..Product::healthy(d, &["", "app"]) }).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(d).expect("valid"));
    target.add_host("app", HostOrigin::Configured, true);
    let net = Net::new(bed.net_config()).await.expect("net");
    audit(&net, &target, AuditOptions { only: vec![preflight_core::Area::Dns], ..AuditOptions::default() }).await
}

fn caa<'a>(r: &'a Report, subject: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.id == "dns.caa" && f.subject == subject)
        .unwrap_or_else(|| panic!("no dns.caa for {subject}: {:#?}", r.findings))
}

// The testbed CA goes by the name of a public authority here, so the issuer matching is exercised
// end to end; only this test's client trusts it.
const LETS_ENCRYPT: Option<&str> = Some("Let's Encrypt (Preflight testbed)");

#[tokio::test]
async fn a_caa_that_allows_the_live_authority_passes_for_every_name_below_it() {
    let d = "caa-ok.test";
    let r = run(d, Zone::new(d).caa("", "issue", "letsencrypt.org"), LETS_ENCRYPT).await;
    let app = caa(&r, "app.caa-ok.test");
    assert_eq!(app.status, Status::Pass, "{app:#?}");
    assert!(app.title.contains("The CAA records of caa-ok.test allow Let's Encrypt"), "climbed to the domain: {}", app.title);
}

#[tokio::test]
async fn a_caa_naming_another_authority_warns_that_renewal_will_fail() {
    let d = "caa-moved.test";
    let r = run(d, Zone::new(d).caa("", "issue", "digicert.com"), LETS_ENCRYPT).await;
    let root = caa(&r, d);
    assert_eq!(root.status, Status::Warn, "{root:#?}");
    assert!(root.title.contains("next renewal will be refused"), "{}", root.title);
}

#[tokio::test]
async fn no_caa_passes_and_an_unknown_authority_is_the_founders_call() {
    let d = "caa-none.test";
    assert_eq!(caa(&run(d, Zone::new(d), LETS_ENCRYPT).await, d).status, Status::Pass);
    let d = "caa-unknown.test";
    let r = run(d, Zone::new(d).caa("app", "issue", "letsencrypt.org"), None).await;
    assert_eq!(caa(&r, "app.caa-unknown.test").status, Status::Manual, "the testbed's own CA is in no table");
    assert_eq!(caa(&r, d).status, Status::Pass, "the record on app. does not apply to the domain above it");
}

#[tokio::test]
async fn dnssec_and_ipv6_are_reported_both_ways() {
    let d = "signed.test";
    let zone = Zone::new(d).addr("", std::net::Ipv6Addr::LOCALHOST.into()).signed(Signing::Good);
    let r = run(d, zone, None).await;
    let find = |id: &str| r.findings.iter().find(|f| f.id == id && f.subject == d).unwrap_or_else(|| panic!("no {id}: {:#?}", r.findings));
    assert!(find("dns.dnssec").title.contains("is signed with DNSSEC and the chain holds"), "{:#?}", find("dns.dnssec"));
    assert_eq!(find("dns.dnssec").status, Status::Pass);
    assert!(find("dns.ipv6").title.contains("both IPv6 and IPv4"), "{}", find("dns.ipv6").title);
    let d = "plain.test";
    let r = run(d, Zone::new(d), None).await;
    let find = |id: &str| r.findings.iter().find(|f| f.id == id && f.subject == d).unwrap_or_else(|| panic!("no {id}: {:#?}", r.findings));
    assert!(find("dns.dnssec").title.contains("not signed"), "{}", find("dns.dnssec").title);
    assert!(find("dns.ipv6").title.contains("no IPv6 address"), "{}", find("dns.ipv6").title);
    assert_eq!(find("dns.dnssec").status, Status::Pass, "information, not a verdict");
}

#[tokio::test]
async fn a_broken_dnssec_chain_fails_and_names_the_break() {
    for (d, how, words, code) in [
        ("stale.test", Signing::StaleDs, "matches none of the zone's keys", "ds_matches_no_key"),
        ("lapsed.test", Signing::Expired, "signatures expired on", "signatures_expired"),
    ] {
        let r = run(d, Zone::new(d).signed(how), None).await;
        let f = r.findings.iter().find(|f| f.id == "dns.dnssec").unwrap_or_else(|| panic!("no dns.dnssec: {:#?}", r.findings));
        assert_eq!(f.status, Status::Fail, "{how:?}: {f:#?}");
        assert!(f.title.contains(words) && f.title.contains("cannot reach the domain"), "{how:?}: {}", f.title);
        assert_eq!(f.evidence["verdict"], code);
    }
}
