//! The check families, one file each, and the plan that runs them.
//!
//! A family exposes `plan(&Target, &Net) -> Vec<PlannedCheck>`: one planned check per subject, so
//! the UI can show progress per host and a slow host delays only its own row. Checks are independent
//! (a TLS check resolves its own name rather than waiting for the DNS check), which keeps the runner
//! free of ordering and lets all of them start at once.

pub mod dns;
pub mod redirects;
pub mod tls;

use crate::model::{Area, Finding, Status};
use crate::net::{Net, NetError};
use crate::runner::PlannedCheck;
use crate::target::Target;

/// Every check of the given areas (all areas when `only` is empty).
pub fn plan(target: &Target, net: &Net, only: &[Area]) -> Vec<PlannedCheck> {
    let wanted = |a: Area| only.is_empty() || only.contains(&a);
    let mut plan = Vec::new();
    if wanted(Area::Dns) {
        plan.extend(dns::plan(target, net));
    }
    if wanted(Area::Tls) {
        plan.extend(tls::plan(target, net));
    }
    if wanted(Area::Redirects) {
        plan.extend(redirects::plan(target, net));
    }
    plan
}

/// The finding for a check the network would not let us finish: never a pass, never a fail.
pub(crate) fn could_not_check(base: Finding, what: &str, err: &NetError) -> Finding {
    base.status(Status::Error)
        .title(format!("Preflight could not check {what}."))
        .why("Until this can be checked, Preflight cannot tell you whether it is ready.")
        .detail(err.to_string())
        .fix(["Check that this computer is online, then run the audit again."])
}

/// The finding for a subject whose name has no DNS record: the DNS check already reports it.
pub(crate) fn no_such_name(base: Finding, host: &str, what: &str) -> Finding {
    base.status(Status::Skipped)
        .title(format!("{what} was not checked because {host} has no DNS record."))
        .detail(format!("{host} did not resolve; see the DNS finding for {host}."))
}
