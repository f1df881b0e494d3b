//! `edge.cloudflare.*`: what Cloudflare's API says about the product's zone, declared here so the
//! registry, the documentation, the checklist and `--only` know them like every other check.
//!
//! No outside probe can see these settings, so the engine plans none of them: the providers crate
//! reads them with the founder's read-only token, when one is connected, and adds its findings to
//! the audit's report (see `preflight_providers`). Without a token the audit is complete without
//! them, and the checklist items they feed keep their state from the outside checks.

use super::Family;
use crate::check::CheckDef;
use crate::model::{Area, Impact, Stage};

const fn def(id: &'static str, stage: Stage, impact: Impact, what: &'static str) -> CheckDef {
    CheckDef { id, area: Area::Edge, stage, impact, what }
}

pub static ACCESS: CheckDef = def(
    "edge.cloudflare.access",
    Stage::Edge,
    Impact::Downtime,
    "whether Preflight could read the zone's settings with the connected Cloudflare token",
);
pub static SSL: CheckDef =
    def("edge.cloudflare.ssl", Stage::Edge, Impact::DataExposure, "Cloudflare's SSL/TLS mode: how Cloudflare reaches your server");
pub static HTTPS: CheckDef = def(
    "edge.cloudflare.https",
    Stage::Edge,
    Impact::DataExposure,
    "Always Use HTTPS, the minimum TLS version, HSTS and automatic HTTPS rewrites at Cloudflare",
);
pub static PROXIED: CheckDef = def(
    "edge.cloudflare.proxied",
    Stage::Edge,
    Impact::DataExposure,
    "which public records go through Cloudflare (proxied) and which must not",
);
pub static DNSSEC: CheckDef = def(
    "edge.cloudflare.dnssec",
    Stage::Routing,
    Impact::Downtime,
    "DNSSEC at Cloudflare compared with the DS record your registrar publishes",
);
pub static WAF: CheckDef = def("edge.cloudflare.waf", Stage::Edge, Impact::DataExposure, "Cloudflare's managed WAF rules");
pub static RATELIMIT: CheckDef = def(
    "edge.cloudflare.ratelimit",
    Stage::Edge,
    Impact::Cost,
    "rate-limiting rules covering the chat, sign-in and API paths the settings name",
);
pub static BOTS: CheckDef = def(
    "edge.cloudflare.bots",
    Stage::Edge,
    Impact::Downtime,
    "bot protection and challenges that could block webhooks and sign-in callbacks",
);
pub static CACHE: CheckDef =
    def("edge.cloudflare.cache", Stage::Performance, Impact::DataExposure, "cache rules: static files cached, signed-in pages never");
pub static CROSSCHECK: CheckDef = def(
    "edge.cloudflare.crosscheck",
    Stage::Edge,
    Impact::DataExposure,
    "whether what Cloudflare's API says shows from outside (proxied names answer through Cloudflare, HTTPS and HSTS hold)",
);

pub const FAMILY: Family = Family {
    name: "cloudflare",
    checks: &[&ACCESS, &SSL, &HTTPS, &PROXIED, &DNSSEC, &WAF, &RATELIMIT, &BOTS, &CACHE, &CROSSCHECK],
    plan: |_, _| Vec::new(),
};
