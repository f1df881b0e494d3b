//! `dns.ns` and `dns.ttl`: the zone itself is robust, and a fix would spread quickly (whether it
//! is signed is `dns.dnssec`'s, in `dnssec.rs`).
//!
//! With a single name server, one outage at the DNS provider makes the whole domain vanish: site,
//! API and email. And a record cached for a day or more means that when something must change in a
//! hurry (a host moves, an attack forces a switch), visitors keep going to the old address for that
//! long.

use super::{could_not_check, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static NS: CheckDef = CheckDef {
    id: "dns.ns",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "how many name servers answer for the domain",
};
pub static TTL: CheckDef = CheckDef {
    id: "dns.ttl",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "how long caches keep the front doors' addresses",
};

pub const FAMILY: Family = Family { name: "zone", checks: &[&NS, &TTL], plan };

/// From this many seconds on, a change takes about a day or more to reach everyone.
pub const LONG_TTL: u32 = 86_400;

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let root = target.domain.to_string();
    let mut plan =
        vec![{
            let (facts, root) = (facts.clone(), root.clone());
            PlannedCheck::new(&NS, &root.clone(), format!("Counting the name servers of {root}"), async move {
                name_servers(&facts, &root).await
            })
        }];
    plan.extend(target.front_doors().into_iter().map(|h| {
        let (facts, host) = (facts.clone(), h.name.clone());
        PlannedCheck::new(&TTL, &h.name, format!("Reading how long {host} is cached"), async move { ttl(&facts, &host).await })
    }));
    plan
}

async fn name_servers(facts: &Facts, root: &str) -> Vec<Finding> {
    let servers = match facts.net().resolver().ns(root).await {
        Ok(s) => s,
        // The domain itself is missing: dns.resolve reports it.
        Err(e) if e.is_missing_name() => return Vec::new(),
        Err(e) => return vec![could_not_check(Finding::new(&NS, root, Status::Error), &format!("the name servers of {root}"), &e)],
    };
    let mut unique = servers.clone();
    unique.sort();
    unique.dedup();
    let base = |status| {
        Finding::new(&NS, root, status).detail(format!("NS records of {root}: {}", unique.join(", "))).evidence(json!({ "ns": unique }))
    };
    match unique.len() {
        0 => Vec::new(),
        1 => vec![base(Status::Warn)
            .title(format!("{root} has a single name server ({}): if it fails, your whole domain disappears.", unique[0]))
            .why("Site, API and email all stop resolving during any outage of that one server.")
            .fix([
                "Use your DNS provider's standard set of name servers (every major provider gives at least two), or add a second one at your registrar.".to_owned(),
                "Run this audit again to confirm.".to_owned(),
            ])],
        n => vec![base(Status::Pass).title(format!("{root} is served by {n} name servers, so one outage does not take it down."))],
    }
}

async fn ttl(facts: &Facts, host: &str) -> Vec<Finding> {
    let Ok(addrs) = facts.addresses(host).await else { return Vec::new() };
    let Some(ttl) = addrs.ttl else { return Vec::new() };
    let base = |status| {
        Finding::new(&TTL, host, status)
            .detail(format!("The address records of {host} have a TTL of {ttl} s."))
            .evidence(json!({ "ttl": ttl }))
    };
    if ttl < LONG_TTL {
        return vec![base(Status::Pass).title(format!("A change to {host}'s address reaches everyone within {}.", duration(ttl)))];
    }
    vec![base(Status::Warn)
        .title(format!("{host} is cached for {}, so an urgent change to its address would take that long to reach everyone.", duration(ttl)))
        .why("If your host moves or you must switch servers in a hurry, visitors keep going to the old address until caches expire.")
        .fix([
            format!("At your DNS provider, lower the TTL of the records of {host} to 1 hour (3600) or less; Cloudflare's \"Auto\" is 5 minutes."),
            "Do it a day before any planned move, then run this audit again.".to_owned(),
        ])]
}

fn duration(secs: u32) -> String {
    match secs {
        s if s >= 86_400 => format!("{} day{}", s / 86_400, if s / 86_400 == 1 { "" } else { "s" }),
        s if s >= 3600 => format!("{} hour{}", s / 3600, if s / 3600 == 1 { "" } else { "s" }),
        s if s >= 60 => format!("{} minute{}", s / 60, if s / 60 == 1 { "" } else { "s" }),
        s => format!("{s} seconds"),
    }
}
