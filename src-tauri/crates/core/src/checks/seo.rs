//! `seo.indexing`: search engines may index the product, and a shared link shows it properly.
//!
//! The classic launch-day mistake is the staging site's settings shipped to production: a
//! `robots.txt` saying `Disallow: /`, a `noindex` in a meta tag or an `X-Robots-Tag` header, a
//! `<link rel="canonical">` pointing at the preview domain. Those belong on previews and old names,
//! so only the host the root domain lands on (the canonical one, where visitors end) is judged.
//! Beside them, the basics a shared link shows: a title, a description, an Open Graph image that
//! answers, a favicon. Everything is read within small bounds: the landing page (already fetched for
//! the other checks), `robots.txt` (64 KiB), the sitemaps it names (their status only) and the image.

use super::{could_not_check, is_html, root_landing, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::html::{self, Tag};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::Request;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static INDEXING: CheckDef = CheckDef {
    id: "seo.indexing",
    area: Area::Seo,
    stage: Stage::Routing,
    impact: Impact::UserExperience,
    what: "whether search engines may index the canonical site and a shared link shows a title, a description and an image",
};

pub const FAMILY: Family = Family { name: "search engines", checks: &[&INDEXING], plan };

/// The most of `robots.txt` read.
const ROBOTS_BYTES: usize = 64 * 1024;
/// Sitemaps and the share image are asked for their status only: a few bytes of each.
const PEEK_BYTES: usize = 1024;
/// The most sitemaps looked at.
const MAX_SITEMAPS: usize = 3;

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.domain.to_string());
    let label = format!("Checking how search engines see {domain}");
    vec![PlannedCheck::new(&INDEXING, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

/// What was read, for the verdict.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Seen {
    pub host: String,
    /// `robots.txt` blocks every crawler from the whole site.
    pub robots_blocks_all: bool,
    /// Where the page or its headers say noindex.
    pub noindex: Vec<String>,
    /// The page's canonical link, when it points at another host or at http.
    pub canonical_elsewhere: Option<String>,
    /// Sitemaps `robots.txt` names that do not answer 2xx.
    pub broken_sitemaps: Vec<String>,
    pub title: Option<String>,
    pub description: bool,
    /// The Open Graph image's address and whether it answered 2xx.
    pub og_image: Option<(String, bool)>,
    pub favicon: bool,
}

async fn check(facts: &Facts, domain: &str) -> Finding {
    let what = format!("how search engines see {domain}");
    let skipped = format!("Search engines were not checked because https://{domain} does not open a page.");
    let landed = match root_landing(facts, &INDEXING, domain, &what, skipped).await {
        Ok(url) => url,
        Err(f) => return f,
    };
    let page = match facts.page(&landed).await {
        Ok(p) => p,
        Err(e) => return could_not_check(Finding::new(&INDEXING, domain, Status::Error), &what, &e),
    };
    if !is_html(&page) {
        return Finding::new(&INDEXING, domain, Status::Skipped)
            .title(format!("{landed} is not a web page, so search engines have nothing to index there."));
    }
    let host = landed.host_str().unwrap_or(domain).to_owned();
    let body = String::from_utf8_lossy(&page.body).into_owned();
    let tags = html::tags(&body);
    let mut seen = Seen { host: host.clone(), ..Seen::default() };
    if let Some(h) = page.header("x-robots-tag").filter(|v| says_noindex(v)) {
        seen.noindex.push(format!("the X-Robots-Tag header ({h})"));
    }
    if let Some(c) = meta(&tags, "name", "robots").filter(|v| says_noindex(v)) {
        seen.noindex.push(format!("<meta name=\"robots\" content=\"{c}\">"));
    }
    seen.canonical_elsewhere = link(&tags, "canonical")
        .and_then(|href| landed.join(href).ok())
        .filter(|u| u.scheme() != "https" || u.host_str().is_some_and(|h| !h.eq_ignore_ascii_case(&host)))
        .map(|u| u.to_string());
    seen.title = title(&body);
    seen.description = meta(&tags, "name", "description").is_some_and(|d| !d.trim().is_empty());
    seen.favicon =
        link(&tags, "icon").is_some() || link(&tags, "shortcut icon").is_some() || answers(facts, landed.join("/favicon.ico").ok()).await;
    if let Some(img) = meta(&tags, "property", "og:image").and_then(|i| landed.join(i).ok()) {
        // Only the product's own names are asked; an image on someone else's CDN is taken on trust.
        let ours =
            img.host_str().is_some_and(|h| h.eq_ignore_ascii_case(domain) || h.to_ascii_lowercase().ends_with(&format!(".{domain}")));
        let ok = !ours || answers(facts, Some(img.clone())).await;
        seen.og_image = Some((img.to_string(), ok));
    }
    if let Ok(robots_url) = landed.join("/robots.txt") {
        match facts.send_bounded(&Request::get(robots_url), ROBOTS_BYTES).await {
            Ok(r) if r.status == 200 && !is_html(&r) => {
                let text = String::from_utf8_lossy(&r.body);
                seen.robots_blocks_all = blocks_all(&text);
                for s in sitemaps(&text).into_iter().take(MAX_SITEMAPS) {
                    let Ok(u) = Url::parse(&s) else { continue };
                    if u.host_str().is_some_and(|h| h.eq_ignore_ascii_case(&host)) && !answers(facts, Some(u)).await {
                        seen.broken_sitemaps.push(s);
                    }
                }
            }
            Ok(_) => {}
            Err(e) if e.is_inconclusive() => return could_not_check(Finding::new(&INDEXING, domain, Status::Error), &what, &e),
            Err(_) => {}
        }
    }
    judge(domain, &seen)
}

/// Whether `url` answers 2xx (its first bytes only); an address off the site is not asked.
async fn answers(facts: &Facts, url: Option<Url>) -> bool {
    let Some(url) = url else { return false };
    matches!(facts.send_bounded(&Request::get(url), PEEK_BYTES).await, Ok(r) if (200..300).contains(&r.status))
}

fn says_noindex(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    v.contains("noindex") || v.split(',').any(|p| p.trim() == "none")
}

/// The `content` of `<meta KEY="VALUE">`.
fn meta<'a>(tags: &'a [Tag], key: &str, value: &str) -> Option<&'a str> {
    tags.iter()
        .filter(|t| t.name == "meta")
        .find(|t| t.attr(key).is_some_and(|v| v.eq_ignore_ascii_case(value)))
        .and_then(|t| t.attr("content"))
}

