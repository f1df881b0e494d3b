//! `secrets.bundle` and `secrets.sourcemap`: what the live site's JavaScript gives every visitor.
//!
//! Repository scanners cannot see this: the keys a build puts into the bundle (a
//! `NEXT_PUBLIC_OPENAI_API_KEY`, a `VITE_STRIPE_SECRET`) exist only in what the site serves. For
//! each name that lands on itself, the landing page, its same-origin scripts and the chunks they
//! import or name ([`chunks`]: lazy routes, Vite's preload lists, Next.js's build manifest; at most
//! [`MAX_SCRIPTS`] in all, each read up to [`MAX_SCRIPT_BYTES`], [`MAX_TOTAL_BYTES`] in all) and their source
//! maps (when a script names one and the site serves it) are read once and scanned with the
//! secret rules of `preflight_secrets`. A server-side key there fails with the script's address and
//! the variable that carried it; a public source map (anyone can read the original code) needs
//! attention. Publishable keys are said to be fine.

use super::{is_html, own_landing, per_host, Family};
use crate::check::CheckDef;
use crate::checks::leaks::{hit_evidence, rotation};
use crate::facts::Facts;
use crate::html;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::Request;
use crate::runner::PlannedCheck;
use crate::target::Target;
use preflight_secrets::{bundled, Hit, Kind};
use serde_json::json;
use url::Url;

pub static BUNDLE: CheckDef = CheckDef {
    id: "secrets.bundle",
    area: Area::Secrets,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "the keys in the JavaScript the site sends to every browser",
};
pub static SOURCEMAP: CheckDef = CheckDef {
    id: "secrets.sourcemap",
    area: Area::Secrets,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "source maps anyone can download",
};

pub const FAMILY: Family = Family { name: "bundle", checks: &[&BUNDLE, &SOURCEMAP], plan };

/// Scripts read per page.
pub const MAX_SCRIPTS: usize = 30;
/// Bytes read per script or source map.
pub const MAX_SCRIPT_BYTES: usize = 8 << 20;
/// Bytes read per page in all.
pub const MAX_TOTAL_BYTES: usize = 32 << 20;

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_host(
        target,
        facts,
        &BUNDLE,
        |h| format!("Looking for keys in the JavaScript of https://{h}"),
        |facts, host| async move { check(&facts, &host).await },
    )
}

/// One file the browser gets.
struct Shipped {
    url: String,
    hits: Vec<Hit>,
}

async fn check(facts: &Facts, host: &str) -> Vec<Finding> {
    let (page_url, page) = match own_landing(facts, &BUNDLE, host, &format!("the JavaScript of https://{host}")).await {
        Ok((u, p)) if is_html(&p) => (u, p),
        Ok(_) => {
            return vec![Finding::new(&BUNDLE, host, Status::Skipped)
                .title(format!("{host} answers with data, not a web page, so it ships no JavaScript to check."))]
        }
        Err(f) => return vec![f],
    };
    let Ok(rules) = bundled() else {
        return vec![Finding::new(&BUNDLE, host, Status::Error).title("Preflight's secret rules could not be loaded.")];
    };
    let body = String::from_utf8_lossy(&page.body).into_owned();
    let mut shipped = vec![Shipped { url: page_url.to_string(), hits: rules.scan(page.body.as_ref()).hits }];
    let same_origin = |u: &Url| u.host_str() == page_url.host_str() && u.scheme() == "https";
    let mut queue: std::collections::VecDeque<Url> = html::resources(&html::tags(&body))
        .into_iter()
        .filter(|r| r.tag == "script")
        .filter_map(|r| page_url.join(&r.url).ok())
        .filter(same_origin)
        .collect();
    let mut scripts: Vec<Url> = Vec::new();
    let mut total = page.body.len();
    let mut maps: Vec<String> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    // The entry scripts first, then the chunks they import or name (a key used only on a lazy route
    // lives in one), each once, within the same script and byte budgets.
    while let Some(script) = queue.pop_front() {
        if scripts.contains(&script) {
            continue;
        }
        if scripts.len() >= MAX_SCRIPTS {
            break;
        }
        scripts.push(script.clone());
        let script = &script;
        if total >= MAX_TOTAL_BYTES {
            unread.push(script.to_string());
            continue;
        }
        let Ok(resp) = facts.net().fetch_bounded(&Request::get(script.clone()), MAX_SCRIPT_BYTES).await else {
            unread.push(script.to_string());
            continue;
        };
        if resp.status != 200 {
            continue;
        }
        total += resp.body.len();
        shipped.push(Shipped { url: script.to_string(), hits: rules.scan(resp.body.as_ref()).hits });
        for chunk in chunks(&String::from_utf8_lossy(&resp.body), script).into_iter().filter(same_origin) {
            if !scripts.contains(&chunk) && !queue.contains(&chunk) {
                queue.push_back(chunk);
            }
        }
        let named = resp.header("sourcemap").or_else(|| resp.header("x-sourcemap")).map(str::to_owned).or_else(|| map_comment(&resp.body));
        let Some(map) = named.and_then(|m| script.join(&m).ok()).filter(|m| m.host_str() == script.host_str()) else { continue };
        if total >= MAX_TOTAL_BYTES {
            continue;
        }
        if let Ok(m) = facts.net().fetch_bounded(&Request::get(map.clone()), MAX_SCRIPT_BYTES).await {
            if m.status == 200 && m.body.first() == Some(&b'{') {
                total += m.body.len();
                maps.push(map.to_string());
                shipped.push(Shipped { url: map.to_string(), hits: rules.scan(m.body.as_ref()).hits });
            }
        }
    }
    let mut out = judge(host, &shipped, scripts.len(), total, &unread);
    out.push(maps_finding(host, &maps, scripts.len()));
    out
}

