//! Cloudflare's API (`/client/v4`) on the testbed: the endpoints Preflight's Cloudflare checks
//! read, answering one zone whose settings the test chooses.
//!
//! Shapes follow Cloudflare's published v4 API reference and its OpenAPI schema (as of the 2025
//! schema: the `{success, errors, messages, result, result_info}` envelope; settings as
//! `{id, value, editable}`; DNS records with `proxied`; `/dnssec` with `status`, `ds` and
//! `key_tag`; ruleset entry points per phase with `rules[].action`, `.expression`, `.enabled`;
//! `/bot_management` with `fight_mode` and `sbfm_definitely_automated`). The fixtures are written
//! here. The server also misbehaves on request: a missing permission (403 on one path), 429 with
//! `Retry-After` for the first calls, and answers that are not the documented shape.

use crate::handler::{App, Reply};
use crate::web::Received;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// The zone id every answer uses (the format Cloudflare's reference shows).
pub const ZONE_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// One zone and how the API behaves.
#[derive(Debug, Clone)]
pub struct CfZone {
    pub name: String,
    /// The token the API accepts (anything else is refused as invalid).
    pub token: String,
    pub ssl: String,
    pub always_use_https: String,
    pub min_tls_version: String,
    pub hsts: bool,
    /// name, type, content, proxied.
    pub records: Vec<(String, String, String, bool)>,
    /// status, DS text, key tag.
    pub dnssec: (String, String, u16),
    pub managed: Vec<Value>,
    pub ratelimit: Vec<Value>,
    pub custom: Vec<Value>,
    pub cache: Vec<Value>,
    pub fight_mode: bool,
    pub definitely_automated: String,
    /// Path fragments answered 403 (a permission the token lacks).
    pub forbidden: Vec<String>,
    /// The first this many calls get 429 with `Retry-After: 1`.
    pub limited_first: u32,
    /// Every answer is HTML instead of JSON.
    pub malformed: bool,
}

impl CfZone {
    /// A well-set-up zone: Full (strict), HTTPS enforced, TLS 1.2, HSTS, web names proxied and mail
    /// names not, DNSSEC off, managed rules and a rate limit on `/api`, no bot challenge.
    pub fn good(name: &str, token: &str) -> CfZone {
        let rec = |n: &str, t: &str, c: &str, p: bool| (n.to_owned(), t.to_owned(), c.to_owned(), p);
        CfZone {
            name: name.to_owned(),
            token: token.to_owned(),
            ssl: "strict".into(),
            always_use_https: "on".into(),
            min_tls_version: "1.2".into(),
            hsts: true,
            records: vec![
                rec(name, "A", "192.0.2.10", true),
                rec(&format!("www.{name}"), "CNAME", name, true),
                rec(&format!("app.{name}"), "A", "192.0.2.11", true),
                rec(name, "MX", &format!("10 mx.{name}"), false),
                rec(&format!("mx.{name}"), "A", "192.0.2.25", false),
                rec(&format!("google._domainkey.{name}"), "CNAME", "dkim.mail.example", false),
            ],
            dnssec: ("disabled".into(), String::new(), 0),
            managed: vec![
                json!({ "action": "execute", "expression": "true", "enabled": true, "description": "Cloudflare Managed Ruleset", "action_parameters": { "id": "efb7b8c949ac4650a09736fc376e9aee" } }),
            ],
            ratelimit: vec![
                json!({ "action": "block", "expression": "(starts_with(http.request.uri.path, \"/api\"))", "enabled": true, "description": "API", "ratelimit": { "characteristics": ["ip.src", "cf.colo.id"], "period": 10, "requests_per_period": 20, "mitigation_timeout": 10 } }),
            ],
            custom: Vec::new(),
            cache: Vec::new(),
            fight_mode: false,
            definitely_automated: "allow".into(),
            forbidden: Vec::new(),
            limited_first: 0,
            malformed: false,
        }
    }
}

/// The API's answers for `zone`; `calls` counts every request (pages and retries included).
pub fn api(zone: CfZone, calls: Arc<AtomicU32>) -> App {
    let zone = Arc::new(Mutex::new(zone));
    App::new(move |r: &Received| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        let Ok(z) = zone.lock() else { return Reply::json("{}").status(500) };
        answer(&z, r, n)
    })
}

fn envelope(result: Value) -> Reply {
    Reply::json(&json!({ "success": true, "errors": [], "messages": [], "result": result }).to_string())
}

fn error(status: u16, code: u32, message: &str) -> Reply {
    Reply::json(&json!({ "success": false, "errors": [{ "code": code, "message": message }], "messages": [], "result": null }).to_string())
        .status(status)
}