/// The `href` of `<link rel="REL">`.
fn link<'a>(tags: &'a [Tag], rel: &str) -> Option<&'a str> {
    tags.iter()
        .filter(|t| t.name == "link")
        .find(|t| t.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case(rel)))
        .and_then(|t| t.attr("href"))
}

/// The text of the page's `<title>`.
fn title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    Some(body[start..end].trim().to_owned()).filter(|t| !t.is_empty())
}

/// Whether the group for every crawler (`User-agent: *`) says `Disallow: /`.
pub fn blocks_all(robots: &str) -> bool {
    let mut for_all = false;
    let mut in_agents = false;
    for line in robots.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        let Some((k, v)) = line.split_once(':') else { continue };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        match k.as_str() {
            "user-agent" => {
                // Consecutive user-agent lines form one group.
                if !in_agents {
                    for_all = false;
                }
                in_agents = true;
                for_all |= v == "*";
            }
            "disallow" => {
                in_agents = false;
                if for_all && v == "/" {
                    return true;
                }
            }
            _ => in_agents = false,
        }
    }
    false
}

/// The sitemaps `robots.txt` names.
fn sitemaps(robots: &str) -> Vec<String> {
    robots
        .lines()
        .filter_map(|l| l.trim().split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("sitemap"))
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

/// The verdict on what was read (pure).
pub fn judge(domain: &str, s: &Seen) -> Finding {
    let evidence = json!({
        "host": s.host, "robots_blocks_all": s.robots_blocks_all, "noindex": s.noindex, "canonical_elsewhere": s.canonical_elsewhere,
        "broken_sitemaps": s.broken_sitemaps, "title": s.title, "description": s.description, "og_image": s.og_image, "favicon": s.favicon,
    });
    let base = Finding::new(&INDEXING, domain, Status::Pass).evidence(evidence);
    let host = &s.host;
    if s.robots_blocks_all || !s.noindex.is_empty() {
        let how = if s.robots_blocks_all {
            "its robots.txt says Disallow: / to every crawler".to_owned()
        } else {
            format!("it says noindex in {}", s.noindex.join(" and "))
        };
        return base
            .status(Status::Fail)
            .title(format!("Search engines are told to stay away from {host}: {how}. The product will not show up in search results."))
            .why("This is usually a staging setting that shipped to production; every day it stays, people searching for you find nothing.")
            .fix([
                format!("Edit https://{host}/robots.txt to allow crawling (User-agent: * / Allow: /), and keep Disallow: / only on previews and staging."),
                "Remove noindex from the page's <meta name=\"robots\"> and from any X-Robots-Tag header your host or framework adds in production.".to_owned(),
            ]);
    }
    let mut problems: Vec<String> = Vec::new();
    if let Some(c) = &s.canonical_elsewhere {
        problems.push(format!("its canonical link points at {c}, so search engines credit that address instead"));
    }
    for m in &s.broken_sitemaps {
        problems.push(format!("robots.txt names the sitemap {m}, which does not answer"));
    }
    if s.title.is_none() {
        problems.push("the page has no title, so a shared link and a search result show its address".to_owned());
    }
    if !s.description {
        problems.push("the page has no meta description, so search results show whatever text they find".to_owned());
    }
    if let Some((img, false)) = &s.og_image {
        problems.push(format!("its Open Graph image {img} does not answer, so a shared link shows no picture"));
    }
    let extras = [
        (s.og_image.is_none(), "no Open Graph image (a shared link shows no picture)"),
        (!s.favicon, "no favicon (browser tabs show a blank icon)"),
    ];
    let notes: Vec<&str> = extras.iter().filter(|(missing, _)| *missing).map(|(_, w)| *w).collect();
    let detail = if notes.is_empty() { String::new() } else { format!("Worth adding: {}.", notes.join("; ")) };
    if !problems.is_empty() {
        return base
            .status(Status::Warn)
            .title(format!("{host} can be indexed, but {}.", problems[0]))
            .why("Search results and shared links are most people's first sight of the product.")
            .detail([problems.join("\n"), detail].join("\n").trim().to_owned())
            .fix([
                "Point <link rel=\"canonical\"> at this https address (or remove it), and fix or remove sitemaps that do not answer.",
                "Give the home page a <title>, a <meta name=\"description\">, an og:image that answers, and a favicon.",
            ]);
    }
    base.title(format!("Search engines may index {host}, and a shared link shows its title ({}).", s.title.clone().unwrap_or_default()))
        .detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Seen {
        Seen {
            host: "acme.test".into(),
            title: Some("Acme".into()),
            description: true,
            og_image: Some(("https://acme.test/og.png".into(), true)),
            favicon: true,
            ..Seen::default()
        }
    }

    #[test]
    fn a_staging_robots_txt_or_noindex_is_a_problem_and_missing_basics_need_attention() {
        assert_eq!(judge("acme.test", &good()).status, Status::Pass);
        assert_eq!(judge("acme.test", &Seen { robots_blocks_all: true, ..good() }).status, Status::Fail);
        assert_eq!(judge("acme.test", &Seen { noindex: vec!["x".into()], ..good() }).status, Status::Fail);
        assert_eq!(
            judge("acme.test", &Seen { canonical_elsewhere: Some("https://acme.vercel.app/".into()), ..good() }).status,
            Status::Warn
        );
        assert_eq!(judge("acme.test", &Seen { title: None, ..good() }).status, Status::Warn);
        assert_eq!(
            judge("acme.test", &Seen { og_image: None, favicon: false, ..good() }).status,
            Status::Pass,
            "nice to have, said in the detail"
        );
    }

    #[test]
    fn only_every_crawler_kept_from_everything_counts_as_blocked() {
        assert!(blocks_all("User-agent: *\nDisallow: /\n"));
        assert!(blocks_all("User-agent: Googlebot\nUser-agent: *\nDisallow: / # staging\n"));
        assert!(!blocks_all("User-agent: *\nDisallow: /admin\nAllow: /\n"));
        assert!(
            !blocks_all("User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow:\n"),
            "blocking one bot is a choice, not a mistake"
        );
        assert_eq!(
            sitemaps("Sitemap: https://acme.test/sitemap.xml\nsitemap:https://acme.test/b.xml"),
            ["https://acme.test/sitemap.xml", "https://acme.test/b.xml"]
        );
        assert_eq!(title("<html><head><TITLE> Acme </title>"), Some("Acme".into()));
    }
}
