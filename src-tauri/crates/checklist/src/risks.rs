//! The roadmap's "short risk list ranked by business impact": the open problems of the latest
//! audit, one line per check, launch blockers first.
//!
//! A risk groups every subject one check complains about ("the certificate expires soon" on www
//! and app is one risk with two names), so the list stays short. A launch blocker is a failing
//! check whose cost is downtime, customer data or email in spam: the three the roadmap says must be
//! fixed before paid traffic. Findings that could not decide (`error`) are never risks; the
//! checklist counts them as "couldn't check" instead.

use preflight_core::{Finding, Impact, Status};
use serde::Serialize;

/// One open problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Risk {
    /// The check id.
    pub check: String,
    /// The checklist item it belongs to.
    pub item: Option<String>,
    /// The worst status among its subjects (fail or warn).
    pub status: Status,
    pub impact: Impact,
    /// The founder's words for the impact.
    pub impact_label: String,
    /// Must be fixed before launch.
    pub blocker: bool,
    /// The worst finding's verdict, why and fix.
    pub title: String,
    pub why: String,
    pub fix: Vec<String>,
    /// Every subject the check complains about, worst first.
    pub subjects: Vec<String>,
}

/// Whether a problem of this status and impact blocks a launch.
pub fn is_blocker(status: Status, impact: Impact) -> bool {
    status == Status::Fail && matches!(impact, Impact::Downtime | Impact::DataExposure | Impact::Deliverability)
}

/// The open problems of `findings`, ranked: blockers, then impact, then failures before warnings,
/// then the ones touching more names. `item_of` names the checklist item of a check.
pub fn ranked(findings: &[Finding], item_of: impl Fn(&str) -> Option<String>) -> Vec<Risk> {
    let mut problems: Vec<&Finding> = findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Warn)).collect();
    // Worst first within a check, so the group's headline is its worst finding.
    problems.sort_by(|a, b| b.status.gate_rank().cmp(&a.status.gate_rank()).then(a.impact.cmp(&b.impact)));
    let mut risks: Vec<Risk> = Vec::new();
    for f in problems {
        if let Some(r) = risks.iter_mut().find(|r| r.check == f.id) {
            if !r.subjects.contains(&f.subject) {
                r.subjects.push(f.subject.clone());
            }
            continue;
        }
        risks.push(Risk {
            check: f.id.clone(),
            item: item_of(&f.id),
            status: f.status,
            impact: f.impact,
            impact_label: f.impact.label().to_owned(),
            blocker: is_blocker(f.status, f.impact),
            title: f.title.clone(),
            why: f.why.clone(),
            fix: f.fix.clone(),
            subjects: vec![f.subject.clone()],
        });
    }
    risks.sort_by(|a, b| {
        b.blocker
            .cmp(&a.blocker)
            .then(a.impact.cmp(&b.impact))
            .then(b.status.gate_rank().cmp(&a.status.gate_rank()))
            .then(b.subjects.len().cmp(&a.subjects.len()))
            .then(a.check.cmp(&b.check))
    });
    risks
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::checks::{dns, edge, redirects, spf, tls};

    #[test]
    fn blockers_come_first_then_impact_then_severity() {
        let f = |def, subject: &str, status| Finding::new(def, subject, status).title(format!("{subject} {status:?}"));
        let findings = vec![
            f(&edge::CDN, "acme.test", Status::Warn),
            f(&tls::EXPIRY, "www.acme.test", Status::Warn),
            f(&tls::EXPIRY, "app.acme.test", Status::Fail),
            f(&spf::SPF, "acme.test", Status::Fail),
            f(&redirects::HTTPS, "acme.test", Status::Fail),
            f(&dns::RESOLVE, "api.acme.test", Status::Error),
            f(&dns::RESOLVE, "acme.test", Status::Pass),
        ];
        let risks = ranked(&findings, |_| None);
        let order: Vec<&str> = risks.iter().map(|r| r.check.as_str()).collect();
        assert_eq!(order, ["tls.cert.expiry", "redirects.https", "email.spf", "edge.cdn"], "errors and passes are never risks");
        assert_eq!(risks[0].subjects, ["app.acme.test", "www.acme.test"], "one risk per check, its worst subject first");
        assert_eq!(risks[0].title, "app.acme.test Fail");
        assert!(risks[0].blocker && risks[1].blocker);
        assert!(!risks[3].blocker, "a warning never blocks a launch");
    }
}
