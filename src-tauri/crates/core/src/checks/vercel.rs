//! `deploy.vercel.*`: what Vercel's API says about the project serving the product's domain,
//! declared here so the registry, the documentation, the checklist and `--only deploy` know them.
//!
//! Like `edge.cloudflare.*`, no outside probe can see these: the providers crate reads them with
//! the founder's Vercel token, when one is connected, and adds its findings to the audit's report.
//! Environment variables are compared by name only; no value is ever asked for.

use super::Family;
use crate::check::CheckDef;
use crate::model::{Area, Impact, Stage};

pub static PROJECT: CheckDef = CheckDef {
    id: "deploy.vercel.project",
    area: Area::Deploy,
    stage: Stage::Deploy,
    impact: Impact::Downtime,
    what: "the Vercel project serving the domain, and the commit live in production",
};
pub static ENV: CheckDef = CheckDef {
    id: "deploy.vercel.env",
    area: Area::Deploy,
    stage: Stage::Deploy,
    impact: Impact::DataExposure,
    what: "environment variable names in production and preview: none missing in production, no secret exposed to the browser",
};
pub static ROLLBACK: CheckDef = CheckDef {
    id: "deploy.vercel.rollback",
    area: Area::Deploy,
    stage: Stage::Deploy,
    impact: Impact::Downtime,
    what: "whether an earlier production deployment is ready for an instant rollback",
};

pub const FAMILY: Family = Family { name: "vercel", checks: &[&PROJECT, &ENV, &ROLLBACK], plan: |_, _| Vec::new() };
