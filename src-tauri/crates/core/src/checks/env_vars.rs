//! `secrets.env`: an env file has every variable the example lists, with values that can work in
//! production, and staging and production do not share a secret.
//!
//! Like `secrets.source`, it reads files on this computer (`preflight secrets env`), never the
//! network. One missing variable is how a release that passed its tests breaks chat or payments in
//! production; a `localhost` address in production is how it breaks everything else.

use crate::check::CheckDef;
use crate::checks::Family;
use crate::model::{Area, Finding, Impact, Stage, Status};
use preflight_secrets::env::EnvIssue;
use serde_json::json;

pub const ENV: CheckDef = CheckDef {
    id: "secrets.env",
    area: Area::Secrets,
    stage: Stage::Deploy,
    impact: Impact::Downtime,
    what: "the env file against the example",
};

/// Never planned by an audit: see the module header.
pub const FAMILY: Family = Family { name: "env", checks: &[&ENV], plan: |_, _| Vec::new() };

/// The findings for `env_file` (checked against `required` names) and its `issues`.
pub fn findings(env_file: &str, required: usize, issues: &[EnvIssue]) -> Vec<Finding> {
    let mut out: Vec<Finding> = issues
        .iter()
        .map(|i| {
            let subject = format!("{env_file}: {}", i.name());
            match i {
                EnvIssue::Missing { name } => Finding::new(&ENV, subject, Status::Fail)
                    .title(format!("{name} is missing from {env_file}."))
                    .why("The app reads it at start-up or on first use: without it, whatever needs it fails in production.")
                    .evidence(json!({ "variable": name, "problem": "missing" }))
                    .fix([format!("Add {name} to the environment variables of the environment {env_file} describes (your host's settings), then redeploy.")]),
                EnvIssue::Empty { name, line } => Finding::new(&ENV, subject, Status::Fail)
                    .title(format!("{name} has no real value in {env_file} (line {line})."))
                    .why("An empty or placeholder value fails the same way a missing one does, only later.")
                    .evidence(json!({ "variable": name, "problem": "empty", "line": line }))
                    .fix([format!("Set the real value of {name} in your host's environment variables.")]),
                EnvIssue::Localhost { name, line } => Finding::new(&ENV, subject, Status::Fail)
                    .title(format!("{name} in {env_file} points at this computer (localhost), which production cannot reach."))
                    .why("In production, localhost is the server itself: the database or service it names is not there.")
                    .evidence(json!({ "variable": name, "problem": "localhost", "line": line }))
                    .fix([format!("Set {name} to the production address of the service (your database host's connection string, for example).")]),
                EnvIssue::Shared { name, other } => Finding::new(&ENV, subject, Status::Warn)
                    .title(format!("{name} has the same secret value as {other} in the other environment."))
                    .why("A key shared by staging and production lets a test run act on real customers, and one leak exposes both.")
                    .evidence(json!({ "variable": name, "other": other, "problem": "shared" }))
                    .fix(["Create a separate key for staging at the provider and put it in the staging environment only.".to_owned()]),
            }
        })
        .collect();
    if out.is_empty() {
        out.push(
            Finding::new(&ENV, env_file, Status::Pass)
                .title(format!("{env_file} has all {required} variables the example lists, each with a value."))
                .evidence(json!({ "required": required })),
        );
    }
    out
}
