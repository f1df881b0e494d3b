//! Caching: `edge.cache.assets` (files whose names carry a content hash are cached for long) and
//! `edge.cache.session` (a page that sets a login cookie is never stored by a shared cache).
//!
//! The first is speed and cost: a file named `app.3f9a2c1b.js` never changes under that name, so
//! browsers and the CDN may keep it for a year; a short lifetime re-downloads it on every visit and
//! sends the traffic to your server. The second is safety: a page that carries a `Set-Cookie` and
//! tells shared caches they may keep it can hand one visitor's session to the next. Both read the
//! landing page the other page checks share; the asset check fetches up to [`MAX_ASSETS`] of the
//! page's own hashed files.

use super::{could_not_check, is_html, own_landing, per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::html::{self, Resource};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::Response;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;
use url::Url;

pub static ASSETS: CheckDef = CheckDef {
    id: "edge.cache.assets",
    area: Area::Edge,
    stage: Stage::Performance,
    impact: Impact::UserExperience,
    what: "whether fingerprinted static files are cached for long",
};
pub static SESSION: CheckDef = CheckDef {
    id: "edge.cache.session",
    area: Area::Edge,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "whether a page that sets a login cookie is kept out of shared caches",
};

pub const FAMILY: Family = Family { name: "caching", checks: &[&ASSETS, &SESSION], plan };

/// How many of a page's hashed files are fetched.
pub const MAX_ASSETS: usize = 3;
/// The shortest lifetime that counts as "long" for a hashed file: 30 days.
pub const LONG_SECS: u64 = 30 * 86_400;

/// The parts of `Cache-Control` that matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheControl {
    pub max_age: Option<u64>,
    pub s_maxage: Option<u64>,
    pub public: bool,
    pub private: bool,
    pub no_store: bool,
    pub no_cache: bool,
    pub immutable: bool,
}

impl CacheControl {
    pub fn parse(value: Option<&str>) -> CacheControl {
        let mut cc = CacheControl::default();
        for d in value.unwrap_or_default().split(',').map(str::trim) {
            let (name, arg) = d.split_once('=').map_or((d, None), |(n, v)| (n.trim(), Some(v.trim().trim_matches('"'))));
            let secs = || arg.and_then(|a| a.parse::<u64>().ok());
            match name.to_ascii_lowercase().as_str() {
                "max-age" => cc.max_age = secs(),
                "s-maxage" => cc.s_maxage = secs(),
                "public" => cc.public = true,
                "private" => cc.private = true,
                "no-store" => cc.no_store = true,
                "no-cache" => cc.no_cache = true,
                "immutable" => cc.immutable = true,
                _ => {}
            }
        }
        cc
    }
    fn long_lived(&self) -> bool {
        !self.no_store && !self.no_cache && (self.immutable || self.max_age.unwrap_or(0) >= LONG_SECS)
    }
    /// Whether a CDN or proxy may store the answer and give it to someone else.
    fn shared_cacheable(&self) -> bool {
        !self.private && !self.no_store && (self.public || self.s_maxage.unwrap_or(0) > 0)
    }
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let mut plan = per_host(
        target,
        facts,
        &ASSETS,
        |h| format!("Checking how long {h}'s static files are cached"),
        |facts, host| async move { vec![assets(&facts, &host).await] },
    );
    plan.extend(per_host(
        target,
        facts,
        &SESSION,
        |h| format!("Checking that {h}'s login cookies are never cached"),
        |facts, host| async move { vec![session(&facts, &host).await] },
    ));
    plan
}

/// A fetched asset and what its cache headers say.
#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    pub url: String,
    pub status: Option<u16>,
    pub cache_control: Option<String>,
    pub long_lived: bool,
}

