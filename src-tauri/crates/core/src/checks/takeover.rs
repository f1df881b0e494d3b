//! `dns.cname.dangling`: an alias (CNAME) of the product that points at something gone.
//!
//! When a founder deletes a Heroku app, a Vercel project or an S3 bucket but leaves the CNAME that
//! pointed at it, anyone who creates a resource of the same name at that provider serves their
//! content on the founder's address — phishing on a trusted name, cookies of the parent domain. So a
//! CNAME whose target does not exist is a problem (customer data exposure), not "not in use". Only
//! aliases get a finding; names with plain address records are not this check's business. A "no such
//! name" counts only once the resolver has proven itself (see `Facts::addresses`).

use super::{per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static DANGLING: CheckDef = CheckDef {
    id: "dns.cname.dangling",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::DataExposure,
    what: "aliases (CNAMEs) that point at something that no longer exists",
};

pub const FAMILY: Family = Family { name: "takeover", checks: &[&DANGLING], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let label = |h: &str| format!("Checking that {h} is not an alias someone else could claim");
    per_host(target, facts, &DANGLING, label, |facts, host| async move { check(&facts, &host).await })
}

async fn check(facts: &Facts, host: &str) -> Vec<Finding> {
    match facts.addresses(host).await {
        Ok(addrs) if !addrs.cnames.is_empty() => vec![Finding::new(&DANGLING, host, Status::Pass)
            .title(format!("{host} is an alias to {}, which is live.", addrs.cnames.join(" → ")))
            .detail(format!("The CNAME chain {host} → {} ends on addresses.", addrs.cnames.join(" → ")))
            .evidence(json!({ "chain": addrs.cnames }))],
        Err(e) if e.is_missing_name() => match facts.alias(host).await {
            Ok(Some(target)) => vec![dangling(host, &target, &e.to_string())],
            _ => Vec::new(),
        },
        // Not an alias, or the lookup itself failed (dns.resolve says so once).
        _ => Vec::new(),
    }
}

fn dangling(host: &str, target: &str, lookup: &str) -> Finding {
    Finding::new(&DANGLING, host, Status::Fail)
        .title(format!("{host} points to {target}, which no longer exists: someone else could claim it and serve their pages on your name."))
        .why("Whoever claims that name at the provider can show visitors anything under your domain — a fake login page, say — and read cookies meant for your site.")
        .detail(format!("{host} is a CNAME to {target}, and {target} does not resolve ({lookup})."))
        .evidence(json!({ "cname": target }))
        .fix([
            format!("Sign in where your domain's DNS is managed (for example Cloudflare: DNS → Records) and find the CNAME record for {host}."),
            format!("If nothing should be served at {host} any more, delete that record."),
            format!("If it should, re-create the app, site or bucket that {target} belonged to at its provider, then run this audit again."),
        ])
}
