//! The security-header grade, scored the way the MDN HTTP Observatory scores a site.
//!
//! Founders and their engineers already know the Observatory's letter grades, so Preflight uses the
//! same scale rather than inventing one: every site starts at 100, each test adds or takes away
//! points, bonuses count only when the score without them is already 90 (an A), and the total maps
//! to A+…F. Each modifier keeps the Observatory's test name (`csp-not-implemented`), so an engineer
//! can compare the two reports line by line. Tests the Observatory runs that one answer cannot show
//! (the HSTS preload list, cross-origin files) are left out, and CORS is judged by `cors.origin`.
//!
//! The inputs are one HTTPS answer (headers and, for a page, its tags) and where `http://` of the
//! same name led. Everything here is pure, so every rule is tested without a network.

use crate::checks::hsts;
use crate::html::{Resource, Tag};
use serde::Serialize;

/// One line of the score: the test, its points and what it means in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Modifier {
    /// The Observatory's name for this result.
    pub test: &'static str,
    pub points: i32,
    pub says: String,
}

/// The graded answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grade {
    pub score: i32,
    pub letter: &'static str,
    /// Every result, worst first; zero-point ones say what is already right.
    pub modifiers: Vec<Modifier>,
}

/// Where `http://NAME/` led, as far as the grade cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpStart {
    /// Nothing answers on plain http: nothing to redirect.
    NotServed,
    /// The first redirect goes to https on the same name.
    SameHostHttps,
    /// The first redirect goes to https on another name, so the first name never gets HSTS.
    OtherHostHttps,
    /// It ends on https, but via another http address first.
    HttpFirst,
    /// It never reaches https.
    StaysHttp,
}

/// What is graded.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// The HTTPS answer's headers (names lower-case).
    pub headers: &'a [(String, String)],
    /// The page's tags when the answer is HTML; `None` for an API or a file.
    pub page: Option<&'a [Tag]>,
    /// The name that answered, to tell its own scripts from third parties'.
    pub host: &'a str,
    pub http: HttpStart,
}

impl Answer<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
    }
    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.headers.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Grades one answer.
pub fn grade(a: &Answer<'_>) -> Grade {
    let csp = a.header("content-security-policy").map(Csp::parse);
    let hsts_ok = a.header("strict-transport-security").and_then(hsts::parse).is_some_and(|p| p.max_age > 0);
    let mut modifiers = vec![hsts_modifier(a), cookies(a, hsts_ok), nosniff(a), redirection(a.http)];
    if let Some(tags) = a.page {
        modifiers.push(csp_modifier(csp.as_ref()));
        modifiers.push(framing(a, csp.as_ref()));
        modifiers.push(referrer(a));
        modifiers.push(sri(a.host, &crate::html::resources(tags)));
    }
    let base: i32 = 100 + modifiers.iter().map(|m| m.points.min(0)).sum::<i32>();
    let bonus: i32 = if base >= 90 { modifiers.iter().map(|m| m.points.max(0)).sum() } else { 0 };
    let score = (base + bonus).max(0);
    modifiers.sort_by_key(|m| m.points);
    Grade { score, letter: letter(score), modifiers }
}

/// The Observatory's letter for a score.
pub fn letter(score: i32) -> &'static str {
    const BANDS: [(i32, &str); 12] = [
        (100, "A+"),
        (90, "A"),
        (85, "A-"),
        (80, "B+"),
        (70, "B"),
        (65, "B-"),
        (60, "C+"),
        (50, "C"),
        (45, "C-"),
        (40, "D+"),
        (30, "D"),
        (25, "D-"),
    ];
    BANDS.iter().find(|(min, _)| score >= *min).map_or("F", |(_, l)| l)
}

fn m(test: &'static str, points: i32, says: impl Into<String>) -> Modifier {
    Modifier { test, points, says: says.into() }
}

/// A parsed Content-Security-Policy: directive name → its sources, lower-cased.
#[derive(Debug, Clone, Default)]
pub struct Csp(Vec<(String, Vec<String>)>);

impl Csp {
    pub fn parse(value: &str) -> Csp {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for part in value.split(';') {
            let mut words = part.split_ascii_whitespace().map(str::to_ascii_lowercase);
            if let Some(name) = words.next() {
                // The first occurrence of a directive wins, as in browsers.
                if !out.iter().any(|(n, _)| *n == name) {
                    out.push((name, words.collect()));
                }
            }
        }
        Csp(out)
    }
    fn get(&self, name: &str) -> Option<&[String]> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }
    /// A fetch directive, falling back to `default-src` as browsers do.
    fn effective(&self, name: &str) -> Option<&[String]> {
        self.get(name).or_else(|| self.get("default-src"))
    }
}

