//! The one decision every front end makes after an audit: is this a pass, a failure, or an audit
//! that could not look?
//!
//! The CLI turns it into its exit code, the desktop app into the tray icon and the notification.
//! Keeping it here means a CI gate and the founder's window can never disagree about the same report.

use crate::model::{Report, Status};

/// From which status a finding fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Problems and findings that need attention.
    Warn,
    /// Problems only (the default).
    #[default]
    Fail,
    /// Never fail: report only.
    Never,
}

/// What a report means for a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing at or above the threshold, and every check could look. Exit 0.
    Clean,
    /// At least one finding at or above the threshold. Exit 1.
    Gated,
    /// Nothing at or above the threshold, but some checks ended in "couldn't check": the audit did
    /// not see everything, so it must not read as green. Exit 4.
    Incomplete,
}

impl Verdict {
    /// The documented exit code (docs/cli.md).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Clean => 0,
            Verdict::Gated => 1,
            Verdict::Incomplete => 4,
        }
    }
}

/// Judges `report` against `fail_on`. `Never` is always clean: it asks for a report, not a gate.
pub fn verdict(report: &Report, fail_on: FailOn) -> Verdict {
    let threshold = match fail_on {
        FailOn::Warn => Status::Warn.gate_rank(),
        FailOn::Fail => Status::Fail.gate_rank(),
        FailOn::Never => return Verdict::Clean,
    };
    if report.findings.iter().any(|f| f.status.gate_rank() >= threshold) {
        Verdict::Gated
    } else if report.findings.iter().any(|f| f.status == Status::Error) {
        Verdict::Incomplete
    } else {
        Verdict::Clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckDef;
    use crate::model::{Area, Finding, Impact, Stage};

    const DEF: CheckDef = CheckDef { id: "test.gate", area: Area::Dns, stage: Stage::Routing, impact: Impact::Downtime, what: "a test" };

    fn report(statuses: &[Status]) -> Report {
        let findings = statuses.iter().enumerate().map(|(i, s)| Finding::new(&DEF, format!("h{i}.test"), *s)).collect();
        Report::new("x.test".into(), 0, 0, findings)
    }

    #[test]
    fn an_audit_that_could_not_look_is_never_green() {
        let r = report(&[Status::Pass, Status::Error]);
        assert_eq!(verdict(&r, FailOn::Fail), Verdict::Incomplete, "an error must not pass a CI gate");
        assert_eq!(verdict(&r, FailOn::Fail).exit_code(), 4);
        assert_eq!(verdict(&r, FailOn::Never), Verdict::Clean, "--fail-on never only reports");
    }

    #[test]
    fn the_threshold_decides_and_a_failure_outranks_an_error() {
        let warn = report(&[Status::Pass, Status::Warn]);
        assert_eq!(verdict(&warn, FailOn::Fail), Verdict::Clean);
        assert_eq!(verdict(&warn, FailOn::Warn), Verdict::Gated, "warn gating is stricter");
        let both = report(&[Status::Fail, Status::Error]);
        assert_eq!(
            verdict(&both, FailOn::Fail),
            Verdict::Gated,
            "a real problem is reported as one even when another check could not look"
        );
        assert_eq!(verdict(&report(&[Status::Pass, Status::Skipped, Status::Manual]), FailOn::Warn), Verdict::Clean);
    }
}
