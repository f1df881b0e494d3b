//! Redirect hygiene: every name's redirects are permanent, short and keep the path and query; every
//! front door (the root and `www`) ends on the same host; and no name sends visitors to a hosting
//! platform's own address (`acme.vercel.app`) instead of the product's domain.
//!
//! `redirects.https` says whether `http://` ends on `https://` at all; these say whether it does so
//! well, one cause per id. They read the same chains (`Facts::chain`), so nothing is fetched twice,
//! plus one chain per front door for a marker path and query (`/preflight-path-check?pf=1`): a redirect
//! that drops them sends every deep link — a login callback, a link in an email — to the home page.

use super::{per_host, Family};
use crate::chain::{Chain, Outcome};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::platforms;
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

pub static PLATFORM: CheckDef = CheckDef {
    id: "redirects.platform",
    area: Area::Redirects,
    stage: Stage::Routing,
    impact: Impact::UserExperience,
    what: "whether visitors stay on your domain rather than a hosting platform's own address",
};

pub const FAMILY: Family = Family { name: "redirect hygiene", checks: &[&PERMANENT, &HOPS, &PATH, &CANONICAL, &PLATFORM], plan };

/// More redirects than this cost a mobile visitor a noticeable extra round trip each.
pub const MAX_HOPS: usize = 2;
/// The marker that must survive the redirects.
pub const MARKER: &str = "/preflight-path-check?pf=1";

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let doors: Vec<String> = target.front_doors().into_iter().map(|h| h.name.clone()).collect();
    let mut plan = per_host(
        target,
        facts,
        &PERMANENT,
        |h| format!("Checking how http://{h} redirects"),
        |facts, host| async move { per_name(&facts, &host).await },
    );
    plan.extend(per_host(
        target,
        facts,
        &PLATFORM,
        |h| format!("Checking that {h} keeps visitors on your domain"),
        |facts, host| async move { vec![platform(&facts, &host).await] },
    ));
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

async fn per_name(facts: &Facts, host: &str) -> Vec<Finding> {
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
        Outcome::Landed { url, .. } if url.path() == "/preflight-path-check" => base(Status::Warn)
            .title(format!(
                "Redirects from http://{host} keep the page but drop its query string (?ref=…, ?next=…, which breaks campaign tracking and sign-in returns): http://{host}{MARKER} ends on {url}."
            ))
            .why("Whatever follows the ? is lost on the way: ad and newsletter tracking stops counting, and a sign-in link forgets where to send the person back.")
            .fix([
                "Make the redirect keep the query string: in Cloudflare tick \"Preserve query string\" on the Redirect Rule; in nginx end the target with $is_args$args (or use $request_uri).".to_owned(),
                "Run this audit again to confirm.".to_owned(),
            ]),
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

/// Where `http://` and `https://` of `host` end, when that is a hosting platform's own address
/// (`acme.vercel.app`) rather than the product's domain.
async fn platform(facts: &Facts, host: &str) -> Finding {
    let mut ends = Vec::new();
    for scheme in ["http", "https"] {
        let Ok(start) = Url::parse(&format!("{scheme}://{host}/")) else { continue };
        if let Outcome::Landed { url, .. } = facts.chain(&start).await.outcome {
            ends.push(url);
        }
    }
    judge_platform(host, &ends)
}

/// The verdict on where a name's chains end (pure).
pub fn judge_platform(host: &str, ends: &[Url]) -> Finding {
    let evidence = json!({ "ends_on": ends.iter().map(Url::as_str).collect::<Vec<_>>() });
    let base = |status| Finding::new(&PLATFORM, host, status).evidence(evidence.clone());
    if let Some(p) = platforms::by_own_address(host) {
        return base(Status::Warn)
            .title(format!("{host} is {}'s own address for your project, not a domain of yours.", p.name))
            .why("Visitors and search engines learn an address you can never move elsewhere, and cookies sit on a domain shared with every other project on the platform.")
            .detail(format!("{host} is under one of {}'s project domains ({}).", p.name, p.own.join(", ")))
            .fix([
                format!("Buy a domain (or use the one you have) and add it to the project in {}'s domain settings.", p.name),
                "Audit that domain with Preflight, and redirect this address to it.".to_owned(),
            ]);
    }
    let stray = ends.iter().find_map(|u| u.host_str().and_then(|h| platforms::by_own_address(h).map(|p| (u, p))));
    match stray {
        Some((url, p)) => base(Status::Warn)
            .title(format!("Visitors to {host} end up on {url}, {}'s own address, instead of your domain.", p.name))
            .why("Visitors see an address that does not look like yours, search engines index it instead of your domain, and logins set on it do not carry over.")
            .detail(format!("{host} redirects to {url}; {} is one of {}'s project domains.", url.host_str().unwrap_or_default(), p.name))
            .fix([
                format!("In {}'s domain settings make {host} the primary domain, so the platform's address redirects to it (not the other way round).", p.name),
                "Run this audit again to confirm.".to_owned(),
            ]),
        None if ends.is_empty() => base(Status::Skipped).title(format!("Where {host} leads was not checked: it does not land anywhere (see redirects.https).")),
        None => base(Status::Pass).title(format!("{host} keeps visitors on your own domain.")),
    }
}

fn join(codes: &[u16]) -> String {
    codes.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod path_tests {
    use super::*;
    use crate::chain::{Chain, Outcome};

    fn landed_on(u: &str) -> Chain {
        Chain { hops: Vec::new(), outcome: Outcome::Landed { url: url::Url::parse(u).expect("url"), status: 200 } }
    }

    #[test]
    fn a_dropped_query_is_told_apart_from_a_dropped_page() {
        let kept = path("a.test", &landed_on("https://a.test/preflight-path-check?pf=1"));
        assert_eq!(kept.status, Status::Pass);
        let query = path("a.test", &landed_on("https://a.test/preflight-path-check"));
        assert!(query.title.contains("keep the page but drop its query string"), "{}", query.title);
        let page = path("a.test", &landed_on("https://a.test/"));
        assert!(page.title.contains("drop the page people asked for"), "{}", page.title);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(list: &[&str]) -> Vec<Url> {
        list.iter().filter_map(|u| Url::parse(u).ok()).collect()
    }

    #[test]
    fn a_platform_address_as_the_public_one_needs_attention() {
        // Pure: no request is sent to these names.
        assert_eq!(judge_platform("acme.test", &urls(&["https://acme.test/"])).status, Status::Pass);
        let f = judge_platform("acme.test", &urls(&["https://acme-web.vercel.app/"]));
        assert_eq!(f.status, Status::Warn);
        assert!(f.title.contains("Vercel's own address"), "{}", f.title);
        let f = judge_platform("acme.pages.dev", &urls(&["https://acme.pages.dev/"]));
        assert_eq!(f.status, Status::Warn);
        assert!(f.title.contains("Cloudflare Pages's own address"), "{}", f.title);
        assert_eq!(judge_platform("acme.test", &[]).status, Status::Skipped);
    }
}
