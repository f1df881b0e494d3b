//! `performance.p95`: whether the product's key actions answer fast enough at p95.
//!
//! Measuring takes tens of requests per endpoint, one after the other, and the founder chooses the
//! endpoints, so an audit never plans this check: `preflight latency` and the app's Speed view
//! measure and store each endpoint's run, and the launch checklist turns the newest run of each
//! endpoint into a finding (`preflight_latency::finding`). Only the descriptor and the words that
//! do not depend on a measurement live here, with the other check families.

use crate::check::CheckDef;
use crate::checks::Family;
use crate::model::{Area, Impact, Stage};

pub const P95: CheckDef = CheckDef {
    id: "performance.p95",
    area: Area::Performance,
    stage: Stage::Performance,
    impact: Impact::UserExperience,
    what: "how fast the key actions answer at p95",
};

/// Never planned by an audit: see the module header.
pub const FAMILY: Family = Family { name: "performance", checks: &[&P95], plan: |_, _| Vec::new() };
