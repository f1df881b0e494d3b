//! Vercel, read with an access token (`https://api.vercel.com`): the project serving the product's
//! domain (in the personal account or any team the token sees), its environment variables by name
//! per environment, and its production deployments, judged into the `deploy.vercel.*` findings.
//!
//! Vercel has no read-only tokens: the founder is told to scope one to the team and give it an
//! expiry, and Preflight only ever sends GETs. Environment variables are listed without `decrypt`,
//! and only their names, types and targets are kept: a value never reaches this process's memory
//! beyond the parse. Shapes follow Vercel's REST API reference: lists carry a `pagination` object
//! whose `next` is passed back as `until`.

use crate::api::{Api, ApiError};
use preflight_core::checks::vercel as defs;
use preflight_core::{Finding, Status, Target};
use serde_json::{json, Value};

pub const DEFAULT_API: &str = "https://api.vercel.com/";
/// Pages of projects read per scope, and teams looked through.
pub const MAX_PAGES: u32 = 5;
pub const MAX_TEAMS: usize = 10;

pub const PERMISSIONS: &[(&str, &str)] = &[
    (
        "Scope: the team (or account) that owns the project",
        "which project serves your domain, its environment variable names and its deployments",
    ),
    ("Expiration: 90 days or less", "Vercel tokens cannot be read-only; an expiry limits what a leaked one can do (Preflight only reads)"),
];

/// Whether the token is good: `GET /v2/user`.
pub async fn verify(api: &Api) -> Result<String, ApiError> {
    let v = api.get("v2/user", "a valid token").await?;
    let user = v.get("user").and_then(|u| u.get("username").or_else(|| u.get("name"))).and_then(Value::as_str);
    user.map(|u| format!("token valid for {u}")).ok_or_else(|| ApiError::Malformed {
        provider: api.provider(),
        path: "/v2/user".into(),
        reason: "no user".into(),
    })
}

/// The project serving the domain, and the team scope it lives in.
#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub team: Option<String>,
}

fn scope(team: &Option<String>, sep: char) -> String {
    team.as_ref().map(|t| format!("{sep}teamId={t}")).unwrap_or_default()
}

fn serves(project: &Value, domain: &str) -> bool {
    let production = project.get("targets").and_then(|t| t.get("production")).and_then(|p| p.get("alias")).and_then(Value::as_array);
    let aliases = project.get("alias").and_then(Value::as_array);
    production.into_iter().flatten().filter_map(Value::as_str).any(|a| a.eq_ignore_ascii_case(domain))
        || aliases.into_iter().flatten().filter_map(|a| a.get("domain").and_then(Value::as_str)).any(|a| a.eq_ignore_ascii_case(domain))
}

/// Looks through the personal account, then each team, page by page.
pub async fn find_project(api: &Api, domain: &str) -> Result<Project, ApiError> {
    let teams = api.get("v2/teams?limit=20", "a valid token").await.ok();
    let team_ids: Vec<String> = teams
        .as_ref()
        .and_then(|t| t.get("teams"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_owned))
        .take(MAX_TEAMS)
        .collect();
    for team in std::iter::once(None).chain(team_ids.into_iter().map(Some)) {
        let mut until: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = until.as_ref().map(|u| format!("&until={u}")).unwrap_or_default();
            let v =
                match api.get(&format!("v9/projects?limit=100{page}{}", scope(&team, '&')), "a token scoped to the project's team").await {
                    Ok(v) => v,
                    Err(ApiError::Permission { .. }) => break,
                    Err(e) => return Err(e),
                };
            let projects = v.get("projects").and_then(Value::as_array).cloned().unwrap_or_default();
            if let Some(p) = projects.iter().find(|p| serves(p, domain)) {
                let field = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                return Ok(Project { id: field("id"), name: field("name"), team });
            }
            until = v
                .get("pagination")
                .and_then(|p| p.get("next"))
                .and_then(|n| n.as_u64().map(|n| n.to_string()).or_else(|| n.as_str().map(str::to_owned)));
            if until.is_none() || projects.is_empty() {
                break;
            }
        }
    }
    Err(ApiError::NotFound { provider: api.provider(), what: format!("project serving {domain} that this token can see") })
}

/// One environment variable, without its value.
#[derive(Debug, Clone)]
pub struct Var {
    pub key: String,
    pub targets: Vec<String>,
}