/// The scripts a script loads or names: `import("./x.js")` and `from "./x.js"` targets, Vite's
/// `"assets/x.js"` preload lists, Next.js's `"static/chunks/x.js"` build manifest entries; any quoted
/// path ending in `.js` or `.mjs`, resolved as the bundler would (relative to the script, to the
/// site's root, or under `/_next/`). What they resolve to is filtered to the site by the caller.
pub fn chunks(script: &str, at: &Url) -> Vec<Url> {
    let mut out: Vec<Url> = Vec::new();
    let bytes = script.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if q != b'"' && q != b'\'' && q != b'`' {
            i += 1;
            continue;
        }
        // A short path literal: letters, digits and the few marks a chunk's name holds.
        let start = i + 1;
        let mut end = start;
        while end < bytes.len() && end - start < 300 && (bytes[end].is_ascii_alphanumeric() || b"./_-@~[]".contains(&bytes[end])) {
            end += 1;
        }
        if bytes.get(end) == Some(&q) {
            let path = &script[start..end];
            if path.ends_with(".js") || path.ends_with(".mjs") {
                let next = at.path().contains("/_next/");
                let resolved = if path.starts_with("./") || path.starts_with("../") || path.starts_with('/') {
                    at.join(path).ok()
                } else if path.starts_with("static/") && next {
                    at.join(&format!("/_next/{path}")).ok()
                } else if path.starts_with("assets/") || path.starts_with("_next/") {
                    at.join(&format!("/{path}")).ok()
                } else {
                    None
                };
                if let Some(u) = resolved.filter(|u| !out.contains(u)) {
                    out.push(u);
                }
            }
            i = end + 1;
        } else {
            i = start;
        }
    }
    out
}

/// The `//# sourceMappingURL=` a script ends with (read from its last 1 KiB).
fn map_comment(body: &[u8]) -> Option<String> {
    let tail = &body[body.len().saturating_sub(1024)..];
    let text = String::from_utf8_lossy(tail);
    let at = text.rfind("sourceMappingURL=")?;
    let url: String = text[at + "sourceMappingURL=".len()..].chars().take_while(|c| !c.is_whitespace() && *c != '*').collect();
    (!url.is_empty() && !url.starts_with("data:")).then_some(url)
}

