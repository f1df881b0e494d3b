//! The grade's rules, one by one, against the Observatory's published modifiers.

use super::*;
use crate::html::tags;

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn page_grade(headers: &[(&str, &str)], body: &str) -> Grade {
    let headers = h(headers);
    let t = tags(body);
    grade(&Answer { headers: &headers, page: Some(&t), host: "acme.test", http: HttpStart::SameHostHttps })
}

fn test_of(g: &Grade, prefix: &str) -> &'static str {
    g.modifiers.iter().find(|m| m.test.starts_with(prefix)).map_or("(none)", |m| m.test)
}

const HSTS: (&str, &str) = ("strict-transport-security", "max-age=31536000");

#[test]
fn the_letter_bands_are_the_observatorys() {
    let cases = [
        (135, "A+"),
        (100, "A+"),
        (99, "A"),
        (90, "A"),
        (85, "A-"),
        (84, "B+"),
        (70, "B"),
        (65, "B-"),
        (60, "C+"),
        (50, "C"),
        (45, "C-"),
        (40, "D+"),
        (30, "D"),
        (25, "D-"),
        (24, "F"),
        (0, "F"),
    ];
    for (score, want) in cases {
        assert_eq!(letter(score), want, "{score}");
    }
}

#[test]
fn a_bare_page_scores_what_the_observatory_gives_it() {
    // No CSP (-25), no HSTS (-20), no XFO (-20), no nosniff (-5): 30, a D.
    let g = page_grade(&[], "<h1>hi</h1>");
    assert_eq!((g.score, g.letter), (30, "D"));
    assert_eq!(g.modifiers[0].points, -25, "worst first");
}

