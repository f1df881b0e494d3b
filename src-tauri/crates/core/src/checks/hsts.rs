//! `headers.hsts`: every HTTPS answer tells browsers to keep using HTTPS (Strict-Transport-Security).
//!
//! Without HSTS the first request a visitor types (`acme.com`) goes out in plain http, where a
//! hostile Wi-Fi can answer it before any redirect happens. The header is read from the answer to
//! `GET https://NAME/` (the same request the other header checks share through `Facts::page`),
//! redirects included: a redirect is an HTTPS answer too. Missing on the canonical host (the one
//! every visitor ends on: `canonical` in the config, else the root) is a problem; elsewhere it needs
//! attention. A max-age under 6 months needs attention (browsers forget it between visits).

use super::{could_not_check, no_such_name, per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;
use url::Url;

pub static HSTS: CheckDef = CheckDef {
    id: "headers.hsts",
    area: Area::Headers,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "the Strict-Transport-Security header on HTTPS answers",
};

pub const FAMILY: Family = Family { name: "hsts", checks: &[&HSTS], plan };

/// Six months, in seconds: the shortest max-age worth having (and what preload lists require at least).
pub const MIN_MAX_AGE: u64 = 15_768_000;

/// A parsed Strict-Transport-Security header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub max_age: u64,
    pub include_subdomains: bool,
    pub preload: bool,
}

/// Parses the header as browsers do (RFC 6797 §6.1): directives separated by `;`, case-insensitive
/// names, `max-age` required exactly once; `None` when the header is unusable.
pub fn parse(value: &str) -> Option<Policy> {
    let mut max_age = None;
    let (mut include_subdomains, mut preload) = (false, false);
    for directive in value.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let (name, arg) = directive.split_once('=').map_or((directive, None), |(n, v)| (n.trim(), Some(v.trim().trim_matches('"'))));
        match name.to_ascii_lowercase().as_str() {
            "max-age" if max_age.is_some() => return None,
            "max-age" => max_age = Some(arg?.parse::<u64>().ok()?),
            "includesubdomains" => include_subdomains = true,
            "preload" => preload = true,
            _ => {}
        }
    }
    Some(Policy { max_age: max_age?, include_subdomains, preload })
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let canonical = target.canonical.clone().unwrap_or_else(|| target.domain.to_string());
    per_host(
        target,
        facts,
        &HSTS,
        |h| format!("Reading the HSTS header of https://{h}"),
        move |facts, host| {
            let is_canonical = host == canonical;
            async move { vec![check(&facts, &host, is_canonical).await] }
        },
    )
}

async fn check(facts: &Facts, host: &str, canonical: bool) -> Finding {
    let Ok(url) = Url::parse(&format!("https://{host}/")) else {
        return Finding::new(&HSTS, host, Status::Error).title(format!("{host} cannot be turned into a web address."));
    };
    match facts.page(&url).await {
        Ok(resp) => judge(host, canonical, resp.status, resp.header("strict-transport-security")),
        Err(e) if e.is_missing_name() => no_such_name(&HSTS, host, host, &format!("HSTS on {host}")),
        Err(e) if e.is_inconclusive() => {
            could_not_check(Finding::new(&HSTS, host, Status::Error), &format!("the HSTS header of {host}"), &e)
        }
        Err(e) => Finding::new(&HSTS, host, Status::Skipped)
            .title(format!("HSTS on {host} was not checked because https://{host} does not answer."))
            .detail(format!("{e}. See the tls.handshake finding for {host}.")),
    }
}

