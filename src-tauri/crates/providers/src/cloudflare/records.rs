//! `edge.cloudflare.proxied` and `edge.cloudflare.dnssec`: the zone's records as Cloudflare holds
//! them, and DNSSEC as Cloudflare and the registrar each see it.
//!
//! An unproxied address record for a web name puts the server's own address in public DNS: anyone
//! can go around Cloudflare's firewall and rate limits straight to it. Mail names are the opposite:
//! Cloudflare's proxy carries web traffic only, so a proxied mail server or DKIM record breaks mail.

use super::{all_pages, get, unread, Zone, DNS_READ};
use crate::api::{Api, ApiError};
use preflight_core::checks::cloudflare as defs;
use preflight_core::{Finding, Status, Target};
use serde::Serialize;
use serde_json::{json, Value};

/// One record as the API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub content: String,
    pub proxied: bool,
}

pub async fn read(api: &Api, zone: &Zone) -> Result<Vec<Record>, ApiError> {
    let items = all_pages(api, &format!("zones/{}/dns_records", zone.id), DNS_READ).await?;
    Ok(items
        .iter()
        .filter_map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).map(|v| v.trim_end_matches('.').to_ascii_lowercase());
            Some(Record {
                name: s("name")?,
                kind: s("type")?.to_ascii_uppercase(),
                content: s("content").unwrap_or_default(),
                proxied: r.get("proxied").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect())
}

/// Cloudflare's DNSSEC state for the zone.
#[derive(Debug, Clone)]
pub struct Dnssec {
    pub status: String,
    /// The DS record to publish at the registrar, as Cloudflare writes it.
    pub ds: Option<String>,
    pub key_tag: Option<u16>,
}

pub async fn read_dnssec(api: &Api, zone: &Zone) -> Result<Dnssec, ApiError> {
    let r = get(api, &format!("zones/{}/dnssec", zone.id), DNS_READ).await?;
    Ok(Dnssec {
        status: r.get("status").and_then(Value::as_str).unwrap_or("unknown").to_owned(),
        ds: r.get("ds").and_then(Value::as_str).map(str::to_owned),
        key_tag: r.get("key_tag").and_then(Value::as_u64).and_then(|t| u16::try_from(t).ok()),
    })
}

/// What a record is for, which decides whether it must be proxied.
fn role(r: &Record, web: &[String], mail_hosts: &[String]) -> &'static str {
    let first = r.name.split('.').next().unwrap_or_default();
    if r.name.contains("._domainkey") {
        "dkim"
    } else if first.starts_with('_') {
        "verification"
    } else if mail_hosts.contains(&r.name) || matches!(first, "mail" | "smtp" | "imap" | "pop" | "mx" | "autodiscover" | "autoconfig") {
        "mail"
    } else if web.contains(&r.name) {
        "web"
    } else {
        "other"
    }
}

/// Where a CNAME to a hosting platform goes: that platform serves and protects it (and Vercel and
/// Netlify advise against a second proxy in front).
fn platform(r: &Record) -> Option<&'static str> {
    (r.kind == "CNAME").then(|| preflight_core::platforms::by_target(&r.content).map(|p| p.name.as_str())).flatten()
}

