//! What changed between two audits of a product: problems that are new, problems that are gone.
//!
//! A problem is a failing (or warning) finding, identified by its check and subject, so the same
//! problem on the same name is the same problem whatever its wording. The daily audit re-run of the
//! watcher announces only [`Changes::new`]; issue 9's `preflight diff` shows all of it.

use preflight_core::{Finding, Report, Status};
use std::collections::BTreeSet;

/// The differences between an older and a newer report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes<'a> {
    /// Problems the newer report has and the older did not.
    pub new: Vec<&'a Finding>,
    /// Problems the older report had and the newer does not.
    pub fixed: Vec<&'a Finding>,
}

fn problem(f: &Finding) -> bool {
    matches!(f.status, Status::Fail | Status::Warn)
}

fn keys(r: &Report) -> BTreeSet<(&str, &str)> {
    r.findings.iter().filter(|f| problem(f)).map(|f| (f.id.as_str(), f.subject.as_str())).collect()
}

/// Compares `older` with `newer`.
pub fn between<'a>(older: &'a Report, newer: &'a Report) -> Changes<'a> {
    let (before, after) = (keys(older), keys(newer));
    Changes {
        new: newer.findings.iter().filter(|f| problem(f) && !before.contains(&(f.id.as_str(), f.subject.as_str()))).collect(),
        fixed: older.findings.iter().filter(|f| problem(f) && !after.contains(&(f.id.as_str(), f.subject.as_str()))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::checks::{dns, tls};

    #[test]
    fn the_same_problem_on_the_same_name_is_not_new() {
        let expiring = |subject: &str| Finding::new(&tls::EXPIRY, subject, Status::Warn).title("expires soon");
        let older = Report::new("a.test".into(), 1, 1, vec![expiring("a.test"), Finding::new(&dns::RESOLVE, "www.a.test", Status::Fail)]);
        let newer = Report::new("a.test".into(), 2, 1, vec![expiring("a.test").title("reworded"), expiring("api.a.test")]);
        let c = between(&older, &newer);
        assert_eq!(c.new.iter().map(|f| f.subject.as_str()).collect::<Vec<_>>(), ["api.a.test"]);
        assert_eq!(c.fixed.iter().map(|f| f.subject.as_str()).collect::<Vec<_>>(), ["www.a.test"]);
    }
}
