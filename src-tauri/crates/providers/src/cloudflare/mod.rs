//! Cloudflare, read with a read-only API token (`/client/v4`): the zone matching the product's
//! domain, then its settings, records, DNSSEC, rulesets and bot settings, each judged into the
//! `edge.cloudflare.*` findings.
//!
//! Every part is read on its own: a token missing one permission loses that part (its finding says
//! which permission), not the rest. Shapes follow Cloudflare's v4 API reference: every answer is an
//! envelope `{success, errors, messages, result, result_info}`, and lists page with `page` and
//! `per_page` up to `result_info.total_pages`.

mod crosscheck;
mod records;
mod rules;
mod settings;

use crate::api::{Api, ApiError};
use preflight_core::checks::cloudflare as defs;
use preflight_core::{Finding, Status, Target};
use serde_json::Value;

/// Cloudflare's API, as documented.
pub const DEFAULT_API: &str = "https://api.cloudflare.com/client/v4/";
/// Records read per page, and the most pages read.
pub const PER_PAGE: u32 = 100;
pub const MAX_PAGES: u32 = 20;

/// The permissions a token needs, as the dashboard names them (My Profile → API Tokens → Create
/// Token → Custom token), each with what it lets Preflight read.
pub const PERMISSIONS: &[(&str, &str)] = &[
    (ZONE_READ, "which zone is your domain"),
    (SETTINGS_READ, "SSL/TLS mode, Always Use HTTPS, minimum TLS version, HSTS"),
    (DNS_READ, "which records are proxied, and DNSSEC"),
    (WAF_READ, "managed WAF rules, rate-limiting rules and challenges"),
    (CACHE_READ, "cache rules"),
    (BOTS_READ, "Bot Fight Mode and Super Bot Fight Mode"),
];
pub const ZONE_READ: &str = "Zone → Zone → Read";
pub const SETTINGS_READ: &str = "Zone → Zone Settings → Read";
pub const DNS_READ: &str = "Zone → DNS → Read";
pub const WAF_READ: &str = "Zone → Zone WAF → Read";
pub const CACHE_READ: &str = "Zone → Cache Rules → Read";
pub const BOTS_READ: &str = "Zone → Bot Management → Read";

/// The `result` of an envelope, or why there is none.
pub(crate) fn result(api: &Api, path: &str, v: Value) -> Result<Value, ApiError> {
    match (v.get("success").and_then(Value::as_bool), v.get("result")) {
        (Some(true), Some(r)) => Ok(r.clone()),
        _ => Err(ApiError::Malformed { provider: api.provider(), path: path.to_owned(), reason: "no result in the answer".into() }),
    }
}

pub(crate) async fn get(api: &Api, path: &str, permission: &'static str) -> Result<Value, ApiError> {
    let v = api.get(path, permission).await?;
    result(api, path, v)
}

/// Every item of a paged list, within [`MAX_PAGES`].
pub(crate) async fn all_pages(api: &Api, path: &str, permission: &'static str) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    for page in 1..=MAX_PAGES {
        let at = format!("{path}{sep}page={page}&per_page={PER_PAGE}");
        let v = api.get(&at, permission).await?;
        let total = v.get("result_info").and_then(|i| i.get("total_pages")).and_then(Value::as_u64).unwrap_or(1);
        let items = result(api, path, v)?;
        let Some(items) = items.as_array() else {
            return Err(ApiError::Malformed { provider: api.provider(), path: path.to_owned(), reason: "the result is not a list".into() });
        };
        out.extend(items.iter().cloned());
        if u64::from(page) >= total || items.is_empty() {
            return Ok(out);
        }
    }
    Err(ApiError::TooMuch { provider: api.provider(), reason: format!("more than {MAX_PAGES} pages of {PER_PAGE}") })
}

/// Whether the token is good: `GET /user/tokens/verify` (any token may call it).
pub async fn verify(api: &Api) -> Result<String, ApiError> {
    let r = get(api, "user/tokens/verify", ZONE_READ).await?;
    match r.get("status").and_then(Value::as_str) {
        Some("active") => {
            Ok(r.get("expires_on").and_then(Value::as_str).map(|e| format!("active, expires {e}")).unwrap_or_else(|| "active".into()))
        }
        Some(other) => Err(ApiError::BadToken { provider: api.provider(), detail: format!("its status is {other}") }),
        None => Err(ApiError::Malformed { provider: api.provider(), path: "/user/tokens/verify".into(), reason: "no status".into() }),
    }
}

/// The zone for the product's domain.
#[derive(Debug, Clone)]
pub struct Zone {
    pub id: String,
    pub name: String,
    pub status: String,
}

/// The zone named `domain` that the token can read.
pub async fn find_zone(api: &Api, domain: &str) -> Result<Zone, ApiError> {
    let list = get(api, &format!("zones?name={domain}"), ZONE_READ).await?;
    let z = list
        .as_array()
        .and_then(|a| a.first())
        .ok_or_else(|| ApiError::NotFound { provider: api.provider(), what: format!("zone named {domain} that this token can read") })?;
    let field = |k: &str| z.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let id = field("id");
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::Malformed { provider: api.provider(), path: "/zones".into(), reason: "the zone has no usable id".into() });
    }
    Ok(Zone { id, name: field("name"), status: field("status") })
}

/// The finding for a part of the zone that could not be read.
pub(crate) fn unread(def: &'static preflight_core::CheckDef, zone: &str, what: &str, e: &ApiError) -> Finding {
    crate::unread(def, zone, what, e, crate::Provider::Cloudflare)
}

/// Every `edge.cloudflare.*` finding for the product, with the audit's own findings (`outside`)
/// for the cross-check.
pub async fn audit(api: &Api, target: &Target, outside: &[Finding], parent_ds: Option<Vec<String>>) -> Vec<Finding> {
    let domain = target.domain.to_string();
    let zone = match find_zone(api, &domain).await {
        Ok(z) => z,
        Err(e) => return vec![unread(&defs::ACCESS, &domain, &format!("the zone of {domain}"), &e)],
    };
    let (settings, records, dnssec, rules, bots) = tokio::join!(
        settings::read(api, &zone),
        records::read(api, &zone),
        records::read_dnssec(api, &zone),
        rules::read(api, &zone),
        rules::read_bots(api, &zone),
    );
    let mut out = vec![Finding::new(&defs::ACCESS, &domain, Status::Pass)
        .title(format!("Preflight read {domain}'s settings at Cloudflare with the connected read-only token."))
        .detail(format!("Zone {} ({}), status {}. {} API calls.", zone.name, zone.id, zone.status, api.calls()))
        .evidence(serde_json::json!({ "zone": zone.name, "zone_status": zone.status, "calls": api.calls() }))];
    out.extend(settings::judge(&domain, &settings));
    out.push(records::judge_proxied(&domain, target, &records));
    out.push(records::judge_dnssec(&domain, &dnssec, parent_ds.as_deref()));
    out.extend(rules::judge(&domain, target, &rules, &bots));
    out.extend(crosscheck::judge(&domain, target, &settings, &records, outside));
    out
}