fn csp_modifier(csp: Option<&Csp>) -> Modifier {
    let Some(csp) = csp else {
        return m(
            "csp-not-implemented",
            -25,
            "No Content-Security-Policy: if anything ever injects a script into a page, the browser runs it.",
        );
    };
    if csp.0.is_empty() {
        return m("csp-header-invalid", -25, "The Content-Security-Policy header is empty or unreadable, so browsers ignore it.");
    }
    let broad = |s: &String| matches!(s.as_str(), "*" | "http:" | "https:" | "data:" | "'unsafe-inline'");
    let script = csp.effective("script-src");
    let object = csp.effective("object-src");
    // With a nonce or hash, CSP level 2+ browsers ignore 'unsafe-inline' (it is only a fallback).
    let pinned = script.is_some_and(|s| s.iter().any(|v| v.starts_with("'nonce-") || v.starts_with("'sha") || v == "'strict-dynamic'"));
    let unsafe_script = match script {
        None => true,
        Some(s) => s.iter().filter(|v| !(pinned && *v == "'unsafe-inline'")).any(broad),
    };
    if unsafe_script || object.is_none_or(|o| o.iter().any(broad)) {
        return m(
            "csp-implemented-with-unsafe-inline",
            -20,
            "The Content-Security-Policy lets scripts or plugins come from anywhere (or inline), so it would not stop an injected script.",
        );
    }
    let insecure = |s: &String| s == "http:" || s.starts_with("http://");
    let passive = ["img-src", "media-src"];
    if csp.0.iter().filter(|(n, _)| !passive.contains(&n.as_str())).any(|(_, v)| v.iter().any(insecure)) {
        return m(
            "csp-implemented-with-insecure-scheme",
            -20,
            "The Content-Security-Policy allows loading code over plain http, which anyone on the network can change.",
        );
    }
    if script.is_some_and(|s| s.iter().any(|v| v == "'unsafe-eval'")) {
        return m(
            "csp-implemented-with-unsafe-eval",
            -10,
            "The Content-Security-Policy allows 'unsafe-eval', so text can be turned into running code.",
        );
    }
    if csp.0.iter().any(|(_, v)| v.iter().any(insecure)) {
        return m(
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
            -10,
            "The Content-Security-Policy allows images or media over plain http.",
        );
    }
    if csp.effective("style-src").is_some_and(|s| s.iter().any(broad)) {
        return m(
            "csp-implemented-with-unsafe-inline-in-style-src-only",
            0,
            "The Content-Security-Policy restricts scripts; only styles are loose, which is common and low-risk.",
        );
    }
    if csp.get("default-src").is_some_and(|d| d == ["'none'"]) {
        return m(
            "csp-implemented-with-no-unsafe-default-src-none",
            10,
            "A strict Content-Security-Policy that starts from \"nothing allowed\".",
        );
    }
    m("csp-implemented-with-no-unsafe", 5, "A Content-Security-Policy that only runs the scripts you chose.")
}

fn framing(a: &Answer<'_>, csp: Option<&Csp>) -> Modifier {
    if csp.is_some_and(|c| c.get("frame-ancestors").is_some()) {
        return m("x-frame-options-implemented-via-csp", 5, "The Content-Security-Policy says which sites may show this page in a frame.");
    }
    match a.header("x-frame-options").map(str::to_ascii_lowercase) {
        None => m(
            "x-frame-options-not-implemented",
            -20,
            "Any website can show this page inside a hidden frame and trick visitors into clicking (clickjacking).",
        ),
        Some(v) if v == "deny" || v == "sameorigin" => {
            m("x-frame-options-sameorigin-or-deny", 0, "Other websites cannot show this page in a frame.")
        }
        Some(v) if v.starts_with("allow-from") => {
            m("x-frame-options-allow-from-origin", 0, "X-Frame-Options names the sites allowed to frame this page.")
        }
        Some(_) => m(
            "x-frame-options-header-invalid",
            -20,
            "The X-Frame-Options header is not one browsers understand, so framing is not restricted.",
        ),
    }
}