async fn assets(facts: &Facts, host: &str) -> Finding {
    let (page_url, page) = match own_landing(facts, &ASSETS, host, &format!("the caching of {host}'s files")).await {
        Ok(p) => p,
        Err(f) => return f,
    };
    if !is_html(&page) {
        return Finding::new(&ASSETS, host, Status::Skipped)
            .title(format!("{host} answers with data, not a web page, so it has no static files to check."));
    }
    let tags = html::tags(&String::from_utf8_lossy(&page.body));
    let own = own_hashed(&page_url, &html::resources(&tags));
    let mut fetched = Vec::new();
    for url in own.iter().take(MAX_ASSETS) {
        match facts.page(url).await {
            Ok(r) => fetched.push(Asset {
                url: url.to_string(),
                status: Some(r.status),
                cache_control: r.header("cache-control").map(str::to_owned),
                long_lived: CacheControl::parse(r.header("cache-control")).long_lived(),
            }),
            Err(e) if e.is_inconclusive() => {
                return could_not_check(Finding::new(&ASSETS, host, Status::Error), &format!("the caching of {url}"), &e)
            }
            Err(_) => fetched.push(Asset { url: url.to_string(), status: None, cache_control: None, long_lived: false }),
        }
    }
    judge_assets(host, page_url.as_str(), &fetched)
}

