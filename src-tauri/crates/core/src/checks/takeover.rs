//! `dns.cname.dangling` and `dns.cname.chain`: an alias (CNAME) of the product that points at
//! something gone, or that goes round in a circle or on for too long.
//!
//! When a founder deletes a Heroku app, a Vercel project or an S3 bucket but leaves the CNAME that
//! pointed at it, anyone who creates a resource of the same name at that provider serves their
//! content on the founder's address — phishing on a trusted name, cookies of the parent domain. So a
//! CNAME whose target does not exist is a problem (customer data exposure), not "not in use"; so is
//! one whose target still resolves but answers with the platform's own "nothing deployed here" page
//! (recognised from `data/platforms.toml`, which also names the platform behind a target). Only
//! aliases get a finding; names with plain address records are not this check's business. A "no such
//! name" counts only once the resolver has proven itself (see `Facts::addresses`).

use super::{per_host, Family};
use crate::check::CheckDef;
use crate::facts::{AliasChain, AliasEnd, Facts};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::platforms::{self, Platform};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static DANGLING: CheckDef = CheckDef {
    id: "dns.cname.dangling",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::DataExposure,
    what: "aliases (CNAMEs) that point at something that no longer exists",
};

pub static CHAIN: CheckDef = CheckDef {
    id: "dns.cname.chain",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "alias chains that loop or run longer than 8 hops",
};

pub const FAMILY: Family = Family { name: "aliases", checks: &[&DANGLING, &CHAIN], plan };

/// Longer alias chains than this are slow to resolve and fragile: some resolvers give up.
pub const MAX_CHAIN: usize = 8;

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let label = |h: &str| format!("Checking that {h} is not an alias someone else could claim");
    per_host(target, facts, &DANGLING, label, |facts, host| async move { check(&facts, &host).await })
}

async fn check(facts: &Facts, host: &str) -> Vec<Finding> {
    let chain = match facts.addresses(host).await {
        Ok(addrs) if addrs.cnames.is_empty() => return Vec::new(),
        Ok(addrs) => addrs.cnames,
        // The resolver gave up: follow the aliases by hand to learn why.
        Err(e) if e.is_missing_name() => match facts.alias_chain(host).await {
            Ok(AliasChain { hops, .. }) if hops.is_empty() => return Vec::new(),
            Ok(AliasChain { hops, end: AliasEnd::Missing(gone) }) => return vec![dangling(host, &hops, &gone)],
            Ok(AliasChain { hops, end: AliasEnd::Loop(at) }) => return vec![looping(host, &hops, &at)],
            Ok(AliasChain { hops, .. }) => hops,
            Err(_) => return Vec::new(),
        },
        // The lookup itself failed: dns.resolve says so once.
        Err(_) => return Vec::new(),
    };
    let path = chain.join(" → ");
    let vacant = vacant_page(facts, host).await;
    let mut out = vec![match vacant {
        Some((platform, marker, url)) => vacant_at_platform(host, &chain, platform, marker, &url),
        None => Finding::new(&DANGLING, host, Status::Pass)
            .title(format!("{host} is an alias to {path}, which is live."))
            .detail(format!("The CNAME chain {host} → {path} ends on addresses, and no platform's \"nothing deployed here\" page answers."))
            .evidence(json!({ "chain": chain })),
    }];
    if chain.len() > MAX_CHAIN {
        out.push(
            Finding::new(&CHAIN, host, Status::Warn)
                .title(format!("{host} goes through {} aliases before it reaches an address (at most {MAX_CHAIN} is safe).", chain.len()))
                .why("Every alias is one more lookup for each new visitor, and some resolvers give up on long chains: those visitors get an error.")
                .detail(format!("{host} → {path}"))
                .evidence(json!({ "chain": chain }))
                .fix([format!("Point {host}'s CNAME straight at the final name, or use the address records your host gives you.")]),
        );
    }
    out
}

/// Whether `host` answers with a hosting platform's "nothing deployed here" page, over http or
/// https (the same answers the redirect and header checks read).
async fn vacant_page(facts: &Facts, host: &str) -> Option<(&'static Platform, &'static str, String)> {
    for scheme in ["http", "https"] {
        let Ok(url) = Url::parse(&format!("{scheme}://{host}/")) else { continue };
        if let Ok(resp) = facts.page(&url).await {
            if let Some((p, marker)) = platforms::by_not_found_page(&String::from_utf8_lossy(&resp.body)) {
                return Some((p, marker, url.to_string()));
            }
        }
    }
    None
}

fn vacant_at_platform(host: &str, chain: &[String], platform: &Platform, marker: &str, url: &str) -> Finding {
    let target = chain.last().map_or(host, String::as_str);
    let name = &platform.name;
    let (title, why) = if platform.claimable {
        (
            format!("{host} points to a {name} project that no longer exists: someone else could claim it and serve their pages on your name."),
            format!("{name} lets anyone create a project with that name; whoever does can show visitors anything under your domain — a fake login page, say — and read cookies meant for your site."),
        )
    } else {
        (
            format!("{host} points to a {name} project that no longer exists, so visitors see {name}'s error page."),
            format!("{name} asks for proof of ownership before a name is reused, so this is hard to hijack, but the address is broken for everyone who has it bookmarked or linked."),
        )
    };
    Finding::new(&DANGLING, host, Status::Fail)
        .title(title)
        .why(why)
        .detail(format!(
            "{host} → {}; {url} answers with {name}'s \"nothing deployed here\" page (it contains \"{marker}\").",
            chain.join(" → ")
        ))
        .evidence(json!({ "chain": chain, "platform": name, "marker": marker, "url": url, "claimable": platform.claimable }))
        .fix([
            format!("If nothing should be served at {host} any more, delete its CNAME record (to {target}) where your DNS is managed."),
            format!("If it should, re-create the project at {name} and add {host} to its domains, then run this audit again."),
        ])
}

fn looping(host: &str, hops: &[String], at: &str) -> Finding {
    let path = hops.join(" → ");
    Finding::new(&CHAIN, host, Status::Fail)
        .title(format!("{host} never resolves: its aliases go round in a circle back to {at}."))
        .why("Nobody can reach anything at this name until the circle is broken.")
        .detail(format!("{host} → {path} → {at}"))
        .evidence(json!({ "chain": hops, "repeats": at }))
        .fix([
            "Sign in where your domain's DNS is managed and look at the CNAME records along this chain: one of them points back at an earlier one.".to_owned(),
            format!("Point {host} at the name your host gives you (or give it address records), then run this audit again."),
        ])
}

fn dangling(host: &str, hops: &[String], target: &str) -> Finding {
    let path = hops.join(" → ");
    let at = platforms::by_target(target).map(|p| format!(" (at {})", p.name)).unwrap_or_default();
    Finding::new(&DANGLING, host, Status::Fail)
        .title(format!("{host} points to {target}{at}, which no longer exists: someone else could claim it and serve their pages on your name."))
        .why("Whoever claims that name at the provider can show visitors anything under your domain — a fake login page, say — and read cookies meant for your site.")
        .detail(format!("{host} → {path}; {target} does not exist."))
        .evidence(json!({ "chain": hops, "missing": target, "platform": platforms::by_target(target).map(|p| &p.name) }))
        .fix([
            format!("Sign in where your domain's DNS is managed (for example Cloudflare: DNS → Records) and find the CNAME record for {host}."),
            format!("If nothing should be served at {host} any more, delete that record."),
            format!("If it should, re-create the app, site or bucket that {target} belonged to at its provider, then run this audit again."),
        ])
}