/// The verdict on one answer's header (pure: tested without a network).
pub fn judge(host: &str, canonical: bool, http_status: u16, header: Option<&str>) -> Finding {
    let policy = header.and_then(parse).filter(|p| p.max_age > 0);
    let evidence = json!({ "status": http_status, "header": header, "policy": policy, "canonical": canonical });
    let fix = [
        "In Cloudflare: SSL/TLS → Edge Certificates → HTTP Strict Transport Security (HSTS) → enable, with a max-age of at least 6 months. On Vercel and Netlify it is sent by default; elsewhere add the header in your host's or framework's settings.".to_owned(),
        "The value to send: Strict-Transport-Security: max-age=31536000; includeSubDomains".to_owned(),
        "Run this audit again to confirm.".to_owned(),
    ];
    match policy {
        None => {
            let (status, why) = if canonical {
                (Status::Fail, "This is the address every visitor ends on: without HSTS, each visit starts over plain http, where anyone on the same Wi-Fi can intercept it.")
            } else {
                (Status::Warn, "Visitors who use this address start over plain http, where anyone on the same Wi-Fi can intercept them.")
            };
            let what = match header {
                None => "does not send HSTS".to_owned(),
                Some(v) => format!("sends an HSTS header browsers ignore (\"{v}\")"),
            };
            Finding::new(&HSTS, host, status)
                .title(format!("https://{host} {what}, so browsers do not insist on the secure address."))
                .why(why)
                .detail(format!("The answer to GET https://{host}/ ({}) has no usable Strict-Transport-Security header (HSTS: tells browsers to always use the secure address).", http_status))
                .evidence(evidence)
                .fix(fix)
        }
        Some(p) if p.max_age < MIN_MAX_AGE => Finding::new(&HSTS, host, Status::Warn)
            .title(format!("https://{host} sends HSTS for only {}, so browsers forget it between visits.", days(p.max_age)))
            .why("Visitors who come back after it lapses start over plain http again.")
            .detail(format!("Strict-Transport-Security: {}; max-age is under 6 months ({MIN_MAX_AGE} s).", header.unwrap_or_default()))
            .evidence(evidence)
            .fix(fix),
        Some(p) => {
            let extras = match (p.include_subdomains, p.preload) {
                (true, true) => ", for every subdomain too, and asks to be preloaded into browsers",
                (true, false) => ", for every subdomain too",
                (false, true) => ", and asks to be preloaded into browsers",
                (false, false) => "",
            };
            Finding::new(&HSTS, host, Status::Pass)
                .title(format!("https://{host} tells browsers to use only the secure address for {}{extras}.", days(p.max_age)))
                .detail(format!("Strict-Transport-Security: {}\n{}", header.unwrap_or_default(), preload_note(&p)))
                .evidence(evidence)
        }
    }
}

/// The preload list (hstspreload.org) takes a domain whose policy has a max-age of at least a year,
/// includeSubDomains and preload; say what is missing, since a submission without them is refused.
pub fn preload_note(p: &Policy) -> String {
    let mut missing = Vec::new();
    if p.max_age < PRELOAD_MAX_AGE {
        missing.push("a max-age of at least 31536000 (a year)");
    }
    if !p.include_subdomains {
        missing.push("includeSubDomains");
    }
    if !p.preload {
        missing.push("preload");
    }
    match (p.preload, missing.is_empty()) {
        (_, true) => {
            "Meets the HSTS preload list's requirements: submit the domain at hstspreload.org to be built into browsers.".to_owned()
        }
        (true, false) => format!("Asks to be preloaded but lacks {}, so the preload list would refuse it.", missing.join(" and ")),
        (false, false) => format!("For the HSTS preload list (built into browsers) it would also need {}.", missing.join(" and ")),
    }
}

/// The max-age the preload list requires: one year.
pub const PRELOAD_MAX_AGE: u64 = 31_536_000;

fn days(secs: u64) -> String {
    match secs / 86_400 {
        1 => "1 day".to_owned(),
        d => format!("{d} days"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_parsed_as_browsers_parse_it() {
        assert_eq!(
            parse("max-age=31536000; includeSubDomains; preload"),
            Some(Policy { max_age: 31_536_000, include_subdomains: true, preload: true })
        );
        assert_eq!(parse("MAX-AGE=\"600\""), Some(Policy { max_age: 600, include_subdomains: false, preload: false }));
        assert_eq!(parse("includeSubDomains"), None, "max-age is required");
        assert_eq!(parse("max-age=1; max-age=2"), None, "twice is invalid");
        assert_eq!(parse("max-age=soon"), None);
    }

    #[test]
    fn missing_on_the_canonical_host_is_a_problem_elsewhere_a_warning() {
        assert_eq!(judge("acme.test", true, 200, None).status, Status::Fail);
        assert_eq!(judge("api.acme.test", false, 200, None).status, Status::Warn);
        assert_eq!(judge("acme.test", true, 200, Some("max-age=0")).status, Status::Fail, "max-age=0 switches HSTS off");
        assert_eq!(judge("acme.test", true, 200, Some("max-age=86400")).status, Status::Warn, "one day is too short");
        let ok = judge("acme.test", true, 301, Some("max-age=31536000; includeSubDomains"));
        assert_eq!(ok.status, Status::Pass);
        assert!(ok.title.contains("365 days, for every subdomain too"), "{}", ok.title);
        assert!(ok.detail.contains("would also need preload"), "{}", ok.detail);
        let eligible = judge("acme.test", true, 200, Some("max-age=63072000; includeSubDomains; preload"));
        assert!(eligible.detail.contains("Meets the HSTS preload list's requirements"), "{}", eligible.detail);
        let asks = judge("acme.test", true, 200, Some("max-age=15768000; preload"));
        assert!(asks.detail.contains("lacks a max-age of at least 31536000 (a year) and includeSubDomains"), "{}", asks.detail);
    }
}