async fn vars(api: &Api, p: &Project) -> Result<Vec<Var>, ApiError> {
    let v = api.get(&format!("v10/projects/{}/env{}", p.id, scope(&p.team, '?')), "a token scoped to the project's team").await?;
    let list = v.get("envs").and_then(Value::as_array).ok_or_else(|| ApiError::Malformed {
        provider: api.provider(),
        path: "/env".into(),
        reason: "no envs".into(),
    })?;
    Ok(list
        .iter()
        .filter_map(|e| {
            let key = e.get("key").and_then(Value::as_str)?.to_owned();
            let targets = match e.get("target") {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                Some(Value::String(t)) => vec![t.clone()],
                _ => Vec::new(),
            };
            Some(Var { key, targets })
        })
        .collect())
}

/// A production deployment.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub url: String,
    pub created_ms: i64,
    pub commit: Option<String>,
    pub message: Option<String>,
}

async fn deployments(api: &Api, p: &Project) -> Result<Vec<Deployment>, ApiError> {
    let v = api
        .get(
            &format!("v6/deployments?projectId={}&target=production&state=READY&limit=20{}", p.id, scope(&p.team, '&')),
            "a token scoped to the project's team",
        )
        .await?;
    let list = v.get("deployments").and_then(Value::as_array).ok_or_else(|| ApiError::Malformed {
        provider: api.provider(),
        path: "/v6/deployments".into(),
        reason: "no deployments".into(),
    })?;
    let mut out: Vec<Deployment> = list
        .iter()
        .filter(|d| d.get("state").or_else(|| d.get("readyState")).and_then(Value::as_str).is_none_or(|s| s == "READY"))
        .map(|d| {
            let meta = |k: &str| d.get("meta").and_then(|m| m.get(k)).and_then(Value::as_str).map(str::to_owned);
            Deployment {
                url: d.get("url").and_then(Value::as_str).unwrap_or_default().to_owned(),
                created_ms: d.get("created").and_then(Value::as_i64).unwrap_or_default(),
                commit: meta("githubCommitSha").or_else(|| meta("gitlabCommitSha")).or_else(|| meta("bitbucketCommitSha")),
                message: meta("githubCommitMessage").map(|m| m.lines().next().unwrap_or_default().chars().take(100).collect()),
            }
        })
        .collect();
    out.sort_by_key(|d| -d.created_ms);
    Ok(out)
}

fn date(ms: i64) -> String {
    preflight_core::net::cert::date(ms.div_euclid(1000))
}

/// Every `deploy.vercel.*` finding for the product.
pub async fn audit(api: &Api, target: &Target) -> Vec<Finding> {
    let domain = target.domain.to_string();
    let project = match find_project(api, &domain).await {
        Ok(p) => p,
        Err(e) => {
            return vec![crate::unread(&defs::PROJECT, &domain, &format!("the project serving {domain}"), &e, crate::Provider::Vercel)]
        }
    };
    let (vars, deploys) = tokio::join!(vars(api, &project), deployments(api, &project));
    vec![project_finding(&domain, &project, &deploys), env_finding(&domain, &vars), rollback_finding(&domain, &deploys)]
}

fn project_finding(domain: &str, p: &Project, deploys: &Result<Vec<Deployment>, ApiError>) -> Finding {
    let live = deploys.as_ref().ok().and_then(|d| d.first());
    let base = Finding::new(&defs::PROJECT, domain, Status::Pass).evidence(json!({
        "project": p.name, "team": p.team.is_some(),
        "production": live.map(|d| json!({ "url": d.url, "created_ms": d.created_ms, "commit": d.commit, "message": d.message })),
    }));
    match live {
        Some(d) => base
            .title(format!(
                "{domain} is served by the Vercel project {}; production is {}, live since {}.",
                p.name,
                d.commit
                    .as_deref()
                    .map(|c| format!("commit {}", &c[..c.len().min(7)]))
                    .unwrap_or_else(|| "a deployment without a commit".into()),
                date(d.created_ms)
            ))
            .detail(d.message.clone().map(|m| format!("Its commit message: {m}")).unwrap_or_default()),
        None => base
            .status(Status::Warn)
            .title(format!("The Vercel project {} serves {domain} but lists no ready production deployment.", p.name)),
    }
}

