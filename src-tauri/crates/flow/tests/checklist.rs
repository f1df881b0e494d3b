//! The checklist, ticks and diff through the flow, on a real SQLite file filled by real audits of
//! the testbed: evidence comes from the newest run of each check, ticks are checked and scrubbed,
//! and diff refuses what it cannot compare.

use preflight_checklist::{ItemState, Movement};
use preflight_core::{Area, Domain, Target};
use preflight_flow::{AuditRequest, Flow, FlowError, Host, Source};
use preflight_testbed::{Product, Testbed};
use std::path::PathBuf;
use std::sync::Arc;

struct Dir(PathBuf);

impl Host for Dir {
    fn data_dir(&self) -> Option<PathBuf> {
        Some(self.0.clone())
    }
}

#[tokio::test]
async fn evidence_comes_from_the_newest_run_of_each_check_and_ticks_are_checked() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(Product::healthy("fine.test", &["", "www"])).await.expect("testbed");
    let flow = Flow::new(Arc::new(Dir(dir.path().to_owned())), Ok(bed.net_config()));
    let domain = Domain::parse("fine.test").expect("valid");
    let target = Target::with_defaults(domain.clone());
    let full = flow.audit(AuditRequest::new(target.clone(), Source::Cli)).await.expect("audit");
    let dns_only = flow.audit(AuditRequest { only: vec![Area::Dns], ..AuditRequest::new(target, Source::Cli) }).await.expect("audit");
    let (first, second) = (full.run_id.expect("saved"), dns_only.run_id.expect("saved"));

    // Reads only: a short blocking call is fine on the test's runtime.
    let list = flow.checklist(&domain).expect("checklist");
    assert_eq!(list.audit.map(|a| a.run_id), Some(second), "the newest run dates the checklist");
    let at =
        |item: &str, check: &str| list.item(item).and_then(|i| i.evidence.iter().find(|e| e.check == check)).and_then(|e| e.checked_at_ms);
    assert_eq!(
        at("routing.renewal", "tls.cert.expiry"),
        Some(full.report.started_at_ms),
        "TLS did not run the second time: the first run still decides"
    );
    assert_eq!(at("routing.names", "dns.resolve"), Some(dns_only.report.started_at_ms), "DNS ran again: the newer run decides");
    assert_eq!(list.item("routing.renewal").map(|i| i.state), Some(ItemState::Done));

    assert!(matches!(flow.tick(&domain, "no.such.item", true, ""), Err(FlowError::Invalid(_))));
    assert!(
        matches!(flow.tick(&domain, "handover.owners", true, &"x".repeat(5000)), Err(FlowError::Invalid(_))),
        "a note has a size bound"
    );
    let ticked = flow.tick(&domain, "handover.owners", true, "  Sam; old key ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8  ").expect("tick");
    let note = ticked.item("handover.owners").and_then(|i| i.tick.clone()).map(|t| t.note);
    assert_eq!(note.as_deref(), Some("Sam; old key ghp_…r8"), "trimmed, and the key cut down before it is stored");

    let d = flow.diff(Some(&domain), None, None).expect("last two");
    assert_eq!((d.older.run_id, d.newer.run_id), (first, second));
    assert!(d.of(Movement::Fixed).next().is_none(), "nothing can be fixed by not looking");
    let same = flow.diff(None, Some(second), None).expect("one run against the one before it");
    assert_eq!(same.older.run_id, first);
    assert!(matches!(flow.diff(None, Some(first), None), Err(FlowError::Invalid(m)) if m.contains("first")));
    assert!(matches!(flow.diff(None, Some(9999), None), Err(FlowError::Invalid(_))));
    let other = Domain::parse("never.test").expect("valid");
    assert!(matches!(flow.diff(Some(&other), None, None), Err(FlowError::Invalid(m)) if m.contains("0 stored audit")));
}
