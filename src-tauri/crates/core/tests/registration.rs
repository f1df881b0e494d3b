//! The domain's registration, read from a registry's RDAP server on the testbed: a well-kept
//! domain, one about to lapse, one without its transfer lock, one in redemption, one that renews on
//! its own; and registries that answer badly (not JSON, endless, slow, 404), which are `error`
//! within the deadline, never a verdict.

use preflight_core::net::Timeouts;
use preflight_core::{audit, AuditOptions, Domain, Net, Report, Status, Target};
use preflight_testbed::rdap::{self, Registration};
use preflight_testbed::web::Delays;
use preflight_testbed::{Answer, Product, Testbed};
use std::time::{Duration, Instant};

const D: &str = "reg.test";

async fn audit_with(registry: Option<Answer>, timeouts: Option<Timeouts>) -> Report {
    let mut product = Product::healthy(D, &[""]);
    match registry {
        Some(answer) => product = product.site(rdap::site(D, answer)),
        None => product.sites.retain(|s| s.host != format!("{}.{D}", rdap::LABEL)),
    }
    let bed = Testbed::start(product).await.expect("testbed");
    let mut cfg = bed.net_config();
    if let Some(t) = timeouts {
        cfg.timeouts = t;
    }
    let net = Net::new(cfg).await.expect("net");
    let target = Target::bare(Domain::parse(D).expect("valid"));
    audit(&net, &target, AuditOptions { only: vec![preflight_core::Area::Dns], ..AuditOptions::default() }).await
}

fn json(r: &Registration) -> Answer {
    Answer::page(&[("content-type", "application/rdap+json")], &r.json(D))
}

fn registration(report: &Report) -> &preflight_core::Finding {
    report.findings.iter().find(|f| f.id == "dns.registration").unwrap_or_else(|| panic!("no dns.registration: {:#?}", report.findings))
}

#[tokio::test]
async fn a_well_kept_domain_passes_with_its_date_registrar_and_lock() {
    let report = audit_with(Some(json(&Registration::healthy())), None).await;
    let f = registration(&report);
    assert_eq!(f.status, Status::Pass, "{f:#?}");
    assert!(f.title.contains("Testbed Registrar, Inc.") && f.title.contains("locked against transfer"), "{}", f.title);
    assert_eq!(f.evidence["days_left"], 365);
    assert_eq!(f.evidence["transfer_locked"], true);
}

#[tokio::test]
async fn expiry_lapse_and_a_missing_lock_are_told_apart() {
    let locked = ["client transfer prohibited"];
    let cases: [(Registration, Status, &str); 5] = [
        (Registration::expiring(20, &locked), Status::Warn, "expires in 20 days"),
        (Registration::expiring(3, &locked), Status::Fail, "expires in 3 days"),
        (Registration::expiring(3, &["client transfer prohibited", "auto renew period"]), Status::Pass, "registered until"),
        (Registration::expiring(200, &["active"]), Status::Warn, "transfer lock is off"),
        (Registration::expiring(-10, &["redemption period"]), Status::Fail, "has lapsed"),
    ];
    for (reg, want, words) in cases {
        let report = audit_with(Some(json(&reg)), None).await;
        let f = registration(&report);
        assert_eq!(f.status, want, "{reg:?}: {f:#?}");
        assert!(f.title.contains(words), "{reg:?}: {}", f.title);
    }
}

#[tokio::test]
async fn a_registry_that_answers_badly_is_an_error_within_the_deadline() {
    let page = |status: u16, body: &str| Answer::Page {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    };
    let slow = Answer::Delayed { delays: Delays::new(vec![60_000]), then: Box::new(json(&Registration::healthy())) };
    let cases = [
        (page(200, "<html>rate limited</html>"), "could not read"),
        (page(200, r#"{"objectClassName":"domain"}"#), "neither a status nor an expiry"),
        (page(429, "{}"), "slow down"),
        (page(404, "{}"), "no record of this domain"),
        (Answer::Endless, "could not read"),
        (slow, "did not answer"),
    ];
    for (answer, words) in cases {
        let started = Instant::now();
        let report = audit_with(Some(answer), Some(Timeouts::within(3))).await;
        let f = registration(&report);
        assert_eq!(f.status, Status::Error, "{f:#?}");
        assert!(f.detail.contains(words), "{words}: {}", f.detail);
        assert!(started.elapsed() < Duration::from_secs(10), "bounded: {:?}", started.elapsed());
    }
}

#[tokio::test]
async fn a_tld_without_a_known_registry_is_skipped_and_says_where_to_look() {
    let report = audit_with(None, None).await;
    let f = registration(&report);
    assert_eq!(f.status, Status::Skipped, "{f:#?}");
    assert!(f.detail.contains(".test") && f.detail.contains("registrar's panel"), "{}", f.detail);
}