#[test]
fn a_hardened_page_earns_its_bonuses() {
    let g = page_grade(
        &[
            HSTS,
            ("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("set-cookie", "session=abc; Secure; HttpOnly; SameSite=Lax"),
        ],
        r#"<script src="/app.js" integrity="sha384-abc"></script>"#,
    );
    // 100 + 10 (CSP default-src 'none') + 5 (frame-ancestors) + 5 (referrer) + 5 (cookies) + 5 (SRI).
    assert_eq!((g.score, g.letter), (130, "A+"), "{:#?}", g.modifiers);
}

#[test]
fn bonuses_only_count_for_an_a() {
    // No nosniff (-5) and no XFO... but frame-ancestors: 100 - 25 (no CSP)... use a CSP with unsafe-eval.
    let g = page_grade(
        &[
            HSTS,
            ("content-security-policy", "script-src 'self' 'unsafe-eval'; object-src 'none'; frame-ancestors 'self'"),
            ("referrer-policy", "no-referrer"),
        ],
        "",
    );
    // -10 (unsafe-eval) -5 (nosniff) = 85 < 90: the +5 bonuses do not count.
    assert_eq!((g.score, g.letter), (85, "A-"), "{:#?}", g.modifiers);
}

#[test]
fn csp_rules_are_told_apart() {
    let csp = |v: &str| test_of(&page_grade(&[("content-security-policy", v)], ""), "csp-");
    assert_eq!(csp("default-src 'self'"), "csp-implemented-with-no-unsafe");
    assert_eq!(csp("default-src 'self'; script-src 'self' 'unsafe-inline'"), "csp-implemented-with-unsafe-inline");
    assert_eq!(
        csp("default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-r4nd0m'"),
        "csp-implemented-with-no-unsafe",
        "a nonce neutralises unsafe-inline"
    );
    assert_eq!(csp("img-src 'self'"), "csp-implemented-with-unsafe-inline", "scripts are not restricted at all");
    assert_eq!(csp("default-src 'self'; object-src *"), "csp-implemented-with-unsafe-inline");
    assert_eq!(csp("default-src 'self'; script-src 'self' http://cdn.example"), "csp-implemented-with-insecure-scheme");
    assert_eq!(csp("default-src 'self'; img-src http:"), "csp-implemented-with-insecure-scheme-in-passive-content-only");
    assert_eq!(csp("default-src 'self'; style-src 'self' 'unsafe-inline'"), "csp-implemented-with-unsafe-inline-in-style-src-only");
    assert_eq!(csp("default-src 'none'"), "csp-implemented-with-no-unsafe-default-src-none");
    assert_eq!(csp(" ; "), "csp-header-invalid");
    assert_eq!(test_of(&page_grade(&[], ""), "csp-"), "csp-not-implemented");
}

#[test]
fn cookie_rules_pick_the_worst_problem() {
    let cookie = |hsts: bool, v: &[&str]| {
        let mut headers: Vec<(&str, &str)> = v.iter().map(|c| ("set-cookie", *c)).collect();
        if hsts {
            headers.push(HSTS);
        }
        test_of(&page_grade(&headers, ""), "cookies-")
    };
    assert_eq!(cookie(false, &[]), "cookies-not-found");
    assert_eq!(cookie(false, &["sessionid=1; HttpOnly"]), "cookies-session-without-secure-flag");
    assert_eq!(cookie(true, &["sessionid=1; HttpOnly"]), "cookies-session-without-secure-flag-but-protected-by-hsts");
    assert_eq!(cookie(false, &["auth_token=1; Secure"]), "cookies-session-without-httponly-flag");
    assert_eq!(cookie(false, &["csrftoken=1; Secure"]), "cookies-anticsrf-without-samesite-flag");
    assert_eq!(cookie(false, &["theme=dark; Secure; SameSite=Sometimes"]), "cookies-samesite-flag-invalid");
    assert_eq!(cookie(false, &["theme=dark"]), "cookies-without-secure-flag");
    assert_eq!(cookie(false, &["theme=dark; Secure", "sid=2; Secure; HttpOnly"]), "cookies-secure-with-httponly-sessions");
    assert_eq!(cookie(false, &["theme=dark; Secure; SameSite=Strict"]), "cookies-secure-with-httponly-sessions-and-samesite");
}

#[test]
fn framing_nosniff_and_referrer() {
    let g = page_grade(&[("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"), ("referrer-policy", "unsafe-url")], "");
    assert_eq!(test_of(&g, "x-frame"), "x-frame-options-sameorigin-or-deny");
    assert_eq!(test_of(&g, "x-content"), "x-content-type-options-nosniff");
    assert_eq!(test_of(&g, "referrer"), "referrer-policy-unsafe");
    let g =
        page_grade(&[("x-frame-options", "maybe"), ("x-content-type-options", "yes"), ("referrer-policy", "whatever, no-referrer")], "");
    assert_eq!(test_of(&g, "x-frame"), "x-frame-options-header-invalid");
    assert_eq!(test_of(&g, "x-content"), "x-content-type-options-header-invalid");
    assert_eq!(test_of(&g, "referrer"), "referrer-policy-private", "the last policy the browser knows wins");
}

#[test]
fn third_party_scripts_are_judged_by_how_they_load() {
    let sri = |body: &str| test_of(&page_grade(&[], body), "sri-");
    assert_eq!(sri("<p>"), "sri-not-implemented-but-no-scripts-loaded");
    assert_eq!(
        sri(r#"<script src="/a.js"></script><script src="https://acme.test/b.js"></script>"#),
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    );
    assert_eq!(sri(r#"<script src="https://cdn.example/x.js"></script>"#), "sri-not-implemented-but-external-scripts-loaded-securely");
    assert_eq!(
        sri(r#"<script src="https://cdn.example/x.js" integrity="sha384-x"></script>"#),
        "sri-implemented-and-external-scripts-loaded-securely"
    );
    assert_eq!(sri(r#"<script src="http://cdn.example/x.js"></script>"#), "sri-not-implemented-and-external-scripts-not-loaded-securely");
    assert_eq!(sri(r#"<script src="//cdn.example/x.js"></script>"#), "sri-not-implemented-but-external-scripts-loaded-securely");
}

#[test]
fn an_api_answer_is_graded_on_what_applies_to_it() {
    let headers = h(&[HSTS, ("x-content-type-options", "nosniff")]);
    let g = grade(&Answer { headers: &headers, page: None, host: "api.acme.test", http: HttpStart::NotServed });
    assert_eq!((g.score, g.letter), (100, "A+"), "no CSP or frame rules for JSON: {:#?}", g.modifiers);
    let g = grade(&Answer { headers: &[], page: None, host: "api.acme.test", http: HttpStart::StaysHttp });
    assert_eq!(g.score, 100 - 20 - 5 - 20);
}
