//! Discovery against the testbed: common names in the zone, names from a certificate-log server
//! speaking crt.sh's JSON, an alias to something gone, a wildcard zone, and names the founder dropped.

use preflight_core::discover::Discover;
use preflight_core::{audit, AuditOptions, Domain, Finding, HostOrigin, Net, Report, Status, Target};
use preflight_testbed::{Answer, Product, Site, Testbed, Zone};
use std::net::Ipv4Addr;

const D: &str = "disc.test";

/// What the certificate logs say about the domain (crt.sh's shape).
fn log_page() -> Answer {
    let body = format!(
        r#"[{{"common_name":"{D}","name_value":"{D}\nwww.{D}"}},{{"common_name":"legacy-api.{D}","name_value":"legacy-api.{D}"}},{{"common_name":"retired.{D}","name_value":"retired.{D}"}}]"#
    );
    Answer::page(&[("content-type", "application/json")], &body)
}

fn product(zone: Zone) -> Product {
    Product { zone, ..Product::healthy(D, &["", "www"]) }
        .site(Site::healthy(&format!("staging.{D}")))
        .site(Site::healthy(&format!("legacy-api.{D}")))
        .site(Site { https: log_page(), ..Site::healthy(&format!("ct.{D}")) })
}

async fn run(zone: Zone, ignored: &[&str]) -> Report {
    let bed = Testbed::start(product(zone)).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(D).expect("valid"));
    target.add_host("www", HostOrigin::Configured, true);
    target.ignored = ignored.iter().map(|l| format!("{l}.{D}")).collect();
    let net = Net::new(bed.net_config()).await.expect("net");
    let discover = Discover { ct_url: Some("https://ct.disc.test/?q=%25.{domain}&output=json".into()) };
    audit(&net, &target, AuditOptions { discover: Some(discover), ..AuditOptions::default() }).await
}

fn find<'a>(r: &'a Report, id: &str, subject: &str) -> Option<&'a Finding> {
    r.findings.iter().find(|f| f.id == id && f.subject == subject)
}

fn found(r: &Report) -> Vec<String> {
    let f = find(r, "dns.discovery", D).expect("a discovery finding");
    f.evidence["found"].as_array().map(|a| a.iter().filter_map(|n| n["name"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[tokio::test]
async fn forgotten_names_are_found_from_common_names_and_logs_and_audited() {
    let zone = Zone::new(D).cname("old", &format!("deleted-app.{D}"));
    let r = run(zone, &[]).await;
    let d = find(&r, "dns.discovery", D).expect("finding");
    assert_eq!(d.status, Status::Manual, "{d:#?}");
    assert_eq!(
        found(&r),
        [format!("old.{D}"), format!("legacy-api.{D}"), format!("staging.{D}")],
        "the dangling alias first, then by name"
    );
    assert!(d.detail.contains("legacy-api.disc.test (from certificate logs)"), "{}", d.detail);
    assert!(!found(&r).contains(&format!("retired.{D}")), "a logged name that no longer resolves is not live");
    // Found names get the same checks as listed ones.
    assert_eq!(find(&r, "dns.cname.dangling", &format!("old.{D}")).map(|f| f.status), Some(Status::Fail));
    assert_eq!(find(&r, "tls.cert.trust", &format!("staging.{D}")).map(|f| f.status), Some(Status::Pass));
    assert_eq!(find(&r, "headers.grade", &format!("legacy-api.{D}")).map(|f| f.status), Some(Status::Pass));
    assert!(find(&r, "dns.resolve", &format!("www.{D}")).is_some(), "listed names are still audited");
}

#[tokio::test]
async fn dropped_names_are_not_offered_again() {
    let r = run(Zone::new(D), &["staging", "legacy-api"]).await;
    assert!(found(&r).is_empty(), "{:?}", found(&r));
    assert_eq!(find(&r, "dns.discovery", D).map(|f| f.status), Some(Status::Pass));
    assert!(find(&r, "dns.resolve", &format!("staging.{D}")).is_none());
}

#[tokio::test]
async fn a_wildcard_zone_does_not_make_every_guess_a_name() {
    let zone = Zone::new(D).addr("*", Ipv4Addr::LOCALHOST.into());
    let r = run(zone, &[]).await;
    let d = find(&r, "dns.discovery", D).expect("finding");
    assert!(d.detail.contains("wildcard"), "{}", d.detail);
    // Every guess matches the wildcard's answer and is dropped; names the logs vouch for are kept,
    // even `retired.` (it had a certificate, and the wildcard still answers for it).
    assert_eq!(found(&r), [format!("legacy-api.{D}"), format!("retired.{D}")], "only what the logs vouch for");
}

#[tokio::test]
async fn unreadable_logs_are_said_and_common_names_still_count() {
    let bed = Testbed::start(product(Zone::new(D))).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    let target = Target::bare(Domain::parse(D).expect("valid"));
    let discover = Discover { ct_url: Some("https://nowhere.disc.test/ct".into()) };
    let r = audit(&net, &target, AuditOptions { discover: Some(discover), ..AuditOptions::default() }).await;
    let d = find(&r, "dns.discovery", D).expect("finding");
    assert!(d.detail.contains("could not be read"), "{}", d.detail);
    assert!(found(&r).contains(&format!("staging.{D}")));
    assert!(found(&r).contains(&format!("www.{D}")), "www is a common name too when not listed");
}
