//! The handover's "Settings that matter" section: what the connected providers' APIs said in the
//! latest audit (Cloudflare's SSL mode, proxied names, firewall, rate and bot rules, DNSSEC;
//! Vercel's project, production commit and environment variable names), each with where it is
//! changed, so whoever takes over knows which switches hold the product up.
//!
//! Read from the `edge.cloudflare.*` and `deploy.vercel.*` findings' evidence; nothing of a token
//! or of a variable's value is ever in them.

use super::{text, Block, Section};
use preflight_core::{Finding, Report, Status};
use serde_json::Value;

const ID: &str = "provider_settings";
const TITLE: &str = "Settings that matter";

fn of<'a>(report: &'a Report, id: &str) -> Option<&'a Finding> {
    report.findings.iter().find(|f| f.id == id && !matches!(f.status, Status::Error | Status::Skipped))
}

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Null) | None => "not read".into(),
        Some(other) => other.to_string(),
    }
}

pub(super) fn section(report: Option<&Report>) -> Section {
    let Some(r) = report else {
        return Section {
            id: ID.into(),
            title: TITLE.into(),
            blocks: vec![text("Not known yet: no audit is stored. Run an audit and export again.")],
        };
    };
    let access = of(r, "edge.cloudflare.access");
    let project = of(r, "deploy.vercel.project");
    if access.is_none() && project.is_none() {
        return Section {
            id: ID.into(),
            title: TITLE.into(),
            blocks: vec![text("No provider is connected, so the settings only Cloudflare's and Vercel's dashboards show are not listed here. Connect a token (Settings → Providers, or `preflight providers connect DOMAIN cloudflare|vercel`) and export again.")],
        };
    }
    let when = preflight_core::net::cert::date(r.started_at_ms.div_euclid(1000));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |what: &str, value: String, state: &str, where_: &str| rows.push(vec![what.into(), value, state.into(), where_.into()]);
    if let Some(f) = of(r, "edge.cloudflare.ssl") {
        row("SSL/TLS mode", s(&f.evidence, "ssl"), f.status.label(), "SSL/TLS → Overview");
    }
    if let Some(f) = of(r, "edge.cloudflare.https") {
        let e = &f.evidence;
        row("Always Use HTTPS", s(e, "always_use_https"), f.status.label(), "SSL/TLS → Edge Certificates");
        row("Minimum TLS version", s(e, "min_tls_version"), f.status.label(), "SSL/TLS → Edge Certificates");
        let hsts =
            e.get("hsts").and_then(|h| h.get("enabled")).and_then(Value::as_bool).map_or("not read", |on| if on { "on" } else { "off" });
        row("HSTS at Cloudflare", hsts.into(), f.status.label(), "SSL/TLS → Edge Certificates → HSTS");
    }
    if let Some(f) = of(r, "edge.cloudflare.proxied") {
        let list = f.evidence.get("records").and_then(Value::as_array).cloned().unwrap_or_default();
        let names = |proxied: bool| {
            let v: Vec<String> = list
                .iter()
                .filter(|x| x["proxied"].as_bool() == Some(proxied))
                .filter_map(|x| x["name"].as_str().map(str::to_owned))
                .collect();
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        row("Proxied names (orange cloud)", names(true), f.status.label(), "DNS → Records");
        row("DNS-only names (grey cloud)", names(false), f.status.label(), "DNS → Records");
    }
    if let Some(f) = of(r, "edge.cloudflare.dnssec") {
        row("DNSSEC", s(&f.evidence, "cloudflare"), f.status.label(), "DNS → Settings → DNSSEC, and the DS record at the registrar");
    }
    if let Some(f) = of(r, "edge.cloudflare.waf") {
        row("Managed WAF rulesets", s(&f.evidence, "managed_rulesets"), f.status.label(), "Security → WAF → Managed rules");
    }
    if let Some(f) = of(r, "edge.cloudflare.ratelimit") {
        let rules = f.evidence.get("rules").and_then(Value::as_array).map_or(0, Vec::len);
        row("Rate-limiting rules", rules.to_string(), f.status.label(), "Security → WAF → Rate limiting rules");
    }
    if let Some(f) = of(r, "edge.cloudflare.bots") {
        let e = &f.evidence;
        row(
            "Bot Fight Mode",
            s(e, "fight_mode"),
            f.status.label(),
            "Security → Bots (exceptions for webhooks: Security → WAF → Custom rules → Skip)",
        );
    }
    if let Some(f) = of(r, "edge.cloudflare.cache") {
        let n = f.evidence.get("cache_rules").and_then(Value::as_array).map_or(0, Vec::len);
        row("Cache rules", n.to_string(), f.status.label(), "Caching → Cache Rules");
    }
    if let Some(f) = project {
        let e = &f.evidence;
        let live = e.get("production");
        let commit = live
            .and_then(|p| p.get("commit"))
            .and_then(Value::as_str)
            .map(|c| c.chars().take(12).collect::<String>())
            .unwrap_or_else(|| "not known".into());
        let since = live
            .and_then(|p| p.get("created_ms"))
            .and_then(Value::as_i64)
            .map(|ms| preflight_core::net::cert::date(ms.div_euclid(1000)))
            .unwrap_or_default();
        row("Vercel project", s(e, "project"), f.status.label(), "Vercel dashboard → the project");
        row(
            "Production release (commit, live since)",
            format!("{commit} {since}").trim().to_owned(),
            f.status.label(),
            "Vercel → Deployments (Instant Rollback puts the previous one back)",
        );
    }
    if let Some(f) = of(r, "deploy.vercel.env") {
        let names = |k: &str| {
            f.evidence
                .get(k)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "none".into())
        };
        row(
            "Environment variables in production (names)",
            names("production"),
            f.status.label(),
            "Vercel → Project → Settings → Environment Variables",
        );
        row(
            "Environment variables in previews (names)",
            names("preview"),
            f.status.label(),
            "Vercel → Project → Settings → Environment Variables",
        );
    }
    let zone = access.map(|a| format!(" (Cloudflare zone {})", s(&a.evidence, "zone"))).unwrap_or_default();
    Section {
        id: ID.into(),
        title: TITLE.into(),
        blocks: vec![
            text(format!("Read from the providers' APIs on {when}{zone}. Change them only in the dashboard place named, and run an audit after. Values of environment variables are never read.")),
            Block::Table { head: vec!["Setting".into(), "Value".into(), "State".into(), "Where it is changed".into()], rows },
        ],
    }
}