fn nosniff(a: &Answer<'_>) -> Modifier {
    match a.header("x-content-type-options") {
        Some(v) if v.eq_ignore_ascii_case("nosniff") => {
            m("x-content-type-options-nosniff", 0, "Browsers are told not to guess file types.")
        }
        Some(_) => m(
            "x-content-type-options-header-invalid",
            -5,
            "X-Content-Type-Options is set to something other than nosniff, so browsers ignore it.",
        ),
        None => m(
            "x-content-type-options-not-implemented",
            -5,
            "No X-Content-Type-Options: nosniff, so a browser may run an uploaded file as a script.",
        ),
    }
}

fn referrer(a: &Answer<'_>) -> Modifier {
    let Some(value) = a.header("referrer-policy") else {
        return m("referrer-policy-not-implemented", 0, "No Referrer-Policy: browsers use their own default, which is private enough.");
    };
    // A comma-separated list is allowed: the last policy the browser knows wins.
    let known = [
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
        "no-referrer-when-downgrade",
        "origin",
        "origin-when-cross-origin",
        "unsafe-url",
    ];
    let policy = value.split(',').map(|p| p.trim().to_ascii_lowercase()).rfind(|p| known.contains(&p.as_str()));
    match policy.as_deref() {
        Some("no-referrer" | "same-origin" | "strict-origin" | "strict-origin-when-cross-origin") => {
            m("referrer-policy-private", 5, "Addresses of your pages are not leaked to other sites.")
        }
        Some("no-referrer-when-downgrade") => {
            m("referrer-policy-no-referrer-when-downgrade", 0, "Referrer-Policy: no-referrer-when-downgrade (the old browser default).")
        }
        Some(_) => m(
            "referrer-policy-unsafe",
            -5,
            "Referrer-Policy sends the full address of your pages (which may contain private ids) to other sites.",
        ),
        None => m("referrer-policy-header-invalid", -5, "The Referrer-Policy header is not one browsers understand."),
    }
}

fn hsts_modifier(a: &Answer<'_>) -> Modifier {
    match a.header("strict-transport-security").map(hsts::parse) {
        None => m("hsts-not-implemented", -20, "No HSTS, so browsers do not insist on the secure address (see headers.hsts)."),
        Some(None) => m("hsts-header-invalid", -20, "The HSTS header cannot be read, so browsers ignore it."),
        Some(Some(p)) if p.max_age < hsts::MIN_MAX_AGE => {
            m("hsts-implemented-max-age-less-than-six-months", -10, "HSTS is set for less than six months.")
        }
        Some(Some(_)) => m("hsts-implemented-max-age-at-least-six-months", 0, "HSTS is set for at least six months."),
    }
}

fn redirection(http: HttpStart) -> Modifier {
    match http {
        HttpStart::NotServed => m("redirection-not-needed-no-http", 0, "Nothing answers on plain http, so nothing needs redirecting."),
        HttpStart::SameHostHttps => m("redirection-to-https", 0, "http:// goes straight to https:// on the same name."),
        HttpStart::OtherHostHttps => {
            m("redirection-off-host-from-http", -5, "http:// jumps to another name first, so this name never gets its HSTS.")
        }
        HttpStart::HttpFirst => {
            m("redirection-not-to-https-on-initial-redirection", -10, "http:// goes to another http:// address before the secure one.")
        }
        HttpStart::StaysHttp => m("redirection-missing", -20, "http:// never reaches the secure address (see redirects.https)."),
    }
}

/// A cookie as set: its name and the attributes that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cookie {
    name: String,
    secure: bool,
    http_only: bool,
    same_site: Option<String>,
}

