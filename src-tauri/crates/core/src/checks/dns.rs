//! `dns.resolver` and `dns.resolve`: this computer's DNS can be believed, and every name of the
//! product points somewhere.
//!
//! The resolver finding comes first and once: a broken resolver (offline, a captive portal, one
//! that says "no such name" for everything) turns every "missing" name into "couldn't check" instead
//! of a problem (see `Facts::addresses` and `net::health`).
//!
//! The root and the required names (`www` by default) are where visitors arrive, so a missing record
//! there is a launch blocker. The other names are optional unless the product's config says
//! otherwise: a product without an API subdomain is fine, and saying so teaches without alarming.

use super::{could_not_check, Family};
use crate::check::CheckDef;
use crate::facts::{AliasChain, AliasEnd, Facts};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::health::Health;
use crate::net::Addresses;
use crate::runner::PlannedCheck;
use crate::target::{HostSpec, Target};
use serde_json::json;

pub static RESOLVE: CheckDef =
    CheckDef { id: "dns.resolve", area: Area::Dns, stage: Stage::Routing, impact: Impact::Downtime, what: "the name's address records" };

pub static RESOLVER: CheckDef = CheckDef {
    id: "dns.resolver",
    area: Area::Dns,
    stage: Stage::Audit,
    impact: Impact::Downtime,
    what: "whether this computer's DNS answers truthfully for the product's zone",
};

pub const FAMILY: Family = Family { name: "dns", checks: &[&RESOLVER, &RESOLVE], plan };

/// The subject of the resolver finding: it is about this computer, not the product.
pub const THIS_COMPUTER: &str = "this computer";

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let root = target.domain.to_string();
    let health = {
        let facts = facts.clone();
        let root = root.clone();
        PlannedCheck::new(&RESOLVER, THIS_COMPUTER, "Checking that DNS works on this computer".to_owned(), async move {
            vec![resolver(&facts, &root).await]
        })
    };
    let names = target.hosts.iter().map(|host| {
        let (facts, root, spec) = (facts.clone(), root.clone(), host.clone());
        PlannedCheck::new(&RESOLVE, &host.name, format!("Looking up {} in DNS", host.name), async move {
            let host = spec;
            vec![check(&facts, &root, &host).await]
        })
    });
    std::iter::once(health).chain(names).collect()
}

async fn resolver(facts: &Facts, root: &str) -> Finding {
    match facts.dns_health().await {
        Health::Working { evidence } => Finding::new(&RESOLVER, THIS_COMPUTER, Status::Pass)
            .title(format!("DNS works on this computer: it answers truthfully for {root}."))
            .detail(format!("Before any name was called missing, the resolver proved itself: {evidence}."))
            .evidence(json!({ "state": "working", "evidence": evidence })),
        Health::Broken { reason } => Finding::new(&RESOLVER, THIS_COMPUTER, Status::Error)
            .title("DNS is not working on this computer, so Preflight could not check whether your names exist.")
            .why("Until this computer can look names up, every \"does not exist\" would be a guess; none is reported.")
            .detail(format!("The resolver could not prove itself on {root}'s zone: {reason}."))
            .evidence(json!({ "state": "broken", "reason": reason }))
            .fix([
                "Check that this computer is online: open any website in your browser.",
                "If you are on hotel, airport or office Wi-Fi, a sign-in page may be waiting in the browser: sign in.",
                "Then run the audit again.",
            ]),
    }
}

async fn check(facts: &Facts, root: &str, host: &HostSpec) -> Finding {
    let name = host.name.as_str();
    let servers = facts.net().resolver().servers.clone();
    match facts.addresses(name).await {
        Ok(addrs) => resolved(name, &addrs, &servers),
        // The resolver gave up: an alias chain it would not follow is told apart by hand.
        Err(e) if e.is_missing_name() => match facts.alias_chain(name).await {
            Ok(AliasChain { hops, end: AliasEnd::Addresses(mut addrs) }) if !hops.is_empty() => {
                addrs.cnames = hops;
                resolved(name, &addrs, &servers)
            }
            // A gone target or a loop is reported, once, by the aliases family.
            Ok(AliasChain { hops, end }) if !hops.is_empty() => {
                let why = match end {
                    AliasEnd::Missing(gone) => format!("an alias whose target {gone} does not exist; see the takeover finding"),
                    _ => "an alias chain that never ends on an address; see the alias-chain finding".to_owned(),
                };
                Finding::new(&RESOLVE, name, Status::Skipped)
                    .title(format!("{name} is {why}."))
                    .detail(format!("{e}. {name} → {}.", hops.join(" → ")))
            }
            _ if host.required => missing_required(root, name),
            _ => not_in_use(name, &e),
        },
        Err(e) => could_not_check(Finding::new(&RESOLVE, name, Status::Error), &format!("the DNS records of {name}"), &e),
    }
}

fn not_in_use(name: &str, e: &crate::net::NetError) -> Finding {
    Finding::new(&RESOLVE, name, Status::Skipped)
        .title(format!("{name} is not in use: it has no DNS record."))
        .detail(format!("{e}. That is fine if your product does not use this address."))
        .fix([format!("Nothing to do unless your product should be reachable at {name}.")])
}

fn resolved(host: &str, addrs: &Addresses, servers: &str) -> Finding {
    let list: Vec<String> = addrs.all().map(|ip| ip.to_string()).collect();
    let via = match addrs.cnames.first() {
        Some(alias) => format!(" through the alias {alias}"),
        None => String::new(),
    };
    Finding::new(&RESOLVE, host, Status::Pass)
        .title(format!("{host} points to a server{via}."))
        .detail(format!("{host} resolves to {}{via}, as answered by {servers}.", list.join(", ")))
        .evidence(json!({ "cnames": addrs.cnames, "a": addrs.v4, "aaaa": addrs.v6, "ttl": addrs.ttl, "nameservers": servers }))
}

fn missing_required(root: &str, host: &str) -> Finding {
    let (title, why, fix) = if host == root {
        (
            format!("{host} has no address, so nobody can reach your site by typing it."),
            "Every visitor, ad and email link that uses your bare domain lands on an error page.".to_owned(),
            vec![
                "Sign in where your domain's DNS is managed (for example Cloudflare: DNS → Records).".to_owned(),
                format!("Add an A record for {host} (name \"@\") with the IP address your hosting provider gives you, or the flattened CNAME your host documents."),
                "Wait a few minutes, then run this audit again.".to_owned(),
            ],
        )
    } else {
        let label = host.strip_suffix(&format!(".{root}")).unwrap_or(host);
        let why = if label == "www" {
            "Many people type www in front of a domain out of habit; each of them hits a dead end.".to_owned()
        } else {
            format!("Your settings say {host} is part of the product: every link, app screen or login that uses it fails.")
        };
        (
            format!("{host} does not exist, so visitors who type it see an error."),
            why,
            vec![
                "Sign in where your domain's DNS is managed (for example Cloudflare: DNS → Records).".to_owned(),
                format!("Add a CNAME record named \"{label}\" pointing to {root}."),
                format!("Make sure {host} then redirects to your main address; Preflight checks that too."),
            ],
        )
    };
    Finding::new(&RESOLVE, host, Status::Fail)
        .title(title)
        .why(why)
        .detail(format!("The DNS lookup of {host} returned no A or AAAA record (NXDOMAIN or an empty answer)."))
        .fix(fix)
}
