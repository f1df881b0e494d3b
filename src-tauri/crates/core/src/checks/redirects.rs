//! `redirects.https`: a visitor who types the plain `http://` address ends up on `https://`.
//!
//! The chain is followed by hand, hop by hop, so the evidence shows every hop and a loop or an
//! endless chain ends at `Limits::redirects` instead of hanging. Each hop goes through the strict
//! client: a redirect to an `https://` address with a bad certificate is a broken redirect. Every name
//! of the product is followed (an `api` or `auth` name reached over http leaks as much as the home
//! page), and a chain that steps back from https to http on the way is a problem even when it ends
//! on https: that step is readable by anyone on the network.

use super::{could_not_check, no_such_name, per_host, Family};
use crate::chain::{Chain, Hop, Outcome};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::NetError;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use std::sync::Arc;
use url::Url;

pub static HTTPS: CheckDef = CheckDef {
    id: "redirects.https",
    area: Area::Redirects,
    stage: Stage::Routing,
    impact: Impact::DataExposure,
    what: "where the plain http:// address leads",
};

pub const FAMILY: Family = Family { name: "redirects", checks: &[&HTTPS], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let names: Arc<Vec<String>> = Arc::new(target.hosts.iter().map(|h| h.name.clone()).collect());
    per_host(
        target,
        facts,
        &HTTPS,
        |h| format!("Following http://{h} to its secure address"),
        move |facts, host| {
            let names = names.clone();
            async move { vec![check(&facts, &host, &names).await] }
        },
    )
}

/// The first hop that leaves `https://` for plain `http://`, as "from → to".
pub fn downgrade(hops: &[Hop]) -> Option<String> {
    hops.iter()
        .zip(hops.iter().skip(1))
        .find(|(a, b)| a.url.starts_with("https://") && b.url.starts_with("http://"))
        .map(|(a, b)| format!("{} → {}", a.url, b.url))
}

/// `names` are the product's names: a hop that fails on one of their certificates is that name's
/// TLS finding, reported once there rather than again here.
async fn check(facts: &Facts, host: &str, names: &[String]) -> Finding {
    let Ok(start) = Url::parse(&format!("http://{host}/")) else {
        return Finding::new(&HTTPS, host, Status::Error).title(format!("{host} cannot be turned into a web address."));
    };
    let Chain { hops, outcome } = facts.chain(&start).await;
    let chain = hops.iter().map(Hop::line).collect::<Vec<_>>().join("\n");
    let evidence = json!({ "hops": hops });
    let base = |status| Finding::new(&HTTPS, host, status).evidence(evidence.clone()).detail(chain.clone());
    let down = downgrade(&hops);
    match outcome {
        Outcome::Landed { url, status } if url.scheme() == "https" && status < 400 && down.is_some() => {
            let step = down.unwrap_or_default();
            base(Status::Fail)
                .title(format!("http://{host} reaches {url}, but drops back to plain http on the way ({step})."))
                .why("The step over plain http can be read or changed by anyone on the same Wi-Fi, and it strips HSTS protection from the visit.")
                .fix([
                    "Make every redirect point at an https:// address: look for a rule that builds its target with http://.".to_owned(),
                    "Run this audit again to confirm.".to_owned(),
                ])
        }
        Outcome::Landed { url, status } if url.scheme() == "https" && status < 400 => {
            let permanent = hops.iter().filter_map(|h| h.status).filter(|s| matches!(s, 301 | 302 | 303 | 307 | 308)).all(|s| s == 301 || s == 308);
            let note = if permanent { "" } else { " (with a temporary redirect; a permanent 301 or 308 is better for search engines)" };
            base(Status::Pass).title(format!("http://{host} sends visitors to the secure address {url}{note}."))
        }
        Outcome::Landed { url, status } if url.scheme() == "https" => base(Status::Warn)
            .impact(Impact::UserExperience)
            .title(format!("http://{host} ends on {url}, which answers with an error ({status})."))
            .why("Visitors who type your address land on an error page instead of your product.")
            .fix([format!("Make {url} serve your home page, or point the redirect at the page that does.")]),
        Outcome::Landed { url, .. } => base(Status::Fail)
            .title(format!("{host} can be used without encryption: {url} does not redirect to https."))
            .why("Logins and form data sent over plain http can be read by anyone on the same Wi-Fi, and browsers mark the page \"Not secure\".")
            .fix([
                "In Cloudflare: SSL/TLS → Edge Certificates → turn on \"Always Use HTTPS\". On Vercel, Netlify and Render this is on by default once the domain is added.".to_owned(),
                "Otherwise, ask your host to add a permanent (301) redirect from http:// to https://.".to_owned(),
                "Run this audit again to confirm.".to_owned(),
            ]),
        Outcome::Loop => base(Status::Fail)
            .impact(Impact::Downtime)
            .title(format!("http://{host} redirects in a loop, so browsers give up with an error."))
            .why("Nobody who types this address reaches your product.")
            .fix([
                "Look at the hops below: two settings are sending visitors back and forth.".to_owned(),
                "A common cause is Cloudflare's SSL mode \"Flexible\" in front of a host that itself redirects to https: set it to Full (strict).".to_owned(),
            ]),
        Outcome::Broken { url, error } if error.is_missing_name() => {
            no_such_name(&HTTPS, host, url.host_str().unwrap_or(host), "The redirect").evidence(evidence.clone())
        }
        Outcome::Broken { url, error } if error.is_inconclusive() => could_not_check(base(Status::Error), &format!("where {url} leads"), &error),
        Outcome::Broken { url, error: NetError::Tls { host: broken, .. } } if hops.len() > 1 && names.contains(&broken) => base(Status::Skipped)
            .title(format!("http://{host} redirects to {url}, whose certificate browsers refuse: see the certificate finding for {broken}."))
            .detail(format!("{chain}\nThe redirect itself works; the certificate at the end is the problem, reported once under tls.cert.trust.")),
        Outcome::Broken { url, error } => {
            let first = hops.len() == 1;
            let title = if first {
                format!("http://{host} does not answer, so visitors who type the address without https may see an error.")
            } else {
                format!("http://{host} redirects to {url}, which fails: {error}.")
            };
            base(Status::Fail)
                .impact(Impact::Downtime)
                .title(title)
                .why("Visitors who follow this address, from old links or by typing it, reach an error instead of your product.")
                .fix([
                    "Make sure your host (or CDN) answers on port 80 for this name and redirects it permanently to https://.".to_owned(),
                    "Run this audit again to confirm.".to_owned(),
                ])
        }
    }
}
