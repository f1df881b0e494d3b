//! `edge.cloudflare.waf`, `.ratelimit`, `.bots` and `.cache`: the zone's rulesets (one entry
//! point per phase) and its bot settings, judged against the paths the product's settings name.
//!
//! A rule's expression is Cloudflare's filter language; Preflight reads only what it needs: the
//! quoted paths a rule names (`http.request.uri.path eq "/api/chat"`, `starts_with(...)`,
//! `contains`), or none at all (the rule covers everything). That errs on the side of "covered"
//! for complex expressions, and says so in the detail.

use super::{get, unread, Zone, BOTS_READ, CACHE_READ, WAF_READ};
use crate::api::{Api, ApiError};
use preflight_core::checks::cloudflare as defs;
use preflight_core::{Finding, Status, Target};
use serde_json::{json, Value};

/// One rule of a phase's entry point.
#[derive(Debug, Clone)]
pub struct Rule {
    pub action: String,
    pub expression: String,
    pub enabled: bool,
    pub description: String,
    /// For cache rules: whether it makes responses cacheable.
    pub caches: bool,
}

/// The phases read.
#[derive(Debug, Clone)]
pub struct Rules {
    pub managed: Result<Vec<Rule>, ApiError>,
    pub ratelimit: Result<Vec<Rule>, ApiError>,
    pub custom: Result<Vec<Rule>, ApiError>,
    pub cache: Result<Vec<Rule>, ApiError>,
}

/// Bot Fight Mode and Super Bot Fight Mode.
#[derive(Debug, Clone)]
pub struct Bots {
    pub fight_mode: bool,
    pub definitely_automated: String,
}

async fn phase(api: &Api, zone: &Zone, phase: &str, permission: &'static str) -> Result<Vec<Rule>, ApiError> {
    let r = match get(api, &format!("zones/{}/rulesets/phases/{phase}/entrypoint", zone.id), permission).await {
        Ok(r) => r,
        // No entry point: nothing was ever configured in that phase.
        Err(ApiError::NotFound { .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(r.get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|rule| {
            let s = |k: &str| rule.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let caches = rule.get("action_parameters").and_then(|p| p.get("cache")).and_then(Value::as_bool).unwrap_or(false);
            Rule {
                action: s("action"),
                expression: s("expression"),
                enabled: rule.get("enabled").and_then(Value::as_bool).unwrap_or(true),
                description: s("description"),
                caches,
            }
        })
        .collect())
}

pub async fn read(api: &Api, zone: &Zone) -> Rules {
    let (managed, ratelimit, custom, cache) = tokio::join!(
        phase(api, zone, "http_request_firewall_managed", WAF_READ),
        phase(api, zone, "http_ratelimit", WAF_READ),
        phase(api, zone, "http_request_firewall_custom", WAF_READ),
        phase(api, zone, "http_request_cache_settings", CACHE_READ),
    );
    Rules { managed, ratelimit, custom, cache }
}

pub async fn read_bots(api: &Api, zone: &Zone) -> Result<Bots, ApiError> {
    let r = get(api, &format!("zones/{}/bot_management", zone.id), BOTS_READ).await?;
    Ok(Bots {
        fight_mode: r.get("fight_mode").and_then(Value::as_bool).unwrap_or(false),
        definitely_automated: r.get("sbfm_definitely_automated").and_then(Value::as_str).unwrap_or("allow").to_owned(),
    })
}

/// The quoted strings of an expression that look like paths.
fn quoted_paths(expression: &str) -> Vec<&str> {
    expression.split('"').skip(1).step_by(2).filter(|s| s.starts_with('/')).collect()
}

/// Whether a rule's expression applies to requests for `path`: it names no path at all, or names
/// one that `path` equals, starts with or contains.
pub fn covers(expression: &str, path: &str) -> bool {
    let named = quoted_paths(expression);
    if !expression.contains("uri") || named.is_empty() {
        return true;
    }
    named.iter().any(|p| path == *p || path.starts_with(p) || path.contains(p))
}

fn path_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| u.path().to_owned())
}

pub fn judge(domain: &str, target: &Target, rules: &Rules, bots: &Result<Bots, ApiError>) -> Vec<Finding> {
    vec![
        waf(domain, &rules.managed),
        ratelimit(domain, target, &rules.ratelimit),
        bot_rules(domain, target, &rules.custom, bots),
        cache(domain, &rules.cache),
    ]
}

