//! Redirect hygiene of the front doors (the root and `www`): the redirects are permanent, short, keep
//! the path and query, and every front door ends on the same host.
//!
//! `redirects.https` says whether `http://` ends on `https://` at all; these say whether it does so
//! well, one cause per id. They read the same chains (`Facts::chain`), so nothing is fetched twice,
//! plus one chain per front door for a marker path and query (`/preflight-path-check?pf=1`): a redirect
//! that drops them sends every deep link — a login callback, a link in an email — to the home page.

use super::Family;
use crate::chain::{Chain, Outcome};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static PERMANENT: CheckDef = CheckDef {
    id: "redirects.permanent",
    area: Area::Redirects,
    stage: Stage::Routing,
    impact: Impact::UserExperience,
    what: "whether redirects are permanent (301/308)",
};
pub static HOPS: CheckDef = CheckDef {
    id: "redirects.hops",
    area: Area::Redirects,
    stage: Stage::Routing,
    impact: Impact::UserExperience,
    what: "how many redirects a visitor goes through",
};
pub static PATH: CheckDef = CheckDef {
    id: "redirects.path",
    area: Area::Redirects,
    stage: Stage::Routing,
    impact: Impact::UserExperience,
    what: "whether redirects keep the path and query string",
};
pub static CANONICAL: CheckDef = CheckDef {
    id: "redirects.canonical",
    area: Area::Redirects,
    stage: Stage::Routing,
    impact: Impact::UserExperience,
    what: "whether every front door ends on one address",
};

pub const FAMILY: Family = Family { name: "redirect hygiene", checks: &[&PERMANENT, &HOPS, &PATH, &CANONICAL], plan };

/// More redirects than this cost a mobile visitor a noticeable extra round trip each.
pub const MAX_HOPS: usize = 2;
/// The marker that must survive the redirects.
pub const MARKER: &str = "/preflight-path-check?pf=1";

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let doors: Vec<String> = target.front_doors().into_iter().map(|h| h.name.clone()).collect();
    let mut plan: Vec<PlannedCheck> = doors
        .iter()
        .map(|host| {
            let (facts, host) = (facts.clone(), host.clone());
            let label = format!("Checking how http://{host} redirects");
            PlannedCheck::new(&PERMANENT, &host.clone(), label, async move { per_door(&facts, &host).await })
        })
        .collect();
    let root = target.domain.to_string();
    let (facts, canonical) = (facts.clone(), target.canonical.clone());
    let label = "Checking that every front door ends on one address".to_owned();
    plan.push(PlannedCheck::new(&CANONICAL, &root.clone(), label, async move {
        one_address(&facts, &root, &doors, canonical.as_deref()).await
    }));
    plan
}

fn http(host: &str, path: &str) -> Option<Url> {
    Url::parse(&format!("http://{host}{path}")).ok()
}

async fn per_door(facts: &Facts, host: &str) -> Vec<Finding> {
    let Some(start) = http(host, "/") else { return Vec::new() };
    let chain = facts.chain(&start).await;
    // No redirect, or a chain that did not land: redirects.https says what is wrong.
    if chain.redirects().next().is_none() || !matches!(chain.outcome, Outcome::Landed { .. }) {
        return Vec::new();
    }
    let mut out = vec![permanent(host, &chain), hops(host, &chain)];
    if let Some(marked) = http(host, MARKER) {
        out.push(path(host, &facts.chain(&marked).await));
    }
    out
}

/// Temporary redirects (302/303/307) are a warning: search engines keep the old address.
pub fn permanent(host: &str, chain: &Chain) -> Finding {
    let temporary: Vec<u16> = chain.redirects().filter(|s| !matches!(s, 301 | 308)).collect();
    let base = |status| Finding::new(&PERMANENT, host, status).detail(chain.describe()).evidence(json!({ "hops": chain.hops }));
    if temporary.is_empty() {
        return base(Status::Pass).title(format!("http://{host} redirects permanently (301/308), as search engines expect."));
    }
    base(Status::Warn)
        .title(format!("http://{host} redirects with a temporary redirect ({}), so search engines keep treating the old address as the real one.", join(&temporary)))
        .why("Search rankings stay split between addresses, and browsers re-ask the old address on every visit.")
        .fix([
            "Make the redirect permanent: status 301 (or 308). In Cloudflare: Rules → Redirect Rules → status code 301; on Vercel set \"permanent\": true on the redirect; on Netlify use status 301 in _redirects.".to_owned(),
            "Run this audit again to confirm.".to_owned(),
        ])
}

