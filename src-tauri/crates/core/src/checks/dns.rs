//! `dns.resolve`: every configured name points somewhere.
//!
//! The root and `www` are where visitors arrive, so a missing record there is a launch blocker. The
//! other names (`app`, `api`, `auth` by default) are optional unless the product's config says
//! otherwise: a product without an API subdomain is fine, and saying so teaches without alarming.

use super::could_not_check;
use crate::model::{Area, Finding, Impact, Status};
use crate::net::{Addresses, Net};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub const ID: &str = "dns.resolve";

pub fn plan(target: &Target, net: &Net) -> Vec<PlannedCheck> {
    let root = target.domain.to_string();
    target
        .hosts()
        .into_iter()
        .map(|(host, required)| {
            let net = net.clone();
            let root = root.clone();
            let label = format!("Looking up {host} in DNS");
            PlannedCheck::new(ID, Area::Dns, 2, Impact::Downtime, &host.clone(), label, async move {
                vec![check(&net, &root, &host, required).await]
            })
        })
        .collect()
}

async fn check(net: &Net, root: &str, host: &str, required: bool) -> Finding {
    let base = Finding::new(ID, Area::Dns, 2, host).impact(Impact::Downtime);
    match net.resolver().addresses(host).await {
        Ok(addrs) => resolved(base, host, &addrs, &net.resolver().servers),
        Err(e) if e.is_missing_name() && required => missing_required(base, root, host),
        Err(e) if e.is_missing_name() => base
            .status(Status::Skipped)
            .title(format!("{host} is not in use: it has no DNS record."))
            .detail(format!("{e}. That is fine if your product does not use this address."))
            .fix([format!("Nothing to do unless your product should be reachable at {host}.")]),
        Err(e) => could_not_check(base, &format!("the DNS records of {host}"), &e),
    }
}

fn resolved(base: Finding, host: &str, addrs: &Addresses, servers: &str) -> Finding {
    let list: Vec<String> = addrs.all().map(|ip| ip.to_string()).collect();
    let via = match addrs.cnames.first() {
        Some(alias) => format!(" through the alias {alias}"),
        None => String::new(),
    };
    base.status(Status::Pass)
        .title(format!("{host} points to a server{via}."))
        .detail(format!("{host} resolves to {}{via}, as answered by {servers}.", list.join(", ")))
        .evidence(json!({ "cnames": addrs.cnames, "a": addrs.v4, "aaaa": addrs.v6, "ttl": addrs.ttl, "nameservers": servers }))
}

fn missing_required(base: Finding, root: &str, host: &str) -> Finding {
    let is_root = host == root;
    let (title, why, fix) = if is_root {
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
        (
            format!("{host} does not exist, so visitors who type it see an error."),
            "Many people type www in front of a domain out of habit; each of them hits a dead end.".to_owned(),
            vec![
                "Sign in where your domain's DNS is managed (for example Cloudflare: DNS → Records).".to_owned(),
                format!("Add a CNAME record named \"{label}\" pointing to {root}."),
                format!("Make sure {host} then redirects to your main address; Preflight checks that too."),
            ],
        )
    };
    base.status(Status::Fail)
        .title(title)
        .why(why)
        .detail(format!("The DNS lookup of {host} returned no A or AAAA record (NXDOMAIN or an empty answer)."))
        .fix(fix)
}
