//! The handover's sections about the product's addresses, read from the latest audit's evidence:
//! names and their records, the redirect map, certificates, and email authentication.
//!
//! Evidence is structured JSON whose shape each check documents; a field that is missing or of
//! another shape is left blank rather than guessed, so an older stored report still renders.

use super::{text, Block, Section};
use preflight_core::{Finding, Report, Status};
use serde_json::Value;

fn of<'a>(report: Option<&'a Report>, id: &'a str) -> impl Iterator<Item = &'a Finding> {
    report.into_iter().flat_map(move |r| r.findings.iter().filter(move |f| f.id == id))
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.get(field).and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn missing(id: &str, what: &str) -> Section {
    Section { id: id.into(), title: what.into(), blocks: vec![text("Not known yet: no audit is stored. Run an audit and export again.")] }
}

/// Every name with what it points at.
pub(super) fn domains(report: Option<&Report>) -> Section {
    let Some(r) = report else { return missing("domains", "Domains and subdomains") };
    let mut rows: Vec<Vec<String>> = of(Some(r), "dns.resolve")
        .map(|f| {
            let e = &f.evidence;
            let mut points = strings(e, "cnames").into_iter().map(|c| format!("alias of {c}")).collect::<Vec<_>>();
            points.extend(strings(e, "a"));
            points.extend(strings(e, "aaaa"));
            let ttl = e.get("ttl").and_then(Value::as_u64).map(|t| format!("{t} s")).unwrap_or_default();
            let points = if points.is_empty() { "nothing".to_owned() } else { points.join(", ") };
            vec![f.subject.clone(), points, ttl, f.status.label().to_owned()]
        })
        .collect();
    rows.sort();
    let mut blocks = Vec::new();
    if let Some(ns) = of(Some(r), "dns.ns").next() {
        let list = strings(&ns.evidence, "ns");
        if !list.is_empty() {
            blocks.push(text(format!("DNS for {} is answered by {}. Records are changed there.", r.domain, list.join(", "))));
        }
    }
    if let Some(reg) = of(Some(r), "dns.registration").find(|f| matches!(f.status, Status::Pass | Status::Warn | Status::Fail)) {
        blocks.push(text(registration(&r.domain, &reg.evidence)));
    }
    blocks.push(Block::Table { head: vec!["Name".into(), "Points to".into(), "TTL".into(), "State".into()], rows });
    Section { id: "domains".into(), title: "Domains and subdomains".into(), blocks }
}

/// The registration line: registrar, expiry date and transfer lock, as the registry published them.
fn registration(domain: &str, e: &Value) -> String {
    let registrar = e.get("registrar").and_then(Value::as_str).map(|n| format!(" with {n}")).unwrap_or_default();
    let until = match e.get("expires").and_then(Value::as_str) {
        Some(date) => format!("until {date}"),
        None => "with no expiry date published".to_owned(),
    };
    let renews = if e.get("auto_renewing").and_then(Value::as_bool) == Some(true) { " It is renewing on its own." } else { "" };
    let lock = match e.get("transfer_locked").and_then(Value::as_bool) {
        Some(true) => " The registrar lock is on: it cannot be moved to another registrar without lifting it first.",
        Some(false) => " The registrar lock is off: turn it on in the registrar's panel.",
        None => "",
    };
    format!("{domain} is registered{registrar} {until}.{renews}{lock} Renewal and the lock are changed at the registrar.")
}

/// Where each address leads, hop by hop.
pub(super) fn redirects(report: Option<&Report>) -> Section {
    let Some(r) = report else { return missing("redirects", "Redirect map") };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for f in of(Some(r), "redirects.https").chain(of(Some(r), "redirects.permanent")) {
        let Some(hops) = f.evidence.get("hops").and_then(Value::as_array) else { continue };
        let Some(from) = hops.first().and_then(|h| h.get("url")).and_then(Value::as_str) else { continue };
        if rows.iter().any(|row| row[0] == from) {
            continue;
        }
        let path: Vec<String> = hops
            .iter()
            .map(|h| {
                let status = h.get("status").and_then(Value::as_u64).map_or_else(|| "no answer".to_owned(), |s| s.to_string());
                match h.get("location").and_then(Value::as_str) {
                    Some(to) => format!("{status} → {to}"),
                    None => status,
                }
            })
            .collect();
        rows.push(vec![from.to_owned(), path.join(", "), f.status.label().to_owned()]);
    }
    rows.sort();
    let mut blocks = vec![Block::Table { head: vec!["Address typed".into(), "What happens".into(), "State".into()], rows }];
    if let Some(c) = of(Some(r), "redirects.canonical").next() {
        blocks.push(text(c.title.clone()));
    }
    Section { id: "redirects".into(), title: "Redirect map".into(), blocks }
}

/// Each name's certificate: who issued it and when it expires.
pub(super) fn certificates(report: Option<&Report>) -> Section {
    let Some(r) = report else { return missing("certificates", "Certificates") };
    let mut rows: Vec<Vec<String>> = of(Some(r), "tls.cert.expiry")
        .filter(|f| f.status != Status::Skipped)
        .map(|f| {
            let e = &f.evidence;
            let field = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let days = e.get("days_left").and_then(Value::as_i64).map(|d| format!("{d} days")).unwrap_or_default();
            vec![f.subject.clone(), field("issuer"), field("not_after"), days, f.status.label().to_owned()]
        })
        .collect();
    rows.sort();
    Section {
        id: "certificates".into(),
        title: "Certificates".into(),
        blocks: vec![Block::Table { head: vec!["Name".into(), "Issued by".into(), "Expires".into(), "Left".into(), "State".into()], rows }],
    }
}

/// The certificates that expire within `days`, as week-one lines.
pub(super) fn expiring(report: Option<&Report>, days: i64) -> Vec<String> {
    of(report, "tls.cert.expiry")
        .filter_map(|f| {
            let left = f.evidence.get("days_left").and_then(Value::as_i64)?;
            let until = f.evidence.get("not_after").and_then(Value::as_str).unwrap_or("soon");
            (left <= days).then(|| format!("The certificate of {} expires on {until} ({left} days): check it renews.", f.subject))
        })
        .chain(of(report, "dns.registration").filter_map(|f| {
            let left = f.evidence.get("days_left").and_then(Value::as_i64)?;
            let until = f.evidence.get("expires").and_then(Value::as_str).unwrap_or("soon");
            (left <= days)
                .then(|| format!("The domain {} expires on {until} ({left} days): renew it or check auto-renew is on.", f.subject))
        }))
        .collect()
}

/// MX, SPF, DKIM, DMARC and the rest, each with its state and record.
pub(super) fn email(report: Option<&Report>) -> Section {
    let Some(r) = report else { return missing("email", "Email authentication") };
    let rows: Vec<Vec<String>> = [
        ("email.mx", "Receiving (MX)"),
        ("email.spf", "Allowed senders (SPF)"),
        ("email.dkim", "Signatures (DKIM)"),
        ("email.dmarc", "Policy (DMARC)"),
        ("email.mta_sts", "Enforced encryption (MTA-STS)"),
        ("email.starttls", "Encryption between servers (STARTTLS)"),
    ]
    .iter()
    .filter_map(|(id, label)| {
        let f = of(Some(r), id).next()?;
        Some(vec![(*label).to_owned(), f.status.label().to_owned(), record(f), f.title.clone()])
    })
    .collect();
    let blocks = if rows.is_empty() {
        vec![text("Email was not part of the latest audit.")]
    } else {
        vec![Block::Table { head: vec!["What".into(), "State".into(), "Record".into(), "In words".into()], rows }]
    };
    Section { id: "email".into(), title: "Email authentication".into(), blocks }
}

/// The record behind an email finding, as published.
fn record(f: &Finding) -> String {
    let e = &f.evidence;
    match f.id.as_str() {
        "email.mx" => e
            .get("mx")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|m| m.get("exchange").and_then(Value::as_str)).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        "email.spf" => e.pointer("/tree/record").and_then(Value::as_str).unwrap_or_default().to_owned(),
        "email.dmarc" => e.pointer("/found/text").and_then(Value::as_str).unwrap_or_default().to_owned(),
        "email.dkim" => e
            .get("keys")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|k| k.get("selector").and_then(Value::as_str))
                    .map(|s| format!("selector {s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}