pub fn judge_proxied(domain: &str, target: &Target, records: &Result<Vec<Record>, ApiError>) -> Finding {
    let records = match records {
        Ok(r) => r,
        Err(e) => return unread(&defs::PROXIED, domain, "the DNS records", e),
    };
    let web: Vec<String> = target.hosts.iter().map(|h| h.name.to_ascii_lowercase()).collect();
    let mail_hosts: Vec<String> =
        records.iter().filter(|r| r.kind == "MX").map(|r| r.content.split_whitespace().last().unwrap_or_default().to_owned()).collect();
    let mut fail = Vec::new();
    let mut warn = Vec::new();
    let mut rows = Vec::new();
    for r in records.iter().filter(|r| matches!(r.kind.as_str(), "A" | "AAAA" | "CNAME")) {
        let role = role(r, &web, &mail_hosts);
        rows.push(json!({ "name": r.name, "type": r.kind, "proxied": r.proxied, "role": role, "platform": platform(r) }));
        match (role, r.proxied) {
            ("web", false) if platform(r).is_none() => warn.push(format!(
                "{} ({}) is not proxied: its server's address is public and traffic can skip Cloudflare's firewall",
                r.name, r.kind
            )),
            ("mail", true) => fail
                .push(format!("{} is a mail server but proxied: Cloudflare's proxy carries web traffic only, so mail to it fails", r.name)),
            ("dkim", true) => fail.push(format!("{} is a DKIM key but proxied: receivers cannot read it, so your mail fails DKIM", r.name)),
            ("verification", true) => {
                warn.push(format!("{} is a verification record but proxied: the service checking it sees Cloudflare instead", r.name))
            }
            _ => {}
        }
    }
    rows.sort_by_key(|r| r["name"].as_str().unwrap_or_default().to_owned());
    let base = Finding::new(&defs::PROXIED, domain, Status::Pass).evidence(json!({ "records": rows }));
    let summary = rows
        .iter()
        .map(|r| {
            format!(
                "{} {}: {}{}",
                r["name"].as_str().unwrap_or_default(),
                r["type"].as_str().unwrap_or_default(),
                if r["proxied"] == true { "proxied" } else { "DNS only" },
                r["platform"].as_str().map(|p| format!(" (to {p})")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    if fail.is_empty() && warn.is_empty() {
        return base
            .title(format!("Every web name of {domain} goes through Cloudflare (or straight to its hosting platform), and mail records stay unproxied."))
            .detail(summary);
    }
    let status = if fail.is_empty() { Status::Warn } else { Status::Fail };
    let all: Vec<String> = fail.iter().chain(&warn).cloned().collect();
    base.status(status)
        .title(format!("{}.", all.iter().take(3).cloned().collect::<Vec<_>>().join("; and ")))
        .why("A web name that skips Cloudflare has no firewall or rate limit in front; a proxied mail record breaks email.")
        .detail(format!("Every problem:\n- {}\n\nRecords:\n{summary}", all.join("\n- ")))
        .fix([
            "In Cloudflare: DNS → Records: turn the orange cloud (Proxied) on for the web names listed, and off (DNS only) for mail servers, DKIM keys and verification records.".to_owned(),
            "If a web name's address was public before, change the server's address or allow only Cloudflare's addresses at its firewall: old DNS answers are kept by others.".to_owned(),
        ])
}

/// `parent_ds`: the DS records the registry publishes (key tags as text first), `None` when they
/// could not be read.
pub fn judge_dnssec(domain: &str, cf: &Result<Dnssec, ApiError>, parent_ds: Option<&[String]>) -> Finding {
    let cf = match cf {
        Ok(d) => d,
        Err(e) => return unread(&defs::DNSSEC, domain, "the DNSSEC state", e),
    };
    let ds_text = cf.ds.clone().unwrap_or_default();
    let base = Finding::new(&defs::DNSSEC, domain, Status::Pass)
        .evidence(json!({ "cloudflare": cf.status, "cloudflare_ds": cf.ds, "key_tag": cf.key_tag, "parent_ds": parent_ds }));
    let Some(parent) = parent_ds else {
        return base
            .status(Status::Error)
            .title(format!("Preflight could not compare DNSSEC at Cloudflare ({}) with your registrar: the DS lookup failed.", cf.status));
    };
    let matches = cf.key_tag.is_some_and(|t| parent.iter().any(|d| d.split_whitespace().next() == Some(t.to_string().as_str())));
    match (cf.status.as_str(), parent.is_empty()) {
        ("active" | "pending", true) => base
            .status(Status::Warn)
            .title(format!("DNSSEC is on at Cloudflare, but your registrar publishes no DS record for {domain}, so nobody checks your signatures yet."))
            .detail(format!("Add this DS record at your registrar: {ds_text}"))
            .fix([format!("At your registrar's DNSSEC page, add the DS record Cloudflare shows under DNS → Settings → DNSSEC: {ds_text}")]),
        ("active" | "pending", false) if !matches => base
            .status(Status::Fail)
            .title(format!("The DS record at your registrar does not match Cloudflare's DNSSEC key for {domain}: validating resolvers cannot reach the domain."))
            .detail(format!("Registrar: {}. Cloudflare wants: {ds_text}", parent.join("; ")))
            .fix([format!("At your registrar, replace the DS record with Cloudflare's: {ds_text}")]),
        ("active", false) => base.title(format!("DNSSEC is on at Cloudflare and your registrar publishes the matching DS record for {domain}.")),
        (_, false) => base
            .status(Status::Fail)
            .title(format!("Your registrar publishes a DS record for {domain}, but DNSSEC is {} at Cloudflare: validating resolvers cannot reach the domain.", cf.status))
            .detail(format!("Registrar DS: {}", parent.join("; ")))
            .fix(["Remove the DS record at your registrar now (or turn DNSSEC on at Cloudflare: DNS → Settings → DNSSEC, and publish the DS it shows)."]),
        (status, true) => base.title(format!("DNSSEC is {status} at Cloudflare and your registrar publishes no DS record: consistent (DNSSEC is optional).")),
    }
}
