//! `edge.cloudflare.crosscheck`: what the API says must show from outside, read from the same
//! audit's findings: a name Cloudflare proxies answers with Cloudflare's headers (`edge.cdn`), and
//! Always Use HTTPS and HSTS switched on at Cloudflare show as a redirect (`redirects.https`) and a
//! header (`headers.hsts`). A disagreement means traffic reaches the name another way (an old
//! record cached, a second DNS provider, a Worker or a page rule in between).

use super::records::Record;
use super::settings::Settings;
use crate::api::ApiError;
use preflight_core::checks::cloudflare as defs;
use preflight_core::{Finding, Status, Target};
use serde_json::{json, Value};

fn outside<'a>(findings: &'a [Finding], id: &str, subject: &str) -> Option<&'a Finding> {
    findings.iter().find(|f| f.id == id && f.subject == subject)
}

pub fn judge(
    domain: &str,
    target: &Target,
    settings: &Settings,
    records: &Result<Vec<Record>, ApiError>,
    found: &[Finding],
) -> Vec<Finding> {
    let Ok(records) = records else { return Vec::new() };
    if found.is_empty() {
        return Vec::new();
    }
    let mut disagree = Vec::new();
    let mut agree = Vec::new();
    for host in &target.hosts {
        let proxied = records.iter().any(|r| r.name == host.name && r.proxied && matches!(r.kind.as_str(), "A" | "AAAA" | "CNAME"));
        if !proxied {
            continue;
        }
        match outside(found, "edge.cdn", &host.name) {
            Some(f) if f.status == Status::Error || f.status == Status::Skipped => {}
            Some(f) => {
                let seen: Vec<&str> =
                    f.evidence.get("providers").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
                if seen.iter().any(|p| p.eq_ignore_ascii_case("Cloudflare")) {
                    agree.push(format!("{} answers through Cloudflare", host.name));
                } else {
                    disagree.push(format!(
                        "{} is proxied at Cloudflare, but answers without Cloudflare's headers (seen: {})",
                        host.name,
                        if seen.is_empty() { "no edge".to_owned() } else { seen.join(", ") }
                    ));
                }
            }
            None => {}
        }
    }
    if settings.always_use_https.as_deref() == Ok("on") {
        if let Some(f) = outside(found, "redirects.https", domain) {
            match f.status {
                Status::Fail => {
                    disagree.push(format!("Always Use HTTPS is on at Cloudflare, but http://{domain} does not end on HTTPS from outside"))
                }
                Status::Pass | Status::Warn => agree.push(format!("http://{domain} ends on HTTPS")),
                _ => {}
            }
        }
    }
    if let Some((true, _)) = settings.hsts_on() {
        let seen = target
            .hosts
            .iter()
            .filter_map(|h| outside(found, "headers.hsts", &h.name))
            .find(|f| matches!(f.status, Status::Pass | Status::Warn | Status::Fail));
        if let Some(f) = seen {
            if f.status == Status::Fail {
                disagree.push(format!("HSTS is on at Cloudflare, but {} does not send it", f.subject));
            } else {
                agree.push(format!("{} sends HSTS", f.subject));
            }
        }
    }
    if disagree.is_empty() && agree.is_empty() {
        return Vec::new();
    }
    let base = Finding::new(&defs::CROSSCHECK, domain, Status::Pass).evidence(json!({ "agree": agree, "disagree": disagree }));
    if disagree.is_empty() {
        return vec![base.title(format!("What Cloudflare's API says about {domain} shows from outside: {}.", agree.join("; ")))];
    }
    vec![base
        .status(Status::Warn)
        .title(format!("Cloudflare's settings and what visitors get disagree: {}.", disagree.join("; and ")))
        .why("Traffic is reaching your site another way than the one you set up, so the protection you switched on may not apply.")
        .detail(format!("Agrees: {}.", if agree.is_empty() { "nothing".to_owned() } else { agree.join("; ") }))
        .fix([
            "Check the name servers at your registrar are Cloudflare's only (a second DNS provider answers with the old records).",
            "Wait for old records to expire (their TTL), then run the audit again; if it persists, look for a Worker, a page rule or a Vercel/Netlify domain setting in between.",
        ])]
}
