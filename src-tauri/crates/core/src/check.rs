//! [`CheckDef`]: what a check is, declared once.
//!
//! Every check id the engine can emit has one static descriptor, next to the code that emits it:
//! its id, area, roadmap stage, the business impact of its problems, and one line saying what it
//! looks at. Findings, planned checks, `docs/checks.md` and the launch checklist all take these facts
//! from the descriptor, so they cannot drift apart; [`crate::checks::registry`] lists them all.

use crate::model::{Area, Impact, Stage};

/// The static description of one check.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckDef {
    /// Stable dotted id (`tls.cert.expiry`), documented in docs/checks.md.
    pub id: &'static str,
    pub area: Area,
    pub stage: Stage,
    /// The impact of its problems, unless a finding says otherwise (a redirect loop is downtime).
    pub impact: Impact,
    /// What it looks at, in a few plain words ("the certificate's expiry date").
    pub what: &'static str,
}
