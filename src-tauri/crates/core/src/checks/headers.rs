//! `headers.grade`: the security headers of each name's HTTPS answer, graded A+…F on the MDN HTTP
//! Observatory's scale (see `grade`), with every deduction explained.
//!
//! The answer graded is where `https://NAME/` lands. A name that forwards to another name is graded
//! there (its own finding says so), so a product whose `www` forwards to the root gets one grade, not
//! two copies of it. Both chains it reads (`https://NAME/` and `http://NAME/`) are the ones the
//! redirect and HSTS checks follow, so grading costs no extra request.

use super::{is_html, own_landing, per_host, Family};
use crate::chain::{Chain, Outcome};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::grade::{self, Grade, HttpStart};
use crate::html;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static GRADE: CheckDef = CheckDef {
    id: "headers.grade",
    area: Area::Headers,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "the security headers of each name's HTTPS answer, graded like the MDN HTTP Observatory",
};

pub const FAMILY: Family = Family { name: "headers", checks: &[&GRADE], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_host(
        target,
        facts,
        &GRADE,
        |h| format!("Grading the security headers of https://{h}"),
        |facts, host| async move { vec![check(&facts, &host).await] },
    )
}

async fn check(facts: &Facts, host: &str) -> Finding {
    let (landed, resp) = match own_landing(facts, &GRADE, host, &format!("the security headers of {host}")).await {
        Ok(page) => page,
        Err(finding) => return finding,
    };
    let html = is_html(&resp);
    let tags = html.then(|| html::tags(&String::from_utf8_lossy(&resp.body)));
    let start = match Url::parse(&format!("http://{host}/")) {
        Ok(http) => http_start(host, &facts.chain(&http).await),
        Err(_) => HttpStart::NotServed,
    };
    let g = grade::grade(&grade::Answer { headers: &resp.headers, page: tags.as_deref(), host, http: start });
    judge(host, landed.as_str(), html, &g)
}

/// Where the first step of `http://NAME/` goes.
pub fn http_start(host: &str, chain: &Chain) -> HttpStart {
    let Some(first) = chain.hops.first() else { return HttpStart::NotServed };
    let Some(status) = first.status else { return HttpStart::NotServed };
    let next = first
        .location
        .as_deref()
        .filter(|_| matches!(status, 301 | 302 | 303 | 307 | 308))
        .and_then(|l| Url::parse(&first.url).ok()?.join(l).ok());
    let ends_https = matches!(&chain.outcome, Outcome::Landed { url, .. } if url.scheme() == "https");
    match next {
        None => HttpStart::StaysHttp,
        Some(u) if u.scheme() == "https" && u.host_str().is_some_and(|h| h.eq_ignore_ascii_case(host)) => HttpStart::SameHostHttps,
        Some(u) if u.scheme() == "https" => HttpStart::OtherHostHttps,
        Some(_) if ends_https => HttpStart::HttpFirst,
        Some(_) => HttpStart::StaysHttp,
    }
}

/// The deductions in a founder's words, biggest first, for the title ("no Content-Security-Policy,
/// no protection against framing"): the detail has the Observatory's names and points.
fn what_costs(g: &Grade) -> String {
    let mut lost: Vec<&crate::grade::Modifier> = g.modifiers.iter().filter(|m| m.points < 0).collect();
    lost.sort_by_key(|m| m.points);
    let words: Vec<&str> = lost.iter().filter_map(|m| plain(m.test)).collect();
    let mut seen = Vec::new();
    for w in words {
        if !seen.contains(&w) {
            seen.push(w);
        }
    }
    let shown: Vec<&str> = seen.iter().take(3).copied().collect();
    let mut out = shown.join(", ");
    if seen.len() > 3 {
        out.push_str(&format!(" and {} more", seen.len() - 3));
    }
    out
}

/// A deduction's plain name, by the family its Observatory test belongs to.
fn plain(test: &str) -> Option<&'static str> {
    Some(match test {
        t if t.starts_with("csp-not-implemented") => "no Content-Security-Policy",
        t if t.starts_with("csp-") => "a Content-Security-Policy that still allows injected scripts",
        t if t.starts_with("x-frame-options") => "no protection against framing (clickjacking)",
        t if t.starts_with("hsts-") => "no lasting HTTPS-only rule (HSTS)",
        t if t.starts_with("redirection-") => "plain http is not sent straight to https",
        t if t.starts_with("cookies-") => "cookies a script or plain http can read",
        t if t.starts_with("x-content-type-options") => "no nosniff",
        t if t.starts_with("referrer-policy") => "addresses leak to other sites (Referrer-Policy)",
        t if t.starts_with("sri-") => "scripts from other sites load without a checksum",
        _ => return None,
    })
}