/// The page's own files whose names carry a content hash, as absolute URLs.
fn own_hashed(page: &Url, resources: &[Resource]) -> Vec<Url> {
    let mut out: Vec<Url> = Vec::new();
    for r in resources.iter().filter(|r| html::is_hashed_asset(&r.url)) {
        if let Ok(u) = page.join(&r.url) {
            if u.host_str() == page.host_str() && u.scheme() == "https" && !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

/// The verdict on the fetched files (pure).
pub fn judge_assets(host: &str, page: &str, fetched: &[Asset]) -> Finding {
    let served: Vec<&Asset> = fetched.iter().filter(|a| a.status == Some(200)).collect();
    let evidence = json!({ "page": page, "assets": fetched, "long_secs": LONG_SECS });
    if served.is_empty() {
        return Finding::new(&ASSETS, host, Status::Skipped)
            .title(format!("{host}'s home page links no fingerprinted files of its own, so their caching was not checked."))
            .detail(format!("No script, style or image on {page} has a content hash in its name (like app.3f9a2c1b.js) and answered 200."))
            .evidence(evidence);
    }
    let short: Vec<String> = served
        .iter()
        .filter(|a| !a.long_lived)
        .map(|a| format!("{} (Cache-Control: {})", a.url, a.cache_control.as_deref().unwrap_or("none")))
        .collect();
    if short.is_empty() {
        return Finding::new(&ASSETS, host, Status::Pass)
            .title(format!("{host}'s fingerprinted files are cached for at least 30 days, so repeat visits load instantly."))
            .detail(
                served
                    .iter()
                    .map(|a| format!("{}: {}", a.url, a.cache_control.as_deref().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
            .evidence(evidence);
    }
    Finding::new(&ASSETS, host, Status::Warn)
        .title(format!("{host}'s static files are re-downloaded on every visit, though their names say they never change."))
        .why("Every visit pays for the same scripts again: slower pages on phones, and traffic (and bills) your server or CDN did not need.")
        .detail(format!("Files with a content hash in their name, cached for less than 30 days:\n{}", short.join("\n")))
        .evidence(evidence)
        .fix([
            "Send Cache-Control: public, max-age=31536000, immutable for files whose names carry a hash (Vite's /assets/, Next.js's /_next/static/).",
            "On Vercel and Netlify this is the default for those folders; check a custom header rule is not overriding it. On Cloudflare, a Cache Rule for the folder with an Edge and Browser TTL of a year.",
            "Keep HTML itself short-lived (no-cache), so a deploy is seen at once.",
        ])
}

async fn session(facts: &Facts, host: &str) -> Finding {
    match own_landing(facts, &SESSION, host, &format!("the caching of {host}'s cookies")).await {
        Ok((url, page)) => judge_session(host, url.as_str(), &page),
        Err(f) => f,
    }
}

/// The verdict on one page's cookies and caching (pure).
pub fn judge_session(host: &str, url: &str, page: &Response) -> Finding {
    let cookies: Vec<&str> =
        page.headers.iter().filter(|(k, _)| k == "set-cookie").filter_map(|(_, v)| v.split('=').next()).map(str::trim).collect();
    let cc = CacheControl::parse(page.header("cache-control"));
    let hit = ["cf-cache-status", "x-cache", "x-vercel-cache", "x-nf-cache-status"]
        .iter()
        .filter_map(|h| page.header(h).map(|v| format!("{h}: {v}")))
        .find(|v| v.to_ascii_lowercase().contains("hit"));
    let evidence = json!({ "url": url, "cookies": cookies, "cache_control": page.header("cache-control"), "cache_status": hit });
    if cookies.is_empty() {
        return Finding::new(&SESSION, host, Status::Pass)
            .title(format!("{host}'s home page sets no cookie, so a cache cannot hand one visitor's session to another."))
            .detail(format!("GET {url}: no Set-Cookie. Pages behind the login were not visited."))
            .evidence(evidence);
    }
    if cc.shared_cacheable() || hit.is_some() {
        let how = match &hit {
            Some(h) => format!("it was just served from a cache ({h})"),
            None => format!("Cache-Control ({}) lets a CDN keep it", page.header("cache-control").unwrap_or_default()),
        };
        return Finding::new(&SESSION, host, Status::Fail)
            .title(format!("{host} lets a shared cache keep a page that sets a cookie, so one visitor can receive another's session."))
            .why("A CDN that stores this answer replays its Set-Cookie to the next visitor: they may land signed in as someone else.")
            .detail(format!("GET {url} sets {} and {how}.", cookies.join(", ")))
            .evidence(evidence)
            .fix([
                "Send Cache-Control: private, no-store on every answer that sets a cookie (most frameworks' session middleware can do this).",
                "In Cloudflare, make sure no Cache Rule says \"Cache Everything\" for pages; bypass the cache when a session cookie is present.",
                "Then purge the CDN cache.",
            ]);
    }
    Finding::new(&SESSION, host, Status::Pass)
        .title(format!("{host} sets cookies only on answers no shared cache may keep."))
        .detail(format!(
            "GET {url} sets {} with Cache-Control: {}.",
            cookies.join(", "),
            page.header("cache-control").unwrap_or("(none: not stored by shared caches by default)")
        ))
        .evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_is_parsed() {
        let cc = CacheControl::parse(Some("public, max-age=31536000, immutable"));
        assert!(cc.public && cc.immutable && cc.max_age == Some(31_536_000));
        assert!(cc.long_lived());
        assert!(!CacheControl::parse(Some("max-age=3600")).long_lived());
        assert!(!CacheControl::parse(Some("no-cache, max-age=99999999")).long_lived());
        assert!(CacheControl::parse(Some("s-maxage=60")).shared_cacheable());
        assert!(!CacheControl::parse(Some("private, max-age=600")).shared_cacheable());
        assert!(!CacheControl::parse(None).shared_cacheable());
    }

    #[test]
    fn a_cookie_on_a_publicly_cached_page_is_a_problem() {
        let judge = |h: &[(&str, &str)]| judge_session("a.test", "https://a.test/", &Response::canned(h, 0)).status;
        assert_eq!(judge(&[]), Status::Pass);
        assert_eq!(judge(&[("set-cookie", "sid=1; Secure"), ("cache-control", "private, no-store")]), Status::Pass);
        assert_eq!(judge(&[("set-cookie", "sid=1; Secure")]), Status::Pass);
        assert_eq!(judge(&[("set-cookie", "sid=1; Secure"), ("cache-control", "public, max-age=300")]), Status::Fail);
        assert_eq!(judge(&[("set-cookie", "sid=1; Secure"), ("cf-cache-status", "HIT")]), Status::Fail);
    }

    #[test]
    fn own_hashed_files_are_picked_from_the_page() {
        let page = Url::parse("https://a.test/").expect("url");
        let r = html::resources(&html::tags(
            r#"<script src="/assets/index-BxY7zQ1a.js"></script><script src="https://cdn.example/x.3f9a2c1b.js"></script><link rel=stylesheet href="app.css"><img src="/img/hero.0a1b2c3d.png">"#,
        ));
        let got: Vec<String> = own_hashed(&page, &r).iter().map(Url::to_string).collect();
        assert_eq!(got, ["https://a.test/assets/index-BxY7zQ1a.js", "https://a.test/img/hero.0a1b2c3d.png"]);
    }
}