fn parse_cookie(header: &str) -> Option<Cookie> {
    let mut parts = header.split(';');
    let name = parts.next()?.split_once('=')?.0.trim().to_owned();
    let mut c = Cookie { name, secure: false, http_only: false, same_site: None };
    for attr in parts {
        let (k, v) = attr.split_once('=').map_or((attr.trim(), ""), |(k, v)| (k.trim(), v.trim()));
        match k.to_ascii_lowercase().as_str() {
            "secure" => c.secure = true,
            "httponly" => c.http_only = true,
            "samesite" => c.same_site = Some(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    Some(c)
}

fn cookies(a: &Answer<'_>, hsts: bool) -> Modifier {
    let all: Vec<Cookie> = a.all("set-cookie").filter_map(parse_cookie).collect();
    if all.is_empty() {
        return m("cookies-not-found", 0, "This answer sets no cookies.");
    }
    let lower = |c: &Cookie| c.name.to_ascii_lowercase();
    let csrf = |c: &&Cookie| ["csrf", "xsrf"].iter().any(|s| lower(c).contains(s));
    // An anti-forgery token is readable by design (the page's script copies it into requests).
    let session = |c: &&Cookie| !csrf(c) && ["sess", "sid", "login", "auth", "token", "jwt"].iter().any(|s| lower(c).contains(s));
    let names = |f: &dyn Fn(&&Cookie) -> bool| all.iter().filter(|c| f(c)).map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
    if all.iter().filter(session).any(|c| !c.secure) {
        let (test, points) = if hsts {
            ("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
        } else {
            ("cookies-session-without-secure-flag", -40)
        };
        return m(
            test,
            points,
            format!(
                "The login cookie ({}) lacks Secure, so it can be sent over plain http and stolen.",
                names(&|c| session(c) && !c.secure)
            ),
        );
    }
    if all.iter().filter(session).any(|c| !c.http_only) {
        return m(
            "cookies-session-without-httponly-flag",
            -30,
            format!(
                "The login cookie ({}) lacks HttpOnly, so any injected script can read it and take over the account.",
                names(&|c| session(c) && !c.http_only)
            ),
        );
    }
    if all.iter().filter(csrf).any(|c| c.same_site.is_none()) {
        return m(
            "cookies-anticsrf-without-samesite-flag",
            -20,
            "The anti-forgery cookie has no SameSite, so other sites' forms can still send it.",
        );
    }
    if all.iter().any(|c| c.same_site.as_deref().is_some_and(|s| !matches!(s, "strict" | "lax" | "none"))) {
        return m("cookies-samesite-flag-invalid", -20, "A cookie's SameSite is not Strict, Lax or None, so browsers ignore it.");
    }
    if all.iter().any(|c| !c.secure) {
        let (test, points) =
            if hsts { ("cookies-without-secure-flag-but-protected-by-hsts", -5) } else { ("cookies-without-secure-flag", -20) };
        return m(test, points, format!("Cookies without Secure ({}) can be sent over plain http.", names(&|c| !c.secure)));
    }
    if all.iter().all(|c| matches!(c.same_site.as_deref(), Some("strict" | "lax"))) {
        return m(
            "cookies-secure-with-httponly-sessions-and-samesite",
            5,
            "Every cookie is Secure, login cookies are HttpOnly, and SameSite keeps them off other sites' requests.",
        );
    }
    m("cookies-secure-with-httponly-sessions", 0, "Every cookie is Secure and login cookies are HttpOnly.")
}

fn sri(host: &str, resources: &[Resource]) -> Modifier {
    let scripts: Vec<&Resource> = resources.iter().filter(|r| r.tag == "script").collect();
    if scripts.is_empty() {
        return m("sri-not-implemented-but-no-scripts-loaded", 0, "The page loads no script files.");
    }
    let external = |r: &&&Resource| {
        url::Url::parse(&r.url).ok().and_then(|u| u.host_str().map(|h| !h.eq_ignore_ascii_case(host))).unwrap_or(false)
            || r.url.starts_with("//")
    };
    let outside: Vec<&&Resource> = scripts.iter().filter(external).collect();
    let plain_http = outside.iter().any(|r| r.url.starts_with("http://"));
    let all_pinned = outside.iter().all(|r| r.integrity);
    match (outside.is_empty(), plain_http, all_pinned) {
        (true, _, _) if scripts.iter().all(|r| r.integrity) => {
            m("sri-implemented-and-all-scripts-loaded-securely", 5, "Every script is pinned to its exact contents (Subresource Integrity).")
        }
        (true, _, _) => m("sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0, "Every script comes from your own site."),
        (false, true, false) => m(
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
            -50,
            "A script from another site is loaded over plain http: anyone on the network can replace it and take over the page.",
        ),
        (false, true, true) => m(
            "sri-implemented-but-external-scripts-not-loaded-securely",
            -20,
            "A script from another site is loaded over plain http (pinned, but it breaks when changed).",
        ),
        (false, false, true) => m(
            "sri-implemented-and-external-scripts-loaded-securely",
            5,
            "Scripts from other sites are pinned to their exact contents (Subresource Integrity).",
        ),
        (false, false, false) => m(
            "sri-not-implemented-but-external-scripts-loaded-securely",
            -5,
            "Scripts from other sites are not pinned to their contents: if one of those sites is hacked, so is your page.",
        ),
    }
}

#[cfg(test)]
#[path = "grade_tests.rs"]
mod tests;