fn waf(domain: &str, managed: &Result<Vec<Rule>, ApiError>) -> Finding {
    let rules = match managed {
        Ok(r) => r,
        Err(e) => return unread(&defs::WAF, domain, "the managed WAF rules", e),
    };
    let on: Vec<&Rule> = rules.iter().filter(|r| r.enabled && r.action == "execute").collect();
    let base = Finding::new(&defs::WAF, domain, Status::Pass).evidence(json!({ "managed_rulesets": on.len() }));
    if on.is_empty() {
        return base
            .status(Status::Warn)
            .title(format!("No managed WAF ruleset is deployed for {domain} at Cloudflare."))
            .why("Managed rules block the common attacks (SQL injection, known exploits) before they reach your app.")
            .fix(["In Cloudflare: Security → WAF → Managed rules: deploy the Cloudflare Managed Ruleset (Pro plan and up; the free plan's Free Managed Ruleset is on by default and not listed here)."]);
    }
    base.title(format!("{} managed WAF ruleset(s) run in front of {domain}.", on.len())).detail(
        on.iter()
            .map(|r| if r.description.is_empty() { r.expression.clone() } else { r.description.clone() })
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn ratelimit(domain: &str, target: &Target, rl: &Result<Vec<Rule>, ApiError>) -> Finding {
    let rules = match rl {
        Ok(r) => r,
        Err(e) => return unread(&defs::RATELIMIT, domain, "the rate-limiting rules", e),
    };
    let on: Vec<&Rule> = rules.iter().filter(|r| r.enabled).collect();
    let paths: Vec<String> = target.endpoints.iter().filter_map(|e| path_of(&e.url)).collect();
    let uncovered: Vec<&String> = paths.iter().filter(|p| !on.iter().any(|r| covers(&r.expression, p))).collect();
    let base = Finding::new(&defs::RATELIMIT, domain, Status::Pass)
        .evidence(json!({ "rules": on.iter().map(|r| &r.expression).collect::<Vec<_>>(), "paths": paths, "uncovered": uncovered }));
    let fix = "In Cloudflare: Security → WAF → Rate limiting rules → Create rule: match the path (URI Path starts with /api/chat), count by IP, and block or challenge above a rate your real users never reach (for example 20 requests per 10 seconds).";
    if on.is_empty() {
        return base
            .status(Status::Warn)
            .title(format!("No rate-limiting rule protects {domain} at Cloudflare."))
            .why("Without one, a script can call your chat or sign-in as fast as it likes: model bills, password guessing and outages follow.")
            .fix([fix]);
    }
    if !uncovered.is_empty() {
        return base
            .status(Status::Warn)
            .title(format!(
                "Cloudflare's rate limits do not cover {}.",
                uncovered.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
            ))
            .why("The paths your settings name as chat, sign-in or API endpoints can be called without limit.")
            .detail(format!("Rules read: {}", on.iter().map(|r| r.expression.as_str()).collect::<Vec<_>>().join(" | ")))
            .fix([fix]);
    }
    base.title(format!(
        "{} rate-limiting rule(s) protect {domain}{}.",
        on.len(),
        if paths.is_empty() { String::new() } else { format!(", covering {}", paths.join(", ")) }
    ))
    .detail("A rule that names no path covers every path; complex expressions are read by the paths they quote.")
}

fn bot_rules(domain: &str, target: &Target, custom: &Result<Vec<Rule>, ApiError>, bots: &Result<Bots, ApiError>) -> Finding {
    let (rules, bots) = match (custom, bots) {
        (Ok(r), Ok(b)) => (r, b),
        (Err(e), _) | (_, Err(e)) => return unread(&defs::BOTS, domain, "the bot settings and challenge rules", e),
    };
    let callbacks: Vec<String> = target.callbacks.iter().filter_map(|c| path_of(&c.url)).collect();
    let challenging = |a: &str| matches!(a, "challenge" | "managed_challenge" | "js_challenge" | "block");
    let mut fail = Vec::new();
    for r in rules.iter().filter(|r| r.enabled && challenging(&r.action)) {
        for p in callbacks.iter().filter(|p| covers(&r.expression, p) && !quoted_paths(&r.expression).is_empty()) {
            fail.push(format!(
                "the rule \"{}\" ({}) covers the callback {p}",
                if r.description.is_empty() { &r.expression } else { &r.description },
                r.action
            ));
        }
    }
    let mut warn = Vec::new();
    if !callbacks.is_empty() && bots.fight_mode {
        warn.push(format!("Bot Fight Mode is on and cannot make exceptions: it may challenge the calls to {}", callbacks.join(", ")));
    }
    if !callbacks.is_empty() && bots.definitely_automated != "allow" {
        warn.push(format!(
            "Super Bot Fight Mode answers automated traffic with \"{}\": add a rule that skips it for {}",
            bots.definitely_automated,
            callbacks.join(", ")
        ));
    }
    let base = Finding::new(&defs::BOTS, domain, Status::Pass)
        .evidence(json!({ "fight_mode": bots.fight_mode, "definitely_automated": bots.definitely_automated, "callbacks": callbacks }));
    if fail.is_empty() && warn.is_empty() {
        return base.title(if callbacks.is_empty() {
            format!("Bot protection at Cloudflare for {domain}: Bot Fight Mode {}; no webhook or sign-in callback is named in the settings to check against.", if bots.fight_mode { "on" } else { "off" })
        } else {
            format!("No bot protection or challenge at Cloudflare stands in front of {}.", callbacks.join(", "))
        });
    }
    let status = if fail.is_empty() { Status::Warn } else { Status::Fail };
    let all: Vec<String> = fail.iter().chain(&warn).cloned().collect();
    base.status(status)
        .title(format!("Cloudflare may block your webhooks or sign-in callbacks: {}.", all.join("; and ")))
        .why("A payment provider or a sign-in service cannot solve a challenge: its call fails, and payments or sign-ins are lost without an error you see.")
        .fix([
            "In Cloudflare: Security → WAF → Custom rules: add a rule with action Skip (all remaining custom rules, Super Bot Fight Mode) for the webhook and callback paths, placed first.".to_owned(),
            "Bot Fight Mode (Security → Bots) cannot skip paths: turn it off when you receive webhooks, or use Super Bot Fight Mode with a skip rule.".to_owned(),
        ])
}

fn cache(domain: &str, cache: &Result<Vec<Rule>, ApiError>) -> Finding {
    let rules = match cache {
        Ok(r) => r,
        Err(e) => return unread(&defs::CACHE, domain, "the cache rules", e),
    };
    let caching: Vec<&Rule> = rules.iter().filter(|r| r.enabled && r.caches).collect();
    let everything: Vec<&Rule> = caching
        .iter()
        .copied()
        .filter(|r| {
            let e = r.expression.trim();
            let static_only = [".js", ".css", ".png", ".jpg", ".svg", ".woff", "/assets", "/static", "/_next/static", "extension"]
                .iter()
                .any(|x| e.contains(x));
            (e == "true" || quoted_paths(e).contains(&"/")) && !static_only && !e.contains("cookie")
        })
        .collect();
    let base = Finding::new(&defs::CACHE, domain, Status::Pass)
        .evidence(json!({ "cache_rules": caching.iter().map(|r| &r.expression).collect::<Vec<_>>() }));
    if !everything.is_empty() {
        return base
            .status(Status::Warn)
            .title(format!("A Cloudflare cache rule for {domain} caches every page, signed-in ones included.", ))
            .why("A page cached for one signed-in customer can be served to the next visitor: their name, their chats, their data.")
            .detail(everything.iter().map(|r| r.expression.as_str()).collect::<Vec<_>>().join("\n"))
            .fix(["In Cloudflare: Caching → Cache Rules: limit the rule to static files (URI path starts with /assets/ or the file extensions), or add \"and not http.cookie contains \\\"session\\\"\" to it."]);
    }
    base.title(if caching.is_empty() {
        format!(
            "No custom cache rule at Cloudflare for {domain}: Cloudflare caches static files by their extension and never HTML by default."
        )
    } else {
        format!("{} cache rule(s) at Cloudflare for {domain}, none caching every page.", caching.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_cover_the_paths_they_name_or_all_when_none() {
        assert!(covers("(http.request.uri.path eq \"/api/chat\")", "/api/chat"));
        assert!(covers("(starts_with(http.request.uri.path, \"/api\"))", "/api/chat"));
        assert!(!covers("(http.request.uri.path eq \"/login\")", "/api/chat"));
        assert!(covers("(ip.src.country eq \"FR\")", "/api/chat"), "no path condition: every path");
    }
}
