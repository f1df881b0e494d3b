//! `edge.versions`: the root, `www` and `app` lead to one address, or serve the same build.
//!
//! After a move between hosts (or a deploy that reached only one project), `acme.com` can keep
//! serving last month's site while `www.acme.com` serves today's: support hears about bugs that were
//! fixed long ago, and sign-ups land in the old code. Where the names end on different addresses,
//! each landing page is fingerprinted by what identifies a build: the hashed files it loads, the
//! framework's build id and the generator tag. Different fingerprints mean different builds.

use super::{is_html, Family};
use crate::chain::Outcome;
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::html;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;
use url::Url;

pub static VERSIONS: CheckDef = CheckDef {
    id: "edge.versions",
    area: Area::Edge,
    stage: Stage::Deploy,
    impact: Impact::UserExperience,
    what: "whether the root, www and app serve one version of the product",
};

pub const FAMILY: Family = Family { name: "versions", checks: &[&VERSIONS], plan };

/// The names compared: the front doors and the app.
const LABELS: [&str; 3] = ["", "www", "app"];

/// What identifies the build a page comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fingerprint {
    /// The page's own files whose names carry a content hash (paths only).
    pub assets: BTreeSet<String>,
    pub build_id: Option<String>,
    pub generator: Option<String>,
}

impl Fingerprint {
    pub fn of(page: &str) -> Fingerprint {
        let tags = html::tags(page);
        let assets = html::resources(&tags)
            .into_iter()
            .filter(|r| html::is_hashed_asset(&r.url))
            .map(|r| r.url.split(['?', '#']).next().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned())
            .collect();
        Fingerprint { assets, build_id: build_id(page), generator: html::generator(&tags) }
    }
    fn is_empty(&self) -> bool {
        self.assets.is_empty() && self.build_id.is_none() && self.generator.is_none()
    }
}

/// Next.js's `"buildId":"…"` (in `__NEXT_DATA__`), the id most deployed React apps carry.
fn build_id(page: &str) -> Option<String> {
    let at = page.find("\"buildId\":\"")? + "\"buildId\":\"".len();
    let id: String = page[at..].chars().take_while(|c| *c != '"').take(64).collect();
    (!id.is_empty()).then_some(id)
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let names: Vec<String> = target.hosts.iter().filter(|h| LABELS.contains(&h.label.as_str())).map(|h| h.name.clone()).collect();
    if names.len() < 2 {
        return Vec::new();
    }
    let (facts, root) = (facts.clone(), target.domain.to_string());
    let label = "Checking that every address serves the same version".to_owned();
    vec![PlannedCheck::new(&VERSIONS, &root.clone(), label, async move { vec![check(&facts, &root, &names).await] })]
}

/// One landing address and what it serves.
#[derive(Debug, Clone, Serialize)]
pub struct Landing {
    pub url: String,
    /// The names that end here.
    pub from: Vec<String>,
    pub fingerprint: Option<Fingerprint>,
}

async fn check(facts: &Facts, root: &str, names: &[String]) -> Finding {
    let mut landings: Vec<Landing> = Vec::new();
    for name in names {
        let Ok(start) = Url::parse(&format!("https://{name}/")) else { continue };
        let Outcome::Landed { url, .. } = facts.chain(&start).await.outcome else { continue };
        match landings.iter_mut().find(|l| l.url == url.as_str()) {
            Some(l) => l.from.push(name.clone()),
            None => {
                let fingerprint = match facts.page(&url).await {
                    Ok(p) if is_html(&p) => Some(Fingerprint::of(&String::from_utf8_lossy(&p.body))),
                    _ => None,
                };
                landings.push(Landing { url: url.to_string(), from: vec![name.clone()], fingerprint });
            }
        }
    }
    judge(root, &landings)
}

/// The verdict on where the names land (pure).
pub fn judge(root: &str, landings: &[Landing]) -> Finding {
    let evidence = json!({ "landings": landings });
    let describe = |l: &Landing| format!("{} ← {}", l.url, l.from.join(", "));
    if landings.len() <= 1 {
        let title = match landings.first() {
            Some(l) => format!("{} all lead to {}, so every visitor gets the same version.", l.from.join(", "), l.url),
            None => format!("No address of {root} answered, so versions could not be compared."),
        };
        let status = if landings.is_empty() { Status::Skipped } else { Status::Pass };
        return Finding::new(&VERSIONS, root, status).title(title).evidence(evidence);
    }
    let known: Vec<(&Landing, &Fingerprint)> =
        landings.iter().filter_map(|l| l.fingerprint.as_ref().filter(|f| !f.is_empty()).map(|f| (l, f))).collect();
    let detail = landings.iter().map(describe).collect::<Vec<_>>().join("\n");
    let differing = known.windows(2).find(|w| w[0].1 != w[1].1);
    match differing {
        Some(w) => Finding::new(&VERSIONS, root, Status::Warn)
            .title(format!("{} and {} serve different builds, so some visitors may be on an older version of your product.", w[0].0.url, w[1].0.url))
            .why("Bugs you fixed stay live on one address, and sign-ups there may go through old code. If one of these is a separate site on purpose (a marketing page and the app), this is expected.")
            .detail(format!("{detail}\nThe build fingerprints (hashed files, build id, generator) differ between these addresses."))
            .evidence(evidence)
            .fix([
                "Decide which address is the product and redirect the others to it permanently (301), in your DNS/CDN or host's domain settings.",
                "If both must serve the app, point both names at the same deployment (one Vercel/Netlify project with both domains attached), not at two projects.",
            ]),
        None if known.len() == landings.len() => Finding::new(&VERSIONS, root, Status::Pass)
            .title("Every address serves the same build of your product.".to_owned())
            .detail(format!("{detail}\nSame hashed files, build id and generator everywhere (see redirects.canonical about having one address)."))
            .evidence(evidence),
        None => Finding::new(&VERSIONS, root, Status::Skipped)
            .title("Your addresses lead to different places, and their pages carry nothing to tell the builds apart.".to_owned())
            .detail(format!("{detail}\nNo hashed files, build id or generator tag on at least one of them; see redirects.canonical."))
            .evidence(evidence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn landing(url: &str, page: &str) -> Landing {
        Landing { url: url.into(), from: vec![url.into()], fingerprint: Some(Fingerprint::of(page)) }
    }

    #[test]
    fn builds_are_told_apart_by_their_files_and_ids() {
        let new = r#"<script src="/assets/index-BxY7zQ1a.js"></script>"#;
        let old = r#"<script src="/assets/index-Qq81kLmz.js"></script>"#;
        assert_eq!(judge("a.test", &[landing("https://a.test/", new)]).status, Status::Pass);
        assert_eq!(judge("a.test", &[landing("https://a.test/", new), landing("https://www.a.test/", new)]).status, Status::Pass);
        let f = judge("a.test", &[landing("https://a.test/", new), landing("https://www.a.test/", old)]);
        assert_eq!(f.status, Status::Warn);
        assert!(f.title.contains("different builds"), "{}", f.title);
        let next = |id: &str| format!(r#"<script id="__NEXT_DATA__">{{"props":{{}},"buildId":"{id}"}}</script>"#);
        assert_eq!(
            judge("a.test", &[landing("https://a.test/", &next("b1")), landing("https://app.a.test/", &next("b2"))]).status,
            Status::Warn
        );
        assert_eq!(
            judge("a.test", &[landing("https://a.test/", "<p>hi"), landing("https://b.a.test/", "<p>hi")]).status,
            Status::Skipped,
            "nothing to compare"
        );
    }
}