fn answer(z: &CfZone, r: &Received, n: u32) -> Reply {
    if n < z.limited_first {
        return error(429, 971, "Please wait and consider throttling your request speed").header("retry-after", "1");
    }
    let auth = r.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.as_str());
    if auth != Some(format!("Bearer {}", z.token).as_str()) {
        return error(403, 1000, "Invalid API Token");
    }
    if z.malformed {
        return Reply::html("<html>Service temporarily unavailable</html>");
    }
    let path = r.path.strip_prefix("/client/v4").unwrap_or(&r.path);
    if z.forbidden.iter().any(|f| path.contains(f.as_str())) {
        return error(403, 10000, "Authentication error");
    }
    let zone_path = format!("/zones/{ZONE_ID}");
    let setting =
        |id: &str, value: Value| envelope(json!({ "id": id, "value": value, "editable": true, "modified_on": "2026-11-02T10:00:00Z" }));
    let entry = |phase: &str, rules: &[Value]| {
        if rules.is_empty() {
            return error(404, 10003, &format!("could not find entrypoint ruleset in the {phase} phase"));
        }
        envelope(json!({ "id": "4814384a9e5d4991b9815dcfc25d2f1f", "name": "default", "kind": "zone", "phase": phase, "rules": rules }))
    };
    match path {
        "/user/tokens/verify" => envelope(json!({ "id": "ed17574386854bf78a67040be0a770b0", "status": "active" })),
        "/zones" => {
            let found = r.param("name").is_some_and(|name| name == z.name);
            let list = if found {
                vec![json!({ "id": ZONE_ID, "name": z.name, "status": "active", "paused": false, "type": "full" })]
            } else {
                Vec::new()
            };
            Reply::json(&json!({ "success": true, "errors": [], "messages": [], "result": list, "result_info": { "page": 1, "per_page": 20, "count": list.len(), "total_count": list.len(), "total_pages": 1 } }).to_string())
        }
        p if p == format!("{zone_path}/settings/ssl") => setting("ssl", json!(z.ssl)),
        p if p == format!("{zone_path}/settings/always_use_https") => setting("always_use_https", json!(z.always_use_https)),
        p if p == format!("{zone_path}/settings/min_tls_version") => setting("min_tls_version", json!(z.min_tls_version)),
        p if p == format!("{zone_path}/settings/automatic_https_rewrites") => setting("automatic_https_rewrites", json!("on")),
        p if p == format!("{zone_path}/settings/security_header") => setting(
            "security_header",
            json!({ "strict_transport_security": { "enabled": z.hsts, "max_age": if z.hsts { 31_536_000 } else { 0 }, "include_subdomains": z.hsts, "preload": false, "nosniff": true } }),
        ),
        p if p == format!("{zone_path}/dns_records") => {
            let per_page: usize = r.param("per_page").and_then(|v| v.parse().ok()).unwrap_or(100).clamp(1, 5000);
            let page: usize = r.param("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
            let all: Vec<Value> = z
                .records
                .iter()
                .enumerate()
                .map(|(i, (name, kind, content, proxied))| json!({ "id": format!("{i:032x}"), "name": name, "type": kind, "content": content, "proxied": proxied, "proxiable": matches!(kind.as_str(), "A" | "AAAA" | "CNAME"), "ttl": 1 }))
                .collect();
            let pages = all.len().div_ceil(per_page).max(1);
            let slice: Vec<Value> = all.iter().skip((page - 1) * per_page).take(per_page).cloned().collect();
            Reply::json(&json!({ "success": true, "errors": [], "messages": [], "result": slice, "result_info": { "page": page, "per_page": per_page, "count": slice.len(), "total_count": all.len(), "total_pages": pages } }).to_string())
        }
        p if p == format!("{zone_path}/dnssec") => {
            let (status, ds, tag) = &z.dnssec;
            envelope(
                json!({ "status": status, "ds": if ds.is_empty() { Value::Null } else { json!(ds) }, "key_tag": if *tag == 0 { Value::Null } else { json!(tag) }, "algorithm": "13", "digest_type": "2" }),
            )
        }
        p if p == format!("{zone_path}/rulesets/phases/http_request_firewall_managed/entrypoint") => {
            entry("http_request_firewall_managed", &z.managed)
        }
        p if p == format!("{zone_path}/rulesets/phases/http_ratelimit/entrypoint") => entry("http_ratelimit", &z.ratelimit),
        p if p == format!("{zone_path}/rulesets/phases/http_request_firewall_custom/entrypoint") => {
            entry("http_request_firewall_custom", &z.custom)
        }
        p if p == format!("{zone_path}/rulesets/phases/http_request_cache_settings/entrypoint") => {
            entry("http_request_cache_settings", &z.cache)
        }
        p if p == format!("{zone_path}/bot_management") => envelope(
            json!({ "fight_mode": z.fight_mode, "enable_js": true, "sbfm_definitely_automated": z.definitely_automated, "sbfm_likely_automated": "allow", "sbfm_verified_bots": "allow" }),
        ),
        _ => error(404, 7003, "Could not route to the requested path"),
    }
}