/// The findings about what `host` ships (pure, for the tests).
fn judge(host: &str, shipped: &[Shipped], scripts: usize, bytes: usize, unread: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in shipped {
        for h in &s.hits {
            let mut evidence = hit_evidence(h, None, &s.url);
            if let Some(e) = evidence.as_object_mut() {
                e.insert("url".into(), json!(s.url));
            }
            let carried = h.variable.as_deref().map(|v| format!(", in {v}")).unwrap_or_default();
            let base = Finding::new(&BUNDLE, s.url.as_str(), Status::Fail).evidence(evidence);
            out.push(match h.kind {
                Kind::Publishable => base
                    .status(Status::Pass)
                    .title(format!("{} ships {} ({}{carried}), which is meant to be public.", s.url, h.what, h.masked)),
                kind => {
                    let mut fix = vec![format!(
                        "Call {} from your server (an API route or a server action), never from browser code: the browser calls your route, your route calls {}.",
                        h.provider, h.provider
                    )];
                    if let Some(v) = h.variable.as_deref().filter(|v| ["NEXT_PUBLIC_", "VITE_", "REACT_APP_", "PUBLIC_", "EXPO_PUBLIC_"].iter().any(|p| v.starts_with(p))) {
                        fix.push(format!("Rename {v} without its public prefix, so the build stops copying it into the JavaScript."));
                    }
                    fix.extend(rotation(h));
                    base.status(if kind == Kind::Secret { Status::Fail } else { Status::Warn })
                        .title(format!("{} gives every visitor {} ({}{carried}).", s.url, h.what, h.masked))
                        .why("Anything in the browser's JavaScript can be read by anyone: bots find such keys within hours and use them at your expense.")
                        .fix(fix)
                }
            });
        }
    }
    if !out.iter().any(|f| f.status == Status::Fail) {
        let partly = if unread.is_empty() { String::new() } else { format!(" ({} more could not be read)", unread.len()) };
        out.push(
            Finding::new(&BUNDLE, host, Status::Pass)
                .title(format!(
                    "The page and {} of https://{host} give browsers no server-side key{partly}.",
                    if scripts == 1 { "1 script".to_owned() } else { format!("{scripts} scripts") }
                ))
                .evidence(json!({ "scripts": scripts, "bytes": bytes, "unread": unread })),
        );
    }
    out
}

fn maps_finding(host: &str, maps: &[String], scripts: usize) -> Finding {
    if maps.is_empty() {
        return Finding::new(&SOURCEMAP, host, Status::Pass)
            .title(format!("https://{host} serves no source map for its {scripts} scripts: the original code stays private."));
    }
    Finding::new(&SOURCEMAP, host, Status::Warn)
        .title(format!("https://{host} serves source maps, so anyone can read your original source code."))
        .why("The original code shows your API routes, your business logic and any key written in it; attackers read it first.")
        .detail(maps.join("\n"))
        .evidence(json!({ "maps": maps }))
        .fix([
            "Stop publishing source maps: Next.js `productionBrowserSourceMaps: false` (the default), Vite `build.sourcemap: false` or `'hidden'`.",
            "If you upload them to an error tracker (Sentry), delete them from the deployed files after the upload.",
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_found_where_bundlers_name_them_and_resolved_as_they_would_be() {
        let at = Url::parse("https://a.test/assets/index-Ab12.js").expect("url");
        let vite = r#"const L=()=>__vitePreload(()=>import("./Lazy-Cd34.js"),__vite__mapDeps([0,1]));import{x}from"./vendor-Ef56.js";const d=["assets/Admin-Gh78.js"];const t="not a path.js here";"#;
        let got: Vec<String> = chunks(vite, &at).iter().map(Url::to_string).collect();
        assert_eq!(
            got,
            ["https://a.test/assets/Lazy-Cd34.js", "https://a.test/assets/vendor-Ef56.js", "https://a.test/assets/Admin-Gh78.js"]
        );
        let next = Url::parse("https://a.test/_next/static/b1/_buildManifest.js").expect("url");
        let manifest =
            r#"self.__BUILD_MANIFEST={"/admin":["static/chunks/pages/admin-9f8e.js"],"/":["static/chunks/pages/index-1a2b.js"]}"#;
        let got: Vec<String> = chunks(manifest, &next).iter().map(Url::to_string).collect();
        assert_eq!(
            got,
            ["https://a.test/_next/static/chunks/pages/admin-9f8e.js", "https://a.test/_next/static/chunks/pages/index-1a2b.js"]
        );
        assert!(
            chunks(r#"import("https://cdn.other.example/x.js");import("react.js")"#, &at).is_empty(),
            "full addresses and bare names are not chunks of this site"
        );
    }

    #[test]
    fn the_map_comment_is_read_from_the_end_and_inline_maps_are_left_alone() {
        assert_eq!(map_comment(b"var a=1;\n//# sourceMappingURL=index-abc.js.map\n").as_deref(), Some("index-abc.js.map"));
        assert_eq!(map_comment(b"var a=1;\n/*# sourceMappingURL=app.css.map */"), Some("app.css.map".to_owned()));
        assert_eq!(map_comment(b"//# sourceMappingURL=data:application/json;base64,eyJ9"), None);
        assert_eq!(map_comment(b"var a=1;"), None);
    }
}