/// Names that, prefixed to reach the browser, carry what should stay on the server.
fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    let public = ["NEXT_PUBLIC_", "VITE_", "PUBLIC_", "NUXT_PUBLIC_", "REACT_APP_", "EXPO_PUBLIC_"];
    let Some(rest) = public.iter().find_map(|p| k.strip_prefix(p)) else { return false };
    let publishable = ["PUBLISHABLE", "ANON", "PUBLIC_KEY", "SITE_KEY", "POSTHOG", "SENTRY_DSN", "GA_", "MEASUREMENT"];
    if publishable.iter().any(|p| rest.contains(p)) {
        return false;
    }
    ["SECRET", "PRIVATE", "PASSWORD", "SERVICE_ROLE", "OPENAI", "ANTHROPIC", "DATABASE_URL", "API_KEY", "TOKEN"]
        .iter()
        .any(|s| rest.contains(s))
}

fn env_finding(domain: &str, vars: &Result<Vec<Var>, ApiError>) -> Finding {
    let vars = match vars {
        Ok(v) => v,
        Err(e) => return crate::unread(&defs::ENV, domain, "the environment variable names", e, crate::Provider::Vercel),
    };
    let in_target = |t: &str| -> Vec<&str> { vars.iter().filter(|v| v.targets.iter().any(|x| x == t)).map(|v| v.key.as_str()).collect() };
    let (production, preview) = (in_target("production"), in_target("preview"));
    let missing: Vec<&str> = preview.iter().copied().filter(|k| !production.contains(k)).collect();
    let exposed: Vec<&str> = vars.iter().map(|v| v.key.as_str()).filter(|k| looks_secret(k)).collect();
    let base = Finding::new(&defs::ENV, domain, Status::Pass)
        .evidence(json!({ "production": production, "preview": preview, "missing_in_production": missing, "exposed": exposed }));
    if !exposed.is_empty() {
        return base
            .status(Status::Fail)
            .title(format!("{} reach{} every visitor's browser: the prefix makes Vercel build them into the page's JavaScript.", exposed.join(", "), if exposed.len() == 1 { "es" } else { "" }))
            .why("Anyone can read them with the browser's developer tools and use them: your model bill, your database, your payments.")
            .fix([
                "Rename them without the public prefix (NEXT_PUBLIC_, VITE_…) and read them only in server code (an API route or server action).".to_owned(),
                "Then rotate each key at its provider: the old value has been public.".to_owned(),
            ]);
    }
    if !missing.is_empty() {
        return base
            .status(Status::Warn)
            .title(format!("{} {} set for previews but not for production.", missing.join(", "), if missing.len() == 1 { "is" } else { "are" }))
            .why("A feature tested on a preview can fail as soon as it is live, because production runs without that setting.")
            .fix(["In Vercel: Project → Settings → Environment Variables: add each for Production too (with production's own value), then redeploy."]);
    }
    base.title(format!(
        "Production has every environment variable previews have ({} in production), and none is exposed to the browser.",
        production.len()
    ))
    .detail("Compared by name only: Preflight never reads a value.")
}

fn rollback_finding(domain: &str, deploys: &Result<Vec<Deployment>, ApiError>) -> Finding {
    let deploys = match deploys {
        Ok(d) => d,
        Err(e) => return crate::unread(&defs::ROLLBACK, domain, "the production deployments", e, crate::Provider::Vercel),
    };
    let base = Finding::new(&defs::ROLLBACK, domain, Status::Pass).evidence(json!({ "ready_production_deployments": deploys.len() }));
    match deploys.get(1) {
        Some(previous) => base.title(format!(
            "An instant rollback is ready: the previous production deployment ({}, from {}) can be put back in seconds.",
            previous.commit.as_deref().map(|c| format!("commit {}", &c[..c.len().min(7)])).unwrap_or_else(|| previous.url.clone()),
            date(previous.created_ms)
        ))
        .detail("In Vercel: Deployments → the previous production deployment → Instant Rollback."),
        None => base
            .status(Status::Warn)
            .title(format!("{domain} has no earlier production deployment to roll back to."))
            .why("If the next deploy breaks something, the quickest fix (putting the previous version back) is not there.")
            .fix(["Deploy to production once more from a known-good commit, so Vercel keeps a deployment to roll back to; keep its URL in your release notes."]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_prefix_on_a_server_secret_is_told_apart_from_publishable_keys() {
        assert!(looks_secret("NEXT_PUBLIC_OPENAI_API_KEY"));
        assert!(looks_secret("VITE_STRIPE_SECRET_KEY"));
        assert!(!looks_secret("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY"));
        assert!(!looks_secret("NEXT_PUBLIC_SUPABASE_ANON_KEY"));
        assert!(!looks_secret("OPENAI_API_KEY"), "no public prefix: server only");
    }
}