/// The finding for a grade (pure: tested without a network).
pub fn judge(host: &str, url: &str, is_html: bool, g: &Grade) -> Finding {
    let status = match g.letter.as_bytes().first() {
        Some(b'A') => Status::Pass,
        Some(b'B' | b'C') => Status::Warn,
        _ => Status::Fail,
    };
    let lost: Vec<String> = g.modifiers.iter().filter(|m| m.points < 0).map(|m| format!("{} ({}): {}", m.points, m.test, m.says)).collect();
    let kept: Vec<String> =
        g.modifiers.iter().filter(|m| m.points >= 0).map(|m| format!("{:+} ({}): {}", m.points, m.test, m.says)).collect();
    let kind = if is_html { "page" } else { "answer (not a web page, so page-only rules were skipped)" };
    let mut f = Finding::new(&GRADE, host, status)
        .title(match status {
            Status::Pass => {
                format!("The security headers of {host} score {} ({}/100): browsers are told to protect your visitors.", g.letter, g.score)
            }
            _ => {
                let costs = what_costs(g);
                if costs.is_empty() {
                    format!(
                        "The security headers of {host} score {} ({}/100): browsers are not told to protect your visitors from common attacks.",
                        g.letter, g.score
                    )
                } else {
                    format!("The security headers of {host} score {} ({}/100): {}.", g.letter, g.score, costs)
                }
            }
        })
        .detail(format!(
            "Graded like the MDN HTTP Observatory, from the {kind} at {url}.\nPoints lost:\n{}\nAlready right:\n{}",
            if lost.is_empty() { "  none".to_owned() } else { lost.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n") },
            kept.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"),
        ))
        .evidence(json!({ "url": url, "score": g.score, "grade": g.letter, "html": is_html, "modifiers": g.modifiers }));
    if status != Status::Pass {
        f = f
            .why("These headers are a browser's instructions for stopping injected scripts, clickjacking and stolen logins; without them, one bug in your app is enough for an attacker.")
            .fix(fixes(g));
    }
    f
}

/// One step per deduction, biggest first.
fn fixes(g: &Grade) -> Vec<String> {
    let mut steps: Vec<String> = g
        .modifiers
        .iter()
        .filter(|m| m.points < 0)
        .filter_map(|m| {
            let step = match m.test.split('-').next().unwrap_or_default() {
                "csp" => "Add a Content-Security-Policy. Start with: default-src 'self'; object-src 'none'; frame-ancestors 'self'; then list the outside sites your pages really load (analytics, payments). Next.js, Vercel and Cloudflare all let you set it as a response header.",
                "x" if m.test.starts_with("x-frame") => "Send X-Frame-Options: DENY (or frame-ancestors 'self' in your Content-Security-Policy).",
                "x" => "Send X-Content-Type-Options: nosniff on every answer.",
                "cookies" => "Mark every cookie Secure, login cookies HttpOnly too, and add SameSite=Lax (your auth library has a setting for each).",
                "referrer" => "Send Referrer-Policy: strict-origin-when-cross-origin.",
                "hsts" => "Send Strict-Transport-Security: max-age=31536000; includeSubDomains (see headers.hsts).",
                "sri" => "Load outside scripts over https and add an integrity=\"sha384-…\" attribute (the provider's install snippet usually includes it), or host the file yourself.",
                "redirection" => "Redirect http:// straight to https:// on the same name (see redirects.https).",
                _ => return None,
            };
            Some(step.to_owned())
        })
        .collect();
    steps.dedup();
    steps.push("In Cloudflare all of these can be added at once under Rules → Transform Rules → Modify Response Header. Run this audit again to see the new grade.".to_owned());
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::Hop;

    fn hop(url: &str, status: u16, location: Option<&str>) -> Hop {
        Hop { url: url.into(), status: Some(status), location: location.map(Into::into), ms: 1, error: None }
    }

    fn landed(url: &str) -> Outcome {
        Outcome::Landed { url: Url::parse(url).expect("url"), status: 200 }
    }

    #[test]
    fn where_http_goes_first_is_read_from_the_chain() {
        let same = Chain {
            hops: vec![hop("http://a.test/", 301, Some("https://a.test/")), hop("https://a.test/", 200, None)],
            outcome: landed("https://a.test/"),
        };
        assert_eq!(http_start("a.test", &same), HttpStart::SameHostHttps);
        let other = Chain { hops: vec![hop("http://a.test/", 301, Some("https://www.a.test/"))], outcome: landed("https://www.a.test/") };
        assert_eq!(http_start("a.test", &other), HttpStart::OtherHostHttps);
        let via_http = Chain { hops: vec![hop("http://a.test/", 301, Some("http://www.a.test/"))], outcome: landed("https://www.a.test/") };
        assert_eq!(http_start("a.test", &via_http), HttpStart::HttpFirst);
        let stays = Chain { hops: vec![hop("http://a.test/", 200, None)], outcome: landed("http://a.test/") };
        assert_eq!(http_start("a.test", &stays), HttpStart::StaysHttp);
        assert_eq!(http_start("a.test", &Chain { hops: vec![], outcome: Outcome::Loop }), HttpStart::NotServed);
    }

    #[test]
    fn letters_map_to_verdicts_and_every_deduction_is_explained() {
        let headers: Vec<(String, String)> = vec![];
        let t = html::tags("<p>");
        let g = grade::grade(&grade::Answer { headers: &headers, page: Some(&t), host: "a.test", http: HttpStart::SameHostHttps });
        let f = judge("a.test", "https://a.test/", true, &g);
        assert_eq!(f.status, Status::Fail, "a D");
        assert!(f.title.contains("D (30/100)"), "{}", f.title);
        assert!(f.title.contains("no Content-Security-Policy"), "the title names what costs the points: {}", f.title);
        for test in
            ["csp-not-implemented", "hsts-not-implemented", "x-frame-options-not-implemented", "x-content-type-options-not-implemented"]
        {
            assert!(f.detail.contains(test), "{test} explained");
        }
        assert!(f.fix.len() >= 4, "one step per deduction: {:?}", f.fix);
    }
}
