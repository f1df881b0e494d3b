//! `edge.cloudflare.ssl` and `edge.cloudflare.https`: the zone settings that decide whether the
//! padlock visitors see means what they think.
//!
//! SSL mode "Flexible" is the classic trap: visitors get HTTPS to Cloudflare, Cloudflare reaches the
//! server over plain http, so every password and chat message crosses the internet readable. "Off"
//! is worse; "Full" encrypts to the server but accepts any certificate there; "Full (strict)" is the
//! one that holds.

use super::{get, unread, Zone, SETTINGS_READ};
use crate::api::{Api, ApiError};
use preflight_core::checks::cloudflare as defs;
use preflight_core::{Finding, Status};
use serde_json::{json, Value};

/// The settings read, each on its own (a missing permission loses them all the same way).
#[derive(Debug, Clone)]
pub struct Settings {
    pub ssl: Result<String, ApiError>,
    pub always_use_https: Result<String, ApiError>,
    pub min_tls_version: Result<String, ApiError>,
    pub hsts: Result<Value, ApiError>,
    pub https_rewrites: Result<String, ApiError>,
}

impl Settings {
    /// HSTS at Cloudflare: on, and its max-age.
    pub fn hsts_on(&self) -> Option<(bool, u64)> {
        let h = self.hsts.as_ref().ok()?.get("strict_transport_security")?;
        Some((h.get("enabled").and_then(Value::as_bool).unwrap_or(false), h.get("max_age").and_then(Value::as_u64).unwrap_or(0)))
    }
}

async fn setting(api: &Api, zone: &Zone, id: &str) -> Result<Value, ApiError> {
    let r = get(api, &format!("zones/{}/settings/{id}", zone.id), SETTINGS_READ).await?;
    r.get("value").cloned().ok_or_else(|| ApiError::Malformed {
        provider: api.provider(),
        path: format!("/settings/{id}"),
        reason: "no value".into(),
    })
}

async fn text(api: &Api, zone: &Zone, id: &str) -> Result<String, ApiError> {
    let v = setting(api, zone, id).await?;
    v.as_str().map(str::to_owned).ok_or_else(|| ApiError::Malformed {
        provider: api.provider(),
        path: format!("/settings/{id}"),
        reason: "the value is not text".into(),
    })
}

pub async fn read(api: &Api, zone: &Zone) -> Settings {
    let (ssl, always_use_https, min_tls_version, hsts, https_rewrites) = tokio::join!(
        text(api, zone, "ssl"),
        text(api, zone, "always_use_https"),
        text(api, zone, "min_tls_version"),
        setting(api, zone, "security_header"),
        text(api, zone, "automatic_https_rewrites"),
    );
    Settings { ssl, always_use_https, min_tls_version, hsts, https_rewrites }
}

/// The dashboard's name for an SSL mode.
pub fn mode_name(value: &str) -> &str {
    match value {
        "off" => "Off",
        "flexible" => "Flexible",
        "full" => "Full",
        "strict" => "Full (strict)",
        "origin_pull" => "Strict (SSL-Only Origin Pull)",
        other => other,
    }
}

pub fn judge(domain: &str, s: &Settings) -> Vec<Finding> {
    vec![ssl(domain, s), https(domain, s)]
}

fn ssl(domain: &str, s: &Settings) -> Finding {
    let mode = match &s.ssl {
        Ok(m) => m.as_str(),
        Err(e) => return unread(&defs::SSL, domain, "the SSL/TLS mode", e),
    };
    let base = Finding::new(&defs::SSL, domain, Status::Pass).evidence(json!({ "ssl": mode }));
    let fix = "In Cloudflare: SSL/TLS → Overview → choose Full (strict). Your host must serve a valid certificate for your domain (Vercel, Netlify, Render and Fly do by themselves; elsewhere, install a free Cloudflare Origin Certificate).";
    match mode {
        "strict" | "origin_pull" => base.title(format!("Cloudflare reaches your server over HTTPS and checks its certificate (SSL mode {}).", mode_name(mode))),
        "full" => base
            .status(Status::Warn)
            .title("Cloudflare encrypts the way to your server but accepts any certificate there (SSL mode Full).")
            .why("Anyone who can sit between Cloudflare and your server can pose as it with a made-up certificate.")
            .fix([fix]),
        "flexible" | "off" => base
            .status(Status::Fail)
            .title(format!("Visitors see a padlock, but Cloudflare reaches your server over plain http (SSL mode {}).", mode_name(mode)))
            .why("Passwords, chat messages and session cookies cross the internet between Cloudflare and your server readable by anyone on the way; sign-in redirects can also loop.")
            .fix([fix]),
        other => base.status(Status::Manual).title(format!("Cloudflare's SSL mode is \"{other}\", which Preflight does not know; check it is Full (strict).")),
    }
}

fn https(domain: &str, s: &Settings) -> Finding {
    let (always, min_tls) = match (&s.always_use_https, &s.min_tls_version) {
        (Ok(a), Ok(m)) => (a.as_str(), m.as_str()),
        (Err(e), _) | (_, Err(e)) => return unread(&defs::HTTPS, domain, "the HTTPS settings", e),
    };
    let hsts = s.hsts_on();
    let rewrites = s.https_rewrites.as_deref().ok();
    let mut warn: Vec<String> = Vec::new();
    let mut fix: Vec<String> = Vec::new();
    if always != "on" {
        warn.push("Always Use HTTPS is off: a visitor who types http:// stays on an unencrypted page unless your server redirects".into());
        fix.push("In Cloudflare: SSL/TLS → Edge Certificates → Always Use HTTPS: on.".into());
    }
    if matches!(min_tls, "1.0" | "1.1") {
        warn.push(format!("the minimum TLS version is {min_tls}, which browsers retired in 2020"));
        fix.push("In Cloudflare: SSL/TLS → Edge Certificates → Minimum TLS Version: TLS 1.2.".into());
    }
    let evidence = json!({
        "always_use_https": always, "min_tls_version": min_tls,
        "hsts": hsts.map(|(on, age)| json!({ "enabled": on, "max_age": age })), "automatic_https_rewrites": rewrites,
    });
    let notes = format!(
        "Always Use HTTPS: {always}. Minimum TLS: {min_tls}. HSTS at Cloudflare: {}. Automatic HTTPS Rewrites: {}.",
        match hsts {
            Some((true, age)) => format!("on, max-age {age}"),
            Some((false, _)) => "off (your server may send it; headers.hsts checks what visitors get)".into(),
            None => "not readable".into(),
        },
        rewrites.unwrap_or("not readable")
    );
    let base = Finding::new(&defs::HTTPS, domain, Status::Pass).evidence(evidence).detail(notes);
    if warn.is_empty() {
        return base.title(format!("{domain} at Cloudflare sends every visitor to HTTPS and refuses TLS older than 1.2."));
    }
    base.status(Status::Warn)
        .title(format!("Cloudflare's HTTPS settings for {domain} need attention: {}.", warn.join("; and ")))
        .why("Visitors on old links or old settings can end up on an unencrypted or weakly encrypted connection.")
        .fix(fix)
}