/// More than [`MAX_HOPS`] redirects is a warning: each costs a round trip.
pub fn hops(host: &str, chain: &Chain) -> Finding {
    let n = chain.redirects().count();
    let base = |status| Finding::new(&HOPS, host, status).detail(chain.describe()).evidence(json!({ "redirects": n }));
    if n <= MAX_HOPS {
        return base(Status::Pass).title(format!("http://{host} reaches its page in {n} redirect{}.", if n == 1 { "" } else { "s" }));
    }
    base(Status::Warn)
        .title(format!("http://{host} goes through {n} redirects before it shows anything (at most {MAX_HOPS} is good)."))
        .why("Each redirect is one more round trip: on a mobile network, about 150 ms of blank screen each.")
        .fix(["Point the first redirect straight at the final address (https and the canonical host in one step)."])
}

/// The marker path and query must arrive where the chain lands.
pub fn path(host: &str, chain: &Chain) -> Finding {
    let base =
        |status| Finding::new(&PATH, host, status).detail(chain.describe()).evidence(json!({ "marker": MARKER, "hops": chain.hops }));
    match &chain.outcome {
        Outcome::Landed { url, .. } if url.path() == "/preflight-path-check" && url.query() == Some("pf=1") => {
            base(Status::Pass).title(format!("Redirects from http://{host} keep the page and its parameters, so deep links still work."))
        }
        Outcome::Landed { url, .. } => base(Status::Warn)
            .title(format!("Redirects from http://{host} drop the page people asked for: http://{host}{MARKER} ends on {url}."))
            .why("Links to a page deep in your product — a login callback, a link in an email or an ad — land on the home page instead.")
            .fix([
                "Make the redirect keep the path and the query string: in Cloudflare use a Redirect Rule with \"Preserve query string\" and a dynamic target such as concat(\"https://\", http.host, http.request.uri.path); most hosts keep them when the redirect points at the domain only.".to_owned(),
                "Run this audit again to confirm.".to_owned(),
            ]),
        _ => base(Status::Skipped)
            .title(format!("Whether redirects from http://{host} keep the path was not checked: the redirect does not land (see redirects.https).")),
    }
}

async fn one_address(facts: &Facts, root: &str, doors: &[String], canonical: Option<&str>) -> Vec<Finding> {
    let mut landed = Vec::new();
    for door in doors {
        let Some(start) = http(door, "/") else { continue };
        if let Outcome::Landed { url, .. } = facts.chain(&start).await.outcome {
            landed.push((door.clone(), url.host_str().unwrap_or_default().to_owned()));
        }
    }
    let hosts: Vec<&str> = landed.iter().map(|(_, h)| h.as_str()).collect();
    let evidence = json!({ "ends_on": landed, "canonical": canonical });
    let list = landed.iter().map(|(d, h)| format!("http://{d} → {h}")).collect::<Vec<_>>().join(", ");
    let base = |status| Finding::new(&CANONICAL, root, status).detail(list.clone()).evidence(evidence.clone());
    let fix = |to: &str| {
        [
            format!("Pick one address for your product ({to}) and redirect every other front door to it permanently: in Cloudflare a Redirect Rule, on Vercel and Netlify the domain settings' \"redirect to\" option."),
            "Run this audit again to confirm.".to_owned(),
        ]
    };
    if let Some(c) = canonical {
        let stray: Vec<&str> = landed.iter().filter(|(_, h)| h != c).map(|(d, _)| d.as_str()).collect();
        if stray.is_empty() {
            return vec![base(Status::Pass).title(format!("Every front door of your product ends on {c}, the address you chose."))];
        }
        return vec![base(Status::Warn)
            .title(format!(
                "{} {} not end on {c}, the address you chose for your product.",
                stray.join(" and "),
                if stray.len() == 1 { "does" } else { "do" }
            ))
            .why("Visitors, search engines and login cookies end up split between two addresses of the same product.")
            .fix(fix(c))];
    }
    match hosts.as_slice() {
        [first, rest @ ..] if !rest.is_empty() && rest.iter().any(|h| h != first) => vec![base(Status::Warn)
            .title(format!("Your front doors end on different addresses ({list}), so there are two versions of your site."))
            .why("Visitors, search engines and login cookies end up split between two addresses of the same product.")
            .fix(fix(first))],
        [first, rest @ ..] if !rest.is_empty() => {
            vec![base(Status::Pass).title(format!("Every front door of your product ends on {first}."))]
        }
        _ => Vec::new(),
    }
}

fn join(codes: &[u16]) -> String {
    codes.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}
