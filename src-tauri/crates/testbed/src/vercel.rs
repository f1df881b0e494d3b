//! Vercel's REST API on the testbed: the endpoints Preflight's Vercel checks read, for projects
//! the test chooses, in the personal account or in a team.
//!
//! Shapes follow Vercel's REST API reference (as published in 2025/2026: `/v2/user` → `{user}`,
//! `/v2/teams` → `{teams, pagination}`, `/v9/projects` → `{projects, pagination}` with
//! `targets.production.alias`, `/v10/projects/{id}/env` → `{envs}` whose values are encrypted
//! unless `decrypt` is asked, `/v6/deployments` → `{deployments, pagination}` with `meta`'s git
//! fields). Lists page with `pagination.next`, passed back as `until`. Fixtures are written here.

use crate::handler::{App, Reply};
use crate::web::Received;
use serde_json::{json, Value};

/// A project as the API lists it.
#[derive(Debug, Clone)]
pub struct VProject {
    pub id: String,
    pub name: String,
    /// The team that owns it (`None`: the personal account).
    pub team: Option<String>,
    /// Production aliases (the domains it serves).
    pub domains: Vec<String>,
    /// Environment variables: key and targets (values are made up and encrypted-looking).
    pub env: Vec<(String, Vec<String>)>,
    /// Ready production deployments: commit and age in days.
    pub deployments: Vec<(String, i64)>,
}

/// The account the token sees.
#[derive(Debug, Clone)]
pub struct VAccount {
    pub token: String,
    pub projects: Vec<VProject>,
    /// Projects per page (to make the client page).
    pub per_page: usize,
}

/// The encrypted value every variable carries in the list (never to be shown by Preflight).
pub const ENCRYPTED: &str = "enc:v2:pl4ntedC1pherT3xtThatMustNeverBeShown";

/// The API's answers for `account`.
pub fn api(account: VAccount) -> App {
    App::new(move |r: &Received| answer(&account, r))
}

fn answer(a: &VAccount, r: &Received) -> Reply {
    let auth = r.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.as_str());
    if auth != Some(format!("Bearer {}", a.token).as_str()) {
        return Reply::json(r#"{"error":{"code":"forbidden","message":"Not authorized","invalidToken":true}}"#).status(403);
    }
    let team = r.param("teamId");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default();
    let in_scope = |p: &&VProject| p.team == team;
    let project = |id: &str| a.projects.iter().filter(in_scope).find(|x| x.id == id);
    let not_found = || Reply::json(r#"{"error":{"code":"not_found","message":"Project not found"}}"#).status(404);
    match r.path.as_str() {
        "/v2/user" => Reply::json(&json!({ "user": { "id": "AEIIDYVk59zbFF2Sxfyxxmua", "username": "founder", "email": "founder@acme.example", "name": "Founder" } }).to_string()),
        "/v2/teams" => {
            let mut teams: Vec<String> = a.projects.iter().filter_map(|p| p.team.clone()).collect();
            teams.dedup();
            let list: Vec<Value> = teams.iter().map(|t| json!({ "id": t, "slug": t, "name": t })).collect();
            Reply::json(&json!({ "teams": list, "pagination": { "count": teams.len(), "next": null, "prev": null } }).to_string())
        }
        "/v9/projects" => {
            let all: Vec<&VProject> = a.projects.iter().filter(in_scope).collect();
            let start: usize = r.param("until").and_then(|u| u.parse().ok()).unwrap_or(0);
            let page: Vec<Value> = all
                .iter()
                .skip(start)
                .take(a.per_page)
                .map(|p| json!({ "id": p.id, "name": p.name, "framework": "nextjs", "targets": { "production": { "alias": p.domains, "readyState": "READY" } } }))
                .collect();
            let next = (start + a.per_page < all.len()).then_some(start + a.per_page);
            Reply::json(&json!({ "projects": page, "pagination": { "count": page.len(), "next": next, "prev": null } }).to_string())
        }
        p if p.starts_with("/v10/projects/") && p.ends_with("/env") => {
            let id = &p["/v10/projects/".len()..p.len() - "/env".len()];
            let Some(project) = project(id) else { return not_found() };
            let envs: Vec<Value> = project
                .env
                .iter()
                .enumerate()
                .map(|(i, (key, targets))| json!({ "id": format!("env{i}"), "key": key, "type": "encrypted", "target": targets, "value": ENCRYPTED, "createdAt": now }))
                .collect();
            Reply::json(&json!({ "envs": envs }).to_string())
        }
        "/v6/deployments" => {
            let Some(project) = project(&r.param("projectId").unwrap_or_default()) else { return not_found() };
            let list: Vec<Value> = project
                .deployments
                .iter()
                .enumerate()
                .map(|(i, (sha, days))| {
                    json!({ "uid": format!("dpl_{i}"), "name": project.name, "url": format!("{}-{i}.vercel.app", project.name), "created": now - days * 86_400_000, "state": "READY", "target": "production",
                            "meta": { "githubCommitSha": sha, "githubCommitMessage": format!("Release {i}\n\nDetails"), "githubCommitRef": "main" } })
                })
                .collect();
            Reply::json(&json!({ "deployments": list, "pagination": { "count": list.len(), "next": null, "prev": null } }).to_string())
        }
        _ => Reply::json(r#"{"error":{"code":"not_found","message":"The requested path was not found"}}"#).status(404),
    }
}
